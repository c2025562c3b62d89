"""Opzioni Account (R-U9): name, language applied at once, and password, for every user."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains

from centrex.accounts.actions import update_own_account
from centrex.accounts.models import User
from tests.accounts.page_text import heading, label
from tests.conftest import PASSWORD

OPTIONS = reverse("accounts:options")
NEW_PASSWORD = "Nuova-Password-2026!"


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_options_page_is_in_italian_by_default(bob: User) -> None:
    # when
    response = _logged_in(bob).get(OPTIONS)

    # then
    assert response.status_code == 200
    assert heading(response) == "Opzioni Account"
    assertContains(response, "<title>Opzioni Account · Centrex Portal</title>")
    for field, label_text in (
        ("first_name", "Nome"),
        ("last_name", "Cognome"),
        ("language", "Lingua"),
        ("current_password", "Password attuale"),
        ("new_password", "Nuova password"),
        ("confirm_password", "Conferma la nuova password"),
    ):
        assert label(response, f"id_{field}") == label_text
    assertContains(response, 'type="password"', count=3)
    assertContains(response, "bob@esempio.example")


def test_options_page_is_in_english_for_an_english_user(bob: User) -> None:
    # given
    update_own_account(bob, language="en")

    # when
    response = _logged_in(bob).get(OPTIONS)

    # then
    assert heading(response) == "Account Options"
    assert label(response, "id_current_password") == "Current password"


def test_changing_the_language_applies_at_once(bob: User) -> None:
    # given
    client = _logged_in(bob)

    # when
    response = client.post(
        OPTIONS,
        {"form": "account", "first_name": "Roberto", "last_name": "Bianchi", "language": "en"},
        follow=True,
    )

    # then
    bob.refresh_from_db()
    assert (bob.first_name, bob.language) == ("Roberto", "en")
    assertContains(response, '<html lang="en">')
    assertContains(response, "Your account options are saved.")
    assert heading(response) == "Account Options"
    assert response.redirect_chain[0][0] == OPTIONS
    assert client.cookies["django_language"].value == "en"


def test_a_too_long_name_is_refused_on_the_field(bob: User) -> None:
    # when
    response = _logged_in(bob).post(
        OPTIONS, {"form": "account", "first_name": "x" * 101, "last_name": "", "language": "it"}
    )

    # then
    assertContains(response, 'id="id_first_name_error"')
    bob.refresh_from_db()
    assert bob.first_name == "Bob"


def test_changing_the_password_keeps_the_user_logged_in(bob: User) -> None:
    # given
    client = _logged_in(bob)

    # when
    response = client.post(
        OPTIONS,
        {
            "form": "password",
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
        follow=True,
    )

    # then
    bob.refresh_from_db()
    assert bob.check_password(NEW_PASSWORD)
    assertContains(response, "La tua password è cambiata.")
    assert client.get(OPTIONS).status_code == 200


def test_a_wrong_current_password_is_refused_on_the_field(bob: User) -> None:
    # when
    response = _logged_in(bob).post(
        OPTIONS,
        {
            "form": "password",
            "current_password": "sbagliata",
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )

    # then
    assertContains(response, 'id="id_current_password_error"')
    assertContains(response, "La password attuale non è corretta.")
    bob.refresh_from_db()
    assert bob.check_password(PASSWORD)


def test_the_new_password_must_be_typed_twice_the_same(bob: User) -> None:
    # when
    response = _logged_in(bob).post(
        OPTIONS,
        {
            "form": "password",
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": "altra",
        },
    )

    # then
    assertContains(response, 'id="id_confirm_password_error"')
    bob.refresh_from_db()
    assert bob.check_password(PASSWORD)


def test_a_weak_new_password_is_refused_on_the_field(bob: User) -> None:
    # when
    response = _logged_in(bob).post(
        OPTIONS,
        {
            "form": "password",
            "current_password": PASSWORD,
            "new_password": "123",
            "confirm_password": "123",
        },
    )

    # then
    assertContains(response, 'id="id_new_password_error"')


def test_operators_have_account_options_too(operator: User) -> None:
    # when
    response = _logged_in(operator).post(
        OPTIONS,
        {"form": "account", "first_name": "Olga", "last_name": "Operatrice", "language": "en"},
    )

    # then
    assert response.status_code == 302
    operator.refresh_from_db()
    assert operator.language == "en"
    assert _logged_in(operator).get(OPTIONS).status_code == 200


def test_an_anonymous_visitor_is_sent_to_log_in(client: Client, db: None) -> None:
    # when
    response = client.get(OPTIONS)

    # then
    assert response["Location"].startswith(reverse("accounts:login"))
