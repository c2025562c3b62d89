"""Session users are loaded with their customer and extension in one query, and lose access at
once when their customer is deactivated."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from centrex.accounts.models import User


class PortalBackend(ModelBackend):
    def user_can_authenticate(self, user: Any) -> bool:
        customer = getattr(user, "customer", None)
        return super().user_can_authenticate(user) and (customer is None or customer.is_active)

    def get_user(self, user_id: Any) -> User | None:
        user = User.objects.select_related("customer", "extension").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
