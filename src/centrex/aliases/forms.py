"""Forms of the alias pages of Communicator > Alias (the back office's are in
`centrex.backoffice.forms.aliases`). They only shape input:
every rule lives in `aliases.actions`, whose DomainErrors go back on the fields through
`show_domain_error` (STYLE 3, 6)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from centrex.aliases.models import AliasStatus
from centrex.core.errors import DomainError

# Longer than any alias may be (11 septets), short enough to stop nonsense: a too-long alias
# gets the rule's own message ("shorten it to at most 11"), not Django's generic one.
TEXT_INPUT_MAX = 100
# How long the live check waits after the last keystroke before asking (R-A5 hint, R-A1–A4b).
LIVE_CHECK_DELAY = "300ms"


def show_domain_error(
    error: DomainError, form: forms.Form, *, fields: dict[str, str] | None = None
) -> None:
    """Each broken rule next to the field it is about (`fields` renames an action's field to
    the form's); rules about no field of this form go on top of the form."""
    renames = fields or {}
    for item in error.errors:
        name = renames.get(item.field or "", item.field)
        form.add_error(name if name in form.fields else None, str(item.message))


class AliasForm(forms.Form):
    """«aggiungi»: the alias as typed. Case and spaces are kept exactly (R-A1, R-A1b): the
    rules, not the form, say what is wrong with them."""

    text = forms.CharField(
        label=_("Alias"),
        max_length=TEXT_INPUT_MAX,
        strip=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false"}
        ),
        error_messages={
            "required": _("Enter the alias: 1 to 11 characters, with at least one letter.")
        },
    )

    def __init__(self, *args: Any, check_url: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The live check while typing (htmx): the page's own endpoint answers a partial with
        # every broken rule and the relatedness hint. CSRF comes from <body hx-headers>.
        self.fields["text"].widget.attrs.update(
            {
                "hx-post": check_url,
                "hx-trigger": f"input changed delay:{LIVE_CHECK_DELAY}",
                "hx-target": "#alias-check",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
                "aria-describedby": "alias-check alias-conditions",
            }
        )


class ConsentForm(forms.Form):
    """«invia richiesta» (R-A7): the authorisation, and which wording the admin read. The
    action refuses the request without it (consent_required), so the box is not `required`
    here: the refusal has the domain's code and message."""

    consent = forms.BooleanField(
        label=_(
            "I authorise the insertion of my company's data in the AGCOM database, as written "
            "above."
        ),
        required=False,
        widget=forms.CheckboxInput(attrs={"aria-describedby": "consent-wording"}),
    )
    wording_version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=32)


class AliasFilterForm(forms.Form):
    """Communicator > Alias: the search by alias text and the status filter."""

    q = forms.CharField(label=_("Search by alias"), required=False, max_length=TEXT_INPUT_MAX)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All statuses")), *AliasStatus.choices],
        required=False,
    )

    def search_text(self) -> str:
        """The text as typed, trimmed (an alias keeps its case and inner spaces, R-A1)."""
        return str(self.cleaned_data.get("q") or "").strip() if self.is_valid() else ""

    def wanted_status(self) -> str:
        return str(self.cleaned_data.get("status") or "") if self.is_valid() else ""
