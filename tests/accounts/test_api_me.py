"""The caller: GET and PATCH /me (API.md "Caller"; R-U6, R-U9)."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from centrex.accounts.models import User
from tests.problems import assert_problem, error_fields


def test_me_describes_a_customer_user(
    bob: User, api_client: Callable[[User | None], Client]
) -> None:
    # when
    response = api_client(bob).get("/api/v1/me")
    # then
    assert response.status_code == 200
    assert response.json() == {
        "id": bob.pk,
        "email": "bob@esempio.example",
        "first_name": "Bob",
        "last_name": "Bianchi",
        "role": "user",
        "language": "it",
        "customer": {"id": bob.customer_id, "name": "Esempio S.r.l.", "kind": "business"},
        "is_operator": False,
        "extension": "202",
        "communicator_enabled": True,
        "communicator_online": False,
        "mobile_number": None,
        "mobile_verified": False,
        "mfa_enabled": False,
    }


def test_me_of_an_admin_says_admin(
    alice: User, api_client: Callable[[User | None], Client]
) -> None:
    assert api_client(alice).get("/api/v1/me").json()["role"] == "admin"


def test_me_of_an_operator_has_no_customer(
    operator: User, api_client: Callable[[User | None], Client]
) -> None:
    # when
    body = api_client(operator).get("/api/v1/me").json()
    # then
    assert body["role"] == "operator"
    assert body["is_operator"] is True
    assert body["customer"] is None
    assert body["extension"] is None
    assert body["communicator_enabled"] is False


def test_a_user_without_extension_is_not_communicator_enabled(
    bob: User, api_client: Callable[[User | None], Client]
) -> None:
    # given (R-U6)
    User.objects.filter(pk=bob.pk).update(extension=None)
    # when
    body = api_client(bob).get("/api/v1/me").json()
    # then
    assert (body["extension"], body["communicator_enabled"]) == (None, False)


def test_the_mobile_number_is_given_in_e164(
    bob: User, api_client: Callable[[User | None], Client]
) -> None:
    # given
    User.objects.filter(pk=bob.pk).update(mobile_number="+393471234567", mobile_verified=True)
    # when
    body = api_client(bob).get("/api/v1/me").json()
    # then
    assert (body["mobile_number"], body["mobile_verified"]) == ("+393471234567", True)


def test_patch_me_changes_only_the_fields_sent(
    bob: User, api_client: Callable[[User | None], Client]
) -> None:
    # when
    response = api_client(bob).patch(
        "/api/v1/me", {"language": "en", "first_name": " Roberto "}, content_type="application/json"
    )
    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["language"], body["first_name"], body["last_name"]) == ("en", "Roberto", "Bianchi")
    bob.refresh_from_db()
    assert (bob.language, bob.first_name, bob.last_name) == ("en", "Roberto", "Bianchi")


def test_patch_me_ignores_fields_a_user_may_not_change(
    bob: User, api_client: Callable[[User | None], Client]
) -> None:
    # when
    response = api_client(bob).patch(
        "/api/v1/me", {"role": "admin", "email": "x@example.com"}, content_type="application/json"
    )
    # then
    assert response.status_code == 200
    bob.refresh_from_db()
    assert (bob.role, bob.email) == ("user", "bob@esempio.example")


def test_patch_me_with_an_unknown_language_is_422(
    bob: User, api_client: Callable[[User | None], Client]
) -> None:
    response = api_client(bob).patch(
        "/api/v1/me", {"language": "fr"}, content_type="application/json"
    )
    body = assert_problem(response, 422, "validation_error")
    assert error_fields(body) == {"language": "validation_error"}


def test_patch_me_with_null_is_422(bob: User, api_client: Callable[[User | None], Client]) -> None:
    response = api_client(bob).patch(
        "/api/v1/me", {"first_name": None}, content_type="application/json"
    )
    body = assert_problem(response, 422, "validation_error")
    assert error_fields(body) == {"first_name": "validation_error"}


def test_errors_are_in_the_callers_language(
    bob: User, api_client: Callable[[User | None], Client]
) -> None:
    # given: Bob reads English
    User.objects.filter(pk=bob.pk).update(language="en")
    # when
    response = api_client(bob).patch(
        "/api/v1/me", {"language": "fr"}, content_type="application/json"
    )
    # then: not the Italian of the portal's default language
    assert response.json()["errors"][0]["message"].startswith("Choose one of:")
