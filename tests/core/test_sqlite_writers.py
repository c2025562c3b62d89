"""The writers' queue (core.sqlite.writers): the send path's write transactions queue on
`<database>.writers` — the turn is held from BEGIN to COMMIT or ROLLBACK, never left behind, not
taken again inside a transaction — and writers of several processes all get through, in turn,
without "database is locked"."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import ConnectionHandler
from pytest_django.plugin import DjangoDbBlocker

from centrex.config.environment import database_from_url
from centrex.core.sqlite.writers import lock_path, write_transaction

ROOT = Path(__file__).resolve().parents[2]


def configured(url: str, data_dir: Path) -> dict[str, Any]:
    """The DATABASES entry of `url` with Django's defaults filled in."""
    handler = ConnectionHandler({"default": database_from_url(url, data_dir)})
    return dict(handler.settings["default"])


@contextmanager
def file_connection(
    entry: dict[str, Any], django_db_blocker: DjangoDbBlocker
) -> Iterator[BaseDatabaseWrapper]:
    """A connection "file" made of the DATABASES `entry`, with a table `counter`."""
    connections.settings["file"] = entry
    with django_db_blocker.unblock():
        connection = connections["file"]
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE counter (n INTEGER)")
        try:
            yield connection
        finally:
            connection.close()
            del connections["file"]
            del connections.settings["file"]


@pytest.fixture
def file_database(
    tmp_path: Path, django_db_blocker: DjangoDbBlocker
) -> Iterator[BaseDatabaseWrapper]:
    """A connection "file" to an SQLite file configured as the portal configures it."""
    entry = configured(f"sqlite:///{tmp_path}/db.sqlite3", tmp_path)
    with file_connection(entry, django_db_blocker) as connection:
        yield connection


def lock_is_free(connection: BaseDatabaseWrapper) -> bool:
    """Whether another writer could take the turn now (tried from a descriptor of its own)."""
    path = lock_path(connection.settings_dict["NAME"])
    assert path is not None
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(descriptor)
    return True


def test_the_turn_is_held_from_begin_to_commit(file_database: BaseDatabaseWrapper) -> None:
    assert file_database.settings_dict["ENGINE"] == "django.db.backends.sqlite3"
    with write_transaction(using="file"):
        with file_database.cursor() as cursor:
            cursor.execute("INSERT INTO counter VALUES (1)")
        assert file_database.in_atomic_block
        assert not lock_is_free(file_database)
        with write_transaction(using="file"):  # a savepoint: still the same turn
            assert not lock_is_free(file_database)
        assert not lock_is_free(file_database)
    assert lock_is_free(file_database)
    assert not file_database.in_atomic_block
    with file_database.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM counter")
        assert cursor.fetchone() == (1,)  # committed


def test_the_turn_is_given_back_on_rollback(file_database: BaseDatabaseWrapper) -> None:
    with pytest.raises(RuntimeError), write_transaction(using="file"):
        with file_database.cursor() as cursor:
            cursor.execute("INSERT INTO counter VALUES (1)")
        assert not lock_is_free(file_database)
        raise RuntimeError("rolled back")
    assert lock_is_free(file_database)
    with file_database.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM counter")
        assert cursor.fetchone() == (0,)


def test_inside_a_transaction_no_turn_is_taken(file_database: BaseDatabaseWrapper) -> None:
    # given a transaction opened outside the queue (it holds SQLite's lock already), when the
    # send path writes inside it
    with transaction.atomic(using="file"), write_transaction(using="file"):
        # then it is a savepoint of that transaction, and queues behind nobody
        assert lock_is_free(file_database)


def test_other_transactions_and_statements_take_no_turn(file_database: BaseDatabaseWrapper) -> None:
    with transaction.atomic(using="file"), file_database.cursor() as cursor:
        cursor.execute("INSERT INTO counter VALUES (1)")
        assert lock_is_free(file_database)
    with file_database.cursor() as cursor:
        cursor.execute("INSERT INTO counter VALUES (1)")
        assert lock_is_free(file_database)


def test_a_writer_waits_for_the_turn_not_for_sqlite(
    file_database: BaseDatabaseWrapper, django_db_blocker: DjangoDbBlocker
) -> None:
    # given the turn held by another writer (a descriptor of its own), SQLite's lock free
    path = lock_path(file_database.settings_dict["NAME"])
    assert path is not None
    holder = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(holder, fcntl.LOCK_EX)
    asking = threading.Event()
    got_turn_at: list[float] = []

    def writer() -> None:
        with django_db_blocker.unblock():
            asking.set()
            with write_transaction(using="file"):
                got_turn_at.append(time.monotonic())
                with connections["file"].cursor() as cursor:
                    cursor.execute("INSERT INTO counter VALUES (1)")
            connections["file"].close()

    thread = threading.Thread(target=writer)
    try:
        thread.start()
        assert asking.wait(10)
        assert wait_for(lambda: flock_waiters(path) == 1, 10), "the writer never queued"
        released_at = time.monotonic()
    finally:
        fcntl.flock(holder, fcntl.LOCK_UN)
        os.close(holder)
    # when the turn is given back, then the writer goes on, and only then
    thread.join(10)
    assert got_turn_at and got_turn_at[0] >= released_at
    with file_database.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM counter")
        assert cursor.fetchone() == (1,)


def test_in_memory_databases_have_no_lock_file() -> None:
    assert lock_path(":memory:") is None
    assert lock_path("file:memorydb_default?mode=memory&cache=shared") is None
    assert lock_path("/srv/centrex/db.sqlite3") == "/srv/centrex/db.sqlite3.writers"


def test_writers_of_several_processes_all_get_through(
    tmp_path: Path, file_database: BaseDatabaseWrapper
) -> None:
    # given a database and four processes each adding 1 in 150 short transactions, as the web
    # workers and the dispatcher do
    url = f"sqlite:///{tmp_path}/db.sqlite3"  # the fixture's database
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(ROOT / "src")!r})
        from pathlib import Path
        from django.conf import settings
        from centrex.config.environment import database_from_url
        settings.configure(DATABASES={{"default": database_from_url({url!r}, Path("."))}})
        import django
        django.setup()
        from django.db import connection, transaction
        from centrex.core.sqlite.writers import write_transaction
        for _ in range(150):
            with write_transaction():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT n FROM counter")
                    (n,) = cursor.fetchone()
                    cursor.execute("UPDATE counter SET n = %s", [n + 1])
        """
    )
    with file_database.cursor() as cursor:
        cursor.execute("INSERT INTO counter VALUES (0)")
    # when they run at once
    processes = [
        subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    errors = [process.communicate(timeout=120)[1] for process in processes]
    # then none failed and no increment was lost (each read-modify-write was alone)
    assert [process.returncode for process in processes] == [0, 0, 0, 0], errors
    with file_database.cursor() as cursor:
        cursor.execute("SELECT n FROM counter")
        assert cursor.fetchone() == (600,)


def flock_waiters(path: str) -> int:
    """How many `flock` requests on `path` are blocked, waiting for its holder (Linux's
    /proc/locks marks them "->")."""
    inode = os.stat(path).st_ino
    with open("/proc/locks", encoding="ascii") as locks:
        return sum(
            1
            for line in locks
            if "->" in line and "FLOCK" in line and line.split()[-3].endswith(f":{inode}")
        )


def wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True
