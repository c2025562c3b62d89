"""Receipts that never come, or come twice, against the real dispatcher and the builtin
simulator (R-T5, issue 13): the validity period on the wire, a message whose receipt the SMSC
loses ends `expired` with `no_receipt`, and receipts the SMSC sends again after a reconnect
(it got no deliver_sm_resp for them) change nothing and are stored once."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import timedelta

from pytest_django.fixtures import Settings

from centrex.accounts.models import User
from centrex.sms.models import NO_RECEIPT, MessageStatus, SmsMessage, SmsPart, SmsReceipt
from centrex.smsc.simulator_config import NO_RECEIPT as SIMULATOR_LOSES_IT
from tests.plugins.smsc import SmsEngine
from tests.smsc.test_dispatcher import QUICK, all_are, queue, statuses

SWEEPING = dataclasses.replace(QUICK, receipt_expiry_interval=0.1)


def test_every_submit_sm_carries_the_validity_period(
    sms_engine: SmsEngine, alice: User, settings: Settings
) -> None:
    # given a validity of two hours and a long text
    settings.CENTREX_SMS_VALIDITY = timedelta(hours=2)
    queue(alice, text="x" * 200)
    # when it is sent
    sms_engine.drain()
    # then the SMSC got it in SMPP's relative time (the simulator keeps the first part's)
    [message] = sms_engine.received
    assert message.parts == 2
    assert message.validity_period == "000000020000000R"


def test_a_validity_shorter_than_the_smscs_delay_expires_by_its_receipt(
    sms_engine: SmsEngine, alice: User, settings: Settings
) -> None:
    # given a validity of one second, and an SMSC that would deliver after two
    settings.CENTREX_SMS_VALIDITY = timedelta(seconds=1)
    sms_engine.simulator.config.receipt_delay = 2.0
    queue(alice)
    # when it is sent, then the SMSC's EXPIRED receipt settles it (no sweep needed)
    sms_engine.drain()
    message = SmsMessage.objects.get()
    assert (message.status, message.error_code) == (MessageStatus.EXPIRED, "")


def test_a_message_whose_receipt_never_comes_ends_expired_with_no_receipt(
    sms_engine: SmsEngine, alice: User, settings: Settings
) -> None:
    # given a validity of one second, no grace, and an SMSC that loses the receipts for
    # destinations ending in 0001
    settings.CENTREX_SMS_VALIDITY = timedelta(seconds=1)
    settings.CENTREX_SMS_RECEIPT_GRACE = timedelta(0)
    sms_engine.simulator.config.receipt_stat = {"0001": SIMULATOR_LOSES_IT}
    queue(alice, 3)
    # when the dispatcher runs
    with sms_engine.dispatching(options=SWEEPING) as running:
        # then the two whose receipt came are delivered, the third expires by the sweep
        assert running.wait_until(
            lambda: statuses() == Counter({MessageStatus.DELIVERED: 2, MessageStatus.EXPIRED: 1}),
            10,
        )
    expired = SmsMessage.objects.get(status=MessageStatus.EXPIRED)
    assert expired.destination.endswith("0001")
    assert expired.error_code == NO_RECEIPT
    assert sms_engine.simulator.counters.receipts_dropped == 1
    assert {m.validity_period for m in sms_engine.received} == {"000000000001000R"}


def test_receipts_sent_again_after_a_reconnect_are_stored_once(
    sms_engine: SmsEngine, alice: User
) -> None:
    # given an SMSC whose deliver_sm_resp never reach it, and three delivered messages
    simulator = sms_engine.simulator
    simulator.config.lose_receipt_answers = True
    queue(alice, 3)
    with sms_engine.dispatching(options=QUICK) as running:
        assert running.wait_until(all_are(MessageStatus.DELIVERED, 3), 10)
        assert running.wait_until(lambda: simulator.counters.receipt_answers_lost == 3, 5)
        parts = sorted(SmsPart.objects.values_list("id", "receipt_state", "receipt_at"))
        messages = sorted(SmsMessage.objects.values_list("id", "status", "done_at", "updated_at"))
        # when the connection breaks, so the SMSC sends the three again on the next bind
        simulator.config.lose_receipt_answers = False
        simulator.drop_connections()
        # (answered this time, once the dispatcher has stored them)
        assert running.wait_until(lambda: simulator.counters.receipts_acknowledged == 3, 10)
        pipeline = running.dispatcher.pipelines[0]
    # then each receipt came twice, and nothing changed: parts, messages, nothing waiting
    assert simulator.counters.receipts_sent == 6
    assert pipeline.counters["receipts"] == 6
    assert pipeline.counters["reconnects"] >= 1
    assert sorted(SmsPart.objects.values_list("id", "receipt_state", "receipt_at")) == parts
    assert (
        sorted(SmsMessage.objects.values_list("id", "status", "done_at", "updated_at")) == messages
    )
    assert not SmsReceipt.objects.exists()
