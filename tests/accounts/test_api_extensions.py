"""The company's IP Centrex extensions as a customer admin sees them (API.md; R-U5)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from centrex.accounts.models import User
from centrex.customers.actions import provision_extensions
from centrex.customers.models import Customer
from tests.problems import assert_problem


@pytest.fixture
def as_alice(alice: User, bob: User, api_client: Callable[[User | None], Client]) -> Client:
    return api_client(alice)


def numbers(body: dict[str, Any]) -> list[str]:
    return [item["number"] for item in body["items"]]


def test_free_extensions_are_listed_in_number_order(
    as_alice: Client, esempio: Customer, operator: User
) -> None:
    # given: 99 and 1000 besides 201–220 (Alice has 201, Bob 202)
    provision_extensions(esempio, ["1000", "99"], acting_user=operator)
    # when
    body = as_alice.get("/api/v1/extensions", {"free": "true"}).json()
    # then
    assert body["count"] == 20
    assert numbers(body) == ["99", *[str(n) for n in range(203, 221)], "1000"]
    assert {item["user_id"] for item in body["items"]} == {None}
    assert set(body["items"][0]) == {"number", "label", "user_id"}


def test_without_the_filter_every_extension_shows_its_user(
    as_alice: Client, alice: User, bob: User
) -> None:
    # when
    body = as_alice.get("/api/v1/extensions").json()
    # then
    assert body["count"] == 20
    assert body["items"][:3] == [
        {"number": "201", "label": "", "user_id": alice.pk},
        {"number": "202", "label": "", "user_id": bob.pk},
        {"number": "203", "label": "", "user_id": None},
    ]


def test_free_false_lists_the_associated_extensions(as_alice: Client) -> None:
    body = as_alice.get("/api/v1/extensions", {"free": "false"}).json()
    assert numbers(body) == ["201", "202"]


def test_the_extensions_are_paginated(as_alice: Client) -> None:
    # when
    page = as_alice.get("/api/v1/extensions", {"free": "true", "limit": "5", "offset": "5"}).json()
    # then
    assert page["count"] == 18
    assert numbers(page) == ["208", "209", "210", "211", "212"]


def test_a_non_boolean_filter_is_422(as_alice: Client) -> None:
    response = as_alice.get("/api/v1/extensions", {"free": "perhaps"})
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


@pytest.mark.parametrize("who", ["bob", "operator"])
def test_the_extensions_are_for_customer_admins_only(
    who: str, request: pytest.FixtureRequest, api_client: Callable[[User | None], Client]
) -> None:
    # given: a plain user of Esempio, or an operator
    caller: User = request.getfixturevalue(who)
    # when: even with a filter that is no boolean, the role is refused first
    listed = api_client(caller).get("/api/v1/extensions")
    malformed = api_client(caller).get("/api/v1/extensions", {"free": "perhaps"})
    # then
    assert_problem(listed, 403, "permission_denied")
    assert_problem(malformed, 403, "permission_denied")


def test_an_anonymous_caller_is_401(client: Client, db: None) -> None:
    assert_problem(client.get("/api/v1/extensions"), 401, "not_authenticated")
