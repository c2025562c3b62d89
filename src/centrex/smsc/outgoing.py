"""What goes out to the SMSC (R-T3, R-T6): a claimed message turned into the `submit_sm` PDUs of
its parts, as API.md "SMPP as sent to the SMSC" wants them.

The dispatcher sends thousands of messages per second and many share their request (one text,
one sender, many recipients), so a request is encoded once into a template: the body before
`destination_addr` (the sender, encoded by the codec of `centrex.smsc.pdu`) and the body after
it (one per part), with the validity period (`CENTREX_SMS_VALIDITY`, the same for every
message: no lookup per message). A message is then its destination spliced in, with its own concatenation reference (the low
octet of the message id: the same on every part of the message and on a resend of it, so a
phone that gets a part twice still puts the text together). The sequence number is set when the
PDU is written (`submit_sm_pdu`).
"""

from __future__ import annotations

import struct
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from centrex.senders.models import SenderType
from centrex.sms.encoding import TextTooLong, encode_sms
from centrex.sms.queue import ClaimedRow
from centrex.smsc.pdu import (
    REGISTERED_DELIVERY_RECEIPT,
    CommandId,
    Npi,
    PduEncodeError,
    SubmitSm,
    Ton,
)

_HEADER = struct.Struct(">IIII")
# R-T6: destinations are international numbers, E.164 digits without "+".
DESTINATION_TON = Ton.INTERNATIONAL
DESTINATION_NPI = Npi.ISDN
_MAX_ADDRESS = 20  # SMPP 3.4 §4.4.1: destination_addr is a C-octet string of 21 octets
_MAX_SHORT_MESSAGE = 254
_CACHED_REQUESTS = 4096
# The error codes of messages refused before they reach the SMSC.
INVALID_MESSAGE = "invalid_message"
INVALID_DESTINATION = "invalid_destination"


class ComposeError(ValueError):
    """A message that cannot be written as SMPP: it fails for good with `code` and the reason."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(text)
        self.code = code
        self.text = text


@dataclass(frozen=True)
class _PartTemplate:
    suffix: bytes  # the body after destination_addr's NUL
    reference_at: int  # where the UDH reference octet is in `suffix`, -1 without UDH


@dataclass(frozen=True)
class _RequestTemplate:
    prefix: bytes  # the body up to destination_addr (service_type … dest_addr_npi)
    parts: tuple[_PartTemplate, ...]


def source_address(sender_type: str, sender_value: str) -> str:
    """R-T6: `source_addr` as sent: the alias text, or E.164 digits without `+`."""
    return sender_value.removeprefix("+") if sender_type == SenderType.MOBILE else sender_value


def submit_sm_pdu(body: bytes, sequence_number: int) -> bytes:
    """A whole `submit_sm`: the header with its sequence number, then a body from `compose`."""
    return _HEADER.pack(16 + len(body), CommandId.SUBMIT_SM, 0, sequence_number) + body


class SubmitComposer:
    """Turns claimed rows into `submit_sm` bodies, keeping the templates of the requests seen
    lately (a request with many recipients is claimed over many batches) and the encoded
    senders. `validity_period` goes in every `submit_sm` as it is given: SMPP 3.4's
    "YYMMDDhhmmss000R" (`centrex.config.durations.smpp_relative_time`), or "" for the SMSC's
    default."""

    def __init__(self, cache_size: int = _CACHED_REQUESTS, *, validity_period: str = "") -> None:
        if len(validity_period) not in (0, 16) or not validity_period.isascii():
            raise ValueError(f"validity_period is empty or 16 characters, not {validity_period!r}.")
        self._validity_period = validity_period.encode("ascii")
        self._cache: OrderedDict[int, _RequestTemplate | ComposeError] = OrderedDict()
        self._prefixes: OrderedDict[tuple[str, str, int, int], bytes | ComposeError] = OrderedDict()
        self._cache_size = cache_size

    def compose(self, row: ClaimedRow) -> tuple[bytes, ...]:
        """The `submit_sm` bodies of every part of one message, in order. Raises ComposeError
        when the text or the addresses cannot be sent."""
        template = self._template(row)
        if isinstance(template, ComposeError):
            raise template
        destination = row.destination.removeprefix("+")
        if not (destination.isascii() and destination.isdigit()) or len(destination) > _MAX_ADDRESS:
            raise ComposeError(
                INVALID_DESTINATION, "The recipient is not an international number (E.164)."
            )
        middle = template.prefix + destination.encode("ascii") + b"\0"
        reference = row.id & 0xFF
        bodies = []
        for part in template.parts:
            suffix = part.suffix
            if part.reference_at >= 0:
                at = part.reference_at
                suffix = suffix[:at] + bytes((reference,)) + suffix[at + 1 :]
            bodies.append(middle + suffix)
        return tuple(bodies)

    def _template(self, row: ClaimedRow) -> _RequestTemplate | ComposeError:
        cached = self._cache.get(row.request_id)
        if cached is not None:
            self._cache.move_to_end(row.request_id)
            return cached
        try:
            template: _RequestTemplate | ComposeError = _RequestTemplate(
                prefix=self._prefix(row),
                parts=_part_templates(row.text, self._validity_period),
            )
        except ComposeError as error:
            template = error
        _remember(self._cache, row.request_id, template, self._cache_size)
        return template

    def _prefix(self, row: ClaimedRow) -> bytes:
        key = (row.sender_type, row.sender_value, row.sender_ton, row.sender_npi)
        prefix = self._prefixes.get(key)
        if prefix is None:
            try:
                prefix = _sender_prefix(row)
            except ComposeError as error:
                prefix = error
            _remember(self._prefixes, key, prefix, self._cache_size)
        if isinstance(prefix, ComposeError):
            raise prefix
        return prefix


def _remember(cache: OrderedDict[Any, Any], key: Any, value: Any, size: int) -> None:
    cache[key] = value
    if len(cache) > size:
        cache.popitem(last=False)


def _sender_prefix(row: ClaimedRow) -> bytes:
    """The body up to `destination_addr`, encoded by the codec (which checks the sender)."""
    source = source_address(row.sender_type, row.sender_value)
    try:
        body = SubmitSm(
            sequence_number=1,
            source_addr_ton=row.sender_ton,
            source_addr_npi=row.sender_npi,
            source_addr=source,
            dest_addr_ton=DESTINATION_TON,
            dest_addr_npi=DESTINATION_NPI,
            destination_addr="",
        ).encode()[16:]
    except PduEncodeError as error:
        raise ComposeError(INVALID_MESSAGE, f"The sender cannot be sent: {error}") from None
    # service_type "" (its NUL), source TON and NPI, source_addr and its NUL, destination TON
    # and NPI; destination_addr follows.
    return body[: 1 + 2 + len(source.encode("ascii")) + 1 + 2]


def _part_templates(text: str, validity_period: bytes = b"") -> tuple[_PartTemplate, ...]:
    """The body after `destination_addr` for each part: SMPP 3.4 §4.4.1's fields from
    esm_class to short_message (the codec's layout; `tests/smsc/test_dispatcher_outgoing.py`
    holds them equal), written here because every unique text needs them."""
    try:
        encoded = encode_sms(text, reference=0)
    except TextTooLong as error:
        raise ComposeError(INVALID_MESSAGE, str(error)) from None
    parts = []
    for part in encoded.parts:
        short_message = part.short_message
        if len(short_message) > _MAX_SHORT_MESSAGE:
            raise ComposeError(INVALID_MESSAGE, "A part is longer than SMPP allows.")
        fields = (
            bytes(
                (
                    part.esm_class,
                    0,  # protocol_id
                    0,  # priority_flag
                    0,  # schedule_delivery_time: empty C-octet string
                )
            )
            + validity_period  # a C-octet string: its text, then NUL
            + bytes(
                (
                    0,
                    REGISTERED_DELIVERY_RECEIPT,
                    0,  # replace_if_present_flag
                    encoded.data_coding,
                    0,  # sm_default_msg_id
                    len(short_message),
                )
            )
        )
        # The UDH reference is the 4th octet of short_message (05 00 03 ref total seq).
        reference_at = len(fields) + 3 if part.udh else -1
        parts.append(_PartTemplate(suffix=fields + short_message, reference_at=reference_at))
    return tuple(parts)
