"""Forms of the operators' pages of support questions (R-B1): the filters and the answer."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from centrex.support.forms import DomainErrorForm
from centrex.support.models import ANSWER_MAX_LENGTH, QuestionStatus


class AnswerForm(DomainErrorForm):
    """An operator's answer to a question (R-B1)."""

    answer = forms.CharField(
        label=_("Answer"),
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
    )


class QuestionFilterForm(forms.Form):
    """Filter and search of the operators' question list."""

    ALL = "all"

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[*QuestionStatus.choices, (ALL, _("all"))],
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
