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
2 s), matches receipts that came before their `submit_sm_resp` was stored, expires the
messages whose receipt never came (R-T5: still `submitted` when the validity period every
`submit_sm` carries and CENTREX_SMS_RECEIPT_GRACE have passed, `expire_unreceipted` every
`receipt_expiry_interval`; every dispatcher runs it, safely: one conditional UPDATE that skips
the rows another holds), writes its `DispatcherStats` every 2 s, and on stop (SIGTERM) claims nothing more, waits a bounded time
for the answers in flight, records them, gives unsent claims back and unbinds.

Here: the options and the `Dispatcher`; an account's pipeline is in `smsc.pipeline`, what a
recording round stores in `smsc.recording`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import DatabaseError
from django.utils import timezone

from centrex.core.sqlite.writers import write_transaction
from centrex.sms.models import NO_RECEIPT
from centrex.sms.queue import (
    expire_unreceipted,
    match_pending_receipts,
    release_claims,
    release_claims_of_others,
)
from centrex.smsc.client import BindTiming
from centrex.smsc.config import SmscAccount
from centrex.smsc.database import Database
from centrex.smsc.eventlog import log_event
from centrex.smsc.lease import DispatcherBusy, SingleDispatcherLock
from centrex.smsc.pipeline import AccountPipeline
from centrex.smsc.stats import save_dispatcher_stats

T = TypeVar("T")

DEBUG = logging.DEBUG
INFO = logging.INFO
WARNING = logging.WARNING
ERROR = logging.ERROR


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
    - `receipt_expiry_interval`: how often the messages whose receipt never came are expired
      (R-T5; a sweep that finds nothing is one read, no lock).
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
    receipt_expiry_interval: float = 30.0
    timing: BindTiming = field(default_factory=BindTiming)

    def __post_init__(self) -> None:
        if self.lease_seconds < 2:
            raise ValueError("The claim lease must be at least 2 seconds.")
        if self.batch_size < 1:
            raise ValueError("The batch size must be at least 1.")


def in_turn(function: Callable[..., T], *args: Any) -> T:
    """`function(*args)` in one write transaction of the writers' queue (core.sqlite.writers):
    the dispatcher's own writes — lease, statistics, claims given back — take their turn with
    the send path's instead of polling for SQLite's lock while those pass it from one to the
    next, which held a database thread for up to hundreds of milliseconds under full load."""
    with write_transaction():
        return function(*args)


def new_dispatcher_id() -> str:
    """host-pid-random: unique per process, readable in logs and metrics."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{secrets.token_hex(3)}"


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
            self.watch(loop.create_task(self._expiry_loop(), name="expiry")),
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
                await self.database.run(in_turn, lock.acquire)
                break
            except DispatcherBusy:
                assert self._stop is not None
                if time.monotonic() >= give_up or self._stop.is_set():
                    raise
                await self.sleep(0.5)
        self._lock = lock
        # Only the lease holder runs on SQLite: other claims belong to a dispatcher that died.
        taken_back = await self.database.run(in_turn, release_claims_of_others, self.dispatcher_id)
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
            released = await self.database.run(in_turn, release_claims, self.dispatcher_id)
            await self._save_stats()
            if self._lock is not None and self.failed is None:
                await self.database.run(in_turn, self._lock.release)
        except DatabaseError as error:
            log_event(ERROR, "stop_incomplete", dispatcher=self.dispatcher_id, error=error)
            released = 0
        log_event(INFO, "dispatcher_stopped", dispatcher=self.dispatcher_id, released=released)

    async def _lock_loop(self) -> None:
        assert self._lock is not None
        while True:
            await asyncio.sleep(self.options.lock_renew_interval)
            try:
                await self.database.run(in_turn, self._lock.renew)
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

    async def _expiry_loop(self) -> None:
        """R-T5: messages still `submitted` past their validity and its grace become `expired`
        with `no_receipt` (`expire_unreceipted`: bounded, and safe beside other dispatchers)."""
        while True:
            await asyncio.sleep(self.options.receipt_expiry_interval)
            try:
                expired = await self.database.run(expire_unreceipted)
            except DatabaseError as error:
                log_event(WARNING, "expiry_failed", error=error)
                continue
            if expired:
                log_event(INFO, "messages_expired", count=expired, error=NO_RECEIPT)

    async def _stats_loop(self) -> None:
        while True:
            try:
                await self._save_stats()
            except DatabaseError as error:
                log_event(WARNING, "stats_failed", dispatcher=self.dispatcher_id, error=error)
            await asyncio.sleep(self.options.stats_interval)

    async def _save_stats(self) -> None:
        live = await self.database.run(
            in_turn,
            save_dispatcher_stats,
            self.dispatcher_id,
            self.started_at,
            [pipeline.snapshot() for pipeline in self.pipelines],
            timedelta(seconds=3 * self.options.stats_interval),
        )
        for pipeline in self.pipelines:
            pipeline.share_tps(live.get(pipeline.label, 1))
