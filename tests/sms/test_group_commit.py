"""The queue's group commit (R-T4): concurrent requests of one process are written in one
transaction, each caller still gets its own outcome, and nothing accepted is lost."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from django.db import IntegrityError, connections, transaction

from centrex.accounts.models import User
from centrex.senders.models import SenderType
from centrex.senders.resolution import Sender
from centrex.sms.enqueue import GROUP_COMMIT, enqueue_sms
from centrex.sms.models import MessageStatus, SmsMessage, SmsRequest

ALIAS = Sender(SenderType.ALIAS, "EsempioNet")


def destination(index: int) -> str:
    return f"+39347{index:07d}"


def send(user: User, index: int, *, key: str = "") -> SmsRequest:
    assert user.customer is not None
    return enqueue_sms(
        customer=user.customer,
        user=user,
        sender=ALIAS,
        text=f"Messaggio {index}",
        destinations=[destination(index), destination(1000 + index)],
        idempotency_key=key,
        request_hash=key,
    )


def hold_writes() -> None:
    """Act as a leader writing a group: every request started meanwhile waits."""
    with GROUP_COMMIT._guard:
        assert not GROUP_COMMIT._writing
        GROUP_COMMIT._writing = True


def end_the_write() -> None:
    """What a leader does when its group is written: the first waiting request leads next."""
    GROUP_COMMIT._hand_over()


@pytest.fixture
def turn_held() -> Iterator[None]:
    """Writes held by the test, so that every request started meanwhile waits and the next
    leader finds them all: a group of known size, whatever the machine's timing."""
    hold_writes()
    try:
        yield
    finally:
        with GROUP_COMMIT._guard:
            if GROUP_COMMIT._writing and not GROUP_COMMIT._waiting:
                GROUP_COMMIT._writing = False


def concurrently(user: User, count: int, keys: dict[int, str]) -> dict[int, object]:
    """`count` requests from threads of their own, let through together; each one's request or
    exception."""
    outcomes: dict[int, object] = {}

    def run(index: int) -> None:
        try:
            outcomes[index] = send(user, index, key=keys.get(index, ""))
        except Exception as error:
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while len(GROUP_COMMIT._waiting) < count and time.monotonic() < deadline:
        time.sleep(0.005)
    assert len(GROUP_COMMIT._waiting) == count
    end_the_write()
    for thread in threads:
        thread.join(30)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_are_written_in_one_transaction_each_with_its_messages(
    alice: User, turn_held: None
) -> None:
    # given twelve requests arriving while a write is in progress
    groups_before = GROUP_COMMIT.groups
    # when the write ends
    outcomes = concurrently(alice, 12, keys={})
    # then the next writer wrote all twelve at once, each request with its own two messages
    assert GROUP_COMMIT.groups == groups_before + 1
    assert GROUP_COMMIT.largest >= 12
    for index, outcome in outcomes.items():
        assert isinstance(outcome, SmsRequest)
        stored = SmsRequest.objects.get(pk=outcome.pk)
        assert stored.text == f"Messaggio {index}"
        assert sorted(stored.messages.values_list("destination", flat=True)) == sorted(
            [destination(index), destination(1000 + index)]
        )
        assert [m.pk for m in outcome.queued_messages] == sorted(  # type: ignore[attr-defined]
            stored.messages.values_list("pk", flat=True)
        )
    assert SmsMessage.objects.filter(status=MessageStatus.QUEUED).count() == 24


@pytest.mark.django_db(transaction=True)
def test_a_request_that_cannot_be_written_fails_alone_and_the_group_is_kept(
    alice: User, turn_held: None
) -> None:
    # given a request already stored under the idempotency key "k-3" (R-T4)
    end_the_write()
    earlier = send(alice, 99, key="k-3")
    hold_writes()
    # when six requests are written together, the fourth reusing that key
    outcomes = concurrently(alice, 6, keys={3: "k-3"})
    # then the fourth gets the database's refusal (send_sms answers it with the first request)
    # and the five others are stored
    assert isinstance(outcomes[3], IntegrityError)
    stored = [outcome for index, outcome in outcomes.items() if index != 3]
    assert all(isinstance(outcome, SmsRequest) and outcome.pk for outcome in stored)
    assert SmsRequest.objects.count() == 1 + 5
    assert SmsMessage.objects.count() == 2 * (1 + 5)
    assert SmsRequest.objects.get(idempotency_key="k-3").pk == earlier.pk


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_the_request_belongs_to_it(alice: User) -> None:
    # given a caller's transaction (a verification code is stored with its SMS)
    groups_before = GROUP_COMMIT.groups
    # when it enqueues and then rolls back
    with pytest.raises(RuntimeError), transaction.atomic():
        send(alice, 1)
        raise RuntimeError("the caller fails after enqueueing")
    # then nothing was committed on its own
    assert GROUP_COMMIT.groups == groups_before
    assert not SmsRequest.objects.exists()
    assert not SmsMessage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_many_threads_sending_at_once_each_get_their_own_request_stored_once(
    alice: User,
) -> None:
    # given 16 threads sending 10 requests each, as fast as they can (leaders hand over)
    results: dict[int, list[int]] = {}
    failures: list[BaseException] = []

    def run(thread_index: int) -> None:
        try:
            results[thread_index] = [send(alice, thread_index * 10 + turn).pk for turn in range(10)]
        except BaseException as error:  # reported below
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(16)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    # then every request is stored once, with its own text, and nothing is left waiting
    assert not failures
    assert not any(thread.is_alive() for thread in threads)
    texts = dict(SmsRequest.objects.values_list("pk", "text"))
    assert len(texts) == 160
    for thread_index, pks in results.items():
        assert [texts[pk] for pk in pks] == [
            f"Messaggio {thread_index * 10 + turn}" for turn in range(10)
        ]
    assert SmsMessage.objects.count() == 320
    assert not GROUP_COMMIT._waiting and not GROUP_COMMIT._writing
