"""Forms of the customer admin's pages of the customers app (Impostazioni > Interni, Dati
aziendali). They only shape input: the rules live in `customers.actions`, whose DomainError
goes back on the fields (STYLE 3, 6)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from centrex.core.errors import DomainError
from centrex.customers.emails import COMPANY_DATA_LABELS
from centrex.customers.models import Customer


class ExtensionFilterForm(forms.Form):
    """Impostazioni > Interni: the search box and the free / taken filter."""

    STATES = [
        ("", pgettext_lazy("extensions", "All")),
        ("free", pgettext_lazy("extensions", "Free")),
        ("used", pgettext_lazy("extensions", "Taken")),
    ]

    q = forms.CharField(
        label=_("Search by extension, name or e-mail"), required=False, max_length=100
    )
    state = forms.ChoiceField(label=_("Show"), choices=STATES, required=False)

    def search_text(self) -> str:
        return " ".join(str(self.cleaned_data.get("q") or "").split()) if self.is_valid() else ""

    def wanted_state(self) -> str:
        return str(self.cleaned_data.get("state") or "") if self.is_valid() else ""


class CompanyDataForm(forms.Form):
    """Impostazioni > Dati aziendali: the data an admin keeps up to date (R-C2)."""

    contact_first_name = forms.CharField(
        label=COMPANY_DATA_LABELS["contact_first_name"], max_length=100, required=False
    )
    contact_last_name = forms.CharField(
        label=COMPANY_DATA_LABELS["contact_last_name"], max_length=100, required=False
    )
    pec = forms.EmailField(
        label=COMPANY_DATA_LABELS["pec"],
        required=False,
        help_text=_("The company’s certified e-mail address (posta elettronica certificata)."),
    )
    phone = forms.CharField(
        label=COMPANY_DATA_LABELS["phone"],
        max_length=30,
        required=False,
        help_text=_("In national form, such as 02 1234 5678, or with its country code."),
    )
    brands = forms.CharField(
        label=COMPANY_DATA_LABELS["brands"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One per line: the brands the company may use, which an alias may relate to. "
            "Delete a line to remove a brand."
        ),
    )

    @classmethod
    def initial_for(cls, customer: Customer) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(customer, name) for name in cls.base_fields}
        initial["brands"] = "\n".join(customer.brands or [])
        return initial

    def changes(self) -> dict[str, object]:
        """The values as the action takes them: brands one per line."""
        values: dict[str, object] = {
            name: self.cleaned_data.get(name) or "" for name in self.base_fields
        }
        values["brands"] = [line for line in str(values["brands"]).splitlines() if line.strip()]
        return values

    def show(self, error: DomainError) -> None:
        """Each broken rule next to its field; others on top of the form."""
        for item in error.errors:
            name = item.field if item.field in self.fields else None
            self.add_error(name, str(item.message))
