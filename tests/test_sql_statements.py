"""Every plain SQL statement in the package prepares against a freshly migrated schema, so a
renamed column or table fails here, not in front of a user.

Statements are found two ways: (1) the registries and constants of the modules, as the running
code sees them (``figures.SQL`` and any module-level string starting with SELECT, INSERT, UPDATE,
DELETE or WITH); (2) every string literal and f-string in the package's source starting with one of
those words (the Alembic migrations excepted: they run against older schemas). An f-string's
``{...}`` parts are filled from the module's own constants where they name one, otherwise with each
of a few stand-ins (nothing, a parameter, a table name); it passes when one filling prepares. Each
statement is run as ``EXPLAIN`` with every parameter bound to NULL.
"""

from __future__ import annotations

import ast
import importlib
import itertools
import pathlib
import re
import sqlite3

import pytest

import smallhousing

PACKAGE = pathlib.Path(smallhousing.__file__).parent
STARTS = re.compile(r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\s", re.I)


class _Nulls(dict):
    def __missing__(self, key):
        return None


def _prepare(con: sqlite3.Connection, sql: str) -> str | None:
    """None when ``sql`` prepares; else SQLite's complaint."""
    params: object = _Nulls() if re.search(r"[:@$][A-Za-z_]", sql) else ()
    for _ in range(2):
        try:
            con.execute("EXPLAIN " + sql, params).fetchall()
            return None
        except sqlite3.ProgrammingError as exc:
            m = re.search(r"uses (\d+)", str(exc))
            if not m:
                return str(exc)
            params = [None] * int(m.group(1))
        except sqlite3.Error as exc:
            return str(exc)
    return "could not bind parameters"


# statements that only ever run on PostgreSQL (checked on a server below, not on SQLite)
POSTGRES_ONLY = {"smallhousing.store.postgres", "smallhousing.services.team"}


def _modules(on: str = "sqlite"):
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent)
        if "migrations" in rel.parts or path.name == "__main__.py":
            continue
        name = ".".join(rel.with_suffix("").parts)
        if on == "sqlite" and name in POSTGRES_ONLY:
            continue
        yield path, name


def _literal_statements(on: str = "sqlite"):
    """(file, line, template parts) for every SQL literal: parts are str or ast expressions."""
    for path, name in _modules(on):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        inside_fstring = set()
        for node in ast.walk(tree):  # docstrings are not statements
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                inside_fstring.add(id(node.value))
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                inside_fstring.update(id(v) for v in node.values)
                parts = [v.value if isinstance(v, ast.Constant) else v.value for v in node.values]
                if (
                    parts
                    and isinstance(parts[0], str)
                    and STARTS.match(parts[0])
                    and re.search(
                        r"\b(FROM|SET|VALUES)\b", "".join(p for p in parts if isinstance(p, str)), re.I
                    )
                ):
                    yield path, name, node.lineno, parts
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in inside_fstring
                and STARTS.match(node.value)
                and re.search(r"\b(FROM|SET|VALUES)\b", node.value, re.I)
            ):
                yield path, name, node.lineno, [node.value]


def _fillings(module, expr, tables):
    """Candidate texts for one ``{...}`` of an f-string."""
    try:
        value = eval(compile(ast.Expression(expr), "<sql>", "eval"), vars(module))  # noqa: S307
        if isinstance(value, str):
            return [value]
    except Exception:
        pass
    return ["", "?", "1", "id", *tables]


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    from smallhousing.store.db import Database

    d = Database(tmp_path_factory.mktemp("sql") / "fresh.db").open()
    path = d.path
    d.close()
    con = sqlite3.connect(path)
    # restore copies from an attached file named 'restored', and keeps sqlite_sequence
    con.execute("CREATE TABLE IF NOT EXISTS _seq (id INTEGER PRIMARY KEY AUTOINCREMENT)")
    con.execute("ATTACH DATABASE ? AS restored", (str(path),))
    yield con
    con.close()


def test_every_registered_statement_prepares(schema):
    bad = []
    for _, name in _modules():
        module = importlib.import_module(name)
        found = dict(getattr(module, "SQL", {}) or {})
        found.update(
            {
                k: v
                for k, v in vars(module).items()
                if isinstance(v, str)
                and (k.isupper() or k.startswith("_"))
                and STARTS.match(v)
                and re.search(r"\b(FROM|SET|VALUES)\b", v, re.I)
            }
        )
        for key, sql in found.items():
            err = _prepare(schema, sql)
            if err:
                bad.append(f"{name} {key}: {err}\n    {sql}")
    assert not bad, "statements that do not prepare on the migrated schema:\n" + "\n".join(bad)


def test_every_sql_literal_prepares(schema):
    tables = [
        r[0]
        for r in schema.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    bad, checked = [], 0
    for path, name, line, parts in _literal_statements():
        module = importlib.import_module(name)
        holes = list(dict.fromkeys(ast.unparse(p) for p in parts if not isinstance(p, str)))
        exprs = {ast.unparse(p): p for p in parts if not isinstance(p, str)}
        options = [_fillings(module, exprs[h], tables) for h in holes]  # the same {x} filled alike
        errors = []
        for combo in itertools.islice(itertools.product(*options), 40000):
            fill = dict(zip(holes, combo))
            err = _prepare(schema, "".join(p if isinstance(p, str) else fill[ast.unparse(p)] for p in parts))
            if err is None or err == "incomplete input":  # a fragment, completed where it is used
                break
            errors.append(err)
        else:
            text = "".join(p if isinstance(p, str) else "{" + ast.unparse(p) + "}" for p in parts)
            bad.append(
                f"{path.relative_to(PACKAGE.parent)}:{line}: {errors[0] if errors else '?'}\n    {text}"
            )
        checked += 1
    assert checked > 80  # the scan finds the package's statements
    assert not bad, "SQL in the package that does not prepare on the migrated schema:\n" + "\n".join(bad)


def test_a_renamed_column_is_caught(schema):
    assert _prepare(schema, "SELECT c.search_text FROM complaint c WHERE c.id = ?") is None
    assert "no such column" in _prepare(schema, "SELECT c.search_txt FROM complaint c WHERE c.id = ?")
    assert _prepare(schema, "SELECT count(*) FROM complaint WHERE received_on >= :s") is None


# the same statements on PostgreSQL ------------------------------------------------------------------
# Each statement is turned into PostgreSQL's form (store.dialects.for_postgres) and EXPLAINed there,
# every parameter NULL. Statements that only ever run on a SQLite file are left out, each with why.

SQLITE_ONLY = {
    # copies, checks and restores a SQLite file (PostgreSQL: pg_dump, pg_restore)
    "smallhousing.services.backup": "backups are SQLite files",
    # the attachment files beside a backup, read from the backup's own SQLite file
    "smallhousing.services.attachment_files": "reads SQLite backup files",
    # erasure's SQLite steps (secure_delete, the vacuum, a backup file's sweep); on PostgreSQL its
    # sweep runs through SQLAlchemy Core, checked by the team tests
    "smallhousing.services.privacy": "its plain SQL is for SQLite files",
    "smallhousing.store.db": "opens SQLite files",
    "smallhousing.store.migrate": "SQLite's schema checks",
}


def _pg_prepare(con, sql: str) -> str | None:
    """None when ``sql`` (as written for SQLite) prepares on PostgreSQL; else its complaint."""
    import psycopg

    from smallhousing.store.dialects import for_postgres

    pg = for_postgres(sql)
    n = pg.count("%s") - pg.count("%%s")
    params: object = _Nulls() if "%(" in pg else [None] * n
    try:
        con.execute("EXPLAIN " + pg, params).fetchall()
        return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]


@pytest.fixture(scope="module")
def pg_schema(pg_server, tmp_path_factory):
    import os
    import uuid
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    from smallhousing.store.postgres import PostgresDatabase

    name = f"smallhousing_sql_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    old = os.environ.get("XDG_DATA_HOME")
    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("pgdata"))
    url = urlunsplit(urlsplit(pg_server)._replace(path="/" + name))
    try:
        PostgresDatabase(url).open().close()
        with psycopg.connect(url, autocommit=True) as con:
            yield con
    finally:
        if old is None:
            os.environ.pop("XDG_DATA_HOME", None)
        else:
            os.environ["XDG_DATA_HOME"] = old
        with psycopg.connect(pg_server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_every_registered_statement_prepares_on_postgresql(pg_schema):
    bad, checked = [], 0
    for _, name in _modules("postgresql"):
        if name in SQLITE_ONLY:
            continue
        module = importlib.import_module(name)
        found = dict(getattr(module, "SQL", {}) or {})
        found.update(
            {
                k: v
                for k, v in vars(module).items()
                if isinstance(v, str)
                and (k.isupper() or k.startswith("_"))
                and STARTS.match(v)
                and re.search(r"\b(FROM|SET|VALUES)\b", v, re.I)
            }
        )
        for key, sql in found.items():
            checked += 1
            err = _pg_prepare(pg_schema, sql)
            if err:
                bad.append(f"{name} {key}: {err}\n    {sql}")
    assert checked > 30
    assert not bad, "statements that do not prepare on PostgreSQL:\n" + "\n".join(bad)


def test_every_sql_literal_prepares_on_postgresql(pg_schema):
    tables = [
        r[0]
        for r in pg_schema.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        )
    ]
    bad, checked = [], 0
    for path, name, line, parts in _literal_statements("postgresql"):
        if name in SQLITE_ONLY:
            continue
        module = importlib.import_module(name)
        holes = list(dict.fromkeys(ast.unparse(p) for p in parts if not isinstance(p, str)))
        exprs = {ast.unparse(p): p for p in parts if not isinstance(p, str)}
        options = [_fillings(module, exprs[h], tables) for h in holes]
        errors = []
        for combo in itertools.islice(itertools.product(*options), 40000):
            fill = dict(zip(holes, combo))
            sql = "".join(p if isinstance(p, str) else fill[ast.unparse(p)] for p in parts)
            err = _pg_prepare(pg_schema, sql)
            if err is None or "syntax error at end of input" in err:  # a fragment, completed where used
                break
            errors.append(err)
        else:
            text = "".join(p if isinstance(p, str) else "{" + ast.unparse(p) + "}" for p in parts)
            bad.append(
                f"{path.relative_to(PACKAGE.parent)}:{line}: {errors[0] if errors else '?'}\n    {text}"
            )
        checked += 1
    assert checked > 60
    assert not bad, "SQL in the package that does not prepare on PostgreSQL:\n" + "\n".join(bad)
