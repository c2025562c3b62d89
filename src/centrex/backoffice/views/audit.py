"""The two audit trails of the back office (R-B1), each filterable, paginated and exportable as
CSV with the page's filters: the Registro attività (every recorded change) and the alias audit
trail (every alias decision and authorisation, R-A6, R-A7)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from centrex.accounts.access import require_operator
from centrex.accounts.models import User
from centrex.aliases.models import AliasEvent
from centrex.backoffice.forms.audit import AliasAuditFilterForm
from centrex.backoffice.views.pages import customers_of
from centrex.core.activity_words import activity_in_words
from centrex.core.audit import activity_csv_rows
from centrex.core.csv_export import csv_download, spreadsheet_safe
from centrex.core.forms import ActivityFilterForm
from centrex.core.models import AuditEvent
from centrex.core.pages import filters_without_page, one_page, page_for
from centrex.customers.models import Customer

AUDIT_PER_PAGE = 50
EVENTS_PER_PAGE = 50


def _customer_names(operator: User) -> list[tuple[int, str]]:
    return list(Customer.objects.visible_to(operator).values_list("pk", "name"))


def with_customer_names(
    events: Iterable[AuditEvent], names: dict[int, str] | None = None
) -> list[AuditEvent]:
    """The events with `customer_name` set (AuditEvent keeps a plain customer id)."""
    rows = list(events)
    if names is None:
        ids = {event.customer_id for event in rows if event.customer_id is not None}
        names = dict(Customer.objects.filter(pk__in=ids).values_list("pk", "name"))
    for event in rows:
        event.customer_name = names.get(event.customer_id or 0, "")  # type: ignore[attr-defined]
    return rows


def _audit_events(form: ActivityFilterForm) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(**form.lookups()).select_related("actor")


@require_GET
@page_for(require_operator)
def audit_list(request: HttpRequest, operator: User) -> HttpResponse:
    """Registro attività: every recorded change, filterable, paginated, exportable."""
    customers = _customer_names(operator)
    form = ActivityFilterForm(request.GET or None, customers=customers)
    page = one_page(request, _audit_events(form), AUDIT_PER_PAGE)
    page.object_list = with_customer_names(page.object_list, dict(customers))
    context = {"form": form, "page": page, "filters": filters_without_page(request)}
    return render(request, "backoffice/audit_list.html", context)


@require_GET
@page_for(require_operator)
def audit_export(request: HttpRequest, operator: User) -> HttpResponseBase:
    """The Registro attività as CSV, with the page's filters (R-B1). Invalid filters go back
    to the page, which shows what to correct."""
    customers = _customer_names(operator)
    form = ActivityFilterForm(request.GET or None, customers=customers)
    if form.is_bound and not form.is_valid():
        return redirect(f"{reverse('backoffice:audit_list')}?{request.GET.urlencode()}")
    return csv_download(
        activity_csv_rows(_audit_events(form), dict(customers)), "registro-attivita"
    )


# --- The alias audit trail (R-A6, R-A7, R-B1) ---------------------------------------------


def _alias_events(operator: User, form: AliasAuditFilterForm) -> QuerySet[AliasEvent]:
    return (
        AliasEvent.objects.visible_to(operator)
        .filter(form.filters())
        .select_related("customer", "actor")
        .order_by("-created_at", "-id")
    )


@require_GET
@page_for(require_operator)
def alias_audit(request: HttpRequest, operator: User) -> HttpResponse:
    """Every alias decision and authorisation (R-A6, R-A7, R-B1): who, when, from, to, why,
    from which address; searchable, paginated, exportable with the same filters."""
    customers = customers_of(operator, AliasEvent.objects.visible_to(operator))
    form = AliasAuditFilterForm(request.GET or None, customers=customers)
    page = one_page(request, _alias_events(operator, form), EVENTS_PER_PAGE)
    context = {"form": form, "page": page, "filters": filters_without_page(request)}
    return render(request, "backoffice/aliases/audit.html", context)


ALIAS_CSV_COLUMNS = (
    "created_at",
    "customer_id",
    "customer",
    "alias_id",
    "alias",
    "action",
    "from_status",
    "to_status",
    "reason",
    "actor_email",
    "actor_is_operator",
    "ip_address",
    "data",
    "description",
)


def _alias_csv_rows(events: QuerySet[AliasEvent]) -> Iterator[list[str]]:
    yield list(ALIAS_CSV_COLUMNS)
    for event in events.iterator(chunk_size=2000):
        yield [
            timezone.localtime(event.created_at).isoformat(),
            str(event.customer_id),
            spreadsheet_safe(event.customer.name),
            "" if event.alias_id is None else str(event.alias_id),
            spreadsheet_safe(event.alias_text),
            spreadsheet_safe(event.action),
            spreadsheet_safe(event.from_status),
            spreadsheet_safe(event.to_status),
            spreadsheet_safe(event.reason),
            spreadsheet_safe(event.actor_email),
            "1" if event.actor_is_operator else "0",
            event.ip_address or "",
            spreadsheet_safe(json.dumps(event.data, ensure_ascii=False, sort_keys=True)),
            spreadsheet_safe(activity_in_words(event)),
        ]


@require_GET
@page_for(require_operator)
def alias_audit_export(request: HttpRequest, operator: User) -> HttpResponseBase:
    """The alias audit trail as CSV with the page's filters; invalid filters go back to the
    page, which says what to correct."""
    customers = customers_of(operator, AliasEvent.objects.visible_to(operator))
    form = AliasAuditFilterForm(request.GET or None, customers=customers)
    if form.is_bound and not form.is_valid():
        return redirect(f"{reverse('backoffice:alias_audit')}?{request.GET.urlencode()}")
    return csv_download(_alias_csv_rows(_alias_events(operator, form)), "registro-alias")
