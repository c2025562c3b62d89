"""Impostazioni > Utenti through the API: customer admins manage their company's users
(API.md "Users and extensions"; R-U2–U7)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from centrex.accounts.models import User
from centrex.customers.models import Customer
from tests.problems import assert_problem, error_fields

NEW_USER = {
    "email": "carlo@esempio.example",
    "first_name": "Carlo",
    "last_name": "Gialli",
    "role": "user",
    "language": "en",
    "extension": "205",
}


@pytest.fixture
def as_alice(alice: User, bob: User, api_client: Callable[[User | None], Client]) -> Client:
    return api_client(alice)


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, body, content_type="application/json")


def patch(client: Client, path: str, body: Any) -> Any:
    return client.patch(path, body, content_type="application/json")


# --- listing (R-U2) ---------------------------------------------------------------------


def test_an_admin_lists_the_company_users_with_role_extension_and_communicator_state(
    as_alice: Client, alice: User, bob: User
) -> None:
    # when
    response = as_alice.get("/api/v1/users")
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    by_email = {item["email"]: item for item in body["items"]}
    assert by_email["bob@esempio.example"] == {
        "id": bob.pk,
        "email": "bob@esempio.example",
        "first_name": "Bob",
        "last_name": "Bianchi",
        "role": "user",
        "language": "it",
        "is_active": True,
        "extension": "202",
        "communicator_enabled": True,
        "communicator_online": False,
        "mobile_number": None,
        "mobile_verified": False,
    }
    assert by_email["alice@esempio.example"]["role"] == "admin"


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("bianchi", ["bob@esempio.example"]),
        ("ALICE@", ["alice@esempio.example"]),
        ("alice rossi", ["alice@esempio.example"]),
        ("bob rossi", []),
        ("esempio", ["bob@esempio.example", "alice@esempio.example"]),
    ],
)
def test_search_matches_every_word_in_the_name_or_email(
    as_alice: Client, search: str, expected: list[str]
) -> None:
    body = as_alice.get("/api/v1/users", {"search": search}).json()
    assert [item["email"] for item in body["items"]] == expected
    assert body["count"] == len(expected)


def test_the_list_is_paginated_with_limit_and_offset(as_alice: Client) -> None:
    # when
    first = as_alice.get("/api/v1/users", {"limit": 1}).json()
    second = as_alice.get("/api/v1/users", {"limit": 1, "offset": 1}).json()
    # then
    assert (first["count"], second["count"]) == (2, 2)
    assert len(first["items"]) == len(second["items"]) == 1
    assert first["items"][0]["id"] != second["items"][0]["id"]


def test_the_limit_defaults_to_50_and_is_capped_at_200(as_alice: Client, esempio: Customer) -> None:
    # given: 250 users in all
    User.objects.bulk_create(
        User(customer=esempio, email=f"user{n:03}@esempio.example", password="!")
        for n in range(248)
    )
    # when
    default = as_alice.get("/api/v1/users").json()
    capped = as_alice.get("/api/v1/users", {"limit": 1000}).json()
    # then
    assert (default["count"], len(default["items"])) == (250, 50)
    assert (capped["count"], len(capped["items"])) == (250, 200)


@pytest.mark.parametrize("query", [{"limit": 0}, {"offset": -1}, {"limit": "many"}])
def test_a_bad_limit_or_offset_is_422(as_alice: Client, query: dict[str, Any]) -> None:
    assert_problem(as_alice.get("/api/v1/users", query), 422, "validation_error")


# --- who may ----------------------------------------------------------------------------

CUSTOMER_ADMIN_ENDPOINTS = [
    ("get", "/api/v1/users", None),
    ("post", "/api/v1/users", NEW_USER),
    ("get", "/api/v1/users/{alice}", None),
    ("patch", "/api/v1/users/{alice}", {"first_name": "Alicia"}),
    ("delete", "/api/v1/users/{alice}", None),
    ("get", "/api/v1/extensions", None),
]


@pytest.mark.parametrize(("method", "path", "body"), CUSTOMER_ADMIN_ENDPOINTS)
def test_a_plain_user_gets_403_permission_denied(
    bob: User,
    alice: User,
    api_client: Callable[[User | None], Client],
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    # when
    response = getattr(api_client(bob), method)(
        path.format(alice=alice.pk), body, content_type="application/json"
    )
    # then
    assert_problem(response, 403, "permission_denied")
    alice.refresh_from_db()
    assert (alice.first_name, alice.is_active) == ("Alice", True)


@pytest.mark.parametrize(("method", "path", "body"), CUSTOMER_ADMIN_ENDPOINTS)
def test_an_operator_gets_403_on_the_customer_area(
    operator: User,
    alice: User,
    api_client: Callable[[User | None], Client],
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    response = getattr(api_client(operator), method)(
        path.format(alice=alice.pk), body, content_type="application/json"
    )
    assert_problem(response, 403, "permission_denied")


# --- Nuovo Utente (R-U3, R-U5) ----------------------------------------------------------


def test_a_new_user_is_created_with_the_extension_and_invited_by_email(
    as_alice: Client, esempio: Customer, django_capture_on_commit_callbacks: Any
) -> None:
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = post(as_alice, "/api/v1/users", NEW_USER)
    # then
    assert response.status_code == 201
    body = response.json()
    created = User.objects.get(email="carlo@esempio.example")
    assert body == {
        "id": created.pk,
        "email": "carlo@esempio.example",
        "first_name": "Carlo",
        "last_name": "Gialli",
        "role": "user",
        "language": "en",
        "is_active": True,
        "extension": "205",
        "communicator_enabled": True,
        "communicator_online": False,
        "mobile_number": None,
        "mobile_verified": False,
    }
    assert created.customer == esempio
    assert not created.has_usable_password()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["carlo@esempio.example"]
    assert "/accounts/set-password/" in mail.outbox[0].body


def test_a_new_user_needs_only_an_email(as_alice: Client) -> None:
    # when
    response = post(as_alice, "/api/v1/users", {"email": "dora@esempio.example"})
    # then
    assert response.status_code == 201
    body = response.json()
    assert (body["role"], body["language"], body["extension"]) == ("user", "it", None)
    assert body["communicator_enabled"] is False


def test_an_extension_sent_as_a_number_is_read_as_text(as_alice: Client) -> None:
    response = post(as_alice, "/api/v1/users", {**NEW_USER, "extension": 205})
    assert response.json()["extension"] == "205"


def test_an_email_already_in_use_is_409_whatever_its_case(as_alice: Client) -> None:
    # when
    response = post(as_alice, "/api/v1/users", {**NEW_USER, "email": "BOB@Esempio.Example"})
    # then
    body = assert_problem(response, 409, "email_taken")
    assert error_fields(body) == {"email": "email_taken"}
    assert not User.objects.filter(first_name="Carlo").exists()


def test_a_taken_extension_is_refused(as_alice: Client) -> None:
    # when: 202 is Bob's
    response = post(as_alice, "/api/v1/users", {**NEW_USER, "extension": "202"})
    # then
    body = assert_problem(response, 409, "extension_unavailable")
    assert error_fields(body) == {"extension": "extension_unavailable"}
    assert not User.objects.filter(email="carlo@esempio.example").exists()


def test_an_unknown_extension_is_refused(as_alice: Client) -> None:
    response = post(as_alice, "/api/v1/users", {**NEW_USER, "extension": "999"})
    assert_problem(response, 409, "extension_unavailable")


def test_another_customers_extension_is_refused(as_alice: Client, carla: User) -> None:
    # when: 301 exists, but it is Altra's (Carla's)
    response = post(as_alice, "/api/v1/users", {**NEW_USER, "extension": "301"})
    # then
    assert_problem(response, 409, "extension_unavailable")
    carla.refresh_from_db()
    assert carla.extension is not None and carla.extension.number == "301"


def test_a_bad_email_is_422_validation_error(as_alice: Client) -> None:
    response = post(as_alice, "/api/v1/users", {**NEW_USER, "email": "not-an-address"})
    body = assert_problem(response, 422, "validation_error")
    assert error_fields(body) == {"email": "validation_error"}


def test_every_fault_is_listed(as_alice: Client) -> None:
    # when
    response = post(
        as_alice, "/api/v1/users", {**NEW_USER, "email": "nope", "role": "boss", "language": "fr"}
    )
    # then
    body = assert_problem(response, 422, "validation_error")
    assert error_fields(body) == {
        "email": "validation_error",
        "role": "validation_error",
        "language": "validation_error",
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"first_name": "Carlo"}, "email"),
        ({**NEW_USER, "email": 42}, "email"),
        ({**NEW_USER, "role": None}, "role"),
        ({**NEW_USER, "extension": ["205"]}, "extension"),
    ],
)
def test_a_missing_field_or_a_wrong_type_is_422(
    as_alice: Client, body: dict[str, Any], field: str
) -> None:
    response = post(as_alice, "/api/v1/users", body)
    problem = assert_problem(response, 422, "validation_error")
    assert field in error_fields(problem)


# --- one user, Modifica Utente (R-U4, R-U5, R-U7) ---------------------------------------


def test_an_admin_reads_one_user(as_alice: Client, bob: User) -> None:
    response = as_alice.get(f"/api/v1/users/{bob.pk}")
    assert response.status_code == 200
    assert response.json()["email"] == "bob@esempio.example"


def test_a_missing_user_is_404(as_alice: Client) -> None:
    assert_problem(as_alice.get("/api/v1/users/987654"), 404, "not_found")


@pytest.mark.parametrize("user_id", ["9223372036854775808", "99999999999999999999999", "-1"])
def test_an_id_out_of_range_is_404(as_alice: Client, user_id: str) -> None:
    assert_problem(as_alice.get(f"/api/v1/users/{user_id}"), 404, "not_found")


def test_an_id_that_is_not_a_number_is_422(as_alice: Client) -> None:
    assert_problem(as_alice.get("/api/v1/users/abc"), 422, "validation_error")


def test_an_operator_is_not_one_of_the_company_users(as_alice: Client, operator: User) -> None:
    assert_problem(as_alice.get(f"/api/v1/users/{operator.pk}"), 404, "not_found")


def test_changing_the_extension_associates_it(as_alice: Client, bob: User) -> None:
    # when
    response = patch(as_alice, f"/api/v1/users/{bob.pk}", {"extension": "210"})
    # then
    assert response.status_code == 200
    assert response.json()["extension"] == "210"
    bob.refresh_from_db()
    assert bob.extension is not None and bob.extension.number == "210"


def test_removing_the_extension_dissociates_it_and_disables_communicator(
    as_alice: Client, bob: User
) -> None:
    # when
    response = patch(as_alice, f"/api/v1/users/{bob.pk}", {"extension": None})
    # then
    assert response.status_code == 200
    assert (response.json()["extension"], response.json()["communicator_enabled"]) == (None, False)
    free = as_alice.get("/api/v1/extensions", {"free": "true", "limit": "200"}).json()
    assert "202" in [item["number"] for item in free["items"]]


def test_patch_changes_only_the_fields_sent(as_alice: Client, bob: User) -> None:
    # when
    response = patch(as_alice, f"/api/v1/users/{bob.pk}", {"last_name": "Neri", "language": "en"})
    # then
    assert response.status_code == 200
    bob.refresh_from_db()
    assert (bob.first_name, bob.last_name, bob.language, bob.role) == ("Bob", "Neri", "en", "user")
    assert bob.extension is not None and bob.extension.number == "202"


def test_a_user_can_be_made_admin_and_back(as_alice: Client, bob: User) -> None:
    assert patch(as_alice, f"/api/v1/users/{bob.pk}", {"role": "admin"}).json()["role"] == "admin"
    assert patch(as_alice, f"/api/v1/users/{bob.pk}", {"role": "user"}).json()["role"] == "user"


def test_changing_to_a_taken_extension_is_409(as_alice: Client, bob: User) -> None:
    # when: 201 is Alice's
    response = patch(as_alice, f"/api/v1/users/{bob.pk}", {"extension": "201"})
    # then
    assert_problem(response, 409, "extension_unavailable")
    bob.refresh_from_db()
    assert bob.extension is not None and bob.extension.number == "202"


def test_keeping_the_own_extension_is_allowed(as_alice: Client, bob: User) -> None:
    response = patch(as_alice, f"/api/v1/users/{bob.pk}", {"extension": "202"})
    assert response.status_code == 200


def test_changing_to_an_email_in_use_is_409(as_alice: Client, bob: User) -> None:
    response = patch(as_alice, f"/api/v1/users/{bob.pk}", {"email": "Alice@esempio.example"})
    assert_problem(response, 409, "email_taken")


def test_the_last_admin_cannot_be_demoted(as_alice: Client, alice: User) -> None:
    # when (R-U7)
    response = patch(as_alice, f"/api/v1/users/{alice.pk}", {"role": "user"})
    # then
    assert_problem(response, 409, "last_admin")
    alice.refresh_from_db()
    assert alice.role == "admin"


def test_the_last_admin_cannot_be_deactivated(as_alice: Client, alice: User) -> None:
    # when (R-U7)
    by_patch = patch(as_alice, f"/api/v1/users/{alice.pk}", {"is_active": False})
    by_delete = as_alice.delete(f"/api/v1/users/{alice.pk}")
    # then
    assert_problem(by_patch, 409, "last_admin")
    assert_problem(by_delete, 409, "last_admin")
    alice.refresh_from_db()
    assert alice.is_active


def test_an_admin_may_step_down_when_another_admin_remains(
    as_alice: Client, alice: User, bob: User
) -> None:
    # given
    patch(as_alice, f"/api/v1/users/{bob.pk}", {"role": "admin"})
    # when
    response = patch(as_alice, f"/api/v1/users/{alice.pk}", {"role": "user"})
    # then
    assert response.status_code == 200
    assert response.json()["role"] == "user"


def test_delete_deactivates_the_user_and_releases_the_extension(
    as_alice: Client, bob: User, api_client: Callable[[User | None], Client]
) -> None:
    # given
    bobs_client = api_client(bob)
    # when
    response = as_alice.delete(f"/api/v1/users/{bob.pk}")
    # then
    assert response.status_code == 204
    assert response.content == b""
    after = as_alice.get(f"/api/v1/users/{bob.pk}").json()
    assert (after["is_active"], after["extension"], after["communicator_enabled"]) == (
        False,
        None,
        False,
    )
    assert_problem(bobs_client.get("/api/v1/me"), 401, "not_authenticated")


def test_a_deactivated_user_can_be_reactivated(as_alice: Client, bob: User) -> None:
    # given
    as_alice.delete(f"/api/v1/users/{bob.pk}")
    # when
    response = patch(as_alice, f"/api/v1/users/{bob.pk}", {"is_active": True, "extension": "202"})
    # then
    assert response.status_code == 200
    assert (response.json()["is_active"], response.json()["communicator_enabled"]) == (True, True)


def test_a_plain_user_is_refused_before_the_body_is_read(
    bob: User, api_client: Callable[[User | None], Client]
) -> None:
    response = api_client(bob).post("/api/v1/users", "{", content_type="application/json")
    assert_problem(response, 403, "permission_denied")
