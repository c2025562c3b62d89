"""Fetching users for the person asking: "not there" and "not yours" are the same 404 (R-C3),
and a role too low for a known object is 403."""

from __future__ import annotations

from typing import Any

from centrex.accounts.models import Role, User
from centrex.core.errors import NotFound, PermissionDenied


def require_customer_admin(acting_user: Any) -> User:
    """The caller must be an active admin of a customer (Impostazioni > Utenti)."""
    if (
        not acting_user.is_authenticated
        or acting_user.is_operator
        or acting_user.customer_id is None
        or acting_user.role != Role.ADMIN
    ):
        raise PermissionDenied()
    return acting_user


def require_operator(acting_user: Any) -> User:
    if not acting_user.is_authenticated or not getattr(acting_user, "is_operator", False):
        raise PermissionDenied()
    return acting_user


def access_user(acting_user: Any, user_id: object) -> User:
    """A user of the acting admin's own customer (operators: any customer user)."""
    try:
        pk = int(str(user_id))
    except ValueError:
        raise NotFound() from None
    queryset = (
        User.objects.visible_to(acting_user)
        .customer_users()
        .select_related("customer", "extension")
    )
    user = queryset.filter(pk=pk).first()
    if user is None:
        raise NotFound()
    return user
