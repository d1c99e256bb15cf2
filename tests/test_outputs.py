"""No command writes over the database, its working files or a backup; existing files need --force;
every output file is written whole and private (services/outputs.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
import stat

import pytest

from smallhousing.cli import main
from smallhousing.services import backup as B
from smallhousing.services import letters as SL
from smallhousing.services import outputs as O

D = dt.date
POSIX = os.name == "posix"


def acknowledged(db, setup):
    """A complaint with a response letter that can be issued."""
    from test_letters_cli import responded

    return responded(db, setup)


def run(db, *args):
    try:
        return main(["--db", str(db.path), *args])
    except SystemExit as exc:
        return exc.code


def digest(path) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def snapshot(db) -> dict:
    """Every file beside the database (and in its backups folder), with its bytes' digest."""
    out = {}
    for root, _dirs, files in os.walk(db.path.parent):
        for name in files:
            p = os.path.join(root, name)
            if os.path.isfile(p) and not name.endswith(("-wal", "-shm")):
                out[p] = digest(p)
    return out


def complaints_in(path) -> int:
    con = sqlite3.connect(str(path))
    try:
        return con.execute("SELECT count(*) FROM complaint").fetchone()[0]
    finally:
        con.close()


def _targets(db):
    """Names that reach the database, its working files or a backup."""
    made = B.backup(db)
    folder = db.path.parent
    link = folder / "link-to-db.json"
    link.symlink_to(db.path)
    pdf_link = folder / "link-to-db.pdf"
    pdf_link.symlink_to(db.path)
    hard = folder / "hard-link-to-db.json"
    os.link(db.path, hard)
    hard_backup = folder / "hard-link-to-backup.json"
    os.link(made, hard_backup)
    return {
        "the database": db.path,
        "the database by another path": folder / "." / db.path.name,
        "its -wal": str(db.path) + "-wal",
        "its -shm": str(db.path) + "-shm",
        "its -journal": str(db.path) + "-journal",
        "a symbolic link to it": link,
        "a symbolic link named .pdf to it": pdf_link,
        "a hard link to it": hard,
        "a backup": made,
        "a new file in the backups folder": made.parent / "new.json",
        "a hard link to a backup": hard_backup,
    }


@pytest.mark.skipif(not POSIX, reason="links and device files")
def test_sar_letter_export_and_reports_never_write_over_the_records(db, setup, capsys):
    c = acknowledged(db, setup)
    targets = _targets(db)
    before = snapshot(db)
    n = complaints_in(db.path)
    commands = [
        ("sar", str(setup.resident)),
        ("letter", c.reference, "response"),
        ("export",),
        ("export", "--json"),
        ("report", "annual", "--year", "2025"),
        ("report", "board", "--from", "2026-01-01", "--to", "2026-02-28"),
        ("report", "self-assessment", "--year", "2025"),
    ]
    for what, target in targets.items():
        for cmd in commands:
            for force in ([], ["--force"]):
                t = str(target)
                args = [*cmd, t] if cmd[0] == "export" else [*cmd, "--out", t]
                code = run(db, *args, *force)
                err = capsys.readouterr().err
                assert code == 2, (what, args, force, err)
                assert err.startswith("smallhousing: ") and "Traceback" not in err, err
                assert "nothing was written" in err.lower() or ".pdf" in err, (what, args, err)
    assert snapshot(db) == before
    assert complaints_in(db.path) == n
    assert B.check_integrity(db.path) == "ok"
    assert not list(db.path.parent.rglob("*.part"))


@pytest.mark.skipif(not POSIX, reason="device files")
def test_devices_folders_and_dangling_links_are_refused(db, setup, tmp_path, capsys):
    c = acknowledged(db, setup)
    dangling = tmp_path / "gone.pdf"
    dangling.symlink_to(tmp_path / "nowhere" / "x.pdf")
    # never the real /dev/null: code that renamed over it would replace it for the whole machine
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    specials = [fifo]
    try:
        os.mknod(tmp_path / "null.pdf", 0o600 | stat.S_IFCHR, os.makedev(1, 3))
        specials.append(tmp_path / "null.pdf")
    except (PermissionError, OSError):
        pass
    cases = [(s, "not an ordinary file") for s in specials] + [
        (tmp_path, "is a folder"),
        (dangling, "does not exist"),
        (tmp_path / "no-folder" / "x.pdf", "does not exist"),
    ]
    for target, says in cases:
        for force in ([], ["--force"]):
            assert run(db, "letter", c.reference, "response", "--out", str(target), *force) == 2
            assert says in capsys.readouterr().err
            assert run(db, "sar", str(setup.resident), "--out", str(target), *force) == 2
            assert says in capsys.readouterr().err
    assert SL.list_letters(db, c.reference) == []


def test_an_existing_file_is_replaced_only_with_force(db, setup, tmp_path, capsys):
    c = acknowledged(db, setup)
    cases = [
        ("mine.pdf", ["letter", c.reference, "response", "--out"]),
        ("mine.json", ["sar", str(setup.resident), "--out"]),
        ("mine.csv", ["export"]),
        ("mine-all.json", ["export", "--json"]),
        ("annual.pdf", ["report", "annual", "--year", "2025", "--out"]),
        ("assess.pdf", ["report", "self-assessment", "--year", "2025", "--out"]),
        ("board.pdf", ["report", "board", "--from", "2026-01-01", "--to", "2026-02-28", "--out"]),
    ]
    for name, cmd in cases:
        target = tmp_path / name
        target.write_bytes(b"something the user wants to keep")
        args = [*cmd, str(target)]
        assert run(db, *args) == 2, name
        err = capsys.readouterr().err
        assert "already exists" in err and "--force" in err, err
        assert target.read_bytes() == b"something the user wants to keep"
        assert run(db, *args, "--force") == 0, (name, capsys.readouterr().err)
        capsys.readouterr()
        assert target.read_bytes() != b"something the user wants to keep"
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert not list(tmp_path.rglob("*.part"))


@pytest.mark.skipif(not POSIX, reason="file modes")
def test_output_is_made_private_from_the_start_and_renamed_into_place(db, tmp_path, monkeypatch):
    opened = []
    real_open = os.open

    def spy(path, flags, mode=0o777, *a, **kw):
        if str(path).endswith(O.TEMP_SUFFIX):
            opened.append((str(path), flags, mode))
        return real_open(path, flags, mode, *a, **kw)

    monkeypatch.setattr(os, "open", spy)
    out = O.write_bytes(tmp_path / "a.json", b"{}", db.path)
    assert out.read_bytes() == b"{}"
    ((name, flags, mode),) = opened
    assert os.path.dirname(name) == str(tmp_path)
    assert flags & os.O_CREAT and flags & os.O_EXCL and mode == 0o600
    assert not os.path.exists(name)
    with pytest.raises(O.OutputExists):
        O.write_bytes(tmp_path / "a.json", b"other", db.path)
    assert out.read_bytes() == b"{}"
