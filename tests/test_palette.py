"""The command palette (Ctrl+P) finds anything: records, and every action of every screen
(screens/palette.py), driven with the keyboard in the whole app at 80x24."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import settle, text_of, typed, until
from textual.command import CommandList, CommandPalette
from textual.widgets import DataTable, ListView, Static, TabbedContent

from smallhousing import app as app_module
from smallhousing.app import build_app
from smallhousing.screens import palette as P
from smallhousing.services import backup
from smallhousing.services import complaints as C

SIZE = (80, 24)

pytestmark = pytest.mark.usefixtures("no_backup")


def titles(app) -> list[str]:
    """What the open palette offers, in the order shown."""
    if not CommandPalette.is_open(app):
        return []
    options = app.screen.query_one(CommandList)
    return [str(options.get_option_at_index(i).hit.text) for i in range(options.option_count)]


async def search(pilot, query: str, wanted: str) -> list[str]:
    """Open the palette, type ``query`` and wait until ``wanted`` is offered and the search is over."""
    await pilot.press("ctrl+p")
    await until(pilot, lambda: CommandPalette.is_open(pilot.app))
    await typed(pilot, query)
    await until(pilot, lambda: wanted in titles(pilot.app))
    await settle(pilot, group=CommandPalette._GATHER_COMMANDS_GROUP)
    return titles(pilot.app)


async def choose(pilot, query: str, wanted: str, *, group: str | None = None) -> None:
    """Find ``wanted`` by typing ``query``, highlight it and press Enter; then wait for the workers
    (only those of ``group`` where a screen keeps one that never ends, such as a folder tree's)."""
    offered = await search(pilot, query, wanted)
    pilot.app.screen.query_one(CommandList).highlighted = offered.index(wanted)
    await pilot.press("enter")
    await until(pilot, lambda: not CommandPalette.is_open(pilot.app))
    await settle(pilot, group=group)


def screen_name(app) -> str:
    return type(app.screen).__name__


async def test_a_complaint_is_found_by_its_reference_and_enter_opens_it(db, setup):
    c = C.log_complaint(db, setup.resident, dt.date(2026, 2, 27), "Fence blown down")
    C.log_complaint(db, setup.resident, dt.date(2026, 2, 28), "Damp in the bedroom")
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        offered = await search(pilot, c.reference, f"Complaint {c.reference}: Mrs Siân O'Brien")
        assert offered[0] == f"Complaint {c.reference}: Mrs Siân O'Brien"  # the exact reference first
        await pilot.press("enter")  # the first is highlighted: Enter opens it
        await until(pilot, lambda: screen_name(app) == "ComplaintScreen")
        await settle(pilot)
        assert app.screen.complaint_ref == c.id
        assert app.screen.view is not None and app.screen.view.complaint.reference == c.reference
        await pilot.press("escape")
        await settle(pilot)
        assert screen_name(app) == "DashboardScreen"


async def test_a_resident_is_found_by_name_without_typing_the_accent(db, setup):
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose(pilot, "sian o'b", "Resident: Mrs Siân O'Brien")
        await until(pilot, lambda: screen_name(app) == "ResidentScreen")
        assert app.screen.resident_id == setup.resident
        await pilot.press("escape")
        await settle(pilot)
        assert screen_name(app) == "ResidentsScreen"  # back to the list of residents


async def test_settings_sections_are_found_from_the_dashboard(db, setup):
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        offered = await search(pilot, "settings", "Settings: Staff")
        for tab in ("Landlord", "Ombudsman", "Staff", "Homes", "Closure days", "Import and backups"):
            assert f"Settings: {tab}" in offered
        pilot.app.screen.query_one(CommandList).highlighted = offered.index("Settings: Staff")
        await pilot.press("enter")
        await until(pilot, lambda: screen_name(app) == "SettingsScreen")
        await settle(pilot)
        assert app.screen.query_one(TabbedContent).active == "tab-staff"
        assert isinstance(app.focused, ListView) and app.focused.id == "list-staff"


async def test_a_report_action_runs_from_the_dashboard(db, setup):
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert screen_name(app) == "DashboardScreen"
        await choose(pilot, "annual report", "Reports: Annual report")
        assert screen_name(app) == "ReportsScreen"
        status = app.screen.query_one("#pdf-status", Static)
        await until(pilot, lambda: "Saved the annual report" in text_of(status), 30)
        assert list((db.path.parent / "reports").glob("annual-complaints-report-*.pdf"))


async def test_back_up_now_from_anywhere(db, setup):
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert backup.list_backups(db) == []
        await choose(pilot, "backup now", "Backups: Back up now")
        await until(pilot, lambda: screen_name(app) == "BackupScreen")
        await settle(pilot)
        assert len(backup.list_backups(db)) == 1
        assert [type(s).__name__ for s in app.screen_stack] == [
            "DashboardScreen",
            "SettingsScreen",
            "BackupScreen",
        ]


async def test_an_action_on_a_highlighted_row_opens_the_list_and_says_which_key(db, setup):
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose(pilot, "rename", "Settings: Rename or change a member of staff")
        await until(pilot, lambda: screen_name(app) == "SettingsScreen")
        await settle(pilot)
        assert app.screen.query_one(TabbedContent).active == "tab-staff"  # no form opened for anyone
        assert isinstance(app.focused, ListView) and app.focused.id == "list-staff"
        assert any("then press e" in n.message for n in app._notifications)
        # with no backups, restoring says there is nothing to choose
        await choose(pilot, "restore a backup", "Backups: Restore a backup")
        await until(pilot, lambda: screen_name(app) == "BackupScreen")
        assert any("nothing in the list to choose" in n.message for n in app._notifications)


async def test_the_columns_of_a_log_and_the_process_help_are_found(db, setup):
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose(pilot, "columns", "Import: The columns a log may have", group="import-columns")
        await until(pilot, lambda: screen_name(app) == "ImportScreen")
        await settle(pilot, group="import-columns")
        table = app.screen.query_one("#import-columns-table", DataTable)
        assert app.focused is table and table.row_count > 30
        await pilot.press("escape")
        await until(pilot, lambda: screen_name(app) == "SettingsScreen")
        await choose(
            pilot, "how a complaint moves", "Help: how a complaint moves through the Code", group="none"
        )
        assert screen_name(app) == "HelpScreen"
        assert app.screen.query_one(TabbedContent).active == "help-tab-process"


async def test_export_from_the_palette_writes_the_log_beside_the_records(db, setup):
    C.log_complaint(db, setup.resident, dt.date(2026, 2, 27), "Fence blown down")
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose(pilot, "export the complaints", "Export the complaints log (CSV)")
        await settle(pilot)
        path = db.path.parent / "exports" / "complaints-log-2026-03-02.csv"
        await until(pilot, lambda: any(str(path) in n.message for n in app._notifications))
        assert "Fence blown down" in path.read_text(encoding="utf-8-sig")


async def test_a_form_in_front_is_never_dropped_from_the_palette(db, setup):
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.run_action("new_complaint")
        await settle(pilot)
        form = app.screen
        assert form.is_modal
        await pilot.press("ctrl+p")
        await until(pilot, lambda: CommandPalette.is_open(app))
        await typed(pilot, "settings")
        await settle(pilot, group=CommandPalette._GATHER_COMMANDS_GROUP)
        await pilot.pause(0.3)
        assert not any(t.startswith("Settings: ") for t in titles(app))


async def test_every_action_of_every_place_is_offered(db, setup):
    """Each key with a description on every place's screen is a palette command (going back,
    refreshing and paging aside); every place is a section the app knows."""
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        classes = P.place_classes()
        assert {p.cls for p in P.PLACES} == {c.__name__ for c in classes.values()}
        assert {p.section for p in P.PLACES} <= set(app_module.SECTIONS)
        names = {c.name for c in P.place_commands(app, classes, None)}
        for place, cls in classes.items():
            labels = getattr(cls, "PALETTE_NAMES", {})
            for b in P._bindings(cls):
                action = b.action.split("(")[0]
                if b.description and action not in P.SKIP:
                    assert f"{place.title}: {labels.get(action) or b.description}" in names
        for wanted in (
            "Reports: Annual report",
            "Settings: Staff",
            "Backups: Back up now",
            "Backups: Restore a backup",
            "Settings: Import records",
        ):
            assert wanted in names
