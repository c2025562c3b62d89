"""API shapes of sending SMS (API.md "Sending"; R-T1–T5, R-S4): the senders a user may use,
a send request, and a request with each recipient's status."""

from __future__ import annotations

from typing import Any, Literal

from ninja import Field, Schema

from centrex.customers.schemas import Timestamp, enum_of, iso_with_offset
from centrex.senders.schemas import ProblemOut
from centrex.sms.models import MessageStatus, SmsMessage, SmsRequest

_STATUSES = enum_of(MessageStatus.values)
# The longest sender value a request may name (an alias is at most 11 characters, a number 16).
MAX_SENDER_VALUE = 50

# `?status=` of the list, as the OpenAPI document describes it (the API checks the value, with
# a translated message).
STATUS_QUERY_DESCRIPTION = "Only requests with a recipient in this state: " + ", ".join(
    MessageStatus.values
)


class SenderIn(Schema):
    """A sender as `GET /sms/senders` lists it; named only in `user_choice` (R-T2)."""

    type: Literal["mobile", "alias"]
    value: str = Field(..., max_length=MAX_SENDER_VALUE)


class MessageIn(Schema):
    """`POST /sms/messages`: 1–100 recipients (E.164 or Italian national form) and the text
    (R-T1, R-T3). The rules (how many, which numbers, how long) are checked by the action, with
    their own codes, not by the schema."""

    to: list[str]
    text: str
    sender: SenderIn | None = None


class SenderOut(Schema):
    """A sender: a verified mobile number in E.164 or a validated alias (R-S4)."""

    type: str = Field(..., json_schema_extra=enum_of(["mobile", "alias"]))
    value: str


class SendersOut(Schema):
    """`GET /sms/senders`: the senders the caller may use now, the implied one, and when none,
    why (`communicator_not_enabled`, `no_sender_available`, `mobile_not_verified`,
    `policy_unusable`)."""

    senders: list[SenderOut]
    default: SenderOut | None
    problem: ProblemOut | None


class RecipientOut(Schema):
    """One recipient's message (R-T5). `error` is a stable code: `alias_not_validated` when
    the alias stopped being validated while it waited (R-A11), or the SMSC's error."""

    id: int
    to: str
    status: str = Field(..., json_schema_extra=_STATUSES)
    error: str | None
    updated_at: Timestamp

    @staticmethod
    def resolve_to(obj: SmsMessage) -> str:
        return obj.destination

    @staticmethod
    def resolve_error(obj: SmsMessage) -> str | None:
        return obj.error_code or None


class MessageOut(Schema):
    """A send request with its recipients, exactly as API.md "Sending" names them (the text
    is the caller's own; the pages show it)."""

    id: int
    sender: SenderOut
    encoding: str = Field(..., json_schema_extra=enum_of(["gsm7", "ucs2"]))
    parts: int
    created_at: Timestamp
    user_id: int
    recipients: list[RecipientOut]

    @staticmethod
    def resolve_sender(obj: SmsRequest) -> dict[str, str]:
        return {"type": obj.sender_type, "value": obj.sender_value}

    @staticmethod
    def resolve_recipients(obj: SmsRequest) -> list[SmsMessage]:
        # Just queued: the rows enqueue_sms created; otherwise the (prefetched) messages.
        queued: list[SmsMessage] | None = getattr(obj, "queued_messages", None)
        if queued is not None:
            return queued
        return list(obj.messages.all())


def message_body(sms: SmsRequest) -> dict[str, Any]:
    """`MessageOut` of a request as plain data: what the intake (`sms.intake`) answers
    without the schema's cost. The tests hold it equal to the
    endpoint's rendering of `MessageOut`."""
    return {
        "id": sms.pk,
        "sender": {"type": sms.sender_type, "value": sms.sender_value},
        "encoding": sms.encoding,
        "parts": sms.parts,
        "created_at": iso_with_offset(sms.created_at),
        "user_id": sms.user_id,
        "recipients": [
            {
                "id": message.pk,
                "to": message.destination,
                "status": message.status,
                "error": message.error_code or None,
                "updated_at": iso_with_offset(message.updated_at),
            }
            for message in MessageOut.resolve_recipients(sms)
        ],
    }


class UserUsageOut(Schema):
    """One user's messages and parts in the month (R-R1)."""

    user_id: int
    messages: int
    parts: int


class DayUsageOut(Schema):
    """One local day of the month (every day, zero days included)."""

    date: str = Field(json_schema_extra={"format": "date"})
    messages: int
    parts: int


class UsageOut(Schema):
    """A customer's SMS usage in a month (API.md `GET /sms/usage`; R-R1): messages are
    recipients, parts what the SMSC charges; `by_status` gives the parts of each status."""

    month: str = Field(pattern=r"^\d{4}-\d{2}$")
    messages: int
    parts: int
    by_status: dict[str, int]
    by_user: list[UserUsageOut]
    by_day: list[DayUsageOut]
