"""Read-only, full, busy, foreign, newer and empty files: each is said plainly and left alone, and
no report of a fault ever holds record text or lands outside the data folder."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import tempfile
from pathlib import Path

import pytest

from smallhousing import paths
from smallhousing.cli import main
from smallhousing.store import db as store_db
from smallhousing.store.db import (
    APPLICATION_ID,
    HEAD_REVISION,
    Database,
    StoreBusy,
    StoreError,
    StoreFull,
    StoreReadOnly,
)

NAME = "Mrs Siân O'Brien"


def _fingerprint(path: Path) -> tuple:
    st = path.stat()
    return (hashlib.sha256(path.read_bytes()).hexdigest(), st.st_mtime_ns, stat.S_IMODE(st.st_mode))


def _side_files(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p != path)


@pytest.fixture
def systemp(tmp_path, monkeypatch):
    """The system temporary folder, made empty and watched."""
    folder = tmp_path / "systemp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setenv("TMPDIR", str(folder))
    return folder


@pytest.fixture
def demo_copy(demo_db_path, tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    target = folder / "demo.db"
    src, dst = sqlite3.connect(str(demo_db_path)), sqlite3.connect(str(target))
    src.backup(dst)
    src.close()
    dst.close()
    return target


# read-only ---------------------------------------------------------------------------------------


def test_read_only_file_is_read_not_chmodded(demo_copy, tmp_path, capsys):
    os.chmod(demo_copy, 0o444)
    before = _fingerprint(demo_copy)
    db = f"--db={demo_copy}"
    assert main([db, "due"]) == 0
    assert main([db, "tsm", "--year", "2025"]) == 0
    out = tmp_path / "out"
    out.mkdir()
    assert main([db, "export", str(out / "log.csv")]) == 0
    assert main([db, "sar", "1", "--out", str(out / "sar.json")]) == 0
    capsys.readouterr()
    assert _fingerprint(demo_copy) == before  # same bytes, same time, still 0444
    # a write is refused in one line, saying that writing needs permission, and changes nothing
    assert main([db, "homes", "2026", "300"]) == 2
    err = capsys.readouterr().err
    assert "permission" in err and "Traceback" not in err and err.count("\n") == 1
    assert _fingerprint(demo_copy) == before


def test_read_only_database_refuses_writes_with_store_read_only(demo_copy):
    from smallhousing.services import queries, settings

    os.chmod(demo_copy, 0o444)
    before = _fingerprint(demo_copy)
    d = Database(demo_copy).open()
    try:
        assert d.read_only
        assert queries.list_complaints(d)
        with pytest.raises(StoreReadOnly, match="permission"):
            settings.set_homes(d, 2026, 300)
    finally:
        d.close()
    assert _fingerprint(demo_copy) == before


def test_read_only_can_be_asked_for(demo_copy):
    before = _fingerprint(demo_copy)
    d = Database(demo_copy, read_only=True).open()
    try:
        from smallhousing.services import settings

        with pytest.raises(StoreReadOnly):
            settings.set_homes(d, 2026, 300)
    finally:
        d.close()
    assert _fingerprint(demo_copy)[0] == before[0]


def test_writable_decision_uses_owner_bits_not_just_access(tmp_path, monkeypatch):
    f = tmp_path / "x.db"
    f.write_bytes(b"")
    os.chmod(f, 0o444)
    assert not store_db.writable(f)  # root passes os.access; the owner bits still say no
    os.chmod(f, 0o600)
    assert store_db.writable(f)
    monkeypatch.setattr(os, "access", lambda *a, **k: False)
    assert not store_db.writable(f)


def test_private_file_never_gains_a_permission(tmp_path):
    f = tmp_path / "f"
    f.write_bytes(b"x")
    os.chmod(f, 0o444)
    paths.make_private_file(f)
    assert stat.S_IMODE(f.stat().st_mode) & 0o200 == 0
    os.chmod(f, 0o664)
    paths.make_private_file(f)
    assert stat.S_IMODE(f.stat().st_mode) == 0o600


# full and busy -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "message,kind,words",
    [
        ("database or disk is full", StoreFull, "full"),
        ("database is locked", StoreBusy, "busy"),
        ("attempt to write a readonly database", StoreReadOnly, "permission"),
    ],
)
def test_sqlite_faults_are_named_not_called_damage(
    db, setup, monkeypatch, capsys, systemp, message, kind, words
):
    from smallhousing.services import settings

    def boom(*a, **k):
        raise sqlite3.OperationalError(message)

    monkeypatch.setattr(settings, "set_homes", boom)
    assert main(["--db", str(db.path), "homes", "2026", "300"]) == 2
    err = capsys.readouterr().err
    assert words in err and "damaged" not in err and "went wrong" not in err
    assert "Traceback" not in err and err.count("\n") == 1
    assert list(systemp.iterdir()) == []
    # and the store itself names it, whether sqlite3 or SQLAlchemy raised it
    import sqlalchemy.exc

    wrapped = sqlalchemy.exc.OperationalError(
        "INSERT INTO resident (name) VALUES (?)", (NAME,), sqlite3.OperationalError(message)
    )
    with pytest.raises(kind) as info:
        with db.session():
            raise wrapped
    assert NAME not in str(info.value) and "INSERT" not in str(info.value)


# fault reports -----------------------------------------------------------------------------------


def _statement_error():
    import sqlalchemy.exc

    return sqlalchemy.exc.StatementError(
        f"bad value {NAME}",
        "INSERT INTO resident VALUES (?)",
        {"name": NAME, "notes": "lives at 12 Heol y Parc"},
        ValueError(f"cannot store {NAME}"),
    )


@pytest.mark.parametrize(
    "make", [lambda: RuntimeError(f"could not file the complaint of {NAME}"), _statement_error]
)
def test_fault_report_stays_in_data_folder_and_holds_no_record_text(
    db, setup, monkeypatch, capsys, systemp, make
):
    from smallhousing.services import settings

    def boom(*a, **k):
        raise make()

    monkeypatch.setattr(settings, "set_homes", boom)
    assert main(["--db", str(db.path), "homes", "2026", "300"]) == 1
    err = capsys.readouterr().err
    assert NAME not in err and "O'Brien" not in err and "Heol" not in err
    assert list(systemp.iterdir()) == []
    reports = list(paths.errors_dir(db.path).iterdir())
    assert len(reports) == 1 and str(reports[0]) in err
    assert stat.S_IMODE(reports[0].stat().st_mode) == 0o600
    text = reports[0].read_text(encoding="utf-8")
    assert "O'Brien" not in text and "Siân" not in text and "Heol" not in text
    assert "boom" in text and ".py" in text  # where it happened: function and file names


def test_app_fault_shows_no_traceback_and_reports_without_record_text(db, setup, systemp):
    import asyncio

    from smallhousing.app import build_app

    app = build_app(db)

    async def run():
        async with app.run_test():
            try:
                raise RuntimeError(f"could not show {NAME}")
            except RuntimeError as exc:
                app._handle_exception(exc)

    with pytest.raises(RuntimeError):  # under test (headless) the error is raised again at the end
        asyncio.run(run())
    shown = "".join(str(r) for r in app._exit_renderables)
    assert NAME not in shown and "Traceback" not in shown
    assert list(systemp.iterdir()) == []
    reports = list(paths.errors_dir(db.path).iterdir())
    assert len(reports) == 1 and NAME not in reports[0].read_text(encoding="utf-8")
    assert app.return_code == 1


# wrong, newer and empty files --------------------------------------------------------------------


@pytest.fixture
def foreign(tmp_path):
    folder = tmp_path / "other"
    folder.mkdir()
    f = folder / "other.db"
    con = sqlite3.connect(str(f))
    con.execute("CREATE TABLE complaint (x)")
    con.execute("INSERT INTO complaint VALUES ('secret of another app')")
    con.commit()
    con.close()
    os.chmod(f, 0o644)
    return f


def test_another_apps_file_with_a_complaint_table_is_left_byte_identical(foreign, capsys):
    before = _fingerprint(foreign)
    for argv in (["due"], ["tsm", "--year", "2025"], ["homes", "2026", "300"], ["verify"]):
        assert main(["--db", str(foreign), *argv]) == 2, argv
        err = capsys.readouterr()
        assert "not a smallhousing" in err.err and "secret" not in err.out + err.err
    with pytest.raises(StoreError, match="not a smallhousing"):
        Database(foreign).open()
    with pytest.raises(StoreError, match="not a smallhousing"):
        Database(foreign).check()
    assert _fingerprint(foreign) == before
    assert _side_files(foreign) == []  # no -wal, no -shm, no backups folder


def test_old_smallhousing_file_without_the_mark_is_recognised_and_marked(tmp_path):
    f = tmp_path / "old.db"
    Database(f).open().close()
    con = sqlite3.connect(str(f))
    con.execute("PRAGMA application_id = 0")
    con.commit()
    con.close()
    assert Database(f).check() == "ours"
    Database(f).open().close()
    con = sqlite3.connect(str(f))
    assert con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    con.close()


def test_unmarked_file_with_an_unknown_revision_is_not_ours(tmp_path):
    f = tmp_path / "x.db"
    con = sqlite3.connect(str(f))
    con.execute("CREATE TABLE alembic_version (version_num TEXT)")
    con.execute("INSERT INTO alembic_version VALUES ('abc123')")
    con.execute("CREATE TABLE complaint (x)")
    con.commit()
    con.close()
    before = _fingerprint(f)
    with pytest.raises(StoreError, match="not a smallhousing"):
        Database(f).open()
    assert _fingerprint(f) == before


def test_file_from_a_newer_version_says_so_and_is_not_backed_up_each_time(tmp_path, capsys):
    f = tmp_path / "data" / "new.db"
    Database(f).open().close()
    con = sqlite3.connect(str(f))
    con.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    con.commit()
    con.close()
    before = _fingerprint(f)
    for _ in range(2):
        assert main(["--db", str(f), "homes", "2026", "300"]) == 2
        err = capsys.readouterr().err
        assert "newer version of smallhousing" in err and "install the newer version" in err
        assert main(["--db", str(f), "due"]) == 2
        capsys.readouterr()
    assert _fingerprint(f) == before
    assert not list(paths.backups_dir(f).glob("before-upgrade-*"))


def test_empty_file_is_refused_and_a_new_path_is_created(tmp_path, capsys):
    f = tmp_path / "data" / "empty.db"
    f.parent.mkdir()
    f.write_bytes(b"")
    before = _fingerprint(f)
    assert main(["--db", str(f), "homes", "2026", "300"]) == 2
    err = capsys.readouterr().err
    assert "empty" in err and "damaged or truncated" in err
    with pytest.raises(StoreError, match="empty"):
        Database(f).open()
    assert _fingerprint(f) == before and _side_files(f) == []
    new = tmp_path / "data" / "new.db"
    assert main(["--db", str(new), "homes", "2026", "300"]) == 0
    assert Database(new).check() == "ours"


def test_known_revisions_are_alembics():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from smallhousing.store.migrate import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    revs = {s.revision for s in ScriptDirectory.from_config(cfg).walk_revisions()}
    assert set(store_db.KNOWN_REVISIONS) == revs and HEAD_REVISION in revs
