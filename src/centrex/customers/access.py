"""Fetching customers and their extensions for the person asking (R-C3): operators reach any
customer, a customer's user only their own; a missing, foreign or malformed id is the same
NotFound. The roles that may ask are checked by `accounts.access` (customers stands below
accounts)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from centrex.customers.models import Customer, Extension

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser


def access_customer(
    acting_user: AbstractBaseUser | AnonymousUser, customer_id: int | str
) -> Customer:
    """A customer the acting user may see (the back office: any)."""
    return Customer.objects.visible_to(acting_user).one_or_not_found(pk=customer_id)


def access_extension(
    acting_user: AbstractBaseUser | AnonymousUser,
    extension_id: object,
    *,
    customer: Customer | None = None,
) -> Extension:
    """An extension the acting user may see, of `customer` when given (another customer's
    extension under this customer's address is not there either)."""
    extensions = Extension.objects.select_related("customer")
    if customer is not None:
        extensions = extensions.filter(customer=customer)
    return extensions.get_visible(acting_user, pk=extension_id)
