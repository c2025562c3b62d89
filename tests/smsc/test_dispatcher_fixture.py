"""The `sms_engine` test fixture (tests/plugins/smsc.py): a real simulator and the real dispatcher,
in plain database tests and in transactional ones (as beside `live_server`)."""

from __future__ import annotations

import json

import pytest

from centrex.accounts.models import User
from centrex.senders.models import SenderType
from centrex.senders.resolution import Sender
from centrex.sms.enqueue import enqueue_sms
from centrex.sms.models import MessageStatus, SmsMessage, SmsRequest
from tests.plugins.smsc import SmsEngine

ALIAS = Sender(SenderType.ALIAS, "Esempio")


def queue_text(user: User, text: str, *destinations: str) -> SmsRequest:
    assert user.customer is not None
    return enqueue_sms(
        customer=user.customer, user=user, sender=ALIAS, text=text, destinations=destinations
    )


def test_drain_sends_the_queue_and_waits_for_every_receipt(
    sms_engine: SmsEngine, alice: User
) -> None:
    # given two queued messages
    queue_text(alice, "Ciao dal portale", "+393401111111", "+393402222222")
    # when the engine drains the queue
    sms_engine.drain()
    # then the SMSC received both and every message has its receipt (R-T5)
    assert sorted(message.destination_addr for message in sms_engine.received) == [
        "393401111111",
        "393402222222",
    ]
    assert {message.text for message in sms_engine.received} == {"Ciao dal portale"}
    assert set(SmsMessage.objects.values_list("status", flat=True)) == {MessageStatus.DELIVERED}


def test_the_record_file_is_where_the_settings_say(
    sms_engine: SmsEngine, alice: User, settings: pytest.FixtureRequest
) -> None:
    # given a queued message
    queue_text(alice, "Codice 123456", "+393401111111")
    # when the engine drains the queue
    sms_engine.drain()
    # then the developer inbox's file has it, one JSON line
    path = settings.CENTREX_SMSC_RECORD_PATH  # type: ignore[attr-defined]
    assert path == sms_engine.record_path
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(line["destination_addr"], line["text"]) for line in lines] == [
        ("393401111111", "Codice 123456")
    ]


def test_drain_with_nothing_queued_returns_at_once(sms_engine: SmsEngine, alice: User) -> None:
    # given an empty queue, when drained, then nothing was sent
    sms_engine.drain(timeout=1)
    assert sms_engine.received == []


@pytest.mark.django_db(transaction=True)
def test_drain_works_with_committed_data_as_beside_the_live_server(
    sms_engine: SmsEngine, alice: User
) -> None:
    # given messages committed by another request (transactional test, as with live_server)
    queue_text(alice, "Uno", "+393401111111")
    sms_engine.drain()
    queue_text(alice, "Due", "+393402222222")
    # when drained a second time
    sms_engine.drain()
    # then each went once
    assert [message.text for message in sms_engine.received] == ["Uno", "Due"]
    assert SmsMessage.objects.filter(status=MessageStatus.DELIVERED).count() == 2


def test_drain_fails_the_test_with_what_is_left(sms_engine: SmsEngine, alice: User) -> None:
    # given an SMSC that throttles everything
    sms_engine.simulator.config.throttle_fraction = 1.0
    queue_text(alice, "Ciao", "+393401111111")
    # when drained for half a second
    with pytest.raises(pytest.fail.Exception) as failure:
        sms_engine.drain(timeout=0.5)
    # then the failure names the message still queued and why
    assert "to +393401111111 queued" in str(failure.value)
    assert "ESME_RTHROTTLED" in str(failure.value)
