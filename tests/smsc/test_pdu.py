"""The SMPP 3.4 PDU codec (R-T6): byte vectors from the specification, round-trips, and
malformed input that only ever raises the codec's own errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from centrex.smsc.pdu import (
    MAX_PDU_LENGTH,
    BindReceiver,
    BindReceiverResp,
    BindTransceiver,
    BindTransceiverResp,
    BindTransmitter,
    BindTransmitterResp,
    CommandId,
    CommandStatus,
    DeliverSm,
    DeliverSmResp,
    EnquireLink,
    EnquireLinkResp,
    GenericNack,
    MessageState,
    NetworkErrorCode,
    Pdu,
    PduBodyError,
    PduEncodeError,
    PduError,
    PduFramingError,
    SequenceNumbers,
    StatusClass,
    SubmitSm,
    SubmitSmResp,
    Tlv,
    Tlvs,
    TlvTag,
    Unbind,
    UnbindResp,
    UnknownPdu,
    classify_status,
    decode_pdu,
    describe_status,
    is_transient_status,
    parse_header,
    status_name,
)


def hexbytes(text: str) -> bytes:
    """Hex written with spaces and `#` comments, one field per line."""
    return bytes.fromhex(" ".join(line.split("#")[0] for line in text.splitlines()))


# --- known byte vectors (SMPP 3.4 §3.2 header, §4 PDU bodies) --------------------------------

ENQUIRE_LINK = hexbytes("00000010 00000015 00000000 00000001")
BIND_TRANSCEIVER = hexbytes("""
    0000002a 00000009 00000000 00000001  # length 42, bind_transceiver, ok, seq 1
    736d7070636c69656e743100              # system_id "smppclient1"
    70617373776f726400                    # password "password"
    00                                    # system_type ""
    34                                    # interface_version 3.4
    00 00                                 # addr_ton, addr_npi
    00                                    # address_range ""
""")
BIND_TRANSCEIVER_RESP = hexbytes("""
    0000001a 80000009 00000000 00000001  # length 26, bind_transceiver_resp, ok, seq 1
    534d534300                            # system_id "SMSC"
    0210 0001 34                          # sc_interface_version = 0x34
""")
SUBMIT_SM = hexbytes("""
    00000039 00000004 00000000 00000002  # length 57, submit_sm, ok, seq 2
    00                                    # service_type ""
    05 00                                 # source_addr_ton 5 (alphanumeric), npi 0
    43656e7472657800                      # source_addr "Centrex"
    01 01                                 # dest_addr_ton 1 (international), npi 1 (ISDN)
    33393334373132333435363700            # destination_addr "393471234567"
    00 00 00                              # esm_class, protocol_id, priority_flag
    00 00                                 # schedule_delivery_time "", validity_period ""
    01 00 00 00                           # registered_delivery 1, replace, data_coding 0, default
    05 48656c6c6f                         # sm_length 5, "Hello"
""")
SUBMIT_SM_RESP = hexbytes("""
    00000015 80000004 00000000 00000002  # length 21, submit_sm_resp, ok, seq 2
    3141324200                            # message_id "1A2B"
""")
SUBMIT_SM_RESP_THROTTLED = hexbytes("00000010 80000004 00000058 00000003")
DELIVER_SM_RECEIPT = hexbytes("""
    00000056 00000005 00000000 00000005  # length 86, deliver_sm, ok, seq 5
    00                                    # service_type ""
    01 01 33393334373132333435363700      # source 1/1 "393471234567"
    05 00 43656e7472657800                # destination 5/0 "Centrex"
    04 00 00                              # esm_class 0x04 (SMSC delivery receipt), pid, prio
    00 00                                 # schedule_delivery_time, validity_period
    00 00 00 00                           # registered_delivery, replace, data_coding, default
    14 69643a363639392073746174 3a44454c49565244  # sm_length 20, "id:6699 stat:DELIVRD"
    001e 0005 3141324200                  # receipted_message_id "1A2B"
    0427 0001 02                          # message_state DELIVERED
""")

# Every one-octet field with its own value, so a field out of order cannot go unnoticed.
SUBMIT_SM_DISTINCT = hexbytes("""
    0000004a 00000004 00000000 0a0b0c0d  # length 74, submit_sm, ok, seq 0x0A0B0C0D
    434d5400                              # service_type "CMT"
    01 02 313200                          # source_addr_ton 1, npi 2, source_addr "12"
    03 04 333400                          # dest_addr_ton 3, npi 4, destination_addr "34"
    05 06 07                              # esm_class 5, protocol_id 6, priority_flag 7
    00                                    # schedule_delivery_time ""
    3030303030313030303030303030305200    # validity_period "000001000000000R" (relative)
    08 09 0a 0b                           # registered_delivery, replace, data_coding, default id
    02 0c0d                               # sm_length 2, short_message
    020c 0002 0e0f                        # sar_msg_ref_num 0x0E0F
    020e 0001 03                          # sar_total_segments 3
    020f 0001 01                          # sar_segment_seqnum 1
""")
BIND_TRANSMITTER_DISTINCT = hexbytes("""
    0000001b 00000002 00000000 00000003  # length 27, bind_transmitter, ok, seq 3
    6100 6200 6300                        # system_id "a", password "b", system_type "c"
    34 01 02                              # interface_version, addr_ton 1, addr_npi 2
    6400                                  # address_range "d"
""")

KNOWN_VECTORS: list[tuple[bytes, Pdu]] = [
    (
        SUBMIT_SM_DISTINCT,
        SubmitSm(
            sequence_number=0x0A0B0C0D,
            service_type="CMT",
            source_addr_ton=1,
            source_addr_npi=2,
            source_addr="12",
            dest_addr_ton=3,
            dest_addr_npi=4,
            destination_addr="34",
            esm_class=5,
            protocol_id=6,
            priority_flag=7,
            validity_period="000001000000000R",
            registered_delivery=8,
            replace_if_present_flag=9,
            data_coding=10,
            sm_default_msg_id=11,
            short_message=b"\x0c\x0d",
            tlvs=Tlvs(sar_msg_ref_num=0x0E0F, sar_total_segments=3, sar_segment_seqnum=1),
        ),
    ),
    (
        BIND_TRANSMITTER_DISTINCT,
        BindTransmitter(
            sequence_number=3,
            system_id="a",
            password="b",
            system_type="c",
            addr_ton=1,
            addr_npi=2,
            address_range="d",
        ),
    ),
    (ENQUIRE_LINK, EnquireLink(sequence_number=1)),
    (hexbytes("00000010 80000015 00000000 00000007"), EnquireLinkResp(sequence_number=7)),
    (hexbytes("00000010 00000006 00000000 00000008"), Unbind(sequence_number=8)),
    (hexbytes("00000010 80000006 00000000 00000008"), UnbindResp(sequence_number=8)),
    (
        hexbytes("00000010 80000000 00000003 00000009"),
        GenericNack(sequence_number=9, command_status=CommandStatus.ESME_RINVCMDID),
    ),
    (
        BIND_TRANSCEIVER,
        BindTransceiver(sequence_number=1, system_id="smppclient1", password="password"),
    ),
    (
        BIND_TRANSCEIVER_RESP,
        BindTransceiverResp(
            sequence_number=1, system_id="SMSC", tlvs=Tlvs(sc_interface_version=0x34)
        ),
    ),
    (
        SUBMIT_SM,
        SubmitSm(
            sequence_number=2,
            source_addr_ton=5,
            source_addr="Centrex",
            dest_addr_ton=1,
            dest_addr_npi=1,
            destination_addr="393471234567",
            registered_delivery=1,
            short_message=b"Hello",
        ),
    ),
    (SUBMIT_SM_RESP, SubmitSmResp(sequence_number=2, message_id="1A2B")),
    (
        SUBMIT_SM_RESP_THROTTLED,
        SubmitSmResp(sequence_number=3, command_status=CommandStatus.ESME_RTHROTTLED),
    ),
    (
        DELIVER_SM_RECEIPT,
        DeliverSm(
            sequence_number=5,
            source_addr_ton=1,
            source_addr_npi=1,
            source_addr="393471234567",
            dest_addr_ton=5,
            destination_addr="Centrex",
            esm_class=0x04,
            short_message=b"id:6699 stat:DELIVRD",
            tlvs=Tlvs(receipted_message_id="1A2B", message_state=MessageState.DELIVERED),
        ),
    ),
    (hexbytes("00000011 80000005 00000000 00000005 00"), DeliverSmResp(sequence_number=5)),
]


@pytest.mark.parametrize(("wire", "pdu"), KNOWN_VECTORS, ids=lambda v: type(v).__name__)
def test_known_pdus_encode_to_the_bytes_of_the_specification(wire: bytes, pdu: Pdu) -> None:
    assert pdu.encode() == wire


@pytest.mark.parametrize(("wire", "pdu"), KNOWN_VECTORS, ids=lambda v: type(v).__name__)
def test_known_bytes_decode_to_their_pdus(wire: bytes, pdu: Pdu) -> None:
    decoded = decode_pdu(wire)
    assert type(decoded) is type(pdu)
    assert decoded == pdu


def test_the_header_is_read_as_four_big_endian_integers() -> None:
    header = parse_header(SUBMIT_SM_RESP_THROTTLED)
    assert (header.command_length, header.command_id) == (16, CommandId.SUBMIT_SM_RESP)
    assert (header.command_status, header.sequence_number) == (0x58, 3)


def test_a_delivery_receipt_is_recognised_by_its_esm_class() -> None:
    receipt = decode_pdu(DELIVER_SM_RECEIPT)
    assert isinstance(receipt, DeliverSm)
    assert receipt.is_delivery_receipt
    assert not DeliverSm(sequence_number=1, esm_class=0x40).is_delivery_receipt
    assert DeliverSm(sequence_number=1, esm_class=0x44).has_udh


def test_responses_have_the_response_bit() -> None:
    assert SubmitSmResp(sequence_number=1).is_response
    assert GenericNack(sequence_number=1).is_response
    assert not SubmitSm(sequence_number=1).is_response


# --- round-trips ----------------------------------------------------------------------------

FULL_TLVS = Tlvs(
    receipted_message_id="0123456789abcdef",
    message_state=MessageState.UNDELIVERABLE,
    network_error_code=NetworkErrorCode(network_type=1, error_code=0x0123),
    sar_msg_ref_num=0xBEEF,
    sar_total_segments=3,
    sar_segment_seqnum=2,
    message_payload=b"\x00\x01 payload \xff",
    user_message_reference=42,
    sc_interface_version=0x34,
    other=(Tlv(tag=0x1400, value=b"vendor"), Tlv(tag=TlvTag.SOURCE_PORT, value=b"\x0b\x84")),
)
ROUND_TRIPS: list[Pdu] = [
    GenericNack(sequence_number=0x7FFFFFFF, command_status=CommandStatus.ESME_RINVCMDLEN),
    EnquireLink(sequence_number=1),
    EnquireLinkResp(sequence_number=1),
    Unbind(sequence_number=2),
    UnbindResp(sequence_number=2),
    BindTransmitter(
        sequence_number=3,
        system_id="x" * 15,
        password="p" * 8,
        system_type="t" * 12,
        addr_ton=1,
        addr_npi=1,
        address_range="^39" + "1" * 37,
    ),
    BindReceiver(sequence_number=3, system_id="centrex"),
    BindTransceiver(sequence_number=3, system_id="centrex", password="s3cret", system_type="CP"),
    BindTransmitterResp(sequence_number=3, system_id="SMSC"),
    BindReceiverResp(sequence_number=3, system_id="SMSC", tlvs=FULL_TLVS),
    BindTransceiverResp(sequence_number=3, command_status=CommandStatus.ESME_RBINDFAIL),
    SubmitSm(
        sequence_number=4,
        service_type="CMT",
        source_addr_ton=1,
        source_addr_npi=1,
        source_addr="3902" + "1" * 16,
        dest_addr_ton=1,
        dest_addr_npi=1,
        destination_addr="39347" + "9" * 15,
        esm_class=0x40,
        protocol_id=0x7F,
        priority_flag=3,
        schedule_delivery_time="240115103000000+",
        validity_period="000001000000000R",
        registered_delivery=1,
        replace_if_present_flag=1,
        data_coding=8,
        sm_default_msg_id=255,
        short_message=bytes(range(254)),
        tlvs=FULL_TLVS,
    ),
    SubmitSmResp(sequence_number=4, message_id="m" * 64),
    SubmitSmResp(sequence_number=4, message_id="1a2b", tlvs=Tlvs(other=(Tlv(0x001D, b"ok"),))),
    SubmitSmResp(sequence_number=4, command_status=CommandStatus.ESME_RINVDSTADR),
    DeliverSm(sequence_number=5, esm_class=0x04, short_message=b"", tlvs=FULL_TLVS),
    DeliverSmResp(sequence_number=5),
    DeliverSmResp(sequence_number=5, command_status=CommandStatus.ESME_RX_T_APPN),
    UnknownPdu(sequence_number=6, raw_command_id=CommandId.QUERY_SM, body=b"1234\x00\x00\x00\x00"),
]


@pytest.mark.parametrize("pdu", ROUND_TRIPS, ids=lambda pdu: type(pdu).__name__)
def test_every_pdu_type_round_trips(pdu: Pdu) -> None:
    # when a PDU is encoded and decoded
    wire = pdu.encode()
    decoded = decode_pdu(wire)
    # then it comes back equal, with its length in the header
    assert decoded == pdu
    assert type(decoded) is type(pdu)
    assert int.from_bytes(wire[:4], "big") == len(wire)
    assert decoded.encode() == wire


def test_an_error_response_is_sent_without_a_body() -> None:
    # SMPP 3.4 §4.4.2: no submit_sm_resp body when command_status is not 0
    assert len(SubmitSmResp(sequence_number=4, command_status=0x14).encode()) == 16
    assert len(BindTransceiverResp(sequence_number=4, command_status=0x0D).encode()) == 16
    # but a success always has one, even with an empty message_id
    assert DeliverSmResp(sequence_number=4).encode()[16:] == b"\x00"


def test_an_error_response_given_a_body_sends_it() -> None:
    pdu = SubmitSmResp(sequence_number=4, command_status=0x45, message_id="1A2B")
    assert pdu.encode()[16:] == b"1A2B\x00"
    assert decode_pdu(pdu.encode()) == pdu


def test_an_error_response_with_a_body_is_read_anyway() -> None:
    wire = hexbytes("00000015 80000004 00000045 00000002 3141324200")
    assert decode_pdu(wire) == SubmitSmResp(
        sequence_number=2, command_status=0x45, message_id="1A2B"
    )


def test_an_unknown_command_is_kept_whole() -> None:
    # given a data_sm, which the codec does not decode
    wire = hexbytes("00000014 00000103 00000000 0000000a 01020304")
    # when it is decoded
    pdu = decode_pdu(wire)
    # then it is an UnknownPdu with its command id, sequence and body, and re-encodes the same
    assert isinstance(pdu, UnknownPdu)
    assert (pdu.command_id, pdu.sequence_number, pdu.body) == (0x103, 10, b"\x01\x02\x03\x04")
    assert pdu.encode() == wire


def test_unknown_and_repeated_tlvs_are_kept_raw_in_order() -> None:
    # given a deliver_sm_resp with a vendor TLV and message_state twice
    body = hexbytes("00  1400 0002 abcd  0427 0001 02  0427 0001 05")
    wire = (16 + len(body)).to_bytes(4, "big") + hexbytes("80000005 00000000 00000001") + body
    # when it is decoded
    pdu = decode_pdu(wire)
    # then the first message_state is read and nothing else is dropped
    assert isinstance(pdu, DeliverSmResp)
    assert pdu.tlvs.message_state == MessageState.DELIVERED
    assert pdu.tlvs.other == (Tlv(0x1400, b"\xab\xcd"), Tlv(0x0427, b"\x05"))
    assert pdu.tlvs.get(0x1400) == b"\xab\xcd"
    assert pdu.tlvs.get(0x1401) is None


def test_a_receipted_message_id_without_its_nul_is_read() -> None:
    body = hexbytes("00  001e 0004 31413242")
    wire = (16 + len(body)).to_bytes(4, "big") + hexbytes("80000005 00000000 00000001") + body
    pdu = decode_pdu(wire)
    assert isinstance(pdu, DeliverSmResp)
    assert pdu.tlvs.receipted_message_id == "1A2B"


ascii_text = st.text(alphabet=st.characters(min_codepoint=1, max_codepoint=127), max_size=20)


@st.composite
def submit_sms(draw: st.DrawFn) -> SubmitSm:
    octet = st.integers(0, 255)
    optional = st.one_of(st.none(), octet)
    return SubmitSm(
        sequence_number=draw(st.integers(0, 0xFFFFFFFF)),
        command_status=draw(st.integers(0, 0xFFFFFFFF)),
        service_type=draw(ascii_text.filter(lambda text: len(text) <= 5)),
        source_addr_ton=draw(octet),
        source_addr_npi=draw(octet),
        source_addr=draw(ascii_text),
        dest_addr_ton=draw(octet),
        dest_addr_npi=draw(octet),
        destination_addr=draw(ascii_text),
        esm_class=draw(octet),
        protocol_id=draw(octet),
        priority_flag=draw(octet),
        schedule_delivery_time=draw(st.sampled_from(["", "240115103000000+"])),
        validity_period=draw(st.sampled_from(["", "000001000000000R"])),
        registered_delivery=draw(octet),
        replace_if_present_flag=draw(octet),
        data_coding=draw(octet),
        sm_default_msg_id=draw(octet),
        short_message=draw(st.binary(max_size=254)),
        tlvs=Tlvs(
            receipted_message_id=draw(st.one_of(st.none(), ascii_text)),
            message_state=draw(optional),
            network_error_code=draw(
                st.one_of(
                    st.none(),
                    st.builds(NetworkErrorCode, octet, st.integers(0, 0xFFFF)),
                )
            ),
            sar_msg_ref_num=draw(st.one_of(st.none(), st.integers(0, 0xFFFF))),
            sar_total_segments=draw(optional),
            sar_segment_seqnum=draw(optional),
            message_payload=draw(st.one_of(st.none(), st.binary(max_size=300))),
            other=tuple(
                draw(
                    st.lists(
                        st.builds(Tlv, st.integers(0x1400, 0x3FFF), st.binary(max_size=20)),
                        max_size=3,
                    )
                )
            ),
        ),
    )


@settings(database=None, max_examples=200)
@given(submit_sms())
def test_any_submit_sm_round_trips(pdu: SubmitSm) -> None:
    decoded = decode_pdu(pdu.encode())
    assert decoded == pdu
    assert isinstance(decoded, SubmitSm)
    assert isinstance(decode_pdu(DeliverSm(**vars(pdu)).encode()), DeliverSm)


# --- what the codec refuses to send --------------------------------------------------------


@pytest.mark.parametrize(
    ("pdu", "error"),
    [
        (BindTransceiver(sequence_number=1, system_id="x" * 16), "system_id"),
        (BindTransceiver(sequence_number=1, system_id="a", password="p" * 9), "password"),
        (BindTransceiver(sequence_number=1, system_id="a", system_type="t" * 13), "system_type"),
        (BindTransceiver(sequence_number=1, system_id="a", address_range="1" * 41), "range"),
        (BindTransceiver(sequence_number=1, system_id="a", interface_version=0x134), "interface"),
        (SubmitSm(sequence_number=1, service_type="CMTCMT"), "service_type"),
        (SubmitSm(sequence_number=1, source_addr="1" * 21), "source_addr"),
        (SubmitSm(sequence_number=1, destination_addr="+3934è"), "ASCII"),
        (SubmitSm(sequence_number=1, destination_addr="39\x00347"), "NUL"),
        (SubmitSm(sequence_number=1, esm_class=256), "esm_class"),
        (SubmitSm(sequence_number=1, data_coding=-1), "data_coding"),
        (SubmitSm(sequence_number=1, validity_period="1d"), "validity_period"),
        (SubmitSm(sequence_number=1, short_message=b"x" * 255), "254"),
        (SubmitSm(sequence_number=-1), "sequence_number"),
        (SubmitSm(sequence_number=2**32), "sequence_number"),
        (SubmitSm(sequence_number=1, tlvs=Tlvs(message_state=256)), "message_state"),
        (SubmitSm(sequence_number=1, tlvs=Tlvs(sar_msg_ref_num=70000)), "sar_msg_ref_num"),
        (SubmitSm(sequence_number=1, tlvs=Tlvs(receipted_message_id="i" * 65)), "receipted"),
        (SubmitSm(sequence_number=1, tlvs=Tlvs(message_payload=b"x" * 65536)), "65535"),
        (SubmitSm(sequence_number=1, tlvs=Tlvs(message_payload=b"x" * 65500)), "65536"),
        (SubmitSm(sequence_number=1, tlvs=Tlvs(other=(Tlv(0x10000, b""),))), "tag"),
        (SubmitSmResp(sequence_number=1, message_id="m" * 65), "message_id"),
    ],
    ids=lambda value: value if isinstance(value, str) else type(value).__name__,
)
def test_values_that_do_not_fit_smpp_are_refused_on_encode(pdu: Pdu, error: str) -> None:
    with pytest.raises(PduEncodeError, match=error):
        pdu.encode()


def test_encode_errors_are_value_errors_of_the_codec() -> None:
    assert issubclass(PduEncodeError, PduError)
    assert issubclass(PduEncodeError, ValueError)


# --- what the codec refuses to read --------------------------------------------------------


def frame(command_id: int, body: bytes, sequence_number: int = 77) -> bytes:
    header = (16 + len(body)).to_bytes(4, "big") + command_id.to_bytes(4, "big")
    return header + bytes(4) + sequence_number.to_bytes(4, "big") + body


@pytest.mark.parametrize(
    ("wire", "status", "message"),
    [
        (frame(CommandId.SUBMIT_SM, b""), CommandStatus.ESME_RINVCMDLEN, "service_type"),
        (frame(CommandId.SUBMIT_SM, b"\x00\x01\x01"), CommandStatus.ESME_RINVCMDLEN, "source"),
        (frame(CommandId.SUBMIT_SM, b"CMTCMT\x00"), CommandStatus.ESME_RINVPARLEN, "6 octets"),
        (frame(CommandId.BIND_TRANSCEIVER, b"sys"), CommandStatus.ESME_RINVCMDLEN, "NUL"),
        (frame(CommandId.BIND_TRANSCEIVER, b"x" * 20), CommandStatus.ESME_RINVPARLEN, "16"),
        (frame(CommandId.SUBMIT_SM, SUBMIT_SM[16:-6] + b"\x09ab"), CommandStatus.ESME_RINVMSGLEN,
         "sm_length"),
        (frame(CommandId.SUBMIT_SM, SUBMIT_SM[16:] + b"\x04"),
         CommandStatus.ESME_RINVOPTPARSTREAM, "TLV header"),
        (frame(CommandId.SUBMIT_SM, SUBMIT_SM[16:] + hexbytes("0424 0009 00")),
         CommandStatus.ESME_RINVOPTPARSTREAM, "longer"),
        (frame(CommandId.SUBMIT_SM, SUBMIT_SM[16:] + hexbytes("0427 0002 0001")),
         CommandStatus.ESME_RINVPARLEN, "must have 1"),
        (frame(CommandId.SUBMIT_SM, SUBMIT_SM[16:] + hexbytes("0423 0001 00")),
         CommandStatus.ESME_RINVPARLEN, "must have 3"),
        (frame(CommandId.ENQUIRE_LINK, b"\x00"), CommandStatus.ESME_RINVCMDLEN, "unexpected"),
        (frame(CommandId.BIND_TRANSMITTER, BIND_TRANSCEIVER[16:] + b"\x01"),
         CommandStatus.ESME_RINVCMDLEN, "unexpected"),
        (frame(CommandId.SUBMIT_SM_RESP, b"1A2B"), CommandStatus.ESME_RINVCMDLEN, "NUL"),
    ],
)  # fmt: skip
def test_malformed_bodies_raise_a_body_error_with_the_status_to_answer(
    wire: bytes, status: int, message: str
) -> None:
    with pytest.raises(PduBodyError, match=message) as raised:
        decode_pdu(wire)
    assert raised.value.status == status
    assert raised.value.sequence_number == 77
    assert raised.value.command_id == int.from_bytes(wire[4:8], "big")


@pytest.mark.parametrize(
    ("wire", "message"),
    [
        (b"\x00\x00\x00\x10\x00", "16 octets"),
        (hexbytes("0000000f 00000015 00000000 00000001"), "shorter"),
        (hexbytes("00000011 00000015 00000000 00000001"), "frame has 16"),
        (hexbytes("00010001 00000015 00000000 00000001"), "exceeds"),
    ],
)
def test_bad_frames_raise_a_framing_error(wire: bytes, message: str) -> None:
    with pytest.raises(PduFramingError, match=message):
        decode_pdu(wire)


# --- command status ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (CommandStatus.ESME_ROK, StatusClass.OK),
        (CommandStatus.ESME_RTHROTTLED, StatusClass.THROTTLED),
        (CommandStatus.ESME_RMSGQFUL, StatusClass.THROTTLED),
        (CommandStatus.ESME_RSYSERR, StatusClass.TRANSIENT),
        (CommandStatus.ESME_RX_T_APPN, StatusClass.TRANSIENT),
        (CommandStatus.ESME_RINVBNDSTS, StatusClass.TRANSIENT),
        (CommandStatus.ESME_RINVDSTADR, StatusClass.PERMANENT),
        (CommandStatus.ESME_RINVSRCADR, StatusClass.PERMANENT),
        (CommandStatus.ESME_RINVMSGLEN, StatusClass.PERMANENT),
        (CommandStatus.ESME_RBINDFAIL, StatusClass.PERMANENT),
        (CommandStatus.ESME_RX_P_APPN, StatusClass.PERMANENT),
        (CommandStatus.ESME_RSUBMITFAIL, StatusClass.PERMANENT),
        (0x00000401, StatusClass.PERMANENT),
        (0xDEADBEEF, StatusClass.PERMANENT),
    ],
)
def test_statuses_are_classified_for_retry(status: int, expected: StatusClass) -> None:
    assert classify_status(status) is expected
    assert is_transient_status(status) is (
        expected in (StatusClass.THROTTLED, StatusClass.TRANSIENT)
    )


def test_the_named_statuses_have_the_values_of_the_specification() -> None:
    assert CommandStatus.ESME_RTHROTTLED == 0x58
    assert CommandStatus.ESME_RMSGQFUL == 0x14
    assert CommandStatus.ESME_RSYSERR == 0x08
    assert CommandStatus.ESME_RINVDSTADR == 0x0B
    assert CommandStatus.ESME_RINVSRCADR == 0x0A
    assert CommandStatus.ESME_RBINDFAIL == 0x0D
    assert CommandStatus.ESME_RINVMSGLEN == 0x01


def test_statuses_are_described_by_name_value_and_meaning() -> None:
    assert status_name(0x58) == "ESME_RTHROTTLED"
    assert status_name(0x401) == "0x00000401"
    assert describe_status(0x0B) == "ESME_RINVDSTADR (0x0000000B): Invalid destination address"
    assert describe_status(0x401) == "0x00000401: Vendor-specific error"
    assert describe_status(0x99) == "0x00000099: Reserved error code"
    assert all(describe_status(status).startswith(status.name) for status in CommandStatus)


# --- sequence numbers ----------------------------------------------------------------------


def test_sequence_numbers_wrap_after_0x7fffffff() -> None:
    numbers = SequenceNumbers(start=0x7FFFFFFE)
    assert [next(numbers) for _ in range(3)] == [0x7FFFFFFE, 0x7FFFFFFF, 1]


def test_sequence_numbers_start_at_one() -> None:
    assert next(iter(SequenceNumbers())) == 1
    with pytest.raises(ValueError, match="sequence number"):
        SequenceNumbers(start=0)


def test_the_maximum_pdu_is_64_kib() -> None:
    assert MAX_PDU_LENGTH == 65536
