"""The customers' support questions for the operators (R-B1, R-U8): the list with its filters
and search, one question and its answer."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from centrex.accounts.access import require_operator
from centrex.accounts.models import User
from centrex.backoffice.forms.support import AnswerForm, QuestionFilterForm
from centrex.core.errors import DomainError
from centrex.core.pages import page_for
from centrex.support.actions import answer_question
from centrex.support.models import QuestionStatus, SupportQuestion

QUESTIONS_PER_PAGE = 25


@page_for(require_operator)
def question_list(request: HttpRequest, operator: User) -> HttpResponse:
    """The support questions of every customer, open ones first-come first-served."""
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
    questions = questions.matching(search).in_operators_order(status)
    page = Paginator(questions, QUESTIONS_PER_PAGE).get_page(request.GET.get("page"))
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
    return render(request, "backoffice/support/questions.html", context)


@require_http_methods(["GET", "POST"])
@page_for(require_operator)
def question_detail(request: HttpRequest, operator: User, pk: int) -> HttpResponse:
    """One question with who asked it, and the form to answer it."""
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
            return redirect("backoffice:question_detail", pk=question.pk)
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "backoffice/support/question.html",
        {"question": question, "form": form},
        status=status,
    )
