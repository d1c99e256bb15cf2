"""The backups screen, driven with the keyboard in a small app at 80x24."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from helpers import settle
from textual.app import App
from textual.widgets import DataTable, Static

import smallhousing
from smallhousing.screens.transfer import BackupScreen, RestoreConfirm
from smallhousing.services import backup as B
from smallhousing.services import complaints as C

SIZE = (80, 24)


class ScreenApp(App):
    CSS_PATH = str(Path(smallhousing.__file__).parent / "app.tcss")

    def __init__(self, make_screen) -> None:
        super().__init__()
        self.make_screen = make_screen
        self.results: list = []

    def on_mount(self) -> None:
        self.push_screen(self.make_screen(), self.results.append)


def status(screen) -> str:
    return str(screen.query_one("#backup-status", Static).render())


async def test_back_up_now_and_see_it_listed(db, setup):
    app = ScreenApp(lambda: BackupScreen(db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert "There are no backups yet" in status(screen)
        assert str(Path(db.path).parent / "backups") in str(screen.query_one("#backup-where").render())
        await pilot.press("b")
        await settle(pilot)
        table = screen.query_one("#backup-list", DataTable)
        assert table.row_count == 1
        made = B.list_backups(db)[0]
        assert status(screen) == f"Backed up to {made.name}."
        assert str(table.get_row_at(0)[1]) == "manual" and str(table.get_row_at(0)[3]) == made.name
        for ident in ("#backup-where", "#backup-list", "#backup-status"):
            region = screen.query_one(ident).region
            assert region.bottom <= 24 and region.right <= 80, ident
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]


async def test_restore_asks_first_and_no_changes_nothing(db, setup):
    B.backup(db)
    C.log_complaint(db, setup.resident, dt.date(2026, 2, 2), "After the backup", reference="A-1")
    app = ScreenApp(lambda: BackupScreen(db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, RestoreConfirm)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, BackupScreen)
        assert C.complaint_view(db, "A-1").complaint.description == "After the backup"
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("escape")  # escape is "no" as well
        await settle(pilot)
        assert isinstance(app.screen, BackupScreen)
        assert len(B.list_backups(db)) == 1


async def test_restore_a_chosen_backup(db, setup):
    C.log_complaint(db, setup.resident, dt.date(2026, 2, 2), "Kept", reference="K-1")
    older = B.backup(db, now=dt.datetime(2026, 3, 1, 9, 0))
    C.log_complaint(db, setup.resident, dt.date(2026, 2, 3), "Later", reference="K-2")
    B.backup(db, now=dt.datetime(2026, 3, 2, 9, 0))
    app = ScreenApp(lambda: BackupScreen(db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        table = screen.query_one("#backup-list", DataTable)
        assert [str(table.get_row_at(i)[3]) for i in range(table.row_count)][1] == older.name  # newest first
        await pilot.press("down", "r")
        await pilot.pause()
        assert isinstance(app.screen, RestoreConfirm)
        assert older.name in str(app.screen.query_one("#restore-text").render())
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is screen
        assert status(screen).startswith(f"Restored {older.name}: 1 complaints")
        assert [C.complaint_view(db, "K-1").complaint.reference] == ["K-1"]
        kinds = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert "before restore" in kinds and table.row_count == 3
        assert str(table.get_row_at(table.cursor_row)[1]) == "before restore"  # the copy just kept


async def test_restore_failure_is_shown_and_changes_nothing(db, setup):
    bad = Path(db.path).parent / "backups"
    bad.mkdir(exist_ok=True)
    (bad / "smallhousing-20260101-090000.db").write_text("not a database")
    C.log_complaint(db, setup.resident, dt.date(2026, 2, 2), "Still here", reference="S-1")
    app = ScreenApp(lambda: BackupScreen(db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert status(app.screen).startswith("Nothing was restored:")
        assert "not an SQLite database" in status(app.screen)
        assert C.complaint_view(db, "S-1").complaint.description == "Still here"


async def test_keys_have_ids_and_names(db):
    app = ScreenApp(lambda: BackupScreen(db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        bindings = {b.action: b for bs in screen._bindings.key_to_bindings.values() for b in bs}
        for action in ("backup_now", "restore", "reload", "back"):
            assert bindings[action].id and bindings[action].description, action
        described = {a.binding.description for a in screen.active_bindings.values()}
        assert {"Back up now", "Restore", "Refresh", "Back"} <= described
