"""Pages of the support app: Impostazioni > Aiuto, "Inviaci la tua domanda", the privacy notice
(R-U8) and the operators' list of questions (R-B1). Thin: parse, fetch visibly, call an action."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from centrex.accounts.access import require_operator
from centrex.accounts.models import User
from centrex.core.addresses import client_address
from centrex.core.errors import DomainError, NotFound, PermissionDenied
from centrex.core.pages import refusal_page
from centrex.support.actions import answer_question, ask_question
from centrex.support.forms import AnswerForm, QuestionFilterForm, QuestionForm
from centrex.support.models import PRIVACY_NOTICE_VERSION, QuestionStatus, SupportQuestion

QUESTIONS_PER_PAGE = 10
OPERATOR_QUESTIONS_PER_PAGE = 25


def _page_language() -> str:
    """The help and privacy texts exist as one hand-written template per language."""
    language = translation.get_language() or "it"
    return "en" if language.startswith("en") else "it"


def operator_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Back-office pages: operators only (anyone else signed in gets 403); the view receives
    the operator, and an id it cannot see answers 404."""

    @wraps(view)
    @login_required
    def page(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            operator = require_operator(request.user)
            return view(request, operator, *args, **kwargs)
        except (NotFound, PermissionDenied) as error:
            return refusal_page(request, error)

    return page


@login_required
def help_page(request: HttpRequest) -> HttpResponse:
    """Impostazioni > Aiuto (R-U8): every procedure of the customer area, in the user's language."""
    return render(request, f"support/help_{_page_language()}.html")


def privacy(request: HttpRequest) -> HttpResponse:
    """The privacy notice; point 4 covers support questions. Public: it is read before login."""
    return render(
        request,
        f"support/privacy_{_page_language()}.html",
        {"privacy_notice_version": PRIVACY_NOTICE_VERSION},
    )


@login_required
@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest) -> HttpResponse:
    """«Inviaci la tua domanda» (R-U8): the form, and the user's own earlier questions."""
    user: User = request.user  # type: ignore[assignment]
    if user.is_operator:
        # Operators answer questions; they have nobody to ask.
        return refusal_page(
            request, PermissionDenied(_("Operators answer questions in the back office."))
        )
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


@login_required
@require_safe
def question_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the user's own questions with its answer; anyone else's id is 404 (R-C3)."""
    try:
        found = SupportQuestion.objects.select_related("answered_by").get_visible(
            request.user, pk=pk
        )
    except NotFound as error:
        return refusal_page(request, error)
    return render(request, "support/question.html", {"question": found})


@operator_page
def operator_questions(request: HttpRequest, operator: User) -> HttpResponse:
    """Back office: the support questions of every customer, open ones first-come first-served."""
    form = QuestionFilterForm(request.GET or None)
    status = str(QuestionStatus.OPEN)
    search = ""
    if form.is_valid():
        status = form.cleaned_data["status"] or status
        search = form.cleaned_data["q"].strip()
    visible = SupportQuestion.objects.visible_to(operator)
    questions = visible.select_related("customer", "user")
    if status != QuestionFilterForm.ALL:
        questions = questions.filter(status=status)
    if search:
        questions = questions.filter(
            Q(subject__icontains=search)
            | Q(body__icontains=search)
            | Q(answer__icontains=search)
            | Q(user__email__icontains=search)
            | Q(user__first_name__icontains=search)
            | Q(user__last_name__icontains=search)
            | Q(customer__name__icontains=search)
        )
    # Open questions are a queue (oldest first); the rest is an archive (newest first).
    if status == QuestionStatus.OPEN:
        questions = questions.order_by("created_at", "id")
    else:
        questions = questions.order_by("-created_at", "-id")
    page = Paginator(questions, OPERATOR_QUESTIONS_PER_PAGE).get_page(request.GET.get("page"))
    counts = visible.aggregate(
        open=Count("id", filter=Q(status=QuestionStatus.OPEN)),
        answered=Count("id", filter=Q(status=QuestionStatus.ANSWERED)),
    )
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "status": status,
        "search": search,
        "counts": counts,
    }
    return render(request, "support/operator_questions.html", context)


@require_http_methods(["GET", "POST"])
@operator_page
def operator_question(request: HttpRequest, operator: User, pk: int) -> HttpResponse:
    """Back office: one question with who asked it, and the form to answer it."""
    question = SupportQuestion.objects.select_related(
        "customer", "user", "answered_by"
    ).get_visible(operator, pk=pk)
    form = AnswerForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            answer_question(question, answer=form.cleaned_data["answer"], acting_user=operator)
        except DomainError as error:
            form.add_domain_error(error)
            status = error.http_status
        else:
            messages.success(
                request,
                _("Answer sent to %(email)s.") % {"email": question.user.email},
            )
            return redirect("support:operator_question", pk=question.pk)
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "support/operator_question.html",
        {"question": question, "form": form},
        status=status,
    )
