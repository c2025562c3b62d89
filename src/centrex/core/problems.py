"""RFC 9457 problem+json answers with API.md's stable codes."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from centrex.core.errors import DomainError, ErrorCode

PROBLEM_CONTENT_TYPE = "application/problem+json"

_TITLES = {
    400: _("Malformed request"),
    401: _("Authentication required"),
    403: _("Forbidden"),
    404: _("Not found"),
    405: _("Method not allowed"),
    409: _("Conflict"),
    413: _("Request too large"),
    422: _("Invalid input"),
    429: _("Too many requests"),
    500: _("Server error"),
    503: _("Service unavailable"),
}

# Seconds a client is told to wait when the database is away (issue 13): about the time a
# PostgreSQL restart or a failover takes, short enough that a retrying client is not idle long.
SERVICE_UNAVAILABLE_RETRY_AFTER = 5


def problem_body(error: DomainError) -> dict[str, Any]:
    status = error.http_status
    return {
        "type": f"https://centrex.invalid/problems/{error.code}",
        "title": str(_TITLES.get(status, _("Error"))),
        "status": status,
        **error.as_dict(),
    }


def problem_response(error: DomainError) -> HttpResponse:
    response = HttpResponse(
        json.dumps(problem_body(error), ensure_ascii=False),
        status=error.http_status,
        content_type=PROBLEM_CONTENT_TYPE,
    )
    if error.retry_after is not None:
        response["Retry-After"] = str(max(1, int(error.retry_after)))
    return response


def payload_too_large() -> DomainError:
    return DomainError(
        ErrorCode.PAYLOAD_TOO_LARGE,
        _("The request body is larger than 1 MiB. Send less data at a time."),
    )


def service_unavailable() -> DomainError:
    """503 `service_unavailable` with `Retry-After`: the database did not answer in time
    (stopped, restarting, or its writers' lock held too long); nothing was stored."""
    return DomainError(
        ErrorCode.SERVICE_UNAVAILABLE,
        _("The service is briefly unavailable. Try again in a moment."),
        retry_after=SERVICE_UNAVAILABLE_RETRY_AFTER,
    )
