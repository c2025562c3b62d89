"""The alias text rules (R-A1, R-A1b, R-A2, R-A4, R-A4b) and their codes (API.md "Aliases")."""

from __future__ import annotations

from collections.abc import Set
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.functional import Promise
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_django.fixtures import Settings

from centrex import aliases
from centrex.aliases.rules import (
    ALIAS_DIGITS,
    ALIAS_LETTERS,
    ALIAS_SYMBOLS,
    EXTENDED_SYMBOLS,
    alias_match_key,
    check_alias,
    generic_word_of,
    reserved_names_in,
    septet_length,
    split_words,
)
from centrex.aliases.wordlists import GENERIC_WORDS, RESERVED_NAMES
from centrex.core.errors import CODE_PRIORITY, DomainError, ErrorCode, FieldError

EMPTY = "alias_empty"
TOO_LONG = "alias_too_long"
INVALID = "alias_invalid_characters"
NO_LETTER = "alias_no_letter"
SPACING = "alias_bad_spacing"
PHONE = "alias_looks_like_phone_number"
RESERVED = "alias_reserved"
GENERIC = "alias_generic"

ALIAS_CODES = {EMPTY, TOO_LONG, INVALID, NO_LETTER, SPACING, PHONE, RESERVED, GENERIC}
BASE_CHARSET = ALIAS_LETTERS | ALIAS_DIGITS | {" "} | set(ALIAS_SYMBOLS)
EXTENDED_CHARSET = BASE_CHARSET | set(EXTENDED_SYMBOLS)


def codes_of(text: str, *, extended_charset: bool = False) -> list[str]:
    errors = check_alias(
        text, reserved=RESERVED_NAMES, generic=GENERIC_WORDS, extended_charset=extended_charset
    )
    return [str(error.code) for error in errors]


def message_of(text: str, code: str, **lists: list[str]) -> str:
    errors = check_alias(
        text,
        reserved=lists.get("reserved", RESERVED_NAMES),
        generic=lists.get("generic", GENERIC_WORDS),
    )
    with translation.override("en"):
        return next(str(error.message) for error in errors if error.code == code)


# (alias as typed, every code it must get, in API.md's order)
CASES: list[tuple[str, list[str]]] = [
    # accepted (R-A1)
    ("Esempio", []),
    ("Acme", []),
    ("a", []),
    ("Info Acme", []),  # API.md: generic only as a whole
    ("Caffè Roma", []),
    ("Perché Sì", []),
    ("L'Acme", []),
    ("Roma-Nord", []),
    ("Acme; Bar", []),
    ("Acme!", []),
    ('"Acme" Bar', []),
    ("Acme 2024", []),  # four digits are fine (R-A2)
    ("Pizza €5", []),
    ("ABCDEFGHIJK", []),  # exactly 11
    ("Acme€€€", []),  # 4 + 3 × 2 = 10 septets
    ("Comunello", []),  # contains "Comune" but is not the word
    ("Infos Acme", []),
    # R-A1 empty and length
    ("", [EMPTY]),
    ("   ", [EMPTY]),
    ("Esempio Servizi", [TOO_LONG]),
    ("Abcdefghij€", [TOO_LONG]),  # 11 characters, 12 septets
    # R-A1 characters
    ("Аcme", [INVALID]),  # Cyrillic А
    ("Αcme", [INVALID]),  # Greek Alpha
    ("Acme😀", [INVALID]),
    ("Èlite", [INVALID]),  # upper-case accented letter
    ("Acme\tBar", [INVALID]),
    ("Acme\u00a0Bar", [INVALID]),  # non-breaking space
    ("Acme\u200bBar", [INVALID]),  # zero-width space
    ("Cafe\u0301", [INVALID]),  # e + combining acute instead of é
    ("Acme+", [INVALID]),  # + only with the operator's extended set
    ("Acme_Bar", [INVALID]),
    ("Acme@Roma", [INVALID]),
    # R-A1 letter required
    ("!!!", [NO_LETTER]),
    ("€£$", [NO_LETTER]),
    ("1234", [NO_LETTER, PHONE]),
    # R-A1b spacing and quotes
    (" Acme", [SPACING]),
    ("Acme ", [SPACING]),
    ("Acme  Bar", [SPACING]),
    ("Acme !", [SPACING]),
    ("Acme - Bar", [SPACING]),
    ("Acme 'Bar", [SPACING]),
    ("Acme ,Bar", [SPACING]),
    ('"Acme', [SPACING]),
    ('" Acme"', [SPACING]),
    ('"Acme "', [SPACING]),
    ('"A" "B"', [SPACING]),
    ('Acme""', [SPACING]),
    # R-A2 phone numbers
    ("Acme 12345", [PHONE]),
    ("A1B2C3D4E5", [PHONE]),
    ("123-456", [NO_LETTER, PHONE]),
    ("06 123.45", [NO_LETTER, PHONE]),
    ("(06) 123", [INVALID, NO_LETTER, PHONE]),
    ("3331234567", [NO_LETTER, PHONE]),
    # R-A4b reserved names: any word, or the whole alias, case and accents ignored
    ("Comune Roma", [RESERVED]),  # API.md
    ("COMUNE", [RESERVED]),
    ("Polizia", [RESERVED]),
    ("Inps Acme", [RESERVED]),
    ("ASLRoma", [RESERVED]),
    ("Asl3", [RESERVED]),
    ("Questura!", [RESERVED]),
    ("GdF", [RESERVED]),
    ("Ag.Entrate", [RESERVED]),
    ("Agenzia Entrate", [TOO_LONG, RESERVED]),
    ("Guardia di Finanza", [TOO_LONG, RESERVED]),
    ("Vigili Fuoco", [TOO_LONG, RESERVED]),  # linking words may be left out
    # R-A4b generic words: the whole alias, ignoring case, spaces and punctuation
    ("INFO", [GENERIC]),  # API.md
    ("info!", [GENERIC]),
    ("I.N.F.O.", [GENERIC]),
    ("Promo", [GENERIC]),
    ("No Reply", [GENERIC]),
    ("NoReply", [GENERIC]),
    ("SMS", [GENERIC]),
    ("Novita", [GENERIC]),
    # several rules at once: every code, in API.md's order
    ("Аcme Acme Acme", [TOO_LONG, INVALID]),
    (" 12345", [NO_LETTER, SPACING, PHONE]),
    ("INPS ", [SPACING, RESERVED]),
    ("Info\t", [INVALID, GENERIC]),
    ("+39 333 1234567", [TOO_LONG, INVALID, NO_LETTER, PHONE]),
    ("Ministero Info", [TOO_LONG, RESERVED]),
    ("Polizia  Info 12345", [TOO_LONG, SPACING, PHONE, RESERVED]),
    ("Info Aсme", [INVALID]),  # Cyrillic с: not generic, not reserved
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[repr(text) for text, _ in CASES])
def test_alias_gets_exactly_the_codes_of_the_rules_it_breaks(
    text: str, expected: list[str]
) -> None:
    # given an alias as typed (R-A1, R-A1b, R-A2, R-A4b)
    # when it is checked against the seed lists
    codes = codes_of(text)
    # then every broken rule is reported once, in API.md's order, and nothing else
    assert codes == expected


def test_there_are_at_least_forty_cases_and_every_rule_is_covered() -> None:
    assert len(CASES) >= 40
    assert {code for _, codes in CASES for code in codes} == ALIAS_CODES


@pytest.mark.parametrize(
    ("text", "lead"),
    [
        ("Аcme Acme Acme", TOO_LONG),
        (" 12345", NO_LETTER),
        ("INPS ", SPACING),
        ("Info\t", INVALID),
        ("+39 333 1234567", TOO_LONG),
        ("Polizia  Info 12345", TOO_LONG),
    ],
)
def test_the_first_code_in_api_order_leads_when_several_rules_break(text: str, lead: str) -> None:
    # given an alias that breaks several rules
    errors = check_alias(text, reserved=RESERVED_NAMES, generic=GENERIC_WORDS)
    # when the errors become one domain error (as the API answers)
    error = DomainError.from_errors(errors)
    # then its code is the first in API.md's order and every rule is still listed
    assert error.code == lead
    assert [e.code for e in error.errors] == sorted(
        (e.code for e in errors), key=CODE_PRIORITY.__getitem__
    )
    assert error.http_status == 422


@pytest.mark.parametrize("text", ["Acme+", "Acme_Bar", "Acme@Roma", "(Acme)", "A&B", "a=b<c>#*/"])
def test_the_operator_setting_widens_the_character_set(text: str) -> None:
    # given an alias using one of + * / = < > ( ) @ _ # & (R-A1)
    # when the operator's extended set is on, then it is accepted; otherwise refused
    assert codes_of(text, extended_charset=True) == []
    assert INVALID in codes_of(text)


def test_the_extended_set_still_refuses_look_alikes() -> None:
    assert codes_of("Аcme@Roma", extended_charset=True) == [INVALID]


def test_text_is_checked_as_typed_and_its_case_kept() -> None:
    # R-A1: the validator judges the text as it is; upper and lower case are both fine
    assert codes_of("ACME") == codes_of("acme") == codes_of("AcMe") == []


def test_invalid_character_message_names_the_offending_characters() -> None:
    # given look-alikes, an emoji, an upper-case accented letter and a tab
    message = message_of("Аcmе😀È\t", INVALID)
    # then each is named once, the invisible one by its code point
    assert "“А”" in message and "“е”" in message and "“😀”" in message and "“È”" in message
    assert "U+0009" in message
    assert "à è é ì ò ù" in message


def test_invalid_character_message_lists_the_extended_symbols_only_when_allowed() -> None:
    errors = check_alias("Acme~", reserved=[], generic=[], extended_charset=True)
    with translation.override("en"):
        assert "@" in str(errors[0].message)
    with translation.override("en"):
        assert "@" not in message_of("Acme~", INVALID)


def test_too_long_message_gives_the_count_and_the_limit() -> None:
    message = message_of("Abcdefghij€", TOO_LONG)
    assert "12" in message and "11" in message and "€" in message


def test_spacing_message_says_each_thing_to_change() -> None:
    message = message_of(' " Acme  !"', SPACING)
    assert "start or at the end" in message
    assert "one space" in message
    assert "“!”" in message
    assert "double quotes" in message


def test_reserved_message_names_the_reserved_entry() -> None:
    assert "“Comune”" in message_of("Comune Roma", RESERVED)


def test_generic_message_quotes_the_alias_and_asks_for_the_company_name() -> None:
    message = message_of("INFO", GENERIC)
    assert "“INFO”" in message and "company or brand name" in message


def test_messages_are_translated_when_shown_not_when_checked() -> None:
    # given errors produced while Italian is active, for every rule
    with translation.override("it"):
        errors = check_alias("Comune  Roma 12345 😀 INFO €€", reserved=["Comune"], generic=[])
        errors += check_alias("", reserved=[], generic=[])
        errors += check_alias("!!!", reserved=[], generic=[])
        errors += check_alias("INFO", reserved=[], generic=["Info"])
    # then each message is lazy: its text is built in the language active when it is shown
    assert {e.code for e in errors} == {ErrorCode(code) for code in ALIAS_CODES}
    assert all(isinstance(error.message, Promise) for error in errors)
    reserved = next(e for e in errors if e.code == ErrorCode.ALIAS_RESERVED)
    with translation.override("en"):
        assert "reserved to public bodies" in str(reserved.message)


def test_messages_follow_the_italian_catalogue(settings: Settings) -> None:
    # given the aliases catalogue (found through INSTALLED_APPS once the app is installed)
    settings.LOCALE_PATHS = [*settings.LOCALE_PATHS, Path(aliases.__file__).parent / "locale"]
    # when errors produced in English are shown in Italian
    with translation.override("en"):
        errors = check_alias(" Comune  €€€€€€€€", reserved=["Comune"], generic=[])
    with translation.override("it"):
        rendered = {str(e.code): str(e.message) for e in errors}
    # then every message is in Italian, its values filled in
    assert rendered == {
        TOO_LONG: "L'alias conta 25 caratteri (€ vale 2): accorcialo a non più di 11.",
        SPACING: "Togli lo spazio all'inizio o alla fine. Lascia un solo spazio tra le parole.",
        RESERVED: "“Comune” è riservato agli enti pubblici: scegli un alias che non lo contenga, "
        "basato sulla ragione sociale o su un marchio.",
    }


def test_reserved_names_ignore_case_and_accents() -> None:
    # given a reserved entry with an accent (R-A4b)
    reserved = ["Comunità Montana", "Sanità"]
    # then the alias matches it without accents and in any case
    assert reserved_names_in("SANITA Roma", reserved) == ["Sanità"]
    assert reserved_names_in("comunita montana", reserved) == ["Comunità Montana"]
    assert reserved_names_in("Comunita", reserved) == []  # only the whole sequence


def test_multi_word_entries_match_as_word_sequences() -> None:
    reserved = ["Guardia di Finanza", "Agenzia Entrate"]
    assert reserved_names_in("Guardia Finanza", reserved) == ["Guardia di Finanza"]
    assert reserved_names_in("Agenzia delle Entrate", reserved) == ["Agenzia Entrate"]
    assert reserved_names_in("Finanza Guardia", reserved) == []
    assert reserved_names_in("Agenzia Viaggi", reserved) == []


def test_the_whole_alias_matches_an_entry_written_without_spaces() -> None:
    assert reserved_names_in("Ag Entrate", ["AgEntrate"]) == ["AgEntrate"]


def test_the_lists_are_parameters_so_an_operator_can_edit_them() -> None:
    # given lists edited by an operator (R-A4b)
    reserved, generic = ["Acme Pubblica"], ["Ciao"]
    # then the seed entries no longer apply and the new ones do
    assert check_alias("Comune", reserved=reserved, generic=generic) == []
    assert [e.code for e in check_alias("CIAO!", reserved=reserved, generic=generic)] == [
        ErrorCode.ALIAS_GENERIC
    ]
    assert [e.code for e in check_alias("Acme-Pubblica", reserved=reserved, generic=[])] == [
        ErrorCode.ALIAS_TOO_LONG,
        ErrorCode.ALIAS_RESERVED,
    ]


def test_blank_entries_in_the_lists_match_nothing() -> None:
    assert check_alias("Acme", reserved=["", " - "], generic=["", "..."]) == []


def test_generic_word_of_returns_the_entry() -> None:
    assert generic_word_of("i n f o", ["Promo", "Info"]) == "Info"
    assert generic_word_of("Info Acme", ["Info"]) is None


def test_errors_point_at_the_text_field() -> None:
    errors = check_alias("", reserved=[], generic=[])
    assert errors == [FieldError("text", ErrorCode.ALIAS_EMPTY, errors[0].message)]


@pytest.mark.parametrize(
    ("text", "length"),
    [("", 0), ("Acme", 4), ("€", 2), ("Acme€", 6), ("[x]", 5), ("àèéìòù", 6), ("a{b}~", 8)],
)
def test_septet_length_counts_extension_characters_twice(text: str, length: int) -> None:
    assert septet_length(text) == length


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Acme", "acme"),
        ("ACME", "acme"),
        ("a c m e", "acme"),
        ("A.C.M.E.", "acme"),
        ("Acme-Roma!", "acmeroma"),
        ("Caffè Roma", "cafferoma"),
        ("Perché", "perche"),
        ("Acme 24", "acme24"),
        ("€uro £ $", "uro"),
        ('"Acme"', "acme"),
    ],
)
def test_alias_match_key_ignores_case_accents_spaces_and_punctuation(text: str, key: str) -> None:
    # R-A4: aliases equal in this form collide across customers
    assert alias_match_key(text) == key


def test_aliases_differing_only_in_details_share_a_key() -> None:
    assert (
        len({alias_match_key(t) for t in ["Caffè Roma", "CAFFE ROMA", "caffe-roma", "Caffe.Roma"]})
        == 1
    )
    assert alias_match_key("Acme 1") != alias_match_key("Acme 2")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Comune Roma", ["comune", "roma"]),
        ("ComuneRoma", ["comune", "roma"]),
        ("ASLRoma", ["asl", "roma"]),
        ("Asl3", ["asl", "3"]),
        ("Ag.Entrate", ["ag", "entrate"]),
        ("L'Acme", ["l", "acme"]),
        ("  ", []),
    ],
)
def test_split_words_splits_at_punctuation_digits_and_case_changes(
    text: str, words: list[str]
) -> None:
    assert split_words(text) == words


@settings(max_examples=400, deadline=None)
@given(text=st.text(), extended=st.booleans())
def test_check_alias_never_raises_and_answers_in_api_order(text: str, extended: bool) -> None:
    # given any unicode text at all
    # when it is checked
    errors = check_alias(
        text, reserved=RESERVED_NAMES, generic=GENERIC_WORDS, extended_charset=extended
    )
    # then the answer is a list of distinct alias codes in API.md's order, with readable messages
    codes = [error.code for error in errors]
    assert set(codes) <= {ErrorCode(code) for code in ALIAS_CODES}
    assert codes == sorted(set(codes), key=CODE_PRIORITY.__getitem__)
    assert all(error.field == "text" and str(error.message) for error in errors)


def assert_is_a_good_alias(text: str, charset: Set[str]) -> None:
    assert 1 <= septet_length(text) <= 11
    assert set(text) <= charset
    assert any(char in ALIAS_LETTERS for char in text)
    assert text == text.strip(" ") and "  " not in text
    assert sum(char.isdigit() for char in text) <= 4


@settings(max_examples=400, deadline=None)
@given(text=st.text())
def test_every_accepted_alias_fits_the_rules_for_any_text(text: str) -> None:
    if not check_alias(text, reserved=RESERVED_NAMES, generic=GENERIC_WORDS):
        assert_is_a_good_alias(text, BASE_CHARSET)


@settings(max_examples=1000, deadline=None)
@given(
    text=st.text(alphabet=sorted(EXTENDED_CHARSET | {"É", "Ж", "\t"}), max_size=14),
    extended=st.booleans(),
)
def test_every_accepted_alias_is_1_to_11_septets_of_the_allowed_set(
    text: str, extended: bool
) -> None:
    # given text made mostly of allowed characters, so that many are accepted
    errors = check_alias(
        text, reserved=RESERVED_NAMES, generic=GENERIC_WORDS, extended_charset=extended
    )
    # then whatever is accepted fits 11 septets of the allowed set and holds a letter
    if not errors:
        assert_is_a_good_alias(text, EXTENDED_CHARSET if extended else BASE_CHARSET)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=sorted(ALIAS_LETTERS), min_size=1, max_size=11))
def test_letters_only_aliases_fail_only_on_the_word_lists(text: str) -> None:
    codes = set(codes_of(text))
    assert codes <= {RESERVED, GENERIC}
