"""Text typed by users is shown as typed in lists, never read as markup (which would crash or hide it)."""

import datetime as dt

from helpers import settle
from textual.widgets import DataTable

from smallhousing.app import build_app
from smallhousing.screens.quick_table import QuickTable
from smallhousing.services import complaints as C
from smallhousing.services import residents

ODD = "[b]Odd[/i] <&>"


def _cells(screen) -> list[str]:
    out = []
    for table in [*screen.query(DataTable), *screen.query(QuickTable)]:
        for row in range(table.row_count):
            out.extend(str(getattr(c, "plain", c)) for c in table.get_row_at(row))
    return out


async def test_markup_like_names_are_shown_literally(db, setup):
    r = residents.add_resident(db, ODD, address="[red]1 Road[/]")
    C.log_complaint(db, r.id, dt.date(2026, 2, 2), "[link=x]Leak[/link]", channel="phone")
    app = build_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await settle(pilot)
        cells = _cells(app.screen)
        assert ODD in cells and "[red]1 Road[/]" in cells
        await pilot.press("escape", "f3")
        await settle(pilot)
        assert ODD in _cells(app.screen)
