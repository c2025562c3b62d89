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

The wait is bounded (issue 13) by the connection's `timeout` (Django's sqlite OPTIONS, 20 s as
configured, the same bound as SQLite's own busy wait): past it `WritersBusy` (an
OperationalError: the web answers 503, the dispatcher retries). The turn is tried at once
without blocking; only when it is taken does a waiter thread block in `flock` on the caller's
descriptor — still the kernel's queue — while the caller waits for it with the timeout. A turn
given up is left to that waiter with the descriptor: it lets the turn go the moment it comes
and closes the file; the caller's thread opens another next time. Its cost, measured once
(issue 13: six threads of one process each committing 400 one-row updates on one file, the
turn contended all the time): 13,900–14,600 transactions/s against 14,900–16,300 with the
blocking `flock` — about 5 µs a contended turn, nothing beside a request's milliseconds.

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
import queue
import threading
from collections.abc import Callable, Iterator

from django.db import OperationalError, connections, transaction

# Django's sqlite `timeout` when the configuration names none (sqlite3's default).
DEFAULT_TIMEOUT = 5.0


class WritersBusy(OperationalError):
    """The writers' turn did not come within the database's timeout (answered 503)."""


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


class _Waiters:
    """The threads that block in `flock` for the writers (one per contended wait, idle ones
    reused). Daemons: a process exits without waiting for a turn nobody wants any more, as a
    ThreadPoolExecutor's threads would make it."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._guard = threading.Lock()
        self._idle = 0

    def submit(self, job: Callable[[], None]) -> None:
        with self._guard:
            start = self._idle == 0
            if not start:
                self._idle -= 1
        self._jobs.put(job)
        if start:
            threading.Thread(target=self._work, name="sqlite-writers", daemon=True).start()

    def _work(self) -> None:
        while True:
            self._jobs.get()()
            with self._guard:
                self._idle += 1


_waiters = _Waiters()


def _lock_files() -> dict[str, _LockFile]:
    files: dict[str, _LockFile] = _local.__dict__.setdefault("files", {})
    return files


def _lock_file(path: str) -> _LockFile:
    files = _lock_files()
    found = files.get(path)
    if found is None:
        found = files[path] = _LockFile(path)
    return found


class _Turn:
    """A contended turn: a waiter thread blocks in `flock` on the caller's descriptor; the
    caller waits for it with a timeout, and a turn it gives up is let go by the waiter."""

    def __init__(self, lock_file: _LockFile) -> None:
        self.lock_file: _LockFile | None = lock_file
        self.descriptor = lock_file.descriptor
        self.guard = threading.Lock()
        self.given = threading.Event()
        self.abandoned = False

    def wait_in_kernel(self) -> None:
        """On a waiter thread: block until the turn comes; keep it, or let it go if the caller
        gave up meanwhile (and close the descriptor, no longer the caller's)."""
        fcntl.flock(self.descriptor, fcntl.LOCK_EX)
        with self.guard:
            if not self.abandoned:
                self.given.set()
                self.lock_file = None
                return
        fcntl.flock(self.descriptor, fcntl.LOCK_UN)
        self.lock_file = None  # the last reference: the descriptor is closed

    def take(self, timeout: float) -> bool:
        """Whether the turn came within `timeout` seconds (else it is given up)."""
        if self.given.wait(timeout):
            return True
        with self.guard:
            if self.given.is_set():
                return True
            self.abandoned = True
            return False


def _take_turn(path: str, timeout: float) -> int:
    """The writers' turn on `path` for this thread (its descriptor), within `timeout` seconds,
    else WritersBusy."""
    lock_file = _lock_file(path)
    try:
        fcntl.flock(lock_file.descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return lock_file.descriptor
    except BlockingIOError:
        pass
    turn = _Turn(lock_file)
    _waiters.submit(turn.wait_in_kernel)
    if turn.take(timeout):
        return lock_file.descriptor
    # The waiter keeps the descriptor until the turn comes; this thread opens another.
    del _lock_files()[path]
    raise WritersBusy(
        f"database is locked: the writers' turn on {path} did not come within {timeout:g} s"
    )


@contextlib.contextmanager
def write_transaction(using: str = "default") -> Iterator[None]:
    """`transaction.atomic(using)`, and on an SQLite file the writers' turn first (held until
    the transaction ended, however it ends; WritersBusy if it does not come within the
    connection's `timeout`)."""
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
    timeout = float(connection.settings_dict["OPTIONS"].get("timeout", DEFAULT_TIMEOUT))
    descriptor = _take_turn(path, timeout)
    try:
        with transaction.atomic(using=using):
            yield
    finally:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
