"""PostgreSQL whose persistent connections are health-checked after a pause only.

With `CONN_HEALTH_CHECKS` Django sends `SELECT 1` before the first statement of every request
that reuses a connection, so that one left broken while idle (the server restarted, a pooler or
firewall dropped it) is replaced instead of failing the request. Under load that is one more
round trip per request for a connection that answered a few milliseconds before: on the SMS
send path a sixth of the statements the server ran. Here a connection used less than
`TRUSTED_FOR` seconds ago is not checked again; after a longer pause it is, as Django does. A
connection that breaks within that second fails the statement it was running — as it would
have if it had broken a moment later — and Django replaces it at the next request (an error
marks it for a check, `close_if_unusable_or_obsolete`).
"""

from __future__ import annotations

import time

from django.db.backends.postgresql import base

TRUSTED_FOR = 1.0  # seconds since the connection was last used


class DatabaseWrapper(base.DatabaseWrapper):
    """Django's PostgreSQL backend, with the health check skipped right after a use."""

    _used_at = -TRUSTED_FOR

    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and self.health_check_enabled  # type: ignore[attr-defined]
            and not self.health_check_done  # type: ignore[has-type]
            and time.monotonic() - self._used_at < TRUSTED_FOR
        ):
            self.health_check_done = True
        else:
            super().close_if_health_check_failed()
        # Django asks before each statement: the connection is used now.
        self._used_at = time.monotonic()

    def connect(self) -> None:
        super().connect()
        self._used_at = time.monotonic()
