"""The customer admin's view of the company's IP Centrex extensions (API.md "Users and
extensions"; R-U5).

The router is for customer admins only: customers stands below accounts, so the API gives it
that authentication where it assembles the routers (`centrex.api`,
`authenticated_as(require_customer_admin)`). The caller's own customer (`GET /customer`) is
accounts' (it holds the sign-in policy)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from centrex.core.pagination import paginated
from centrex.core.tenancy import TenantQuerySet
from centrex.customers.models import Extension, ExtensionQuerySet
from centrex.customers.schemas import ExtensionOut

extensions_router = Router(tags=["extensions"])


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
@paginated
def list_extensions(request: HttpRequest, free: bool | None = None) -> TenantQuerySet[Extension]:
    """`free=true` lists what Nuovo Utente / Modifica Utente may offer (R-U5); `free=false`
    the extensions already associated with a user."""
    extensions = Extension.objects.select_related("user").in_number_order()
    return extensions_by_state(extensions, free=free).visible_to(request.user)
