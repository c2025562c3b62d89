"""The text rules an SMS sender alias must meet (R-A1, R-A1b, R-A2, R-A4, R-A4b).

Pure functions: no database, no models. The editable reserved and generic lists (R-A4b) and the
operator's charset setting are passed in by the caller, so the page, the API and the back office
all run this one validator. The text is never changed: case is kept exactly as typed (R-A1).
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Callable, Iterable, Sequence

from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from centrex.core.errors import ErrorCode, FieldError

MAX_SEPTETS = 11
FIELD = "text"

# R-A1: the AGCOM character set as published by Italian providers. Upper-case accented letters
# are left out on purpose: GSM 03.38 has only É among them, and AGCOM lists none.
ALIAS_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzàèéìòù")
ALIAS_DIGITS = frozenset("0123456789")
ALIAS_SYMBOLS = "!',.:;?\"€£$%-"
# R-A1: the operator setting may widen the set with these (all in GSM 03.38's basic table).
EXTENDED_SYMBOLS = "+*/=<>()@_#&"
_BASE_CHARSET = ALIAS_LETTERS | ALIAS_DIGITS | frozenset(" ") | frozenset(ALIAS_SYMBOLS)
_EXTENDED_CHARSET = _BASE_CHARSET | frozenset(EXTENDED_SYMBOLS)

# GSM 03.38 extension table: sent as an escape plus a septet, so each counts 2 (R-A1, R-T3).
GSM_EXTENSION_CHARACTERS = frozenset("^{}\\[~]|€\f")

# R-A1b: none of these right after a space.
_NOT_AFTER_SPACE = frozenset("!',.:;?-")
# R-A2: what a written phone number is made of, besides digits.
_PHONE_PUNCTUATION = frozenset(" +().-/")
_MAX_DIGITS = 4

# Italian function words that may be left out or added in a public body's name without changing
# who it names ("Agenzia delle Entrate" = "Agenzia Entrate", "Vigili Fuoco").
_LINKING_WORDS = frozenset({"d", "di", "del", "dei", "della", "delle", "dello", "degli", "e", "ed"})

# A kind of R-A1b fault ("edge", "double", "after_space", "quotes") and the characters involved.
_SpacingFault = tuple[str, list[str]]


def septet_length(text: str) -> int:
    """Length of `text` in GSM 03.38 septets: extension-table characters (`€`, `[`, …) count 2.

    Characters outside GSM 03.38 count 1; the alias rules refuse them separately.
    """
    return sum(2 if char in GSM_EXTENSION_CHARACTERS else 1 for char in text)


def fold(text: str) -> str:
    """Case-folded, with accents and compatibility forms removed ("Caffè" → "caffe")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def alias_match_key(text: str) -> str:
    """The form two aliases are compared in for R-A4 collisions and R-A4b generic words.

    Case, accents, spaces, punctuation and symbols are ignored; letters and digits are kept in
    order. Accents are ignored as well as case because a recipient can hardly tell "Caffè" from
    "Caffe" on a phone, and Delibera 12/23/CIR forbids exactly such near-copies of another
    company's sender.
    """
    return "".join(char for char in fold(text) if char.isalnum())


def split_words(text: str) -> list[str]:
    """The words of `text`, folded: split at spaces and punctuation, between letters and
    digits, and at case changes inside a word ("ComuneRoma" → comune, roma; "ASLRoma" → asl,
    roma; "Asl3" → asl, 3)."""
    words: list[str] = []
    current: list[str] = []

    def close() -> None:
        if current:
            words.append(fold("".join(current)))
            current.clear()

    for index, char in enumerate(text):
        if not char.isalnum():
            close()
            continue
        if current:
            previous = current[-1]
            following = text[index + 1] if index + 1 < len(text) else ""
            if (
                previous.isdecimal() != char.isdecimal()
                or (previous.islower() and char.isupper())
                or (previous.isupper() and char.isupper() and following.islower())
            ):
                close()
        current.append(char)
    close()
    return [word for word in words if word]


def check_alias(
    text: str,
    *,
    reserved: Iterable[str],
    generic: Iterable[str],
    extended_charset: bool = False,
) -> list[FieldError]:
    """Every rule `text` breaks as a sender alias, in API.md's code order; empty when valid.

    `reserved` and `generic` are the current R-A4b lists; `extended_charset` is the operator
    setting that widens R-A1's character set. Collisions with other aliases (R-A4) need the
    database and are checked by the caller with `alias_match_key`. Blank text (nothing but
    whitespace) gets `alias_empty` alone: nothing else about it is worth saying.
    """
    if not text.strip():
        return [FieldError(FIELD, ErrorCode.ALIAS_EMPTY, _EMPTY_MESSAGE)]

    errors: list[FieldError] = []
    length = septet_length(text)
    if length > MAX_SEPTETS:  # R-A1
        errors.append(FieldError(FIELD, ErrorCode.ALIAS_TOO_LONG, _too_long_message(length)))

    charset = _EXTENDED_CHARSET if extended_charset else _BASE_CHARSET
    forbidden = _unique(char for char in text if char not in charset)
    if forbidden:  # R-A1
        errors.append(
            FieldError(
                FIELD,
                ErrorCode.ALIAS_INVALID_CHARACTERS,
                _invalid_characters_message(forbidden, extended_charset),
            )
        )

    if not any(char in ALIAS_LETTERS for char in text):  # R-A1
        errors.append(FieldError(FIELD, ErrorCode.ALIAS_NO_LETTER, _NO_LETTER_MESSAGE))

    spacing_faults = _spacing_faults(text)
    if spacing_faults:  # R-A1b
        errors.append(
            FieldError(FIELD, ErrorCode.ALIAS_BAD_SPACING, _bad_spacing_message(spacing_faults))
        )

    if _looks_like_phone_number(text):  # R-A2
        errors.append(
            FieldError(FIELD, ErrorCode.ALIAS_LOOKS_LIKE_PHONE_NUMBER, _PHONE_NUMBER_MESSAGE)
        )

    reserved_hits = reserved_names_in(text, reserved)
    if reserved_hits:  # R-A4b
        errors.append(FieldError(FIELD, ErrorCode.ALIAS_RESERVED, _reserved_message(reserved_hits)))

    generic_hit = generic_word_of(text, generic)
    if generic_hit is not None:  # R-A4b
        errors.append(FieldError(FIELD, ErrorCode.ALIAS_GENERIC, _generic_message(text)))
    return errors


def reserved_names_in(text: str, reserved: Iterable[str]) -> list[str]:
    """The reserved entries `text` contains (R-A4b), as written in the list.

    An entry matches when its words appear in a row among the alias's words, or when the whole
    alias equals it; case, accents, punctuation and linking words ("di", "delle") are ignored.
    """
    readings = [
        _WordIndex(_significant(split_words(text))),
        _WordIndex(_significant(_plain_words(text))),
    ]
    whole = alias_match_key(text)
    hits: list[str] = []
    for entry in reserved:
        entry_words = _significant(_plain_words(entry))
        if not entry_words or entry in hits:
            continue
        if alias_match_key(entry) == whole or any(
            reading.contains_run(entry_words) for reading in readings
        ):
            hits.append(entry)
    return hits


def generic_word_of(text: str, generic: Iterable[str]) -> str | None:
    """The generic entry the whole alias is (R-A4b), ignoring case, accents, spaces and
    punctuation, or None: "INFO" is "Info", "Info Acme" is no generic word."""
    key = alias_match_key(text)
    if not key:
        return None
    return next((entry for entry in generic if alias_match_key(entry) == key), None)


def _spacing_faults(text: str) -> list[_SpacingFault]:
    """R-A1b: each kind of fault found, with the characters it concerns."""
    faults: list[_SpacingFault] = []
    if text.startswith(" ") or text.endswith(" "):
        faults.append(("edge", []))
    if "  " in text:
        faults.append(("double", []))
    after_space = _unique(
        char
        for previous, char in itertools.pairwise(text)
        if previous == " " and char in _NOT_AFTER_SPACE
    )
    if after_space:
        faults.append(("after_space", after_space))
    if not _quotes_are_paired(text):
        faults.append(("quotes", []))
    return faults


def _quotes_are_paired(text: str) -> bool:
    """R-A1b: no `"`, or exactly one opening/closing pair around something, with no space just
    inside its ends."""
    positions = [index for index, char in enumerate(text) if char == '"']
    if not positions:
        return True
    if len(positions) != 2:
        return False
    opening, closing = positions
    inside = text[opening + 1 : closing]
    return bool(inside) and not inside.startswith(" ") and not inside.endswith(" ")


def _looks_like_phone_number(text: str) -> bool:
    """R-A2: only digits and phone punctuation, or 5 or more digits in total."""
    digits = sum(1 for char in text if char.isdecimal())
    if digits > _MAX_DIGITS:
        return True
    return digits > 0 and all(char.isdecimal() or char in _PHONE_PUNCTUATION for char in text)


def _plain_words(text: str) -> list[str]:
    """Folded words split only at what is not a letter or digit (no case splitting)."""
    words: list[str] = []
    current: list[str] = []
    for char in fold(text):
        if char.isalnum():
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


def _significant(words: Sequence[str]) -> list[str]:
    return [word for word in words if word not in _LINKING_WORDS]


class _WordIndex:
    """The words of an alias with where each occurs, to find runs of words quickly even in a
    very long text."""

    def __init__(self, words: list[str]) -> None:
        self.words = words
        self.positions: dict[str, list[int]] = {}
        for position, word in enumerate(words):
            self.positions.setdefault(word, []).append(position)

    def contains_run(self, run: Sequence[str]) -> bool:
        width = len(run)
        return any(
            self.words[start : start + width] == list(run)
            for start in self.positions.get(run[0], ())
        )


def _unique(chars: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(chars))


def _visible(char: str) -> str:
    """A character as the user can read it in a message: quoted, or its code point when it is
    invisible (tab, non-breaking or zero-width space, combining mark)."""
    if char.isprintable() and not char.isspace() and not unicodedata.combining(char):
        return f"“{char}”"
    return f"U+{ord(char):04X}"


def _quoted_list(chars: Iterable[str]) -> str:
    return " ".join(_visible(char) for char in chars)


def _lazy_message(build: Callable[[], str]) -> str:
    """A message built at display time, in the language active then (like gettext_lazy)."""
    return lazy(build, str)()


_EMPTY_MESSAGE = _("Enter the alias: 1 to 11 characters, with at least one letter.")
_NO_LETTER_MESSAGE = _(
    "Add at least one letter: an alias cannot be made only of digits, spaces and symbols."
)
_PHONE_NUMBER_MESSAGE = _(
    "The alias looks like a phone number: use at most 4 digits and do not write it like a "
    "number (digits with + ( ) . - /)."
)


def _too_long_message(length: int) -> str:
    return _lazy_message(
        lambda: (
            gettext(
                "The alias counts %(length)d characters (€ counts as 2): shorten it to at most 11."
            )
            % {"length": length}
        )
    )


def _invalid_characters_message(forbidden: list[str], extended_charset: bool) -> str:
    symbols = ALIAS_SYMBOLS + (EXTENDED_SYMBOLS if extended_charset else "")
    return _lazy_message(
        lambda: (
            gettext(
                "Remove or replace %(characters)s: an alias may hold only the letters A–Z and "
                "a–z, digits, à è é ì ò ù, spaces and %(symbols)s (no capital accented letters, "
                "no letters of other alphabets, no emoji)."
            )
            % {"characters": _quoted_list(forbidden), "symbols": " ".join(symbols)}
        )
    )


def _bad_spacing_message(faults: list[_SpacingFault]) -> str:
    def build() -> str:
        sentences = []
        for kind, characters in faults:
            if kind == "edge":
                sentences.append(gettext("Remove the space at the start or at the end."))
            elif kind == "double":
                sentences.append(gettext("Leave only one space between words."))
            elif kind == "after_space":
                sentences.append(
                    gettext("Remove the space before %(characters)s.")
                    % {"characters": _quoted_list(characters)}
                )
            else:
                sentences.append(
                    gettext(
                        'Use double quotes (") only as one pair around a word, with no space '
                        "just inside them."
                    )
                )
        return " ".join(sentences)

    return _lazy_message(build)


def _reserved_message(names: list[str]) -> str:
    return _lazy_message(
        lambda: (
            gettext(
                "%(names)s is reserved to public bodies: choose an alias without it, based on "
                "your company or brand name."
            )
            % {"names": ", ".join(f"“{name}”" for name in names)}
        )
    )


def _generic_message(text: str) -> str:
    return _lazy_message(
        lambda: (
            gettext(
                "“%(alias)s” alone is too generic: use your company or brand name, on its own or "
                "together with it (for example “Info Acme” instead of “Info”)."
            )
            % {"alias": text}
        )
    )
