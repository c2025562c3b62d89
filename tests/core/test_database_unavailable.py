"""The database away, in process (issue 13, core/outage.py): whatever layer finds the database
unavailable — the API's endpoints, the SMS intake, a page, a middleware loading the session —
the answer is 503 with Retry-After, problem+json `service_unavailable` for the API and the plain
bilingual page for people; nothing is stored, and errors that are faults stay 500. The
connections' timeouts (config/database.py) are those said. The real outage, with processes and
a PostgreSQL stopped and started, is tests/core/test_database_outage.py."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import IntegrityError, InterfaceError, OperationalError, connection
from django.db.backends.utils import CursorWrapper
from django.http import HttpResponse
from django.test import Client, RequestFactory
from pytest_django.fixtures import Settings as SettingsWrapper

from centrex.accounts.actions import issue_api_token
from centrex.accounts.models import User
from centrex.config.database import with_timeouts
from centrex.config.environment import database_from_url
from centrex.core.outage import DatabaseOutageMiddleware, database_unavailable
from centrex.sms import enqueue
from centrex.sms.models import SmsRequest
from tests.plugins.policy_cast import BOB_MOBILE, give_mobile

MESSAGES = "/api/v1/sms/messages"
INTAKE = "centrex.sms.intake.SmsIntakeMiddleware"
ONE_SMS = {"to": ["+393401112233"], "text": "Ciao"}


@pytest.fixture
def sending_bob(bob: User, settings: SettingsWrapper) -> User:
    """Bob, who may send SMS, with no sending limits (R-S7)."""
    settings.CENTREX_SMS_USER_RATE = 0
    settings.CENTREX_SMS_CUSTOMER_RATE = 0
    return give_mobile(bob, BOB_MOBILE)


@pytest.fixture
def database_away(db: None) -> Iterator[Callable[[], None]]:
    """`database_away()`: from then on every statement fails as with PostgreSQL stopped (until
    the test ends, before the test database is checked and rolled back)."""
    patches = pytest.MonkeyPatch()

    def away() -> None:
        def refuse(self: CursorWrapper, *args: Any, **kwargs: Any) -> Any:
            raise OperationalError('connection to server at "127.0.0.1" failed: refused')

        patches.setattr(CursorWrapper, "execute", refuse)
        patches.setattr(CursorWrapper, "executemany", refuse)

    try:
        yield away
    finally:
        patches.undo()


def bearer_client(user: User) -> Client:
    raw, _token = issue_api_token(user)
    return Client(headers={"Authorization": f"Bearer {raw}"}, raise_request_exception=False)


def assert_service_unavailable(response: Any) -> dict[str, Any]:
    assert response.status_code == 503, response.content[:500]
    assert response["Content-Type"] == "application/problem+json"
    assert int(response["Retry-After"]) >= 1
    body: dict[str, Any] = json.loads(response.content)
    assert body["status"] == 503
    assert body["code"] == "service_unavailable"
    assert body["errors"][0]["code"] == "service_unavailable"
    return body


def test_an_api_endpoint_answers_503_problem_json(
    sending_bob: User, database_away: Callable[[], None], caplog: pytest.LogCaptureFixture
) -> None:
    client = bearer_client(sending_bob)
    client.get("/api/v1/me")  # the stack is loaded while the database is there
    database_away()
    assert_service_unavailable(client.get("/api/v1/me"))
    assert_service_unavailable(client.get("/api/v1/sms/messages"))
    # each said in one warning line, not as an error with its traceback
    said = [(r.name, r.levelname) for r in caplog.records if r.levelno >= logging.WARNING]
    assert said == [("centrex.core.outage", "WARNING")] * 2


def test_the_answer_is_in_the_callers_language(
    sending_bob: User, database_away: Callable[[], None]
) -> None:
    client = bearer_client(sending_bob)
    database_away()
    italian = assert_service_unavailable(client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="it"))
    english = assert_service_unavailable(client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en"))
    assert italian["title"] == "Servizio non disponibile"
    assert english["title"] == "Service unavailable"


@pytest.fixture(params=["intake", "endpoint"])
def sender_client(
    request: pytest.FixtureRequest, sending_bob: User, settings: SettingsWrapper
) -> Client:
    """Bob's bearer client, its sends served by the SMS intake or (without it) by the ninja
    endpoint: both must answer the database away alike."""
    if request.param == "endpoint":
        settings.MIDDLEWARE = [name for name in django_settings.MIDDLEWARE if name != INTAKE]
    return bearer_client(sending_bob)


def test_a_send_that_cannot_be_stored_answers_503_and_stores_nothing(
    sender_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the insert of the group commit failing as with the database gone mid-request
    client = sender_client

    def lost(group: Any) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(enqueue, "_insert", lost)
    # when a message is sent, then 503, never a 202, and nothing stored
    response = client.post(MESSAGES, ONE_SMS, content_type="application/json")
    assert_service_unavailable(response)
    assert not SmsRequest.objects.exists()


def test_a_send_whose_token_cannot_be_read_answers_503(
    sender_client: Client, database_away: Callable[[], None]
) -> None:
    client = sender_client
    client.get("/api/v1/me")
    database_away()
    assert_service_unavailable(client.post(MESSAGES, ONE_SMS, content_type="application/json"))


def test_a_page_answers_the_plain_503_page(
    alice: User, database_away: Callable[[], None], caplog: pytest.LogCaptureFixture
) -> None:
    # given a signed-in person: the session and the user are loaded by the middlewares
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    client.get("/")
    database_away()
    response = client.get("/")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert int(response["Retry-After"]) >= 1
    assert response["X-Content-Type-Options"] == "nosniff"  # inside the security headers
    page = response.content.decode()
    assert "Servizio momentaneamente non disponibile" in page
    assert "Service briefly unavailable" in page
    # said in one warning line, not as an error with its traceback
    said = [(r.name, r.levelname) for r in caplog.records if r.levelno >= logging.WARNING]
    assert said == [("centrex.core.outage", "WARNING")]


def test_a_view_that_finds_the_database_away_answers_503() -> None:
    request = RequestFactory().get("/customers/")
    middleware = DatabaseOutageMiddleware(HttpResponse)
    response = middleware.process_exception(request, InterfaceError("connection already closed"))
    assert response is not None and response.status_code == 503
    assert "Service briefly unavailable" in response.content.decode()
    api = RequestFactory().get("/api/v1/me")
    assert_service_unavailable(middleware.process_exception(api, OperationalError("refused")))
    # and a fault is left to Django's 500
    assert middleware.process_exception(request, IntegrityError("duplicate key")) is None
    assert middleware.process_exception(request, ValueError("a bug")) is None


def sqlite_error(message: str) -> OperationalError:
    """A Django OperationalError as the sqlite3 backend raises it (its cause is sqlite3's)."""
    try:
        try:
            raise sqlite3.OperationalError(message)
        except sqlite3.OperationalError as cause:
            raise OperationalError(message) from cause
    except OperationalError as error:
        return error


def test_which_errors_mean_the_database_is_away() -> None:
    assert database_unavailable(OperationalError("could not connect: Connection refused"))
    assert database_unavailable(OperationalError("canceling statement due to statement timeout"))
    assert database_unavailable(InterfaceError("connection already closed"))
    assert database_unavailable(sqlite_error("database is locked"))
    assert not database_unavailable(sqlite_error("no such table: sms_smsmessage"))
    assert not database_unavailable(IntegrityError("UNIQUE constraint failed"))
    assert not database_unavailable(RuntimeError("database is locked"))


def test_postgresql_connections_have_connect_statement_and_lock_timeouts() -> None:
    entry = with_timeouts(
        database_from_url("postgres://u@db.example:5432/centrex", django_settings.DATA_DIR),
        connect=5,
        statement=30,
        lock=10,
    )
    options = entry["OPTIONS"]
    assert options["connect_timeout"] == 5
    assert options["options"] == "-c statement_timeout=30s -c lock_timeout=10s"
    assert options["keepalives"] == 1 and options["tcp_user_timeout"] > 0
    # what DATABASE_URL says wins; 0 turns a timeout off
    given = with_timeouts(
        database_from_url(
            "postgres://u@db/c?connect_timeout=2&options=-c%20statement_timeout%3D1s",
            django_settings.DATA_DIR,
        ),
        connect=5,
        statement=30,
        lock=0,
    )
    assert given["OPTIONS"]["connect_timeout"] == "2"
    assert given["OPTIONS"]["options"] == "-c statement_timeout=1s"
    sqlite = database_from_url("sqlite:///", django_settings.DATA_DIR)
    assert with_timeouts(dict(sqlite), connect=5, statement=30, lock=10) == sqlite


@pytest.fixture
def postgres_only() -> Iterator[None]:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's statement_timeout (run with --db=postgres)")
    yield


@pytest.mark.django_db
def test_the_suites_postgresql_connections_carry_the_timeouts(postgres_only: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == ("30s",)
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone() == ("10s",)


@pytest.mark.django_db(transaction=True)
def test_a_statement_past_its_timeout_counts_as_the_database_away(postgres_only: None) -> None:
    with pytest.raises(OperationalError) as raised, connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = '50ms'")
        cursor.execute("SELECT pg_sleep(2)")
    assert database_unavailable(raised.value)
    connection.close()
