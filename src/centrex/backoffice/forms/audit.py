"""Filters of the two audit trails (R-B1): the Registro attività and the alias decisions and
authorisations. Each page and its CSV export share them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from centrex.core.forms import CustomerPeriodForm


class AuditFilterForm(CustomerPeriodForm):
    """Filters of the Registro attività (R-B1): the page and its CSV export share them."""

    actor = forms.CharField(label=_("Who (e-mail)"), required=False, max_length=254)
    action = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=64,
        help_text=_("Such as customer.created, or customer. for all of them."),
    )

    field_order = ["customer", "actor", "action", "date_from", "date_to"]

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
