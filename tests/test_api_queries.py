"""Lists cost the same number of queries for 5 rows as for 100: no query per row."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from centrex.accounts.models import User
from centrex.customers.actions import provision_extensions
from centrex.customers.models import Customer, Extension


@pytest.fixture
def crowded_esempio(esempio: Customer, alice: User, operator: User) -> Customer:
    """Esempio with 120 extensions and 110 users, most of them holding one; 110 more
    customers."""
    provision_extensions(esempio, [str(n) for n in range(221, 321)], acting_user=operator)
    free = list(Extension.objects.filter(customer=esempio).free().in_number_order())
    User.objects.bulk_create(
        User(
            customer=esempio,
            email=f"user{n:03}@esempio.example",
            password="!",
            extension=free[n] if n < 100 else None,
        )
        for n in range(110)
    )
    Customer.objects.bulk_create(
        Customer(
            name=f"Cliente {n:03}",
            kind="business",
            vat_number="12345670017",
            street="Via Po 1",
            postcode="10100",
            city="Torino",
            email=f"c{n}@example.com",
        )
        for n in range(110)
    )
    return esempio


def queries_for(client: Client, path: str, limit: int) -> tuple[int, int]:
    """(queries run, items answered) for one page of `limit` items."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, {"limit": limit})
    assert response.status_code == 200
    return len(captured), len(response.json()["items"])


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/users",
        "/api/v1/extensions",
        "/api/v1/backoffice/customers/{customer}/users",
        "/api/v1/backoffice/customers/{customer}/extensions",
        "/api/v1/backoffice/customers",
    ],
)
def test_a_list_runs_as_many_queries_for_100_items_as_for_5(
    crowded_esempio: Customer,
    alice: User,
    operator: User,
    api_client: Callable[[User | None], Client],
    path: str,
) -> None:
    # given: a client whose token has just been used (its last_used_at is fresh)
    caller = operator if "backoffice" in path else alice
    client = api_client(caller)
    url = path.format(customer=crowded_esempio.pk)
    client.get("/api/v1/me")
    # when
    few, few_items = queries_for(client, url, 5)
    many, many_items = queries_for(client, url, 100)
    # then
    assert (few_items, many_items) == (5, 100)
    assert few == many
