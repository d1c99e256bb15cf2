"""Questions asked of the records: open work by deadline, overdue, due soon, follow-ups, reviews."""

from __future__ import annotations

import datetime as dt

import pytest

from smallhousing.services import complaints as C
from smallhousing.services import queries as Q
from smallhousing.services import residents as R
from smallhousing.services import settings as S

D = dt.date
TODAY = D(2026, 3, 2)  # Monday


@pytest.fixture
def work(db, setup):
    def log(received, text):
        return C.log_complaint(db, setup.resident, received, text, channel="email")

    # acknowledge by Mon 23 Feb: overdue by 5 WD (24, 25, 26, 27 Feb and Mon 2 Mar)
    a = log(D(2026, 2, 16), "Overdue acknowledgement")
    # acknowledge by Wed 4 Mar: 2 WD left, due soon
    b = log(D(2026, 2, 25), "Due soon")
    # acknowledge by Fri 6 Mar: 4 WD left, on time
    c = log(D(2026, 2, 27), "On time")
    # acknowledged Fri 20 Feb: respond by Fri 6 Mar (23-27 Feb, 2-6 Mar)
    d = log(D(2026, 2, 19), "Being investigated")
    C.acknowledge(db, d.id, "def", handler_id=setup.alice, on=D(2026, 2, 20))
    # finished: never listed
    e = log(D(2026, 2, 2), "Answered and closed")
    C.acknowledge(db, e.id, "def", handler_id=setup.alice, on=D(2026, 2, 3))
    C.respond(db, e.id, "not upheld", "x", remedy_statement="none", on=D(2026, 2, 10))
    C.close(db, e.id, on=D(2026, 2, 11))
    return {"a": a.reference, "b": b.reference, "c": c.reference, "d": d.reference, "e": e.reference}


def test_open_work_soonest_first(db, work):
    items = Q.open_work(db)
    assert [i.reference for i in items] == [work["a"], work["b"]] + sorted([work["c"], work["d"]])
    by_ref = {i.reference: i for i in items}
    assert work["e"] not in by_ref
    a, b, c, d = (by_ref[work[k]] for k in "abcd")
    assert (a.due, a.working_days_left, a.status) == (D(2026, 2, 23), -5, "overdue")
    assert (b.due, b.working_days_left, b.status) == (D(2026, 3, 4), 2, "due soon")
    assert (c.due, c.working_days_left, c.status) == (D(2026, 3, 6), 4, "on time")
    assert (d.due, d.step, d.handler) == (D(2026, 3, 6), "respond at stage 1", "Alice Adams")
    assert a.step == "acknowledge stage 1" and a.handler == ""
    assert a.as_dict()["due"] == "2026-02-23" and a.as_dict()["status"] == "overdue"


def test_overdue_and_due_within(db, work):
    assert [i.reference for i in Q.open_work(db, overdue_only=True)] == [work["a"]]
    assert [i.reference for i in Q.open_work(db, within_working_days=2)] == [work["a"], work["b"]]
    assert [i.reference for i in Q.open_work(db, within_working_days=0)] == [work["a"]]
    assert len(Q.open_work(db, within_working_days=4)) == 4
    assert len(Q.open_work(db, limit=2)) == 2


def test_due_within_counts_closure_days(db, work):
    # with Tue 3 Mar closed, Fri 6 Mar moves to Mon 9 Mar and "within 2 WD" reaches Thu 5 Mar
    S.add_closure_day(db, D(2026, 3, 3), "office move")
    items = {i.reference: i for i in Q.open_work(db)}
    assert items[work["b"]].due == D(2026, 3, 5)
    assert items[work["c"]].due == D(2026, 3, 9)
    assert [i.reference for i in Q.open_work(db, within_working_days=2)] == [work["a"], work["b"]]


def test_dashboard_counts(db, work):
    counts = Q.dashboard_counts(db)
    assert (counts.open_stage1, counts.open_stage2, counts.overdue, counts.due_soon) == (4, 0, 1, 1)


def test_list_and_count_complaints(db, work):
    assert Q.count_complaints(db) == 5
    assert Q.count_complaints(db, Q.ComplaintFilter(state="open")) == 4
    assert Q.count_complaints(db, Q.ComplaintFilter(state="finished")) == 1
    assert Q.count_complaints(db, Q.ComplaintFilter(overdue=True)) == 1
    assert [r.reference for r in Q.list_complaints(db, Q.ComplaintFilter(text="due soon"))] == [work["b"]]
    page = Q.list_complaints(db, limit=2)
    assert len(page) == 2 and page[0].received_on >= page[1].received_on
    assert len(Q.list_complaints(db, offset=4, limit=2)) == 1


def test_remedies_and_actions_overdue(db, setup):
    c = C.log_complaint(db, setup.resident, D(2026, 2, 2), "Broken window")
    C.acknowledge(db, c.id, "def", handler_id=setup.alice, on=D(2026, 2, 3))
    C.respond(
        db,
        c.id,
        "upheld",
        "late",
        on=D(2026, 2, 10),
        remedies=[
            C.RemedyInput("apology", "Late apology", 0, D(2026, 2, 20)),
            C.RemedyInput("financial remedy", "Pay £25", 2500, D(2026, 3, 10)),  # not yet due
            C.RemedyInput("amending a record", "Fix record", 0, D(2026, 2, 27)),  # done below
            C.RemedyInput("explanation or assistance", "Explain", 0, None),  # no date
        ],
        actions=[
            C.ActionInput("Replace window", "Repairs", D(2026, 2, 27)),
            C.ActionInput("Due today", "Repairs", TODAY),  # due today is not yet overdue
        ],
    )
    v = C.complaint_view(db, c.id)
    C.complete_remedy(db, v.remedies[2].id, D(2026, 2, 25))
    items = Q.overdue_follow_ups(db)
    assert [(i.kind, i.description, i.due) for i in items] == [
        ("remedy", "Late apology", D(2026, 2, 20)),
        ("action", "Replace window", D(2026, 2, 27)),
    ]
    assert all(i.reference == c.reference for i in items)
    C.complete_action(db, v.actions[0].id)
    assert [i.kind for i in Q.overdue_follow_ups(db)] == ["remedy"]


def test_reviews_due(db, setup):
    r = setup.resident
    due = R.add_adjustment(db, r, "Large print", D(2026, 3, 2), agreed_on=D(2025, 9, 1))
    R.add_adjustment(db, r, "Calls in the morning", D(2026, 3, 20), agreed_on=D(2025, 9, 1))
    ended = R.add_adjustment(db, r, "Interpreter", D(2026, 2, 1), agreed_on=D(2025, 9, 1))
    R.end_adjustment(db, ended.id, D(2026, 1, 15))
    restr = R.add_restriction(
        db, r, "Email only", "Threats to staff", D(2026, 2, 27), imposed_on=D(2025, 11, 27)
    )
    items = Q.reviews_due(db)
    assert [(i.kind, i.description) for i in items] == [
        ("adjustment review", "Large print"),
        ("restriction review", "Email only"),
    ]
    assert {i.reference for i in items} == {"Mrs Siân O'Brien"}
    assert len(Q.reviews_due(db, within_days=18)) == 3
    R.review_restriction(db, restr.id, D(2026, 8, 27))
    R.review_adjustment(db, due.id, D(2026, 9, 1))
    assert Q.reviews_due(db) == []
    # reviews are part of the follow-ups list too
    assert [i.kind for i in Q.overdue_follow_ups(db, review_horizon_days=18)] == ["adjustment review"]


def test_worklist_gives_each_item_a_kind(db, work):
    from smallhousing.services.worklist import worklist

    items = {i.reference: i for i in worklist(db)}
    assert items[work["a"]].kind == "stage1-acknowledgement"
    assert items[work["d"]].kind == "stage1-response"
    assert items[work["d"]].as_dict()["kind"] == "stage1-response"
    assert {i.entity for i in items.values()} == {"complaint"}
    soon = worklist(db, within_working_days=2)
    # letters not sent come first whatever their date; then the deadlines within 2 working days
    assert [i.reference for i in soon if i.kind != "letter-not-sent"] == [work["a"], work["b"]]
    assert soon[0].kind == "letter-not-sent"
    assert len(worklist(db, limit=3)) == 3
