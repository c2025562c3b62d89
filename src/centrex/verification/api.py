"""The caller's own mobile number (API.md "Caller"; R-U9, R-M1–M3), mounted at
`/api/v1/me/mobile`. Each endpoint parses, calls one action of `centrex.verification.actions` and shapes
the answer; the code never appears in an answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router

from centrex.accounts.access import api_caller, authenticated_as
from centrex.accounts.models import User
from centrex.accounts.schemas import MeOut
from centrex.core.addresses import client_address
from centrex.verification.actions import (
    remove_own_mobile,
    require_mobile_owner,
    set_own_mobile,
    verify_own_mobile,
)
from centrex.verification.schemas import MobileCodeIn, MobileIn, MobileOut

# Operators have no mobile number here: 403 before the body is even read.
router = Router(tags=["me"], auth=authenticated_as(require_mobile_owner))


@router.put("", response={202: MobileOut}, summary="Set the caller's mobile number")
def put_mobile(request: HttpRequest, payload: MobileIn) -> tuple[int, dict[str, Any]]:
    """Stores the number not verified (changing a verified number un-verifies it, R-M3) and
    sends a code by SMS (R-M2); sending the same unverified number again sends a new code.
    `invalid_phone_number`, `not_a_mobile_number` (422); `code_resend_too_soon` (429 with
    Retry-After: a code at most every 60 s and 5 per hour per number)."""
    change = set_own_mobile(api_caller(request), payload.number, ip=client_address(request))
    expires: datetime | None = None
    if change.verification is not None:
        expires = change.verification.expires_at
    return 202, {
        "number": change.user.mobile_number,
        "verified": change.user.mobile_verified,
        "code_expires_at": expires,
        "resend_after": change.resend_at,
    }


@router.post("/verify", response=MeOut, summary="Verify the caller's mobile number")
def verify_mobile(request: HttpRequest, payload: MobileCodeIn) -> User:
    """With the code of the SMS (R-M2): each of the 5 allowed wrong attempts answers
    `code_invalid`; after the fifth every attempt answers `code_attempts_exceeded` until a new
    code is requested; `code_expired` after 10 minutes."""
    return verify_own_mobile(api_caller(request), payload.code, ip=client_address(request))


@router.delete("", response={204: None}, summary="Remove the caller's mobile number")
def delete_mobile(request: HttpRequest) -> tuple[int, None]:
    remove_own_mobile(api_caller(request), ip=client_address(request))
    return 204, None
