"""The customers' part of the API (API.md): the company's IP Centrex extensions, for customer
admins ("Users and extensions"; R-U5), and the caller's own customer (`GET /customer`), for
any of its users.

Customers stands below accounts, so the API gives these routers their authentication where
it assembles them (`centrex.api`: `authenticated_as(require_customer_admin)` for the
extensions, `require_customer_user` for the customer)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate

from centrex.core.tenancy import TenantQuerySet
from centrex.customers.models import Customer, Extension, ExtensionQuerySet
from centrex.customers.schemas import CallerCustomerOut, ExtensionOut

# API.md "Lists": ?limit= defaults to 50 (NINJA_PAGINATION_PER_PAGE) and is capped at 200.
MAX_LIMIT = 200

extensions_router = Router(tags=["extensions"])
customer_router = Router(tags=["customer"])


def extensions_by_state(extensions: ExtensionQuerySet, *, free: bool | None) -> ExtensionQuerySet:
    """`free=True`: those no user has (R-U5); `False`: those associated; None: all."""
    if free is None:
        return extensions
    return extensions.free() if free else extensions.filter(user__isnull=False)


@extensions_router.get(
    "",
    response=list[ExtensionOut],
    summary="The company's extensions (free=true: only those no user has)",
)
@paginate(LimitOffsetPagination, max_limit=MAX_LIMIT)
def list_extensions(request: HttpRequest, free: bool | None = None) -> TenantQuerySet[Extension]:
    """`free=true` lists what Nuovo Utente / Modifica Utente may offer (R-U5); `free=false`
    the extensions already associated with a user."""
    extensions = Extension.objects.select_related("user").in_number_order()
    return extensions_by_state(extensions, free=free).visible_to(request.user)


@customer_router.get("", response=CallerCustomerOut, summary="The caller's customer")
def caller_customer(request: HttpRequest) -> Customer:
    """Any user of a customer (the router's authentication refuses operators): the company,
    its kind and its SIP domain (R-V1)."""
    customer_id = getattr(request.user, "customer_id", None)
    visible = Customer.objects.visible_to(request.user).select_related("sip_domain")
    return visible.one_or_not_found(pk=customer_id)
