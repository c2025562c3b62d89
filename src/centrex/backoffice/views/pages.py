"""What every back-office page shares: the operators-only guard and the pieces of a list
(one page of rows, the filters kept in the pagination links, the customers to filter by)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBase, QueryDict

from centrex.accounts.access import require_operator
from centrex.accounts.models import User
from centrex.core.errors import DomainError
from centrex.core.pages import refusal_page
from centrex.customers.models import Customer

View = Callable[..., HttpResponseBase]


def operator_page(view: View) -> View:
    """Back office pages are for operators only (R-B1): anonymous → login, anyone else → 403;
    an id the view cannot find (NotFound) → 404. The view receives the operator."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            operator = require_operator(request.user)
            return view(request, operator, *args, **kwargs)
        except DomainError as error:
            return refusal_page(request, error)

    return guarded


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
