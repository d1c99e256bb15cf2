"""Nothing is lost: kills mid-write, two copies on one file, wrong files, upgrades, privacy, no network."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from smallhousing import paths
from smallhousing.cli import main
from smallhousing.services import complaints as C
from smallhousing.services import queries as Q
from smallhousing.services.verify import verify
from smallhousing.store.db import HEAD_REVISION, Database, StoreError
from smallhousing.store.migrate import current_revision

FIXTURES = Path(__file__).parent / "fixtures" / "schema"
POSIX = os.name == "posix"


def _integrity(path: Path) -> list[str]:
    con = sqlite3.connect(str(path))
    try:
        return [r[0] for r in con.execute("PRAGMA integrity_check")]
    finally:
        con.close()


# upgrades ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("*.db")))
def test_each_earlier_schema_upgrades_with_its_data(fixture, tmp_path):
    target = tmp_path / "old.db"
    shutil.copy(FIXTURES / fixture, target)
    assert current_revision(target) == fixture[:-3]
    db = Database(target, today=dt.date(2025, 6, 2)).open()
    assert current_revision(target) == HEAD_REVISION
    backups = list(paths.backups_dir(target).glob("before-upgrade-*.db"))
    assert len(backups) == 1 and current_revision(backups[0]) == fixture[:-3]
    rows = Q.list_complaints(db)
    assert sorted(r.reference for r in rows) == ["2025-0001", "2025-0002"]
    v = C.complaint_view(db, "2025-0001")
    assert v.resident.name == "Gwenllïan Ŵyn"
    assert v.complaint.state == "stage 2 requested"
    assert [r.amount_pence for r in v.remedies] == [5000]
    assert verify(db).ok
    # and it still works: the next step is refused or allowed by the same rules as ever
    C.acknowledge(db, "2025-0001", "Still unhappy about the lock", on=dt.date(2025, 5, 21))
    db.close()


# wrong or damaged files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content", [b"reference,received_on\n2025-1,2025-01-01\n", b"SQLite format 3\x00" + b"\xff" * 2000]
)
def test_wrong_file_is_refused_and_left_alone(tmp_path, content, capsys):
    bad = tmp_path / "complaints.db"
    bad.write_bytes(content)
    assert main(["--db", str(bad), "due"]) == 2
    err = capsys.readouterr().err
    assert "not changed" in err.lower() or "has not been changed" in err
    assert str(paths.backups_dir(bad)) in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert bad.read_bytes() == content


def test_another_apps_sqlite_file_is_refused(tmp_path):
    other = tmp_path / "other.db"
    con = sqlite3.connect(str(other))
    con.execute("CREATE TABLE recipes (name TEXT)")
    con.commit()
    con.close()
    before = other.read_bytes()
    with pytest.raises(StoreError, match="not a smallhousing one"):
        Database(other).open()
    assert other.read_bytes() == before


# two copies on one file --------------------------------------------------------------------------


def test_busy_database_gets_a_plain_message_and_nothing_changes(db, setup, capsys, monkeypatch):
    import smallhousing.store.db as store_db

    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 300)
    holder = sqlite3.connect(str(db.path), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        code = main(["--db", str(db.path), "homes", "2025", "640"])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    err = capsys.readouterr().err
    assert code == 2 and "busy" in err and "Traceback" not in err
    from smallhousing.services import settings

    assert settings.homes_for(db, 2025) is None


WRITER = textwrap.dedent("""
    import datetime as dt, sys
    from smallhousing.store.db import Database
    from smallhousing.services import complaints as C, residents as R
    db = Database(sys.argv[1], actor=sys.argv[2], today=dt.date(2026, 3, 2)).open()
    rid = R.add_resident(db, "Writer " + sys.argv[2]).id
    for i in range(int(sys.argv[3])):
        c = C.log_complaint(db, rid, dt.date(2026, 2, 2), f"complaint {i} from {sys.argv[2]}")
        print(c.reference, flush=True)
""")


def test_two_processes_writing_at_once_both_land(db, setup, tmp_path):
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), str(db.path), who, "25"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who in ("one", "two")
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1] for o in outs]
    refs = [line for out, _ in outs for line in out.split()]
    assert len(refs) == 50 and len(set(refs)) == 50
    assert Q.count_complaints(db) == 50
    assert verify(db).ok


# crash safety ------------------------------------------------------------------------------------

STREAM = textwrap.dedent("""
    import datetime as dt, sys
    from smallhousing.store.db import Database
    from smallhousing.services import complaints as C, residents as R, settings as S
    db = Database(sys.argv[1], actor="stream", today=dt.date(2026, 3, 2)).open()
    staff = S.add_staff(db, "Stream Handler").id
    rid = R.add_resident(db, "Stream Resident").id
    i = 0
    while True:
        c = C.log_complaint(db, rid, dt.date(2026, 2, 2), "x" * 2000 + str(i))
        print("logged", c.reference, flush=True)
        C.acknowledge(db, c.id, "definition " + str(i), handler_id=staff, on=dt.date(2026, 2, 3))
        print("acknowledged", c.reference, flush=True)
        i += 1
""")


@pytest.mark.skipif(not POSIX, reason="SIGKILL is POSIX only")
@pytest.mark.parametrize("after_lines", [7, 40])
def test_killed_in_a_stream_of_calls_loses_nothing_that_returned(tmp_path, after_lines):
    path = tmp_path / "stream.db"
    Database(path).open().close()
    script = tmp_path / "stream.py"
    script.write_text(STREAM)
    proc = subprocess.Popen([sys.executable, str(script), str(path)], stdout=subprocess.PIPE, text=True)
    returned: list[tuple[str, str]] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        returned.append(tuple(line.split()))
        if len(returned) >= after_lines:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    assert _integrity(path) == ["ok"]
    db = Database(path, today=dt.date(2026, 3, 2)).open()
    for what, ref in returned:
        v = C.complaint_view(db, ref)
        if what == "acknowledged":
            assert v.complaint.state == "stage 1 acknowledged"
    # every complaint in the file is whole: its stage row and its audit entry came with it
    for row in Q.list_complaints(db, limit=1000):
        v = C.complaint_view(db, row.id)
        assert v.stages and any(e.action == "complaint logged" for e in v.events)
    assert verify(db).ok
    db.close()


# privacy -----------------------------------------------------------------------------------------


@pytest.mark.skipif(not POSIX, reason="POSIX file modes")
def test_files_are_private(tmp_path):
    folder = tmp_path / "new-data-folder"
    db = Database(folder / "smallhousing.db").open()
    from smallhousing.services import residents

    residents.add_resident(db, "Private Person")
    assert (folder.stat().st_mode & 0o777) == 0o700
    assert (db.path.stat().st_mode & 0o777) == 0o600
    db.close()


@pytest.mark.skipif(not POSIX, reason="POSIX file modes")
def test_existing_folder_is_not_changed(tmp_path):
    folder = tmp_path / "documents"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    Database(folder / "complaints.db").open().close()
    assert (folder.stat().st_mode & 0o777) == 0o755


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a network connection fails the test."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError(f"network use attempted: {args!r}")

    real_socket = socket.socket

    class GuardedSocket(real_socket):
        def connect(self, address):
            if self.family in (socket.AF_INET, socket.AF_INET6):
                refuse(address)
            return super().connect(address)

        def connect_ex(self, address):
            if self.family in (socket.AF_INET, socket.AF_INET6):
                refuse(address)
            return super().connect_ex(address)

    monkeypatch.setattr(socket, "socket", GuardedSocket)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield attempts
    assert attempts == []


def test_main_flows_open_no_network_connection(no_network, tmp_path, capsys):
    dbp = str(tmp_path / "n.db")
    assert main(["--db", dbp, "demo", "--complaints", "40"]) == 0
    assert main(["--db", dbp, "due", "--json"]) == 0
    assert main(["--db", dbp, "workdays", "add", "2025-12-24", "10"]) == 0
    assert main(["--db", dbp, "verify"]) == 0
    assert main(["--db", dbp, "sar", "1", "--out", str(tmp_path / "sar.json")]) == 0
    assert main(["--db", dbp, "tsm", "--year", "2025", "--json"]) == 0
    assert main(["--db", dbp, "report", "annual", "--year", "2025", "--out", str(tmp_path / "a.pdf")]) == 0
    assert main(["--db", dbp, "export", str(tmp_path / "log.csv")]) == 0
    assert main(["--db", str(tmp_path / "fresh.db"), "import", str(tmp_path / "log.csv")]) == 0
    assert main(["--db", dbp, "backup", "--out", str(tmp_path / "b.db")]) == 0
    db = Database(dbp).open()
    ref = Q.list_complaints(db, Q.ComplaintFilter(state="closed"), limit=1)[0].reference
    db.close()
    assert (
        main(["--db", dbp, "letter", ref, "response", "--stage", "1", "--out", str(tmp_path / "l.pdf")]) == 0
    )
    capsys.readouterr()
    for made in ("sar.json", "a.pdf", "log.csv", "b.db", "l.pdf"):
        assert ((tmp_path / made).stat().st_mode & 0o777) == 0o600, made


IMPORTER = textwrap.dedent("""
    import datetime as dt, sys
    from smallhousing.store.db import Database
    from smallhousing.services import transfer
    db = Database(sys.argv[1], actor="import", today=dt.date(2026, 3, 2)).open()
    def progress(i, total):
        print("progress", i, total, flush=True)
    transfer.import_csv(db, sys.argv[2], progress=progress)
    print("done", flush=True)
""")


@pytest.mark.skipif(not POSIX, reason="SIGKILL is POSIX only")
def test_killed_in_the_middle_of_an_import_leaves_nothing_half_done(tmp_path):
    rows = [
        "reference,received_on,resident_name,address,summary,stage1_handler,stage1_acknowledged_on,definition"
    ]
    for i in range(4000):
        rows.append(
            f"IMP-{i:05d},02/02/2026,Resident {i % 700},{i % 90} Mill Lane,Leak {i},"
            f"Ann Import,03/02/2026,Leak in the roof {i}"
        )
    csv_path = tmp_path / "log.csv"
    csv_path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    path = tmp_path / "import.db"
    db = Database(path, today=dt.date(2026, 3, 2)).open()
    from smallhousing.services import residents

    residents.add_resident(db, "Already Here")
    db.close()
    script = tmp_path / "importer.py"
    script.write_text(IMPORTER)
    proc = subprocess.Popen(
        [sys.executable, str(script), str(path), str(csv_path)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    seen = 0
    for line in proc.stdout:
        assert not line.startswith("done"), "the import finished before it could be killed"
        seen += 1
        if seen >= 5:  # well into the rows, inside the one transaction
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    assert _integrity(path) == ["ok"]
    db = Database(path, today=dt.date(2026, 3, 2)).open()
    assert Q.count_complaints(db) == 0
    assert [r.name for r in residents.list_residents(db)] == ["Already Here"]
    assert verify(db).ok
    db.close()
