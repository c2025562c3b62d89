"""The portal's PostgreSQL backend (core/postgresql): a connection used a moment ago is not
health-checked again at the next request; after a pause it is, and a broken one is replaced."""

from __future__ import annotations

import time

import pytest
from django.db import connections

from centrex.core.postgresql import base

pytestmark = [
    pytest.mark.skipif("config.getoption('db') != 'postgres'", reason="PostgreSQL's backend"),
    pytest.mark.django_db(transaction=True),
]


class Checks:
    """Counts Django's health checks (`is_usable`) on a connection."""

    def __init__(self, connection: base.DatabaseWrapper) -> None:
        self.count = 0
        original = connection.is_usable

        def counted() -> bool:
            self.count += 1
            return original()

        connection.is_usable = counted  # type: ignore[method-assign]


def a_request(connection: base.DatabaseWrapper, statement: str = "SELECT 1") -> list[tuple]:
    """What a request does: the start-of-request bookkeeping, then a statement."""
    connection.close_if_unusable_or_obsolete()  # request_started
    with connection.cursor() as cursor:
        cursor.execute(statement)
        return cursor.fetchall()


def test_the_portal_runs_its_backend_with_health_checks() -> None:
    connection = connections["default"]
    assert isinstance(connection, base.DatabaseWrapper)
    assert connection.health_check_enabled


def test_a_connection_used_a_moment_ago_is_not_checked_again() -> None:
    # given a connection that has just run a statement
    connection = connections["default"]
    a_request(connection)
    checks = Checks(connection)
    # when the next requests come at once
    for _ in range(3):
        assert a_request(connection, "SELECT 2") == [(2,)]
    # then none of them paid for a check
    assert checks.count == 0


def test_after_a_pause_the_connection_is_checked_and_a_broken_one_replaced() -> None:
    # given a connection that was used, then left idle longer than TRUSTED_FOR …
    connection = connections["default"]
    a_request(connection)
    first_backend = a_request(connection, "SELECT pg_backend_pid()")[0][0]
    connection._used_at = time.monotonic() - base.TRUSTED_FOR - 0.1
    # … during which the server dropped it
    terminator = base.DatabaseWrapper(connection.settings_dict, alias="terminator")
    try:
        with terminator.cursor() as other:
            other.execute("SELECT pg_terminate_backend(%s)", [first_backend])
    finally:
        terminator.close()
    checks = Checks(connection)
    # when the next request comes
    rows = a_request(connection, "SELECT pg_backend_pid()")
    # then it was checked, found broken and replaced: the request got its answer
    assert checks.count == 1
    assert rows[0][0] != first_backend
