"""The API's shapes of the caller's own mobile number (API.md "Caller", `/api/v1/me/mobile`)."""

from __future__ import annotations

from ninja import Field, Schema

from centrex.customers.schemas import Timestamp


class MobileIn(Schema):
    """PUT /me/mobile: E.164 or Italian national form (R-M1)."""

    number: str = Field(..., json_schema_extra={"examples": ["333 123 4567", "+393331234567"]})


class MobileCodeIn(Schema):
    """POST /me/mobile/verify: the 6 digits of the SMS."""

    code: str = Field(..., json_schema_extra={"examples": ["123456"]})


class MobileOut(Schema):
    """202 of PUT /me/mobile: the number stored (E.164), whether it is verified, when the code
    sent expires and when a new one may be requested. The same verified number sent again
    changes nothing: `verified` true and no code (both times null)."""

    number: str
    verified: bool
    code_expires_at: Timestamp | None
    resend_after: Timestamp | None
