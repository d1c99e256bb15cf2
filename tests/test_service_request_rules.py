"""Service requests' targets (Code 1.4): one table of defaults, categories as stored, the target
date on the landlord's working-day calendar, and a request's age and overdue state. Every date is
worked out by hand in the comment beside it."""

from __future__ import annotations

import datetime as dt

import pytest

from smallhousing.domain import service_request_rules as SR
from smallhousing.domain.calendar import WorkingCalendar
from smallhousing.domain.errors import DomainError

D = dt.date
CAL = WorkingCalendar()


def test_one_table_of_defaults_and_categories_are_normalised():
    assert SR.DEFAULT_TARGETS["emergency repair"] == 1
    assert SR.DEFAULT_TARGETS["urgent repair"] == 5
    assert SR.DEFAULT_TARGETS["damp and mould"] == 10
    assert SR.CATEGORIES[0] == "emergency repair" and "other" in SR.CATEGORIES
    assert SR.normalise_category("  Damp and  MOULD ") == "damp and mould"
    assert SR.normalise_category(None) == ""
    assert SR.default_days("Urgent Repair") == 5
    assert SR.default_days("garden gnomes") == SR.DEFAULT_WORKING_DAYS == 20
    assert SR.default_days("") == 20


def test_emergency_repair_on_a_friday_is_due_on_monday():
    # received Fri 6 Mar 2026 (day 0); Sat 7 and Sun 8 do not count; Mon 9 Mar is day 1
    t = SR.target_for(CAL, D(2026, 3, 6), "Emergency repair")
    assert (t.category, t.working_days, t.from_settings, t.due) == (
        "emergency repair",
        1,
        False,
        D(2026, 3, 9),
    )
    assert t.explain() == (
        "Target for emergency repair: 1 working day (the default). 1 working day after Fri 6 Mar "
        "2026 is Mon 9 Mar 2026, skipping 2 weekend days."
    )


def test_urgent_repair_across_easter_bank_holidays():
    # received Wed 1 Apr 2026; Thu 2 Apr is day 1; Good Friday 3 Apr, the weekend and Easter Monday
    # 6 Apr are skipped; Tue 7 (2), Wed 8 (3), Thu 9 (4), Fri 10 Apr 2026 (5)
    t = SR.target_for(CAL, D(2026, 4, 1), "urgent repair")
    assert t.due == D(2026, 4, 10)
    words = t.explain()
    assert "Good Friday (3 Apr)" in words and "Easter Monday (6 Apr)" in words
    assert "is Fri 10 Apr 2026" in words


def test_a_closure_day_moves_the_target():
    # received Mon 2 Mar 2026, damp and mould, 10 working days: Tue 3 (1) ... Fri 6 (4), Mon 9 (5)
    # ... Thu 12 (8); Fri 13 Mar is a closure day; Mon 16 (9), Tue 17 Mar 2026 (10).
    # Without the closure day it is Mon 16 Mar.
    assert SR.target_for(CAL, D(2026, 3, 2), "damp and mould").due == D(2026, 3, 16)
    cal = WorkingCalendar.with_closures([(D(2026, 3, 13), "training")])
    t = SR.target_for(cal, D(2026, 3, 2), "damp and mould")
    assert t.due == D(2026, 3, 17)
    assert "office closed: training (13 Mar)" in t.explain()


def test_the_landlords_setting_wins_over_the_default():
    # routine repairs set to 3 working days: Mon 2 Mar 2026 -> Tue 3 (1), Wed 4 (2), Thu 5 Mar (3)
    t = SR.target_for(CAL, D(2026, 3, 2), "Repairs", {"repairs": 3})
    assert (t.working_days, t.from_settings, t.due) == (3, True, D(2026, 3, 5))
    assert "(set in Settings)" in t.explain()
    # a category nobody set and not in the table: 20 working days. Mon 2 Mar 2026: Tue 3 - Fri 6
    # (4), 9-13 (9), 16-20 (14), 23-27 (19), Mon 30 Mar 2026 (20)
    t = SR.target_for(CAL, D(2026, 3, 2), "Garden gnomes", {"repairs": 3})
    assert (t.category, t.working_days, t.due) == ("garden gnomes", 20, D(2026, 3, 30))
    # a setting of 0: the same day
    assert SR.target_for(CAL, D(2026, 3, 2), "other", {"other": 0}).due == D(2026, 3, 2)


@pytest.mark.parametrize("bad", ["x", "", "2.5", -1, 261, 1.5, True, None, "."])
def test_a_target_must_be_a_sensible_whole_number(bad):
    with pytest.raises(DomainError) as e:
        SR.check_target_days(bad)
    assert e.value.field == "working_days" and str(e.value).strip(".")


def test_good_targets_are_taken():
    assert SR.check_target_days("5") == 5
    assert SR.check_target_days(" 10 ") == 10
    assert SR.check_target_days(0) == 0
    assert SR.check_target_days(260) == 260


def test_age_and_overdue():
    # received Mon 2 Mar 2026, target Mon 9 Mar; on Wed 11 Mar: age Tue 3 ... Fri 6 (4), Mon 9,
    # Tue 10, Wed 11 (7); two working days past the target (Tue 10, Wed 11)
    p = SR.progress(CAL, D(2026, 3, 2), D(2026, 3, 9), D(2026, 3, 11))
    assert (p.age, p.overdue, p.late, p.working_days_left) == (7, True, True, -2)
    assert p.words() == "Open for 7 working days: overdue, its target was Mon 9 Mar 2026 (2 working days ago)"
    # on the target day itself it is not overdue: due today (age Tue 3 ... Mon 9: 5)
    p = SR.progress(CAL, D(2026, 3, 2), D(2026, 3, 9), D(2026, 3, 9))
    assert (p.age, p.overdue, p.working_days_left) == (5, False, 0)
    assert p.words() == "Open for 5 working days: target Mon 9 Mar 2026, due today"
    # on Sat 14 Mar, the Friday target (13 Mar) has passed: a day late even with no working day
    # between
    p = SR.progress(CAL, D(2026, 3, 2), D(2026, 3, 13), D(2026, 3, 14))
    assert (p.overdue, p.working_days_left) == (True, -1)


def test_a_completed_request_is_never_overdue_but_can_have_been_late():
    # done Tue 10 Mar 2026 against a target of Mon 9 Mar: late; took Tue 3 ... Tue 10 = 6 days
    p = SR.progress(CAL, D(2026, 3, 2), D(2026, 3, 9), D(2026, 3, 20), completed_on=D(2026, 3, 10))
    assert (p.age, p.overdue, p.late, p.working_days_left) == (6, False, True, None)
    assert p.words() == "Done: took 6 working days, after its target of Mon 9 Mar 2026"
    p = SR.progress(CAL, D(2026, 3, 2), D(2026, 3, 9), D(2026, 3, 20), completed_on=D(2026, 3, 9))
    assert not p.late and "by its target" in p.words()


def test_no_target_yet():
    p = SR.progress(CAL, D(2026, 3, 2), None, D(2026, 3, 4))
    assert (p.age, p.overdue, p.target_on) == (2, False, None)


def test_a_complaint_from_a_repair_request_is_about_repairs():
    assert SR.complaint_category("Emergency repair") == "repairs"
    assert SR.complaint_category("urgent repair") == "repairs"
    assert SR.complaint_category("damp and mould") == "damp and mould"
