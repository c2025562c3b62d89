"""Operations on customers and extensions. Operators call these (R-U1, R-B1), except
`update_company_data`, the customer admins' Dati aziendali (R-C2)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from centrex.core.audit import record_audit
from centrex.core.errors import DomainError, ErrorCode, FieldError, PermissionDenied
from centrex.core.phones import normalize_phone_number
from centrex.customers.emails import send_company_data_changed
from centrex.customers.identifiers import normalize_tax_code, normalize_vat_number
from centrex.customers.models import EXTENSION_NUMBER, Customer, CustomerKind, Extension

if TYPE_CHECKING:
    from centrex.accounts.models import User

MAX_EXTENSIONS_PER_REQUEST = 20_000


@dataclass
class CustomerData:
    """The customer's data as an operator enters it (R-C2). Empty strings mean "not given"."""

    name: str
    kind: str
    email: str
    vat_number: str = ""
    tax_code: str = ""
    street: str = ""
    postcode: str = ""
    city: str = ""
    province: str = ""
    country: str = "IT"
    pec: str = ""
    phone: str = ""
    contact_first_name: str = ""
    contact_last_name: str = ""
    brands: list[str] = field(default_factory=list)


def _validation(message: str, field_name: str) -> FieldError:
    return FieldError(field_name, ErrorCode.VALIDATION_ERROR, message)


def clean_customer_data(data: CustomerData) -> CustomerData:
    """Normalise and check every field; raise one DomainError listing every fault (R-C1)."""
    errors: list[FieldError] = []
    cleaned = CustomerData(**{**data.__dict__, "brands": list(data.brands)})
    cleaned.name = " ".join(data.name.split())
    if not cleaned.name:
        errors.append(_validation(str(_("Enter the ragione sociale (company name).")), "name"))
    if data.kind not in CustomerKind.values:
        errors.append(_validation(str(_("Choose business or consumer.")), "kind"))
    if data.kind == CustomerKind.BUSINESS and not data.vat_number.strip():
        errors.append(
            FieldError(
                "vat_number",
                ErrorCode.INVALID_VAT_NUMBER,
                _("A business customer needs its partita IVA."),
            )
        )
    if data.kind == CustomerKind.CONSUMER and not data.tax_code.strip():
        errors.append(
            FieldError(
                "tax_code",
                ErrorCode.INVALID_TAX_CODE,
                _("A consumer customer needs a codice fiscale."),
            )
        )
    if data.vat_number.strip():
        try:
            cleaned.vat_number = normalize_vat_number(data.vat_number)
        except DomainError as error:
            errors.extend(error.errors)
    if data.tax_code.strip():
        try:
            cleaned.tax_code = normalize_tax_code(data.tax_code)
        except DomainError as error:
            errors.extend(error.errors)
    if data.phone.strip():
        try:
            cleaned.phone = normalize_phone_number(data.phone, field="phone")
        except DomainError as error:
            errors.extend(error.errors)
    cleaned.country = (data.country or "IT").strip().upper()
    if len(cleaned.country) != 2 or not cleaned.country.isalpha():
        errors.append(
            _validation(str(_("Use the two-letter country code, such as IT.")), "country")
        )
    cleaned.province = data.province.strip().upper()
    if cleaned.province and (len(cleaned.province) != 2 or not cleaned.province.isalpha()):
        errors.append(
            _validation(str(_("Use the two-letter province code, such as MI or RM.")), "province")
        )
    cleaned.postcode = data.postcode.strip()
    if (
        cleaned.country == "IT"
        and cleaned.postcode
        and not (len(cleaned.postcode) == 5 and cleaned.postcode.isdigit())
    ):
        errors.append(_validation(str(_("An Italian postcode (CAP) has 5 digits.")), "postcode"))
    cleaned.email = data.email.strip().lower()
    cleaned.pec = data.pec.strip().lower()
    for attribute, value in (("email", cleaned.email), ("pec", cleaned.pec)):
        if attribute == "email" or value:
            try:
                validate_email(value)
            except ValidationError:
                errors.append(
                    _validation(
                        str(_("Enter a valid e-mail address, such as name@company.it.")), attribute
                    )
                )
    for attribute in ("street", "city", "contact_first_name", "contact_last_name"):
        setattr(cleaned, attribute, " ".join(str(getattr(data, attribute)).split()))
    # R-C2: the sede legale is part of what the regulator needs.
    for attribute, message in (
        ("street", _("Enter the address of the sede legale.")),
        ("postcode", _("Enter the postcode (CAP) of the sede legale.")),
        ("city", _("Enter the city of the sede legale.")),
    ):
        if not getattr(cleaned, attribute):
            errors.append(_validation(str(message), attribute))
    brands: list[str] = []
    for brand in data.brands:
        name = " ".join(str(brand).split())
        if name and name.casefold() not in {b.casefold() for b in brands}:
            brands.append(name[:100])
    cleaned.brands = brands
    if errors:
        raise DomainError.from_errors(errors)
    return cleaned


@transaction.atomic
def create_customer(data: CustomerData, *, acting_user: User) -> Customer:
    """Onboard a customer with the regulator's data (R-C1, R-C2)."""
    cleaned = clean_customer_data(data)
    customer = Customer.objects.create(**cleaned.__dict__)
    record_audit("customer.created", actor=acting_user, target=customer, customer_id=customer.pk)
    return customer


def _apply_changes(
    customer: Customer, changes: dict[str, object]
) -> dict[str, tuple[object, object]]:
    """Set `changes` on `customer` after the creation checks; save; answer what changed, each
    field's value before and after. The caller holds the transaction."""
    current = CustomerData(**{f: getattr(customer, f) for f in CustomerData.__dataclass_fields__})
    for name, value in changes.items():
        if name not in CustomerData.__dataclass_fields__:
            raise ValueError(f"unknown customer field {name}")
        setattr(current, name, value if value is not None else ([] if name == "brands" else ""))
    cleaned = clean_customer_data(current)
    changed: dict[str, tuple[object, object]] = {}
    for name, value in cleaned.__dict__.items():
        if getattr(customer, name) != value:
            changed[name] = (getattr(customer, name), value)
            setattr(customer, name, value)
    if changed:
        customer.save()
    return changed


@transaction.atomic
def update_customer(
    customer: Customer, changes: dict[str, object], *, acting_user: User
) -> Customer:
    """Change some of a customer's data; the same checks as on creation."""
    changed = _apply_changes(customer, changes)
    if changed:
        record_audit(
            "customer.updated",
            actor=acting_user,
            target=customer,
            customer_id=customer.pk,
            data={"fields": sorted(changed)},
        )
    return customer


# Dati aziendali: what the company's own admins keep up to date of the data the regulator
# wants (R-C2). The ragione sociale, partita IVA / codice fiscale, kind and sede legale identify
# the customer in the contract: operators own them (R-B1).
COMPANY_DATA_FIELDS = ("contact_first_name", "contact_last_name", "pec", "phone", "brands")


@transaction.atomic
def update_company_data(
    customer: Customer, changes: dict[str, object], *, acting_user: User
) -> Customer:
    """Impostazioni > Dati aziendali: a customer admin changes the company's referente, PEC,
    phone and brands (R-C2), with the checks of the back office (`clean_customer_data`:
    brands trimmed, each once ignoring case). The audit row keeps every changed value before
    and after; once committed, the provider's operators are told what changed, since the
    AGCOM registry holds these data (R-A9)."""
    if not (
        acting_user.is_active
        and acting_user.is_customer_admin
        and acting_user.customer_id == customer.pk
    ):
        raise PermissionDenied()
    unknown = set(changes) - set(COMPANY_DATA_FIELDS)
    if unknown:
        raise ValueError(f"not company data: {sorted(unknown)}")
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    changed = _apply_changes(customer, changes)
    if changed:
        record_audit(
            "customer.company_data_changed",
            actor=acting_user,
            target=customer,
            customer_id=customer.pk,
            data={
                "changes": {
                    name: {"from": before, "to": after}
                    for name, (before, after) in sorted(changed.items())
                }
            },
        )
        send_company_data_changed(customer, changed, changed_by=acting_user)
    return customer


def parse_extension_numbers(numbers: Iterable[str]) -> list[str]:
    """Check each number is 2–6 digits (R-U1); report every bad one by its position."""
    cleaned: list[str] = []
    errors: list[FieldError] = []
    for index, raw in enumerate(numbers):
        number = str(raw).strip()
        if not EXTENSION_NUMBER.match(number):
            errors.append(
                _validation(
                    str(
                        _("“%(number)s” is not an extension: use 2 to 6 digits.") % {"number": raw}
                    ),
                    f"numbers[{index}]",
                )
            )
        else:
            cleaned.append(number)
    if errors:
        raise DomainError.from_errors(errors)
    if len(cleaned) > MAX_EXTENSIONS_PER_REQUEST:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            _("At most %(max)d extensions at a time.") % {"max": MAX_EXTENSIONS_PER_REQUEST},
            field="numbers",
        )
    return list(dict.fromkeys(cleaned))


def parse_extension_range(text: str) -> list[str]:
    """`201-240` → 201…240, keeping the width of the first number (`0201-0210`)."""
    first, sep, last = (text or "").replace(" ", "").partition("-")
    if (
        not sep
        or not EXTENSION_NUMBER.match(first)
        or not EXTENSION_NUMBER.match(last)
        or int(last) < int(first)
    ):
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            _("Write the range as FIRST-LAST with 2 to 6 digits each, such as 201-240."),
            field="range",
        )
    if int(last) - int(first) + 1 > MAX_EXTENSIONS_PER_REQUEST:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            _("A range may hold at most %(max)d extensions.") % {"max": MAX_EXTENSIONS_PER_REQUEST},
            field="range",
        )
    width = len(first) if first.startswith("0") else 0
    return parse_extension_numbers(str(n).zfill(width) for n in range(int(first), int(last) + 1))


def parse_extensions_csv(content: str) -> list[tuple[str, str]]:
    """A CSV with one extension per row: `number[,label]`; a header row is allowed."""
    rows: list[tuple[str, str]] = []
    errors: list[FieldError] = []
    sample = content[:2048]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    for line_number, row in enumerate(csv.reader(io.StringIO(content), dialect), start=1):
        cells = [cell.strip() for cell in row]
        if not cells or not any(cells):
            continue
        if line_number == 1 and not cells[0].isdigit():
            continue  # header
        number, label = cells[0], (cells[1] if len(cells) > 1 else "")
        if not EXTENSION_NUMBER.match(number):
            errors.append(
                _validation(
                    str(
                        _("Line %(line)d: “%(number)s” is not an extension: use 2 to 6 digits.")
                        % {"line": line_number, "number": number}
                    ),
                    f"line[{line_number}]",
                )
            )
            continue
        rows.append((number, label[:100]))
    if errors:
        raise DomainError.from_errors(errors)
    if not rows:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR, _("The file holds no extension numbers."), field="file"
        )
    return rows


@transaction.atomic
def provision_extensions(
    customer: Customer,
    numbers: Iterable[str | tuple[str, str]],
    *,
    acting_user: User,
) -> int:
    """Create the customer's extensions that do not exist yet; return how many were created.
    Idempotent: existing numbers are skipped and not counted (API.md)."""
    wanted: dict[str, str] = {}
    for item in numbers:
        number, label = (item, "") if isinstance(item, str) else item
        wanted.setdefault(number, label)
    existing = set(
        Extension.objects.filter(customer=customer, number__in=list(wanted)).values_list(
            "number", flat=True
        )
    )
    new = [
        Extension(customer=customer, number=number, label=label)
        for number, label in wanted.items()
        if number not in existing
    ]
    Extension.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    if new:
        record_audit(
            "extensions.provisioned",
            actor=acting_user,
            target=customer,
            customer_id=customer.pk,
            data={"count": len(new), "first": new[0].number, "last": new[-1].number},
        )
    return len(new)


@transaction.atomic
def remove_extension(extension: Extension, *, acting_user: User) -> None:
    """Delete a free extension; one associated with a user must be dissociated first."""
    extension = Extension.objects.select_for_update().get(pk=extension.pk)
    if hasattr(extension, "user"):
        raise DomainError(
            ErrorCode.EXTENSION_UNAVAILABLE,
            _("Extension %(number)s is associated with a user: remove it from the user first.")
            % {"number": extension.number},
            field="number",
        )
    record_audit(
        "extension.removed", actor=acting_user, target=extension, data={"number": extension.number}
    )
    extension.delete()


@transaction.atomic
def set_customer_active(customer: Customer, active: bool, *, acting_user: User) -> Customer:
    """Activate or deactivate a customer: an inactive customer's users cannot log in or use
    the API (accounts.actions.authenticate_login, accounts.authentication)."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.is_active != active:
        customer.is_active = active
        customer.save(update_fields=["is_active", "updated_at"])
        record_audit(
            "customer.activated" if active else "customer.deactivated",
            actor=acting_user,
            target=customer,
            customer_id=customer.pk,
            from_state="active" if not active else "inactive",
            to_state="active" if active else "inactive",
        )
    return customer
