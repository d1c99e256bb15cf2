"""Dates as people type them (smallhousing.domain.dates): UK order, two-digit years, ISO, and an
impossible day answered in words."""

from __future__ import annotations

import datetime as dt

import pytest

from smallhousing.domain.dates import days_in_month, parse_date
from smallhousing.domain.errors import DomainError

D = dt.date


@pytest.mark.parametrize(
    "typed, day",
    [
        ("1/3/24", D(2024, 3, 1)),
        ("01/03/2024", D(2024, 3, 1)),
        ("1-3-2024", D(2024, 3, 1)),
        ("01-03-24", D(2024, 3, 1)),
        ("1.3.2024", D(2024, 3, 1)),
        ("2024-03-01", D(2024, 3, 1)),
        ("2024-3-1", D(2024, 3, 1)),
        ("2024/03/01", D(2024, 3, 1)),
        (" 17/12/2025 ", D(2025, 12, 17)),
        ("17/12/25", D(2025, 12, 17)),
        ("31/12/99", D(2099, 12, 31)),
        ("1/1/00", D(2000, 1, 1)),
    ],
)
def test_day_first_and_iso_dates_are_read(typed, day):
    assert parse_date(typed) == day


def test_nothing_typed_is_no_date_and_a_date_stays_itself():
    assert parse_date("") is None
    assert parse_date("   ") is None
    assert parse_date(None) is None
    assert parse_date(D(2026, 3, 2)) == D(2026, 3, 2)


@pytest.mark.parametrize(
    "typed, words",
    [
        ("31/02/2025", "February 2025 has 28 days"),
        ("29/02/2025", "February 2025 has 28 days"),
        ("29-2-23", "February 2023 has 28 days"),
        ("30/02/2024", "February 2024 has 29 days"),
        ("2100-02-29", "February 2100 has 28 days"),
        ("31/04/2026", "April 2026 has 30 days"),
        ("31/9/25", "September 2025 has 30 days"),
        ("2025-06-31", "June 2025 has 30 days"),
    ],
)
def test_an_impossible_day_is_answered_in_words(typed, words):
    with pytest.raises(DomainError) as e:
        parse_date(typed, "review date")
    message = e.value.message
    assert words in message
    assert message.startswith(f"The review date cannot be {typed}")
    assert "write it as" not in message  # not called a wrong format


@pytest.mark.parametrize("typed", ["29/02/2024", "29/2/24", "2000-02-29", "29-02-2028"])
def test_29_february_in_a_leap_year_is_a_date(typed):
    assert parse_date(typed).day == 29


def test_days_in_month_knows_leap_years():
    assert [days_in_month(y, 2) for y in (2023, 2024, 2100, 2000)] == [28, 29, 28, 29]
    assert days_in_month(2025, 4) == 30 and days_in_month(2025, 12) == 31


def test_a_month_past_12_is_answered_in_words_with_the_order_to_use():
    with pytest.raises(DomainError) as e:
        parse_date("12/31/2025")  # month first, as in the US
    assert "there is no month 31" in e.value.message
    assert "day first" in e.value.message
    with pytest.raises(DomainError, match="there is no day 0"):
        parse_date("0/3/2025")


@pytest.mark.parametrize(
    "typed", ["tomorrow", "1/3", "1/3/2024/5", "1/3-2024", "2024-03", "1/3/202", "0x1/3/24"]
)
def test_anything_else_says_how_to_write_a_date(typed):
    with pytest.raises(DomainError) as e:
        parse_date(typed, "closure date")
    assert e.value.message.endswith(
        "is not a valid closure date: write it as 17/12/2025 (day, month, year) or 2025-12-17."
    )
