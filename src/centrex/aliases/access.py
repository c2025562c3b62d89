"""Fetching aliases for the person asking: "not there" and "not yours" are the same 404
(R-C3); only admins of business customers manage aliases (R-A3)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from centrex.accounts.access import (
    Visitor,
    require_customer_admin,
    require_customer_user,
)
from centrex.accounts.models import User
from centrex.aliases.models import SenderAlias
from centrex.core.errors import DomainError, ErrorCode

CONSUMER_NOT_ALLOWED_MESSAGE = _(
    "SMS sender aliases are only for businesses: AGCOM (Delibera 42/13/CIR) does not allow "
    "private customers to send SMS with an alphanumeric sender. Your users can send SMS with "
    "their mobile number."
)


def consumer_not_allowed() -> DomainError:
    """R-A3: the error a consumer customer gets for anything about aliases."""
    return DomainError(ErrorCode.ALIAS_CONSUMER_NOT_ALLOWED, CONSUMER_NOT_ALLOWED_MESSAGE)


def require_alias_admin(user: Visitor | None) -> User:
    """The caller must be an active admin of a business customer (Communicator > Alias).
    A consumer's user gets `alias_consumer_not_allowed` (R-A3); a plain user, an operator or
    an anonymous caller gets `permission_denied`."""
    customer_user = require_customer_user(user)
    assert customer_user.customer is not None
    if not customer_user.customer.is_business:
        raise consumer_not_allowed()
    return require_customer_admin(customer_user)


def access_alias(user: Visitor, alias_id: object) -> SenderAlias:
    """An alias of the user's own customer (operators: of any customer); a missing or foreign
    one is NotFound."""
    return (
        SenderAlias.objects.visible_to(user)
        .select_related("customer", "requested_by", "approved_by", "decided_by")
        .one_or_not_found(pk=alias_id)
    )
