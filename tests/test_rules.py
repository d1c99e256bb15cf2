"""The Code's rule sets (2024 and 2022), stage deadlines, status and on-time checks."""

from __future__ import annotations

import datetime as dt

import pytest

from smallhousing.domain import lifecycle as L
from smallhousing.domain.calendar import WorkingCalendar
from smallhousing.domain.errors import DomainError
from smallhousing.domain.rules import (
    DUE_SOON,
    ON_TIME,
    OVERDUE,
    RULES_2022,
    RULES_2024,
    StageDates,
    deadline_status,
    rule_set,
    rule_set_for,
    stage_deadlines,
    stage_timings,
)

D = dt.date
CAL = WorkingCalendar()


@pytest.mark.parametrize(
    "received, code",
    [
        (D(2024, 3, 28), "2022"),
        (D(2024, 3, 31), "2022"),
        (D(2024, 4, 1), "2024"),  # the 2024 Code is statutory from 1 April 2024 (a bank holiday)
        (D(2024, 4, 2), "2024"),
        (D(2023, 1, 5), "2022"),
        (D(2026, 3, 2), "2024"),
    ],
)
def test_rule_set_by_date_received(received, code):
    assert rule_set_for(received).code == code


def test_rule_set_by_name():
    assert rule_set("2024") is RULES_2024
    assert rule_set(2022) is RULES_2022
    with pytest.raises(DomainError, match="2024 or 2022"):
        rule_set("2019")


def test_timescales_match_the_code():
    for r in (RULES_2024, RULES_2022):
        assert r.acknowledge_days == 5
        assert r.respond_days == {1: 10, 2: 20}
    assert RULES_2024.extension_cap == {1: 10, 2: 20}  # 6.4, 6.15
    assert RULES_2022.extension_cap == {1: 10, 2: 10}  # 2022 Code 5.1, 5.13
    assert RULES_2024.respond_from == {1: "acknowledged", 2: "acknowledged"}  # 6.3, 6.14
    assert RULES_2022.respond_from == {1: "acknowledged", 2: "requested"}  # logged / escalated


def test_stage1_deadlines_2024():
    # received Mon 2 Mar 2026: acknowledge by Mon 9 Mar (Tue 3 .. Fri 6 are 1-4, Mon 9 is 5).
    # acknowledged Wed 4 Mar: respond by 10 WD later, Wed 18 Mar (Thu 5, Fri 6, 9-13, 16, 17, 18).
    # the cap is a further 10 WD: Wed 1 Apr (19, 20, 23-27, 30, 31, 1 Apr).
    d = stage_deadlines(CAL, RULES_2024, StageDates(1, D(2026, 3, 2), D(2026, 3, 4)))
    assert d.acknowledge_by.due == D(2026, 3, 9)
    assert d.respond_by.due == D(2026, 3, 18)
    assert d.cap.due == D(2026, 4, 1)
    assert d.final_respond_by == D(2026, 3, 18)


def test_stage1_response_unknown_until_acknowledged():
    d = stage_deadlines(CAL, RULES_2024, StageDates(1, D(2026, 3, 2)))
    assert d.respond_by is None and d.cap is None and d.final_respond_by is None


def test_stage2_deadlines_2024_run_from_acknowledgement():
    # requested Wed 1 Apr 2026; acknowledge by Fri 10 Apr (Thu 2 (1), Good Friday 3, weekend,
    # Easter Monday 6, Tue 7 (2), Wed 8 (3), Thu 9 (4), Fri 10 (5)).
    # acknowledged Thu 2 Apr: 20 WD -> Tue 5 May (7-10 Apr are 1-4, 13-17 are 5-9, 20-24 are
    # 10-14, 27-30 are 15-18, Fri 1 May 19, Mon 4 May is the Early May bank holiday, Tue 5 is 20).
    # cap: 20 WD more -> Wed 3 Jun (skipping the Spring bank holiday, Mon 25 May).
    d = stage_deadlines(CAL, RULES_2024, StageDates(2, D(2026, 4, 1), D(2026, 4, 2)))
    assert d.acknowledge_by.due == D(2026, 4, 10)
    assert d.respond_by.due == D(2026, 5, 5)
    assert d.cap.due == D(2026, 6, 3)
    assert "May Day" in d.respond_by.explain() or "4 May" in d.respond_by.explain()


def test_stage2_deadlines_2022_run_from_the_request():
    # requested Wed 1 Apr 2026: 20 WD from the request -> Fri 1 May (Thu 2 (1), Easter skipped,
    # 7-10 (2-5), 13-17 (6-10), 20-24 (11-15), 27-30 (16-19), Fri 1 May (20)).
    # the 2022 cap is 10 WD more: Mon 18 May (skipping Mon 4 May).
    for ack in (None, D(2026, 4, 2), D(2026, 4, 9)):
        d = stage_deadlines(CAL, RULES_2022, StageDates(2, D(2026, 4, 1), ack))
        assert d.respond_by.due == D(2026, 5, 1)
        assert d.cap.due == D(2026, 5, 18)


def test_extensions_take_the_latest_date():
    st = StageDates(1, D(2026, 3, 2), D(2026, 3, 4), extended_to=(D(2026, 3, 25), D(2026, 3, 31)))
    d = stage_deadlines(CAL, RULES_2024, st)
    assert d.respond_by.due == D(2026, 3, 18)
    assert d.final_respond_by == D(2026, 3, 31)


@pytest.mark.parametrize(
    "today, due, status",
    [
        (D(2026, 3, 2), D(2026, 3, 2), DUE_SOON),  # due today
        (D(2026, 3, 2), D(2026, 3, 3), DUE_SOON),  # 1 WD left
        (D(2026, 3, 2), D(2026, 3, 4), DUE_SOON),  # 2 WD left
        (D(2026, 3, 2), D(2026, 3, 5), ON_TIME),  # 3 WD left
        (D(2026, 3, 2), D(2026, 2, 27), OVERDUE),  # yesterday's working day
        (D(2026, 3, 6), D(2026, 3, 10), DUE_SOON),  # Fri -> Tue: Mon 9 and Tue 10 only
        (D(2026, 3, 6), D(2026, 3, 11), ON_TIME),
        # six calendar days but only 2 working days (Christmas and Boxing Day, weekend)
        (D(2025, 12, 23), D(2025, 12, 29), DUE_SOON),
        (D(2025, 12, 23), D(2025, 12, 30), ON_TIME),
    ],
)
def test_deadline_status(today, due, status):
    assert deadline_status(CAL, due, today) == status


def test_status_counts_closure_days():
    cal = WorkingCalendar.with_closures([(D(2026, 3, 4), "training")])
    # Mon 2 -> Thu 5: Tue 3 and Thu 5 are working days (Wed 4 closed): 2 left, due soon
    assert deadline_status(cal, D(2026, 3, 5), D(2026, 3, 2)) == DUE_SOON
    assert deadline_status(CAL, D(2026, 3, 5), D(2026, 3, 2)) == ON_TIME


def _timing(steps, name):
    return next(s for s in steps if s.step == name)


def test_on_time_checks():
    received = D(2026, 3, 2)  # acknowledge by Mon 9 Mar
    on_time = stage_timings(CAL, RULES_2024, StageDates(1, received, D(2026, 3, 9), D(2026, 3, 23)))
    assert _timing(on_time, "acknowledge").on_time is True
    # acknowledged Mon 9: respond by Mon 23 Mar (10 WD)
    assert _timing(on_time, "respond").due == D(2026, 3, 23)
    assert _timing(on_time, "respond").on_time is True

    late = stage_timings(CAL, RULES_2024, StageDates(1, received, D(2026, 3, 10), D(2026, 3, 25)))
    assert _timing(late, "acknowledge").on_time is False
    # acknowledged Tue 10, a day late: the clock still runs from Mon 9 (the acknowledgement's
    # deadline), so respond by Mon 23; answered Wed 25 is late
    assert _timing(late, "respond").due == D(2026, 3, 23)
    assert _timing(late, "respond").on_time is False


def test_open_steps_have_no_verdict_yet():
    steps = stage_timings(CAL, RULES_2024, StageDates(1, D(2026, 3, 2)))
    assert [s.step for s in steps] == ["acknowledge"]
    assert steps[0].on_time is None and steps[0].due == D(2026, 3, 9)
    steps = stage_timings(CAL, RULES_2024, StageDates(1, D(2026, 3, 2), D(2026, 3, 3)))
    assert _timing(steps, "respond").on_time is None


def test_extension_within_code_counts_as_on_time():
    st = StageDates(1, D(2026, 3, 2), D(2026, 3, 4), D(2026, 3, 25), extended_to=(D(2026, 3, 27),))
    assert _timing(stage_timings(CAL, RULES_2024, st), "respond").on_time is True
    # an extension that broke the Code does not rescue the response
    outside = stage_timings(CAL, RULES_2024, st, extension_within_code=False)
    assert _timing(outside, "respond").due == D(2026, 3, 18)
    assert _timing(outside, "respond").on_time is False


# extensions (6.4, 6.15) -------------------------------------------------------------------------

ACKED = StageDates(1, D(2026, 3, 2), D(2026, 3, 4))  # respond by Wed 18 Mar, cap Wed 1 Apr


def test_extension_within_cap():
    chk = L.check_extension(CAL, RULES_2024, ACKED, D(2026, 4, 1), "waiting for a contractor", "")
    assert chk.new_due == D(2026, 4, 1) and chk.cap == D(2026, 4, 1) and not chk.beyond_cap


def test_extension_past_cap_needs_good_reason():
    with pytest.raises(DomainError, match="good reason") as e:
        L.check_extension(CAL, RULES_2024, ACKED, D(2026, 4, 2), "waiting for a contractor", "  ")
    assert "10 extra working days" in str(e.value)
    chk = L.check_extension(
        CAL,
        RULES_2024,
        ACKED,
        D(2026, 4, 2),
        "waiting for a contractor",
        "independent surveyor cannot attend sooner",
    )
    assert chk.beyond_cap


def test_stage2_cap_is_20_in_2024_and_10_in_2022():
    st = StageDates(2, D(2026, 4, 1), D(2026, 4, 2))
    # 2024: respond by Tue 5 May, cap Wed 3 Jun; 2022: respond by Fri 1 May, cap Mon 18 May
    assert not L.check_extension(CAL, RULES_2024, st, D(2026, 6, 3), "survey", "").beyond_cap
    with pytest.raises(DomainError):
        L.check_extension(CAL, RULES_2022, st, D(2026, 5, 19), "survey", "")
    assert not L.check_extension(CAL, RULES_2022, st, D(2026, 5, 18), "survey", "").beyond_cap


@pytest.mark.parametrize(
    "stage, new_due, reason, match",
    [
        (ACKED, D(2026, 3, 25), "", "reason"),  # no reason
        (ACKED, D(2026, 3, 18), "more time", "after the current"),  # not later than now
        (ACKED, D(2026, 3, 21), "more time", "not a working day"),  # a Saturday
        (ACKED, D(2026, 4, 3), "more time", "not a working day"),  # Good Friday
        (StageDates(1, D(2026, 3, 2)), D(2026, 3, 25), "more time", "Acknowledge"),
        (
            StageDates(1, D(2026, 3, 2), D(2026, 3, 4), D(2026, 3, 10)),
            D(2026, 3, 25),
            "more time",
            "already been answered",
        ),
    ],
)
def test_bad_extensions_are_refused(stage, new_due, reason, match):
    with pytest.raises(DomainError, match=match):
        L.check_extension(CAL, RULES_2024, stage, new_due, reason, "")


def test_second_extension_must_go_later_and_cap_stays_put():
    st = StageDates(1, D(2026, 3, 2), D(2026, 3, 4), extended_to=(D(2026, 3, 25),))
    with pytest.raises(DomainError, match="after the current"):
        L.check_extension(CAL, RULES_2024, st, D(2026, 3, 24), "more", "")
    with pytest.raises(DomainError, match="good reason"):
        L.check_extension(CAL, RULES_2024, st, D(2026, 4, 7), "more", "")


def test_a_deadline_passed_on_friday_is_late_at_the_weekend():
    from smallhousing.domain.calendar import WorkingCalendar
    from smallhousing.domain.rules import working_days_left

    cal = WorkingCalendar()
    fri, sat, mon = dt.date(2026, 12, 4), dt.date(2026, 12, 5), dt.date(2026, 12, 7)
    assert working_days_left(cal, fri, sat) == -1  # not "due today"
    assert working_days_left(cal, fri, mon) == -1
    assert working_days_left(cal, fri, fri) == 0
    assert working_days_left(cal, mon, sat) == 1
