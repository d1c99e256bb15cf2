"""Working days: Monday to Friday, less England and Wales bank holidays and closure days.

Convention (see docs/ARCHITECTURE.md): the day something is received is day 0; a deadline of
N working days is the N-th working day after it. A start on a weekend or holiday still counts
as day 0, so the first counted day is the next working day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Mapping

from .errors import DomainError

_MAX_WORKING_DAYS = 2000  # about eight years; anything more is a typing mistake


@lru_cache(maxsize=1)
def _bank_holiday_table():
    import holidays  # imported on first use: it is not needed to start the app

    return holidays.country_holidays("GB", subdiv="ENG")


@lru_cache(maxsize=8192)
def bank_holiday_name(day: dt.date) -> str | None:
    """The name of the England and Wales bank holiday on ``day``, or None."""
    return _bank_holiday_table().get(day)


def bank_holidays(year: int) -> dict[dt.date, str]:
    """Every England and Wales bank holiday in ``year`` (substitute days included)."""
    table = _bank_holiday_table()
    start = dt.date(year, 1, 1)
    days = (dt.date(year + 1, 1, 1) - start).days
    found = {}
    for i in range(days):
        d = start + dt.timedelta(days=i)
        name = table.get(d)
        if name:
            found[d] = name
    return found


@lru_cache(maxsize=256)
def _weekday_bank_holidays(year: int) -> tuple[dt.date, ...]:
    return tuple(d for d in sorted(bank_holidays(year)) if d.weekday() < 5)


def _weekdays_upto(day: dt.date) -> int:
    """How many Mondays to Fridays there are from 1 Jan of year 1 up to and including ``day``."""
    o = day.toordinal()  # ordinal 1 is a Monday
    return (o // 7) * 5 + min(o % 7, 5)


def short_date(day: dt.date) -> str:
    """'Wed 24 Dec 2025'."""
    return f"{day:%a} {day.day} {day:%b %Y}"


@dataclass(frozen=True)
class Skipped:
    day: dt.date
    why: str  # "Christmas Day" or "closure: office move"


@dataclass(frozen=True)
class Deadline:
    """A date N working days after a start, with what was skipped on the way."""

    start: dt.date
    working_days: int
    due: dt.date
    skipped: tuple[Skipped, ...] = ()
    weekend_days: int = 0
    label: str = ""

    def explain(self) -> str:
        """'10 working days after Wed 24 Dec 2025 is Mon 12 Jan 2026, skipping ...'."""
        unit = "working day" if self.working_days == 1 else "working days"
        text = (
            f"{self.working_days} {unit} after {short_date(self.start)} "
            f"is {short_date(self.due)}"
        )
        parts = []
        if self.skipped:
            by_why: dict[str, list[dt.date]] = {}
            for s in self.skipped:
                by_why.setdefault(s.why, []).append(s.day)
            for why, days in by_why.items():
                dates = ", ".join(f"{d.day} {d:%b}" for d in days)
                parts.append(f"{why} ({dates})")
        if self.weekend_days:
            parts.append(f"{self.weekend_days} weekend day" + ("" if self.weekend_days == 1 else "s"))
        if parts:
            if len(parts) == 1:
                text += ", skipping " + parts[0]
            else:
                text += ", skipping " + ", ".join(parts[:-1]) + " and " + parts[-1]
        return text

    def __str__(self) -> str:
        return self.explain()


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days for one landlord: its closure days come from its settings."""

    closure_days: Mapping[dt.date, str] = field(default_factory=dict)

    @classmethod
    def with_closures(cls, closures: Iterable[tuple[dt.date, str]] = ()) -> "WorkingCalendar":
        return cls(closure_days={d: (r or "closure day") for d, r in closures})

    def why_not_working(self, day: dt.date) -> str | None:
        """None on a working day; otherwise the reason ('Saturday', 'Christmas Day', ...)."""
        if day.weekday() >= 5:
            return day.strftime("%A")
        name = bank_holiday_name(day)
        if name:
            return name
        if day in self.closure_days:
            reason = self.closure_days[day]
            return f"office closed: {reason}" if reason else "office closed"
        return None

    def is_working_day(self, day: dt.date) -> bool:
        return self.why_not_working(day) is None

    def add(self, start: dt.date, n: int, label: str = "") -> Deadline:
        """The date ``n`` working days after ``start`` (``start`` itself is day 0)."""
        if not isinstance(start, dt.date):
            raise DomainError("A start date is needed to work out a deadline.")
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise DomainError("The number of working days must be a whole number, 0 or more.")
        if n > _MAX_WORKING_DAYS:
            raise DomainError(f"{n} working days is more than this app will count ({_MAX_WORKING_DAYS}).")
        day = start
        counted = 0
        skipped: list[Skipped] = []
        weekend = 0
        try:
            while counted < n:
                day += dt.timedelta(days=1)
                why = self.why_not_working(day)
                if why is None:
                    counted += 1
                elif day.weekday() >= 5:
                    weekend += 1
                else:
                    skipped.append(Skipped(day, why))
        except OverflowError:  # past 31 Dec 9999
            raise DomainError(f"{short_date(start)} is too far in the future to count working days "
                              "from.") from None
        return Deadline(start, n, day, tuple(skipped), weekend, label)

    def count(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative if end is before)."""
        if end == start:
            return 0
        if end < start:
            return -self.count(end, start)
        # weekdays by arithmetic, less the weekday holidays and closure days inside the span
        weekdays = _weekdays_upto(end) - _weekdays_upto(start)
        off = sum(1 for y in range(start.year, end.year + 1) for d in _weekday_bank_holidays(y)
                  if start < d <= end)
        off += sum(1 for d in self.closure_days
                   if start < d <= end and d.weekday() < 5 and bank_holiday_name(d) is None)
        return weekdays - off
