"""Restores never run under a live writer; backups under their real names are always whole; a
killed backup or restore leaves nothing half-made behind (services/backup.py)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import TODAY

from smallhousing import paths
from smallhousing.cli import main
from smallhousing.services import backup as B
from smallhousing.services import settings
from smallhousing.store.db import Database, StoreBusy

POSIX = os.name == "posix"
ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def count(path, table: str) -> int:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


def integrity(path) -> str:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


HOLDER = """
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN IMMEDIATE")
con.execute("INSERT INTO staff (name, role, email, active) VALUES ('Written under the lock', '', '', 1)")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
con.execute("COMMIT")
print("committed", flush=True)
"""


def _hold_the_write_lock(tmp_path, path, seconds: float) -> subprocess.Popen:
    script = tmp_path / "holder.py"
    script.write_text(HOLDER)
    proc = subprocess.Popen(
        [sys.executable, str(script), str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


@pytest.mark.slow
def test_restore_under_a_live_writer_says_busy_and_changes_nothing(db, setup, tmp_path, capsys):
    made = B.backup(db)
    settings.add_staff(db, "Added after the backup")
    db.close()
    before = sorted(p.name for p in paths.backups_dir(db.path).iterdir())
    proc = _hold_the_write_lock(tmp_path, db.path, 12)
    try:
        t0 = time.monotonic()
        with pytest.raises(StoreBusy, match="in use") as caught:
            B.restore(db.path, made)
        assert "another smallhousing command or the app" in str(caught.value)
        assert "damaged" not in str(caught.value)
        assert os.path.exists(str(db.path) + "-wal")  # the writer's log was never deleted
        assert main(["--db", str(db.path), "restore", str(made)]) == 2
        err = capsys.readouterr().err
        assert "in use" in err and "Traceback" not in err
        assert time.monotonic() - t0 < 12, "the restore waited for the writer to finish"
    finally:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "committed"
        proc.wait()
        proc.stdout.close()
    # the writer's work is all there; nothing was replaced and no before-restore copy was made
    names = {r[0] for r in sqlite3.connect(str(db.path)).execute("SELECT name FROM staff")}
    assert {"Added after the backup", "Written under the lock"} <= names
    assert sorted(p.name for p in paths.backups_dir(db.path).iterdir()) == before
    assert integrity(db.path) == "ok"


def _csv(path: Path, n: int) -> None:
    rows = [
        "reference,received_on,resident_name,address,summary,stage1_handler,stage1_acknowledged_on,definition"
    ]
    for i in range(n):
        rows.append(
            f"IMP-{i:05d},02/02/2026,Resident {i % 700},{i % 90} Mill Lane,Leak {i},"
            f"Ann Import,03/02/2026,Leak in the roof {i}"
        )
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def _write_locked(path) -> bool:
    con = sqlite3.connect(str(path), timeout=0, isolation_level=None)
    try:
        con.execute("BEGIN IMMEDIATE")
        con.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        return "locked" in str(exc) or "busy" in str(exc)
    finally:
        con.close()


@pytest.mark.slow
@pytest.mark.skipif(not POSIX, reason="a second process")
def test_restore_while_an_import_runs_never_loses_what_the_import_saved(tmp_path, capsys):
    path = tmp_path / "data" / "live.db"
    d = Database(path, today=TODAY).open()
    settings.add_staff(d, "Nia Lloyd")
    d.close()
    made = B.backup(path)
    csv_path = tmp_path / "log.csv"
    _csv(csv_path, 10_000)
    proc = subprocess.Popen(
        [sys.executable, "-m", "smallhousing", "--db", str(path), "import", str(csv_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
        cwd=str(tmp_path),
    )
    deadline = time.monotonic() + 60
    while not _write_locked(path):  # wait until the import is writing
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.01)
    code = main(["--db", str(path), "restore", str(made)])
    err = capsys.readouterr()
    out, import_err = proc.communicate(timeout=300)
    assert proc.returncode == 0, import_err
    assert "10000" in out.replace(",", "") or "10 000" in out
    assert integrity(path) == "ok"
    if code == 2:  # refused: the file was in use
        assert "in use" in err.err
        assert count(path, "complaint") == 10_000
        assert not [b for b in B.list_backups(path) if b.kind == "before restore"]
    else:  # it waited for the import to finish: the import's work is in the copy kept aside
        assert code == 0, err
        kept = [b for b in B.list_backups(path) if b.kind == "before restore"]
        assert len(kept) == 1 and count(kept[0].path, "complaint") == 10_000
        assert integrity(kept[0].path) == "ok"


# killed part-way -----------------------------------------------------------------------------------

BACKUP = """
import sys
from smallhousing.services import backup as B
print("go", flush=True)
B.backup(sys.argv[1])
print("done", flush=True)
"""

RESTORE = """
import sys
from smallhousing.services import backup as B
print("go", flush=True)
B.restore(sys.argv[1], sys.argv[2])
print("done", flush=True)
"""


def _big(path: Path, demo_db_path, megabytes: int) -> None:
    """A copy of the demo database with ``megabytes`` of filler, so a copy of it takes a while."""
    src = sqlite3.connect(str(demo_db_path))
    dst = sqlite3.connect(str(path))
    src.backup(dst)
    src.close()
    with dst:
        dst.execute("CREATE TABLE filler (b BLOB)")
        dst.executemany("INSERT INTO filler VALUES (randomblob(65536))", [()] * (megabytes * 16))
    dst.close()


def _killed(script: str, args: list[str], delay: float) -> bool:
    """Run ``script`` and SIGKILL it ``delay`` seconds after it starts its work; True if killed."""
    proc = subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE, text=True, env=ENV)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "go"
    time.sleep(delay)
    finished = proc.poll() is not None
    if not finished:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    return not finished


def _backups_are_whole(path: Path) -> list[str]:
    names = []
    for p in sorted(paths.backups_dir(path).glob("*.db")):
        assert integrity(p) == "ok", p.name
        assert count(p, "complaint") == 150, p.name
        names.append(p.name)
    return names


@pytest.mark.slow
@pytest.mark.skipif(not POSIX, reason="SIGKILL is POSIX only")
def test_a_killed_backup_leaves_no_partial_file_under_a_backup_name(demo_db_path, tmp_path):
    path = tmp_path / "big.db"
    _big(path, demo_db_path, 80)
    leftovers = 0
    for delay in (0.05, 0.15, 0.3, 0.5):
        _killed(BACKUP, [str(path)], delay)
        _backups_are_whole(path)
        leftovers += len([p for p in paths.backups_dir(path).iterdir() if p.name.startswith(".")])
        assert integrity(path) == "ok"
    assert leftovers, "no backup was killed part-way: make the database bigger"
    # the next backup clears what the killed ones left, and is itself whole
    made = B.backup(path)
    assert integrity(made) == "ok"
    assert [p.name for p in paths.backups_dir(path).iterdir() if p.name.startswith(".")] == []


@pytest.mark.slow
@pytest.mark.skipif(not POSIX, reason="SIGKILL is POSIX only")
def test_a_killed_restore_leaves_the_database_whole_and_no_copy_behind(demo_db_path, tmp_path):
    path = tmp_path / "data" / "big.db"
    path.parent.mkdir()
    _big(path, demo_db_path, 60)
    small = tmp_path / "small.db"
    _big(small, demo_db_path, 0)
    con = sqlite3.connect(str(small))
    with con:
        con.execute("DELETE FROM filler")
        con.execute("INSERT INTO filler VALUES (x'01')")
    con.close()
    for delay in (0.05, 0.2, 0.4, 0.8):
        _killed(RESTORE, [str(path), str(small)], delay)
        assert integrity(path) == "ok"
        assert count(path, "complaint") == 150
        assert count(path, "filler") in (1, 60 * 16)  # all of the old or all of the new
        _backups_are_whole(path)
    B.clean_leftovers(path)  # as the next backup or restore does when it starts
    assert not list(path.parent.glob(".restore-*"))
    assert not [p for p in paths.backups_dir(path).iterdir() if p.name.startswith(".")]
    result = B.restore(path, small)
    assert count(path, "filler") == 1 and integrity(result.kept_aside) == "ok"


def test_a_damaged_automatic_backup_is_not_todays_nor_one_of_the_fourteen(db):
    folder = paths.backups_dir(db.path)
    today = dt.datetime(2026, 3, 22, 9, 0)
    for day in range(8, 22):
        assert B.daily_backup(db, now=dt.datetime(2026, 3, day, 9, 0)) is not None
    # a backup killed part-way by an older version: a partial file under today's name
    good = folder / "auto-smallhousing-20260321-090000.db"
    partial = folder / "auto-smallhousing-20260322-080000.db"
    partial.write_bytes(good.read_bytes()[: 4096 * 3])
    made = B.daily_backup(db, now=today)
    assert made is not None and made != partial and integrity(made) == "ok"
    autos = sorted(p.name for p in folder.glob(B.AUTO_PREFIX + "*"))
    whole = [n for n in autos if B.is_whole(folder / n)]
    assert len(whole) == B.KEEP_AUTOMATIC  # the partial one took no good backup's place
    assert "auto-smallhousing-20260309-090000.db" in whole


def test_a_restored_database_verifies_with_the_backups_audit_log(db, setup):
    """The audit head kept beside the database follows the restored records: restoring an older
    backup is not taken for deleted audit entries."""
    from smallhousing.services import complaints as C
    from smallhousing.services.verify import verify

    C.log_complaint(db, setup.resident, TODAY, "Gate broken")
    made = B.backup(db)
    for words in ("Fence down", "Bins not collected", "Light out on the stairs"):
        C.log_complaint(db, setup.resident, TODAY, words)
    assert verify(db).ok
    B.restore(db, made)
    result = verify(db)
    assert result.ok, result.problems
    assert result.complaints == 1


def test_another_programs_file_is_not_backed_up(tmp_path):
    from smallhousing.store.db import StoreError

    other = tmp_path / "other.db"
    con = sqlite3.connect(str(other))
    con.execute("CREATE TABLE complaint (x)")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="not a smallhousing"):
        B.backup(other)
    assert not paths.backups_dir(other).exists()
