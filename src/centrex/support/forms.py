"""Forms of the customers' support pages (the back office's are in
`centrex.backoffice.forms.support`). They only parse input: the rules live in support.actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from centrex.core.errors import DomainError
from centrex.support.models import (
    BODY_MAX_LENGTH,
    SUBJECT_MAX_LENGTH,
)


class DomainErrorForm(forms.Form):
    """A form that can show a DomainError's field errors next to its fields."""

    def add_domain_error(self, error: DomainError) -> None:
        for item in error.errors:
            field = item.field if item.field in self.fields else None
            self.add_error(field, str(item.message))


class QuestionForm(DomainErrorForm):
    """«Inviaci la tua domanda» (R-U8)."""

    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX_LENGTH)
    body = forms.CharField(
        label=_("Your question"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    # Not required here: the action enforces the acknowledgement and says why (R-U8); the
    # browser asks for it first through the `required` attribute.
    privacy = forms.BooleanField(
        label=_("I have read the privacy notice"),
        required=False,
        widget=forms.CheckboxInput(attrs={"required": True, "aria-describedby": "privacy-notice"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Formatted per request, so it is in the language of the person reading it.
        self.fields["body"].help_text = _("At most %(limit)d characters.") % {
            "limit": BODY_MAX_LENGTH
        }
