"""The company's SMS sender policy through the API (API.md "SMS sender policy"; R-S1–S3, R-M2),
mounted at `/api/v1/sms/policy`, for the admins of the caller's own customer.

Plain users and operators are refused with 403 `permission_denied` before the body is read: the
policy is the customer's own choice (R-S1, "chosen by an admin"), and operators have the back
office. Each endpoint calls one action of `centrex.senders.actions` and answers the policy.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from centrex.accounts.access import api_caller, authenticated_as, require_customer_admin
from centrex.accounts.models import User
from centrex.core.addresses import client_address
from centrex.customers.models import Customer
from centrex.senders.actions import (
    policy_problem,
    require_policy_admin,
    set_policy,
    set_shared_mobile,
    verify_shared_mobile,
)
from centrex.senders.models import SenderPolicy
from centrex.senders.schemas import CodeIn, PolicyIn, PolicyOut, SharedMobileIn

router = Router(tags=["SMS sender policy"], auth=authenticated_as(require_customer_admin))


def policy_answer(customer: Customer, policy: SenderPolicy) -> dict[str, Any]:
    """The API's shape of a policy (API.md)."""
    problem = policy_problem(customer, policy)
    alias = policy.shared_alias
    return {
        "mode": policy.mode,
        "shared_mobile": (
            {"number": policy.shared_mobile_number, "verified": policy.shared_mobile_verified}
            if policy.shared_mobile_number
            else None
        ),
        "shared_alias": {"id": alias.pk, "text": alias.text} if alias is not None else None,
        "usable": problem is None,
        "problem": (
            {"code": str(problem.code), "detail": problem.detail} if problem is not None else None
        ),
    }


def _admin(request: HttpRequest) -> tuple[User, Customer]:
    """The calling admin and their customer (the router's auth has checked the role)."""
    admin = require_policy_admin(api_caller(request))
    assert admin.customer is not None
    return admin, admin.customer


@router.get("", response=PolicyOut, summary="Communicator > Mittenti SMS: the policy in force")
def get_policy(request: HttpRequest) -> dict[str, Any]:
    """The option in force (`own_mobile` when none was ever chosen, R-S2), and whether it is
    usable: a revoked or withdrawn shared alias, or a shared number not verified, is
    `usable: false` with the `problem`."""
    _user, customer = _admin(request)
    return policy_answer(customer, SenderPolicy.for_customer(customer))


@router.put("", response=PolicyOut, summary="Choose the option")
def put_policy(request: HttpRequest, payload: PolicyIn) -> dict[str, Any]:
    """`own_mobile`, `user_choice`; `shared_alias` with `shared_alias_id` (another customer's
    alias: 404 `not_found`; not validated: 422 `alias_not_validated`); `shared_mobile` once the
    shared number is verified (else 422 `mobile_not_verified`). A consumer customer may choose
    only `own_mobile` and `shared_mobile` (403 `alias_consumer_not_allowed`, R-S3)."""
    admin, customer = _admin(request)
    policy = set_policy(
        customer,
        mode=payload.mode,
        shared_alias_id=payload.shared_alias_id,
        acting_user=admin,
        ip=client_address(request),
    )
    return policy_answer(customer, policy)


@router.put("/shared-mobile", response={202: PolicyOut}, summary="Enter the shared mobile number")
def put_shared_mobile(request: HttpRequest, payload: SharedMobileIn) -> tuple[int, dict[str, Any]]:
    """The manual's first "salva": the number is stored not verified and a verification code
    is sent to it by SMS (R-M2); the option in force does not change until the code is
    verified. The number already verified changes nothing and sends nothing. Changing a
    verified number un-verifies it (R-M3). `invalid_phone_number`, `not_a_mobile_number` (422);
    `code_resend_too_soon` (429 with Retry-After)."""
    admin, customer = _admin(request)
    policy = set_shared_mobile(
        customer, payload.number, acting_user=admin, ip=client_address(request)
    )
    return 202, policy_answer(customer, policy)


@router.post("/shared-mobile/verify", response=PolicyOut, summary="Verify the shared number")
def post_shared_mobile_verify(request: HttpRequest, payload: CodeIn) -> dict[str, Any]:
    """The manual's second "salva": with the code of the SMS the shared number is verified and
    `shared_mobile` is put in force. `code_invalid` (each of 5 wrong attempts, or no code
    waiting), `code_attempts_exceeded`, `code_expired` (422)."""
    admin, customer = _admin(request)
    policy = verify_shared_mobile(
        customer, payload.code, acting_user=admin, ip=client_address(request)
    )
    return policy_answer(customer, policy)
