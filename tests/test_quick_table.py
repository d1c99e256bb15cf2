"""The complaints list's table (screens/quick_table.py) and the way the list follows typing."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from helpers import settle
from textual.app import App, ComposeResult

import smallhousing
from smallhousing.app import build_app
from smallhousing.screens import complaints as CS
from smallhousing.screens.common import grown_widths
from smallhousing.screens.quick_table import Cell, QuickTable, fitted
from smallhousing.services import queries as Q

HERE = Path(smallhousing.__file__).parent


def test_a_cell_is_padded_or_cut_short_to_its_width():
    assert fitted("abc", 5) == "abc  "
    assert fitted("abcdef", 5) == "abcd…"
    assert fitted("abcde", 5) == "abcde"
    assert fitted("Zoë", 3) == "Zoë"
    assert fitted("東京都", 4) == "東 …"  # two cells a character: the second does not fit before "…"
    assert fitted("anything", 0) == ""


def test_wide_characters_take_two_cells():
    from rich.cells import cell_len

    for width in range(1, 8):
        assert cell_len(fitted("東京都庁", width)) == width


def test_growing_columns_share_the_room_the_others_leave():
    # 40 cells; fixed 10, then two growing columns of 5 with shares 3 and 1; a cell of padding each side
    # 14 spare: three shares of it (10) to the first, what is left (4) to the last
    assert grown_widths(40, [(10, 0), (5, 3), (5, 1)], 2) == [10, 5 + 10, 5 + 4]
    assert sum(w + 2 for w in grown_widths(40, [(10, 0), (5, 3), (5, 1)], 2)) == 40
    # too narrow: a growing column gives back room down to half its width (or 6)
    assert grown_widths(20, [(10, 0), (20, 1)], 2) == [10, 10]
    assert grown_widths(20, [(10, 0), (8, 1)], 2) == [10, 6]
    assert grown_widths(99, [(3, 0), (4, 0)], 2) == [3, 4]  # nothing grows


class OneTable(App):
    CSS_PATH = [HERE / "app.tcss", HERE / "screens" / "quick_table.tcss"]

    def __init__(self) -> None:
        super().__init__()
        self.selected: list[str] = []
        self.highlighted: list[int] = []

    def compose(self) -> ComposeResult:
        yield QuickTable(id="t")

    def on_mount(self) -> None:
        t = self.query_one(QuickTable)
        t.add_column("Ref", width=6)
        t.add_column("Name", width=8, grow=1)
        t.add_column("Due", width=5)
        for n in range(40):
            due = t.status_cell("late", "overdue") if n == 0 else ""
            t.add_row(
                f"R{n:03}", "[b]Odd[/i] name that is long" if n == 1 else f"Person {n}", due, key=str(n)
            )
        t.focus()

    def on_quick_table_row_selected(self, event: QuickTable.RowSelected) -> None:
        self.selected.append(event.row_key)

    def on_quick_table_row_highlighted(self, event: QuickTable.RowHighlighted) -> None:
        self.highlighted.append(event.cursor_row)


def lines(t: QuickTable) -> list[str]:
    return [t.render_line(y).text for y in range(t.size.height)]


async def test_rows_are_drawn_as_typed_under_a_heading_and_fill_the_width():
    app = OneTable()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        t = app.query_one(QuickTable)
        shown = lines(t)
        assert shown[0].split() == ["Ref", "Name", "Due"]
        assert shown[1].startswith(" R000 ") and "late" in shown[1]
        # markup-like text is shown as it is, cut short with "…" at the column's width
        assert "[b]Odd[/i] name that" in shown[2] and "…" in shown[2]
        assert t.columns_width == t.scrollable_content_region.width
        assert all(len(line) == t.scrollable_content_region.width for line in shown)
        assert t.get_row_at(1)[1].plain == "[b]Odd[/i] name that is long"
        assert t.row_keys[:2] == ("0", "1") and t.row_count == 40


async def test_the_overdue_cell_has_its_own_colour():
    app = OneTable()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        t = app.query_one(QuickTable)
        t.move_cursor(row=5)  # the cursor's colours are its own: look at the row off the cursor
        await pilot.pause()
        segments = list(t.render_line(1))
        late = next(s for s in segments if "late" in s.text)
        ref = next(s for s in segments if "R000" in s.text)
        assert late.style.color != ref.style.color
        assert Cell("x", "deadline--overdue") == t.status_cell("x", "overdue")
        assert t.status_cell("x", "") == Cell("x", "")


async def test_keys_move_the_cursor_and_keep_it_on_screen():
    app = OneTable()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        t = app.query_one(QuickTable)
        await pilot.press("down", "down")
        assert t.cursor_row == 2
        await pilot.press("end")
        await pilot.pause()
        assert t.cursor_row == 39
        assert t.scroll_offset.y > 0
        assert lines(t)[-1].startswith(" R039 ")  # the last row is on screen, at the bottom
        assert lines(t)[0].split() == ["Ref", "Name", "Due"]  # the heading stays
        await pilot.press("home")
        await pilot.pause()
        assert t.cursor_row == 0 and t.scroll_offset.y == 0
        await pilot.press("pagedown")
        assert 0 < t.cursor_row < 39
        await pilot.press("up")
        assert app.highlighted[-1] == t.cursor_row
        await pilot.press("up", "up", "up", "up", "up", "up", "up", "up", "up", "up", "up")
        assert t.cursor_row == 0  # never above the first row


async def test_enter_or_a_click_chooses_a_row():
    app = OneTable()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        t = app.query_one(QuickTable)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.selected == ["1"]
        await pilot.click(QuickTable, offset=(3, 4))  # the heading, then rows 0, 1, 2: row 3
        await pilot.pause()
        assert t.cursor_row == 3 and app.selected == ["1", "3"]
        await pilot.click(QuickTable, offset=(3, 0))  # the heading chooses nothing
        await pilot.pause()
        assert app.selected == ["1", "3"]


async def test_clearing_empties_the_table_and_the_cursor_starts_again():
    app = OneTable()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        t = app.query_one(QuickTable)
        await pilot.press("end")
        t.clear()
        await pilot.pause()
        assert t.row_count == 0 and t.cursor_row == 0 and t.scroll_offset.y == 0
        assert [line.strip() for line in lines(t)[1:]] == [""] * (t.size.height - 1)
        await pilot.press("enter", "down")
        assert app.selected == []


# the complaints list ---------------------------------------------------------------------------------


async def searched(pilot, word: str):
    """The complaints screen, its search box holding ``word``, asked to read again: nothing else
    has run yet (no message handled, no worker started)."""
    await settle(pilot)
    await pilot.press("f3")
    await settle(pilot)
    screen = pilot.app.screen
    screen.query_one("#search").value = word  # the filter reads the box
    screen.reload()
    return screen, screen.query_one("#list", QuickTable)


def a_name_and_its_page(db) -> tuple[str, list[int]]:
    word = Q.list_complaints(db, limit=1)[0].resident.split()[-1].lower()
    return word, [r.id for r in Q.list_complaints(db, Q.ComplaintFilter(text=word), limit=CS.PAGE)]


async def test_a_quick_first_page_is_shown_in_the_keystroke_that_asked_for_it(demo_db):
    word, expected = a_name_and_its_page(demo_db)
    assert Q.stoppable(demo_db)
    async with build_app(demo_db).run_test(size=(80, 24)) as pilot:
        screen, table = await searched(pilot, word)
        # read and shown before anything else ran: no worker, no message round trip
        assert [int(k) for k in table.row_keys] == expected
        assert not screen.fetching
        await settle(pilot)
        assert str(screen.query_one("#count").render()).startswith(f"{len(expected):,} complaint")


async def test_a_slow_first_page_is_left_to_a_worker(demo_db, monkeypatch):
    page = Q.complaints_page

    def slow_here(db, f=None, **kw):  # as a read stopped for taking longer than QUICK_READ
        if threading.current_thread() is threading.main_thread():
            raise Q.Cancelled()
        return page(db, f, **kw)

    monkeypatch.setattr(Q, "complaints_page", slow_here)
    word, expected = a_name_and_its_page(demo_db)
    async with build_app(demo_db).run_test(size=(80, 24)) as pilot:
        screen, table = await searched(pilot, word)
        assert screen.fetching  # handed to the worker
        await settle(pilot)
        assert [int(k) for k in table.row_keys] == expected and not screen.fetching


@pytest.mark.parametrize("text", ["zzqxj", ""])
async def test_the_count_follows_the_page(demo_db, text):
    total = Q.count_complaints(demo_db, Q.ComplaintFilter(text=text))
    async with build_app(demo_db).run_test(size=(80, 24)) as pilot:
        screen, _ = await searched(pilot, text)
        await settle(pilot)
        count = str(screen.query_one("#count").render())
        assert count.startswith(f"{total:,} complaint") and ("try fewer words" in count) == (total == 0)


async def test_a_new_page_takes_the_place_of_the_rows_and_the_cursor_starts_again():
    app = OneTable()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        t = app.query_one(QuickTable)
        await pilot.press("end")
        t.replace_rows(
            [(("N1", "New one", ""), "a"), (("N2", "New two", t.status_cell("soon", "due soon")), "b")]
        )
        await pilot.pause()
        assert t.row_keys == ("a", "b") and t.cursor_row == 0 and t.scroll_offset.y == 0
        assert lines(t)[1].startswith(" N1 ") and "soon" in lines(t)[2]
        await pilot.press("down", "enter")
        assert app.selected == ["b"]
