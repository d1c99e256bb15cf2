"""Backups and restores of the one database file.

A backup is made with SQLite's online backup API, so it is consistent even while the app (or
another process) is writing. Backups live in paths.backups_dir(db.path), readable by the owner only:

- smallhousing-YYYYMMDD-HHMMSS.db       made by hand (``smallhousing backup``, the Backups screen)
- auto-smallhousing-YYYYMMDD-HHMMSS.db  made by daily_backup() when the app starts; the newest
                                        KEEP_AUTOMATIC are kept, older automatic ones deleted
- before-restore-YYYYMMDD-HHMMSS.db     the database as it was just before a restore replaced it
- before-upgrade-REV-YYYYMMDD-HHMMSS.db made by store/migrate.py before a schema upgrade

Only automatic backups are ever deleted, and only by daily_backup().
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .. import paths
from ..domain.errors import DomainError
from ..store.db import BUSY_TIMEOUT_MS, Database, StoreError, _sqlite_check

KEEP_AUTOMATIC = 14
MANUAL_PREFIX = "smallhousing-"
AUTO_PREFIX = "auto-smallhousing-"
BEFORE_RESTORE_PREFIX = "before-restore-"
STAMP = "%Y%m%d-%H%M%S"

# what a restore reports, in this order
COUNTED = (("complaint", "complaints"), ("resident", "residents"), ("staff", "staff"),
           ("service_request", "service requests"), ("remedy", "remedies"),
           ("correspondence", "correspondence items"), ("audit_entry", "audit entries"))


def _db_path(db) -> Path:
    return Path(db.path if isinstance(db, Database) else db)


def _stamp(now: dt.datetime | None = None) -> str:
    return (now or dt.datetime.now()).strftime(STAMP)


def _unique(path: Path) -> Path:
    if not path.exists():
        return path
    for n in range(2, 1000):
        p = path.with_name(f"{path.stem}-{n}{path.suffix}")
        if not p.exists():
            return p
    raise DomainError(f"Too many backups named like {path.name} in {path.parent}.")


def copy_database(src: Path, dst: Path) -> None:
    """A consistent copy of ``src`` at ``dst`` with SQLite's online backup API, as one private file."""
    source = sqlite3.connect(str(src), timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.close(fd)
        target = sqlite3.connect(str(dst))
        try:
            # one step (pages=-1): the copy is a single snapshot, never a mix of before and after
            source.backup(target, pages=-1)
            # a backup is one self-contained file: no write-ahead log beside it
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
    finally:
        source.close()
    paths.make_private_file(dst)
    # item 8: the audit key and head go beside the copy, so it can be verified (and restored) with them
    from .audit_anchor import copy_beside
    copy_beside(src, dst)


def check_integrity(path: Path) -> str:
    """'ok', or what SQLite found wrong with the file."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = con.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        con.close()
    return "ok" if rows == [("ok",)] else "; ".join(r[0] for r in rows[:3])


def backup(db, out: "str | os.PathLike | None" = None, *, prefix: str = MANUAL_PREFIX,
           now: dt.datetime | None = None) -> Path:
    """Back the database up; returns the new file. ``out`` names the file (never overwritten)."""
    src = _db_path(db)
    if not src.exists():
        raise DomainError(f"There is no database at {src} to back up.")
    if out is not None:
        target = Path(out).expanduser()
        if target.is_dir():
            target = target / f"{prefix}{_stamp(now)}.db"
        if target.resolve() == src.resolve():
            raise DomainError("That is the database itself; choose another name for the backup.")
        if target.exists():
            raise DomainError(f"{target} already exists; choose another name (a backup never "
                              "overwrites a file).")
        if not target.parent.exists():
            raise DomainError(f"The folder {target.parent} does not exist.")
    else:
        folder = paths.make_private_dir(paths.backups_dir(src))
        target = _unique(folder / f"{prefix}{_stamp(now)}.db")
    try:
        copy_database(src, target)
    except sqlite3.DatabaseError as exc:
        if target.exists():
            target.unlink()
        raise StoreError(f"The backup failed: {exc}. The database was not changed.") from None
    return target


@dataclass
class BackupFile:
    path: Path
    kind: str  # manual, automatic, before restore, before upgrade, other
    made: dt.datetime | None
    size: int

    @property
    def name(self) -> str:
        return self.path.name


def _kind_and_time(name: str) -> tuple[str, dt.datetime | None]:
    for prefix, kind in ((AUTO_PREFIX, "automatic"), (MANUAL_PREFIX, "manual"),
                         (BEFORE_RESTORE_PREFIX, "before restore"), ("before-upgrade-", "before upgrade")):
        if name.startswith(prefix):
            stem = name[:-3] if name.endswith(".db") else name
            stamp = stem[-len("YYYYMMDD-HHMMSS"):]
            for s in (stamp, "-".join(stem.split("-")[-3:-1])):  # with a -2 suffix
                try:
                    return kind, dt.datetime.strptime(s, STAMP)
                except ValueError:
                    continue
            return kind, None
    return "other", None


def list_backups(db) -> list[BackupFile]:
    """Every .db file in the backups folder, newest first."""
    folder = paths.backups_dir(_db_path(db))
    if not folder.is_dir():
        return []
    out = []
    for p in folder.iterdir():
        if p.suffix != ".db" or not p.is_file():
            continue
        kind, made = _kind_and_time(p.name)
        out.append(BackupFile(p, kind, made, p.stat().st_size))
    out.sort(key=lambda b: (b.made or dt.datetime.fromtimestamp(b.path.stat().st_mtime), b.name),
             reverse=True)
    return out


def daily_backup(db, *, now: dt.datetime | None = None, keep: int = KEEP_AUTOMATIC) -> Path | None:
    """Called when the app starts: one automatic backup a day at most, keeping the newest ``keep``.

    Returns the new backup, or None when there was one already today (or nothing to back up).
    Never deletes a manual, before-restore or before-upgrade backup.
    """
    src = _db_path(db)
    if not src.exists() or src.stat().st_size == 0:
        return None
    now = now or dt.datetime.now()
    autos = [b for b in list_backups(db) if b.kind == "automatic"]
    if any(b.made and b.made.date() == now.date() for b in autos):
        return None
    made = backup(db, prefix=AUTO_PREFIX, now=now)
    autos = [b for b in list_backups(db) if b.kind == "automatic"]
    autos.sort(key=lambda b: (b.made or dt.datetime.min, b.name), reverse=True)
    for old in autos[keep:]:
        try:
            old.path.unlink()
        except OSError:
            pass
    return made


# restoring ---------------------------------------------------------------------------------------

@dataclass
class RestoreResult:
    restored_from: Path
    kept_aside: Path | None
    upgraded_from: str | None  # the schema revision of the backup, when it was upgraded
    counts: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        parts = [f"{n} {label}" for (table, label) in COUNTED
                 if (n := self.counts.get(table)) is not None]
        text = f"Restored {self.restored_from.name}: " + ", ".join(parts) + "."
        if self.upgraded_from:
            text += f" It was made by an older version (schema {self.upgraded_from}) and was upgraded."
        if self.kept_aside:
            text += f" The database as it was before is kept in {self.kept_aside}."
        return text


def check_backup_file(path: Path) -> str:
    """The schema revision of a smallhousing database file; DomainError when it is not one."""
    from ..store.migrate import current_revision

    if not path.exists():
        raise DomainError(f"There is no file at {path}.")
    if not path.is_file():
        raise DomainError(f"{path} is not a file.")
    with open(path, "rb") as fh:
        header = fh.read(16)
    if header != b"SQLite format 3\x00":
        raise DomainError(f"{path.name} cannot be restored: it is not a smallhousing database "
                          "(it is not an SQLite database file at all).")
    try:
        kind = _sqlite_check(path)
    except StoreError:
        kind = "other"
    if kind != "ours":
        raise DomainError(f"{path.name} cannot be restored: it is not a smallhousing database.")
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        con.close()
    if "complaint" not in tables or "alembic_version" not in tables:
        raise DomainError(f"{path.name} cannot be restored: it is not a smallhousing database "
                          "(it has no complaints table or no schema version).")
    rev = current_revision(path)
    if not rev:
        raise DomainError(f"{path.name} cannot be restored: its schema version is missing.")
    if not _known_revision(rev):
        raise DomainError(f"{path.name} was made by a newer version of smallhousing (schema {rev}); "
                          "update smallhousing before restoring it.")
    problem = check_integrity(path)
    if problem != "ok":
        raise DomainError(f"{path.name} is damaged and cannot be restored ({problem}). Try an "
                          "older backup.")
    return rev


def _known_revision(rev: str) -> bool:
    from ..store.migrate import MIGRATIONS

    return any(p.stem == rev or p.stem.startswith(rev + "_") or _declares(p, rev)
               for p in (MIGRATIONS / "versions").glob("*.py"))


def _declares(path: Path, rev: str) -> bool:
    try:
        return f"revision = '{rev}'" in path.read_text() or f'revision = "{rev}"' in path.read_text()
    except OSError:
        return False


def _counts(path: Path) -> dict[str, int]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                for t, _ in COUNTED if t in tables}
    finally:
        con.close()


def restore(db, source: "str | os.PathLike") -> RestoreResult:
    """Replace the database with a backup.

    The backup is checked (a smallhousing database, undamaged, not from a newer version), copied,
    and the copy upgraded to the current schema, all before anything is replaced. The current
    database is then copied into the backups folder as before-restore-....db, and the checked copy
    written over it with SQLite's backup API (so other open connections see the new data, never a
    half-written file). ``db`` is a Database (closed and reopened) or a path.
    """
    from ..store.migrate import current_revision

    src = Path(source).expanduser()
    target = _db_path(db)
    if target.exists() and src.resolve() == target.resolve():
        raise DomainError("That is the database itself; choose a backup file.")
    rev = check_backup_file(src)
    from ..store.db import HEAD_REVISION

    folder = paths.make_private_dir(target.resolve().parent)
    work = Path(tempfile.mkdtemp(prefix=".restore-", dir=folder))
    try:
        os.chmod(work, 0o700)
        staged = work / "restored.db"
        copy_database(src, staged)
        upgraded_from = None
        if rev != HEAD_REVISION:
            upgraded_from = rev
            Database(staged).open().close()  # the upgrade runs on the copy, never on the backup
            if current_revision(staged) != HEAD_REVISION:
                raise DomainError(f"{src.name} could not be upgraded to the current version.")
            with sqlite3.connect(str(staged)) as con:
                con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        problem = check_integrity(staged)
        if problem != "ok":
            raise DomainError(f"The restored copy failed its check ({problem}); nothing was replaced.")
        if isinstance(db, Database):
            db.close()
        kept = None
        if target.exists() and target.stat().st_size > 0:
            aside = paths.make_private_dir(paths.backups_dir(target))
            kept = _unique(aside / f"{BEFORE_RESTORE_PREFIX}{_stamp()}.db")
            try:
                copy_database(target, kept)
            except sqlite3.DatabaseError:
                # the current file is damaged (perhaps why it is being restored): keep it as it is
                shutil.copy2(target, kept)
                paths.make_private_file(kept)
        _write_over(staged, target)
        result = RestoreResult(src, kept, upgraded_from, _counts(target))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if isinstance(db, Database):
        db.open()
    return result


def _write_over(staged: Path, target: Path) -> None:
    """Put the staged database in place of target."""
    healthy = False
    if target.exists() and target.stat().st_size > 0:
        try:
            healthy = _sqlite_check(target) != "other" and check_integrity(target) == "ok"
        except StoreError:
            healthy = False
    if healthy:
        source = sqlite3.connect(str(staged))
        dest = sqlite3.connect(str(target), timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            source.backup(dest, pages=-1)
        except sqlite3.DatabaseError:
            healthy = False
        finally:
            dest.close()
            source.close()
    if not healthy:
        for suffix in ("-wal", "-shm"):
            stale = Path(str(target) + suffix)
            if stale.exists():
                stale.unlink()
        os.replace(staged, target)
    paths.make_private_file(target)
