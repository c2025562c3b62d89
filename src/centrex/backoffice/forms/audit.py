"""Filters of the alias audit trail (R-B1): the alias decisions and authorisations. The page
and its CSV export share them. (The Registro attività's are `core.forms.ActivityFilterForm`,
shared with the customers' own trail.)"""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from centrex.core.forms import CustomerPeriodForm


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
