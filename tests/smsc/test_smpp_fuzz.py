"""Fuzzing what an SMSC may send (issue 13, R-T6): any bytes give decoded PDUs or the codec's
own errors, never another exception; every PDU the codec writes reads back the same; a
session fed anything answers only with PDUs the codec can read and never raises; and whatever a
deliver_sm says, what the dispatcher makes of it (`receipt_of`) can be stored — by both
databases (PostgreSQL stores no NUL in text and checks the length of the id columns).

Found on the way and fixed: a receipt whose id held a NUL (`id:12\\x0034`) or was longer than
SMPP's 64 characters stopped the dispatcher on PostgreSQL — the recording round failed with
DataError and was retried for ever, so nothing else was recorded —, and a receipt whose fields
were separated by NUL (`stat:DELIVRD\\x00`) was refused as unreadable."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from centrex.sms.models import SmsPart, SmsReceipt
from centrex.sms.queue import record_receipts
from centrex.smsc.client import SmppConnection
from centrex.smsc.pdu import (
    ESM_CLASS_DELIVERY_RECEIPT,
    MAX_PDU_LENGTH,
    BindReceiver,
    BindReceiverResp,
    BindTransceiver,
    BindTransceiverResp,
    BindTransmitter,
    BindTransmitterResp,
    CommandId,
    DeliverSm,
    DeliverSmResp,
    EnquireLink,
    EnquireLinkResp,
    GenericNack,
    NetworkErrorCode,
    Pdu,
    PduBodyError,
    PduError,
    PduFramingError,
    PduReader,
    SubmitSm,
    SubmitSmResp,
    Tlv,
    Tlvs,
    TlvTag,
    Unbind,
    UnbindResp,
    UnknownPdu,
    decode_pdu,
)
from centrex.smsc.pipeline import receipt_of
from centrex.smsc.receipts import ReceiptError

# Failures print the `@reproduce_failure` blob that replays them.
FUZZ = settings(database=None, max_examples=300, deadline=None, print_blob=True)
U32 = st.integers(0, 0xFFFFFFFF)
OCTET = st.integers(0, 255)
TYPED_TAGS = {
    TlvTag.RECEIPTED_MESSAGE_ID,
    TlvTag.MESSAGE_STATE,
    TlvTag.NETWORK_ERROR_CODE,
    TlvTag.SAR_MSG_REF_NUM,
    TlvTag.SAR_TOTAL_SEGMENTS,
    TlvTag.SAR_SEGMENT_SEQNUM,
    TlvTag.MESSAGE_PAYLOAD,
    TlvTag.USER_MESSAGE_REFERENCE,
    TlvTag.SC_INTERFACE_VERSION,
}
KNOWN_IDS = {int(command) for command in CommandId}


def cstrings(max_length: int) -> st.SearchStrategy[str]:
    """What the codec writes in a C-octet string of `max_length` octets: ASCII, no NUL."""
    return st.text(st.characters(min_codepoint=1, max_codepoint=127), max_size=max_length - 1)


def times() -> st.SearchStrategy[str]:
    return st.one_of(st.just(""), cstrings(17).filter(lambda value: len(value) == 16))


tlvs = st.builds(
    Tlvs,
    receipted_message_id=st.none() | cstrings(65),
    message_state=st.none() | OCTET,
    network_error_code=st.none() | st.builds(NetworkErrorCode, OCTET, st.integers(0, 0xFFFF)),
    sar_msg_ref_num=st.none() | st.integers(0, 0xFFFF),
    sar_total_segments=st.none() | OCTET,
    sar_segment_seqnum=st.none() | OCTET,
    message_payload=st.none() | st.binary(max_size=300),
    user_message_reference=st.none() | st.integers(0, 0xFFFF),
    sc_interface_version=st.none() | OCTET,
    other=st.lists(
        st.builds(
            Tlv,
            tag=st.integers(0, 0xFFFF).filter(lambda tag: tag not in TYPED_TAGS),
            value=st.binary(max_size=40),
        ),
        max_size=3,
    ).map(tuple),
)


def short_messages(cls: type[SubmitSm | DeliverSm]) -> st.SearchStrategy[Pdu]:
    return st.builds(
        cls,
        sequence_number=U32,
        command_status=U32,
        service_type=cstrings(6),
        source_addr_ton=OCTET,
        source_addr_npi=OCTET,
        source_addr=cstrings(21),
        dest_addr_ton=OCTET,
        dest_addr_npi=OCTET,
        destination_addr=cstrings(21),
        esm_class=OCTET,
        protocol_id=OCTET,
        priority_flag=OCTET,
        schedule_delivery_time=times(),
        validity_period=times(),
        registered_delivery=OCTET,
        replace_if_present_flag=OCTET,
        data_coding=OCTET,
        sm_default_msg_id=OCTET,
        short_message=st.binary(max_size=254),
        tlvs=tlvs,
    )


def binds(cls: type[BindTransmitter | BindReceiver | BindTransceiver]) -> st.SearchStrategy[Pdu]:
    return st.builds(
        cls,
        sequence_number=U32,
        command_status=U32,
        system_id=cstrings(16),
        password=cstrings(9),
        system_type=cstrings(13),
        interface_version=OCTET,
        addr_ton=OCTET,
        addr_npi=OCTET,
        address_range=cstrings(41),
    )


def header_only(cls: type[Pdu]) -> st.SearchStrategy[Pdu]:
    return st.builds(cls, sequence_number=U32, command_status=U32)


any_pdu: st.SearchStrategy[Pdu] = st.one_of(
    *(header_only(cls) for cls in (GenericNack, EnquireLink, EnquireLinkResp, Unbind, UnbindResp)),
    *(binds(cls) for cls in (BindTransmitter, BindReceiver, BindTransceiver)),
    *(
        st.builds(cls, sequence_number=U32, command_status=U32, system_id=cstrings(16), tlvs=tlvs)
        for cls in (BindTransmitterResp, BindReceiverResp, BindTransceiverResp)
    ),
    *(
        st.builds(cls, sequence_number=U32, command_status=U32, message_id=cstrings(65), tlvs=tlvs)
        for cls in (SubmitSmResp, DeliverSmResp)
    ),
    short_messages(SubmitSm),
    short_messages(DeliverSm),
    st.builds(
        UnknownPdu,
        sequence_number=U32,
        command_status=U32,
        raw_command_id=U32.filter(lambda command: command not in KNOWN_IDS),
        body=st.binary(max_size=100),
    ),
)


def read_all(data: bytes, sizes: list[int]) -> list[Pdu | PduError]:
    """Everything a session reads from `data` fed in chunks of `sizes`: PDUs and the codec's
    errors, stopping at a framing error (the session closes there)."""
    reader = PduReader()
    read: list[Pdu | PduError] = []
    position = 0
    for size in [*sizes, len(data)]:
        chunk, position = data[position : position + size], position + size
        try:
            reader.feed(chunk)
            while True:
                try:
                    pdu = next(reader, None)
                except PduBodyError as error:
                    read.append(error)
                    continue
                if pdu is None:
                    break
                read.append(pdu)
        except PduFramingError as error:
            read.append(error)
            return read
    return read


# --- The codec -------------------------------------------------------------------------------


@FUZZ
@given(any_pdu)
def test_every_pdu_the_codec_writes_reads_back_the_same(pdu: Pdu) -> None:
    wire = pdu.encode()
    assert len(wire) <= MAX_PDU_LENGTH
    assert decode_pdu(wire) == pdu


@FUZZ
@given(
    st.lists(any_pdu, min_size=1, max_size=4),
    st.lists(st.tuples(st.integers(0, 400), OCTET), max_size=6),
    st.lists(st.tuples(st.integers(0, 400), st.binary(min_size=1, max_size=8)), max_size=2),
    st.lists(st.integers(1, 80), max_size=10),
    st.booleans(),
)
def test_mutated_streams_give_pdus_or_the_codecs_errors(
    pdus: list[Pdu],
    flips: list[tuple[int, int]],
    insertions: list[tuple[int, bytes]],
    sizes: list[int],
    keep_lengths: bool,
) -> None:
    # given valid PDUs with octets changed or inserted, each frame's length kept right or not
    frames = []
    for pdu in pdus:
        frame = bytearray(pdu.encode())
        for position, value in flips:
            if position < len(frame):
                frame[position] = value
        for position, extra in insertions:
            frame[position:position] = extra
        if keep_lengths:
            frame[:4] = len(frame).to_bytes(4, "big")
        frames.append(bytes(frame))
    # when read in chunks, then each is a PDU or a codec error, nothing else
    for item in read_all(b"".join(frames), sizes):
        assert isinstance(item, Pdu | PduError)


@FUZZ
@given(st.binary(max_size=600), st.lists(st.integers(1, 64), max_size=12))
def test_any_bytes_give_pdus_or_the_codecs_errors(data: bytes, sizes: list[int]) -> None:
    for item in read_all(data, sizes):
        assert isinstance(item, Pdu | PduError)


# --- A session fed anything -------------------------------------------------------------------


class _Transport(asyncio.Transport):
    """Keeps what the session writes."""

    def __init__(self) -> None:
        super().__init__()
        self.written = bytearray()
        self.aborted = False

    def write(self, data: bytes) -> None:
        self.written += data

    def is_closing(self) -> bool:
        return self.aborted

    def abort(self) -> None:
        self.aborted = True

    def close(self) -> None:
        self.aborted = True


class _Listener:
    """The pipeline's part of a session: receipts go through `receipt_of`, as there."""

    def __init__(self) -> None:
        self.receipts: list[Any] = []

    def deliver_received(self, connection: SmppConnection, pdu: DeliverSm) -> None:
        if pdu.is_delivery_receipt:
            with contextlib.suppress(ReceiptError):
                self.receipts.append(receipt_of(pdu))
        connection.answer_deliveries([pdu.sequence_number])

    def submit_answered(self, token: Any, status: int, message_id: str) -> None:
        pass

    def counter(self, name: str, increment: int = 1) -> None:
        pass


class _Bind:
    name = "fuzz#1"

    def __init__(self) -> None:
        self.listener = _Listener()


@settings(database=None, max_examples=200, deadline=None, print_blob=True)
@given(
    st.lists(st.one_of(any_pdu.map(lambda pdu: pdu.encode()), st.binary(max_size=40)), max_size=6),
    st.lists(st.integers(1, 80), max_size=10),
)
def test_a_session_fed_anything_answers_with_readable_pdus_and_never_raises(
    chunks: list[bytes], sizes: list[int]
) -> None:
    async def feed() -> tuple[_Transport, _Bind]:
        bind = _Bind()
        connection = SmppConnection(bind)  # type: ignore[arg-type]
        transport = _Transport()
        connection.connection_made(transport)
        data = b"".join(chunks)
        position = 0
        for size in [*sizes, len(data)]:
            connection.data_received(data[position : position + size])
            position += size
        connection.connection_lost(None)
        return transport, bind

    transport, bind = asyncio.run(feed())
    # what the session answered reads as PDUs (generic_nack, enquire_link_resp, unbind_resp,
    # deliver_sm_resp), and what it took for receipts can be stored
    for item in read_all(bytes(transport.written), []):
        assert isinstance(item, GenericNack | EnquireLinkResp | UnbindResp | DeliverSmResp)
    for receipt in bind.listener.receipts:
        assert_storable(receipt)


# --- Receipts --------------------------------------------------------------------------------


def assert_storable(receipt: Any) -> None:
    """What SmsReceipt and the part lookups need: keys without NUL that fit id_key, raw text
    without NUL."""
    limit = SmsReceipt._meta.get_field("id_key").max_length
    assert receipt.candidates
    assert len(receipt.candidates[0]) <= limit
    assert all("\0" not in key for key in receipt.candidates)
    assert "\0" not in receipt.raw


receipt_texts = st.one_of(
    st.binary(max_size=254),
    st.builds(
        lambda identifier, separator, stat, tail: (
            b"id:" + identifier + separator + b"stat:" + stat + tail
        ),
        st.binary(max_size=80),
        st.sampled_from([b" ", b"\0", b"\t"]),
        st.sampled_from([b"DELIVRD", b"UNDELIV", b"expired", b"ENROUTE", b"x"]),
        st.binary(max_size=20),
    ),
)


@FUZZ
@given(
    receipt_texts,
    st.none() | st.text(st.characters(max_codepoint=255), max_size=80),
    st.none() | OCTET,
    st.none() | st.binary(max_size=100),
)
def test_whatever_a_receipt_says_the_dispatcher_keeps_something_storable(
    short_message: bytes,
    receipted_message_id: str | None,
    message_state: int | None,
    payload: bytes | None,
) -> None:
    pdu = DeliverSm(
        sequence_number=1,
        esm_class=ESM_CLASS_DELIVERY_RECEIPT,
        short_message=short_message,
        tlvs=Tlvs(
            receipted_message_id=receipted_message_id,
            message_state=message_state,
            message_payload=payload,
        ),
    )
    try:
        receipt = receipt_of(pdu)
    except ReceiptError:
        return
    assert_storable(receipt)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("short_message", "receipted_message_id"),
    [
        (b"id:12\x0034 sub:001 stat:DELIVRD err:000 text:Ciao", None),
        (b"id:" + b"7" * 80 + b" stat:DELIVRD", None),
        (b"id:ABC stat:DELIVRD\x00", None),
        (b"id:ABD stat:DELIVRD\x00text:Il codice \x00123456", None),
        (b"stat:DELIVRD", "1F\x00"),
        (b"id:\xff\xfe stat:UNDELIV err:\x00\x01", None),
    ],
)
def test_hostile_receipts_are_stored_or_refused_never_stuck(
    short_message: bytes, receipted_message_id: str | None
) -> None:
    # given a receipt as a careless SMSC writes it
    pdu = DeliverSm(
        sequence_number=1,
        esm_class=ESM_CLASS_DELIVERY_RECEIPT,
        short_message=short_message,
        tlvs=Tlvs(receipted_message_id=receipted_message_id),
    )
    try:
        receipt = receipt_of(pdu)
    except ReceiptError:
        return  # refused (answered and logged), nothing to store
    # when it is recorded, then the database takes it (it waits for its part)
    assert record_receipts([receipt]) == 0
    stored = SmsReceipt.objects.get()
    assert "\0" not in stored.raw and "codice" not in stored.raw
    assert not SmsPart.objects.exists()


def test_a_nul_separates_receipt_fields_as_a_blank_does() -> None:
    pdu = DeliverSm(
        sequence_number=1,
        esm_class=ESM_CLASS_DELIVERY_RECEIPT,
        short_message=b"id:1A2B\x00stat:DELIVRD\x00",
    )
    receipt = receipt_of(pdu)
    assert (receipt.candidates[0], receipt.state) == ("1a2b", "delivered")
