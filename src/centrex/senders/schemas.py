"""The API's shapes of the sender policy (API.md "SMS sender policy") and of why a user has no
sender (R-S4), which `GET /sms/senders` answers too."""

from __future__ import annotations

from ninja import Field, Schema

from centrex.customers.schemas import enum_of
from centrex.senders.models import SenderPolicyMode


class ProblemOut(Schema):
    """Why the caller may not send (R-S4): a stable code and what to do."""

    code: str
    detail: str


class PolicyIn(Schema):
    """`PUT /sms/policy`: the option (R-S1) and, for `shared_alias`, one of the customer's
    validated aliases. `shared_mobile` is put in force by verifying the shared number (or
    chosen again once it is verified)."""

    mode: str = Field(..., max_length=32, json_schema_extra=enum_of(SenderPolicyMode.values))
    shared_alias_id: int | None = None


class SharedMobileIn(Schema):
    """`PUT /sms/policy/shared-mobile`: a mobile number, E.164 or Italian national form (R-M1)."""

    number: str = Field(..., max_length=64, json_schema_extra={"examples": ["347 123 4567"]})


class CodeIn(Schema):
    """`POST /sms/policy/shared-mobile/verify`: the 6 digits of the SMS (R-M2)."""

    code: str = Field(..., max_length=32, json_schema_extra={"examples": ["123456"]})


class SharedMobileOut(Schema):
    number: str
    verified: bool


class SharedAliasOut(Schema):
    id: int
    text: str


class PolicyOut(Schema):
    """The policy in force: the option, the shared number (entered, and whether verified) and
    the shared alias, and whether users can send with it — if not, why, for the admin (R-S2)."""

    mode: str = Field(..., json_schema_extra=enum_of(SenderPolicyMode.values))
    shared_mobile: SharedMobileOut | None
    shared_alias: SharedAliasOut | None
    usable: bool
    problem: ProblemOut | None
