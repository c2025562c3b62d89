"""Tenancy by construction (R-C3): tenant-owned rows are fetched only through `visible_to`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self, TypeVar

from django.db import models

from centrex.core.errors import NotFound

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

M = TypeVar("M", bound=models.Model)


class LookupQuerySet(models.QuerySet[M]):
    """A queryset whose one-row look-up answers NotFound, the portal's 404 (R-C3)."""

    def one_or_not_found(self, **lookup: Any) -> M:
        """The one row of this (already narrowed) queryset matching `lookup`, else NotFound —
        also for an id that is not a number or beyond the column's range, which the URL or
        the caller may send (R-C3: the same 404 for all of them)."""
        try:
            return self.get(**lookup)
        except (self.model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
            raise NotFound() from None


class TenantQuerySet(LookupQuerySet[M]):
    """A queryset of rows owned by a customer. `tenant_field` names the path to it."""

    tenant_field = "customer"

    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> Self:
        """Operators see every customer's rows; a customer's users see their own; nobody else
        sees anything."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if getattr(user, "is_operator", False):
            return self
        customer_id = getattr(user, "customer_id", None)
        if customer_id is None:
            return self.none()
        return self.filter(**{f"{self.tenant_field}_id": customer_id})

    def get_visible(self, user: AbstractBaseUser | AnonymousUser, **lookup: Any) -> M:
        """One row the user may see; "not there" and "not yours" are the same NotFound."""
        return self.visible_to(user).one_or_not_found(**lookup)
