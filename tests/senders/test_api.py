"""`/api/v1/sms/policy` (API.md "SMS sender policy"; R-S1–S3, R-M2): the shapes, every error
code of this scope, another customer's alias (404), plain users and operators (403)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from centrex.accounts.models import User
from centrex.aliases.actions.decisions import revoke_alias
from centrex.aliases.models import AliasStatus
from centrex.customers.models import Customer
from centrex.senders.models import SenderPolicy
from tests.plugins.policy_cast import SHARED_MOBILE, AliasIn
from tests.plugins.sent_codes import Clock, a_wrong_code, code_sent_to, sms_sent_to
from tests.problems import assert_problem, error_fields

POLICY = "/api/v1/sms/policy"
SHARED = "/api/v1/sms/policy/shared-mobile"
VERIFY = "/api/v1/sms/policy/shared-mobile/verify"

ApiClient = Callable[[User | None], Client]

DEFAULT = {
    "mode": "own_mobile",
    "shared_mobile": None,
    "shared_alias": None,
    "usable": True,
    "problem": None,
}


def put(client: Client, path: str, body: Any) -> Any:
    return client.put(path, body, content_type="application/json")


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, body, content_type="application/json")


@pytest.fixture
def as_alice(alice: User, api_client: ApiClient) -> Client:
    return api_client(alice)


# --- GET / PUT /sms/policy --------------------------------------------------------------------


def test_a_new_customer_has_own_mobile(as_alice: Client) -> None:
    # when
    response = as_alice.get(POLICY)
    # then (R-S2)
    assert response.status_code == 200
    assert response.json() == DEFAULT


@pytest.mark.parametrize("mode", ["own_mobile", "user_choice"])
def test_an_admin_chooses_an_option(mode: str, as_alice: Client) -> None:
    # when
    response = put(as_alice, POLICY, {"mode": mode})
    # then
    assert response.status_code == 200, response.content
    assert response.json() == {**DEFAULT, "mode": mode}
    assert as_alice.get(POLICY).json()["mode"] == mode


def test_an_admin_chooses_a_validated_alias(
    as_alice: Client, esempio: Customer, alias_in: AliasIn
) -> None:
    # given
    alias = alias_in(AliasStatus.VALIDATED)
    # when
    response = put(as_alice, POLICY, {"mode": "shared_alias", "shared_alias_id": alias.pk})
    # then
    assert response.status_code == 200
    assert response.json() == {
        **DEFAULT,
        "mode": "shared_alias",
        "shared_alias": {"id": alias.pk, "text": "EsempioNet"},
    }


def test_another_customers_alias_is_404_like_a_missing_one(
    as_alice: Client, esempio: Customer, carla: User, alias_in: AliasIn
) -> None:
    # given Altra's validated alias
    theirs = alias_in(AliasStatus.VALIDATED, text="AltraNet", admin=carla)
    # when
    foreign = put(as_alice, POLICY, {"mode": "shared_alias", "shared_alias_id": theirs.pk})
    missing = put(as_alice, POLICY, {"mode": "shared_alias", "shared_alias_id": 987654})
    # then (R-C3)
    assert_problem(foreign, 404, "not_found")
    assert foreign.json() == missing.json()
    assert SenderPolicy.for_customer(esempio).mode == "own_mobile"


@pytest.mark.parametrize(
    "status", [AliasStatus.PENDING, AliasStatus.REVOKED, AliasStatus.WITHDRAWN]
)
def test_an_alias_not_validated_is_422(status: str, as_alice: Client, alias_in: AliasIn) -> None:
    # given
    alias = alias_in(status)
    # when
    response = put(as_alice, POLICY, {"mode": "shared_alias", "shared_alias_id": alias.pk})
    # then
    body = assert_problem(response, 422, "alias_not_validated")
    assert error_fields(body) == {"shared_alias_id": "alias_not_validated"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"mode": "shared_alias"}, "shared_alias_id"),
        ({"mode": "everyone"}, "mode"),
        ({}, "mode"),
        ({"mode": 3}, "mode"),
        ({"mode": "shared_alias", "shared_alias_id": "EsempioNet"}, "shared_alias_id"),
        ({"mode": "user_choice", "shared_alias_id": 1}, "shared_alias_id"),
    ],
)
def test_bad_bodies_are_validation_errors(
    body: dict[str, Any], field: str, as_alice: Client
) -> None:
    # when
    response = put(as_alice, POLICY, body)
    # then
    result = assert_problem(response, 422, "validation_error")
    assert field in error_fields(result)


def test_shared_mobile_needs_the_number_verified_first(as_alice: Client) -> None:
    # when
    response = put(as_alice, POLICY, {"mode": "shared_mobile"})
    # then (R-S1.2)
    body = assert_problem(response, 422, "mobile_not_verified")
    assert error_fields(body) == {"mode": "mobile_not_verified"}


@pytest.mark.parametrize("mode", ["shared_alias", "user_choice"])
def test_a_consumer_may_not_choose_an_alias_option(
    mode: str, dario: User, api_client: ApiClient
) -> None:
    # when
    response = put(api_client(dario), POLICY, {"mode": mode, "shared_alias_id": None})
    # then (R-S3)
    body = assert_problem(response, 403, "alias_consumer_not_allowed")
    assert "42/13/CIR" in body["detail"]


def test_the_body_must_be_json(as_alice: Client) -> None:
    # when
    response = as_alice.put(POLICY, "mode=user_choice", content_type="text/plain")
    # then
    assert_problem(response, 400, "malformed_request")


# --- The shared number: PUT /shared-mobile, POST /shared-mobile/verify ------------------------


def test_the_manuals_two_saves_through_the_api(
    as_alice: Client, esempio: Customer, bob: User, api_client: ApiClient
) -> None:
    # given user_choice in force
    put(as_alice, POLICY, {"mode": "user_choice"})
    # when the number is entered
    entered = put(as_alice, SHARED, {"number": "347 123 4567"})
    # then 202: stored not verified, a code sent, the option in force unchanged
    assert entered.status_code == 202, entered.content
    assert entered.json() == {
        **DEFAULT,
        "mode": "user_choice",
        "shared_mobile": {"number": SHARED_MOBILE, "verified": False},
    }
    assert len(sms_sent_to(SHARED_MOBILE)) == 1
    # when the code is entered
    verified = post(as_alice, VERIFY, {"code": code_sent_to(SHARED_MOBILE)})
    # then 200: verified and in force
    assert verified.status_code == 200, verified.content
    assert verified.json() == {
        **DEFAULT,
        "mode": "shared_mobile",
        "shared_mobile": {"number": SHARED_MOBILE, "verified": True},
    }
    senders = api_client(bob).get("/api/v1/sms/senders").json()
    assert senders["senders"] == [{"type": "mobile", "value": SHARED_MOBILE}]


@pytest.mark.parametrize(
    ("number", "code"),
    [("02 1234 5678", "not_a_mobile_number"), ("abc", "invalid_phone_number")],
)
def test_only_mobile_numbers_are_accepted(number: str, code: str, as_alice: Client) -> None:
    # when
    response = put(as_alice, SHARED, {"number": number})
    # then (R-M1)
    body = assert_problem(response, 422, code)
    assert error_fields(body) == {"number": code}


def test_a_new_code_within_a_minute_is_429_with_retry_after(as_alice: Client) -> None:
    # given
    put(as_alice, SHARED, {"number": SHARED_MOBILE})
    # when
    response = put(as_alice, SHARED, {"number": SHARED_MOBILE})
    # then (R-M2)
    assert_problem(response, 429, "code_resend_too_soon")
    assert 0 < int(response["Retry-After"]) <= 60


def test_wrong_codes_then_attempts_exceeded(as_alice: Client) -> None:
    # given
    put(as_alice, SHARED, {"number": SHARED_MOBILE})
    right = code_sent_to(SHARED_MOBILE)
    # when
    wrong = [post(as_alice, VERIFY, {"code": a_wrong_code(right)}) for _ in range(5)]
    late = post(as_alice, VERIFY, {"code": right})
    # then (API.md "Caller": each of the 5 is code_invalid, then code_attempts_exceeded)
    for response in wrong:
        assert_problem(response, 422, "code_invalid")
    assert_problem(late, 422, "code_attempts_exceeded")
    assert as_alice.get(POLICY).json()["shared_mobile"] == {
        "number": SHARED_MOBILE,
        "verified": False,
    }


def test_an_expired_code_is_422(as_alice: Client, clock: Clock) -> None:
    # given
    put(as_alice, SHARED, {"number": SHARED_MOBILE})
    clock.advance(minutes=11)
    # when
    response = post(as_alice, VERIFY, {"code": code_sent_to(SHARED_MOBILE)})
    # then
    assert_problem(response, 422, "code_expired")


def test_a_code_without_a_number_is_code_invalid(as_alice: Client) -> None:
    # when
    response = post(as_alice, VERIFY, {"code": "123456"})
    # then
    assert_problem(response, 422, "code_invalid")


@pytest.mark.parametrize("body", [{}, {"code": 123456}, {"code": None}])
def test_a_missing_code_is_a_validation_error(body: dict[str, Any], as_alice: Client) -> None:
    # when
    response = post(as_alice, VERIFY, body)
    # then
    assert_problem(response, 422, "validation_error")


# --- Usable or not (R-S2) ------------------------------------------------------------------------


def test_a_revoked_shared_alias_makes_the_policy_unusable(
    as_alice: Client, operator: User, alias_in: AliasIn
) -> None:
    # given
    alias = alias_in(AliasStatus.VALIDATED)
    put(as_alice, POLICY, {"mode": "shared_alias", "shared_alias_id": alias.pk})
    # when
    revoke_alias(alias, "Uso ingannevole.", acting_user=operator)
    # then: still the choice made, not usable, and why
    body = as_alice.get(POLICY).json()
    assert body["mode"] == "shared_alias"
    assert body["shared_alias"] == {"id": alias.pk, "text": "EsempioNet"}
    assert body["usable"] is False
    assert body["problem"]["code"] == "policy_unusable"
    assert "EsempioNet" in body["problem"]["detail"]


def test_a_changed_shared_number_in_force_makes_the_policy_unusable(
    as_alice: Client, clock: Clock
) -> None:
    # given the shared number in force
    put(as_alice, SHARED, {"number": SHARED_MOBILE})
    post(as_alice, VERIFY, {"code": code_sent_to(SHARED_MOBILE)})
    # when another number is entered (R-M3)
    response = put(as_alice, SHARED, {"number": "+393489876543"})
    # then
    assert response.status_code == 202
    body = response.json()
    assert (body["mode"], body["usable"]) == ("shared_mobile", False)
    assert body["shared_mobile"] == {"number": "+393489876543", "verified": False}
    assert body["problem"]["code"] == "policy_unusable"


# --- Who may call it -------------------------------------------------------------------------------


ENDPOINTS = [
    ("get", POLICY, None),
    ("put", POLICY, {"mode": "user_choice"}),
    ("put", SHARED, {"number": SHARED_MOBILE}),
    ("post", VERIFY, {"code": "123456"}),
]


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
@pytest.mark.parametrize("who", ["bob", "operator"])
def test_plain_users_and_operators_are_403(
    who: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    request: pytest.FixtureRequest,
    esempio: Customer,
    api_client: ApiClient,
) -> None:
    # given
    caller: User = request.getfixturevalue(who)
    # when
    response = getattr(api_client(caller), method)(path, body, content_type="application/json")
    # then
    assert_problem(response, 403, "permission_denied")
    assert not SenderPolicy.objects.exists()
    assert not sms_sent_to(SHARED_MOBILE)


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_anonymous_callers_are_401(
    method: str, path: str, body: dict[str, Any] | None, client: Client
) -> None:
    # when
    response = getattr(client, method)(path, body, content_type="application/json")
    # then
    assert_problem(response, 401, "not_authenticated")


def test_each_admin_sees_and_changes_only_their_own_customers_policy(
    as_alice: Client, carla: User, altra: Customer, esempio: Customer, api_client: ApiClient
) -> None:
    # given Esempio's choice
    put(as_alice, POLICY, {"mode": "user_choice"})
    # when Carla reads and changes hers
    as_carla = api_client(carla)
    before = as_carla.get(POLICY).json()
    put(as_carla, SHARED, {"number": SHARED_MOBILE})
    # then Altra's is the default, and Esempio's did not move
    assert before == DEFAULT
    assert SenderPolicy.for_customer(esempio).shared_mobile_number == ""
    assert SenderPolicy.for_customer(altra).shared_mobile_number == SHARED_MOBILE
    assert as_alice.get(POLICY).json() == {**DEFAULT, "mode": "user_choice"}
