"""What every page's layout needs from the senders app: the admins' warning when their company's
SMS sender policy cannot be used (R-S2)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from centrex.accounts.access import is_customer_admin
from centrex.senders.actions import policy_problem
from centrex.senders.resolution import SenderProblem


def sms_policy_warning(request: HttpRequest) -> dict[str, Any]:
    """`sms_policy_problem` for a customer's admin: the policy's problem (a revoked or withdrawn
    shared alias, a shared number not verified), or None. Evaluated only when a template
    reads it — one query, on the pages that show the banner."""
    user = getattr(request, "user", None)
    if not is_customer_admin(user):
        return {}
    admin = user

    def problem() -> SenderProblem | None:
        assert admin.customer is not None  # a customer's admin
        return policy_problem(admin.customer)

    return {"sms_policy_problem": SimpleLazyObject(problem)}
