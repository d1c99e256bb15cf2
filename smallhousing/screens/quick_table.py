"""A list of rows drawn straight from their text, for lists that change at every keystroke.

Textual's DataTable renders each cell through rich (padding, wrapping, measuring every new cell
for its width); at 80x24 that is most of the time a keystroke in the complaints filter takes. Here
every column has a width given up front (``grow`` shares out what is left, as in PlainTable), so a
row is a few padded strings, and a line on screen is one Strip of them. Only the lines on screen
are drawn. It offers the part of DataTable's interface the lists use: add_column, add_row with a
key, clear, row_count, cursor_row, move_cursor, get_row_at, and messages when a row is highlighted
or chosen (Enter or a click).
"""

from __future__ import annotations

from typing import NamedTuple

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from .common import grown_widths, status_class

PAD = 1  # a space either side of every cell, as DataTable draws them


class Cell(NamedTuple):
    """A cell's text and the component class that colours it ("" for the row's own colours)."""

    text: str
    style: str = ""


class Column(NamedTuple):
    label: str
    width: int
    grow: int


def fitted(text: str, width: int) -> str:
    """``text`` exactly ``width`` cells wide: padded with spaces, or cut short ending in "…"."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


class QuickTable(ScrollView, can_focus=True):
    """Rows of text under a heading line, one row under a cursor; see the module's docstring."""

    COMPONENT_CLASSES = {
        "quick-table--header",
        "quick-table--cursor",
        "quick-table--even-row",
        "deadline--on-time",
        "deadline--due-soon",
        "deadline--overdue",
        "deadline--done",
    }
    BINDINGS = [
        Binding("enter", "select_cursor", "Open", show=False),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,ctrl+home", "first", "First", show=False),
        Binding("end,ctrl+end", "last", "Last", show=False),
    ]

    cursor_row: reactive[int] = reactive(0, always_update=True, repaint=False)

    class RowMessage(Message):
        """About the row under the cursor: its place ``cursor_row`` and its key ``row_key``."""

        def __init__(self, table: QuickTable, cursor_row: int, row_key: str | None) -> None:
            super().__init__()
            self.table = table
            self.cursor_row = cursor_row
            self.row_key = row_key

        @property
        def control(self) -> QuickTable:
            return self.table

    class RowHighlighted(RowMessage):
        """The cursor moved (``row_key`` is None when there are no rows)."""

    class RowSelected(RowMessage):
        """The row under the cursor was chosen (Enter, or a click on it)."""

        row_key: str

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None):
        super().__init__(name=name, id=id, classes=classes)
        self._columns: list[Column] = []
        self._widths: list[int] = []  # each column's text width, fitted to the table's width
        self._rows: list[tuple[Cell, ...]] = []
        self._keys: list[str] = []

    # the DataTable-like interface ------------------------------------------------------------------
    def add_column(self, label: str, *, width: int, grow: int = 0) -> None:
        self._columns.append(Column(label, width, grow))
        self._fit()

    def add_row(self, *cells: str | Cell, key: str) -> None:
        self.add_rows([(cells, key)])

    def add_rows(self, rows: list[tuple[tuple[str | Cell, ...], str]]) -> None:
        """Several rows at once, each (cells, key): the table is sized again once, not per row."""
        for cells, key in rows:
            self._rows.append(tuple(c if isinstance(c, Cell) else Cell(c) for c in cells))
            self._keys.append(key)
        self._resized()

    def clear(self) -> None:
        self.replace_rows([])

    def replace_rows(self, rows: list[tuple[tuple[str | Cell, ...], str]]) -> None:
        """These rows in place of all the others, each (cells, key), the cursor on the first: sized
        once, so that a new page as long as the last one needs no new layout of the screen."""
        self._rows.clear()
        self._keys.clear()
        self.set_reactive(QuickTable.cursor_row, 0)
        self.scroll_to(y=0, animate=False, immediate=True)
        self.add_rows(rows)
        self.refresh()

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def columns_width(self) -> int:
        """The width every column takes, its padding included."""
        return sum(w + 2 * PAD for w in self._widths)

    @property
    def row_keys(self) -> tuple[str, ...]:
        """Every row's key, in order."""
        return tuple(self._keys)

    def get_row_at(self, row: int) -> list[Text]:
        """The cells of a row as text (as DataTable gives them)."""
        return [Text(c.text) for c in self._rows[row]]

    def move_cursor(self, *, row: int, animate: bool = False) -> None:
        """Put the cursor on ``row`` (scrolled to at once: ``animate`` is accepted as DataTable's)."""
        self.cursor_row = row

    def status_cell(self, text: str, status: str) -> Cell:
        """``text`` coloured as the deadline--<status> rule in the stylesheet says."""
        cls = status_class(status) or ("done" if status == "done" else "")
        return Cell(text, f"deadline--{cls}" if cls else "")

    # keys and the mouse ----------------------------------------------------------------------------
    def validate_cursor_row(self, row: int) -> int:
        return max(0, min(row, len(self._rows) - 1))

    def watch_cursor_row(self, old: int, row: int) -> None:
        self._show_row(row)
        self.refresh()
        self.post_message(self.RowHighlighted(self, row, self._keys[row] if self._rows else None))

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 2)

    def action_cursor_up(self) -> None:
        self.cursor_row -= 1

    def action_cursor_down(self) -> None:
        self.cursor_row += 1

    def action_page_up(self) -> None:
        self.cursor_row -= self._page()

    def action_page_down(self) -> None:
        self.cursor_row += self._page()

    def action_first(self) -> None:
        self.cursor_row = 0

    def action_last(self) -> None:
        self.cursor_row = len(self._rows) - 1

    def action_select_cursor(self) -> None:
        if self._rows:
            self.post_message(self.RowSelected(self, self.cursor_row, self._keys[self.cursor_row]))

    def on_click(self, event: events.Click) -> None:
        row = self.scroll_offset.y + event.y - 1  # the first line is the heading
        if event.y >= 1 and 0 <= row < len(self._rows):
            event.stop()
            self.cursor_row = row
            self.action_select_cursor()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # size and drawing ------------------------------------------------------------------------------
    def on_resize(self, event: events.Resize) -> None:
        self._fit()

    def watch_show_vertical_scrollbar(self, shown: bool) -> None:
        # the scroll bar takes (or gives back) two columns of the table's width
        self.call_after_refresh(self._fit)

    def _fit(self) -> None:
        room = self.scrollable_content_region.width
        given = [c.width for c in self._columns]
        if room > 0 and any(c.grow for c in self._columns):
            given = grown_widths(room, [(c.width, c.grow) for c in self._columns], 2 * PAD)
        if given != self._widths:
            self._widths = given
            self._resized()
            self.refresh()

    def _resized(self) -> None:
        self.virtual_size = Size(self.columns_width, len(self._rows) + 1)  # the heading, then the rows

    def _show_row(self, row: int) -> None:
        """Scroll so that ``row`` is on screen below the heading."""
        top, lines = self.scroll_offset.y, self.scrollable_content_region.height - 1
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif lines > 0 and row >= top + lines:
            self.scroll_to(y=row - lines + 1, animate=False, immediate=True)

    def _line(self, texts: list[Cell], style: Style, coloured: bool) -> list[Segment]:
        pad = " " * PAD
        segments = []
        for cell, width in zip(texts, self._widths):
            own = style + self.get_component_rich_style(cell.style) if coloured and cell.style else style
            segments.append(Segment(pad + fitted(cell.text, width) + pad, own))
        return segments

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            style = base + self.get_component_rich_style("quick-table--header")
            heading = [Cell(c.label) for c in self._columns]
            return Strip(self._line(heading, style, False)).extend_cell_length(width, style).crop(0, width)
        row = self.scroll_offset.y + y - 1
        if not 0 <= row < len(self._rows):
            return Strip.blank(width, base)
        if row == self.cursor_row:
            style, coloured = base + self.get_component_rich_style("quick-table--cursor"), False
        elif row % 2:
            style, coloured = base + self.get_component_rich_style("quick-table--even-row"), True
        else:
            style, coloured = base, True
        return (
            Strip(self._line(list(self._rows[row]), style, coloured))
            .extend_cell_length(width, style)
            .crop(0, width)
        )
