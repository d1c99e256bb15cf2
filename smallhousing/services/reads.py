"""Reads without the ORM: plain SQL over sqlite3 for the questions asked at start and at each key.

Importing SQLAlchemy, SQLModel and the table classes costs about half a second. The dashboard's
figures, the complaints list and `smallhousing due` only read, so they ask SQLite directly and can
answer before (or without) that import. Writes and everything else go through Units (base.py).

Given a Database, ``plain_reading`` opens a read-only connection in one read transaction. Given a
Unit already open, it reads through the Unit's own connection, so the Unit's unsaved rows are seen.
Dates are stored as ISO text ('2026-11-23'); ``day`` turns them back into ``datetime.date``.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import contextmanager
from typing import Any, Iterator

from ..domain.calendar import WorkingCalendar


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

    def __init__(self, con: sqlite3.Connection, today: dt.date,
                 cal: WorkingCalendar | None = None) -> None:
        self.con = con
        self.today = today
        self._cal = cal

    def rows(self, sql: str, params: "tuple | list | dict" = ()) -> list[tuple]:
        return self.con.execute(sql, _params(params)).fetchall()

    def value(self, sql: str, params: "tuple | list | dict" = ()) -> Any:
        row = self.con.execute(sql, _params(params)).fetchone()
        return row[0] if row else None

    @property
    def cal(self) -> WorkingCalendar:
        if self._cal is None:
            from .holiday_cache import ensure_loaded

            ensure_loaded()
            closures = self.rows("SELECT day, reason FROM closure_day")
            self._cal = WorkingCalendar.with_closures((day(d), r) for d, r in closures)
        return self._cal


@contextmanager
def plain_reading(db) -> Iterator[Reads]:
    """Reads on ``db`` (a Database, or a Unit whose transaction is to be read inside)."""
    session = getattr(db, "s", None)
    if session is not None:  # a Unit: its pending rows first, then its own connection
        db.flush()
        con = session.connection().connection.dbapi_connection
        yield Reads(con, db.today, db._cal)
        return
    with db.plain() as con:
        yield Reads(con, db.today())
