"""The operators' alias queue has one order (R-A8, `SenderAlias.objects.in_queue_order`): the
back-office page and `GET /backoffice/aliases` list the same aliases in the same order, with
pending requests first, earliest due first, then the others newest first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from centrex.accounts.models import User
from centrex.aliases.models import AliasStatus, SenderAlias
from tests.aliases.lifecycle import alias_in


@pytest.fixture
def aliases(alice: User, carla: User, operator: User) -> dict[str, SenderAlias]:
    """Aliases of two customers in every state, three pending ones due at different times and
    two due at the same moment."""
    made = {
        "draft": alias_in(AliasStatus.DRAFT, "Esempio Web", alice, operator),
        "validated": alias_in(AliasStatus.VALIDATED, "Esempio", alice, operator),
        "late": alias_in(AliasStatus.PENDING, "EsempioNet", alice, operator),
        "rejected": alias_in(AliasStatus.REJECTED, "Altra Web", carla, operator),
        "soon": alias_in(AliasStatus.PENDING, "Altra", carla, operator),
        "tie_first": alias_in(AliasStatus.PENDING, "AltraNet", carla, operator),
        "tie_second": alias_in(AliasStatus.PENDING, "AltraSMS", carla, operator),
        "revoked": alias_in(AliasStatus.REVOKED, "EsempioSMS", alice, operator),
    }
    now = timezone.now()
    due = {
        "late": now - timedelta(hours=2),
        "soon": now + timedelta(hours=1),
        "tie_first": now + timedelta(hours=3),
        "tie_second": now + timedelta(hours=3),
        # A decided alias keeps the due time of its request: it no longer counts.
        "validated": now - timedelta(days=3),
    }
    for name, moment in due.items():
        SenderAlias.objects.filter(pk=made[name].pk).update(due_at=moment)
    return made


def _page_ids(operator: User, status: str = "") -> list[int]:
    client = Client()
    client.force_login(operator)
    response = client.get(reverse("backoffice:alias_queue"), {"status": status} if status else {})
    assert response.status_code == 200
    return [row.alias.pk for row in response.context["rows"]]


def _api_ids(client: Client, status: str = "") -> list[int]:
    response = client.get("/api/v1/backoffice/aliases", {"status": status} if status else {})
    assert response.status_code == 200
    return [item["id"] for item in response.json()["items"]]


def test_the_queue_puts_pending_first_by_due_time_then_the_others_newest_first(
    aliases: dict[str, SenderAlias],
) -> None:
    # when
    order = list(SenderAlias.objects.in_queue_order().values_list("pk", flat=True))
    # then: the overdue one leads; equal due times keep the request order; decided ones and
    # the draft follow, newest first, whatever due time a decided request had
    expected = [
        "late",
        "soon",
        "tie_first",
        "tie_second",
        "revoked",
        "rejected",
        "validated",
        "draft",
    ]
    assert order == [aliases[name].pk for name in expected]


@pytest.mark.parametrize("status", ["", "pending", "validated", "draft"])
def test_the_page_and_the_api_list_the_same_aliases_in_the_same_order(
    aliases: dict[str, SenderAlias],
    operator: User,
    api_client: Callable[[User | None], Client],
    status: str,
) -> None:
    # when
    page = _page_ids(operator, status)
    api = _api_ids(api_client(operator), status)
    # then
    assert page == api
    assert len(page) == SenderAlias.objects.in_status(status or None).count() > 0
