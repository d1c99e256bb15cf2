"""Every complaint, filtered as you type; fetched a page at a time so it stays quick at any size."""

from __future__ import annotations

import asyncio
import time

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Label, Select

from ..domain import lifecycle as L
from ..domain.years import year_label
from .common import AppScreen, TypingSelect, compact_day, field_value
from .quick_table import Cell, QuickTable

PAGE = 50
PREFETCH = 10  # fetch the next page when the cursor is this close to the last row loaded
QUICK_READ = (
    0.010  # seconds a first page may take to be read in the keystroke that asked for it (within a frame)
)
SETTLE_STEPS = 3  # turns of the event loop the table and the count take to ask for their redraw


class ComplaintsScreen(AppScreen):
    SECTION = "complaints"
    CSS_PATH = ["quick_table.tcss", "complaints.tcss"]
    BINDINGS = [
        Binding("slash", "search", "Search", id="complaints-search"),
        Binding("ctrl+l", "clear_filters", "Clear filters", id="complaints-clear"),
        Binding("ctrl+r", "reload", "Refresh", id="complaints-refresh"),
        Binding("escape", "leave", "Back", id="complaints-back"),
    ]

    class Page(Message):
        def __init__(
            self, generation: int, offset: int, rows: list, statuses: dict, total: int | None
        ) -> None:
            super().__init__()
            self.generation = generation
            self.offset = offset
            self.rows = rows
            self.statuses = statuses
            self.total = total

    class Counted(Message):
        def __init__(self, generation: int, total: int) -> None:
            super().__init__()
            self.generation = generation
            self.total = total

    class Failed(Message):
        def __init__(self, message: str) -> None:
            super().__init__()
            self.message = message

    def __init__(self, db, **kw) -> None:
        super().__init__(db, **kw)
        self.generation = 0
        self.total = 0
        self.counted = False
        self.fetching = False
        self._ids: list[int] = []
        self._keep_row = 0

    def compose_body(self) -> ComposeResult:
        from ..services.complaints import CATEGORIES

        yield Input(
            placeholder="Search: reference, resident's name or words in the complaint",
            id="search",
            compact=True,
        )
        with Horizontal(classes="filters"):
            yield TypingSelect(
                [("Stage 1", 1), ("Stage 2", 2)], prompt="Any stage", id="f-stage", compact=True
            )
            yield TypingSelect(
                [("Open", "open"), ("Finished", "finished")] + [(s.capitalize(), s) for s in L.STATES],
                prompt="Any state",
                id="f-state",
                compact=True,
            )
            yield TypingSelect([("Overdue only", True)], prompt="Due or not", id="f-overdue", compact=True)
        with Horizontal(classes="filters"):
            yield TypingSelect([], prompt="Any handler", id="f-handler", compact=True)
            yield TypingSelect(
                [(c.capitalize(), c) for c in CATEGORIES],
                prompt="Any category",
                id="f-category",
                compact=True,
            )
            yield TypingSelect([], prompt="Any year", id="f-year", compact=True)
        yield Label("Loading...", id="count")
        yield QuickTable(id="list")

    def on_mount(self) -> None:
        from ..services import queries as Q
        from .common import staff_options

        table = self.query_one("#list", QuickTable)
        table.add_column("Reference", width=9)
        table.add_column("Received", width=9)
        table.add_column("Resident", width=15, grow=3)
        table.add_column("St", width=2)
        table.add_column("State", width=20, grow=1)
        table.add_column("Next due", width=9)
        with self.prevent(Select.Changed):
            self.query_one("#f-handler", Select).set_options(staff_options(self.db))
            self.query_one("#f-year", Select).set_options(
                [(year_label(y), y) for y in Q.received_years(self.db)]
            )
        self.query_one("#search", Input).focus()
        self.reload()

    def on_screen_resume(self) -> None:
        if self.is_mounted and self._ids:
            self.reload(keep_cursor=True)

    # filtering -----------------------------------------------------------------------------------
    def current_filter(self):
        from ..services.queries import ComplaintFilter

        return ComplaintFilter(
            text=self.query_one("#search", Input).value,
            stage=field_value(self.query_one("#f-stage", Select)),
            state=field_value(self.query_one("#f-state", Select)),
            overdue=bool(field_value(self.query_one("#f-overdue", Select))),
            handler_id=field_value(self.query_one("#f-handler", Select)),
            category=field_value(self.query_one("#f-category", Select)),
            year=field_value(self.query_one("#f-year", Select)),
        )

    async def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "search":
            self.reload()  # at once: a page is small, and an answer to older typing is dropped
            # the table and the count have changed: let them tell the screen before it goes on to
            # the search box's own redraw, so that the letter and the rows it finds are drawn in
            # the same frame (otherwise the rows wait for a later frame, up to two frames on)
            for _ in range(SETTLE_STEPS):
                await asyncio.sleep(0)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#list", QuickTable).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        if self.is_mounted:
            self.reload()

    def action_leave(self) -> None:
        """The first Escape leaves the search box (to the list); the next goes back."""
        if isinstance(self.focused, (Input, Select)):
            self.query_one("#list", QuickTable).focus()
        else:
            self.app.action_back()

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_clear_filters(self) -> None:
        with self.prevent(Select.Changed, Input.Changed):
            self.query_one("#search", Input).value = ""
            for sel in self.query(Select):
                sel.clear()
        self.reload()

    def action_reload(self) -> None:
        self.reload(keep_cursor=True)

    def reload(self, keep_cursor: bool = False) -> None:
        """Start again from the first page with the filters as they are now.

        The first page is read at once when it answers within QUICK_READ seconds (most searches:
        the newest complaints are walked until a page matches), so the new rows are drawn in the
        same frame as the letter typed; a slower read is stopped and left to a worker."""
        from ..services import queries as Q

        self.generation += 1
        self._keep_row = self.query_one("#list", QuickTable).cursor_row if keep_cursor else 0
        self.fetching = True
        f = self.current_filter()
        if Q.stoppable(self.db):
            ends = time.perf_counter() + QUICK_READ
            try:
                rows, statuses = Q.complaints_page(
                    self.db, f, limit=PAGE, cancelled=lambda: time.perf_counter() > ends
                )
            except Q.Cancelled:
                pass
            except Exception as exc:
                self.fetching = False
                self.notify(f"The list could not be loaded: {exc}", severity="error", markup=False)
                return
            else:
                whole = len(rows) < PAGE  # the page holds them all: nothing to count
                self._show(self.generation, 0, rows, statuses, len(rows) if whole else None)
                if not whole:  # counted once the rows are on screen
                    self.call_after_refresh(self.count, self.generation, f)
                return
        self.fetch(self.generation, f, 0, PAGE, True)

    def load_more(self) -> None:
        if self.fetching or len(self._ids) >= self.total:
            return
        self.fetching = True
        self.fetch(self.generation, self.current_filter(), len(self._ids), PAGE, False)

    @work(thread=True, group="complaints-list")
    def fetch(self, generation: int, f, offset: int, limit: int, with_count: bool) -> None:
        from ..services import queries as Q

        def overtaken() -> bool:  # newer typing or filters: this answer is not wanted any more
            return generation != self.generation

        try:
            rows, statuses = Q.complaints_page(self.db, f, offset=offset, limit=limit, cancelled=overtaken)
            if with_count and offset == 0 and len(rows) < limit:
                self.post_message(self.Page(generation, offset, rows, statuses, len(rows)))
                return
            # the rows first, so the table follows the keystroke; the count (a full scan) after
            self.post_message(self.Page(generation, offset, rows, statuses, None))
            if with_count:
                self._count(generation, f)
        except Q.Cancelled:
            return  # the newer fetch shows its own page
        except Exception as exc:
            self.post_message(self.Failed(f"The list could not be loaded: {exc}"))

    @work(thread=True, group="complaints-count")
    def count(self, generation: int, f) -> None:
        try:
            self._count(generation, f)
        except Exception as exc:
            self.post_message(self.Failed(f"The complaints could not be counted: {exc}"))

    def _count(self, generation: int, f) -> None:
        """How many complaints the filters find (a full scan: in a worker, after the first page)."""
        from ..services import queries as Q

        def overtaken() -> bool:
            return generation != self.generation

        if overtaken():
            return
        try:
            self.post_message(self.Counted(generation, Q.count_complaints(self.db, f, cancelled=overtaken)))
        except Q.Cancelled:
            return

    def on_complaints_screen_failed(self, message: Failed) -> None:
        self.fetching = False
        self.notify(message.message, severity="error", markup=False)

    def on_complaints_screen_page(self, message: Page) -> None:
        self._show(message.generation, message.offset, message.rows, message.statuses, message.total)

    def _show(self, generation: int, offset: int, rows: list, statuses: dict, total: int | None) -> None:
        """Put a page of rows in the table (``total``: how many there are, when known)."""
        if generation != self.generation:
            return  # the filters changed while this page was on its way
        self.fetching = False
        table = self.query_one("#list", QuickTable)
        if offset == 0:
            self._ids = []
            self.counted = total is not None
            if self.counted:
                self.total = total
        elif offset != len(self._ids):
            return
        page = []
        for r in rows:
            due: str | Cell = ""
            if r.next_due_on:
                status, _ = statuses.get(r.next_due_on, ("", 0))
                due = table.status_cell(compact_day(r.next_due_on), status)
            cells = (r.reference, compact_day(r.received_on), r.resident, str(r.stage), r.state, due)
            page.append((cells, str(r.id)))
            self._ids.append(r.id)
        if offset == 0:
            table.replace_rows(page)
        else:
            table.add_rows(page)
        if not self.counted:  # until the count arrives, a full page means there may be more
            self.total = len(self._ids) + (1 if len(rows) == PAGE else 0)
        self._show_count()
        if offset == 0 and self._keep_row:
            table.move_cursor(row=min(self._keep_row, max(table.row_count - 1, 0)))
        if table.row_count and table.cursor_row >= table.row_count - PREFETCH:
            self.load_more()

    def on_complaints_screen_counted(self, message: Counted) -> None:
        if message.generation == self.generation:
            self.total, self.counted = message.total, True
            self._show_count()

    def _show_count(self) -> None:
        shown = len(self._ids)
        label = self.query_one("#count", Label)
        if not self.counted:  # (the label's size is fixed: no layout of the screen for a new count)
            label.update(f"{shown:,} shown, counting the rest...", layout=False)
            return
        noun = "complaint" if self.total == 1 else "complaints"
        label.update(
            f"{self.total:,} {noun} found"
            + (f", showing the first {shown:,}" if shown < self.total else "")
            + ("" if self.total else ": try fewer words or clear the filters (Ctrl+L)"),
            layout=False,
        )

    def on_quick_table_row_highlighted(self, event: QuickTable.RowHighlighted) -> None:
        if event.cursor_row >= event.table.row_count - PREFETCH:
            self.load_more()

    def on_quick_table_row_selected(self, event: QuickTable.RowSelected) -> None:
        self.app.open_complaint(int(event.row_key))

    def on_key(self, event) -> None:
        # Down from the search box goes to the list
        if event.key == "down" and self.query_one("#search", Input).has_focus:
            event.stop()
            self.query_one("#list", QuickTable).focus()
