"""The back office API (operators only; API.md "Back office"; R-B1): customers and their
extensions, users of any customer, every customer's SMS usage of a month (R-R1)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router

from centrex.accounts.access import api_caller, authenticated_as, require_operator
from centrex.accounts.models import User, UserQuerySet
from centrex.accounts.presence import with_communicator_online
from centrex.accounts.schemas import UserOut
from centrex.backoffice.actions import change_customer, onboard_customer
from centrex.backoffice.schemas import (
    CustomerIn,
    CustomerPatch,
    ExtensionsCreated,
    ExtensionsIn,
    UsageMonthOut,
    in_api_terms,
)
from centrex.core.csv_export import csv_download
from centrex.core.errors import DomainError, ErrorCode
from centrex.core.pagination import paginated
from centrex.customers.access import access_customer
from centrex.customers.actions import (
    parse_extension_numbers,
    parse_extension_range,
    provision_extensions,
)
from centrex.customers.api import extensions_by_state
from centrex.customers.models import Customer, Extension
from centrex.customers.schemas import CustomerOut, ExtensionOut
from centrex.sms.usage import Month, billing_rows, customers_usage

# Every endpoint is for operators (R-B1): anonymous is 401, anyone else 403; the endpoints
# take the operator from `api_caller`.
router = Router(tags=["backoffice"], auth=authenticated_as(require_operator))


@contextmanager
def _fields_as_sent() -> Iterator[None]:
    """Name the fields of errors as the request body does (`address.city`, not `city`)."""
    try:
        yield
    except DomainError as error:
        raise in_api_terms(error) from None


@router.post("/customers", response={201: CustomerOut}, summary="Onboard a customer")
def post_customer(request: HttpRequest, payload: CustomerIn) -> tuple[int, Customer]:
    """Creates the customer and its first administrator together (R-C1, R-C2); without an
    admin password an invitation is e-mailed."""
    operator = api_caller(request)
    with _fields_as_sent():
        customer, _admin = onboard_customer(
            payload.customer_data(),
            payload.admin.user_data(),
            admin_password=payload.admin.password,
            acting_user=operator,
        )
    return 201, customer


@router.get("/customers", response=list[CustomerOut], summary="Customers")
@paginated
def list_customers(request: HttpRequest, search: str = "") -> QuerySet[Customer]:
    """Every word of `search` must appear in the ragione sociale, partita IVA, codice fiscale,
    e-mail or city."""
    customers = Customer.objects.visible_to(api_caller(request))
    for word in search.split():
        customers = customers.filter(
            Q(name__icontains=word)
            | Q(vat_number__icontains=word)
            | Q(tax_code__icontains=word)
            | Q(email__icontains=word)
            | Q(city__icontains=word)
        )
    return customers


@router.get("/customers/{customer_id}", response=CustomerOut, summary="One customer")
def get_customer(request: HttpRequest, customer_id: int) -> Customer:
    return access_customer(api_caller(request), customer_id)


@router.patch("/customers/{customer_id}", response=CustomerOut, summary="Change a customer")
def patch_customer(request: HttpRequest, customer_id: int, payload: CustomerPatch) -> Customer:
    """Only the fields sent change, nested ones included; the same checks as on creation."""
    operator = api_caller(request)
    customer = access_customer(operator, customer_id)
    with _fields_as_sent():
        return change_customer(
            customer, payload.changes(), is_active=payload.is_active, acting_user=operator
        )


@router.post(
    "/customers/{customer_id}/extensions",
    response={201: ExtensionsCreated},
    summary="Provision extensions",
)
def post_extensions(
    request: HttpRequest, customer_id: int, payload: ExtensionsIn
) -> tuple[int, dict[str, int]]:
    """`numbers` or `range` (R-U1). Idempotent: numbers that exist are skipped and not
    counted; a number that is not 2–6 digits is 422 `validation_error`."""
    operator = api_caller(request)
    customer = access_customer(operator, customer_id)
    if (payload.numbers is None) == (payload.range is None):
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            _("Send either numbers (a list) or range (such as 201-240), not both."),
            field="numbers",
        )
    if payload.range is not None:
        numbers = parse_extension_range(payload.range)
    else:
        numbers = parse_extension_numbers(payload.numbers or [])
        if not numbers:
            raise DomainError(
                ErrorCode.VALIDATION_ERROR,
                _("Send at least one extension number."),
                field="numbers",
            )
    created = provision_extensions(customer, numbers, acting_user=operator)
    return 201, {"created": created}


@router.get(
    "/customers/{customer_id}/extensions",
    response=list[ExtensionOut],
    summary="A customer's extensions",
)
@paginated
def list_customer_extensions(
    request: HttpRequest, customer_id: int, free: bool | None = None
) -> QuerySet[Extension]:
    operator = api_caller(request)
    customer = access_customer(operator, customer_id)
    extensions = Extension.objects.filter(customer=customer)
    return extensions_by_state(extensions, free=free).select_related("user").in_number_order()


@router.get("/customers/{customer_id}/users", response=list[UserOut], summary="A customer's users")
@paginated
def list_customer_users(request: HttpRequest, customer_id: int) -> UserQuerySet:
    operator = api_caller(request)
    customer = access_customer(operator, customer_id)
    return with_communicator_online(
        User.objects.visible_to(operator)
        .customer_users()
        .filter(customer=customer)
        .select_related("extension")
    )


MONTH_QUERY = Query(None, description="YYYY-MM; the current month if left out")


@router.get("/usage", response=UsageMonthOut, summary="Every customer's SMS usage in a month")
def get_usage(request: HttpRequest, month: str | None = MONTH_QUERY) -> dict[str, Any]:
    """R-R1: messages (one per recipient) and parts of each customer that sent in the month
    (Europe/Rome), by name."""
    chosen = Month.parse(month)
    return {"month": str(chosen), "items": [line.as_api() for line in customers_usage(chosen)]}


@router.get(
    "/usage.csv",
    response={200: str},
    summary="Every customer's SMS usage in a month, as CSV for billing",
    openapi_extra={"responses": {"200": {"content": {"text/csv": {"schema": {"type": "string"}}}}}},
)
def get_usage_csv(request: HttpRequest, month: str | None = MONTH_QUERY) -> StreamingHttpResponse:
    """The same lines as `GET /usage`, with the customer's VAT number and tax code, as
    `text/csv` (columns: month, customer_id, name, vat_number, tax_code, messages, parts)."""
    chosen = Month.parse(month)
    return csv_download(billing_rows(chosen, customers_usage(chosen)), f"sms-usage-{chosen}")
