"""SQLite too busy to write (issue 13): a write that waits longer than the connection's
`timeout` for the writers' turn (core.sqlite.writers) or for SQLite's own lock gives up with an
OperationalError that counts as the database away — the API answers 503 `service_unavailable`
with Retry-After, not 500 — and a turn given up is let go the moment it comes, so the writers
behind it are not held up."""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import OperationalError, connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper
from pytest_django.plugin import DjangoDbBlocker

from centrex.accounts.actions import issue_api_token
from centrex.accounts.models import User
from centrex.core.outage import database_unavailable
from centrex.core.sqlite import writers
from centrex.core.sqlite.writers import WritersBusy, lock_path, write_transaction
from centrex.sms.models import SmsRequest
from tests.core.test_sqlite_writers import (
    configured,
    file_connection,
    flock_waiters,
    lock_is_free,
    wait_for,
)
from tests.plugins.policy_cast import BOB_MOBILE, give_mobile

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 0.3


@pytest.fixture
def busy_database(
    tmp_path: Path, django_db_blocker: DjangoDbBlocker
) -> Iterator[BaseDatabaseWrapper]:
    """A connection "file" to an SQLite file configured as the portal does, with a short
    `timeout` (the writers' turn) and busy timeout (SQLite's lock)."""
    entry = configured(f"sqlite:///{tmp_path}/db.sqlite3", tmp_path)
    entry["OPTIONS"] = {
        **entry["OPTIONS"],
        "timeout": TIMEOUT,
        "init_command": entry["OPTIONS"]["init_command"].replace(
            "busy_timeout=20000", f"busy_timeout={int(TIMEOUT * 1000)}"
        ),
    }
    with file_connection(entry, django_db_blocker) as busy:
        yield busy


def hold_turn(path: str) -> int:
    """Another writer's descriptor holding the writers' turn on `path`."""
    holder = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(holder, fcntl.LOCK_EX)
    return holder


def let_go(holder: int) -> None:
    fcntl.flock(holder, fcntl.LOCK_UN)
    os.close(holder)


def test_a_turn_that_does_not_come_in_time_is_given_up(busy_database: BaseDatabaseWrapper) -> None:
    # given the writers' turn held by another process's writer
    path = lock_path(busy_database.settings_dict["NAME"])
    assert path is not None
    holder = hold_turn(path)
    try:
        # when a write asks for it, then it gives up after the timeout, writing nothing
        started = time.monotonic()
        with pytest.raises(WritersBusy) as raised, write_transaction(using="file"):
            pytest.fail("the write went on without its turn")
        waited = time.monotonic() - started
        assert TIMEOUT <= waited < TIMEOUT + 2
        assert database_unavailable(raised.value)
        assert flock_waiters(path) == 1  # its waiter still queues, for the turn to let go
    finally:
        let_go(holder)
    # and once the holder is done, the given-up turn is let go: the queue moves on
    assert wait_for(lambda: lock_is_free(busy_database), 5), "the given-up turn was kept"
    with write_transaction(using="file"), busy_database.cursor() as cursor:
        cursor.execute("INSERT INTO counter VALUES (1)")
    assert lock_is_free(busy_database)
    with busy_database.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM counter")
        assert cursor.fetchone() == (1,)


def test_a_process_whose_write_gave_up_exits_without_waiting_for_the_turn(
    tmp_path: Path, busy_database: BaseDatabaseWrapper
) -> None:
    # given the turn held, and a program whose write gives up on it (its waiter still queued)
    path = lock_path(busy_database.settings_dict["NAME"])
    assert path is not None
    url = f"sqlite:///{busy_database.settings_dict['NAME']}"
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(ROOT / "src")!r})
        from pathlib import Path
        from django.conf import settings
        from centrex.config.environment import database_from_url
        database = database_from_url({url!r}, Path("."))
        database["OPTIONS"]["timeout"] = {TIMEOUT}
        settings.configure(DATABASES={{"default": database}})
        import django
        django.setup()
        from centrex.core.sqlite.writers import WritersBusy, write_transaction
        try:
            with write_transaction():
                pass
        except WritersBusy:
            print("gave up")
        """
    )
    holder = hold_turn(path)
    try:
        # when it ends, then it exits at once: nothing waits for the turn nobody wants
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=30
        )
    finally:
        let_go(holder)
    assert (done.returncode, done.stdout.strip()) == (0, "gave up"), done.stderr


def test_a_turn_that_comes_in_time_is_taken(busy_database: BaseDatabaseWrapper) -> None:
    path = lock_path(busy_database.settings_dict["NAME"])
    assert path is not None
    holder = hold_turn(path)
    released = threading.Event()

    def release_when_queued() -> None:
        if wait_for(lambda: flock_waiters(path) == 1, 5):
            released.set()
            let_go(holder)

    thread = threading.Thread(target=release_when_queued)
    thread.start()
    try:
        with write_transaction(using="file"), busy_database.cursor() as cursor:
            assert released.is_set()
            assert not lock_is_free(busy_database)
            cursor.execute("INSERT INTO counter VALUES (1)")
    finally:
        thread.join(10)
        if not released.is_set():
            let_go(holder)
    assert lock_is_free(busy_database)


def test_sqlites_own_lock_past_its_timeout_counts_as_the_database_away(
    busy_database: BaseDatabaseWrapper,
) -> None:
    # given another connection holding SQLite's write lock (outside the writers' queue)
    other = sqlite3.connect(busy_database.settings_dict["NAME"], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        # when the portal writes, then SQLite's busy timeout ends it: "database is locked"
        with (
            pytest.raises(OperationalError) as raised,
            write_transaction(using="file"),
            busy_database.cursor() as cursor,
        ):
            cursor.execute("INSERT INTO counter VALUES (1)")
        assert "locked" in str(raised.value)
        assert database_unavailable(raised.value)
    finally:
        other.rollback()
        other.close()


@pytest.fixture
def sending_bob(bob: User, settings: SettingsWrapper) -> User:
    settings.CENTREX_SMS_USER_RATE = 0
    settings.CENTREX_SMS_CUSTOMER_RATE = 0
    return give_mobile(bob, BOB_MOBILE)


@pytest.mark.django_db(transaction=True)
def test_a_send_that_waits_too_long_for_its_turn_answers_503(
    sending_bob: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the writers' queue is SQLite's (run with --db=sqlite)")
    # given the suite's database (in memory) queued on a lock file like a file database, with
    # a short timeout, and the turn held by another writer
    path = str(tmp_path / "db.sqlite3.writers")
    monkeypatch.setattr(writers, "lock_path", lambda name: path)
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "timeout", TIMEOUT)
    raw, _token = issue_api_token(sending_bob)
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    holder = hold_turn(path)
    try:
        # when a message is sent, then 503 problem+json with Retry-After, and nothing stored
        started = time.monotonic()
        response = client.post(
            "/api/v1/sms/messages",
            {"to": ["+393401112233"], "text": "Ciao"},
            content_type="application/json",
        )
        assert time.monotonic() - started < TIMEOUT + 5
    finally:
        let_go(holder)
    assert response.status_code == 503, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert int(response["Retry-After"]) >= 1
    assert json.loads(response.content)["code"] == "service_unavailable"
    assert not SmsRequest.objects.exists()
    # and once the turn is free again, the same send is accepted
    assert wait_for(lambda: flock_waiters(path) == 0, 5)
    again = client.post(
        "/api/v1/sms/messages",
        {"to": ["+393401112233"], "text": "Ciao"},
        content_type="application/json",
    )
    assert again.status_code == 202, again.content
    assert SmsRequest.objects.count() == 1
