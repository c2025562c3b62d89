"""SMS usage per month (R-R1): how many messages (one per recipient) and parts (what the SMSC
charges) a customer sent, by user, by status and per day; and every customer's month for the
operators' billing. The API (`GET /sms/usage`, `GET /backoffice/usage[.csv]`) and the pages
read these.

A month is a calendar month of the portal's time zone (Europe/Rome): a message counts in the
month and on the day its request was made (`created_at`), in its status now. Only users'
messages count; verification codes are the system's (R-M2), as in the histories.

Counted once, a day stays counted: a past day whose messages are all final (a final status
never changes, R-T5, and nothing is created in the past) is kept in a daily roll-up
(`UsageDay`, `UsageCount`) the first time it is read, so a month of history costs two small
queries; today, and a day with a message still queued or submitted, are counted from the
messages each time (one grouped query per day on the index `sms_message_history`).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from centrex.accounts.models import User
from centrex.core.csv_export import spreadsheet_safe
from centrex.core.errors import DomainError, ErrorCode
from centrex.customers.models import Customer
from centrex.sms.models import (
    FINAL_STATUSES,
    MessageStatus,
    RequestKind,
    SmsMessage,
    SmsRequest,
    UsageCount,
    UsageDay,
)

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month of the portal's time zone."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str | None, *, field: str = "month") -> Month:
        """`YYYY-MM`; none means the current month. Anything else is a validation error that
        says the format."""
        if text is None or text == "":
            return cls.current()
        found = _MONTH.match(text)
        if found is None or not 1 <= int(found[2]) <= 12 or int(found[1]) < 2000:
            raise DomainError(
                ErrorCode.VALIDATION_ERROR,
                _("Give the month as YYYY-MM, for example 2026-03."),
                field=field,
            )
        return cls(int(found[1]), int(found[2]))

    @classmethod
    def current(cls) -> Month:
        today = timezone.localdate()
        return cls(today.year, today.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def days(self) -> list[date]:
        count = calendar.monthrange(self.year, self.month)[1]
        return [date(self.year, self.month, day) for day in range(1, count + 1)]

    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as aware datetimes at local midnight (a DST change is inside)."""
        zone = timezone.get_current_timezone()
        start = datetime.combine(self.first_day, time.min, tzinfo=zone)
        end = datetime.combine(self.next().first_day, time.min, tzinfo=zone)
        return start, end


@dataclass
class Tally:
    """Messages and their parts."""

    messages: int = 0
    parts: int = 0

    def add(self, messages: int, parts: int) -> None:
        self.messages += messages
        self.parts += parts

    def as_dict(self) -> dict[str, int]:
        return {"messages": self.messages, "parts": self.parts}


@dataclass
class UserUsage:
    """One user's month (`user` is None for a user no longer known)."""

    user_id: int
    tally: Tally = field(default_factory=Tally)
    user: User | None = None


@dataclass
class MonthUsage:
    """A customer's month (R-R1): totals, by status, by user (most parts first), per day
    (every day of the month, zero days included, so a chart has no gaps)."""

    month: Month
    total: Tally
    by_status: dict[str, Tally]
    by_user: list[UserUsage]
    by_day: list[tuple[date, Tally]]

    def as_api(self) -> dict[str, Any]:
        """API.md `GET /sms/usage`."""
        return {
            "month": str(self.month),
            "messages": self.total.messages,
            "parts": self.total.parts,
            "by_status": {status: tally.parts for status, tally in self.by_status.items()},
            "by_user": [{"user_id": u.user_id, **u.tally.as_dict()} for u in self.by_user],
            "by_day": [{"date": day.isoformat(), **tally.as_dict()} for day, tally in self.by_day],
        }


# A user's messages and parts in one status: (user_id, status, messages, parts).
StatusCount = tuple[int, str, int, int]

# A day is closed (counted once into the roll-up) only this long after its local midnight, so
# a message created just before midnight and committed just after it is counted.
CLOSING_MARGIN = timedelta(minutes=10)


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def _counted_from_messages(customer: Customer, day: date) -> list[StatusCount]:
    """One day's counts from the messages themselves: one grouped query, bounded by the
    index `sms_message_history` (customer, created_at)."""
    start, end = _day_bounds(day)
    rows = (
        SmsMessage.objects.filter(
            customer=customer,
            created_at__gte=start,
            created_at__lt=end,
            request__kind=RequestKind.MESSAGE,
        )
        .values_list("request__user_id", "status")
        .annotate(messages=Count("id"), part_count=Sum(F("request__parts")))
        .order_by()
    )
    return [(user_id, status, messages, parts or 0) for user_id, status, messages, parts in rows]


def _close(customer: Customer, day: date, counts: list[StatusCount]) -> None:
    """Keep a day whose messages are all final in the roll-up (R-R1). Two readers closing the
    same day at once store it once: the second meets the unique constraint and gives up, the
    counts being the same."""
    try:
        with transaction.atomic():
            usage_day = UsageDay.objects.create(customer=customer, day=day)
            UsageCount.objects.bulk_create(
                UsageCount(
                    usage_day=usage_day, user_id=user_id, status=status, messages=n, parts=parts
                )
                for user_id, status, n, parts in counts
            )
    except IntegrityError:
        pass


def counts_by_day(customer: Customer, month: Month) -> dict[date, list[StatusCount]]:
    """Every day of the month with its counts: closed days from the roll-up (two queries for
    the month), the others from the messages, closing each past day whose messages are all
    final. Days to come are empty."""
    first, last = month.days[0], month.days[-1]
    in_month = {"usage_day__customer": customer, "usage_day__day__range": (first, last)}
    closed: dict[date, list[StatusCount]] = {
        day: []
        for day in UsageDay.objects.filter(customer=customer, day__range=(first, last))
        .values_list("day", flat=True)
        .order_by()
    }
    for day, *count in UsageCount.objects.filter(**in_month).values_list(
        "usage_day__day", "user_id", "status", "messages", "parts"
    ):
        closed[day].append(tuple(count))  # type: ignore[arg-type]
    now = timezone.now()
    result: dict[date, list[StatusCount]] = {}
    for day in month.days:
        if day in closed:
            result[day] = closed[day]
            continue
        start, end = _day_bounds(day)
        if start > now:
            result[day] = []
            continue
        counts = _counted_from_messages(customer, day)
        if end + CLOSING_MARGIN <= now and all(
            status in FINAL_STATUSES for _u, status, _n, _p in counts
        ):
            _close(customer, day, counts)
        result[day] = counts
    return result


def customer_usage(customer: Customer, month: Month) -> MonthUsage:
    """One customer's month (R-R1)."""
    total = Tally()
    by_status = {status: Tally() for status in MessageStatus.values}
    by_user: dict[int, UserUsage] = {}
    by_day: list[tuple[date, Tally]] = []
    for day, counts in counts_by_day(customer, month).items():
        tally = Tally()
        for user_id, status, messages, parts in counts:
            tally.add(messages, parts)
            by_status[status].add(messages, parts)
            by_user.setdefault(user_id, UserUsage(user_id)).tally.add(messages, parts)
        total.add(tally.messages, tally.parts)
        by_day.append((day, tally))
    users = sorted(by_user.values(), key=lambda u: (-u.tally.parts, -u.tally.messages, u.user_id))
    found = User.objects.in_bulk([u.user_id for u in users])
    for usage in users:
        usage.user = found.get(usage.user_id)
    return MonthUsage(month=month, total=total, by_status=by_status, by_user=users, by_day=by_day)


@dataclass(frozen=True)
class CustomerMonth:
    """One customer's line of the operators' billing month (R-R1)."""

    customer_id: int
    name: str
    vat_number: str
    tax_code: str
    messages: int
    parts: int

    def as_api(self) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "name": self.name,
            "messages": self.messages,
            "parts": self.parts,
        }


def customers_usage(month: Month) -> list[CustomerMonth]:
    """Every customer that sent in `month`, by name (R-R1: the operators' billing export):
    each one's month as `customer_usage` counts it (the roll-up, the open days)."""
    start, end = month.bounds()
    lines = []
    for customer in Customer.objects.order_by("name", "pk"):
        sent = SmsRequest.objects.filter(
            customer=customer, kind=RequestKind.MESSAGE, created_at__gte=start, created_at__lt=end
        )
        if not sent.exists():
            continue
        usage = customer_usage(customer, month)
        lines.append(
            CustomerMonth(
                customer_id=customer.pk,
                name=customer.name,
                vat_number=customer.vat_number,
                tax_code=customer.tax_code,
                messages=usage.total.messages,
                parts=usage.total.parts,
            )
        )
    return lines


def months_back(count: int, *, until: Month | None = None) -> Iterator[Month]:
    """The month picker's choices: this month and the `count - 1` before it."""
    month = until or Month.current()
    for _index in range(count):
        yield month
        month = month.previous()


# The billing CSV's columns: stable names a provider's billing import can rely on.
BILLING_COLUMNS = ["month", "customer_id", "name", "vat_number", "tax_code", "messages", "parts"]


def billing_rows(month: Month, lines: list[CustomerMonth]) -> Iterator[list[str]]:
    """The operators' month as CSV rows (R-R1), the header first; cells spreadsheet-safe."""
    yield BILLING_COLUMNS
    for line in lines:
        yield [
            str(month),
            str(line.customer_id),
            spreadsheet_safe(line.name),
            spreadsheet_safe(line.vat_number),
            spreadsheet_safe(line.tax_code),
            str(line.messages),
            str(line.parts),
        ]
