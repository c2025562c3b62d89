"""SQLite whose write transactions queue on a lock file instead of polling.

With `transaction_mode` IMMEDIATE every transaction asks SQLite for the write lock at BEGIN. A
connection that finds it taken — by another process: the web workers, `centrex smsd` and the
task worker all write — is put to sleep by SQLite's busy handler in steps of 1, 2, 5, 10, …
100 ms and asks again: under load the sleeps, not the work, set the pace (the send benchmark
found the CPUs idle a quarter of the time while requests waited). Here each transaction first
takes an exclusive `flock` on `<database>.writers`; the kernel queues the waiters and wakes the
next one the moment the lock is let go. SQLite's own lock stays the authority (a writer outside
a transaction still goes through the busy handler): the lock file only orders the transactions,
it cannot let two write at once.

The lock is held from BEGIN to COMMIT or ROLLBACK of the outermost transaction (or until the
connection closes); an in-memory database has no file and no lock.

Its cursors also remember how they rewrote a statement's `%s` parameter markers into SQLite's `?`:
Django runs a regular expression over every statement each time, which cost 7 % of a web
worker's Python time on the SMS send path, whose few statements are always the same. And UTC
timestamps, which is what the portal stores (`timezone.now()`), are written and read without
Django's general time-zone handling (a third of the cost of a message's parameters).
"""

from __future__ import annotations

import fcntl
import os
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from django.db.backends.sqlite3 import base, operations


def lock_path(database_name: str) -> str | None:
    """Where the writers of `database_name` queue; None for an in-memory database."""
    name = str(database_name)
    if not name or name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        return None
    return f"{name}.writers"


# Statements longer than this (multi-row INSERTs, long IN lists) are rewritten each time: the
# cache stays small (at most 1,024 × 4 KB).
CACHED_STATEMENT_LENGTH = 4096


def _rewrite(query: str) -> str:
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


_cached_rewrite = lru_cache(maxsize=1024)(_rewrite)


class CursorWrapper(base.SQLiteCursorWrapper):
    """Django's cursor, with the "format" → "qmark" rewriting of each statement remembered
    (a statement's text names no values: they are parameters, so the texts repeat)."""

    def convert_query(self, query: str, *, param_names: list[str] | None = None) -> str:
        if param_names is None:
            return (
                _cached_rewrite(query) if len(query) <= CACHED_STATEMENT_LENGTH else _rewrite(query)
            )
        return str(super().convert_query(query, param_names=param_names))  # type: ignore[misc]


class DatabaseOperations(operations.DatabaseOperations):
    """Django's, with a shorter way for UTC timestamps when the connection's time zone is UTC
    (USE_TZ and no TIME_ZONE for the database: the portal's setting). Same text both ways:
    `str()` of the naive UTC datetime, read back with `fromisoformat`; anything else goes
    Django's way."""

    def _in_utc(self) -> bool:
        return self.connection.timezone is UTC  # None without USE_TZ

    def adapt_datetimefield_value(self, value: Any) -> Any:
        if type(value) is datetime and value.tzinfo is UTC and self._in_utc():
            return str(value.replace(tzinfo=None))
        return super().adapt_datetimefield_value(value)

    def convert_datetimefield_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        if type(value) is str and self._in_utc():
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                pass
            else:
                if parsed.tzinfo is None:
                    return parsed.replace(tzinfo=UTC)
        return super().convert_datetimefield_value(value, expression, connection)


class DatabaseWrapper(base.DatabaseWrapper):
    """Django's SQLite backend, with write transactions queued on `<database>.writers`."""

    ops_class = DatabaseOperations

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._writers_fd: int | None = None
        self._writer_turn = False

    def create_cursor(self, name: str | None = None) -> Any:
        return self.connection.cursor(factory=CursorWrapper)

    def _take_writer_turn(self) -> None:
        path = lock_path(self.settings_dict["NAME"])
        if path is None:
            return
        if self._writers_fd is None:
            self._writers_fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        fcntl.flock(self._writers_fd, fcntl.LOCK_EX)
        self._writer_turn = True

    def _end_writer_turn(self) -> None:
        if self._writer_turn and self._writers_fd is not None:
            self._writer_turn = False
            fcntl.flock(self._writers_fd, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self) -> None:
        self._take_writer_turn()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._end_writer_turn()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            self._end_writer_turn()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            self._end_writer_turn()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]
        finally:
            self._end_writer_turn()
            if self._writers_fd is not None:
                os.close(self._writers_fd)
                self._writers_fd = None
