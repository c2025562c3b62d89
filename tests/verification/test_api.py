"""PUT/DELETE /api/v1/me/mobile and POST /api/v1/me/mobile/verify (API.md "Caller"; R-U9,
R-M1–M3): every status and code, and the code never in an answer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from centrex.accounts.models import User
from centrex.verification.models import VerificationCode
from tests.plugins.sent_codes import Clock, a_wrong_code, code_sent_to, sms_sent_to
from tests.problems import assert_problem, error_fields

MOBILE = "/api/v1/me/mobile"
VERIFY = "/api/v1/me/mobile/verify"
NUMBER = "+393331234567"

ApiClient = Callable[[User | None], Client]


def put(client: Client, number: Any) -> Any:
    return client.put(MOBILE, {"number": number}, content_type="application/json")


def verify(client: Client, code: Any) -> Any:
    return client.post(VERIFY, {"code": code}, content_type="application/json")


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


# --- PUT ---------------------------------------------------------------------------------


def test_put_stores_the_number_unverified_and_sends_a_code_202(
    bob: User, api_client: ApiClient
) -> None:
    # given
    before = timezone.now()
    # when
    response = put(api_client(bob), "333 123 4567")
    # then
    assert response.status_code == 202, response.content
    body = response.json()
    assert set(body) == {"number", "verified", "code_expires_at", "resend_after"}
    assert (body["number"], body["verified"]) == (NUMBER, False)
    expires, resend = moment(body["code_expires_at"]), moment(body["resend_after"])
    assert expires.utcoffset() is not None
    assert timedelta(minutes=9) < expires - before <= timedelta(minutes=10, seconds=5)
    assert timedelta(seconds=55) < resend - before <= timedelta(seconds=65)
    # and the code went by SMS only
    assert code_sent_to(NUMBER) not in response.content.decode()
    me = api_client(bob).get("/api/v1/me").json()
    assert (me["mobile_number"], me["mobile_verified"]) == (NUMBER, False)


def test_put_of_a_landline_is_422_not_a_mobile_number(bob: User, api_client: ApiClient) -> None:
    # when
    response = put(api_client(bob), "02 1234 5678")
    # then
    body = assert_problem(response, 422, "not_a_mobile_number")
    assert error_fields(body) == {"number": "not_a_mobile_number"}
    assert "cellulare" in body["detail"]
    assert not VerificationCode.objects.exists()


@pytest.mark.parametrize("number", ["12", "abc", "", "+39 333"])
def test_put_of_a_non_number_is_422_invalid_phone_number(
    bob: User, api_client: ApiClient, number: str
) -> None:
    body = assert_problem(put(api_client(bob), number), 422, "invalid_phone_number")
    assert error_fields(body) == {"number": "invalid_phone_number"}


@pytest.mark.parametrize("body", [{}, {"number": None}, {"number": ["333"]}])
def test_put_without_a_number_string_is_422_validation_error(
    bob: User, api_client: ApiClient, body: dict[str, Any]
) -> None:
    response = api_client(bob).put(MOBILE, body, content_type="application/json")
    assert_problem(response, 422, "validation_error")


def test_put_again_within_60_seconds_is_429_with_retry_after(
    bob: User, api_client: ApiClient, clock: Clock
) -> None:
    # given
    client = api_client(bob)
    assert put(client, "333 123 4567").status_code == 202
    clock.advance(seconds=15)
    # when
    response = put(client, "333 123 4567")
    # then
    body = assert_problem(response, 429, "code_resend_too_soon")
    assert response["Retry-After"] == "45"
    assert "45" in body["detail"]
    assert len(sms_sent_to(NUMBER)) == 1
    # and after the minute, a new code
    clock.advance(seconds=45)
    assert put(client, "333 123 4567").status_code == 202
    assert len(sms_sent_to(NUMBER)) == 2


def test_a_sixth_code_within_the_hour_is_429_until_the_oldest_leaves_it(
    bob: User, api_client: ApiClient, clock: Clock
) -> None:
    # given five codes, a minute and a bit apart
    client = api_client(bob)
    for _ in range(5):
        assert put(client, "333 123 4567").status_code == 202
        clock.advance(seconds=61)
    # when (5 × 61 s after the first)
    response = put(client, "333 123 4567")
    # then
    assert_problem(response, 429, "code_resend_too_soon")
    assert response["Retry-After"] == str(3600 - 5 * 61)


def test_put_of_the_same_verified_number_changes_nothing(
    bob: User, api_client: ApiClient, clock: Clock
) -> None:
    # given a verified number
    client = api_client(bob)
    put(client, "333 123 4567")
    assert verify(client, code_sent_to(NUMBER)).status_code == 200
    clock.advance(minutes=2)
    # when
    response = put(client, "+393331234567")
    # then
    assert response.status_code == 202
    assert response.json() == {
        "number": NUMBER,
        "verified": True,
        "code_expires_at": None,
        "resend_after": None,
    }
    assert len(sms_sent_to(NUMBER)) == 1


# --- POST verify --------------------------------------------------------------------------


def test_verify_with_the_right_code_answers_200_with_me(bob: User, api_client: ApiClient) -> None:
    # given
    client = api_client(bob)
    put(client, "333 123 4567")
    code = code_sent_to(NUMBER)
    # when
    response = verify(client, code)
    # then
    assert response.status_code == 200
    assert response.json() == client.get("/api/v1/me").json()
    assert (response.json()["mobile_number"], response.json()["mobile_verified"]) == (
        NUMBER,
        True,
    )
    assert code not in response.content.decode()


def test_five_wrong_codes_are_code_invalid_and_the_sixth_right_one_is_exceeded(
    bob: User, api_client: ApiClient
) -> None:
    # given
    client = api_client(bob)
    put(client, "333 123 4567")
    code = code_sent_to(NUMBER)
    # when five wrong attempts
    for left in (4, 3, 2, 1, 0):
        body = assert_problem(verify(client, a_wrong_code(code)), 422, "code_invalid")
        assert error_fields(body) == {"code": "code_invalid"}
        assert (str(left) in body["detail"]) == (left > 0)
    # then the sixth, with the right code, is code_attempts_exceeded, and so on
    assert_problem(verify(client, code), 422, "code_attempts_exceeded")
    assert_problem(verify(client, a_wrong_code(code)), 422, "code_attempts_exceeded")
    assert client.get("/api/v1/me").json()["mobile_verified"] is False


def test_after_the_attempts_a_new_code_works(
    bob: User, api_client: ApiClient, clock: Clock
) -> None:
    # given a dead code
    client = api_client(bob)
    put(client, "333 123 4567")
    for _ in range(5):
        verify(client, a_wrong_code(code_sent_to(NUMBER)))
    clock.advance(seconds=60)
    # when a new code is requested and entered
    assert put(client, "333 123 4567").status_code == 202
    response = verify(client, code_sent_to(NUMBER))
    # then
    assert response.status_code == 200
    assert response.json()["mobile_verified"] is True


def test_an_expired_code_is_422_code_expired(
    bob: User, api_client: ApiClient, clock: Clock
) -> None:
    # given
    client = api_client(bob)
    put(client, "333 123 4567")
    clock.advance(minutes=10, seconds=1)
    # when
    response = verify(client, code_sent_to(NUMBER))
    # then
    assert_problem(response, 422, "code_expired")


def test_an_expired_code_set_in_the_database_is_code_expired(
    bob: User, api_client: ApiClient
) -> None:
    # given a code whose time ran out (as the database says)
    client = api_client(bob)
    put(client, "333 123 4567")
    VerificationCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    # when / then
    assert_problem(verify(client, code_sent_to(NUMBER)), 422, "code_expired")


def test_verify_without_a_code_sent_is_code_invalid(bob: User, api_client: ApiClient) -> None:
    assert_problem(verify(api_client(bob), "123456"), 422, "code_invalid")


def test_verify_without_a_code_field_is_validation_error(bob: User, api_client: ApiClient) -> None:
    response = api_client(bob).post(VERIFY, {}, content_type="application/json")
    assert_problem(response, 422, "validation_error")


@pytest.mark.usefixtures("codes_differ")
def test_another_users_code_never_verifies_mine(
    alice: User, bob: User, api_client: ApiClient, clock: Clock
) -> None:
    # given Alice and Bob asked codes for the same number
    put(api_client(alice), "333 123 4567")
    alices = code_sent_to(NUMBER)
    clock.advance(seconds=61)
    put(api_client(bob), "333 123 4567")
    # when Bob sends Alice's code
    response = verify(api_client(bob), alices)
    # then
    assert_problem(response, 422, "code_invalid")
    assert api_client(bob).get("/api/v1/me").json()["mobile_verified"] is False


@pytest.mark.usefixtures("codes_differ")
def test_another_customers_user_cannot_use_my_code(
    bob: User, carla: User, api_client: ApiClient, clock: Clock
) -> None:
    # given Bob's code, and Carla (Altra) with the same number waiting for hers
    put(api_client(bob), "333 123 4567")
    bobs = code_sent_to(NUMBER)
    clock.advance(seconds=61)
    put(api_client(carla), "333 123 4567")
    # when Carla sends Bob's code
    response = verify(api_client(carla), bobs)
    # then it verifies neither
    assert_problem(response, 422, "code_invalid")
    bob.refresh_from_db()
    carla.refresh_from_db()
    assert (bob.mobile_verified, carla.mobile_verified) == (False, False)


# --- DELETE ------------------------------------------------------------------------------


def test_delete_removes_the_number_204(bob: User, api_client: ApiClient) -> None:
    # given
    client = api_client(bob)
    put(client, "333 123 4567")
    # when
    response = client.delete(MOBILE)
    # then
    assert response.status_code == 204
    assert response.content == b""
    me = client.get("/api/v1/me").json()
    assert (me["mobile_number"], me["mobile_verified"]) == (None, False)
    assert client.delete(MOBILE).status_code == 204


# --- who -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("put", MOBILE, {"number": "333 123 4567"}),
        ("post", VERIFY, {"code": "1"}),
        ("delete", MOBILE, None),
    ],
)
def test_operators_are_403_and_anonymous_callers_401(
    operator: User, api_client: ApiClient, method: str, path: str, body: Any
) -> None:
    # when
    as_operator = getattr(api_client(operator), method)(path, body, content_type="application/json")
    anonymous = getattr(api_client(None), method)(path, body, content_type="application/json")
    # then
    assert_problem(as_operator, 403, "permission_denied")
    assert_problem(anonymous, 401, "not_authenticated")
    assert not VerificationCode.objects.exists()


def test_an_operator_is_refused_before_the_body_is_read(
    operator: User, api_client: ApiClient
) -> None:
    response = api_client(operator).put(MOBILE, "not json", content_type="application/json")
    assert_problem(response, 403, "permission_denied")


def test_the_browser_session_needs_csrf(bob: User) -> None:
    # given a logged-in browser without the CSRF token
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    # when
    response = put(client, "333 123 4567")
    # then
    assert response.status_code in (401, 403)
    assert not VerificationCode.objects.exists()
