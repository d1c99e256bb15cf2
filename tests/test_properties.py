"""Property-based checks of the working-day calendar and date handling (hypothesis)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from smallhousing.domain.calendar import WorkingCalendar, bank_holiday_name
from smallhousing.domain.rules import DUE_SOON, OVERDUE, deadline_status
from smallhousing.domain.years import year_bounds, year_of
from smallhousing.services.base import parse_date

DAYS = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31))
N = st.integers(min_value=0, max_value=80)
CLOSURES = st.lists(
    st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2031, 6, 30)), max_size=12, unique=True
)
FEW = settings(max_examples=60, deadline=None)


def _cal(closures) -> WorkingCalendar:
    return WorkingCalendar.with_closures((d, f"closure {i}") for i, d in enumerate(closures))


@FEW
@given(DAYS, N, CLOSURES)
def test_adding_then_counting_gives_n(start, n, closures):
    cal = _cal(closures)
    assert cal.count(start, cal.add(start, n).due) == n


@FEW
@given(DAYS, st.integers(min_value=1, max_value=80), CLOSURES)
def test_deadline_is_a_working_day(start, n, closures):
    cal = _cal(closures)
    due = cal.add(start, n).due
    assert due > start
    assert due.weekday() < 5
    assert bank_holiday_name(due) is None
    assert due not in closures


@FEW
@given(DAYS, N, CLOSURES)
def test_one_more_day_is_later_and_the_count_grows_by_one(start, n, closures):
    cal = _cal(closures)
    a, b = cal.add(start, n).due, cal.add(start, n + 1).due
    assert b > a
    # nothing in between is a working day
    day = a + dt.timedelta(days=1)
    while day < b:
        assert not cal.is_working_day(day)
        day += dt.timedelta(days=1)


@FEW
@given(DAYS, st.integers(min_value=1, max_value=40), CLOSURES)
def test_explanation_accounts_for_every_skipped_day(start, n, closures):
    cal = _cal(closures)
    d = cal.add(start, n)
    calendar_days = (d.due - start).days
    assert calendar_days == n + len(d.skipped) + d.weekend_days
    text = d.explain()
    for s in d.skipped:
        assert f"{s.day.day} {s.day:%b}" in text
        assert (bank_holiday_name(s.day) or f"closure {closures.index(s.day)}") in text


@FEW
@given(DAYS, DAYS)
def test_count_is_antisymmetric(a, b):
    cal = WorkingCalendar()
    assert cal.count(a, b) == -cal.count(b, a)


@FEW
@given(DAYS, N)
def test_status_matches_the_dates(today, n):
    cal = WorkingCalendar()
    due = cal.add(today, n).due
    status = deadline_status(cal, due, today)
    assert status != OVERDUE
    assert (status == DUE_SOON) == (n <= 2)
    later = cal.add(due, 1).due
    assert deadline_status(cal, due, later) == OVERDUE


@FEW
@given(DAYS)
def test_dates_parse_in_both_forms(day):
    assert parse_date(day.isoformat()) == day
    assert parse_date(f"{day.day}/{day.month}/{day.year}") == day
    assert parse_date(f"{day.day:02d}/{day.month:02d}/{day.year}") == day


@FEW
@given(DAYS)
def test_reporting_year_contains_the_day(day):
    start, end = year_bounds(year_of(day))
    assert start <= day <= end
    assert start.month == 4 and start.day == 1
