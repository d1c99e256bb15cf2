"""Reading dates as people type them."""

from __future__ import annotations

import datetime as dt

from .errors import DomainError


def short_date(day: dt.date) -> str:
    """'Wed 24 Dec 2025'."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def parse_date(value: "str | dt.date | None", what: str = "date") -> dt.date | None:
    """'2025-12-17' or '17/12/2025' (UK order) -> date; None stays None."""
    if value is None or isinstance(value, dt.date):
        return value
    s = str(value).strip()
    if not s:
        return None
    try:
        if "/" in s:
            d, m, y = s.split("/")
            if len(y) != 4:
                raise ValueError
            return dt.date(int(y), int(m), int(d))
        if len(s) == 10 and s[4] == "-" and s[7] == "-":
            return dt.date.fromisoformat(s)
        raise ValueError
    except ValueError:
        raise DomainError(
            f"{s!r} is not a valid {what}: write it as 2025-12-17 or 17/12/2025.", field=what
        ) from None
