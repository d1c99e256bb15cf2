"""Reads without the ORM: plain SQL over sqlite3 for the questions asked at start and at each key.

Importing SQLAlchemy, SQLModel and the table classes costs about half a second. The dashboard's
figures, the complaints list and `smallhousing due` only read, so they ask SQLite directly and can
answer before (or without) that import. Writes and everything else go through Units (base.py).

Given a Database, ``plain_reading`` opens a read-only connection in one read transaction. Given a
Unit already open, it reads through the Unit's own connection, so the Unit's unsaved rows are seen.
Dates are stored as ISO text ('2026-11-23'); ``day`` turns them back into ``datetime.date``.

On PostgreSQL the connection is psycopg's, and each statement (written for SQLite) is turned into
PostgreSQL's form by ``store.dialects.for_postgres``; dates then come back as dates already.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from ..domain.calendar import WorkingCalendar
from ..store.db import Database
from ..store.dialects import SQLITE, for_postgres


def day(value: "str | dt.date | None") -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value[:10])


def like_escaped(word: str) -> str:
    """``word`` for ``LIKE ... ESCAPE '/'``: its %, _ and / match themselves."""
    return word.replace("/", "//").replace("%", "/%").replace("_", "/_")


def _params(params):
    return params if isinstance(params, dict) else tuple(params)


class Reads:
    """One read: the connection, today's date and the landlord's working-day calendar."""

    def __init__(
        self, con: Any, today: dt.date, cal: WorkingCalendar | None = None, dialect: str = SQLITE
    ) -> None:
        self.con = con  # a sqlite3 connection, or psycopg's on PostgreSQL
        self.today = today
        self._cal = cal
        self.dialect = dialect
        self._sql = (lambda sql: sql) if dialect == SQLITE else for_postgres

    def rows(self, sql: str, params: "tuple | list | dict" = ()) -> list[tuple]:
        return self.con.execute(self._sql(sql), _params(params)).fetchall()

    def value(self, sql: str, params: "tuple | list | dict" = ()) -> Any:
        row = self.con.execute(self._sql(sql), _params(params)).fetchone()
        return row[0] if row else None

    @property
    def cal(self) -> WorkingCalendar:
        if self._cal is None:
            from .holiday_cache import ensure_loaded

            ensure_loaded()
            closures = tuple(self.rows("SELECT day, reason FROM closure_day ORDER BY day"))
            self._cal = _calendar(closures)
        return self._cal


_CALENDARS: dict[tuple, WorkingCalendar] = {}


def _calendar(closures: tuple) -> WorkingCalendar:
    """One calendar per set of closure days, kept: it is immutable, and the look-up index it builds
    of working days (a few milliseconds) is then made once, not at every read."""
    cal = _CALENDARS.get(closures)
    if cal is None:
        if len(_CALENDARS) > 8:
            _CALENDARS.clear()
        cal = _CALENDARS[closures] = WorkingCalendar.with_closures(
            (d, r) for d, r in ((day(text), why) for text, why in closures) if d is not None
        )
    return cal


class Cancelled(Exception):
    """A read stopped part-way because its answer is no longer wanted (the filters changed)."""


def stoppable(db) -> bool:
    """Whether a read on ``db`` can be stopped part-way (see plain_reading's ``cancelled``)."""
    return isinstance(db, Database) and db.dialect == SQLITE


@contextmanager
def plain_reading(db, cancelled: "Callable[[], bool] | None" = None) -> Iterator[Reads]:
    """Reads on ``db`` (a Database, or a Unit whose transaction is to be read inside).

    With ``cancelled``, a query stops as soon as it returns True (it is asked every few thousand
    steps of SQLite's work) and Cancelled is raised: a list being typed into drops the searches
    the typing has overtaken instead of letting them compete with the newest one.
    """
    if not isinstance(db, Database):  # a Unit: its pending rows first, then its own connection
        session = db.session
        session.flush()
        conn = session.connection()
        yield Reads(conn.connection.dbapi_connection, db.today, db._cal, conn.dialect.name)
        return
    if db.dialect != SQLITE:  # no progress handler: a read there is not stopped part-way
        with db.plain() as con:
            yield Reads(con, db.today, dialect=db.dialect)
        return
    with db.plain() as con:
        if cancelled is not None:
            con.set_progress_handler(lambda: 1 if cancelled() else 0, 5000)
        try:
            yield Reads(con, db.today)
        except sqlite3.OperationalError:
            if cancelled is not None and cancelled():
                raise Cancelled() from None
            raise
