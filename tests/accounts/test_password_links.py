"""The links that set a password work once and for three days (accounts/tokens.py), and asking
for one says nothing about who has an account and is throttled (issue 13, security pass)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains
from pytest_django.fixtures import Settings

from centrex.accounts.actions import (
    UserData,
    create_user,
    invitation_link,
    resend_invitation,
)
from centrex.accounts.models import User
from centrex.accounts.tokens import password_link_tokens
from centrex.customers.models import Customer
from tests.accounts.page_text import heading
from tests.conftest import PASSWORD

NEW_PASSWORD = "Nuova-Password-2026!"
OTHER_PASSWORD = "Altra-Password-2026!"
NO_LONGER_VALID = "Questo link non è più valido"
RESET = reverse("accounts:password_reset")


def _path(link: str) -> str:
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def _set(client: Client, link: str, password: str) -> Any:
    return client.post(link, {"new_password": password, "confirm_password": password})


@pytest.fixture
def marco(alice: User, esempio: Customer) -> User:
    """Invited by Alice: no password yet."""
    return create_user(esempio, UserData(email="marco@esempio.example"), acting_user=alice)


def _at(monkeypatch: pytest.MonkeyPatch, later: timedelta) -> None:
    """The tokens' clock, `later` from now."""
    now = datetime.now()
    monkeypatch.setattr(password_link_tokens, "_now", lambda: now + later)


# --- Single use ------------------------------------------------------------------------------


@pytest.mark.parametrize("purpose", ["invite", "reset"])
def test_a_used_link_answers_no_longer_valid_and_sets_nothing(marco: User, purpose: str) -> None:
    # given: the link was used to choose a password
    link = _path(invitation_link(marco, purpose=purpose))
    first = Client()
    assert _set(first, link, NEW_PASSWORD)["Location"] == reverse("home")

    # when someone opens it again, or posts to it
    again = Client()
    page = again.get(link)
    posted = _set(again, link, OTHER_PASSWORD)

    # then
    for response in (page, posted):
        assert heading(response) == NO_LONGER_VALID
        assertNotContains(response, 'type="password"')
    marco.refresh_from_db()
    assert marco.check_password(NEW_PASSWORD)
    assert "_auth_user_id" not in again.session


def test_a_resent_invitation_supersedes_the_earlier_link(alice: User, marco: User) -> None:
    # given
    earlier = _path(invitation_link(marco))

    # when Alice sends the invitation again
    resend_invitation(marco, acting_user=alice)
    marco.refresh_from_db()
    latest = _path(invitation_link(marco))

    # then only the latest e-mail's link works
    assert heading(Client().get(earlier)) == NO_LONGER_VALID
    assertContains(Client().get(latest), 'type="password"', count=2)


def test_a_reset_link_stops_working_once_the_person_logs_in(client: Client, bob: User) -> None:
    # given
    link = _path(invitation_link(bob, purpose="reset"))

    # when Bob remembers his password and logs in
    client.post(reverse("accounts:login"), {"email": bob.email, "password": PASSWORD})
    client.logout()

    # then
    assert heading(client.get(link)) == NO_LONGER_VALID


# --- Expiry ----------------------------------------------------------------------------------


@pytest.mark.parametrize("purpose", ["invite", "reset"])
def test_a_link_expires_after_three_days(
    marco: User, settings: Settings, monkeypatch: pytest.MonkeyPatch, purpose: str
) -> None:
    # given
    assert settings.PASSWORD_RESET_TIMEOUT == 3 * 24 * 3600
    link = _path(invitation_link(marco, purpose=purpose))

    # when: a minute before the three days are over, then a second after
    _at(monkeypatch, timedelta(days=3, minutes=-1))
    still = Client().get(link)
    _at(monkeypatch, timedelta(days=3, seconds=1))
    expired = Client().get(link)
    posted = _set(Client(), link, NEW_PASSWORD)

    # then
    assertContains(still, 'type="password"', count=2)
    assert heading(expired) == NO_LONGER_VALID
    assertContains(expired, "più di 3 giorni")
    assert heading(posted) == NO_LONGER_VALID
    marco.refresh_from_db()
    assert not marco.has_usable_password()


def test_the_expiry_follows_the_setting(
    marco: User, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    settings.PASSWORD_RESET_TIMEOUT = 3600
    link = _path(invitation_link(marco))

    # when
    _at(monkeypatch, timedelta(hours=1, seconds=1))

    # then
    assert heading(Client().get(link)) == NO_LONGER_VALID


# --- The request: the same for every e-mail, throttled ---------------------------------------


def _request(client: Client, email: str) -> tuple[Any, int]:
    """POST the request; its answer and the number of SQL statements it ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.post(RESET, {"email": email})
    return response, len(queries)


def test_a_known_and_an_unknown_email_get_the_same_answer_and_work(
    bob: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    # when
    with django_capture_on_commit_callbacks(execute=False) as known_callbacks:
        known, known_queries = _request(Client(), bob.email)
    with django_capture_on_commit_callbacks(execute=False) as unknown_callbacks:
        unknown, unknown_queries = _request(Client(), "nessuno@esempio.example")

    # then: the same page, status and statements; the look-up is the worker's
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known["Location"] == reverse("accounts:password_reset_sent")
    assert known_queries == unknown_queries
    assert len(known_callbacks) == len(unknown_callbacks) == 1
    assert mail.outbox == []


def test_only_a_known_email_gets_the_link(
    bob: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    # when
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(RESET, {"email": "nessuno@esempio.example"})
        Client().post(RESET, {"email": " Bob@Esempio.example "})

    # then
    assert [message.to for message in mail.outbox] == [[bob.email]]
    assert "/accounts/set-password/" in str(mail.outbox[0].body)


@pytest.mark.parametrize("email", ["bob@esempio.example", "nessuno@esempio.example"])
def test_too_many_requests_for_one_email_answer_429_known_or_not(
    bob: User,
    settings: Settings,
    django_capture_on_commit_callbacks: Callable[..., Any],
    email: str,
) -> None:
    # given
    settings.CENTREX_PASSWORD_RESET_MAX_PER_EMAIL = 2
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(2):
            assert (
                Client(REMOTE_ADDR=f"192.0.2.{n}").post(RESET, {"email": email}).status_code == 302
            )
    sent = len(mail.outbox)

    # when: from yet another address
    with django_capture_on_commit_callbacks(execute=True):
        response = Client(REMOTE_ADDR="192.0.2.99").post(RESET, {"email": email})

    # then
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 3600
    assertContains(
        response, "Troppe richieste di una nuova password. Riprova tra 60 minuti.", status_code=429
    )
    assert len(mail.outbox) == sent == (2 if email == bob.email else 0)


def test_too_many_requests_from_one_address_answer_429(
    bob: User, settings: Settings, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    # given
    settings.CENTREX_PASSWORD_RESET_MAX_PER_ADDRESS = 3
    client = Client(REMOTE_ADDR="198.51.100.7")
    for n in range(3):
        assert client.post(RESET, {"email": f"nessuno{n}@esempio.example"}).status_code == 302

    # when
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(RESET, {"email": bob.email})
        elsewhere = Client(REMOTE_ADDR="198.51.100.8").post(RESET, {"email": bob.email})

    # then
    assert refused.status_code == 429
    assert "Retry-After" in refused
    assert elsewhere.status_code == 302
    assert [message.to for message in mail.outbox] == [[bob.email]]


def test_the_limits_are_those_of_the_settings(settings: Settings) -> None:
    assert settings.CENTREX_PASSWORD_RESET_WINDOW_SECONDS == 3600
    assert settings.CENTREX_PASSWORD_RESET_MAX_PER_EMAIL == 5
    assert settings.CENTREX_PASSWORD_RESET_MAX_PER_ADDRESS == 50


# --- Words (issue 14) ------------------------------------------------------------------------


def test_a_short_password_is_refused_in_italian_on_the_italian_page(marco: User) -> None:
    # given: the invitee is signed out; the page speaks the language the admin chose (Italian)
    link = _path(invitation_link(marco))
    # when
    response = _set(Client(), link, "Corta-1!")
    # then
    assert response.status_code == 200
    content = response.content.decode()
    assert "Questa password è troppo corta. Deve contenere almeno 10 caratteri." in content
    assert "too short" not in content
    marco.refresh_from_db()
    assert not marco.has_usable_password()


def test_a_short_password_is_refused_in_english_for_an_english_invitee(
    alice: User, esempio: Customer
) -> None:
    # given
    john = create_user(
        esempio, UserData(email="john@esempio.example", language="en"), acting_user=alice
    )
    # when
    response = _set(Client(), _path(invitation_link(john)), "Short-1!")
    # then
    assertContains(response, "This password is too short. It must contain at least 10 characters.")


def test_the_invitation_has_one_period_after_a_company_name_ending_with_one(
    alice: User, esempio: Customer, django_capture_on_commit_callbacks
) -> None:
    # given: «Esempio S.r.l.» ends with a period
    assert esempio.name.endswith(".")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        create_user(esempio, UserData(email="elena@esempio.example"), acting_user=alice)
    # then
    message = mail.outbox[-1]
    html = str(message.alternatives[0][0])  # type: ignore[attr-defined]
    for text in (str(message.subject), str(message.body), html):
        assert "S.r.l.." not in text
    assert "Alice Rossi ha creato il tuo account per Esempio S.r.l. nell'Area Clienti" in str(
        message.body
    )
