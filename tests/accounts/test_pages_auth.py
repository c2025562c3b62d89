"""Login, logout, "Password dimenticata?" and the set-password page of invitations and resets
(API.md "Authentication", "Invitations and password resets")."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from centrex.accounts.actions import UserData, create_user, invitation_link, update_own_account
from centrex.accounts.models import User
from centrex.core.models import ThrottleEvent
from centrex.customers.models import Customer
from tests.accounts.page_text import heading, label
from tests.conftest import PASSWORD

NEW_PASSWORD = "Nuova-Password-2026!"


def _link_path(link: str) -> str:
    """The path and query of an e-mailed link (the test client talks to the site directly)."""
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def _link_in(body: str) -> str:
    found = re.search(r"https?://\S+/accounts/set-password/\S+", body)
    assert found, body
    return _link_path(found.group(0))


def _without_csrf(content: bytes) -> str:
    """A page's text with its per-response CSRF tokens blanked."""
    text = content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", text)


def test_login_page_is_in_italian_by_default(client: Client, db: None) -> None:
    # when
    response = client.get(reverse("accounts:login"))

    # then
    assert response.status_code == 200
    assertContains(response, '<html lang="it">')
    assert heading(response) == "Accedi all'Area Clienti"
    assert label(response, "id_email") == "E-mail"
    assert label(response, "id_password") == "Password"
    assertContains(response, "Password dimenticata?")
    assertContains(response, "csrfmiddlewaretoken")


def test_login_page_follows_the_language_cookie(client: Client, db: None) -> None:
    # given
    client.cookies["django_language"] = "en"

    # when
    response = client.get(reverse("accounts:login"))

    # then
    assert heading(response) == "Log in to the customer area"
    assertContains(response, "Forgot password?")


def test_right_credentials_log_in_and_go_home(client: Client, bob: User) -> None:
    # when
    response = client.post(
        reverse("accounts:login"), {"email": "Bob@Esempio.example ", "password": PASSWORD}
    )

    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home"))["Location"] == reverse("dashboards:customer_home")


def test_login_goes_to_the_page_asked_for(client: Client, alice: User) -> None:
    # given
    asked = reverse("accounts:user_list")
    assert client.get(asked)["Location"].startswith(reverse("accounts:login"))

    # when
    response = client.post(
        f"{reverse('accounts:login')}?next={asked}",
        {"email": alice.email, "password": PASSWORD, "next": asked},
    )

    # then
    assert response["Location"] == asked


def test_login_never_sends_to_another_site(client: Client, bob: User) -> None:
    # when
    response = client.post(
        reverse("accounts:login"),
        {"email": bob.email, "password": PASSWORD, "next": "https://evil.example/"},
    )

    # then
    assert response["Location"] == reverse("home")


def test_login_remembers_the_users_language_for_later(client: Client, bob: User) -> None:
    # given
    update_own_account(bob, language="en")

    # when
    response = client.post(reverse("accounts:login"), {"email": bob.email, "password": PASSWORD})

    # then
    assert response.cookies["django_language"].value == "en"


def test_wrong_password_is_refused_with_a_message(client: Client, bob: User) -> None:
    # when
    response = client.post(reverse("accounts:login"), {"email": bob.email, "password": "nope"})

    # then
    assert response.status_code == 200
    assertContains(response, "E-mail o password non corrette. Controllale e riprova.")
    assert "_auth_user_id" not in client.session


def test_empty_login_form_names_the_missing_fields(client: Client, db: None) -> None:
    # when
    response = client.post(reverse("accounts:login"), {"email": "", "password": ""})

    # then
    assert response.status_code == 200
    assertContains(response, 'aria-invalid="true"', count=2)


def test_too_many_failures_answer_429_with_the_wait(
    client: Client, bob: User, settings: Any
) -> None:
    # given (API.md: after the limit of failures for one e-mail, even the right password waits)
    settings.CENTREX_LOGIN_MAX_FAILURES_PER_EMAIL = 3
    for _attempt in range(3):
        client.post(reverse("accounts:login"), {"email": bob.email, "password": "wrong"})

    # when
    response = client.post(reverse("accounts:login"), {"email": bob.email, "password": PASSWORD})

    # then
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 15 * 60
    assertContains(response, "Troppi accessi non riusciti. Riprova tra 15 minuti", status_code=429)
    assert "_auth_user_id" not in client.session


def test_logout_needs_a_post(client: Client, bob: User) -> None:
    # given
    client.force_login(bob)

    # when
    refused = client.get(reverse("accounts:logout"))
    response = client.post(reverse("accounts:logout"))

    # then
    assert refused.status_code == 405
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_reset_request_page_is_in_italian(client: Client, db: None) -> None:
    # when
    response = client.get(reverse("accounts:password_reset"))

    # then
    assert heading(response) == "Password dimenticata?"
    assert label(response, "id_email") == "E-mail"


def test_reset_request_answers_the_same_for_an_unknown_email(
    client: Client, bob: User, django_capture_on_commit_callbacks
) -> None:
    # when
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("accounts:password_reset"), {"email": bob.email}, follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post(
            reverse("accounts:password_reset"), {"email": "nessuno@esempio.example"}, follow=True
        )

    # then: nobody can learn who has an account
    assert known.redirect_chain == unknown.redirect_chain
    assert _without_csrf(known.content) == _without_csrf(unknown.content)
    assert heading(known) == "Controlla la tua e-mail"
    assert [message.to for message in mail.outbox] == [[bob.email]]


def test_reset_link_sets_a_new_password(
    client: Client, bob: User, django_capture_on_commit_callbacks
) -> None:
    # given
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": bob.email})
    link = _link_in(str(mail.outbox[0].body))

    # when
    page = client.get(link)
    response = client.post(link, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})

    # then
    assert heading(page) == "Scegli una nuova password"
    assertContains(page, 'type="password"', count=2)
    assert response["Location"] == reverse("home")
    bob.refresh_from_db()
    assert bob.check_password(NEW_PASSWORD)
    assert client.session["_auth_user_id"] == str(bob.pk)


def test_a_used_link_no_longer_works(client: Client, bob: User) -> None:
    # given
    link = _link_path(invitation_link(bob, purpose="reset"))
    client.post(link, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    client.logout()

    # when
    response = client.get(link)

    # then
    assert heading(response) == "Questo link non è più valido"
    assertContains(response, reverse("accounts:password_reset"))
    assertNotContains(response, 'type="password"')


def test_a_forged_link_shows_what_to_do(client: Client, bob: User) -> None:
    # when
    response = client.get(
        reverse("accounts:set_password", args=["Mg", "not-a-token"]) + "?purpose=invite"
    )
    garbage = client.get(reverse("accounts:set_password", args=["%%%", "x"]))
    huge = client.get(reverse("accounts:set_password", args=["OTk5OTk5OTk5OTk5OTk5OTk5OTk5", "x"]))

    # then
    assert heading(response) == "Questo link non è più valido"
    assertContains(response, "Invia di nuovo l'invito")
    assert heading(garbage) == "Questo link non è più valido"
    assert heading(huge) == "Questo link non è più valido"


def test_set_password_page_speaks_the_invited_users_language(
    client: Client, alice: User, esempio: Customer
) -> None:
    # given: Alice invites an English-speaking colleague
    frank = create_user(
        esempio, UserData(email="frank@esempio.example", language="en"), acting_user=alice
    )
    link = _link_path(invitation_link(frank))

    # when
    page = client.get(link)
    mismatch = client.post(link, {"new_password": "12345", "confirm_password": "12345"})

    # then
    assertContains(page, '<html lang="en">')
    assert heading(page) == "Choose your password"
    assert label(page, "id_new_password") == "New password"
    assertContains(mismatch, "This password is too short.")


def test_reset_request_page_follows_the_language_cookie(client: Client, db: None) -> None:
    # given
    client.cookies["django_language"] = "en"

    # when
    page = client.get(reverse("accounts:password_reset"))
    sent = client.post(reverse("accounts:password_reset"), {"email": "x@y.example"}, follow=True)

    # then
    assert heading(page) == "Forgot password?"
    assert heading(sent) == "Check your e-mail"


def test_set_password_asks_for_the_same_password_twice(client: Client, bob: User) -> None:
    # given
    link = _link_path(invitation_link(bob))

    # when
    response = client.post(
        link, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD + "x"}
    )

    # then
    assertContains(response, "Le due password sono diverse.")
    bob.refresh_from_db()
    assert bob.check_password(PASSWORD)


def test_set_password_refuses_a_weak_password_on_the_field(client: Client, bob: User) -> None:
    # given
    link = _link_path(invitation_link(bob))

    # when
    response = client.post(link, {"new_password": "12345", "confirm_password": "12345"})

    # then
    assert response.status_code == 200
    assertContains(response, 'id="id_new_password_error"')
    bob.refresh_from_db()
    assert bob.check_password(PASSWORD)


def test_set_password_link_of_a_deactivated_user_does_not_work(
    client: Client, alice: User, bob: User
) -> None:
    # given
    link = _link_path(invitation_link(bob))
    User.objects.filter(pk=bob.pk).update(is_active=False)

    # when
    response = client.get(link)

    # then
    assert heading(response) == "Questo link non è più valido"


def test_a_successful_login_forgets_the_emails_failures(client: Client, bob: User) -> None:
    # given
    client.post(reverse("accounts:login"), {"email": bob.email, "password": "wrong"})

    # when
    client.post(reverse("accounts:login"), {"email": bob.email, "password": PASSWORD})

    # then: a success forgets this e-mail's failures
    assert not ThrottleEvent.objects.filter(scope="login_email", key=bob.email).exists()


def test_a_user_of_a_disabled_company_sets_the_password_but_is_told_why_not_in(
    client: Client, bob: User, esempio: Customer
) -> None:
    # given
    link = _link_path(invitation_link(bob))
    Customer.objects.filter(pk=esempio.pk).update(is_active=False)

    # when
    response = client.post(
        link, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}, follow=True
    )

    # then: the same refusal as the login page, and no session
    assert response.redirect_chain == [(reverse("accounts:login"), 302)]
    assertContains(response, "La tua password è salvata.")
    assertContains(response, "E-mail o password non corrette.")
    assert "_auth_user_id" not in client.session
    bob.refresh_from_db()
    assert bob.check_password(NEW_PASSWORD)
