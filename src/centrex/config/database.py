"""How long a PostgreSQL connection may wait (issue 13): a request, the worker or the
dispatcher meeting a database that is away gets an error in bounded time — answered 503 by the
web (`core.outage`), retried by the worker and the dispatcher — never a hang.

- `connect_timeout` (CENTREX_DB_CONNECT_TIMEOUT, 5 s): a stopped server refuses at once, but
  a host that drops packets would otherwise hold a connect for minutes (the kernel's SYN
  retries); 5 s is well below an API client's timeout and far above a healthy connect (ms).
- `statement_timeout` (CENTREX_DB_STATEMENT_TIMEOUT, 30 s; 0 turns it off, e.g. for a long
  migration): no statement of a request, a task or a dispatcher batch takes seconds when the
  server is healthy; one that runs 30 s is stuck behind something, and is cancelled.
- `lock_timeout` (CENTREX_DB_LOCK_TIMEOUT, 10 s): a row or table lock waited for longer is
  given up (the dispatcher's claims skip locked rows and never wait).
- TCP keepalives and `tcp_user_timeout`: a server gone without closing the connection (a
  network cut, a host powered off) is noticed in about 30 s, as a statement timeout would
  never fire on a server that cannot hear.

What DATABASE_URL's query says wins (`?connect_timeout=…`, `?options=…`). SQLite has its own
bound: the `timeout` of its connections and of the writers' queue (core.sqlite.writers).
"""

from __future__ import annotations

from typing import Any

KEEPALIVE_IDLE = 10
KEEPALIVE_INTERVAL = 5
KEEPALIVE_COUNT = 3


def with_timeouts(
    database: dict[str, Any], *, connect: int, statement: int, lock: int
) -> dict[str, Any]:
    """`database` (a DATABASES entry) with the timeouts above in its OPTIONS, for PostgreSQL
    (seconds; 0 = no such timeout); other engines unchanged."""
    if database.get("ENGINE") != "django.db.backends.postgresql":
        return database
    options: dict[str, Any] = database.setdefault("OPTIONS", {})
    if connect:
        options.setdefault("connect_timeout", connect)
    options.setdefault("keepalives", 1)
    options.setdefault("keepalives_idle", KEEPALIVE_IDLE)
    options.setdefault("keepalives_interval", KEEPALIVE_INTERVAL)
    options.setdefault("keepalives_count", KEEPALIVE_COUNT)
    options.setdefault(
        "tcp_user_timeout", 1000 * (KEEPALIVE_IDLE + KEEPALIVE_INTERVAL * KEEPALIVE_COUNT)
    )
    given = str(options.get("options", ""))
    settings = [
        f"-c {name}={seconds}s"
        for name, seconds in (("statement_timeout", statement), ("lock_timeout", lock))
        if seconds and name not in given
    ]
    if settings:
        options["options"] = " ".join([given, *settings]).strip()
    return database
