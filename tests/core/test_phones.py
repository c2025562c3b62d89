"""Phone numbers (R-M1): `core.phones` reads validity from the number's type, asking
phonenumbers once; these tests hold it to phonenumbers' own `is_valid_number`."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from centrex.core.errors import DomainError, ErrorCode
from centrex.core.phones import (
    normalize_mobile_number,
    normalize_phone_number,
    parse_phone_number,
)


def _samples() -> list[str]:
    """Numbers of every length around the valid ones, for Italy (where +39 is shared with
    the Vatican, so the region is found by validation) and a few other countries."""
    generator = random.Random(20261126)  # the same numbers every run
    samples = []
    for prefix in ["+39", "+3906698", "+44", "+1", "+41", "+800", "+882", "+7", "+49"]:
        for first in "0123456789":
            for length in range(3, 13):
                digits = first + "".join(generator.choice("0123456789") for _ in range(length))
                samples.append(prefix + digits)
    for first in "03":  # national input, read as Italian
        for length in range(5, 12):
            samples += [first + "".join(generator.choice("0123456789") for _ in range(length))]
    return samples


SAMPLES = _samples()


def test_validity_is_a_known_type_exactly_as_phonenumbers_says() -> None:
    agreed = valid = 0
    for raw in SAMPLES:
        try:
            number = phonenumbers.parse(raw, "IT")
        except phonenumbers.NumberParseException:
            continue
        expected = phonenumbers.is_valid_number(number)
        try:
            parse_phone_number(raw)
            ours = True
        except DomainError as error:
            assert error.code == ErrorCode.INVALID_PHONE_NUMBER
            ours = False
        assert ours == expected, raw
        agreed += 1
        valid += expected
    # The sample holds plenty of both answers.
    assert agreed > 900 and 100 < valid < agreed - 100


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+39 347 123 4567", "+393471234567"),
        ("347 1234567", "+393471234567"),
        ("00393471234567", "+393471234567"),
        (" +44 7911 123456 ", "+447911123456"),
    ],
)
def test_a_mobile_number_in_e164(raw: str, expected: str) -> None:
    assert normalize_mobile_number(raw) == expected
    assert normalize_phone_number(raw) == expected


def test_a_landline_is_a_phone_number_but_not_a_mobile() -> None:
    assert normalize_phone_number("06 1234 5678") == "+390612345678"
    with pytest.raises(DomainError) as raised:
        normalize_mobile_number("06 1234 5678", field="number")
    assert raised.value.code == ErrorCode.NOT_A_MOBILE_NUMBER
    assert raised.value.field == "number"


@pytest.mark.parametrize("raw", ["", "   ", "abc", "+39 12", "+999 123456789", "347"])
def test_what_is_not_a_number(raw: str) -> None:
    with pytest.raises(DomainError) as raised:
        normalize_mobile_number(raw, field="to[0]")
    assert raised.value.code == ErrorCode.INVALID_PHONE_NUMBER
    assert raised.value.field == "to[0]"
