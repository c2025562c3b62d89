"""«Tracciabilità SMS» of the back office (R-S4, R-B1): for one customer and a period, every SMS
with who sent it, from which extension, with which sender and why, the alias's registration
and the delivery state — what a traceability request (AGCOM, Delibera 12/23/CIR) asks for. The
page counts what the streamed CSV will hold; the messages are read by
`sms.history.traced_messages`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from centrex.accounts.access import require_operator
from centrex.accounts.models import User
from centrex.backoffice.forms.traceability import TraceabilityForm
from centrex.core.csv_export import csv_download, spreadsheet_safe
from centrex.core.pages import page_for
from centrex.customers.models import Customer
from centrex.sms.history import sender_cell, time_cell, traced_messages
from centrex.sms.models import SmsMessage


def _traceability_form(request: HttpRequest, operator: User) -> TraceabilityForm:
    customers = list(
        Customer.objects.visible_to(operator).order_by("name", "pk").values_list("pk", "name")
    )
    return TraceabilityForm(request.GET or None, customers=customers)


def _traced(operator: User, form: TraceabilityForm) -> QuerySet[SmsMessage]:
    """The messages of the (valid) form's customer and period."""
    return traced_messages(operator, form.cleaned_data["customer"], *form.period())


@require_GET
@page_for(require_operator)
def sms_traceability(request: HttpRequest, operator: User) -> HttpResponse:
    """«Tracciabilità SMS»: choose a customer and a period, count their SMS recipients, then
    download them."""
    form = _traceability_form(request, operator)
    found = _traced(operator, form).count() if form.is_bound and form.is_valid() else None
    context = {"form": form, "found": found, "query": request.GET.urlencode()}
    return render(request, "backoffice/sms_traceability.html", context)


TRACEABILITY_CSV_COLUMNS = (
    "sent_at",
    "customer",
    "user_email",
    "extension",
    "recipient",
    "sender_type",
    "sender",
    "sender_ton",
    "sender_npi",
    "policy_mode",
    "sender_reason",
    "alias_id",
    "alias_validated_at",
    "alias_registry_reference",
    "alias_registered_at",
    "number_verified_at",
    "text",
    "status",
    "error_code",
    "error_text",
    "submitted_at",
    "done_at",
    "request_id",
    "message_id",
)


def _traceability_rows(rows: QuerySet[SmsMessage]) -> Iterator[list[str]]:
    """The CSV: one row per recipient, with the sender's trace as it was when sending (R-S4)
    and the extension the user sent from (their current one for requests without a trace)."""
    yield list(TRACEABILITY_CSV_COLUMNS)
    for row in rows.iterator(chunk_size=2000):
        sms = row.request
        trace: dict[str, Any] = sms.sender_trace if isinstance(sms.sender_trace, dict) else {}
        extension = trace.get("extension")
        if extension is None and sms.user.extension is not None:
            extension = sms.user.extension.number
        yield [
            time_cell(row.created_at),
            spreadsheet_safe(row.customer.name),
            spreadsheet_safe(sms.user.email),
            spreadsheet_safe(extension or ""),
            row.destination,
            sms.sender_type,
            sender_cell(sms),
            str(sms.sender_ton),
            str(sms.sender_npi),
            spreadsheet_safe(trace.get("mode", "")),
            spreadsheet_safe(sms.sender_reason),
            str(trace.get("alias_id") or sms.sender_alias_id or ""),
            spreadsheet_safe(trace.get("alias_validated_at") or ""),
            spreadsheet_safe(trace.get("alias_registry_reference") or ""),
            spreadsheet_safe(trace.get("alias_registered_at") or ""),
            spreadsheet_safe(trace.get("number_verified_at") or ""),
            spreadsheet_safe(sms.text),
            row.status,
            spreadsheet_safe(row.error_code),
            spreadsheet_safe(row.error_text),
            time_cell(row.submitted_at),
            time_cell(row.done_at),
            str(sms.pk),
            str(row.pk),
        ]


@require_GET
@page_for(require_operator)
def sms_traceability_export(request: HttpRequest, operator: User) -> HttpResponseBase:
    """The traceability CSV of one customer and period, streamed; without a customer or a
    valid period, back to the page, which says what to correct."""
    form = _traceability_form(request, operator)
    if not form.is_valid():
        return redirect(f"{reverse('backoffice:sms_traceability')}?{request.GET.urlencode()}")
    name = f"tracciabilita-sms-{form.cleaned_data['customer']}"
    return csv_download(_traceability_rows(_traced(operator, form)), name)
