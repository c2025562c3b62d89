"""Logging in through the API, bearer tokens and the login throttle (API.md "Authentication")."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from centrex.accounts.models import ApiToken, User
from centrex.core.models import ThrottleEvent
from tests.conftest import PASSWORD
from tests.problems import assert_problem

TOKEN_URL = "/api/v1/auth/token"
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$")


def login(client: Client, email: str, password: str, *, address: str = "127.0.0.1") -> Any:
    return client.post(
        TOKEN_URL,
        {"email": email, "password": password},
        content_type="application/json",
        REMOTE_ADDR=address,
    )


def test_right_credentials_answer_a_token_that_opens_the_api(alice: User, client: Client) -> None:
    # when
    response = login(client, "alice@esempio.example", PASSWORD)
    # then
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"token", "expires_at", "user"}
    assert body["user"]["email"] == "alice@esempio.example"
    assert body["user"]["customer"]["name"] == "Esempio S.r.l."
    me = Client(headers={"Authorization": f"Bearer {body['token']}"}).get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["id"] == alice.pk


def test_token_expiry_is_iso_8601_with_an_offset(alice: User, client: Client) -> None:
    # when
    body = login(client, "alice@esempio.example", PASSWORD).json()
    # then
    assert ISO_WITH_OFFSET.match(body["expires_at"]), body["expires_at"]
    expires_at = datetime.fromisoformat(body["expires_at"])
    assert timedelta(days=29) < expires_at - timezone.now() <= timedelta(days=30)


def test_only_the_hash_of_a_token_is_stored(alice: User, client: Client) -> None:
    # when
    token = login(client, "alice@esempio.example", PASSWORD).json()["token"]
    # then
    assert not ApiToken.objects.filter(token_hash=token).exists()
    assert ApiToken.objects.filter(user=alice).count() == 1


def test_the_email_is_read_regardless_of_case(alice: User, client: Client) -> None:
    assert login(client, "  Alice@Esempio.EXAMPLE ", PASSWORD).status_code == 201


def test_a_wrong_password_is_401_invalid_credentials(alice: User, client: Client) -> None:
    assert_problem(
        login(client, "alice@esempio.example", "wrong-password"), 401, "invalid_credentials"
    )


def test_an_unknown_email_is_401_invalid_credentials(alice: User, client: Client) -> None:
    assert_problem(login(client, "nobody@esempio.example", PASSWORD), 401, "invalid_credentials")


def test_a_deactivated_user_cannot_log_in(bob: User, client: Client) -> None:
    # given
    User.objects.filter(pk=bob.pk).update(is_active=False)
    # when / then
    assert_problem(login(client, "bob@esempio.example", PASSWORD), 401, "invalid_credentials")


def test_a_login_without_password_is_422_validation_error(alice: User, client: Client) -> None:
    response = client.post(
        TOKEN_URL, {"email": "alice@esempio.example"}, content_type="application/json"
    )
    body = assert_problem(response, 422, "validation_error")
    assert body["errors"][0]["field"] == "password"


def test_the_eleventh_attempt_for_one_email_is_throttled_even_with_the_right_password(
    alice: User, client: Client
) -> None:
    # given: 10 failures for Alice's e-mail
    for _attempt in range(10):
        assert_problem(
            login(client, "alice@esempio.example", "wrong-password"), 401, "invalid_credentials"
        )
    # when: the 11th attempt, with the right password
    response = login(client, "alice@esempio.example", PASSWORD)
    # then
    assert_problem(response, 429, "throttled")
    assert 0 < int(response["Retry-After"]) <= 15 * 60


def test_throttling_one_email_leaves_other_emails_alone(
    alice: User, bob: User, client: Client
) -> None:
    # given
    for _attempt in range(10):
        login(client, "alice@esempio.example", "wrong-password")
    # when / then
    assert login(client, "bob@esempio.example", PASSWORD).status_code == 201


def test_the_throttle_ends_with_its_window(alice: User, client: Client) -> None:
    # given: 10 failures, 16 minutes ago
    for _attempt in range(10):
        login(client, "alice@esempio.example", "wrong-password")
    ThrottleEvent.objects.update(created_at=timezone.now() - timedelta(minutes=16))
    # when / then
    assert login(client, "alice@esempio.example", PASSWORD).status_code == 201


def test_fifty_failures_from_one_address_throttle_that_address(carla: User, client: Client) -> None:
    # given: 50 failures from one address, each for another e-mail
    address = "203.0.113.7"
    for attempt in range(50):
        response = login(client, f"guess{attempt}@example.com", "wrong-password", address=address)
        assert_problem(response, 401, "invalid_credentials")
    # when: Carla, from that address, with her right password
    throttled = login(client, "carla@altra.example", PASSWORD, address=address)
    # then
    assert_problem(throttled, 429, "throttled")
    assert int(throttled["Retry-After"]) > 0
    assert login(client, "carla@altra.example", PASSWORD, address="198.51.100.1").status_code == 201


def test_no_token_is_401_not_authenticated(alice: User, client: Client) -> None:
    assert_problem(client.get("/api/v1/me"), 401, "not_authenticated")


def test_an_unknown_token_is_401_not_authenticated(alice: User) -> None:
    client = Client(headers={"Authorization": "Bearer cx_not-a-real-token"})
    assert_problem(client.get("/api/v1/me"), 401, "not_authenticated")


def test_an_expired_token_is_401_not_authenticated(
    alice: User, api_client: Callable[[User | None], Client]
) -> None:
    # given
    client = api_client(alice)
    ApiToken.objects.filter(user=alice).update(expires_at=timezone.now() - timedelta(seconds=1))
    # when / then
    assert_problem(client.get("/api/v1/me"), 401, "not_authenticated")


def test_a_token_of_a_deactivated_user_stops_working(
    bob: User, api_client: Callable[[User | None], Client]
) -> None:
    # given
    client = api_client(bob)
    User.objects.filter(pk=bob.pk).update(is_active=False)
    # when / then
    assert_problem(client.get("/api/v1/me"), 401, "not_authenticated")


def test_logging_out_revokes_only_the_token_sent(alice: User, client: Client) -> None:
    # given: two tokens of Alice
    first = login(client, "alice@esempio.example", PASSWORD).json()["token"]
    second = login(client, "alice@esempio.example", PASSWORD).json()["token"]
    first_client = Client(headers={"Authorization": f"Bearer {first}"})
    # when
    response = first_client.delete(TOKEN_URL)
    # then
    assert response.status_code == 204
    assert_problem(first_client.get("/api/v1/me"), 401, "not_authenticated")
    second_client = Client(headers={"Authorization": f"Bearer {second}"})
    assert second_client.get("/api/v1/me").status_code == 200


def test_logging_out_needs_a_token(client: Client) -> None:
    assert_problem(client.delete(TOKEN_URL), 401, "not_authenticated")


def test_the_browser_session_opens_the_api(alice: User, client: Client) -> None:
    # given
    client.force_login(alice)
    # when / then
    assert client.get("/api/v1/me").json()["email"] == "alice@esempio.example"


def test_with_the_browser_session_a_change_needs_the_csrf_token(alice: User) -> None:
    # given: a logged-in browser that sends no CSRF token
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    # when
    response = browser.patch("/api/v1/me", {"language": "en"}, content_type="application/json")
    # then
    assert_problem(response, 403, "permission_denied")
    alice.refresh_from_db()
    assert alice.language == "it"
