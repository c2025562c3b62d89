"""API shapes of the back office: onboarding and editing customers, provisioning extensions
(API.md "Back office"; R-B1, R-C1, R-C2, R-U1)."""

from __future__ import annotations

from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, StringConstraints
from pydantic_core import PydanticCustomError

from centrex.accounts.actions import UserData
from centrex.accounts.models import Language, Role
from centrex.core.errors import DomainError, FieldError
from centrex.customers.actions import CustomerData
from centrex.customers.models import CustomerKind
from centrex.customers.schemas import NOT_SENT, enum_of


def _email_address(value: str) -> str:
    text = value.strip().lower()
    try:
        validate_email(text)
    except DjangoValidationError:
        raise PydanticCustomError(
            "value_error", _("Enter a valid e-mail address, such as name@company.it.")
        ) from None
    return text


def _optional_email_address(value: str | None) -> str | None:
    return _email_address(value) if value and value.strip() else value


# Text that must hold something besides spaces.
RequiredText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
EmailAddress = Annotated[str, AfterValidator(_email_address)]
OptionalEmailAddress = Annotated[str | None, AfterValidator(_optional_email_address)]

_KINDS = enum_of(CustomerKind.values)
_LANGUAGES = enum_of(Language.values)

# The action's field names (CustomerData) as the API's JSON calls them, for `errors[].field`.
API_FIELD_NAMES = {
    "street": "address.street",
    "postcode": "address.postcode",
    "city": "address.city",
    "province": "address.province",
    "country": "address.country",
    "contact_first_name": "contact_person.first_name",
    "contact_last_name": "contact_person.last_name",
}


def in_api_terms(error: DomainError) -> DomainError:
    """The same error with each field named as in the request body."""
    errors = [
        FieldError(API_FIELD_NAMES.get(e.field or "", e.field), e.code, e.message)
        for e in error.errors
    ]
    field = API_FIELD_NAMES.get(error.field or "", error.field)
    return DomainError(
        error.code, error.message, field=field, errors=errors, retry_after=error.retry_after
    )


class AddressIn(Schema):
    """Sede legale (R-C2); the country defaults to IT."""

    street: RequiredText
    postcode: RequiredText
    city: RequiredText
    province: str
    country: str = "IT"


class ContactPersonIn(Schema):
    """Referente (R-C2)."""

    first_name: str = ""
    last_name: str = ""


class AdminIn(Schema):
    """The customer's first administrator; without a password an invitation is e-mailed."""

    email: str
    first_name: str
    last_name: str
    password: str | None = None
    language: str = Field(Language.ITALIAN.value, json_schema_extra=_LANGUAGES)

    def user_data(self) -> UserData:
        return UserData(
            email=self.email,
            first_name=self.first_name,
            last_name=self.last_name,
            role=Role.ADMIN,
            language=self.language,
        )


class CustomerIn(Schema):
    """POST /backoffice/customers: `vat_number` is required for a business, `tax_code` for a
    consumer (R-C1); the optional fields can be completed later."""

    name: str
    kind: str = Field(..., json_schema_extra=_KINDS)
    vat_number: str | None = None
    tax_code: str | None = None
    address: AddressIn
    email: EmailAddress
    pec: OptionalEmailAddress = None
    phone: str | None = None
    contact_person: ContactPersonIn | None = None
    brands: list[str] = Field(default_factory=list)
    admin: AdminIn

    def customer_data(self) -> CustomerData:
        person = self.contact_person or ContactPersonIn()
        return CustomerData(
            name=self.name,
            kind=self.kind,
            email=self.email,
            vat_number=self.vat_number or "",
            tax_code=self.tax_code or "",
            street=self.address.street,
            postcode=self.address.postcode,
            city=self.address.city,
            province=self.address.province,
            country=self.address.country,
            pec=self.pec or "",
            phone=self.phone or "",
            contact_first_name=person.first_name,
            contact_last_name=person.last_name,
            brands=list(self.brands),
        )


# In the PATCH shapes a field typed `str` with a None default may be left out (unchanged)
# but not sent as null; `str | None` fields may be null, which clears them.


class AddressPatch(Schema):
    street: RequiredText = Field(NOT_SENT)
    postcode: RequiredText = Field(NOT_SENT)
    city: RequiredText = Field(NOT_SENT)
    province: str | None = None
    country: str = Field(NOT_SENT)


class ContactPersonPatch(Schema):
    first_name: str | None = None
    last_name: str | None = None


class CustomerPatch(Schema):
    """PATCH /backoffice/customers/{id}: any subset of the fields of POST, nested ones too;
    `is_active: false` suspends the customer (its users can no longer log in)."""

    name: str = Field(NOT_SENT)
    kind: str = Field(NOT_SENT, json_schema_extra=_KINDS)
    vat_number: str | None = None
    tax_code: str | None = None
    address: AddressPatch = Field(NOT_SENT)
    email: EmailAddress = Field(NOT_SENT)
    pec: OptionalEmailAddress = None
    phone: str | None = None
    contact_person: ContactPersonPatch | None = None
    brands: list[str] | None = None
    is_active: bool = Field(NOT_SENT)

    def changes(self) -> dict[str, Any]:
        """The fields sent, under the action's names (CustomerData); null clears a field."""
        sent = self.model_dump(exclude_unset=True)
        changes = {
            name: sent[name]
            for name in (
                "name",
                "kind",
                "vat_number",
                "tax_code",
                "email",
                "pec",
                "phone",
                "brands",
            )
            if name in sent
        }
        changes.update(sent.get("address") or {})
        if "contact_person" in sent:
            person = sent["contact_person"]
            if person is None:
                changes.update(contact_first_name="", contact_last_name="")
            else:
                changes.update({f"contact_{name}": value for name, value in person.items()})
        return changes


class ExtensionsIn(Schema):
    """`{"numbers": ["201", "202"]}` or `{"range": "201-240"}` (R-U1)."""

    # Numbers sent as JSON numbers (201) are read as "201".
    model_config = ConfigDict(coerce_numbers_to_str=True)

    numbers: list[str] | None = None
    range: str | None = Field(NOT_SENT, examples=["201-240"])


class ExtensionsCreated(Schema):
    """How many extensions were new (existing ones are skipped and not counted)."""

    created: int


class CustomerUsageOut(Schema):
    """One customer's SMS in the month (R-R1)."""

    customer_id: int
    name: str
    messages: int
    parts: int


class UsageMonthOut(Schema):
    """Every customer's SMS usage in a month, by name (API.md `GET /backoffice/usage`)."""

    month: str = Field(pattern=r"^\d{4}-\d{2}$")
    items: list[CustomerUsageOut]
