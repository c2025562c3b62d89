"""«Consumo per cliente» of the back office (R-R1, R-B1): every customer's SMS of a month —
messages (one per recipient) and parts, what the carrier bills — and its CSV for billing, the
same lines as the API's `GET /backoffice/usage.csv` (`sms.usage`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from centrex.accounts.access import require_operator
from centrex.accounts.models import User
from centrex.core.csv_export import csv_download
from centrex.core.pages import page_for
from centrex.sms.forms import UsageMonthForm
from centrex.sms.usage import billing_rows, customers_usage


@require_GET
@page_for(require_operator)
def usage(request: HttpRequest, operator: User) -> HttpResponse:
    """The month's customers by name, with their totals; a month picker and the CSV."""
    form = UsageMonthForm(request.GET or None)
    month = form.chosen_month()
    lines = customers_usage(month)
    context = {
        "form": form,
        "month": month,
        "lines": lines,
        "total_messages": sum(line.messages for line in lines),
        "total_parts": sum(line.parts for line in lines),
    }
    return render(request, "backoffice/sms_usage.html", context)


@require_GET
@page_for(require_operator)
def usage_export(request: HttpRequest, operator: User) -> HttpResponseBase:
    """The month as CSV (columns: month, customer_id, name, vat_number, tax_code, messages,
    parts)."""
    month = UsageMonthForm(request.GET or None).chosen_month()
    return csv_download(billing_rows(month, customers_usage(month)), f"sms-usage-{month}")
