"""API shapes of logins, the caller (`/me`) and a customer's users (API.md)."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from centrex.accounts.models import Language, Role, User
from centrex.accounts.presence import is_communicator_online
from centrex.customers.schemas import NOT_SENT, CustomerRef, Timestamp, enum_of

_ROLES = enum_of(Role.values)
_LANGUAGES = enum_of(Language.values)
_EXTENSION: dict[str, Any] = {"examples": ["201"]}


def _extension_number(user: User) -> str | None:
    return user.extension.number if user.extension_id is not None and user.extension else None


class LoginIn(Schema):
    """POST /auth/token."""

    email: str
    password: str


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

    @staticmethod
    def resolve_communicator_online(obj: User) -> bool:
        return is_communicator_online(obj)  # R-V6

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
