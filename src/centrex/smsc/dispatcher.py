"""The SMS dispatcher (`centrex smsd`, DESIGN "SMS pipeline", R-T4–T6): it moves claimed
messages from the durable queue to the SMSC and what the SMSC answers back into the queue.

One asyncio loop runs every SMPP session; every database call runs elsewhere (`Database`), a
whole batch at a time, so the sessions never wait for a query. Per SMSC account an
`AccountPipeline`:

- claims batches of due messages (`claim_rows`), sized to about a second of sending, and turns
  them into `submit_sm` PDUs once per request (`SubmitComposer`);
- writes them on its transceiver binds, within each bind's window and the account's tps (a
  token bucket shared by its binds), one write per bind and round;
- collects the answers: all parts accepted → `mark_submitted`; throttled, SMSC busy or the
  connection lost before the answer → `mark_transient_failure` with a retry time (a throttled
  bind also pauses, longer each time); any other error → `mark_failed` with the SMSC's code
  and reason;
- stores delivery receipts (`record_receipts`) before answering their `deliver_sm`: an SMSC
  forgets a receipt once it is answered, so answering first could lose one in a crash, while
  storing first at worst stores one twice (harmless: the same state again);
- records all of that in one transaction per round, and only then gives the window slots
  back, so a crash duplicates at most the window and never loses a message.

Around the pipelines the dispatcher holds the SQLite single-dispatcher lease (renewed every
2 s), matches receipts that came before their `submit_sm_resp` was stored, writes its
`DispatcherStats` every 2 s, and on stop (SIGTERM) claims nothing more, waits a bounded time
for the answers in flight, records them, gives unsent claims back and unbinds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import secrets
import socket
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import DatabaseError, transaction
from django.utils import timezone

from centrex.sms.queue import (
    ClaimedRow,
    Failure,
    IncomingReceipt,
    Submission,
    SubmittedPart,
    claim_rows,
    has_due_messages,
    mark_failed,
    mark_submitted,
    mark_transient_failure,
    match_pending_receipts,
    record_receipts,
    release_claims,
    release_claims_of_others,
)
from centrex.smsc.client import BindTiming, SmppBind, SmppConnection
from centrex.smsc.config import SmscAccount
from centrex.smsc.database import Database
from centrex.smsc.eventlog import log_event
from centrex.smsc.lease import DispatcherBusy, SingleDispatcherLock
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
from centrex.smsc.stats import COUNTERS, StatsSnapshot, save_dispatcher_stats

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


@dataclass(frozen=True)
class DispatcherOptions:
    """How the dispatcher paces itself (seconds unless said otherwise).

    - `lease_seconds`: how long a claim keeps other dispatchers off a message. A message is
      sent only within the first half of its lease (else it goes back unsent), so the answer
      and its recording fit in the rest.
    - `batch_size`: the most messages one claim takes.
    - `shutdown_grace`: how long a stop waits for answers in flight.
    - `idle_poll_min`/`idle_poll_max`: while the queue is empty, the pause between two reads
      that look for a due message (`has_due_messages`, no lock), from the first to the longest
      (doubling): it bounds the wait of a message sent to an idle dispatcher (issue 5: p99 <
      50 ms from the request to `submit_sm` at 100 SMS/s).
    - `claim_interval`: after a claim that found fewer messages than it could take (the queue
      is drained as fast as it fills), the pause before the next one.
    - `record_interval`: the shortest time between the starts of two recording rounds.
      Both make the batches bigger under a steady load — fewer transactions, each carrying
      more messages (on SQLite, fewer turns of the single writer lock) — for a few
      milliseconds of latency.
    """

    lease_seconds: float = 60.0
    batch_size: int = 1000
    stats_interval: float = 2.0
    lock_renew_interval: float = 2.0
    lock_lease_seconds: float = 8.0
    shutdown_grace: float = 10.0
    idle_poll_min: float = 0.01
    idle_poll_max: float = 0.02
    claim_interval: float = 0.02
    record_interval: float = 0.005
    receipt_match_interval: float = 0.5
    timing: BindTiming = field(default_factory=BindTiming)

    def __post_init__(self) -> None:
        if self.lease_seconds < 2:
            raise ValueError("The claim lease must be at least 2 seconds.")
        if self.batch_size < 1:
            raise ValueError("The batch size must be at least 1.")


def new_dispatcher_id() -> str:
    """host-pid-random: unique per process, readable in logs and metrics."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{secrets.token_hex(3)}"


def transient_delay(attempts: int) -> float:
    """Seconds before a message refused by a passing fault is tried again: 1, 2, 4 … 300."""
    return float(min(300, 2 ** min(max(attempts - 1, 0), 9)))


# --- What one round records ----------------------------------------------------------------


@dataclass
class OutcomeBatch:
    """Everything one recording round stores, in one transaction."""

    dispatcher_id: str
    submissions: list[Submission] = field(default_factory=list)
    # (message id, error text, seconds until the retry)
    transients: list[tuple[int, str, float]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    receipts: list[IncomingReceipt] = field(default_factory=list)
    released: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(
            self.submissions or self.transients or self.failures or self.receipts or self.released
        )


def record_outcomes(batch: OutcomeBatch) -> int:
    """Store a round (database thread): submissions first, so receipts of the same round find
    their parts. Returns how many receipts matched a part."""
    now = timezone.now()
    groups: dict[tuple[str, float], list[int]] = {}
    for message_id, error, delay in batch.transients:
        # A few retry times per round, not one statement per message.
        groups.setdefault((error, round(delay, 1)), []).append(message_id)
    with transaction.atomic():
        mark_submitted(batch.submissions)
        for (error, delay), ids in groups.items():
            mark_transient_failure(ids, error, now + timedelta(seconds=delay))
        mark_failed(batch.failures)
        if batch.released:
            release_claims(batch.dispatcher_id, batch.released)
        return record_receipts(batch.receipts) if batch.receipts else 0


# --- The pieces of a pipeline --------------------------------------------------------------


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
        self.composer = SubmitComposer()
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
            receipt = parse_receipt(pdu.short_message, pdu.tlvs)
        except ReceiptError as error:
            log_event(WARNING, "receipt_unreadable", smsc=self.label, error=error)
            connection.answer_deliveries([pdu.sequence_number])
            return
        raw = (pdu.short_message or pdu.tlvs.message_payload or b"").decode("latin-1")
        cut = _RECEIPT_TEXT.search(raw)
        self._pending.receipts.append(
            IncomingReceipt(
                candidates=receipt.id_keys.candidates,
                state=str(receipt.state),
                raw=raw[: cut.start()] if cut else raw,
                received_at=timezone.now(),
            )
        )
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


# --- The dispatcher ------------------------------------------------------------------------


class Dispatcher:
    """Every account's pipeline, the SQLite lease, receipts matching, statistics, and the stop.

        dispatcher = Dispatcher(accounts, database=DatabaseThreads())
        await dispatcher.run()          # until request_stop() (thread-safe) or stop()

    `run` raises DispatcherBusy when SQLite's single dispatcher is running elsewhere (after
    waiting up to `wait_for_lock` seconds for it to go).
    """

    def __init__(
        self,
        accounts: Sequence[SmscAccount],
        *,
        database: Database,
        options: DispatcherOptions | None = None,
        dispatcher_id: str | None = None,
        wait_for_lock: float = 0.0,
    ) -> None:
        if not accounts:
            raise ValueError("The dispatcher needs at least one SMSC account.")
        self.accounts = tuple(accounts)
        self.database = database
        self.options = options or DispatcherOptions()
        self.dispatcher_id = dispatcher_id or new_dispatcher_id()
        self.wait_for_lock = wait_for_lock
        self.stopping = False
        self.sending_stopped = False
        self.failed: BaseException | None = None
        self.pipelines = [AccountPipeline(self, account) for account in self.accounts]
        self.started_at: datetime = timezone.now()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._stop_requested = False
        self._lock: SingleDispatcherLock | None = None
        self._receipts_waiting_since: float | None = None
        self._tasks: list[asyncio.Task[None]] = []

    # Control

    def request_stop(self) -> None:
        """Stop from another thread or a signal handler (also before `run` started)."""
        self._stop_requested = True
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.stop)

    def stop(self) -> None:
        """Begin the clean stop (on the loop)."""
        if self._stop is not None:
            self._stop.set()

    async def sleep(self, seconds: float) -> None:
        """Sleep, cut short by a stop."""
        assert self._stop is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)

    def watch(self, task: asyncio.Task[None]) -> asyncio.Task[None]:
        """A task that must not die: if it fails, the dispatcher stops (and exits non-zero)
        rather than go on half working."""
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[None]) -> None:
        if task.cancelled() or task.exception() is None:
            return
        error = task.exception()
        assert error is not None
        log_event(ERROR, "task_failed", task=task.get_name(), error=repr(error))
        logging.getLogger("centrex.smsc").error("task %s failed", task.get_name(), exc_info=error)
        if self.failed is None:
            self.failed = error
        self.stop()

    def receipts_waiting(self) -> None:
        """Receipts were stored without their part: match them again soon."""
        self._receipts_waiting_since = time.monotonic()

    # The run

    async def run(self) -> None:
        """Dispatch until stopped. Raises DispatcherBusy (SQLite, another dispatcher runs)."""
        self._stop = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        if self._stop_requested:
            self._stop.set()
        self.started_at = timezone.now()
        await self._take_lock()
        log_event(
            INFO,
            "dispatcher_started",
            dispatcher=self.dispatcher_id,
            smsc=",".join(account.label for account in self.accounts),
        )
        for pipeline in self.pipelines:
            pipeline.start()
        loop = self._loop
        self._tasks = [
            self.watch(loop.create_task(self._stats_loop(), name="stats")),
            self.watch(loop.create_task(self._receipts_loop(), name="receipts")),
        ]
        if self._lock is not None:
            self._tasks.append(self.watch(loop.create_task(self._lock_loop(), name="lock")))
        try:
            await self._stop.wait()
        finally:
            await self._shutdown()
        if self.failed is not None:
            raise self.failed

    async def _take_lock(self) -> None:
        if not await self.database.run(SingleDispatcherLock.required):
            return
        lock = SingleDispatcherLock(
            self.dispatcher_id, lease_seconds=self.options.lock_lease_seconds
        )
        give_up = time.monotonic() + self.wait_for_lock
        while True:
            try:
                await self.database.run(lock.acquire)
                break
            except DispatcherBusy:
                assert self._stop is not None
                if time.monotonic() >= give_up or self._stop.is_set():
                    raise
                await self.sleep(0.5)
        self._lock = lock
        # Only the lease holder runs on SQLite: other claims belong to a dispatcher that died.
        taken_back = await self.database.run(release_claims_of_others, self.dispatcher_id)
        if taken_back:
            log_event(INFO, "claims_taken_back", dispatcher=self.dispatcher_id, count=taken_back)

    async def _shutdown(self) -> None:
        loop = asyncio.get_running_loop()
        self.stopping = True
        self.sending_stopped = True
        grace = 0.0 if self.failed is not None else self.options.shutdown_grace
        log_event(INFO, "dispatcher_stopping", dispatcher=self.dispatcher_id)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.failed is not None:
            for pipeline in self.pipelines:
                pipeline.abort()
        deadline = loop.time() + grace
        await asyncio.gather(*(pipeline.drain(deadline) for pipeline in self.pipelines))
        try:
            released = await self.database.run(release_claims, self.dispatcher_id)
            await self._save_stats()
            if self._lock is not None and self.failed is None:
                await self.database.run(self._lock.release)
        except DatabaseError as error:
            log_event(ERROR, "stop_incomplete", dispatcher=self.dispatcher_id, error=error)
            released = 0
        log_event(INFO, "dispatcher_stopped", dispatcher=self.dispatcher_id, released=released)

    async def _lock_loop(self) -> None:
        assert self._lock is not None
        while True:
            await asyncio.sleep(self.options.lock_renew_interval)
            try:
                await self.database.run(self._lock.renew)
            except DispatcherBusy as error:
                # Another dispatcher took over (this one stalled past its lease): stop sending
                # at once, it may be sending the same messages.
                log_event(ERROR, "lock_lost", dispatcher=self.dispatcher_id, error=error)
                self.failed = error
                self.sending_stopped = True
                self.stop()
                return
            except DatabaseError as error:
                log_event(WARNING, "lock_renew_failed", dispatcher=self.dispatcher_id, error=error)

    async def _receipts_loop(self) -> None:
        """Receipts that came before their part was stored: matched again every half second
        while there are recent ones, and every 30 s anyway (another dispatcher's)."""
        last_full = time.monotonic()
        while True:
            await asyncio.sleep(self.options.receipt_match_interval)
            now = time.monotonic()
            since = self._receipts_waiting_since
            try:
                if since is not None:
                    await self.database.run(match_pending_receipts, timedelta(minutes=2))
                    if now - since > 120:
                        self._receipts_waiting_since = None
                elif now - last_full >= 30:
                    last_full = now
                    await self.database.run(match_pending_receipts)
            except DatabaseError as error:
                log_event(WARNING, "receipts_match_failed", error=error)

    async def _stats_loop(self) -> None:
        while True:
            try:
                await self._save_stats()
            except DatabaseError as error:
                log_event(WARNING, "stats_failed", dispatcher=self.dispatcher_id, error=error)
            await asyncio.sleep(self.options.stats_interval)

    async def _save_stats(self) -> None:
        live = await self.database.run(
            save_dispatcher_stats,
            self.dispatcher_id,
            self.started_at,
            [pipeline.snapshot() for pipeline in self.pipelines],
            timedelta(seconds=3 * self.options.stats_interval),
        )
        for pipeline in self.pipelines:
            pipeline.share_tps(live.get(pipeline.label, 1))
