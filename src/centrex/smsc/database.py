"""Where the dispatcher's database calls run: never on its event loop (a query would stall every
SMPP session), always in threads Django allows ORM calls in.

- `DatabaseThreads`: threads of their own (`centrex smsd`), three: the claim loop and the
  recording loop each have at most one call running, so a claim never waits for a thread
  behind a round and a statistics or lease write (seen under full load on PostgreSQL with two:
  claims waiting 30–80 ms for a thread). Each call is a whole batch; on SQLite the writes still
  take turns.
- `CallerThreadDatabase`: the calls are run by a thread that asks for them (`serve`), e.g. a
  test's main thread, whose connection sees the test's own transaction.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from django.db import InterfaceError, OperationalError, connections

T = TypeVar("T")

_Job = tuple[Callable[..., Any], tuple[Any, ...], asyncio.AbstractEventLoop, "asyncio.Future[Any]"]


class Database(Protocol):
    """Runs ORM calls away from the event loop."""

    async def run(self, function: Callable[..., T], *args: Any) -> T: ...


class _JobQueue:
    """Calls queued by the event loop for other threads, answered through the loop."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put((function, args, loop, future))
        return await future

    def _next(self, timeout: float | None = None) -> _Job | None:
        """The next job (None: the end, or nothing within `timeout`)."""
        try:
            return self._jobs.get(timeout=timeout)
        except queue.Empty:
            return None


def _execute(job: _Job) -> None:
    function, args, loop, future = job
    try:
        result = function(*args)
    except BaseException as error:  # handed over to the awaiting task
        if isinstance(error, OperationalError | InterfaceError):
            # A broken connection (database restarted, network): the next call opens anew.
            for connection in connections.all(initialized_only=True):
                if not connection.in_atomic_block:
                    connection.close()
        _settle(loop, future, error=error)
    else:
        _settle(loop, future, result=result)


def _settle(
    loop: asyncio.AbstractEventLoop,
    future: asyncio.Future[Any],
    *,
    result: Any = None,
    error: BaseException | None = None,
) -> None:
    def settle() -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    if not loop.is_closed():
        loop.call_soon_threadsafe(settle)


class DatabaseThreads(_JobQueue):
    """Threads that run every ORM call of the dispatcher, each with its own connection."""

    def __init__(self, threads: int = 3) -> None:
        super().__init__()
        self._threads = [
            threading.Thread(target=self._work, name=f"smsd-db-{number}", daemon=True)
            for number in range(1, threads + 1)
        ]
        for thread in self._threads:
            thread.start()

    def _work(self) -> None:
        try:
            while (job := self._next()) is not None:
                _execute(job)
        finally:
            connections.close_all()

    def close(self, timeout: float = 10.0) -> None:
        """End the threads (after the calls queued before) and close their connections."""
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            thread.join(timeout)


class CallerThreadDatabase(_JobQueue):
    """ORM calls queued for a thread that serves them (`serve`), while the event loop runs in
    another thread."""

    def serve(self, until: Callable[[], bool], poll: float = 0.05) -> None:
        """Run queued calls in this thread until `until()` is true (checked at least every
        `poll` seconds)."""
        while not until():
            job = self._next(timeout=poll)
            if job is not None:
                _execute(job)
