"""Operators' use cases that span several apps (R-B1): onboarding a customer with its first
administrator, and changing a customer's data and state together."""

from __future__ import annotations

from dataclasses import replace

from django.db import transaction

from centrex.accounts.access import require_operator
from centrex.accounts.actions import UserData, create_user, normalize_email
from centrex.accounts.models import Role, User
from centrex.core.errors import DomainError, FieldError
from centrex.customers.actions import (
    CustomerData,
    clean_customer_data,
    create_customer,
    set_customer_active,
    update_customer,
)
from centrex.customers.models import Customer

ADMIN_PREFIX = "admin."


def _admin_fields(error: DomainError) -> DomainError:
    """The administrator's errors, named `admin.<field>` so they are not confused with the
    customer's own fields (both have an `email`)."""
    errors = [
        FieldError(f"{ADMIN_PREFIX}{e.field}" if e.field else "admin", e.code, e.message)
        for e in error.errors
    ]
    return DomainError.from_errors(errors)


@transaction.atomic
def onboard_customer(
    customer_data: CustomerData,
    admin_data: UserData,
    *,
    admin_password: str | None,
    acting_user: User,
) -> tuple[Customer, User]:
    """Create a customer (R-C1, R-C2) and its first administrator in one transaction: both or
    neither. Without `admin_password` the administrator is e-mailed an invitation to set one
    (R-U3), once the transaction commits."""
    require_operator(acting_user)
    # Report the faults of both parts at once, before anything is written.
    errors: list[FieldError] = []
    try:
        clean_customer_data(customer_data)
    except DomainError as error:
        errors.extend(error.errors)
    try:
        normalize_email(admin_data.email)
    except DomainError as error:
        errors.extend(_admin_fields(error).errors)
    if errors:
        raise DomainError.from_errors(errors)
    customer = create_customer(customer_data, acting_user=acting_user)
    try:
        admin = create_user(
            customer,
            replace(admin_data, role=Role.ADMIN),
            acting_user=acting_user,
            password=admin_password or None,
        )
    except DomainError as error:
        # Leaving the atomic block with the error rolls the customer back too.
        raise _admin_fields(error) from None
    return customer, admin


@transaction.atomic
def change_customer(
    customer: Customer,
    changes: dict[str, object],
    *,
    is_active: bool | None = None,
    acting_user: User,
) -> Customer:
    """Change some of a customer's data (same checks as on creation) and, if `is_active` is
    given, activate or suspend it; all or nothing."""
    require_operator(acting_user)
    if changes:
        customer = update_customer(customer, changes, acting_user=acting_user)
    if is_active is not None:
        customer = set_customer_active(customer, is_active, acting_user=acting_user)
    return customer
