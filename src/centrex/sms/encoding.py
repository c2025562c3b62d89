"""SMS text encoding (R-T3): GSM 03.38 7-bit when every character fits, else UCS-2, split into
concatenated parts with a User Data Header.

Pure functions, no Django: the live counter of the pages, the API and the SMPP dispatcher all
count and split a text the same way.

Bytes are as API.md "SMPP as sent to the SMSC" wants them in `short_message`: GSM-7 one septet
per octet (unpacked, `data_coding` 0; the SMSC packs them), UCS-2 as UTF-16 big-endian
(`data_coding` 8; a character outside the BMP, such as an emoji, is a surrogate pair = two units).
A long text goes as parts with `esm_class` 0x40 and the UDH `05 00 03 ref total seq` (IE 0x00,
8-bit reference).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import StrEnum

# 3GPP TS 23.038 §6.2.1: the GSM 7-bit default alphabet, index = septet value. 0x1B is the escape
# to the extension table (not a character); 0x09 is the capital C with cedilla (as in the ETSI
# table; the small one is not in the alphabet).
GSM7_BASIC_TABLE: str = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
GSM7_ESCAPE = 0x1B
# 3GPP TS 23.038 §6.2.1.1: the default extension table, reached by ESC (two septets each).
GSM7_EXTENSION_TABLE: dict[str, int] = {
    "\f": 0x0A,
    "^": 0x14,
    "{": 0x28,
    "}": 0x29,
    "\\": 0x2F,
    "[": 0x3C,
    "~": 0x3D,
    "]": 0x3E,
    "|": 0x40,
    "€": 0x65,
}

_BASIC_SEPTET: dict[str, int] = {
    char: septet for septet, char in enumerate(GSM7_BASIC_TABLE) if septet != GSM7_ESCAPE
}
_EXTENSION_CHAR: dict[int, str] = {septet: char for char, septet in GSM7_EXTENSION_TABLE.items()}
# The same tables for whole strings at C speed (the dispatcher encodes thousands of texts per
# second): every GSM-7 character, and each one's septet(s) as a str.translate table.
_GSM7_CHARACTERS = frozenset(_BASIC_SEPTET) | frozenset(GSM7_EXTENSION_TABLE)
_GSM7_TRANSLATION: dict[int, str] = {
    **{ord(char): chr(septet) for char, septet in _BASIC_SEPTET.items()},
    **{ord(char): chr(GSM7_ESCAPE) + chr(code) for char, code in GSM7_EXTENSION_TABLE.items()},
}

MAX_PARTS = 10
# R-T3: per part, in septets (GSM-7) or UTF-16 code units (UCS-2); a concatenated part gives
# 6 octets to the UDH (7 septets once padded to a septet boundary).
SINGLE_PART_LIMIT = {"gsm7": 160, "ucs2": 70}
MULTI_PART_LIMIT = {"gsm7": 153, "ucs2": 67}
UDH_CONCAT_8BIT = 0x00
UDH_CONCAT_16BIT = 0x08
ESM_CLASS_UDHI = 0x40


class SmsEncoding(StrEnum):
    """The two alphabets a text can go out in, with their SMPP `data_coding`."""

    GSM7 = "gsm7"
    UCS2 = "ucs2"

    @property
    def data_coding(self) -> int:
        return 0 if self is SmsEncoding.GSM7 else 8


@dataclass(frozen=True)
class SmsCount:
    """What the live counter shows (R-T3): characters, encoding, units used and parts.

    `units` are septets for GSM-7 (extension characters count two) and UTF-16 code units for
    UCS-2 (characters outside the BMP count two). `remaining` is how many units still fit in the
    last part before another part is needed. `forcing_ucs2` lists, in order of first
    appearance, the characters that are not in the GSM alphabet, so the page can mark them.
    """

    encoding: SmsEncoding
    characters: int
    units: int
    parts: int
    remaining: int
    forcing_ucs2: tuple[str, ...]

    @property
    def data_coding(self) -> int:
        return self.encoding.data_coding

    @property
    def fits(self) -> bool:
        """Whether the text can be sent: at most MAX_PARTS parts (R-T3)."""
        return self.parts <= MAX_PARTS


@dataclass(frozen=True)
class SmsPart:
    """One `submit_sm` worth of text: `short_message` is UDH + payload, `esm_class` 0x40 when
    there is a UDH."""

    sequence: int
    udh: bytes
    payload: bytes
    units: int

    @property
    def short_message(self) -> bytes:
        return self.udh + self.payload

    @property
    def esm_class(self) -> int:
        return ESM_CLASS_UDHI if self.udh else 0x00


@dataclass(frozen=True)
class EncodedSms:
    """A text ready for SMPP: its counts, the `data_coding` and the parts in order."""

    count: SmsCount
    parts: tuple[SmsPart, ...]
    reference: int | None

    @property
    def encoding(self) -> SmsEncoding:
        return self.count.encoding

    @property
    def data_coding(self) -> int:
        return self.count.encoding.data_coding


class TextTooLong(ValueError):
    """The text needs more than MAX_PARTS parts (R-T3); the API answers `text_too_long`."""

    def __init__(self, count: SmsCount) -> None:
        self.count = count
        self.max_parts = MAX_PARTS
        super().__init__(
            f"The text needs {count.parts} SMS parts ({count.characters} characters, "
            f"{count.units} {count.encoding} units); at most {MAX_PARTS} are allowed."
        )


class GsmDecodeError(ValueError):
    """Bytes that are not GSM 7-bit septets (one per octet)."""


def is_gsm7_character(char: str) -> bool:
    """Whether a character can be written in the GSM 7-bit alphabet (basic or extension)."""
    return char in _BASIC_SEPTET or char in GSM7_EXTENSION_TABLE


def counted_twice(text: str) -> tuple[str, ...]:
    """The characters of the text that count as two (R-T3): in GSM-7, those of the extension
    table (€ [ ] { } ~ ^ | \\ and the form feed), each once in order of first appearance; none
    when the text goes out in UCS-2, where every one of them is a single unit."""
    if not _GSM7_CHARACTERS.issuperset(text):
        return ()
    return tuple(dict.fromkeys(char for char in text if char in GSM7_EXTENSION_TABLE))


def count_sms(text: str) -> SmsCount:
    """Count a text as the live counter shows it, without building bytes (R-T3)."""
    text = _clean(text)
    encoding, widths, forcing = _measure(text)
    return _count(text, encoding, widths, forcing, _split(widths, encoding))


def encode_sms(text: str, *, reference: int | None = None) -> EncodedSms:
    """Encode and split a text for `submit_sm` (R-T3, R-T6).

    `reference` is the concatenation reference (0–255) shared by the parts of one text; random
    when not given, unused for a single part. Raises TextTooLong above MAX_PARTS parts.
    """
    if reference is not None and not 0 <= reference <= 0xFF:
        raise ValueError(f"The concatenation reference must be 0–255, not {reference}.")
    text = _clean(text)
    encoding, widths, forcing = _measure(text)
    bounds = _split(widths, encoding)
    count = _count(text, encoding, widths, forcing, bounds)
    if not count.fits:
        raise TextTooLong(count)
    total = len(bounds)
    if total == 1:
        reference = None
    elif reference is None:
        reference = secrets.randbelow(0x100)
    parts = []
    for sequence, (start, end) in enumerate(bounds, start=1):
        chunk = text[start:end]
        payload = _encode_gsm7(chunk) if encoding is SmsEncoding.GSM7 else chunk.encode("utf-16-be")
        udh = b""
        if reference is not None:
            udh = bytes((0x05, UDH_CONCAT_8BIT, 0x03, reference, total, sequence))
        parts.append(
            SmsPart(sequence=sequence, udh=udh, payload=payload, units=sum(widths[start:end]))
        )
    return EncodedSms(count=count, parts=tuple(parts), reference=reference)


def decode_gsm7(data: bytes) -> str:
    """Decode unpacked GSM 7-bit septets (one per octet), extension table included.

    An escape followed by a septet the extension table does not define reads as the basic
    character (23.038 §6.2.1.1); an escape at the very end means a sequence was cut in two.
    """
    chars = []
    escaped = False
    for octet in data:
        if octet > 0x7F:
            raise GsmDecodeError(f"0x{octet:02X} is not a GSM 7-bit septet.")
        if escaped:
            escaped = False
            if octet == GSM7_ESCAPE:
                chars.append(" ")  # 0x1B1B is reserved for a further extension: shown as space
            else:
                chars.append(_EXTENSION_CHAR.get(octet, GSM7_BASIC_TABLE[octet]))
        elif octet == GSM7_ESCAPE:
            escaped = True
        else:
            chars.append(GSM7_BASIC_TABLE[octet])
    if escaped:
        raise GsmDecodeError("The septets end inside an escape sequence.")
    return "".join(chars)


@dataclass(frozen=True)
class Concatenation:
    """The concatenation IE of a part's UDH (IE 0x00 or 0x08)."""

    reference: int
    total: int
    sequence: int


@dataclass(frozen=True)
class DecodedPart:
    """One received `short_message` read back: its text and, for a part, where it belongs."""

    text: str
    concatenation: Concatenation | None


def decode_short_message(short_message: bytes, *, data_coding: int, esm_class: int) -> DecodedPart:
    """Read back a `short_message` as this module writes it (the simulator and the tests).

    Understands `data_coding` 0 (GSM-7, one septet per octet) and 8 (UCS-2), and a UDH when
    `esm_class` has the UDHI bit. Raises ValueError on anything else or malformed bytes.
    """
    concatenation = None
    payload = short_message
    if esm_class & ESM_CLASS_UDHI:
        if not short_message:
            raise ValueError("The UDHI bit is set but the message is empty.")
        udh_length = short_message[0]
        if 1 + udh_length > len(short_message):
            raise ValueError("The UDH is longer than the message.")
        concatenation = _read_concatenation(short_message[1 : 1 + udh_length])
        payload = short_message[1 + udh_length :]
    if data_coding == SmsEncoding.GSM7.data_coding:
        text = decode_gsm7(payload)
    elif data_coding == SmsEncoding.UCS2.data_coding:
        if len(payload) % 2:
            raise ValueError("A UCS-2 payload has an even number of octets.")
        text = payload.decode("utf-16-be", errors="strict")
    else:
        raise ValueError(f"data_coding {data_coding} is not GSM-7 (0) or UCS-2 (8).")
    return DecodedPart(text=text, concatenation=concatenation)


def _read_concatenation(udh: bytes) -> Concatenation | None:
    position = 0
    while position + 2 <= len(udh):
        identifier, length = udh[position], udh[position + 1]
        value = udh[position + 2 : position + 2 + length]
        if len(value) != length:
            raise ValueError("A UDH information element runs past the header.")
        if identifier == UDH_CONCAT_8BIT and length == 3:
            return Concatenation(reference=value[0], total=value[1], sequence=value[2])
        if identifier == UDH_CONCAT_16BIT and length == 4:
            return Concatenation(
                reference=int.from_bytes(value[:2], "big"), total=value[2], sequence=value[3]
            )
        position += 2 + length
    if position != len(udh):
        raise ValueError("The UDH ends inside an information element.")
    return None


def _clean(text: str) -> str:
    # A lone surrogate (possible in a decoded JSON string) is no character and cannot be
    # written as UTF-16: it becomes U+FFFD, as a phone would show it.
    return text.encode("utf-16-be", errors="surrogatepass").decode("utf-16-be", errors="replace")


def _measure(text: str) -> tuple[SmsEncoding, list[int], tuple[str, ...]]:
    """The encoding, the width of every character in its units, and the non-GSM characters."""
    forcing: tuple[str, ...] = ()
    if not _GSM7_CHARACTERS.issuperset(text):
        forcing = tuple(dict.fromkeys(char for char in text if not is_gsm7_character(char)))
    if forcing:
        return SmsEncoding.UCS2, [2 if ord(char) > 0xFFFF else 1 for char in text], forcing
    return SmsEncoding.GSM7, [2 if char in GSM7_EXTENSION_TABLE else 1 for char in text], ()


def _split(widths: list[int], encoding: SmsEncoding) -> list[tuple[int, int]]:
    """Character ranges of the parts. A character never straddles two parts, so an escape
    sequence or a surrogate pair that would cross a boundary goes whole to the next part."""
    if sum(widths) <= SINGLE_PART_LIMIT[encoding]:
        return [(0, len(widths))]
    limit = MULTI_PART_LIMIT[encoding]
    bounds = []
    start = used = 0
    for index, width in enumerate(widths):
        if used + width > limit:
            bounds.append((start, index))
            start, used = index, 0
        used += width
    bounds.append((start, len(widths)))
    return bounds


def _count(
    text: str,
    encoding: SmsEncoding,
    widths: list[int],
    forcing: tuple[str, ...],
    bounds: list[tuple[int, int]],
) -> SmsCount:
    start, end = bounds[-1]
    limit = SINGLE_PART_LIMIT[encoding] if len(bounds) == 1 else MULTI_PART_LIMIT[encoding]
    return SmsCount(
        encoding=encoding,
        characters=len(text),
        units=sum(widths),
        parts=len(bounds),
        remaining=limit - sum(widths[start:end]),
        forcing_ucs2=forcing,
    )


def _encode_gsm7(text: str) -> bytes:
    # Every character is in the alphabet (checked by _measure): one septet per octet, an
    # extension character as ESC + its code.
    return text.translate(_GSM7_TRANSLATION).encode("latin-1")
