"""Benchmark of Impostazioni > Utenti and GET /api/v1/users (issue 2, R-U2) on one large
customer: 10,000 users and 20,000 IP Centrex extensions.

The data is built the way the portal builds it where that is cheap enough (the customer, the
extensions and the admin through the actions) and in bulk where it is not (the other users:
`bulk_create`, unusable passwords instead of 10,000 Argon2 hashes). Requests go through the whole
Django stack with `django.test.Client` (middleware, session or bearer auth, templates, JSON),
without a network in between, so the figures are the application's own cost.
Used by `benchmarks/run.py`; needs Django set up on an empty, migrated database.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.http import HttpResponse, HttpResponseBase
from django.test import Client
from django.test.utils import CaptureQueriesContext

from centrex.accounts.actions import UserData, create_user, issue_api_token
from centrex.accounts.models import Language, Role, User
from centrex.customers.actions import CustomerData, create_customer, provision_extensions
from centrex.customers.models import Customer, Extension

ADMIN_EMAIL = "admin@grande.example"
# fmt: off
FIRST_NAMES = [
    "Alessandro", "Alice", "Andrea", "Anna", "Antonio", "Beatrice", "Carlo", "Chiara",
    "Daniele", "Elena", "Emma", "Federico", "Francesca", "Francesco", "Giacomo", "Giada",
    "Giorgia", "Giovanni", "Giulia", "Giuseppe", "Laura", "Leonardo", "Lorenzo", "Luca",
    "Marco", "Maria", "Martina", "Matteo", "Michele", "Paolo", "Riccardo", "Roberta", "Sara",
    "Simone", "Sofia", "Stefano", "Tommaso", "Valentina", "Vittoria", "Zoe"
]
LAST_NAMES = [
    "Barbieri", "Benedetti", "Bianchi", "Bruno", "Caruso", "Colombo", "Conti", "Costa",
    "Donati", "Esposito", "Fabbri", "Ferrara", "Ferrari", "Fontana", "Gallo", "Giordano",
    "Greco", "Leone", "Lombardi", "Longo", "Mancini", "Marchetti", "Mariani", "Marino",
    "Martini", "Moretti", "Neri", "Palumbo", "Pellegrini", "Rinaldi", "Ricci", "Rizzi", "Rizzo",
    "Romano", "Rossi", "Russo", "Santoro", "Serra", "Testa", "Villa"
]
# fmt: on
SEARCH_TERM = "rossi"  # one last name in forty: about 250 matches


@dataclass(frozen=True)
class Dataset:
    customer: Customer
    admin: User
    users: int
    extensions: int
    build_seconds: float


def build_dataset(*, users: int = 10_000, extensions: int = 20_000) -> Dataset:
    """One business customer with `extensions` extensions and `users` users (its admin
    included); four users in five have an extension, one in fifty is an admin, one in fifty
    is deactivated."""
    started = time.perf_counter()
    operator = User.objects.create_operator("operatore@provider.example", "Bench-Operator-2026!")
    with transaction.atomic():
        customer = create_customer(
            CustomerData(
                name="Grande Azienda S.p.A.",
                kind="business",
                vat_number="IT00743110157",
                email="it@grande.example",
                street="Via Milano 10",
                postcode="20121",
                city="Milano",
                province="MI",
            ),
            acting_user=operator,
        )
        first_number = 10_000  # five-digit numbers 10000…
        provision_extensions(
            customer,
            [str(n) for n in range(first_number, first_number + extensions)],
            acting_user=operator,
        )
        admin = create_user(
            customer,
            UserData(
                email=ADMIN_EMAIL,
                first_name="Amministratore",
                last_name="Principale",
                role=Role.ADMIN,
                extension=str(first_number),
            ),
            acting_user=operator,
            password="Bench-Admin-2026!",
        )
        free = list(Extension.objects.filter(customer=customer).free().in_number_order())
        bulk: list[User] = []
        for i in range(1, users):
            first = FIRST_NAMES[i % len(FIRST_NAMES)]
            last = LAST_NAMES[(i // len(FIRST_NAMES) + i) % len(LAST_NAMES)]
            user = User(
                customer=customer,
                email=f"{first}.{last}.{i}@grande.example".lower(),
                first_name=first,
                last_name=last,
                role=Role.ADMIN if i % 50 == 0 else Role.USER,
                language=Language.ENGLISH if i % 10 == 0 else Language.ITALIAN,
                is_active=i % 50 != 25,
                extension=free[i] if i % 5 and i < len(free) else None,
            )
            user.set_unusable_password()
            bulk.append(user)
        User.objects.bulk_create(bulk, batch_size=1000)
    with connection.cursor() as cursor:
        # Fresh statistics, as a production database would have (autovacuum / ANALYZE).
        cursor.execute("ANALYZE")
    return Dataset(
        customer=customer,
        admin=admin,
        users=User.objects.filter(customer=customer).count(),
        extensions=Extension.objects.filter(customer=customer).count(),
        build_seconds=time.perf_counter() - started,
    )


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    client: str  # "page" (session of the admin) or "api" (bearer token of the admin)
    expected_rows: int | None = None  # items in the API answer
    baseline: bool = False  # the reference the others are compared with, not a target


def scenarios() -> list[Scenario]:
    """The baseline first: GET /api/v1/me (authentication and one row), what any request costs."""
    search = SEARCH_TERM
    return [
        Scenario("baseline: GET /api/v1/me", "/api/v1/me", "api", baseline=True),
        Scenario("Utenti page, first page", "/impostazioni/utenti/", "page"),
        Scenario(f"Utenti page, search '{search}'", f"/impostazioni/utenti/?q={search}", "page"),
        Scenario("Utenti page, page 100 of 200", "/impostazioni/utenti/?page=100", "page"),
        Scenario("GET /api/v1/users?limit=50", "/api/v1/users?limit=50", "api", 50),
        Scenario("GET /api/v1/users?limit=200", "/api/v1/users?limit=200", "api", 200),
        Scenario("GET /api/v1/users?offset=9000", "/api/v1/users?limit=50&offset=9000", "api", 50),
        Scenario(f"GET /api/v1/users?search={search}", f"/api/v1/users?search={search}", "api", 50),
    ]


@dataclass(frozen=True)
class Result:
    scenario: Scenario
    median_ms: float
    p95_ms: float
    cpu_ms: float  # median CPU time of this process (SQLite's work included, PostgreSQL's not)
    queries: int
    bytes: int


def clients(dataset: Dataset) -> dict[str, Client]:
    """The admin in a browser (session cookie) and in a script (bearer token)."""
    page = Client(SERVER_NAME="localhost")
    page.force_login(dataset.admin)
    raw, _token = issue_api_token(dataset.admin)
    api = Client(SERVER_NAME="localhost", headers={"Authorization": f"Bearer {raw}"})
    return {"page": page, "api": api}


def _checked(response: HttpResponseBase, scenario: Scenario) -> int:
    """Fail loudly on a wrong answer (a fast error page is no result); return its size."""
    if response.status_code != 200 or not isinstance(response, HttpResponse):
        raise SystemExit(
            f"{scenario.name}: {scenario.path} answered {response.status_code}, not 200"
        )
    if scenario.expected_rows is not None:
        items = json.loads(response.content)["items"]
        if len(items) != scenario.expected_rows:
            raise SystemExit(
                f"{scenario.name}: {len(items)} items, expected {scenario.expected_rows}"
            )
    return len(response.content)


def measure(
    chosen: list[Scenario], by_kind: dict[str, Client], *, runs: int, warmup: int
) -> list[Result]:
    """`warmup` untimed requests each, then `runs` rounds of one timed request per scenario.
    Interleaving the scenarios spreads the noise of a shared machine evenly over all of them,
    so their ratios hold even when the absolute figures move. The query count comes from one
    more request each."""
    for scenario in chosen:
        for _ in range(warmup):
            _checked(by_kind[scenario.client].get(scenario.path), scenario)
    wall: dict[str, list[float]] = {scenario.name: [] for scenario in chosen}
    cpu: dict[str, list[float]] = {scenario.name: [] for scenario in chosen}
    sizes: dict[str, int] = {}
    for _ in range(runs):
        for scenario in chosen:
            client = by_kind[scenario.client]
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(scenario.path)
            wall[scenario.name].append((time.perf_counter() - started) * 1000)
            cpu[scenario.name].append((time.process_time() - started_cpu) * 1000)
            sizes[scenario.name] = _checked(response, scenario)
    results = []
    for scenario in chosen:
        with CaptureQueriesContext(connection) as captured:
            _checked(by_kind[scenario.client].get(scenario.path), scenario)
        timings = wall[scenario.name]
        results.append(
            Result(
                scenario=scenario,
                median_ms=statistics.median(timings),
                p95_ms=statistics.quantiles(timings, n=100, method="inclusive")[94],
                cpu_ms=statistics.median(cpu[scenario.name]),
                queries=len(captured.captured_queries),
                bytes=sizes[scenario.name],
            )
        )
    return results
