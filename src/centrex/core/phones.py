"""Phone numbers: parsed with phonenumbers, national input read as Italian, stored in E.164."""

from __future__ import annotations

import phonenumbers
from django.utils.translation import gettext_lazy as _

from centrex.core.errors import DomainError, ErrorCode

DEFAULT_REGION = "IT"
_MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def parse_phone_number(raw: str, *, field: str | None = None) -> phonenumbers.PhoneNumber:
    text = (raw or "").strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise DomainError(
            ErrorCode.INVALID_PHONE_NUMBER,
            _(
                "“%(number)s” is not a valid phone number. Write it with its country code "
                "(+39 …) or as an Italian national number."
            )
            % {"number": raw},
            field=field,
        )
    return number


def normalize_phone_number(raw: str, *, field: str | None = None) -> str:
    """Any valid phone number, in E.164."""
    number = parse_phone_number(raw, field=field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_mobile_number(raw: str, *, field: str | None = None) -> str:
    """A mobile number of its country (R-M1), in E.164."""
    number = parse_phone_number(raw, field=field)
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise DomainError(
            ErrorCode.NOT_A_MOBILE_NUMBER,
            _("“%(number)s” is not a mobile number. Enter a mobile (cellulare) number.")
            % {"number": raw},
            field=field,
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
