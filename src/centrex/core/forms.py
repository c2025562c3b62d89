"""Filter forms shared by the pages that list what happened over a period: the SMS history and
traceability export, the alias audit trail, the back office's Registro attività."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def start_of_day(day: dt.date) -> dt.datetime:
    """Midnight of `day` in the portal's time zone (Europe/Rome)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class PeriodForm(forms.Form):
    """A period of whole days (Europe/Rome), both ends included."""

    date_from = forms.DateField(
        label=pgettext_lazy("date range", "From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label=pgettext_lazy("date range", "To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date comes before the start date."))
        return cleaned

    def _valid_fields(self) -> dict[str, Any]:
        """The cleaned values of the fields that are valid (an unbound form has none)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return dict(self.cleaned_data)

    def period(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """(since, until) of the valid dates: `until` is the midnight after `date_to`."""
        data = self._valid_fields()
        since = start_of_day(data["date_from"]) if data.get("date_from") else None
        until = (
            start_of_day(data["date_to"] + dt.timedelta(days=1)) if data.get("date_to") else None
        )
        return since, until


class CustomerPeriodForm(PeriodForm):
    """A period and, optionally, one customer among `customers` (the operators' filters)."""

    customer = forms.TypedChoiceField(
        label=_("Customer"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, customers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        customer_field: forms.ChoiceField = self.fields["customer"]  # type: ignore[assignment]
        customer_field.choices = [("", _("All customers")), *customers]


class ActivityFilterForm(CustomerPeriodForm):
    """Filters of a Registro attività (R-B1, R-Z4): who, which action, a period and, for the
    operators' (with `customers`), one customer. The page and its CSV export share them."""

    actor = forms.CharField(label=_("Who (e-mail)"), required=False, max_length=254)
    action = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=64,
        help_text=_("Such as customer.created, or customer. for all of them."),
    )

    field_order = ["customer", "actor", "action", "date_from", "date_to"]

    def __init__(self, *args: Any, customers: list[tuple[int, str]] | None, **kwargs: Any) -> None:
        super().__init__(*args, customers=customers or [], **kwargs)
        if customers is None:  # a customer's own trail
            del self.fields["customer"]

    def lookups(self) -> dict[str, Any]:
        """The queryset filters for the valid fields (dates are whole days, Europe/Rome)."""
        data = self._valid_fields()
        lookups: dict[str, Any] = {}
        if data.get("customer") is not None:
            lookups["customer_id"] = data["customer"]
        if data.get("actor"):
            lookups["actor_email__icontains"] = data["actor"].strip()
        if data.get("action"):
            lookups["action__startswith"] = data["action"].strip()
        since, until = self.period()
        if since is not None:
            lookups["created_at__gte"] = since
        if until is not None:
            lookups["created_at__lt"] = until
        return lookups


def all_of(label: Any, choices: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """A choice field's choices after a first, empty one that means "all" (or "choose")."""
    return [("", label), *choices]
