"""The agency's business calendar: when the SLA clock runs.

Working time is a set of daily windows (local wall-clock hours on working days that are not
holidays or closed dates). Arithmetic walks those windows one day at a time, never minute by
minute, and converts each window to UTC through `zoneinfo`, so a daylight-saving change simply
makes that day's window an hour shorter or longer in UTC terms (it never is: 09:00-17:00 local
is eight hours on either side of a change, because changes happen at night).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

# Far enough to cross any run of holidays; a calendar with no working day at all raises.
_MAX_DAYS_SCANNED = 3 * 366


def _no_holidays(_: date) -> bool:
    return False


@dataclass(frozen=True)
class BusinessCalendar:
    timezone: str = "America/New_York"
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday = 0
    start: time = time(9, 0)
    end: time = time(17, 0)
    closed_dates: frozenset[date] = frozenset()
    # A public-holiday test (e.g. `date in holidays.country_holidays("US")`), and a name for
    # it: calendars are compared and cached by their fields, the test itself is not comparable.
    is_holiday: Callable[[date], bool] = field(default=_no_holidays, compare=False)
    holidays_name: str = ""

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("Business hours must end after they start.")
        if not self.weekdays:
            raise ValueError("At least one working day is needed.")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_working_day(self, day: date) -> bool:
        return (
            day.weekday() in self.weekdays
            and day not in self.closed_dates
            and not self.is_holiday(day)
        )

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """That day's working hours in UTC, or None on a day off."""
        return _window(self, day)

    def _windows_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        day = moment.astimezone(self.tz).date()
        for offset in range(_MAX_DAYS_SCANNED):
            w = self.window(day + timedelta(days=offset))
            if w is not None:
                yield w
        raise ValueError("The business calendar has no working time in the next three years.")

    def is_open(self, moment: datetime) -> bool:
        w = self.window(moment.astimezone(self.tz).date())
        return w is not None and w[0] <= moment < w[1]

    def add(self, start: datetime, seconds: float) -> datetime:
        """The moment `seconds` of working time after `start` (the due time of a target).

        A result that lands exactly on closing time stays there rather than jumping to the
        next morning, so a due time is always inside (or at the edge of) working hours.
        """
        if seconds <= 0:
            return start
        remaining = timedelta(seconds=seconds)
        for opens, closes in self._windows_from(start):
            if closes <= start:
                continue
            begin = max(opens, start)
            available = closes - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        raise AssertionError("unreachable")  # pragma: no cover

    def seconds_between(self, a: datetime, b: datetime) -> float:
        """Working seconds in [a, b); negative when b is before a."""
        if b < a:
            return -self.seconds_between(b, a)
        total = 0.0
        day = a.astimezone(self.tz).date()
        last = b.astimezone(self.tz).date()
        while day <= last:
            w = self.window(day)
            if w is not None:
                lo, hi = max(w[0], a), min(w[1], b)
                if hi > lo:
                    total += (hi - lo).total_seconds()
            day += timedelta(days=1)
        return total


@lru_cache(maxsize=20_000)
def _window(cal: BusinessCalendar, day: date) -> tuple[datetime, datetime] | None:
    # Cached: the SLA sweep and the board ask about the same few weeks over and over.
    if not cal.is_working_day(day):
        return None
    tz = cal.tz
    opens = datetime.combine(day, cal.start, tzinfo=tz).astimezone(UTC)
    closes = datetime.combine(day, cal.end, tzinfo=tz).astimezone(UTC)
    return opens, closes


def parse_dates(text: str) -> frozenset[date]:
    """`2026-12-24,2026-12-31` -> dates; blanks ignored."""
    return frozenset(date.fromisoformat(part.strip()) for part in text.split(",") if part.strip())


def parse_weekdays(text: str) -> frozenset[int]:
    days = frozenset(int(part) for part in text.split(",") if part.strip())
    if not days <= set(range(7)):
        raise ValueError("Working days are numbers 0 (Monday) to 6 (Sunday).")
    return days


def holiday_test(country: str) -> Callable[[date], bool]:
    """Public holidays of `country` from the `holidays` package (empty country: none)."""
    if not country:
        return _no_holidays
    import holidays

    table = holidays.country_holidays(country)
    return lambda day: day in table
