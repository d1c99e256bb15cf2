"""Unit.add gives new rows their ids without writing them; rows are written in batches later.

These check what that must not change: ids follow the rows already there, rows made earlier in
a Unit are found again (by id, and by a query even with autoflush off), rows put in without
Unit.add do not collide, and the audit log names the right rows.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from smallhousing.services import complaints as C
from smallhousing.services import residents as R
from smallhousing.services import transfer as T
from smallhousing.services.base import reading, transaction
from smallhousing.services.verify import verify
from smallhousing.store import models as M


def _max_id(db, model) -> int:
    with reading(db) as u:
        return max(u.s.exec(select(model.id)).all(), default=0)


def test_ids_follow_the_rows_already_there_and_rows_are_found_before_they_are_written(db, setup):
    first = _max_id(db, M.Resident) + 1
    with transaction(db) as u:
        u.s.autoflush = False
        a = R.add_resident(u, "Ann Ash", address="1 Road")
        b = R.add_resident(u, "Ben Birch", address="2 Road")
        assert (a.id, b.id) == (first, first + 1)
        c = C.log_complaint(u, b.id, dt.date(2026, 2, 2), "The lift is broken")
        assert c.resident_id == b.id
        # not written yet, but the Unit finds it by id
        assert C.acknowledge(u, c.id, "Lift repair", handler_id=setup.alice,
                             on=dt.date(2026, 2, 3)).state == "stage 1 acknowledged"
        u.s.autoflush = True
    with reading(db) as u:
        assert u.s.get(M.Resident, first + 1).name == "Ben Birch"
        row = u.s.exec(select(M.Complaint).where(M.Complaint.id == c.id)).one()
        assert row.resident_id == b.id
        logged = u.s.exec(select(M.AuditEntry).where(M.AuditEntry.action == "complaint logged")).one()
        assert (logged.entity_id, logged.complaint_id) == (c.id, c.id)
    assert verify(db).ok


def test_a_query_sees_rows_made_earlier_even_with_autoflush_off(db, setup):
    # demo data turns autoflush off; each service request's reference is the year's next one,
    # found by a query, so the query must see the request made just before it
    with transaction(db) as u:
        u.s.autoflush = False
        one = C.log_service_request(u, setup.resident, dt.date(2026, 1, 5), "Fix the gate")
        two = C.log_service_request(u, setup.resident, dt.date(2026, 1, 6), "Fix the fence")
        u.s.autoflush = True
    assert (one.reference, two.reference) == ("SR-2026-0001", "SR-2026-0002")
    assert two.id == one.id + 1


def test_a_row_added_straight_to_the_session_takes_the_next_id(db, setup):
    c = C.log_complaint(db, setup.resident, dt.date(2026, 2, 2), "Noise from next door")
    with transaction(db) as u:
        note = C.add_note(u, c.id, "Phoned the resident", on=dt.date(2026, 2, 3))
        other = M.Correspondence(complaint_id=c.id, on=dt.date(2026, 2, 4), direction="note",
                                 summary="Written without Unit.add")
        u.s.add(other)
        later = C.add_note(u, c.id, "Wrote to the resident", on=dt.date(2026, 2, 5))
    assert sorted([note.id, other.id, later.id]) == [note.id, note.id + 1, note.id + 2]
    with reading(db) as u:
        assert len(u.s.exec(select(M.Correspondence)).all()) == 3


def test_import_into_a_database_with_records_continues_every_table(demo_db):
    before = {m: _max_id(demo_db, m) for m in (M.Complaint, M.Stage, M.Resident, M.Remedy)}
    data = ("reference,received_on,resident_name,address,stage1_handler,stage1_acknowledged_on,"
            "stage1_responded_on,stage1_decision,stage1_reasons,remedy,compensation_gbp\r\n"
            "N-1,2026-01-05,Nia New,9 Lane,Nia Handler,2026-01-06,2026-01-12,upheld,Late,,50\r\n"
            "N-2,2026-01-07,Nia New,9 Lane,Nia Handler,2026-01-08,,,,,\r\n").encode("utf-8")
    result = T.import_csv(demo_db, data)
    assert (result.complaints, result.residents_added) == (2, 1)
    with reading(demo_db) as u:
        new = u.s.exec(select(M.Complaint).where(M.Complaint.reference.in_(["N-1", "N-2"]))
                       .order_by(M.Complaint.id)).all()
        assert [c.id for c in new] == [before[M.Complaint] + 1, before[M.Complaint] + 2]
        assert {c.resident_id for c in new} == {before[M.Resident] + 1}
        stages = u.s.exec(select(M.Stage).where(M.Stage.complaint_id.in_([c.id for c in new]))
                          .order_by(M.Stage.id)).all()
        assert [s.id for s in stages] == [before[M.Stage] + 1, before[M.Stage] + 2]
        remedy = u.s.exec(select(M.Remedy).where(M.Remedy.complaint_id == new[0].id)).one()
        assert (remedy.id, remedy.amount_pence) == (before[M.Remedy] + 1, 5000)
        logged = u.s.exec(select(M.AuditEntry.entity_id).where(
            M.AuditEntry.action == "complaint logged", M.AuditEntry.entity_id > before[M.Complaint])).all()
        assert sorted(logged) == [c.id for c in new]
    assert verify(demo_db).ok


def _sample(annotation, name: str):
    text = str(annotation)
    if "datetime.datetime" in text or "datetime" == getattr(annotation, "__name__", ""):
        return dt.datetime(2026, 2, 3, 4, 5, 6)
    if "date" in text:
        return dt.date(2026, 2, 3)
    if "bool" in text:
        return True
    if "int" in text:
        return 7
    return f"some {name}"


def test_unit_add_builds_the_row_the_model_constructor_builds(db):
    # u.add(Model, **values) makes rows without SQLModel's constructor: the row, its SQLAlchemy
    # state and its pydantic state must be what Model(**values) makes, for every table
    from sqlalchemy.orm.attributes import instance_state
    from sqlmodel import SQLModel

    from smallhousing.services.base import _build, _build_spec

    models = [m for m in vars(M).values() if isinstance(m, type) and issubclass(m, SQLModel)
              and getattr(m, "__table__", None) is not None]
    assert len(models) == len(SQLModel.metadata.tables)
    for model in models:
        assert _build_spec(model) is not False, f"{model.__name__} would be made by its constructor"
        required = {n: _sample(f.annotation, n) for n, f in model.model_fields.items() if f.is_required()}
        every = {n: _sample(f.annotation, n) for n, f in reversed(model.model_fields.items())}
        for values in (required, every, {**required, "id": None}):
            made, built = model(**dict(values)), _build(model, dict(values))
            assert type(built) is model
            assert ([(k, v) for k, v in built.__dict__.items() if k != "_sa_instance_state"]
                    == [(k, v) for k, v in made.__dict__.items() if k != "_sa_instance_state"]), model
            assert built.__pydantic_fields_set__ == made.__pydantic_fields_set__
            assert (built.__pydantic_extra__, built.__pydantic_private__) == (
                made.__pydantic_extra__, made.__pydantic_private__)
            a, b = instance_state(made), instance_state(built)
            assert list(b.committed_state.items()) == list(a.committed_state.items())
            assert (b.modified, b.transient, b.key) == (a.modified, a.transient, a.key)
            assert built.model_dump() == made.model_dump()
        # with an id given by the Unit: as if it were set after the constructor
        made, built = model(**dict(required)), _build(model, dict(required), 41)
        made.id = 41
        assert ([(k, v) for k, v in built.__dict__.items() if k != "_sa_instance_state"]
                == [(k, v) for k, v in made.__dict__.items() if k != "_sa_instance_state"]), model
        assert built.__pydantic_fields_set__ == made.__pydantic_fields_set__
        a, b = instance_state(made), instance_state(built)
        assert list(b.committed_state.items()) == list(a.committed_state.items())
        assert b.modified == a.modified
    # a default made by a factory is made for each row
    assert _build(M.Resident, {"name": "Ann"}).created_on == dt.date.today()


def test_rows_built_by_unit_add_are_written_and_audited(db, setup):
    with transaction(db) as u:
        r = u.add(M.Resident, name="Cy Cedar", address="3 Road")
        assert r in u.s and r.id is not None and r.preferred_format == "standard"
        u.s.flush()  # a plain session flush, as an autoflush would
        a = u.add(M.Adjustment, resident_id=r.id, description="Large print", agreed_on=dt.date(2026, 1, 2),
                  review_on=dt.date(2026, 6, 1))
    with reading(db) as u:
        assert u.s.get(M.Resident, r.id).address == "3 Road"
        assert u.s.get(M.Adjustment, a.id).resident_id == r.id
