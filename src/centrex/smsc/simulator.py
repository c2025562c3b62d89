"""The builtin SMSC simulator (issue 4): a real SMPP 3.4 server on loopback for development,
tests and benchmarks, with no Django and no database.

It accepts binds (transceiver, transmitter, receiver), answers `submit_sm` with a unique message
id, `enquire_link` and `unbind`, and `generic_nack` for what it cannot read. For
`registered_delivery` it sends `deliver_sm` delivery receipts (esm_class 0x04, the text of SMPP
3.4 Appendix B and the TLVs `receipted_message_id` and `message_state`) after a delay, on a bind
of the same system_id that can receive, with a window of unanswered receipts per bind; receipts
not answered when a bind goes away are sent again on the next one. A message whose relative
`validity_period` ends before the receipt delay gets an EXPIRED receipt; a destination may be
told to get no receipt at all (`receipt_stat` NONE). It can be told to throttle
(a fraction of the submits, or the ones beyond N per second) and to refuse given destinations
with a permanent error, and it writes receipt ids in hex or decimal so the dispatcher's id
matching is exercised (R-T5, R-T6).

Every submit is recorded; concatenated parts (UDH IE 0x00 or 0x08) are put back together and the
whole message is kept in `received` and, optionally, written as one JSON line to `record_path`,
where the developer inbox page reads what the SMSC received.

Built for throughput: one `asyncio.Protocol` per connection, no task per PDU, the answers to one
read written in one `transport.write`, one timer for all pending receipts.

    python -m centrex.smsc.simulator --port 2775 --record /tmp/sms.jsonl --receipt-delay 1
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import json
import logging
import os
import signal
import struct
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from centrex.sms.encoding import Concatenation, decode_short_message
from centrex.smsc.pdu import (
    ESM_CLASS_DELIVERY_RECEIPT,
    BindReceiver,
    BindReceiverResp,
    BindTransceiver,
    BindTransceiverResp,
    BindTransmitter,
    BindTransmitterResp,
    CommandId,
    CommandStatus,
    DeliverSm,
    DeliverSmResp,
    EnquireLink,
    EnquireLinkResp,
    GenericNack,
    Pdu,
    PduBodyError,
    PduFramingError,
    PduReader,
    SequenceNumbers,
    SubmitSm,
    SubmitSmResp,
    Tlvs,
    Unbind,
    UnbindResp,
    UnknownPdu,
)
from centrex.smsc.simulator_config import (
    NO_RECEIPT,
    RECEIPT_STATES,
    IdFormat,
    ReceivedMessage,
    SimulatorConfig,
    SimulatorCounters,
)

logger = logging.getLogger(__name__)

SYSTEM_ID = "centrex-sim"
# Parts of concatenated messages still waiting for their siblings, at most this many texts.
MAX_PENDING_CONCATENATIONS = 10_000
_HEADER = struct.Struct(">IIII")
_REGISTERED_DELIVERY_MASK = 0x03
_RECEIPT_ALWAYS = 0x01
_RECEIPT_ON_FAILURE = 0x02


@dataclass
class _Receipt:
    system_id: str
    number: int
    submitted_at: datetime
    submit: SubmitSm
    text: str
    stat: str


@dataclass
class _Assembly:
    """The parts of one concatenated text received so far: sequence → (text, message id)."""

    first_at: datetime
    total: int
    parts: dict[int, tuple[str, str]] = field(default_factory=dict)


_BIND_RESPONSES: dict[
    type[Pdu], type[BindTransceiverResp | BindTransmitterResp | BindReceiverResp]
] = {
    BindTransceiver: BindTransceiverResp,
    BindTransmitter: BindTransmitterResp,
    BindReceiver: BindReceiverResp,
}


class _Session(asyncio.Protocol):
    """One SMPP connection to the simulator."""

    def __init__(self, simulator: SmscSimulator) -> None:
        self.simulator = simulator
        self.reader = PduReader()
        self.transport: asyncio.Transport | None = None
        self.system_id: str | None = None
        self.can_submit = False
        self.can_receive = False
        self.sequence = SequenceNumbers()
        self.outstanding: dict[int, _Receipt] = {}
        self._out: list[bytes] = []
        self._enquire_timer: asyncio.TimerHandle | None = None

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.simulator._sessions.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        if self._enquire_timer is not None:
            self._enquire_timer.cancel()
        self.simulator._session_gone(self)

    def data_received(self, data: bytes) -> None:
        try:
            self.reader.feed(data)
            while True:
                try:
                    pdu = next(self.reader, None)
                except PduBodyError as error:
                    self.simulator.counters.generic_nacks += 1
                    self.send(
                        GenericNack(
                            sequence_number=error.sequence_number, command_status=error.status
                        )
                    )
                    continue
                if pdu is None:
                    break
                self.handle(pdu)
        except PduFramingError as error:
            logger.info("SMPP framing error from %s, closing: %s", self.system_id, error)
            self.simulator.counters.generic_nacks += 1
            self.send(GenericNack(sequence_number=0, command_status=CommandStatus.ESME_RINVCMDLEN))
            self.flush()
            self.close()
            return
        self.flush()

    # Output, batched: PDUs are collected and written once per read or pump.

    def send(self, pdu: Pdu) -> None:
        self._out.append(pdu.encode())

    def flush(self) -> None:
        # The record first: whatever the ESME is told was accepted is in the record file even
        # if the simulator is killed right after (the reliability tests kill it with SIGKILL).
        self.simulator._flush_record()
        if self._out and self.transport is not None:
            self.transport.write(b"".join(self._out))
        self._out.clear()

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    # PDUs

    def handle(self, pdu: Pdu) -> None:
        simulator = self.simulator
        if isinstance(pdu, SubmitSm):
            if not self.can_submit:
                simulator.counters.errors += 1
                self.send(
                    SubmitSmResp(
                        sequence_number=pdu.sequence_number,
                        command_status=CommandStatus.ESME_RINVBNDSTS,
                    )
                )
            else:
                self._out.append(simulator._submit(self, pdu))
        elif isinstance(pdu, DeliverSmResp):
            simulator._receipt_answered(self, pdu)
        elif isinstance(pdu, EnquireLink):
            self.send(EnquireLinkResp(sequence_number=pdu.sequence_number))
        elif isinstance(pdu, BindTransceiver | BindTransmitter | BindReceiver):
            self.send(self._bind(pdu))
        elif isinstance(pdu, Unbind):
            self.send(UnbindResp(sequence_number=pdu.sequence_number))
            self.flush()
            self.close()
        elif pdu.is_response:
            pass  # enquire_link_resp, unbind_resp, generic_nack: nothing to do
        else:
            # An unknown or unsupported request (query_sm, data_sm, a deliver_sm from the ESME).
            simulator.counters.generic_nacks += 1
            self.send(
                GenericNack(
                    sequence_number=pdu.sequence_number,
                    command_status=CommandStatus.ESME_RINVCMDID,
                )
            )
            if isinstance(pdu, UnknownPdu):
                logger.info("Unsupported SMPP command 0x%08X", pdu.command_id)

    def _bind(self, pdu: BindTransceiver | BindTransmitter | BindReceiver) -> Pdu:
        simulator = self.simulator
        response = _BIND_RESPONSES[type(pdu)]
        if self.system_id is not None:
            return response(
                sequence_number=pdu.sequence_number, command_status=CommandStatus.ESME_RALYBND
            )
        accounts = simulator.config.accounts
        if accounts is not None and accounts.get(pdu.system_id) != pdu.password:
            simulator.counters.bind_failures += 1
            logger.info("Bind refused for system_id %r", pdu.system_id)
            return response(
                sequence_number=pdu.sequence_number, command_status=CommandStatus.ESME_RBINDFAIL
            )
        simulator.counters.binds += 1
        self.system_id = pdu.system_id
        self.can_submit = not isinstance(pdu, BindReceiver)
        self.can_receive = not isinstance(pdu, BindTransmitter)
        if self.can_receive:
            simulator._receivers.setdefault(pdu.system_id, []).append(self)
            asyncio.get_running_loop().call_soon(simulator._pump, pdu.system_id)
        self._arm_enquire_link()
        return response(sequence_number=pdu.sequence_number, system_id=SYSTEM_ID)

    def _arm_enquire_link(self) -> None:
        interval = self.simulator.config.enquire_link_interval
        if interval is not None and self.transport is not None:
            self._enquire_timer = asyncio.get_running_loop().call_later(
                interval, self._enquire_link
            )

    def _enquire_link(self) -> None:
        self.send(EnquireLink(sequence_number=next(self.sequence)))
        self.flush()
        self._arm_enquire_link()


class SmscSimulator:
    """An SMPP 3.4 SMSC on loopback (see the module docstring).

    simulator = SmscSimulator(SimulatorConfig(receipt_delay=0.1))
    await simulator.start()
    ... connect to simulator.port ...
    await simulator.stop()
    """

    def __init__(self, config: SimulatorConfig | None = None) -> None:
        self.config = config or SimulatorConfig()
        self.counters = SimulatorCounters()
        self.received: deque[ReceivedMessage] = deque(maxlen=self.config.keep_received)
        self._server: asyncio.Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sessions: set[_Session] = set()
        self._receivers: dict[str, list[_Session]] = {}
        self._pending: dict[str, deque[_Receipt]] = {}
        self._scheduled: list[tuple[float, int, _Receipt]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._assemblies: dict[tuple[str, str, str, int, int], _Assembly] = {}
        # Unique across restarts of the simulator: microseconds since the epoch at start.
        self._next_id = time.time_ns() // 1000
        self._throttle_credit = 0.0
        self._second_started = 0.0
        self._second_submits = 0
        self._record: IO[str] | None = None
        self._record_dirty = False
        self._stopped: asyncio.Event | None = None
        self._stop_task: asyncio.Task[None] | None = None
        self._stats_timer: asyncio.TimerHandle | None = None
        # Wall-clock times of the first and the latest accepted submit_sm.
        self.first_submit_at: datetime | None = None
        self.last_submit_at: datetime | None = None
        self.started = threading.Event()

    @property
    def port(self) -> int:
        """The TCP port it listens on (the free port chosen when the config says 0)."""
        if self._server is None or not self._server.sockets:
            raise RuntimeError("The simulator is not running.")
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        """Listen on the configured host and port."""
        self._loop = asyncio.get_running_loop()
        self._stopped = asyncio.Event()
        if self.config.record_path is not None:
            self.config.record_path.parent.mkdir(parents=True, exist_ok=True)
            self._record = self.config.record_path.open("a", encoding="utf-8")
        self._server = await self._loop.create_server(
            lambda: _Session(self), self.config.host, self.config.port
        )
        logger.info("SMSC simulator listening on %s:%s", self.config.host, self.port)
        if self.config.stats_path is not None:
            self._write_stats()
        self.started.set()

    async def stop(self) -> None:
        """Close every connection and stop listening; receipts not yet sent are dropped."""
        if self._server is not None:
            self._server.close()
        for session in list(self._sessions):
            session.close()
        if self._server is not None:
            await self._server.wait_closed()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._stats_timer is not None:
            self._stats_timer.cancel()
            self._stats_timer = None
            self._write_stats(again=False)
        self._flush_record()
        if self._record is not None:
            self._record.close()
            self._record = None
        if self._stopped is not None:
            self._stopped.set()

    async def serve_until_stopped(self) -> None:
        """Start, and run until `stop()` or `request_stop()`."""
        await self.start()
        assert self._stopped is not None
        await self._stopped.wait()

    def request_stop(self) -> None:
        """Stop from another thread (or a signal handler)."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._begin_stop)

    def drop_connections(self) -> None:
        """Cut every connection at once, as a network fault does (thread-safe): the receipts
        they left unanswered go again on the next bind."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._drop_connections)

    def _drop_connections(self) -> None:
        for session in list(self._sessions):
            if session.transport is not None:
                session.transport.abort()

    def _begin_stop(self) -> None:
        assert self._loop is not None
        self._stop_task = self._loop.create_task(self.stop())

    def run_forever(self) -> None:
        """Run in this thread until `request_stop()` (or SIGTERM/SIGINT in the main thread).
        From a thread: start it, wait for `started`, read `port`."""

        async def main() -> None:
            if threading.current_thread() is threading.main_thread():
                loop = asyncio.get_running_loop()
                for signum in (signal.SIGTERM, signal.SIGINT):
                    loop.add_signal_handler(signum, self.request_stop)
            await self.serve_until_stopped()

        asyncio.run(main())

    # Submits

    def _submit(self, session: _Session, pdu: SubmitSm) -> bytes:
        """Take (or refuse) a submit_sm; the encoded submit_sm_resp."""
        config = self.config
        self.counters.submits += 1
        sequence_number = pdu.sequence_number
        refusal = config.fail_destinations.get(pdu.destination_addr)
        if refusal is not None:
            self.counters.errors += 1
            return _submit_sm_resp(sequence_number, refusal)
        if self._throttles():
            self.counters.throttled += 1
            return _submit_sm_resp(sequence_number, CommandStatus.ESME_RTHROTTLED)
        try:
            decoded = decode_short_message(
                pdu.short_message or pdu.tlvs.message_payload or b"",
                data_coding=pdu.data_coding,
                esm_class=pdu.esm_class,
            )
        except ValueError as error:
            logger.info("submit_sm refused, short_message unreadable: %s", error)
            self.counters.errors += 1
            return _submit_sm_resp(sequence_number, CommandStatus.ESME_RSUBMITFAIL)
        self.counters.accepted += 1
        number = self._next_id
        self._next_id += 1
        message_id = _format_id(number, config.message_id_format)
        now = datetime.now(UTC)
        if self.first_submit_at is None:
            self.first_submit_at = now
        self.last_submit_at = now
        assert session.system_id is not None
        self._collect(session.system_id, pdu, decoded.text, decoded.concatenation, message_id, now)
        wanted = pdu.registered_delivery & _REGISTERED_DELIVERY_MASK
        if wanted in (_RECEIPT_ALWAYS, _RECEIPT_ON_FAILURE):
            stat = config.stat_for(pdu.destination_addr)
            validity = relative_seconds(pdu.validity_period)
            if stat != NO_RECEIPT and validity is not None and validity < config.receipt_delay:
                stat = "EXPIRED"  # the SMSC gave up before it could deliver, as SMSCs do
            if stat == NO_RECEIPT:
                self.counters.receipts_dropped += 1
            elif wanted == _RECEIPT_ALWAYS or stat != "DELIVRD":
                self._schedule(_Receipt(session.system_id, number, now, pdu, decoded.text, stat))
        return _submit_sm_resp(sequence_number, CommandStatus.ESME_ROK, message_id)

    def _throttles(self) -> bool:
        config = self.config
        if config.max_tps is not None:
            assert self._loop is not None
            now = self._loop.time()
            if now - self._second_started >= 1.0:
                self._second_started = now
                self._second_submits = 0
            self._second_submits += 1
            if self._second_submits > config.max_tps:
                return True
        if config.throttle_fraction > 0:
            # Spread evenly: every submit adds the fraction, a whole unit throttles one.
            self._throttle_credit += config.throttle_fraction
            if self._throttle_credit >= 1.0 - 1e-9:
                self._throttle_credit -= 1.0
                return True
        return False

    def _collect(
        self,
        system_id: str,
        pdu: SubmitSm,
        text: str,
        concatenation: Concatenation | None,
        message_id: str,
        now: datetime,
    ) -> None:
        """Record a part; a whole message once its last part is in."""
        if (
            concatenation is not None
            and concatenation.total > 1
            and 1 <= concatenation.sequence <= concatenation.total
        ):
            key = (
                system_id,
                pdu.source_addr,
                pdu.destination_addr,
                concatenation.reference,
                concatenation.total,
            )
            assembly = self._assemblies.get(key)
            if assembly is None:
                if len(self._assemblies) >= MAX_PENDING_CONCATENATIONS:
                    del self._assemblies[next(iter(self._assemblies))]
                assembly = self._assemblies[key] = _Assembly(now, concatenation.total)
            assembly.parts[concatenation.sequence] = (text, message_id)
            if len(assembly.parts) < assembly.total:
                return
            del self._assemblies[key]
            ordered = [assembly.parts[sequence] for sequence in sorted(assembly.parts)]
            self._completed(
                system_id,
                pdu,
                "".join(part for part, _ in ordered),
                tuple(part_id for _, part_id in ordered),
                assembly.first_at,
            )
        else:
            self._completed(system_id, pdu, text, (message_id,), now)

    def _completed(
        self,
        system_id: str,
        pdu: SubmitSm,
        text: str,
        message_ids: tuple[str, ...],
        at: datetime,
    ) -> None:
        message = ReceivedMessage(
            time=at,
            system_id=system_id,
            source_addr=pdu.source_addr,
            source_addr_ton=pdu.source_addr_ton,
            source_addr_npi=pdu.source_addr_npi,
            destination_addr=pdu.destination_addr,
            dest_addr_ton=pdu.dest_addr_ton,
            dest_addr_npi=pdu.dest_addr_npi,
            data_coding=pdu.data_coding,
            text=text,
            parts=len(message_ids),
            message_ids=message_ids,
            validity_period=pdu.validity_period,
        )
        self.counters.messages += 1
        self.received.append(message)
        if self._record is not None:
            self._record.write(message.to_json() + "\n")
            self._record_dirty = True

    def _flush_record(self) -> None:
        if self._record is not None and self._record_dirty:
            self._record.flush()
            self._record_dirty = False

    def stats(self) -> dict[str, object]:
        """The counters and the first/latest submit times (epoch seconds), as `stats_path` has
        them."""
        return {
            "time": time.time(),
            "counters": asdict(self.counters),
            "first_submit_at": _epoch(self.first_submit_at),
            "last_submit_at": _epoch(self.last_submit_at),
            "receipts_waiting": len(self._scheduled)
            + sum(len(queue) for queue in self._pending.values()),
        }

    def _write_stats(self, *, again: bool = True) -> None:
        """Rewrite the stats file whole (a reader never sees half of it), then re-arm."""
        path = self.config.stats_path
        assert path is not None
        self._flush_record()
        temporary = path.with_name(path.name + ".tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_text(json.dumps(self.stats()), encoding="utf-8")
            os.replace(temporary, path)
        except OSError as error:
            logger.warning("Could not write the stats file %s: %s", path, error)
        if again and self._loop is not None:
            self._stats_timer = self._loop.call_later(self.config.stats_interval, self._write_stats)

    # Receipts: one timer for all of them, a queue per system_id, a window per bind.

    def _schedule(self, receipt: _Receipt) -> None:
        assert self._loop is not None
        due = self._loop.time() + max(self.config.receipt_delay, 0.0)
        heapq.heappush(self._scheduled, (due, receipt.number, receipt))
        if self._timer is None or self._timer.when() > self._scheduled[0][0]:
            self._arm_timer()

    def _arm_timer(self) -> None:
        assert self._loop is not None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._scheduled:
            self._timer = self._loop.call_at(self._scheduled[0][0], self._receipts_due)

    def _receipts_due(self) -> None:
        assert self._loop is not None
        self._timer = None
        now = self._loop.time()
        touched: set[str] = set()
        while self._scheduled and self._scheduled[0][0] <= now:
            _, _, receipt = heapq.heappop(self._scheduled)
            self._pending.setdefault(receipt.system_id, deque()).append(receipt)
            touched.add(receipt.system_id)
        for system_id in touched:
            self._pump(system_id)
        self._arm_timer()

    def _pump(self, system_id: str) -> None:
        """Send the receipts due for a system_id on its receiving binds, within their windows."""
        queue = self._pending.get(system_id)
        if not queue:
            return
        window = self.config.receipt_window
        for session in self._receivers.get(system_id, ()):
            while queue and len(session.outstanding) < window:
                receipt = queue.popleft()
                sequence_number = next(session.sequence)
                session.outstanding[sequence_number] = receipt
                session.send(self._deliver_sm(receipt, sequence_number))
                self.counters.receipts_sent += 1
            session.flush()
            if not queue:
                break

    def _deliver_sm(self, receipt: _Receipt, sequence_number: int) -> DeliverSm:
        submit = receipt.submit
        message_state, error = RECEIPT_STATES[receipt.stat]
        receipt_id = _format_id(
            receipt.number, self.config.receipt_id_format or self.config.message_id_format
        )
        done = datetime.now(UTC)
        delivered = "001" if receipt.stat == "DELIVRD" else "000"
        text = (
            f"id:{receipt_id} sub:001 dlvrd:{delivered} "
            f"submit date:{receipt.submitted_at:%y%m%d%H%M} done date:{done:%y%m%d%H%M} "
            f"stat:{receipt.stat} err:{error} text:{receipt.text[:20]}"
        )
        return DeliverSm(
            sequence_number=sequence_number,
            source_addr_ton=submit.dest_addr_ton,
            source_addr_npi=submit.dest_addr_npi,
            source_addr=submit.destination_addr,
            dest_addr_ton=submit.source_addr_ton,
            dest_addr_npi=submit.source_addr_npi,
            destination_addr=submit.source_addr,
            esm_class=ESM_CLASS_DELIVERY_RECEIPT,
            short_message=text.encode("ascii", errors="replace")[:254],
            tlvs=Tlvs(receipted_message_id=receipt_id, message_state=message_state),
        )

    def _receipt_answered(self, session: _Session, pdu: DeliverSmResp) -> None:
        if self.config.lose_receipt_answers and pdu.sequence_number in session.outstanding:
            self.counters.receipt_answers_lost += 1  # stays outstanding: sent again later
            return
        receipt = session.outstanding.pop(pdu.sequence_number, None)
        if receipt is None:
            return
        if pdu.command_status == CommandStatus.ESME_ROK:
            self.counters.receipts_acknowledged += 1
        else:
            # The ESME could not take it now: it goes again after the others.
            self._pending.setdefault(receipt.system_id, deque()).append(receipt)
        self._pump(receipt.system_id)

    def _session_gone(self, session: _Session) -> None:
        self._sessions.discard(session)
        if session.system_id is None or not session.can_receive:
            return
        receivers = self._receivers.get(session.system_id, [])
        if session in receivers:
            receivers.remove(session)
        if session.outstanding:
            # Unanswered receipts go first on the next bind that can receive them.
            queue = self._pending.setdefault(session.system_id, deque())
            queue.extendleft(reversed(list(session.outstanding.values())))
            session.outstanding.clear()
            self._pump(session.system_id)


def _submit_sm_resp(sequence_number: int, status: int, message_id: str = "") -> bytes:
    """submit_sm_resp encoded by hand: the one PDU sent per submit, so the fast path (the same
    bytes as `SubmitSmResp(...).encode()`; an error goes as a bare header)."""
    body = message_id.encode("ascii") + b"\0" if status == CommandStatus.ESME_ROK else b""
    return _HEADER.pack(16 + len(body), CommandId.SUBMIT_SM_RESP, status, sequence_number) + body


def relative_seconds(validity_period: str) -> int | None:
    """The seconds of an SMPP 3.4 relative time ("YYMMDDhhmmss000R", years of 365 days and
    months of 30, as SMSCs commonly count them); None for an absolute or empty one."""
    if len(validity_period) != 16 or not validity_period.endswith("R"):
        return None
    digits = validity_period[:12]
    if not digits.isdigit():
        return None
    years, months, days, hours, minutes, seconds = (
        int(digits[at : at + 2]) for at in range(0, 12, 2)
    )
    return ((((years * 365 + months * 30 + days) * 24 + hours) * 60 + minutes) * 60) + seconds


def _epoch(moment: datetime | None) -> float | None:
    return moment.timestamp() if moment is not None else None


def _format_id(number: int, id_format: IdFormat) -> str:
    return f"{number:X}" if id_format == "hex" else str(number)


def _status(value: str) -> int:
    try:
        return int(CommandStatus[value.upper()])
    except KeyError:
        return int(value, 0)


def _pairs(values: list[str], name: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        key, separator, item = value.partition("=")
        if not separator or not key:
            raise argparse.ArgumentTypeError(f"{name} takes KEY=VALUE, not {value!r}.")
        pairs[key] = item
    return pairs


def main(argv: list[str] | None = None) -> None:
    """`python -m centrex.smsc.simulator`: run the simulator until SIGTERM or Ctrl-C."""
    parser = argparse.ArgumentParser(description="The builtin SMPP 3.4 SMSC simulator.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2775, help="0 for a free port")
    parser.add_argument("--record", type=Path, help="append one JSON line per message here")
    parser.add_argument("--receipt-delay", type=float, default=1.0, help="seconds")
    parser.add_argument(
        "--account", action="append", default=[], help="SYSTEM_ID=PASSWORD (default: any)"
    )
    parser.add_argument(
        "--outcome",
        action="append",
        default=[],
        help="DESTINATION_SUFFIX=STAT, e.g. 0000=UNDELIV (NONE: no receipt ever comes)",
    )
    parser.add_argument(
        "--fail", action="append", default=[], help="DESTINATION=STATUS, e.g. 39300=ESME_RINVDSTADR"
    )
    parser.add_argument("--throttle-fraction", type=float, default=0.0)
    parser.add_argument("--max-tps", type=int)
    parser.add_argument("--message-id-format", choices=("hex", "decimal"), default="hex")
    parser.add_argument("--receipt-id-format", choices=("hex", "decimal"))
    parser.add_argument("--receipt-window", type=int, default=100)
    parser.add_argument(
        "--stats-file", type=Path, help="rewrite the counters here as JSON every 0.5 s"
    )
    args = parser.parse_args(argv)
    try:
        config = SimulatorConfig(
            host=args.host,
            port=args.port,
            accounts=_pairs(args.account, "--account") or None,
            receipt_delay=args.receipt_delay,
            receipt_stat=_pairs(args.outcome, "--outcome"),
            fail_destinations={
                key: _status(value) for key, value in _pairs(args.fail, "--fail").items()
            },
            throttle_fraction=args.throttle_fraction,
            max_tps=args.max_tps,
            message_id_format=args.message_id_format,
            receipt_id_format=args.receipt_id_format,
            receipt_window=args.receipt_window,
            record_path=args.record,
            stats_path=args.stats_file,
        )
    except (ValueError, argparse.ArgumentTypeError) as error:
        parser.error(str(error))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    SmscSimulator(config).run_forever()


if __name__ == "__main__":
    main()
