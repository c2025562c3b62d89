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


# --- The problems in the OpenAPI document ----------------------------------------------------
# Each operation's document lists every problem status it can answer, with the codes API.md
# gives that status, so that a client (and the fuzz suite's conformance checks) can rely on it.

_ERROR_ITEM: dict[str, Any] = {
    "type": "object",
    "required": ["field", "code", "message"],
    "properties": {
        "field": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "code": {"type": "string", "enum": [str(code) for code in ErrorCode]},
        "message": {"type": "string"},
    },
}

_WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})


def _problem_schema(status: int) -> dict[str, Any]:
    codes = [str(code) for code in ErrorCode if code.http_status == status]
    return {
        "type": "object",
        "title": f"Problem{status}",
        "required": ["type", "title", "status", "detail", "code", "errors"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer", "enum": [status]},
            "detail": {"type": "string"},
            "code": {"type": "string", "enum": codes},
            "errors": {"type": "array", "items": _ERROR_ITEM, "minItems": 1},
        },
    }


def problem_statuses(method: str, operation: dict[str, Any]) -> list[int]:
    """The problem statuses an API operation can answer (API.md "Errors", "Bad bodies"):
    401 and 503 for every one (`POST /auth/token`: wrong credentials; the database away,
    issue 13); 400 and 413 with a body; 422
    with a body or parameters; 429 for POST and PUT (login, sending, codes); behind
    authentication, 403, and for writes 404 (a body may name another customer's object) and
    409; 404 with a path id."""
    parameters = operation.get("parameters", [])
    authenticated = bool(operation.get("security"))
    writes = method in _WRITE_METHODS
    statuses = {401, 503}
    if "requestBody" in operation:
        statuses |= {400, 413, 422}
    if parameters:
        statuses.add(422)
    if method in {"post", "put"}:
        statuses.add(429)
    if authenticated:
        statuses.add(403)
    if authenticated and writes:
        statuses |= {404, 409}
    if any(parameter.get("in") == "path" for parameter in parameters):
        statuses.add(404)
    return sorted(statuses)


def describe_problems(document: dict[str, Any]) -> dict[str, Any]:
    """Add to an OpenAPI document (ninja's, as a dict) the problem+json answers of every
    operation, and their schemas as components `ProblemNNN`."""
    used: set[int] = set()
    for operations in document.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status in problem_statuses(method, operation):
                used.add(status)
                responses.setdefault(
                    status,  # ninja's keys are ints
                    {
                        "description": str(_TITLES[status]),
                        "content": {
                            PROBLEM_CONTENT_TYPE: {
                                "schema": {"$ref": f"#/components/schemas/Problem{status}"}
                            }
                        },
                    },
                )
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for status in sorted(used):
        schemas[f"Problem{status}"] = _problem_schema(status)
    return document
