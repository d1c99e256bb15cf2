"""Deadlines as the Code means them: a late acknowledgement buys no time (item 5), an extension
counts only when agreed in time and told to the resident (item 4), and the 2022 Code has no stage 2
acknowledgement deadline. Bank holidays: 26 May 2025, 25 Aug 2025."""

from __future__ import annotations

import datetime as dt

import pytest

from smallhousing.domain import tsm
from smallhousing.domain.calendar import WorkingCalendar
from smallhousing.domain.rules import (
    RULES_2022,
    RULES_2024,
    ExtensionDates,
    StageDates,
    stage_deadlines,
    stage_timings,
)
from smallhousing.services import complaints as C
from smallhousing.services import measures as M
from smallhousing.services import queries as Q
from smallhousing.services import reports as R
from smallhousing.services.base import transaction
from smallhousing.store.models import Complaint

D = dt.date
CAL = WorkingCalendar()
NONE = "No remedy is offered: we found no failing."


def _respond(steps):
    return next(s for s in steps if s.step == "respond")


# item 5: a late acknowledgement never buys time -------------------------------------------------


def test_late_acknowledgement_gives_no_extra_time():
    # received Mon 2 Jun 2025: acknowledgement due Mon 9 Jun; acknowledged Mon 14 Jul (late).
    # The response clock runs from 9 Jun: 10 WD -> Mon 23 Jun. Answered Fri 25 Jul: LATE.
    st = StageDates(1, D(2025, 6, 2), D(2025, 7, 14), D(2025, 7, 25))
    d = stage_deadlines(CAL, RULES_2024, st)
    assert d.respond_by.due == D(2025, 6, 23)
    assert _respond(stage_timings(CAL, RULES_2024, st)).on_time is False
    timer = tsm.ResponseTimer(CAL)
    assert timer.due(RULES_2024, 1, D(2025, 6, 2), D(2025, 7, 14)) == D(2025, 6, 23)
    assert not timer.on_time(RULES_2024, 1, D(2025, 6, 2), D(2025, 7, 14), D(2025, 7, 25))


def test_late_acknowledgement_explained_in_words():
    d = stage_deadlines(CAL, RULES_2024, StageDates(1, D(2025, 6, 2), D(2025, 7, 14)))
    text = d.respond_by.explain()
    assert "after Mon 9 Jun 2025 is Mon 23 Jun 2025" in text
    assert "late acknowledgement on Mon 14 Jul 2025" in text and "no extra time" in text


def test_early_acknowledgement_still_starts_the_clock():
    d = stage_deadlines(CAL, RULES_2024, StageDates(1, D(2025, 6, 2), D(2025, 6, 3)))
    assert d.respond_by.due == D(2025, 6, 17)
    assert "late" not in d.respond_by.explain()


def test_stage2_late_acknowledgement_2024():
    # requested Mon 2 Jun 2025: ack due Mon 9 Jun; acknowledged Mon 30 Jun. 20 WD from 9 Jun
    # -> Mon 7 Jul. Answered Mon 28 Jul (20 WD from the late acknowledgement): LATE.
    st = StageDates(2, D(2025, 6, 2), D(2025, 6, 30), D(2025, 7, 28))
    assert stage_deadlines(CAL, RULES_2024, st).respond_by.due == D(2025, 7, 7)
    assert _respond(stage_timings(CAL, RULES_2024, st)).on_time is False


# the 2022 Code: no stage 2 acknowledgement deadline --------------------------------------------


def test_2022_stage2_has_no_acknowledgement_deadline():
    st = StageDates(2, D(2024, 2, 1), D(2024, 3, 1), D(2024, 2, 28))
    d = stage_deadlines(CAL, RULES_2022, st)
    assert d.acknowledge_by is None
    assert [s.step for s in stage_timings(CAL, RULES_2022, st)] == ["respond"]
    assert RULES_2022.acknowledge_days_at(2) is None and RULES_2022.acknowledge_days_at(1) == 5
    assert tsm.ResponseTimer(CAL).acknowledged_on_time(RULES_2022, D(2024, 2, 1), D(2024, 2, 2), 2) is False


def test_provisions_are_labelled_by_their_code():
    assert RULES_2022.provisions["ack2"] != "5.12"
    assert RULES_2022.provision("respond2") == "2022 Code 5.13"
    assert RULES_2022.provision("different2") == "2022 Code 5.12"
    assert RULES_2024.provision("extend1") == "2024 Code 6.4"


# item 4: extensions as the Code means them ------------------------------------------------------

# received Mon 2 Feb 2026, acknowledged Tue 3 Feb: response due Tue 17 Feb; cap Tue 3 Mar
BASE = dict(number=1, requested_on=D(2026, 2, 2), acknowledged_on=D(2026, 2, 3))


def _stage(*exts, responded=D(2026, 2, 24)):
    return StageDates(
        **BASE, responded_on=responded, extended_to=tuple(e.new_due for e in exts), extensions=exts
    )


def test_extension_agreed_after_the_deadline_does_not_count():
    st = _stage(ExtensionDates(D(2026, 2, 24), agreed_on=D(2026, 2, 20), told=True))
    d = stage_deadlines(CAL, RULES_2024, st)
    assert d.final_respond_by == D(2026, 2, 24)  # what the resident was promised
    assert d.code_respond_by == D(2026, 2, 17)  # what the Code holds the landlord to
    assert _respond(stage_timings(CAL, RULES_2024, st)).on_time is False
    assert not tsm.ResponseTimer(CAL).on_time(
        RULES_2024, 1, D(2026, 2, 2), D(2026, 2, 3), D(2026, 2, 24), st.extensions
    )
    why = d.extensions[0].explain()
    assert why == (
        "The extension to Tue 24 Feb 2026 does not count under the Code: it was agreed on "
        "Fri 20 Feb 2026, after the response was due on Tue 17 Feb 2026."
    )
    assert "Tue 17 Feb 2026" in d.explain_response()


def test_extension_not_told_does_not_count():
    st = _stage(ExtensionDates(D(2026, 2, 24), agreed_on=D(2026, 2, 16), told=False))
    d = stage_deadlines(CAL, RULES_2024, st)
    assert d.code_respond_by == D(2026, 2, 17)
    assert "the resident has not been told of it" in d.extensions[0].explain()
    assert _respond(stage_timings(CAL, RULES_2024, st)).on_time is False


def test_extension_agreed_in_time_and_told_counts():
    st = _stage(ExtensionDates(D(2026, 2, 24), agreed_on=D(2026, 2, 17), told=True))
    d = stage_deadlines(CAL, RULES_2024, st)
    assert d.code_respond_by == D(2026, 2, 24)
    assert _respond(stage_timings(CAL, RULES_2024, st)).on_time is True
    assert "counts under the Code" in d.extensions[0].explain()


def test_second_extension_judged_against_the_first():
    # first to Tue 24 Feb (agreed 16 Feb, told), second to Fri 27 Feb agreed Wed 25 Feb: too late
    st = _stage(
        ExtensionDates(D(2026, 2, 24), D(2026, 2, 16)),
        ExtensionDates(D(2026, 2, 27), D(2026, 2, 25)),
        responded=D(2026, 2, 26),
    )
    d = stage_deadlines(CAL, RULES_2024, st)
    assert d.code_respond_by == D(2026, 2, 24)
    assert [v.counts for v in d.extensions] == [True, False]
    assert _respond(stage_timings(CAL, RULES_2024, st)).on_time is False


# through the services: CH02 both ways, the dashboard, the complaint screen's words ---------------


@pytest.fixture
def late_extension(db, setup):
    """Received Mon 2 Feb 2026, acknowledged Tue 3 Feb: due Tue 17 Feb. Extended on Fri 20 Feb
    (after the deadline) to Tue 24 Feb, resident told; answered Tue 24 Feb: LATE under the Code."""
    cid = C.log_complaint(db, setup.resident, D(2026, 2, 2), "Leaking roof").id
    C.acknowledge(db, cid, "Leaking roof", handler_id=setup.alice, on=D(2026, 2, 3))
    C.extend(db, cid, D(2026, 2, 24), "Waiting for a roofer", resident_told=True, on=D(2026, 2, 20))
    return cid


def test_ch02_counts_a_late_extension_as_late_both_ways(db, late_extension):
    C.respond(
        db, late_extension, "upheld", "We were slow.", remedy_statement="An apology.", on=D(2026, 2, 24)
    )
    t = M.tsm_for_year(db, 2025)
    assert (t.stage1_responded, t.stage1_within) == (1, 0)
    f = R.year_figures(db, 2025)
    assert (f.stage1.responded, f.stage1.responded_on_time) == (1, 0)


def test_ch02_counts_an_untold_extension_as_late(db, setup):
    cid = C.log_complaint(db, setup.resident, D(2026, 2, 2), "Leaking roof").id
    C.acknowledge(db, cid, "Leaking roof", handler_id=setup.alice, on=D(2026, 2, 3))
    ext = C.extend(db, cid, D(2026, 2, 24), "Waiting for a roofer", on=D(2026, 2, 16))
    C.respond(db, cid, "upheld", "We were slow.", remedy_statement="An apology.", on=D(2026, 2, 24))
    assert M.tsm_for_year(db, 2025).stage1_within == 0
    assert R.year_figures(db, 2025).stage1.responded_on_time == 0
    C.record_extension_told(db, ext.id, on=D(2026, 2, 16), how="phone")
    assert M.tsm_for_year(db, 2025).stage1_within == 1
    assert R.year_figures(db, 2025).stage1.responded_on_time == 1


def test_dashboard_uses_the_unextended_deadline(db, late_extension):
    # today is Mon 2 Mar 2026. Either way overdue; check the stored deadline is the Code's date.
    with transaction(db) as u:
        c = u.get(Complaint, late_extension, "complaint")
        assert c.next_due_on == D(2026, 2, 17)


def test_dashboard_untold_extension_is_overdue_until_told(db, setup):
    # received Mon 9 Feb 2026, acknowledged Mon 9 Feb: due Mon 23 Feb (before today, 2 Mar).
    # Extended on 20 Feb to Fri 6 Mar, but the resident was not told: overdue.
    cid = C.log_complaint(db, setup.resident, D(2026, 2, 9), "Mould").id
    C.acknowledge(db, cid, "Mould", handler_id=setup.alice, on=D(2026, 2, 9))
    ext = C.extend(db, cid, D(2026, 3, 6), "Survey", on=D(2026, 2, 20))
    assert Q.dashboard_counts(db).overdue == 1
    assert [i.reference for i in Q.open_work(db, overdue_only=True)]
    C.record_extension_told(db, ext.id, on=D(2026, 2, 20), how="letter")
    assert Q.dashboard_counts(db).overdue == 0
    assert C.complaint_view(db, cid).next_due == D(2026, 3, 6)


def test_complaint_view_says_why_in_words(db, late_extension):
    v = C.complaint_view(db, late_extension)
    text = " ".join(v.deadline_notes)
    assert (
        "The extension to Tue 24 Feb 2026 does not count under the Code: it was agreed on "
        "Fri 20 Feb 2026, after the response was due on Tue 17 Feb 2026."
    ) in text


def test_late_acknowledgement_through_the_services(db, setup):
    cid = C.log_complaint(db, setup.resident, D(2025, 6, 2), "Broken boiler").id
    C.acknowledge(db, cid, "Broken boiler", handler_id=setup.alice, on=D(2025, 7, 14))
    assert C.complaint_view(db, cid).next_due == D(2025, 6, 23)
    C.respond(db, cid, "upheld", "Too slow.", remedy_statement="An apology.", on=D(2025, 7, 25))
    assert M.tsm_for_year(db, 2025).stage1_within == 0
    assert R.year_figures(db, 2025).stage1.responded_on_time == 0


def test_2022_stage2_worklist_shows_no_acknowledgement_deadline(db, setup):
    # received Thu 1 Feb 2024 (2022 Code); stage 2 requested Mon 4 Mar 2024: respond by 20 WD after
    # the request, Tue 2 Apr 2024 (skipping Good Friday 29 Mar and Easter Monday 1 Apr)
    cid = C.log_complaint(db, setup.resident, D(2024, 2, 1), "Noise").id
    C.acknowledge(db, cid, "Noise", handler_id=setup.alice, on=D(2024, 2, 2))
    C.respond(db, cid, "not upheld", "No failing.", remedy_statement=NONE, on=D(2024, 2, 9))
    C.request_stage2(db, cid, on=D(2024, 3, 4), handler_id=setup.bilal)
    v = C.complaint_view(db, cid)
    assert v.stage(2).deadlines.acknowledge_by is None
    assert "acknowledge stage 2" != v.next_step and v.next_due == D(2024, 4, 3)
    C.acknowledge(db, cid, "Noise", handler_id=setup.bilal, on=D(2024, 4, 1))
    f = R.year_figures(db, 2024)
    assert f.stage2.acknowledged == 0  # no deadline, so not timed


# importing extensions: the day agreed ----------------------------------------------------------


def test_import_reads_the_day_an_extension_was_agreed(db, setup):
    from smallhousing.services import transfer as T

    header = (
        "reference,received_on,resident_name,stage1_acknowledged_on,stage1_extended_to,"
        "stage1_extension_reason,stage1_extended_on,stage1_responded_on,stage1_decision,"
        "stage1_reasons"
    )
    # X1: acknowledged Tue 3 Feb 2026 (due 17 Feb), extension agreed 20 Feb: late, does not count.
    # X2: no day agreed: recorded as agreed on the acknowledgement day, with a note.
    rows = [
        "X1,2026-02-02,Ann Ash,2026-02-03,2026-02-24,Roofer,2026-02-20,2026-02-24,upheld,Slow",
        "X2,2026-02-02,Ann Ash,2026-02-03,2026-02-24,Roofer,,2026-02-24,upheld,Slow",
    ]
    result = T.import_csv(db, ("\r\n".join([header, *rows]) + "\r\n").encode())
    assert result.complaints == 2
    x1, x2 = C.complaint_view(db, "X1"), C.complaint_view(db, "X2")
    assert x1.stage(1).extensions[0].extended_on == D(2026, 2, 20)
    assert x1.stage(1).extensions[0].resident_told  # a log recording an extension: taken as told
    assert x2.stage(1).extensions[0].extended_on == D(2026, 2, 3)
    notes = [str(w) for w in result.warnings]
    assert any("line 3" in n and "stage1_extended_on" in n and "2026-02-03" in n for n in notes)
    assert not any("line 2" in n for n in notes)
    t = M.tsm_for_year(db, 2025)
    assert (t.stage1_responded, t.stage1_within) == (2, 1)
    # the export writes the day agreed, and reads back the same
    rows_out = {r["reference"]: r for r in T.log_rows(db)}
    assert rows_out["X1"]["stage1_extended_on"] == "2026-02-20"
    assert {"stage1_extended_on", "stage2_extended_on"} <= set(T.COLUMNS)


def test_import_day_agreed_needs_a_new_date(db, setup):
    from smallhousing.services import transfer as T

    header = "reference,received_on,resident_name,stage1_acknowledged_on,stage1_extended_on"
    with pytest.raises(T.ImportProblems) as exc:
        T.import_csv(db, f"{header}\r\nX1,2026-02-02,Ann Ash,2026-02-03,2026-02-10\r\n".encode())
    assert (2, "stage1_extended_to") in [(p.line, p.column) for p in exc.value.problems]
