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


def all_of(label: Any, choices: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """A choice field's choices after a first, empty one that means "all" (or "choose")."""
    return [("", label), *choices]
