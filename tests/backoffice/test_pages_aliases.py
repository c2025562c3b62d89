"""The operators' alias pages (R-B1): the queue ordered by due time with overdue requests
highlighted (R-A8), the review of one alias with its decisions (R-A5–A7, R-A9, R-A10), the
editable word lists and charset setting (R-A1, R-A4b), and the alias audit trail with its CSV
export."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from centrex.accounts.models import User
from centrex.aliases.actions.checking import check_alias_text
from centrex.aliases.actions.decisions import approve_alias, reject_alias
from centrex.aliases.actions.lifecycle import create_alias, submit_alias
from centrex.aliases.consent import CURRENT_CONSENT_VERSION, consent_wording
from centrex.aliases.models import (
    AliasEvent,
    AliasSettings,
    AliasStatus,
    GenericWord,
    RegistryState,
    ReservedName,
    SenderAlias,
)
from centrex.core.errors import ErrorCode
from centrex.customers.models import Customer
from tests.sidebar import current_page

ROME = ZoneInfo("Europe/Rome")
MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=ROME)
TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=ROME)
QUEUE = reverse("backoffice:alias_queue")
LISTS = reverse("backoffice:alias_lists")
AUDIT = reverse("backoffice:alias_audit")
AUDIT_CSV = reverse("backoffice:alias_audit_export")


@pytest.fixture
def broken_registry(settings: Any, tmp_path: Path) -> None:
    """A spool folder that cannot be created: every registration fails (R-A9)."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.CENTREX_ALIAS_REGISTRY = f"file://{blocker / 'registry'}"


class Clock:
    """`timezone.now()` stopped at a chosen moment (the views, the actions and auto_now)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch

    def set(self, moment: datetime) -> None:
        self.monkeypatch.setattr(timezone, "now", lambda: moment)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def operator_client(operator: User) -> Client:
    return _logged_in(operator)


def _pending(
    customer: Customer, admin: User, text: str, *, at: datetime = MONDAY_10
) -> SenderAlias:
    alias = create_alias(customer, text, acting_user=admin)
    return submit_alias(
        alias, consent=True, acting_user=admin, ip_address="192.0.2.10", language="it", now=at
    )


def _review(alias: SenderAlias) -> str:
    return reverse("backoffice:alias_review", args=[alias.pk])


def _rows(response: Any) -> list[str]:
    """The aliases of the queue page, in order."""
    return [row.alias.text for row in response.context["rows"]]


def _csv(response: Any) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


# Who may open the back-office alias pages


@pytest.mark.parametrize("name", ["queue", "lists", "audit", "audit_export"])
def test_customer_users_get_403_on_the_operator_pages(alice: User, bob: User, name: str) -> None:
    # when
    responses = [
        _logged_in(person).get(reverse(f"backoffice:alias_{name}")) for person in (alice, bob)
    ]

    # then
    assert [response.status_code for response in responses] == [403, 403]


def test_a_customer_admin_cannot_review_or_decide_her_own_alias(
    alice: User, esempio: Customer
) -> None:
    # given
    alias = _pending(esempio, alice, "Esempio")
    client = _logged_in(alice)

    # when
    review = client.get(_review(alias))
    approve = client.post(reverse("backoffice:alias_approve", args=[alias.pk]))
    reject = client.post(
        reverse("backoffice:alias_reject", args=[alias.pk]), {"reject-reason": "no"}
    )

    # then
    assert (review.status_code, approve.status_code, reject.status_code) == (403, 403, 403)
    alias.refresh_from_db()
    assert alias.status == AliasStatus.PENDING


def test_anonymous_visitors_are_sent_to_the_login(db: None) -> None:
    # when
    response = Client().get(QUEUE)

    # then
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_alias_that_does_not_exist_is_404(operator_client: Client) -> None:
    # when
    review = operator_client.get(reverse("backoffice:alias_review", args=[999_999]))
    approve = operator_client.post(reverse("backoffice:alias_approve", args=[999_999]))

    # then
    assert (review.status_code, approve.status_code) == (404, 404)


def test_the_operator_menu_has_alias(operator_client: Client) -> None:
    # when
    response = operator_client.get(QUEUE)

    # then
    assert current_page(response.content.decode()) == [("Alias", QUEUE)]


# The queue (R-A8)


def test_the_queue_puts_pending_requests_first_earliest_due_first(
    operator: User,
    esempio: Customer,
    alice: User,
    altra: Customer,
    carla: User,
    clock: Clock,
) -> None:
    # given a draft, a later and an earlier request
    create_alias(esempio, "Esempio", acting_user=alice)
    _pending(esempio, alice, "EsempioNet", at=TUESDAY_10)
    _pending(altra, carla, "Altra", at=MONDAY_10)

    # when the operator looks on Monday at 12:00 (the Monday request is due Tuesday 09:00)
    clock.set(datetime(2026, 11, 30, 12, 0, tzinfo=ROME))
    response = _logged_in(operator).get(QUEUE)

    # then
    assert _rows(response) == ["Altra", "EsempioNet", "Esempio"]
    assertContains(response, "Altra S.p.A.")
    assertContains(response, "entro 6 ore lavorative")


def test_overdue_requests_are_highlighted(
    operator: User, esempio: Customer, alice: User, clock: Clock
) -> None:
    # given a request made on Monday 10:00, due Tuesday 09:00 (R-A8)
    _pending(esempio, alice, "Esempio", at=MONDAY_10)

    # when the operator looks on Tuesday at 12:00
    clock.set(datetime(2026, 12, 1, 12, 0, tzinfo=ROME))
    response = _logged_in(operator).get(QUEUE)

    # then
    [row] = response.context["rows"]
    assert row.overdue
    assertContains(response, 'class="overdue"')
    assertContains(response, "in ritardo")
    assertContains(response, "di 3 ore lavorative")


def test_the_queue_filters_by_status_and_customer(
    operator_client: Client, esempio: Customer, alice: User, altra: Customer, carla: User
) -> None:
    # given
    create_alias(esempio, "Esempio", acting_user=alice)
    _pending(esempio, alice, "EsempioNet")
    _pending(altra, carla, "Altra")

    # when
    by_status = operator_client.get(QUEUE, {"status": "pending"})
    by_customer = operator_client.get(QUEUE, {"customer": esempio.pk})
    both = operator_client.get(QUEUE, {"status": "draft", "customer": esempio.pk})

    # then
    assert _rows(by_status) == ["EsempioNet", "Altra"]
    assert sorted(_rows(by_customer)) == ["Esempio", "EsempioNet"]
    assert _rows(both) == ["Esempio"]


def test_the_queue_does_not_query_per_row(
    operator_client: Client, esempio: Customer, alice: User, altra: Customer, carla: User
) -> None:
    # given
    _pending(esempio, alice, "Esempio")
    operator_client.get(QUEUE)
    with CaptureQueriesContext(connection) as one_row:
        assert operator_client.get(QUEUE).status_code == 200
    for n in range(25):
        _pending(esempio, alice, f"Esempio {n:02}")
        create_alias(altra, f"Altra {n:02}", acting_user=carla)

    # when
    with CaptureQueriesContext(connection) as many_rows:
        response = operator_client.get(QUEUE)

    # then
    assert len(response.context["rows"]) == 50
    assert len(many_rows.captured_queries) == len(one_row.captured_queries)


# The review of one alias


def test_the_review_shows_customer_data_relatedness_history_and_consent(
    operator_client: Client, esempio: Customer, alice: User
) -> None:
    # given
    alias = _pending(esempio, alice, "Esempio")

    # when
    response = operator_client.get(_review(alias))

    # then the customer's R-C2 data
    assert response.status_code == 200
    for value in ("Esempio S.r.l.", "00743110157", "Via Roma 1", "esempio@pec.example"):
        assertContains(response, value)
    # the relatedness hint (R-A5)
    assertContains(response, "100%")
    assertContains(response, "nome più vicino: «Esempio S.r.l.»")
    # the history (R-A6)
    assertContains(response, "creato")
    assertContains(response, "validazione richiesta")
    assertContains(response, "bozza → in attesa di validazione")
    # the authorisation: who, when, from where, which wording (R-A7)
    assertContains(response, "alice@esempio.example")
    assertContains(response, "192.0.2.10")
    assertContains(response, CURRENT_CONSENT_VERSION)
    assertContains(response, consent_wording("it")[:60])
    # and the decisions
    assertContains(response, '<button type="submit">Approva</button>', html=True)
    assertContains(response, '<button type="submit" class="danger">Rifiuta</button>', html=True)


def test_approve_validates_the_alias_and_emails_the_customer(
    operator_client: Client,
    esempio: Customer,
    alice: User,
    registry_spool: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given
    alias = _pending(esempio, alice, "Esempio")
    mail.outbox.clear()

    # when (R-A9, R-A10)
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(
            reverse("backoffice:alias_approve", args=[alias.pk]), follow=True
        )

    # then
    alias.refresh_from_db()
    assert alias.status == AliasStatus.VALIDATED
    assert alias.registry_state == RegistryState.ACCEPTED
    assert (registry_spool / f"alias-{alias.pk}.json").exists()
    assert response.redirect_chain == [(_review(alias), 302)]
    assertContains(response, "«Esempio» è validato")
    assert [message.to for message in mail.outbox] == [["alice@esempio.example"]]
    assert "Esempio" in mail.outbox[0].subject


def test_a_registry_failure_keeps_the_alias_pending_and_offers_a_retry(
    operator_client: Client,
    esempio: Customer,
    alice: User,
    broken_registry: None,
    settings: Any,
    tmp_path: Path,
) -> None:
    # given
    alias = _pending(esempio, alice, "Esempio")

    # when (R-A9)
    response = operator_client.post(
        reverse("backoffice:alias_approve", args=[alias.pk]), follow=True
    )

    # then the approval is kept, the error shown, and a retry offered
    alias.refresh_from_db()
    assert alias.status == AliasStatus.PENDING
    assert alias.approved_at is not None and alias.registry_state == RegistryState.FAILED
    assertContains(response, "alert-warning")
    assertContains(response, "cannot write the spool file")
    retry = reverse("backoffice:alias_retry", args=[alias.pk])
    assertContains(response, f'action="{retry}"')

    # when the registry is back and the operator retries
    settings.CENTREX_ALIAS_REGISTRY = f"file://{tmp_path / 'registry'}"
    operator_client.post(retry)

    # then
    alias.refresh_from_db()
    assert alias.status == AliasStatus.VALIDATED


def test_the_customer_cannot_cancel_a_request_being_registered(
    operator_client: Client, esempio: Customer, alice: User, broken_registry: None
) -> None:
    # given an approved request the registry has not accepted yet
    alias = _pending(esempio, alice, "Esempio")
    operator_client.post(reverse("backoffice:alias_approve", args=[alias.pk]))

    # when
    listed = _logged_in(alice).get(reverse("aliases:alias_list"))

    # then the list says so and offers no cancel button
    assertContains(listed, "registrazione presso AGCOM in corso")
    assertNotContains(listed, "annulla richiesta")


def test_reject_needs_a_reason(operator_client: Client, esempio: Customer, alice: User) -> None:
    # given
    alias = _pending(esempio, alice, "Esempio")

    # when
    response = operator_client.post(
        reverse("backoffice:alias_reject", args=[alias.pk]), {"reject-reason": " "}
    )

    # then the page asks for it next to the field
    assert response.status_code == 200
    assertContains(response, 'id="id_reject-reason_error"')
    assertContains(response, "Indica il motivo")
    alias.refresh_from_db()
    assert alias.status == AliasStatus.PENDING


def test_reject_with_a_reason_rejects_and_emails_it(
    operator_client: Client,
    esempio: Customer,
    alice: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given
    alias = _pending(esempio, alice, "Esempio")
    mail.outbox.clear()

    # when (R-A6, R-A10)
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(
            reverse("backoffice:alias_reject", args=[alias.pk]),
            {"reject-reason": "Non è inerente alla ragione sociale."},
            follow=True,
        )

    # then
    alias.refresh_from_db()
    assert (alias.status, alias.reason) == (
        AliasStatus.REJECTED,
        "Non è inerente alla ragione sociale.",
    )
    assertContains(response, "«Esempio» è rifiutato")
    [message] = mail.outbox
    assert "Non è inerente alla ragione sociale." in message.body


def test_revoke_with_a_reason_revokes_a_validated_alias(
    operator_client: Client, esempio: Customer, alice: User, operator: User
) -> None:
    # given
    alias = approve_alias(_pending(esempio, alice, "Esempio"), acting_user=operator)
    page = operator_client.get(_review(alias))

    # when
    empty = operator_client.post(
        reverse("backoffice:alias_revoke", args=[alias.pk]), {"revoke-reason": ""}
    )
    response = operator_client.post(
        reverse("backoffice:alias_revoke", args=[alias.pk]),
        {"revoke-reason": "Usato per SMS ingannevoli."},
        follow=True,
    )

    # then
    assertContains(page, '<button type="submit" class="danger">Revoca</button>', html=True)
    assertContains(empty, 'id="id_revoke-reason_error"')
    alias.refresh_from_db()
    assert (alias.status, alias.reason) == (AliasStatus.REVOKED, "Usato per SMS ingannevoli.")
    assertContains(response, "«Esempio» è revocato")
    assertContains(response, "Usato per SMS ingannevoli.")


def test_a_decision_that_is_not_allowed_is_shown_as_a_message(
    operator_client: Client, esempio: Customer, alice: User
) -> None:
    # given a draft: nothing to decide yet
    alias = create_alias(esempio, "Esempio", acting_user=alice)

    # when
    approve = operator_client.post(
        reverse("backoffice:alias_approve", args=[alias.pk]), follow=True
    )
    reject = operator_client.post(
        reverse("backoffice:alias_reject", args=[alias.pk]), {"reject-reason": "No."}, follow=True
    )
    revoke = operator_client.post(
        reverse("backoffice:alias_revoke", args=[alias.pk]), {"revoke-reason": "No."}, follow=True
    )

    # then
    for response in (approve, reject, revoke):
        assert response.redirect_chain == [(_review(alias), 302)]
        assertContains(response, "alert-danger")
    alias.refresh_from_db()
    assert alias.status == AliasStatus.DRAFT


def test_decisions_need_a_post(operator_client: Client, esempio: Customer, alice: User) -> None:
    # given
    alias = _pending(esempio, alice, "Esempio")

    # when
    response = operator_client.get(reverse("backoffice:alias_approve", args=[alias.pk]))

    # then
    assert response.status_code == 405


# Word lists and the charset setting (R-A1, R-A4b)


def test_the_lists_page_shows_both_lists_and_the_setting(operator_client: Client) -> None:
    # given
    ReservedName.objects.get_or_create(name="Comune")
    GenericWord.objects.get_or_create(word="Info")

    # when
    response = operator_client.get(LISTS)

    # then
    assert response.status_code == 200
    assertContains(response, "Comune")
    assertContains(response, "Info")
    assertContains(response, 'name="settings-extended_charset"')


def test_an_added_reserved_name_is_refused_at_once(
    operator_client: Client, esempio: Customer
) -> None:
    # when
    response = operator_client.post(
        reverse("backoffice:alias_reserved_add"), {"reserved-name": "Consorzio Acque"}, follow=True
    )

    # then
    assertContains(response, "«Consorzio Acque» aggiunto ai nomi riservati.")
    codes = [error.code for error in check_alias_text(esempio, "Consorzio Acque").errors]
    assert ErrorCode.ALIAS_RESERVED in codes


def test_a_reserved_name_already_listed_is_refused_next_to_the_field(
    operator_client: Client,
) -> None:
    # given
    ReservedName.objects.get_or_create(name="Comune")

    # when
    response = operator_client.post(
        reverse("backoffice:alias_reserved_add"), {"reserved-name": "COMUNE"}
    )

    # then
    assertContains(response, 'id="id_reserved-name_error"')
    assert ReservedName.objects.filter(name__iexact="comune").count() == 1


def test_removing_a_generic_word_allows_it_again(
    operator_client: Client, esempio: Customer
) -> None:
    # given
    operator_client.post(reverse("backoffice:alias_generic_add"), {"generic-word": "Offerte"})
    entry = GenericWord.objects.get(word="Offerte")
    assert not check_alias_text(esempio, "Offerte").valid

    # when
    response = operator_client.post(
        reverse("backoffice:alias_generic_remove", args=[entry.pk]), follow=True
    )

    # then
    assertContains(response, "«Offerte» rimossa dalle parole generiche.")
    assert check_alias_text(esempio, "Offerte").valid


def test_removing_an_entry_that_does_not_exist_is_404(operator_client: Client) -> None:
    # when
    response = operator_client.post(reverse("backoffice:alias_reserved_remove", args=[999_999]))

    # then
    assert response.status_code == 404


# The two lists share their pages: each test below runs on both (R-A4b).
WORD_LISTS = [
    pytest.param(ReservedName, "name", "reserved", id="reserved names"),
    pytest.param(GenericWord, "word", "generic", id="generic words"),
]
# What the operator is told when «Nuova Voce» is added to and removed from each list.
ADDED_AND_REMOVED = {
    "reserved": (
        "«Nuova Voce» aggiunto ai nomi riservati.",
        "«Nuova Voce» rimosso dai nomi riservati.",
    ),
    "generic": (
        "«Nuova Voce» aggiunta alle parole generiche.",
        "«Nuova Voce» rimossa dalle parole generiche.",
    ),
}


@pytest.mark.parametrize(("model", "field", "prefix"), WORD_LISTS)
def test_each_list_refuses_an_entry_already_listed_next_to_its_field(
    operator_client: Client, model: Any, field: str, prefix: str
) -> None:
    # given
    model.objects.get_or_create(**{field: "Listata"})

    # when
    response = operator_client.post(
        reverse(f"backoffice:alias_{prefix}_add"), {f"{prefix}-{field}": "LISTATA"}
    )

    # then
    assert response.status_code == 200
    assertContains(response, f'id="id_{prefix}-{field}_error"')
    assertContains(response, "«Listata»")
    assert model.objects.filter(**{f"{field}__iexact": "listata"}).count() == 1


@pytest.mark.parametrize(("model", "field", "prefix"), WORD_LISTS)
def test_each_list_adds_and_removes_its_own_entries(
    operator_client: Client, model: Any, field: str, prefix: str
) -> None:
    # when
    added = operator_client.post(
        reverse(f"backoffice:alias_{prefix}_add"), {f"{prefix}-{field}": "Nuova Voce"}, follow=True
    )
    entry = model.objects.get(**{field: "Nuova Voce"})
    removed = operator_client.post(
        reverse(f"backoffice:alias_{prefix}_remove", args=[entry.pk]), follow=True
    )

    # then
    assert (
        added.redirect_chain == removed.redirect_chain == [(reverse("backoffice:alias_lists"), 302)]
    )
    added_message, removed_message = ADDED_AND_REMOVED[prefix]
    assertContains(added, added_message)
    assertContains(removed, removed_message)
    assert not model.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize(("model", "field", "prefix"), WORD_LISTS)
def test_removing_an_entry_missing_from_either_list_is_404(
    operator_client: Client, model: Any, field: str, prefix: str
) -> None:
    # given
    entries = model.objects.count()

    # when
    response = operator_client.post(reverse(f"backoffice:alias_{prefix}_remove", args=[999_999]))

    # then
    assert response.status_code == 404
    assert model.objects.count() == entries


def test_the_extended_charset_setting_changes_the_rules(
    operator_client: Client, esempio: Customer
) -> None:
    # given
    assert not check_alias_text(esempio, "Esempio&Co").valid

    # when
    operator_client.post(reverse("backoffice:alias_settings"), {"settings-extended_charset": "on"})

    # then
    assert AliasSettings.current().extended_charset
    assert check_alias_text(esempio, "Esempio&Co").valid
    page = operator_client.get(LISTS)
    assertContains(
        page, 'name="settings-extended_charset" id="id_settings-extended_charset" checked'
    )


# The alias audit trail (R-B1)


@pytest.fixture
def history(
    esempio: Customer, alice: User, altra: Customer, carla: User, operator: User, clock: Clock
) -> dict[str, SenderAlias]:
    """Esempio's request rejected on 30 November, Altra's approved on 2 December 2026."""
    clock.set(MONDAY_10)
    esempio_alias = _pending(esempio, alice, "Esempio")
    reject_alias(esempio_alias, '=HYPERLINK("http://x")', acting_user=operator)
    wednesday = datetime(2026, 12, 2, 10, 0, tzinfo=ROME)
    clock.set(wednesday)
    altra_alias = approve_alias(_pending(altra, carla, "Altra", at=wednesday), acting_user=operator)
    return {"esempio": esempio_alias, "altra": altra_alias}


def test_the_audit_trail_searches_by_customer_alias_operator_and_dates(
    operator: User, history: dict[str, SenderAlias], altra: Customer
) -> None:
    operator_client = _logged_in(operator)

    # when
    by_customer = operator_client.get(AUDIT, {"customer": altra.pk})
    by_alias = operator_client.get(AUDIT, {"alias": "esemp"})
    by_operator = operator_client.get(AUDIT, {"actor": "OPERATORE@"})
    by_dates = operator_client.get(AUDIT, {"date_from": "2026-12-01", "date_to": "2026-12-31"})

    # then
    assert {e.alias_text for e in by_customer.context["page"]} == {"Altra"}
    assert {e.alias_text for e in by_alias.context["page"]} == {"Esempio"}
    assert {e.actor_email for e in by_operator.context["page"]} == {"operatore@provider.example"}
    assert {e.action for e in by_operator.context["page"]} >= {"rejected", "approved"}
    assert {e.alias_text for e in by_dates.context["page"]} == {"Altra"}
    assertContains(by_customer, "Altra S.p.A.")


def test_the_audit_trail_refuses_an_inverted_date_range(
    operator: User, history: dict[str, SenderAlias]
) -> None:
    operator_client = _logged_in(operator)

    # when
    response = operator_client.get(AUDIT, {"date_from": "2026-12-31", "date_to": "2026-12-01"})
    export = operator_client.get(AUDIT_CSV, {"date_from": "2026-12-31", "date_to": "2026-12-01"})

    # then
    assertContains(response, 'id="id_date_to_error"')
    assert export.status_code == 302


def test_the_audit_trail_is_paginated(
    operator_client: Client, esempio: Customer, alice: User
) -> None:
    # given more events than a page holds
    AliasEvent.objects.bulk_create(
        AliasEvent(alias_text=f"Esempio {n}", customer=esempio, action="created") for n in range(60)
    )

    # when
    first = operator_client.get(AUDIT)
    second = operator_client.get(AUDIT, {"page": 2})

    # then
    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 10
    assertContains(first, "Pagina 1 di 2")


def test_the_csv_export_has_the_filters_and_escapes_formulas(
    operator: User, history: dict[str, SenderAlias], esempio: Customer
) -> None:
    operator_client = _logged_in(operator)

    # when
    response = operator_client.get(AUDIT_CSV, {"customer": esempio.pk})

    # then
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.match(
        r'attachment; filename="registro-alias-\d{8}-\d{4}\.csv"', response["Content-Disposition"]
    )
    rows = _csv(response)
    assert {row["alias"] for row in rows} == {"Esempio"}
    assert {row["customer"] for row in rows} == {"Esempio S.r.l."}
    [rejection] = [row for row in rows if row["action"] == "rejected"]
    assert rejection["reason"] == '\'=HYPERLINK("http://x")'
    assert (rejection["from_status"], rejection["to_status"]) == ("pending", "rejected")
    assert rejection["actor_email"] == "operatore@provider.example"
    assert rejection["actor_is_operator"] == "1"
    [submitted] = [row for row in rows if row["action"] == "submitted"]
    assert submitted["ip_address"] == "192.0.2.10"


def test_the_csv_export_escapes_every_formula_start(
    operator_client: Client, esempio: Customer
) -> None:
    # given
    for n, start in enumerate(("=", "+", "-", "@")):
        AliasEvent.objects.create(
            alias_text=f"Esempio {n}",
            customer=esempio,
            action="rejected",
            reason=f"{start}1+1",
        )

    # when
    rows = _csv(operator_client.get(AUDIT_CSV))

    # then
    assert sorted(row["reason"] for row in rows) == ["'+1+1", "'-1+1", "'=1+1", "'@1+1"]


def test_a_request_long_past_its_due_time_is_overdue_by_business_hours(
    operator_client: Client, esempio: Customer, alice: User
) -> None:
    # given a request made a week ago (R-A8: long overdue)
    _pending(esempio, alice, "Esempio", at=datetime.now(tz=ROME) - timedelta(days=7))

    # when
    response = operator_client.get(QUEUE)

    # then
    [row] = response.context["rows"]
    assert row.overdue and row.late_by >= 1
