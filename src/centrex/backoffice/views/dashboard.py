"""The back office's first page: what needs the operators' attention (R-B1, issue 14) — the
alias requests by due time with the overdue ones first (R-A8), the AGCOM registrations that
failed (R-A9), the open support questions oldest first (R-U8), the latest activity in words
(R-Z4) — and the counts at a glance."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from centrex.accounts.access import require_operator
from centrex.accounts.models import User
from centrex.aliases.models import AliasStatus, RegistryState, SenderAlias
from centrex.aliases.sla import display_zone
from centrex.backoffice.views.aliases import QueueRow
from centrex.backoffice.views.audit import with_customer_names
from centrex.core.models import AuditEvent
from centrex.core.pages import page_for
from centrex.customers.models import Customer, Extension
from centrex.support.models import SupportQuestion

RECENT_EVENTS = 10
# Each list shows this many rows and links to its full page for the rest.
ATTENTION_ROWS = 10


@require_GET
@page_for(require_operator)
def dashboard(request: HttpRequest, operator: User) -> HttpResponse:
    """What needs attention, then the counts and the latest entries of the Registro attività."""
    now = timezone.now()
    pending = SenderAlias.objects.visible_to(operator).filter(status=AliasStatus.PENDING)
    failed = SenderAlias.objects.visible_to(operator).filter(
        status=AliasStatus.PENDING, registry_state=RegistryState.FAILED
    )
    questions = SupportQuestion.objects.visible_to(operator).open()
    context = {
        **_counts(operator),
        "now": now,
        "zone": display_zone(),
        "pending_count": pending.count(),
        "pending_rows": [
            QueueRow.of(alias, now)
            for alias in pending.select_related("customer").in_queue_order()[:ATTENTION_ROWS]
        ],
        "failed_count": failed.count(),
        "failed_aliases": list(
            failed.select_related("customer").order_by("approved_at", "id")[:ATTENTION_ROWS]
        ),
        "open_questions": questions.count(),
        "questions": list(
            questions.select_related("customer", "user").order_by("created_at", "id")[
                :ATTENTION_ROWS
            ]
        ),
        "events": with_customer_names(AuditEvent.objects.select_related("actor")[:RECENT_EVENTS]),
    }
    return render(request, "backoffice/dashboard.html", context)


def _counts(operator: User) -> dict[str, dict[str, int]]:
    """Customers, users and extensions, in total and active / used."""
    customers = Customer.objects.visible_to(operator).aggregate(
        total=Count("pk"), active=Count("pk", filter=Q(is_active=True))
    )
    users = (
        User.objects.visible_to(operator)
        .customer_users()
        .aggregate(total=Count("pk"), active=Count("pk", filter=Q(is_active=True)))
    )
    extensions = Extension.objects.visible_to(operator).aggregate(
        total=Count("pk"), used=Count("user")
    )
    extensions["free"] = extensions["total"] - extensions["used"]
    return {"customers": customers, "users": users, "extensions": extensions}
