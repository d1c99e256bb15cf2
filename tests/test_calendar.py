"""The working-day calendar: weekends, England and Wales bank holidays, closure days, explanations."""

from __future__ import annotations

import datetime as dt

import pytest

from smallhousing.domain.calendar import WorkingCalendar, bank_holidays, short_date
from smallhousing.domain.errors import DomainError

D = dt.date

# gov.uk's England and Wales bank holidays (copied by hand from /work/shared/domain.md, not from
# the holidays package, so that the test checks the package rather than itself).
BANK_HOLIDAYS = {
    2024: [
        D(2024, 1, 1),
        D(2024, 3, 29),
        D(2024, 4, 1),
        D(2024, 5, 6),
        D(2024, 5, 27),
        D(2024, 8, 26),
        D(2024, 12, 25),
        D(2024, 12, 26),
    ],
    2025: [
        D(2025, 1, 1),
        D(2025, 4, 18),
        D(2025, 4, 21),
        D(2025, 5, 5),
        D(2025, 5, 26),
        D(2025, 8, 25),
        D(2025, 12, 25),
        D(2025, 12, 26),
    ],
    2026: [
        D(2026, 1, 1),
        D(2026, 4, 3),
        D(2026, 4, 6),
        D(2026, 5, 4),
        D(2026, 5, 25),
        D(2026, 8, 31),
        D(2026, 12, 25),
        D(2026, 12, 28),
    ],
    2027: [
        D(2027, 1, 1),
        D(2027, 3, 26),
        D(2027, 3, 29),
        D(2027, 5, 3),
        D(2027, 5, 31),
        D(2027, 8, 30),
        D(2027, 12, 27),
        D(2027, 12, 28),
    ],
}
ALL_BANK_HOLIDAYS = [d for days in BANK_HOLIDAYS.values() for d in days]

CAL = WorkingCalendar()


@pytest.mark.parametrize("day", ALL_BANK_HOLIDAYS, ids=str)
def test_every_bank_holiday_2024_to_2027_is_not_a_working_day(day):
    assert day.weekday() < 5  # gov.uk lists the weekday on which each is taken
    assert not CAL.is_working_day(day)
    assert CAL.why_not_working(day)  # a name to show the user


@pytest.mark.parametrize("year", sorted(BANK_HOLIDAYS))
def test_no_other_weekday_is_a_holiday(year):
    expected = set(BANK_HOLIDAYS[year])
    day = D(year, 1, 1)
    not_working = set()
    while day.year == year:
        if day.weekday() < 5 and not CAL.is_working_day(day):
            not_working.add(day)
        day += dt.timedelta(days=1)
    assert not_working == expected
    weekday_holidays = {d for d in bank_holidays(year) if d.weekday() < 5}
    assert weekday_holidays == expected


def test_substitute_days_are_named():
    # 2026: Boxing Day is a Saturday, so Monday 28 December is the substitute.
    assert "Boxing Day" in CAL.why_not_working(D(2026, 12, 28))
    # 2027: Christmas Day and Boxing Day both fall at the weekend.
    assert "Christmas" in CAL.why_not_working(D(2027, 12, 27))
    assert "Boxing" in CAL.why_not_working(D(2027, 12, 28))
    assert CAL.why_not_working(D(2025, 12, 25)) == "Christmas Day"


def test_weekends_are_not_working_days():
    assert CAL.why_not_working(D(2025, 12, 6)) == "Saturday"
    assert CAL.why_not_working(D(2025, 12, 7)) == "Sunday"
    assert CAL.is_working_day(D(2025, 12, 8))


def test_domain_md_example():
    # received Mon 1 Dec 2025 (day 0) -> 5 WD is Mon 8 Dec (Tue 2 .. Fri 5 are 1-4, Mon 8 is 5)
    assert CAL.add(D(2025, 12, 1), 5).due == D(2025, 12, 8)


@pytest.mark.parametrize(
    "start, n, due",
    [
        # Christmas 2025: Wed 24 Dec is day 0. Thu 25 and Fri 26 are bank holidays, 27-28 weekend;
        # Mon 29 (1), Tue 30 (2), Wed 31 (3); Thu 1 Jan holiday; Fri 2 (4); weekend;
        # Mon 5 .. Fri 9 (5-9); weekend; Mon 12 Jan (10).
        (D(2025, 12, 24), 10, D(2026, 1, 12)),
        # Christmas 2026: Thu 24 Dec is day 0. Fri 25 holiday, 26-27 weekend, Mon 28 holiday
        # (substitute for Boxing Day); Tue 29 (1), Wed 30 (2), Thu 31 (3); Fri 1 Jan holiday;
        # weekend; Mon 4 (4), Tue 5 Jan (5).
        (D(2026, 12, 24), 5, D(2027, 1, 5)),
        # Christmas 2027: Fri 24 Dec is day 0. 25-26 weekend; Mon 27 and Tue 28 substitutes;
        # Wed 29 (1), Thu 30 (2), Fri 31 (3); Sat 1 Jan 2028 so Mon 3 Jan is the substitute;
        # Tue 4 (4), Wed 5 Jan (5).
        (D(2027, 12, 24), 5, D(2028, 1, 5)),
        # New Year 2026 alone: Wed 31 Dec 2025 is day 0; Thu 1 Jan holiday; Fri 2 (1); weekend;
        # Mon 5 (2).
        (D(2025, 12, 31), 2, D(2026, 1, 5)),
        # Easter 2024: Thu 28 Mar is day 0; Good Friday 29 Mar, weekend, Easter Monday 1 Apr;
        # Tue 2 (1) .. Fri 5 (4); weekend; Mon 8 Apr (5).
        (D(2024, 3, 28), 5, D(2024, 4, 8)),
        # Easter 2025: Thu 17 Apr is day 0; Good Friday 18, weekend, Easter Monday 21;
        # Tue 22 (1) .. Fri 25 (4); weekend; Mon 28 Apr (5).
        (D(2025, 4, 17), 5, D(2025, 4, 28)),
        # Easter 2026: Thu 2 Apr is day 0; Good Friday 3, weekend, Easter Monday 6;
        # Tue 7 .. Fri 10 (1-4); Mon 13 .. Fri 17 (5-9); Mon 20 Apr (10).
        (D(2026, 4, 2), 10, D(2026, 4, 20)),
        # Easter 2027 straddles March/April: Thu 25 Mar is day 0; Good Friday 26, weekend,
        # Easter Monday 29; Tue 30 (1), Wed 31 (2), Thu 1 Apr (3), Fri 2 (4); weekend; Mon 5 (5).
        (D(2027, 3, 25), 5, D(2027, 4, 5)),
        # A start on a Saturday still counts as day 0: Mon 8 Dec is the first working day.
        (D(2025, 12, 6), 1, D(2025, 12, 8)),
        # A start on a bank holiday likewise: Christmas Day 2025 + 1 -> Mon 29 Dec.
        (D(2025, 12, 25), 1, D(2025, 12, 29)),
        # Zero working days is the start itself.
        (D(2025, 12, 24), 0, D(2025, 12, 24)),
    ],
)
def test_add_across_christmas_new_year_and_easter(start, n, due):
    d = CAL.add(start, n)
    assert d.due == due
    assert d.start == start and d.working_days == n
    assert CAL.count(start, due) == n


def test_count_between_dates():
    assert CAL.count(D(2025, 12, 24), D(2026, 1, 12)) == 10
    assert CAL.count(D(2026, 1, 12), D(2025, 12, 24)) == -10
    assert CAL.count(D(2025, 12, 24), D(2025, 12, 24)) == 0
    # Saturday to Monday: only the Monday counts
    assert CAL.count(D(2025, 12, 6), D(2025, 12, 8)) == 1
    # Fri 19 Dec to Fri 26 Dec 2025: Mon 22, Tue 23, Wed 24 (Christmas and Boxing Day skipped)
    assert CAL.count(D(2025, 12, 19), D(2025, 12, 26)) == 3


def test_closure_days_are_skipped():
    shutdown = WorkingCalendar.with_closures(
        [
            (D(2025, 12, 29), "Christmas shutdown"),
            (D(2025, 12, 30), "Christmas shutdown"),
            (D(2025, 12, 31), "Christmas shutdown"),
        ]
    )
    # Wed 24 Dec is day 0; 25, 26 holidays; weekend; 29-31 closed; 1 Jan holiday; Fri 2 (1);
    # Mon 5 .. Fri 9 (2-6); Mon 12 (7), Tue 13 (8), Wed 14 (9), Thu 15 Jan (10).
    d = shutdown.add(D(2025, 12, 24), 10)
    assert d.due == D(2026, 1, 15)
    assert not shutdown.is_working_day(D(2025, 12, 30))
    assert "Christmas shutdown" in shutdown.why_not_working(D(2025, 12, 30))
    assert shutdown.count(D(2025, 12, 24), D(2026, 1, 15)) == 10
    # the plain calendar is not affected
    assert CAL.is_working_day(D(2025, 12, 30))


def test_closure_day_without_reason_still_explained():
    cal = WorkingCalendar.with_closures([(D(2026, 3, 4), "")])
    d = cal.add(D(2026, 3, 2), 3)
    # Mon 2 is day 0; Tue 3 (1); Wed 4 closed; Thu 5 (2); Fri 6 (3)
    assert d.due == D(2026, 3, 6)
    assert "closed" in d.explain() and "4 Mar" in d.explain()


def test_explanation_names_holidays_and_weekends():
    text = CAL.add(D(2025, 12, 24), 10).explain()
    assert text.startswith("10 working days after Wed 24 Dec 2025 is Mon 12 Jan 2026")
    for name in ("Christmas Day (25 Dec)", "Boxing Day (26 Dec)", "New Year's Day (1 Jan)", "6 weekend days"):
        assert name in text
    easter = CAL.add(D(2026, 4, 2), 10).explain()
    assert "Good Friday (3 Apr)" in easter and "Easter Monday (6 Apr)" in easter
    assert "Boxing Day" in CAL.add(D(2026, 12, 24), 5).explain()  # the substitute Monday


def test_explanation_names_closure_days():
    cal = WorkingCalendar.with_closures(
        [(D(2026, 3, 4), "staff training"), (D(2026, 3, 5), "staff training")]
    )
    text = cal.add(D(2026, 3, 2), 5).explain()
    assert "staff training (4 Mar, 5 Mar)" in text
    assert text.startswith("5 working days after Mon 2 Mar 2026 is Wed 11 Mar 2026")


def test_explanation_plain_cases():
    assert CAL.add(D(2026, 3, 2), 1).explain() == "1 working day after Mon 2 Mar 2026 is Tue 3 Mar 2026"
    assert CAL.add(D(2026, 3, 6), 1).explain() == (
        "1 working day after Fri 6 Mar 2026 is Mon 9 Mar 2026, skipping 2 weekend days"
    )
    assert str(CAL.add(D(2026, 3, 2), 2)) == CAL.add(D(2026, 3, 2), 2).explain()


def test_short_date():
    assert short_date(D(2025, 12, 24)) == "Wed 24 Dec 2025"


@pytest.mark.parametrize("n", [-1, 1.5, "3", True, None, 100000])
def test_bad_number_of_days_is_refused(n):
    with pytest.raises(DomainError):
        CAL.add(D(2026, 3, 2), n)


def test_missing_start_is_refused():
    with pytest.raises(DomainError):
        CAL.add(None, 3)


def test_counting_past_the_end_of_time_is_refused_plainly():
    with pytest.raises(DomainError, match="too far in the future"):
        CAL.add(D(9999, 12, 30), 5)


def test_a_deadline_asked_for_again_is_the_same_and_bad_input_is_still_refused():
    # WorkingCalendar.add remembers what it worked out; asking again must change nothing
    cal = WorkingCalendar.with_closures([(dt.date(2026, 12, 29), "stocktake")])
    first = cal.add(dt.date(2026, 12, 21), 5, label="respond at stage 1")
    again = cal.add(dt.date(2026, 12, 21), 5, label="respond at stage 1")
    assert again == first and again.label == "respond at stage 1"
    assert first.due == dt.date(2026, 12, 31)  # 25th and 28th bank holidays, 29th closed
    other = cal.add(dt.date(2026, 12, 21), 5, label="another")
    assert other.due == first.due and other.label == "another"
    assert cal.add(dt.date(2026, 12, 21), 0).due == dt.date(2026, 12, 21)
    # the same number as True, or a start given as text, is refused however often it is asked
    for _ in range(2):
        with pytest.raises(DomainError):
            cal.add(dt.date(2026, 12, 21), True)
        with pytest.raises(DomainError):
            cal.add("2026-12-21", 1)  # type: ignore[arg-type]
        with pytest.raises(DomainError):
            cal.add(dt.date(2026, 12, 21), -1)
    # a calendar with other closure days has its own answers
    assert WorkingCalendar().add(dt.date(2026, 12, 21), 5).due == dt.date(2026, 12, 30)
