"""Communicator > Alias through the API: the admin of a business customer checks, adds,
submits, cancels, withdraws and deletes SMS sender aliases (API.md "Aliases"; R-A1–A8)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django.fixtures import Settings

from centrex.accounts.models import Language, User
from centrex.aliases.models import (
    AliasConsent,
    AliasEvent,
    AliasStatus,
    GenericWord,
    ReservedName,
    SenderAlias,
)
from centrex.aliases.rules import alias_match_key
from centrex.aliases.schemas import MAX_TEXT_INPUT
from centrex.aliases.sla import due_at_for
from centrex.customers.models import Customer
from tests.aliases.lifecycle import alias_in
from tests.problems import assert_problem

ALIAS_KEYS = {
    "id",
    "text",
    "status",
    "reason",
    "submitted_at",
    "due_at",
    "decided_at",
    "relatedness",
}
# API.md: "Timestamps ISO 8601 with offset".
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


@pytest.fixture(autouse=True)
def registry_in_tmp(settings: Settings, tmp_path: Path) -> Path:
    """Approvals in these tests register with a file spool of their own (R-A9)."""
    spool = tmp_path / "registry"
    spool.mkdir()
    settings.CENTREX_ALIAS_REGISTRY = f"file://{spool}"
    return spool


@pytest.fixture(autouse=True)
def word_lists(db: None) -> None:
    """The R-A4b lists hold at least the entries API.md names."""
    ReservedName.objects.get_or_create(name="Comune")
    GenericWord.objects.get_or_create(word="Info")


@pytest.fixture
def as_alice(alice: User, api_client: Callable[[User | None], Client]) -> Client:
    return api_client(alice)


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, body, content_type="application/json")


def parsed(timestamp: str) -> datetime:
    assert ISO_WITH_OFFSET.match(timestamp), timestamp
    return datetime.fromisoformat(timestamp)


# --- POST /aliases/check (R-A1–A5) -----------------------------------------------------


def test_checking_a_good_alias_says_valid_and_how_related_it_is(as_alice: Client) -> None:
    # when
    response = post(as_alice, "/api/v1/aliases/check", {"text": "EsempioNet"})
    # then: a brand of Esempio (R-A5)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"valid", "errors", "relatedness", "matched"}
    assert body["valid"] is True
    assert body["errors"] == []
    assert body["relatedness"] >= 0.9
    assert body["matched"] == "EsempioNet"


def test_checking_an_unrelated_alias_names_no_match(as_alice: Client) -> None:
    # when
    body = post(as_alice, "/api/v1/aliases/check", {"text": "Zucchero"}).json()
    # then: a hint only (R-A5): the alias is valid all the same
    assert body["valid"] is True
    assert 0.0 <= body["relatedness"] < 0.5
    assert body["matched"] is None


def test_checking_lists_every_broken_rule_in_api_order_and_saves_nothing(
    as_alice: Client,
) -> None:
    # when: too long (R-A1), a forbidden character (R-A1), a double space (R-A1b)
    response = post(as_alice, "/api/v1/aliases/check", {"text": "Esempio  Servizi™"})
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is False
    assert [error["code"] for error in body["errors"]] == [
        "alias_too_long",
        "alias_invalid_characters",
        "alias_bad_spacing",
    ]
    assert all(set(error) == {"code", "message"} and error["message"] for error in body["errors"])
    assert "™" in body["errors"][1]["message"]
    assert not SenderAlias.objects.exists()
    assert not AliasEvent.objects.exists()


def test_checking_reports_a_duplicate_of_the_companys_own_alias(
    as_alice: Client, alice: User, operator: User
) -> None:
    # given
    alias_in("draft", "Esempio", alice, operator)
    # when: the same name but for case, spaces and punctuation (R-A4)
    body = post(as_alice, "/api/v1/aliases/check", {"text": "ESEMPIO."}).json()
    # then
    assert body["valid"] is False
    assert [error["code"] for error in body["errors"]] == ["alias_duplicate"]


def test_checking_reports_a_name_another_customer_has_claimed(
    as_alice: Client, carla: User, operator: User
) -> None:
    # given: Altra's request is pending (R-A4)
    alias_in("pending", "Zucchero", carla, operator)
    # when
    body = post(as_alice, "/api/v1/aliases/check", {"text": "zucchero"}).json()
    # then: taken, without saying by whom
    assert body["valid"] is False
    assert [error["code"] for error in body["errors"]] == ["alias_taken"]
    assert "Altra" not in body["errors"][0]["message"]


def test_checking_a_huge_text_is_refused_by_the_schema(as_alice: Client) -> None:
    # when
    response = post(as_alice, "/api/v1/aliases/check", {"text": "A" * (MAX_TEXT_INPUT + 1)})
    # then
    body = assert_problem(response, 422, "validation_error")
    assert body["errors"][0]["field"] == "text"


@pytest.mark.parametrize("body", [{}, {"text": None}, {"text": 12}, {"testo": "Esempio"}])
def test_checking_without_a_text_is_a_validation_error(as_alice: Client, body: Any) -> None:
    # when
    response = post(as_alice, "/api/v1/aliases/check", body)
    # then
    assert_problem(response, 422, "validation_error")


# --- POST /aliases: "aggiungi" (R-A1–A4b) ----------------------------------------------


def test_an_admin_adds_an_alias_as_a_draft(as_alice: Client, esempio: Customer) -> None:
    # when
    response = post(as_alice, "/api/v1/aliases", {"text": "Esempio Web"})
    # then
    assert response.status_code == 201
    body = response.json()
    assert set(body) == ALIAS_KEYS
    alias = SenderAlias.objects.get(pk=body["id"])
    assert body == {
        "id": alias.pk,
        "text": "Esempio Web",
        "status": "draft",
        "reason": None,
        "submitted_at": None,
        "due_at": None,
        "decided_at": None,
        "relatedness": alias.relatedness,
    }
    assert alias.customer == esempio
    assert alias.relatedness >= 0.8


def test_the_alias_keeps_its_case_exactly_as_typed(as_alice: Client) -> None:
    # when (R-A1)
    body = post(as_alice, "/api/v1/aliases", {"text": "eSempio NET"}).json()
    # then
    assert body["text"] == "eSempio NET"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "alias_empty"),
        ("   ", "alias_empty"),
        ("EsempioServizi", "alias_too_long"),  # R-A1: 14 septets
        ("Esempio€€€€", "alias_too_long"),  # R-A1: € counts 2 → 15
        ("Esempio~", "alias_invalid_characters"),  # R-A1
        ("Ésempio", "alias_invalid_characters"),  # R-A1: no capital accented letters
        ("Esempio😀", "alias_invalid_characters"),  # R-A1
        ("!!!", "alias_no_letter"),  # R-A1
        ("2024", "alias_no_letter"),  # R-A1
        ("Esem  Net", "alias_bad_spacing"),  # R-A1b: double space
        (" Esempio", "alias_bad_spacing"),  # R-A1b: leading space
        ("Esempio !", "alias_bad_spacing"),  # R-A1b: punctuation after a space
        ('"Esempio', "alias_bad_spacing"),  # R-A1b: unpaired quote
        ("Tel 3331234", "alias_looks_like_phone_number"),  # R-A2: 7 digits
        ("Comune Roma", "alias_reserved"),  # R-A4b
        ("INFO", "alias_generic"),  # R-A4b
        ("i.n.f.o", "alias_generic"),  # R-A4b: punctuation ignored
    ],
)
def test_an_alias_breaking_a_rule_is_refused_with_its_code(
    as_alice: Client, text: str, code: str
) -> None:
    # when
    response = post(as_alice, "/api/v1/aliases", {"text": text})
    # then
    body = assert_problem(response, 422, code)
    assert body["errors"][0] == {"field": "text", "code": code, "message": body["detail"]}
    assert not SenderAlias.objects.exists()


def test_info_with_a_name_is_not_generic(as_alice: Client) -> None:
    # when: API.md: "INFO" is generic, "Info Acme" is not
    response = post(as_alice, "/api/v1/aliases", {"text": "Info Acme"})
    # then
    assert response.status_code == 201, response.content


def test_several_broken_rules_lead_with_the_first_in_api_order_and_list_each(
    as_alice: Client,
) -> None:
    # when: too long and with a forbidden character (API.md "Error codes")
    response = post(as_alice, "/api/v1/aliases", {"text": "EsempioServizi™"})
    # then
    body = assert_problem(response, 422, "alias_too_long")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [
        ("text", "alias_too_long"),
        ("text", "alias_invalid_characters"),
    ]


def test_a_duplicate_leads_over_text_rules_as_409(
    as_alice: Client, alice: User, operator: User
) -> None:
    # given
    alias_in("validated", "Esempio", alice, operator)
    # when: the same name (R-A4) written too long (R-A1): 409 codes come first in API.md
    response = post(as_alice, "/api/v1/aliases", {"text": "E.s.e.m.p.i.o"})
    # then
    body = assert_problem(response, 409, "alias_duplicate")
    assert sorted(e["code"] for e in body["errors"]) == ["alias_duplicate", "alias_too_long"]
    assert SenderAlias.objects.count() == 1


@pytest.mark.parametrize("status", ["draft", "pending", "validated"])
def test_a_live_alias_of_the_company_is_a_duplicate(
    as_alice: Client, alice: User, operator: User, status: str
) -> None:
    # given
    alias_in(status, "Esempio", alice, operator)
    # when: case, spaces and punctuation ignored (R-A4)
    response = post(as_alice, "/api/v1/aliases", {"text": "ESEMPIO"})
    # then
    assert_problem(response, 409, "alias_duplicate")


@pytest.mark.parametrize("status", ["rejected", "revoked", "withdrawn"])
def test_a_finished_alias_does_not_block_asking_again(
    as_alice: Client, alice: User, operator: User, status: str
) -> None:
    # given
    alias_in(status, "Esempio", alice, operator)
    # when (R-A4: only live aliases count)
    response = post(as_alice, "/api/v1/aliases", {"text": "Esempio"})
    # then
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("status", ["pending", "validated"])
def test_a_name_claimed_by_another_customer_is_taken(
    as_alice: Client, carla: User, operator: User, status: str
) -> None:
    # given
    alias_in(status, "Zucchero", carla, operator)
    # when (R-A4)
    response = post(as_alice, "/api/v1/aliases", {"text": "Zuc-chero"})
    # then
    assert_problem(response, 409, "alias_taken")


def test_another_customers_draft_claims_nothing(
    as_alice: Client, carla: User, operator: User
) -> None:
    # given: Altra has only written the name down (R-A4)
    alias_in("draft", "Zucchero", carla, operator)
    # when
    response = post(as_alice, "/api/v1/aliases", {"text": "Zucchero"})
    # then
    assert response.status_code == 201, response.content


# --- who may (R-A3, R-C3) ----------------------------------------------------------------


ALIAS_ENDPOINTS = [
    ("post", "/api/v1/aliases/check", {"text": "Esempio"}),
    ("get", "/api/v1/aliases", None),
    ("post", "/api/v1/aliases", {"text": "Esempio"}),
    ("get", "/api/v1/aliases/{alias}", None),
    ("post", "/api/v1/aliases/{alias}/submit", {"consent": True}),
    ("delete", "/api/v1/aliases/{alias}", None),
]


@pytest.fixture
def esempio_draft(alice: User, operator: User) -> SenderAlias:
    return alias_in("draft", "Esempio", alice, operator)


@pytest.mark.parametrize(("method", "path", "body"), ALIAS_ENDPOINTS)
def test_a_consumer_has_no_aliases(
    dario: User,
    esempio_draft: SenderAlias,
    api_client: Callable[[User | None], Client],
    method: str,
    path: str,
    body: Any,
) -> None:
    # when: even Dario, admin of his own consumer account (R-A3)
    response = getattr(api_client(dario), method)(
        path.format(alias=esempio_draft.pk), body, content_type="application/json"
    )
    # then
    assert_problem(response, 403, "alias_consumer_not_allowed")
    assert SenderAlias.objects.get().status == "draft"


@pytest.mark.parametrize(("method", "path", "body"), ALIAS_ENDPOINTS)
@pytest.mark.parametrize("who", ["bob", "operator"])
def test_only_the_customers_admins_manage_aliases(
    who: str,
    request: pytest.FixtureRequest,
    esempio_draft: SenderAlias,
    api_client: Callable[[User | None], Client],
    method: str,
    path: str,
    body: Any,
) -> None:
    # given: Bob is a plain user of Esempio; operators decide in the back office
    caller: User = request.getfixturevalue(who)
    # when
    response = getattr(api_client(caller), method)(
        path.format(alias=esempio_draft.pk), body, content_type="application/json"
    )
    # then
    assert_problem(response, 403, "permission_denied")
    assert SenderAlias.objects.get().status == "draft"


@pytest.mark.parametrize(("method", "path", "body"), ALIAS_ENDPOINTS)
def test_aliases_need_a_login(
    esempio_draft: SenderAlias, client: Client, method: str, path: str, body: Any
) -> None:
    # when
    response = getattr(client, method)(
        path.format(alias=esempio_draft.pk), body, content_type="application/json"
    )
    # then
    assert_problem(response, 401, "not_authenticated")


# --- GET /aliases, GET /aliases/{id} -----------------------------------------------------


def test_the_list_shows_the_companys_aliases_with_their_status(
    as_alice: Client, alice: User, carla: User, operator: User
) -> None:
    # given
    draft = alias_in("draft", "Esempio", alice, operator)
    pending = alias_in("pending", "EsempioNet", alice, operator)
    alias_in("pending", "Altra", carla, operator)
    # when
    response = as_alice.get("/api/v1/aliases")
    # then: only Esempio's (R-C3)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [(item["id"], item["status"]) for item in body["items"]] == [
        (draft.pk, "draft"),
        (pending.pk, "pending"),
    ]
    assert all(set(item) == ALIAS_KEYS for item in body["items"])


def test_the_list_keeps_only_one_status_when_asked(
    as_alice: Client, alice: User, operator: User
) -> None:
    # given
    alias_in("draft", "Esempio", alice, operator)
    pending = alias_in("pending", "EsempioNet", alice, operator)
    # when
    body = as_alice.get("/api/v1/aliases", {"status": "pending"}).json()
    # then
    assert body["count"] == 1
    assert [item["id"] for item in body["items"]] == [pending.pk]


def test_an_unknown_status_filter_is_a_validation_error(as_alice: Client) -> None:
    # when
    response = as_alice.get("/api/v1/aliases", {"status": "approved"})
    # then
    body = assert_problem(response, 422, "validation_error")
    assert body["errors"][0]["field"] == "status"


def test_the_list_is_paginated(as_alice: Client, alice: User, operator: User) -> None:
    # given
    for text in ("Esempio", "EsempioNet", "Esempio Web"):
        alias_in("draft", text, alice, operator)
    # when
    body = as_alice.get("/api/v1/aliases", {"limit": 2, "offset": 2}).json()
    # then: ordered by text
    assert body["count"] == 3
    assert [item["text"] for item in body["items"]] == ["EsempioNet"]


def test_the_list_runs_as_many_queries_for_100_aliases_as_for_5(
    as_alice: Client, esempio: Customer
) -> None:
    # given
    SenderAlias.objects.bulk_create(
        SenderAlias(
            customer=esempio,
            text=f"Esempio{n:03}",
            match_key=alias_match_key(f"Esempio{n:03}"),
            status=AliasStatus.values[n % len(AliasStatus.values)],
        )
        for n in range(120)
    )
    as_alice.get("/api/v1/me")

    def queries_for(limit: int) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = as_alice.get("/api/v1/aliases", {"limit": limit})
        assert response.status_code == 200
        return len(captured), len(response.json()["items"])

    # when
    few, few_items = queries_for(5)
    many, many_items = queries_for(100)
    # then
    assert (few_items, many_items) == (5, 100)
    assert few == many


def test_one_alias_is_shown_to_its_admin(as_alice: Client, alice: User, operator: User) -> None:
    # given
    alias = alias_in("rejected", "Esempio", alice, operator)
    # when
    response = as_alice.get(f"/api/v1/aliases/{alias.pk}")
    # then: the operator's reason is shown (R-A10)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "rejected"
    assert body["reason"] == "Non riconducibile all'azienda."
    assert alias.decided_at is not None
    assert parsed(body["decided_at"]) == alias.decided_at.replace(microsecond=0)


def test_a_missing_alias_is_404(as_alice: Client) -> None:
    # when
    response = as_alice.get("/api/v1/aliases/987654")
    # then
    assert_problem(response, 404, "not_found")


def test_another_customers_alias_is_404_like_a_missing_one(
    as_alice: Client, carla: User, operator: User
) -> None:
    # given
    theirs = alias_in("draft", "Altra", carla, operator)
    # when
    response = as_alice.get(f"/api/v1/aliases/{theirs.pk}")
    missing = as_alice.get("/api/v1/aliases/987654")
    # then (R-C3)
    assert_problem(response, 404, "not_found")
    assert response.json() == missing.json()


# --- POST /aliases/{id}/submit: "invia richiesta" (R-A7, R-A8) ---------------------------


def test_submitting_with_consent_makes_the_alias_pending_with_its_due_time(
    as_alice: Client, alice: User, esempio_draft: SenderAlias
) -> None:
    # when
    response = post(
        as_alice,
        f"/api/v1/aliases/{esempio_draft.pk}/submit",
        {"consent": True},
    )
    # then: the outcome is due within 8 business hours (R-A8)
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == ALIAS_KEYS
    alias = SenderAlias.objects.get(pk=esempio_draft.pk)
    assert body["status"] == alias.status == "pending"
    assert alias.submitted_at is not None and alias.due_at is not None
    assert alias.due_at == due_at_for(alias.submitted_at)
    assert parsed(body["submitted_at"]) == alias.submitted_at.replace(microsecond=0)
    assert parsed(body["due_at"]) == alias.due_at.replace(microsecond=0)
    assert body["decided_at"] is None


def test_the_authorisation_records_who_when_from_where_and_in_which_language(
    alice: User, esempio_draft: SenderAlias, api_client: Callable[[User | None], Client]
) -> None:
    # given: Alice reads the portal in English
    alice.language = Language.ENGLISH
    alice.save(update_fields=["language"])
    client = api_client(alice)
    # when
    response = client.post(
        f"/api/v1/aliases/{esempio_draft.pk}/submit",
        {"consent": True},
        content_type="application/json",
        REMOTE_ADDR="198.51.100.7",
    )
    # then (R-A7)
    assert response.status_code == 200, response.content
    consent = AliasConsent.objects.get(alias=esempio_draft)
    assert consent.given_by == alice
    assert consent.ip_address == "198.51.100.7"
    assert consent.wording_language == "en"
    assert consent.wording
    submitted = AliasEvent.objects.get(alias=esempio_draft, to_status="pending")
    assert (submitted.actor, submitted.from_status) == (alice, "draft")


@pytest.mark.parametrize("body", [{}, {"consent": False}, {"consent": None}])
def test_submitting_without_consent_is_refused(
    as_alice: Client, esempio_draft: SenderAlias, body: dict[str, Any]
) -> None:
    # when (R-A7)
    response = post(as_alice, f"/api/v1/aliases/{esempio_draft.pk}/submit", body)
    # then
    assert_problem(response, 422, "consent_required")
    esempio_draft.refresh_from_db()
    assert esempio_draft.status == "draft"
    assert not AliasConsent.objects.exists()


@pytest.mark.parametrize("consent", ["yes", 1, "true"])
def test_consent_must_be_a_json_true(
    as_alice: Client, esempio_draft: SenderAlias, consent: object
) -> None:
    # when
    response = post(as_alice, f"/api/v1/aliases/{esempio_draft.pk}/submit", {"consent": consent})
    # then
    body = assert_problem(response, 422, "validation_error")
    assert body["errors"][0]["field"] == "consent"
    assert not AliasConsent.objects.exists()


@pytest.mark.parametrize("status", ["pending", "validated", "rejected", "revoked", "withdrawn"])
def test_only_a_draft_can_be_submitted(
    as_alice: Client, alice: User, operator: User, status: str
) -> None:
    # given: API.md: a rejected alias is not resubmitted; delete it and create a new one
    alias = alias_in(status, "Esempio", alice, operator)
    # when (R-A6)
    response = post(as_alice, f"/api/v1/aliases/{alias.pk}/submit", {"consent": True})
    # then
    assert_problem(response, 409, "invalid_transition")
    alias.refresh_from_db()
    assert alias.status == status


def test_a_draft_that_became_taken_cannot_be_submitted(
    as_alice: Client, esempio_draft: SenderAlias, carla: User, operator: User
) -> None:
    # given: Altra asked for the same name in the meantime (R-A4: rules re-checked)
    alias_in("pending", "ESEMPIO", carla, operator)
    # when
    response = post(as_alice, f"/api/v1/aliases/{esempio_draft.pk}/submit", {"consent": True})
    # then
    assert_problem(response, 409, "alias_taken")
    esempio_draft.refresh_from_db()
    assert esempio_draft.status == "draft"


# --- DELETE /aliases/{id}: cancel, withdraw, delete (R-A6) -------------------------------


@pytest.mark.parametrize("status", ["draft", "rejected"])
def test_a_draft_or_rejected_alias_is_deleted(
    as_alice: Client, alice: User, operator: User, status: str
) -> None:
    # given
    alias = alias_in(status, "Esempio", alice, operator)
    # when
    response = as_alice.delete(f"/api/v1/aliases/{alias.pk}")
    # then: gone, but its history is kept
    assert response.status_code == 204
    assert response.content == b""
    assert_problem(as_alice.get(f"/api/v1/aliases/{alias.pk}"), 404, "not_found")
    assert not SenderAlias.objects.filter(pk=alias.pk).exists()
    assert AliasEvent.objects.filter(alias_text="Esempio").exists()


def test_deleting_a_pending_alias_cancels_the_request(
    as_alice: Client, alice: User, operator: User
) -> None:
    # given
    alias = alias_in("pending", "Esempio", alice, operator)
    # when
    response = as_alice.delete(f"/api/v1/aliases/{alias.pk}")
    # then: back to draft
    assert response.status_code == 204
    body = as_alice.get(f"/api/v1/aliases/{alias.pk}").json()
    assert (body["status"], body["submitted_at"], body["due_at"]) == ("draft", None, None)
    assert AliasEvent.objects.filter(alias=alias, from_status="pending", to_status="draft")


def test_deleting_a_validated_alias_withdraws_it(
    as_alice: Client, alice: User, operator: User
) -> None:
    # given
    alias = alias_in("validated", "Esempio", alice, operator)
    # when
    response = as_alice.delete(f"/api/v1/aliases/{alias.pk}")
    # then
    assert response.status_code == 204
    assert as_alice.get(f"/api/v1/aliases/{alias.pk}").json()["status"] == "withdrawn"
    assert AliasEvent.objects.filter(
        alias=alias, from_status="validated", to_status="withdrawn", actor=alice
    ).exists()


@pytest.mark.parametrize("status", ["revoked", "withdrawn"])
def test_a_revoked_or_withdrawn_alias_cannot_be_deleted(
    as_alice: Client, alice: User, operator: User, status: str
) -> None:
    # given
    alias = alias_in(status, "Esempio", alice, operator)
    # when
    response = as_alice.delete(f"/api/v1/aliases/{alias.pk}")
    # then
    assert_problem(response, 409, "invalid_transition")
    alias.refresh_from_db()
    assert alias.status == status


def test_deleting_a_missing_alias_is_404(as_alice: Client) -> None:
    # when
    response = as_alice.delete("/api/v1/aliases/987654")
    # then
    assert_problem(response, 404, "not_found")
