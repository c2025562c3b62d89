"""Querysets compiled once (core.prepared): the same rows and values as the ORM, on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, models
from django.db.models.signals import post_init
from django.test.utils import isolate_apps
from django.utils import timezone

from centrex.accounts.models import ApiToken
from centrex.core.prepared import SENTINEL_TIME, PreparedQuery, _loader, insert_instances
from centrex.sms.models import SmsMessage, SmsRequest

pytestmark = pytest.mark.django_db

LIVE_TOKENS = PreparedQuery(
    lambda token_hash, now: ApiToken.objects.select_related(
        "user", "user__customer", "user__extension"
    ).filter(token_hash=token_hash, expires_at__gt=now),
    token_hash="\x00test-sentinel\x00",
    now=SENTINEL_TIME,
)


def _token(user, token_hash: str, expires_in: timedelta) -> ApiToken:
    return ApiToken.objects.create(
        user=user, token_hash=token_hash, expires_at=timezone.now() + expires_in
    )


def test_a_prepared_query_returns_what_the_orm_returns_with_its_related_rows(alice) -> None:
    # given
    token = _token(alice, "a" * 64, timedelta(days=1))
    # when
    rows = LIVE_TOKENS.fetch(token_hash="a" * 64, now=timezone.now())
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
    assert LIVE_TOKENS.fetch(token_hash="b" * 64, now=now)[0].user == alice
    assert LIVE_TOKENS.fetch(token_hash="c" * 64, now=now) == []
    assert len(LIVE_TOKENS.fetch(token_hash="c" * 64, now=now - timedelta(days=1))) == 1
    assert LIVE_TOKENS.fetch(token_hash="missing", now=now) == []


def test_a_sentinel_that_is_not_one_parameter_is_refused() -> None:
    # given: the same value twice
    query = PreparedQuery(
        lambda value: (
            ApiToken.objects.filter(token_hash=value) | ApiToken.objects.filter(user__email=value)
        ),
        value="x",
    )
    # when / then
    with pytest.raises(ValueError, match="not a single SQL parameter"):
        query.fetch(value="y")


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


def test_instances_are_made_as_django_makes_them_but_faster(alice) -> None:
    # given
    token = _token(alice, "d" * 64, timedelta(days=1))
    expected = ApiToken.objects.select_related("user", "user__customer", "user__extension").get(
        pk=token.pk
    )
    # when
    (found,) = LIVE_TOKENS.fetch(token_hash="d" * 64, now=timezone.now())
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
    # without __init__: these models keep Django's and store plain attributes
    compiled = LIVE_TOKENS._compiled("default")
    assert compiled.load.__name__ == "load"
    assert [related.load.__name__ for related in compiled.related_populators] == ["load"]


def test_init_signals_are_sent_when_someone_listens(alice) -> None:
    # given
    _token(alice, "e" * 64, timedelta(days=1))
    seen: list[type] = []

    def receiver(sender, instance, **kwargs) -> None:
        seen.append(sender)

    post_init.connect(receiver)
    try:
        # when
        (found,) = LIVE_TOKENS.fetch(token_hash="e" * 64, now=timezone.now())
    finally:
        post_init.disconnect(receiver)
    # then: Django's way for each instance
    assert ApiToken in seen and type(alice) in seen
    assert found.user.email == alice.email


@isolate_apps("centrex.core")
def test_a_model_with_its_own_ways_is_made_by_django() -> None:
    # a file field's descriptor acts on assignment; a model may define from_db or __init__
    class Document(models.Model):
        attachment = models.FileField()

        class Meta:
            app_label = "core"

        def __str__(self) -> str:
            return str(self.attachment)

    class Remembering(models.Model):
        name = models.CharField(max_length=10)

        class Meta:
            app_label = "core"

        def __str__(self) -> str:
            return self.name

        @classmethod
        def from_db(cls, db, field_names, values):
            return super().from_db(db, field_names, values)

    # Django's own way: `from_db` of the model, whatever it does
    for model in (Document, Remembering):
        names = [field.attname for field in model._meta.concrete_fields]
        assert _loader(model, names).__name__ == "django_way"
    # the row without every field too
    assert _loader(ApiToken, ["id"]).__name__ == "django_way"
    assert _loader(ApiToken, [f.attname for f in ApiToken._meta.concrete_fields]).__name__ == (
        "load"
    )
