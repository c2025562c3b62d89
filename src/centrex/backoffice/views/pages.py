"""What the back-office pages share beyond `core.pages`: the customers a list can be filtered
by. Their guard is `core.pages.page_for(require_operator)` (R-B1)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from centrex.accounts.models import User
from centrex.customers.models import Customer


def customers_of(operator: User, rows: QuerySet[Any]) -> list[tuple[int, str]]:
    """The customers `rows` (aliases, alias events) belong to, for the filters."""
    return list(
        Customer.objects.visible_to(operator)
        .filter(pk__in=rows.values("customer_id"))
        .order_by("name", "pk")
        .values_list("pk", "name")
    )
