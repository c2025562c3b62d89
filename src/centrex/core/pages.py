"""The one guard of the portal's pages, and what a page answers when access is refused: the
same 404 for "not there" and "not yours" (R-C3), a 403 with the reason for a role too low.

Every page that is not public is decorated with `page_for(requirement)`, where the
requirement is a function of the acting user that returns them or raises a `DomainError`
(the `require_*` functions of `accounts.access`; core stands below accounts, so it takes them
as callables)::

    @require_POST
    @page_for(require_customer_admin)
    def user_deactivate(request: HttpRequest, admin: User, pk: int) -> HttpResponse:
        user = access_user(admin, pk)  # NotFound → the 404 page
        ...

- an anonymous visitor is sent to the login page, which brings them back (`sign_in=False`
  for a page without login, such as the developer inbox, whose requirement then decides
  alone);
- a refusal of the requirement renders `refusal(request, error)` — `refusal_page` unless the
  app passes its own renderer (the aliases app explains R-A3 to a consumer customer);
- otherwise the view runs with the acting user as its second argument, and a refusal it
  raises — `NotFound` or `PermissionDenied` from an `access_*` helper, any `DomainError`
  whose status is 403 or 404 — renders the same pages. Other domain errors are the view's to
  show in its form.

Where a method decorator (`require_POST`, …) goes outside the guard, a wrong method is 405
before the login redirect; inside, after it. Keep each page's order when converting it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Page as PageOfRows
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import render

from centrex.core.errors import DomainError, ErrorCode

P = ParamSpec("P")
ActingUser = TypeVar("ActingUser")

Requirement = Callable[[Any], ActingUser]
Refusal = Callable[[HttpRequest, DomainError], HttpResponseBase]
GuardedView = Callable[Concatenate[HttpRequest, ActingUser, P], HttpResponseBase]
Page = Callable[Concatenate[HttpRequest, P], HttpResponseBase]

# The statuses of a refusal: "not yours / not there" and "not for your role".
REFUSAL_STATUSES = frozenset({403, 404})


def is_refusal(error: DomainError) -> bool:
    """Whether a domain error refuses access (its page is 403 or 404), rather than a form's
    input."""
    return error.http_status in REFUSAL_STATUSES


def refusal_page(request: HttpRequest, error: DomainError) -> HttpResponse:
    """The 404 page for "not there / not yours", the 403 page with the reason otherwise."""
    if error.code == ErrorCode.NOT_FOUND:
        return render(request, "404.html", {"error": error}, status=404)
    return render(request, "403.html", {"error": error}, status=403)


def page_for(
    requirement: Requirement[ActingUser],
    *,
    refusal: Refusal = refusal_page,
    sign_in: bool = True,
) -> Callable[[GuardedView[ActingUser, P]], Page[P]]:
    """The guard of a page for the people `requirement` lets in (see the module's doc)."""

    def guard(view: GuardedView[ActingUser, P]) -> Page[P]:
        @wraps(view)
        def page(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
            if sign_in and not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            try:
                acting_user = requirement(request.user)
                return view(request, acting_user, *args, **kwargs)
            except DomainError as error:
                if not is_refusal(error):
                    raise
                return refusal(request, error)

        return page

    return guard


# --- What list and form pages share ------------------------------------------------------


def one_page(request: HttpRequest, queryset: QuerySet[Any], per_page: int) -> PageOfRows[Any]:
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


def wants_fragment(request: HttpRequest) -> bool:
    """An htmx request for just a list's table (a search while typing, a page link), not a
    history restore, which needs the whole page. The answer varies on HX-Request."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )
