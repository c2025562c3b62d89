"""Which sent SMS a person may see, and the history's filters (R-T5, R-C3): the API's
`GET /sms/messages` (requests with their recipients) and the «SMS inviati» page (one row per
recipient) read through these, so both show the same things to the same people.

A customer admin sees the company's SMS, anyone else their own; another customer's, a
colleague's (for a non-admin) and a missing one are the same 404. Verification codes are never
shown (R-M2): they are the system's, not a user's SMS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from centrex.core.errors import DomainError, ErrorCode, NotFound
from centrex.core.phones import normalize_phone_number
from centrex.sms.models import MessageStatus, RequestKind, SmsMessage, SmsRequest

if TYPE_CHECKING:
    from centrex.accounts.models import User

# A part of a number typed as a filter ("333 12"): digits and the usual separators.
_PARTIAL_NUMBER = re.compile(r"^[\d\s+().-]*\d{3}[\d\s+().-]*$")


def visible_requests(user: User) -> QuerySet[SmsRequest]:
    """The send requests `user` may see: a customer admin's company's, anyone else's own."""
    requests = SmsRequest.objects.visible_to(user).filter(kind=RequestKind.MESSAGE)
    if not user.is_customer_admin:
        requests = requests.filter(user_id=user.pk)
    return requests


def visible_messages(user: User) -> QuerySet[SmsMessage]:
    """The recipients' messages `user` may see, by the same rule as `visible_requests`."""
    messages = SmsMessage.objects.visible_to(user).filter(request__kind=RequestKind.MESSAGE)
    if not user.is_customer_admin:
        messages = messages.filter(request__user_id=user.pk)
    return messages


def access_request(user: User, request_id: object) -> SmsRequest:
    """One request `user` may see, with its user; "not there" and "not yours" are the same
    NotFound (R-C3)."""
    try:
        pk = int(str(request_id))
    except ValueError:
        raise NotFound() from None
    found = visible_requests(user).select_related("user").filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


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

    def _time_lookups(self, prefix: str = "") -> dict[str, Any]:
        lookups: dict[str, Any] = {}
        if self.since is not None:
            lookups[f"{prefix}created_at__gte"] = aware(self.since)
        if self.until is not None:
            lookups[f"{prefix}created_at__lt"] = aware(self.until)
        return lookups

    def requests(self, requests: QuerySet[SmsRequest]) -> QuerySet[SmsRequest]:
        """Requests with a recipient matching both the status and the number (the same one:
        "to 333… and failed", not "to 333… and some recipient failed")."""
        recipient = self.recipient_q()
        if recipient:
            matching = SmsMessage.objects.filter(recipient, request_id=OuterRef("pk"))
            requests = requests.filter(Exists(matching))
        if self.user_id is not None:
            requests = requests.filter(user_id=self.user_id)
        return requests.filter(**self._time_lookups())

    def messages(self, messages: QuerySet[SmsMessage]) -> QuerySet[SmsMessage]:
        """Recipients' messages matching every filter."""
        messages = messages.filter(self.recipient_q())
        if self.user_id is not None:
            messages = messages.filter(request__user_id=self.user_id)
        # The message's own created_at is its request's (set together by enqueue_sms).
        return messages.filter(**self._time_lookups())
