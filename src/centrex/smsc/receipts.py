"""Delivery receipts (R-T5, R-T6): read what a `deliver_sm` receipt says, and match its message
id to the one the SMSC gave in `submit_sm_resp`.

A receipt carries its facts twice in many SMSCs: in TLVs (`receipted_message_id`,
`message_state`, `network_error_code`) and in the text of SMPP 3.4 Appendix B
("id:… sub:… dlvrd:… submit date:… done date:… stat:… err:… text:…"). The TLVs win when present.

The same message id is not always written the same way: some SMSCs answer `submit_sm_resp` with
a hexadecimal id ("1A2B") and write it in decimal in the receipt text ("6699"), some pad it with
zeros. `normalize_message_id` gives one key to store and the candidates to look a receipt up by.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from centrex.smsc.pdu import MessageState, NetworkErrorCode, Tlvs


class ReceiptState(StrEnum):
    """Where the SMSC says the message is (SMPP 3.4 §5.2.28 message states)."""

    DELIVERED = "delivered"
    UNDELIVERABLE = "undeliverable"
    EXPIRED = "expired"
    REJECTED = "rejected"
    DELETED = "deleted"
    UNKNOWN = "unknown"
    ACCEPTED = "accepted"
    ENROUTE = "enroute"

    @property
    def is_final(self) -> bool:
        """Every state but ENROUTE is final: no later receipt will change it."""
        return self is not ReceiptState.ENROUTE


# The 7-letter "stat:" values of Appendix B, and the long words a few SMSCs write instead.
_STATE_BY_STAT: dict[str, ReceiptState] = {
    "DELIVRD": ReceiptState.DELIVERED,
    "DELIVERED": ReceiptState.DELIVERED,
    "UNDELIV": ReceiptState.UNDELIVERABLE,
    "UNDELIVERABLE": ReceiptState.UNDELIVERABLE,
    "EXPIRED": ReceiptState.EXPIRED,
    "REJECTD": ReceiptState.REJECTED,
    "REJECTED": ReceiptState.REJECTED,
    "DELETED": ReceiptState.DELETED,
    "UNKNOWN": ReceiptState.UNKNOWN,
    "ACCEPTD": ReceiptState.ACCEPTED,
    "ACCEPTED": ReceiptState.ACCEPTED,
    "ENROUTE": ReceiptState.ENROUTE,
}
_STATE_BY_MESSAGE_STATE: dict[int, ReceiptState] = {
    MessageState.ENROUTE: ReceiptState.ENROUTE,
    MessageState.DELIVERED: ReceiptState.DELIVERED,
    MessageState.EXPIRED: ReceiptState.EXPIRED,
    MessageState.DELETED: ReceiptState.DELETED,
    MessageState.UNDELIVERABLE: ReceiptState.UNDELIVERABLE,
    MessageState.ACCEPTED: ReceiptState.ACCEPTED,
    MessageState.UNKNOWN: ReceiptState.UNKNOWN,
    MessageState.REJECTED: ReceiptState.REJECTED,
}

# Fields are "name:value" separated by blanks; "text:" runs to the end and may hold anything,
# so the other fields are looked for only before it.
_TEXT_FIELD = re.compile(r"(?i)(?:^|\s)text:")
_FIELD_NAMES = ("id", "sub", "dlvrd", "submit_date", "done_date", "stat", "err")
# One pass over the text for every field (a search per field cost more than the rest of the
# receipt); the first occurrence with a value wins, as a search per field would find it.
_FIELD = re.compile(r"(?i)(?:^|\s)(id|sub|dlvrd|submit[ _]?date|done[ _]?date|stat|err):(\S*)")
_DATE_DIGITS = re.compile(r"\d+")
_HEX = re.compile(r"[0-9a-f]+")
_DECIMAL = re.compile(r"[0-9]+")
# Longer "numbers" are no numeric ids; leave them as they are.
_MAX_NUMERIC_ID_LENGTH = 64
# SMPP 3.4 §5.2.23: a message id is a C-octet string of at most 65 octets, its NUL included.
MAX_MESSAGE_ID_LENGTH = 64


class ReceiptError(ValueError):
    """A deliver_sm that does not read as a delivery receipt (no message id, one longer than
    SMPP allows, or no state)."""


@dataclass(frozen=True)
class MessageIdKeys:
    """An SMSC message id and the keys to match it by.

    `key` is what to store with the submitted part: trimmed, lower case, without leading zeros
    when the id is a (hexadecimal or decimal) number. `candidates` are what to look a receipt's
    id up by, best first: `key`, then the same number read the other way round (decimal →
    hexadecimal, hexadecimal → decimal). An id that is no number has only its `key`.
    """

    raw: str
    key: str
    candidates: tuple[str, ...]


def normalize_message_id(message_id: str) -> MessageIdKeys:
    """The match keys of an SMSC message id (see MessageIdKeys)."""
    key = message_id.strip().lower()
    candidates = [key]
    if len(key) <= _MAX_NUMERIC_ID_LENGTH and _HEX.fullmatch(key):
        key = key.lstrip("0") or "0"
        candidates = [key]
        if _DECIMAL.fullmatch(key):
            candidates.append(format(int(key), "x"))
        candidates.append(str(int(key, 16)))
    return MessageIdKeys(raw=message_id, key=key, candidates=tuple(dict.fromkeys(candidates)))


def message_ids_match(first: str, second: str) -> bool:
    """Whether two ids may name the same message, however each side wrote it."""
    one, other = normalize_message_id(first), normalize_message_id(second)
    return one.key in other.candidates or other.key in one.candidates


@dataclass(frozen=True)
class DeliveryReceipt:
    """What a delivery receipt says about one submitted message (part)."""

    message_id: str
    state: ReceiptState
    stat: str | None = None
    submitted_at: datetime | None = None
    done_at: datetime | None = None
    error_code: str | None = None
    network_error: NetworkErrorCode | None = None
    submitted_count: str | None = None
    delivered_count: str | None = None
    text: str | None = None

    @property
    def id_keys(self) -> MessageIdKeys:
        return normalize_message_id(self.message_id)


def parse_receipt(short_message: bytes, tlvs: Tlvs | None = None) -> DeliveryReceipt:
    """Read a delivery receipt from a `deliver_sm` (R-T5).

    The message id comes from the `receipted_message_id` TLV when there is one, else from the
    text's "id:"; the state from the `message_state` TLV, else from "stat:" (any case). The
    text is read from `message_payload` when `short_message` is empty. Dates are the SMSC's
    local time, naive ("YYMMDDhhmm" or "YYMMDDhhmmss"); one that does not parse is None.
    A NUL before "text:" separates fields as a blank does (some SMSCs end the text with one),
    and the id never holds one. Raises ReceiptError when no id or no state can be found, or
    the id is longer than SMPP's 64 characters (it could name no message this system sent).
    """
    tlvs = tlvs or Tlvs()
    raw = short_message or tlvs.message_payload or b""
    content = raw.decode("latin-1")
    blanked = content.replace("\0", " ")  # the same length: positions hold in both
    text_match = _TEXT_FIELD.search(blanked)
    head = blanked[: text_match.start()] if text_match else blanked
    fields = _fields(head)

    message_id = (tlvs.receipted_message_id or "").replace("\0", "") or fields["id"]
    if not message_id or not message_id.strip():
        raise ReceiptError("The receipt has no message id (no receipted_message_id, no id:).")
    if len(message_id.strip()) > MAX_MESSAGE_ID_LENGTH:
        raise ReceiptError(
            f"The receipt's message id has {len(message_id.strip())} characters; "
            f"SMPP allows {MAX_MESSAGE_ID_LENGTH}."
        )

    stat = fields["stat"]
    state = _STATE_BY_MESSAGE_STATE.get(tlvs.message_state or 0)
    if state is None and stat is not None:
        state = _STATE_BY_STAT.get(stat.upper())
    if state is None:
        raise ReceiptError(
            f"The receipt for {message_id} has no known state "
            f"(message_state {tlvs.message_state}, stat {stat!r})."
        )
    return DeliveryReceipt(
        message_id=message_id.strip(),
        state=state,
        stat=stat,
        submitted_at=_parse_date(fields["submit_date"]),
        done_at=_parse_date(fields["done_date"]),
        error_code=fields["err"],
        network_error=tlvs.network_error_code,
        submitted_count=fields["sub"],
        delivered_count=fields["dlvrd"],
        text=content[text_match.end() :] if text_match else None,
    )


def _fields(head: str) -> dict[str, str | None]:
    """Each field's value: a run of non-blanks (digits for the dates), from its first
    occurrence that has one."""
    found: dict[str, str | None] = dict.fromkeys(_FIELD_NAMES)
    for match in _FIELD.finditer(head):
        name = match.group(1).lower()
        if name.startswith(("submit", "done")):
            name = name[:-4].rstrip(" _") + "_date"
            digits = _DATE_DIGITS.match(match.group(2))
            value = digits.group() if digits else ""
        else:
            value = match.group(2)
        if value and found[name] is None:
            found[name] = value
    return found


def _parse_date(value: str | None) -> datetime | None:
    if value is None or len(value) not in (10, 12) or not value.isdigit():
        return None
    # The SMSC's local time, whose zone the receipt does not say: left naive. Read by hand
    # (strptime costs more than the rest of the receipt): "YYMMDDhhmm[ss]", years as %y reads
    # them (69–99 → 19xx, 00–68 → 20xx).
    year = int(value[0:2])
    try:
        return datetime(
            year + (1900 if year >= 69 else 2000),
            int(value[2:4]),
            int(value[4:6]),
            int(value[6:8]),
            int(value[8:10]),
            int(value[10:12]) if len(value) == 12 else 0,
        )
    except ValueError:
        return None
