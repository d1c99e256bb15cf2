"""The store: pragmas, Alembic migrations shipped in the package, upgrades with a backup first."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from smallhousing import paths
from smallhousing.services import complaints as C
from smallhousing.services import queries as Q
from smallhousing.services import settings as S
from smallhousing.store import migrate
from smallhousing.store.db import APPLICATION_ID, HEAD_REVISION, Database, StoreError

TODAY = dt.date(2026, 3, 2)
FIRST = "0001_initial"


def test_head_revision_matches_alembic(db):
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config(db))
    assert script.get_current_head() == HEAD_REVISION
    assert len(script.get_heads()) == 1
    revisions = [r.revision for r in script.walk_revisions()]
    assert FIRST in revisions and revisions[-1] == FIRST  # walk goes newest to oldest
    # the migrations live inside the package, not beside a checkout
    assert migrate.MIGRATIONS.is_dir() and "smallhousing" in migrate.MIGRATIONS.parts


def test_models_match_migrations(db):
    from alembic import command

    command.check(migrate.alembic_config(db))  # raises if autogenerate would find a difference


def test_new_database_is_at_head_with_pragmas(db):
    assert migrate.current_revision(db.path) == HEAD_REVISION
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar().lower() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    with db.raw() as con:
        assert con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID


def test_foreign_keys_are_enforced(db):
    from sqlalchemy.exc import IntegrityError

    from smallhousing.store.models import Stage

    with pytest.raises(IntegrityError):
        with db.session() as s:
            s.add(Stage(complaint_id=999, number=1, requested_on=TODAY))


def test_upgrade_from_first_migration_keeps_rows(tmp_path):
    path = tmp_path / "old.db"
    old = Database(path, actor="tester", today=TODAY).open(migrate=False)
    migrate.upgrade(old, fresh=True, to=FIRST)
    assert migrate.current_revision(path) == FIRST
    with old.raw() as con:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "complaint" in tables and "self_assessment_entry" not in tables  # 0002 not applied
    # records as the app wrote them at the first migration: plain SQL against that schema, since
    # today's tables have columns the first revision lacks
    ack, received = "2026-02-17", "2026-02-16"
    with old.raw() as con:
        alice = con.execute(
            "INSERT INTO staff (name, role, email, active) VALUES ('Alice Adams', '', '', 1)"
        ).lastrowid
        cols = {r[1] for r in con.execute("PRAGMA table_info(resident)")}
        assert "anonymised_on" in cols
        resident = con.execute(
            "INSERT INTO resident (name, address, postcode, phone, email, preferred_contact, "
            "preferred_format, disabilities, vulnerabilities, notes, created_on) VALUES "
            "('Mr Huw Morgan', '4 Station Road', '', '', '', '', 'standard', '', '', '', ?)",
            (received,),
        ).lastrowid
        c_cols = [r[1] for r in con.execute("PRAGMA table_info(complaint)")]
        values = {
            "reference": "2026-0001",
            "resident_id": resident,
            "channel": "letter",
            "received_on": received,
            "description": "Damp in the hall",
            "rule_set": "2024",
            "state": "stage 1 acknowledged",
            "stage": 1,
            "acceptance": "accepted",
            "handler_id": alice,
            "next_step": "respond at stage 1",
            "next_due_on": "2026-03-03",
            "search_text": "2026-0001 mr huw morgan damp in the hall",
            "vulnerable": 0,
        }
        row = {c: values.get(c, "") for c in c_cols if c != "id"}
        for c in (
            "representative_id",
            "service_request_id",
            "related_to_id",
            "refused_on",
            "escalation_refused_on",
            "closed_on",
            "withdrawn_on",
        ):
            if c in row:
                row[c] = None
        cid = con.execute(
            f"INSERT INTO complaint ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
            tuple(row.values()),
        ).lastrowid
        con.execute(
            "INSERT INTO stage (complaint_id, number, requested_on, acknowledged_on, definition, "
            "responsible_for, not_responsible_for, handler_id, decision, reasons, "
            "remedy_statement, actions_statement) VALUES (?, 1, ?, ?, 'Damp not treated', '', '', "
            "?, '', '', '', '')",
            (cid, received, ack, alice),
        )
        con.execute("INSERT INTO closure_day (day, reason) VALUES ('2026-03-03', 'office move')")
        con.commit()

    class c:  # noqa: N801 - what the checks below need of the old complaint
        reference = "2026-0001"

    audit_rows = 0
    old.close()
    assert not paths.backups_dir(path).exists()

    new = Database(path, actor="tester", today=TODAY).open()  # upgrades to head
    try:
        assert migrate.current_revision(path) == HEAD_REVISION
        v = C.complaint_view(new, c.reference)
        assert v.resident.name == "Mr Huw Morgan" and v.stage(1).handler == "Alice Adams"
        assert v.stage(1).stage.definition == "Damp not treated"
        # acknowledged Tue 17 Feb: 10 WD is Tue 3 Mar, moved to Wed 4 Mar by the closure day
        assert v.next_due == dt.date(2026, 3, 4)
        assert [d.day for d in S.list_closure_days(new)] == [dt.date(2026, 3, 3)]
        with new.raw() as con:
            assert con.execute("SELECT count(*) FROM audit_entry").fetchone()[0] == audit_rows
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"self_assessment_entry", "ombudsman_order"} <= tables
        # the new database works: a new complaint follows on from the old references
        assert C.log_complaint(new, resident, TODAY, "Still damp").reference == "2026-0002"
    finally:
        new.close()

    backups = list(paths.backups_dir(path).glob("*.db"))
    assert len(backups) == 1 and FIRST in backups[0].name
    con = sqlite3.connect(str(backups[0]))
    try:
        assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == FIRST
        assert con.execute("SELECT reference FROM complaint").fetchall() == [(c.reference,)]
    finally:
        con.close()


def test_opening_a_database_at_head_takes_no_backup(tmp_path):
    path = tmp_path / "current.db"
    Database(path, today=TODAY).open().close()
    Database(path, today=TODAY).open().close()
    assert not paths.backups_dir(path).exists()


def test_text_file_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("my shopping list\n")
    with pytest.raises(StoreError) as e:
        Database(path).open()
    assert str(paths.backups_dir(path)) in str(e.value)
    assert path.read_text() == "my shopping list\n"
    assert not (tmp_path / "notes.db-wal").exists()


def test_other_sqlite_database_is_refused(tmp_path):
    path = tmp_path / "other.db"
    con = sqlite3.connect(str(path))
    con.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a smallhousing one"):
        Database(path).open()
    assert path.read_bytes() == before


def test_empty_file_is_refused_and_a_missing_one_becomes_a_database(tmp_path):
    # a 0-byte file may be a damaged or truncated copy: it is not silently taken as a new database
    path = tmp_path / "empty.db"
    path.touch()
    with pytest.raises(StoreError, match="empty file"):
        Database(path, today=TODAY).open()
    assert path.stat().st_size == 0
    path = tmp_path / "new.db"
    db = Database(path, today=TODAY).open()
    try:
        assert migrate.current_revision(path) == HEAD_REVISION
        assert Q.count_complaints(db) == 0
    finally:
        db.close()


def test_upgrade_works_out_stored_deadlines_again(tmp_path):
    """A deadline stored under an older version's rules is worked out again on upgrade: received
    Mon 2 Feb 2026, acknowledgement due Mon 9 Feb but made late on Mon 16 Feb. The older rules ran
    the response clock from the late acknowledgement (due Mon 2 Mar); it runs from 9 Feb (23 Feb)."""
    path = tmp_path / "old.db"
    old = Database(path, actor="tester", today=TODAY).open(migrate=False)
    migrate.upgrade(old, fresh=True, to="0004_stage_dates")
    with old.raw() as con:
        alice = con.execute(
            "INSERT INTO staff (name, role, email, active) VALUES ('Alice Adams', '', '', 1)"
        ).lastrowid
        resident = con.execute(
            "INSERT INTO resident (name, address, postcode, phone, email, preferred_contact, "
            "preferred_format, disabilities, vulnerabilities, notes, created_on) VALUES "
            "('Mr Huw Morgan', '4 Station Road', '', '', '', '', 'standard', '', '', '', '2026-02-02')"
        ).lastrowid
        cols = [r[1] for r in con.execute("PRAGMA table_info(complaint)")]
        values = {
            "reference": "2026-0001",
            "resident_id": resident,
            "channel": "letter",
            "received_on": "2026-02-02",
            "description": "Damp",
            "rule_set": "2024",
            "state": "stage 1 acknowledged",
            "stage": 1,
            "acceptance": "accepted",
            "handler_id": alice,
            "next_step": "respond at stage 1",
            "next_due_on": "2026-03-02",
            "search_text": "2026-0001",
            "vulnerable": 0,
        }
        row = {c: values.get(c) for c in cols if c != "id"}
        for c in (
            "exclusion_ground",
            "exclusion_reason",
            "escalation_refusal_ground",
            "escalation_refusal_reason",
            "withdrawn_reason",
            "outcome_sought",
            "categories",
        ):
            row[c] = ""
        cid = con.execute(
            f"INSERT INTO complaint ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
            tuple(row.values()),
        ).lastrowid
        con.execute(
            "INSERT INTO stage (complaint_id, number, requested_on, acknowledged_on, definition, "
            "responsible_for, not_responsible_for, handler_id, decision, reasons, "
            "remedy_statement, actions_statement) VALUES (?, 1, '2026-02-02', '2026-02-16', "
            "'Damp', '', '', ?, '', '', '', '')",
            (cid, alice),
        )
        con.commit()
    old.close()

    new = Database(path, actor="tester", today=TODAY).open()
    try:
        with new.raw() as con:
            assert con.execute("SELECT next_due_on FROM complaint").fetchone()[0] == "2026-02-23"
        assert C.complaint_view(new, "2026-0001").next_due == dt.date(2026, 2, 23)
    finally:
        new.close()
