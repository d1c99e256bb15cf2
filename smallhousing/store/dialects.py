"""The one place where SQL differs between SQLite and PostgreSQL.

The package's plain SQL (services/reads.py, queries.py, figures.py ...) is written once, for
SQLite's driver: ``?`` and ``:name`` parameters, and a few SQLite functions. ``for_postgres`` turns
such a statement into what psycopg and PostgreSQL take, once per statement text (kept):

- parameters: ``?`` becomes ``%s`` and ``:name`` becomes ``%(name)s``; a literal ``%`` is doubled;
- ``strftime('%Y-%m', col)`` (the month of a date) becomes ``to_char(col, 'YYYY-MM')``;
- ``json_each(:list)`` (a JSON list given as one parameter) becomes
  ``json_array_elements_text(CAST(:list AS json))``: both give the items in a column ``value``
  (text on PostgreSQL: compare it with a text column, or ``CAST(value AS INTEGER)`` it).

Everything else is written portably where it is: ``TRUE``/``FALSE`` for booleans (SQLite knows them
as 1 and 0), ``LIKE ... ESCAPE '/'``, ``coalesce``, ``count(CASE ...)``. Nothing here imports a
driver.
"""

from __future__ import annotations

import re
from functools import lru_cache

SQLITE, POSTGRESQL = "sqlite", "postgresql"

_STRFTIME_MONTH = re.compile(r"strftime\(\s*'%Y-%m'\s*,\s*([A-Za-z_][\w.]*)\s*\)", re.I)
_JSON_EACH = re.compile(r"json_each\(\s*(:[A-Za-z_]\w*|\?)\s*\)", re.I)
# a quoted literal or identifier (left as it is), or a parameter (rewritten)
_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|::|:[A-Za-z_]\w*|\?|%")


def _params(sql: str) -> str:
    def swap(m: re.Match) -> str:
        t = m.group(0)
        if t == "%":
            return "%%"
        if t[0] in "'\"":
            return t.replace("%", "%%")  # psycopg reads % inside literals too
        if t == "?":
            return "%s"
        if t == "::":
            return t
        return f"%({t[1:]})s"

    return _TOKENS.sub(swap, sql)


@lru_cache(maxsize=2048)
def for_postgres(sql: str) -> str:
    """``sql`` as written for SQLite, in the form PostgreSQL (through psycopg) takes."""
    sql = _STRFTIME_MONTH.sub(r"to_char(\1, 'YYYY-MM')", sql)
    sql = _JSON_EACH.sub(r"json_array_elements_text(CAST(\1 AS json))", sql)
    return _params(sql)


def statement(sql: str, dialect: str) -> str:
    """``sql`` for the database it is to run on (as it is for SQLite)."""
    return sql if dialect == SQLITE else for_postgres(sql)


def reset_sequences(conn, table_names) -> None:
    """After rows were written with their ids given (an import keeping every id), each table's
    id sequence goes on from its largest id (PostgreSQL; SQLite's ids need nothing).

    ``conn``: a SQLAlchemy connection."""
    if conn.dialect.name != POSTGRESQL:
        return
    for name in table_names:
        top = conn.exec_driver_sql(f'SELECT max(id) FROM "{name}"').scalar() or 0
        conn.exec_driver_sql(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)", (f'"{name}"', top + 1)
        )
