"""Forms of the customers' support pages (the back office's are in
`centrex.backoffice.forms.support`). They only parse input: the rules live in support.actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
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
    """«Inviaci la tua domanda» (R-U8). Every field is optional here, so the action always
    judges the whole question and lists every broken rule at once, each next to its field —
    the privacy acknowledgement's too (issue 14: a missing subject used to hide it). The
    browser asks for them first through the `required` and `maxlength` attributes."""

    subject = forms.CharField(
        label=_("Subject"),
        required=False,
        widget=forms.TextInput(attrs={"required": True, "maxlength": SUBJECT_MAX_LENGTH}),
    )
    body = forms.CharField(
        label=_("Your question"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "required": True, "maxlength": BODY_MAX_LENGTH}),
    )
    privacy = forms.BooleanField(
        label=_("I have read the privacy notice"),
        required=False,
        widget=forms.CheckboxInput(attrs={"required": True}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Formatted per request, so it is in the language of the person reading it.
        self.fields["body"].help_text = _("At most %(limit)d characters.") % {
            "limit": BODY_MAX_LENGTH
        }
        # The manual's sentence, its «informativa privacy» a link to the notice (R-U8).
        self.fields["privacy"].help_text = mark_safe(  # noqa: S308 - our catalogue, an escaped URL
            _(
                "The information you provide will be processed for the purposes described in "
                'point 4 of the <a href="%(privacy_url)s">privacy notice</a>.'
            )
            % {"privacy_url": escape(reverse("support:privacy"))}
        )
