"""PduReader: a TCP stream cut into PDUs whatever the chunking, malformed input answered with
the codec's own errors and never another exception (R-T6)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from centrex.smsc.pdu import (
    CommandId,
    CommandStatus,
    DeliverSm,
    EnquireLink,
    GenericNack,
    Pdu,
    PduBodyError,
    PduEncodeError,
    PduFramingError,
    PduReader,
    SubmitSm,
    SubmitSmResp,
    Tlvs,
    UnbindResp,
    decode_pdu,
)

STREAM_PDUS: list[Pdu] = [
    EnquireLink(sequence_number=1),
    SubmitSm(
        sequence_number=2,
        source_addr_ton=5,
        source_addr="Centrex",
        dest_addr_ton=1,
        dest_addr_npi=1,
        destination_addr="393471234567",
        esm_class=0x40,
        registered_delivery=1,
        data_coding=8,
        short_message=bytes.fromhex("050003ab0201") + "ciao".encode("utf-16-be"),
    ),
    SubmitSmResp(sequence_number=2, message_id="1A2B"),
    DeliverSm(
        sequence_number=3,
        esm_class=0x04,
        short_message=b"id:6699 stat:DELIVRD",
        tlvs=Tlvs(receipted_message_id="1A2B", message_state=2),
    ),
    SubmitSmResp(sequence_number=4, command_status=CommandStatus.ESME_RTHROTTLED),
    UnbindResp(sequence_number=5),
]
STREAM = b"".join(pdu.encode() for pdu in STREAM_PDUS)


def read_in_chunks(data: bytes, size: int) -> list[Pdu]:
    reader = PduReader()
    pdus: list[Pdu] = []
    for start in range(0, len(data), size):
        reader.feed(data[start : start + size])
        pdus.extend(reader)
    assert reader.buffered == 0
    return pdus


@pytest.mark.parametrize("size", range(1, len(STREAM) + 1))
def test_pdus_come_out_whole_whatever_the_chunk_size(size: int) -> None:
    # given a stream of six PDUs read in chunks of 1 … all octets
    # then the same six PDUs come out, in order
    assert read_in_chunks(STREAM, size) == STREAM_PDUS


def test_several_pdus_in_one_chunk_all_come_out() -> None:
    reader = PduReader()
    reader.feed(STREAM + STREAM)
    assert list(reader) == STREAM_PDUS + STREAM_PDUS


def test_a_partial_pdu_waits_for_the_rest() -> None:
    # given the first 10 octets of an enquire_link
    reader = PduReader()
    wire = EnquireLink(sequence_number=9).encode()
    reader.feed(wire[:10])
    # then nothing comes out yet and the octets stay buffered
    assert list(reader) == []
    assert reader.buffered == 10
    # when the rest arrives
    reader.feed(wire[10:])
    # then the PDU comes out
    assert list(reader) == [EnquireLink(sequence_number=9)]


@pytest.mark.parametrize("length", [0, 1, 15])
def test_a_command_length_under_16_breaks_the_stream(length: int) -> None:
    # given a stream whose first PDU claims fewer octets than a header
    reader = PduReader()
    reader.feed(length.to_bytes(4, "big"))
    # then reading fails with a framing error
    with pytest.raises(PduFramingError, match="shorter than the 16-octet header"):
        list(reader)
    # and the reader refuses anything after it: the connection has to be closed
    with pytest.raises(PduFramingError):
        reader.feed(EnquireLink(sequence_number=1).encode())
    with pytest.raises(PduFramingError):
        list(reader)


def test_a_command_length_over_64_kib_is_refused_before_the_body_arrives() -> None:
    reader = PduReader()
    reader.feed((64 * 1024 + 1).to_bytes(4, "big"))
    with pytest.raises(PduFramingError, match="exceeds 65536"):
        next(reader)


def test_a_pdu_of_exactly_64_kib_is_read() -> None:
    payload = b"x" * (64 * 1024 - 16 - 1 - 4)
    wire = SubmitSmResp(sequence_number=1, message_id="").encode()[:16]
    body = b"\x00" + (0x1400).to_bytes(2, "big") + len(payload).to_bytes(2, "big") + payload
    wire = (16 + len(body)).to_bytes(4, "big") + wire[4:16] + body
    assert len(wire) == 64 * 1024
    reader = PduReader()
    reader.feed(wire)
    (pdu,) = list(reader)
    assert isinstance(pdu, SubmitSmResp)
    assert pdu.tlvs.get(0x1400) == payload


def test_a_smaller_limit_can_be_set() -> None:
    reader = PduReader(max_length=100)
    reader.feed(SubmitSm(sequence_number=1, short_message=b"x" * 100).encode())
    with pytest.raises(PduFramingError, match="exceeds 100"):
        list(reader)


def test_a_bad_body_is_skipped_and_the_stream_goes_on() -> None:
    # given a submit_sm whose body is cut short, between two good PDUs
    bad = (20).to_bytes(4, "big") + CommandId.SUBMIT_SM.to_bytes(4, "big") + bytes(4)
    bad += (42).to_bytes(4, "big") + b"\x00\x01\x01\x00"
    reader = PduReader()
    reader.feed(
        EnquireLink(sequence_number=1).encode() + bad + EnquireLink(sequence_number=2).encode()
    )
    # when it is read
    got = [next(reader)]
    with pytest.raises(PduBodyError) as raised:
        next(reader)
    got.extend(reader)
    # then the bad one is reported with what a generic_nack needs, and the next one still comes
    assert got == [EnquireLink(sequence_number=1), EnquireLink(sequence_number=2)]
    assert (raised.value.sequence_number, raised.value.status) == (
        42,
        CommandStatus.ESME_RINVCMDLEN,
    )
    nack = GenericNack(
        sequence_number=raised.value.sequence_number, command_status=raised.value.status
    )
    assert decode_pdu(nack.encode()) == nack


# --- fuzzing: nothing but the codec's errors -----------------------------------------------


def drain(reader: PduReader, data: bytes, sizes: list[int]) -> list[Pdu]:
    """Feed data in chunks the way a session would: skip bad bodies, stop on framing errors."""
    pdus: list[Pdu] = []
    position = 0
    for size in sizes or [len(data) or 1]:
        chunk, position = data[position : position + size], position + size
        try:
            reader.feed(chunk)
        except PduFramingError:
            return pdus
        while True:
            try:
                pdus.extend(reader)
                break
            except PduBodyError:
                continue
            except PduFramingError:
                return pdus
    return pdus


def assert_reencodes(pdus: list[Pdu]) -> None:
    """A PDU read from the wire either encodes back to something that reads the same, or is
    refused with PduEncodeError (e.g. a non-ASCII address received)."""
    for pdu in pdus:
        try:
            wire = pdu.encode()
        except PduEncodeError:
            continue
        assert decode_pdu(wire) == pdu


@settings(database=None, max_examples=500)
@given(st.binary(max_size=400), st.lists(st.integers(1, 64), max_size=20))
def test_random_bytes_raise_only_codec_errors(data: bytes, sizes: list[int]) -> None:
    assert_reencodes(drain(PduReader(), data, sizes))


KNOWN_COMMANDS = [int(command) for command in CommandId]


@st.composite
def plausible_frames(draw: st.DrawFn) -> bytes:
    """Frames with a right command_length and a known command id around a random body."""
    body = draw(st.binary(max_size=300))
    command_id = draw(st.sampled_from(KNOWN_COMMANDS))
    status = draw(st.sampled_from([0, 0x58, 0xFFFFFFFF]))
    sequence = draw(st.integers(0, 0xFFFFFFFF))
    return (
        b"".join(
            value.to_bytes(4, "big") for value in (16 + len(body), command_id, status, sequence)
        )
        + body
    )


@settings(database=None, max_examples=500)
@given(st.lists(plausible_frames(), max_size=5), st.lists(st.integers(1, 64), max_size=30))
def test_random_bodies_raise_only_codec_errors(frames: list[bytes], sizes: list[int]) -> None:
    data = b"".join(frames)
    pdus = drain(PduReader(), data, sizes)
    assert_reencodes(pdus)
    # every frame was consumed: read, or reported as a bad body
    assert len(pdus) <= len(frames)


@settings(database=None, max_examples=500)
@given(
    st.sampled_from([pdu.encode() for pdu in STREAM_PDUS]),
    st.lists(st.tuples(st.integers(4, 200), st.integers(0, 255)), min_size=1, max_size=4),
    st.integers(0, 200),
)
def test_mutated_pdus_raise_only_codec_errors(
    wire: bytes, flips: list[tuple[int, int]], cut: int
) -> None:
    # given a valid PDU with a few octets after the length changed, and maybe its end cut off
    data = bytearray(wire)
    for position, value in flips:
        if position < len(data):
            data[position] = value
    data = data[: len(data) - cut] if cut < len(data) - 4 else data
    length = len(data).to_bytes(4, "big")
    # when it is read with a length that matches what is left
    pdus = drain(PduReader(), bytes(length + data[4:]), [])
    # then it decodes or is reported by the codec, nothing else
    assert_reencodes(pdus)
