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
