"""Regression tests for what the fuzz suite (test_fuzz.py) and issue 13 found: each was a 500.

Issue 13's report: strings holding NUL or lone surrogates reached the database (PostgreSQL
refuses NUL) or were echoed into an error that could not be encoded, on the user, customer and
mobile-number endpoints; deeply nested JSON raised RecursionError in the SMS intake. The fuzz:
a list `offset` past the 64-bit range ("datatype mismatch" on SQLite).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from centrex.accounts.models import User
from centrex.customers.models import Customer
from tests.api.test_bad_bodies import OPERATIONS
from tests.backoffice.test_api_customers import NEW_CUSTOMER
from tests.problems import assert_problem, error_fields

Caller = Callable[[User | None], Client]

NUL = "a\x00b"
SURROGATE = "a\ud800b"


def _json(value: Any) -> str:
    """JSON with the escapes as a client sends them (`\\u0000`, `\\ud800`)."""
    return json.dumps(value, ensure_ascii=True)


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["NUL", "surrogate"])
def test_a_new_user_with_nul_or_a_surrogate_is_422_and_not_stored(
    bad: str, alice: User, api_client: Caller
) -> None:
    body = {"email": f"x{bad}@esempio.example", "first_name": bad, "last_name": "X"}
    body |= {"role": "user", "language": "it", "extension": None}
    response = api_client(alice).post("/api/v1/users", _json(body), content_type="application/json")
    problem = assert_problem(response, 422, "validation_error")
    assert error_fields(problem) == {"email": "validation_error", "first_name": "validation_error"}
    assert not User.objects.filter(last_name="X").exists()


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["NUL", "surrogate"])
def test_changing_a_user_with_nul_or_a_surrogate_is_422(
    bad: str, alice: User, bob: User, api_client: Caller
) -> None:
    response = api_client(alice).patch(
        f"/api/v1/users/{bob.pk}", _json({"last_name": bad}), content_type="application/json"
    )
    problem = assert_problem(response, 422, "validation_error")
    assert error_fields(problem) == {"last_name": "validation_error"}
    bob.refresh_from_db()
    assert bob.last_name == "Bianchi"


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["NUL", "surrogate"])
def test_a_new_customer_with_nul_or_a_surrogate_is_422_and_not_stored(
    bad: str, operator: User, api_client: Caller
) -> None:
    body = copy.deepcopy(NEW_CUSTOMER)
    body["address"]["city"] = f"Torino{bad}"
    response = api_client(operator).post(
        "/api/v1/backoffice/customers", _json(body), content_type="application/json"
    )
    problem = assert_problem(response, 422, "validation_error")
    assert error_fields(problem) == {"address.city": "validation_error"}
    assert not Customer.objects.filter(name=NEW_CUSTOMER["name"]).exists()


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["NUL", "surrogate"])
def test_changing_a_customer_with_nul_or_a_surrogate_is_422(
    bad: str, operator: User, esempio: Customer, api_client: Caller
) -> None:
    response = api_client(operator).patch(
        f"/api/v1/backoffice/customers/{esempio.pk}",
        _json({"name": bad}),
        content_type="application/json",
    )
    assert_problem(response, 422, "validation_error")
    esempio.refresh_from_db()
    assert esempio.name == "Esempio S.r.l."


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["NUL", "surrogate"])
@pytest.mark.parametrize("path", ["/api/v1/me/mobile", "/api/v1/sms/policy/shared-mobile"])
def test_a_mobile_number_with_nul_or_a_surrogate_is_422(
    bad: str, path: str, alice: User, api_client: Caller
) -> None:
    response = api_client(alice).put(
        path, _json({"number": f"+39333{bad}1234567"}), content_type="application/json"
    )
    problem = assert_problem(response, 422, "validation_error")
    assert error_fields(problem) == {"number": "validation_error"}
    alice.refresh_from_db()
    assert not alice.mobile_number


def test_deeply_nested_json_to_the_sms_intake_is_400(bob: User, api_client: Caller) -> None:
    body = '{"to": ["+393331234567"], "text": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = api_client(bob).post("/api/v1/sms/messages", body, content_type="application/json")
    assert_problem(response, 400, "malformed_request")


def test_a_surrogate_in_an_sms_text_is_422_before_anything_is_queued(
    bob: User, api_client: Caller
) -> None:
    body = _json({"to": ["+393331234567"], "text": SURROGATE})
    response = api_client(bob).post("/api/v1/sms/messages", body, content_type="application/json")
    problem = assert_problem(response, 422, "validation_error")
    assert error_fields(problem) == {"text": "validation_error"}


LISTS = sorted({op.path for op in OPERATIONS if "offset" in op.query and op.method == "GET"})


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("offset", ["77254163607227318272", "9223372036854775808", "2147483648"])
def test_an_offset_past_what_a_database_takes_is_422(
    path: str, offset: str, operator: User, alice: User, api_client: Caller
) -> None:
    caller = operator if path.startswith("/api/v1/backoffice") else alice
    response = api_client(caller).get(f"{path}?offset={offset}&limit=5614688402")
    if response.status_code == 404:  # a path id of 1 that is not the caller's
        return
    problem = assert_problem(response, 422, "validation_error")
    assert error_fields(problem) == {"offset": "validation_error"}


def test_the_largest_offset_is_an_empty_page(alice: User, api_client: Caller) -> None:
    response = api_client(alice).get("/api/v1/users?offset=2147483647&limit=5614688402")
    assert response.status_code == 200
    assert response.json()["items"] == []


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "/api/v1/users"), ("patch", "/api/v1/me"), ("delete", "/api/v1/aliases/1")],
)
@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token"])
def test_a_write_without_credentials_is_401_not_a_csrf_403(
    method: str, path: str, authorization: str | None, db: None
) -> None:
    client = Client(enforce_csrf_checks=True)
    headers = {"Authorization": authorization} if authorization else {}
    response = getattr(client, method)(path, "{}", content_type="application/json", headers=headers)
    assert_problem(response, 401, "not_authenticated")
