"""Layout at 80x24 and on larger terminals: nothing cut off at 80x24 (buttons, footers, the
complaint's "Also" line, drop-down lists, the first field of a form), tables and lists that use
the width and height of a larger terminal, the dashboard back at its most urgent items each time
it is shown, and charts with month labels and a scale.

"Inside" is checked with the regions Textual laid the widgets out in: a widget cut off by its
container, or by the edge of the screen, has a region that reaches outside them.
"""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import settle, until
from textual.widgets import Button, DataTable, Select, TextArea

from smallhousing.app import build_app
from smallhousing.screens.quick_table import QuickTable
from smallhousing.services import complaints as C
from smallhousing.services import queries as Q

D = dt.date
SMALL = (80, 24)
LARGE = (120, 40)

pytestmark = pytest.mark.usefixtures("no_backup")


def name_of(app) -> str:
    return type(app.screen).__name__


async def started(pilot) -> None:
    await until(pilot, lambda: name_of(pilot.app) == "DashboardScreen")
    await settle(pilot)


async def shown(pilot, name: str) -> None:
    await until(pilot, lambda: name_of(pilot.app) == name)
    await settle(pilot)


def inside(outer, inner) -> bool:
    """Whether region ``inner`` lies wholly within region ``outer`` (and is not empty)."""
    return bool(inner.width and inner.height) and outer.contains_region(inner)


def responded_with_remedies(db, setup):
    """A stage 1 response with a remedy and an outstanding action: the complaint screen then
    lists its most "Also" keys (withdraw, another point, note, mark done, update, handler)."""
    c = C.log_complaint(db, setup.resident, D(2026, 2, 2), "The lift is broken", handler_id=setup.alice)
    C.acknowledge(db, c.id, "The lift has been broken since January.", on=D(2026, 2, 3))
    C.respond(
        db,
        c.id,
        "upheld",
        "The lift contractor missed two visits.",
        remedies=[C.RemedyInput("apology", "We are sorry.")],
        actions=[C.ActionInput("Fit a new lift controller", owner="Imran Shah", due_on=D(2026, 3, 20))],
        on=D(2026, 2, 10),
    )
    return c


# 80x24: nothing cut off ---------------------------------------------------------------------------


async def test_letter_preview_buttons_are_inside_the_dialog_at_80x24(db, setup):
    from smallhousing.screens.letter_preview import LetterPreviewScreen

    c = responded_with_remedies(db, setup)
    app = build_app(db)
    async with app.run_test(size=SMALL) as pilot:
        await started(pilot)
        app.push_screen(LetterPreviewScreen(db, c.reference, "response"))
        await shown(pilot, "LetterPreviewScreen")
        dialog = app.screen.query_one("#letter-dialog")
        for button in app.screen.query(Button):
            assert inside(button.parent.region, button.region), button.id
            assert inside(dialog.region, button.region), button.id
        assert inside(app.screen.region, dialog.region)


async def test_the_complaint_also_line_is_all_on_screen_at_80x24(db, setup):
    c = responded_with_remedies(db, setup)
    app = build_app(db)
    async with app.run_test(size=SMALL) as pilot:
        await started(pilot)
        app.open_complaint(c.id)
        await shown(pilot, "ComplaintScreen")
        also = app.screen.query_one("#also")
        text = str(also.render())
        assert "mark done" in text and "every key" in text  # a long line: it must wrap
        assert inside(app.screen.query_one("#head").region, also.region)
        assert also.region.width * also.region.height >= len(text)


@pytest.mark.parametrize(
    "keys, name",
    [
        (("f6",), "ReportsScreen"),  # eleven keys of its own
        (("f7", "3"), "SettingsScreen"),  # the staff tab adds three to the settings keys
    ],
)
async def test_every_footer_key_is_on_screen_at_80x24(db, setup, keys, name):
    app = build_app(db)
    async with app.run_test(size=SMALL) as pilot:
        await started(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        assert name_of(app) == name
        footer_keys = list(app.screen.query_one("KeyFooter").items)
        assert len(footer_keys) > 6
        for key in footer_keys:
            assert inside(app.screen.region, key.region), str(key.render())
        for n, key in enumerate(footer_keys):  # and none hidden under another (the palette key)
            for other in footer_keys[n + 1 :]:
                assert not key.region.overlaps(other.region), (str(key.render()), str(other.render()))


async def test_a_drop_down_list_opens_inside_its_dialog_at_80x24(db, setup):
    app = build_app(db)
    async with app.run_test(size=SMALL) as pilot:
        await started(pilot)
        await pilot.press("ctrl+n")
        await shown(pilot, "ResidentPickerScreen")
        await pilot.press("escape")
        await shown(pilot, "NewComplaintForm")
        select = app.screen.query_one("#channel", Select)
        select.focus()
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert select.expanded
        overlay = select.query_one("SelectOverlay")
        dialog = app.screen.query_one(".dialog")
        assert inside(dialog.content_region, overlay.region)
        assert inside(dialog.content_region, select.region)  # the box it belongs to, not hidden
        await pilot.press("down", "enter")
        assert select.value == "phone"


async def test_a_form_opens_at_its_first_field_under_a_long_explanation(db, setup):
    words = " ".join(f"The boiler failed again on day {n} and nobody came." for n in range(1, 41))
    c = C.log_complaint(db, setup.resident, D(2026, 2, 23), words)
    app = build_app(db)
    async with app.run_test(size=SMALL) as pilot:
        await started(pilot)
        app.open_complaint(c.id)
        await shown(pilot, "ComplaintScreen")
        await pilot.press("a")
        await shown(pilot, "AcknowledgeForm")
        await pilot.pause()
        first = app.focused
        assert isinstance(first, TextArea) and first.id == "definition"
        body = app.screen.query_one(".dialog-body")
        assert inside(body.region, first.region)
        label = first.parent.query_one(".field-label")  # its label is seen too
        assert inside(body.region, label.region)


# larger terminals: the room is used ---------------------------------------------------------------


def filled(table: DataTable | QuickTable) -> bool:
    """Whether the table's columns take its whole width (bar the scroll bar)."""
    if isinstance(table, QuickTable):
        used = table.columns_width
    else:
        used = sum(col.get_render_width(table) for col in table.columns.values())
    return used == table.scrollable_content_region.width


@pytest.mark.slow
async def test_the_dashboard_uses_a_large_terminal(demo_db):
    app = build_app(demo_db)
    async with app.run_test(size=LARGE) as pilot:
        await started(pilot)
        work = app.screen.query_one("#worklist", DataTable)
        alerts = app.screen.query_one("#alerts", DataTable)
        assert filled(work) and filled(alerts)
        resident = next(col for col in work.columns.values() if col.label.plain == "Resident")
        assert resident.width > 20
        names = [str(work.get_cell_at((row, 1))) for row in range(work.row_count)]
        assert any(len(name) > 15 for name in names)
        assert all(len(name) <= resident.width for name in names)  # no name cut short
        assert work.size.height > 8  # taller than it is at 80x24: more deadlines in view
        # and back at 80x24 the columns fit the narrower table again
        await pilot.resize_terminal(*SMALL)
        await settle(pilot)
        assert filled(work) and filled(alerts)


@pytest.mark.slow
@pytest.mark.parametrize(
    "key, name, table",
    [
        ("f3", "ComplaintsScreen", "#list"),
        ("f4", "ServiceRequestsScreen", "#requests"),
        ("f5", "ResidentsScreen", "#residents-table"),
    ],
)
async def test_lists_fill_a_large_terminal(demo_db, key, name, table):
    app = build_app(demo_db)
    async with app.run_test(size=LARGE) as pilot:
        await started(pilot)
        await pilot.press(key)
        await shown(pilot, name)
        assert filled(app.screen.query_one(table))


@pytest.mark.slow
async def test_the_dashboard_shows_the_most_urgent_again_when_it_comes_back(demo_db):
    app = build_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await started(pilot)
        work = app.screen.query_one("#worklist", DataTable)
        assert work.row_count > 10
        for _ in range(9):
            await pilot.press("down")
        assert work.cursor_row == 9 and work.scroll_y > 0
        await pilot.press("f3")
        await shown(pilot, "ComplaintsScreen")
        await pilot.press("escape", "f2")
        await shown(pilot, "DashboardScreen")
        assert work.cursor_row == 0 and work.scroll_y == 0
        assert app.screen.query_one("#dash").scroll_y == 0
        # F5 on the dashboard itself keeps the place
        await pilot.press("down", "down", "f5")
        await settle(pilot)
        assert work.cursor_row == 2


# charts ---------------------------------------------------------------------------------------------


def chart_text(app, selector: str) -> str:
    from smallhousing.screens.charts import MonthChart

    return app.screen.query_one(selector, MonthChart).render().plain


@pytest.mark.slow
@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_the_dashboard_chart_has_month_labels_and_a_scale(demo_db, size):
    months = Q.received_per_month(demo_db, 12)
    highest = max(n for _, n in months)
    app = build_app(demo_db)
    async with app.run_test(size=size) as pilot:
        await started(pilot)
        text = chart_text(app, "#dash-months")
        lines = text.splitlines()
        labels = [dt.date.fromisoformat(m + "-01").strftime("%b") for m, _ in months]
        assert labels == ["Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar"]
        assert lines[-1].split()[2:] == labels  # "0 └" at the foot of the scale, then the months
        assert lines[0].split()[0] == str(highest)  # the top of the scale is the highest count
        chart = app.screen.query_one("#dash-months")
        assert inside(app.screen.region, chart.region)


async def test_the_reports_chart_has_month_labels_and_a_scale(db, setup):
    for n, day in enumerate([D(2025, 4, 7), D(2025, 4, 8), D(2025, 4, 9), D(2025, 6, 2), D(2026, 2, 2)]):
        C.log_complaint(db, setup.resident, day, f"Complaint {n}")
    app = build_app(db)
    async with app.run_test(size=SMALL) as pilot:
        await started(pilot)
        await pilot.press("f6")
        await shown(pilot, "ReportsScreen")
        lines = chart_text(app, "#months").splitlines()
        assert lines[-1].split()[2:] == "Apr May Jun Jul Aug Sep Oct Nov Dec Jan Feb Mar".split()
        assert lines[0].split()[0] == "3"  # April's three


async def test_the_letter_chooser_keeps_its_line_of_keys_at_80x24(db, setup):
    # only just received: most kinds of letter are not yet possible, each with its reason
    c = C.log_complaint(db, setup.resident, D(2026, 2, 27), "The lift is broken")
    app = build_app(db)
    async with app.run_test(size=SMALL) as pilot:
        await started(pilot)
        app.open_complaint(c.id)
        await shown(pilot, "ComplaintScreen")
        await pilot.press("g")
        await shown(pilot, "LetterKindScreen")
        dialog = app.screen.query_one("#letter-kind")
        assert inside(app.screen.region, dialog.region)
        assert inside(dialog.content_region, app.screen.query_one("#letter-kinds").region)
        assert inside(dialog.content_region, app.screen.query_one(".dialog-keys").region)


async def test_a_form_with_a_long_button_keeps_its_line_of_keys_at_80x24(db, setup):
    from types import SimpleNamespace

    from smallhousing.screens.ombudsman import ComplyForm

    app = build_app(db)
    async with app.run_test(size=SMALL) as pilot:
        await started(pilot)
        app.push_screen(ComplyForm(db, SimpleNamespace(id=1, orders=[])))  # "Record compliance"
        await shown(pilot, "ComplyForm")
        dialog = app.screen.query_one(".dialog")
        keys = app.screen.query_one(".dialog-keys")
        assert inside(dialog.content_region, keys.region)
        assert keys.region.width * keys.region.height >= len(str(keys.render()))
        for button in app.screen.query(Button):
            assert inside(dialog.content_region, button.region), button.id
