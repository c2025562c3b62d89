"""The SMS queue's tables (R-T4, R-T5, R-T6): the status machine, idempotency keys, tenancy."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from centrex.accounts.models import User
from centrex.senders.models import SENDER_TON_NPI, SenderType
from centrex.sms.models import (
    ALLOWED_TRANSITIONS,
    FINAL_STATUSES,
    Encoding,
    MessageStatus,
    SmsMessage,
    SmsPart,
    SmsRequest,
)


def _request(user: User, *, key: str = "") -> SmsRequest:
    assert user.customer is not None
    ton, npi = SENDER_TON_NPI[SenderType.MOBILE]
    return SmsRequest.objects.create(
        customer=user.customer,
        user=user,
        text="Ciao",
        encoding=Encoding.GSM7,
        parts=1,
        sender_type=SenderType.MOBILE,
        sender_value="+393331234567",
        sender_ton=ton,
        sender_npi=npi,
        sender_reason="policy own_mobile, verified number +393331234567",
        sender_trace={"policy": "own_mobile", "mobile": "+393331234567"},
        idempotency_key=key,
        request_hash="0" * 64,
    )


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (MessageStatus.QUEUED, MessageStatus.SUBMITTED),
        (MessageStatus.QUEUED, MessageStatus.QUEUED),  # retry after a transient error
        (MessageStatus.QUEUED, MessageStatus.FAILED),
        (MessageStatus.SUBMITTED, MessageStatus.DELIVERED),
        (MessageStatus.SUBMITTED, MessageStatus.UNDELIVERABLE),
        (MessageStatus.SUBMITTED, MessageStatus.EXPIRED),
        (MessageStatus.SUBMITTED, MessageStatus.REJECTED),
    ],
)
def test_the_moves_of_r_t5_are_allowed(source: str, target: str) -> None:
    # given a message in `source`
    message = SmsMessage(status=source)
    # then it may move to `target` (R-T5)
    assert message.can_move_to(target)


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (MessageStatus.QUEUED, MessageStatus.DELIVERED),
        (MessageStatus.SUBMITTED, MessageStatus.QUEUED),
        (MessageStatus.SUBMITTED, MessageStatus.FAILED),
        (MessageStatus.DELIVERED, MessageStatus.UNDELIVERABLE),
        (MessageStatus.FAILED, MessageStatus.QUEUED),
        (MessageStatus.EXPIRED, MessageStatus.DELIVERED),
    ],
)
def test_other_moves_are_forbidden(source: str, target: str) -> None:
    # given a message in `source`
    message = SmsMessage(status=source)
    # then it may not move to `target` (R-T5)
    assert not message.can_move_to(target)


def test_every_status_has_its_moves_and_final_ones_have_none() -> None:
    # then the table names every status, and the final ones are those R-T5 ends with
    assert set(ALLOWED_TRANSITIONS) == set(MessageStatus.values)
    assert {
        MessageStatus.DELIVERED,
        MessageStatus.UNDELIVERABLE,
        MessageStatus.EXPIRED,
        MessageStatus.REJECTED,
        MessageStatus.FAILED,
    } == FINAL_STATUSES


def test_senders_carry_the_ton_and_npi_of_r_t6() -> None:
    # then aliases go as alphanumeric 5/0 and numbers as international 1/1 (R-T6)
    assert SENDER_TON_NPI[SenderType.ALIAS] == (5, 0)
    assert SENDER_TON_NPI[SenderType.MOBILE] == (1, 1)


def test_the_same_idempotency_key_of_a_user_is_refused(alice: User, bob: User) -> None:
    # given Alice's request with key "k1"
    _request(alice, key="k1")
    # when she stores another with the same key, then the database refuses it (R-T4)
    with pytest.raises(IntegrityError), transaction.atomic():
        _request(alice, key="k1")
    # and Bob's own "k1", and requests without a key, are fine
    _request(bob, key="k1")
    _request(alice)
    _request(alice)
    assert SmsRequest.objects.count() == 4


def test_messages_are_visible_to_their_customer_only(alice: User, carla: User) -> None:
    # given a message of Esempio (Alice)
    request = _request(alice)
    message = SmsMessage.objects.create(
        request=request, customer=request.customer, destination="+393401112233"
    )
    # then Esempio sees it and Altra (Carla) does not (R-C3)
    assert list(SmsMessage.objects.visible_to(alice)) == [message]
    assert not SmsMessage.objects.visible_to(carla).exists()
    assert not SmsRequest.objects.visible_to(carla).exists()


def test_what_refers_to_a_request_is_kept_by_the_portal_without_constraints(
    alice: User,
) -> None:
    # given a request with a message and its part (the references have no database
    # constraint: see the note above SmsRequest)
    request = _request(alice)
    message = SmsMessage.objects.create(
        request=request, customer=request.customer, destination="+393401112233"
    )
    SmsPart.objects.create(message=message, seq=1, smsc_message_id="a1", id_key="a1")
    # then the customer, the user and the alias in use cannot be deleted (PROTECT)
    with pytest.raises(ProtectedError), transaction.atomic():
        alice.delete()
    assert alice.customer is not None
    with pytest.raises(ProtectedError), transaction.atomic():
        alice.customer.delete()
    # and deleting the request takes its messages and their parts with it (CASCADE)
    request.delete()
    assert not SmsMessage.objects.exists()
    assert not SmsPart.objects.exists()


@pytest.mark.django_db
def test_the_queue_tables_have_no_foreign_key_constraints() -> None:
    # the measured choice above SmsRequest: no row of another table is locked on insert
    with connection.cursor() as cursor:
        for model in (SmsRequest, SmsMessage, SmsPart):
            described = connection.introspection.get_constraints(cursor, model._meta.db_table)
            assert [name for name, c in described.items() if c["foreign_key"]] == [], model
