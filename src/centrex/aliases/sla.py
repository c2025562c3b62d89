"""When an alias request's outcome is due: 8 business hours on the provider's calendar (R-A8).

The calendar comes from the settings `CENTREX_BUSINESS_HOURS` ("09:00-18:00"),
`CENTREX_BUSINESS_DAYS` ("mon-fri") and `CENTREX_CLOSED_DATES` ("2026-12-24,2026-12-31"), on
top of the Italian national holidays and the Europe/Rome time zone of `core.business_hours`.
`parse_business_calendar` is what the settings module calls at start-up, so a bad value stops
the program with a clear message instead of surfacing on the first request.
"""

from __future__ import annotations

from datetime import date, datetime, time
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from centrex.core.business_hours import (
    BusinessCalendar,
    add_business_hours,
    business_hours_between,
)

if TYPE_CHECKING:
    from centrex.aliases.models import SenderAlias

# R-A8: the outcome of a request is due within this many business hours.
ALIAS_DUE_BUSINESS_HOURS = 8
# R-A10: operators are reminded when this many business hours (or fewer) are left.
REMINDER_BUSINESS_HOURS_BEFORE_DUE = 1

_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_business_calendar(hours: str, days: str, closed_dates: str) -> BusinessCalendar:
    """The calendar described by the three settings; ImproperlyConfigured on a bad value.

    `hours` is "HH:MM-HH:MM"; `days` a comma-separated list of days or ranges of days
    ("mon-fri", "mon-fri,sat", "mon,wed,fri"); `closed_dates` ISO dates separated by commas
    (may be empty): days the provider is closed besides the national holidays.
    """
    opening, closing = _parse_hours(hours)
    weekdays = _parse_days(days)
    extra_closed = _parse_dates(closed_dates)
    try:
        return BusinessCalendar(
            opening=opening, closing=closing, weekdays=weekdays, extra_closed=extra_closed
        )
    except ValueError as error:
        raise ImproperlyConfigured(f"business calendar: {error}") from None


def business_calendar() -> BusinessCalendar:
    """The provider's calendar as the settings say now (R-A8)."""
    return _cached_calendar(
        settings.CENTREX_BUSINESS_HOURS,
        settings.CENTREX_BUSINESS_DAYS,
        settings.CENTREX_CLOSED_DATES,
    )


def due_at_for(moment: datetime) -> datetime:
    """When the outcome of a request made at `moment` is due (R-A8)."""
    return add_business_hours(moment, ALIAS_DUE_BUSINESS_HOURS, business_calendar())


def reminder_at_for(submitted_at: datetime) -> datetime:
    """When operators are reminded of a request made at `submitted_at` (R-A8, R-A10): one
    business hour before its due time, that is 8 - 1 business hours after the request."""
    return add_business_hours(
        submitted_at,
        ALIAS_DUE_BUSINESS_HOURS - REMINDER_BUSINESS_HOURS_BEFORE_DUE,
        business_calendar(),
    )


def reminder_cutoff(now: datetime) -> datetime:
    """Requests due at or before this moment are within one business hour of their due time
    (or already overdue) at `now`."""
    return add_business_hours(now, REMINDER_BUSINESS_HOURS_BEFORE_DUE, business_calendar())


def is_overdue(alias: SenderAlias, now: datetime | None = None) -> bool:
    """A pending request whose due time has passed (R-A8: highlighted in the queue)."""
    from centrex.aliases.models import AliasStatus

    if alias.status != AliasStatus.PENDING or alias.due_at is None:
        return False
    return (now or timezone.now()) > alias.due_at


def business_hours_left(alias: SenderAlias, now: datetime | None = None) -> float | None:
    """Business hours until the due time (negative once overdue); None when nothing is due."""
    from centrex.aliases.models import AliasStatus

    if alias.status != AliasStatus.PENDING or alias.due_at is None:
        return None
    return business_hours_between(now or timezone.now(), alias.due_at, business_calendar())


@lru_cache(maxsize=8)
def _cached_calendar(hours: str, days: str, closed_dates: str) -> BusinessCalendar:
    return parse_business_calendar(hours, days, closed_dates)


def _parse_hours(raw: str) -> tuple[time, time]:
    text = raw.strip()
    opening_text, separator, closing_text = text.partition("-")
    try:
        if not separator:
            raise ValueError
        opening = time.fromisoformat(opening_text.strip())
        closing = time.fromisoformat(closing_text.strip())
    except ValueError:
        raise ImproperlyConfigured(
            f"CENTREX_BUSINESS_HOURS must look like 09:00-18:00, not {raw!r}"
        ) from None
    if opening >= closing:
        raise ImproperlyConfigured(
            f"CENTREX_BUSINESS_HOURS must open before it closes, not {raw!r}"
        )
    return opening, closing


def _parse_days(raw: str) -> frozenset[int]:
    days: set[int] = set()
    for part in raw.lower().split(","):
        item = part.strip()
        if not item:
            continue
        first, separator, last = item.partition("-")
        try:
            start = _DAY_NAMES.index(first.strip())
            stop = _DAY_NAMES.index(last.strip()) if separator else start
        except ValueError:
            raise ImproperlyConfigured(
                f"CENTREX_BUSINESS_DAYS must list days as mon, tue, wed, thu, fri, sat, sun or "
                f"ranges such as mon-fri, not {raw!r}"
            ) from None
        if stop < start:
            raise ImproperlyConfigured(
                f"CENTREX_BUSINESS_DAYS: the range {item!r} must go from Monday towards Sunday"
            )
        days.update(range(start, stop + 1))
    if not days:
        raise ImproperlyConfigured("CENTREX_BUSINESS_DAYS must name at least one day")
    return frozenset(days)


def _parse_dates(raw: str) -> frozenset[date]:
    dates: set[date] = set()
    for part in raw.split(","):
        item = part.strip()
        if not item:
            continue
        try:
            dates.add(date.fromisoformat(item))
        except ValueError:
            raise ImproperlyConfigured(
                f"CENTREX_CLOSED_DATES must be dates such as 2026-12-24 separated by commas; "
                f"{item!r} is not one"
            ) from None
    return frozenset(dates)
