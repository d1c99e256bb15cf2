"""Opening the database: pragmas, sessions (one per transaction) and schema upgrades."""

from __future__ import annotations

import datetime as dt
import errno
import getpass
import os
import re
import sqlite3
import stat
import threading
import urllib.parse
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from .. import paths

if TYPE_CHECKING:  # SQLAlchemy and SQLModel are imported when the file is first opened
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

# The newest migration in smallhousing/store/migrations/versions. A test keeps this in step with
# Alembic, so that a database already at this revision opens without importing Alembic at all.
HEAD_REVISION = "0013_attachment_content"
# Every revision this version knows (a test keeps it in step with Alembic). A file at any other
# revision was made by a newer version and is refused as it is.
KNOWN_REVISIONS = (
    "0001_initial",
    "0002_reporting",
    "0003_redaction",
    "0004_stage_dates",
    "0005_truthful_records",
    "0006_step_letters",
    "0007_demo_marker",
    "0008_version",
    "0009_staff_login",
    "0010_hazards_contractors",
    "0011_casefile_satisfaction",
    "0012_service_request_index",
    HEAD_REVISION,
)
BUSY_TIMEOUT_MS = 5000
# Run after an existing file has been upgraded to a newer schema (never for a new file): the
# services register here the recomputation of stored values whose rules may have changed with the
# code, such as each open complaint's next deadline. Each is given the database and the revision
# the file was at.
AFTER_UPGRADE: list[Callable[["Database", str], None]] = []

APPLICATION_ID = 0x53484F55  # "SHOU": marks the file as a smallhousing database


def _begin_immediate(conn) -> None:
    # writers take the write lock at once, so a transaction never fails half-way for a lock
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _begin_deferred(conn) -> None:
    conn.exec_driver_sql("BEGIN")


class StoreError(Exception):
    """The database file cannot be used: the message says why and what to do."""


class StoreBusy(StoreError):
    """Another program (or another smallhousing) is writing to the file: nothing is wrong with it;
    try again when that work has finished."""


class StoreReadOnly(StoreError):
    """The file (or its folder) may be read but not written: writing needs permission."""


class StoreRefused(StoreReadOnly):
    """PostgreSQL refused this login the change (its role does not allow it): nothing was changed.
    ``table`` names the table it was refused on, when the server said."""

    def __init__(self, message: str, table: str | None = None) -> None:
        super().__init__(message)
        self.table = table


class StoreFull(StoreError):
    """The disk holding the file is full: nothing was written."""


def busy_error(path) -> StoreBusy:
    return StoreBusy(
        f"The database {path} is busy: another copy of smallhousing (or another "
        "program) is saving to it. Nothing was changed; try again in a moment."
    )


def read_only_error(path) -> StoreReadOnly:
    return StoreReadOnly(
        f"{path} can be read but not changed: writing to it needs permission (to "
        "the file and its folder). Nothing was changed. Ask whoever looks after "
        "this computer for write access, or work on a copy you may change."
    )


def full_error(path) -> StoreFull:
    return StoreFull(
        f"The disk holding {path} is full: nothing was saved. Free some space on it "
        "(or move the database to a disk with room) and try again."
    )


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    """An exception, what it wraps (SQLAlchemy's .orig, a worker's .error) and what caused it."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        inner = getattr(exc, "orig", None) or getattr(exc, "error", None)
        if isinstance(inner, BaseException) and id(inner) not in seen:
            yield from _chain(inner)
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)


def store_fault(exc: BaseException, path=None) -> StoreError | None:
    """The plain StoreError for a fault of the file or disk, or None for anything else.

    SQLite's "database or disk is full" (and ENOSPC) is StoreFull, "database is locked" (SQLITE_BUSY)
    StoreBusy, "attempt to write a readonly database" StoreReadOnly: none of them is damage. The
    message names the file only, never the statement or its values.
    """
    where = path if path is not None else "the database"
    for e in _chain(exc):
        if isinstance(e, StoreError):
            return e
        if isinstance(e, sqlite3.Error):
            name = getattr(e, "sqlite_errorname", "") or ""
            text = str(e).lower()
            if name.startswith("SQLITE_FULL") or "disk is full" in text:
                return full_error(where)
            if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in text:
                return busy_error(where)
            if name.startswith("SQLITE_READONLY") or "readonly database" in text:
                return read_only_error(where)
            if (name.startswith("SQLITE_IOERR") or "disk i/o error" in text) and _no_room(path):
                return full_error(where)  # e.g. no room even for the -shm file SQLite needs
        elif type(e).__module__.startswith("psycopg"):
            fault = _postgres_fault(e, where)
            if fault is not None:
                return fault
        elif isinstance(e, OSError):
            if e.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
                return full_error(where)
            if e.errno == errno.EROFS:
                return read_only_error(where)
    return None


# PostgreSQL's error codes (SQLSTATE) that are not damage: the same plain errors as SQLite's
_PG_FULL = {"53100"}  # disk_full
_PG_BUSY = {"55P03", "40001", "40P01", "57014"}  # lock not available, serialization, deadlock, cancel
_PG_READ_ONLY = {"25006"}  # read_only_sql_transaction


def _postgres_fault(e: BaseException, where) -> StoreError | None:
    """psycopg's errors as StoreErrors (found by SQLSTATE, so psycopg is never imported here)."""
    code = getattr(e, "sqlstate", None)
    if code in _PG_FULL:
        return full_error(where)
    if code in _PG_BUSY:
        return busy_error(where)
    if code in _PG_READ_ONLY:
        return read_only_error(where)
    if code == "42501":  # insufficient_privilege
        return StoreRefused(
            f"Your login to {where} may not make this change: nothing was changed. Ask whoever "
            "looks after the database for the permission, if this is work you should do.",
            _refused_table(e),
        )
    if code is None and type(e).__name__ == "OperationalError":
        return StoreError(
            f"The connection to {where} was lost, or could not be made: nothing more was changed. "
            "Check that the server is running and reachable, then try again."
        )
    return None


_PG_REFUSED_ON = re.compile(r"permission denied for (?:table|relation|sequence) \"?([A-Za-z_][\w]*)\"?")


def _refused_table(e: BaseException) -> str | None:
    """The table a refusal was about: the server's own field (a trigger gives it), else its
    message (``permission denied for table staff``; a sequence ``staff_id_seq`` is its table's)."""
    diag = getattr(e, "diag", None)
    name = getattr(diag, "table_name", None) if diag is not None else None
    if not name:
        m = _PG_REFUSED_ON.search(str(e))
        name = m.group(1) if m else None
        if name and name.endswith("_id_seq"):
            name = name[: -len("_id_seq")]
    return name or None


def _no_room(path) -> bool:
    """Is the disk holding ``path`` (all but) full? Asked when SQLite reports an I/O error."""
    if path is None:
        return False
    import shutil

    try:
        return shutil.disk_usage(Path(path).resolve().parent).free < 256 * 1024
    except OSError:
        return False


def writable(path) -> bool:
    """May this program write the file (and its folder, where SQLite keeps its -wal and -shm)?

    Asks the owner's write bit as well as os.access: root passes os.access on any file, but a file
    made read-only (0444) is meant to stay as it is. A path that does not exist yet: may its
    nearest existing folder be written?
    """
    p = Path(path)
    try:
        if p.exists():
            st = p.stat()
            folder = p.resolve().parent
            return bool(st.st_mode & stat.S_IWUSR) and os.access(p, os.W_OK) and os.access(folder, os.W_OK)
        folder = p.resolve().parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        return bool(folder.stat().st_mode & stat.S_IWUSR) and os.access(folder, os.W_OK)
    except OSError:
        return False


def _ro_uri(path: Path) -> str:
    return f"file:{urllib.parse.quote(str(path))}?mode=ro"


def _connect_ro(path: Path, **kw) -> sqlite3.Connection:
    """A plain sqlite3 connection that cannot change the file (nor switch its journal)."""
    return sqlite3.connect(_ro_uri(path), uri=True, timeout=BUSY_TIMEOUT_MS / 1000, **kw)


def _newer_error(path, rev) -> StoreError:
    return StoreError(
        f"{path} was made by a newer version of smallhousing (its records are at "
        f"revision {rev}, which this version does not know): install the newer "
        "version to use it. It has not been changed."
    )


def _on_connect_ro(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA query_only = ON")
    cur.close()


def _on_connect(dbapi_conn, _record) -> None:
    # SQLAlchemy's documented recipe: let us issue BEGIN ourselves (see _begin_*)
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.close()


def _sqlite_check(path: Path, *, newer_ok: bool = True) -> str:
    """'empty' (nothing there yet, or an SQLite file with nothing in it) or 'ours'; raises
    StoreError when the file is not a smallhousing database, is an empty (0-byte) file, or was made
    by a newer version. Reads only, through a read-only connection: a refused file is not touched.

    ``newer_ok=False`` (opening it) also refuses a file made by a newer version; a backup being
    checked before a restore (services/backup.py) says so itself. A smallhousing database carries
    APPLICATION_ID; one made before the mark existed is known by
    its alembic_version at a revision this version knows.
    """
    if not path.exists():
        return "empty"
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            header = fh.read(16)
    except OSError as exc:
        raise StoreError(f"Cannot read {path}: {exc.strerror}.") from None
    if size == 0:
        raise StoreError(
            f"{path} is an empty file (0 bytes), not a smallhousing database: it may be a damaged or "
            f"truncated copy, so it has not been used or changed. If your records were in it, restore "
            f"a backup from {paths.backups_dir(path)}; to start a new database, give --db the path of "
            "a file that does not exist yet."
        )
    if header != b"SQLite format 3\x00":
        raise StoreError(
            f"{path} is not a smallhousing database (it is not an SQLite file). It has not been "
            f"changed. If your records were in it, restore a backup from {paths.backups_dir(path)}."
        )
    try:
        con = _connect_ro(path)
        try:
            app_id = con.execute("PRAGMA application_id").fetchone()[0]
            objects = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
            rev = None
            if "alembic_version" in objects:
                row = con.execute("SELECT version_num FROM alembic_version").fetchone()
                rev = row[0] if row else None
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        fault = store_fault(exc, path)
        if fault is not None:
            raise fault from None
        raise StoreError(
            f"{path} cannot be read as a database ({exc}). It has not been changed. "
            f"Restore a backup from {paths.backups_dir(path)}."
        ) from None
    if app_id == APPLICATION_ID:
        if not newer_ok and rev is not None and rev not in KNOWN_REVISIONS:
            raise _newer_error(path, rev)
        return "ours"
    if app_id == 0:
        if rev in KNOWN_REVISIONS:
            return "ours"  # made before the mark: upgrade() sets it
        if not objects:
            return "empty"
    raise StoreError(
        f"{path} is an SQLite database but not a smallhousing one. It has not been changed. "
        "Choose another file with --db."
    )


class Database:
    """One smallhousing database file. Nothing is opened until ``open()`` is called.

    ``store.postgres.PostgresDatabase`` is the same for a database on a PostgreSQL server;
    ``database_for`` picks one of the two from what --db gave. ``dialect`` says which it is."""

    dialect = "sqlite"

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        actor: str | None = None,
        today: dt.date | None = None,
        read_only: bool = False,
    ) -> None:
        self.path = Path(path)
        # how the database is named in messages: the file, or a PostgreSQL URL without password
        self.where: str | Path = self.path
        # read-only when asked, or when the file may not be written (see writable): it is then
        # opened with SQLite's mode=ro, never chmodded, and every write raises StoreReadOnly
        self.read_only = read_only
        self.actor = actor or _default_actor()
        self._today = today  # fixed "today" for tests and demo data; None = the real date
        self.engine: Engine | None = None
        self.read_engine: Engine | None = None
        self._opening = threading.RLock()
        self._schema_ok = False  # the file is known to be at HEAD_REVISION (see prepare)

    def _settle_mode(self) -> None:
        if not self.read_only and self.path.exists() and not writable(self.path):
            self.read_only = True

    @property
    def today(self) -> dt.date:
        """The day it is (a date, as ``Unit.today`` is): the fixed day given, or the real one."""
        return self._today or dt.date.today()

    def check(self) -> str:
        """Make sure the file is a smallhousing database (or empty) without opening it for writing.

        Cheap: plain sqlite3, nothing else imported. Raises StoreError with a plain message.
        """
        return _sqlite_check(self.path, newer_ok=False)

    def prepare(self) -> "Database":
        """Make the file ready to read, importing SQLAlchemy only if it has to be set up or upgraded.

        A file already at the newest schema is only checked (plain sqlite3), so the first figures
        can be read with ``plain()`` while the ORM is still being imported. Anything else (a new
        file, an older schema) is opened in full, which creates or upgrades it.
        """
        if self._schema_ok:  # no lock: reads must not wait while open() imports SQLAlchemy
            return self
        with self._opening:
            if self._schema_ok or self.engine is not None:
                return self
            self._settle_mode()
            if _sqlite_check(self.path, newer_ok=False) == "ours":
                from .migrate import current_revision

                if current_revision(self.path) == HEAD_REVISION:
                    self._schema_ok = True
                    return self
            return self.open()

    def open(self, *, migrate: bool = True) -> "Database":
        with self._opening:  # two threads asking at once open it once
            if self.engine is not None:
                return self
            kind = _sqlite_check(self.path, newer_ok=False)
            self._settle_mode()
            if self.read_only:
                return self._open_read_only(kind)
            if not writable(self.path):  # a new file in a folder that may not be written
                raise read_only_error(self.path)
            paths.make_private_dir(self.path.parent)  # a folder we make is ours alone
            engine = self._make_engine(_begin_immediate)
            read_engine = self._make_engine(_begin_deferred)
            self.engine = engine
            upgraded_from = None
            if migrate:
                from . import migrate as _migrate

                try:
                    if kind != "empty":
                        found = _migrate.current_revision(self.path)
                        upgraded_from = found if found != HEAD_REVISION else None
                    _migrate.upgrade(self, fresh=(kind == "empty"))
                except BaseException as exc:
                    self.engine = None
                    engine.dispose()
                    read_engine.dispose()
                    fault = store_fault(exc, self.path)
                    if fault is not None and fault is not exc:
                        raise fault from None
                    raise
            self.read_engine = read_engine
            self._schema_ok = migrate or self._schema_ok
            if upgraded_from is not None:
                for hook in AFTER_UPGRADE:
                    hook(self, upgraded_from)
            for suffix in ("", "-wal", "-shm"):
                p = Path(str(self.path) + suffix)
                if p.exists():
                    paths.make_private_file(p)
            return self

    def _open_read_only(self, kind: str) -> "Database":
        """Open a file that may only be read: mode=ro, no chmod, no journal switch, no upgrade."""
        if kind == "empty":
            raise read_only_error(self.path)
        from .migrate import current_revision

        if current_revision(self.path) != HEAD_REVISION:
            raise StoreReadOnly(
                f"{self.path} was made by an earlier version of smallhousing and must be upgraded "
                "before it can be used, which needs permission to write to it and its folder. "
                "Nothing was changed."
            )
        self.read_engine = self._make_engine(_begin_deferred)
        self.engine = self._make_engine(_begin_deferred)
        self._schema_ok = True
        return self

    def _make_engine(self, begin) -> Engine:
        from sqlalchemy import event
        from sqlmodel import create_engine

        if self.read_only:
            from sqlalchemy.pool import QueuePool

            path = self.path
            engine = create_engine(
                "sqlite://", poolclass=QueuePool, creator=lambda: _connect_ro(path, check_same_thread=False)
            )
            event.listen(engine, "connect", _on_connect_ro)
        else:
            engine = create_engine(
                f"sqlite:///{self.path}",
                connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
            )
            event.listen(engine, "connect", _on_connect)
        event.listen(engine, "begin", begin)
        return engine

    def close(self) -> None:
        for engine in (self.engine, self.read_engine):
            if engine is not None:
                engine.dispose()
        self.engine = self.read_engine = None

    def __enter__(self) -> "Database":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on any error."""
        from sqlmodel import Session

        if self.engine is None or self.read_engine is None:
            self.open()
        if self.read_only:
            raise read_only_error(self.where)
        assert self.engine is not None
        with Session(self.engine, expire_on_commit=False) as s:
            try:
                yield s
                s.commit()
            except BaseException as exc:
                try:
                    s.rollback()
                except Exception:  # pragma: no cover - a full disk may refuse even this
                    pass
                fault = store_fault(exc, self.where)
                if fault is not None and fault is not exc:
                    raise fault from None  # plain words; never the statement or its values
                raise

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only session that never takes the write lock."""
        from sqlmodel import Session

        if self.read_engine is None:
            self.open()
        assert self.read_engine is not None
        with Session(self.read_engine, expire_on_commit=False) as s:
            try:
                yield s  # closing ends the read transaction and keeps loaded rows readable
            except Exception as exc:
                fault = store_fault(exc, self.where)
                if fault is not None and fault is not exc:
                    raise fault from None
                raise

    @contextmanager
    def plain(self) -> Iterator[sqlite3.Connection]:
        """A read-only sqlite3 connection in one read transaction (one consistent view).

        For the questions asked at every start and keystroke (services/reads.py): no ORM is imported.
        The file is prepared first, so it is at the newest schema.
        """
        self.prepare()
        if self.read_only:
            con = _connect_ro(self.path, isolation_level=None, check_same_thread=False)
        else:
            con = sqlite3.connect(
                str(self.path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
            )
        try:
            con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            con.execute("PRAGMA query_only = ON")
            con.execute("BEGIN")
            yield con
        finally:
            try:
                con.rollback()
            finally:
                con.close()

    @contextmanager
    def raw(self) -> Iterator[sqlite3.Connection]:
        """A plain sqlite3 connection (backups, integrity checks, fast bulk reads); read-only (mode=ro)
        for a file that may not be written."""
        self._settle_mode()
        if self.read_only:
            con = _connect_ro(self.path)
        else:
            con = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            yield con
        finally:
            con.close()


def _default_actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no user name on some systems
        return "user"


def database_for(target: "str | os.PathLike", **kw) -> Database:
    """The database ``target`` names: a PostgreSQL URL (``postgresql://user@host/dbname``) or the
    path of a SQLite file. Nothing is opened yet."""
    if paths.is_postgres_url(target):
        from .postgres import PostgresDatabase

        return PostgresDatabase(str(target).strip(), **kw)
    return Database(target, **kw)


def open_database(path: str | os.PathLike | None = None, **kw) -> Database:
    return database_for(paths.resolve_db(path), **kw).open()
