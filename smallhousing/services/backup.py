"""Backups and restores of the one database file.

A backup is made with SQLite's online backup API, so it is consistent even while the app (or
another process) is writing. Backups live in paths.backups_dir(db.path), readable by the owner only:

- smallhousing-YYYYMMDD-HHMMSS.db       made by hand (``smallhousing backup``, the Backups screen)
- auto-smallhousing-YYYYMMDD-HHMMSS.db  made by daily_backup() when the app starts; the newest
                                        KEEP_AUTOMATIC are kept, older automatic ones deleted
- before-restore-YYYYMMDD-HHMMSS.db     the database as it was just before a restore replaced it
- before-upgrade-REV-YYYYMMDD-HHMMSS.db made by store/migrate.py before a schema upgrade

Only automatic backups are ever deleted, and only by daily_backup().

A file under one of these names is always whole: copy_database() writes to a temporary name
(``.NAME.PID-RANDOM.part``, services/outputs.py) and links the file in only when it is complete.
Temporary files left by a killed backup, and the work folder (``.restore-PID-...``) left by a killed
restore, are removed when the next backup or restore starts (clean_leftovers). A backup that is
damaged or not a smallhousing file never counts as one of the automatic backups kept, nor as today's.

A restore runs only with the database's write lock held (``BEGIN IMMEDIATE``) from before the copy
kept aside is made until the restored records are committed, so no other writer can change the file
in between; when another program holds the lock the restore is refused (StoreBusy), never mistaken
for damage.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import paths
from ..domain.errors import DomainError
from ..store.db import APPLICATION_ID, BUSY_TIMEOUT_MS, Database, StoreBusy, StoreError, _sqlite_check
from . import outputs

KEEP_AUTOMATIC = 14
MANUAL_PREFIX = "smallhousing-"
AUTO_PREFIX = "auto-smallhousing-"
BEFORE_RESTORE_PREFIX = "before-restore-"
STAMP = "%Y%m%d-%H%M%S"

# what a restore reports, in this order
COUNTED = (
    ("complaint", "complaints"),
    ("resident", "residents"),
    ("staff", "staff"),
    ("service_request", "service requests"),
    ("remedy", "remedies"),
    ("correspondence", "correspondence items"),
    ("audit_entry", "audit entries"),
)


POSTGRES_NO_BACKUP = (
    "smallhousing does not back up or restore a PostgreSQL database itself: use PostgreSQL's own "
    "tools (pg_dump to back up, pg_restore to restore), or 'smallhousing export --json' for a copy "
    "of every record that 'import --json' reads into an empty database."
)


def on_server(db) -> bool:
    """Whether ``db`` (a Database or what --db gave) is a PostgreSQL database: no file to copy."""
    return getattr(db, "dialect", "sqlite") != "sqlite" or paths.is_postgres_url(db)


def _db_path(db) -> Path:
    if on_server(db):
        raise DomainError(POSTGRES_NO_BACKUP)
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


def copy_database(src: Path, dst: Path) -> Path:
    """THE one function that makes a backup file: every backup (by hand, automatic, kept aside
    before a restore) is made here. Anything that must travel with the database into each backup
    belongs in this function.

    A consistent copy of ``src`` at ``dst`` with SQLite's online backup API, as one private file,
    whole or not at all: it is written under a temporary name in dst's folder (0600 from the start)
    and linked in under ``dst`` only when complete; ``dst`` is never overwritten.
    """
    dst = Path(dst)
    fd, tmp = outputs.temporary(dst.parent, dst.name)
    os.close(fd)
    try:
        source = sqlite3.connect(str(src), timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            target = sqlite3.connect(str(tmp))
            try:
                # one step (pages=-1): the copy is a single snapshot, never a mix of before and after
                source.backup(target, pages=-1)
                # a backup is one self-contained file: no write-ahead log beside it
                target.execute("PRAGMA journal_mode = DELETE")
            finally:
                target.close()
        finally:
            source.close()
        outputs.fsync_file(tmp)
        outputs.place(tmp, dst, overwrite=False)
    except BaseException:
        _remove_temporary(tmp)
        raise
    # the audit key and head go beside the copy, so it can be verified (and restored) with them
    from .audit_anchor import copy_beside

    copy_beside(src, dst)
    # the files received and kept on records, in a folder named after the copy (attachments.py)
    from .attachment_files import copy_files_beside

    copy_files_beside(src, dst)
    return dst


def _remove_temporary(tmp: Path) -> None:
    for p in (tmp, Path(str(tmp) + "-journal")):
        try:
            p.unlink()
        except OSError:
            pass


_TEMP_NAME = re.compile(r"^\..*\.(\d+)-[0-9a-f]+\.part(-journal)?$")
_RESTORE_DIR = re.compile(r"^\.restore-(\d+)-")


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    try:  # a killed process not yet reaped (a zombie) is not running
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[-1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


def clean_leftovers(db) -> list[Path]:
    """Remove what a killed backup or restore left: temporary files in the backups folder and the
    restore's work folders beside the database, unless the process that made them is still running.
    Returns what was removed."""
    if on_server(db):
        return []
    src = _db_path(db)
    removed: list[Path] = []
    folder = paths.backups_dir(src)
    if folder.is_dir():
        for p in folder.iterdir():
            m = _TEMP_NAME.match(p.name)
            if m and p.is_file() and not _running(int(m.group(1))):
                _remove_temporary(p)
                removed.append(p)
    home = paths.folder_for(src)
    if home.is_dir():
        for p in home.glob(".restore-*"):
            if not p.is_dir():
                continue
            m = _RESTORE_DIR.match(p.name)
            stale = (
                not _running(int(m.group(1))) if m else time.time() - p.stat().st_mtime > 3600
            )  # made by an older version
            if stale:
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
    return removed


def is_whole(path: Path) -> bool:
    """A smallhousing database file that passes SQLite's quick_check."""
    try:
        with open(path, "rb") as fh:
            if fh.read(16) != b"SQLite format 3\x00":
                return False
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            app_id = con.execute("PRAGMA application_id").fetchone()[0]
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if app_id != APPLICATION_ID and "complaint" not in tables:
                return False
            return con.execute("PRAGMA quick_check").fetchall() == [("ok",)]
        finally:
            con.close()
    except (OSError, sqlite3.DatabaseError):
        return False


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


def backup(
    db, out: "str | os.PathLike | None" = None, *, prefix: str = MANUAL_PREFIX, now: dt.datetime | None = None
) -> Path:
    """Back the database up; returns the new file. ``out`` names the file (never overwritten)."""
    src = _db_path(db)
    if not src.exists():
        raise DomainError(f"There is no database at {src} to back up.")
    from ..store.db import Database

    Database(src).check()  # another program's file is refused, not copied (StoreError)
    if out is not None:
        target = Path(out).expanduser()
        if target.is_dir():
            target = target / f"{prefix}{_stamp(now)}.db"
        if target.resolve() == src.resolve():
            raise DomainError("That is the database itself; choose another name for the backup.")
        if os.path.lexists(target) and not os.path.isdir(target):
            raise DomainError(
                f"{target} already exists; choose another name (a backup never overwrites a file)."
            )
        if not target.parent.exists():
            raise DomainError(f"The folder {target.parent} does not exist.")
        # never the database's working files, a device or a link to nowhere (services/outputs.py)
        target = outputs.check_target(target, src, in_backups=True)
    else:
        folder = paths.make_private_dir(paths.backups_dir(src))
        target = _unique(folder / f"{prefix}{_stamp(now)}.db")
    clean_leftovers(src)
    try:
        copy_database(src, target)
    except outputs.OutputExists:
        raise DomainError(
            f"{target} already exists; choose another name (a backup never overwrites a file)."
        ) from None
    except sqlite3.OperationalError as exc:
        if _is_busy(exc):
            raise _busy(src) from None
        raise StoreError(f"The backup failed: {exc}. The database was not changed.") from None
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"The backup failed: {exc}. The database was not changed.") from None
    return target


def _is_busy(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def _busy(path: Path) -> StoreBusy:
    return StoreBusy(
        f"The database {path} is in use: another smallhousing command or the app is "
        "writing to it. Nothing was restored or changed; try again when it has finished."
    )


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
    for prefix, kind in (
        (AUTO_PREFIX, "automatic"),
        (MANUAL_PREFIX, "manual"),
        (BEFORE_RESTORE_PREFIX, "before restore"),
        ("before-upgrade-", "before upgrade"),
    ):
        if name.startswith(prefix):
            stem = name[:-3] if name.endswith(".db") else name
            stamp = stem[-len("YYYYMMDD-HHMMSS") :]
            for s in (stamp, "-".join(stem.split("-")[-3:-1])):  # with a -2 suffix
                try:
                    return kind, dt.datetime.strptime(s, STAMP)
                except ValueError:
                    continue
            return kind, None
    return "other", None


def list_backups(db) -> list[BackupFile]:
    """Every .db file in the backups folder, newest first (none for a PostgreSQL database)."""
    if on_server(db):
        return []
    folder = paths.backups_dir(_db_path(db))
    if not folder.is_dir():
        return []
    out = []
    for p in folder.iterdir():
        if p.suffix != ".db" or not p.is_file():
            continue
        kind, made = _kind_and_time(p.name)
        out.append(BackupFile(p, kind, made, p.stat().st_size))
    out.sort(
        key=lambda b: (b.made or dt.datetime.fromtimestamp(b.path.stat().st_mtime), b.name), reverse=True
    )
    return out


def daily_backup(db, *, now: dt.datetime | None = None, keep: int = KEEP_AUTOMATIC) -> Path | None:
    """Called when the app starts: one automatic backup a day at most, keeping the newest ``keep``.

    Returns the new backup, or None when there was one already today (or nothing to back up).
    Never deletes a manual, before-restore or before-upgrade backup.
    """
    if on_server(db):
        return None  # the server's own backups (pg_dump, the provider's) keep it
    src = _db_path(db)
    if not src.exists() or src.stat().st_size == 0:
        return None
    now = now or dt.datetime.now()
    clean_leftovers(src)
    autos = [b for b in list_backups(db) if b.kind == "automatic"]
    # a damaged automatic backup is not today's backup
    if any(b.made and b.made.date() == now.date() and is_whole(b.path) for b in autos):
        return None
    made = backup(db, prefix=AUTO_PREFIX, now=now)
    autos = [b for b in list_backups(db) if b.kind == "automatic"]
    autos.sort(key=lambda b: (b.made or dt.datetime.min, b.name), reverse=True)
    # the newest ``keep`` whole ones are kept; a damaged one never counts towards them
    whole = 0
    for b in autos:
        if whole >= keep:
            try:
                b.path.unlink()
            except OSError:
                pass
            else:
                from .attachment_files import remove_files_beside

                remove_files_beside(b.path)
        elif b.path == made or is_whole(b.path):
            whole += 1
    return made


# restoring ---------------------------------------------------------------------------------------


@dataclass
class RestoreResult:
    restored_from: Path
    kept_aside: Path | None
    upgraded_from: str | None  # the schema revision of the backup, when it was upgraded
    counts: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        parts = [f"{n} {label}" for (table, label) in COUNTED if (n := self.counts.get(table)) is not None]
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
        raise DomainError(
            f"{path.name} cannot be restored: it is not a smallhousing database "
            "(it is not an SQLite database file at all)."
        )
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
        raise DomainError(
            f"{path.name} cannot be restored: it is not a smallhousing database "
            "(it has no complaints table or no schema version)."
        )
    rev = current_revision(path)
    if not rev:
        raise DomainError(f"{path.name} cannot be restored: its schema version is missing.")
    if not _known_revision(rev):
        raise DomainError(
            f"{path.name} was made by a newer version of smallhousing (schema {rev}); "
            "update smallhousing before restoring it."
        )
    problem = check_integrity(path)
    if problem != "ok":
        raise DomainError(f"{path.name} is damaged and cannot be restored ({problem}). Try an older backup.")
    return rev


def _known_revision(rev: str) -> bool:
    from ..store.migrate import MIGRATIONS

    return any(
        p.stem == rev or p.stem.startswith(rev + "_") or _declares(p, rev)
        for p in (MIGRATIONS / "versions").glob("*.py")
    )


def _declares(path: Path, rev: str) -> bool:
    try:
        return f"revision = '{rev}'" in path.read_text() or f'revision = "{rev}"' in path.read_text()
    except OSError:
        return False


def _counts(path: Path) -> dict[str, int]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return {
            t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t, _ in COUNTED if t in tables
        }
    finally:
        con.close()


def restore(db, source: "str | os.PathLike") -> RestoreResult:
    """Replace the database's records with a backup's.

    The backup is checked (a smallhousing database, undamaged, not from a newer version), copied,
    and the copy upgraded to the current schema, all before anything is touched. Then, with the
    database's write lock held throughout (``BEGIN IMMEDIATE``), the current database is copied
    into the backups folder as before-restore-....db and the checked copy's records are written
    into it in the same transaction: another writer can change nothing in between, a kill leaves
    the database as it was, and the -wal/-shm files are never deleted. If another program holds
    the lock, StoreBusy is raised and nothing changes. ``db`` is a Database (closed and reopened)
    or a path.
    """
    from ..store.migrate import current_revision

    src = Path(source).expanduser()
    target = _db_path(db)
    if target.exists() and src.resolve() == target.resolve():
        raise DomainError("That is the database itself; choose a backup file.")
    rev = check_backup_file(src)
    from ..store.db import HEAD_REVISION

    folder = paths.make_private_dir(target.resolve().parent)
    clean_leftovers(target)
    work = Path(tempfile.mkdtemp(prefix=f".restore-{os.getpid()}-", dir=folder))
    reopen = isinstance(db, Database)
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
        if reopen:
            db.close()
        kept = _swap_in(staged, target)
        _anchor_restored(src, target)
        from .attachment_files import restore_files

        restore_files(src, target)  # files the restored records keep and the folder lacks
        result = RestoreResult(src, kept, upgraded_from, _counts(target))
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if reopen:
            db.open()
    return result


def _anchor_restored(src: Path, target: Path) -> None:
    """The restored records bring their own audit log: the backup's audit key comes with them, and
    the head kept beside the database is written again from the log as restored (the head of the
    records replaced would otherwise say entries had been deleted)."""
    from .audit_anchor import write_head

    key = paths.audit_key_path(src)
    if key.exists():
        shutil.copyfile(key, paths.audit_key_path(target))
        paths.make_private_file(paths.audit_key_path(target))
    con = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
    try:
        last = con.execute("SELECT id, hash FROM audit_entry ORDER BY id DESC LIMIT 1").fetchone()
        entries = con.execute("SELECT count(*) FROM audit_entry").fetchone()[0]
    finally:
        con.close()
    if last is not None:
        write_head(target, last[0], last[1], entries)
    else:
        paths.audit_head_path(target).unlink(missing_ok=True)


def _keep_aside(target: Path) -> Path:
    aside = paths.make_private_dir(paths.backups_dir(target))
    return _unique(aside / f"{BEFORE_RESTORE_PREFIX}{_stamp()}.db")


def _swap_in(staged: Path, target: Path) -> Path | None:
    """Write the staged database's records into target under target's write lock; the copy kept
    aside (returned) is made under the same lock. StoreBusy when another program holds the lock."""
    live = sqlite3.connect(str(target), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    kept = None
    try:
        try:
            live.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            live.execute("ATTACH DATABASE ? AS restored", (str(staged),))
            live.execute("BEGIN IMMEDIATE")  # the write lock, held until COMMIT below
            has_records = live.execute("SELECT count(*) FROM main.sqlite_master").fetchone()[0] > 0
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                raise _busy(target) from None
            raise
        except sqlite3.DatabaseError:
            live.close()
            return _replace_damaged(staged, target)
        try:
            if has_records:
                # a second connection reads the last committed state: nobody else can write now
                kept = copy_database(target, _keep_aside(target))
            _copy_records(live)
            live.execute("COMMIT")
        except BaseException as exc:
            if live.in_transaction:
                live.execute("ROLLBACK")
            if isinstance(exc, sqlite3.OperationalError) and _is_busy(exc):
                raise _busy(target) from None
            raise
        live.execute("DETACH DATABASE restored")
        try:
            live.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.DatabaseError:
            pass
    finally:
        live.close()
    paths.make_private_file(target)
    return kept


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _copy_records(live: sqlite3.Connection) -> None:
    """Inside live's transaction: main becomes an exact copy of the attached ``restored``."""
    old = live.execute(
        "SELECT type, name FROM main.sqlite_master WHERE name NOT LIKE 'sqlite_%' "
        "AND type IN ('table', 'view', 'trigger')"
    ).fetchall()
    for kind, name in sorted(old, key=lambda r: r[0] != "trigger"):  # triggers first
        if kind == "table":
            live.execute(f"DROP TABLE IF EXISTS main.{_q(name)}")
        else:
            live.execute(f"DROP {kind.upper()} IF EXISTS main.{_q(name)}")
    new = live.execute(
        "SELECT type, name, sql FROM restored.sqlite_master WHERE sql IS NOT NULL "
        "AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
    ).fetchall()
    for kind, name, sql in new:
        if kind == "table":
            live.execute(sql)  # unqualified: made in main
            live.execute(f"INSERT INTO main.{_q(name)} SELECT * FROM restored.{_q(name)}")
    for kind, _name, sql in new:
        if kind != "table":
            live.execute(sql)
    if live.execute("SELECT 1 FROM restored.sqlite_master WHERE name = 'sqlite_sequence'").fetchone():
        live.execute("DELETE FROM main.sqlite_sequence")
        live.execute("INSERT INTO main.sqlite_sequence SELECT * FROM restored.sqlite_sequence")
    for pragma in ("application_id", "user_version"):
        value = int(live.execute(f"PRAGMA restored.{pragma}").fetchone()[0])
        live.execute(f"PRAGMA main.{pragma} = {value}")


def _replace_damaged(staged: Path, target: Path) -> Path | None:
    """The current file cannot be read as a database at all (never merely busy): keep it, with its
    write-ahead log, in the backups folder exactly as it is, then put the staged file in its place."""
    kept = None
    if target.exists() and target.stat().st_size > 0:
        kept = _keep_aside(target)
        fd, tmp = outputs.temporary(kept.parent, kept.name)
        os.close(fd)
        try:
            shutil.copyfile(target, tmp)
            outputs.fsync_file(tmp)
            outputs.place(tmp, kept, overwrite=False)
        except BaseException:
            _remove_temporary(tmp)
            raise
        for suffix in ("-wal",):
            side = Path(str(target) + suffix)
            if side.exists():
                shutil.copyfile(side, str(kept) + suffix)
                paths.make_private_file(Path(str(kept) + suffix))
    for suffix in ("-wal", "-shm"):
        stale = Path(str(target) + suffix)
        if stale.exists():
            stale.unlink()
    os.replace(staged, target)
    paths.make_private_file(target)
    return kept
