"""Business hours (R-A8): when something asked now is due, counting only the provider's
working time — Monday–Friday 09:00–18:00 Europe/Rome, Italian national holidays excluded.

Datetimes go in and come out aware (results in UTC). Days, opening and closing are read on the
wall clock of the calendar's time zone, while the hours themselves are counted as real elapsed
time, so the answer stays right across daylight-saving changes.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

# Law 151 of 8 October 2025 made 4 October (San Francesco d'Assisi, patron saint of Italy) a
# national holiday again from 2026.
_SAN_FRANCESCO_FROM = 2026

# A calendar closed for longer than this is a configuration mistake (say, every date of a year
# listed as closed), not something to loop on forever.
_MAX_CLOSED_DAYS = 366


@lru_cache(maxsize=64)
def national_holidays(country: str, year: int) -> frozenset[date]:
    """The public holidays of `country` in `year`, from the `holidays` library."""
    dates = set(holidays.country_holidays(country, years=year))
    if country == "IT" and year >= _SAN_FRANCESCO_FROM:
        # The locked `holidays` (0.109) has it already; added here too so that an older
        # release, which pyproject's range (>= 0.80) still allows, cannot drop it.
        dates.add(date(year, 10, 4))
    return frozenset(dates)


@dataclass(frozen=True)
class BusinessCalendar:
    """When the provider works: `opening`–`closing` on `weekdays` (0 = Monday) in `time_zone`,
    except the national holidays of `country` and the `extra_closed` dates."""

    opening: time = time(9, 0)
    closing: time = time(18, 0)
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    time_zone: str = "Europe/Rome"
    country: str = "IT"
    extra_closed: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.opening >= self.closing:
            raise ValueError("a business day must open before it closes")
        if not self.weekdays or not self.weekdays <= set(range(7)):
            raise ValueError("weekdays must be a non-empty set of 0 (Monday) … 6 (Sunday)")
        ZoneInfo(self.time_zone)  # fails loudly on an unknown zone

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def is_business_day(self, day: date) -> bool:
        return (
            day.weekday() in self.weekdays
            and day not in self.extra_closed
            and day not in national_holidays(self.country, day.year)
        )

    def business_periods(self, first_day: date) -> Iterator[tuple[datetime, datetime]]:
        """The working periods from `first_day` on, endlessly, as (opening, closing) in UTC."""
        zone = self.zone
        day = first_day
        closed_days = 0
        while True:
            if self.is_business_day(day):
                closed_days = 0
                yield (
                    datetime.combine(day, self.opening, zone).astimezone(UTC),
                    datetime.combine(day, self.closing, zone).astimezone(UTC),
                )
            else:
                closed_days += 1
                if closed_days > _MAX_CLOSED_DAYS:
                    raise ValueError(
                        f"the calendar is closed for more than {_MAX_CLOSED_DAYS} days in a row"
                    )
            day += timedelta(days=1)


DEFAULT_CALENDAR = BusinessCalendar()


def add_business_hours(
    start: datetime, hours: float, calendar: BusinessCalendar = DEFAULT_CALENDAR
) -> datetime:
    """The moment `hours` business hours after `start` (R-A8), in UTC.

    Time outside business hours does not count: a request made at night, on a weekend or on a
    holiday starts counting at the next opening. Business hours are [opening, closing): a
    request at exactly 18:00 counts from the next opening, and work that ends exactly at
    closing is due at 18:00 that day, not at the next opening. With 0 hours the answer is the
    first business moment at or after `start`.
    """
    _require_aware(start)
    if not math.isfinite(hours) or hours < 0:
        raise ValueError("hours must be a finite number >= 0")
    remaining = timedelta(hours=hours)
    moment = start.astimezone(UTC)
    for opening, closing in calendar.business_periods(_local_day(moment, calendar)):
        if closing <= moment:
            continue
        begin = max(opening, moment)
        available = closing - begin
        if remaining <= available:
            return begin + remaining
        remaining -= available
    raise AssertionError("business_periods never ends")


def business_hours_between(
    start: datetime, end: datetime, calendar: BusinessCalendar = DEFAULT_CALENDAR
) -> float:
    """Business hours from `start` to `end`; negative when `end` comes first (for example the
    hours by which a due time is already past)."""
    _require_aware(start)
    _require_aware(end)
    if end < start:
        return -business_hours_between(end, start, calendar)
    begin, finish = start.astimezone(UTC), end.astimezone(UTC)
    total = timedelta()
    for opening, closing in calendar.business_periods(_local_day(begin, calendar)):
        if opening >= finish:
            break
        overlap = min(closing, finish) - max(opening, begin)
        if overlap > timedelta():
            total += overlap
    return total / timedelta(hours=1)


def _local_day(moment: datetime, calendar: BusinessCalendar) -> date:
    return moment.astimezone(calendar.zone).date()


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("business hours need an aware datetime (with its time zone)")
