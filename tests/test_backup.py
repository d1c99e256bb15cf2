"""Backups (online, consistent, private), the daily automatic backup, and restores."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat
import threading
import time

import pytest
from conftest import TODAY

from smallhousing import paths
from smallhousing.cli import main
from smallhousing.domain.errors import DomainError
from smallhousing.services import backup as B
from smallhousing.services import complaints as C
from smallhousing.services import settings
from smallhousing.store import migrate
from smallhousing.store.db import HEAD_REVISION, Database


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def count(path, table: str) -> int:
    con = sqlite3.connect(str(path))
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


def test_backup_goes_to_the_backups_folder_privately(demo_db):
    made = B.backup(demo_db)
    folder = paths.backups_dir(demo_db.path)
    assert made.parent == folder
    assert made.name.startswith("smallhousing-") and made.suffix == ".db"
    dt.datetime.strptime(made.stem[len("smallhousing-") :], "%Y%m%d-%H%M%S")
    assert mode(made) == 0o600 and mode(folder) == 0o700
    assert B.check_integrity(made) == "ok"
    assert count(made, "complaint") == count(demo_db.path, "complaint") == 150
    assert not os.path.exists(str(made) + "-wal")  # one self-contained file
    again = B.backup(demo_db)  # the same second: a new name, never an overwrite
    assert again != made and again.exists()


def test_backup_out_never_overwrites(db, tmp_path):
    out = tmp_path / "copy.db"
    assert B.backup(db, out) == out and mode(out) == 0o600
    with pytest.raises(DomainError, match="already exists"):
        B.backup(db, out)
    with pytest.raises(DomainError, match="the database itself"):
        B.backup(db, db.path)


def _writer(path, stop: threading.Event, written: list) -> None:
    con = sqlite3.connect(str(path), timeout=5)
    con.execute("PRAGMA journal_mode = WAL")
    i = 0
    while not stop.is_set():
        with con:
            con.execute(
                "INSERT INTO staff (name, role, email, active) VALUES (?, '', '', 1)", (f"Writer {i}",)
            )
            con.execute("INSERT INTO homes_year (year, homes) VALUES (?, ?)", (3000 + i, i))
        i += 1
        written.append(i)
    con.close()


def test_backup_while_another_connection_writes(db):
    stop, written = threading.Event(), []
    t = threading.Thread(target=_writer, args=(db.path, stop, written))
    t.start()
    try:
        while len(written) < 20:
            time.sleep(0.01)
        backups = [B.backup(db) for _ in range(5)]
    finally:
        stop.set()
        t.join()
    assert len(written) > 20
    for b in backups:
        assert B.check_integrity(b) == "ok"
        # a snapshot: the two rows of each write are both there or both not
        assert count(b, "staff") == count(b, "homes_year")
    counts = [count(b, "staff") for b in backups]
    assert counts == sorted(counts)


def test_daily_backup_once_a_day_keeping_fourteen(db):
    folder = paths.backups_dir(db.path)
    first = B.daily_backup(db, now=dt.datetime(2026, 3, 2, 9, 0))
    assert first is not None and first.name.startswith(B.AUTO_PREFIX)
    assert B.daily_backup(db, now=dt.datetime(2026, 3, 2, 17, 30)) is None  # not twice a day
    manual = B.backup(db)
    upgrade = folder / "before-upgrade-0001_initial-20250101-120000.db"
    upgrade.write_bytes(manual.read_bytes())
    for day in range(3, 23):
        assert B.daily_backup(db, now=dt.datetime(2026, 3, day, 9, 0)) is not None
    autos = sorted(p.name for p in folder.iterdir() if p.name.startswith(B.AUTO_PREFIX))
    assert len(autos) == B.KEEP_AUTOMATIC
    assert autos[0] == "auto-smallhousing-20260309-090000.db"  # the oldest kept
    assert autos[-1] == "auto-smallhousing-20260322-090000.db"
    assert manual.exists() and upgrade.exists()  # never deleted
    kinds = {b.name: b.kind for b in B.list_backups(db)}
    assert kinds[manual.name] == "manual" and kinds[upgrade.name] == "before upgrade"
    listed = [b for b in B.list_backups(db) if b.kind == "automatic"]
    assert listed[0].name == "auto-smallhousing-20260322-090000.db"  # newest first
    assert listed[0].made == dt.datetime(2026, 3, 22, 9, 0)


def test_restore_puts_the_backup_back_and_keeps_the_current_one(db, setup):
    C.log_complaint(db, setup.resident, dt.date(2026, 2, 2), "Before the backup", reference="K-1")
    made = B.backup(db)
    C.log_complaint(db, setup.resident, dt.date(2026, 2, 3), "After the backup", reference="K-2")
    result = B.restore(db, made)
    assert result.counts["complaint"] == 1
    assert "Restored " + made.name in result.summary() and "1 complaints" in result.summary()
    # the database object is usable straight away and sees the restored records
    assert C.complaint_view(db, "K-1").complaint.description == "Before the backup"
    with pytest.raises(DomainError):
        C.complaint_view(db, "K-2")
    kept = result.kept_aside
    assert kept.name.startswith("before-restore-") and kept.parent == paths.backups_dir(db.path)
    assert mode(kept) == 0o600 and count(kept, "complaint") == 2
    assert B.check_integrity(db.path) == "ok"


def test_restore_of_an_older_schema_upgrades_a_copy(db, setup, tmp_path):
    old_path = tmp_path / "old" / "smallhousing-20240101-120000.db"
    old_path.parent.mkdir()
    old = Database(old_path, actor="old").open(migrate=False)
    migrate.upgrade(old, fresh=True, to="0001_initial")
    old.close()
    con = sqlite3.connect(str(old_path))
    with con:
        con.execute("INSERT INTO staff (name, role, email, active) VALUES ('Olwen Old', '', '', 1)")
    con.close()
    assert migrate.current_revision(old_path) == "0001_initial"
    before = old_path.read_bytes()

    result = B.restore(db, old_path)
    assert result.upgraded_from == "0001_initial" and "upgraded" in result.summary()
    assert migrate.current_revision(db.path) == HEAD_REVISION
    assert [s.name for s in settings.list_staff(db)] == ["Olwen Old"]
    assert old_path.read_bytes() == before  # the backup itself is never changed
    assert count(result.kept_aside, "staff") == 3  # the setup's staff, kept aside
    assert not list(db.path.parent.glob(".restore-*"))  # the work folder is cleaned up


def test_restore_refuses_files_that_are_not_smallhousing_backups(db, setup, tmp_path):
    before = db.path.read_bytes()
    text = tmp_path / "notes.db"
    text.write_text("just some notes")
    with pytest.raises(DomainError, match="not an SQLite database"):
        B.restore(db, text)
    other = tmp_path / "other.db"
    con = sqlite3.connect(str(other))
    con.execute("CREATE TABLE things (id INTEGER)")
    con.close()
    with pytest.raises(DomainError, match="not a smallhousing database"):
        B.restore(db, other)
    newer = B.backup(db, tmp_path / "newer.db")
    con = sqlite3.connect(str(newer))
    with con:
        con.execute("UPDATE alembic_version SET version_num = '0099_future'")
    con.close()
    with pytest.raises(DomainError, match="newer version"):
        B.restore(db, newer)
    with pytest.raises(DomainError, match="no file"):
        B.restore(db, tmp_path / "missing.db")
    assert db.path.read_bytes() == before
    assert not [b for b in B.list_backups(db) if b.kind == "before restore"]


def test_restore_refuses_a_damaged_backup(db, setup, tmp_path):
    damaged = B.backup(db, tmp_path / "damaged.db")
    raw = bytearray(damaged.read_bytes())
    page = 4096
    for i in range(page * 2 + 100, min(len(raw), page * 6)):  # scribble over b-tree pages
        raw[i] = 0xAB
    damaged.write_bytes(bytes(raw))
    with pytest.raises(DomainError, match="damaged|not a smallhousing"):
        B.restore(db, damaged)
    assert settings.list_staff(db)  # the database is untouched


def test_cli_backup_and_restore(tmp_path, capsys, monkeypatch):
    path = tmp_path / "data" / "cli.db"
    monkeypatch.setenv("SMALLHOUSING_DB", str(path))
    d = Database(path, today=TODAY).open()
    settings.add_staff(d, "Nia Lloyd")
    d.close()
    assert main(["backup"]) == 0
    out = capsys.readouterr().out
    made = out.strip().split("Backed up to ", 1)[1]
    assert os.path.exists(made)
    assert main(["backup", "--out", made]) == 2
    assert "already exists" in capsys.readouterr().err
    d = Database(path, today=TODAY).open()
    settings.add_staff(d, "Rhys Pryce")
    d.close()
    assert main(["restore", made]) == 0
    out = capsys.readouterr().out
    assert "Restored" in out and "1 staff" in out and "before-restore-" in out
    d = Database(path, today=TODAY).open()
    assert [s.name for s in settings.list_staff(d)] == ["Nia Lloyd"]
    d.close()
    assert main(["restore", str(tmp_path / "nothing.db")]) == 2
