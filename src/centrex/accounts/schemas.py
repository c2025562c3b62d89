"""API shapes of logins, the caller (`/me`) and a customer's users (API.md)."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from centrex.accounts.models import Language, MfaRequirement, Role, TokenScope, User
from centrex.accounts.presence import is_communicator_online
from centrex.customers.models import Customer
from centrex.customers.schemas import NOT_SENT, CustomerRef, Timestamp, enum_of

_ROLES = enum_of(Role.values)
_LANGUAGES = enum_of(Language.values)
_EXTENSION: dict[str, Any] = {"examples": ["201"]}


def _extension_number(user: User) -> str | None:
    return user.extension.number if user.extension_id is not None and user.extension else None


class LoginIn(Schema):
    """POST /auth/token; `otp` for a person with two-step verification on (R-Z2)."""

    email: str
    password: str
    otp: str | None = Field(None, description="The authenticator app's code, or a recovery code")


class MeOut(Schema):
    """GET /me: the caller, customer user or operator."""

    id: int
    email: str
    first_name: str
    last_name: str
    role: str = Field(..., json_schema_extra=enum_of([*Role.values, "operator"]))
    language: str
    customer: CustomerRef | None
    is_operator: bool
    extension: str | None
    communicator_enabled: bool
    communicator_online: bool
    mobile_number: str | None
    mobile_verified: bool
    mfa_enabled: bool

    @staticmethod
    def resolve_communicator_online(obj: User) -> bool:
        return is_communicator_online(obj)  # R-V6

    @staticmethod
    def resolve_mfa_enabled(obj: User) -> bool:
        from centrex.accounts.actions import mfa_enabled

        return mfa_enabled(obj)  # R-Z1

    @staticmethod
    def resolve_role(obj: User) -> str:
        return "operator" if obj.is_operator else str(obj.role)

    @staticmethod
    def resolve_customer(obj: User) -> object:
        return None if obj.is_operator else obj.customer

    @staticmethod
    def resolve_extension(obj: User) -> str | None:
        return _extension_number(obj)

    @staticmethod
    def resolve_mobile_number(obj: User) -> str | None:
        return obj.mobile_number or None


class TokenOut(Schema):
    """201 of POST /auth/token: the raw token is shown this once."""

    token: str
    expires_at: Timestamp
    user: MeOut


class MePatch(Schema):
    """PATCH /me: what every user may change of their own account (R-U9)."""

    language: str = Field(NOT_SENT, json_schema_extra=_LANGUAGES)
    first_name: str = Field(NOT_SENT)
    last_name: str = Field(NOT_SENT)


class UserOut(Schema):
    """A customer's user as Impostazioni > Utenti shows it (R-U2)."""

    id: int
    email: str
    first_name: str
    last_name: str
    role: str = Field(..., json_schema_extra=_ROLES)
    language: str
    is_active: bool
    extension: str | None
    communicator_enabled: bool
    communicator_online: bool
    mobile_number: str | None
    mobile_verified: bool

    @staticmethod
    def resolve_communicator_online(obj: User) -> bool:
        return is_communicator_online(obj)  # R-V6

    @staticmethod
    def resolve_extension(obj: User) -> str | None:
        return _extension_number(obj)

    @staticmethod
    def resolve_mobile_number(obj: User) -> str | None:
        return obj.mobile_number or None


class UserIn(Schema):
    """POST /users: Nuovo Utente (R-U3). The values are checked by the action, whose messages
    are in the caller's language."""

    # An extension sent as a JSON number (201) is read as "201".
    model_config = ConfigDict(coerce_numbers_to_str=True)

    email: str
    first_name: str = ""
    last_name: str = ""
    role: str = Field(Role.USER.value, json_schema_extra=_ROLES)
    language: str = Field(Language.ITALIAN.value, json_schema_extra=_LANGUAGES)
    extension: str | None = Field(NOT_SENT, json_schema_extra=_EXTENSION)


class UserPatch(Schema):
    """PATCH /users/{id}: Modifica Utente (R-U4); `"extension": null` dissociates it."""

    model_config = ConfigDict(coerce_numbers_to_str=True)

    email: str = Field(NOT_SENT)
    first_name: str = Field(NOT_SENT)
    last_name: str = Field(NOT_SENT)
    role: str = Field(NOT_SENT, json_schema_extra=_ROLES)
    language: str = Field(NOT_SENT, json_schema_extra=_LANGUAGES)
    extension: str | None = Field(NOT_SENT, json_schema_extra=_EXTENSION)
    is_active: bool = Field(NOT_SENT)


class TotpSetupOut(Schema):
    """201 of POST /me/mfa/totp: the secret to type, and the URI its QR code holds (R-Z1)."""

    secret: str
    otpauth_uri: str


class CodeIn(Schema):
    """A code from the authenticator app (or, to turn it off, a recovery code)."""

    code: str


class TotpConfirmedOut(Schema):
    """200 of POST /me/mfa/totp/confirm: on, with the ten recovery codes shown this once."""

    enabled: bool
    recovery_codes: list[str]


class CallerCustomerOut(Schema):
    """The caller's own customer (API.md `GET /customer`): what a Communicator client needs to
    configure itself, the SIP domain among it (R-V1), and who must use two-step verification
    (R-Z3)."""

    id: int
    name: str
    kind: str
    sip_domain: str | None
    mfa_required: str = Field(..., json_schema_extra=enum_of(MfaRequirement.values))

    @staticmethod
    def resolve_sip_domain(obj: Customer) -> str | None:
        # The registrar's app keeps one SIP domain per customer (reverse one-to-one
        # `sip_domain`); accounts stands below it and only reads the row's name.
        domain = getattr(obj, "sip_domain", None)
        return domain.name if domain is not None else None

    @staticmethod
    def resolve_mfa_required(obj: Customer) -> str:
        policy = getattr(obj, "sign_in_policy", None)
        return policy.mfa_required if policy is not None else MfaRequirement.NONE


class CustomerMfaPatch(Schema):
    """PATCH /customer (admins): who must use two-step verification (R-Z3)."""

    mfa_required: str = Field(..., json_schema_extra=enum_of(MfaRequirement.values))


class ApiTokenOut(Schema):
    """One of the caller's API tokens (GET /me/tokens): never its value, which only POST
    /auth/token showed. `scope` is `full` or `mfa_setup` (R-Z3: only `/me` and `/me/mfa/*`);
    `current` is the token this request was made with."""

    id: int
    created_at: Timestamp
    last_used_at: Timestamp | None
    expires_at: Timestamp
    scope: str = Field(..., json_schema_extra=enum_of(TokenScope.values))
    current: bool
