"""The fixed cast of every test (STYLE 10): an operator; "Esempio S.r.l." with admin Alice and
user Bob; "Altra S.p.A." with admin Carla; a consumer customer with Dario. Built through the
actions, as a real operator would."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from centrex.accounts.actions import UserData, create_user, issue_api_token
from centrex.accounts.models import Role, User
from centrex.customers.actions import CustomerData, create_customer, provision_extensions
from centrex.customers.models import Customer
from tests.plugins.sip import use_file_database_for_sip

PASSWORD = "Centrex-Test-2026!"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None, request: pytest.FixtureRequest
) -> None:
    """pytest-django's hook before the test databases are made: on SQLite a file when SIP
    tests run, as Kamailio reads it from its own processes (tests/plugins/sip.py)."""
    use_file_database_for_sip(request.config)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Settings) -> None:
    """Argon2 costs ~0.1 s a hash, and every test makes the cast; throttling tests fail logins
    by the dozen. No test is about the hasher (the settings keep Argon2 for real use)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_operator() -> User:
    return User.objects.create_operator(
        "operatore@provider.example", PASSWORD, first_name="Olga", last_name="Operatrice"
    )


@pytest.fixture
def operator(db: None) -> User:
    return make_operator()


def make_esempio(operator: User) -> Customer:
    customer = create_customer(
        CustomerData(
            name="Esempio S.r.l.",
            kind="business",
            vat_number="IT00743110157",
            email="amministrazione@esempio.example",
            street="Via Roma 1",
            postcode="20121",
            city="Milano",
            province="MI",
            pec="esempio@pec.example",
            phone="+390212345678",
            contact_first_name="Alice",
            contact_last_name="Rossi",
            brands=["Esempio", "EsempioNet"],
        ),
        acting_user=operator,
    )
    provision_extensions(customer, [str(n) for n in range(201, 221)], acting_user=operator)
    return customer


@pytest.fixture
def esempio(operator: User) -> Customer:
    return make_esempio(operator)


def make_alice(esempio: Customer, operator: User) -> User:
    return create_user(
        esempio,
        UserData(
            email="alice@esempio.example",
            first_name="Alice",
            last_name="Rossi",
            role=Role.ADMIN,
            extension="201",
        ),
        acting_user=operator,
        password=PASSWORD,
    )


@pytest.fixture
def alice(esempio: Customer, operator: User) -> User:
    return make_alice(esempio, operator)


def make_bob(esempio: Customer, operator: User, alice: User) -> User:
    return create_user(
        esempio,
        UserData(
            email="bob@esempio.example",
            first_name="Bob",
            last_name="Bianchi",
            role=Role.USER,
            extension="202",
        ),
        acting_user=operator,
        password=PASSWORD,
    )


@pytest.fixture
def bob(esempio: Customer, operator: User, alice: User) -> User:
    return make_bob(esempio, operator, alice)


def make_altra(operator: User) -> Customer:
    customer = create_customer(
        CustomerData(
            name="Altra S.p.A.",
            kind="business",
            vat_number="01114601006",
            email="info@altra.example",
            street="Via Torino 2",
            postcode="00184",
            city="Roma",
            province="RM",
        ),
        acting_user=operator,
    )
    provision_extensions(customer, ["301", "302", "303"], acting_user=operator)
    return customer


@pytest.fixture
def altra(operator: User) -> Customer:
    return make_altra(operator)


def make_carla(altra: Customer, operator: User) -> User:
    return create_user(
        altra,
        UserData(
            email="carla@altra.example",
            first_name="Carla",
            last_name="Verdi",
            role=Role.ADMIN,
            extension="301",
        ),
        acting_user=operator,
        password=PASSWORD,
    )


@pytest.fixture
def carla(altra: Customer, operator: User) -> User:
    return make_carla(altra, operator)


@pytest.fixture
def privato(operator: User) -> Customer:
    customer = create_customer(
        CustomerData(
            name="Dario Neri",
            kind="consumer",
            tax_code="RSSMRA85T10A562S",
            email="dario@privato.example",
            street="Via Napoli 3",
            postcode="80100",
            city="Napoli",
            province="NA",
        ),
        acting_user=operator,
    )
    provision_extensions(customer, ["10"], acting_user=operator)
    return customer


@pytest.fixture
def dario(privato: Customer, operator: User) -> User:
    return create_user(
        privato,
        UserData(
            email="dario@privato.example",
            first_name="Dario",
            last_name="Neri",
            role=Role.ADMIN,
            extension="10",
        ),
        acting_user=operator,
        password=PASSWORD,
    )


@pytest.fixture
def api_client() -> Callable[[User | None], Client]:
    """`api_client(user)`: a test client sending that user's bearer token (None: anonymous)."""

    def make(user: User | None) -> Client:
        if user is None:
            return Client()
        raw, _token = issue_api_token(user)
        return Client(headers={"Authorization": f"Bearer {raw}"})

    return make
