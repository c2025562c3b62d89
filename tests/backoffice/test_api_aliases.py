"""The operators' alias queue through the API: review, approve (with the AGCOM registry),
reject, revoke, retry (API.md "Back office"; R-A5, R-A6, R-A8, R-A9, R-B1)."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.fixtures import Settings

from centrex.accounts.models import User
from centrex.aliases.models import AliasEvent, AliasStatus, SenderAlias
from centrex.aliases.rules import alias_match_key
from centrex.customers.models import Customer
from tests.aliases.lifecycle import alias_in
from tests.aliases.test_api import ALIAS_KEYS, parsed
from tests.problems import assert_problem

BACKOFFICE_KEYS = ALIAS_KEYS | {"customer", "overdue", "registry", "matched"}


@pytest.fixture(autouse=True)
def registry_in_tmp(settings: Settings, tmp_path: Path) -> Path:
    """Approvals in these tests register with a file spool of their own (R-A9)."""
    spool = tmp_path / "registry"
    spool.mkdir()
    settings.CENTREX_ALIAS_REGISTRY = f"file://{spool}"
    return spool


@pytest.fixture
def unreachable_registry(settings: Settings) -> str:
    """A registry on a loopback port nobody listens on: every attempt fails at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/registrations"
    settings.CENTREX_ALIAS_REGISTRY = url
    return url


@pytest.fixture
def as_operator(operator: User, api_client: Callable[[User | None], Client]) -> Client:
    return api_client(operator)


@pytest.fixture
def pending(alice: User, operator: User) -> SenderAlias:
    return alias_in("pending", "EsempioNet", alice, operator)


def post(client: Client, path: str, body: Any = None) -> Any:
    return client.post(path, body, content_type="application/json")


# --- GET /backoffice/aliases: the queue (R-A8) ------------------------------------------


def test_the_queue_lists_pending_requests_earliest_due_first(
    as_operator: Client, alice: User, carla: User, operator: User
) -> None:
    # given: two requests with their due times moved apart, a draft and a validated alias
    later = alias_in("pending", "EsempioNet", alice, operator)
    sooner = alias_in("pending", "Altra", carla, operator)
    now = timezone.now()
    SenderAlias.objects.filter(pk=later.pk).update(due_at=now + timedelta(hours=5))
    SenderAlias.objects.filter(pk=sooner.pk).update(due_at=now + timedelta(hours=1))
    alias_in("draft", "Esempio Web", alice, operator)
    alias_in("validated", "Esempio", alice, operator)
    # when
    response = as_operator.get("/api/v1/backoffice/aliases", {"status": "pending"})
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [item["id"] for item in body["items"]] == [sooner.pk, later.pk]
    assert all(set(item) == BACKOFFICE_KEYS for item in body["items"])


def test_a_queue_item_names_the_customer_overdue_registry_and_match(
    as_operator: Client, pending: SenderAlias, esempio: Customer
) -> None:
    # when
    item = as_operator.get("/api/v1/backoffice/aliases", {"status": "pending"}).json()["items"][0]
    # then
    pending.refresh_from_db()
    assert item["id"] == pending.pk
    assert item["text"] == "EsempioNet"
    assert item["status"] == "pending"
    assert item["customer"] == {"id": esempio.pk, "name": "Esempio S.r.l."}
    assert item["overdue"] is False
    assert item["registry"] == {"state": None, "error": None}
    assert item["matched"] == "EsempioNet"
    assert item["relatedness"] == pending.relatedness >= 0.9
    assert pending.due_at is not None
    assert parsed(item["due_at"]) == pending.due_at.replace(microsecond=0)


def test_a_request_past_its_due_time_is_overdue(
    as_operator: Client, pending: SenderAlias, carla: User, operator: User
) -> None:
    # given: one request a minute late, one due in an hour (R-A8)
    SenderAlias.objects.filter(pk=pending.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    on_time = alias_in("pending", "Altra", carla, operator)
    SenderAlias.objects.filter(pk=on_time.pk).update(due_at=timezone.now() + timedelta(hours=1))
    # when
    items = as_operator.get("/api/v1/backoffice/aliases", {"status": "pending"}).json()["items"]
    # then
    assert [(item["id"], item["overdue"]) for item in items] == [
        (pending.pk, True),
        (on_time.pk, False),
    ]


def test_a_decided_alias_is_never_overdue(as_operator: Client, pending: SenderAlias) -> None:
    # given: decided late
    SenderAlias.objects.filter(pk=pending.pk).update(due_at=timezone.now() - timedelta(days=2))
    post(as_operator, f"/api/v1/backoffice/aliases/{pending.pk}/reject", {"reason": "No."})
    # when
    items = as_operator.get("/api/v1/backoffice/aliases").json()["items"]
    # then
    assert [(item["status"], item["overdue"]) for item in items] == [("rejected", False)]


def test_without_a_status_every_alias_is_listed_with_undue_ones_last(
    as_operator: Client, alice: User, carla: User, operator: User
) -> None:
    # given
    draft = alias_in("draft", "Esempio Web", alice, operator)
    request = alias_in("pending", "Altra", carla, operator)
    validated = alias_in("validated", "Esempio", alice, operator)
    # when
    body = as_operator.get("/api/v1/backoffice/aliases").json()
    # then: by due time; a draft has none
    assert body["count"] == 3
    ids = [item["id"] for item in body["items"]]
    assert set(ids) == {draft.pk, request.pk, validated.pk}
    assert ids[-1] == draft.pk


def test_an_unknown_status_is_a_validation_error(as_operator: Client) -> None:
    # when
    response = as_operator.get("/api/v1/backoffice/aliases", {"status": "late"})
    # then
    body = assert_problem(response, 422, "validation_error")
    assert body["errors"][0]["field"] == "status"


def test_the_queue_runs_as_many_queries_for_100_requests_as_for_5(
    as_operator: Client, operator: User
) -> None:
    # given: 120 pending requests of 120 customers
    customers = Customer.objects.bulk_create(
        Customer(
            name=f"Cliente {n:03}",
            kind="business",
            vat_number="12345670017",
            street="Via Po 1",
            postcode="10100",
            city="Torino",
            email=f"c{n}@example.com",
        )
        for n in range(120)
    )
    now = timezone.now()
    SenderAlias.objects.bulk_create(
        SenderAlias(
            customer=customer,
            text=f"Cliente{n:03}",
            match_key=alias_match_key(f"Cliente{n:03}"),
            status=AliasStatus.PENDING,
            submitted_at=now,
            due_at=now + timedelta(minutes=n - 60),
            registry_state="failed" if n % 3 == 0 else "",
            registry_error="HTTP 503" if n % 3 == 0 else "",
        )
        for n, customer in enumerate(customers)
    )
    as_operator.get("/api/v1/me")

    def queries_for(limit: int) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = as_operator.get(
                "/api/v1/backoffice/aliases", {"status": "pending", "limit": limit}
            )
        assert response.status_code == 200
        return len(captured), len(response.json()["items"])

    # when
    few, few_items = queries_for(5)
    many, many_items = queries_for(100)
    # then
    assert (few_items, many_items) == (5, 100)
    assert few == many


# --- GET /backoffice/aliases/{id} --------------------------------------------------------


def test_one_alias_shows_its_history_and_authorisation(
    as_operator: Client, pending: SenderAlias, alice: User
) -> None:
    # when
    response = as_operator.get(f"/api/v1/backoffice/aliases/{pending.pk}")
    # then (R-A6, R-A7)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == BACKOFFICE_KEYS | {"history", "consents"}
    assert body["customer"]["name"] == "Esempio S.r.l."
    moves = [
        (step["from_status"], step["to_status"], step["actor"], step["actor_is_operator"])
        for step in body["history"]
        if step["to_status"]
    ]
    assert moves == [
        ("draft", "pending", "alice@esempio.example", False),
        (None, "draft", "alice@esempio.example", False),
    ]
    assert {step["action"] for step in body["history"]} >= {"created", "submitted"}
    parsed(body["history"][0]["at"])
    [consent] = body["consents"]
    assert consent["given_by"] == "alice@esempio.example"
    assert consent["ip_address"] == "192.0.2.10"
    assert consent["wording_language"] == "it"
    assert consent["wording_version"]
    parsed(consent["given_at"])


def test_a_missing_alias_is_404_for_operators(as_operator: Client) -> None:
    # when
    response = as_operator.get("/api/v1/backoffice/aliases/987654")
    # then
    assert_problem(response, 404, "not_found")


# --- POST /backoffice/aliases/{id}/approve (R-A9) ----------------------------------------


def test_approving_registers_the_alias_and_validates_it(
    as_operator: Client, pending: SenderAlias, registry_in_tmp: Path
) -> None:
    # when
    response = post(as_operator, f"/api/v1/backoffice/aliases/{pending.pk}/approve")
    # then: the registry accepted it, so it is validated (R-A9)
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == BACKOFFICE_KEYS
    assert body["status"] == "validated"
    assert body["registry"] == {"state": "accepted", "error": None}
    assert body["overdue"] is False
    pending.refresh_from_db()
    assert pending.decided_at is not None
    assert parsed(body["decided_at"]) == pending.decided_at.replace(microsecond=0)
    [spooled] = registry_in_tmp.glob("*.json")
    document = json.loads(spooled.read_text(encoding="utf-8"))
    assert document["alias"]["text"] == "EsempioNet"
    assert document["customer"]["ragione_sociale"] == "Esempio S.r.l."


def test_a_registry_failure_keeps_the_approval_and_the_alias_pending(
    as_operator: Client, pending: SenderAlias, unreachable_registry: str
) -> None:
    # when
    response = post(as_operator, f"/api/v1/backoffice/aliases/{pending.pk}/approve")
    # then: not validated before the registry accepts it, and the decision is not lost
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "pending"
    assert body["registry"]["state"] == "failed"
    assert body["registry"]["error"]
    assert body["decided_at"] is None
    pending.refresh_from_db()
    assert pending.approved_at is not None
    assert pending.registry_attempts == 1


def test_retrying_after_the_registry_is_back_validates_the_alias(
    as_operator: Client,
    pending: SenderAlias,
    unreachable_registry: str,
    settings: Settings,
    registry_in_tmp: Path,
) -> None:
    # given: approved while the registry was down
    post(as_operator, f"/api/v1/backoffice/aliases/{pending.pk}/approve")
    settings.CENTREX_ALIAS_REGISTRY = f"file://{registry_in_tmp}"
    # when: the operator's "retry now" (R-A9)
    response = post(as_operator, f"/api/v1/backoffice/aliases/{pending.pk}/retry")
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["registry"]) == ("validated", {"state": "accepted", "error": None})
    assert len(list(registry_in_tmp.glob("*.json"))) == 1


def test_retrying_an_alias_that_was_never_approved_is_an_invalid_transition(
    as_operator: Client, pending: SenderAlias
) -> None:
    # when
    response = post(as_operator, f"/api/v1/backoffice/aliases/{pending.pk}/retry")
    # then
    assert_problem(response, 409, "invalid_transition")


def test_approving_again_after_a_failure_retries_the_registration(
    as_operator: Client,
    pending: SenderAlias,
    unreachable_registry: str,
    settings: Settings,
    registry_in_tmp: Path,
) -> None:
    # given: approved while the registry was down
    post(as_operator, f"/api/v1/backoffice/aliases/{pending.pk}/approve")
    settings.CENTREX_ALIAS_REGISTRY = f"file://{registry_in_tmp}"
    # when
    response = post(as_operator, f"/api/v1/backoffice/aliases/{pending.pk}/approve")
    # then: one approval, registered at the second attempt (R-A9)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "validated"
    pending.refresh_from_db()
    assert pending.registry_attempts == 2
    assert AliasEvent.objects.filter(alias=pending, action="approved").count() == 1


def test_an_approved_request_can_no_longer_be_cancelled_by_the_customer(
    pending: SenderAlias,
    unreachable_registry: str,
    as_operator: Client,
    alice: User,
    api_client: Callable[[User | None], Client],
) -> None:
    # given: approved, the registration still being retried
    post(as_operator, f"/api/v1/backoffice/aliases/{pending.pk}/approve")
    # when
    response = api_client(alice).delete(f"/api/v1/aliases/{pending.pk}")
    # then: the decision is not lost (R-A9)
    assert_problem(response, 409, "invalid_transition")
    pending.refresh_from_db()
    assert (pending.status, pending.approved_at is not None) == ("pending", True)


@pytest.mark.parametrize("status", ["draft", "validated", "rejected", "revoked", "withdrawn"])
def test_only_a_pending_alias_can_be_approved(
    as_operator: Client, alice: User, operator: User, status: str
) -> None:
    # given
    alias = alias_in(status, "Esempio", alice, operator)
    # when (R-A6)
    response = post(as_operator, f"/api/v1/backoffice/aliases/{alias.pk}/approve")
    # then
    assert_problem(response, 409, "invalid_transition")
    alias.refresh_from_db()
    assert alias.status == status


# --- reject and revoke (R-A6, R-A10) ----------------------------------------------------


def test_rejecting_tells_the_customer_why(
    as_operator: Client,
    pending: SenderAlias,
    operator: User,
    alice: User,
    api_client: Callable[[User | None], Client],
) -> None:
    # when
    response = post(
        as_operator,
        f"/api/v1/backoffice/aliases/{pending.pk}/reject",
        {"reason": "Il nome non è riconducibile all'azienda."},
    )
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["reason"]) == (
        "rejected",
        "Il nome non è riconducibile all'azienda.",
    )
    parsed(body["decided_at"])
    seen = api_client(alice).get(f"/api/v1/aliases/{pending.pk}").json()
    assert seen["reason"] == "Il nome non è riconducibile all'azienda."
    assert AliasEvent.objects.filter(
        alias=pending, from_status="pending", to_status="rejected", actor=operator
    ).exists()


def test_revoking_a_validated_alias_records_the_reason(
    as_operator: Client, alice: User, operator: User
) -> None:
    # given
    alias = alias_in("validated", "Esempio", alice, operator)
    # when
    response = post(
        as_operator, f"/api/v1/backoffice/aliases/{alias.pk}/revoke", {"reason": "Abuso."}
    )
    # then: it can no longer be a sender (R-A11)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["reason"]) == ("revoked", "Abuso.")
    assert not SenderAlias.objects.usable().filter(pk=alias.pk).exists()


@pytest.mark.parametrize("action", ["reject", "revoke"])
@pytest.mark.parametrize("body", [{"reason": ""}, {"reason": "   "}])
def test_a_blank_reason_is_refused(
    as_operator: Client, alice: User, operator: User, action: str, body: dict[str, Any]
) -> None:
    # given: an alias each action could otherwise decide
    alias = alias_in("pending" if action == "reject" else "validated", "Esempio", alice, operator)
    # when
    response = post(as_operator, f"/api/v1/backoffice/aliases/{alias.pk}/{action}", body)
    # then
    problem = assert_problem(response, 422, "validation_error")
    assert problem["errors"][0]["field"] == "reason"
    assert SenderAlias.objects.get(pk=alias.pk).status == alias.status


@pytest.mark.parametrize("action", ["reject", "revoke"])
@pytest.mark.parametrize("body", [{}, {"reason": None}, {"reason": "x" * 2001}])
def test_a_missing_or_huge_reason_is_a_validation_error(
    as_operator: Client, pending: SenderAlias, action: str, body: dict[str, Any]
) -> None:
    # when
    response = post(as_operator, f"/api/v1/backoffice/aliases/{pending.pk}/{action}", body)
    # then
    problem = assert_problem(response, 422, "validation_error")
    assert problem["errors"][0]["field"] == "reason"


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("reject", "draft"),
        ("reject", "validated"),
        ("reject", "rejected"),
        ("reject", "withdrawn"),
        ("revoke", "draft"),
        ("revoke", "pending"),
        ("revoke", "rejected"),
        ("revoke", "revoked"),
        ("revoke", "withdrawn"),
    ],
)
def test_a_decision_on_an_alias_in_the_wrong_state_is_an_invalid_transition(
    as_operator: Client, alice: User, operator: User, action: str, status: str
) -> None:
    # given
    alias = alias_in(status, "Esempio", alice, operator)
    # when (R-A6)
    response = post(
        as_operator, f"/api/v1/backoffice/aliases/{alias.pk}/{action}", {"reason": "Motivo."}
    )
    # then
    assert_problem(response, 409, "invalid_transition")
    alias.refresh_from_db()
    assert alias.status == status


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/backoffice/aliases/987654/approve", None),
        ("/api/v1/backoffice/aliases/987654/retry", None),
        ("/api/v1/backoffice/aliases/987654/reject", {"reason": "Motivo."}),
        ("/api/v1/backoffice/aliases/987654/revoke", {"reason": "Motivo."}),
    ],
)
def test_an_operator_action_on_a_missing_alias_is_404(
    as_operator: Client, path: str, body: Any
) -> None:
    # when
    response = post(as_operator, path, body)
    # then
    assert_problem(response, 404, "not_found")
