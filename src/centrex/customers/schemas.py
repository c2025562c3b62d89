"""API shapes of customers and their IP Centrex extensions (API.md), and the timestamp format
every answer uses."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.utils import timezone
from ninja import Schema
from pydantic import PlainSerializer, WithJsonSchema

from centrex.customers.models import Customer, Extension


def iso_with_offset(value: datetime) -> str:
    """ISO 8601 with an explicit offset, in the portal's time zone (Europe/Rome)."""
    return timezone.localtime(value).isoformat(timespec="seconds")


# API.md: "Timestamps ISO 8601 with offset", e.g. 2026-03-02T10:15:00+01:00.
Timestamp = Annotated[
    datetime,
    PlainSerializer(iso_with_offset, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


# The default of a PATCH field that may be left out (unchanged) but not sent as null: typed
# Any so that `first_name: str = Field(NOT_SENT)` type-checks; pydantic never validates a
# default, so leaving it out is fine, while an explicit null fails the `str` type (422).
NOT_SENT: Any = None


def enum_of(values: list[Any], *, nullable: bool = False) -> dict[str, Any]:
    """OpenAPI `enum` for a text field whose value the action checks (with a translated
    message) rather than the schema; `nullable` for a field that may be null (the enum must
    list null too, or a null answer breaks the document: issue 13's fuzz)."""
    return {"enum": [str(value) for value in values] + ([None] if nullable else [])}


def _or_none(value: str) -> str | None:
    """Blank optional text is answered as null, not as an empty string."""
    return value or None


class ExtensionOut(Schema):
    """An IP Centrex extension and the user it is associated with, if any (R-U5)."""

    number: str
    label: str
    user_id: int | None

    @staticmethod
    def resolve_user_id(obj: Extension) -> int | None:
        # The reverse one-to-one is select_related by the lists, so this costs no query.
        holder = getattr(obj, "user", None)
        return holder.pk if holder is not None else None


class CustomerRef(Schema):
    """The caller's customer, as `/me` names it."""

    id: int
    name: str
    kind: str


class AddressOut(Schema):
    """Sede legale (R-C2)."""

    street: str
    postcode: str
    city: str
    province: str | None
    country: str


class ContactPersonOut(Schema):
    """Referente (R-C2)."""

    first_name: str
    last_name: str


class CustomerOut(Schema):
    """Everything the regulator requires of a customer (R-C1, R-C2)."""

    id: int
    name: str
    kind: str
    vat_number: str | None
    tax_code: str | None
    address: AddressOut
    email: str
    pec: str | None
    phone: str | None
    contact_person: ContactPersonOut | None
    brands: list[str]
    is_active: bool
    created_at: Timestamp

    @staticmethod
    def resolve_vat_number(obj: Customer) -> str | None:
        return _or_none(obj.vat_number)

    @staticmethod
    def resolve_tax_code(obj: Customer) -> str | None:
        return _or_none(obj.tax_code)

    @staticmethod
    def resolve_pec(obj: Customer) -> str | None:
        return _or_none(obj.pec)

    @staticmethod
    def resolve_phone(obj: Customer) -> str | None:
        return _or_none(obj.phone)

    @staticmethod
    def resolve_address(obj: Customer) -> dict[str, str | None]:
        return {
            "street": obj.street,
            "postcode": obj.postcode,
            "city": obj.city,
            "province": _or_none(obj.province),
            "country": obj.country,
        }

    @staticmethod
    def resolve_contact_person(obj: Customer) -> dict[str, str] | None:
        if not (obj.contact_first_name or obj.contact_last_name):
            return None
        return {"first_name": obj.contact_first_name, "last_name": obj.contact_last_name}
