"""Running work in threads that start together, each on its own database connection, as
several dispatchers (or sweepers) do against one PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections


def run_together(*works: Callable[[], None], timeout: float = 60.0) -> None:
    """Run every `work` in a thread of its own, all released at once, each closing its
    connections at the end; return when all are done (at most `timeout` seconds each)."""
    start = threading.Barrier(len(works))

    def run(work: Callable[[], None]) -> None:
        try:
            start.wait()
            work()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
