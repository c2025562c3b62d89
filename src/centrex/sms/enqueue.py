"""Putting SMS on the durable queue (R-T4): one request and one `queued` message per recipient,
inserted in the caller's transaction, so what is accepted is persisted before anyone is told.

Both producers use it: users' messages (`sms.actions.send_sms`) and verification codes
(`sms.verification`). The dispatcher (`centrex smsd`) picks the rows up; nothing else is needed
to "send" — the row is the queue.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone

from centrex.core.prepared import insert_instances
from centrex.sms.encoding import count_sms
from centrex.sms.models import RequestKind, SmsMessage, SmsRequest

if TYPE_CHECKING:
    from centrex.accounts.models import User
    from centrex.customers.models import Customer
    from centrex.sms.senders import Sender


# SQLite has one writer at a time, and a thread that finds the database locked polls with
# sleeps of up to 100 ms (its busy handler): under load that, not the work, set the latency.
# The threads of one process queue on this lock instead and get the database in turn.
_SQLITE_WRITE_LOCK = threading.Lock()


@contextmanager
def _sqlite_writer() -> Iterator[None]:
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with _SQLITE_WRITE_LOCK:
        yield


def enqueue_sms(
    *,
    customer: Customer,
    user: User,
    sender: Sender,
    text: str,
    destinations: Sequence[str],
    kind: str = RequestKind.MESSAGE,
    sender_reason: str = "",
    sender_trace: dict[str, Any] | None = None,
    idempotency_key: str = "",
    request_hash: str = "",
) -> SmsRequest:
    """Insert a request and its messages (`destinations` in E.164, already validated; `text`
    within R-T3's 10 parts — `count_sms(text).fits` — else ValueError). Three statements
    whatever the number of recipients (compiled once: `core.prepared.insert_instances`). Returns the request with `queued_messages` set to the
    created messages, in recipient order."""
    count = count_sms(text)
    if not count.fits or not text:
        raise ValueError("The text must be 1 character to 10 parts long (R-T3).")
    if not destinations:
        raise ValueError("At least one recipient.")
    ton, npi = sender.ton_npi
    with _sqlite_writer(), transaction.atomic():
        now = timezone.now()
        request = SmsRequest(
            customer=customer,
            user=user,
            kind=kind,
            text=text,
            recipient_count=len(destinations),
            encoding=str(count.encoding),
            parts=count.parts,
            sender_type=sender.type,
            sender_value=sender.value,
            sender_ton=ton,
            sender_npi=npi,
            sender_alias=sender.alias,
            sender_reason=sender_reason,
            sender_trace=sender_trace or {},
            idempotency_key=idempotency_key,
            request_hash=request_hash,
            created_at=now,
        )
        insert_instances([request])
        messages = [
            SmsMessage(
                request=request,
                customer=customer,
                destination=destination,
                created_at=now,
                next_attempt_at=now,
                updated_at=now,
            )
            for destination in destinations
        ]
        insert_instances(messages)
    request.queued_messages = messages  # type: ignore[attr-defined]
    return request
