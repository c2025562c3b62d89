"""Sending SMS through the API (API.md "Sending"; R-T1–T4, R-S4, R-U6, R-A11): who may send,
the recipients, the text, the sender the policy allows, idempotency keys, the per-user and
per-customer rates — every code of API.md for this scope, and nothing queued when refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from centrex.accounts.actions import UserData, create_user
from centrex.accounts.models import Role, User
from centrex.aliases.actions.decisions import revoke_alias
from centrex.aliases.models import AliasStatus
from centrex.customers.models import Customer
from centrex.senders.models import SenderPolicyMode, SenderType
from centrex.senders.resolution import Sender, resolve_senders
from centrex.sms import actions
from centrex.sms.actions import send_sms
from centrex.sms.encoding import count_sms
from centrex.sms.enqueue import enqueue_sms
from centrex.sms.models import MessageStatus, RequestKind, SmsMessage, SmsRequest
from tests.plugins.policy_cast import BOB_MOBILE, SHARED_MOBILE, AliasIn, give_mobile, policy_of
from tests.problems import assert_problem, error_fields
from tests.sms.together import run_together

ApiClient = Callable[[User | None], Client]

CARLO = "+393401112233"
DANIELA = "+393405556677"
MESSAGES = "/api/v1/sms/messages"


@pytest.fixture
def sending_bob(bob: User, no_send_rate_limits: None) -> User:
    """Bob with his own mobile number verified, under the default option own_mobile."""
    return give_mobile(bob, BOB_MOBILE)


@pytest.fixture
def chiara(esempio: Customer, operator: User, alice: User) -> User:
    """A user of Esempio without an IP Centrex extension: not Communicator-enabled (R-U6)."""
    return create_user(
        esempio,
        UserData(
            email="chiara@esempio.example",
            first_name="Chiara",
            last_name="Gialli",
            role=Role.USER,
            extension=None,
        ),
        acting_user=operator,
        password="Centrex-Test-2026!",
    )


def post(client: Client, body: Any, key: str | None = None) -> Any:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(MESSAGES, body, content_type="application/json", headers=headers)


def assert_nothing_queued() -> None:
    assert not SmsRequest.objects.filter(kind=RequestKind.MESSAGE).exists()
    assert not SmsMessage.objects.exists()


# --- Sending (R-T1, R-T2, R-T4) -----------------------------------------------------------


def test_bob_sends_an_sms_from_his_verified_number_r_t1_r_t2(
    sending_bob: User, api_client: ApiClient
) -> None:
    # when
    response = post(api_client(sending_bob), {"to": ["340 111 2233"], "text": "Ciao €"})
    # then the request is stored before the answer, in API.md's shape exactly
    assert response.status_code == 202, response.content
    body = response.json()
    assert set(body) == {"id", "sender", "encoding", "parts", "created_at", "user_id", "recipients"}
    assert body["sender"] == {"type": "mobile", "value": BOB_MOBILE}
    assert (body["encoding"], body["parts"], body["user_id"]) == ("gsm7", 1, sending_bob.pk)
    assert body["created_at"].endswith(("+01:00", "+02:00"))
    [recipient] = body["recipients"]
    assert set(recipient) == {"id", "to", "status", "error", "updated_at"}
    assert (recipient["to"], recipient["status"], recipient["error"]) == (CARLO, "queued", None)
    stored = SmsRequest.objects.get(pk=body["id"])
    assert (stored.sender_ton, stored.sender_npi) == (1, 1)  # R-T6
    assert stored.text == "Ciao €"
    # R-S4 traceability: why this sender, with the extension Bob sent from
    assert stored.sender_trace["mode"] == SenderPolicyMode.OWN_MOBILE
    assert stored.sender_trace["extension"] == "202"
    assert BOB_MOBILE in stored.sender_reason
    assert list(SmsMessage.objects.values_list("destination", "status")) == [(CARLO, "queued")]


def test_the_same_number_written_differently_is_one_recipient_r_t1(
    sending_bob: User, api_client: ApiClient
) -> None:
    # when
    to = ["340 111 2233", "+393401112233", "0039 340 1112233", "+39 340 555 6677"]
    response = post(api_client(sending_bob), {"to": to, "text": "Ciao"})
    # then
    assert response.status_code == 202
    assert [r["to"] for r in response.json()["recipients"]] == [CARLO, DANIELA]
    assert SmsRequest.objects.get().recipient_count == 2


def test_each_invalid_recipient_is_reported_and_nothing_is_sent_r_t1(
    sending_bob: User, api_client: ApiClient
) -> None:
    # when: a valid mobile, a landline, a word, an empty entry
    to = [CARLO, "02 1234 5678", "ciao", " "]
    response = post(api_client(sending_bob), {"to": to, "text": "Ciao"})
    # then
    body = assert_problem(response, 422, "invalid_recipient")
    assert error_fields(body) == {
        "to[1]": "invalid_recipient",
        "to[2]": "invalid_recipient",
        "to[3]": "invalid_recipient",
    }
    messages = {error["field"]: error["message"] for error in body["errors"]}
    # (in the caller's language: Italian)
    assert "02 1234 5678" in messages["to[1]"] and "cellulare" in messages["to[1]"]
    assert "ciao" in messages["to[2]"]
    assert_nothing_queued()


def test_a_hundred_recipients_are_allowed_and_a_hundred_and_one_are_not_r_t1(
    sending_bob: User, api_client: ApiClient
) -> None:
    # given
    hundred = [f"+39340{n:07d}" for n in range(100)]
    client = api_client(sending_bob)
    # when
    too_many = post(client, {"to": [*hundred, "+393409999999"], "text": "Ciao"})
    allowed = post(client, {"to": hundred, "text": "Ciao"})
    # then
    body = assert_problem(too_many, 422, "too_many_recipients")
    assert error_fields(body) == {"to": "too_many_recipients"}
    assert allowed.status_code == 202
    assert len(allowed.json()["recipients"]) == 100


def test_duplicates_do_not_count_towards_the_hundred_r_t1(
    sending_bob: User, api_client: ApiClient
) -> None:
    # when: 150 entries, 100 distinct numbers
    hundred = [f"+39340{n:07d}" for n in range(100)]
    response = post(api_client(sending_bob), {"to": hundred + hundred[:50], "text": "Ciao"})
    # then
    assert response.status_code == 202
    assert len(response.json()["recipients"]) == 100


def test_no_recipient_is_a_validation_error(sending_bob: User, api_client: ApiClient) -> None:
    # when
    response = post(api_client(sending_bob), {"to": [], "text": "Ciao"})
    # then: no number is wrong, none is given (API.md: a missing value is validation_error)
    body = assert_problem(response, 422, "validation_error")
    assert error_fields(body) == {"to": "validation_error"}
    assert_nothing_queued()


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_an_empty_text_is_refused_r_t3(sending_bob: User, api_client: ApiClient, text: str) -> None:
    # when
    response = post(api_client(sending_bob), {"to": [CARLO], "text": text})
    # then
    body = assert_problem(response, 422, "text_empty")
    assert error_fields(body) == {"text": "text_empty"}
    assert_nothing_queued()


@pytest.mark.parametrize(
    ("text", "encoding", "parts"),
    [
        ("a" * 1530, "gsm7", 10),  # 10 × 153 septets
        ("€" * 760, "gsm7", 10),  # two septets each, never split: 76 per part
        ("è" * 1530, "gsm7", 10),  # è is in the GSM alphabet
        ("ж" * 670, "ucs2", 10),  # 10 × 67 UCS-2 units
        ("😀" * 330, "ucs2", 10),  # two units each, never split: 33 per part
    ],
)
def test_ten_parts_are_allowed_r_t3(
    sending_bob: User, api_client: ApiClient, text: str, encoding: str, parts: int
) -> None:
    # when
    response = post(api_client(sending_bob), {"to": [CARLO], "text": text})
    # then
    assert response.status_code == 202, response.content
    assert (response.json()["encoding"], response.json()["parts"]) == (encoding, parts)


@pytest.mark.parametrize("text", ["a" * 1531, "€" * 761, "ж" * 671, "😀" * 331, "a" * 100_000])
def test_eleven_parts_are_too_long_r_t3(
    sending_bob: User, api_client: ApiClient, text: str
) -> None:
    # given
    assert not count_sms(text).fits
    # when
    response = post(api_client(sending_bob), {"to": [CARLO], "text": text})
    # then
    body = assert_problem(response, 422, "text_too_long")
    assert error_fields(body) == {"text": "text_too_long"}
    assert "1530" in body["detail"] and "670" in body["detail"]
    assert_nothing_queued()


def test_every_broken_rule_is_listed_led_by_the_first_in_api_md_order(
    bob: User, no_send_rate_limits: None, api_client: ApiClient
) -> None:
    # given Bob without a mobile number (own_mobile: no sender)
    # when the request also has a bad recipient and no text
    response = post(api_client(bob), {"to": [CARLO, "nope"], "text": ""})
    # then
    body = assert_problem(response, 422, "no_sender_available")
    assert error_fields(body) == {
        None: "no_sender_available",
        "to[1]": "invalid_recipient",
        "text": "text_empty",
    }
    assert_nothing_queued()


@pytest.mark.parametrize(
    "body",
    [
        {"to": "+393401112233", "text": "Ciao"},
        {"to": [393401112233], "text": "Ciao"},
        {"text": "Ciao"},
        {"to": [CARLO]},
        {"to": [CARLO], "text": "Ciao", "sender": {"type": "fax", "value": "x"}},
    ],
)
def test_a_body_of_the_wrong_shape_is_a_validation_error(
    sending_bob: User, api_client: ApiClient, body: dict[str, Any]
) -> None:
    # when
    response = post(api_client(sending_bob), body)
    # then
    assert_problem(response, 422, "validation_error")
    assert_nothing_queued()


def test_a_body_that_is_not_json_is_malformed(sending_bob: User, api_client: ApiClient) -> None:
    # when
    response = api_client(sending_bob).post(MESSAGES, "to=1", content_type="text/plain")
    # then
    assert_problem(response, 400, "malformed_request")


def test_sending_needs_a_login(client: Client) -> None:
    # when
    response = post(client, {"to": [CARLO], "text": "Ciao"})
    # then
    assert_problem(response, 401, "not_authenticated")


# --- Who may send, with which sender (R-U6, R-S4, R-T2) -----------------------------------


def test_a_user_without_an_extension_is_told_communicator_is_not_enabled_r_u6(
    chiara: User, no_send_rate_limits: None, api_client: ApiClient
) -> None:
    # given Chiara with a verified number but no extension
    give_mobile(chiara, BOB_MOBILE)
    # when
    response = post(api_client(chiara), {"to": [CARLO], "text": "Ciao"})
    # then
    body = assert_problem(response, 403, "communicator_not_enabled")
    assert "interno" in body["detail"] or "extension" in body["detail"]
    assert_nothing_queued()


def test_an_operator_cannot_send(operator: User, api_client: ApiClient) -> None:
    # when
    response = post(api_client(operator), {"to": [CARLO], "text": "Ciao"})
    # then
    assert_problem(response, 403, "communicator_not_enabled")


def test_without_his_own_number_bob_has_no_sender_r_s1(
    bob: User, no_send_rate_limits: None, api_client: ApiClient
) -> None:
    # when
    response = post(api_client(bob), {"to": [CARLO], "text": "Ciao"})
    # then
    body = assert_problem(response, 422, "no_sender_available")
    assert "Opzioni Account" in body["detail"] or "Account Options" in body["detail"]
    assert_nothing_queued()


def test_an_unverified_own_number_is_no_sender_r_m2(
    bob: User, no_send_rate_limits: None, api_client: ApiClient
) -> None:
    # given
    give_mobile(bob, BOB_MOBILE, verified=False)
    # when
    response = post(api_client(bob), {"to": [CARLO], "text": "Ciao"})
    # then
    assert_problem(response, 422, "mobile_not_verified")
    assert_nothing_queued()


def test_an_unusable_policy_blocks_sending_and_never_falls_back_r_s2(
    sending_bob: User, esempio: Customer, alias_in: AliasIn, api_client: ApiClient
) -> None:
    # given the shared alias was revoked (Bob's own number is verified, but is not the policy)
    alias = alias_in(AliasStatus.REVOKED)
    policy_of(esempio, SenderPolicyMode.SHARED_ALIAS, alias=alias)
    # when
    response = post(api_client(sending_bob), {"to": [CARLO], "text": "Ciao"})
    # then
    assert_problem(response, 422, "policy_unusable")
    assert_nothing_queued()


def test_a_sender_the_policy_does_not_allow_is_refused_r_t2(
    sending_bob: User, alias_in: AliasIn, api_client: ApiClient
) -> None:
    # given own_mobile, and a validated alias Bob may not pick in this option
    alias_in(AliasStatus.VALIDATED)
    # when
    body = {"to": [CARLO], "text": "Ciao", "sender": {"type": "alias", "value": "EsempioNet"}}
    response = post(api_client(sending_bob), body)
    # then
    problem = assert_problem(response, 422, "sender_not_allowed")
    assert error_fields(problem) == {"sender": "sender_not_allowed"}
    assert_nothing_queued()


def test_naming_the_implied_sender_is_fine_r_t2(sending_bob: User, api_client: ApiClient) -> None:
    # when
    body = {"to": [CARLO], "text": "Ciao", "sender": {"type": "mobile", "value": "333 765 4321"}}
    response = post(api_client(sending_bob), body)
    # then
    assert response.status_code == 202
    assert response.json()["sender"] == {"type": "mobile", "value": BOB_MOBILE}


@pytest.mark.parametrize("status", [AliasStatus.PENDING, AliasStatus.REVOKED])
def test_an_alias_that_is_not_validated_cannot_be_picked_r_a11(
    sending_bob: User,
    esempio: Customer,
    alias_in: AliasIn,
    api_client: ApiClient,
    status: str,
) -> None:
    # given user_choice
    alias_in(status)
    policy_of(esempio, SenderPolicyMode.USER_CHOICE)
    # when
    body = {"to": [CARLO], "text": "Ciao", "sender": {"type": "alias", "value": "EsempioNet"}}
    response = post(api_client(sending_bob), body)
    # then
    problem = assert_problem(response, 422, "alias_not_validated")
    assert error_fields(problem) == {"sender": "alias_not_validated"}
    assert_nothing_queued()


def test_in_user_choice_bob_picks_a_validated_alias_r_s1_r_t6(
    sending_bob: User, esempio: Customer, alias_in: AliasIn, api_client: ApiClient
) -> None:
    # given
    alias = alias_in(AliasStatus.VALIDATED)
    policy_of(esempio, SenderPolicyMode.USER_CHOICE)
    # when
    body = {"to": [CARLO], "text": "Ciao", "sender": {"type": "alias", "value": "EsempioNet"}}
    response = post(api_client(sending_bob), body)
    # then
    assert response.status_code == 202, response.content
    assert response.json()["sender"] == {"type": "alias", "value": "EsempioNet"}
    stored = SmsRequest.objects.get()
    assert (stored.sender_ton, stored.sender_npi, stored.sender_alias_id) == (5, 0, alias.pk)
    # traceability: the alias and its AGCOM registration as they were when sending
    assert stored.sender_trace["mode"] == SenderPolicyMode.USER_CHOICE
    assert stored.sender_trace["alias_id"] == alias.pk
    assert stored.sender_trace["alias_registry_reference"] == alias.registry_reference
    assert alias.registry_reference


def test_in_user_choice_with_several_senders_one_must_be_named_r_t2(
    sending_bob: User, esempio: Customer, alias_in: AliasIn, api_client: ApiClient
) -> None:
    # given Bob's number and a validated alias to choose from
    alias_in(AliasStatus.VALIDATED)
    policy_of(esempio, SenderPolicyMode.USER_CHOICE)
    # when
    response = post(api_client(sending_bob), {"to": [CARLO], "text": "Ciao"})
    # then
    assert_problem(response, 422, "sender_not_allowed")
    assert_nothing_queued()


def test_the_shared_number_and_the_shared_alias_are_implied_r_s1(
    bob: User,
    esempio: Customer,
    alias_in: AliasIn,
    no_send_rate_limits: None,
    api_client: ApiClient,
) -> None:
    # given
    client = api_client(bob)
    policy_of(esempio, SenderPolicyMode.SHARED_MOBILE, shared_mobile=SHARED_MOBILE, verified=True)
    # when
    by_number = post(client, {"to": [CARLO], "text": "Ciao"})
    policy_of(esempio, SenderPolicyMode.SHARED_ALIAS, alias=alias_in(AliasStatus.VALIDATED))
    by_alias = post(client, {"to": [CARLO], "text": "Ciao"})
    # then
    assert by_number.json()["sender"] == {"type": "mobile", "value": SHARED_MOBILE}
    assert by_alias.json()["sender"] == {"type": "alias", "value": "EsempioNet"}


# --- GET /sms/senders (R-S4) ---------------------------------------------------------------


def test_the_senders_bob_may_use_now_r_s4(
    sending_bob: User, esempio: Customer, alias_in: AliasIn, api_client: ApiClient
) -> None:
    # given user_choice with a validated and a pending alias
    alias_in(AliasStatus.VALIDATED)
    alias_in(AliasStatus.PENDING, text="Esempio")
    policy_of(esempio, SenderPolicyMode.USER_CHOICE)
    # when
    body = api_client(sending_bob).get("/api/v1/sms/senders").json()
    # then
    assert body == {
        "senders": [
            {"type": "mobile", "value": BOB_MOBILE},
            {"type": "alias", "value": "EsempioNet"},
        ],
        "default": None,
        "problem": None,
    }


def test_the_senders_of_the_default_option_r_s4(sending_bob: User, api_client: ApiClient) -> None:
    # when
    body = api_client(sending_bob).get("/api/v1/sms/senders").json()
    # then
    own = {"type": "mobile", "value": BOB_MOBILE}
    assert body == {"senders": [own], "default": own, "problem": None}


@pytest.mark.parametrize(
    ("who", "code"),
    [("chiara", "communicator_not_enabled"), ("bob", "no_sender_available")],
)
def test_who_may_not_send_reads_why_in_senders_r_s4(
    who: str, code: str, request: pytest.FixtureRequest, chiara: User, api_client: ApiClient
) -> None:
    # when
    response = api_client(request.getfixturevalue(who)).get("/api/v1/sms/senders")
    # then: always 200 for a logged-in user
    assert response.status_code == 200
    body = response.json()
    assert (body["senders"], body["default"]) == ([], None)
    assert body["problem"]["code"] == code
    assert body["problem"]["detail"]


# --- Idempotency (R-T4) ---------------------------------------------------------------------


def test_a_retry_with_the_same_key_answers_the_first_request_r_t4(
    sending_bob: User, api_client: ApiClient
) -> None:
    # given
    client = api_client(sending_bob)
    body = {"to": [CARLO, DANIELA], "text": "Ciao"}
    first = post(client, body, key="invio-0001")
    # when
    again = post(client, body, key="invio-0001")
    # then
    assert again.status_code == 202
    assert again.json() == first.json()
    assert SmsRequest.objects.count() == 1
    assert SmsMessage.objects.count() == 2


def test_the_same_key_with_another_body_is_a_conflict_r_t4(
    sending_bob: User, api_client: ApiClient
) -> None:
    # given
    client = api_client(sending_bob)
    post(client, {"to": [CARLO], "text": "Ciao"}, key="invio-0001")
    # when
    other_text = post(client, {"to": [CARLO], "text": "Ciao!"}, key="invio-0001")
    other_to = post(client, {"to": [DANIELA], "text": "Ciao"}, key="invio-0001")
    # then
    assert_problem(other_text, 409, "idempotency_conflict")
    assert_problem(other_to, 409, "idempotency_conflict")
    assert SmsRequest.objects.count() == 1


def test_keys_are_each_users_own_r_t4(
    sending_bob: User, alice: User, api_client: ApiClient
) -> None:
    # given
    give_mobile(alice, "+393331234567")
    body = {"to": [CARLO], "text": "Ciao"}
    # when both use one key
    bobs = post(api_client(sending_bob), body, key="k1")
    alices = post(api_client(alice), body, key="k1")
    # then
    assert bobs.status_code == alices.status_code == 202
    assert bobs.json()["id"] != alices.json()["id"]


def test_without_a_key_every_request_is_a_new_sms_r_t4(
    sending_bob: User, api_client: ApiClient
) -> None:
    # when
    client = api_client(sending_bob)
    ids = {post(client, {"to": [CARLO], "text": "Ciao"}).json()["id"] for _ in range(2)}
    # then
    assert len(ids) == 2


def test_an_overlong_key_is_a_validation_error(sending_bob: User, api_client: ApiClient) -> None:
    # when
    response = post(api_client(sending_bob), {"to": [CARLO], "text": "Ciao"}, key="k" * 201)
    # then
    body = assert_problem(response, 422, "validation_error")
    assert error_fields(body) == {"Idempotency-Key": "validation_error"}
    assert_nothing_queued()


def test_a_retry_racing_the_first_request_gets_the_first_request_r_t4(
    sending_bob: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a first request with the key that is stored just after the retry looked for it
    # (the retry passed its look-up, then loses the insert to the unique constraint)
    real_resolve = actions.resolve_senders
    first: dict[str, SmsRequest] = {}

    def resolve_while_the_first_commits(user: User, **options: Any) -> Any:
        if not first:
            monkeypatch.setattr(actions, "resolve_senders", real_resolve)
            first["sms"] = send_sms(
                user, to=[CARLO], text="Ciao", sender=None, idempotency_key="k1"
            )
        return real_resolve(user, **options)

    monkeypatch.setattr(actions, "resolve_senders", resolve_while_the_first_commits)
    # when
    retry = send_sms(sending_bob, to=[CARLO], text="Ciao", sender=None, idempotency_key="k1")
    # then
    assert retry.pk == first["sms"].pk
    assert SmsRequest.objects.count() == 1
    assert SmsMessage.objects.count() == 1


@pytest.mark.skipif(
    "config.getoption('db') != 'postgres'",
    reason="needs concurrent connections waiting on each other: PostgreSQL (--db=postgres)",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_create_one_sms_r_t4(
    sending_bob: User, api_client: ApiClient
) -> None:
    # given eight clients of Bob ready to send the same request at once
    clients = [api_client(sending_bob) for _ in range(8)]
    answers: list[Any] = []

    def sender(client: Client) -> Callable[[], None]:
        return lambda: answers.append(post(client, {"to": [CARLO], "text": "Ciao"}, key="k-race"))

    # when
    run_together(*(sender(client) for client in clients), timeout=30)
    # then
    assert [answer.status_code for answer in answers] == [202] * len(clients)
    assert len({answer.json()["id"] for answer in answers}) == 1
    assert SmsRequest.objects.count() == 1
    assert SmsMessage.objects.count() == 1


# --- Rates (CENTREX_SMS_USER_RATE, CENTREX_SMS_CUSTOMER_RATE) -----------------------------


def age(sms_id: int, seconds: float) -> None:
    """The request was made `seconds` ago."""
    moment = timezone.now() - timedelta(seconds=seconds)
    SmsRequest.objects.filter(pk=sms_id).update(created_at=moment)


def test_over_the_users_rate_the_answer_is_429_with_retry_after(
    sending_bob: User, settings: SettingsWrapper, api_client: ApiClient
) -> None:
    # given a rate of 3 recipients a minute, 2 sent 40 seconds ago and 1 just now
    settings.CENTREX_SMS_USER_RATE = 3
    client = api_client(sending_bob)
    first = post(client, {"to": [CARLO, DANIELA], "text": "Ciao"})
    age(first.json()["id"], 40)
    assert post(client, {"to": [CARLO], "text": "Ciao"}).status_code == 202
    # when
    refused = post(client, {"to": [CARLO], "text": "Ciao"})
    # then: room again when the first two leave the minute, in about 20 seconds
    body = assert_problem(refused, 429, "throttled")
    assert 18 <= int(refused["Retry-After"]) <= 21
    assert "3 destinatari al minuto" in body["detail"]
    assert SmsRequest.objects.count() == 2


def test_a_request_alone_over_the_rate_is_told_to_split(
    sending_bob: User, settings: SettingsWrapper, api_client: ApiClient
) -> None:
    # given
    settings.CENTREX_SMS_USER_RATE = 2
    # when
    refused = post(api_client(sending_bob), {"to": [CARLO, DANIELA, "+393409998877"], "text": "x"})
    # then
    body = assert_problem(refused, 429, "throttled")
    assert refused["Retry-After"] == "60"
    assert "dividila" in body["detail"]


def test_over_the_customers_rate_the_answer_is_429(
    sending_bob: User, alice: User, settings: SettingsWrapper, api_client: ApiClient
) -> None:
    # given a company rate of 3 recipients a minute and 3 sent by Bob and Alice
    settings.CENTREX_SMS_CUSTOMER_RATE = 3
    give_mobile(alice, "+393331234567")
    assert post(api_client(sending_bob), {"to": [CARLO, DANIELA], "text": "x"}).status_code == 202
    assert post(api_client(alice), {"to": [CARLO], "text": "x"}).status_code == 202
    # when
    refused = post(api_client(alice), {"to": [DANIELA], "text": "x"})
    # then
    body = assert_problem(refused, 429, "throttled")
    assert "La tua azienda" in body["detail"]
    assert 1 <= int(refused["Retry-After"]) <= 60


def test_another_customers_sms_and_verification_codes_do_not_count(
    sending_bob: User, carla: User, settings: SettingsWrapper, api_client: ApiClient
) -> None:
    # given rates of 1, Carla's SMS and a verification code of Bob's just sent
    settings.CENTREX_SMS_USER_RATE = 1
    settings.CENTREX_SMS_CUSTOMER_RATE = 1
    give_mobile(carla, "+393331234567")
    assert post(api_client(carla), {"to": [CARLO], "text": "x"}).status_code == 202
    assert sending_bob.customer is not None
    enqueue_sms(
        customer=sending_bob.customer,
        user=sending_bob,
        sender=Sender(SenderType.ALIAS, "Centrex"),
        text="Il tuo codice è 123456",
        destinations=[BOB_MOBILE],
        kind=RequestKind.VERIFICATION,
    )
    # when
    response = post(api_client(sending_bob), {"to": [CARLO], "text": "x"})
    # then
    assert response.status_code == 202


def test_a_rate_of_zero_is_unlimited(sending_bob: User, api_client: ApiClient) -> None:
    # given (the `unlimited` fixture: both rates 0)
    client = api_client(sending_bob)
    hundred = [f"+39340{n:07d}" for n in range(100)]
    # when
    answers = [post(client, {"to": hundred, "text": "x"}).status_code for _ in range(3)]
    # then
    assert answers == [202, 202, 202]


# --- R-A11 ----------------------------------------------------------------------------------


def test_a_queued_sms_whose_alias_is_revoked_fails_with_alias_not_validated_r_a11(
    sending_bob: User,
    esempio: Customer,
    alias_in: AliasIn,
    operator: User,
    api_client: ApiClient,
) -> None:
    # given an SMS queued with the alias EsempioNet
    alias = alias_in(AliasStatus.VALIDATED)
    policy_of(esempio, SenderPolicyMode.USER_CHOICE)
    client = api_client(sending_bob)
    body = {"to": [CARLO], "text": "Ciao", "sender": {"type": "alias", "value": "EsempioNet"}}
    sent = post(client, body).json()
    # when the operator revokes the alias before the dispatcher sent it
    revoke_alias(alias, "Uso ingannevole segnalato.", acting_user=operator)
    # then
    answer = client.get(f"{MESSAGES}/{sent['id']}").json()
    [recipient] = answer["recipients"]
    assert (recipient["status"], recipient["error"]) == ("failed", "alias_not_validated")
    assert SmsMessage.objects.get().status == MessageStatus.FAILED


# --- The send path's cost (issue 5's benchmark) ---------------------------------------------


def statements(client: Client, body: dict[str, Any], key: str | None = None) -> list[str]:
    """The SQL of one POST (transaction control left out)."""
    with CaptureQueriesContext(connection) as captured:
        assert post(client, body, key).status_code == 202
    skipped = ("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT")
    return [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(skipped)]


@pytest.mark.parametrize("rates", ["unlimited", "limited"])
def test_a_post_runs_a_handful_of_statements_whatever_the_recipients(
    sending_bob: User, settings: SettingsWrapper, api_client: ApiClient, rates: str
) -> None:
    # given a client whose token has just been used (its last_used_at is fresh)
    if rates == "limited":
        settings.CENTREX_SMS_USER_RATE = 1000
        settings.CENTREX_SMS_CUSTOMER_RATE = 1000
    client = api_client(sending_bob)
    client.get("/api/v1/me")
    hundred = [f"+39340{n:07d}" for n in range(100)]
    # when
    one = statements(client, {"to": [CARLO], "text": "Ciao"})
    many = statements(client, {"to": hundred, "text": "Ciao"})
    keyed = statements(client, {"to": [CARLO], "text": "Ciao"}, key="k1")
    # then: token with the policy (the intake reads them together), [rate sum], request,
    # messages; and the key's look-up. (SQLite inserts 100 messages in two statements: bulk
    # inserts stop at its 999 parameters.)
    expected = 4 if rates == "limited" else 3
    assert len(one) == expected, one
    assert len(many) <= expected + 1, many
    assert len(keyed) == expected + 1, keyed


def test_user_choice_resolution_costs_one_more_statement_whatever_the_aliases(
    sending_bob: User, esempio: Customer, alias_in: AliasIn, api_client: ApiClient
) -> None:
    # given user_choice with two validated aliases
    alias_in(AliasStatus.VALIDATED)
    alias_in(AliasStatus.VALIDATED, text="Esempio")
    policy_of(esempio, SenderPolicyMode.USER_CHOICE)
    client = api_client(sending_bob)
    client.get("/api/v1/me")
    body = {"to": [CARLO], "text": "Ciao", "sender": {"type": "alias", "value": "Esempio"}}
    # when
    sql = statements(client, body)
    # then: token with the policy, validated aliases, request, messages
    assert len(sql) == 4, sql


def test_the_send_action_and_the_senders_endpoint_resolve_alike_r_s4(
    sending_bob: User, esempio: Customer, alias_in: AliasIn
) -> None:
    # given
    alias_in(AliasStatus.VALIDATED)
    policy_of(esempio, SenderPolicyMode.USER_CHOICE)
    allowed = resolve_senders(sending_bob).senders
    # when every allowed sender is used
    sent = [
        send_sms(sending_bob, to=[CARLO], text="x", sender=sender, idempotency_key=None)
        for sender in allowed
    ]
    # then each went with exactly that sender
    assert [(s.sender_type, s.sender_value) for s in sent] == [
        (sender.type, sender.value) for sender in allowed
    ]
