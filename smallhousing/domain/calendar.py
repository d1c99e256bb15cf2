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

from .dates import short_date  # noqa: F401  (kept here too: many callers import it from the calendar)
from .errors import DomainError

_MEMO_LIMIT = 100_000  # deadlines remembered by one calendar before it starts again
_MAX_WORKING_DAYS = 2000  # about eight years; anything more is a typing mistake


@lru_cache(maxsize=1)
def _bank_holiday_table():
    import holidays  # imported on first use: it is not needed to start the app

    return holidays.country_holidays("GB", subdiv="ENG")


# Bank holidays already worked out by the `holidays` package for a run of years, handed in by the
# services layer from a cache, so that start-up need not import and run the package.
_known: dict[dt.date, str] = {}
_known_years: tuple[int, int] = (1, 0)


def use_known_bank_holidays(table: dict[dt.date, str], first_year: int, last_year: int) -> None:
    """Take every bank holiday of ``first_year``..``last_year`` from ``table`` (made by the
    `holidays` package earlier) instead of asking the package again."""
    global _known, _known_years
    _known, _known_years = dict(table), (first_year, last_year)
    bank_holiday_name.cache_clear()
    bank_holidays.cache_clear()
    _weekday_bank_holidays.cache_clear()


@lru_cache(maxsize=8192)
def bank_holiday_name(day: dt.date) -> str | None:
    """The name of the England and Wales bank holiday on ``day``, or None."""
    if _known_years[0] <= day.year <= _known_years[1]:
        return _known.get(day)
    return _bank_holiday_table().get(day)


@lru_cache(maxsize=256)
def bank_holidays(year: int) -> dict[dt.date, str]:
    """Every England and Wales bank holiday in ``year`` (substitute days included)."""
    if _known_years[0] <= year <= _known_years[1]:
        return {d: n for d, n in _known.items() if d.year == year}
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


_INDEX_FIRST, _INDEX_LAST = 1990, 2100


class _WorkingDayIndex:
    """Every working day of a run of years, so that adding and counting are look-ups."""

    def __init__(self, cal: "WorkingCalendar", first_year: int, last_year: int) -> None:
        self.first_year, self.last_year = first_year, last_year
        self.base = dt.date(first_year, 1, 1).toordinal()
        end = dt.date(last_year, 12, 31).toordinal()
        self.cum: list[int] = []  # working days from the first day up to and including each day
        self.days: list[dt.date] = []  # the working days in order
        n = 0
        for o in range(self.base, end + 1):
            d = dt.date.fromordinal(o)
            if cal.why_not_working(d) is None:
                n += 1
                self.days.append(d)
            self.cum.append(n)

    def covers(self, start: dt.date, n: int) -> bool:
        i = start.toordinal() - self.base
        return 0 <= i < len(self.cum) and self.cum[i] + n <= len(self.days)

    def add(self, start: dt.date, n: int) -> dt.date:
        if n == 0:
            return start
        return self.days[self.cum[start.toordinal() - self.base] + n - 1]


@dataclass(frozen=True)
class Skipped:
    day: dt.date
    why: str  # "Christmas Day" or "closure: office move"


@dataclass(frozen=True)
class Deadline:
    """A date N working days after a start; it can say what was skipped on the way."""

    start: dt.date
    working_days: int
    due: dt.date
    label: str = ""
    calendar: "WorkingCalendar | None" = field(default=None, repr=False, compare=False)
    note: str = field(default="", compare=False)  # why it starts where it does, in words

    def _walk(self) -> tuple[tuple[Skipped, ...], int]:
        cal = self.calendar or WorkingCalendar()
        skipped: list[Skipped] = []
        weekend = 0
        day = self.start
        while day < self.due:
            day += dt.timedelta(days=1)
            why = cal.why_not_working(day)
            if why is None:
                continue
            if day.weekday() >= 5:
                weekend += 1
            else:
                skipped.append(Skipped(day, why))
        return tuple(skipped), weekend

    @property
    def skipped(self) -> tuple[Skipped, ...]:
        """The bank holidays and closure days passed over (worked out when asked for)."""
        return self._walk()[0]

    @property
    def weekend_days(self) -> int:
        return self._walk()[1]

    def explain(self) -> str:
        """'10 working days after Wed 24 Dec 2025 is Mon 12 Jan 2026, skipping ...'."""
        unit = "working day" if self.working_days == 1 else "working days"
        text = f"{self.working_days} {unit} after {short_date(self.start)} is {short_date(self.due)}"
        parts = []
        skipped, weekend_days = self._walk()
        if skipped:
            by_why: dict[str, list[dt.date]] = {}
            for s in skipped:
                by_why.setdefault(s.why, []).append(s.day)
            for why, days in by_why.items():
                dates = ", ".join(f"{d.day} {d:%b}" for d in days)
                parts.append(f"{why} ({dates})")
        if weekend_days:
            parts.append(f"{weekend_days} weekend day" + ("" if weekend_days == 1 else "s"))
        if parts:
            if len(parts) == 1:
                text += ", skipping " + parts[0]
            else:
                text += ", skipping " + ", ".join(parts[:-1]) + " and " + parts[-1]
        if self.note:
            text += f" ({self.note})"
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
        # remembered: a Deadline never changes, and the same few hundred receipt dates come back
        # again and again (a bulk import works out fifty thousand deadlines)
        memo = self.__dict__.get("_added")
        if memo is None or len(memo) > _MEMO_LIMIT:
            memo = self.__dict__["_added"] = {}
        key = (type(start), start, type(n), n, label)
        try:
            return memo[key]
        except (KeyError, TypeError):  # not seen yet, or not a date at all (refused below)
            pass
        made = self._add(start, n, label)
        memo[key] = made
        return made

    def _add(self, start: dt.date, n: int, label: str) -> Deadline:
        if not isinstance(start, dt.date):
            raise DomainError("A start date is needed to work out a deadline.")
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise DomainError("The number of working days must be a whole number, 0 or more.")
        if n > _MAX_WORKING_DAYS:
            raise DomainError(f"{n} working days is more than this app will count ({_MAX_WORKING_DAYS}).")
        index = self._index_for(start, n)
        if index is not None:
            return Deadline(start, n, index.add(start, n), label, self)
        day = start  # far outside the years the index covers: walk
        counted = 0
        try:
            while counted < n:
                day += dt.timedelta(days=1)
                if self.why_not_working(day) is None:
                    counted += 1
        except OverflowError:  # past 31 Dec 9999
            raise DomainError(
                f"{short_date(start)} is too far in the future to count working days from."
            ) from None
        return Deadline(start, n, day, label, self)

    def _index_for(self, start: dt.date, n: int) -> "_WorkingDayIndex | None":
        """The index of working days, grown to cover ``start`` and n working days on."""
        if not (_INDEX_FIRST <= start.year <= _INDEX_LAST):
            return None
        idx = self.__dict__.get("_index")
        if idx is None or not idx.covers(start, n):
            first = min(start.year, idx.first_year if idx else start.year) - 1
            last = max(start.year + n // 200 + 2, idx.last_year if idx else 0)
            first, last = max(first, _INDEX_FIRST), min(last, _INDEX_LAST)
            idx = _WorkingDayIndex(self, first, last)
            self.__dict__["_index"] = idx  # a cache: the calendar itself never changes
        return idx if idx.covers(start, n) else None

    def count(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative if end is before)."""
        if end == start:
            return 0
        if end < start:
            return -self.count(end, start)
        idx = self._index_for(start, 0)
        if idx is not None:
            idx = self._index_for(end, 0)
        if idx is not None and idx.covers(start, 0) and idx.covers(end, 0):
            return idx.cum[end.toordinal() - idx.base] - idx.cum[start.toordinal() - idx.base]
        # weekdays by arithmetic, less the weekday holidays and closure days inside the span
        weekdays = _weekdays_upto(end) - _weekdays_upto(start)
        off = sum(
            1 for y in range(start.year, end.year + 1) for d in _weekday_bank_holidays(y) if start < d <= end
        )
        off += sum(
            1
            for d in self.closure_days
            if start < d <= end and d.weekday() < 5 and bank_holiday_name(d) is None
        )
        return weekdays - off
