"""Random sequences of user actions never leave a complaint in an invalid state, a refused action
changes nothing, and the audit log accounts for every change."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smallhousing.domain import lifecycle as L
from smallhousing.domain.errors import DomainError
from smallhousing.services import complaints as C
from smallhousing.services import residents
from smallhousing.services import settings as S
from smallhousing.store.db import Database

TODAY = dt.date(2026, 3, 2)
START = dt.date(2026, 1, 5)

ACTIONS = st.sampled_from(
    [
        "acknowledge",
        "extend",
        "respond",
        "request_stage2",
        "refuse",
        "refuse_escalation",
        "close",
        "withdraw",
        "fold",
        "accept",
    ]
)
STEP = st.tuples(ACTIONS, st.integers(min_value=-3, max_value=40), st.integers(0, 2), st.booleans())


def _snapshot(path):
    con = sqlite3.connect(str(path))
    try:
        tables = [
            "complaint",
            "stage",
            "extension",
            "remedy",
            "outstanding_action",
            "correspondence",
            "audit_entry",
        ]
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in tables}
    finally:
        con.close()


def _apply(db, cid, action, day, handler, flag):
    if action == "acknowledge":
        C.acknowledge(
            db, cid, "What the resident is unhappy about" if flag else "", handler_id=handler, on=day
        )
    elif action == "extend":
        C.extend(
            db,
            cid,
            day + dt.timedelta(days=20 if flag else 60),
            "Waiting for a survey",
            good_reason="" if flag else "Specialist needed",
            on=day,
        )
    elif action == "respond":
        C.respond(
            db,
            cid,
            "partly upheld" if flag else "maybe",
            "Reasons given",
            remedy_statement="No remedy is offered.",
            on=day,
        )
    elif action == "request_stage2":
        C.request_stage2(db, cid, on=day, handler_id=handler if flag else None)
    elif action == "refuse":
        C.refuse(
            db,
            cid,
            "older than 12 months" if flag else "bad ground",
            "It is from 2019",
            on=day,
            decided_by=handler,
            issue_arose_on=dt.date(2019, 1, 7),
            discretion_note="Considered; no reason it could not be raised sooner.",
        )
    elif action == "refuse_escalation":
        C.refuse_escalation(db, cid, "legal proceedings", "Claim filed at court", on=day, decided_by=handler)
    elif action == "close":
        C.close(db, cid, on=day)
    elif action == "withdraw":
        C.withdraw(db, cid, "Resident asked to stop", on=day)
    elif action == "fold":
        C.fold_additional_complaint(db, cid, "Also the fence", received_on=day)
    elif action == "accept":
        C.accept(db, cid)


def _check_invariants(db, cid):
    v = C.complaint_view(db, cid)
    c = v.complaint
    assert c.state in L.STATES
    s1, s2 = v.stage(1), v.stage(2)
    assert s1 is not None
    if c.state not in (L.RECEIVED, L.REFUSED) and not (
        c.state == L.WITHDRAWN and not s1.stage.acknowledged_on
    ):
        assert s1.stage.acknowledged_on is not None
    if c.state in (L.S2_REQUESTED, L.S2_ACKNOWLEDGED, L.S2_RESPONDED) or (s2 is not None):
        assert s1.stage.responded_on is not None
    for sv in v.stages:
        s = sv.stage
        assert s.requested_on <= TODAY
        if s.acknowledged_on:
            assert s.requested_on <= s.acknowledged_on <= TODAY
        if s.responded_on:
            assert s.acknowledged_on and s.acknowledged_on <= s.responded_on <= TODAY
            assert s.decision in L.DECISIONS and s.reasons
        for e in sv.extensions:
            assert e.reason and (not e.beyond_cap or e.good_reason)
    if s1 and s2 and s1.stage.handler_id and s2.stage.handler_id:
        assert s1.stage.handler_id != s2.stage.handler_id
    if c.state in L.OPEN_STATES and c.state not in (L.S1_RESPONDED, L.S2_RESPONDED, L.ESCALATION_REFUSED):
        assert c.next_due_on is not None
    else:
        assert c.next_due_on is None


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, min_size=1, max_size=12))
def test_random_action_sequences_stay_valid(tmp_path_factory, steps):
    path = tmp_path_factory.mktemp("prop") / "p.db"
    db = Database(path, today=TODAY).open()
    try:
        staff = [S.add_staff(db, n).id for n in ("Ann", "Bryn", "Cai")]
        rid = residents.add_resident(db, "Resident").id
        cid = C.log_complaint(db, rid, START, "The fence fell down", channel="phone").id
        day = START
        for action, offset, who, flag in steps:
            day_try = day + dt.timedelta(days=offset)
            before = _snapshot(path)
            try:
                _apply(db, cid, action, day_try, staff[who], flag)
            except DomainError as exc:
                assert str(exc) and "\n" not in str(exc)
                assert _snapshot(path) == before, f"refused {action} changed the records"
            else:
                after = _snapshot(path)
                assert len(after["audit_entry"]) > len(before["audit_entry"]), action
                changed = [t for t in after if t != "audit_entry" and after[t] != before[t]]
                assert changed, f"{action} wrote an audit entry but changed nothing"
                day = max(day, min(day_try, TODAY))
            _check_invariants(db, cid)
    finally:
        db.close()
