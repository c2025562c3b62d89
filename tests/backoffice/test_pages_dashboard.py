"""The operators' dashboard: counts and the latest activity (R-B1)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from centrex.accounts.models import User
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
