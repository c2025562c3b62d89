"""Receipts that never come, or come twice (R-T5, issue 13): the expiry sweep of messages still
`submitted` past their validity period and its grace, statuses that never move back, late and
repeated receipts that change nothing, a receipt sent again stored once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone
from pytest_django.fixtures import Settings

from centrex.accounts.models import User
from centrex.sms.models import (
    NO_RECEIPT,
    InvalidTransition,
    MessageStatus,
    SmsMessage,
    SmsPart,
    SmsReceipt,
)
from centrex.sms.queue import (
    _UNRECEIPTED,
    expire_unreceipted,
    has_unreceipted,
    mark_submitted,
    match_pending_receipts,
    record_receipts,
)
from tests.sms.test_queue import (
    delivered_history,
    generic_plans,
    queue_sms,
    receipt,
    status_of,
    submitted,
)
from tests.sms.together import run_together

VALIDITY = timedelta(hours=48)
GRACE = timedelta(hours=1)


@pytest.fixture(autouse=True)
def validity(settings: Settings) -> None:
    settings.CENTREX_SMS_VALIDITY = VALIDITY
    settings.CENTREX_SMS_RECEIPT_GRACE = GRACE


def submitted_ago(messages: list[SmsMessage], ago: timedelta) -> None:
    """The messages were submitted `ago` (their receipt deadline moves back with them)."""
    SmsMessage.objects.filter(id__in=[m.id for m in messages]).update(
        submitted_at=F("submitted_at") - ago, next_attempt_at=F("next_attempt_at") - ago
    )


# --- The sweep ------------------------------------------------------------------------------


def test_a_submitted_message_is_due_for_the_sweep_after_validity_and_grace(alice: User) -> None:
    # when a message is submitted
    [message] = queue_sms(alice)
    mark_submitted([submitted(message, "A1")])
    message.refresh_from_db()
    # then its deadline is its validity period and the grace after it
    assert message.submitted_at is not None
    assert message.next_attempt_at == message.submitted_at + VALIDITY + GRACE


def test_a_message_whose_receipt_never_comes_expires_with_no_receipt(alice: User) -> None:
    # given two submitted messages, one just before its deadline, one just after
    early, late = queue_sms(alice, 2)
    mark_submitted([submitted(early, "B1"), submitted(late, "B2")])
    submitted_ago([early], VALIDITY + GRACE - timedelta(minutes=1))
    submitted_ago([late], VALIDITY + GRACE + timedelta(seconds=1))
    # when the sweep runs
    assert expire_unreceipted() == 1
    # then only the late one is expired, with `no_receipt`, and done
    late.refresh_from_db()
    assert (late.status, late.error_code) == (MessageStatus.EXPIRED, NO_RECEIPT)
    assert late.done_at is not None
    assert status_of(early) == MessageStatus.SUBMITTED
    # and a second sweep finds nothing more
    assert not has_unreceipted()
    assert expire_unreceipted() == 0


def test_the_sweep_waits_for_the_longer_of_the_deadline_and_the_settings(
    alice: User, settings: Settings
) -> None:
    # given a message submitted 50 hours ago whose deadline was set with a longer validity
    [message] = queue_sms(alice)
    settings.CENTREX_SMS_VALIDITY = timedelta(hours=72)
    mark_submitted([submitted(message, "C1")])
    submitted_ago([message], timedelta(hours=50))
    # when the validity is shortened to 48 hours, then the message still waits (the SMSC has
    # it for 72)
    settings.CENTREX_SMS_VALIDITY = VALIDITY
    assert expire_unreceipted() == 0
    # and a message whose deadline has passed waits while the settings of now say so
    submitted_ago([message], timedelta(hours=24))
    settings.CENTREX_SMS_RECEIPT_GRACE = timedelta(hours=30)
    assert expire_unreceipted() == 0
    settings.CENTREX_SMS_RECEIPT_GRACE = GRACE
    assert expire_unreceipted() == 1


def test_settled_and_queued_messages_are_never_swept(alice: User) -> None:
    # given a delivered, an undeliverable and a queued message, all long past any deadline
    delivered, undeliverable, queued = queue_sms(alice, 3)
    mark_submitted([submitted(delivered, "D1"), submitted(undeliverable, "D2")])
    record_receipts([receipt("D1", "delivered"), receipt("D2", "undeliverable")])
    submitted_ago([delivered, undeliverable], timedelta(days=10))
    SmsMessage.objects.filter(id=queued.id).update(next_attempt_at=timezone.now() - VALIDITY * 3)
    # when the sweep runs, then nothing moves
    assert expire_unreceipted() == 0
    assert [status_of(m) for m in (delivered, undeliverable, queued)] == [
        MessageStatus.DELIVERED,
        MessageStatus.UNDELIVERABLE,
        MessageStatus.QUEUED,
    ]


def test_a_backlog_is_swept_in_bounded_bites(alice: User) -> None:
    # given five messages past their deadline
    messages = queue_sms(alice, 5)
    mark_submitted([submitted(m, f"E{n}") for n, m in enumerate(messages)])
    submitted_ago(messages, VALIDITY + GRACE + timedelta(minutes=1))
    # when a sweep of two statements of two runs, then four expire, and the next takes the last
    assert expire_unreceipted(limit=2, rounds=2) == 4
    assert expire_unreceipted(limit=2, rounds=2) == 1


@pytest.mark.skipif(
    "config.getoption('db') != 'postgres'",
    reason="SQLite runs one dispatcher (SingleDispatcherLock) and one writer at a time",
)
@pytest.mark.django_db(transaction=True)
def test_sweepers_running_at_once_expire_each_message_once(alice: User) -> None:
    # given 300 messages past their deadline
    messages = queue_sms(alice, 300)
    mark_submitted([submitted(m, f"F{n}") for n, m in enumerate(messages)])
    submitted_ago(messages, VALIDITY + GRACE + timedelta(minutes=1))
    counts: list[int] = []

    def sweep() -> None:
        while moved := expire_unreceipted(limit=7, rounds=1):
            counts.append(moved)

    # when three sweepers, each on its own connection, run until nothing is left
    run_together(sweep, sweep, sweep)
    # then every message expired once: the counts add up to the messages
    assert sum(counts) == 300
    assert SmsMessage.objects.filter(status=MessageStatus.EXPIRED, error_code=NO_RECEIPT).count()
    assert not SmsMessage.objects.exclude(status=MessageStatus.EXPIRED).exists()


# --- Late and repeated receipts -------------------------------------------------------------


@pytest.mark.parametrize("first", ["expired by the sweep", "undeliverable"])
def test_a_late_delivered_receipt_changes_nothing(alice: User, first: str) -> None:
    # given a message expired by the sweep, or settled undeliverable by its receipt
    [message] = queue_sms(alice)
    mark_submitted([submitted(message, "G1")])
    if first == "undeliverable":
        record_receipts([receipt("G1", "undeliverable")])
    else:
        submitted_ago([message], VALIDITY + GRACE + timedelta(seconds=1))
        assert expire_unreceipted() == 1
    message.refresh_from_db()
    before = (message.status, message.error_code, message.done_at, message.updated_at)
    # when a DELIVRD receipt comes late, then again
    record_receipts([receipt("G1", "delivered")])
    record_receipts([receipt("G1", "delivered")])
    # then the message is as it was (R-T5: a status never moves back)
    message.refresh_from_db()
    assert (message.status, message.error_code, message.done_at, message.updated_at) == before


def test_a_part_keeps_its_first_final_receipt(alice: User) -> None:
    # given a part whose receipt said undeliverable
    [message] = queue_sms(alice)
    mark_submitted([submitted(message, "H1")])
    record_receipts([receipt("H1", "undeliverable")])
    part = SmsPart.objects.get(message=message)
    # when the same receipt comes again, and then one saying delivered
    record_receipts([receipt("H1", "undeliverable"), receipt("H1", "delivered")])
    # then the part is as the first receipt left it
    again = SmsPart.objects.get(message=message)
    assert (again.receipt_state, again.receipt_at) == (part.receipt_state, part.receipt_at)
    assert not SmsReceipt.objects.exists()


def test_a_receipt_sent_again_before_its_part_is_known_is_stored_once(alice: User) -> None:
    # given a claimed message whose receipt comes before its submit_sm_resp is stored, three
    # times (twice in one round, once more after a reconnect)
    [message] = queue_sms(alice)
    assert record_receipts([receipt("J1"), receipt("J1")]) == 0
    assert record_receipts([receipt("J1")]) == 0
    # then it waits once
    assert SmsReceipt.objects.count() == 1
    # and once the part is stored it settles the message
    mark_submitted([submitted(message, "J1")])
    assert match_pending_receipts() == 1
    assert status_of(message) == MessageStatus.DELIVERED
    # and the same receipt again changes nothing and is not stored
    assert record_receipts([receipt("J1")]) == 1
    assert SmsReceipt.objects.count() == 1


def test_an_old_waiting_receipt_gives_its_place_to_a_new_one_with_its_id(alice: User) -> None:
    # given a receipt that waited two days for a part that never came
    record_receipts([receipt("P1")])
    SmsReceipt.objects.update(received_at=timezone.now() - timedelta(days=2))
    # when an SMSC that reuses its ids sends the same id and state for a new message, before
    # its part is stored
    [message] = queue_sms(alice)
    assert record_receipts([receipt("P1")]) == 0
    # then the new receipt waits (the old one made way) and settles the message once it is
    mark_submitted([submitted(message, "P1")])
    assert match_pending_receipts() == 1
    assert status_of(message) == MessageStatus.DELIVERED
    assert SmsReceipt.objects.count() == 1


def test_another_state_of_a_waiting_receipt_is_kept_too(alice: User) -> None:
    # given an enroute receipt waiting for its part, and then the final one
    record_receipts([receipt("K1", "enroute")])
    record_receipts([receipt("K1", "delivered")])
    # then both wait (they say different things)
    assert sorted(SmsReceipt.objects.values_list("state", flat=True)) == ["delivered", "enroute"]


# --- The model and queryset keep R-T5 for every caller ---------------------------------------


def test_move_to_leaves_messages_that_may_not_move_there(alice: User) -> None:
    # given a delivered message and a queued one
    delivered, queued = queue_sms(alice, 2)
    mark_submitted([submitted(delivered, "L1")])
    record_receipts([receipt("L1")])
    # when both are told to go back to queued, or to expired
    both = SmsMessage.objects.filter(id__in=[delivered.id, queued.id])
    assert both.move_to(MessageStatus.EXPIRED) == 0
    assert both.move_to(MessageStatus.QUEUED) == 1
    # then the delivered one stays delivered
    assert status_of(delivered) == MessageStatus.DELIVERED
    with pytest.raises(InvalidTransition):
        both.move_to("lost")


def test_saving_a_message_checks_the_move_against_the_database(alice: User) -> None:
    # given a submitted message read before its receipt settled it
    [message] = queue_sms(alice)
    mark_submitted([submitted(message, "M1")])
    stale = SmsMessage.objects.get(id=message.id)
    record_receipts([receipt("M1", "delivered")])
    # when the stale copy is saved as expired, then it is refused: delivered has no moves
    stale.status = MessageStatus.EXPIRED
    with pytest.raises(InvalidTransition, match="from delivered to expired"):
        stale.save()
    assert status_of(message) == MessageStatus.DELIVERED
    # and a fresh copy may not move back either
    fresh = SmsMessage.objects.get(id=message.id)
    fresh.status = MessageStatus.QUEUED
    with pytest.raises(InvalidTransition):
        fresh.save()
    # while an allowed move saves
    other = queue_sms(alice)[0]
    loaded = SmsMessage.objects.get(id=other.id)
    loaded.status = MessageStatus.FAILED
    loaded.save()
    assert status_of(other) == MessageStatus.FAILED


@pytest.mark.skipif("config.getoption('db') != 'postgres'", reason="PostgreSQL's plans")
def test_the_sweep_walks_the_claim_index_whatever_the_history(alice: User) -> None:
    # given a history of delivered messages and a few submitted ones
    delivered_history(alice)
    mark_submitted([submitted(m, f"N{n}") for n, m in enumerate(queue_sms(alice, 3))])
    # when PostgreSQL plans the sweep's read once for any parameter (prepared statements)
    sql = f"SELECT 1 FROM sms_smsmessage WHERE {_UNRECEIPTED} LIMIT 1"
    plan = generic_plans({"sweep": sql})["sweep"]
    # then it walks the claim index: no sequential scan of the history
    assert "sms_message_claim" in plan and "Seq Scan" not in plan, plan
