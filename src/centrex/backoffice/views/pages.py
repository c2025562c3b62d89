"""What the back-office pages share: the pieces of a list (one page of rows, the filters kept
in the pagination links, the customers to filter by) and a form's data. Their guard is
`core.pages.page_for(require_operator)` (R-B1)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict

from centrex.accounts.models import User
from centrex.customers.models import Customer


def one_page(request: HttpRequest, queryset: QuerySet[Any], per_page: int) -> Page[Any]:
    """One page of a list: a COUNT and one query for the rows, whatever the page size."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def posted(request: HttpRequest) -> QueryDict | None:
    """A form's data: the POST, even an empty one (it shows "required"), or None on GET."""
    return request.POST if request.method == "POST" else None


def filters_without_page(request: HttpRequest) -> str:
    """The list's query string for the pagination links."""
    filters = request.GET.copy()
    filters.pop("page", None)
    return filters.urlencode()


def customers_of(operator: User, rows: QuerySet[Any]) -> list[tuple[int, str]]:
    """The customers `rows` (aliases, alias events) belong to, for the filters."""
    return list(
        Customer.objects.visible_to(operator)
        .filter(pk__in=rows.values("customer_id"))
        .order_by("name", "pk")
        .values_list("pk", "name")
    )
