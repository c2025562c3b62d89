"""The portal's SQLite backend (core/sqlite): write transactions queue on `<database>.writers`
— the lock is held from BEGIN to COMMIT or ROLLBACK, never left behind, and writers of several
processes all get through without "database is locked" — and statements are rewritten to
SQLite's parameter markers once, not on every execution; UTC timestamps take a shorter way to
the same text and back."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.sqlite3.base import DatabaseOperations as DjangoSqliteOperations
from django.db.utils import ConnectionHandler
from pytest_django.plugin import DjangoDbBlocker

from centrex.config.environment import database_from_url
from centrex.core.sqlite import base
from centrex.core.sqlite.base import lock_path

ROOT = Path(__file__).resolve().parents[2]


def configured(url: str, data_dir: Path) -> dict[str, Any]:
    """The DATABASES entry of `url` with Django's defaults filled in."""
    handler = ConnectionHandler({"default": database_from_url(url, data_dir)})
    return dict(handler.settings["default"])


@pytest.fixture
def file_database(
    tmp_path: Path, django_db_blocker: DjangoDbBlocker
) -> Iterator[BaseDatabaseWrapper]:
    """A connection "file" to an SQLite file configured as the portal configures it."""
    connections.settings["file"] = configured(f"sqlite:///{tmp_path}/db.sqlite3", tmp_path)
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
    assert file_database.settings_dict["ENGINE"] == "centrex.core.sqlite"
    with transaction.atomic(using="file"):
        with file_database.cursor() as cursor:
            cursor.execute("INSERT INTO counter VALUES (1)")
        assert not lock_is_free(file_database)
        with transaction.atomic(using="file"):  # a savepoint: still the same turn
            assert not lock_is_free(file_database)
        assert not lock_is_free(file_database)
    assert lock_is_free(file_database)


def test_the_turn_is_given_back_on_rollback_and_on_close(
    file_database: BaseDatabaseWrapper,
) -> None:
    with pytest.raises(RuntimeError), transaction.atomic(using="file"):
        assert not lock_is_free(file_database)
        raise RuntimeError("rolled back")
    assert lock_is_free(file_database)
    atomic = transaction.atomic(using="file")
    atomic.__enter__()
    assert not lock_is_free(file_database)
    file_database.close()  # e.g. the connection was found broken mid-transaction
    assert lock_is_free(file_database)
    file_database.in_atomic_block = False
    file_database.needs_rollback = False
    file_database.savepoint_ids = []


def test_statements_outside_a_transaction_take_no_turn(file_database: BaseDatabaseWrapper) -> None:
    with file_database.cursor() as cursor:
        cursor.execute("INSERT INTO counter VALUES (1)")
        assert lock_is_free(file_database)


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
        for _ in range(150):
            with transaction.atomic():
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


def test_parameter_markers_are_rewritten_once_per_statement(
    file_database: BaseDatabaseWrapper,
) -> None:
    statement = "SELECT n, '100%%' FROM counter WHERE n >= %s AND n < %s"
    with file_database.cursor() as cursor:
        cursor.execute("INSERT INTO counter VALUES (%s), (%s)", [1, 5])
        before = base._cached_rewrite.cache_info()
        for _ in range(3):
            cursor.execute(statement, [0, 3])
            assert cursor.fetchall() == [(1, "100%")]
        after = base._cached_rewrite.cache_info()
        # pyformat still works, and a statement too long to keep is rewritten each time
        cursor.execute("SELECT n FROM counter WHERE n = %(n)s", {"n": 5})
        assert cursor.fetchall() == [(5,)]
        long_list = ", ".join(["%s"] * 2000)
        cursor.execute(f"SELECT n FROM counter WHERE n IN ({long_list})", list(range(2000)))
        assert sorted(cursor.fetchall()) == [(1,), (5,)]
    assert after.misses - before.misses == 1
    assert after.hits - before.hits >= 2
    assert base._cached_rewrite.cache_info().currsize <= 1024


ROME = ZoneInfo("Europe/Rome")


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 26, 18, 59, 15, 62516, tzinfo=UTC),
        datetime(2026, 11, 26, 18, 59, 15, tzinfo=UTC),  # no microseconds: none written
        datetime(2026, 7, 1, 12, 30, tzinfo=ROME),  # another zone: Django's way
        datetime(2026, 11, 26, 19, 0, tzinfo=timezone(timedelta(hours=1))),
    ],
)
def test_timestamps_are_written_and_read_as_django_s_backend_does(
    file_database: BaseDatabaseWrapper, moment: datetime
) -> None:
    ours = file_database.ops
    django_s = DjangoSqliteOperations(file_database)
    assert isinstance(ours, base.DatabaseOperations)
    # written: the same text
    written = ours.adapt_datetimefield_value(moment)
    assert written == django_s.adapt_datetimefield_value(moment)
    # read back: the same instant, in UTC, as Django's
    read = ours.convert_datetimefield_value(written, None, file_database)
    assert read == django_s.convert_datetimefield_value(written, None, file_database)
    assert read == moment and read.tzinfo is UTC
    # through the database
    with file_database.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS moments (at TEXT)")
        cursor.execute("DELETE FROM moments")
        cursor.execute("INSERT INTO moments VALUES (%s)", [written])
        cursor.execute("SELECT at FROM moments")
        (stored,) = cursor.fetchone()
    assert ours.convert_datetimefield_value(stored, None, file_database) == moment


@pytest.mark.parametrize(
    "stored",
    ["2026-11-26 18:59:15+01:00", "2026-11-26T18:59:15.5", "2026-11-26 18:59", None],
)
def test_other_stored_timestamps_read_as_django_reads_them(
    file_database: BaseDatabaseWrapper, stored: str | None
) -> None:
    django_s = DjangoSqliteOperations(file_database)
    assert file_database.ops.convert_datetimefield_value(
        stored, None, file_database
    ) == django_s.convert_datetimefield_value(stored, None, file_database)
