"""SMS usage per month (R-R1): how many messages (one per recipient) and parts (what the SMSC
charges) a customer sent, by user, by status and per day; and every customer's month for the
operators' billing. The API (`GET /sms/usage`, `GET /backoffice/usage[.csv]`) and the pages
read these.

A month is a calendar month of the portal's time zone (Europe/Rome): a message counts in the
month and on the day its request was made (`created_at`), whatever happened to it later. Only
users' messages count; verification codes are the system's (R-M2), as in the histories.

Each answer is one grouped query on the messages of the month (the index
`sms_message_history`, customer + created_at, bounds it), joined to their requests for the user
and the parts.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db.models import Count, F, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from centrex.accounts.models import User
from centrex.core.csv_export import spreadsheet_safe
from centrex.core.errors import DomainError, ErrorCode
from centrex.customers.models import Customer
from centrex.sms.models import MessageStatus, RequestKind, SmsMessage, SmsMessageQuerySet

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


def _month_messages(month: Month) -> SmsMessageQuerySet:
    start, end = month.bounds()
    return SmsMessage.objects.filter(
        created_at__gte=start, created_at__lt=end, request__kind=RequestKind.MESSAGE
    )


def customer_usage(customer: Customer, month: Month) -> MonthUsage:
    """One customer's month (R-R1), in one query grouped by user, status and local day."""
    rows = (
        _month_messages(month)
        .filter(customer=customer)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("request__user_id", "status", "day")
        .annotate(messages=Count("id"), part_count=Sum(F("request__parts")))
        .order_by()
    )
    total = Tally()
    by_status = {status: Tally() for status in MessageStatus.values}
    by_user: dict[int, UserUsage] = {}
    by_day = {day: Tally() for day in month.days}
    for row in rows:
        messages, parts = row["messages"], row["part_count"] or 0
        total.add(messages, parts)
        by_status[row["status"]].add(messages, parts)
        user_id = row["request__user_id"]
        by_user.setdefault(user_id, UserUsage(user_id)).tally.add(messages, parts)
        day = row["day"]
        if isinstance(day, datetime):  # some backends answer a datetime at midnight
            day = day.date()
        by_day.setdefault(day, Tally()).add(messages, parts)
    users = sorted(by_user.values(), key=lambda u: (-u.tally.parts, -u.tally.messages, u.user_id))
    _attach_users(users)
    return MonthUsage(
        month=month,
        total=total,
        by_status=by_status,
        by_user=users,
        by_day=sorted(by_day.items()),
    )


def _attach_users(users: list[UserUsage]) -> None:
    found = User.objects.in_bulk([u.user_id for u in users])
    for usage in users:
        usage.user = found.get(usage.user_id)


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
    """Every customer that sent in `month`, by name (R-R1: the operators' billing export)."""
    totals = {
        row["customer_id"]: row
        for row in _month_messages(month)
        .values("customer_id")
        .annotate(messages=Count("id"), part_count=Sum(F("request__parts")))
        .order_by()
    }
    customers = Customer.objects.filter(pk__in=totals).order_by("name", "pk")
    return [
        CustomerMonth(
            customer_id=customer.pk,
            name=customer.name,
            vat_number=customer.vat_number,
            tax_code=customer.tax_code,
            messages=totals[customer.pk]["messages"],
            parts=totals[customer.pk]["part_count"] or 0,
        )
        for customer in customers
    ]


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
