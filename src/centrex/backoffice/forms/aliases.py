"""Forms of the operators' alias pages: the queue's filters (R-B1), the reason of a rejection
or revocation (R-A6), the word lists (R-A4b) and the character-set setting (R-A1). They only
shape input: the rules live in `aliases.actions`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from centrex.aliases.models import AliasStatus, SenderAliasQuerySet


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

    def filtered(self, aliases: SenderAliasQuerySet) -> SenderAliasQuerySet:
        """`aliases` in the status and of the customer chosen (all of them when the filters
        are not valid)."""
        if not self.is_bound or not self.is_valid():
            return aliases
        aliases = aliases.in_status(self.cleaned_data.get("status") or None)
        if self.cleaned_data.get("customer") is not None:
            aliases = aliases.filter(customer_id=self.cleaned_data["customer"])
        return aliases


class ReasonForm(forms.Form):
    """Reject or revoke (R-A6): the reason the customer will read. The action requires it."""

    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The customer reads it on the page and in the e-mail: say what to change."),
    )


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
