"""The database away (issue 13): a request that finds PostgreSQL stopped or restarting, a
statement or lock past its timeout, or SQLite's writers' lock held too long answers 503 at
once — problem+json `service_unavailable` with `Retry-After` for the API, a plain bilingual
page for people — instead of a 500, an HTML error for the API, or a hang.

`database_unavailable(error)` says which errors those are. `DatabaseOutageMiddleware`, outside
every middleware that reads the database, answers them: raised by a view (`process_exception`) or by another
middleware (the session or the user loaded in `UserLanguageMiddleware`): Django turns those
into a 500 response inside the stack, so `got_request_exception` marks the request and the
middleware replaces that 500 on its way out. The API's own handler (`centrex.api`) and the SMS
intake (`centrex.sms.intake`) answer the same document themselves.

Nothing here touches the database: the page is rendered without a request context. The
connections recover by themselves: Django closes a broken one at the end of the request
(`close_old_connections`) and the next request connects anew (`CONN_HEALTH_CHECKS`).
"""

from __future__ import annotations

import logging
import sqlite3
import sys
from collections.abc import Callable
from typing import Any

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from centrex.core.problems import (
    SERVICE_UNAVAILABLE_RETRY_AFTER,
    problem_response,
    service_unavailable,
)

logger = logging.getLogger(__name__)

_MARK = "_centrex_database_unavailable"
# SQLite says these when a lock stayed taken past its timeout; its other operational errors
# ("no such table", a disk I/O error) are faults, not a busy database.
_SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")


def database_unavailable(error: BaseException) -> bool:
    """Whether `error` means the database could not answer now (retry later), not a fault of
    the request or the code: PostgreSQL refusing connections, shutting down, cancelling a
    statement past `statement_timeout` or a lock past `lock_timeout`, a connection lost
    (OperationalError, InterfaceError); SQLite's lock held past its timeout."""
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    if isinstance(error.__cause__, sqlite3.Error):
        text = str(error).lower()
        return any(busy in text for busy in _SQLITE_BUSY)
    return True


def unavailable_response(request: HttpRequest, error: BaseException) -> HttpResponse:
    """The 503 for `error`: problem+json for the API, the bilingual page otherwise; both with
    Retry-After. Logged here as one warning line (Django would log each 5xx as an ERROR with
    its traceback: hundreds a second under load, saying the same)."""
    logger.warning(
        "database unavailable: %s %s answered 503 (%s)",
        request.method,
        request.path,
        str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__,
    )
    if request.path.startswith("/api/"):
        response = problem_response(service_unavailable())
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(SERVICE_UNAVAILABLE_RETRY_AFTER)
    response._has_been_logged = True  # type: ignore[attr-defined]  # log_response: done
    return response


def _mark_request(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """`got_request_exception`: remember on the request that its 500 is a database away."""
    error = sys.exception()
    if request is not None and error is not None and database_unavailable(error):
        setattr(request, _MARK, error)


got_request_exception.connect(_mark_request, dispatch_uid="centrex.core.outage")


class _DatabaseAwayFilter(logging.Filter):
    """Leave out of `django.request` the "Internal Server Error" Django logs, with its
    traceback, for a database away found by a middleware: the middleware replaces that 500
    with the 503, and `unavailable_response` says it in one warning line."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return error is None or not database_unavailable(error)


logging.getLogger("django.request").addFilter(_DatabaseAwayFilter())


class DatabaseOutageMiddleware:
    """Answer 503 for a database away, whichever layer below found it (placed outside every
    middleware that reads the database, inside those that add security headers)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        error = getattr(request, _MARK, None)
        if error is not None and response.status_code == 500:
            return unavailable_response(request, error)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not database_unavailable(exception):
            return None
        return unavailable_response(request, exception)
