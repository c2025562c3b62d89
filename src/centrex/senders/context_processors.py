"""What every page's layout needs from the SMS app: the admins' warning when their company's
SMS sender policy cannot be used (R-S2)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from centrex.accounts.models import Role
from centrex.senders.actions import policy_problem


def sms_policy_warning(request: HttpRequest) -> dict[str, Any]:
    """`sms_policy_problem` for a customer's admin: the policy's problem (a revoked or withdrawn
    shared alias, a shared number not verified), or None. Evaluated only when a template
    reads it — one query, on the pages that show the banner."""
    user: Any = getattr(request, "user", None)
    if (
        user is None
        or not user.is_authenticated
        or user.is_operator
        or user.customer_id is None
        or user.role != Role.ADMIN
    ):
        return {}
    return {"sms_policy_problem": SimpleLazyObject(lambda: policy_problem(user.customer))}
