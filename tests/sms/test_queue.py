"""The durable SMS queue (R-T4, R-T5, R-A11): atomic batch claims with leases, what the SMSC
answered, delivery receipts (also early ones, in hex or decimal)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from centrex.accounts.models import User
from centrex.aliases.actions.decisions import revoke_alias
from centrex.aliases.models import AliasStatus, SenderAlias
from centrex.senders.models import SENDER_TON_NPI, SenderType
from centrex.sms.models import Encoding, MessageStatus, SmsMessage, SmsPart, SmsReceipt, SmsRequest
from centrex.sms.queue import (
    _DUE,
    Failure,
    IncomingReceipt,
    Submission,
    SubmittedPart,
    claim_batch,
    fail_queued_with_alias,
    has_due_messages,
    has_due_messages_sql,
    mark_failed,
    mark_submitted,
    mark_transient_failure,
    match_pending_receipts,
    record_receipts,
    release_claims,
)
from centrex.smsc.receipts import normalize_message_id
from tests.sms.together import run_together

LEASE = 30.0


def queue_sms(
    user: User, count: int = 1, *, alias: SenderAlias | None = None, parts: int = 1
) -> list[SmsMessage]:
    """`count` queued recipients of one request of `user`, as the send path stores them."""
    assert user.customer is not None
    sender_type = SenderType.ALIAS if alias else SenderType.MOBILE
    ton, npi = SENDER_TON_NPI[sender_type]
    request = SmsRequest.objects.create(
        customer=user.customer,
        user=user,
        text="Ciao",
        encoding=Encoding.GSM7,
        parts=parts,
        sender_type=sender_type,
        sender_value=alias.text if alias else "+393331234567",
        sender_ton=ton,
        sender_npi=npi,
        sender_alias=alias,
    )
    return SmsMessage.objects.bulk_create(
        SmsMessage(request=request, customer=user.customer, destination=f"+39340{n:07d}")
        for n in range(count)
    )


def submitted(message: SmsMessage, *smsc_ids: str) -> Submission:
    """The SMSC accepted `message`'s parts with `smsc_ids`, keyed as the transport keys them."""
    return Submission(
        message_id=message.id,
        parts=[
            SubmittedPart(seq=seq, smsc_message_id=raw, id_key=normalize_message_id(raw).key)
            for seq, raw in enumerate(smsc_ids, start=1)
        ],
    )


def receipt(smsc_id: str, state: str = "delivered") -> IncomingReceipt:
    """A receipt for `smsc_id`, as the transport reads it."""
    return IncomingReceipt(
        candidates=normalize_message_id(smsc_id).candidates,
        state=state,
        raw=f"id:{smsc_id} stat:{state.upper()[:7]}",
    )


def status_of(message: SmsMessage) -> str:
    message.refresh_from_db()
    return message.status


# --- claims ---------------------------------------------------------------------------------


def test_a_claim_takes_due_queued_messages_oldest_first_with_a_lease(alice: User) -> None:
    # given three queued messages
    messages = queue_sms(alice, 3)
    # when dispatcher "d1" claims two
    claimed = claim_batch("d1", 2, LEASE)
    # then it gets the two oldest, marked with its lease and counted as an attempt
    assert [m.id for m in claimed] == [messages[0].id, messages[1].id]
    for message in claimed:
        assert message.claimed_by == "d1"
        assert message.claimed_until is not None
        assert message.claimed_until > timezone.now() + timedelta(seconds=LEASE - 5)
        assert message.attempts == 1
        assert message.status == MessageStatus.QUEUED
        assert message.request.text == "Ciao"


def test_a_claimed_message_is_not_claimed_again_while_its_lease_runs(alice: User) -> None:
    # given five queued messages, three claimed by "d1"
    messages = queue_sms(alice, 5)
    first = claim_batch("d1", 3, LEASE)
    # when "d2" claims as many as it can
    second = claim_batch("d2", 10, LEASE)
    # then it gets only the other two, and nothing is left
    assert {m.id for m in first} | {m.id for m in second} == {m.id for m in messages}
    assert not {m.id for m in first} & {m.id for m in second}
    assert claim_batch("d3", 10, LEASE) == []


def test_an_expired_lease_is_claimed_again(alice: User) -> None:
    # given a message claimed by "d1", which died: its lease ran out
    [message] = queue_sms(alice)
    claim_batch("d1", 10, LEASE)
    SmsMessage.objects.filter(id=message.id).update(
        claimed_until=timezone.now() - timedelta(seconds=1)
    )
    # when "d2" claims
    [again] = claim_batch("d2", 10, LEASE)
    # then it takes the message over: duplicated at most, never lost (DESIGN)
    assert again.id == message.id
    assert again.claimed_by == "d2"
    assert again.attempts == 2


def test_messages_not_yet_due_or_no_longer_queued_are_not_claimed(alice: User) -> None:
    # given a message due in a minute and one already submitted
    later, sent = queue_sms(alice, 2)
    SmsMessage.objects.filter(id=later.id).update(
        next_attempt_at=timezone.now() + timedelta(minutes=1)
    )
    SmsMessage.objects.filter(id=sent.id).update(status=MessageStatus.SUBMITTED)
    # then there is nothing to claim
    assert claim_batch("d1", 10, LEASE) == []


def test_the_idle_watch_sees_exactly_what_a_claim_would_take(alice: User) -> None:
    # given an empty queue, then a message due in a minute
    assert has_due_messages() is False
    [message] = queue_sms(alice)
    SmsMessage.objects.filter(id=message.id).update(
        next_attempt_at=timezone.now() + timedelta(minutes=1)
    )
    assert has_due_messages() is False
    # when it becomes due
    SmsMessage.objects.filter(id=message.id).update(next_attempt_at=timezone.now())
    # then the watch sees it, and no longer once it is claimed
    assert has_due_messages() is True
    claim_batch("d1", 10, LEASE)
    assert has_due_messages() is False


def test_a_claim_costs_the_same_queries_for_two_messages_as_for_forty(alice: User) -> None:
    # given forty-two queued messages
    queue_sms(alice, 42)
    # when a batch of two, then a batch of forty, is claimed
    with CaptureQueriesContext(connection) as small:
        assert len(claim_batch("d1", 2, LEASE)) == 2
    with CaptureQueriesContext(connection) as large:
        assert len(claim_batch("d1", 40, LEASE)) == 40
    # then both took the same few statements, not one per message
    assert len(small.captured_queries) == len(large.captured_queries)
    assert len([q for q in large.captured_queries if "SAVEPOINT" not in q["sql"]]) <= 2


@pytest.mark.skipif(
    "config.getoption('db') != 'postgres'",
    reason="SQLite runs one dispatcher (SingleDispatcherLock); several need PostgreSQL",
)
# Not serialized_rollback: restoring a snapshot after another test's flush collides with the
# content types Django re-creates; tests that need the seeded word lists re-seed them.
@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_claiming_at_once_never_get_the_same_message(alice: User) -> None:
    # given 400 queued messages
    messages = queue_sms(alice, 400)
    claims: dict[str, list[int]] = {"d1": [], "d2": []}

    def dispatcher(dispatcher_id: str) -> Callable[[], None]:
        def dispatch() -> None:
            while batch := claim_batch(dispatcher_id, 7, LEASE):
                claims[dispatcher_id].extend(m.id for m in batch)

        return dispatch

    # when two dispatchers, each on its own connection, claim until the queue is empty
    run_together(*(dispatcher(name) for name in claims))
    # then every message was claimed exactly once (FOR UPDATE SKIP LOCKED)
    assert not set(claims["d1"]) & set(claims["d2"])
    assert sorted(claims["d1"] + claims["d2"]) == sorted(m.id for m in messages)
    assert claims["d1"] and claims["d2"]


def test_released_claims_go_back_to_the_queue_without_counting_an_attempt(alice: User) -> None:
    # given two messages claimed by "d1" and one by "d2"
    queue_sms(alice, 3)
    mine = claim_batch("d1", 2, LEASE)
    [theirs] = claim_batch("d2", 1, LEASE)
    # when "d1" stops (SIGTERM) and returns what it did not send
    assert release_claims("d1") == 2
    # then its messages can be claimed again at once; "d2"'s stay with "d2"
    again = claim_batch("d3", 10, LEASE)
    assert {m.id for m in again} == {m.id for m in mine}
    assert all(m.attempts == 1 for m in again)
    theirs.refresh_from_db()
    assert theirs.claimed_by == "d2"


# --- what the SMSC answered -----------------------------------------------------------------


def test_a_submitted_message_keeps_its_smsc_ids_and_leaves_the_queue(alice: User) -> None:
    # given a claimed two-part message
    [message] = queue_sms(alice, parts=2)
    claim_batch("d1", 10, LEASE)
    # when the SMSC accepts both parts
    assert mark_submitted([submitted(message, "00A1", "00A2")]) == 1
    # then it is submitted, unclaimed, with its parts' ids and match keys (R-T5)
    message.refresh_from_db()
    assert message.status == MessageStatus.SUBMITTED
    assert message.submitted_at is not None
    assert message.claimed_by == ""
    assert message.claimed_until is None
    parts = list(SmsPart.objects.filter(message=message).order_by("seq"))
    assert [(p.seq, p.smsc_message_id, p.id_key) for p in parts] == [
        (1, "00A1", "a1"),
        (2, "00A2", "a2"),
    ]
    assert claim_batch("d1", 10, LEASE) == []


def test_a_transient_error_requeues_the_message_for_later(alice: User) -> None:
    # given a claimed message
    [message] = queue_sms(alice)
    claim_batch("d1", 10, LEASE)
    retry_at = timezone.now() + timedelta(seconds=30)
    # when the SMSC throttles it
    assert mark_transient_failure([message.id], "ESME_RTHROTTLED", retry_at) == 1
    # then it is queued again (R-T5), unclaimed, not due before `retry_at`
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert message.claimed_by == ""
    assert message.next_attempt_at == retry_at
    assert message.error_text == "ESME_RTHROTTLED"
    assert claim_batch("d1", 10, LEASE) == []
    SmsMessage.objects.filter(id=message.id).update(next_attempt_at=timezone.now())
    assert [m.id for m in claim_batch("d1", 10, LEASE)] == [message.id]


def test_permanent_refusals_fail_each_message_with_its_own_reason(alice: User) -> None:
    # given two claimed messages
    first, second = queue_sms(alice, 2)
    claim_batch("d1", 10, LEASE)
    # when the SMSC refuses them for good, for different reasons
    count = mark_failed(
        [
            Failure(first.id, "ESME_RINVDSTADR", "Invalid destination address"),
            Failure(second.id, "ESME_RINVSRCADR", "Invalid source address"),
        ]
    )
    # then each is failed with its reason (R-T5)
    assert count == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.error_code) == (MessageStatus.FAILED, "ESME_RINVDSTADR")
    assert (second.status, second.error_text) == (MessageStatus.FAILED, "Invalid source address")
    assert first.done_at is not None


def test_a_submitted_message_cannot_be_failed_or_requeued(alice: User) -> None:
    # given a submitted message
    [message] = queue_sms(alice)
    mark_submitted([submitted(message, "77")])
    # when a late answer says it failed, or should be retried
    failed = mark_failed([Failure(message.id, "ESME_RSYSERR", "System error")])
    retried = mark_transient_failure([message.id], "ESME_RTHROTTLED", timezone.now())
    # then nothing changes: R-T5 allows neither move
    assert (failed, retried) == (0, 0)
    assert status_of(message) == MessageStatus.SUBMITTED


# --- receipts -------------------------------------------------------------------------------


def test_a_receipt_in_decimal_matches_a_part_submitted_in_hex(alice: User) -> None:
    # given a message the SMSC accepted as "1A2B" (hexadecimal)
    [message] = queue_sms(alice)
    mark_submitted([submitted(message, "1A2B")])
    # when its receipt names it "6699" (the same number in decimal)
    matched = record_receipts([receipt("6699", "delivered")])
    # then it is delivered (R-T5, R-T6)
    assert matched == 1
    assert status_of(message) == MessageStatus.DELIVERED
    assert not SmsReceipt.objects.exists()


def test_a_receipt_in_hex_matches_a_part_submitted_in_decimal(alice: User) -> None:
    # given a message the SMSC accepted as "0006699"
    [message] = queue_sms(alice)
    mark_submitted([submitted(message, "0006699")])
    # when its receipt names it "1a2b"
    record_receipts([receipt("1a2b", "undeliverable")])
    # then the receipt found it
    assert status_of(message) == MessageStatus.UNDELIVERABLE


def test_a_receipt_before_the_submit_was_recorded_is_matched_later(alice: User) -> None:
    # given a claimed message whose receipt arrives before its submit_sm_resp was stored
    [message] = queue_sms(alice)
    claim_batch("d1", 10, LEASE)
    assert record_receipts([receipt("ABC123", "delivered")]) == 0
    assert match_pending_receipts() == 0
    # when the submission is recorded and pending receipts are matched
    mark_submitted([submitted(message, "abc123")])
    assert match_pending_receipts() == 1
    # then the receipt was not lost: the message is delivered, the receipt marked matched
    assert status_of(message) == MessageStatus.DELIVERED
    stored = SmsReceipt.objects.get()
    assert stored.matched
    assert stored.id_key == "abc123"
    assert match_pending_receipts() == 0


def test_a_long_message_is_delivered_when_every_part_is(alice: User) -> None:
    # given a submitted two-part message
    [message] = queue_sms(alice, parts=2)
    mark_submitted([submitted(message, "101", "102")])
    # when the first part's receipt arrives, and an "enroute" for the second
    record_receipts([receipt("101", "delivered"), receipt("102", "enroute")])
    # then it is still submitted
    assert status_of(message) == MessageStatus.SUBMITTED
    # and once the second part is delivered, so is the message
    record_receipts([receipt("102", "delivered")])
    assert status_of(message) == MessageStatus.DELIVERED


def test_a_long_message_takes_the_outcome_of_a_part_that_was_not_delivered(
    alice: User,
) -> None:
    # given a submitted two-part message
    [message] = queue_sms(alice, parts=2)
    mark_submitted([submitted(message, "201", "202")])
    # when one part expired and the other was delivered
    record_receipts([receipt("201", "delivered"), receipt("202", "expired")])
    # then the message expired (R-T5)
    assert status_of(message) == MessageStatus.EXPIRED


def test_a_late_receipt_does_not_change_a_final_status(alice: User) -> None:
    # given a delivered message
    [message] = queue_sms(alice)
    mark_submitted([submitted(message, "301")])
    record_receipts([receipt("301", "delivered")])
    # when a contradicting, then a non-final, receipt arrives
    record_receipts([receipt("301", "rejected")])
    record_receipts([receipt("301", "enroute")])
    # then delivered it stays: final statuses have no moves (R-T5)
    assert status_of(message) == MessageStatus.DELIVERED


def test_a_batch_of_receipts_settles_each_message(alice: User) -> None:
    # given three submitted messages
    messages = queue_sms(alice, 3)
    mark_submitted([submitted(m, str(900 + n)) for n, m in enumerate(messages)])
    # when their receipts arrive in one batch, one of them for an unknown id
    matched = record_receipts(
        [
            receipt("900", "delivered"),
            receipt("901", "rejected"),
            receipt("902", "undeliverable"),
            receipt("999999", "delivered"),
        ]
    )
    # then each message has its outcome and the unknown receipt is kept
    assert matched == 3
    assert [status_of(m) for m in messages] == [
        MessageStatus.DELIVERED,
        MessageStatus.REJECTED,
        MessageStatus.UNDELIVERABLE,
    ]
    assert SmsReceipt.objects.get().id_key == "999999"


# --- R-A11 ----------------------------------------------------------------------------------


def test_revoking_an_alias_fails_its_queued_messages(alice: User, operator: User) -> None:
    # given a validated alias of Esempio with two queued messages (one claimed) and one submitted,
    # and a queued message sent from a number
    assert alice.customer is not None
    alias = SenderAlias.objects.create(
        customer=alice.customer, text="Esempio", match_key="esempio", status=AliasStatus.VALIDATED
    )
    waiting, in_flight, sent = queue_sms(alice, 3, alias=alias)
    SmsMessage.objects.filter(id=in_flight.id).update(
        claimed_by="d1", claimed_until=timezone.now() + timedelta(seconds=LEASE)
    )
    mark_submitted([submitted(sent, "401")])
    [by_number] = queue_sms(alice)
    # when the operator revokes the alias
    revoke_alias(alias, "Uso ingannevole segnalato.", acting_user=operator)
    # then its queued messages failed with alias_not_validated (R-A11, API.md "Sending")
    for message in (waiting, in_flight):
        message.refresh_from_db()
        assert message.status == MessageStatus.FAILED
        assert message.error_code == "alias_not_validated"
        assert message.claimed_by == ""
    # and the submitted one and the one sent from a number are untouched
    assert status_of(sent) == MessageStatus.SUBMITTED
    assert status_of(by_number) == MessageStatus.QUEUED


def test_failing_an_alias_without_queued_messages_changes_nothing(alice: User) -> None:
    # given a queued message sent from a number
    [message] = queue_sms(alice)
    # when an alias nobody uses stops being usable
    assert fail_queued_with_alias(123456) == 0
    # then the message still waits
    assert status_of(message) == MessageStatus.QUEUED


def delivered_history(user: User, count: int = 5000) -> None:
    """`count` delivered messages of one request of `user`: a queue's history."""
    (first,) = queue_sms(user)
    SmsMessage.objects.filter(id=first.id).update(status=MessageStatus.DELIVERED)
    SmsMessage.objects.bulk_create(
        SmsMessage(
            request_id=first.request_id,
            customer_id=first.customer_id,
            destination=f"+39347{index:07d}",
            status=MessageStatus.DELIVERED,
        )
        for index in range(count - 1)
    )


def generic_plans(statements: dict[str, str]) -> dict[str, str]:
    """PostgreSQL's plan of each statement (two timestamp parameters) planned once for any
    parameter, as it plans the prepared statements of a dispatcher (DATABASE_URL's
    prepare_threshold), with fresh statistics of the message table."""
    plans = {}
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE sms_smsmessage")
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        for index, (name, sql) in enumerate(statements.items()):
            numbered = sql.replace("%s", "$1", 1).replace("%s", "$2", 1)
            cursor.execute(f"PREPARE planned_{index} (timestamptz, timestamptz) AS {numbered}")
            cursor.execute(f"EXPLAIN EXECUTE planned_{index} (now(), now())")
            plans[name] = "\n".join(row[0] for row in cursor.fetchall())
            cursor.execute(f"DEALLOCATE planned_{index}")
    return plans


@pytest.mark.skipif("config.getoption('db') != 'postgres'", reason="PostgreSQL's plans")
def test_the_queue_is_watched_and_claimed_through_the_claim_index_whatever_the_history(
    alice: User,
) -> None:
    # given a history of delivered messages and a few queued ones, with statistics
    delivered_history(alice)
    queue_sms(alice, 3)
    # when PostgreSQL plans the statements once for any parameter
    plans = generic_plans(
        {
            "idle watch": has_due_messages_sql(),
            "claim": f"SELECT id FROM sms_smsmessage WHERE {_DUE} ORDER BY next_attempt_at, id "
            "LIMIT 100 FOR UPDATE SKIP LOCKED",
        }
    )
    # then both walk the claim index: no sequential scan of the history
    for name, plan in plans.items():
        assert "sms_message_claim" in plan and "Seq Scan" not in plan, (name, plan)
    assert has_due_messages()


@pytest.mark.skipif("config.getoption('db') != 'postgres'", reason="PostgreSQL's plans")
def test_a_claim_takes_no_more_than_its_limit_whatever_the_plan(alice: User) -> None:
    # given forty-two queued messages
    queue_sms(alice, 42)
    with connection.cursor() as cursor:
        # when the planner is pushed to the plan CI once chose by its statistics: the rows to
        # claim as the inner side of a nested loop over the table, run again for every row
        for setting in ("enable_hashjoin", "enable_material", "enable_hashagg", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        claimed = claim_batch("d1", 2, LEASE)
    # then the claim still takes two, the oldest (as a subquery in `IN (…)` it took all 42)
    assert len(claimed) == 2
    assert SmsMessage.objects.filter(claimed_by="d1").count() == 2
