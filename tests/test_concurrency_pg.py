"""Several officers writing at once (issue 16, item 4) and moving a file to a team (item 5): against a
real PostgreSQL server (conftest.py's ``pg_url``/``pg_db``: a fresh database per test, skipped
when no server answers, a failure under CI), and the stale save on SQLite too."""

from __future__ import annotations

import datetime as dt
import random
import threading
import time

import pytest
from conftest import TODAY, make_setup
from helpers import choose, settle, text_of, typed
from textual.widgets import Static

from smallhousing.cli import main
from smallhousing.domain.errors import DomainError
from smallhousing.services import complaints as C
from smallhousing.services import move
from smallhousing.services.base import transaction
from smallhousing.services.verify import verify
from smallhousing.store.db import Database
from smallhousing.store.postgres import PostgresDatabase

pytestmark = pytest.mark.usefixtures("no_backup")

WRITERS = 8
SECONDS = 8.0
STALE_WORDS = "Someone else changed this complaint while you were working on it; reload it and try again."


def _officer(url: str, n: int) -> PostgresDatabase:
    return PostgresDatabase(url, actor=f"officer{n}", today=TODAY)


# 8 writers at once -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_eight_writers_at_once_leave_consecutive_references_and_one_valid_chain(pg_db):
    ids = make_setup(pg_db)
    staff = [ids.alice, ids.bilal, ids.cerys]
    logged: list[tuple[int, str]] = []  # (id, reference) of every complaint a writer was told of
    shared_lock = threading.Lock()
    failures: list[BaseException] = []
    refused: list[str] = []
    start = threading.Barrier(WRITERS)
    stop_at = [0.0]

    def writer(n: int) -> None:
        db = _officer(pg_db.url, n)
        rng = random.Random(n)
        try:
            db.open()
            start.wait()
            if n == 0:
                stop_at[0] = time.monotonic() + SECONDS
            while not stop_at[0]:
                time.sleep(0.001)
            while time.monotonic() < stop_at[0]:
                c = C.log_complaint(db, ids.resident, TODAY - dt.timedelta(days=3), f"Writer {n}: damp")
                with shared_lock:
                    logged.append((c.id, c.reference))
                    other = rng.choice(logged)[0]
                C.acknowledge(
                    db, c.id, f"Damp, as writer {n} defined it", handler_id=rng.choice(staff), on=TODAY
                )
                try:  # someone else's complaint too: writers meet on the same rows
                    C.add_note(db, other, f"Writer {n} looked at this", on=TODAY)
                except DomainError as exc:  # pragma: no cover - a note is never refused here
                    refused.append(str(exc))
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            db.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert not failures, failures[:3]
    assert not refused
    assert len(logged) >= WRITERS  # each wrote at least once

    # references: unique, and 2026-0001 onwards with no gap
    with pg_db.plain() as con:
        refs = [r[0] for r in con.execute("SELECT reference FROM complaint ORDER BY reference")]
        actors = {r[0] for r in con.execute("SELECT DISTINCT actor FROM audit_entry")}
        entry_ids = [r[0] for r in con.execute("SELECT id FROM audit_entry ORDER BY id")]
        links = con.execute(
            "SELECT count(*) FROM audit_entry e JOIN audit_entry p ON p.id = e.id - 1 "
            "WHERE e.prev_hash <> p.hash"
        ).fetchone()[0]
        acknowledged = con.execute("SELECT count(*) FROM stage WHERE acknowledged_on IS NOT NULL").fetchone()[
            0
        ]
    assert len(refs) == len(set(refs)) == len(logged)
    assert refs == [f"2026-{i:04d}" for i in range(1, len(refs) + 1)]
    assert sorted(r for _, r in logged) == refs
    assert acknowledged == len(refs)
    # the audit log: one chain, and verify passes. On PostgreSQL the actor is the database login,
    # never a name given to the app: these writers all connect as the test server's user (each
    # login's own name is tested in test_team.py)
    assert entry_ids == list(range(1, len(entry_ids) + 1))
    assert links == 0
    assert actors == {"postgres"}
    result = verify(pg_db)
    assert result.ok, result.problems
    assert result.audit_entries == len(entry_ids)


def test_references_are_taken_one_transaction_at_a_time(pg_db):
    """A second officer logging while the first has not yet committed waits, then takes the next
    number: never the same one."""
    ids = make_setup(pg_db)
    other = _officer(pg_db.url, 2)
    got: list[str] = []
    try:
        with transaction(pg_db) as u:
            first = C.log_complaint(u, ids.resident, TODAY, "Leaking roof")
            t = threading.Thread(
                target=lambda: got.append(C.log_complaint(other, ids.resident, TODAY, "Bins").reference)
            )
            t.start()
            t.join(timeout=1.0)
            assert t.is_alive()  # waiting for the first to commit
        t.join(timeout=20)
        assert not t.is_alive()
    finally:
        other.close()
    assert (first.reference, got) == ("2026-0001", ["2026-0002"])
    assert verify(pg_db).ok


def test_the_audit_key_and_head_are_kept_in_the_database(pg_db):
    """Every computer chains with the one key kept in the database: an officer on another computer
    (another local folder) writes to the same chain, and verify passes from either."""
    import os

    from smallhousing.services import audit_anchor as A

    ids = make_setup(pg_db)
    C.log_complaint(pg_db, ids.resident, TODAY, "Leaking roof")
    with pg_db.plain() as con:
        key, head = A.read_server_anchor(con)
    assert key is not None and len(key) == A.KEY_BYTES
    assert head is not None and head["entries"] == verify(pg_db).audit_entries
    old = os.environ["XDG_DATA_HOME"]
    os.environ["XDG_DATA_HOME"] = old + "-another-computer"
    try:
        elsewhere = _officer(pg_db.url, 5)
        assert A.read_key(elsewhere.path) is None  # nothing local on that computer
        C.log_complaint(elsewhere, ids.resident, TODAY, "Noisy neighbours")
        res = verify(elsewhere)
        assert res.ok, res.problems
        elsewhere.close()
    finally:
        os.environ["XDG_DATA_HOME"] = old
    res = verify(pg_db)
    assert res.ok, res.problems
    with pg_db.plain() as con:
        assert A.read_server_anchor(con)[0] == key
        n = con.execute("SELECT count(*) FROM audit_entry WHERE action = %s", (A.KEY_REPLACED,)).fetchone()[0]
    assert n == 0


# two officers saving the same complaint ------------------------------------------------------------


def _stale_save_is_refused(first, second, ids):
    c = C.log_complaint(first, ids.resident, TODAY - dt.timedelta(days=2), "Mould in the bathroom")
    mine, theirs = C.complaint_view(first, c.id), C.complaint_view(second, c.id)
    assert mine.as_seen == theirs.as_seen
    C.acknowledge(first, mine.as_seen, "Mould: what Alice wrote", handler_id=ids.alice, on=TODAY)
    with pytest.raises(C.StaleComplaint) as exc:
        C.acknowledge(second, theirs.as_seen, "Mould: what Bilal wrote", handler_id=ids.bilal, on=TODAY)
    assert str(exc.value) == STALE_WORDS
    with pytest.raises(C.StaleComplaint):
        C.add_note(second, theirs.as_seen, "Rang the resident")
    now = C.complaint_view(second, c.id)
    assert now.stage(1).stage.definition == "Mould: what Alice wrote"
    assert now.stage(1).stage.handler_id == ids.alice
    assert not now.correspondence
    # reloaded, the second officer's save goes in
    C.add_note(second, now.as_seen, "Rang the resident")
    assert len(C.complaint_view(first, c.id).correspondence) == 1
    assert verify(first).ok


def test_two_officers_saving_the_same_complaint_on_postgresql(pg_db):
    ids = make_setup(pg_db)
    second = _officer(pg_db.url, 2)
    try:
        _stale_save_is_refused(pg_db, second, ids)
    finally:
        second.close()


def test_two_officers_saving_the_same_complaint_on_sqlite(db, setup):
    second = Database(db.path, actor="bilal", today=TODAY)
    try:
        _stale_save_is_refused(db, second, setup)
    finally:
        second.close()


def test_a_save_waiting_for_another_is_refused_once_that_one_commits(pg_db):
    """Both officers press save at the same moment: the later waits for the earlier's transaction,
    then is refused, never written over it."""
    ids = make_setup(pg_db)
    c = C.log_complaint(pg_db, ids.resident, TODAY - dt.timedelta(days=2), "Broken window")
    seen = C.complaint_view(pg_db, c.id).as_seen
    second = _officer(pg_db.url, 2)
    outcome: list[object] = []

    def later() -> None:
        try:
            C.withdraw(second, seen, "Resident asked", on=TODAY)
            outcome.append("saved")
        except DomainError as exc:
            outcome.append(exc)

    try:
        with transaction(pg_db) as u:
            C.acknowledge(u, seen, "Broken window", handler_id=ids.alice, on=TODAY)
            t = threading.Thread(target=later)
            t.start()
            t.join(timeout=1.0)
            assert t.is_alive()  # waiting for the row
        t.join(timeout=20)
    finally:
        second.close()
    assert len(outcome) == 1 and isinstance(outcome[0], C.StaleComplaint)
    assert C.complaint_view(pg_db, c.id).complaint.withdrawn_on is None
    assert verify(pg_db).ok


async def test_the_form_says_to_reload_when_someone_else_saved_first(db, setup):
    from smallhousing.app import build_app

    c = C.log_complaint(db, setup.resident, dt.date(2026, 2, 25), "Mould in the bathroom")
    app = build_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_complaint(c.id)
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert type(app.screen).__name__ == "AcknowledgeForm"
        await typed(pilot, "Mould")
        # meanwhile, an officer at another computer saves the same complaint
        other = Database(db.path, actor="bilal", today=TODAY)
        C.add_note(other, c.id, "Phoned the resident")
        other.close()
        app.screen.query_one("#handler").focus()
        await choose(pilot, "c")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert type(app.screen).__name__ == "AcknowledgeForm"  # kept open, with what was typed
        assert text_of(app.screen.query_one("#form-error", Static)) == STALE_WORDS
    assert C.complaint_view(db, c.id).stage(1).stage.acknowledged_on is None


# moving a file to the team --------------------------------------------------------------------------


def test_a_file_moves_into_an_empty_postgresql_database_with_its_audit_chain(demo_db, pg_new, capsys):
    url = pg_new()
    before = verify(demo_db)
    assert before.ok
    path = demo_db.path
    demo_db.close()
    code = main(["team", "move-from", str(path), "--to", url])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "150 complaints" in out and "verify passes on both" in out
    team = PostgresDatabase(url, actor="officer1", today=TODAY)
    try:
        res = verify(team)
        assert res.ok, res.problems
        assert res.audit_entries == before.audit_entries and res.complaints == before.complaints
        assert res.head == before.head  # the same log, entry for entry
        # new work goes on from there, on the same chain and with the next reference
        with team.plain() as con:
            top = con.execute(
                "SELECT max(reference) FROM complaint WHERE reference LIKE '2026-%%'"
            ).fetchone()[0]
            resident = con.execute("SELECT min(id) FROM resident").fetchone()[0]
        c = C.log_complaint(team, resident, TODAY, "After the move")
        assert c.reference == f"2026-{int(top[5:]) + 1:04d}"
        res = verify(team)
        assert res.ok, res.problems
    finally:
        team.close()
    assert verify(Database(path)).ok  # the file is as it was

    # a database that already holds records is refused, and nothing is copied into it
    code = main(["team", "move-from", str(path), "--to", url])
    out, err = capsys.readouterr()
    assert code == 2
    assert "already holds records" in err and "nothing was copied" in err
    assert "Traceback" not in err


def test_move_from_refuses_what_is_not_a_file_or_not_a_server(tmp_path, pg_url):
    with pytest.raises(DomainError, match="There is no smallhousing file"):
        move.move_from(tmp_path / "nothing.db", pg_url)
    with pytest.raises(DomainError, match="not the address of a PostgreSQL database"):
        move.move_from(tmp_path / "nothing.db", str(tmp_path / "other.db"))
