"""The Registro attività: every recorded change, filterable, paginated and exportable as CSV
with the same filters (R-B1)."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.test import Client
from django.urls import reverse

from centrex.accounts.models import User
from centrex.aliases.actions.lifecycle import create_alias, submit_alias
from centrex.backoffice.views import audit as views
from centrex.core.audit import record_audit
from centrex.core.models import AuditEvent
from centrex.customers.models import Customer

ROME = ZoneInfo("Europe/Rome")


def _csv(response: Any) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_the_list_filters_by_customer(
    operator_client: Client, esempio: Customer, altra: Customer, alice: User, carla: User
) -> None:
    # when
    response = operator_client.get(reverse("backoffice:audit_list"), {"customer": altra.pk})

    # then
    events = list(response.context["page"])
    assert events
    assert {event.customer_id for event in events} == {altra.pk}
    assert {event.customer_name for event in events} == {"Altra S.p.A."}


def test_the_list_filters_by_actor_and_action(
    operator_client: Client, esempio: Customer, alice: User
) -> None:
    # given
    record_audit("alias.submitted", actor=alice, target=alice, customer_id=esempio.pk)

    # when
    by_actor = operator_client.get(reverse("backoffice:audit_list"), {"actor": "ALICE@"})
    by_action = operator_client.get(reverse("backoffice:audit_list"), {"action": "extensions."})

    # then
    assert [e.action for e in by_actor.context["page"]] == ["alias.submitted"]
    assert {e.action for e in by_action.context["page"]} == {"extensions.provisioned"}


def test_the_list_filters_by_date_range_in_italian_days(
    operator_client: Client, operator: User
) -> None:
    # given: 23:30 in Rome on 1 March is still 1 March there (22:30 UTC)
    for day, hour in ((1, 23), (2, 10), (3, 0)):
        event = record_audit("test.event", actor=operator)
        AuditEvent.objects.filter(pk=event.pk).update(
            created_at=datetime(2026, 3, day, hour, 30, tzinfo=ROME)
        )

    # when
    response = operator_client.get(
        reverse("backoffice:audit_list"),
        {"date_from": "2026-03-01", "date_to": "2026-03-02", "action": "test."},
    )

    # then
    days = sorted(e.created_at.astimezone(ROME).day for e in response.context["page"])
    assert days == [1, 2]


def test_an_end_date_before_the_start_is_shown_on_its_field(
    operator_client: Client, db: None
) -> None:
    # when
    response = operator_client.get(
        reverse("backoffice:audit_list"), {"date_from": "2026-03-02", "date_to": "2026-03-01"}
    )

    # then
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["date_to"]


def test_the_list_is_paginated_keeping_the_filters(
    operator_client: Client, operator: User, monkeypatch: Any
) -> None:
    # given
    monkeypatch.setattr(views, "AUDIT_PER_PAGE", 2)
    for _n in range(5):
        record_audit("test.event", actor=operator)

    # when
    response = operator_client.get(reverse("backoffice:audit_list"), {"action": "test."})

    # then
    assert response.context["page"].paginator.num_pages == 3
    assert "action=test.&amp;page=2" in response.content.decode()


def test_the_csv_export_has_every_column_and_the_same_filters(
    operator_client: Client, esempio: Customer, altra: Customer, alice: User
) -> None:
    # given
    record_audit(
        "alias.rejected",
        actor=alice,
        target=alice,
        customer_id=esempio.pk,
        from_state="pending",
        to_state="rejected",
        reason='=HYPERLINK("x")',
        ip_address="192.0.2.7",
        data={"alias": "Esempio"},
    )

    # when
    response = operator_client.get(
        reverse("backoffice:audit_export"), {"customer": esempio.pk, "action": "alias."}
    )

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    [row] = _csv(response)
    assert row["actor_email"] == "alice@esempio.example"
    assert (row["customer_id"], row["customer"]) == (str(esempio.pk), "Esempio S.r.l.")
    assert (row["action"], row["from_state"], row["to_state"]) == (
        "alias.rejected",
        "pending",
        "rejected",
    )
    assert row["reason"] == '\'=HYPERLINK("x")'  # not run as a formula by a spreadsheet
    assert row["ip_address"] == "192.0.2.7"
    assert row["data"] == '{"alias": "Esempio"}'
    assert datetime.fromisoformat(row["created_at"]).utcoffset() in (
        timedelta(hours=1),
        timedelta(hours=2),
    )


def test_the_csv_export_without_filters_has_every_event(
    operator_client: Client, esempio: Customer, altra: Customer
) -> None:
    # when
    response = operator_client.get(reverse("backoffice:audit_export"))

    # then
    assert len(_csv(response)) == AuditEvent.objects.count()


def test_the_csv_export_with_invalid_filters_goes_back_to_the_page(
    operator_client: Client, db: None
) -> None:
    # when
    response = operator_client.get(reverse("backoffice:audit_export"), {"date_from": "ieri"})

    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:audit_list") + "?date_from=ieri"


def test_the_csv_exports_keep_the_codes_and_add_the_words(
    operator_client: Client, esempio: Customer, alice: User, bob: User
) -> None:
    # when (the operator's language: Italian)
    rows = _csv(operator_client.get(reverse("backoffice:audit_export"), {"action": "user."}))

    # then: the code for machines, the sentence for people (issue 14)
    created = next(row for row in rows if row["object_id"] == str(bob.pk))
    assert created["action"] == "user.created"
    assert created["description"] == "Olga Operatrice ha creato l'utente Bob Bianchi"
    assert list(rows[0])[-1] == "description"


def test_the_alias_csv_keeps_the_codes_and_adds_the_words(
    operator_client: Client, esempio: Customer, alice: User
) -> None:
    # given
    alias = create_alias(esempio, "EsempioNet", acting_user=alice)
    submit_alias(alias, consent=True, acting_user=alice, ip_address="192.0.2.7", language="it")

    # when
    rows = _csv(operator_client.get(reverse("backoffice:alias_audit_export")))

    # then
    submitted = next(row for row in rows if row["action"] == "submitted")
    assert submitted["description"] == (
        "Alice Rossi ha chiesto la validazione dell'alias EsempioNet"
    )
