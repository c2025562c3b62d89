"""The SMS intake (sms/intake.py): an API client's `POST /api/v1/sms/messages` served before
the rest of the stack answers exactly as the endpoint does — the same statuses, problem
documents, headers and body — and everything it does not take reaches the endpoint."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django.fixtures import Settings as SettingsWrapper

from centrex.accounts.actions import issue_api_token
from centrex.accounts.models import User
from centrex.senders.models import SenderPolicyMode
from centrex.sms import intake
from centrex.sms.models import SmsRequest
from tests.plugins.policy_cast import BOB_MOBILE, SHARED_MOBILE, give_mobile, policy_of

MESSAGES = "/api/v1/sms/messages"
INTAKE = "centrex.sms.intake.SmsIntakeMiddleware"
# Headers that may differ: the date; `Vary: Cookie`, which the session middleware adds when
# the stack looked at the session (the endpoint's authentication does), meaningless for a
# bearer caller whose answer no cookie changes.
VARYING_HEADERS = {"date", "vary"}


@pytest.fixture
def sending_bob(bob: User, no_send_rate_limits: None) -> User:
    return give_mobile(bob, BOB_MOBILE)


@pytest.fixture
def served() -> Iterator[list[int]]:
    """The status of every answer the intake gave itself (not left to the endpoint)."""
    statuses: list[int] = []
    real = intake.SmsIntakeMiddleware.serve

    def spy(self: intake.SmsIntakeMiddleware, request: Any) -> Any:
        response = real(self, request)
        if response is not None:
            statuses.append(response.status_code)
        return response

    intake.SmsIntakeMiddleware.serve = spy  # type: ignore[method-assign]
    try:
        yield statuses
    finally:
        intake.SmsIntakeMiddleware.serve = real  # type: ignore[method-assign]


def clients(user: User, settings: SettingsWrapper) -> tuple[Client, Callable[[], Client]]:
    """A client through the intake, and a factory of clients whose stack has no intake (the
    endpoint alone), both with the user's bearer token."""
    raw, _token = issue_api_token(user)
    headers = {"Authorization": f"Bearer {raw}"}
    with_intake = Client(headers=headers)
    with_intake.get("/api/v1/me")  # loads the middleware chain with the intake

    def without_intake() -> Client:
        settings.MIDDLEWARE = [name for name in django_settings.MIDDLEWARE if name != INTAKE]
        return Client(headers=headers)

    return with_intake, without_intake


def comparable(response: Any) -> tuple[int, dict[str, str], Any]:
    """Status, headers and body with what differs between two requests (ids, times) masked."""
    headers = {
        name.lower(): value
        for name, value in response.headers.items()
        if name.lower() not in VARYING_HEADERS
    }
    if "content-length" in headers:
        # the body's own length (its ids may have more digits in one answer than the other)
        assert int(headers["content-length"]) == len(response.content)
        headers["content-length"] = "the body's length"
    body = response.content.decode()
    body = re.sub(r'"id": \d+', '"id": N', body)
    body = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", "T", body)
    return response.status_code, headers, body


REQUESTS: list[tuple[str, Any, dict[str, str]]] = [
    ("accepted", {"to": ["+393401112233"], "text": "Ciao"}, {}),
    ("accepted, national numbers", {"to": ["340 111 2233", "3405556677"], "text": "Ciao"}, {}),
    ("accepted, UCS-2, 2 parts", {"to": ["+393401112233"], "text": "è" * 40 + "😀" * 40}, {}),
    ("accepted, other keys ignored", {"to": ["+393401112233"], "text": "x", "more": 1}, {}),
    ("with an idempotency key", {"to": ["+393401112233"], "text": "Ciao"}, {"key": "k-1"}),
    ("text_empty", {"to": ["+393401112233"], "text": " "}, {}),
    ("invalid_recipient", {"to": ["+393401112233", "0612345678", "abc"], "text": "x"}, {}),
    ("too_many_recipients", {"to": [f"+39340{n:07d}" for n in range(101)], "text": "x"}, {}),
    ("text_too_long", {"to": ["+393401112233"], "text": "x" * 1531}, {}),
    ("no recipient", {"to": [], "text": "x"}, {}),
    ("sender_not_allowed", {"to": ["+393401112233"], "text": "x", "sender": None}, {}),
    (
        "a sender not offered",
        {"to": ["+393401112233"], "text": "x", "sender": {"type": "alias", "value": "Altro"}},
        {},
    ),
    ("bad idempotency key", {"to": ["+393401112233"], "text": "x"}, {"key": "k" * 201}),
    # Not of the documented shape: the endpoint answers.
    ("to is a string", {"to": "+393401112233", "text": "x"}, {}),
    ("text is a number", {"to": ["+393401112233"], "text": 5}, {}),
    ("a recipient is a number", {"to": [393401112233], "text": "x"}, {}),
    ("text missing", {"to": ["+393401112233"]}, {}),
    ("a list", ["+393401112233"], {}),
    ("sender of no type", {"to": ["+393401112233"], "text": "x", "sender": {"type": "x"}}, {}),
    (
        "sender too long",
        {"to": ["+393401112233"], "text": "x", "sender": {"type": "alias", "value": "A" * 51}},
        {},
    ),
    ("sender is a list", {"to": ["+393401112233"], "text": "x", "sender": [1]}, {}),
    ("sender type is a list", {"to": ["+3934011"], "text": "x", "sender": {"type": []}}, {}),
]


@pytest.mark.parametrize(
    ("body", "options"),
    [(body, options) for _name, body, options in REQUESTS],
    ids=[name for name, _body, _options in REQUESTS],
)
def test_the_intake_answers_as_the_endpoint(
    sending_bob: User, settings: SettingsWrapper, body: Any, options: dict[str, str]
) -> None:
    # given Bob's client through the intake, and one straight to the endpoint
    with_intake, without_intake = clients(sending_bob, settings)
    headers = {"Idempotency-Key": options["key"]} if "key" in options else {}
    # when each sends the same request (a fresh key for the second: it is another request)
    first = with_intake.post(MESSAGES, body, content_type="application/json", headers=headers)
    if headers:
        headers = {"Idempotency-Key": headers["Idempotency-Key"][:-1] + "2"}
    second = without_intake().post(MESSAGES, body, content_type="application/json", headers=headers)
    # then the answers are the same, but for ids and times
    assert comparable(first) == comparable(second)


def test_the_intake_serves_a_client_and_leaves_the_rest_to_the_endpoint(
    sending_bob: User, settings: SettingsWrapper, served: list[int], alice: User
) -> None:
    with_intake, _without = clients(sending_bob, settings)
    # an API client's valid request and its refusals are the intake's
    ok = with_intake.post(
        MESSAGES, {"to": ["+393401112233"], "text": "Ciao"}, content_type="application/json"
    )
    refused = with_intake.post(
        MESSAGES, {"to": ["+393401112233"], "text": ""}, content_type="application/json"
    )
    assert (ok.status_code, refused.status_code) == (202, 422)
    assert served == [202, 422]
    # the rest reaches the endpoint: a body of another shape, another content type, no token,
    # an unknown token, a browser session, another method
    with_intake.post(MESSAGES, {"to": "x", "text": "y"}, content_type="application/json")
    with_intake.post(MESSAGES, "to=x", content_type="application/x-www-form-urlencoded")
    anonymous = Client().post(
        MESSAGES, {"to": ["+393401112233"], "text": "x"}, content_type="application/json"
    )
    unknown = Client(headers={"Authorization": "Bearer cx_unknown"}).post(
        MESSAGES, {"to": ["+393401112233"], "text": "x"}, content_type="application/json"
    )
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    session = browser.post(
        MESSAGES, {"to": ["+393401112233"], "text": "x"}, content_type="application/json"
    )
    listed = with_intake.get(MESSAGES)
    assert served == [202, 422]
    assert (anonymous.status_code, unknown.status_code) == (401, 401)
    assert session.status_code == 403  # the endpoint's CSRF check for session callers
    assert listed.status_code == 200 and len(listed.json()["items"]) == 1
    assert SmsRequest.objects.count() == 1


def test_the_intake_checks_the_host_as_the_stack_does(
    sending_bob: User, settings: SettingsWrapper
) -> None:
    # given a host the portal does not serve
    settings.ALLOWED_HOSTS = ["portal.example"]
    with_intake, _without = clients(sending_bob, settings)
    # when a client sends to it
    answer = with_intake.post(
        MESSAGES,
        {"to": ["+393401112233"], "text": "Ciao"},
        content_type="application/json",
        headers={"Host": "elsewhere.example"},
    )
    # then it is refused and nothing is queued
    assert answer.status_code == 400
    assert not SmsRequest.objects.exists()


def test_a_retry_through_the_intake_answers_the_first_request_r_t4(
    sending_bob: User, settings: SettingsWrapper
) -> None:
    with_intake, _without = clients(sending_bob, settings)
    body = {"to": ["+393401112233"], "text": "Ciao"}
    headers = {"Idempotency-Key": "k-retry"}
    first = with_intake.post(MESSAGES, body, content_type="application/json", headers=headers)
    retry = with_intake.post(MESSAGES, body, content_type="application/json", headers=headers)
    other = with_intake.post(
        MESSAGES, {**body, "text": "Altro"}, content_type="application/json", headers=headers
    )
    assert first.status_code == retry.status_code == 202
    assert first.json() == retry.json()
    assert other.status_code == 409 and other.json()["code"] == "idempotency_conflict"
    assert SmsRequest.objects.count() == 1


@pytest.mark.parametrize("policy", ["chosen", "default"])
def test_the_intake_reads_token_and_sender_policy_in_one_statement_r_s4(
    sending_bob: User, settings: SettingsWrapper, policy: str
) -> None:
    # given Esempio's policy: the shared number (verified), or none chosen (own_mobile, R-S2)
    assert sending_bob.customer is not None
    if policy == "chosen":
        policy_of(
            sending_bob.customer,
            SenderPolicyMode.SHARED_MOBILE,
            shared_mobile=SHARED_MOBILE,
            verified=True,
        )
    with_intake, _without = clients(sending_bob, settings)
    # when Bob's client sends
    with CaptureQueriesContext(connection) as queries:
        answer = with_intake.post(
            MESSAGES, {"to": ["+393401112233"], "text": "Ciao"}, content_type="application/json"
        )
    # then the policy came with the token (no statement of its own) and decided the sender
    assert answer.status_code == 202
    expected = SHARED_MOBILE if policy == "chosen" else BOB_MOBILE
    assert answer.json()["sender"] == {"type": "mobile", "value": expected}
    reads = [q["sql"] for q in queries.captured_queries if "sms_senderpolicy" in q["sql"]]
    assert len(reads) == 1 and "accounts_apitoken" in reads[0]
