"""SMPP 3.4 PDU codec: bytes in, bytes out, no I/O (R-T6).

The dispatcher and the builtin SMSC simulator both speak SMPP through this module; it knows the
PDUs a transceiver needs (binds, submit_sm, deliver_sm, enquire_link, unbind, generic_nack and
their responses), the TLVs the engine reads, and the command statuses with their retry class.

Errors are all `PduError`:
- `PduFramingError`: the stream cannot be trusted any more (command_length out of bounds); the
  connection has to be closed.
- `PduBodyError`: one frame whose body does not parse; the frame was consumed, the stream goes
  on, and the peer should get a `generic_nack` with `status` for `sequence_number`.
- `PduEncodeError`: a value this side wanted to send does not fit SMPP (too long, not ASCII).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import ClassVar, Self

HEADER_LENGTH = 16
MAX_PDU_LENGTH = 64 * 1024
INTERFACE_VERSION = 0x34
MAX_SEQUENCE_NUMBER = 0x7FFFFFFF
RESPONSE_BIT = 0x80000000

# esm_class (SMPP 3.4 §5.2.12)
ESM_CLASS_UDHI = 0x40
ESM_CLASS_MESSAGE_TYPE_MASK = 0x3C
ESM_CLASS_DELIVERY_RECEIPT = 0x04
# registered_delivery (§5.2.17): a receipt on final success or failure
REGISTERED_DELIVERY_RECEIPT = 0x01


class CommandId(IntEnum):
    """command_id values (SMPP 3.4 §5.1.2.1)."""

    GENERIC_NACK = 0x80000000
    BIND_RECEIVER = 0x00000001
    BIND_RECEIVER_RESP = 0x80000001
    BIND_TRANSMITTER = 0x00000002
    BIND_TRANSMITTER_RESP = 0x80000002
    QUERY_SM = 0x00000003
    QUERY_SM_RESP = 0x80000003
    SUBMIT_SM = 0x00000004
    SUBMIT_SM_RESP = 0x80000004
    DELIVER_SM = 0x00000005
    DELIVER_SM_RESP = 0x80000005
    UNBIND = 0x00000006
    UNBIND_RESP = 0x80000006
    REPLACE_SM = 0x00000007
    REPLACE_SM_RESP = 0x80000007
    CANCEL_SM = 0x00000008
    CANCEL_SM_RESP = 0x80000008
    BIND_TRANSCEIVER = 0x00000009
    BIND_TRANSCEIVER_RESP = 0x80000009
    OUTBIND = 0x0000000B
    ENQUIRE_LINK = 0x00000015
    ENQUIRE_LINK_RESP = 0x80000015
    SUBMIT_MULTI = 0x00000021
    SUBMIT_MULTI_RESP = 0x80000021
    ALERT_NOTIFICATION = 0x00000102
    DATA_SM = 0x00000103
    DATA_SM_RESP = 0x80000103


class CommandStatus(IntEnum):
    """command_status values (SMPP 3.4 §5.1.3), named as the specification names them."""

    ESME_ROK = 0x00000000
    ESME_RINVMSGLEN = 0x00000001
    ESME_RINVCMDLEN = 0x00000002
    ESME_RINVCMDID = 0x00000003
    ESME_RINVBNDSTS = 0x00000004
    ESME_RALYBND = 0x00000005
    ESME_RINVPRTFLG = 0x00000006
    ESME_RINVREGDLVFLG = 0x00000007
    ESME_RSYSERR = 0x00000008
    ESME_RINVSRCADR = 0x0000000A
    ESME_RINVDSTADR = 0x0000000B
    ESME_RINVMSGID = 0x0000000C
    ESME_RBINDFAIL = 0x0000000D
    ESME_RINVPASWD = 0x0000000E
    ESME_RINVSYSID = 0x0000000F
    ESME_RCANCELFAIL = 0x00000011
    ESME_RREPLACEFAIL = 0x00000013
    ESME_RMSGQFUL = 0x00000014
    ESME_RINVSERTYP = 0x00000015
    ESME_RINVNUMDESTS = 0x00000033
    ESME_RINVDLNAME = 0x00000034
    ESME_RINVDESTFLAG = 0x00000040
    ESME_RINVSUBREP = 0x00000042
    ESME_RINVESMCLASS = 0x00000043
    ESME_RCNTSUBDL = 0x00000044
    ESME_RSUBMITFAIL = 0x00000045
    ESME_RINVSRCTON = 0x00000048
    ESME_RINVSRCNPI = 0x00000049
    ESME_RINVDSTTON = 0x00000050
    ESME_RINVDSTNPI = 0x00000051
    ESME_RINVSYSTYP = 0x00000053
    ESME_RINVREPFLAG = 0x00000054
    ESME_RINVNUMMSGS = 0x00000055
    ESME_RTHROTTLED = 0x00000058
    ESME_RINVSCHED = 0x00000061
    ESME_RINVEXPIRY = 0x00000062
    ESME_RINVDFTMSGID = 0x00000063
    ESME_RX_T_APPN = 0x00000064
    ESME_RX_P_APPN = 0x00000065
    ESME_RX_R_APPN = 0x00000066
    ESME_RQUERYFAIL = 0x00000067
    ESME_RINVOPTPARSTREAM = 0x000000C0
    ESME_ROPTPARNOTALLWD = 0x000000C1
    ESME_RINVPARLEN = 0x000000C2
    ESME_RMISSINGOPTPARAM = 0x000000C3
    ESME_RINVOPTPARAMVAL = 0x000000C4
    ESME_RDELIVERYFAILURE = 0x000000FE
    ESME_RUNKNOWNERR = 0x000000FF


_STATUS_TEXT: dict[int, str] = {
    CommandStatus.ESME_ROK: "No error",
    CommandStatus.ESME_RINVMSGLEN: "Message length is invalid",
    CommandStatus.ESME_RINVCMDLEN: "Command length is invalid",
    CommandStatus.ESME_RINVCMDID: "Invalid command ID",
    CommandStatus.ESME_RINVBNDSTS: "Incorrect bind status for given command",
    CommandStatus.ESME_RALYBND: "ESME already in bound state",
    CommandStatus.ESME_RINVPRTFLG: "Invalid priority flag",
    CommandStatus.ESME_RINVREGDLVFLG: "Invalid registered delivery flag",
    CommandStatus.ESME_RSYSERR: "System error",
    CommandStatus.ESME_RINVSRCADR: "Invalid source address",
    CommandStatus.ESME_RINVDSTADR: "Invalid destination address",
    CommandStatus.ESME_RINVMSGID: "Message ID is invalid",
    CommandStatus.ESME_RBINDFAIL: "Bind failed",
    CommandStatus.ESME_RINVPASWD: "Invalid password",
    CommandStatus.ESME_RINVSYSID: "Invalid system ID",
    CommandStatus.ESME_RCANCELFAIL: "Cancel SM failed",
    CommandStatus.ESME_RREPLACEFAIL: "Replace SM failed",
    CommandStatus.ESME_RMSGQFUL: "Message queue full",
    CommandStatus.ESME_RINVSERTYP: "Invalid service type",
    CommandStatus.ESME_RINVNUMDESTS: "Invalid number of destinations",
    CommandStatus.ESME_RINVDLNAME: "Invalid distribution list name",
    CommandStatus.ESME_RINVDESTFLAG: "Destination flag is invalid",
    CommandStatus.ESME_RINVSUBREP: "Invalid submit with replace request",
    CommandStatus.ESME_RINVESMCLASS: "Invalid esm_class field data",
    CommandStatus.ESME_RCNTSUBDL: "Cannot submit to distribution list",
    CommandStatus.ESME_RSUBMITFAIL: "submit_sm or submit_multi failed",
    CommandStatus.ESME_RINVSRCTON: "Invalid source address TON",
    CommandStatus.ESME_RINVSRCNPI: "Invalid source address NPI",
    CommandStatus.ESME_RINVDSTTON: "Invalid destination address TON",
    CommandStatus.ESME_RINVDSTNPI: "Invalid destination address NPI",
    CommandStatus.ESME_RINVSYSTYP: "Invalid system_type field",
    CommandStatus.ESME_RINVREPFLAG: "Invalid replace_if_present flag",
    CommandStatus.ESME_RINVNUMMSGS: "Invalid number of messages",
    CommandStatus.ESME_RTHROTTLED: "Throttling error (ESME has exceeded allowed message limits)",
    CommandStatus.ESME_RINVSCHED: "Invalid scheduled delivery time",
    CommandStatus.ESME_RINVEXPIRY: "Invalid message validity period (expiry time)",
    CommandStatus.ESME_RINVDFTMSGID: "Predefined message invalid or not found",
    CommandStatus.ESME_RX_T_APPN: "ESME receiver temporary app error code",
    CommandStatus.ESME_RX_P_APPN: "ESME receiver permanent app error code",
    CommandStatus.ESME_RX_R_APPN: "ESME receiver reject message error code",
    CommandStatus.ESME_RQUERYFAIL: "query_sm request failed",
    CommandStatus.ESME_RINVOPTPARSTREAM: "Error in the optional part of the PDU body",
    CommandStatus.ESME_ROPTPARNOTALLWD: "Optional parameter not allowed",
    CommandStatus.ESME_RINVPARLEN: "Invalid parameter length",
    CommandStatus.ESME_RMISSINGOPTPARAM: "Expected optional parameter missing",
    CommandStatus.ESME_RINVOPTPARAMVAL: "Invalid optional parameter value",
    CommandStatus.ESME_RDELIVERYFAILURE: "Delivery failure (data_sm_resp)",
    CommandStatus.ESME_RUNKNOWNERR: "Unknown error",
}


class StatusClass(StrEnum):
    """What a sender does with a response status."""

    OK = "ok"
    # The SMSC asks us to slow down: back off the whole bind, then retry the message.
    THROTTLED = "throttled"
    # A passing fault on the SMSC's side or our session: retry the message later.
    TRANSIENT = "transient"
    # The SMSC will never take this message as it is: the message has failed (R-T5).
    PERMANENT = "permanent"


_STATUS_CLASS: dict[int, StatusClass] = {
    CommandStatus.ESME_ROK: StatusClass.OK,
    CommandStatus.ESME_RTHROTTLED: StatusClass.THROTTLED,
    CommandStatus.ESME_RMSGQFUL: StatusClass.THROTTLED,
    CommandStatus.ESME_RSYSERR: StatusClass.TRANSIENT,
    CommandStatus.ESME_RX_T_APPN: StatusClass.TRANSIENT,
    # Not the message's fault: the session is not bound as it should be; rebind and resend.
    CommandStatus.ESME_RINVBNDSTS: StatusClass.TRANSIENT,
}


def classify_status(status: int) -> StatusClass:
    """The retry class of a command_status. As Kannel does, anything not known to be passing
    (including unknown and vendor-specific codes) is permanent, so no message loops forever."""
    return _STATUS_CLASS.get(status, StatusClass.PERMANENT)


def is_transient_status(status: int) -> bool:
    """Whether a message refused with this status should be sent again later."""
    return classify_status(status) in (StatusClass.THROTTLED, StatusClass.TRANSIENT)


def status_name(status: int) -> str:
    """`ESME_RTHROTTLED`, or the hex value for a code SMPP 3.4 does not name."""
    try:
        return CommandStatus(status).name
    except ValueError:
        return f"0x{status:08X}"


def describe_status(status: int) -> str:
    """A one-line reason for logs and a failed message: `ESME_RINVDSTADR (0x0000000B): …`."""
    text = _STATUS_TEXT.get(status)
    if text is None:
        text = "Vendor-specific error" if 0x400 <= status <= 0x4FF else "Reserved error code"
        return f"0x{status:08X}: {text}"
    return f"{status_name(status)} (0x{status:08X}): {text}"


class Ton(IntEnum):
    """Type of number (SMPP 3.4 §5.2.5)."""

    UNKNOWN = 0
    INTERNATIONAL = 1
    NATIONAL = 2
    NETWORK_SPECIFIC = 3
    SUBSCRIBER_NUMBER = 4
    ALPHANUMERIC = 5
    ABBREVIATED = 6


class Npi(IntEnum):
    """Numbering plan indicator (SMPP 3.4 §5.2.6)."""

    UNKNOWN = 0
    ISDN = 1
    DATA = 3
    TELEX = 4
    LAND_MOBILE = 6
    NATIONAL = 8
    PRIVATE = 9
    ERMES = 10
    INTERNET = 14
    WAP_CLIENT_ID = 18


class MessageState(IntEnum):
    """The message_state TLV (SMPP 3.4 §5.2.28)."""

    ENROUTE = 1
    DELIVERED = 2
    EXPIRED = 3
    DELETED = 4
    UNDELIVERABLE = 5
    ACCEPTED = 6
    UNKNOWN = 7
    REJECTED = 8


class TlvTag(IntEnum):
    """Optional parameter tags (SMPP 3.4 §5.3.2)."""

    DEST_ADDR_SUBUNIT = 0x0005
    DEST_NETWORK_TYPE = 0x0006
    DEST_BEARER_TYPE = 0x0007
    DEST_TELEMATICS_ID = 0x0008
    SOURCE_ADDR_SUBUNIT = 0x000D
    SOURCE_NETWORK_TYPE = 0x000E
    SOURCE_BEARER_TYPE = 0x000F
    SOURCE_TELEMATICS_ID = 0x0010
    QOS_TIME_TO_LIVE = 0x0017
    PAYLOAD_TYPE = 0x0019
    ADDITIONAL_STATUS_INFO_TEXT = 0x001D
    RECEIPTED_MESSAGE_ID = 0x001E
    MS_MSG_WAIT_FACILITIES = 0x0030
    PRIVACY_INDICATOR = 0x0201
    SOURCE_SUBADDRESS = 0x0202
    DEST_SUBADDRESS = 0x0203
    USER_MESSAGE_REFERENCE = 0x0204
    USER_RESPONSE_CODE = 0x0205
    SOURCE_PORT = 0x020A
    DESTINATION_PORT = 0x020B
    SAR_MSG_REF_NUM = 0x020C
    LANGUAGE_INDICATOR = 0x020D
    SAR_TOTAL_SEGMENTS = 0x020E
    SAR_SEGMENT_SEQNUM = 0x020F
    SC_INTERFACE_VERSION = 0x0210
    CALLBACK_NUM_PRES_IND = 0x0302
    CALLBACK_NUM_ATAG = 0x0303
    NUMBER_OF_MESSAGES = 0x0304
    CALLBACK_NUM = 0x0381
    DPF_RESULT = 0x0420
    SET_DPF = 0x0421
    MS_AVAILABILITY_STATUS = 0x0422
    NETWORK_ERROR_CODE = 0x0423
    MESSAGE_PAYLOAD = 0x0424
    DELIVERY_FAILURE_REASON = 0x0425
    MORE_MESSAGES_TO_SEND = 0x0426
    MESSAGE_STATE = 0x0427
    USSD_SERVICE_OP = 0x0501
    DISPLAY_TIME = 0x1201
    SMS_SIGNAL = 0x1203
    MS_VALIDITY = 0x1204
    ALERT_ON_MESSAGE_DELIVERY = 0x130C
    ITS_REPLY_TYPE = 0x1380
    ITS_SESSION_INFO = 0x1383


class PduError(Exception):
    """Anything the codec refuses."""


class PduEncodeError(PduError, ValueError):
    """A value does not fit the SMPP field it is meant for."""


class PduFramingError(PduError):
    """The byte stream is not SMPP any more (a command_length out of bounds): close it."""


class PduBodyError(PduError):
    """One frame with a body that does not parse. The frame is consumed; answer it with a
    `generic_nack` carrying `status` and `sequence_number`."""

    def __init__(self, message: str, *, command_id: int, sequence_number: int, status: int) -> None:
        super().__init__(message)
        self.command_id = command_id
        self.sequence_number = sequence_number
        self.status = status


@dataclass(frozen=True)
class Tlv:
    """An optional parameter kept as it came (tags this codec does not interpret)."""

    tag: int
    value: bytes


@dataclass(frozen=True)
class NetworkErrorCode:
    """The network_error_code TLV: network type (1 GSM, 2 ANSI-136, 3 IS-95) and its code."""

    network_type: int
    error_code: int


@dataclass(frozen=True)
class Tlvs:
    """The optional parameters of a PDU: the ones the engine reads are typed, the rest are kept
    raw in `other` (in their order) so nothing is lost or refused."""

    receipted_message_id: str | None = None
    message_state: int | None = None
    network_error_code: NetworkErrorCode | None = None
    sar_msg_ref_num: int | None = None
    sar_total_segments: int | None = None
    sar_segment_seqnum: int | None = None
    message_payload: bytes | None = None
    user_message_reference: int | None = None
    sc_interface_version: int | None = None
    other: tuple[Tlv, ...] = ()

    def get(self, tag: int) -> bytes | None:
        """The raw value of a TLV kept in `other`, by tag."""
        return next((tlv.value for tlv in self.other if tlv.tag == tag), None)


# The integer TLVs the engine reads, with their lengths in octets.
_INT_TLVS: dict[str, tuple[int, int]] = {
    "message_state": (TlvTag.MESSAGE_STATE, 1),
    "sar_msg_ref_num": (TlvTag.SAR_MSG_REF_NUM, 2),
    "sar_total_segments": (TlvTag.SAR_TOTAL_SEGMENTS, 1),
    "sar_segment_seqnum": (TlvTag.SAR_SEGMENT_SEQNUM, 1),
    "user_message_reference": (TlvTag.USER_MESSAGE_REFERENCE, 2),
    "sc_interface_version": (TlvTag.SC_INTERFACE_VERSION, 1),
}
_INT_TLV_BY_TAG: dict[int, tuple[str, int]] = {
    tag: (name, size) for name, (tag, size) in _INT_TLVS.items()
}
RECEIPTED_MESSAGE_ID_MAX = 65


class _Writer:
    def __init__(self) -> None:
        self.buffer = bytearray()

    def integer(self, value: int, size: int, name: str) -> None:
        if not isinstance(value, int) or not 0 <= value < 1 << (8 * size):
            raise PduEncodeError(f"{name} must be an integer of {size} octet(s), not {value!r}.")
        self.buffer += value.to_bytes(size, "big")

    def cstring(self, value: str, max_length: int, name: str) -> None:
        """A C-octet string: ASCII, NUL-terminated, at most max_length octets with the NUL."""
        try:
            encoded = value.encode("ascii")
        except (UnicodeEncodeError, AttributeError):
            raise PduEncodeError(f"{name} must be ASCII text, not {value!r}.") from None
        if b"\0" in encoded:
            raise PduEncodeError(f"{name} must not contain NUL.")
        if len(encoded) + 1 > max_length:
            raise PduEncodeError(
                f"{name} is {len(encoded)} characters long; at most {max_length - 1} fit."
            )
        self.buffer += encoded + b"\0"

    def octets(self, value: bytes) -> None:
        self.buffer += value

    def tlv(self, tag: int, value: bytes, name: str) -> None:
        if not 0 <= tag <= 0xFFFF:
            raise PduEncodeError(f"A TLV tag has 2 octets; {tag!r} does not fit.")
        if len(value) > 0xFFFF:
            raise PduEncodeError(f"The {name} TLV is longer than 65535 octets.")
        self.buffer += struct.pack(">HH", tag, len(value)) + value

    def tlvs(self, tlvs: Tlvs) -> None:
        if tlvs.receipted_message_id is not None:
            inner = _Writer()
            inner.cstring(
                tlvs.receipted_message_id, RECEIPTED_MESSAGE_ID_MAX, "receipted_message_id"
            )
            self.tlv(TlvTag.RECEIPTED_MESSAGE_ID, bytes(inner.buffer), "receipted_message_id")
        for name, (tag, size) in _INT_TLVS.items():
            value = getattr(tlvs, name)
            if value is not None:
                inner = _Writer()
                inner.integer(value, size, name)
                self.tlv(tag, bytes(inner.buffer), name)
        if tlvs.network_error_code is not None:
            inner = _Writer()
            inner.integer(tlvs.network_error_code.network_type, 1, "network_type")
            inner.integer(tlvs.network_error_code.error_code, 2, "error_code")
            self.tlv(TlvTag.NETWORK_ERROR_CODE, bytes(inner.buffer), "network_error_code")
        if tlvs.message_payload is not None:
            self.tlv(TlvTag.MESSAGE_PAYLOAD, tlvs.message_payload, "message_payload")
        for other in tlvs.other:
            self.tlv(other.tag, other.value, f"0x{other.tag:04X}")


class _Cursor:
    """Reads a PDU body; every shortfall is a PduBodyError, never an IndexError."""

    def __init__(self, body: bytes, command_id: int, sequence_number: int) -> None:
        self.body = body
        self.position = 0
        self.command_id = command_id
        self.sequence_number = sequence_number

    def error(self, message: str, status: int = CommandStatus.ESME_RINVCMDLEN) -> PduBodyError:
        return PduBodyError(
            message,
            command_id=self.command_id,
            sequence_number=self.sequence_number,
            status=status,
        )

    @property
    def remaining(self) -> int:
        return len(self.body) - self.position

    def octets(self, length: int, name: str) -> bytes:
        start = self.position
        end = start + length
        if end > len(self.body):
            raise self.error(f"The PDU ends inside {name}.")
        self.position = end
        return self.body[start:end]

    def integer(self, size: int, name: str) -> int:
        # The hot path of every decode: no slicing for one octet.
        start = self.position
        end = start + size
        body = self.body
        if end > len(body):
            raise self.error(f"The PDU ends inside {name}.")
        self.position = end
        return body[start] if size == 1 else int.from_bytes(body[start:end], "big")

    def cstring(self, max_length: int, name: str) -> str:
        end = self.body.find(b"\0", self.position, self.position + max_length)
        if end < 0:
            if self.remaining < max_length:
                raise self.error(f"The PDU ends inside {name} (no NUL terminator).")
            raise self.error(
                f"{name} has no NUL within {max_length} octets.", CommandStatus.ESME_RINVPARLEN
            )
        value = self.body[self.position : end].decode("latin-1")
        self.position = end + 1
        return value

    def tlvs(self) -> Tlvs:
        values: dict[str, object] = {}
        other: list[Tlv] = []
        while self.remaining:
            if self.remaining < 4:
                raise self.error(
                    "The PDU ends inside a TLV header.", CommandStatus.ESME_RINVOPTPARSTREAM
                )
            tag = self.integer(2, "a TLV tag")
            length = self.integer(2, "a TLV length")
            if length > self.remaining:
                raise self.error(
                    f"TLV 0x{tag:04X} is longer than the rest of the PDU.",
                    CommandStatus.ESME_RINVOPTPARSTREAM,
                )
            value = self.octets(length, f"TLV 0x{tag:04X}")
            name, parsed = self._typed_tlv(tag, value)
            if name is None or name in values:
                other.append(Tlv(tag=tag, value=value))  # unknown or repeated: kept as it came
            else:
                values[name] = parsed
        return Tlvs(**values, other=tuple(other))  # type: ignore[arg-type]

    def _typed_tlv(self, tag: int, value: bytes) -> tuple[str | None, object]:
        if tag == TlvTag.RECEIPTED_MESSAGE_ID:
            # A C-octet string; some SMSCs leave out the NUL, which does no harm here.
            return "receipted_message_id", value.split(b"\0", 1)[0].decode("latin-1")
        if tag == TlvTag.MESSAGE_PAYLOAD:
            return "message_payload", value
        if tag == TlvTag.NETWORK_ERROR_CODE:
            self._expect_length(tag, value, 3)
            return "network_error_code", NetworkErrorCode(
                network_type=value[0], error_code=int.from_bytes(value[1:], "big")
            )
        if tag in _INT_TLV_BY_TAG:
            name, size = _INT_TLV_BY_TAG[tag]
            self._expect_length(tag, value, size)
            return name, int.from_bytes(value, "big")
        return None, None

    def _expect_length(self, tag: int, value: bytes, size: int) -> None:
        if len(value) != size:
            raise self.error(
                f"TLV 0x{tag:04X} has {len(value)} octets; it must have {size}.",
                CommandStatus.ESME_RINVPARLEN,
            )

    def end(self) -> None:
        if self.remaining:
            raise self.error(f"{self.remaining} unexpected octets at the end of the PDU.")


@dataclass(frozen=True, kw_only=True)
class Pdu:
    """A PDU: the header fields but command_length (computed on encode), and its body."""

    COMMAND_ID: ClassVar[int]

    sequence_number: int
    command_status: int = CommandStatus.ESME_ROK

    @property
    def command_id(self) -> int:
        return self.COMMAND_ID

    @property
    def is_response(self) -> bool:
        return bool(self.command_id & RESPONSE_BIT)

    def encode(self) -> bytes:
        """The PDU as it goes on the wire."""
        writer = _Writer()
        self._encode_body(writer)
        length = HEADER_LENGTH + len(writer.buffer)
        if length > MAX_PDU_LENGTH:
            raise PduEncodeError(f"The PDU is {length} octets; at most {MAX_PDU_LENGTH} are sent.")
        header = _Writer()
        header.integer(length, 4, "command_length")
        header.integer(self.command_id, 4, "command_id")
        header.integer(self.command_status, 4, "command_status")
        header.integer(self.sequence_number, 4, "sequence_number")
        return bytes(header.buffer + writer.buffer)

    def _encode_body(self, writer: _Writer) -> None:
        """Header-only PDUs have no body."""

    @classmethod
    def _decode(cls, header: Header, cursor: _Cursor) -> Self:
        cursor.end()
        return cls(sequence_number=header.sequence_number, command_status=header.command_status)


@dataclass(frozen=True, kw_only=True)
class GenericNack(Pdu):
    """The answer to a PDU that could not be understood."""

    COMMAND_ID = CommandId.GENERIC_NACK


@dataclass(frozen=True, kw_only=True)
class EnquireLink(Pdu):
    COMMAND_ID = CommandId.ENQUIRE_LINK


@dataclass(frozen=True, kw_only=True)
class EnquireLinkResp(Pdu):
    COMMAND_ID = CommandId.ENQUIRE_LINK_RESP


@dataclass(frozen=True, kw_only=True)
class Unbind(Pdu):
    COMMAND_ID = CommandId.UNBIND


@dataclass(frozen=True, kw_only=True)
class UnbindResp(Pdu):
    COMMAND_ID = CommandId.UNBIND_RESP


@dataclass(frozen=True, kw_only=True)
class _Bind(Pdu):
    """bind_transmitter / bind_receiver / bind_transceiver (SMPP 3.4 §4.1)."""

    system_id: str
    password: str = ""
    system_type: str = ""
    interface_version: int = INTERFACE_VERSION
    addr_ton: int = 0
    addr_npi: int = 0
    address_range: str = ""

    def _encode_body(self, writer: _Writer) -> None:
        writer.cstring(self.system_id, 16, "system_id")
        writer.cstring(self.password, 9, "password")
        writer.cstring(self.system_type, 13, "system_type")
        writer.integer(self.interface_version, 1, "interface_version")
        writer.integer(self.addr_ton, 1, "addr_ton")
        writer.integer(self.addr_npi, 1, "addr_npi")
        writer.cstring(self.address_range, 41, "address_range")

    @classmethod
    def _decode(cls, header: Header, cursor: _Cursor) -> Self:
        pdu = cls(
            sequence_number=header.sequence_number,
            command_status=header.command_status,
            system_id=cursor.cstring(16, "system_id"),
            password=cursor.cstring(9, "password"),
            system_type=cursor.cstring(13, "system_type"),
            interface_version=cursor.integer(1, "interface_version"),
            addr_ton=cursor.integer(1, "addr_ton"),
            addr_npi=cursor.integer(1, "addr_npi"),
            address_range=cursor.cstring(41, "address_range"),
        )
        cursor.end()
        return pdu


@dataclass(frozen=True, kw_only=True)
class BindTransmitter(_Bind):
    COMMAND_ID = CommandId.BIND_TRANSMITTER


@dataclass(frozen=True, kw_only=True)
class BindReceiver(_Bind):
    COMMAND_ID = CommandId.BIND_RECEIVER


@dataclass(frozen=True, kw_only=True)
class BindTransceiver(_Bind):
    """The bind the dispatcher uses: one connection to submit and to receive receipts."""

    COMMAND_ID = CommandId.BIND_TRANSCEIVER


@dataclass(frozen=True, kw_only=True)
class _BindResp(Pdu):
    """The answer to a bind: the SMSC's system_id and, optionally, sc_interface_version.
    SMPP 3.4 sends no body when command_status is not 0: an error response with empty fields
    goes as a bare header. A body is read (and written, if given) all the same."""

    system_id: str = ""
    tlvs: Tlvs = field(default_factory=Tlvs)

    def _encode_body(self, writer: _Writer) -> None:
        if self.command_status == CommandStatus.ESME_ROK or self.system_id or self.tlvs != Tlvs():
            writer.cstring(self.system_id, 16, "system_id")
            writer.tlvs(self.tlvs)

    @classmethod
    def _decode(cls, header: Header, cursor: _Cursor) -> Self:
        if not cursor.remaining:
            return cls(sequence_number=header.sequence_number, command_status=header.command_status)
        return cls(
            sequence_number=header.sequence_number,
            command_status=header.command_status,
            system_id=cursor.cstring(16, "system_id"),
            tlvs=cursor.tlvs(),
        )


@dataclass(frozen=True, kw_only=True)
class BindTransmitterResp(_BindResp):
    COMMAND_ID = CommandId.BIND_TRANSMITTER_RESP


@dataclass(frozen=True, kw_only=True)
class BindReceiverResp(_BindResp):
    COMMAND_ID = CommandId.BIND_RECEIVER_RESP


@dataclass(frozen=True, kw_only=True)
class BindTransceiverResp(_BindResp):
    COMMAND_ID = CommandId.BIND_TRANSCEIVER_RESP


@dataclass(frozen=True, kw_only=True)
class _ShortMessage(Pdu):
    """submit_sm and deliver_sm share their mandatory fields (SMPP 3.4 §4.4.1, §4.6.1)."""

    service_type: str = ""
    source_addr_ton: int = 0
    source_addr_npi: int = 0
    source_addr: str = ""
    dest_addr_ton: int = 0
    dest_addr_npi: int = 0
    destination_addr: str = ""
    esm_class: int = 0
    protocol_id: int = 0
    priority_flag: int = 0
    schedule_delivery_time: str = ""
    validity_period: str = ""
    registered_delivery: int = 0
    replace_if_present_flag: int = 0
    data_coding: int = 0
    sm_default_msg_id: int = 0
    short_message: bytes = b""
    tlvs: Tlvs = field(default_factory=Tlvs)

    def _encode_body(self, writer: _Writer) -> None:
        writer.cstring(self.service_type, 6, "service_type")
        writer.integer(self.source_addr_ton, 1, "source_addr_ton")
        writer.integer(self.source_addr_npi, 1, "source_addr_npi")
        writer.cstring(self.source_addr, 21, "source_addr")
        writer.integer(self.dest_addr_ton, 1, "dest_addr_ton")
        writer.integer(self.dest_addr_npi, 1, "dest_addr_npi")
        writer.cstring(self.destination_addr, 21, "destination_addr")
        writer.integer(self.esm_class, 1, "esm_class")
        writer.integer(self.protocol_id, 1, "protocol_id")
        writer.integer(self.priority_flag, 1, "priority_flag")
        for name in ("schedule_delivery_time", "validity_period"):
            value = getattr(self, name)
            # Absolute or relative time "YYMMDDhhmmsstnnp", or empty for the SMSC's default.
            if len(value) not in (0, 16):
                raise PduEncodeError(f"{name} must be empty or 16 characters, not {value!r}.")
            writer.cstring(value, 17, name)
        writer.integer(self.registered_delivery, 1, "registered_delivery")
        writer.integer(self.replace_if_present_flag, 1, "replace_if_present_flag")
        writer.integer(self.data_coding, 1, "data_coding")
        writer.integer(self.sm_default_msg_id, 1, "sm_default_msg_id")
        if len(self.short_message) > 254:
            raise PduEncodeError(
                f"short_message is {len(self.short_message)} octets; at most 254 fit."
            )
        writer.integer(len(self.short_message), 1, "sm_length")
        writer.octets(self.short_message)
        writer.tlvs(self.tlvs)

    @classmethod
    def _decode(cls, header: Header, cursor: _Cursor) -> Self:
        values: dict[str, object] = {
            "service_type": cursor.cstring(6, "service_type"),
            "source_addr_ton": cursor.integer(1, "source_addr_ton"),
            "source_addr_npi": cursor.integer(1, "source_addr_npi"),
            "source_addr": cursor.cstring(21, "source_addr"),
            "dest_addr_ton": cursor.integer(1, "dest_addr_ton"),
            "dest_addr_npi": cursor.integer(1, "dest_addr_npi"),
            "destination_addr": cursor.cstring(21, "destination_addr"),
            "esm_class": cursor.integer(1, "esm_class"),
            "protocol_id": cursor.integer(1, "protocol_id"),
            "priority_flag": cursor.integer(1, "priority_flag"),
            "schedule_delivery_time": cursor.cstring(17, "schedule_delivery_time"),
            "validity_period": cursor.cstring(17, "validity_period"),
            "registered_delivery": cursor.integer(1, "registered_delivery"),
            "replace_if_present_flag": cursor.integer(1, "replace_if_present_flag"),
            "data_coding": cursor.integer(1, "data_coding"),
            "sm_default_msg_id": cursor.integer(1, "sm_default_msg_id"),
        }
        sm_length = cursor.integer(1, "sm_length")
        if sm_length > cursor.remaining:
            raise cursor.error(
                f"sm_length {sm_length} is longer than the rest of the PDU.",
                CommandStatus.ESME_RINVMSGLEN,
            )
        values["short_message"] = cursor.octets(sm_length, "short_message")
        values["tlvs"] = cursor.tlvs()
        return cls(
            sequence_number=header.sequence_number,
            command_status=header.command_status,
            **values,  # type: ignore[arg-type]
        )

    @property
    def message_type(self) -> int:
        """The message type bits of esm_class (0x04: an SMSC delivery receipt)."""
        return self.esm_class & ESM_CLASS_MESSAGE_TYPE_MASK

    @property
    def has_udh(self) -> bool:
        return bool(self.esm_class & ESM_CLASS_UDHI)


@dataclass(frozen=True, kw_only=True)
class SubmitSm(_ShortMessage):
    """A message (part) from us to the SMSC (R-T6)."""

    COMMAND_ID = CommandId.SUBMIT_SM


@dataclass(frozen=True, kw_only=True)
class DeliverSm(_ShortMessage):
    """A message from the SMSC to us: a delivery receipt when esm_class says so (R-T5)."""

    COMMAND_ID = CommandId.DELIVER_SM

    @property
    def is_delivery_receipt(self) -> bool:
        return self.message_type == ESM_CLASS_DELIVERY_RECEIPT


@dataclass(frozen=True, kw_only=True)
class _MessageIdResp(Pdu):
    """submit_sm_resp / deliver_sm_resp: a message_id (unused, empty, in deliver_sm_resp).
    SMPP 3.4 sends no body when command_status is not 0: an error response with empty fields
    goes as a bare header. A body is read (and written, if given) all the same."""

    message_id: str = ""
    tlvs: Tlvs = field(default_factory=Tlvs)

    def _encode_body(self, writer: _Writer) -> None:
        if self.command_status == CommandStatus.ESME_ROK or self.message_id or self.tlvs != Tlvs():
            writer.cstring(self.message_id, 65, "message_id")
            writer.tlvs(self.tlvs)

    @classmethod
    def _decode(cls, header: Header, cursor: _Cursor) -> Self:
        if not cursor.remaining:
            return cls(sequence_number=header.sequence_number, command_status=header.command_status)
        return cls(
            sequence_number=header.sequence_number,
            command_status=header.command_status,
            message_id=cursor.cstring(65, "message_id"),
            tlvs=cursor.tlvs(),
        )


@dataclass(frozen=True, kw_only=True)
class SubmitSmResp(_MessageIdResp):
    """The SMSC took (or refused, by command_status) a submit_sm; message_id names it."""

    COMMAND_ID = CommandId.SUBMIT_SM_RESP


@dataclass(frozen=True, kw_only=True)
class DeliverSmResp(_MessageIdResp):
    COMMAND_ID = CommandId.DELIVER_SM_RESP


@dataclass(frozen=True, kw_only=True)
class UnknownPdu(Pdu):
    """A PDU this codec does not decode (query_sm, data_sm, …), kept whole so the session can
    answer it with `generic_nack` ESME_RINVCMDID (or a response of its own)."""

    raw_command_id: int
    body: bytes = b""

    @property
    def command_id(self) -> int:
        return self.raw_command_id

    def _encode_body(self, writer: _Writer) -> None:
        writer.octets(self.body)


_PDU_CLASSES: dict[int, type[Pdu]] = {
    cls.COMMAND_ID: cls
    for cls in (
        GenericNack,
        EnquireLink,
        EnquireLinkResp,
        Unbind,
        UnbindResp,
        BindTransmitter,
        BindReceiver,
        BindTransceiver,
        BindTransmitterResp,
        BindReceiverResp,
        BindTransceiverResp,
        SubmitSm,
        SubmitSmResp,
        DeliverSm,
        DeliverSmResp,
    )
}


@dataclass(frozen=True)
class Header:
    """The 16 octets that start every PDU."""

    command_length: int
    command_id: int
    command_status: int
    sequence_number: int


def parse_header(data: bytes, *, max_length: int = MAX_PDU_LENGTH) -> Header:
    """Read and check a PDU header; the command_length must lie in 16 … max_length."""
    if len(data) < HEADER_LENGTH:
        raise PduFramingError(f"A PDU header has 16 octets; got {len(data)}.")
    command_length, command_id, command_status, sequence_number = struct.unpack_from(">IIII", data)
    _check_length(command_length, max_length)
    return Header(command_length, command_id, command_status, sequence_number)


def decode_pdu(frame: bytes, *, max_length: int = MAX_PDU_LENGTH) -> Pdu:
    """Decode one whole PDU (its command_length must equal the length of `frame`)."""
    header = parse_header(frame, max_length=max_length)
    if header.command_length != len(frame):
        raise PduFramingError(
            f"command_length says {header.command_length} octets but the frame has {len(frame)}."
        )
    cursor = _Cursor(bytes(frame[HEADER_LENGTH:]), header.command_id, header.sequence_number)
    cls = _PDU_CLASSES.get(header.command_id)
    if cls is None:
        return UnknownPdu(
            sequence_number=header.sequence_number,
            command_status=header.command_status,
            raw_command_id=header.command_id,
            body=cursor.body,
        )
    return cls._decode(header, cursor)


def _check_length(command_length: int, max_length: int) -> None:
    if command_length < HEADER_LENGTH:
        raise PduFramingError(
            f"command_length {command_length} is shorter than the 16-octet header."
        )
    if command_length > max_length:
        raise PduFramingError(f"command_length {command_length} exceeds {max_length} octets.")


class PduReader:
    """Cuts a TCP byte stream into PDUs: feed it chunks of any size, iterate to get the PDUs
    complete so far.

        reader.feed(chunk)
        for pdu in reader: ...

    A `PduBodyError` is raised for a frame whose body does not parse; that frame is consumed and
    iterating again goes on with the next one. A `PduFramingError` (command_length < 16 or
    > max_length) is final: the reader refuses everything after it, the connection has to go.
    """

    def __init__(self, *, max_length: int = MAX_PDU_LENGTH) -> None:
        self.max_length = max_length
        self._buffer = bytearray()
        self._broken: PduFramingError | None = None

    def feed(self, data: bytes) -> None:
        if self._broken is not None:
            raise self._broken
        self._buffer += data

    @property
    def buffered(self) -> int:
        """Octets received but not yet part of a whole PDU."""
        return len(self._buffer)

    def __iter__(self) -> Iterator[Pdu]:
        return self

    def __next__(self) -> Pdu:
        frame = self._next_frame()
        if frame is None:
            raise StopIteration
        return decode_pdu(frame, max_length=self.max_length)

    def _next_frame(self) -> bytes | None:
        if self._broken is not None:
            raise self._broken
        if len(self._buffer) < 4:
            return None
        command_length = int.from_bytes(self._buffer[:4], "big")
        try:
            _check_length(command_length, self.max_length)
        except PduFramingError as error:
            self._broken = error
            self._buffer.clear()
            raise
        if len(self._buffer) < command_length:
            return None
        frame = bytes(self._buffer[:command_length])
        del self._buffer[:command_length]
        return frame


class SequenceNumbers:
    """sequence_number values for requests: 1 … 0x7FFFFFFF, then round again (SMPP 3.4 §5.1.4)."""

    def __init__(self, start: int = 1) -> None:
        if not 1 <= start <= MAX_SEQUENCE_NUMBER:
            raise ValueError(f"A sequence number lies in 1 … {MAX_SEQUENCE_NUMBER}.")
        self._next = start

    def __next__(self) -> int:
        value = self._next
        self._next = 1 if value == MAX_SEQUENCE_NUMBER else value + 1
        return value

    def __iter__(self) -> Iterator[int]:
        return self
