"""What the API does with bodies it cannot read, and its self-description (API.md "HTTP API")."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from django.test import Client

from centrex.accounts.models import User
from tests.problems import assert_problem

ONE_MIB = 1024 * 1024


@pytest.fixture
def as_alice(alice: User, api_client: Callable[[User | None], Client]) -> Client:
    return api_client(alice)


def test_a_body_that_is_not_json_is_400_malformed_request(as_alice: Client) -> None:
    response = as_alice.post(
        "/api/v1/users", '{"email": "x@esempio.example",', content_type="application/json"
    )
    assert_problem(response, 400, "malformed_request")


def test_a_body_that_is_not_utf8_json_is_400_malformed_request(as_alice: Client) -> None:
    response = as_alice.patch("/api/v1/me", b"\xff\xfe{", content_type="application/json")
    assert_problem(response, 400, "malformed_request")


def test_a_form_encoded_body_is_400_malformed_request(alice: User, client: Client) -> None:
    response = client.post(
        "/api/v1/auth/token",
        "email=alice%40esempio.example&password=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert_problem(response, 400, "malformed_request")


def test_json_sent_as_text_plain_is_400_malformed_request(as_alice: Client) -> None:
    response = as_alice.patch(
        "/api/v1/me", json.dumps({"language": "en"}), content_type="text/plain"
    )
    assert_problem(response, 400, "malformed_request")


def test_a_json_array_where_an_object_is_expected_is_422(as_alice: Client) -> None:
    response = as_alice.post("/api/v1/users", "[]", content_type="application/json")
    assert_problem(response, 422, "validation_error")


def test_a_body_one_byte_over_one_mebibyte_is_413_payload_too_large(as_alice: Client) -> None:
    # given: valid JSON, padded with spaces to 1 MiB + 1 byte
    text = json.dumps({"email": "big@esempio.example"})
    body = text + " " * (ONE_MIB + 1 - len(text))
    # when
    response = as_alice.post("/api/v1/users", body, content_type="application/json")
    # then
    assert_problem(response, 413, "payload_too_large")


def test_a_body_of_exactly_one_mebibyte_is_read(alice: User, client: Client) -> None:
    # given: a login with the wrong password, padded to exactly 1 MiB
    text = json.dumps({"email": "alice@esempio.example", "password": "wrong-password"})
    body = text + " " * (ONE_MIB - len(text))
    # when
    response = client.post("/api/v1/auth/token", body, content_type="application/json")
    # then: it was read and answered on its merits
    assert_problem(response, 401, "invalid_credentials")


def test_an_unknown_api_path_is_a_problem_404(as_alice: Client) -> None:
    assert_problem(as_alice.get("/api/v1/nothing-here"), 404, "not_found")


def test_the_openapi_document_describes_the_endpoints(client: Client) -> None:
    # when
    response = client.get("/api/v1/openapi.json")
    # then
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/auth/token",
        "/api/v1/me",
        "/api/v1/users",
        "/api/v1/users/{user_id}",
        "/api/v1/extensions",
        "/api/v1/backoffice/customers",
        "/api/v1/backoffice/customers/{customer_id}",
        "/api/v1/backoffice/customers/{customer_id}/extensions",
        "/api/v1/backoffice/customers/{customer_id}/users",
    ):
        assert path in paths, path
    assert set(paths["/api/v1/users/{user_id}"]) == {"get", "patch", "delete"}


def test_the_docs_authorize_one_token_for_every_endpoint(client: Client) -> None:
    # when
    document = client.get("/api/v1/openapi.json").json()
    # then: one scheme per mechanism, whatever role an endpoint needs
    assert set(document["components"]["securitySchemes"]) == {
        "BearerTokenAuth",
        "PortalSessionAuth",
    }


def test_the_docs_page_works_offline_with_local_assets_only(client: Client) -> None:
    # when
    page = client.get("/api/v1/docs")
    # then
    assert page.status_code == 200
    html = page.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert client.get(asset).status_code == 200, asset
    assert "cdn" not in html.lower()
