"""The writers' queue: the send path's write transactions on SQLite take turns on a lock file
instead of polling for SQLite's write lock.

With `transaction_mode` IMMEDIATE every transaction asks SQLite for the write lock at BEGIN. A
connection that finds it taken — by another process: the web workers and `centrex smsd` all
write — is put to sleep by SQLite's busy handler in steps of 1, 2, 5, 10, … 100 ms and asks
again: under load the sleeps, not the work, set the pace (the send benchmark found the CPUs idle
a quarter of the time while requests waited). `write_transaction()` first takes an exclusive
`flock` on `<database>.writers`, then opens the transaction (`transaction.atomic`); the kernel
queues the waiters and wakes the next one the moment the lock is let go, after COMMIT or
ROLLBACK. Used by the send path's write transactions: the group commit (`sms.enqueue`), the
dispatcher's claims and recording rounds (`sms.queue`, `smsc.recording`).

SQLite's own lock stays the authority for every write: a transaction outside the queue (a page,
the task worker, a statement in autocommit) still goes through the busy handler, and the lock
file only orders the queued transactions, it cannot let two write at once. Inside a transaction
already open, `write_transaction()` is a plain `atomic` (a savepoint) and takes no turn: the
outer transaction holds SQLite's lock already, and waiting for the file then could deadlock with
a queued writer waiting for that lock. An in-memory database has no file and no queue; other
databases have their own row locks, and `write_transaction()` is `transaction.atomic` there.

Measured worth (benchmarks/README.md): when it came (issue 5) the send rate went from
1,091–1,244 to 1,100–1,425 SMS/s and the →SMSC p99 from 95 to 33–37 ms. In issue 11 one paired
run without it, on a box whose other jobs used more than a core (load average 15–19), gave
529 SMS/s against 456 with it, within that run's noise: not shown again there, kept on the
first measure — to re-measure on a quiet box ("fourth session").
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator

from django.db import connections, transaction


def lock_path(database_name: str) -> str | None:
    """Where the writers of `database_name` queue; None for an in-memory database."""
    name = str(database_name)
    if not name or name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        return None
    return f"{name}.writers"


class _LockFile:
    """A thread's descriptor of a lock file (`flock` locks belong to an open file: each thread
    needs its own to queue behind the others), closed with the thread."""

    def __init__(self, path: str) -> None:
        self.descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)

    def __del__(self) -> None:
        os.close(self.descriptor)


_local = threading.local()


def _lock_file(path: str) -> _LockFile:
    files: dict[str, _LockFile] = _local.__dict__.setdefault("files", {})
    found = files.get(path)
    if found is None:
        found = files[path] = _LockFile(path)
    return found


@contextlib.contextmanager
def write_transaction(using: str = "default") -> Iterator[None]:
    """`transaction.atomic(using)`, and on an SQLite file the writers' turn first (held until
    the transaction ended, however it ends)."""
    connection = connections[using]
    path = (
        lock_path(connection.settings_dict["NAME"])
        if connection.vendor == "sqlite" and not connection.in_atomic_block
        else None
    )
    if path is None:
        with transaction.atomic(using=using):
            yield
        return
    descriptor = _lock_file(path).descriptor
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    try:
        with transaction.atomic(using=using):
            yield
    finally:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
