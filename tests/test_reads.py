"""The plain-SQL reads (services/reads.py) and the lazy opening they rely on (Database.prepare)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from conftest import TODAY

from smallhousing.services import complaints as C
from smallhousing.services import queries as Q
from smallhousing.services.base import transaction
from smallhousing.store import migrate
from smallhousing.store.db import HEAD_REVISION, Database

FIXTURES = Path(__file__).parent / "fixtures" / "schema"


def test_the_first_screens_questions_import_no_orm(demo_db_path, tmp_path):
    """The dashboard, the complaints list and `due` answer without SQLAlchemy or SQLModel."""
    path = tmp_path / "copy.db"
    shutil.copy(demo_db_path, path)
    code = textwrap.dedent(f"""
        import sys, datetime as dt
        from smallhousing.store.db import Database
        from smallhousing.services import queries as Q
        db = Database({str(path)!r}, today=dt.date(2026, 3, 2))
        counts = Q.dashboard_counts(db)
        assert counts.open_stage1 + counts.open_stage2 > 0, counts
        assert Q.open_work(db, limit=5) and Q.received_per_month(db, 12)
        Q.overdue_follow_ups(db, limit=5); Q.count_follow_ups(db); Q.is_set_up(db)
        assert Q.count_complaints(db) == 150 and len(Q.list_complaints(db, limit=20)) == 20
        loaded = sorted(m for m in ("sqlalchemy", "sqlmodel", "alembic") if m in sys.modules)
        assert not loaded, loaded
        assert db.engine is None
    """)
    subprocess.run([sys.executable, "-c", code], check=True)


def test_prepare_leaves_a_current_file_unopened_and_writing_still_works(tmp_path, setup, db):
    path = tmp_path / "test.db"  # the file made by the db fixture, at the newest schema
    fresh = Database(path, actor="tester", today=TODAY)
    fresh.prepare()
    assert fresh.engine is None
    assert Q.count_complaints(fresh) == 0
    c = C.log_complaint(fresh, setup.resident, TODAY, "Gate broken")  # opens it for writing
    assert fresh.engine is not None
    assert [r.reference for r in Q.list_complaints(fresh)] == [c.reference]
    fresh.close()


def test_prepare_upgrades_an_older_file_before_anything_is_read(tmp_path):
    path = tmp_path / "old.db"
    shutil.copy(FIXTURES / "0003_redaction.db", path)
    assert migrate.current_revision(path) != HEAD_REVISION
    db = Database(path, actor="tester", today=TODAY)
    assert Q.count_complaints(db) >= 1  # the read waits for the upgrade
    assert migrate.current_revision(path) == HEAD_REVISION
    db.close()


def test_prepare_makes_a_new_file(tmp_path):
    db = Database(tmp_path / "new.db", actor="tester", today=TODAY)
    assert Q.count_complaints(db) == 0 and not Q.is_set_up(db)
    assert migrate.current_revision(tmp_path / "new.db") == HEAD_REVISION
    db.close()


def test_reads_inside_a_unit_see_its_unsaved_rows(db, setup):
    with transaction(db) as u:
        c = C.log_complaint(u, setup.resident, TODAY, "Leaking gutter")
        assert Q.count_complaints(u) == 1
        assert [r.reference for r in Q.list_complaints(u)] == [c.reference]
        assert Q.stage_handlers(u, c.id) == {1: None}
    assert Q.count_complaints(db) == 1


def test_reads_do_not_see_a_unit_that_has_not_finished(db, setup):
    with transaction(db) as u:
        C.log_complaint(u, setup.resident, TODAY, "Leaking gutter")
        u.session.flush()
        assert Q.count_complaints(db) == 0  # another connection: nothing committed yet
    assert Q.count_complaints(db) == 1


def test_search_takes_percent_and_underscore_literally(db, setup):
    a = C.log_complaint(db, setup.resident, TODAY, "Rent went up 50% overnight")
    b = C.log_complaint(db, setup.resident, TODAY, "Form field first_name wrong")
    C.log_complaint(db, setup.resident, TODAY, "Boiler broken, 50 pounds spent")

    def found(text):
        return sorted(r.reference for r in Q.list_complaints(db, Q.ComplaintFilter(text=text)))

    assert found("50%") == [a.reference]
    assert found("first_name") == [b.reference]
    assert found("%") == [a.reference]
    assert found("_") == [b.reference]
    assert Q.count_complaints(db, Q.ComplaintFilter(text="50%")) == 1


def test_dates_come_back_as_dates(db, setup):
    c = C.log_complaint(db, setup.resident, dt.date(2026, 2, 27), "Fence down")
    row = Q.list_complaints(db)[0]
    assert row.reference == c.reference and row.received_on == dt.date(2026, 2, 27)
    assert isinstance(row.next_due_on, dt.date)
    item = Q.open_work(db)[0]
    assert isinstance(item.due, dt.date) and item.due == row.next_due_on
    assert Q.received_years(db) == [2025]


def test_due_and_tsm_commands_import_no_orm(demo_db_path, tmp_path):
    path = tmp_path / "copy.db"
    shutil.copy(demo_db_path, path)
    for command in (["due", "--json"], ["tsm", "--year", "2025", "--json"]):
        code = textwrap.dedent(f"""
            import sys
            from smallhousing.cli import main
            assert main(["--db", {str(path)!r}, *{command!r}]) == 0
            loaded = sorted(m for m in ("sqlalchemy", "sqlmodel", "alembic") if m in sys.modules)
            assert not loaded, loaded
        """)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip().startswith(("[", "{"))


def test_a_search_overtaken_by_newer_typing_stops(demo_db_path, tmp_path):
    import sqlite3

    from smallhousing.services.reads import Cancelled

    path = tmp_path / "many.db"
    shutil.copy(demo_db_path, path)
    con = sqlite3.connect(path)
    cols = [r[1] for r in con.execute("PRAGMA table_info(complaint)")]
    for k in range(1, 20):  # 3,000 complaints: enough work for SQLite to be asked to stop
        exprs = [{"id": f"id + {k * 1000}", "reference": f"reference || '-{k}'"}.get(c, c) for c in cols]
        con.execute(
            f"INSERT INTO complaint ({', '.join(cols)}) SELECT {', '.join(exprs)} "
            "FROM complaint WHERE id <= 1000"
        )
    con.commit()
    con.close()
    db = Database(path, today=TODAY)
    f = Q.ComplaintFilter(text="zzz-not-there")
    asked = []

    def overtaken():
        asked.append(1)
        return True

    try:
        Q.count_complaints(db, f, cancelled=overtaken)
    except Cancelled:
        pass
    else:
        raise AssertionError("the count was not stopped")
    assert asked
    try:
        Q.list_complaints(db, f, cancelled=lambda: True)
    except Cancelled:
        pass
    else:
        raise AssertionError("the list was not stopped")
    assert Q.count_complaints(db, f, cancelled=lambda: False) == 0
    assert Q.count_complaints(db, cancelled=lambda: False) == 3000


def test_a_new_closure_day_moves_what_plain_reads_count(db, setup):
    from smallhousing.services import settings as S

    due = dt.date(2026, 3, 6)  # Friday; today is Monday 2 March
    assert Q.working_days_until(db, due) == 4
    S.add_closure_day(db, dt.date(2026, 3, 4), "staff training")
    assert Q.working_days_until(db, due) == 3
