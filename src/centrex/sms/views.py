"""Pages of sending SMS (manual §4, R-T1–T5, R-S4, R-U6, R-B1).

Customer area, Communicator section: «Invia SMS» with the live counter (R-T3) and the
recipients check, the page of one sent SMS with each recipient's status updated live from
delivery receipts (R-T5), «SMS inviati» — the user's own, or the company's for admins —
with filters, pages and CSV, and the admins' «Consumo SMS» of a month (R-R1, R-R2). (The operators' traceability export is a back-office page,
`backoffice.views.traceability`.) Thin views: parse a form, fetch through `sms.history`, call
`send_sms`, render (STYLE 3, 4). Each page is guarded by `page_for` (core.pages).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from centrex.accounts.access import (
    is_customer_admin,
    is_operator,
    require_customer_admin,
    require_signed_in,
)
from centrex.accounts.models import User
from centrex.core.csv_export import csv_download, spreadsheet_safe
from centrex.core.errors import DomainError, ErrorCode
from centrex.core.pages import filters_without_page, page_for, posted
from centrex.senders.resolution import SenderProblem, resolve_senders
from centrex.sms.actions import check_recipients, send_sms
from centrex.sms.charts import bar_chart
from centrex.sms.encoding import SmsCount, count_sms, counted_twice
from centrex.sms.forms import (
    RECIPIENTS_INPUT_MAX,
    TEXT_INPUT_MAX,
    ComposeForm,
    HistoryFilterForm,
    UsageMonthForm,
    sender_label,
    split_recipients,
)
from centrex.sms.history import access_request, sender_cell, time_cell
from centrex.sms.models import FINAL_STATUSES, MessageStatus, SmsMessage, SmsRequest
from centrex.sms.usage import counts_by_day, customer_usage

SMS_PER_PAGE = 50
# How often the page of a sent SMS asks for its recipients' statuses while any is not final.
POLL_EVERY = "3s"

# R-T5: how each status looks in the lists (the Bootstrap badge's colour; its words say it).
STATUS_BADGES: dict[str, str] = {
    MessageStatus.QUEUED: "text-bg-secondary",
    MessageStatus.SUBMITTED: "text-bg-warning",
    MessageStatus.DELIVERED: "text-bg-success",
    MessageStatus.UNDELIVERABLE: "text-bg-danger",
    MessageStatus.EXPIRED: "text-bg-danger",
    MessageStatus.REJECTED: "text-bg-danger",
    MessageStatus.FAILED: "text-bg-danger",
}
NEUTRAL_BADGE = "text-bg-secondary"


# --- The live counter and the recipients check (R-T3, R-T1) -------------------------------


def _visible(char: str) -> str:
    """A character as the counter names it: itself, or an invisible one by its code point."""
    return char if char.isprintable() and not char.isspace() else f"U+{ord(char):04X}"


def counter_context(text: str) -> dict[str, Any]:
    """What the counter shows (R-T3): exactly `count_sms` of the text, with the characters
    that force UCS-2 made visible, and those that count as two (the «(€ vale 2)» hint, only
    when the text holds one)."""
    count: SmsCount = count_sms(text)
    return {
        "count": count,
        "forcing": [_visible(char) for char in count.forcing_ucs2],
        "doubled": [_visible(char) for char in counted_twice(text)],
        "empty": not text,
    }


@page_for(require_signed_in)
@require_POST
def counter(request: HttpRequest, user: User) -> HttpResponse:
    """The live counter while typing (htmx, no side effect)."""
    text = request.POST.get("text", "")[:TEXT_INPUT_MAX]
    return render(request, "sms/compose_counter.html", counter_context(text))


@page_for(require_signed_in)
@require_POST
def recipients_check(request: HttpRequest, user: User) -> HttpResponse:
    """The recipients check while typing (htmx, no side effect): how many distinct mobile
    numbers, and what is wrong with each other entry (R-T1)."""
    entries = split_recipients(request.POST.get("recipients", "")[:RECIPIENTS_INPUT_MAX])
    return render(request, "sms/compose_recipients.html", {"check": check_recipients(entries)})


# --- Invia SMS (R-T1–T4, R-U6) -------------------------------------------------------------


def _fix(problem: SenderProblem, user: User) -> tuple[str, str] | None:
    """Where the user can remove the reason they cannot send, as (url, label)."""
    if problem.code in (ErrorCode.NO_SENDER_AVAILABLE, ErrorCode.MOBILE_NOT_VERIFIED):
        return reverse("accounts:options"), _("Account Options")
    if problem.code == ErrorCode.POLICY_UNUSABLE and is_customer_admin(user):  # R-S2
        return reverse("senders:policy"), _("SMS senders")
    return None


def _show_send_error(error: DomainError, form: ComposeForm) -> None:
    """Each broken rule next to its field: every `to[i]` on the recipients (their messages
    name the number), the text's and the sender's on theirs, the rest above the form."""
    for item in error.errors:
        field = item.field or ""
        if field == "to" or field.startswith("to["):
            name: str | None = "recipients"
        elif field in ("text", "sender"):
            name = field
        else:
            name = None
        form.add_error(name if name in form.fields else None, str(item.message))


@page_for(require_signed_in)
@require_http_methods(["GET", "POST"])
def compose(request: HttpRequest, user: User) -> HttpResponse:
    """«Invia SMS»: recipients, the sender (picked only in `user_choice`, else shown), the
    text with its live counter, «Invia». Who may not send reads why instead (R-U6, R-S4),
    with where to fix it. Operators, who send nothing here, go to the traceability export."""
    if is_operator(user):
        return redirect("backoffice:sms_traceability")
    resolution = resolve_senders(user)
    problem = resolution.problem
    if problem is not None:
        status = 403 if problem.code == ErrorCode.COMMUNICATOR_NOT_ENABLED else 200
        refusal = {"problem": problem, "fix": _fix(problem, user)}
        return render(request, "sms/compose_unavailable.html", refusal, status=status)
    form = ComposeForm(
        posted(request),
        senders=resolution.senders,
        picker=resolution.user_picks,
        counter_url=reverse("sms:counter"),
        recipients_url=reverse("sms:recipients_check"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            sms = send_sms(
                user,
                to=split_recipients(form.cleaned_data["recipients"]),
                text=form.cleaned_data["text"],
                sender=form.chosen_sender() if resolution.user_picks else None,
                idempotency_key=request.POST.get("idempotency_key"),
            )
        except DomainError as error:
            _show_send_error(error, form)
        else:
            messages.success(
                request,
                ngettext(
                    "SMS accepted for %(count)d recipient: its delivery is shown below.",
                    "SMS accepted for %(count)d recipients: their delivery is shown below.",
                    sms.recipient_count,
                )
                % {"count": sms.recipient_count},
            )
            return redirect("sms:message", pk=sms.pk)
    text = str(form["text"].value() or "")
    context = {
        "form": form,
        "resolution": resolution,
        "implied": None if resolution.user_picks else resolution.default,
        "implied_label": sender_label(resolution.default) if resolution.default else "",
        # R-T4: each form shown gets a new key; sending the same form twice (a double click,
        # the browser's "resend") gives back the first SMS instead of a second one.
        "idempotency_key": uuid.uuid4().hex,
        **counter_context(text),
    }
    return render(request, "sms/compose.html", context)


# --- One sent SMS, live (R-T5) -------------------------------------------------------------


def error_label(recipient: SmsMessage) -> str:
    """Why a recipient's message failed or waits, in words: the meaning of a stable code of
    ours, else what the SMSC said (or its code)."""
    if recipient.error_code == ErrorCode.ALIAS_NOT_VALIDATED:  # R-A11
        return _("The sender alias is no longer validated, so the SMS was not sent.")
    return recipient.error_text or recipient.error_code


def _recipients_context(sms: SmsRequest) -> dict[str, Any]:
    recipients = list(sms.messages.order_by("id"))
    for recipient in recipients:
        recipient.badge = STATUS_BADGES.get(recipient.status, NEUTRAL_BADGE)  # type: ignore[attr-defined]
        recipient.error_label = error_label(recipient)  # type: ignore[attr-defined]
    return {
        "sms": sms,
        "recipients": recipients,
        "polling": any(recipient.status not in FINAL_STATUSES for recipient in recipients),
        "poll_every": POLL_EVERY,
    }


@page_for(require_signed_in)
@require_GET
def message(request: HttpRequest, user: User, pk: int) -> HttpResponse:
    """One sent SMS: its text, sender, encoding and parts, and each recipient's status,
    refreshed every few seconds while any is not final (R-T5). Another customer's, or a
    colleague's for a non-admin, is 404 (R-C3)."""
    sms = access_request(user, pk)
    return render(request, "sms/message.html", _recipients_context(sms))


@page_for(require_signed_in)
@require_GET
def message_status(request: HttpRequest, user: User, pk: int) -> HttpResponse:
    """The recipients' statuses of one SMS (htmx polling, R-T5)."""
    sms = access_request(user, pk)
    return render(request, "sms/message_recipients.html", _recipients_context(sms))


# --- SMS inviati (R-T5) --------------------------------------------------------------------


def _user_choices(admin: User) -> list[tuple[int, str]]:
    users = User.objects.visible_to(admin).customer_users().order_by("last_name", "first_name")
    return [
        (pk, f"{first} {last}".strip() or email)
        for pk, first, last, email in users.values_list("pk", "first_name", "last_name", "email")
    ]


def _history_form(request: HttpRequest, user: User) -> HistoryFilterForm:
    users = _user_choices(user) if is_customer_admin(user) else None
    return HistoryFilterForm(request.GET or None, users=users)


def _history_rows(user: User, form: HistoryFilterForm) -> QuerySet[SmsMessage]:
    """One row per recipient, newest first, with its request and user in the same query."""
    return (
        form.history_filter()
        .messages(SmsMessage.objects.history_of(user))
        .select_related("request", "request__user")
        .order_by("-created_at", "-id")
    )


@page_for(require_signed_in)
@require_GET
def history(request: HttpRequest, user: User) -> HttpResponse:
    """«SMS inviati»: every recipient of the user's SMS (admins: the company's, with a user
    filter), newest first, with status, filters, pages and the CSV of the filtered list.
    Operators go to the traceability export."""
    if is_operator(user):
        return redirect("backoffice:sms_traceability")
    form = _history_form(request, user)
    page = Paginator(_history_rows(user, form), SMS_PER_PAGE).get_page(request.GET.get("page"))
    for row in page.object_list:
        row.badge = STATUS_BADGES.get(row.status, NEUTRAL_BADGE)
    context = {
        "form": form,
        "page": page,
        "filters": filters_without_page(request),
        "show_user": is_customer_admin(user),
    }
    return render(request, "sms/history.html", context)


HISTORY_CSV_COLUMNS = (
    "sent_at",
    "user_email",
    "recipient",
    "sender",
    "text",
    "encoding",
    "parts",
    "status",
    "status_label",
    "error",
    "submitted_at",
    "done_at",
)


def _history_csv_rows(rows: QuerySet[SmsMessage]) -> Iterator[list[str]]:
    yield list(HISTORY_CSV_COLUMNS)
    labels = dict(MessageStatus.choices)
    for row in rows.iterator(chunk_size=2000):
        sms = row.request
        yield [
            time_cell(row.created_at),
            spreadsheet_safe(sms.user.email),
            row.destination,
            sender_cell(sms),
            spreadsheet_safe(sms.text),
            sms.encoding,
            str(sms.parts),
            row.status,
            str(labels.get(row.status, row.status)),
            spreadsheet_safe(row.error_code),
            time_cell(row.submitted_at),
            time_cell(row.done_at),
        ]


@page_for(require_signed_in)
@require_GET
def history_export(request: HttpRequest, user: User) -> HttpResponseBase:
    """«SMS inviati» as CSV, with the page's filters; invalid filters go back to the page,
    which says what to correct."""
    form = _history_form(request, user)
    if form.is_bound and not form.is_valid():
        return redirect(f"{reverse('sms:history')}?{request.GET.urlencode()}")
    rows = _history_rows(user, form)
    if form.errors:  # a recipient filter that is no number
        return redirect(f"{reverse('sms:history')}?{request.GET.urlencode()}")
    return csv_download(_history_csv_rows(rows), "sms-inviati")


# --- «Consumo SMS» (R-R1, R-R2) -------------------------------------------------------------


@require_GET
@page_for(require_customer_admin)
def usage(request: HttpRequest, admin: User) -> HttpResponse:
    """The company's month: messages and parts per day as a chart with the table beside it,
    by status and by user; a month picker and the CSV of the month."""
    form = UsageMonthForm(request.GET or None)
    month = form.chosen_month()
    assert admin.customer is not None  # require_customer_admin
    report = customer_usage(admin.customer, month)
    labels = dict(MessageStatus.choices)
    context = {
        "form": form,
        "report": report,
        "chart": bar_chart(
            _("Parts per day"),
            [(day.strftime("%d"), tally.parts) for day, tally in report.by_day],
        ),
        "statuses": [
            (status, labels[status], tally)
            for status, tally in report.by_status.items()
            if tally.messages
        ],
    }
    return render(request, "sms/usage.html", context)


USAGE_CSV_COLUMNS = ("date", "user_email", "user_name", "status", "messages", "parts")


@require_GET
@page_for(require_customer_admin)
def usage_export(request: HttpRequest, admin: User) -> HttpResponseBase:
    """The month of «Consumo SMS» as CSV: one line per day, user and status."""
    month = UsageMonthForm(request.GET or None).chosen_month()
    assert admin.customer is not None  # require_customer_admin
    days = counts_by_day(admin.customer, month)
    users = User.objects.in_bulk({user_id for counts in days.values() for user_id, *_ in counts})

    def rows() -> Iterator[list[str]]:
        yield list(USAGE_CSV_COLUMNS)
        for day, counts in days.items():
            for user_id, status, sent, parts in sorted(counts):
                person = users.get(user_id)
                yield [
                    day.isoformat(),
                    spreadsheet_safe(person.email if person else user_id),
                    spreadsheet_safe(person.full_name if person else ""),
                    status,
                    str(sent),
                    str(parts),
                ]

    return csv_download(rows(), f"consumo-sms-{month}")
