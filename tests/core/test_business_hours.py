"""The business-hours calendar behind the alias SLA (R-A8)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from centrex.core.business_hours import (
    DEFAULT_CALENDAR,
    BusinessCalendar,
    add_business_hours,
    business_hours_between,
    national_holidays,
)

ROME = ZoneInfo("Europe/Rome")


def rome(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ROME)


def due(
    start: datetime, hours: float = 8, calendar: BusinessCalendar = DEFAULT_CALENDAR
) -> datetime:
    """The due time, checked to be UTC, shown back in Rome time for readable assertions."""
    result = add_business_hours(start.astimezone(UTC), hours, calendar)
    assert result.tzinfo is UTC
    return result.astimezone(ROME)


# --- the examples of R-A8 ---------------------------------------------------------------


def test_friday_afternoon_request_is_due_monday_afternoon() -> None:
    # given a request on Friday 9 January 2026 at 16:00
    # when 8 business hours are added
    # then 2 hours count on Friday and 6 on Monday
    assert due(rome(2026, 1, 9, 16)) == rome(2026, 1, 12, 15)


def test_early_monday_request_counts_from_opening() -> None:
    assert due(rome(2026, 1, 12, 7, 30)) == rome(2026, 1, 12, 17)


def test_christmas_eve_request_skips_christmas_santo_stefano_and_the_weekend() -> None:
    # given Thursday 24 December 2026 at 17:00: Friday 25 is Christmas, Saturday 26 Santo Stefano
    assert due(rome(2026, 12, 24, 17)) == rome(2026, 12, 28, 16)


# --- weekends and holidays ----------------------------------------------------------------


def test_weekend_request_counts_from_monday_opening() -> None:
    assert due(rome(2026, 1, 10, 11)) == rome(2026, 1, 12, 17)
    assert due(rome(2026, 1, 11, 23, 30), 1) == rome(2026, 1, 12, 10)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # 25 April 2029, Liberazione, a Wednesday
        (rome(2029, 4, 24, 17), rome(2029, 4, 26, 16)),
        # 2 June 2026, Festa della Repubblica, a Tuesday: request on the holiday itself
        (rome(2026, 6, 2, 10), rome(2026, 6, 3, 17)),
        # 15 August 2029, Ferragosto, a Wednesday
        (rome(2029, 8, 14, 17), rome(2029, 8, 16, 16)),
        # 8 December 2026, Immacolata, a Tuesday
        (rome(2026, 12, 7, 17), rome(2026, 12, 9, 16)),
        # Easter Monday 2027 is 29 March (and summer time starts on Sunday 28)
        (rome(2027, 3, 26, 16), rome(2027, 3, 30, 15)),
        # 4 October 2027, San Francesco, a Monday
        (rome(2027, 10, 1, 16), rome(2027, 10, 5, 15)),
        # 4 October 2026 is a Sunday: Monday 5 is an ordinary working day (no substitute day)
        (rome(2026, 10, 2, 16), rome(2026, 10, 5, 15)),
        # 1 May 2026, a Friday
        (rome(2026, 4, 30, 17), rome(2026, 5, 4, 16)),
        # 6 January 2027, Epifania, a Wednesday
        (rome(2027, 1, 5, 12), rome(2027, 1, 7, 11)),
    ],
)
def test_national_holidays_do_not_count(start: datetime, expected: datetime) -> None:
    assert due(start) == expected


def test_san_francesco_is_a_holiday_only_from_2026() -> None:
    # given 4 October on a Friday in 2024 and on a Monday in 2027 (Law 151/2025)
    assert DEFAULT_CALENDAR.is_business_day(date(2024, 10, 4))
    assert not DEFAULT_CALENDAR.is_business_day(date(2027, 10, 4))
    assert date(2026, 10, 4) in national_holidays("IT", 2026)
    assert date(2025, 10, 4) not in national_holidays("IT", 2025)


def test_san_francesco_is_kept_even_if_the_library_lacks_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given a `holidays` release that predates Law 151/2025
    real = holidays.country_holidays

    def without_san_francesco(country: str, years: int) -> set[date]:
        return {day for day in real(country, years=years) if (day.month, day.day) != (10, 4)}

    monkeypatch.setattr(holidays, "country_holidays", without_san_francesco)
    national_holidays.cache_clear()
    try:
        # then 4 October is still closed from 2026 on, and only from then
        assert date(2027, 10, 4) in national_holidays("IT", 2027)
        assert date(2025, 10, 4) not in national_holidays("IT", 2025)
    finally:
        national_holidays.cache_clear()


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 1, 1),
        date(2026, 1, 6),
        date(2026, 4, 6),  # Easter Monday 2026
        date(2026, 4, 25),
        date(2026, 5, 1),
        date(2026, 6, 2),
        date(2026, 8, 15),
        date(2026, 10, 4),
        date(2026, 11, 1),
        date(2026, 12, 8),
        date(2026, 12, 25),
        date(2026, 12, 26),
    ],
)
def test_every_italian_national_holiday_is_closed(day: date) -> None:
    assert not DEFAULT_CALENDAR.is_business_day(day)


def test_local_patron_saints_are_not_national_holidays() -> None:
    # 29 June (Santi Pietro e Paolo, Rome only) 2026 is a Monday
    assert DEFAULT_CALENDAR.is_business_day(date(2026, 6, 29))


# --- daylight saving time -----------------------------------------------------------------


def test_counting_across_the_spring_switch_keeps_local_hours() -> None:
    # given Friday 27 March 2026 16:00 CET (15:00 UTC); summer time starts Sunday 29 March
    start = datetime(2026, 3, 27, 15, tzinfo=UTC)
    # when 8 business hours are added
    result = add_business_hours(start, 8)
    # then it is Monday 15:00 CEST, which is 13:00 UTC
    assert result == datetime(2026, 3, 30, 13, tzinfo=UTC)


def test_counting_across_the_autumn_switch_keeps_local_hours() -> None:
    # given Friday 23 October 2026 16:00 CEST (14:00 UTC); winter time starts Sunday 25 October
    start = datetime(2026, 10, 23, 14, tzinfo=UTC)
    result = add_business_hours(start, 8)
    # then it is Monday 15:00 CET, which is 14:00 UTC
    assert result == datetime(2026, 10, 26, 14, tzinfo=UTC)


def test_business_hours_between_is_unaffected_by_the_clock_change() -> None:
    assert business_hours_between(rome(2026, 3, 27, 9), rome(2026, 3, 30, 18)) == 18
    assert business_hours_between(rome(2026, 10, 23, 9), rome(2026, 10, 26, 18)) == 18


def test_a_calendar_open_through_the_night_counts_the_short_dst_day_right() -> None:
    # given a calendar open 00:00–23:59 every day
    calendar = BusinessCalendar(
        opening=time(0, 0), closing=time(23, 59), weekdays=frozenset(range(7))
    )
    # when counting over the night summer time starts (02:00 → 03:00 on 29 March 2026)
    start = rome(2026, 3, 29, 1)
    # then 2 real hours later is 04:00 local, not 03:00
    assert due(start, 2, calendar) == rome(2026, 3, 29, 4)
    assert business_hours_between(rome(2026, 3, 29, 1), rome(2026, 3, 29, 4), calendar) == 2


# --- edges of the business day ------------------------------------------------------------


def test_request_at_exactly_18_counts_from_the_next_opening() -> None:
    assert due(rome(2026, 1, 12, 18)) == rome(2026, 1, 13, 17)


def test_request_at_exactly_9_counts_at_once() -> None:
    assert due(rome(2026, 1, 12, 9)) == rome(2026, 1, 12, 17)


def test_work_ending_at_closing_is_due_at_closing_not_next_morning() -> None:
    assert due(rome(2026, 1, 12, 9), 9) == rome(2026, 1, 12, 18)
    assert due(rome(2026, 1, 9, 16), 2) == rome(2026, 1, 9, 18)


def test_a_whole_week_is_45_hours() -> None:
    assert due(rome(2026, 1, 12, 9), 45) == rome(2026, 1, 16, 18)
    assert due(rome(2026, 1, 12, 9), 45.25) == rome(2026, 1, 19, 9, 15)


def test_fractional_hours() -> None:
    assert due(rome(2026, 1, 12, 17, 30), 0.75) == rome(2026, 1, 13, 9, 15)
    assert due(rome(2026, 1, 12, 10), 1 / 3) == rome(2026, 1, 12, 10, 20)
    assert due(rome(2026, 1, 12, 10), 0.5) == rome(2026, 1, 12, 10, 30)


def test_zero_hours_is_the_first_business_moment() -> None:
    # during business hours: the start itself
    assert due(rome(2026, 1, 12, 11, 15), 0) == rome(2026, 1, 12, 11, 15)
    # at closing, at night or on a weekend: the next opening
    assert due(rome(2026, 1, 12, 18), 0) == rome(2026, 1, 13, 9)
    assert due(rome(2026, 1, 13, 3), 0) == rome(2026, 1, 13, 9)
    assert due(rome(2026, 1, 10, 12), 0) == rome(2026, 1, 12, 9)


def test_the_result_is_utc_whatever_the_input_zone() -> None:
    new_york = datetime(2026, 1, 9, 10, tzinfo=ZoneInfo("America/New_York"))  # 16:00 in Rome
    result = add_business_hours(new_york, 8)
    assert result.utcoffset() == timedelta(0)
    assert result == datetime(2026, 1, 12, 14, tzinfo=UTC)


# --- a calendar from settings -------------------------------------------------------------


def test_calendar_hours_days_and_extra_closures_are_configurable() -> None:
    # given a provider working 08:30–17:00, Monday to Saturday, closed on 14 August 2026 too
    calendar = BusinessCalendar(
        opening=time(8, 30),
        closing=time(17, 0),
        weekdays=frozenset({0, 1, 2, 3, 4, 5}),
        extra_closed=frozenset({date(2026, 8, 14)}),
    )
    # then Saturday counts, the extra closure does not, and neither does Ferragosto
    assert due(rome(2026, 8, 13, 16), 8, calendar) == rome(2026, 8, 17, 15, 30)
    assert due(rome(2026, 1, 9, 16), 8, calendar) == rome(2026, 1, 10, 15, 30)


@pytest.mark.parametrize(
    "options",
    [
        {"opening": time(18), "closing": time(9)},
        {"opening": time(9), "closing": time(9)},
        {"weekdays": frozenset()},
        {"weekdays": frozenset({7})},
    ],
)
def test_a_nonsensical_calendar_fails_loudly(options: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        BusinessCalendar(**options)  # type: ignore[arg-type]


def test_an_unknown_time_zone_fails_loudly() -> None:
    with pytest.raises(Exception, match="Mars/Olympus"):
        BusinessCalendar(time_zone="Mars/Olympus")


def test_a_calendar_closed_for_good_raises_instead_of_looping() -> None:
    every_day = frozenset(date(2026, 1, 1) + timedelta(days=n) for n in range(800))
    calendar = BusinessCalendar(extra_closed=every_day)
    with pytest.raises(ValueError, match="closed"):
        add_business_hours(rome(2026, 1, 1), 1, calendar)


# --- bad input ----------------------------------------------------------------------------


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        add_business_hours(datetime(2026, 1, 12, 9), 8)
    with pytest.raises(ValueError, match="aware"):
        business_hours_between(datetime(2026, 1, 12, 9), rome(2026, 1, 12, 10))


@pytest.mark.parametrize("hours", [-1, -0.001, math.nan, math.inf])
def test_negative_or_non_finite_hours_are_refused(hours: float) -> None:
    with pytest.raises(ValueError, match="hours"):
        add_business_hours(rome(2026, 1, 12, 9), hours)


# --- business_hours_between ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        (rome(2026, 1, 12, 10), rome(2026, 1, 12, 12, 30), 2.5),
        (rome(2026, 1, 12, 7), rome(2026, 1, 12, 20), 9),
        (rome(2026, 1, 9, 16), rome(2026, 1, 12, 15), 8),
        (rome(2026, 1, 10, 9), rome(2026, 1, 11, 18), 0),
        (rome(2026, 12, 24, 17), rome(2026, 12, 28, 16), 8),
        (rome(2026, 1, 12, 10), rome(2026, 1, 12, 10), 0),
    ],
)
def test_business_hours_between_counts_only_working_time(
    start: datetime, end: datetime, hours: float
) -> None:
    assert business_hours_between(start, end) == hours


def test_business_hours_between_is_negative_once_the_due_time_has_passed() -> None:
    # given an alias due Monday 15:00 and "now" Monday 17:30 (R-A8: overdue)
    assert business_hours_between(rome(2026, 1, 12, 17, 30), rome(2026, 1, 12, 15)) == -2.5


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
    ),
    hours=st.floats(min_value=0, max_value=200, allow_nan=False),
)
def test_adding_then_measuring_gives_back_the_hours(start: datetime, hours: float) -> None:
    # given any moment and any amount of business hours
    end = add_business_hours(start, hours)
    # then the business time between them is that amount, and the end is in working time
    assert math.isclose(business_hours_between(start, end), hours, abs_tol=1e-6)
    assert end >= start
    local = end.astimezone(ROME)
    assert DEFAULT_CALENDAR.is_business_day(local.date())
    assert time(9) <= local.time() <= time(18)


@settings(max_examples=100, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
    ),
    first=st.floats(min_value=0, max_value=50, allow_nan=False),
    more=st.floats(min_value=0, max_value=50, allow_nan=False),
)
def test_more_hours_are_never_due_earlier(start: datetime, first: float, more: float) -> None:
    assert add_business_hours(start, first + more) >= add_business_hours(start, first)
