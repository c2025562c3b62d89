"""The operators' dashboard (R-B1, issue 14): what needs attention — alias requests by due time
with the overdue ones first (R-A8), AGCOM registry failures (R-A9), open support questions oldest
first (R-U8) — the counts, and the latest activity in words (R-Z4)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from centrex.accounts.models import User
from centrex.aliases.actions.lifecycle import create_alias, submit_alias
from centrex.aliases.models import RegistryState, SenderAlias
from centrex.core.models import AuditEvent
from centrex.customers.models import Customer
from centrex.support.models import SupportQuestion


def test_the_dashboard_counts_customers_users_extensions_and_open_questions(
    operator_client: Client,
    esempio: Customer,
    altra: Customer,
    alice: User,
    bob: User,
    carla: User,
) -> None:
    # given
    SupportQuestion.objects.create(
        customer=esempio,
        user=bob,
        subject="Interno",
        body="Come si associa?",
        privacy_acknowledged_at=timezone.now(),
        created_at=timezone.now(),
    )

    # when
    response = operator_client.get(reverse("backoffice:dashboard"))

    # then
    context = response.context
    assert context["customers"] == {"total": 2, "active": 2}
    assert context["users"] == {"total": 3, "active": 3}
    assert context["extensions"] == {"total": 23, "used": 3, "free": 20}
    assert context["open_questions"] == 1
    latest = AuditEvent.objects.first()
    assert latest is not None
    assert context["events"][0] == latest


# --- What needs attention (issue 14) -----------------------------------------------------------

ROME = ZoneInfo("Europe/Rome")
MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=ROME)


def _pending(customer: Customer, admin: User, text: str, *, at: datetime) -> SenderAlias:
    alias = create_alias(customer, text, acting_user=admin)
    return submit_alias(
        alias, consent=True, acting_user=admin, ip_address="192.0.2.10", language="it", now=at
    )


def _section(response: Any, marker: str) -> str:
    """The page's text from `marker` to the end of its card."""
    page = response.content.decode()
    start = page.index(marker)
    return page[start : page.index("</section>", start)]


def test_pending_aliases_come_by_due_time_overdue_first_and_marked(
    operator_client: Client, esempio: Customer, alice: User, altra: Customer, carla: User
) -> None:
    # given one request a week old (overdue) and one made just now
    now = timezone.now()
    _pending(esempio, alice, "EsempioNet", at=now)
    late = _pending(altra, carla, "AltraNet", at=MONDAY_10 - timedelta(days=7))

    # when
    response = operator_client.get(reverse("backoffice:dashboard"))

    # then the overdue one leads, says how late, shows its due time and links to its review
    assert [row.alias.text for row in response.context["pending_rows"]] == [
        "AltraNet",
        "EsempioNet",
    ]
    table = _section(response, 'id="pending-aliases"')
    assert table.index("AltraNet") < table.index("EsempioNet")
    assert "in ritardo" in table
    assert "ore lavorative" in table
    assert "lunedì 23/11/2026 18:00" in table
    assert f'href="{reverse("backoffice:alias_review", args=[late.pk])}"' in table


def test_registry_failures_are_listed_with_their_error(
    operator_client: Client, esempio: Customer, alice: User, operator: User
) -> None:
    # given an approved request the registry refused
    alias = _pending(esempio, alice, "EsempioNet", at=timezone.now())
    SenderAlias.objects.filter(pk=alias.pk).update(
        approved_at=timezone.now(),
        approved_by=operator,
        registry_state=RegistryState.FAILED,
        registry_error="registry unreachable",
        registry_attempts=2,
    )

    # when
    response = operator_client.get(reverse("backoffice:dashboard"))

    # then
    assert response.context["failed_count"] == 1
    table = _section(response, 'id="registry-failures"')
    assert "EsempioNet" in table and "registry unreachable" in table
    assert f'href="{reverse("backoffice:alias_review", args=[alias.pk])}"' in table


def test_open_questions_come_oldest_first_with_customer_and_age(
    operator_client: Client, esempio: Customer, altra: Customer, bob: User, carla: User
) -> None:
    # given
    now = timezone.now()
    for customer, user, subject, age in (
        (esempio, bob, "Recente", timedelta(minutes=5)),
        (altra, carla, "Vecchia", timedelta(days=3)),
    ):
        SupportQuestion.objects.create(
            customer=customer,
            user=user,
            subject=subject,
            body="?",
            privacy_acknowledged_at=now - age,
            created_at=now - age,
        )

    # when
    response = operator_client.get(reverse("backoffice:dashboard"))

    # then
    table = _section(response, 'id="open-questions"')
    assert table.index("Vecchia") < table.index("Recente")
    assert "Altra S.p.A." in table and "Esempio S.r.l." in table
    assert "3\xa0giorni" in table  # timesince: a non-breaking space


def test_all_is_well_when_nothing_waits(operator_client: Client, esempio: Customer) -> None:
    # when
    response = operator_client.get(reverse("backoffice:dashboard"))

    # then
    for words in (
        "Nessun alias è in attesa di validazione: è tutto a posto.",
        "Ogni alias approvato è arrivato al registro AGCOM: è tutto a posto.",
        "Nessuna domanda attende una risposta: è tutto a posto.",
    ):
        assertContains(response, words)


def test_recent_activity_reads_in_words_never_codes(
    operator_client: Client, esempio: Customer, alice: User, bob: User
) -> None:
    # when
    response = operator_client.get(reverse("backoffice:dashboard"))

    # then
    assertContains(response, "Olga Operatrice ha creato l&#x27;utente Bob Bianchi")
    activity = _section(response, 'id="recent-activity"')
    for code in ("user.created", "customer.created", "extensions.provisioned"):
        assert f">{code}<" not in activity
