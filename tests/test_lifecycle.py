"""A complaint's life: every action in every state, allowed or refused, in the domain and services."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from smallhousing.domain import lifecycle as L
from smallhousing.domain.calendar import WorkingCalendar
from smallhousing.domain.errors import DomainError
from smallhousing.services import complaints as C
from smallhousing.services import residents, settings
from smallhousing.store.db import Database

D = dt.date
TODAY = D(2026, 3, 2)
ACTIONS = tuple(L.ACTION_NAMES)

# The expected table: for each state, the actions allowed and the state each leads to.
# "closed after stage 1" may still be escalated (the resident asks after closure); once stage 2
# has been answered there is nowhere further to go inside the landlord (no third stage, 5.3).
EXPECTED: dict[str, dict[str, str]] = {
    "received": {
        "refuse": L.REFUSED,
        "acknowledge": L.S1_ACKNOWLEDGED,
        "withdraw": L.WITHDRAWN,
        "fold": L.RECEIVED,
    },
    "refused": {},
    # refused after acknowledgement when a section 2 ground appears mid-case (court proceedings)
    "stage 1 acknowledged": {
        "refuse": L.REFUSED,
        "extend": L.S1_ACKNOWLEDGED,
        "respond": L.S1_RESPONDED,
        "withdraw": L.WITHDRAWN,
        "fold": L.S1_ACKNOWLEDGED,
    },
    "stage 1 responded": {
        "request_stage2": L.S2_REQUESTED,
        "refuse_escalation": L.ESCALATION_REFUSED,
        "close": L.CLOSED,
        "withdraw": L.WITHDRAWN,
    },
    "stage 2 requested": {
        "acknowledge": L.S2_ACKNOWLEDGED,
        "refuse_escalation": L.ESCALATION_REFUSED,
        "withdraw": L.WITHDRAWN,
    },
    "stage 2 acknowledged": {"extend": L.S2_ACKNOWLEDGED, "respond": L.S2_RESPONDED, "withdraw": L.WITHDRAWN},
    "stage 2 responded": {"close": L.CLOSED},
    "escalation refused": {"close": L.CLOSED},
    "closed after stage 1": {"request_stage2": L.S2_REQUESTED},
    "closed after stage 2": {},
    "withdrawn": {},
}
STATE_OF = {label: (L.CLOSED if label.startswith("closed") else label) for label in EXPECTED}
ANSWERED = {"closed after stage 1": 1, "closed after stage 2": 2}
CASES = [(label, action) for label in EXPECTED for action in ACTIONS]


def test_every_state_is_in_the_table():
    assert set(STATE_OF.values()) == set(L.STATES)


# domain ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("label, action", CASES)
def test_domain_transition(label, action):
    state, answered = STATE_OF[label], ANSWERED.get(label, 0)
    expected = EXPECTED[label].get(action)
    if expected is None:
        with pytest.raises(DomainError) as e:
            L.next_state(state, action, stages_answered=answered)
        assert str(e.value).startswith("Cannot ")
        assert "\n" not in str(e.value)
    else:
        assert L.next_state(state, action, stages_answered=answered) == expected


@pytest.mark.parametrize("label", list(EXPECTED))
def test_allowed_actions_match_table(label):
    assert set(L.allowed_actions(STATE_OF[label], ANSWERED.get(label, 0))) == set(EXPECTED[label])


def test_unknown_state_or_action_is_refused():
    with pytest.raises(DomainError):
        L.next_state("pending", "close")
    with pytest.raises(DomainError):
        L.next_state(L.RECEIVED, "reopen")


def test_open_and_finished_states_partition_states():
    assert set(L.OPEN_STATES) | set(L.FINISHED_STATES) == set(L.STATES)
    assert not set(L.OPEN_STATES) & set(L.FINISHED_STATES)


@pytest.mark.parametrize(
    "decision, reasons, ok",
    [
        ("upheld", "The repair was late.", True),
        ("Partly Upheld", "Some of it.", True),
        (" not upheld ", "We did as agreed.", True),
        ("", "reasons", False),
        ("rejected", "reasons", False),
        ("upheld", "", False),
        ("upheld", "   ", False),
        (None, None, False),
    ],
)
def test_a_response_needs_a_decision_and_reasons(decision, reasons, ok):
    if ok:
        d, r = L.check_decision(decision, reasons)
        assert d in L.DECISIONS and r == reasons.strip()
    else:
        with pytest.raises(DomainError):
            L.check_decision(decision, reasons)


def test_stage2_handler_must_differ():
    L.check_stage2_handler({1}, 2)
    L.check_stage2_handler(set(), 2)
    with pytest.raises(DomainError, match="6.13") as e:
        L.check_stage2_handler({1}, 1, "Alice Adams")
    assert "Alice Adams" in str(e.value)
    with pytest.raises(DomainError):
        L.check_stage2_handler({1}, None)


def test_stage2_handler_differs_from_everyone_who_handled_stage1():
    # Alice handled stage 1 first, then Bilal took over: neither may consider stage 2 (6.13)
    with pytest.raises(DomainError, match="6.13"):
        L.check_stage2_handler({1, 2}, 1, "Alice Adams")
    with pytest.raises(DomainError, match="6.13"):
        L.check_stage2_handler({1, 2}, 2)
    L.check_stage2_handler({1, 2}, 3)


def test_dates_are_checked():
    today = D(2026, 3, 2)
    assert L.check_date(D(2026, 3, 2), today, what="x") == D(2026, 3, 2)
    with pytest.raises(DomainError, match="future"):
        L.check_date(D(2026, 3, 3), today, what="acknowledgement")
    with pytest.raises(DomainError, match="before the stage 1 request"):
        L.check_date(
            D(2026, 2, 1),
            today,
            what="acknowledgement",
            not_before=D(2026, 2, 2),
            not_before_what="stage 1 request",
        )
    with pytest.raises(DomainError):
        L.check_date(None, today, what="acknowledgement")
    with pytest.raises(DomainError):
        L.check_date(dt.datetime(2026, 3, 1, 9, 0), today, what="acknowledgement")


# services: the same table, acted out on real records ---------------------------------------------


def _build(u_db, ids) -> dict[str, int]:
    """One complaint in each state, every step dated before TODAY."""
    made: dict[str, int] = {}
    a, b = ids["alice"], ids["bilal"]
    res = ids["resident"]

    def new(label):
        c = C.log_complaint(u_db, res, D(2026, 2, 2), f"Complaint in state {label}", channel="phone")
        made[label] = c.id
        return c.id

    new("received")
    C.refuse(u_db, new("refused"), "already considered", "Answered in 2025.", on=D(2026, 2, 3), decided_by=b)

    def s1_ack(label):
        cid = new(label)
        C.acknowledge(u_db, cid, "The boiler repair was late.", handler_id=a, on=D(2026, 2, 3))
        return cid

    def s1_resp(label):
        cid = s1_ack(label)
        C.respond(
            u_db, cid, "upheld", "The repair was late.", remedy_statement="An apology.", on=D(2026, 2, 10)
        )
        return cid

    def s2_req(label):
        cid = s1_resp(label)
        C.request_stage2(u_db, cid, on=D(2026, 2, 12))
        return cid

    def s2_ack(label):
        cid = s2_req(label)
        C.acknowledge(u_db, cid, "Still unhappy with the apology.", handler_id=b, on=D(2026, 2, 13))
        return cid

    def s2_resp(label):
        cid = s2_ack(label)
        C.respond(
            u_db,
            cid,
            "partly upheld",
            "The apology stands; we add a payment.",
            remedy_statement="A payment of 50 pounds.",
            on=D(2026, 2, 20),
        )
        return cid

    s1_ack("stage 1 acknowledged")
    s1_resp("stage 1 responded")
    s2_req("stage 2 requested")
    s2_ack("stage 2 acknowledged")
    s2_resp("stage 2 responded")
    C.refuse_escalation(
        u_db,
        s1_resp("escalation refused"),
        "already considered",
        "Nothing new was raised.",
        on=D(2026, 2, 12),
        decided_by=b,
    )
    C.close(u_db, s1_resp("closed after stage 1"), on=D(2026, 2, 12))
    C.close(u_db, s2_resp("closed after stage 2"), on=D(2026, 2, 23))
    C.withdraw(u_db, s1_ack("withdrawn"), "Resolved with the resident.", on=D(2026, 2, 5))
    return made


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("lifecycle") / "states.db"
    db = Database(path, actor="tester", today=TODAY).open()
    ids = {
        "alice": settings.add_staff(db, "Alice Adams").id,
        "bilal": settings.add_staff(db, "Bilal Bashir").id,
        "resident": residents.add_resident(db, "Mr Tomos Price").id,
    }
    made = _build(db, ids)
    db.close()
    return path, made, ids


@pytest.fixture
def states_db(template, tmp_path):
    path, made, ids = template
    target = tmp_path / "states.db"
    src, dst = sqlite3.connect(str(path)), sqlite3.connect(str(target))
    src.backup(dst)
    src.close()
    dst.close()
    db = Database(target, actor="tester", today=TODAY).open()
    yield db, made, ids
    db.close()


def test_template_states(states_db):
    db, made, _ = states_db
    for label, cid in made.items():
        assert C.complaint_view(db, cid).complaint.state == STATE_OF[label]


def _do(db, cid: int, action: str, ids) -> None:
    if action == "refuse":
        C.refuse(
            db,
            cid,
            "legal proceedings",
            "A disrepair claim has been filed at court.",
            decided_by=ids["alice"],
        )
    elif action == "acknowledge":
        stage = C.complaint_view(db, cid).complaint.stage
        C.acknowledge(
            db,
            cid,
            "What the resident wants put right.",
            handler_id=ids["bilal"] if stage == 2 else ids["alice"],
        )
    elif action == "extend":
        v = C.complaint_view(db, cid)
        current = v.current.deadlines.final_respond_by if v.current else TODAY
        C.extend(db, cid, WorkingCalendar().add(current, 1).due, "Waiting for a surveyor.")
    elif action == "respond":
        C.respond(
            db,
            cid,
            "not upheld",
            "The repair was within our timescale.",
            remedy_statement="No remedy is offered.",
        )
    elif action == "request_stage2":
        C.request_stage2(db, cid)
    elif action == "refuse_escalation":
        C.refuse_escalation(
            db, cid, "legal proceedings", "A claim has been filed at court.", decided_by=ids["bilal"]
        )
    elif action == "close":
        C.close(db, cid)
    elif action == "withdraw":
        C.withdraw(db, cid, "The resident no longer wishes to go on.")
    elif action == "fold":
        C.fold_additional_complaint(db, cid, "The bins were not collected either.")
    else:  # pragma: no cover
        raise AssertionError(action)


def _audit_count(db) -> int:
    with db.raw() as con:
        return con.execute("SELECT count(*) FROM audit_entry").fetchone()[0]


@pytest.mark.parametrize("label, action", CASES)
def test_service_transition(states_db, label, action):
    db, made, ids = states_db
    cid = made[label]
    expected = EXPECTED[label].get(action)
    before_state = C.complaint_view(db, cid).complaint.state
    before_audit = _audit_count(db)
    if expected is None:
        with pytest.raises(DomainError) as e:
            _do(db, cid, action, ids)
        message = str(e.value)
        assert message and "\n" not in message and "Traceback" not in message
        # refused: nothing written
        assert C.complaint_view(db, cid).complaint.state == before_state
        assert _audit_count(db) == before_audit
    else:
        _do(db, cid, action, ids)
        c = C.complaint_view(db, cid).complaint
        assert c.state == expected
        assert _audit_count(db) > before_audit
