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
    return C.log_complaint(db, setup.resident, received, "The kitchen tap has leaked for weeks.",
                           channel="phone", **kw)


def _assignments(db, cid):
    with reading(db) as u:
        return [(a.stage, a.staff_id, a.assigned_on, a.ended_on, a.reason) for a in
                u.s.exec(select(HandlerAssignment).where(HandlerAssignment.complaint_id == cid)
                         .order_by(HandlerAssignment.id)).all()]


def _audit_notes(db, cid):
    with reading(db) as u:
        return [(e.action, json.loads(e.after or "{}")) for e in
                u.s.exec(select(AuditEntry).where(AuditEntry.complaint_id == cid)).all()]


# domain: the 12-month ground ---------------------------------------------------------------------

def test_twelve_months_ground_needs_a_date_to_judge_by():
    with pytest.raises(DomainError, match="arose|aware"):
        L.check_exclusion(OLD, "It is old.", received_on=D(2026, 2, 2),
                          discretion_note="We considered taking it on anyway.")


@pytest.mark.parametrize("arose, aware", [
    (D(2025, 6, 1), None),            # arose 8 months before
    (D(2024, 1, 1), D(2025, 3, 1)),   # arose long ago, but the resident learnt of it 11 months ago
    (None, D(2025, 2, 2)),            # exactly 12 months: still within
])
def test_twelve_months_ground_refused_when_made_within_twelve_months(arose, aware):
    with pytest.raises(DomainError, match="12 months"):
        L.check_exclusion(OLD, "It is old.", received_on=D(2026, 2, 2), issue_arose_on=arose,
                          aware_on=aware, discretion_note="We considered taking it on anyway.")


def test_twelve_months_ground_needs_a_note_that_discretion_was_considered():
    with pytest.raises(DomainError, match="discretion"):
        L.check_exclusion(OLD, "It is old.", received_on=D(2026, 2, 2), issue_arose_on=D(2024, 1, 1))
    with pytest.raises(DomainError, match="discretion"):
        L.check_exclusion(OLD, "It is old.", received_on=D(2026, 2, 2), issue_arose_on=D(2024, 1, 1),
                          discretion_note=" ... ")
    assert L.check_exclusion(OLD, "It is old.", received_on=D(2026, 2, 2),
                             issue_arose_on=D(2024, 1, 1), aware_on=D(2025, 2, 1),
                             discretion_note="Nothing suggests it could not have been raised sooner."
                             ) == (OLD, "It is old.")


def test_other_grounds_need_no_dates():
    assert L.check_exclusion("legal proceedings", "A claim was filed.") == \
        ("legal proceedings", "A claim was filed.")


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
        C.refuse(db, c.id, OLD, "It is old.", decided_by=setup.bilal,
                 discretion_note="We thought about it.")
    c2 = _log(db, setup)
    with pytest.raises(DomainError, match="arose|aware"):
        C.refuse(db, c2.id, OLD, "It is old.", decided_by=setup.bilal,
                 discretion_note="We thought about it.")
    # the dates can be given at refusal
    c2 = C.refuse(db, c2.id, OLD, "The leak was fixed in 2023.", decided_by=setup.bilal,
                  issue_arose_on=D(2023, 5, 1), aware_on=D(2023, 5, 1),
                  discretion_note="Nothing kept the resident from raising it sooner.",
                  on=D(2026, 2, 3))
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
    c = C.refuse(db, c.id, "legal proceedings", "A disrepair claim was filed at court on 20 Feb.",
                 decided_by=setup.bilal, on=D(2026, 2, 24))
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
        (1, setup.bilal, D(2026, 2, 5), None, "Alice is on long-term leave.")]
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
        assert u.s.exec(select(AuditEntry).where(AuditEntry.action == "staff reactivated")).first()


def test_active_duplicate_is_refused_whatever_the_spacing(db, setup):
    with pytest.raises(DomainError, match="already"):
        S.add_staff(db, "bilal  bashir")


def test_a_complaint_row_is_still_readable(db, setup):
    c = _log(db, setup)
    with reading(db) as u:
        assert u.s.get(Complaint, c.id).discretion_note == ""
