"""Delivery receipts (R-T5, R-T6): read from the TLVs or the Appendix B text, matched to the
submit_sm_resp id whether either side writes it in hex or decimal."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from centrex.smsc.pdu import DeliverSm, MessageState, NetworkErrorCode, Tlvs, decode_pdu
from centrex.smsc.receipts import (
    DeliveryReceipt,
    ReceiptError,
    ReceiptState,
    message_ids_match,
    normalize_message_id,
    parse_receipt,
)

APPENDIX_B = (
    b"id:0123456789 sub:001 dlvrd:001 submit date:2401151030 done date:2401151031 "
    b"stat:DELIVRD err:000 text:Il tuo codice e 1"
)


def test_the_appendix_b_text_is_read_field_by_field() -> None:
    # given a receipt in the format of SMPP 3.4 Appendix B, without TLVs
    # when it is parsed
    receipt = parse_receipt(APPENDIX_B)
    # then every field is read
    assert receipt == DeliveryReceipt(
        message_id="0123456789",
        state=ReceiptState.DELIVERED,
        stat="DELIVRD",
        submitted_at=datetime(2024, 1, 15, 10, 30),
        done_at=datetime(2024, 1, 15, 10, 31),
        error_code="000",
        network_error=None,
        submitted_count="001",
        delivered_count="001",
        text="Il tuo codice e 1",
    )


@pytest.mark.parametrize(
    ("stat", "state"),
    [
        ("DELIVRD", ReceiptState.DELIVERED),
        ("UNDELIV", ReceiptState.UNDELIVERABLE),
        ("EXPIRED", ReceiptState.EXPIRED),
        ("REJECTD", ReceiptState.REJECTED),
        ("DELETED", ReceiptState.DELETED),
        ("UNKNOWN", ReceiptState.UNKNOWN),
        ("ACCEPTD", ReceiptState.ACCEPTED),
        ("ENROUTE", ReceiptState.ENROUTE),
        ("delivrd", ReceiptState.DELIVERED),
        ("Undeliv", ReceiptState.UNDELIVERABLE),
        ("DELIVERED", ReceiptState.DELIVERED),
        ("REJECTED", ReceiptState.REJECTED),
    ],
)
def test_every_stat_maps_to_its_state_in_any_case(stat: str, state: ReceiptState) -> None:
    receipt = parse_receipt(f"id:42 stat:{stat} err:000".encode())
    assert receipt.state is state
    assert receipt.stat == stat


@pytest.mark.parametrize(
    ("message_state", "state"),
    [
        (MessageState.ENROUTE, ReceiptState.ENROUTE),
        (MessageState.DELIVERED, ReceiptState.DELIVERED),
        (MessageState.EXPIRED, ReceiptState.EXPIRED),
        (MessageState.DELETED, ReceiptState.DELETED),
        (MessageState.UNDELIVERABLE, ReceiptState.UNDELIVERABLE),
        (MessageState.ACCEPTED, ReceiptState.ACCEPTED),
        (MessageState.UNKNOWN, ReceiptState.UNKNOWN),
        (MessageState.REJECTED, ReceiptState.REJECTED),
    ],
)
def test_every_message_state_maps_to_its_state(
    message_state: MessageState, state: ReceiptState
) -> None:
    receipt = parse_receipt(b"", Tlvs(receipted_message_id="1A2B", message_state=message_state))
    assert (receipt.message_id, receipt.state) == ("1A2B", state)


def test_the_tlvs_win_over_the_text() -> None:
    # given a receipt whose text says decimal 6699 delivered, and whose TLVs say 1A2B undelivered
    tlvs = Tlvs(
        receipted_message_id="1A2B",
        message_state=MessageState.UNDELIVERABLE,
        network_error_code=NetworkErrorCode(network_type=1, error_code=0x22),
    )
    # when it is parsed
    receipt = parse_receipt(b"id:6699 sub:001 dlvrd:001 stat:DELIVRD err:000", tlvs)
    # then the TLVs are believed, and the text still fills the rest
    assert (receipt.message_id, receipt.state) == ("1A2B", ReceiptState.UNDELIVERABLE)
    assert receipt.network_error == NetworkErrorCode(network_type=1, error_code=0x22)
    assert (receipt.stat, receipt.error_code) == ("DELIVRD", "000")


def test_an_unknown_message_state_falls_back_to_the_text() -> None:
    receipt = parse_receipt(b"id:7 stat:EXPIRED", Tlvs(message_state=99))
    assert receipt.state is ReceiptState.EXPIRED


def test_the_text_may_come_in_message_payload() -> None:
    receipt = parse_receipt(b"", Tlvs(message_payload=b"id:abc stat:REJECTD err:0B1"))
    assert (receipt.message_id, receipt.state, receipt.error_code) == (
        "abc",
        ReceiptState.REJECTED,
        "0B1",
    )


@pytest.mark.parametrize(
    ("short_message", "message_id", "state", "done_at"),
    [
        # Kannel / many SMSCs: capital "Text:", hex id
        (
            b"id:2B5D4A3F sub:001 dlvrd:001 submit date:2401151030 done date:2401151031 "
            b"stat:DELIVRD err:000 Text:Ciao",
            "2B5D4A3F",
            ReceiptState.DELIVERED,
            datetime(2024, 1, 15, 10, 31),
        ),
        # no sub/dlvrd, no text, seconds in the dates
        (
            b"id:1234567890 submit date:240115103000 done date:240115103159 stat:UNDELIV err:001",
            "1234567890",
            ReceiptState.UNDELIVERABLE,
            datetime(2024, 1, 15, 10, 31, 59),
        ),
        # underscores in the date names, lowercase stat
        (
            b"id:88 sub:1 dlvrd:0 submit_date:2312312359 done_date:2401010001 stat:expired err:0",
            "88",
            ReceiptState.EXPIRED,
            datetime(2024, 1, 1, 0, 1),
        ),
        # a UUID id and upper-case field names
        (
            b"ID:3f1c9a2e-5b7d-4e8f-9a0b-1c2d3e4f5a6b STAT:ACCEPTD ERR:000",
            "3f1c9a2e-5b7d-4e8f-9a0b-1c2d3e4f5a6b",
            ReceiptState.ACCEPTED,
            None,
        ),
        # a date that is no date is dropped, the receipt is not
        (
            b"id:5 submit date:2413991030 done date:24 stat:DELIVRD",
            "5",
            ReceiptState.DELIVERED,
            None,
        ),
    ],
)
def test_receipts_of_common_smscs_are_read(
    short_message: bytes, message_id: str, state: ReceiptState, done_at: datetime | None
) -> None:
    receipt = parse_receipt(short_message)
    assert (receipt.message_id, receipt.state, receipt.done_at) == (message_id, state, done_at)


def test_words_inside_the_text_field_are_not_taken_for_fields() -> None:
    # given a receipt whose original text contains "id:" and "stat:"
    receipt = parse_receipt(b"id:77 sub:001 dlvrd:001 stat:UNDELIV err:005 text:id:99 stat:DELIVRD")
    # then only the fields before text: count
    assert (receipt.message_id, receipt.state) == ("77", ReceiptState.UNDELIVERABLE)
    assert receipt.text == "id:99 stat:DELIVRD"


def test_a_field_name_inside_another_word_is_not_a_field() -> None:
    receipt = parse_receipt(b"messageid:1 id:2 substat:DELIVRD stat:REJECTD")
    assert (receipt.message_id, receipt.state) == ("2", ReceiptState.REJECTED)


@pytest.mark.parametrize(
    ("short_message", "tlvs", "error"),
    [
        (b"sub:001 dlvrd:001 stat:DELIVRD", None, "no message id"),
        (b"id: stat:DELIVRD", Tlvs(receipted_message_id=""), "no message id"),
        (b"id:42 sub:001 dlvrd:001 err:000", None, "no known state"),
        (b"id:42 stat:WHATEVER", None, "no known state"),
        (b"", None, "no message id"),
        (b"\xff\xfe\x00garbage", None, "no message id"),
    ],
)
def test_a_message_that_is_no_receipt_is_refused(
    short_message: bytes, tlvs: Tlvs | None, error: str
) -> None:
    with pytest.raises(ReceiptError, match=error):
        parse_receipt(short_message, tlvs)


def test_only_enroute_is_not_final() -> None:
    assert [state for state in ReceiptState if not state.is_final] == [ReceiptState.ENROUTE]


def test_a_receipt_read_off_the_wire_matches_its_submit_response() -> None:
    # given a deliver_sm receipt as an SMSC sends it: hex id in the TLV, decimal id in the text
    wire = DeliverSm(
        sequence_number=9,
        esm_class=0x04,
        short_message=b"id:0000006699 sub:001 dlvrd:001 submit date:2401151030 "
        b"done date:2401151031 stat:DELIVRD err:000 text:",
        tlvs=Tlvs(message_state=MessageState.DELIVERED),
    ).encode()
    pdu = decode_pdu(wire)
    assert isinstance(pdu, DeliverSm)
    assert pdu.is_delivery_receipt
    # when it is parsed
    receipt = parse_receipt(pdu.short_message, pdu.tlvs)
    # then its id finds the part the SMSC acknowledged with "1A2B"
    stored_key = normalize_message_id("1A2B").key
    assert stored_key in receipt.id_keys.candidates
    assert receipt.text == ""


# --- message id keys -----------------------------------------------------------------------


def test_a_hex_id_has_its_decimal_reading_as_candidate() -> None:
    keys = normalize_message_id("1A2B")
    assert (keys.raw, keys.key) == ("1A2B", "1a2b")
    assert keys.candidates == ("1a2b", "6699")


def test_a_decimal_id_has_its_hex_reading_as_candidate() -> None:
    keys = normalize_message_id("6699")
    assert keys.key == "6699"
    # first as written, then decimal → hex, then read as hex → decimal
    assert keys.candidates == ("6699", "1a2b", "26265")


def test_leading_zeros_and_blanks_do_not_matter() -> None:
    assert normalize_message_id(" 0000006699 ").key == "6699"
    assert normalize_message_id("00001A2B").key == "1a2b"
    assert normalize_message_id("0000").key == "0"


def test_an_id_that_is_no_number_is_only_lowercased() -> None:
    keys = normalize_message_id("3F1C9A2E-5B7D-4E8F")
    assert keys.key == "3f1c9a2e-5b7d-4e8f"
    assert keys.candidates == ("3f1c9a2e-5b7d-4e8f",)
    assert normalize_message_id("0abc-1").key == "0abc-1"


def test_a_very_long_number_is_not_converted() -> None:
    long_id = "9" * 65
    assert normalize_message_id(long_id).candidates == (long_id,)


@pytest.mark.parametrize(
    ("first", "second", "match"),
    [
        ("1A2B", "6699", True),
        ("6699", "1A2B", True),
        ("00001a2b", "0000006699", True),
        ("1A2B", "1a2b", True),
        ("abc-1", "ABC-1", True),
        ("1A2B", "6698", False),
        ("abc-1", "abc-2", False),
        ("12", "13", False),
    ],
)
def test_ids_match_however_each_side_writes_them(first: str, second: str, match: bool) -> None:
    assert message_ids_match(first, second) is match
    assert message_ids_match(second, first) is match


@settings(database=None, max_examples=300)
@given(st.binary(max_size=200), st.one_of(st.none(), st.text(max_size=20)), st.integers(0, 255))
def test_any_deliver_sm_content_is_a_receipt_or_a_receipt_error(
    short_message: bytes, receipted_message_id: str | None, message_state: int
) -> None:
    tlvs = Tlvs(receipted_message_id=receipted_message_id, message_state=message_state)
    try:
        receipt = parse_receipt(short_message, tlvs)
    except ReceiptError:
        return
    assert receipt.message_id.strip() == receipt.message_id != ""
    assert isinstance(receipt.state, ReceiptState)


@settings(database=None, max_examples=300)
@given(
    st.one_of(
        st.text(max_size=70),
        st.integers(0, 2**64).map(str),
        st.integers(0, 2**64).map("{:X}".format),
    )
)
def test_every_id_matches_itself_and_its_key_comes_first(message_id: str) -> None:
    keys = normalize_message_id(message_id)
    assert keys.candidates[0] == keys.key
    assert len(set(keys.candidates)) == len(keys.candidates)
    assert message_ids_match(message_id, message_id)
    assert message_ids_match(message_id, message_id.lower().strip())


@settings(database=None, max_examples=300)
@given(st.integers(0, 2**64))
def test_a_number_written_in_hex_matches_it_written_in_decimal(number: int) -> None:
    assert message_ids_match(f"{number:X}", str(number))
    assert message_ids_match(f"{number:010d}", f"{number:08x}")
