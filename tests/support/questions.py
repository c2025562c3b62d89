"""Support questions made directly for the tests of the support pages and of the back office's
(no throttle, no e-mail): test data only."""

from __future__ import annotations

from django.utils import timezone

from centrex.accounts.models import User
from centrex.support.models import SupportQuestion


def stored_question(
    user: User, subject: str = "Come aggiungo un alias?", **extra: object
) -> SupportQuestion:
    """A stored question of `user`, as if asked now."""
    now = timezone.now()
    fields: dict[str, object] = {
        "customer": user.customer,
        "user": user,
        "subject": subject,
        "body": "Testo della domanda.",
        "privacy_acknowledged_at": now,
        "created_at": now,
        **extra,
    }
    return SupportQuestion.objects.create(**fields)
