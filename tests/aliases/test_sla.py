"""The outcome of an alias request is due within 8 business hours (R-A8): the examples of the
spec and holiday cases, through "invia richiesta" with a fixed clock; the calendar settings."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured

from centrex.accounts.models import User
from centrex.aliases.actions.lifecycle import submit_alias
from centrex.aliases.models import AliasStatus, SenderAlias
from centrex.aliases.sla import (
    business_calendar,
    business_hours_left,
    is_overdue,
    reminder_at_for,
)
from centrex.config.calendar import parse_business_calendar
from tests.aliases.lifecycle import CLIENT_IP

ROME = ZoneInfo("Europe/Rome")


def rome(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ROME)


def submitted_at(draft: SenderAlias, alice: User, moment: datetime) -> SenderAlias:
    return submit_alias(
        draft, consent=True, acting_user=alice, ip_address=CLIENT_IP, language="it", now=moment
    )


@pytest.mark.parametrize(
    ("requested", "due"),
    [
        # the three examples of R-A8
        (rome(2026, 11, 27, 16), rome(2026, 11, 30, 15)),  # Fri 16:00 → Mon 15:00
        (rome(2026, 11, 30, 7, 30), rome(2026, 11, 30, 17)),  # Mon 07:30 → Mon 17:00
        (rome(2026, 12, 24, 17), rome(2026, 12, 28, 16)),  # Thu 24 Dec → Mon 28 Dec
        # holidays: Labour Day on a Friday; San Francesco (4 October, from 2026) on a Monday
        (rome(2026, 4, 30, 14), rome(2026, 5, 4, 13)),
        (rome(2027, 10, 1, 16), rome(2027, 10, 5, 15)),
        # a request on a Sunday counts from Monday's opening
        (rome(2026, 11, 29, 11), rome(2026, 11, 30, 17)),
    ],
)
def test_the_outcome_is_due_8_business_hours_after_the_request_r_a8(
    draft_alias: SenderAlias, alice: User, requested: datetime, due: datetime
) -> None:
    # when
    alias = submitted_at(draft_alias, alice, requested)
    # then
    assert alias.submitted_at == requested
    assert alias.due_at == due
    alias.refresh_from_db()
    assert alias.due_at == due


def test_closed_dates_of_the_settings_are_skipped_r_a8(
    draft_alias: SenderAlias, alice: User, settings: Any
) -> None:
    # given the provider is closed on Monday 30 November 2026
    settings.CENTREX_CLOSED_DATES = "2026-11-30"
    # when asked on Friday at 16:00
    alias = submitted_at(draft_alias, alice, rome(2026, 11, 27, 16))
    # then
    assert alias.due_at == rome(2026, 12, 1, 15)


def test_the_business_hours_are_a_setting_r_a8(
    draft_alias: SenderAlias, alice: User, settings: Any
) -> None:
    # given the provider works 08:00–20:00, Monday to Saturday
    settings.CENTREX_BUSINESS_HOURS = "08:00-20:00"
    settings.CENTREX_BUSINESS_DAYS = "mon-sat"
    # when asked on Friday at 16:00
    alias = submitted_at(draft_alias, alice, rome(2026, 11, 27, 16))
    # then 4 hours on Friday, 4 on Saturday
    assert alias.due_at == rome(2026, 11, 28, 12)


def test_overdue_and_hours_left(draft_alias: SenderAlias, alice: User) -> None:
    # given due Monday 30 November 2026 at 15:00
    alias = submitted_at(draft_alias, alice, rome(2026, 11, 27, 16))
    # then
    assert business_hours_left(alias, rome(2026, 11, 27, 17)) == pytest.approx(7)
    assert not is_overdue(alias, rome(2026, 11, 30, 15))
    assert is_overdue(alias, rome(2026, 11, 30, 15, 1))
    assert business_hours_left(alias, rome(2026, 12, 1, 10)) == pytest.approx(-4)


def test_nothing_is_due_for_an_alias_that_is_not_pending(draft_alias: SenderAlias) -> None:
    assert draft_alias.status == AliasStatus.DRAFT
    assert not is_overdue(draft_alias)
    assert business_hours_left(draft_alias) is None


def test_the_reminder_is_one_business_hour_before_the_due_time() -> None:
    # Friday 16:00 → due Monday 15:00: reminded Monday 14:00
    assert reminder_at_for(rome(2026, 11, 27, 16)) == rome(2026, 11, 30, 14)
    # Friday 10:00 → due Friday 18:00: reminded at 17:00
    assert reminder_at_for(rome(2026, 11, 27, 10)) == rome(2026, 11, 27, 17)


def test_the_calendar_settings_are_read(settings: Any) -> None:
    # given
    settings.CENTREX_BUSINESS_HOURS = "08:30-17:30"
    settings.CENTREX_BUSINESS_DAYS = "mon,wed-fri"
    settings.CENTREX_CLOSED_DATES = "2026-12-24, 2026-12-31"
    # when
    calendar = business_calendar()
    # then
    assert (calendar.opening, calendar.closing) == (time(8, 30), time(17, 30))
    assert calendar.weekdays == frozenset({0, 2, 3, 4})
    assert calendar.extra_closed == frozenset({date(2026, 12, 24), date(2026, 12, 31)})
    assert calendar.time_zone == "Europe/Rome"


def test_the_default_calendar_is_the_spec_one(settings: Any) -> None:
    calendar = business_calendar()
    assert (calendar.opening, calendar.closing) == (time(9), time(18))
    assert calendar.weekdays == frozenset(range(5))
    assert calendar.extra_closed == frozenset()


@pytest.mark.parametrize(
    ("hours", "days", "closed"),
    [
        ("9-18", "mon-fri", ""),
        ("18:00-09:00", "mon-fri", ""),
        ("09:00", "mon-fri", ""),
        ("09:00-18:00", "", ""),
        ("09:00-18:00", "monday-friday", ""),
        ("09:00-18:00", "fri-mon", ""),
        ("09:00-18:00", "mon-fri", "24/12/2026"),
        ("09:00-18:00", "mon-fri", "2026-02-30"),
    ],
)
def test_bad_calendar_settings_fail_loudly(hours: str, days: str, closed: str) -> None:
    with pytest.raises(ImproperlyConfigured):
        parse_business_calendar(hours, days, closed)
