"""The OpenAPI document describes every problem an operation answers (API.md "Errors"; issue
13: without it the fuzz suite's conformance checks would mean nothing)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from centrex.core.errors import ErrorCode

PROBLEM = "application/problem+json"


@pytest.fixture
def document(client: Client) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    ]


def test_every_operation_declares_its_problems_as_problem_json(document: dict[str, Any]) -> None:
    for method, path, operation in _operations(document):
        responses = operation["responses"]
        assert {"401", "503"} <= set(responses), (method, path)  # 503: the database away
        if operation.get("security"):
            assert "403" in responses, (method, path)
        if "requestBody" in operation:
            assert {"400", "413", "422"} <= set(responses), (method, path)
        if any(p["in"] == "path" for p in operation.get("parameters", [])):
            assert "404" in responses, (method, path)
        if method != "get" and operation.get("security"):
            assert "409" in responses, (method, path)
        for status, response in responses.items():
            if int(status) >= 400:
                assert set(response["content"]) == {PROBLEM}, (method, path, status)


def test_login_and_sending_declare_429(document: dict[str, Any]) -> None:
    login = document["paths"]["/api/v1/auth/token"]["post"]["responses"]
    assert set(login) == {"201", "400", "401", "413", "422", "429", "503"}
    assert "429" in document["paths"]["/api/v1/sms/messages"]["post"]["responses"]


def test_each_problem_schema_allows_the_codes_of_its_status(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for status in (400, 401, 403, 404, 409, 413, 422, 429):
        schema = schemas[f"Problem{status}"]
        assert set(schema["required"]) == {"type", "title", "status", "detail", "code", "errors"}
        codes = set(schema["properties"]["code"]["enum"])
        assert codes == {str(c) for c in ErrorCode if c.http_status == status}
    assert "validation_error" in schemas["Problem422"]["properties"]["code"]["enum"]
    assert schemas["Problem409"]["properties"]["code"]["enum"][0] == "email_taken"


def _properties(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (name, field, spec)
        for name, schema in document["components"]["schemas"].items()
        for field, spec in schema.get("properties", {}).items()
    ]


def test_a_nullable_enum_lists_null(document: dict[str, Any]) -> None:
    """The fuzz found `registry.state` answered null while its enum did not allow it."""
    nullable_enums = [
        (name, field, spec)
        for name, field, spec in _properties(document)
        if "enum" in spec and {"type": "null"} in spec.get("anyOf", [])
    ]
    assert any(name == "RegistryOut" for name, _field, _spec in nullable_enums)
    for name, field, spec in nullable_enums:
        assert None in spec["enum"], (name, field)
