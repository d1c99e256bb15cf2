"""Schema upgrades with Alembic. A database already at the newest revision skips Alembic entirely."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from .. import paths
from .db import (
    APPLICATION_ID,
    HEAD_REVISION,
    KNOWN_REVISIONS,
    Database,
    StoreError,
    _connect_ro,
    _newer_error,
    store_fault,
)
from .dialects import POSTGRESQL

MIGRATIONS = Path(__file__).with_name("migrations")


def current_revision(db_path: Path) -> str | None:
    if not db_path.exists() or db_path.stat().st_size == 0:
        return None
    try:
        con = _connect_ro(db_path)  # read-only: asking never changes the file
    except sqlite3.Error:
        return None
    try:
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    except sqlite3.DatabaseError:
        return None
    finally:
        con.close()


def alembic_config(db: Database):
    import sys

    from alembic.config import Config

    # Alembic's default stdout is whatever sys.stdout was when alembic.config was first imported,
    # which may since have been closed (a test's captured output, a redirected stream)
    cfg = Config(stdout=sys.stdout)
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if db.dialect == POSTGRESQL:  # the shown URL (no password; % doubled for configparser)
        cfg.set_main_option("sqlalchemy.url", str(db.where).replace("%", "%%"))
    else:
        cfg.set_main_option("sqlalchemy.url", f"sqlite:///{db.path}")
    return cfg


def backup_before_upgrade(db: Database, from_rev: str) -> Path:
    """Copy the database aside before any migration touches it."""
    folder = paths.make_private_dir(paths.backups_dir(db.path))
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = folder / f"before-upgrade-{from_rev}-{stamp}.db"
    src = sqlite3.connect(str(db.path))
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    paths.make_private_file(target)
    return target


def _marked(db_path: Path) -> bool:
    con = _connect_ro(db_path)
    try:
        return con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    finally:
        con.close()


def upgrade(db: Database, *, fresh: bool, to: str = "head") -> None:
    """Bring the file to the newest schema (a backup first) and make sure it carries the mark.

    Every path sets PRAGMA application_id: a new file, an upgraded one, and one already at the
    newest revision but made before the mark existed. A file at a revision this version does not
    know was made by a newer version: it is refused before anything (a backup included) is done.
    """
    if db.dialect == POSTGRESQL:
        return _upgrade_postgres(db, fresh=fresh, to=to)
    rev = None if fresh else current_revision(db.path)
    if rev is not None and rev not in KNOWN_REVISIONS:
        raise _newer_error(db.path, rev)
    assert db.engine is not None
    if rev == HEAD_REVISION and to == "head":
        if not _marked(db.path):
            with db.engine.begin() as conn:
                conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
        return
    if rev is not None:
        backup_before_upgrade(db, rev)
    from alembic import command

    cfg = alembic_config(db)
    try:
        with db.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, to)
            conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
    except Exception as exc:
        fault = store_fault(exc, db.path)
        if fault is not None:
            raise fault from None
        # the reason in SQLite's own words, never a statement's values (they may be record text)
        orig = getattr(exc, "orig", None)
        why = str(orig) if isinstance(orig, sqlite3.Error) else type(exc).__name__
        copy = f", and a copy is in {paths.backups_dir(db.path)}" if rev is not None else ""
        raise StoreError(
            f"Upgrading the database {db.path} failed ({why}); it was left as it was{copy}."
        ) from None


def _upgrade_postgres(db: Database, *, fresh: bool, to: str) -> None:
    """Bring a PostgreSQL database to the newest schema, in one transaction: PostgreSQL undoes a
    failed upgrade whole (its schema changes are transactional), so no copy is made first; take
    one with pg_dump before upgrading the program if you want one kept. Two programs upgrading at
    once take turns (an advisory lock), and the second finds nothing left to do."""
    from alembic import command

    assert db.engine is not None
    cfg = alembic_config(db)
    try:
        with db.engine.begin() as conn:
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (APPLICATION_ID,))
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, to)
    except Exception as exc:
        fault = store_fault(exc, db.where)
        if fault is not None:
            raise fault from None
        orig = getattr(exc, "orig", None)
        why = str(orig).splitlines()[0] if orig is not None else type(exc).__name__
        raise StoreError(
            f"Upgrading the database {db.where} failed ({why}); it was left as it was."
        ) from None
