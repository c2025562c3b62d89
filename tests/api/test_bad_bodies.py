"""Bad bodies, bad query parameters and bad path ids, on every operation of the API (API.md
"Bad bodies", issue 13).

The operations come from the API's URL patterns themselves (each ninja path view and the
operations it holds), so an endpoint added later is in the table without anybody adding it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from ninja.operation import PathView
from ninja.params.models import BodyModel, QueryModel

from centrex.accounts.models import User
from tests.problems import assert_problem


@dataclass(frozen=True)
class Operation:
    method: str
    route: str  # Django's route, "users/<user_id>"
    takes_body: bool
    query: tuple[str, ...]

    @property
    def path(self) -> str:
        """The URL with each path id set to 1 (the body is read before the id is looked up)."""
        return "/api/v1/" + re.sub(r"<(?:\w+:)?\w+>", "1", self.route)

    @property
    def backoffice(self) -> bool:
        return self.route.startswith("backoffice")

    def __str__(self) -> str:
        return f"{self.method} /{self.route}"


def _path_view(pattern: URLPattern) -> PathView | None:
    for cell in getattr(pattern.callback, "__closure__", None) or ():
        if isinstance(cell.cell_contents, PathView):
            return cell.cell_contents
    return None


def api_operations() -> Iterator[Operation]:
    """Every operation of /api/v1, from the URL patterns."""
    resolver = next(
        entry
        for entry in get_resolver().url_patterns
        if isinstance(entry, URLResolver) and entry.namespace == "api"
    )
    for pattern in resolver.url_patterns:
        assert isinstance(pattern, URLPattern)
        path_view = _path_view(pattern)
        if path_view is None:  # the OpenAPI document and the docs page
            continue
        for operation in path_view.operations:
            takes_body = any(issubclass(model, BodyModel) for model in operation.models)
            query = tuple(
                name
                for model in operation.models
                if issubclass(model, QueryModel)
                # the query parameters as sent: a schema's fields (pagination) are flattened
                for name in getattr(model, "__ninja_flatten_map__", None) or model.model_fields
            )
            for method in operation.methods:
                yield Operation(method, str(pattern.pattern), takes_body, query)


# Ninja gives each operation of a path its own URL pattern, so each is met once per pattern.
OPERATIONS = list(dict.fromkeys(api_operations()))
WITH_BODY = [operation for operation in OPERATIONS if operation.takes_body]
WITH_QUERY = [operation for operation in OPERATIONS if operation.query]
WITH_PATH_ID = [operation for operation in OPERATIONS if "<" in operation.route]

MALFORMED = {
    "empty": b"",
    "not JSON": b'{"text": ',
    "not UTF-8": b'{"text": "\xff\xfe"}',
    "NaN": b'{"text": NaN}',
    "33 levels": b'{"text": ' + b"[" * 32 + b"]" * 32 + b"}",
    "100000 levels": b"[" * 100_000 + b"]" * 100_000,
}

INVALID = {
    "null": b"null",
    "an array": b"[]",
    "a number": b"1",
    "a string": b'"text"',
    "true": b"true",
    "NUL in a value": b'{"text": "a\\u0000b", "name": "\\u0000"}',
    "a lone surrogate": b'{"text": "\\ud800", "name": "x\\udfff"}',
    "NUL in a key": b'{"\\u0000": 1}',
    "a surrogate deep inside": b'{"to": [["\\ud83d"]], "address": {"city": "\\udc00"}}',
}

# 32 levels is allowed: whatever the answer, it is not `malformed_request`.
THIRTY_TWO_LEVELS = b'{"text": ' + b"[" * 31 + b"]" * 31 + b"}"


@pytest.fixture
def callers(operator: User, alice: User, api_client) -> dict[bool, Client]:
    """The caller who gets as far as the body: the operator in the back office, else a
    customer admin (with an extension: Communicator-enabled)."""
    return {True: api_client(operator), False: api_client(alice)}


def _rows() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def _send(client: Client, operation: Operation, body: bytes) -> object:
    return client.generic(operation.method, operation.path, body, content_type="application/json")


def test_the_table_has_every_kind_of_operation() -> None:
    assert len(WITH_BODY) >= 15
    assert any(o.method == "PATCH" for o in WITH_BODY)
    assert any(o.route == "sms/messages" and o.method == "POST" for o in WITH_BODY)
    assert any(o.route.startswith("communicator") for o in WITH_BODY)


@pytest.mark.parametrize("operation", WITH_BODY, ids=str)
def test_bad_bodies_are_refused_and_nothing_is_stored(
    operation: Operation, callers: dict[bool, Client]
) -> None:
    client = callers[operation.backoffice]
    before = _rows()
    for name, body in MALFORMED.items():
        response = _send(client, operation, body)
        assert response.status_code == 400, (name, response.content)
        assert_problem(response, 400, "malformed_request")
    for name, body in INVALID.items():
        response = _send(client, operation, body)
        assert response.status_code == 422, (name, response.content)
        assert_problem(response, 422, "validation_error")
    assert _rows() == before


@pytest.mark.parametrize("operation", WITH_BODY, ids=str)
def test_thirty_two_levels_are_read(operation: Operation, callers: dict[bool, Client]) -> None:
    response = _send(callers[operation.backoffice], operation, THIRTY_TWO_LEVELS)
    assert response.status_code < 500
    if response.status_code == 400:
        assert response.json()["code"] != "malformed_request"


def test_a_surrogate_field_name_is_not_echoed(alice: User, api_client) -> None:
    response = api_client(alice).patch(
        "/api/v1/me", b'{"\\ud800": "x"}', content_type="application/json"
    )
    body = assert_problem(response, 422, "validation_error")
    assert "\ud800" not in str(body)


@pytest.mark.parametrize("operation", WITH_QUERY, ids=str)
@pytest.mark.parametrize("value", ["%00", "a%00b", "%ED%A0%80", "%FF"])
def test_bad_query_parameters_are_422_or_read(
    operation: Operation, value: str, callers: dict[bool, Client]
) -> None:
    client = callers[operation.backoffice]
    for name in operation.query:
        response = client.generic(operation.method, f"{operation.path}?{name}={value}")
        assert response.status_code < 500, response.content
        if "%00" in value:
            assert_problem(response, 422, "validation_error")


@pytest.mark.parametrize("operation", WITH_PATH_ID, ids=str)
@pytest.mark.parametrize("path_id", ["%00", "1%00", "%ED%A0%80", "x" * 300, "99999999999999999999"])
def test_bad_path_ids_are_404_or_422(
    operation: Operation, path_id: str, callers: dict[bool, Client]
) -> None:
    client = callers[operation.backoffice]
    path = "/api/v1/" + re.sub(r"<(?:\w+:)?\w+>", path_id, operation.route)
    body = b"{}" if operation.takes_body else b""
    response = client.generic(operation.method, path, body, content_type="application/json")
    assert response.status_code in (404, 422), response.content
    assert response["Content-Type"].startswith("application/problem+json")
