"""The back office's first page: counts at a glance and the latest activity (R-B1)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from centrex.accounts.access import require_operator
from centrex.accounts.models import User
from centrex.backoffice.views.audit import with_customer_names
from centrex.core.models import AuditEvent
from centrex.core.pages import page_for
from centrex.customers.models import Customer, Extension
from centrex.support.models import SupportQuestion

RECENT_EVENTS = 10


@require_GET
@page_for(require_operator)
def dashboard(request: HttpRequest, operator: User) -> HttpResponse:
    """Counts at a glance and the latest entries of the Registro attività (R-B1)."""
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
    context = {
        "customers": customers,
        "users": users,
        "extensions": extensions,
        "open_questions": SupportQuestion.objects.visible_to(operator).open().count(),
        "events": with_customer_names(AuditEvent.objects.all()[:RECENT_EVENTS]),
    }
    return render(request, "backoffice/dashboard.html", context)
