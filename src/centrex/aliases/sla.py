"""When an alias request's outcome is due: 8 business hours on the provider's calendar (R-A8).

The calendar comes from the settings `CENTREX_BUSINESS_HOURS` ("09:00-18:00"),
`CENTREX_BUSINESS_DAYS` ("mon-fri") and `CENTREX_CLOSED_DATES` ("2026-12-24,2026-12-31"), read
by `centrex.config.calendar` (which the settings module calls at start-up, so a bad value stops
the program), on top of the Italian national holidays and the Europe/Rome time zone of
`core.business_hours`.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from centrex.config.calendar import parse_business_calendar
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


def business_calendar() -> BusinessCalendar:
    """The provider's calendar as the settings say now (R-A8)."""
    return _cached_calendar(
        settings.CENTREX_BUSINESS_HOURS,
        settings.CENTREX_BUSINESS_DAYS,
        settings.CENTREX_CLOSED_DATES,
    )


def display_zone() -> str:
    """Due times are shown on the provider's calendar (Europe/Rome, R-A8)."""
    return business_calendar().time_zone


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
    return BusinessCalendar(**asdict(parse_business_calendar(hours, days, closed_dates)))
