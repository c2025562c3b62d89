"""What every API error must look like (API.md "Errors": problem+json with a stable code)."""

from __future__ import annotations

from typing import Any


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    """The answer is problem+json with this status and lead code; returns the body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["code"] == code, body
    assert body["detail"]
    assert body["title"]
    assert body["type"]
    assert body["errors"], body
    for error in body["errors"]:
        assert set(error) == {"field", "code", "message"}
        assert error["message"]
    return body


def error_fields(body: dict[str, Any]) -> dict[str | None, str]:
    """`errors[]` as {field: code}."""
    return {error["field"]: error["code"] for error in body["errors"]}
