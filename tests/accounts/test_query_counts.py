"""Impostazioni > Utenti and GET /api/v1/users on a large customer: the number of database
queries per request does not grow with the rows shown (issue 2's benchmark condition; the
timing itself is in benchmarks/). The page's plain 1-vs-50-rows case is in test_pages_users."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from centrex.accounts.models import Language, Role, User
from centrex.customers.actions import provision_extensions
from centrex.customers.models import Customer, Extension

LARGE = 260  # users added to Esempio S.r.l.: more than one API page of 200, six list pages


@pytest.fixture
def large_esempio(esempio: Customer, operator: User, alice: User, bob: User) -> Customer:
    """Esempio S.r.l. with LARGE more users, every role, language, state and one in three
    without an extension — in bulk, as the benchmark builds them."""
    provision_extensions(esempio, [str(n) for n in range(1000, 1000 + LARGE)], acting_user=operator)
    free = list(Extension.objects.filter(customer=esempio).free().in_number_order())
    users = []
    for i in range(LARGE):
        user = User(
            customer=esempio,
            email=f"utente{i:03}@esempio.example",
            first_name="Utente",
            last_name=f"Numero {i:03}",
            role=Role.ADMIN if i % 20 == 0 else Role.USER,
            language=Language.ENGLISH if i % 2 else Language.ITALIAN,
            is_active=i % 25 != 7,
            extension=free[i] if i % 3 else None,
        )
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users)
    return esempio


def queries_for(client: Client, path: str) -> int:
    """Queries of one GET after a first one (which may fill per-process caches)."""
    assert client.get(path).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_users_api_does_not_query_per_row(
    large_esempio: Customer, alice: User, api_client: Callable[[User | None], Client]
) -> None:
    # given Alice's bearer token and a company of more than 200 users
    client = api_client(alice)
    assert client.get("/api/v1/users?limit=200").json()["count"] == LARGE + 2

    # when she lists 5 users, then 200, then a later page, then a search
    small = queries_for(client, "/api/v1/users?limit=5")
    counts = {
        path: queries_for(client, path)
        for path in (
            "/api/v1/users?limit=200",
            "/api/v1/users?limit=50&offset=200",
            "/api/v1/users?search=numero&limit=200",
        )
    }

    # then every list costs the same few queries (auth, count, rows with their extensions)
    assert small <= 4
    assert counts == dict.fromkeys(counts, small)


def test_the_utenti_page_costs_the_same_on_every_page_and_search(
    large_esempio: Customer, alice: User
) -> None:
    # given Alice in Impostazioni > Utenti of a company with six pages of users
    client = Client()
    client.force_login(alice)
    first = queries_for(client, "/impostazioni/utenti/")

    # when she opens a later page, the last page, a search and a one-row search
    counts = {
        path: queries_for(client, path)
        for path in (
            "/impostazioni/utenti/?page=3",
            "/impostazioni/utenti/?page=6",
            "/impostazioni/utenti/?q=numero",
            "/impostazioni/utenti/?q=utente007",
        )
    }

    # then the number of queries is the same as for the first page (R-U2)
    assert counts == dict.fromkeys(counts, first)
    assert first <= 6
