"""Rows are written through the ORM's public API: ids come from the database, relationships work.

A Unit is a session and what the use cases share; new rows go in with ``session.add`` and take
their ids from SQLite when the session is flushed (by a use case that needs the id at once, or at
the end of the transaction). Nothing in the package reaches into SQLAlchemy's or SQLModel's
private names, so their next releases can be taken on as any other dependency.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from sqlmodel import select

import smallhousing
from smallhousing.services import complaints as C
from smallhousing.services import demo
from smallhousing.services import residents as R
from smallhousing.services import transfer as T
from smallhousing.services.base import Records, Unit, audit, reading, transaction
from smallhousing.services.verify import verify
from smallhousing.store import models as M


def _max_id(db, model) -> int:
    with reading(db) as u:
        return max(u.session.exec(select(model.id)).all(), default=0)


def test_no_private_names_of_the_orm_in_the_package():
    private = re.compile(
        r"_sa_class_manager|_modified_event|_check_configure|positiontup|"
        r"instance_state|make_transient_to_detached|\.impl\b|NO_VALUE"
    )
    root = Path(smallhousing.__file__).parent
    found = [
        f"{p.relative_to(root)}:{n}"
        for p in root.rglob("*.py")
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if private.search(line)
    ]
    assert found == []


def test_ids_come_from_the_database_when_a_row_is_flushed(db, setup):
    first = _max_id(db, M.Resident) + 1
    with transaction(db) as u:
        r = M.Resident(name="Cy Cedar", address="3 Road")
        u.session.add(r)
        assert r.id is None  # nothing is counted by hand
        audit(u, "resident added", r)
        u.session.flush()
        assert r.id == first
        a = R.add_resident(u, "Ann Ash", address="1 Road")
        assert a.id == first + 1  # a use case that hands a new row back gives it its id
        adj = M.Adjustment(
            resident_id=r.id,
            description="Large print",
            agreed_on=dt.date(2026, 1, 2),
            review_on=dt.date(2026, 6, 1),
        )
        u.session.add(adj)
        audit(u, "adjustment agreed", adj)  # noted before the row has its id
    assert adj.id is not None  # written, with its id, when the transaction ended
    with reading(db) as u:
        assert u.session.get(M.Resident, first).address == "3 Road"
        assert u.session.get(M.Adjustment, adj.id).resident_id == first
        entry = u.session.exec(select(M.AuditEntry).where(M.AuditEntry.action == "adjustment agreed")).one()
        assert entry.entity_id == adj.id and json.loads(entry.after)["id"] == adj.id
    assert verify(db).ok


def test_rows_made_earlier_in_a_unit_are_found_by_id_and_by_query(db, setup):
    with transaction(db) as u:
        b = R.add_resident(u, "Ben Birch", address="2 Road")
        c = C.log_complaint(u, b.id, dt.date(2026, 2, 2), "The lift is broken")
        assert c.resident_id == b.id and c.id is not None
        assert (
            C.acknowledge(u, c.id, "Lift repair", handler_id=setup.alice, on=dt.date(2026, 2, 3)).state
            == "stage 1 acknowledged"
        )
        one = C.log_service_request(u, b.id, dt.date(2026, 1, 5), "Fix the gate")
        two = C.log_service_request(u, b.id, dt.date(2026, 1, 6), "Fix the fence")
    assert (one.reference, two.reference) == ("SR-2026-0001", "SR-2026-0002")
    assert two.id == one.id + 1
    with reading(db) as u:
        logged = u.session.exec(select(M.AuditEntry).where(M.AuditEntry.action == "complaint logged")).one()
        assert (logged.entity_id, logged.complaint_id) == (c.id, c.id)
    assert verify(db).ok


def test_a_row_added_straight_to_the_session_takes_the_next_id(db, setup):
    c = C.log_complaint(db, setup.resident, dt.date(2026, 2, 2), "Noise from next door")
    with transaction(db) as u:
        note = C.add_note(u, c.id, "Phoned the resident", on=dt.date(2026, 2, 3))
        other = M.Correspondence(
            complaint_id=c.id,
            on=dt.date(2026, 2, 4),
            direction="note",
            summary="Written straight to the session",
        )
        u.session.add(other)
        later = C.add_note(u, c.id, "Wrote to the resident", on=dt.date(2026, 2, 5))
    assert [note.id, other.id, later.id] == [note.id, note.id + 1, note.id + 2]


def test_complaint_stages_and_stage_extensions_are_relationships(db, setup):
    c = C.log_complaint(db, setup.resident, dt.date(2026, 2, 2), "Damp in the bedroom")
    C.acknowledge(db, c.id, "Damp", handler_id=setup.alice, on=dt.date(2026, 2, 3))
    with transaction(db) as u:
        e = C.extend(
            u,
            c.id,
            dt.date(2026, 3, 2),
            "Waiting for a surveyor",
            resident_told=True,
            on=dt.date(2026, 2, 10),
        )
        row = u.get(M.Complaint, c.id, "complaint")
        assert [s.number for s in row.stages] == [1]
        assert row.stages[0].extensions == [e] and e.id is not None
    with reading(db) as u:
        row = u.get(M.Complaint, c.id, "complaint")
        st = row.stages[0]
        assert (st.complaint_id, st.number) == (c.id, 1)
        assert [x.id for x in st.extensions] == [e.id]
        assert "stages" not in row.model_dump()  # audit snapshots hold the row's own fields
    assert verify(db).ok


def test_import_into_a_database_with_records_continues_every_table(demo_db):
    before = {m: _max_id(demo_db, m) for m in (M.Complaint, M.Resident, M.Remedy)}
    data = (
        "reference,received_on,resident_name,address,stage1_handler,stage1_acknowledged_on,"
        "stage1_responded_on,stage1_decision,stage1_reasons,remedy,compensation_gbp\r\n"
        "N-1,2026-01-05,Nia New,9 Lane,Nia Handler,2026-01-06,2026-01-12,upheld,Late,,50\r\n"
        "N-2,2026-01-07,Nia New,9 Lane,Nia Handler,2026-01-08,,,,,\r\n"
    ).encode("utf-8")
    result = T.import_csv(demo_db, data)
    assert (result.complaints, result.residents_added) == (2, 1)
    with reading(demo_db) as u:
        new = u.session.exec(
            select(M.Complaint).where(M.Complaint.reference.in_(["N-1", "N-2"])).order_by(M.Complaint.id)
        ).all()
        assert [c.id for c in new] == [before[M.Complaint] + 1, before[M.Complaint] + 2]
        assert {c.resident_id for c in new} == {before[M.Resident] + 1}
        assert [len(c.stages) for c in new] == [1, 1]
        remedy = u.session.exec(select(M.Remedy).where(M.Remedy.complaint_id == new[0].id)).one()
        assert (remedy.id, remedy.amount_pence) == (before[M.Remedy] + 1, 5000)
    assert verify(demo_db).ok


def test_today_is_a_date_on_the_database_and_on_a_unit(db):
    assert isinstance(db.today, dt.date)
    with transaction(db) as u:
        assert isinstance(u.today, dt.date) and u.today == db.today
        for records in (db, u):
            assert isinstance(records, Records)


def test_demo_data_can_be_made_inside_a_callers_unit(db):
    with transaction(db) as u:
        assert isinstance(u, Unit)
        made = demo.generate(u, complaints=12, seed=3)
    assert made["complaints"] == 12
    with reading(db) as u:
        assert len(u.session.exec(select(M.Complaint)).all()) == 12
    assert verify(db).ok
