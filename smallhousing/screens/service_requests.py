"""Service requests: requests to put something right. Not complaints, but recorded and followed up,
and a complaint can be raised from one when the resident is unhappy with the response (Code 1.4, 1.5)."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import DataTable, Label, Select, Static

from . import forms as F
from .common import AppScreen, DeadlineTable, TypingSelect, compact_day, day, field_value

PAGE = 50
PREFETCH = 10


class ServiceRequestsScreen(AppScreen):
    SECTION = "service_requests"
    CSS_PATH = "service_requests.tcss"
    BINDINGS = [
        Binding("a", "add", "New request", id="requests-add", tooltip="Log a new service request"),
        Binding(
            "k",
            "raise_complaint",
            "Raise complaint",
            id="requests-raise",
            tooltip="The resident is unhappy with the response: log a complaint from this request",
        ),
        Binding("m", "complete", "Mark complete", id="requests-complete", tooltip="Record what was done"),
        Binding(
            "o",
            "open_request",
            "Open",
            id="requests-open",
            tooltip="Open the request: its target, age, and complaints raised from it (Enter too)",
        ),
        # contractors (Code 5.4, 5.5): who is doing the work, and asking them for a response
        Binding(
            "c",
            "contractor",
            "Contractor",
            id="requests-contractor",
            tooltip="Put the request down to a contractor",
        ),
        Binding(
            "r",
            "ask_contractor",
            "Ask contractor",
            id="requests-ask",
            tooltip="Ask a contractor for a response by a date",
        ),
        Binding(
            "h", "hazards", "Hazards", id="requests-hazards", tooltip="Damp and mould and emergency hazards"
        ),
        Binding("ctrl+r", "reload", "Refresh", show=False, id="requests-refresh"),
    ]

    class Page(Message):
        def __init__(self, generation: int, offset: int, rows: list) -> None:
            super().__init__()
            self.generation = generation
            self.offset = offset
            self.rows = rows

    def __init__(self, db, **kw) -> None:
        super().__init__(db, **kw)
        self.rows: list = []  # (ServiceRequest, resident name, its Progress against the target)
        self.generation = 0
        self.fetching = False
        self.more = True
        self.contractor_names: dict[int, str] = {}  # contractor id -> name, read with each page

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="filters"):
            yield Label("Service requests", classes="screen-title")
            yield TypingSelect(
                [
                    ("Open", "open"),
                    ("Open, by target date", "open-target"),  # the most overdue first
                    ("Overdue only", "overdue"),
                    ("Completed", "completed"),
                ],
                prompt="Open and completed",
                value="open",
                id="f-status",
                compact=True,
            )
        yield DeadlineTable(id="requests")
        yield Static("", id="request-detail", markup=False)

    def on_mount(self) -> None:
        table = self.query_one("#requests", DeadlineTable)
        table.add_column("Reference", width=12)
        table.add_column("Received", width=9)
        table.add_column("Resident", width=14, grow=2)
        table.add_column("Category", width=10, grow=1)
        table.add_column("Target", width=9)
        table.add_column("Age", width=4)  # working days since received (to completion, if done)
        table.add_column("Status", width=9)
        table.focus()
        self.reload()

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.reload()

    def on_select_changed(self, event: Select.Changed) -> None:
        self.reload()

    def action_reload(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.generation += 1
        self.fetching = True
        self.fetch(self.generation, field_value(self.query_one("#f-status", Select)), 0)

    def load_more(self) -> None:
        if self.fetching or not self.more:
            return
        self.fetching = True
        self.fetch(self.generation, field_value(self.query_one("#f-status", Select)), len(self.rows))

    @work(thread=True, group="requests")
    def fetch(self, generation: int, status: str | None, offset: int) -> None:
        from ..services import queries as Q
        from ..services.contractor_reads import contractor_names

        try:
            rows = Q.list_service_requests(self.db, status=status, offset=offset, limit=PAGE)
            self.contractor_names = contractor_names(self.db)
        except Exception as exc:  # a locked or damaged file: say so, keep the app running
            self.app.call_from_thread(
                self.notify, f"The requests could not be loaded: {exc}", severity="error", markup=False
            )
            return
        self.post_message(self.Page(generation, offset, rows))

    def on_service_requests_screen_page(self, message: Page) -> None:
        if message.generation != self.generation:
            return
        self.fetching = False
        table = self.query_one("#requests", DeadlineTable)
        if message.offset == 0:
            row = table.cursor_row
            table.clear()
            self.rows = []
        else:
            row = None
        self.more = len(message.rows) == PAGE
        for item in message.rows:
            sr, name, p = item.request, item.resident, item.progress
            table.add_row(
                sr.reference,
                compact_day(sr.received_on),
                name,
                sr.category,
                compact_day(sr.target_on),
                f"{p.age}d",
                _status_cell(table, sr.status, p),
                key=str(sr.id),
            )
            self.rows.append((sr, name, p))
        if row is not None and table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        if not self.rows:
            self.query_one("#request-detail", Static).update("No service requests here. Press a to log one.")
        self._show_detail()
        self.refresh_bindings()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()
        self.refresh_bindings()
        if event.cursor_row >= event.data_table.row_count - PREFETCH:
            self.load_more()

    def _current(self):
        table = self.query_one("#requests", DeadlineTable)
        if not self.rows or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def _show_detail(self) -> None:
        cur = self._current()
        if cur is None:
            return
        sr, name, p = cur
        text = f"{sr.reference} for {name}, received {day(sr.received_on)}: {sr.description}"
        text += f"\n{p.words()}. Enter opens it."
        if sr.completed_on:
            text += f"\nCompleted {day(sr.completed_on)}: {sr.response}"
        if sr.contractor_id:
            text += f"\nContractor: {self.contractor_names.get(sr.contractor_id, '')}"
        self.query_one("#request-detail", Static).update(text)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("raise_complaint", "open_request", "contractor", "ask_contractor"):
            return self._current() is not None
        if action == "complete":
            cur = self._current()
            return cur is not None and cur[0].status != "completed"
        return True

    def action_hazards(self) -> None:
        from .hazards import HazardsScreen

        self.app.push_screen(HazardsScreen(self.db))

    def action_add(self) -> None:
        self.app.push_screen(F.NewServiceRequestForm(self.db), self._after)

    def action_raise_complaint(self) -> None:
        cur = self._current()
        if cur is not None:
            self.app.push_screen(F.RaiseFromRequestForm(self.db, cur[0], cur[1]), self._after_complaint)

    def action_complete(self) -> None:
        cur = self._current()
        if cur is not None and cur[0].status != "completed":
            self.app.push_screen(F.CompleteRequestForm(self.db, cur[0]), self._after)

    def action_contractor(self) -> None:
        from .contractors import PutDownForm

        cur = self._current()
        if cur is not None:
            sr = cur[0]
            now = self.contractor_names.get(sr.contractor_id, "") if sr.contractor_id else ""
            self.app.push_screen(
                PutDownForm(self.db, sr.reference, request_id=sr.id, current=now), self._after
            )

    def action_ask_contractor(self) -> None:
        from .contractors import AskForm

        cur = self._current()
        if cur is not None:
            sr = cur[0]
            form = AskForm(self.db, sr.reference, request_id=sr.id, contractor_id=sr.contractor_id)
            self.app.push_screen(form, self._after)

    def _after(self, result) -> None:
        if result is not None:
            self.reload()

    def _after_complaint(self, complaint_id) -> None:
        if complaint_id is not None:
            self.app.open_complaint(complaint_id)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self._show_detail()
        self.action_open_request()

    def action_open_request(self) -> None:
        cur = self._current()
        if cur is not None:
            self.app.open_service_request(cur[0].id)


def _status_cell(table: DeadlineTable, status: str, p):
    """'overdue' (in the overdue colour) for an open request past its target; 'done late' for one
    completed after it."""
    if status == "completed":
        return table.status_cell("done late" if p.late else "completed", "done")
    if p.overdue:
        return table.status_cell("overdue", "overdue")
    return table.status_cell(status, "")
