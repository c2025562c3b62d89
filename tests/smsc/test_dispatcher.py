"""The dispatcher against a real SMSC over loopback (R-T3, R-T5, R-T6, DESIGN "SMS pipeline"):
the builtin simulator, and a small scripted SMSC for what the simulator never does (stay silent,
send a receipt before its submit_sm_resp, send a message from a phone)."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from centrex.accounts.models import User
from centrex.senders.models import SenderType
from centrex.senders.resolution import Sender
from centrex.sms.enqueue import enqueue_sms
from centrex.sms.models import (
    REDACTED_TEXT,
    MessageStatus,
    RequestKind,
    SmsMessage,
    SmsPart,
    SmsReceipt,
    SmsRequest,
)
from centrex.smsc.client import BindTiming
from centrex.smsc.dispatcher import DispatcherOptions
from centrex.smsc.lease import DispatcherBusy, SingleDispatcherLock
from centrex.smsc.models import DispatcherLease, DispatcherStats
from centrex.smsc.pdu import (
    ESM_CLASS_DELIVERY_RECEIPT,
    BindTransceiver,
    BindTransceiverResp,
    CommandStatus,
    DeliverSm,
    DeliverSmResp,
    EnquireLink,
    EnquireLinkResp,
    MessageState,
    Pdu,
    PduReader,
    SequenceNumbers,
    SubmitSm,
    SubmitSmResp,
    Tlvs,
    Unbind,
    UnbindResp,
)
from centrex.smsc.simulator import SimulatorConfig, SmscSimulator
from tests.plugins.smsc import SmsEngine, dispatching
from tests.smsc.loopback import LoopbackSmsc

ALIAS = Sender(SenderType.ALIAS, "Esempio")
MOBILE = Sender(SenderType.MOBILE, "+393331234567")
QUICK = DispatcherOptions(
    idle_poll_max=0.05,
    receipt_match_interval=0.1,
    shutdown_grace=2.0,
    timing=BindTiming(reconnect_base=0.1, reconnect_max=0.5, response_timeout=3.0),
)


def queue(
    user: User,
    count: int = 1,
    *,
    text: str = "Ciao",
    sender: Sender = ALIAS,
    kind: str = RequestKind.MESSAGE,
) -> SmsRequest:
    """`count` recipients of one request, queued as the send path queues them."""
    assert user.customer is not None
    return enqueue_sms(
        customer=user.customer,
        user=user,
        sender=sender,
        text=text,
        destinations=[f"+39340{n:07d}" for n in range(count)],
        kind=kind,
    )


def statuses() -> Counter[str]:
    return Counter(SmsMessage.objects.values_list("status", flat=True))


def all_are(status: str, count: int) -> Callable[[], bool]:
    return lambda: statuses() == Counter({status: count})


# --- What goes on the wire (R-T3, R-T6) -----------------------------------------------------


def test_alias_and_number_senders_go_with_their_ton_npi(sms_engine: SmsEngine, alice: User) -> None:
    # given a message from an alias and one from a mobile number
    queue(alice, text="Dall'alias", sender=ALIAS)
    queue(alice, text="Dal numero", sender=MOBILE)
    # when the queue is sent
    sms_engine.drain()
    # then the alias goes as TON 5 / NPI 0, the number as 1/1 without "+", the destination 1/1
    by_text = {message.text: message for message in sms_engine.received}
    alias, number = by_text["Dall'alias"], by_text["Dal numero"]
    assert (alias.source_addr, alias.source_addr_ton, alias.source_addr_npi) == ("Esempio", 5, 0)
    assert (number.source_addr, number.source_addr_ton, number.source_addr_npi) == (
        "393331234567",
        1,
        1,
    )
    assert {(m.destination_addr, m.dest_addr_ton, m.dest_addr_npi) for m in by_text.values()} == {
        ("393400000000", 1, 1)
    }
    assert {m.data_coding for m in by_text.values()} == {0}


def test_a_long_text_goes_as_parts_the_smsc_puts_back_together(
    sms_engine: SmsEngine, alice: User
) -> None:
    # given a GSM text of three parts and a UCS-2 text (emoji) of two, to two recipients each
    gsm = "Promemoria {riunione} alle 10€. " * 12  # extension characters count two
    ucs2 = "Buongiorno 😀 " * 7
    queue(alice, 2, text=gsm)
    queue(alice, 2, text=ucs2)
    # when the queue is sent
    sms_engine.drain()
    # then the SMSC reassembled every text whole, in its alphabet (data_coding 0 and 8)
    received = sorted((m.text, m.parts, m.data_coding) for m in sms_engine.received)
    assert received == sorted([(gsm, 3, 0), (gsm, 3, 0), (ucs2, 2, 8), (ucs2, 2, 8)])
    # and every part's SMSC id is stored, its receipt matched (R-T5)
    assert SmsPart.objects.count() == 10
    assert set(SmsPart.objects.values_list("receipt_state", flat=True)) == {"delivered"}
    assert statuses() == Counter({MessageStatus.DELIVERED: 4})


@pytest.mark.parametrize(("submit_ids", "receipt_ids"), [("hex", "decimal"), ("decimal", "hex")])
def test_receipts_match_whether_ids_are_hex_or_decimal(
    sms_engine: SmsEngine, alice: User, submit_ids: str, receipt_ids: str
) -> None:
    # given an SMSC that writes ids one way in submit_sm_resp and the other in receipts
    sms_engine.simulator.config.message_id_format = submit_ids  # type: ignore[assignment]
    sms_engine.simulator.config.receipt_id_format = receipt_ids  # type: ignore[assignment]
    queue(alice, 5)
    # when the queue is sent, then every receipt finds its message
    sms_engine.drain()
    assert statuses() == Counter({MessageStatus.DELIVERED: 5})


def test_a_receipt_saying_undeliverable_settles_the_message_so(
    sms_engine: SmsEngine, alice: User
) -> None:
    # given an SMSC that cannot reach numbers ending in 0001
    sms_engine.simulator.config.receipt_stat = {"0001": "UNDELIV"}
    queue(alice, 3)
    # when sent, then that one is undeliverable and the others delivered (R-T5)
    sms_engine.drain()
    assert dict(
        SmsMessage.objects.values_list("destination", "status").order_by("destination")
    ) == {
        "+393400000000": MessageStatus.DELIVERED,
        "+393400000001": MessageStatus.UNDELIVERABLE,
        "+393400000002": MessageStatus.DELIVERED,
    }


def test_a_verification_code_is_not_kept_once_the_smsc_has_it(
    sms_engine: SmsEngine, alice: User
) -> None:
    # given a verification code and a message in the queue
    code = queue(alice, text="Il tuo codice Centrex: 482913", kind=RequestKind.VERIFICATION)
    message = queue(alice, text="Ciao a tutti")
    # when they are sent
    sms_engine.drain()
    # then the SMSC got the code, and only the message keeps its text (R-M2)
    assert "Il tuo codice Centrex: 482913" in {m.text for m in sms_engine.received}
    code.refresh_from_db()
    message.refresh_from_db()
    assert (code.text, message.text) == (REDACTED_TEXT, "Ciao a tutti")


def test_message_texts_are_never_logged(
    sms_engine: SmsEngine, alice: User, caplog: pytest.LogCaptureFixture
) -> None:
    # given a verification code in the queue, and the engine logging everything
    caplog.set_level(logging.DEBUG, logger="centrex.smsc")
    queue(alice, text="Il tuo codice Centrex: 482913")
    # when it is sent
    sms_engine.drain()
    # then the logs speak of it, never with its text
    assert any("event=recorded" in record.getMessage() for record in caplog.records)
    assert not [record for record in caplog.records if "482913" in record.getMessage()]


# --- Binds, window, tps ---------------------------------------------------------------------


def test_each_bind_keeps_at_most_its_window_unanswered(alice: User) -> None:
    # given an SMSC that binds but never answers a submit_sm
    queue(alice, 50)
    with (
        ScriptedSmsc(answer_submits=False) as smsc,
        dispatching(
            f"smpp://a:b@127.0.0.1:{smsc.port}?window=7&binds=2&enquire_link=0.1", QUICK
        ) as running,
    ):
        # when the dispatcher has sent what it may, holds more claimed messages, and both
        # lines have since been idle long enough for two rounds of enquire_link
        assert running.wait_until(lambda: smsc.submits_per_connection() == [7, 7], 5)
        enquired = [session.enquire_links for session in smsc.connections]
        assert running.wait_until(
            lambda: all(
                session.enquire_links >= before + 2
                for session, before in zip(smsc.connections, enquired, strict=True)
            ),
            5,
        )
        # then each of the two binds holds exactly its window of 7, no more
        assert smsc.submits_per_connection() == [7, 7]
        assert SmsMessage.objects.exclude(claimed_by="").count() > 14
    # and after the stop every message is back in the queue, unclaimed
    assert statuses() == Counter({MessageStatus.QUEUED: 50})
    assert set(SmsMessage.objects.values_list("claimed_by", flat=True)) == {""}


def test_the_account_tps_is_respected(sms_engine: SmsEngine, alice: User) -> None:
    # given an account limited to 40 submits per second and an SMSC that throttles above 50
    sms_engine.simulator.config.max_tps = 50
    queue(alice, 60)
    started = time.monotonic()
    with sms_engine.dispatching(sms_engine.url + "&tps=40&binds=2", QUICK) as running:
        # when the queue is sent
        assert running.wait_until(all_are(MessageStatus.DELIVERED, 60), 10)
    # then it took about 60/40 s, and the SMSC never had to throttle
    assert time.monotonic() - started >= 1.2
    assert sms_engine.simulator.counters.throttled == 0


def test_the_account_tps_is_shared_with_the_other_dispatchers_sending(
    sms_engine: SmsEngine, alice: User
) -> None:
    # given another live dispatcher sending to the same account (PostgreSQL scale-out)
    label = f"centrex@127.0.0.1:{sms_engine.simulator.port}"
    DispatcherStats.objects.create(dispatcher_id="other", smsc=label, gauges={"binds_up": 1})
    # and one that stopped (no bind up)
    DispatcherStats.objects.create(dispatcher_id="gone", smsc=label, gauges={"binds_up": 0})
    # when a dispatcher with tps=40 runs
    with sms_engine.dispatching(sms_engine.url + "&tps=40", QUICK) as running:
        bucket = running.dispatcher.pipelines[0].bucket
        assert bucket is not None
        # then it takes half of the account's rate
        assert running.wait_until(lambda: bucket.rate == 20, 5)


def test_statistics_are_written_for_metrics(sms_engine: SmsEngine, alice: User) -> None:
    # given three messages
    queue(alice, 3)
    # when sent with two binds of window 5
    with sms_engine.dispatching(
        sms_engine.url.replace("window=100", "window=5&binds=2")
    ) as running:
        assert running.wait_until(all_are(MessageStatus.DELIVERED, 3), 10)
        dispatcher_id = running.dispatcher.dispatcher_id
    # then the dispatcher's row for the account has the contract's counters and gauges
    stats = DispatcherStats.objects.get(dispatcher_id=dispatcher_id)
    assert stats.smsc == f"centrex@127.0.0.1:{sms_engine.simulator.port}"
    assert stats.counters["submit_sm"] == 3
    assert stats.counters["submit_sm_resp_ok"] == 3
    assert stats.counters["receipts"] == 3
    assert stats.counters["submit_sm_resp_error"] == stats.counters["failed"] == 0
    assert set(stats.counters) >= {
        "throttled",
        "receipts_unmatched",
        "enquire_link",
        "reconnects",
        "bind_failures",
    }
    assert stats.gauges["window_size"] == 10
    assert stats.gauges["binds_configured"] == 2
    assert stats.gauges["window_in_use"] == stats.gauges["claimed"] == 0


# --- What the SMSC refuses ------------------------------------------------------------------


def test_a_throttling_smsc_gets_everything_in_the_end(sms_engine: SmsEngine, alice: User) -> None:
    # given an SMSC that throttles a third of the submits, and beyond 80 per second
    sms_engine.simulator.config.throttle_fraction = 0.34
    sms_engine.simulator.config.max_tps = 80
    queue(alice, 60)
    # when the queue is sent
    with sms_engine.dispatching(options=QUICK) as running:
        assert running.wait_until(all_are(MessageStatus.DELIVERED, 60), 20)
        counters = running.dispatcher.pipelines[0].counters
    # then the throttled ones were retried until every message was delivered, each once
    assert counters["throttled"] > 0
    assert SmsMessage.objects.filter(attempts__gt=1).exists()
    assert len(sms_engine.received) == 60
    assert len({m.destination_addr for m in sms_engine.received}) == 60


def test_a_permanent_refusal_fails_the_message_with_the_smsc_reason(
    sms_engine: SmsEngine, alice: User
) -> None:
    # given an SMSC that refuses one destination for good
    sms_engine.simulator.config.fail_destinations = {"393400000001": CommandStatus.ESME_RINVDSTADR}
    queue(alice, 3)
    # when the queue is sent
    sms_engine.drain()
    # then that message failed with the SMSC's code and reason, once; the others went
    failed = SmsMessage.objects.get(status=MessageStatus.FAILED)
    assert failed.destination == "+393400000001"
    assert failed.error_code == "ESME_RINVDSTADR"
    assert failed.error_text == "ESME_RINVDSTADR (0x0000000B): Invalid destination address"
    assert failed.attempts == 1
    assert statuses()[MessageStatus.DELIVERED] == 2


def test_a_wrong_password_is_logged_clearly_and_retried(
    sms_engine: SmsEngine, alice: User, caplog: pytest.LogCaptureFixture
) -> None:
    # given a dispatcher configured with the wrong password
    caplog.set_level(logging.INFO, logger="centrex.smsc")
    queue(alice)
    url = sms_engine.url.replace(":centrex@", ":wrong@")
    with sms_engine.dispatching(url, QUICK) as running:
        # when it tries to bind for a while
        pipeline = running.dispatcher.pipelines[0]
        assert running.wait_until(lambda: pipeline.counters["bind_failures"] >= 3, 5)
    # then it said what to fix each time, never the password, and sent nothing
    refusals = [r.getMessage() for r in caplog.records if "event=bind_refused" in r.getMessage()]
    assert len(refusals) >= 3
    assert "ESME_RBINDFAIL" in refusals[0]
    assert "check system_id, password and system_type in CENTREX_SMSC_URL" in refusals[0]
    assert not [r for r in caplog.records if "wrong" in r.getMessage()]
    assert statuses() == Counter({MessageStatus.QUEUED: 1})


# --- Receipts -------------------------------------------------------------------------------


def test_a_receipt_before_its_submit_response_is_not_lost(alice: User) -> None:
    # given an SMSC that sends the receipt first and answers the submit_sm 0.3 s later
    queue(alice, 2)
    with (
        ScriptedSmsc(receipt_first=True, response_delay=0.3) as smsc,
        dispatching(f"smpp://a:b@127.0.0.1:{smsc.port}", QUICK) as running,
    ):
        # when the queue is sent, then both end delivered: the receipts were kept and matched
        assert running.wait_until(all_are(MessageStatus.DELIVERED, 2), 5)
    assert SmsReceipt.objects.filter(matched=True).count() == 2
    # and every receipt was answered only once it was stored
    assert smsc.deliver_sm_resp_statuses == [0, 0]


def test_a_message_from_a_phone_is_answered_and_ignored(alice: User) -> None:
    # given an SMSC that delivers a message from a phone (MO) after the bind
    with (
        ScriptedSmsc(mobile_originated=True) as smsc,
        dispatching(f"smpp://a:b@127.0.0.1:{smsc.port}", QUICK) as running,
    ):
        # then it gets its deliver_sm_resp
        assert running.wait_until(lambda: smsc.deliver_sm_resp_statuses == [0], 5)
    assert not SmsReceipt.objects.exists()


# --- The line -------------------------------------------------------------------------------


def test_a_quiet_line_is_checked_with_enquire_link(sms_engine: SmsEngine, alice: User) -> None:
    # given an account whose line is checked after 0.1 s of silence
    with sms_engine.dispatching(sms_engine.url + "&enquire_link=0.1", QUICK) as running:
        pipeline = running.dispatcher.pipelines[0]
        # when nothing is sent for a while, then enquire_link goes regularly on one bind
        assert running.wait_until(lambda: pipeline.counters["enquire_link"] >= 3, 3)
    assert sms_engine.simulator.counters.binds == 1
    assert pipeline.counters["reconnects"] == 0


def test_a_dead_line_is_dropped_and_bound_again(alice: User) -> None:
    # given an SMSC that stops answering anything after the bind
    with (
        ScriptedSmsc(answer_enquire_link=False) as smsc,
        dispatching(f"smpp://a:b@127.0.0.1:{smsc.port}?enquire_link=0.1", QUICK) as running,
    ):
        # then the dispatcher gives the connection up and binds again
        assert running.wait_until(lambda: smsc.binds >= 2, 6)
        assert running.dispatcher.pipelines[0].counters["reconnects"] >= 1


def test_messages_go_after_the_smsc_comes_back(alice: User) -> None:
    # given a simulator that is stopped while the dispatcher runs
    first = SimulatorThread(SimulatorConfig(receipt_delay=0.05))
    port = first.simulator.port
    queue(alice, 5)
    with dispatching(f"smpp://a:b@127.0.0.1:{port}", QUICK) as running:
        assert running.wait_until(all_are(MessageStatus.DELIVERED, 5), 5)
        first.stop()
        # when messages are queued while it is away
        queue(alice, 5, text="Di nuovo")
        # (a second reconnection means the first found nobody listening)
        pipeline = running.dispatcher.pipelines[0]
        assert running.wait_until(lambda: pipeline.counters["reconnects"] >= 2, 5)
        assert statuses()[MessageStatus.QUEUED] == 5
        # and it starts again on the same port
        second = SimulatorThread(SimulatorConfig(port=port, receipt_delay=0.05))
        try:
            # then they are sent and delivered
            assert running.wait_until(all_are(MessageStatus.DELIVERED, 10), 10)
        finally:
            second.stop()
    assert [m.text for m in second.simulator.received] == ["Di nuovo"] * 5


# --- Stopping, and one dispatcher on SQLite -------------------------------------------------


def test_a_stop_gives_unsent_claims_back_and_the_lease_too(alice: User) -> None:
    # given a dispatcher that claimed messages it cannot send (a silent SMSC, window 2)
    queue(alice, 10)
    with ScriptedSmsc(answer_submits=False) as smsc:
        options = DispatcherOptions(shutdown_grace=0.3, timing=QUICK.timing)
        with dispatching(f"smpp://a:b@127.0.0.1:{smsc.port}?window=2", options) as running:
            assert running.wait_until(lambda: smsc.submits_per_connection() == [2], 5)
            # (it claims at least twice its window; more once it has measured a sending rate,
            # which depends on the machine's timing)
            assert SmsMessage.objects.exclude(claimed_by="").count() >= 4
        # when it has stopped (as on SIGTERM)
        # then it unbound, and nothing stays claimed: the two unanswered are due again later,
        # the two claimed but never sent at once and not counted as an attempt
        assert smsc.unbinds == 1
    assert statuses() == Counter({MessageStatus.QUEUED: 10})
    assert not SmsMessage.objects.exclude(claimed_by="").exists()
    assert sorted(SmsMessage.objects.values_list("attempts", flat=True)) == [0] * 8 + [1, 1]
    assert not DispatcherLease.objects.exists()


@pytest.mark.skipif("config.getoption('db') != 'sqlite'")
def test_a_second_dispatcher_on_sqlite_is_refused(sms_engine: SmsEngine, alice: User) -> None:
    # given a live dispatcher holding SQLite's lease
    SingleDispatcherLock("the-first-one").acquire()
    options = DispatcherOptions(timing=QUICK.timing)
    # when another starts, then it refuses politely, naming the first
    with (
        pytest.raises(DispatcherBusy, match="the-first-one is already running"),
        sms_engine.dispatching(options=options, wait_for_lock=0) as running,
    ):
        assert running.wait_for_end(5)


# --- Helpers --------------------------------------------------------------------------------


class SimulatorThread:
    """The builtin simulator in a thread of its own (started at once)."""

    def __init__(self, config: SimulatorConfig) -> None:
        self.simulator = SmscSimulator(config)
        self.thread = threading.Thread(target=self.simulator.run_forever, daemon=True)
        self.thread.start()
        assert self.simulator.started.wait(5)

    def stop(self) -> None:
        self.simulator.request_stop()
        self.thread.join(5)


class ScriptedSmsc(LoopbackSmsc):
    """An SMSC that binds anyone and then behaves as told: answer submits or not (and how
    late), send each receipt before the submit's answer, answer enquire_link or not, deliver a
    message from a phone after the bind. Runs in a thread of its own."""

    def __init__(
        self,
        *,
        answer_submits: bool = True,
        response_delay: float = 0.0,
        receipt_first: bool = False,
        answer_enquire_link: bool = True,
        mobile_originated: bool = False,
    ) -> None:
        super().__init__()
        self.answer_submits = answer_submits
        self.response_delay = response_delay
        self.receipt_first = receipt_first
        self.answer_enquire_link = answer_enquire_link
        self.mobile_originated = mobile_originated
        self.binds = 0
        self.unbinds = 0
        self.deliver_sm_resp_statuses: list[int] = []
        self.next_id = 0x1000

    def session(self) -> _ScriptedSession:
        return _ScriptedSession(self)

    def submits_per_connection(self) -> list[int]:
        return [session.submits for session in self.connections if session.submits]


class _ScriptedSession(asyncio.Protocol):
    def __init__(self, smsc: ScriptedSmsc) -> None:
        self.smsc = smsc
        self.reader = PduReader()
        self.sequence = SequenceNumbers()
        self.transport: asyncio.Transport | None = None
        self.submits = 0
        self.enquire_links = 0

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        self.smsc.connections.append(self)

    def send(self, pdu: Pdu) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(pdu.encode())

    def data_received(self, data: bytes) -> None:
        self.reader.feed(data)
        for pdu in self.reader:
            self.handle(pdu)

    def handle(self, pdu: Pdu) -> None:
        smsc = self.smsc
        if isinstance(pdu, BindTransceiver):
            smsc.binds += 1
            self.send(BindTransceiverResp(sequence_number=pdu.sequence_number, system_id="fake"))
            if smsc.mobile_originated:
                self.send(
                    DeliverSm(
                        sequence_number=next(self.sequence),
                        source_addr_ton=1,
                        source_addr_npi=1,
                        source_addr="393401234567",
                        destination_addr="Esempio",
                        short_message=b"STOP",
                    )
                )
        elif isinstance(pdu, SubmitSm):
            self.submits += 1
            if not smsc.answer_submits:
                return
            smsc.next_id += 1
            message_id = f"{smsc.next_id:X}"
            if smsc.receipt_first:
                self.send(
                    DeliverSm(
                        sequence_number=next(self.sequence),
                        source_addr=pdu.destination_addr,
                        destination_addr=pdu.source_addr,
                        esm_class=ESM_CLASS_DELIVERY_RECEIPT,
                        short_message=f"id:{message_id} stat:DELIVRD err:000 text:".encode(),
                        tlvs=Tlvs(
                            receipted_message_id=message_id, message_state=MessageState.DELIVERED
                        ),
                    )
                )
            answer = SubmitSmResp(sequence_number=pdu.sequence_number, message_id=message_id)
            asyncio.get_running_loop().call_later(smsc.response_delay, self.send, answer)
        elif isinstance(pdu, DeliverSmResp):
            smsc.deliver_sm_resp_statuses.append(pdu.command_status)
        elif isinstance(pdu, EnquireLink):
            self.enquire_links += 1
            if smsc.answer_enquire_link:
                self.send(EnquireLinkResp(sequence_number=pdu.sequence_number))
        elif isinstance(pdu, Unbind):
            smsc.unbinds += 1
            self.send(UnbindResp(sequence_number=pdu.sequence_number))
            if self.transport is not None:
                self.transport.close()
