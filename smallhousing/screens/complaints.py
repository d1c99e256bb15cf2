"""Every complaint, filtered as you type; fetched a page at a time so it stays quick at any size."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import DataTable, Input, Label, Select

from ..domain import lifecycle as L
from ..domain.years import year_label
from .common import AppScreen, DeadlineTable, TypingSelect, compact_day, field_value

PAGE = 50
PREFETCH = 10  # fetch the next page when the cursor is this close to the last row loaded


class ComplaintsScreen(AppScreen):
    SECTION = "complaints"
    CSS_PATH = "complaints.tcss"
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
        yield DeadlineTable(id="list")

    def on_mount(self) -> None:
        from ..services import queries as Q
        from .common import staff_options

        table = self.query_one("#list", DeadlineTable)
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

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "search":
            self.reload()  # at once: a page is small, and an answer to older typing is dropped

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#list", DataTable).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        if self.is_mounted:
            self.reload()

    def action_leave(self) -> None:
        """The first Escape leaves the search box (to the list); the next goes back."""
        if isinstance(self.focused, (Input, Select)):
            self.query_one("#list", DataTable).focus()
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
        """Start again from the first page with the filters as they are now."""
        self.generation += 1
        self._keep_row = self.query_one("#list", DataTable).cursor_row if keep_cursor else 0
        self.fetching = True
        self.fetch(self.generation, self.current_filter(), 0, PAGE, True)

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
            rows = Q.list_complaints(self.db, f, offset=offset, limit=limit, cancelled=overtaken)
            statuses = Q.deadline_statuses(self.db, [r.next_due_on for r in rows])
            if with_count and offset == 0 and len(rows) < limit:
                self.post_message(self.Page(generation, offset, rows, statuses, len(rows)))
                return
            # the rows first, so the table follows the keystroke; the count (a full scan) after
            self.post_message(self.Page(generation, offset, rows, statuses, None))
            if with_count and not overtaken():
                self.post_message(
                    self.Counted(generation, Q.count_complaints(self.db, f, cancelled=overtaken))
                )
        except Q.Cancelled:
            return  # the newer fetch shows its own page
        except Exception as exc:
            self.post_message(self.Failed(f"The list could not be loaded: {exc}"))

    def on_complaints_screen_failed(self, message: Failed) -> None:
        self.fetching = False
        self.notify(message.message, severity="error", markup=False)

    def on_complaints_screen_page(self, message: Page) -> None:
        if message.generation != self.generation:
            return  # the filters changed while this page was on its way
        self.fetching = False
        table = self.query_one("#list", DeadlineTable)
        if message.offset == 0:
            table.clear()
            self._ids = []
            self.counted = message.total is not None
            if self.counted:
                self.total = message.total
        elif message.offset != len(self._ids):
            return
        for r in message.rows:
            due = ""
            if r.next_due_on:
                status, _ = message.statuses.get(r.next_due_on, ("", 0))
                due = table.status_cell(compact_day(r.next_due_on), status)
            table.add_row(
                r.reference, compact_day(r.received_on), r.resident, str(r.stage), r.state, due, key=str(r.id)
            )
            self._ids.append(r.id)
        if not self.counted:  # until the count arrives, a full page means there may be more
            self.total = len(self._ids) + (1 if len(message.rows) == PAGE else 0)
        self._show_count()
        if message.offset == 0 and self._keep_row:
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
        if not self.counted:
            label.update(f"{shown:,} shown, counting the rest...")
            return
        noun = "complaint" if self.total == 1 else "complaints"
        label.update(
            f"{self.total:,} {noun} found"
            + (f", showing the first {shown:,}" if shown < self.total else "")
            + ("" if self.total else ": try fewer words or clear the filters (Ctrl+L)")
        )

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= event.data_table.row_count - PREFETCH:
            self.load_more()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.app.open_complaint(int(event.row_key.value))

    def on_key(self, event) -> None:
        # Down from the search box goes to the list
        if event.key == "down" and self.query_one("#search", Input).has_focus:
            event.stop()
            self.query_one("#list", DataTable).focus()
