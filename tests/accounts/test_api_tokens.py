"""A person's API tokens, listed and revocable in Opzioni Account and at /me/tokens (issue 14):
only one's own (another's id is 404, R-C3), audited, never showing a token's value."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from centrex.accounts.actions import issue_api_token
from centrex.accounts.models import ApiToken, TokenScope, User
from centrex.core.models import AuditEvent
from tests.problems import assert_problem

OPTIONS = reverse("accounts:options")


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _bearer(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _revoke(token: ApiToken) -> str:
    return reverse("accounts:api_token_revoke", args=[token.pk])


# --- The API -----------------------------------------------------------------------------


def test_the_caller_lists_their_live_tokens_without_their_values(bob: User) -> None:
    # given: two tokens, one limited to the two-step set-up, one expired, and Alice's
    raw, current = issue_api_token(bob)
    _raw, limited = issue_api_token(bob, scope=TokenScope.MFA_SETUP)
    _raw, expired = issue_api_token(bob)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(1))
    # when
    response = _bearer(raw).get("/api/v1/me/tokens")
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    by_id = {item["id"]: item for item in body["items"]}
    assert set(by_id) == {current.pk, limited.pk}
    assert by_id[current.pk]["current"] is True
    assert set(by_id[limited.pk]) == {
        "id",
        "created_at",
        "last_used_at",
        "expires_at",
        "scope",
        "current",
    }
    assert (by_id[limited.pk]["scope"], by_id[limited.pk]["current"]) == ("mfa_setup", False)
    assert by_id[limited.pk]["last_used_at"] is None
    assert by_id[current.pk]["last_used_at"] is not None  # this very request used it
    assert raw not in response.content.decode()


def test_a_browser_session_has_no_current_token(bob: User) -> None:
    # given
    issue_api_token(bob)
    # when
    body = _logged_in(bob).get("/api/v1/me/tokens").json()
    # then
    assert [item["current"] for item in body["items"]] == [False]


def test_revoking_a_token_signs_that_client_out_and_is_audited(bob: User) -> None:
    # given
    raw, token = issue_api_token(bob)
    other_raw, _other = issue_api_token(bob)
    # when
    response = _bearer(other_raw).delete(f"/api/v1/me/tokens/{token.pk}")
    # then
    assert response.status_code == 204
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert_problem(_bearer(raw).get("/api/v1/me"), 401, "not_authenticated")
    assert _bearer(other_raw).get("/api/v1/me").status_code == 200
    event = AuditEvent.objects.get(action="user.api_token_revoked")
    assert (event.actor, event.customer_id, event.data["token_id"]) == (
        bob,
        bob.customer_id,
        token.pk,
    )


def test_another_persons_token_is_not_found_even_of_a_colleague(
    alice: User, bob: User, api_client: Callable[[User | None], Client]
) -> None:
    # given: Bob's token; Alice is the admin of Bob's own customer
    _raw, bobs = issue_api_token(bob)
    # when
    response = api_client(alice).delete(f"/api/v1/me/tokens/{bobs.pk}")
    missing = api_client(alice).delete("/api/v1/me/tokens/987654")
    # then
    assert_problem(response, 404, "not_found")
    assert missing.json() == response.json()
    assert ApiToken.objects.filter(pk=bobs.pk).exists()
    assert not AuditEvent.objects.filter(action="user.api_token_revoked").exists()


def test_a_token_limited_to_the_two_step_set_up_cannot_list_tokens(bob: User) -> None:
    # given (R-Z3)
    raw, _token = issue_api_token(bob, scope=TokenScope.MFA_SETUP)
    # when
    response = _bearer(raw).get("/api/v1/me/tokens")
    # then
    assert_problem(response, 403, "mfa_setup_required")


def test_anonymous_callers_are_401(client: Client, db: None) -> None:
    assert_problem(client.get("/api/v1/me/tokens"), 401, "not_authenticated")
    assert_problem(client.delete("/api/v1/me/tokens/1"), 401, "not_authenticated")


# --- Opzioni Account ---------------------------------------------------------------------


def test_opzioni_account_lists_the_tokens_in_italian(bob: User) -> None:
    # given
    issue_api_token(bob)
    _raw, limited = issue_api_token(bob, scope=TokenScope.MFA_SETUP)
    # when
    content = _logged_in(bob).get(OPTIONS).content.decode()
    # then
    assert "Token API" in content
    assert content.count("data-token=") == 2
    assert "solo per attivare la verifica in due passaggi" in content
    assert "accesso completo" in content
    assert content.count(">Revoca</button>") == 2
    assert f'action="{_revoke(limited)}"' in content
    assert re.search(r'data-confirm="Revocare questo token API\?', content)


def test_opzioni_account_says_when_there_is_no_token(bob: User) -> None:
    # when
    content = _logged_in(bob).get(OPTIONS).content.decode()
    # then
    assert "Nessun programma ha accesso all'API a tuo nome." in content
    assert "data-token=" not in content


def test_revoca_revokes_ones_own_token(bob: User) -> None:
    # given
    raw, token = issue_api_token(bob)
    # when
    response = _logged_in(bob).post(_revoke(token), follow=True)
    # then
    assert response.redirect_chain == [(f"{OPTIONS}#api-tokens", 302)]
    assert "Il token API è revocato" in response.content.decode()
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert _bearer(raw).get("/api/v1/me").status_code == 401
    assert AuditEvent.objects.filter(action="user.api_token_revoked", actor=bob).count() == 1


def test_revoca_of_another_persons_token_is_not_found(alice: User, bob: User) -> None:
    # given
    _raw, token = issue_api_token(bob)
    # when
    response = _logged_in(alice).post(_revoke(token))
    # then
    assert response.status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_revoca_needs_a_post(bob: User) -> None:
    # given
    _raw, token = issue_api_token(bob)
    # when
    response = _logged_in(bob).get(_revoke(token))
    # then
    assert response.status_code == 405
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_revoca_needs_the_csrf_token(bob: User) -> None:
    # given
    _raw, token = issue_api_token(bob)
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    # when
    response = client.post(_revoke(token))
    # then
    assert response.status_code == 403
    assert ApiToken.objects.filter(pk=token.pk).exists()
