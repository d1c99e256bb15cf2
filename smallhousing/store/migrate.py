"""Schema upgrades with Alembic. A database already at the newest revision skips Alembic entirely."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from .. import paths
from .db import APPLICATION_ID, HEAD_REVISION, Database, StoreError

MIGRATIONS = Path(__file__).with_name("migrations")


def current_revision(db_path: Path) -> str | None:
    if not db_path.exists():
        return None
    con = sqlite3.connect(str(db_path))
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


def upgrade(db: Database, *, fresh: bool, to: str = "head") -> None:
    rev = None if fresh else current_revision(db.path)
    if rev == HEAD_REVISION and to == "head":
        return
    if rev is not None:
        backup_before_upgrade(db, rev)
    from alembic import command

    cfg = alembic_config(db)
    assert db.engine is not None
    try:
        with db.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, to)
            conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
    except Exception as exc:
        raise StoreError(f"Upgrading the database {db.path} failed ({exc}); it was left as it was, "
                         f"and a copy is in {paths.backups_dir(db.path)}.") from exc
