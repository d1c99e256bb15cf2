"""Property: CH02 never counts a response as within the Code unless its deadline, explained, allows
it, with extensions counted only when agreed by the date in force and told to the resident."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from smallhousing.domain import tsm
from smallhousing.domain.calendar import WorkingCalendar
from smallhousing.domain.rules import RULES_2022, RULES_2024, ExtensionDates, StageDates, stage_deadlines

CAL = WorkingCalendar()
DAY = dt.timedelta(days=1)

ext_s = st.tuples(st.integers(1, 40), st.integers(-5, 30), st.booleans(), st.booleans())


@st.composite
def stages(draw):
    rules = draw(st.sampled_from([RULES_2024, RULES_2022]))
    number = draw(st.sampled_from([1, 2]))
    requested = dt.date(2024, 1, 1) + draw(st.integers(0, 900)) * DAY
    acked = requested + draw(st.integers(0, 60)) * DAY
    exts, last = [], acked
    for grow, agreed_offset, told, good in draw(st.lists(ext_s, max_size=3)):
        new_due = last + grow * DAY
        exts.append(
            ExtensionDates(
                new_due,
                acked + max(agreed_offset, 0) * DAY + grow * DAY // 2,
                told,
                "a good reason" if good else "",
            )
        )
        last = new_due
    responded = acked + draw(st.integers(0, 90)) * DAY
    return rules, StageDates(number, requested, acked, responded, tuple(e.new_due for e in exts), tuple(exts))


@settings(max_examples=300, deadline=None)
@given(stages())
def test_ch02_within_only_when_the_explained_deadline_allows(case):
    rules, stage = case
    d = stage_deadlines(CAL, rules, stage)
    timer = tsm.ResponseTimer(CAL)
    within = timer.on_time(
        rules, stage.number, stage.requested_on, stage.acknowledged_on, stage.responded_on, stage.extensions
    )
    assert within == (stage.responded_on <= d.code_respond_by)
    if within:
        # the response is on or before the date the explanation gives
        assert stage.responded_on <= d.respond_by.due or any(v.counts for v in d.extensions)
    # the clock never starts after the acknowledgement was due
    if d.acknowledge_by is not None and rules.respond_from[stage.number] == "acknowledged":
        assert d.respond_by.start <= d.acknowledge_by.due
    counted = [v for v in d.extensions if v.counts]
    for v in counted:  # each extension that counts was agreed in time, told and within the cap
        e = v.extension
        assert e.told and e.agreed_on <= v.in_force_before
        assert e.new_due <= d.cap.due or e.good_reason
    if counted:
        assert d.code_respond_by == max([d.respond_by.due] + [v.extension.new_due for v in counted])
        assert "The Code's date for the response is" in d.explain_response()
    else:
        assert d.code_respond_by == d.respond_by.due
    for v in d.extensions:
        assert ("does not count" in v.explain()) == (not v.counts)
