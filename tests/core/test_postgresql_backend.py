"""PostgreSQL as the portal configures it: Django's own backend with health checks, so a
persistent connection the server dropped while idle is replaced at the next request instead of
failing it."""

from __future__ import annotations

import pytest
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

pytestmark = [
    pytest.mark.skipif("config.getoption('db') != 'postgres'", reason="PostgreSQL's backend"),
    pytest.mark.django_db(transaction=True),
]


def a_request(connection: BaseDatabaseWrapper, statement: str = "SELECT 1") -> list[tuple]:
    """What a request does: the start-of-request bookkeeping, then a statement."""
    connection.close_if_unusable_or_obsolete()  # request_started
    with connection.cursor() as cursor:
        cursor.execute(statement)
        return cursor.fetchall()


def test_the_portal_runs_django_s_backend_with_health_checks() -> None:
    connection = connections["default"]
    assert connection.settings_dict["ENGINE"] == "django.db.backends.postgresql"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]


def test_a_connection_the_server_dropped_is_replaced_at_the_next_request() -> None:
    # given a connection that was used …
    connection = connections["default"]
    first_backend = a_request(connection, "SELECT pg_backend_pid()")[0][0]
    # … then dropped by the server while idle
    terminator = type(connection)(connection.settings_dict, alias="terminator")
    try:
        with terminator.cursor() as other:
            other.execute("SELECT pg_terminate_backend(%s)", [first_backend])
    finally:
        terminator.close()
    # when the next request comes
    rows = a_request(connection, "SELECT pg_backend_pid()")
    # then it was checked, found broken and replaced: the request got its answer
    assert rows[0][0] != first_backend
