"""Contractors (Code 5.4, 5.5): the list, adding and changing one, and the responses awaited from
each; and the forms the complaint and service request screens open to put a record down to a
contractor, ask the contractor for its response by a date, and record the answer."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static, TextArea

from ..domain.errors import DomainError
from ..services import contractors as K
from .common import BindingCommands, KeyFooter, PlainTable, TypingSelect, compact_day, day
from .form_kit import Field, FormField, FormScreen

NONE = 0  # the choice "no contractor" (ids start at 1)
NO_CONTRACTORS = "No contractors yet: add them under Settings (F7, then c)."


def contractor_options(db, *, with_none: bool = False) -> list[tuple[Any, int]]:
    """(name, id) for each active contractor; with ``with_none``, "No contractor" first."""
    out: list[tuple[Any, int]] = [("No contractor", NONE)] if with_none else []
    for c in K.list_contractors(db, active_only=True):
        label = f"{c.name} ({c.trade})" if c.trade else c.name
        out.append((Text(label), c.id))  # Text: shown as typed, found by typing
    return out


def _area(ident: str, text: str = "") -> TextArea:
    return TextArea(text, id=ident, compact=True, classes="box")


# forms -------------------------------------------------------------------------------------------


class ContractorForm(FormScreen):
    """Add a contractor, or change one (``row`` a services.contractors.ContractorRow)."""

    INTRO = (
        "A contractor doing work for us. Complaints about its work stay ours to handle: we ask it "
        "for its side and answer the resident ourselves (5.4, 5.5)."
    )

    def __init__(self, db, row=None) -> None:
        super().__init__(db)
        self.row = row

    def heading(self) -> str:
        return f"Change {self.row.name}" if self.row else "Add a contractor"

    def form_fields(self) -> list[FormField]:
        r = self.row
        v = (lambda k: getattr(r, k) or "") if r else (lambda k: "")
        return [
            FormField("name", "Name", v("name"), required=True, what="the contractor's name"),
            FormField("trade", "Trade", v("trade"), placeholder="e.g. roofing, gas, repairs"),
            FormField("contact", "Person to ask", v("contact")),
            FormField("phone", "Phone", v("phone")),
            FormField("email", "Email", v("email"), kind="email"),
            FormField("notes", "Notes", v("notes")),
        ]

    def perform(self, values: dict[str, Any]):
        if self.row is None:
            return K.add_contractor(self.db, **values)
        return K.edit_contractor(self.db, self.row.id, **values)


class PutDownForm(FormScreen):
    """Put a complaint (``seen``: its AsSeen) or a service request (``request_id``) down to a
    contractor, or to none."""

    SAVE_LABEL = "Save"

    def __init__(
        self, db, reference: str, *, seen=None, request_id: int | None = None, current: str = ""
    ) -> None:
        super().__init__(db)
        self.reference = reference
        self.seen = seen
        self.request_id = request_id
        self.current = current

    def heading(self) -> str:
        return f"Contractor: {self.reference}"

    def help_line(self) -> str:
        if self.seen is not None:
            return "Record whose work or conduct the complaint is about; we still handle it (5.4)."
        return "Record which contractor is doing the work the request asks for."

    def compose_fields(self) -> ComposeResult:
        options = contractor_options(self.db, with_none=True)
        now = f"Now: {self.current}." if self.current else "Now: no contractor."
        yield Static(now, classes="context", markup=False)
        yield Field(
            "Contractor",
            TypingSelect(options, prompt="(choose a contractor)", id="contractor", compact=True),
            hint="" if len(options) > 1 else NO_CONTRACTORS,
        )

    def save(self):
        chosen = self.choice("contractor")
        if chosen is None:
            raise DomainError("Choose a contractor, or No contractor.", field="contractor")
        cid = None if chosen == NONE else int(chosen)
        if self.seen is not None:
            return K.put_complaint_down_to(self.db, self.seen, cid)
        return K.put_service_request_down_to(self.db, self.request_id or 0, cid)


class AskForm(FormScreen):
    """Ask a contractor for its response by a date about a complaint (``seen``) or a service
    request (``request_id``)."""

    SAVE_LABEL = "Ask"

    def __init__(
        self,
        db,
        reference: str,
        *,
        seen=None,
        request_id: int | None = None,
        contractor_id: int | None = None,
    ) -> None:
        super().__init__(db)
        self.reference = reference
        self.seen = seen
        self.request_id = request_id
        self.contractor_id = contractor_id

    def heading(self) -> str:
        return f"Ask a contractor: {self.reference}"

    def help_line(self) -> str:
        return "Ask the contractor for its side by a date; it stays on the worklist until answered (5.5)."

    def compose_fields(self) -> ComposeResult:
        options = contractor_options(self.db)
        ids = [i for _, i in options]
        yield Field(
            "Contractor",
            TypingSelect(
                options,
                prompt="(choose a contractor)",
                value=self.contractor_id if self.contractor_id in ids else TypingSelect.NULL,
                id="contractor",
                compact=True,
            ),
            hint="" if options else NO_CONTRACTORS,
        )
        yield Field("What we ask", _area("what"))
        yield Field("Date asked", self.date_input("asked_on", self.today))
        default = K.default_due(self.db, self.today)
        yield Field(
            "Response due by (leave empty for the default)",
            self.date_input("due_on", None, required=False, not_after_today=False),
            hint=f"Default: {default.explain()}.",
        )

    def save(self):
        chosen = self.choice("contractor")
        if chosen is None:
            raise DomainError("Choose the contractor to ask.", field="contractor")
        about: dict[str, Any] = (
            {"complaint": self.seen} if self.seen is not None else {"service_request": self.request_id}
        )
        return K.ask(
            self.db,
            int(chosen),
            self.text("what"),
            due_on=self.date("due_on", "date the response is due"),
            asked_on=self.date("asked_on", "date asked"),
            **about,
        )


class AnswerForm(FormScreen):
    """Record a contractor's response (``request`` a services.contractors.RequestRow)."""

    SAVE_LABEL = "Record it"

    def __init__(self, db, request) -> None:
        super().__init__(db)
        self.request = request

    def heading(self) -> str:
        return f"Response from {self.request.contractor}"

    def compose_fields(self) -> ComposeResult:
        r = self.request
        yield Static(
            f"About {r.entity.replace('-', ' ')} {r.reference}. Asked {day(r.asked_on)}, due "
            f"{day(r.due_on)}: {r.what}",
            classes="context",
            markup=False,
        )
        yield Field("What the contractor said", _area("answer"))
        yield Field("Date the response came", self.date_input("on", self.today))

    def save(self):
        return K.answer(
            self.db, self.request.id, self.text("answer"), on=self.date("on", "date of the response")
        )


class ChooseRequestScreen(FormScreen):
    """Which of several awaited responses to record (returns the RequestRow)."""

    FORM_TITLE = "Which response?"
    SAVE_LABEL = "Choose"

    def __init__(self, db, requests) -> None:
        super().__init__(db)
        self.requests = requests

    def compose_fields(self) -> ComposeResult:
        options = [
            (Text(f"{r.contractor}, due {compact_day(r.due_on)}: {r.what}"[:70]), i)
            for i, r in enumerate(self.requests)
        ]
        yield Field(
            "Response awaited", TypingSelect(options, value=0, allow_blank=False, id="which", compact=True)
        )

    def save(self):
        return self.requests[int(self.choice("which") or 0)]


# the screen --------------------------------------------------------------------------------------


class ContractorsScreen(Screen):
    """Every contractor (active ones first) and, below, the responses awaited from the
    highlighted one."""

    CSS_PATH = ["form_kit.tcss", "contractors.tcss"]
    COMMANDS = {BindingCommands}
    BINDINGS = [
        Binding("escape", "back", "Back", id="contractors.back"),
        Binding("a", "add", "Add", id="contractors.add", tooltip="Add a contractor"),
        Binding("e", "edit", "Change", id="contractors.edit", tooltip="Change the highlighted contractor"),
        Binding(
            "x",
            "toggle_active",
            "Make inactive",
            id="contractors.toggle",
            tooltip="Stop offering the highlighted contractor, or offer it again",
        ),
        Binding(
            "n",
            "answer",
            "Record response",
            id="contractors.answer",
            tooltip="Record the response to the highlighted request",
        ),
        Binding("ctrl+r", "reload", "Refresh", show=False, id="contractors.refresh"),
    ]
    PALETTE_NAMES = {
        "add": "Add a contractor",
        "edit": "Change a contractor",
        "toggle_active": "Make a contractor inactive, or active again",
        "answer": "Record a contractor's response",
    }

    def __init__(self, db) -> None:
        super().__init__()
        self.db = db
        self.rows: list = []
        self.waiting: list = []  # the highlighted contractor's awaited responses

    def compose(self) -> ComposeResult:
        yield Label("Contractors", classes="screen-title")
        yield PlainTable(id="contractors-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="contractor-detail", markup=False)
        yield Label("Responses awaited from the highlighted contractor", classes="chart-title")
        yield PlainTable(id="requests-table", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        t = self.query_one("#contractors-table", PlainTable)
        t.add_column("Name", key="name", width=20, grow=2)
        t.add_column("Trade", key="trade", width=12, grow=1)
        t.add_column("Complaints", key="complaints", width=10)
        t.add_column("Awaited", key="awaited", width=7)
        t.add_column("", key="state", width=8)
        r = self.query_one("#requests-table", PlainTable)
        r.add_column("About", key="about", width=13)
        r.add_column("Asked", key="asked", width=9)
        r.add_column("Due", key="due", width=9)
        r.add_column("What was asked", key="what", width=20, grow=1)
        t.focus()
        self.load()

    @work(thread=True, exclusive=True, group="contractors", exit_on_error=False)
    def load(self) -> None:
        rows = K.list_contractors(self.db)
        waiting = K.requests(self.db, open_only=True)
        self.app.call_from_thread(self.show, rows, waiting)

    def action_reload(self) -> None:
        self.load()

    def show(self, rows, waiting) -> None:
        self.all_waiting = waiting
        table = self.query_one("#contractors-table", PlainTable)
        keep = table.cursor_row
        table.clear()
        self.rows = rows
        for c in rows:
            table.add_row(
                c.name,
                c.trade,
                str(c.complaints),
                str(c.open_requests),
                "" if c.active else "inactive",
                key=str(c.id),
            )
        if rows:
            table.move_cursor(row=min(max(keep, 0), len(rows) - 1))
        self._detail()

    def _current(self):
        if not self.rows:
            return None
        row = self.query_one("#contractors-table", PlainTable).cursor_row
        return self.rows[min(max(row, 0), len(self.rows) - 1)]

    def _detail(self) -> None:
        c = self._current()
        detail = self.query_one("#contractor-detail", Static)
        if c is None:
            detail.update("No contractors yet. Press a to add one.")
        else:
            bits = [b for b in (c.contact, c.phone, c.email) if b]
            detail.update(
                (", ".join(bits) if bits else "No contact details.")
                + (f" {c.notes}" if c.notes else "")
                + ("" if c.active else " Inactive: no longer offered for new work.")
            )
        table = self.query_one("#requests-table", PlainTable)
        table.clear()
        self.waiting = [
            r for r in getattr(self, "all_waiting", []) if c is not None and r.contractor_id == c.id
        ]
        for r in self.waiting:
            table.add_row(
                r.reference if r.entity != "hazard" else f"hazard {r.reference}",
                compact_day(r.asked_on),
                compact_day(r.due_on),
                r.what,
                key=str(r.id),
            )
        self.refresh_bindings()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "contractors-table":
            self._detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.data_table.id == "contractors-table":
            self.action_edit()
        else:
            self.action_answer()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("edit", "toggle_active"):
            return self._current() is not None or None
        if action == "answer":
            return bool(self.waiting) or None
        return True

    def _saved(self, result) -> None:
        if result is not None:
            self.notify("Saved.")
            self.load()

    def action_add(self) -> None:
        self.app.push_screen(ContractorForm(self.db), self._saved)

    def action_edit(self) -> None:
        c = self._current()
        if c is not None:
            self.app.push_screen(ContractorForm(self.db, c), self._saved)

    def action_toggle_active(self) -> None:
        c = self._current()
        if c is not None:
            self.toggle(c)

    @work(thread=True, exclusive=True, group="contractors-save", exit_on_error=False)
    def toggle(self, c) -> None:
        try:
            (K.make_inactive if c.active else K.make_active)(self.db, c.id)
        except DomainError as exc:
            self.app.call_from_thread(self.notify, exc.message, severity="warning", markup=False)
            return
        words = "is inactive: it is no longer offered" if c.active else "is active again"
        self.app.call_from_thread(self.notify, f"{c.name} {words}.", markup=False)
        self.load()

    def action_answer(self) -> None:
        if not self.waiting:
            return
        table = self.query_one("#requests-table", PlainTable)
        if len(self.waiting) > 1 and not table.has_focus:
            table.focus()
            self.notify("Move to the request with the arrow keys, then press n (or Enter).")
            return
        r = self.waiting[min(max(table.cursor_row, 0), len(self.waiting) - 1)]
        self.app.push_screen(AnswerForm(self.db, r), self._saved)

    def action_back(self) -> None:
        self.app.pop_screen()
