"""How the app starts: the first screen from plain reads, then the rest made ready behind it."""

from __future__ import annotations

import gc
import shutil

import pytest
from conftest import TODAY
from helpers import settle, until

from smallhousing.app import build_app
from smallhousing.cli.core import start_app
from smallhousing.screens.common import Tile
from smallhousing.services import queries as Q
from smallhousing.store.db import Database

pytestmark = pytest.mark.usefixtures("no_backup")


async def test_dashboard_figures_first_then_the_file_is_opened_for_writing(demo_db_path, tmp_path):
    path = tmp_path / "copy.db"
    shutil.copy(demo_db_path, path)
    db = Database(path, actor="tester", today=TODAY)
    db.check()
    counts = Q.dashboard_counts(Database(path, today=TODAY))
    app = build_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: getattr(app.screen, "figures_shown", False))
        tiles = {t.id: t.number for t in app.screen.query(Tile)}
        assert tiles["tile-open1"] == f"{counts.open_stage1:,}"
        assert tiles["tile-overdue"] == f"{counts.overdue:,}"
        await until(pilot, lambda: db.engine is not None)  # the warm-up opened it behind the screen
        # the dashboard starts with the next deadline under the cursor: Enter opens it
        first = (Q.letters_not_sent(db, limit=1) + Q.open_work(db, limit=1))[0]
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ == "ComplaintScreen")
        await until(pilot, lambda: first.reference in str(app.screen.query_one("#ref").render()))
    db.close()


async def test_the_dashboard_reads_its_figures_once_at_start(demo_db_path, tmp_path, monkeypatch):
    path = tmp_path / "copy.db"
    shutil.copy(demo_db_path, path)
    calls = []
    real = Q.dashboard_counts
    monkeypatch.setattr(Q, "dashboard_counts", lambda db: calls.append(1) or real(db))
    db = Database(path, actor="tester", today=TODAY)
    app = build_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: getattr(app.screen, "figures_shown", False))
        await settle(pilot, 1)
        assert calls == [1]
        await pilot.press("f3")
        await until(pilot, lambda: type(app.screen).__name__ == "ComplaintsScreen")
        await pilot.press("escape", "escape")  # the first leaves the search box
        await until(pilot, lambda: type(app.screen).__name__ == "DashboardScreen")
        await until(pilot, lambda: len(calls) == 2)  # coming back reads them again
    db.close()


def test_start_app_turns_the_garbage_collector_back_on(demo_db_path, tmp_path):
    path = tmp_path / "copy.db"
    shutil.copy(demo_db_path, path)
    seen = {}

    async def look(pilot):
        await until(pilot, lambda: getattr(pilot.app.screen, "figures_shown", False))
        seen["during"] = gc.isenabled()
        pilot.app.exit()

    assert gc.isenabled()
    try:
        assert start_app(path, headless=True, size=(80, 24), auto_pilot=look) == 0
    finally:
        gc.unfreeze()
    assert seen == {"during": True} and gc.isenabled()


def test_start_app_refuses_a_file_that_is_not_ours_and_leaves_gc_on(tmp_path):
    from smallhousing.store.db import StoreError

    bad = tmp_path / "notes.db"
    bad.write_text("shopping list")
    with pytest.raises(StoreError):
        start_app(bad, headless=True)
    assert gc.isenabled()
