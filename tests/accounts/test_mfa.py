"""Two-step verification through the API (R-Z1–Z3, API.md "Two-step verification"): set-up
with a first code, ten recovery codes shown once; signing in needs the code, each code works
once, wrong codes are throttled like passwords; an admin requires it and a person who has not
set it up can only set it up; resets by an admin and an operator; nothing secret stored in
clear. The codes are computed by the test from the secret, as an authenticator app would."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pyotp
import pytest
from django.test import Client

from centrex.accounts.actions import reset_mfa
from centrex.accounts.models import RecoveryCode, TwoStepVerification, User
from centrex.core.audit import AuditEvent
from tests.conftest import PASSWORD
from tests.problems import assert_problem

ApiClient = Callable[[User | None], Client]
TOKEN_URL = "/api/v1/auth/token"

pytestmark = pytest.mark.django_db


def login(email: str, *, otp: str | None = None, password: str = PASSWORD) -> Any:
    body: dict[str, str] = {"email": email, "password": password}
    if otp is not None:
        body["otp"] = otp
    return Client().post(TOKEN_URL, body, content_type="application/json")


def code_at(secret: str, steps_from_now: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_from_now)


def turn_on(client: Client) -> tuple[str, list[str]]:
    """Set-up as a person does it: scan (read the secret), confirm with the app's code."""
    started = client.post("/api/v1/me/mfa/totp")
    assert started.status_code == 201, started.content
    secret = started.json()["secret"]
    confirmed = client.post(
        "/api/v1/me/mfa/totp/confirm", {"code": code_at(secret)}, content_type="application/json"
    )
    assert confirmed.status_code == 200, confirmed.content
    return secret, confirmed.json()["recovery_codes"]


def bearer(token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"})


# --- set-up (R-Z1) ------------------------------------------------------------------------


def test_set_up_shows_a_secret_and_its_qr_uri_and_confirms_with_a_first_code(
    alice: User, api_client: ApiClient
) -> None:
    client = api_client(alice)
    # when
    started = client.post("/api/v1/me/mfa/totp").json()
    # then: not on yet
    assert started["otpauth_uri"].startswith("otpauth://totp/Centrex%20Portal:alice")
    assert f"secret={started['secret']}" in started["otpauth_uri"]
    assert client.get("/api/v1/me").json()["mfa_enabled"] is False
    wrong = client.post(
        "/api/v1/me/mfa/totp/confirm", {"code": "000000"}, content_type="application/json"
    )
    assert_problem(wrong, 422, "code_invalid")
    # when: the app's code
    confirmed = client.post(
        "/api/v1/me/mfa/totp/confirm",
        {"code": code_at(started["secret"])},
        content_type="application/json",
    ).json()
    # then: on, ten distinct recovery codes
    assert confirmed["enabled"] is True
    assert len(set(confirmed["recovery_codes"])) == 10
    assert client.get("/api/v1/me").json()["mfa_enabled"] is True


def test_starting_again_replaces_the_secret_being_set_up(
    alice: User, api_client: ApiClient
) -> None:
    client = api_client(alice)
    first = client.post("/api/v1/me/mfa/totp").json()["secret"]
    second = client.post("/api/v1/me/mfa/totp").json()["secret"]
    assert first != second
    stale = client.post(
        "/api/v1/me/mfa/totp/confirm", {"code": code_at(first)}, content_type="application/json"
    )
    assert_problem(stale, 422, "code_invalid")


def test_nothing_secret_is_stored_in_clear(alice: User, api_client: ApiClient) -> None:
    secret, recovery = turn_on(api_client(alice))
    record = TwoStepVerification.objects.get(user=alice)
    assert secret not in record.secret and record.secret.startswith("v1:")
    stored = set(RecoveryCode.objects.filter(user=alice).values_list("code_hash", flat=True))
    assert len(stored) == 10
    assert not stored & {code.replace("-", "") for code in recovery}
    trail = " ".join(str(row.__dict__) for row in AuditEvent.objects.all())
    assert "user.mfa_enabled" in trail
    assert secret not in trail and not any(code in trail for code in recovery)


# --- signing in (R-Z2) --------------------------------------------------------------------


def test_the_password_alone_answers_mfa_required(alice: User, api_client: ApiClient) -> None:
    turn_on(api_client(alice))
    assert_problem(login(alice.email), 401, "mfa_required")


def test_a_current_code_signs_in_once(alice: User, api_client: ApiClient) -> None:
    secret, _codes = turn_on(api_client(alice))
    # the confirming code was this step's: the next step's code signs in
    code = code_at(secret, 1)
    assert login(alice.email, otp=code).status_code == 201
    # then: the same code again is refused
    assert_problem(login(alice.email, otp=code), 401, "invalid_credentials")


def test_a_recovery_code_works_once(alice: User, api_client: ApiClient) -> None:
    _secret, codes = turn_on(api_client(alice))
    assert login(alice.email, otp=codes[3].lower()).status_code == 201
    assert_problem(login(alice.email, otp=codes[3]), 401, "invalid_credentials")
    assert login(alice.email, otp=codes[4]).status_code == 201


def test_wrong_codes_are_throttled_like_passwords_even_after_the_right_password(
    alice: User, api_client: ApiClient
) -> None:
    secret, _codes = turn_on(api_client(alice))
    for _attempt in range(10):
        assert_problem(login(alice.email, otp="123456"), 401, "invalid_credentials")
    # then: throttled, even with the right code
    answer = login(alice.email, otp=code_at(secret, 1))
    assert_problem(answer, 429, "throttled")
    assert int(answer["Retry-After"]) > 0


def test_turning_it_off_needs_a_code(alice: User, api_client: ApiClient) -> None:
    client = api_client(alice)
    secret, _codes = turn_on(client)
    wrong = client.delete("/api/v1/me/mfa", {"code": "999999"}, content_type="application/json")
    assert_problem(wrong, 422, "code_invalid")
    right = client.delete(
        "/api/v1/me/mfa", {"code": code_at(secret, 1)}, content_type="application/json"
    )
    assert right.status_code == 204
    assert login(alice.email).status_code == 201


# --- requiring it (R-Z3) ------------------------------------------------------------------


def test_an_admin_requires_it_and_a_user_can_only_set_it_up(
    alice: User, bob: User, api_client: ApiClient
) -> None:
    # when: Alice requires it of everyone
    answer = api_client(alice).patch(
        "/api/v1/customer", {"mfa_required": "everyone"}, content_type="application/json"
    )
    assert answer.status_code == 200
    assert answer.json()["mfa_required"] == "everyone"
    # then: Bob's new token serves only /me and /me/mfa/*
    token = login(bob.email).json()["token"]
    bob_client = bearer(token)
    assert bob_client.get("/api/v1/me").status_code == 200
    assert_problem(bob_client.get("/api/v1/sms/senders"), 403, "mfa_setup_required")
    assert_problem(
        bob_client.post(
            "/api/v1/sms/messages",
            {"to": ["+393401112233"], "text": "x"},
            content_type="application/json",
        ),
        403,
        "mfa_setup_required",
    )
    # when: he sets it up with that token
    turn_on(bob_client)
    # then: the same token now serves everything
    assert bob_client.get("/api/v1/sms/senders").status_code == 200


def test_only_admins_change_the_requirement_and_only_to_known_values(
    alice: User, bob: User, api_client: ApiClient
) -> None:
    refused = api_client(bob).patch(
        "/api/v1/customer", {"mfa_required": "none"}, content_type="application/json"
    )
    assert_problem(refused, 403, "permission_denied")
    bad = api_client(alice).patch(
        "/api/v1/customer", {"mfa_required": "sometimes"}, content_type="application/json"
    )
    assert_problem(bad, 422, "validation_error")
    assert api_client(alice).get("/api/v1/customer").json()["mfa_required"] == "none"


def test_required_of_admins_leaves_users_free(
    alice: User, bob: User, api_client: ApiClient
) -> None:
    api_client(alice).patch(
        "/api/v1/customer", {"mfa_required": "admins"}, content_type="application/json"
    )
    assert bearer(login(bob.email).json()["token"]).get("/api/v1/sms/senders").status_code == 200
    alices = bearer(login(alice.email).json()["token"])
    assert_problem(alices.get("/api/v1/users"), 403, "mfa_setup_required")


def test_operators_must_set_it_up_when_the_deployment_requires_it(
    operator: User, settings: Any
) -> None:
    settings.CENTREX_OPERATOR_MFA = "required"
    token = login(operator.email).json()["token"]
    assert_problem(bearer(token).get("/api/v1/backoffice/customers"), 403, "mfa_setup_required")


# --- resets (R-Z3) ------------------------------------------------------------------------


def test_an_admin_resets_a_users_and_an_operator_an_admins(
    alice: User, bob: User, carla: User, operator: User, api_client: ApiClient
) -> None:
    from centrex.core.errors import DomainError

    turn_on(api_client(bob))
    turn_on(api_client(alice))
    # an admin of another customer may not
    with pytest.raises(DomainError):
        reset_mfa(bob, acting_user=carla)
    reset_mfa(bob, acting_user=alice)
    assert login(bob.email).status_code == 201
    reset_mfa(alice, acting_user=operator)
    assert login(alice.email).status_code == 201
    actions = list(
        AuditEvent.objects.filter(action="user.mfa_reset").values_list("action", flat=True)
    )
    assert actions == ["user.mfa_reset", "user.mfa_reset"]
