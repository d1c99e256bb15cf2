"""Reporting years run 1 April to 31 March; '2025' and '2025/26' both name the one from April 2025."""

from __future__ import annotations

import datetime as dt
import re

from .errors import DomainError


def parse_year(text: str | int) -> int:
    s = str(text).strip()
    m = re.fullmatch(r"(\d{4})(?:\s*[/-]\s*(\d{2}|\d{4}))?", s)
    if not m:
        raise DomainError(f"{s!r} is not a reporting year: write it as 2025 or 2025/26.")
    start = int(m.group(1))
    if m.group(2):
        end = int(m.group(2))
        if (len(m.group(2)) == 2 and end != (start + 1) % 100) or (len(m.group(2)) == 4 and end != start + 1):
            raise DomainError(f"{s!r} is not a reporting year: the second year must follow the first.")
    if not 1990 <= start <= 2100:
        raise DomainError(f"{start} is outside the years this app handles.")
    return start


def year_label(start: int) -> str:
    return f"{start}/{(start + 1) % 100:02d}"


def year_bounds(start: int) -> tuple[dt.date, dt.date]:
    return dt.date(start, 4, 1), dt.date(start + 1, 3, 31)


def year_of(day: dt.date) -> int:
    return day.year if day.month >= 4 else day.year - 1
