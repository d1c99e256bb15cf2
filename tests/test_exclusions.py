"""Section 2 exclusions done properly, who decided a refusal, and 6.13 judged by person."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlmodel import select

from smallhousing.domain import lifecycle as L
from smallhousing.domain.errors import DomainError
from smallhousing.services import complaints as C
from smallhousing.services import settings as S
from smallhousing.services.base import reading
from smallhousing.store.models import AuditEntry, Complaint, HandlerAssignment

D = dt.date
TODAY = D(2026, 3, 2)
OLD = "older than 12 months"


def _log(db, setup, received=D(2026, 2, 2), **kw):
    return C.log_complaint(
        db, setup.resident, received, "The kitchen tap has leaked for weeks.", channel="phone", **kw
    )


def _assignments(db, cid):
    with reading(db) as u:
        return [
            (a.stage, a.staff_id, a.assigned_on, a.ended_on, a.reason)
            for a in u.session.exec(
                select(HandlerAssignment)
                .where(HandlerAssignment.complaint_id == cid)
                .order_by(HandlerAssignment.id)
            ).all()
        ]


def _audit_notes(db, cid):
    with reading(db) as u:
        return [
            (e.action, json.loads(e.after or "{}"))
            for e in u.session.exec(select(AuditEntry).where(AuditEntry.complaint_id == cid)).all()
        ]


# domain: the 12-month ground ---------------------------------------------------------------------


def test_twelve_months_ground_needs_a_date_to_judge_by():
    with pytest.raises(DomainError, match="arose|aware"):
        L.check_exclusion(
            OLD, "It is old.", received_on=D(2026, 2, 2), discretion_note="We considered taking it on anyway."
        )


@pytest.mark.parametrize(
    "arose, aware",
    [
        (D(2025, 6, 1), None),  # arose 8 months before
        (D(2024, 1, 1), D(2025, 3, 1)),  # arose long ago, but the resident learnt of it 11 months ago
        (None, D(2025, 2, 2)),  # exactly 12 months: still within
    ],
)
def test_twelve_months_ground_refused_when_made_within_twelve_months(arose, aware):
    with pytest.raises(DomainError, match="12 months"):
        L.check_exclusion(
            OLD,
            "It is old.",
            received_on=D(2026, 2, 2),
            issue_arose_on=arose,
            aware_on=aware,
            discretion_note="We considered taking it on anyway.",
        )


def test_twelve_months_ground_needs_a_note_that_discretion_was_considered():
    with pytest.raises(DomainError, match="discretion"):
        L.check_exclusion(OLD, "It is old.", received_on=D(2026, 2, 2), issue_arose_on=D(2024, 1, 1))
    with pytest.raises(DomainError, match="discretion"):
        L.check_exclusion(
            OLD,
            "It is old.",
            received_on=D(2026, 2, 2),
            issue_arose_on=D(2024, 1, 1),
            discretion_note=" ... ",
        )
    assert L.check_exclusion(
        OLD,
        "It is old.",
        received_on=D(2026, 2, 2),
        issue_arose_on=D(2024, 1, 1),
        aware_on=D(2025, 2, 1),
        discretion_note="Nothing suggests it could not have been raised sooner.",
    ) == (OLD, "It is old.")


def test_other_grounds_need_no_dates():
    assert L.check_exclusion("legal proceedings", "A claim was filed.") == (
        "legal proceedings",
        "A claim was filed.",
    )


def test_section2_dates_are_checked():
    with pytest.raises(DomainError, match="aware"):
        L.check_section2_dates(D(2025, 5, 1), D(2025, 4, 1), D(2026, 2, 2))
    with pytest.raises(DomainError, match="after"):
        L.check_section2_dates(D(2026, 2, 3), None, D(2026, 2, 2))
    L.check_section2_dates(None, None, D(2026, 2, 2))
    L.check_section2_dates(D(2025, 5, 1), D(2025, 5, 1), D(2026, 2, 2))


# services: recording the dates and refusing ------------------------------------------------------


def test_log_complaint_records_when_the_issue_arose_and_was_known(db, setup):
    c = _log(db, setup, issue_arose_on=D(2025, 1, 10), aware_on=D(2025, 3, 1))
    assert (c.issue_arose_on, c.aware_on) == (D(2025, 1, 10), D(2025, 3, 1))
    with pytest.raises(DomainError):
        _log(db, setup, issue_arose_on=D(2026, 2, 20))  # after the complaint was received


def test_refusing_as_too_old_uses_the_recorded_dates(db, setup):
    c = _log(db, setup, issue_arose_on=D(2025, 6, 1))
    with pytest.raises(DomainError, match="12 months"):
        C.refuse(db, c.id, OLD, "It is old.", decided_by=setup.bilal, discretion_note="We thought about it.")
    c2 = _log(db, setup)
    with pytest.raises(DomainError, match="arose|aware"):
        C.refuse(db, c2.id, OLD, "It is old.", decided_by=setup.bilal, discretion_note="We thought about it.")
    # the dates can be given at refusal
    c2 = C.refuse(
        db,
        c2.id,
        OLD,
        "The leak was fixed in 2023.",
        decided_by=setup.bilal,
        issue_arose_on=D(2023, 5, 1),
        aware_on=D(2023, 5, 1),
        discretion_note="Nothing kept the resident from raising it sooner.",
        on=D(2026, 2, 3),
    )
    assert c2.state == L.REFUSED and c2.refused_by_id == setup.bilal
    assert c2.issue_arose_on == D(2023, 5, 1) and "sooner" in c2.discretion_note
    after = [a for (n, a) in _audit_notes(db, c2.id) if n == "complaint refused"][0]
    assert after["refused_by_id"] == setup.bilal and after["discretion_note"]


def test_refusal_records_who_decided(db, setup):
    c = _log(db, setup)
    with pytest.raises(DomainError, match="who"):
        C.refuse(db, c.id, "legal proceedings", "A claim was filed.")
    with pytest.raises(DomainError, match="no member of staff"):
        C.refuse(db, c.id, "legal proceedings", "A claim was filed.", decided_by=999)
    S.update_staff(db, setup.cerys, active=False)
    with pytest.raises(DomainError, match="no longer active"):
        C.refuse(db, c.id, "legal proceedings", "A claim was filed.", decided_by=setup.cerys)
    c = C.refuse(db, c.id, "legal proceedings", "A claim was filed.", decided_by=setup.alice)
    assert c.refused_by_id == setup.alice


def test_escalation_refusal_records_who_decided(db, setup):
    c = _log(db, setup)
    C.acknowledge(db, c.id, "Leaking tap.", handler_id=setup.alice, on=D(2026, 2, 3))
    C.respond(db, c.id, "upheld", "Late repair.", remedy_statement="An apology.", on=D(2026, 2, 10))
    with pytest.raises(DomainError, match="who"):
        C.refuse_escalation(db, c.id, "already considered", "Nothing new.")
    c = C.refuse_escalation(db, c.id, "already considered", "Nothing new.", decided_by=setup.bilal)
    assert c.escalation_refused_by_id == setup.bilal
    after = [a for (n, a) in _audit_notes(db, c.id) if n == "escalation refused"][0]
    assert after["escalation_refused_by_id"] == setup.bilal


def test_refused_after_acknowledgement_closes_the_deadline_and_keeps_the_letter(db, setup):
    from smallhousing.services import letters

    c = _log(db, setup)
    C.acknowledge(db, c.id, "Leaking tap.", handler_id=setup.alice, on=D(2026, 2, 3))
    assert C.complaint_view(db, c.id).complaint.next_due_on is not None
    c = C.refuse(
        db,
        c.id,
        "legal proceedings",
        "A disrepair claim was filed at court on 20 Feb.",
        decided_by=setup.bilal,
        on=D(2026, 2, 24),
    )
    assert c.state == L.REFUSED and c.next_due_on is None and c.next_step == ""
    kinds = {k.kind: k for k in letters.available_kinds(db, c.id)}
    assert kinds["refusal"].available, kinds["refusal"].reason


def test_no_refusal_after_a_response(db, setup):
    c = _log(db, setup)
    C.acknowledge(db, c.id, "Leaking tap.", handler_id=setup.alice, on=D(2026, 2, 3))
    C.respond(db, c.id, "upheld", "Late repair.", remedy_statement="An apology.", on=D(2026, 2, 10))
    with pytest.raises(DomainError, match="answered"):
        C.refuse(db, c.id, "legal proceedings", "A claim.", decided_by=setup.bilal)


# 6.13 by person ----------------------------------------------------------------------------------


def test_acknowledge_and_request_stage2_record_handler_history(db, setup):
    c = _log(db, setup)
    C.acknowledge(db, c.id, "Leaking tap.", handler_id=setup.alice, on=D(2026, 2, 3))
    assert _assignments(db, c.id) == [(1, setup.alice, D(2026, 2, 3), None, "")]
    C.respond(db, c.id, "upheld", "Late repair.", remedy_statement="An apology.", on=D(2026, 2, 10))
    C.request_stage2(db, c.id, handler_id=setup.bilal, on=D(2026, 2, 11))
    assert _assignments(db, c.id)[-1] == (2, setup.bilal, D(2026, 2, 11), None, "")
    C.acknowledge(db, c.id, "Still unhappy.", on=D(2026, 2, 12))
    assert len(_assignments(db, c.id)) == 2  # the same handler: nothing new


def test_reassign_handler_keeps_the_history_and_is_audited(db, setup):
    c = _log(db, setup)
    C.acknowledge(db, c.id, "Leaking tap.", handler_id=setup.alice, on=D(2026, 2, 3))
    with pytest.raises(DomainError, match="reason"):
        C.reassign_handler(db, c.id, setup.bilal, "  ")
    with pytest.raises(DomainError, match="already"):
        C.reassign_handler(db, c.id, setup.alice, "Swap.")
    c = C.reassign_handler(db, c.id, setup.bilal, "Alice is on long-term leave.", on=D(2026, 2, 5))
    assert c.handler_id == setup.bilal
    assert C.complaint_view(db, c.id).stage(1).stage.handler_id == setup.bilal
    assert _assignments(db, c.id) == [
        (1, setup.alice, D(2026, 2, 3), D(2026, 2, 5), ""),
        (1, setup.bilal, D(2026, 2, 5), None, "Alice is on long-term leave."),
    ]
    assert any(n.startswith("stage 1 handler changed") for (n, _) in _audit_notes(db, c.id))


def test_stage2_handler_cannot_be_anyone_who_handled_stage1(db, setup):
    c = _log(db, setup)
    C.acknowledge(db, c.id, "Leaking tap.", handler_id=setup.alice, on=D(2026, 2, 3))
    C.reassign_handler(db, c.id, setup.bilal, "Alice moved team.", on=D(2026, 2, 4))
    C.respond(db, c.id, "upheld", "Late repair.", remedy_statement="An apology.", on=D(2026, 2, 10))
    with pytest.raises(DomainError, match="6.13") as e:
        C.request_stage2(db, c.id, handler_id=setup.alice, on=D(2026, 2, 11))
    assert "Alice Adams" in str(e.value)
    C.request_stage2(db, c.id, on=D(2026, 2, 11))
    with pytest.raises(DomainError, match="6.13"):
        C.acknowledge(db, c.id, "Still unhappy.", handler_id=setup.alice, on=D(2026, 2, 12))
    with pytest.raises(DomainError, match="6.13"):
        C.reassign_handler(db, c.id, setup.alice, "Cover.", on=D(2026, 2, 12))
    C.acknowledge(db, c.id, "Still unhappy.", handler_id=setup.cerys, on=D(2026, 2, 12))


def test_no_reassignment_once_finished(db, setup):
    c = _log(db, setup)
    C.withdraw(db, c.id, "Sorted.", on=D(2026, 2, 3))
    with pytest.raises(DomainError):
        C.reassign_handler(db, c.id, setup.bilal, "Cover.")


# staff who leave and come back -------------------------------------------------------------------


def test_adding_back_someone_who_left_offers_reactivation(db, setup):
    S.update_staff(db, setup.alice, active=False)
    with pytest.raises(DomainError, match="reactivate") as e:
        S.add_staff(db, "  alice   ADAMS ")
    assert getattr(e.value, "staff_id", None) == setup.alice
    assert len(S.list_staff(db, active_only=False)) == 3
    row = S.reactivate_staff(db, setup.alice)
    assert row.active and row.id == setup.alice
    with pytest.raises(DomainError, match="already"):
        S.reactivate_staff(db, setup.alice)
    with reading(db) as u:
        assert u.session.exec(select(AuditEntry).where(AuditEntry.action == "staff reactivated")).first()


def test_active_duplicate_is_refused_whatever_the_spacing(db, setup):
    with pytest.raises(DomainError, match="already"):
        S.add_staff(db, "bilal  bashir")


def test_a_complaint_row_is_still_readable(db, setup):
    c = _log(db, setup)
    with reading(db) as u:
        assert u.session.get(Complaint, c.id).discretion_note == ""


# import and export -------------------------------------------------------------------------------

IMPORT_HEADER = (
    "reference,received_on,resident_name,address,refused_on,refusal_reason,stage1_handler,"
    "issue_arose_on,aware_on"
)


def _csv(*rows):
    return ("\r\n".join([IMPORT_HEADER, *rows]) + "\r\n").encode("utf-8")


def test_import_reads_the_section2_dates_and_who_refused(db, tmp_path):
    from smallhousing.services import transfer as T

    T.import_csv(
        db,
        _csv(
            "A-1,2026-02-02,Ann Bell,1 Lane,2026-02-03,older than 12 months: The leak was in 2023.,"
            "Dai Evans,2023-05-01,2023-05-10",
            "A-2,2026-02-02,Ann Bell,1 Lane,2026-02-03,legal proceedings: Claim filed.,,,",
            "A-3,2026-02-02,Ann Bell,1 Lane,,,,2025-12-01,",
        ),
    )
    a1, a2, a3 = (C.complaint_view(db, r).complaint for r in ("A-1", "A-2", "A-3"))
    staff = {s.id: s.name for s in S.list_staff(db)}
    assert (a1.issue_arose_on, a1.aware_on) == (D(2023, 5, 1), D(2023, 5, 10))
    assert staff[a1.refused_by_id] == "Dai Evans" and a1.discretion_note
    assert staff[a2.refused_by_id] == "Imported"
    assert a3.issue_arose_on == D(2025, 12, 1) and a3.aware_on is None
    out = tmp_path / "log.csv"
    T.export_csv(db, out)
    text = out.read_text(encoding="utf-8-sig")
    header = text.splitlines()[0].split(",")
    assert header[-2:] == ["issue_arose_on", "aware_on"] or {"issue_arose_on", "aware_on"} <= set(header)
    assert "2023-05-01,2023-05-10" in text


def test_import_refuses_a_too_old_refusal_the_dates_do_not_support(db):
    from smallhousing.services import transfer as T

    with pytest.raises(T.ImportProblems) as e:
        T.import_csv(
            db,
            _csv(
                "A-1,2026-02-02,Ann Bell,1 Lane,2026-02-03,older than 12 months: Old.,,2025-06-01,",
                "A-2,2026-02-02,Ann Bell,1 Lane,2026-02-03,older than 12 months: Old.,,,",
            ),
        )
    problems = {(p.line, p.column) for p in e.value.problems}
    assert (2, "refusal_reason") in problems or (2, "issue_arose_on") in problems
    assert (3, "issue_arose_on") in problems


# upgrading from 0004 fills the handler history -----------------------------------------------------


def test_upgrade_from_0004_fills_handler_history(tmp_path):
    import sqlite3

    from smallhousing.store import migrate
    from smallhousing.store.db import Database

    path = tmp_path / "old.db"
    old = Database(path, actor="tester", today=TODAY).open(migrate=False)
    migrate.upgrade(old, fresh=True, to="0004_stage_dates")
    old.close()
    with sqlite3.connect(str(path)) as con:
        assert "issue_arose_on" not in {r[1] for r in con.execute("PRAGMA table_info(complaint)")}
        con.execute(
            "INSERT INTO staff (id, name, role, email, active) VALUES "
            "(1, 'Ann', '', '', 1), (2, 'Ben', '', '', 1)"
        )
        rcols = [r for r in con.execute("PRAGMA table_info(resident)")]
        # every NOT NULL column without a default gets an empty value
        names = [r[1] for r in rcols if r[3] and r[4] is None and r[1] != "id"]
        vals = ["'Mrs Rees'" if n == "name" else "''" for n in names]
        con.execute(f"INSERT INTO resident (id, {', '.join(names)}) VALUES (1, {', '.join(vals)})")
    with sqlite3.connect(str(path)) as con:
        con.execute(
            "INSERT INTO complaint (id, reference, resident_id, channel, received_on, "
            "description, outcome_sought, categories, vulnerable, rule_set, state, stage, "
            "acceptance, exclusion_ground, exclusion_reason, escalation_refusal_ground, "
            "escalation_refusal_reason, withdrawn_reason, next_step, search_text) VALUES "
            "(1, '2026-0001', 1, 'phone', '2026-01-05', 'Leak', '', '', 0, '2024', "
            "'stage 2 acknowledged', 2, 'accepted', '', '', '', '', '', '', '')"
        )
        con.execute(
            "INSERT INTO stage (complaint_id, number, requested_on, acknowledged_on, definition, "
            "responsible_for, not_responsible_for, handler_id, responded_on, decision, reasons, "
            "remedy_statement, actions_statement) VALUES "
            "(1, 1, '2026-01-05', '2026-01-06', 'd', '', '', 1, '2026-01-12', 'upheld', 'r', 'x', 'y'),"
            "(1, 2, '2026-01-14', '2026-01-15', 'd', '', '', 2, NULL, '', '', '', '')"
        )
    db = Database(path, actor="tester", today=TODAY).open()
    try:
        with reading(db) as u:
            rows = sorted(
                (a.stage, a.staff_id, a.assigned_on, a.ended_on)
                for a in u.session.exec(select(HandlerAssignment)).all()
            )
        assert rows == [(1, 1, D(2026, 1, 6), None), (2, 2, D(2026, 1, 15), None)]
        # and 6.13 now sees Ann as a stage 1 handler
        with pytest.raises(DomainError, match="6.13"):
            C.reassign_handler(db, 1, 1, "Cover while Ben is away.")
    finally:
        db.close()
