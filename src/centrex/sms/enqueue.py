"""Putting SMS on the durable queue (R-T4): one request and one `queued` message per recipient,
inserted in the caller's transaction, so what is accepted is persisted before anyone is told.

Both producers use it: users' messages (`sms.actions.send_sms`) and verification codes
(`sms.verification`). The dispatcher (`centrex smsd`) picks the rows up; nothing else is needed
to "send" — the row is the queue.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.utils import timezone

from centrex.core.prepared import insert_instances
from centrex.core.sqlite.writers import write_transaction
from centrex.sms.encoding import count_sms
from centrex.sms.models import RequestKind, SmsMessage, SmsRequest

if TYPE_CHECKING:
    from centrex.accounts.models import User
    from centrex.customers.models import Customer
    from centrex.senders.resolution import Sender


class _GroupCommit:
    """Concurrent `enqueue_sms` calls of one process written together (a leader and its
    followers): a call that finds no write in progress leads — it inserts every request waiting
    at that moment, its own and the others', in one transaction (two multi-row INSERTs and one
    commit); calls arriving meanwhile wait, each on a lock of its own, and are woken together
    when their group is written, or, the first of them, to lead the next group. Under load that
    divides the statements, commits and, on SQLite, the hand-offs of its single write lock by the
    size of the group; alone, a request is written at once as before. Each waiting thread wakes
    once (a shared lock would wake them one after the other, each taking the GIL in turn only
    to find its request written).

    A group that fails (an idempotency key inserted twice, R-T4) is written again one request
    per transaction, so each caller gets its own outcome and no other request is lost.

    Measured worth (benchmarks/README.md, "fourth session"): without it, SQLite's web CPU per
    SMS rose from 1.55 to 2.02 ms (+30 %) and the rate halved in the same conditions; the first
    measure (issue 5) was 622 → 868 SMS/s and a p99 of 794 → 123 ms."""

    def __init__(self) -> None:
        self._guard = threading.Lock()  # protects _waiting and _writing
        self._waiting: list[_Entry] = []
        self._writing = False  # a leader is writing a group
        self.groups = 0  # groups written by this process, for tests and benchmarks
        self.largest = 0

    def write(self, entry: _Entry) -> None:
        with self._guard:
            self._waiting.append(entry)
            lead = not self._writing
            self._writing = True
        if not lead:
            entry.wake.acquire()  # released once written, or to lead the next group
        if not entry.done:
            self._lead(entry)
        if entry.error is not None:
            raise entry.error

    def _lead(self, own: _Entry) -> None:
        with self._guard:
            group, self._waiting = self._waiting, []
        try:
            self._write_group(group)
        finally:
            self._hand_over(group, own)

    def _hand_over(self, group: Sequence[_Entry] = (), own: _Entry | None = None) -> None:
        """Wake the callers of a written group, and the first caller waiting, to lead next;
        with nobody waiting, the next call leads at once."""
        with self._guard:
            successor = self._waiting[0] if self._waiting else None
            if successor is None:
                self._writing = False
        for entry in group:
            if entry is not own:
                entry.wake.release()
        if successor is not None:
            successor.wake.release()

    def _write_group(self, group: list[_Entry]) -> None:
        self.groups += 1
        self.largest = max(self.largest, len(group))
        try:
            try:
                _insert(group)
            except Exception as error:
                if len(group) == 1:
                    group[0].error = error
                else:
                    for entry in group:
                        try:
                            _insert([entry])
                        except Exception as alone:
                            entry.error = alone
        finally:
            # Whatever happened (even an interruption), every caller of the group is answered:
            # stored, or an error — never left to believe an unwritten request was queued.
            for entry in group:
                if not entry.written and entry.error is None:
                    entry.error = RuntimeError("The request was not stored.")
                entry.done = True


class _Entry:
    """One request and its messages waiting for the group commit."""

    __slots__ = ("done", "error", "messages", "request", "wake", "written")

    def __init__(self, request: SmsRequest, messages: list[SmsMessage]) -> None:
        self.request = request
        self.messages = messages
        self.done = False
        self.written = False
        self.error: Exception | None = None
        self.wake = threading.Lock()  # held until the caller may go on
        self.wake.acquire()


def _insert(group: Sequence[_Entry]) -> None:
    with write_transaction():  # on SQLite, in the writers' queue (core.sqlite.writers)
        insert_instances([entry.request for entry in group])
        for entry in group:
            for message in entry.messages:
                message.request_id = entry.request.pk
        insert_instances([message for entry in group for message in entry.messages])
    for entry in group:
        entry.written = True


GROUP_COMMIT = _GroupCommit()


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
    within R-T3's 10 parts — `count_sms(text).fits` — else ValueError). Inside the caller's
    transaction when there is one; otherwise committed before returning, grouped with the
    process's concurrent calls (`_GroupCommit`). Two INSERTs whatever the number of recipients
    (compiled once: `core.prepared.insert_instances`). Returns the request with
    `queued_messages` set to the created messages, in recipient order."""
    count = count_sms(text)
    if not count.fits or not text:
        raise ValueError("The text must be 1 character to 10 parts long (R-T3).")
    if not destinations:
        raise ValueError("At least one recipient.")
    ton, npi = sender.ton_npi
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
    entry = _Entry(request, messages)
    if connection.in_atomic_block:
        _insert([entry])  # part of the caller's transaction (verification codes)
    else:
        GROUP_COMMIT.write(entry)
    request.queued_messages = messages  # type: ignore[attr-defined]
    return request
