"""Statements written once from `_meta` (core.prepared): the same rows, values and related
instances as the ORM, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, models
from django.db.models.signals import post_init
from django.test.utils import isolate_apps
from django.utils import timezone

from centrex.accounts.models import ApiToken
from centrex.core.prepared import JoinedLookup, insert_instances
from centrex.senders.models import SenderPolicy
from centrex.sms.models import SmsMessage, SmsRequest

pytestmark = pytest.mark.django_db

LIVE_TOKENS = JoinedLookup(
    ApiToken,
    where=[("token_hash", "="), ("expires_at", ">")],
    related=["user__customer", "user__extension"],
)
WITH_POLICY = JoinedLookup(
    ApiToken,
    where=[("token_hash", "=")],
    related=["user__customer__sms_sender_policy__shared_alias", "user__extension"],
)


def fetch(token_hash: str, now):
    return [row.obj for row in LIVE_TOKENS.fetch(token_hash, now)]


def _token(user, token_hash: str, expires_in: timedelta) -> ApiToken:
    return ApiToken.objects.create(
        user=user, token_hash=token_hash, expires_at=timezone.now() + expires_in
    )


def test_a_prepared_query_returns_what_the_orm_returns_with_its_related_rows(alice) -> None:
    # given
    token = _token(alice, "a" * 64, timedelta(days=1))
    # when
    rows = fetch("a" * 64, timezone.now())
    # then
    assert [row.pk for row in rows] == [token.pk]
    found = rows[0]
    assert found.expires_at == ApiToken.objects.get(pk=token.pk).expires_at  # converters ran
    assert found.user.email == alice.email
    assert found.user.customer.name == alice.customer.name
    assert found.user.extension.number == "201"
    assert found._state.adding is False


def test_a_prepared_query_uses_the_values_of_each_call(alice, bob) -> None:
    # given
    _token(alice, "b" * 64, timedelta(days=1))
    _token(bob, "c" * 64, timedelta(seconds=-1))  # expired
    now = timezone.now()
    # when / then
    assert fetch("b" * 64, now)[0].user == alice
    assert fetch("c" * 64, now) == []
    assert len(fetch("c" * 64, now - timedelta(days=1))) == 1
    assert fetch("missing", now) == []


def test_what_a_look_up_cannot_do_is_refused() -> None:
    with pytest.raises(ValueError, match="comparison"):
        JoinedLookup(ApiToken, where=[("token_hash", "LIKE")])
    with pytest.raises(ValueError, match="to-one"):
        JoinedLookup(ApiToken, where=[("token_hash", "=")], related=["user__api_tokens"]).sql()


def _request(user, **values) -> SmsRequest:
    fields = {
        "customer": user.customer,
        "user": user,
        "text": "Ciao €",
        "recipient_count": 1,
        "encoding": "gsm7",
        "parts": 1,
        "sender_type": "alias",
        "sender_value": "EsempioNet",
        "sender_ton": 5,
        "sender_npi": 0,
        "sender_trace": {"mode": "shared_alias", "nested": [1, "è"]},
    }
    fields.update(values)
    return SmsRequest(**fields)


def test_inserted_instances_get_their_keys_and_read_back_equal(alice) -> None:
    # given
    request = _request(alice)
    # when
    insert_instances([request])
    # then
    stored = SmsRequest.objects.get(pk=request.pk)
    assert stored.sender_trace == {"mode": "shared_alias", "nested": [1, "è"]}
    assert stored.text == "Ciao €"
    assert stored.created_at == request.created_at
    assert request._state.adding is False


def test_many_rows_are_split_by_the_parameter_limit_and_keep_their_order(alice) -> None:
    # given: more rows than one statement may carry on SQLite (999 parameters)
    request = _request(alice)
    insert_instances([request])
    count = 150
    messages = [
        SmsMessage(request=request, customer=alice.customer, destination=f"+39333{index:07d}")
        for index in range(count)
    ]
    # when
    insert_instances(messages)
    # then
    by_id = dict(SmsMessage.objects.filter(request=request).values_list("id", "destination"))
    assert len(by_id) == count
    assert [by_id[message.pk] for message in messages] == [m.destination for m in messages]


def test_a_unique_violation_raises_django_s_integrity_error(alice) -> None:
    # given
    insert_instances([_request(alice, idempotency_key="k1")])
    # when / then
    with pytest.raises(IntegrityError):
        insert_instances([_request(alice, idempotency_key="k1")])
    assert connection.vendor in {"sqlite", "postgresql"}


def _state_and_values(instance) -> tuple[bool, str | None, dict]:
    values = {k: v for k, v in vars(instance).items() if k != "_state"}
    return instance._state.adding, instance._state.db, values


def test_instances_are_made_as_django_makes_them(alice) -> None:
    # given
    token = _token(alice, "d" * 64, timedelta(days=1))
    expected = ApiToken.objects.select_related("user", "user__customer", "user__extension").get(
        pk=token.pk
    )
    # when
    (found,) = fetch("d" * 64, timezone.now())
    # then: the same values, state and related instances (cached, not queried again)
    for ours, django_s in [
        (found, expected),
        (found.user, expected.user),
        (found.user.customer, expected.user.customer),
        (found.user.extension, expected.user.extension),
    ]:
        assert type(ours) is type(django_s)
        assert _state_and_values(ours) == _state_and_values(django_s)
        assert set(ours._state.fields_cache) == set(django_s._state.fields_cache)


def test_a_reverse_one_to_one_and_its_relations_come_as_the_orm_reads_them(alice) -> None:
    # given a customer with a sender policy that names an alias
    from centrex.aliases.models import AliasStatus, SenderAlias

    token = _token(alice, "f" * 64, timedelta(days=1))
    alias = SenderAlias.objects.create(
        customer=alice.customer, text="Esempio", match_key="esempio", status=AliasStatus.VALIDATED
    )
    SenderPolicy.objects.create(customer=alice.customer, mode="shared_alias", shared_alias=alias)
    expected = ApiToken.objects.select_related(
        "user__customer__sms_sender_policy__shared_alias", "user__extension"
    ).get(pk=token.pk)
    # when
    (row,) = WITH_POLICY.fetch("f" * 64)
    # then: every related instance by path, equal to the ORM's, attached where the ORM has it
    policy = row.related["user__customer__sms_sender_policy"]
    assert isinstance(policy, SenderPolicy)
    assert _state_and_values(policy) == _state_and_values(expected.user.customer.sms_sender_policy)
    assert row.obj.user.customer.sms_sender_policy is policy
    assert policy.customer is row.obj.user.customer
    assert row.related["user__customer__sms_sender_policy__shared_alias"] == alias
    assert _state_and_values(row.related["user"]) == _state_and_values(expected.user)


def test_a_missing_reverse_one_to_one_reads_as_none(alice, bob) -> None:
    # given a customer without a sender policy
    _token(bob, "g" * 64, timedelta(days=1))
    SenderPolicy.objects.filter(customer=bob.customer).delete()
    # when
    (row,) = WITH_POLICY.fetch("g" * 64)
    # then
    assert row.related["user__customer__sms_sender_policy"] is None
    assert row.related["user__customer__sms_sender_policy__shared_alias"] is None
    assert row.obj.user.customer == bob.customer


def test_init_signals_are_sent(alice) -> None:
    # given
    _token(alice, "e" * 64, timedelta(days=1))
    seen: list[type] = []

    def receiver(sender, instance, **kwargs) -> None:
        seen.append(sender)

    post_init.connect(receiver)
    try:
        # when
        (found,) = fetch("e" * 64, timezone.now())
    finally:
        post_init.disconnect(receiver)
    # then: instances are made by Model.from_db, as the ORM makes them
    assert ApiToken in seen and type(alice) in seen
    assert found.user.email == alice.email


@isolate_apps("centrex.core")
def test_a_field_whose_reading_is_not_known_is_refused() -> None:
    class Measure(models.Model):
        amount = models.DecimalField(max_digits=5, decimal_places=2)

        class Meta:
            app_label = "core"

        def __str__(self) -> str:
            return str(self.amount)

    with pytest.raises(ValueError, match="DecimalField"):
        JoinedLookup(Measure, where=[("amount", "=")]).sql()
