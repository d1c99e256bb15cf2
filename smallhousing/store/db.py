"""Opening the database: pragmas, sessions (one per transaction) and schema upgrades."""

from __future__ import annotations

import datetime as dt
import getpass
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
import threading
from typing import TYPE_CHECKING, Callable, Iterator

from .. import paths

if TYPE_CHECKING:  # SQLAlchemy and SQLModel are imported when the file is first opened
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

# The newest migration in smallhousing/store/migrations/versions. A test keeps this in step with
# Alembic, so that a database already at this revision opens without importing Alembic at all.
HEAD_REVISION = "0005_truthful_records"
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


class StoreFull(StoreError):
    """The disk holding the file is full: nothing was written."""


def _on_connect(dbapi_conn, _record) -> None:
    # SQLAlchemy's documented recipe: let us issue BEGIN ourselves (see _begin_*)
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.close()


def _sqlite_check(path: Path) -> str:
    """'empty', 'ours' or 'other'; raises StoreError when the file is not SQLite at all."""
    if not path.exists() or path.stat().st_size == 0:
        return "empty"
    try:
        with open(path, "rb") as fh:
            header = fh.read(16)
    except OSError as exc:
        raise StoreError(f"Cannot read {path}: {exc.strerror}.") from None
    if header != b"SQLite format 3\x00":
        raise StoreError(
            f"{path} is not a smallhousing database (it is not an SQLite file). It has not been "
            f"changed. If your records were in it, restore a backup from {paths.backups_dir(path)}."
        )
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            app_id = con.execute("PRAGMA application_id").fetchone()[0]
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"{path} cannot be read as a database ({exc}). It has not been changed. "
            f"Restore a backup from {paths.backups_dir(path)}."
        ) from None
    if app_id == APPLICATION_ID or "complaint" in tables:
        return "ours"
    if not tables:
        return "empty"
    raise StoreError(
        f"{path} is an SQLite database but not a smallhousing one. It has not been changed. "
        "Choose another file with --db."
    )


class Database:
    """One smallhousing database file. Nothing is opened until ``open()`` is called."""

    def __init__(self, path: str | os.PathLike, *, actor: str | None = None,
                 today: dt.date | None = None) -> None:
        self.path = Path(path)
        self.actor = actor or _default_actor()
        self._today = today  # fixed "today" for tests and demo data; None = the real date
        self.engine: Engine | None = None
        self.read_engine: Engine | None = None
        self._opening = threading.RLock()
        self._schema_ok = False  # the file is known to be at HEAD_REVISION (see prepare)

    def today(self) -> dt.date:
        return self._today or dt.date.today()

    def check(self) -> str:
        """Make sure the file is a smallhousing database (or empty) without opening it for writing.

        Cheap: plain sqlite3, nothing else imported. Raises StoreError with a plain message.
        """
        return _sqlite_check(self.path)

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
            if _sqlite_check(self.path) == "ours":
                from .migrate import current_revision

                if current_revision(self.path) == HEAD_REVISION:
                    self._schema_ok = True
                    return self
            return self.open()

    def open(self, *, migrate: bool = True) -> "Database":
        with self._opening:  # two threads asking at once open it once
            if self.engine is not None:
                return self
            kind = _sqlite_check(self.path)
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
                except BaseException:
                    self.engine = None
                    engine.dispose()
                    read_engine.dispose()
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

    def _make_engine(self, begin) -> Engine:
        from sqlalchemy import event
        from sqlmodel import create_engine

        engine = create_engine(f"sqlite:///{self.path}",
                               connect_args={"check_same_thread": False,
                                             "timeout": BUSY_TIMEOUT_MS / 1000})
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
        assert self.engine is not None
        with Session(self.engine, expire_on_commit=False) as s:
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only session that never takes the write lock."""
        from sqlmodel import Session

        if self.read_engine is None:
            self.open()
        assert self.read_engine is not None
        with Session(self.read_engine, expire_on_commit=False) as s:
            yield s  # closing ends the read transaction and keeps loaded rows readable

    @contextmanager
    def plain(self) -> Iterator[sqlite3.Connection]:
        """A read-only sqlite3 connection in one read transaction (one consistent view).

        For the questions asked at every start and keystroke (services/reads.py): no ORM is imported.
        The file is prepared first, so it is at the newest schema.
        """
        self.prepare()
        con = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_MS / 1000,
                              isolation_level=None, check_same_thread=False)
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
        """A plain sqlite3 connection (backups, integrity checks, fast bulk reads)."""
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


def open_database(path: str | os.PathLike | None = None, **kw) -> Database:
    return Database(paths.resolve_db_path(path), **kw).open()
