"""The dispatcher's SMPP sessions (R-T5, R-T6): one `SmppBind` per transceiver bind of an SMSC
account, over the codec of `centrex.smsc.pdu` and asyncio.

A bind connects, binds as transceiver, and stays up: it reconnects after a lost connection or a
refused bind with exponential backoff (capped, jittered), sends `enquire_link` when the line has
been quiet and drops a connection that stops answering. It knows nothing about the database: it
writes the `submit_sm` PDUs it is given (all of one call in one `transport.write`), counts its
window, and tells its `BindListener` what the SMSC answered, what it delivered (receipts), and
which submits were in flight when a connection went away.

The window (API.md: per bind) counts the `submit_sm` PDUs sent whose outcome is not stored yet:
a slot is taken when a PDU is written and given back (`release`) by the dispatcher once the
answer is in the database, so a crash duplicates at most the window (DESIGN "SMS pipeline").
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from centrex.config.smsc import SmscAccount
from centrex.smsc.eventlog import log_event
from centrex.smsc.outgoing import submit_sm_pdu
from centrex.smsc.pdu import (
    BindTransceiver,
    BindTransceiverResp,
    CommandId,
    CommandStatus,
    DeliverSm,
    EnquireLink,
    EnquireLinkResp,
    GenericNack,
    Pdu,
    PduBodyError,
    PduError,
    PduFramingError,
    PduReader,
    SequenceNumbers,
    SubmitSmResp,
    Unbind,
    UnbindResp,
    UnknownPdu,
    describe_status,
)

INFO = logging.INFO
WARNING = logging.WARNING
ERROR = logging.ERROR
# The statuses of a refused bind that mean "wrong credentials".
_CREDENTIAL_STATUSES = frozenset(
    {
        CommandStatus.ESME_RBINDFAIL,
        CommandStatus.ESME_RINVPASWD,
        CommandStatus.ESME_RINVSYSID,
        CommandStatus.ESME_RINVSYSTYP,
    }
)
MAX_THROTTLE_PAUSE = 10.0
FIRST_THROTTLE_PAUSE = 0.2


_HEADER = struct.Struct(">IIII")


def deliver_sm_resp(sequence_number: int, status: int = 0) -> bytes:
    """A deliver_sm_resp, encoded by hand: one per receipt, so the fast path (the same bytes as
    `DeliverSmResp(...).encode()`: an empty message_id, or a bare header for an error)."""
    body = b"\0" if status == CommandStatus.ESME_ROK else b""
    return _HEADER.pack(16 + len(body), CommandId.DELIVER_SM_RESP, status, sequence_number) + body


class BindState(StrEnum):
    DOWN = "down"
    CONNECTING = "connecting"
    BOUND = "bound"
    CLOSING = "closing"


class BindListener(Protocol):
    """What a bind tells the dispatcher. Calls happen on the event loop."""

    def bind_up(self, bind: SmppBind) -> None: ...

    def submit_answered(self, token: Any, status: int, message_id: str) -> None: ...

    def submits_lost(self, bind: SmppBind, tokens: list[Any]) -> None: ...

    def deliver_received(self, connection: SmppConnection, pdu: DeliverSm) -> None: ...

    def counter(self, name: str, increment: int = 1) -> None: ...


@dataclass(frozen=True)
class BindTiming:
    """The clocks of a bind, in seconds. `response_timeout` bounds how long a submit_sm or a
    bind may stay unanswered before the connection is given up."""

    connect_timeout: float = 10.0
    response_timeout: float = 20.0
    reconnect_base: float = 0.5
    reconnect_max: float = 30.0


class SmppConnection(asyncio.Protocol):
    """One TCP connection of a bind: reads PDUs, keeps the unanswered submits, answers the
    SMSC's requests."""

    def __init__(self, bind: SmppBind) -> None:
        loop = asyncio.get_running_loop()
        self.bind = bind
        self.reader = PduReader()
        self.transport: asyncio.Transport | None = None
        self.closed: asyncio.Future[None] = loop.create_future()
        # sequence_number → token of an unanswered submit_sm, and when it went (oldest first).
        self.outstanding: dict[int, Any] = {}
        self.sent_at: dict[int, float] = {}
        self.last_received = loop.time()
        self.enquire_sent_at: float | None = None
        self._waiting: dict[int, asyncio.Future[Pdu]] = {}
        self._replies: list[bytes] = []

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(ConnectionError("The SMSC closed the connection."))
        self._waiting.clear()
        if not self.closed.done():
            self.closed.set_result(None)

    def data_received(self, data: bytes) -> None:
        self.last_received = asyncio.get_running_loop().time()
        self.enquire_sent_at = None  # any PDU shows the line is alive
        try:
            self.reader.feed(data)
            while True:
                try:
                    pdu = next(self.reader, None)
                except PduBodyError as error:
                    self._reply(
                        GenericNack(
                            sequence_number=error.sequence_number, command_status=error.status
                        )
                    )
                    continue
                if pdu is None:
                    break
                self._handle(pdu)
        except PduFramingError as error:
            log_event(WARNING, "smpp_framing_error", smsc=self.bind.name, error=error)
            self.abort()
        self.flush_replies()

    # Writing

    @property
    def is_open(self) -> bool:
        return self.transport is not None and not self.transport.is_closing()

    def write(self, data: bytes) -> None:
        if self.transport is not None:
            self.transport.write(data)

    def _reply(self, pdu: Pdu) -> None:
        self._replies.append(pdu.encode())

    def flush_replies(self) -> None:
        if self._replies:
            self.write(b"".join(self._replies))
            self._replies.clear()

    def answer_deliveries(self, sequence_numbers: Sequence[int], status: int = 0) -> None:
        """deliver_sm_resp for deliveries the dispatcher has dealt with, in one write."""
        if self.is_open:
            self._replies.extend(deliver_sm_resp(number, status) for number in sequence_numbers)
            self.flush_replies()

    async def request(self, pdu: Pdu, timeout: float) -> Pdu:
        """Send a request and wait for its response (bind, unbind)."""
        future: asyncio.Future[Pdu] = asyncio.get_running_loop().create_future()
        self._waiting[pdu.sequence_number] = future
        self.write(pdu.encode())
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self._waiting.pop(pdu.sequence_number, None)

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()

    # Reading

    def _handle(self, pdu: Pdu) -> None:
        if isinstance(pdu, SubmitSmResp):
            token = self.outstanding.pop(pdu.sequence_number, None)
            self.sent_at.pop(pdu.sequence_number, None)
            if token is not None:
                self.bind.listener.submit_answered(token, pdu.command_status, pdu.message_id)
        elif isinstance(pdu, DeliverSm):
            self.bind.listener.deliver_received(self, pdu)
        elif isinstance(pdu, EnquireLink):
            self._reply(EnquireLinkResp(sequence_number=pdu.sequence_number))
        elif isinstance(pdu, EnquireLinkResp):
            pass  # the line is alive: data_received noted it
        elif isinstance(pdu, Unbind):
            log_event(INFO, "smsc_unbind", smsc=self.bind.name)
            self._reply(UnbindResp(sequence_number=pdu.sequence_number))
            self.flush_replies()
            if self.transport is not None:
                self.transport.close()
        elif isinstance(pdu, GenericNack) and pdu.sequence_number in self.outstanding:
            # The SMSC could not read one of our submits: that is the submit's answer.
            token = self.outstanding.pop(pdu.sequence_number)
            self.sent_at.pop(pdu.sequence_number, None)
            self.bind.listener.submit_answered(
                token, pdu.command_status or CommandStatus.ESME_RUNKNOWNERR, ""
            )
        elif pdu.sequence_number in self._waiting:
            future = self._waiting.pop(pdu.sequence_number)
            if not future.done():
                future.set_result(pdu)
        elif pdu.is_response:
            pass  # a late answer to something given up
        else:
            # data_sm, alert_notification, query_sm …: not for a transceiver of ours.
            command = pdu.raw_command_id if isinstance(pdu, UnknownPdu) else pdu.command_id
            log_event(INFO, "smpp_unsupported", smsc=self.bind.name, command=f"0x{command:08X}")
            self._reply(
                GenericNack(
                    sequence_number=pdu.sequence_number,
                    command_status=CommandStatus.ESME_RINVCMDID,
                )
            )


class SmppBind:
    """One transceiver bind of an account, kept up until `close()` (see the module docstring).
    `on_ready` is called when the bind can send again after a pause (throttling)."""

    def __init__(
        self,
        account: SmscAccount,
        index: int,
        listener: BindListener,
        timing: BindTiming | None = None,
        on_ready: Callable[[], None] | None = None,
    ) -> None:
        self.account = account
        self.index = index
        self.name = f"{account.label}#{index}"
        self.listener = listener
        self.timing = timing or BindTiming()
        self.on_ready = on_ready
        self.state = BindState.DOWN
        self.connection: SmppConnection | None = None
        self.held = 0  # window slots taken: submits sent whose outcome is not stored yet
        self.paused_until = 0.0
        self.pause = 0.0
        self.sequence = SequenceNumbers()
        self._closing = False
        self._failures = 0
        self._ever_connected = False
        self._task: asyncio.Task[None] | None = None
        self._tick: asyncio.TimerHandle | None = None

    # What the dispatcher reads

    @property
    def window(self) -> int:
        return self.account.window

    @property
    def is_up(self) -> bool:
        return (
            self.state is BindState.BOUND
            and self.connection is not None
            and self.connection.is_open
            and not self._closing
        )

    def free_slots(self) -> int:
        return self.window - self.held

    # Lifecycle

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name=self.name)

    async def close(self, timeout: float = 2.0) -> None:
        """Unbind (politely: unbind, wait for unbind_resp) and stop reconnecting."""
        self._closing = True
        connection = self.connection
        if connection is not None and connection.is_open and self.state is BindState.BOUND:
            self.state = BindState.CLOSING
            with contextlib.suppress(TimeoutError, ConnectionError, PduError):
                await connection.request(Unbind(sequence_number=next(self.sequence)), timeout)
            if connection.transport is not None:
                connection.transport.close()
            try:
                await asyncio.wait_for(asyncio.shield(connection.closed), timeout)
            except TimeoutError:
                connection.abort()
        elif connection is not None:
            connection.abort()
        if self._task is not None:
            if not self._task.done():
                self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.state = BindState.DOWN

    def abort(self) -> None:
        """Drop the connection at once: nothing more is sent."""
        self._closing = True
        if self.connection is not None:
            self.connection.abort()
        if self._task is not None:
            self._task.cancel()

    async def _run(self) -> None:
        while not self._closing:
            try:
                if await self._connect_and_bind():
                    self._failures = 0
                    assert self.connection is not None
                    await self.connection.closed
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log_event(ERROR, "bind_error", smsc=self.name, error=repr(error))
            finally:
                self._connection_gone()
            if self._closing:
                break
            delay = self._backoff()
            log_event(INFO, "bind_retry", smsc=self.name, delay=f"{delay:.2f}")
            await asyncio.sleep(delay)

    def _backoff(self) -> float:
        timing = self.timing
        delay = min(timing.reconnect_max, timing.reconnect_base * 2**self._failures)
        self._failures = min(self._failures + 1, 30)
        return delay * random.uniform(0.75, 1.0)  # noqa: S311 - jitter, not a secret

    async def _connect_and_bind(self) -> bool:
        loop = asyncio.get_running_loop()
        account = self.account
        self.state = BindState.CONNECTING
        if self._ever_connected:
            self.listener.counter("reconnects")
        self._ever_connected = True
        try:
            _, connection = await asyncio.wait_for(
                loop.create_connection(lambda: SmppConnection(self), account.host, account.port),
                self.timing.connect_timeout,
            )
        except (OSError, TimeoutError) as error:
            log_event(
                WARNING, "connect_failed", smsc=self.name, error=str(error) or type(error).__name__
            )
            return False
        self.connection = connection
        try:
            response = await connection.request(
                BindTransceiver(
                    sequence_number=next(self.sequence),
                    system_id=account.system_id,
                    password=account.password,
                    system_type=account.system_type,
                ),
                self.timing.response_timeout,
            )
        except (TimeoutError, ConnectionError) as error:
            log_event(
                WARNING, "bind_failed", smsc=self.name, error=str(error) or type(error).__name__
            )
            self.listener.counter("bind_failures")
            return False
        if not isinstance(response, BindTransceiverResp) or response.command_status:
            status = response.command_status or CommandStatus.ESME_RUNKNOWNERR
            self.listener.counter("bind_failures")
            if status in _CREDENTIAL_STATUSES:
                hint = "check system_id, password and system_type in CENTREX_SMSC_URL"
            else:
                hint = "the SMSC refused the bind; retrying"
            log_event(
                ERROR, "bind_refused", smsc=self.name, status=describe_status(status), hint=hint
            )
            return False
        self.state = BindState.BOUND
        log_event(INFO, "bind_up", smsc=self.name, smsc_system_id=response.system_id)
        self._arm_tick()
        self.listener.bind_up(self)
        return True

    def _connection_gone(self) -> None:
        was_bound = self.state in (BindState.BOUND, BindState.CLOSING)
        self.state = BindState.DOWN
        if self._tick is not None:
            self._tick.cancel()
            self._tick = None
        connection = self.connection
        if connection is None:
            return
        self.connection = None
        connection.abort()
        lost = list(connection.outstanding.values())
        connection.outstanding.clear()
        connection.sent_at.clear()
        if was_bound:
            log_event(
                INFO if self._closing else WARNING, "bind_down", smsc=self.name, in_flight=len(lost)
            )
        if lost:
            self.listener.submits_lost(self, lost)

    # Sending

    def send(self, items: Sequence[tuple[bytes, Any]]) -> None:
        """Write `submit_sm` bodies (from `SubmitComposer`) with their tokens, in one write.
        Each takes a window slot until `release`."""
        connection = self.connection
        assert connection is not None
        now = asyncio.get_running_loop().time()
        pdus = []
        sequence = self.sequence
        outstanding = connection.outstanding
        sent_at = connection.sent_at
        for body, token in items:
            number = next(sequence)
            outstanding[number] = token
            sent_at[number] = now
            pdus.append(submit_sm_pdu(body, number))
        self.held += len(pdus)
        connection.write(b"".join(pdus))
        self.listener.counter("submit_sm", len(pdus))

    def release(self, slots: int) -> None:
        """Give back window slots whose outcome is stored."""
        self.held = max(0, self.held - slots)

    def throttled(self) -> float:
        """The SMSC said slow down: pause this bind, longer each time in a row (up to 10 s).
        Returns when the bind may send again (loop time)."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        if now < self.paused_until:
            return self.paused_until
        self.pause = min(MAX_THROTTLE_PAUSE, self.pause * 2 if self.pause else FIRST_THROTTLE_PAUSE)
        delay = self.pause * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not a secret
        self.paused_until = now + delay
        log_event(INFO, "bind_throttled", smsc=self.name, pause=f"{delay:.2f}")
        if self.on_ready is not None:
            loop.call_at(self.paused_until, self.on_ready)
        return self.paused_until

    def accepted(self) -> None:
        """A submit went through after a pause: throttling eases off."""
        if self.pause and asyncio.get_running_loop().time() >= self.paused_until:
            self.pause = self.pause / 2 if self.pause > FIRST_THROTTLE_PAUSE else 0.0

    def can_send(self, now: float) -> bool:
        return now >= self.paused_until and self.is_up

    # The line's health: one timer per bind

    def _arm_tick(self) -> None:
        interval = min(1.0, self.account.enquire_link / 2)
        self._tick = asyncio.get_running_loop().call_later(interval, self._check_link)

    def _check_link(self) -> None:
        self._tick = None
        connection = self.connection
        if connection is None or not connection.is_open:
            return
        now = asyncio.get_running_loop().time()
        timeout = self.timing.response_timeout
        if connection.enquire_sent_at is not None:
            # No PDU at all since the enquire_link went: the line is dead.
            if now - connection.enquire_sent_at > min(timeout, max(self.account.enquire_link, 2.0)):
                log_event(WARNING, "link_dead", smsc=self.name, reason="no enquire_link_resp")
                connection.abort()
                return
        elif now - connection.last_received >= self.account.enquire_link:
            connection.enquire_sent_at = now
            connection.write(EnquireLink(sequence_number=next(self.sequence)).encode())
            self.listener.counter("enquire_link")
        oldest = next(iter(connection.sent_at.values()), None)
        if oldest is not None and now - oldest > timeout:
            log_event(WARNING, "link_dead", smsc=self.name, reason="submit_sm unanswered")
            connection.abort()
            return
        self._arm_tick()
