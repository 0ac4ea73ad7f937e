"""Business-hours arithmetic: nights, weekends, holidays, closed dates and DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from support_portal.domain.business_calendar import BusinessCalendar, holiday_test, parse_dates

NY = ZoneInfo("America/New_York")
CAL = BusinessCalendar(
    timezone="America/New_York", is_holiday=holiday_test("US"), holidays_name="US"
)
HOUR = 3600


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY)


def test_an_hour_within_the_day_is_an_hour_later():
    assert CAL.add(ny(2026, 3, 3, 10), HOUR) == ny(2026, 3, 3, 11)


def test_work_that_runs_past_closing_continues_next_morning():
    assert CAL.add(ny(2026, 3, 3, 16), 2 * HOUR) == ny(2026, 3, 4, 10)


def test_a_ticket_opened_at_night_starts_counting_at_nine():
    assert CAL.add(ny(2026, 3, 3, 22), HOUR) == ny(2026, 3, 4, 10)


def test_twenty_four_business_hours_from_friday_afternoon_end_on_wednesday():
    # Fri 15:00 -> 2h Fri, 8h Mon, 8h Tue, 6h Wed = 24h.
    assert CAL.add(ny(2026, 3, 6, 15), 24 * HOUR) == ny(2026, 3, 11, 15)


def test_a_due_time_at_closing_stays_at_closing():
    assert CAL.add(ny(2026, 3, 3, 9), 8 * HOUR) == ny(2026, 3, 3, 17)


def test_public_holidays_are_skipped():
    # Thursday 26 Nov 2026 is Thanksgiving in the US.
    assert CAL.add(ny(2026, 11, 25, 16), 2 * HOUR) == ny(2026, 11, 27, 10)


def test_custom_closed_dates_are_skipped():
    cal = BusinessCalendar(closed_dates=parse_dates("2026-03-04, 2026-03-05"))
    assert cal.add(ny(2026, 3, 3, 16), 2 * HOUR) == ny(2026, 3, 6, 10)


def test_the_spring_forward_weekend_does_not_shift_working_hours():
    # DST starts Sun 8 Mar 2026 in New York: Friday is UTC-5, Monday is UTC-4.
    due = CAL.add(ny(2026, 3, 6, 16), 2 * HOUR)
    assert due == ny(2026, 3, 9, 10)
    assert due.astimezone(UTC) == datetime(2026, 3, 9, 14, tzinfo=UTC)


def test_the_fall_back_weekend_does_not_shift_working_hours():
    due = CAL.add(ny(2026, 10, 30, 16), 2 * HOUR)
    assert due == ny(2026, 11, 2, 10)
    assert CAL.seconds_between(ny(2026, 10, 30, 16), due) == 2 * HOUR


def test_a_week_in_another_time_zone_with_different_hours():
    cal = BusinessCalendar(
        timezone="Europe/London", weekdays=frozenset({0, 1, 2, 3}), start=time(8), end=time(12)
    )
    start = datetime(2026, 3, 26, 11, tzinfo=ZoneInfo("Europe/London"))  # Thursday
    # 1h Thursday, then Friday to Sunday off, 4h Monday (after BST starts on the 29th).
    assert cal.add(start, 5 * HOUR) == datetime(2026, 3, 30, 12, tzinfo=ZoneInfo("Europe/London"))


def test_seconds_between_counts_only_working_time():
    assert CAL.seconds_between(ny(2026, 3, 6, 16), ny(2026, 3, 9, 10)) == 2 * HOUR
    assert CAL.seconds_between(ny(2026, 3, 9, 10), ny(2026, 3, 6, 16)) == -2 * HOUR


moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
durations = st.floats(min_value=1, max_value=200 * HOUR)


@settings(max_examples=300, deadline=None)
@given(start=moments, seconds=durations)
def test_a_due_time_never_falls_outside_working_hours(start, seconds):
    due = CAL.add(start, seconds)
    window = CAL.window(due.astimezone(NY).date())
    assert window is not None
    assert window[0] <= due <= window[1]


@settings(max_examples=300, deadline=None)
@given(start=moments, seconds=durations)
def test_adding_then_measuring_gives_back_the_same_working_time(start, seconds):
    due = CAL.add(start, seconds)
    assert abs(CAL.seconds_between(start, due) - seconds) < 1e-3


@settings(max_examples=300, deadline=None)
@given(
    start=moments,
    seconds=durations,
    a=st.floats(min_value=0, max_value=300 * HOUR),
    b=st.floats(min_value=0, max_value=300 * HOUR),
)
def test_more_elapsed_time_never_means_more_time_left(start, seconds, a, b):
    due = CAL.add(start, seconds)
    early, late = sorted((a, b))
    left_early = CAL.seconds_between(start + timedelta(seconds=early), due)
    left_late = CAL.seconds_between(start + timedelta(seconds=late), due)
    assert left_late <= left_early


def test_holiday_lookup_uses_the_configured_country():
    assert holiday_test("US")(date(2026, 7, 4))
    assert not holiday_test("GB")(date(2026, 7, 4))
    assert not holiday_test("")(date(2026, 12, 25))
