"""R-T3: GSM 03.38 7-bit or UCS-2, parts of 160/153 and 70/67, at most 10 parts, UDH IE 0x00."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from centrex.sms.encoding import (
    GSM7_BASIC_TABLE,
    GSM7_EXTENSION_TABLE,
    MAX_PARTS,
    Concatenation,
    GsmDecodeError,
    SmsEncoding,
    SmsPart,
    TextTooLong,
    count_sms,
    decode_gsm7,
    decode_short_message,
    encode_sms,
    is_gsm7_character,
)

BASIC_CHARACTERS = [char for char in GSM7_BASIC_TABLE if char != "\x1b"]
EXTENSION_CHARACTERS = list(GSM7_EXTENSION_TABLE)
GSM_ALPHABET = "".join(BASIC_CHARACTERS + EXTENSION_CHARACTERS)
LIMITS = {SmsEncoding.GSM7: (160, 153), SmsEncoding.UCS2: (70, 67)}


def decoded_text(encoded_parts: tuple[SmsPart, ...], encoding: SmsEncoding) -> str:
    """The text the handset shows: every part decoded on its own, then joined."""
    return "".join(
        decode_short_message(
            part.short_message, data_coding=encoding.data_coding, esm_class=part.esm_class
        ).text
        for part in encoded_parts
    )


# --- the alphabet ---------------------------------------------------------------------------


def test_the_basic_table_has_128_positions_with_the_escape_at_0x1b() -> None:
    assert len(GSM7_BASIC_TABLE) == 128
    assert GSM7_BASIC_TABLE[0x1B] == "\x1b"
    assert len(set(BASIC_CHARACTERS)) == 127


def test_the_extension_table_is_the_ten_characters_of_23_038() -> None:
    assert set(GSM7_EXTENSION_TABLE) == set("^{}\\[~]|€\f")
    assert GSM7_EXTENSION_TABLE == {
        "\f": 0x0A, "^": 0x14, "{": 0x28, "}": 0x29, "\\": 0x2F,
        "[": 0x3C, "~": 0x3D, "]": 0x3E, "|": 0x40, "€": 0x65,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("septet", "char"),
    [(septet, char) for septet, char in enumerate(GSM7_BASIC_TABLE) if septet != 0x1B],
    ids=lambda value: f"{value:02X}" if isinstance(value, int) else repr(value),
)
def test_every_basic_character_counts_one_septet_and_round_trips(septet: int, char: str) -> None:
    # given a text of one character of the basic table
    # when it is encoded
    encoded = encode_sms(char)
    # then it stays GSM-7, costs one septet, is sent as its septet and reads back as itself
    assert encoded.encoding is SmsEncoding.GSM7
    assert encoded.data_coding == 0
    assert (encoded.count.characters, encoded.count.units) == (1, 1)
    assert encoded.parts[0].short_message == bytes([septet])
    assert decode_gsm7(bytes([septet])) == char


@pytest.mark.parametrize("char", EXTENSION_CHARACTERS, ids=repr)
def test_every_extension_character_counts_two_septets_and_round_trips(char: str) -> None:
    # given a character of the extension table, alone and among others
    # when it is encoded
    encoded = encode_sms(f"a{char}b")
    # then it stays GSM-7 and costs ESC + its septet
    assert encoded.encoding is SmsEncoding.GSM7
    assert (encoded.count.characters, encoded.count.units) == (3, 4)
    assert encoded.parts[0].short_message == b"a\x1b" + bytes([GSM7_EXTENSION_TABLE[char]]) + b"b"
    assert decode_gsm7(encoded.parts[0].short_message) == f"a{char}b"
    assert count_sms(char).units == 2


@pytest.mark.parametrize(
    "char",
    ["Ç", "à", "è", "é", "ù", "ì", "ò", "É", "Ä", "Ö", "Ñ", "Ü", "ä", "ö", "ñ", "ü", "ß", "Æ",
     "æ", "Ø", "ø", "Å", "å", "¡", "¿", "§", "¤", "£", "¥", "$", "@", "_", "\n", "\r",
     "Δ", "Φ", "Γ", "Λ", "Ω", "Π", "Ψ", "Σ", "Θ", "Ξ"],
    ids=repr,
)  # fmt: skip
def test_accented_and_greek_characters_of_the_table_stay_gsm(char: str) -> None:
    assert is_gsm7_character(char)
    assert count_sms(f"Ciao {char}").encoding is SmsEncoding.GSM7


@pytest.mark.parametrize(
    "char",
    ["ç", "á", "í", "ó", "ú", "È", "À", "Ì", "Ò", "Ù", "â", "ê", "ô", "õ", "ã", "`", "\t",
     "’", "“", "”", "…", "–", "α", "δ", "Ж", "中", "\u0301", "\u00a0"],
    ids=repr,
)  # fmt: skip
def test_a_character_outside_the_table_forces_ucs2_and_is_listed(char: str) -> None:
    # given a text that is GSM but for one character
    text = f"Perché {char} no"
    # when it is counted
    count = count_sms(text)
    # then it goes as UCS-2 and the counter can mark that character
    assert not is_gsm7_character(char)
    assert count.encoding is SmsEncoding.UCS2
    assert count.data_coding == 8
    assert count.forcing_ucs2 == (char,)
    assert count.units == len(text)


def test_forcing_characters_are_listed_once_in_order_of_appearance() -> None:
    count = count_sms("ça va? Ça, ça… 😀 ok ç")
    assert count.forcing_ucs2 == ("ç", "…", "😀")


def test_a_gsm_text_lists_no_forcing_character() -> None:
    assert count_sms("Il tuo codice è 123456 {€}").forcing_ucs2 == ()


# --- UCS-2 and surrogate pairs --------------------------------------------------------------


def test_an_emoji_is_one_character_and_two_ucs2_units() -> None:
    # given an emoji outside the BMP
    # when it is encoded
    encoded = encode_sms("😀")
    # then it is one character, two UTF-16 units, a big-endian surrogate pair
    assert encoded.encoding is SmsEncoding.UCS2
    assert (encoded.count.characters, encoded.count.units) == (1, 2)
    assert encoded.parts[0].short_message == bytes.fromhex("d83dde00")


def test_ucs2_is_big_endian_without_byte_order_mark() -> None:
    assert encode_sms("çA").parts[0].short_message == bytes.fromhex("00e70041")


def test_a_lone_surrogate_is_sent_as_a_replacement_character() -> None:
    encoded = encode_sms("a\ud800b")
    assert encoded.encoding is SmsEncoding.UCS2
    assert encoded.parts[0].short_message == "a\ufffdb".encode("utf-16-be")


# --- boundaries -----------------------------------------------------------------------------


def test_160_septets_are_one_part_without_udh_and_161_are_two() -> None:
    one, two = encode_sms("a" * 160), encode_sms("a" * 161)
    assert len(one.parts) == 1
    assert one.parts[0].udh == b""
    assert one.parts[0].esm_class == 0x00
    assert one.reference is None
    assert one.count.remaining == 0
    assert [part.units for part in two.parts] == [153, 8]
    assert two.count.remaining == 145
    assert all(part.esm_class == 0x40 for part in two.parts)


@pytest.mark.parametrize("parts", range(2, MAX_PARTS + 1))
def test_153_septets_per_part_fill_n_parts_and_one_more_needs_another(parts: int) -> None:
    # given texts of exactly 153×n septets and one more
    exact = encode_sms("x" * (153 * parts))
    # then 153×n fills n parts exactly
    assert len(exact.parts) == parts
    assert all(part.units == 153 for part in exact.parts)
    assert all(len(part.short_message) == 6 + 153 for part in exact.parts)
    # and 153×n + 1 needs n + 1 parts (or is too long past 10)
    if parts < MAX_PARTS:
        assert len(encode_sms("x" * (153 * parts + 1)).parts) == parts + 1
    else:
        with pytest.raises(TextTooLong):
            encode_sms("x" * (153 * parts + 1))


def test_70_units_are_one_ucs2_part_and_71_are_two() -> None:
    one, two = encode_sms("ж" * 70), encode_sms("ж" * 71)
    assert (len(one.parts), one.parts[0].udh, len(one.parts[0].short_message)) == (1, b"", 140)
    assert [part.units for part in two.parts] == [67, 4]
    assert len(two.parts[0].short_message) == 6 + 134


@pytest.mark.parametrize("parts", range(2, MAX_PARTS + 1))
def test_67_units_per_part_fill_n_parts_and_one_more_needs_another(parts: int) -> None:
    exact = encode_sms("ж" * (67 * parts))
    assert len(exact.parts) == parts
    assert all(part.units == 67 for part in exact.parts)
    if parts < MAX_PARTS:
        assert len(encode_sms("ж" * (67 * parts + 1)).parts) == parts + 1
    else:
        with pytest.raises(TextTooLong):
            encode_sms("ж" * (67 * parts + 1))


def test_an_extension_character_counts_two_at_the_single_part_limit() -> None:
    assert len(encode_sms("a" * 158 + "€").parts) == 1
    assert count_sms("a" * 159 + "€").parts == 2


def test_an_escape_sequence_straddling_153_goes_whole_to_the_next_part() -> None:
    # given a long text whose '€' would take the 153rd and 154th septet of the first part
    text = "a" * 152 + "€" + "b" * 10
    # when it is split
    encoded = encode_sms(text)
    # then the first part stops at 152 septets and the second starts with ESC + '€'
    first, second = encoded.parts
    assert first.payload == b"a" * 152
    assert first.units == 152
    assert second.payload == b"\x1b\x65" + b"b" * 10
    assert decoded_text(encoded.parts, encoded.encoding) == text


def test_a_surrogate_pair_straddling_67_goes_whole_to_the_next_part() -> None:
    # given a long UCS-2 text whose emoji would take the 67th and 68th unit of the first part
    text = "ж" * 66 + "😀" + "ж" * 5
    # when it is split
    encoded = encode_sms(text)
    # then the first part stops at 66 units and the second starts with the whole pair
    first, second = encoded.parts
    assert first.units == 66
    assert first.payload == ("ж" * 66).encode("utf-16-be")
    assert second.payload.startswith(bytes.fromhex("d83dde00"))
    assert decoded_text(encoded.parts, encoded.encoding) == text


def test_a_surrogate_pair_counts_two_at_the_single_part_limit() -> None:
    assert len(encode_sms("ж" * 68 + "😀").parts) == 1
    assert count_sms("ж" * 69 + "😀").parts == 2


def test_extension_characters_only_fit_76_per_part() -> None:
    # given texts made only of '€' (two septets each)
    # then 80 fit one part, 81 need two parts of 76 + 5
    assert len(encode_sms("€" * 80).parts) == 1
    assert [part.units for part in encode_sms("€" * 81).parts] == [152, 10]


def test_ten_parts_are_allowed_and_eleven_are_too_long() -> None:
    assert len(encode_sms("a" * 1530).parts) == 10
    with pytest.raises(TextTooLong) as raised:
        encode_sms("a" * 1531)
    assert raised.value.count.parts == 11
    assert raised.value.count.characters == 1531
    assert raised.value.count.units == 1531
    assert raised.value.max_parts == MAX_PARTS
    assert "11 SMS parts" in str(raised.value)


def test_unsplittable_escapes_can_make_a_text_under_1530_septets_too_long() -> None:
    # 761 '€' are 1522 septets, but 76 per part make 11 parts
    assert len(encode_sms("€" * 760).parts) == 10
    with pytest.raises(TextTooLong) as raised:
        encode_sms("€" * 761)
    assert (raised.value.count.units, raised.value.count.parts) == (1522, 11)


def test_the_counter_does_not_raise_for_a_text_too_long() -> None:
    count = count_sms("a" * 2000)
    assert (count.parts, count.fits) == (14, False)
    assert count_sms("a" * 1530).fits


def test_an_empty_text_is_one_empty_gsm_part() -> None:
    encoded = encode_sms("")
    assert encoded.encoding is SmsEncoding.GSM7
    assert (encoded.count.units, encoded.count.parts, encoded.count.remaining) == (0, 1, 160)
    assert encoded.parts[0].short_message == b""


def test_remaining_counts_what_still_fits_in_the_last_part() -> None:
    assert count_sms("a" * 10).remaining == 150
    assert count_sms("a" * 152 + "€").remaining == 160 - 154
    assert count_sms("a" * 160 + "€").remaining == 153 - 9
    assert count_sms("ж" * 10 + "😀").remaining == 70 - 12


# --- concatenation --------------------------------------------------------------------------


def test_parts_carry_the_8_bit_concatenation_header() -> None:
    # given a text of three parts and a chosen reference
    encoded = encode_sms("a" * 400, reference=0xAB)
    # then each part starts with 05 00 03 ref total seq and is sent with esm_class 0x40
    assert encoded.reference == 0xAB
    assert [part.udh.hex() for part in encoded.parts] == [
        "050003ab0301", "050003ab0302", "050003ab0303",
    ]  # fmt: skip
    assert [part.sequence for part in encoded.parts] == [1, 2, 3]
    assert all(part.esm_class == 0x40 for part in encoded.parts)
    assert all(part.short_message.startswith(part.udh) for part in encoded.parts)


def test_a_random_reference_is_shared_by_every_part() -> None:
    encoded = encode_sms("a" * 400)
    assert encoded.reference is not None
    assert 0 <= encoded.reference <= 0xFF
    assert {part.udh[3] for part in encoded.parts} == {encoded.reference}


def test_a_single_part_ignores_the_reference() -> None:
    encoded = encode_sms("ciao", reference=7)
    assert (encoded.reference, encoded.parts[0].udh) == (None, b"")


@pytest.mark.parametrize("reference", [-1, 256])
def test_a_reference_out_of_one_octet_is_refused(reference: int) -> None:
    with pytest.raises(ValueError, match="0–255"):
        encode_sms("a" * 400, reference=reference)


@pytest.mark.parametrize(
    "text",
    [
        "Prezzo: 10€ {offerta} [codice] " * 20,
        "€{[" * 100,
        "a" + "€" * 200,
        "[" * 77 + "{" * 77 + "€" * 77,
    ],
)
def test_texts_with_euro_and_brackets_split_without_cutting_an_escape(text: str) -> None:
    # given a long GSM text full of extension characters (aiosmpplib 0.7.4 mis-split these)
    # when it is split
    encoded = encode_sms(text, reference=1)
    # then every part decodes on its own (no part ends on a lone ESC) and they join to the text
    assert encoded.encoding is SmsEncoding.GSM7
    assert not any(part.payload.endswith(b"\x1b") for part in encoded.parts)
    assert all(part.units <= 153 for part in encoded.parts)
    assert decoded_text(encoded.parts, encoded.encoding) == text
    assert encoded.count.units == len(text) + sum(text.count(c) for c in EXTENSION_CHARACTERS)


# --- decoding -------------------------------------------------------------------------------


def test_decoding_refuses_octets_above_0x7f() -> None:
    with pytest.raises(GsmDecodeError, match="0x80"):
        decode_gsm7(b"ab\x80")


def test_decoding_refuses_an_escape_cut_at_the_end() -> None:
    with pytest.raises(GsmDecodeError, match="escape"):
        decode_gsm7(b"abc\x1b")


def test_an_undefined_escape_reads_as_the_basic_character() -> None:
    # 23.038: a septet the extension table does not define shows as the basic table's
    assert decode_gsm7(b"\x1b\x41") == "A"
    assert decode_gsm7(b"\x1b\x1b") == " "


def test_a_ucs2_part_reads_back_with_its_concatenation() -> None:
    encoded = encode_sms("ж" * 100, reference=9)
    decoded = decode_short_message(
        encoded.parts[1].short_message, data_coding=8, esm_class=encoded.parts[1].esm_class
    )
    assert decoded.concatenation == Concatenation(reference=9, total=2, sequence=2)
    assert decoded.text == "ж" * 33


def test_a_16_bit_reference_header_is_understood() -> None:
    message = bytes.fromhex("0608041234020100410042")
    decoded = decode_short_message(message, data_coding=8, esm_class=0x40)
    assert decoded.concatenation == Concatenation(reference=0x1234, total=2, sequence=1)
    assert decoded.text == "AB"


def test_a_header_without_concatenation_leaves_it_empty() -> None:
    decoded = decode_short_message(bytes.fromhex("0605040b8423f0") + b"hi", data_coding=0,
                                   esm_class=0x40)  # fmt: skip
    assert (decoded.concatenation, decoded.text) == (None, "hi")


@pytest.mark.parametrize(
    ("message", "data_coding", "esm_class", "error"),
    [
        (b"\x00A\x00", 8, 0, "even"),
        (b"hi", 4, 0, "data_coding"),
        (b"", 0, 0x40, "empty"),
        (b"\x09\x00\x03", 0, 0x40, "longer"),
        (b"\x04\x00\x05\x01\x02", 0, 0x40, "past"),
        (b"\x01\x00", 0, 0x40, "ends inside"),
    ],
)
def test_malformed_short_messages_are_refused_with_a_value_error(
    message: bytes, data_coding: int, esm_class: int, error: str
) -> None:
    with pytest.raises(ValueError, match=error):
        decode_short_message(message, data_coding=data_coding, esm_class=esm_class)


# --- properties -----------------------------------------------------------------------------


def assert_well_split(text: str) -> None:
    count = count_sms(text)
    if not count.fits:
        with pytest.raises(TextTooLong):
            encode_sms(text)
        return
    encoded = encode_sms(text)
    single, multi = LIMITS[encoded.encoding]
    limit = single if len(encoded.parts) == 1 else multi
    # the counter and the encoder agree
    assert encoded.count == count
    assert len(encoded.parts) == count.parts <= MAX_PARTS
    # every part fits its limit, is counted right, and decodes on its own
    for part in encoded.parts:
        assert part.units <= limit
        if encoded.encoding is SmsEncoding.GSM7:
            assert len(part.payload) == part.units
        else:
            assert len(part.payload) == 2 * part.units
    assert sum(part.units for part in encoded.parts) == count.units
    assert decoded_text(encoded.parts, encoded.encoding) == encoded_text(text)
    # no part could have taken the next part's first character (greedy split: fewest parts)
    for part, following in zip(encoded.parts, encoded.parts[1:], strict=False):
        assert part.units + first_character_width(following, encoded.encoding) > limit


def first_character_width(part: SmsPart, encoding: SmsEncoding) -> int:
    if encoding is SmsEncoding.GSM7:
        return 2 if part.payload[0] == 0x1B else 1
    return 2 if 0xD8 <= part.payload[0] <= 0xDB else 1


def encoded_text(text: str) -> str:
    return text.encode("utf-16-be", "surrogatepass").decode("utf-16-be", "replace")


def texts_of(alphabet: st.SearchStrategy[str], max_size: int) -> st.SearchStrategy[str]:
    """Texts whose length is drawn evenly up to max_size, so long texts are as common as short
    ones and every part count (and the 11th part) comes up."""
    return st.integers(0, max_size).flatmap(
        lambda size: st.text(alphabet=alphabet, min_size=size, max_size=size)
    )


@settings(database=None, max_examples=300)
@given(texts_of(st.sampled_from(GSM_ALPHABET), 1700))
def test_any_gsm_text_splits_and_reads_back(text: str) -> None:
    assert count_sms(text).encoding is SmsEncoding.GSM7
    assert_well_split(text)


@settings(database=None, max_examples=300)
@given(
    texts_of(
        st.one_of(
            st.sampled_from(GSM_ALPHABET),
            st.sampled_from("çáж中’😀🎉👍🏽𝄞"),
            st.characters(codec="utf-8"),
        ),
        800,
    )
)
def test_any_text_splits_and_reads_back(text: str) -> None:
    assert_well_split(text)


@settings(database=None, max_examples=200)
@given(texts_of(st.sampled_from(["a", "€", "{", "ж", "😀"]), 800))
def test_boundary_heavy_texts_split_and_read_back(text: str) -> None:
    assert_well_split(text)
