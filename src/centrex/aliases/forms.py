"""Forms of the alias pages (Communicator > Alias and the back office). They only shape input:
every rule lives in `aliases.actions`, whose DomainErrors go back on the fields through
`show_domain_error` (STYLE 3, 6)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from centrex.aliases.models import AliasStatus
from centrex.core.errors import DomainError
from centrex.core.forms import CustomerPeriodForm

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


class ReasonForm(forms.Form):
    """Reject or revoke (R-A6): the reason the customer will read. The action requires it."""

    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The customer reads it on the page and in the e-mail: say what to change."),
    )


def _all_of(label: Any, choices: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    return [("", label), *choices]


class AliasQueueFilterForm(forms.Form):
    """Filters of the operators' alias queue (R-B1): status and customer."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    customer = forms.TypedChoiceField(
        label=_("Customer"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, customers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status_field: forms.ChoiceField = self.fields["status"]  # type: ignore[assignment]
        status_field.choices = _all_of(_("All statuses"), list(AliasStatus.choices))
        customer_field: forms.ChoiceField = self.fields["customer"]  # type: ignore[assignment]
        customer_field.choices = _all_of(_("All customers"), list(customers))

    def lookups(self) -> dict[str, Any]:
        """The queryset filters of the valid fields."""
        if not self.is_bound or not self.is_valid():
            return {}
        lookups: dict[str, Any] = {}
        if self.cleaned_data.get("status"):
            lookups["status"] = self.cleaned_data["status"]
        if self.cleaned_data.get("customer") is not None:
            lookups["customer_id"] = self.cleaned_data["customer"]
        return lookups


class AliasAuditFilterForm(CustomerPeriodForm):
    """Filters of the alias audit trail (R-B1): the page and its CSV export share them."""

    alias = forms.CharField(label=_("Alias"), required=False, max_length=100)
    actor = forms.CharField(
        label=_("Who (e-mail)"),
        required=False,
        max_length=254,
        help_text=_("The operator's or the customer's e-mail, or part of it."),
    )

    field_order = ["customer", "alias", "actor", "date_from", "date_to"]

    def filters(self) -> Q:
        """The filter of the valid fields (dates are whole days in Europe/Rome)."""
        data = self._valid_fields()
        condition = Q()
        if data.get("customer") is not None:
            condition &= Q(customer_id=data["customer"])
        if data.get("alias", "").strip():
            condition &= Q(alias_text__icontains=data["alias"].strip())
        if data.get("actor", "").strip():
            condition &= Q(actor_email__icontains=data["actor"].strip())
        since, until = self.period()
        if since is not None:
            condition &= Q(created_at__gte=since)
        if until is not None:
            condition &= Q(created_at__lt=until)
        return condition


class ReservedNameForm(forms.Form):
    """R-A4b: one more name reserved to public bodies."""

    name = forms.CharField(label=_("Reserved name"), max_length=100)


class GenericWordForm(forms.Form):
    """R-A4b: one more word too generic to be an alias by itself."""

    word = forms.CharField(label=_("Generic word"), max_length=100)


class AliasSettingsForm(forms.Form):
    """R-A1: the operators' setting that widens the alias character set."""

    extended_charset = forms.BooleanField(
        label=_("Allow the extended character set + * / = < > ( ) @ _ # &"), required=False
    )
