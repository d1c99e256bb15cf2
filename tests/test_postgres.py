"""The same app on PostgreSQL: migrations, the commands, the use cases and the dashboard, against a
real server (conftest.py's ``pg_url``/``pg_db``: a fresh database per test, skipped when no server
answers, a failure under CI)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import TODAY, make_setup

from smallhousing import paths
from smallhousing.domain import lifecycle as L
from smallhousing.services import complaints as C
from smallhousing.services import queries as Q
from smallhousing.services.verify import verify
from smallhousing.store import migrate
from smallhousing.store.db import HEAD_REVISION, Database, StoreError, database_for
from smallhousing.store.postgres import PostgresDatabase, shown_url

D = dt.date
FIRST = "0001_initial"

pytestmark = pytest.mark.usefixtures("no_backup")


# picking the database ------------------------------------------------------------------------------


def test_a_url_names_a_postgresql_database_and_a_path_a_file(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    url = "postgresql://ann:s3cret@db.example.org:6543/homes"
    d = database_for(url)
    assert isinstance(d, PostgresDatabase) and d.dialect == "postgresql"
    assert type(database_for(tmp_path / "x.db")) is Database
    assert database_for(str(tmp_path / "x.db")).dialect == "sqlite"
    # the files kept for it: a folder of its own in the data folder, named without the password
    folder = paths.folder_for(d.path)
    assert folder == tmp_path / "data" / "smallhousing" / "postgres" / "db.example.org-6543-homes"
    assert "s3cret" not in str(d.path) and "ann" not in str(folder)
    assert paths.audit_key_path(d.path).parent == folder
    assert d.where == "postgresql://ann@db.example.org:6543/homes" == shown_url(url)
    # --db and SMALLHOUSING_DB
    assert paths.resolve_db(url) == url
    monkeypatch.setenv(paths.ENV_DB, url)
    assert paths.resolve_db(None) == url
    assert paths.resolve_db_path(None) == d.path


def test_no_server_is_said_plainly(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    d = database_for("postgresql://nobody:pw@127.0.0.1:1/nothing")
    with pytest.raises(StoreError, match="Cannot open the PostgreSQL database") as e:
        d.open()
    assert "pw" not in str(e.value).replace("password", "")


# migrations ------------------------------------------------------------------------------------------


def test_a_new_database_is_migrated_to_head(pg_db):
    assert pg_db.revision() == HEAD_REVISION
    assert pg_db.check() == "ours"
    again = PostgresDatabase(pg_db.url).prepare()  # at head: only checked, not opened
    assert again._schema_ok and again.engine is None
    again.close()


def test_the_models_match_the_migrations_on_postgresql(pg_db):
    from alembic import command

    with pg_db.engine.begin() as conn:
        cfg = migrate.alembic_config(pg_db)
        cfg.attributes["connection"] = conn
        command.check(cfg)  # raises if autogenerate would find a difference


def test_a_database_made_at_the_first_revision_upgrades_to_head(pg_url):
    old = PostgresDatabase(pg_url, actor="tester", today=TODAY).open(migrate=False)
    migrate.upgrade(old, fresh=True, to=FIRST)
    assert old.revision() == FIRST
    with old.raw() as con:  # rows as the app wrote them then, in that schema
        alice = con.execute(
            "INSERT INTO staff (name, role, email, active) VALUES ('Alice Adams', '', '', TRUE) RETURNING id"
        ).fetchone()[0]
        resident = con.execute(
            "INSERT INTO resident (name, address, postcode, phone, email, preferred_contact, "
            "preferred_format, disabilities, vulnerabilities, notes, created_on) VALUES "
            "('Mr Huw Morgan', '4 Station Road', '', '', '', '', 'standard', '', '', '', '2026-02-16') "
            "RETURNING id"
        ).fetchone()[0]
        cols = [
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'complaint' "
                "AND is_nullable = 'NO' AND column_default IS NULL AND column_name <> 'id'"
            )
        ]
        values = {
            "reference": "2026-0001",
            "resident_id": resident,
            "received_on": "2026-02-16",
            "stage": 1,
            "state": L.S1_ACKNOWLEDGED,
            "rule_set": "2024",
            "vulnerable": False,
        }
        row = {c: values.get(c, "") for c in cols}
        names = ", ".join(f'"{c}"' for c in row)
        cid = con.execute(
            f"INSERT INTO complaint ({names}) VALUES ({', '.join('%s' for _ in row)}) RETURNING id",
            list(row.values()),
        ).fetchone()[0]
        con.execute(
            "UPDATE complaint SET handler_id = %s, next_due_on = '2026-03-16' WHERE id = %s", (alice, cid)
        )
        stage_cols = [
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'stage' "
                "AND is_nullable = 'NO' AND column_default IS NULL AND column_name <> 'id'"
            )
        ]
        stage = {c: "" for c in stage_cols} | {
            "complaint_id": cid,
            "number": 1,
            "requested_on": "2026-02-16",
        }
        con.execute(
            f"INSERT INTO stage ({', '.join(stage)}) VALUES ({', '.join('%s' for _ in stage)})",
            list(stage.values()),
        )
        con.execute("UPDATE stage SET acknowledged_on = '2026-02-17', handler_id = %s", (alice,))
        con.commit()
    old.close()

    new = PostgresDatabase(pg_url, actor="tester", today=TODAY).open()
    try:
        assert new.revision() == HEAD_REVISION
        (row,) = Q.list_complaints(new)
        assert (
            row.reference == "2026-0001" and row.resident == "Mr Huw Morgan" and row.handler == "Alice Adams"
        )
        with new.raw() as con:  # 0005 made the handler's history from the stages
            assert con.execute("SELECT staff_id, stage, assigned_on FROM handler_assignment").fetchall() == [
                (alice, 1, D(2026, 2, 17))
            ]
        C.respond(new, cid, "upheld", "The repair was late.", remedy_statement="An apology.", on=TODAY)
        assert Q.list_complaints(new)[0].state != L.S1_ACKNOWLEDGED
    finally:
        new.close()


# the use cases, the audit chain -----------------------------------------------------------------------


def test_the_use_cases_work_and_the_audit_chain_verifies(pg_db):
    s = make_setup(pg_db)
    c = C.log_complaint(pg_db, s.resident, D(2026, 2, 16), "The kitchen tap has leaked.", channel="phone")
    assert c.reference == "2026-0001" and c.next_due_on == D(2026, 2, 23)
    assert C.log_complaint(pg_db, s.resident, D(2026, 2, 3), "Another one.").reference == "2026-0002"
    C.acknowledge(pg_db, c.id, "Leaking tap not repaired.", handler_id=s.alice, on=D(2026, 2, 17))
    e = C.extend(pg_db, c.id, D(2026, 3, 10), "Awaiting a contractor's report.", resident_told=True)
    assert e.extended_on == TODAY and not e.beyond_cap
    C.respond(pg_db, c.id, "upheld", "The repair was late.", remedy_statement="An apology.", on=TODAY)
    C.request_stage2(pg_db, c.id, handler_id=s.bilal, on=TODAY)
    view = C.complaint_view(pg_db, c.id)
    assert view.complaint.stage == 2 and view.complaint.handler_id == s.bilal
    # the plain reads see it all
    assert Q.count_complaints(pg_db) == 2
    assert Q.count_complaints(pg_db, Q.ComplaintFilter(text="KITCHEN")) == 1
    assert Q.count_complaints(pg_db, Q.ComplaintFilter(stage=2)) == 1
    assert Q.dashboard_counts(pg_db).open_stage2 == 1
    assert dict(Q.received_per_month(pg_db, 2))["2026-02"] == 2
    assert {i.reference for i in Q.open_work(pg_db)} == {"2026-0001", "2026-0002"}
    res = verify(pg_db)
    assert res.ok, res.problems
    assert res.keyed and res.audit_entries > 10 and res.complaints == 2
    # a change made behind the app's back is found
    with pg_db.raw() as con:
        con.execute("UPDATE complaint SET categories = 'changed' WHERE id = %s", (c.id,))
        con.commit()
    assert any("categories" in p for p in verify(pg_db).problems)


def test_audit_times_read_back_as_hashed_whatever_the_server_zone(pg_url):
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as con:  # a server set to another time zone
        con.execute(f"ALTER DATABASE \"{pg_url.rsplit('/', 1)[1]}\" SET timezone TO 'Asia/Kolkata'")
    d = PostgresDatabase(pg_url, actor="tester", today=TODAY).open()
    try:
        make_setup(d)
        assert verify(d).ok
    finally:
        d.close()


# the commands ------------------------------------------------------------------------------------------


def _run(capsys, *argv) -> tuple[int, str, str]:
    from smallhousing.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.slow
def test_every_command_works_on_postgresql(pg_new, tmp_path, capsys):
    url, other = pg_new(), pg_new()
    code, out, err = _run(capsys, "--db", url, "demo", "--complaints", "30")
    assert code == 0, err
    assert "30 complaints" in out and shown_url(url) in out

    code, out, err = _run(capsys, "--db", url, "due")
    assert code == 0, err
    assert "reference" in out.splitlines()[0]
    code, out, err = _run(capsys, "--db", url, "due", "--json")
    due = json.loads(out)
    assert code == 0 and due and {"reference", "due", "status"} <= set(due[0])

    year = str(dt.date.today().year - (1 if dt.date.today().month < 4 else 0))
    code, out, err = _run(capsys, "--db", url, "tsm", "--year", year, "--json")
    assert code == 0, err
    tsm = json.loads(out)
    assert tsm["stage1_received"] > 0

    code, out, err = _run(
        capsys, "--db", url, "report", "annual", "--year", year, "--out", str(tmp_path / "a.pdf")
    )
    assert code == 0, err
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")

    d = database_for(url)
    try:
        ref = next(
            r.reference
            for r in Q.list_complaints(d, limit=200)
            if r.state not in ("received", "refused", "withdrawn")
        )
    finally:
        d.close()
    code, out, err = _run(
        capsys,
        "--db",
        url,
        "letter",
        ref,
        "acknowledgement",
        "--stage",
        "1",
        "--out",
        str(tmp_path / "l.pdf"),
    )
    assert code == 0, err
    assert (tmp_path / "l.pdf").read_bytes().startswith(b"%PDF")

    code, out, err = _run(capsys, "--db", url, "export", "--json", str(tmp_path / "all.json"))
    assert code == 0, err
    exported = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))
    code, out, err = _run(capsys, "--db", other, "import", "--json", str(tmp_path / "all.json"))
    assert code == 0, err
    assert "30 complaints" in out

    code, out, err = _run(capsys, "--db", url, "verify")
    assert code == 0, err + out
    assert "All checks passed" in out

    # the copy holds every record; with the key and head that go with the first, it verifies too
    from smallhousing.services.move import carry_anchor

    a, b = database_for(url), database_for(other)
    try:
        carry_anchor(a, b)
        assert Q.count_complaints(b) == 30
        assert verify(b).ok, verify(b).problems
        # ids carry on after the imported ones
        s_id = C.log_complaint(b, 1, TODAY, "After the import.").id
        assert s_id == max(row["id"] for row in exported["tables"]["complaint"]) + 1
    finally:
        a.close()
        b.close()

    code, out, err = _run(capsys, "--db", url, "backup")
    assert code == 2 and "pg_dump" in err


# the plain statements ------------------------------------------------------------------------------------


def test_a_percent_and_a_colon_in_a_literal_survive(pg_db):
    from smallhousing.services.reads import plain_reading

    with plain_reading(pg_db) as r:
        assert r.value("SELECT '50% at 10:30' || ?", ("!",)) == "50% at 10:30!"
        assert r.value("SELECT CAST(:n AS INTEGER) + 1", {"n": 1}) == 2
        assert (
            r.value(
                "SELECT count(*) FROM complaint WHERE state IN (SELECT value FROM json_each(:s))",
                {"s": '["a"]'},
            )
            == 0
        )


def test_a_command_connects_once_to_check_the_schema_and_read(pg_db, monkeypatch):
    """As ``smallhousing due`` does: the connection that found the schema at the newest revision
    is the one the reads then use (each connection is a round trip or more to the server; over a
    network, with TLS, the largest part of a short command after the driver's import)."""
    import psycopg

    made = []
    real = PostgresDatabase.connect

    def counted(self, **kw):
        con = real(self, **kw)
        made.append(con)
        return con

    monkeypatch.setattr(PostgresDatabase, "connect", counted)
    d = PostgresDatabase(pg_db.url, today=TODAY).prepare()
    try:
        assert Q.open_work(d) == [] and Q.letters_not_sent(d) == []
        assert Q.count_complaints(d) == 0
        assert len(made) == 1
        with d.plain() as con:  # and it reads as any plain connection does: read only, one view
            assert con.read_only and not con.autocommit
            assert con.isolation_level == psycopg.IsolationLevel.REPEATABLE_READ
    finally:
        d.close()


# the app ------------------------------------------------------------------------------------------------


async def test_the_dashboard_opens_on_postgresql_and_shows_figures(pg_db):
    from helpers import settle, text_of
    from textual.widgets import DataTable

    from smallhousing.app import build_app

    s = make_setup(pg_db)
    C.log_complaint(pg_db, s.resident, D(2026, 2, 2), "The kitchen tap has leaked.", channel="phone")
    c = C.log_complaint(pg_db, s.resident, D(2026, 2, 20), "The lift is broken.", channel="email")
    C.acknowledge(pg_db, c.id, "Lift out of order.", handler_id=s.alice, on=D(2026, 2, 23))
    app = build_app(PostgresDatabase(pg_db.url, actor="tester", today=TODAY))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert type(app.screen).__name__ == "DashboardScreen"
        # two deadlines, and the acknowledgement whose letter has not gone out
        assert app.screen.query_one("#worklist", DataTable).row_count == 3
        assert "2" in text_of(app.screen.query_one("#tile-open1"))
        assert "1" in text_of(app.screen.query_one("#tile-overdue"))
    app.db.close()


# the fixture itself -------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("ci, outcome", [("", "SKIPPED [1]"), ("true", "ERROR ")])
def test_no_server_skips_the_tests_except_under_ci(ci, outcome, tmp_path):
    import os
    import pathlib
    import subprocess
    import sys

    here = pathlib.Path(__file__).parent
    env = dict(os.environ, SMALLHOUSING_TEST_POSTGRES="postgresql://nobody@127.0.0.1:1/none", CI=ci)
    env["PYTHONPATH"] = os.pathsep.join([str(here.parent), env.get("PYTHONPATH", "")])
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-rsE",
            "-q",
            f"{here / 'test_postgres.py'}::test_a_new_database_is_migrated_to_head",
        ],
        cwd=here.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert outcome in run.stdout, run.stdout + run.stderr
    assert "no PostgreSQL server answers at postgresql://nobody@127.0.0.1:1/none" in run.stdout


def test_the_complaints_list_reads_its_pages_in_a_worker_on_postgresql(pg_db, db):
    # a read on PostgreSQL cannot be stopped part-way, so the list never reads on the screen's
    # own thread there (screens/complaints.py reads a quick first page at once only when it can)
    from smallhousing.services import queries as Q

    assert not Q.stoppable(pg_db)
    assert Q.stoppable(db)
    rows, statuses = Q.complaints_page(pg_db, Q.ComplaintFilter(text="x"))
    assert rows == [] and statuses == {}
