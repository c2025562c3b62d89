"""One SMSC account's side of the dispatcher (`smsc.dispatcher`): an `AccountPipeline` claims
batches of due messages, sends them on the account's binds within their windows and tps, and
collects what the SMSC answers into recording rounds (`smsc.recording`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from centrex.config.durations import smpp_relative_time
from centrex.sms.queue import (
    ClaimedRow,
    Failure,
    IncomingReceipt,
    Submission,
    SubmittedPart,
    claim_rows,
    has_due_messages,
)
from centrex.smsc.client import SmppBind, SmppConnection
from centrex.smsc.config import SmscAccount
from centrex.smsc.eventlog import log_event
from centrex.smsc.outgoing import ComposeError, SubmitComposer
from centrex.smsc.pdu import (
    CommandStatus,
    DeliverSm,
    StatusClass,
    classify_status,
    describe_status,
    status_name,
)
from centrex.smsc.receipts import ReceiptError, normalize_message_id, parse_receipt
from centrex.smsc.recording import OutcomeBatch, record_outcomes
from centrex.smsc.stats import COUNTERS, StatsSnapshot

if TYPE_CHECKING:
    from centrex.smsc.dispatcher import Dispatcher

DEBUG = logging.DEBUG
INFO = logging.INFO
WARNING = logging.WARNING
ERROR = logging.ERROR

# A submit that got no answer because the connection went away (not an SMPP status).
LOST = -1
CONNECTION_LOST_TEXT = "The connection to the SMSC was lost before it answered; sent again."
# Seconds without any bind up after which claimed messages go back to the queue.
BINDS_DOWN_GRACE = 5.0
# Receipt text after "text:" may quote the message (a verification code): never stored.
_RECEIPT_TEXT = re.compile(r"(?i)(?:^|\s)text:")


def receipt_of(pdu: DeliverSm) -> IncomingReceipt:
    """What the queue stores of a delivery receipt (R-T5): its match keys, its state, and its
    text up to "text:" (which may quote the message), NUL written as a blank — PostgreSQL
    stores no NUL in text, and a round that cannot be stored would be retried for ever. Raises ReceiptError for
    a deliver_sm that is no readable receipt. Whatever the SMSC sent, the result can be stored
    (tests/smsc/test_smpp_fuzz.py)."""
    receipt = parse_receipt(pdu.short_message, pdu.tlvs)
    # A NUL separates fields as a blank does (`parse_receipt`), also before "text:".
    raw = (pdu.short_message or pdu.tlvs.message_payload or b"").decode("latin-1")
    raw = raw.replace("\0", " ")
    cut = _RECEIPT_TEXT.search(raw)
    return IncomingReceipt(
        candidates=receipt.id_keys.candidates,
        state=str(receipt.state),
        raw=raw[: cut.start()] if cut else raw,
        received_at=timezone.now(),
    )


def transient_delay(attempts: int) -> float:
    """Seconds before a message refused by a passing fault is tried again: 1, 2, 4 … 300."""
    return float(min(300, 2 ** min(max(attempts - 1, 0), 9)))


class TokenBucket:
    """The account's submits per second, shared by its binds. A multi-part message may take
    the bucket below zero (its parts go together); the debt is paid before the next one."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate * 0.05)
        self.tokens = self.capacity
        self.updated = time.monotonic()

    def set_rate(self, rate: float) -> None:
        self.rate = max(rate, 0.001)
        self.capacity = max(1.0, self.rate * 0.05)

    def take(self, count: int, now: float) -> bool:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens < min(count, self.capacity) - 1e-9:
            return False
        self.tokens -= count
        return True

    def ready_at(self, count: int, now: float) -> float:
        missing = min(count, self.capacity) - self.tokens
        return now + max(missing / self.rate, 0.002)


@dataclass(slots=True, eq=False)
class Outgoing:
    """A claimed message on its way: its `submit_sm` bodies and, once sent, the answers."""

    message_id: int
    attempts: int
    kind: str  # its request's (RequestKind)
    bodies: tuple[bytes, ...]
    deadline: float  # loop time after which it is not sent any more (its lease runs out)
    bind: SmppBind | None = None
    answers: list[tuple[int, str]] = field(default_factory=list)
    waiting: int = 0


class AccountPipeline:
    """Claims, sends and records for one SMSC account (see the module docstring)."""

    def __init__(self, dispatcher: Dispatcher, account: SmscAccount) -> None:
        self.dispatcher = dispatcher
        self.account = account
        self.label = account.label
        options = dispatcher.options
        self.binds = [
            SmppBind(account, index, self, options.timing, on_ready=self.pump)
            for index in range(1, account.binds + 1)
        ]
        self.counters: dict[str, int] = dict.fromkeys(COUNTERS, 0)
        self.bucket = TokenBucket(account.tps) if account.tps else None
        # R-T5: the validity period every submit_sm carries, read once.
        self.composer = SubmitComposer(
            validity_period=smpp_relative_time(settings.CENTREX_SMS_VALIDITY)
        )
        self.buffer: deque[Outgoing] = deque()
        self.in_flight = 0  # messages sent whose outcome is not stored yet
        self._pending = OutcomeBatch(dispatcher.dispatcher_id)
        self._settled: list[Outgoing] = []
        self._receipt_answers: list[tuple[SmppConnection, int]] = []
        self._record_wanted = asyncio.Event()
        self._claim_wanted = asyncio.Event()
        self._rounds = 0  # recording rounds under way (0 or 1)
        self._last_round = 0.0  # when the last recording round started (loop time)
        self._pump_timer: asyncio.TimerHandle | None = None
        self._sent_since_claim = 0
        self._rate = 0.0  # messages per second, smoothed
        self._last_claim = time.monotonic()
        self._all_down_since: float | None = None
        self._tasks: list[asyncio.Task[None]] = []

    # Lifecycle

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        for bind in self.binds:
            bind.start()
        self._tasks = [
            self.dispatcher.watch(loop.create_task(self._claim_loop(), name=f"claim {self.label}")),
            self.dispatcher.watch(
                loop.create_task(self._record_loop(), name=f"record {self.label}")
            ),
        ]

    async def drain(self, deadline: float) -> None:
        """Stop: wait (until `deadline`, loop time) for the answers in flight and their
        recording, then unbind and record what is left."""
        loop = asyncio.get_running_loop()
        self._claim_wanted.set()
        while self.in_flight and loop.time() < deadline:
            await asyncio.sleep(0.02)
        if self.in_flight:
            log_event(WARNING, "stop_unanswered", smsc=self.label, in_flight=self.in_flight)
        await asyncio.gather(*(bind.close() for bind in self.binds))
        await self.flush(deadline + 5)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def abort(self) -> None:
        for bind in self.binds:
            bind.abort()

    async def flush(self, deadline: float) -> None:
        """Record whatever is pending now (waits for a round in progress)."""
        loop = asyncio.get_running_loop()
        self._record_wanted.set()
        while (self._rounds or self._pending) and loop.time() < deadline:
            await asyncio.sleep(0.01)

    # Claiming

    def _claim_size(self) -> int:
        options = self.dispatcher.options
        capacity = sum(bind.window for bind in self.binds)
        target = max(2 * capacity, int(self._rate))  # about a second of sending
        if self.bucket is not None:
            target = min(target, max(1, int(self.bucket.rate * 2)))
        return max(1, min(options.batch_size, target))

    def _wants_more(self) -> bool:
        return len(self.buffer) < max(1, self._claim_size() // 2) and any(
            bind.is_up for bind in self.binds
        )

    async def _claim_loop(self) -> None:
        dispatcher = self.dispatcher
        options = dispatcher.options
        idle = options.idle_poll_min
        while not dispatcher.stopping:
            if not self._wants_more():
                self._claim_wanted.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._claim_wanted.wait(), 0.2)
                self._give_back_stale()
                continue
            limit = self._claim_size() - len(self.buffer)
            started = time.monotonic()
            try:
                rows = await dispatcher.database.run(
                    claim_rows, dispatcher.dispatcher_id, limit, options.lease_seconds
                )
            except DatabaseError as error:
                log_event(ERROR, "claim_failed", smsc=self.label, error=error)
                await dispatcher.sleep(1.0)
                continue
            self._measure_rate(started)
            if rows:
                self._accept(rows, started)
                self.pump()
                idle = options.idle_poll_min
                if len(rows) >= limit:
                    continue  # more are waiting
                await dispatcher.sleep(options.claim_interval)
            else:
                # Nothing due: watch the queue with a read (no write lock) until something is.
                while not dispatcher.stopping:
                    await dispatcher.sleep(idle)
                    idle = min(options.idle_poll_max, idle * 2)
                    try:
                        if await dispatcher.database.run(has_due_messages):
                            break
                    except DatabaseError as error:
                        log_event(ERROR, "claim_failed", smsc=self.label, error=error)
                        await dispatcher.sleep(1.0)
                idle = options.idle_poll_min

    def _give_back_stale(self) -> None:
        """Claimed messages that wait too long go back to the queue: those past their send
        deadline, and all of them once no bind has been up for a while (another dispatcher
        may have a working SMSC)."""
        now = asyncio.get_running_loop().time()
        if any(bind.is_up for bind in self.binds):
            self._all_down_since = None
        elif self._all_down_since is None:
            self._all_down_since = now
        buffer = self.buffer
        released = self._pending.released
        before = len(released)
        if self._all_down_since is not None and now - self._all_down_since > BINDS_DOWN_GRACE:
            released.extend(outgoing.message_id for outgoing in buffer)
            buffer.clear()
        while buffer and buffer[0].deadline < now:
            released.append(buffer.popleft().message_id)
        if len(released) > before:
            log_event(INFO, "claims_given_back", smsc=self.label, count=len(released) - before)
            self._record_wanted.set()

    def _measure_rate(self, now: float) -> None:
        elapsed = now - self._last_claim
        if elapsed > 0.05:
            rate = self._sent_since_claim / elapsed
            self._rate = rate if rate > self._rate else 0.7 * self._rate + 0.3 * rate
            self._sent_since_claim = 0
            self._last_claim = now

    def _accept(self, rows: Sequence[ClaimedRow], claimed_at: float) -> None:
        """Turn claimed rows into outgoing messages; the unsendable ones fail at once."""
        loop_now = asyncio.get_running_loop().time()
        deadline = (
            loop_now + self.dispatcher.options.lease_seconds / 2 - (time.monotonic() - claimed_at)
        )
        composer = self.composer
        buffer = self.buffer
        for row in rows:
            try:
                bodies = composer.compose(row)
            except ComposeError as error:
                self._pending.failures.append(Failure(row.id, error.code, error.text))
                self.counters["failed"] += 1
                log_event(WARNING, "message_failed", message=row.id, code=error.code)
                self._record_wanted.set()
                continue
            buffer.append(Outgoing(row.id, row.attempts, row.kind, bodies, deadline))

    # Sending

    def pump(self) -> None:
        """Send what the binds' windows and the tps allow, one write per bind."""
        if self.dispatcher.sending_stopped:
            return
        buffer = self.buffer
        if not buffer:
            self._claim_wanted.set()
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        bucket = self.bucket
        expired = self._pending.released
        for bind in self.binds:
            if not buffer:
                break
            if not bind.can_send(now):
                continue
            free = bind.free_slots()
            items: list[tuple[bytes, Any]] = []
            sent = 0
            while buffer and free > 0:
                outgoing = buffer[0]
                if outgoing.deadline < now:
                    buffer.popleft()
                    expired.append(outgoing.message_id)
                    continue
                count = len(outgoing.bodies)
                # A message never straddles binds; one longer than the window goes alone.
                if count > free and (items or bind.held):
                    break
                if bucket is not None and not bucket.take(count, now):
                    self._pump_later(bucket.ready_at(count, now))
                    break
                buffer.popleft()
                outgoing.bind = bind
                outgoing.answers = [(LOST, "")] * count
                outgoing.waiting = count
                for index, body in enumerate(outgoing.bodies):
                    items.append((body, (outgoing, index)))
                free -= count
                sent += 1
            if items:
                bind.send(items)
                self.in_flight += sent
                self._sent_since_claim += sent
        if expired:
            self._record_wanted.set()
        if self._wants_more():
            self._claim_wanted.set()

    def _pump_later(self, when: float) -> None:
        if self._pump_timer is None or self._pump_timer.when() > when:
            if self._pump_timer is not None:
                self._pump_timer.cancel()
            self._pump_timer = asyncio.get_running_loop().call_at(when, self._pump_from_timer)

    def _pump_from_timer(self) -> None:
        self._pump_timer = None
        self.pump()

    # BindListener

    def bind_up(self, bind: SmppBind) -> None:
        self._claim_wanted.set()
        self.pump()

    def counter(self, name: str, increment: int = 1) -> None:
        self.counters[name] += increment

    def submit_answered(self, token: Any, status: int, message_id: str) -> None:
        outgoing, index = token
        outgoing.answers[index] = (status, message_id)
        bind = outgoing.bind
        if status == CommandStatus.ESME_ROK:
            self.counters["submit_sm_resp_ok"] += 1
            if bind is not None:
                bind.accepted()
        else:
            self.counters["submit_sm_resp_error"] += 1
            if classify_status(status) is StatusClass.THROTTLED:
                self.counters["throttled"] += 1
                if bind is not None:
                    bind.throttled()
        outgoing.waiting -= 1
        if outgoing.waiting == 0:
            self._settle(outgoing)

    def submits_lost(self, bind: SmppBind, tokens: list[Any]) -> None:
        for outgoing, _index in tokens:
            # The answer slot keeps LOST; the message settles once every part is accounted for.
            outgoing.waiting -= 1
            if outgoing.waiting == 0:
                self._settle(outgoing)

    def deliver_received(self, connection: SmppConnection, pdu: DeliverSm) -> None:
        if not pdu.is_delivery_receipt:
            # A message from a phone (MO): not handled by this product; acknowledged so the
            # SMSC does not send it again. Never logged with its text.
            log_event(INFO, "mo_ignored", smsc=self.label, to=pdu.destination_addr)
            connection.answer_deliveries([pdu.sequence_number])
            return
        try:
            receipt = receipt_of(pdu)
        except ReceiptError as error:
            log_event(WARNING, "receipt_unreadable", smsc=self.label, error=error)
            connection.answer_deliveries([pdu.sequence_number])
            return
        self._pending.receipts.append(receipt)
        self._receipt_answers.append((connection, pdu.sequence_number))
        self._record_wanted.set()

    def _settle(self, outgoing: Outgoing) -> None:
        """Every part answered (or lost): decide what the message's row becomes."""
        pending = self._pending
        statuses = [status for status, _ in outgoing.answers]
        if all(status == CommandStatus.ESME_ROK for status in statuses):
            pending.submissions.append(
                Submission(
                    outgoing.message_id,
                    [
                        SubmittedPart(
                            seq=seq,
                            smsc_message_id=message_id,
                            id_key=normalize_message_id(message_id).key,
                        )
                        for seq, (_, message_id) in enumerate(outgoing.answers, start=1)
                    ],
                    outgoing.kind,
                )
            )
        else:
            refusals = [status for status in statuses if status != CommandStatus.ESME_ROK]
            permanent = [
                status
                for status in refusals
                if status != LOST and classify_status(status) is StatusClass.PERMANENT
            ]
            if permanent:
                status = permanent[0]
                pending.failures.append(
                    Failure(outgoing.message_id, status_name(status), describe_status(status))
                )
                self.counters["failed"] += 1
                log_event(
                    WARNING,
                    "message_failed",
                    smsc=self.label,
                    message=outgoing.message_id,
                    status=status_name(status),
                )
            else:
                status = refusals[0]
                bind = outgoing.bind
                now = asyncio.get_running_loop().time()
                if status == LOST:
                    error, delay = CONNECTION_LOST_TEXT, transient_delay(outgoing.attempts)
                elif classify_status(status) is StatusClass.THROTTLED and bind is not None:
                    error = describe_status(status)
                    delay = max(bind.paused_until - now, 0.2)
                else:
                    error, delay = describe_status(status), transient_delay(outgoing.attempts)
                pending.transients.append((outgoing.message_id, error, delay))
        self._settled.append(outgoing)
        self._record_wanted.set()

    # Recording

    async def _record_loop(self) -> None:
        """One recording round at a time, each taking everything pending when it starts (so
        rounds grow with the load), in order: a round's receipts find the parts of the rounds
        before it."""
        loop = asyncio.get_running_loop()
        interval = self.dispatcher.options.record_interval
        while True:
            await self._record_wanted.wait()
            self._record_wanted.clear()
            if not self._pending:
                continue
            if interval > 0 and not self.dispatcher.stopping:
                # Let a few more outcomes join the round (bigger, fewer transactions).
                await asyncio.sleep(max(0.0, self._last_round + interval - loop.time()))
            self._last_round = loop.time()
            self._rounds += 1
            batch, self._pending = self._pending, OutcomeBatch(self.dispatcher.dispatcher_id)
            settled, self._settled = self._settled, []
            answers, self._receipt_answers = self._receipt_answers, []
            await self._round(batch, settled, answers)

    async def _round(
        self,
        batch: OutcomeBatch,
        settled: list[Outgoing],
        answers: list[tuple[SmppConnection, int]],
    ) -> None:
        """Store one round, then give back its window slots and answer its receipts."""
        try:
            matched = await self._store(batch)
        finally:
            self._rounds -= 1
        for outgoing in settled:
            if outgoing.bind is not None:
                outgoing.bind.release(len(outgoing.bodies))
        self.in_flight -= len(settled)
        by_connection: dict[SmppConnection, list[int]] = {}
        for connection, sequence_number in answers:
            by_connection.setdefault(connection, []).append(sequence_number)
        for connection, numbers in by_connection.items():
            connection.answer_deliveries(numbers)
        if batch.receipts:
            unmatched = len(batch.receipts) - matched
            self.counters["receipts"] += len(batch.receipts)
            self.counters["receipts_unmatched"] += unmatched
            if unmatched:
                self.dispatcher.receipts_waiting()
        log_event(
            DEBUG,
            "recorded",
            smsc=self.label,
            submitted=len(batch.submissions),
            retry=len(batch.transients),
            failed=len(batch.failures),
            receipts=len(batch.receipts),
            released=len(batch.released),
        )
        self.pump()

    async def _store(self, batch: OutcomeBatch) -> int:
        """Record a round, retrying while the database is away (nothing is answered or freed
        before it is stored)."""
        delay = 0.5
        while True:
            try:
                return await self.dispatcher.database.run(record_outcomes, batch)
            except DatabaseError as error:
                log_event(ERROR, "record_failed", smsc=self.label, error=error, retry=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    # Statistics

    def share_tps(self, dispatchers: int) -> None:
        """The account's tps is for all the dispatchers sending to it: this one's share."""
        if self.bucket is not None:
            self.bucket.set_rate(self.account.tps / max(1, dispatchers))

    def snapshot(self) -> StatsSnapshot:
        return StatsSnapshot(
            smsc=self.label,
            counters=dict(self.counters),
            gauges={
                "window_in_use": sum(bind.held for bind in self.binds),
                "window_size": sum(bind.window for bind in self.binds),
                "binds_up": sum(1 for bind in self.binds if bind.is_up),
                "binds_configured": len(self.binds),
                "claimed": len(self.buffer) + self.in_flight,
            },
        )
