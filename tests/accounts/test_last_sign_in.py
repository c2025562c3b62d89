"""Impostazioni > Utenti shows each user's last sign-in (issue 14): by the page or by an API
client (POST /auth/token), in Europe/Rome time, «mai» for who never signed in."""

from __future__ import annotations

import importlib
import re
from datetime import UTC, datetime

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from centrex.accounts.actions import UserData, create_user
from centrex.accounts.models import User
from centrex.core.audit import record_audit
from centrex.core.models import AuditEvent
from centrex.customers.models import Customer
from tests.conftest import PASSWORD

USERS = reverse("accounts:user_list")


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _last_sign_in_of(content: str, name: str) -> str:
    """The «Ultimo accesso» cell of the row whose link is `name`, as text."""
    row = re.search(rf"<tr>\s*<td[^>]*><a [^>]*>{name}</a>.*?</tr>", content, re.S)
    assert row, name
    cell = re.search(r"<td[^>]*data-last-sign-in[^>]*>(.*?)</td>", row.group(0), re.S)
    assert cell, row.group(0)
    return re.sub(r"<[^>]+>", "", cell.group(1)).strip()


def test_a_page_sign_in_is_the_last_sign_in(alice: User, bob: User) -> None:
    # given
    User.objects.filter(pk=bob.pk).update(last_login=None)
    # when
    Client().post(reverse("accounts:login"), {"email": bob.email, "password": PASSWORD})
    # then
    bob.refresh_from_db()
    assert bob.last_login is not None
    assert (timezone.now() - bob.last_login).total_seconds() < 60


def test_an_api_sign_in_counts_as_a_sign_in_too(alice: User, bob: User) -> None:
    # given
    User.objects.filter(pk=bob.pk).update(last_login=None)
    # when
    response = Client().post(
        "/api/v1/auth/token",
        {"email": bob.email, "password": PASSWORD},
        content_type="application/json",
    )
    # then
    assert response.status_code == 201
    bob.refresh_from_db()
    assert bob.last_login is not None
    assert (timezone.now() - bob.last_login).total_seconds() < 60


def test_a_failed_sign_in_changes_nothing(alice: User, bob: User) -> None:
    # given
    User.objects.filter(pk=bob.pk).update(last_login=None)
    # when
    Client().post(reverse("accounts:login"), {"email": bob.email, "password": "wrong"})
    # then
    bob.refresh_from_db()
    assert bob.last_login is None


@pytest.fixture
def marco(alice: User, esempio: Customer) -> User:
    """Invited by Alice, never signed in."""
    return create_user(
        esempio,
        UserData(email="marco@esempio.example", first_name="Marco", last_name="Blu"),
        acting_user=alice,
    )


def test_the_list_shows_the_last_sign_in_in_rome_time_and_mai_when_never(
    alice: User, bob: User, marco: User
) -> None:
    # given: Bob signed in at 09:30 UTC on a summer day (11:30 in Rome); Marco never did
    User.objects.filter(pk=bob.pk).update(last_login=datetime(2026, 7, 1, 9, 30, tzinfo=UTC))
    # when
    content = _logged_in(alice).get(USERS).content.decode()
    # then
    assert "Ultimo accesso" in content
    assert _last_sign_in_of(content, "Bob Bianchi") == "01/07/2026 11:30"
    assert _last_sign_in_of(content, "Marco Blu") == "mai"


def test_the_list_says_never_in_english(alice: User, marco: User) -> None:
    # given
    User.objects.filter(pk=alice.pk).update(language="en")
    # when
    content = _logged_in(alice).get(USERS).content.decode()
    # then
    assert "Last sign-in" in content
    assert _last_sign_in_of(content, "Marco Blu") == "never"


def test_the_migration_takes_older_api_sign_ins_from_the_trail(alice: User, bob: User) -> None:
    # given: before issue 14 an API sign-in was only in the trail; Alice's page sign-in is newer
    migration = importlib.import_module("centrex.accounts.migrations.0003_last_login_from_trail")
    api_sign_in = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    page_sign_in = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    User.objects.filter(pk=bob.pk).update(last_login=None)
    User.objects.filter(pk=alice.pk).update(last_login=page_sign_in)
    for person in (alice, bob):
        event = record_audit("user.signed_in", actor=person, target=person)
        AuditEvent.objects.filter(pk=event.pk).update(created_at=api_sign_in)
    # when
    migration.last_login_from_trail(apps, None)
    # then
    bob.refresh_from_db()
    alice.refresh_from_db()
    assert (bob.last_login, alice.last_login) == (api_sign_in, page_sign_in)
