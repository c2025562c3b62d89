"""Pages of the support app: Impostazioni > Aiuto, "Inviaci la tua domanda" and the privacy notice
(R-U8); the operators answer the questions in the back office (`centrex.backoffice.views.support`).
Thin: parse, fetch visibly, call an action."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from centrex.accounts.access import Visitor, require_customer_user, require_signed_in
from centrex.accounts.models import User
from centrex.core.addresses import client_address
from centrex.core.errors import DomainError
from centrex.core.pages import page_for
from centrex.support.actions import ask_question
from centrex.support.forms import QuestionForm
from centrex.support.models import PRIVACY_NOTICE_VERSION, SupportQuestion

QUESTIONS_PER_PAGE = 10


def _page_language() -> str:
    """The help and privacy texts exist as one hand-written template per language."""
    language = translation.get_language() or "it"
    return "en" if language.startswith("en") else "it"


@page_for(require_signed_in)
def help_page(request: HttpRequest, user: User) -> HttpResponse:
    """Impostazioni > Aiuto (R-U8): every procedure of the customer area, in the user's language."""
    return render(request, f"support/help_{_page_language()}.html")


def privacy(request: HttpRequest) -> HttpResponse:
    """The privacy notice; point 4 covers support questions. Public: it is read before login."""
    return render(
        request,
        f"support/privacy_{_page_language()}.html",
        {"privacy_notice_version": PRIVACY_NOTICE_VERSION},
    )


def require_asker(user: Visitor | None) -> User:
    """Who asks questions: a customer's user. Operators answer them; they have nobody to ask."""
    return require_customer_user(user, _("Operators answer questions in the back office."))


@page_for(require_asker)
@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest, user: User) -> HttpResponse:
    """«Inviaci la tua domanda» (R-U8): the form, and the user's own earlier questions."""
    form = QuestionForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            ask_question(
                user,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                privacy_acknowledged=form.cleaned_data["privacy"],
                ip=client_address(request),
            )
        except DomainError as error:
            form.add_domain_error(error)
            status = error.http_status
        else:
            messages.success(
                request,
                _(
                    "Thank you: your question has been sent to our support team. You will "
                    "receive the answer by e-mail and find it on this page."
                ),
            )
            return redirect(reverse("support:ask") + "#mine")
    elif request.method == "POST":
        status = 422
    questions = SupportQuestion.objects.visible_to(user).select_related("answered_by")
    page = Paginator(questions, QUESTIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "support/ask.html", {"form": form, "page": page}, status=status)


@page_for(require_signed_in)
@require_safe
def question_detail(request: HttpRequest, user: User, pk: int) -> HttpResponse:
    """One of the user's own questions with its answer (an operator: any question); anyone
    else's id is 404 (R-C3)."""
    found = SupportQuestion.objects.select_related("answered_by").get_visible(user, pk=pk)
    return render(request, "support/question.html", {"question": found})
