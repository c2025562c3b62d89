"""One function per e-mail of the support app (subject, text and HTML templates)."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse

from centrex.accounts.models import User
from centrex.core.mail import send_email_after_commit

if TYPE_CHECKING:
    from centrex.support.models import SupportQuestion


def notify_operators_of_question(question: SupportQuestion) -> None:
    """Tell every active operator a question arrived, each in their own language."""
    link = settings.CENTREX_BASE_URL + reverse(
        "backoffice:question_detail", kwargs={"pk": question.pk}
    )
    by_language: dict[str, list[str]] = defaultdict(list)
    for operator in User.objects.get_queryset().operators().order_by("email"):
        by_language[operator.language].append(operator.email)
    for language, addresses in sorted(by_language.items()):
        send_email_after_commit(
            "support/emails/question_received",
            to=addresses,
            language=language,
            context={
                "question": question,
                "asker": question.user,
                "customer": question.customer,
                "link": link,
            },
        )


def send_answer(question: SupportQuestion) -> None:
    """The operator's answer, to the user who asked, in their language."""
    send_email_after_commit(
        "support/emails/question_answered",
        to=[question.user.email],
        language=question.user.language,
        context={
            "question": question,
            "user": question.user,
            "link": settings.CENTREX_BASE_URL
            + reverse("support:question", kwargs={"pk": question.pk}),
        },
    )
