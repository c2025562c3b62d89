"""The operators' SMS traceability search (R-S4, R-B1)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from centrex.core.forms import PeriodForm, all_of


class TraceabilityForm(PeriodForm):
    """The operators' traceability export (R-S4, R-B1): one customer, one period."""

    customer = forms.TypedChoiceField(label=_("Customer"), coerce=int, empty_value=None)

    field_order = ["customer", "date_from", "date_to"]

    def __init__(self, *args: Any, customers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        customer_field: forms.ChoiceField = self.fields["customer"]  # type: ignore[assignment]
        customer_field.choices = all_of(_("Choose a customer"), customers)
        self.fields["customer"].error_messages["required"] = _("Choose the customer.")
        for name in ("date_from", "date_to"):
            self.fields[name].required = True
        self.fields["date_from"].error_messages["required"] = _(
            "Enter the first day of the period."
        )
        self.fields["date_to"].error_messages["required"] = _("Enter the last day of the period.")
