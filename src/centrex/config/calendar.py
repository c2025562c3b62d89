"""The provider's business calendar (R-A8): `CENTREX_BUSINESS_HOURS` ("09:00-18:00"),
`CENTREX_BUSINESS_DAYS` ("mon-fri") and `CENTREX_CLOSED_DATES` ("2026-12-24,2026-12-31").

No Django app here: `settings.py` calls `parse_business_calendar` so a bad value stops the
program at start with a message naming the variable, instead of surfacing on the first
request; `centrex.aliases.sla` builds the calendar (`core.business_hours.BusinessCalendar`,
Europe/Rome and the Italian national holidays) from what it returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from django.core.exceptions import ImproperlyConfigured

_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class CalendarSettings:
    """The three settings read: open `opening`–`closing` on `weekdays` (0 = Monday), closed
    on `extra_closed` besides the national holidays. Always a valid calendar: `opening` is
    before `closing` and `weekdays` names at least one day."""

    opening: time
    closing: time
    weekdays: frozenset[int]
    extra_closed: frozenset[date]


def parse_business_calendar(hours: str, days: str, closed_dates: str) -> CalendarSettings:
    """The calendar described by the three settings; ImproperlyConfigured on a bad value.

    `hours` is "HH:MM-HH:MM"; `days` a comma-separated list of days or ranges of days
    ("mon-fri", "mon-fri,sat", "mon,wed,fri"); `closed_dates` ISO dates separated by commas
    (may be empty): days the provider is closed besides the national holidays.
    """
    opening, closing = _parse_hours(hours)
    return CalendarSettings(
        opening=opening,
        closing=closing,
        weekdays=_parse_days(days),
        extra_closed=_parse_dates(closed_dates),
    )


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
