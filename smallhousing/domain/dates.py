"""Reading dates as people type them.

Dates are read in UK order (day, month, year): ``1/3/24``, ``01/03/2024``, ``1-3-2024`` and
``1.3.2024`` are all 1 March 2024; a two-digit year is in this century (``24`` is 2024). A date
written year first (``2024-03-01``, as ISO 8601 has it) is read as that. A day that does not exist
is answered in words (``31/02/2025``: February 2025 has 28 days), never as a wrong format.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from .errors import DomainError

_DAY_FIRST = re.compile(r"(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{2}|\d{4})")
_YEAR_FIRST = re.compile(r"(\d{4})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{1,2})")
MONTHS = tuple(calendar.month_name)  # "", "January", ... "December"


def short_date(day: dt.date) -> str:
    """'Wed 24 Dec 2025'."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def days_in_month(year: int, month: int) -> int:
    """28, 29, 30 or 31."""
    return calendar.monthrange(year, month)[1]


def _the(what: str) -> str:
    what = what or "date"
    return what if what.startswith(("the ", "a ", "an ")) else f"the {what}"


def _named(what: str) -> str:
    return what[4:] if what.startswith("the ") else what


def parse_date(value: "str | dt.date | None", what: str = "date") -> dt.date | None:
    """What was typed -> a date (None for nothing typed); a DomainError says, in words, why not.

    Day first, as in the UK: '17/12/2025', '17/12/25', '17-12-2025', '1.3.24'; or year first:
    '2025-12-17' (also '2025/12/17').
    """
    if value is None or isinstance(value, dt.date):
        return value
    s = str(value).strip()
    if not s:
        return None
    m = _DAY_FIRST.fullmatch(s)
    if m:
        day, month, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
        if len(m.group(4)) == 2:
            year += 2000
    else:
        m = _YEAR_FIRST.fullmatch(s)
        if not m:
            raise DomainError(
                f"{s!r} is not a valid {_named(what)}: write it as 17/12/2025 (day, month, year) "
                "or 2025-12-17.",
                field=what,
            )
        year, month, day = int(m.group(1)), int(m.group(3)), int(m.group(4))
    the = _the(what)
    if not 1 <= month <= 12:
        raise DomainError(
            f"{the[0].upper()}{the[1:]} cannot be {s}: there is no month {month}. Write the day "
            "first, then the month, as 17/12/2025.",
            field=what,
        )
    if year < 1:
        raise DomainError(f"{the[0].upper()}{the[1:]} cannot be {s}: there is no year 0.", field=what)
    last = days_in_month(year, month)
    if day == 0:
        raise DomainError(f"{the[0].upper()}{the[1:]} cannot be {s}: there is no day 0.", field=what)
    if day > last:
        raise DomainError(
            f"{the[0].upper()}{the[1:]} cannot be {s}: {MONTHS[month]} {year} has {last} days.",
            field=what,
        )
    return dt.date(year, month, day)
