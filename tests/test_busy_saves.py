"""Saving while another program holds the write lock (issue 13, item 3): the form stays open with
what was typed, says the records are busy, tries again, and saves once the lock is let go. Never a
traceback, never an exit."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading

import pytest
from helpers import choose, settle, typed
from textual.widgets import Static, TextArea

from smallhousing.app import build_app
from smallhousing.screens import common
from smallhousing.services import complaints as C
from smallhousing.services import residents, settings
from smallhousing.store import db as store_db
from smallhousing.store.db import Database, StoreBusy

TODAY = dt.date(2026, 3, 2)
SIZE = (80, 24)


DESCRIPTION = "Lift broken since Tuesday; my mother Zelda cannot get to the fourth floor"


pytestmark = pytest.mark.usefixtures("no_backup")


@pytest.fixture
def quick(monkeypatch, tmp_path):
    """A database whose SQLite busy wait is short, and quick retries, so the test takes seconds."""
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 100)
    monkeypatch.setattr(common, "BUSY_WAIT", 0.1, raising=False)
    monkeypatch.setattr(common, "BUSY_RETRIES", 2, raising=False)
    d = Database(tmp_path / "busy.db", actor="tester", today=TODAY).open()
    settings.update_settings(
        d,
        name="Ashbury Homes",
        address="1 Mill Lane, Ashbury, AB1 2CD",
        complaints_officer="Sam Okoye",
        setup_done=True,
    )
    settings.add_staff(d, "Alice Adams", role="Housing Officer")
    residents.add_resident(d, "Mrs Siân O'Brien", address="12 Heol y Parc, Ashbury")
    yield d
    d.close()


def lock(path) -> sqlite3.Connection:
    con = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    con.execute("BEGIN IMMEDIATE")
    return con


def message(app) -> str:
    return str(app.screen.query_one("#form-error", Static).render())


async def fill_new_complaint(pilot):
    await settle(pilot)
    await pilot.press("ctrl+n")
    await settle(pilot)
    await typed(pilot, "brien")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("tab", "tab")
    await choose(pilot, "p")
    await pilot.press("tab")
    await typed(pilot, DESCRIPTION)


def saved_descriptions(db) -> list[str]:
    with sqlite3.connect(str(db.path)) as con:
        return [r[0] for r in con.execute("SELECT description FROM complaint")]


@pytest.mark.slow
async def test_busy_save_keeps_the_form_and_saves_when_the_lock_is_let_go(quick):
    app = build_app(quick)
    async with app.run_test(size=SIZE) as pilot:
        await fill_new_complaint(pilot)
        holder = lock(quick.path)
        try:
            await pilot.press("ctrl+s")
            await settle(pilot)  # every automatic try fails while the lock is held
            assert type(app.screen).__name__ == "NewComplaintForm"
            assert "busy" in message(app) and "Ctrl+S" in message(app)
            assert app.screen.query_one("#description", TextArea).text == DESCRIPTION
            assert saved_descriptions(quick) == []
        finally:
            holder.rollback()
            holder.close()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert type(app.screen).__name__ == "ComplaintScreen"
    assert app.return_code in (None, 0)
    assert saved_descriptions(quick) == [DESCRIPTION]


@pytest.mark.slow
async def test_busy_save_goes_through_by_itself_when_the_lock_goes_soon(quick, monkeypatch):
    monkeypatch.setattr(common, "BUSY_RETRIES", 20, raising=False)
    app = build_app(quick)
    async with app.run_test(size=SIZE) as pilot:
        await fill_new_complaint(pilot)
        holder = lock(quick.path)
        release = threading.Timer(0.5, lambda: (holder.rollback(), holder.close()))
        release.start()
        await pilot.press("ctrl+s")
        await settle(pilot)
        release.join()
        assert type(app.screen).__name__ == "ComplaintScreen"
    assert saved_descriptions(quick) == [DESCRIPTION]


@pytest.mark.slow
async def test_store_busy_from_the_store_is_shown_the_same_way(quick, monkeypatch):
    calls = []
    real = C.log_complaint

    def busy_once(*a, **kw):
        calls.append(1)
        if len(calls) <= 3:
            raise StoreBusy("The file is busy.")
        return real(*a, **kw)

    monkeypatch.setattr(C, "log_complaint", busy_once)
    app = build_app(quick)
    async with app.run_test(size=SIZE) as pilot:
        await fill_new_complaint(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "busy" in message(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert type(app.screen).__name__ == "ComplaintScreen"
    assert saved_descriptions(quick) == [DESCRIPTION]


async def test_resident_form_save_when_busy_keeps_what_was_typed(quick, monkeypatch):
    from smallhousing.screens.resident_forms import ResidentForm

    holder = lock(quick.path)
    app = build_app(quick)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            form = ResidentForm(quick)
            app.push_screen(form)
            await settle(pilot)
            await typed(pilot, "Zebedee Quartermaine")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form
            assert "busy" in str(form.query_one("#form-error", Static).render())
            holder.rollback()
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is not form
    finally:
        holder.close()
    with sqlite3.connect(str(quick.path)) as con:
        assert (
            con.execute("SELECT count(*) FROM resident WHERE name = 'Zebedee Quartermaine'").fetchone()[0]
            == 1
        )


def test_is_busy_knows_every_form_of_a_locked_file():
    from sqlalchemy.exc import OperationalError

    raw = sqlite3.OperationalError("database is locked")
    assert common.is_busy(StoreBusy("busy"))
    assert common.is_busy(raw)
    assert common.is_busy(OperationalError("INSERT ...", {}, raw))
    assert not common.is_busy(sqlite3.OperationalError("no such table: complaint"))
    assert not common.is_busy(ValueError("database is locked"))


async def test_first_run_setup_saves_in_a_worker_and_waits_for_a_busy_file(tmp_path, monkeypatch):
    """The welcome screen's setup is saved in a worker like every form: a busy file is said to be
    busy, what was typed stays, and Ctrl+S saves once the lock is let go."""
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 100)
    monkeypatch.setattr(common, "BUSY_WAIT", 0.1, raising=False)
    monkeypatch.setattr(common, "BUSY_RETRIES", 1, raising=False)
    d = Database(tmp_path / "new.db", actor="tester", today=TODAY).open()
    app = build_app(d)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert type(app.screen).__name__ == "WelcomeScreen"
            await typed(pilot, "Ashbury Homes")
            holder = lock(d.path)
            try:
                await pilot.press("ctrl+s")
                await settle(pilot)
                assert type(app.screen).__name__ == "WelcomeScreen"
                assert "busy" in str(app.screen.query_one("#welcome-error", Static).render())
                assert app.screen.query_one("#name").value == "Ashbury Homes"
            finally:
                holder.rollback()
                holder.close()
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert type(app.screen).__name__ == "DashboardScreen"
        assert settings.get_settings(d).name == "Ashbury Homes"
    finally:
        d.close()


async def test_an_unexpected_failure_is_one_plain_line(quick, monkeypatch):
    """Any other failure while saving: the form stays, with one line naming the kind of error."""
    from smallhousing.screens.resident_forms import ResidentForm

    def broken(*args, **kwargs):
        raise RuntimeError("Zebedee Quartermaine, 1 Secret Street")

    monkeypatch.setattr(residents, "add_resident", broken)
    app = build_app(quick)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form = ResidentForm(quick)
        app.push_screen(form)
        await settle(pilot)
        await typed(pilot, "Zebedee")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        line = str(form.query_one("#form-error", Static).render())
        assert "RuntimeError" in line and "Secret" not in line and "\n" not in line.strip()


async def test_escape_while_saving_is_ignored_and_the_save_closes_the_form(quick, monkeypatch):
    """Esc while a save is under way does nothing (the save closes the form in a moment): a form is
    never closed twice, which would close the screen underneath too."""
    from smallhousing.screens.resident_forms import ResidentForm

    gate = threading.Event()
    real = residents.add_resident

    def slow(*args, **kwargs):
        gate.wait(5)
        return real(*args, **kwargs)

    monkeypatch.setattr(residents, "add_resident", slow)
    app = build_app(quick)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form = ResidentForm(quick)
        app.push_screen(form)
        await settle(pilot)
        await typed(pilot, "Zebedee")
        await pilot.press("ctrl+s", "escape")
        assert app.screen is form
        gate.set()
        await settle(pilot)
        assert type(app.screen).__name__ == "DashboardScreen"
    assert [r.name for r in residents.list_residents(quick, "zebedee")] == ["Zebedee"]
