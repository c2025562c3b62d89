"""Italian tax identifiers, validated by python-stdnum (R-C1)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.it import codicefiscale, iva

from centrex.core.errors import DomainError, ErrorCode


def normalize_vat_number(raw: str, *, field: str = "vat_number") -> str:
    """Partita IVA: 11 digits with the Italian check digit; an `IT` prefix is accepted and
    stripped. Returns the 11 digits."""
    text = "".join((raw or "").split()).upper()
    if text.startswith("IT"):
        text = text[2:]
    try:
        return str(iva.validate(text))
    except StdnumError:
        raise DomainError(
            ErrorCode.INVALID_VAT_NUMBER,
            _(
                "“%(value)s” is not a valid partita IVA: it must be 11 digits with a correct "
                "check digit (an IT prefix is allowed). Check it against the company's records."
            )
            % {"value": raw},
            field=field,
        ) from None


def normalize_tax_code(raw: str, *, field: str = "tax_code") -> str:
    """Codice fiscale: 16 characters for a person, or 11 digits for a company."""
    text = "".join((raw or "").split()).upper()
    try:
        if text.isdigit():
            return str(iva.validate(text))
        return str(codicefiscale.validate(text))
    except StdnumError:
        raise DomainError(
            ErrorCode.INVALID_TAX_CODE,
            _(
                "“%(value)s” is not a valid codice fiscale: a person's has 16 letters and "
                "digits, a company's 11 digits. Check it and try again."
            )
            % {"value": raw},
            field=field,
        ) from None
