"""A smallhousing database on a PostgreSQL server: the same interface as ``store.db.Database``.

Named by a URL, ``postgresql://user@host:port/dbname`` (``--db`` or SMALLHOUSING_DB); opened with
psycopg 3 (the optional ``postgres`` extra), through SQLAlchemy as ``postgresql+psycopg://``.
Passwords are never stored by smallhousing: psycopg uses libpq, which reads ``~/.pgpass`` and
service files (``postgresql:///?service=NAME``) itself.

What SQLite keeps beside its file (letters, reports, error reports, the audit key and head) is kept
in a local folder of the data folder (``paths.postgres_home``); ``path`` is a name inside it, so
every ``paths.*_dir(db.path)`` works unchanged. No file is ever made at ``path`` itself.

Transactions: PostgreSQL's default, READ COMMITTED, for writers (SQLite's BEGIN IMMEDIATE has no
counterpart here: several writers at once are made safe by later work: a lock on the audit
chain's head, a version column); ``plain()`` reads in one REPEATABLE READ, READ ONLY transaction,
so that it sees one consistent view as SQLite's read transaction does. Every connection works in
UTC, so the audit log's times read back as they were hashed.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Any, Iterator
from urllib.parse import urlsplit, urlunsplit

from .. import paths
from ..domain.team import ROLES, group_role
from .db import (
    HEAD_REVISION,
    KNOWN_REVISIONS,
    Database,
    StoreError,
    StoreReadOnly,
    StoreRefused,
    _newer_error,
    read_only_error,
    store_fault,
)
from .dialects import POSTGRESQL, for_postgres

CONNECT_TIMEOUT_S = 10
_OPTIONS = "-c timezone=UTC"
_IDLE_KEPT = 4  # plain connections kept open between reads


# what a table holds, in the words a refusal uses (tables not named here are "these records")
CHANGES = {
    "landlord_settings": "the landlord's settings",
    "staff": "the staff list (the team)",
    "closure_day": "closure days",
    "homes_year": "the number of homes",
    "year_publication": "a reporting year's published figures (publishing or reopening a year)",
    "service_request_target": "the targets for service requests",
    "perception_result": "a reporting year's TP09 counts from the perception survey",
}
AUDIT_TABLES = ("audit_entry", "audit_redaction")


def _driver_missing() -> StoreError:
    return StoreError(
        "Using a PostgreSQL database needs the psycopg driver, which is not installed: "
        "install smallhousing with it (pip install 'smallhousing[postgres]') and try again."
    )


def shown_url(url: str) -> str:
    """The URL as it may be shown or written down: the password (if one was given) left out."""
    u = urlsplit(url)
    host = u.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = (f"{u.username}@" if u.username else "") + host + (f":{u.port}" if u.port else "")
    return urlunsplit((u.scheme.replace("+psycopg", ""), netloc, u.path, u.query, ""))


class PostgresDatabase(Database):
    """One smallhousing database on a PostgreSQL server. Nothing is opened until asked."""

    dialect = POSTGRESQL

    def __init__(self, url: str, *, actor: str | None = None, today=None, read_only: bool = False) -> None:
        self._login: str | None = None  # the server's name for whoever connects (see actor)
        super().__init__(paths.local_path(url), actor=actor, today=today, read_only=read_only)
        scheme, rest = url.split("://", 1)
        self.url = url
        self.conninfo = "postgresql://" + rest  # what libpq (psycopg) takes
        self.sqlalchemy_url = "postgresql+psycopg://" + rest
        self.where = shown_url(url)
        self._idle: list[Any] = []
        self._idle_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"PostgresDatabase({self.where!r})"

    # who is at the keyboard ------------------------------------------------------------------------

    @property  # type: ignore[override]
    def actor(self) -> str:
        """Who makes the changes, for the audit log: the login the server knows them by
        (``current_user``), never a name given to the program or typed into it. The server checks
        it too (a team's database refuses an audit entry in anyone else's name: services/team.py)."""
        if self._login is None:
            with self.connect(autocommit=True) as con:
                row = con.execute("SELECT current_user").fetchone()
            self._login = str(row[0]) if row else ""
        return self._login

    @actor.setter
    def actor(self, _given: str) -> None:
        pass  # a name given (--actor, the operating system's user) is not who the server says

    def team_role(self) -> str | None:
        """The team role this login has, the most allowed first (director, officer, viewer), or
        None when it has none (a server's admin has them all)."""
        with self.connect(autocommit=True) as con:
            for role in ROLES:
                row = con.execute(
                    for_postgres(
                        "SELECT pg_has_role(current_user, oid, 'USAGE') FROM pg_roles WHERE rolname = ?"
                    ),
                    (group_role(role),),
                ).fetchone()
                if row and row[0]:
                    return role
        return None

    def refused(self, table: str | None) -> StoreRefused:
        """What to tell someone whose change the server refused for their role: plain words naming
        the role and what it may not change, never the statement."""
        if table in AUDIT_TABLES:
            return StoreRefused(
                "Entries in the audit log cannot be changed or removed, by anyone, directors "
                "included: nothing was changed.",
                table,
            )
        try:
            role = self.team_role()
        except StoreError:
            role = None
        what = CHANGES.get(table or "", "these records")
        if role is None:
            return StoreRefused(
                f"Your login ({self._login or 'this one'}) has no role in the team's database "
                f"{self.where}, so it may not change records: nothing was changed. A director can "
                "give you one (smallhousing team add).",
                table,
            )
        if role == "viewer":
            return StoreRefused(
                "Your role (viewer) may not change records: nothing was changed. A viewer reads "
                "only; ask a director if you need to change something.",
                table,
            )
        return StoreRefused(
            f"Your role ({role}) may not change {what}: nothing was changed. That is a director's "
            "work: ask a director to do it.",
            table,
        )

    @contextmanager
    def session(self):
        """As Database.session; a change the server refuses for the login's role says which role
        and what it may not change (``refused``)."""
        try:
            with super().session() as s:
                yield s
        except StoreRefused as exc:
            raise self.refused(exc.table) from None

    # connecting ----------------------------------------------------------------------------------

    def _settle_mode(self) -> None:  # a server says what may be written, not a file's mode
        pass

    def connect(self, **kw):
        """A new psycopg connection (UTC), or StoreError saying plainly why there is none."""
        try:
            import psycopg
        except ImportError:
            raise _driver_missing() from None
        try:
            return psycopg.connect(self.conninfo, options=_OPTIONS, connect_timeout=CONNECT_TIMEOUT_S, **kw)
        except psycopg.OperationalError as exc:
            raise self.unreachable(exc) from None

    def vacuum_full_if_owner(self) -> bool:
        """VACUUM FULL every table of the schema, which rewrites them without the old row versions
        the server keeps until then (after an erasure), when this login owns every one; False
        when it does not, or a table is held by another session for more than 5 seconds."""
        try:
            con = self.connect(autocommit=True)
        except Exception:
            return False
        try:
            con.execute("SET lock_timeout = '5s'")
            rows = con.execute(
                "SELECT c.relname, pg_has_role(current_user, c.relowner, 'USAGE') FROM pg_class c "
                "WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'"
            ).fetchall()
            if not rows or not all(owned for _, owned in rows):
                return False
            for name, _ in rows:
                con.execute('VACUUM FULL "' + str(name).replace('"', '""') + '"')
            return True
        except Exception:  # another session holds a table (lock_timeout), or not allowed
            return False
        finally:
            con.close()

    def unreachable(self, exc: BaseException) -> StoreError:
        why = (str(exc).strip().splitlines() or [type(exc).__name__])[-1].strip()
        return StoreError(
            f"Cannot open the PostgreSQL database {self.where} ({why}). Nothing was changed. Check "
            "that the server is running and that the address, user and database name are right; a "
            "password goes in ~/.pgpass, never in the address."
        )

    def _inspect(self) -> tuple[str, str | None]:
        """('empty' or 'ours', the revision): empty when the schema holds no tables.

        The connection it opened is kept for the next plain read (``_keep``): a command such as
        ``due`` then connects once, not twice."""
        con = self.connect(autocommit=True)
        try:
            tables = con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()"
            ).fetchone()
            has_version = con.execute("SELECT to_regclass('alembic_version') IS NOT NULL").fetchone()
            who = con.execute("SELECT current_user").fetchone()
            self._login = str(who[0]) if who else self._login
            rev = None
            if has_version and has_version[0]:
                row = con.execute("SELECT version_num FROM alembic_version").fetchone()
                rev = row[0] if row else None
        except BaseException:
            con.close()
            raise
        self._keep(con)
        if rev is not None:
            if rev not in KNOWN_REVISIONS:
                raise _newer_error(self.where, rev)
            return "ours", rev
        if not tables or not tables[0]:
            return "empty", None
        raise StoreError(
            f"The PostgreSQL database {self.where} holds tables that are not smallhousing's. It has "
            "not been changed. Give --db an empty database (createdb NAME) or a smallhousing one."
        )

    def check(self) -> str:
        return self._inspect()[0]

    def revision(self) -> str | None:
        return self._inspect()[1]

    def prepare(self) -> "PostgresDatabase":
        if self._schema_ok:
            return self
        with self._opening:
            if self._schema_ok or self.engine is not None:
                return self
            kind, rev = self._inspect()
            if kind == "ours" and rev == HEAD_REVISION:
                self._schema_ok = True
                return self
            return self.open()

    def open(self, *, migrate: bool = True) -> "PostgresDatabase":
        with self._opening:
            if self.engine is not None:
                return self
            kind, rev = self._inspect()
            if self.read_only:
                if kind == "empty":
                    raise read_only_error(self.where)
                if rev != HEAD_REVISION:
                    raise StoreReadOnly(
                        f"{self.where} was made by an earlier version of smallhousing and must be "
                        "upgraded before it can be used, which needs permission to change it. "
                        "Nothing was changed."
                    )
            paths.make_private_dir(paths.folder_for(self.path))
            engine, read_engine = self._make_engine(None), self._make_engine(None)
            self.engine = engine
            upgraded_from = None
            if migrate and not self.read_only:
                from . import migrate as _migrate

                try:
                    upgraded_from = rev if rev not in (None, HEAD_REVISION) else None
                    _migrate.upgrade(self, fresh=(kind == "empty"))
                except BaseException as exc:
                    self.engine = None
                    engine.dispose()
                    read_engine.dispose()
                    fault = store_fault(exc, self.where)
                    if fault is not None and fault is not exc:
                        raise fault from None
                    raise
            self.read_engine = read_engine
            self._schema_ok = migrate or self._schema_ok
            if upgraded_from is not None:
                from .db import AFTER_UPGRADE

                for hook in AFTER_UPGRADE:
                    hook(self, upgraded_from)
            return self

    def _make_engine(self, begin):
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise _driver_missing() from None
        from sqlmodel import create_engine

        options: dict = {"postgresql_readonly": True} if self.read_only else {}
        return create_engine(
            self.sqlalchemy_url,
            connect_args={"options": _OPTIONS, "connect_timeout": CONNECT_TIMEOUT_S},
            pool_pre_ping=True,
            execution_options=options,
        )

    def close(self) -> None:
        super().close()
        with self._idle_lock:
            idle, self._idle = self._idle, []
        for con in idle:
            try:
                con.close()
            except Exception:  # pragma: no cover - a connection the server has dropped
                pass

    # plain SQL -------------------------------------------------------------------------------------

    def _take(self):
        with self._idle_lock:
            con = self._idle.pop() if self._idle else None
        if con is None or con.closed:
            con = self._for_reading(self.connect())
        return con

    @staticmethod
    def _for_reading(con):
        """``con`` set up as every plain connection is: one read-only, repeatable-read
        transaction per read (see ``plain``)."""
        import psycopg

        con.autocommit = False
        con.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        con.read_only = True
        return con

    def _keep(self, con) -> None:
        """A connection used for something else (autocommit, no transaction open) kept for the
        next plain read, or closed when enough are kept already."""
        with self._idle_lock:
            if len(self._idle) < _IDLE_KEPT and not con.closed:
                self._idle.append(self._for_reading(con))
                return
        con.close()

    def _give_back(self, con) -> None:
        try:
            con.rollback()
        except Exception:
            con.close()
            return
        with self._idle_lock:
            if len(self._idle) < _IDLE_KEPT and not con.closed:
                self._idle.append(con)
                return
        con.close()

    @contextmanager
    def plain(self) -> Iterator[Any]:  # type: ignore[override]
        """A psycopg connection in one read-only, repeatable-read transaction (one consistent
        view), for services/reads.py; its statements go through ``dialects.for_postgres``."""
        self.prepare()
        con = self._take()
        try:
            yield con
        except BaseException as exc:
            fault = store_fault(exc, self.where)
            if fault is not None and fault is not exc:
                con.close()
                raise fault from None
            raise
        finally:
            self._give_back(con)

    @contextmanager
    def raw(self) -> Iterator[Any]:  # type: ignore[override]
        """A plain psycopg connection (not in autocommit: commit what is to be kept)."""
        con = self.connect()
        try:
            yield con
        finally:
            con.close()
