"""The history's filters as people type them (R-T5, R-C3): parsed and checked here, applied by
the querysets' methods (`SmsRequest.objects.history_of(user)`, `.sent_between`, `.sent_by`, …).
The API's `GET /sms/messages` (requests with their recipients) and the «SMS inviati» page (one
row per recipient) read through these, so both show the same things to the same people. The
operators' traceability export (R-S4, R-B1, a back-office page) reads `traced_messages`, and
both CSVs write their times and senders with the same cells.

A customer admin sees the company's SMS, anyone else their own; another customer's, a
colleague's (for a non-admin) and a missing one are the same 404. Verification codes are never
shown (R-M2): they are the system's, not a user's SMS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from centrex.core.csv_export import spreadsheet_safe
from centrex.core.errors import DomainError, ErrorCode
from centrex.core.phones import normalize_phone_number
from centrex.senders.models import SenderType
from centrex.sms.models import (
    MessageStatus,
    RequestKind,
    SmsMessage,
    SmsMessageQuerySet,
    SmsRequest,
    SmsRequestQuerySet,
)

if TYPE_CHECKING:
    from centrex.accounts.models import User

# A part of a number typed as a filter ("333 12"): digits and the usual separators.
_PARTIAL_NUMBER = re.compile(r"^[\d\s+().-]*\d{3}[\d\s+().-]*$")


def access_request(user: User, request_id: object) -> SmsRequest:
    """One request `user` may see, with its user; "not there" and "not yours" are the same
    NotFound (R-C3)."""
    return (
        SmsRequest.objects.history_of(user).select_related("user").one_or_not_found(pk=request_id)
    )


def traced_messages(
    operator: User, customer_id: int, since: datetime | None, until: datetime | None
) -> SmsMessageQuerySet:
    """The traceability export (R-S4, R-B1): every message of one customer queued at or after
    `since` and before `until`, oldest first, with what its rows need in the same query.
    Verification codes are not users' messages (R-M2)."""
    return (
        SmsMessage.objects.visible_to(operator)
        .filter(customer_id=customer_id, request__kind=RequestKind.MESSAGE)
        .sent_between(since, until)
        .select_related("request", "request__user", "request__user__extension", "customer")
        .order_by("created_at", "id")
    )


def recipient_lookup(raw: str) -> Q:
    """A recipient filter on messages: a whole number (in any form, R-M1) matches exactly; a
    part of one (at least three digits) the numbers holding those digits."""
    try:
        return Q(destination=normalize_phone_number(raw))
    except DomainError:
        if not _PARTIAL_NUMBER.match(raw):
            raise DomainError(
                ErrorCode.VALIDATION_ERROR,
                _("Search a recipient by their number, or at least three of its digits."),
                field="to",
            ) from None
    return Q(destination__contains=re.sub(r"\D", "", raw))


def status_lookup(status: str) -> Q:
    """A status filter on messages: one of R-T5's statuses."""
    if status not in MessageStatus.values:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            _("Unknown status “%(status)s”: use one of %(statuses)s.")
            % {"status": status, "statuses": ", ".join(MessageStatus.values)},
            field="status",
        )
    return Q(status=status)


def aware(moment: datetime) -> datetime:
    """A time without offset is read in the portal's time zone (Europe/Rome)."""
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def parse_moment(raw: str | None, field: str) -> datetime | None:
    """An ISO 8601 time (`2026-03-02T10:15:00+01:00`; without offset: Europe/Rome) or date
    (its midnight, Europe/Rome) of the history's filters; None when not given."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    try:
        moment = parse_datetime(text)
        if moment is None:
            day = parse_date(text)
            moment = None if day is None else datetime.combine(day, time.min)
    except ValueError:
        moment = None
    if moment is None:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            _(
                "“%(value)s” is not a date or time: write it as 2026-03-02 or 2026-03-02T10:15:00+01:00."
            )
            % {"value": raw},
            field=field,
        )
    return aware(moment)


@dataclass(frozen=True)
class HistoryFilter:
    """The history's filters (each optional, all combined): a recipient status, a recipient's
    number or part of it, sent at or after `since`, before `until`, by one user (admins)."""

    status: str | None = None
    to: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    user_id: int | None = None

    def recipient_q(self) -> Q:
        """The conditions on one recipient's message; raises `validation_error` on a bad
        status or recipient."""
        condition = Q()
        if self.status:
            condition &= status_lookup(self.status)
        if self.to:
            condition &= recipient_lookup(self.to)
        return condition

    def _period(self) -> tuple[datetime | None, datetime | None]:
        since = aware(self.since) if self.since is not None else None
        until = aware(self.until) if self.until is not None else None
        return since, until

    def requests(self, requests: SmsRequestQuerySet) -> SmsRequestQuerySet:
        """Requests with a recipient matching both the status and the number (the same one)."""
        recipient = self.recipient_q()
        if recipient:
            requests = requests.with_a_recipient(recipient)
        if self.user_id is not None:
            requests = requests.sent_by(self.user_id)
        return requests.sent_between(*self._period())

    def messages(self, messages: SmsMessageQuerySet) -> SmsMessageQuerySet:
        """Recipients' messages matching every filter."""
        messages = messages.filter(self.recipient_q())
        if self.user_id is not None:
            messages = messages.sent_by(self.user_id)
        return messages.sent_between(*self._period())


# --- The CSVs' cells («SMS inviati», the traceability export) --------------------------------


def time_cell(value: datetime | None) -> str:
    """A time in the portal's time zone, to the second ("" when there is none)."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def sender_cell(sms: SmsRequest) -> str:
    """A number in E.164 as it is (its `+` starts no formula worth guarding against); an alias
    made spreadsheet-safe."""
    if sms.sender_type == SenderType.MOBILE:
        return sms.sender_value
    return spreadsheet_safe(sms.sender_value)
