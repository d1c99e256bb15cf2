"""One service request: its age in working days, its target and how that was worked out, whether
it is overdue (Code 1.4), and the complaints raised from it (1.5), each opened on a key."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Label, Static

from ..domain import service_request_rules as SRR
from . import forms as F
from .common import AppScreen, DeadlineTable, compact_day, day
from .form_kit import FormField, FormScreen


class CategoryForm(FormScreen[Any]):
    """Give a service request another category: its target is worked out again."""

    INTRO = "Each category has its own target in working days (Settings, Request targets)."

    def __init__(self, db, request) -> None:
        super().__init__(db)
        self.request = request

    def heading(self) -> str:
        return f"Category of service request {self.request.reference}"

    def form_fields(self) -> list[FormField]:
        choices = tuple(c[:1].upper() + c[1:] for c in SRR.CATEGORIES)
        current = self.request.category[:1].upper() + self.request.category[1:]
        if current and current not in choices:
            choices = (current, *choices)
        return [FormField("category", "Category", current or "Other", kind="choice", choices=choices)]

    def perform(self, values: dict[str, Any]):
        from ..services import service_requests as SRS

        return SRS.change_category(self.db, self.request.id, values["category"]).id


class ServiceRequestScreen(AppScreen):
    SECTION = "service_requests"
    CSS_PATH = "service_request.tcss"
    BINDINGS = [
        Binding(
            "c",
            "open_complaint",
            "Open complaint",
            id="request-open-complaint",
            tooltip="Open the highlighted complaint raised from this request",
        ),
        Binding(
            "k",
            "raise_complaint",
            "Raise complaint",
            id="request-raise",
            tooltip="The resident is unhappy with the response: log a complaint from this request",
        ),
        Binding("m", "complete", "Mark complete", id="request-complete", tooltip="Record what was done"),
        Binding(
            "y",
            "change_category",
            "Category",
            id="request-category",
            tooltip="Give the request another category; its target is worked out again",
        ),
        Binding("ctrl+r", "reload", "Refresh", show=False, id="request-refresh"),
    ]

    class Loaded(Message):
        def __init__(self, view) -> None:
            super().__init__()
            self.view = view

    class Failed(Message):
        def __init__(self, message: str) -> None:
            super().__init__()
            self.message = message

    def __init__(self, db, request: "int | str") -> None:
        super().__init__(db)
        self.request_ref = request
        self.view = None

    def compose_body(self) -> ComposeResult:
        with Vertical(id="sr-head"):
            yield Label("", id="sr-ref", markup=False)
            yield Label("", id="sr-progress", markup=False)
            yield Static("", id="sr-explain", markup=False)
        with VerticalScroll(id="sr-body"):
            yield Static("", id="sr-details", markup=False)
            yield Label("Complaints raised from this request", classes="section-title")
            yield DeadlineTable(id="sr-complaints")
            yield Static("", id="sr-none", markup=False)

    def on_mount(self) -> None:
        table = self.query_one("#sr-complaints", DeadlineTable)
        table.add_column("Reference", width=12)
        table.add_column("Received", width=9)
        table.add_column("Where it stands", width=30, grow=1)
        self.load()

    def on_screen_resume(self) -> None:
        if self.is_mounted and self.view is not None:
            self.load()

    def action_reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="service-request")
    def load(self) -> None:
        from ..domain.errors import DomainError
        from ..services import service_requests as SRS

        try:
            view = SRS.service_request_view(self.db, self.request_ref)
        except DomainError as exc:
            self.post_message(self.Failed(exc.message))
            return
        except Exception as exc:  # a locked or damaged file: say so, keep the app running
            self.post_message(self.Failed(f"The service request could not be loaded: {exc}"))
            return
        self.post_message(self.Loaded(view))

    def on_service_request_screen_failed(self, message: Failed) -> None:
        self.app.notify(message.message, severity="error", markup=False)
        if self.view is None:
            self.dismiss()

    def on_service_request_screen_loaded(self, message: Loaded) -> None:
        self.view = v = message.view
        sr, p = v.request, v.progress
        self.request_ref = sr.id
        self.query_one("#sr-ref", Label).update(f"{sr.reference}  {v.resident}")
        status = self.query_one("#sr-progress", Label)
        status.update(p.words())
        status.set_class(p.overdue, "overdue")
        self.query_one("#sr-explain", Static).update(v.target_words)
        lines = [
            f"Received {day(sr.received_on)}" + (f", how: {sr.channel}" if sr.channel else ""),
            f"Category: {sr.category or 'none given'} (y to change it)",
            f"Asked for: {sr.description}",
        ]
        if sr.completed_on:
            lines.append(f"Completed {day(sr.completed_on)}: {sr.response}")
        self.query_one("#sr-details", Static).update("\n".join(lines))
        table = self.query_one("#sr-complaints", DeadlineTable)
        row = table.cursor_row
        table.clear()
        for c in v.complaints:
            table.add_row(c.reference, compact_day(c.received_on), c.state, key=str(c.id))
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        table.display = bool(v.complaints)
        self.query_one("#sr-none", Static).update(
            ""
            if v.complaints
            else "None. If the resident is unhappy with how the request is being dealt with, "
            "press k to log a complaint (1.5)."
        )
        self.refresh_bindings()

    def _highlighted_complaint(self) -> int | None:
        if self.view is None or not self.view.complaints:
            return None
        table = self.query_one("#sr-complaints", DeadlineTable)
        i = min(max(table.cursor_row, 0), len(self.view.complaints) - 1)
        return self.view.complaints[i].id

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_complaint":
            return self._highlighted_complaint() is not None
        if action in ("raise_complaint", "change_category"):
            return self.view is not None
        if action == "complete":
            return self.view is not None and self.view.request.status != "completed"
        return True

    def action_open_complaint(self) -> None:
        ident = self._highlighted_complaint()
        if ident is not None:
            self.app.open_complaint(ident)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "sr-complaints" and event.row_key.value:
            self.app.open_complaint(int(event.row_key.value))

    def action_raise_complaint(self) -> None:
        if self.view is not None:
            self.app.push_screen(
                F.RaiseFromRequestForm(self.db, self.view.request, self.view.resident), self._after_complaint
            )

    def _after_complaint(self, complaint_id) -> None:
        if complaint_id is not None:
            self.load()
            self.app.open_complaint(complaint_id)

    def action_complete(self) -> None:
        if self.view is not None and self.view.request.status != "completed":
            self.app.push_screen(F.CompleteRequestForm(self.db, self.view.request), self._after)

    def action_change_category(self) -> None:
        if self.view is not None:
            self.app.push_screen(CategoryForm(self.db, self.view.request), self._after)

    def _after(self, result) -> None:
        if result is not None:
            self.load()
