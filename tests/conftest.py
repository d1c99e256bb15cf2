"""Shared fixtures: a fresh database with a fixed 'today', and helpers to build records.

The Pilot helpers (``settle``, ``until``, ``typed``, ``choose``, ``text_of``) are in helpers.py:
``from helpers import settle``. Under pytest-xdist (``-n auto``) each worker has its own temporary
folder, so the session's demo database is made once per worker and tests never share a file.
"""

from __future__ import annotations

import datetime as dt

import helpers  # noqa: F401  (the shared Pilot helpers, importable by every test module)
import pytest

from smallhousing.services import residents, settings
from smallhousing.store.db import Database

TODAY = dt.date(2026, 3, 2)  # a Monday


@pytest.fixture
def today() -> dt.date:
    return TODAY


@pytest.fixture
def no_backup(monkeypatch):
    """The daily backup has its own tests; elsewhere it would only write files beside the test
    database (a module asks for it with ``pytestmark = pytest.mark.usefixtures("no_backup")``)."""
    from smallhousing.services import backup

    monkeypatch.setattr(backup, "daily_backup", lambda db: None)


@pytest.fixture
def db(tmp_path) -> Database:
    """An empty, migrated database whose 'today' is fixed at TODAY."""
    d = Database(tmp_path / "test.db", actor="tester", today=TODAY).open()
    yield d
    d.close()


@pytest.fixture
def setup(db):
    """A landlord with three staff and one resident; returns a simple namespace of ids."""
    return make_setup(db)


def make_setup(db):
    """What the ``setup`` fixture makes, on any database (a PostgreSQL one too)."""
    settings.update_settings(
        db,
        name="Ashbury Homes",
        address="1 Mill Lane, Ashbury, AB1 2CD",
        phone="01632 960 000",
        email="complaints@ashbury.example",
        complaints_officer="Sam Okoye",
        member_responsible="Ann Rees",
        setup_done=True,
    )
    a = settings.add_staff(db, "Alice Adams", role="Housing Officer")
    b = settings.add_staff(db, "Bilal Bashir", role="Housing Manager")
    c = settings.add_staff(db, "Cerys Cole", role="Director")
    r = residents.add_resident(db, "Mrs Siân O'Brien", address="12 Heol y Parc, Ashbury", postcode="AB1 3EF")

    class Ids:
        alice, bilal, cerys, resident = a.id, b.id, c.id, r.id

    return Ids


@pytest.fixture(scope="session")
def demo_db_path(tmp_path_factory):
    """A database of 150 demo complaints, made once per test run; copy it before changing it."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    d = Database(path, actor="demo", today=TODAY).open()
    from smallhousing.services import demo

    demo.generate(d, complaints=150, seed=7)
    d.close()
    return path


@pytest.fixture
def demo_db(demo_db_path, tmp_path):
    """A private copy of the demo database, open, with today fixed at TODAY."""
    import shutil
    import sqlite3

    target = tmp_path / "demo.db"
    src = sqlite3.connect(str(demo_db_path))
    dst = sqlite3.connect(str(target))
    src.backup(dst)
    src.close()
    dst.close()
    shutil.copymode(demo_db_path, target)
    from smallhousing.services.audit_anchor import copy_beside

    copy_beside(demo_db_path, target)  # the audit key and head belong with the copy
    d = Database(target, actor="tester", today=TODAY).open()
    yield d
    d.close()


# PostgreSQL ---------------------------------------------------------------------------------------
# Tests on a real server take its URL from SMALLHOUSING_TEST_POSTGRES (default below); each test
# gets a database of its own, made and dropped here. With no server answering they are skipped
# (one line saying why), except under CI (CI=true), where that fails the run.

PG_ENV = "SMALLHOUSING_TEST_POSTGRES"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


def _under_ci() -> bool:
    import os

    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The URL of a PostgreSQL database to connect to for making and dropping test databases."""
    import os

    url = os.environ.get(PG_ENV) or PG_DEFAULT
    why = None
    try:
        import psycopg
    except ImportError:
        why = "psycopg is not installed (pip install '.[postgres]')"
    else:
        try:
            psycopg.connect(url, autocommit=True, connect_timeout=5).close()
        except psycopg.Error as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            why = f"no PostgreSQL server answers at {url} ({first}); set {PG_ENV} to another"
    if why is not None:
        if _under_ci():
            pytest.fail(f"PostgreSQL tests cannot run under CI: {why}", pytrace=False)
        pytest.skip(f"PostgreSQL tests skipped: {why}")
    return url


@pytest.fixture
def pg_new(pg_server, tmp_path, monkeypatch):
    """Makes fresh, empty PostgreSQL databases (``pg_new()`` -> a URL), each dropped after the test.
    The files kept for them (audit key, letters ...) go in a data folder inside tmp_path."""
    import uuid
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    made: list[str] = []

    def new() -> str:
        name = f"smallhousing_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(pg_server, autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return urlunsplit(urlsplit(pg_server)._replace(path="/" + name))

    yield new
    with psycopg.connect(pg_server, autocommit=True) as con:
        for name in made:
            try:
                con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except psycopg.errors.SyntaxError:  # before PostgreSQL 13: end its sessions first
                con.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
                )
                con.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.fixture
def pg_url(pg_new) -> str:
    """The URL of a fresh, empty PostgreSQL database (dropped after the test)."""
    return pg_new()


@pytest.fixture
def pg_db(pg_url):
    """An empty, migrated PostgreSQL database whose 'today' is fixed at TODAY."""
    from smallhousing.store.postgres import PostgresDatabase

    d = PostgresDatabase(pg_url, actor="tester", today=TODAY).open()
    yield d
    d.close()
