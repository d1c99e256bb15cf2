"""Hazards under Awaab's Law: the list, one hazard with its clocks explained, a form for each step,
and the written summary letter. Screens call services only; every save runs in a worker."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from ..domain import hazard_rules as H
from ..domain.errors import DomainError
from .common import (
    AppScreen,
    DeadlineTable,
    KeyFooter,
    TypingSelect,
    compact_day,
    day,
    field_value,
    input_day,
)
from .form_kit import ConfirmScreen, Field, FormField, FormScreen
from .forms import _area, _context, _ResidentForm

NONE = "(none)"
YES_SIGNIFICANT, NOT_SIGNIFICANT = "Yes: a significant hazard", "No: not a significant hazard"
NO_FURTHER, FURTHER = "No", "Yes: work that cannot begin sooner"


def _status(clock, today: dt.date) -> str:
    """on time, due soon, overdue (as the other lists colour them), met or late."""
    if clock is None:
        return "done"
    if clock.state != H.OPEN:
        return clock.state
    if clock.overdue(today):
        return "overdue"
    return "due soon" if H.hazard_calendar().count(today, clock.due) <= 2 else "on time"


# the list ----------------------------------------------------------------------------------------


class HazardsScreen(AppScreen):
    """Every hazard: the next step due first, a priority household first among the same day's."""

    SECTION = "service_requests"
    CSS_PATH = "hazards.tcss"
    BINDINGS = [
        Binding(
            "a", "add", "Log hazard", id="hazards-add", tooltip="Log a damp and mould or emergency hazard"
        ),
        Binding("enter", "open", "Open", id="hazards-open", tooltip="Open the hazard with its clocks"),
        Binding("ctrl+r", "reload", "Refresh", show=False, id="hazards-refresh"),
    ]

    class Loaded(Message):
        def __init__(self, generation: int, views: list) -> None:
            super().__init__()
            self.generation = generation
            self.views = views

    def __init__(self, db, **kw) -> None:
        super().__init__(db, **kw)
        self.views: list = []
        self.generation = 0

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="filters"):
            yield Label("Hazards (Awaab's Law)", classes="screen-title")
            yield TypingSelect(
                [("Open", "open"), ("All", "all")],
                value="open",
                allow_blank=False,
                id="hz-filter",
                compact=True,
            )
        yield DeadlineTable(id="hazards")
        yield Static("", id="hazard-detail", markup=False)

    def on_mount(self) -> None:
        table = self.query_one("#hazards", DeadlineTable)
        table.add_column("Reference", width=12)
        table.add_column("!", width=1)
        table.add_column("Resident", width=12, grow=2)
        table.add_column("Kind", width=9)
        table.add_column("Next step", width=12, grow=2)
        table.add_column("Due", width=9)
        table.add_column("Status", width=8)
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
        self.fetch(self.generation, field_value(self.query_one("#hz-filter", Select)) != "all")

    @work(thread=True, group="hazards")
    def fetch(self, generation: int, open_only: bool) -> None:
        from ..services import hazards as HZ

        try:
            views = HZ.list_hazards(self.db, open_only=open_only)
        except Exception as exc:  # a locked or damaged file: say so, keep the app running
            self.app.call_from_thread(
                self.notify, f"The hazards could not be loaded: {exc}", severity="error", markup=False
            )
            return
        self.post_message(self.Loaded(generation, views))

    def on_hazards_screen_loaded(self, message: Loaded) -> None:
        if message.generation != self.generation:
            return
        table = self.query_one("#hazards", DeadlineTable)
        row = table.cursor_row
        table.clear()
        self.views = message.views
        today = self.db.today
        for v in self.views:
            status = _status(v.next, today) if v.closed_on is None else "closed"
            due = compact_day(v.next.due) if v.next else ""
            table.add_row(
                v.reference,
                table.status_cell("!", "overdue") if v.priority else "",
                v.resident,
                "Emergency" if v.kind == H.EMERGENCY else "Damp",
                v.state,
                due,
                table.status_cell(status, "done" if status in ("met", "done", "closed") else status),
                key=str(v.id),
            )
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        if not self.views:
            self.query_one("#hazard-detail", Static).update("No hazards here. Press a to log one.")
        self._show_detail()
        self.refresh_bindings()

    def _current(self):
        table = self.query_one("#hazards", DeadlineTable)
        if not self.views or table.cursor_row >= len(self.views):
            return None
        return self.views[table.cursor_row]

    def _show_detail(self) -> None:
        v = self._current()
        if v is None:
            return
        text = f"{v.reference} {v.kind_words}, {v.address}"
        if v.priority:
            text += f"\nPriority: {v.priority_reason}"
        if v.next is not None:
            text += f"\nNext: {v.next.rule.words}, due {v.next.due_words()}"
        self.query_one("#hazard-detail", Static).update(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()
        self.refresh_bindings()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open":
            return self._current() is not None
        return True

    def action_open(self) -> None:
        v = self._current()
        if v is not None:
            self.app.push_screen(HazardScreen(self.db, v.id))

    def action_add(self) -> None:
        def done(hazard_id) -> None:
            if hazard_id is not None:
                self.app.push_screen(HazardScreen(self.db, hazard_id))

        self.app.push_screen(HazardForm(self.db), done)


# one hazard --------------------------------------------------------------------------------------


class HazardScreen(AppScreen):
    """One hazard: what was reported, the steps so far, and each clock explained in words."""

    SECTION = "service_requests"
    CSS_PATH = "hazards.tcss"
    BINDINGS = [
        Binding(
            "i", "investigated", "Investigation", id="hazard-investigated", tooltip="Record the investigation"
        ),
        Binding("m", "made_safe", "Made safe", id="hazard-made-safe", tooltip="Record when it was made safe"),
        Binding(
            "l", "letter", "Summary letter", id="hazard-letter", tooltip="The written summary to the tenant"
        ),
        Binding(
            "w", "safety_work", "Safety work", id="hazard-safety-work", tooltip="Record the safety work begun"
        ),
        Binding(
            "u", "further_work", "Further work", id="hazard-further-work", tooltip="Further work started"
        ),
        Binding(
            "e", "edit", "Details", id="hazard-edit", tooltip="Description, address, priority, contractor"
        ),
        Binding("c", "close_hazard", "Close", id="hazard-close", tooltip="Close the hazard, saying why"),
        Binding("ctrl+r", "reload", "Refresh", show=False, id="hazard-refresh"),
    ]

    class Loaded(Message):
        def __init__(self, view) -> None:
            super().__init__()
            self.view = view

    def __init__(self, db, hazard_id: "int | str", **kw) -> None:
        super().__init__(db, **kw)
        self.hazard_id = hazard_id
        self.view = None

    def compose_body(self) -> ComposeResult:
        yield Label("Hazard", id="hazard-title", classes="screen-title")
        with VerticalScroll(id="hazard-body"):
            yield Static("", id="hazard-text")

    def on_mount(self) -> None:
        self.query_one("#hazard-body").focus()
        self.reload()

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.reload()

    def action_reload(self) -> None:
        self.reload()

    @work(thread=True, group="hazard", exclusive=True)
    def reload(self) -> None:
        from ..services import hazards as HZ

        try:
            view = HZ.hazard_view(self.db, self.hazard_id)
        except Exception as exc:
            self.app.call_from_thread(
                self.notify, f"The hazard could not be loaded: {exc}", severity="error", markup=False
            )
            return
        self.post_message(self.Loaded(view))

    def on_hazard_screen_loaded(self, message: Loaded) -> None:
        v = self.view = message.view
        today = self.db.today
        self.query_one("#hazard-title", Label).update(
            Text(f"Hazard {v.reference}: {v.kind_words}, {v.resident}  ({v.state})")
        )
        t = Text()
        if v.priority:
            t.append(f"PRIORITY: {v.priority_reason}\n", style="bold")
        t.append(f"Home: {v.address}\n")
        if v.description:
            t.append(f"Reported: {v.description}\n")
        links = [
            x
            for x in (
                v.complaint_ref and f"complaint {v.complaint_ref}",
                v.service_request_ref and f"service request {v.service_request_ref}",
            )
            if x
        ]
        if links:
            t.append("From " + " and ".join(links) + "\n")
        if v.contractor:
            t.append(f"Contractor: {v.contractor}\n")
        t.append("\nSteps\n", style="bold")
        for what, when in v.steps:
            t.append(f"  {what}: {when}\n")
        if v.findings:
            t.append(f"  Found: {v.findings}\n")
        if v.works_planned:
            by = f" (by {day(v.works_due_on)})" if v.works_due_on else ""
            t.append(f"  Works planned: {v.works_planned}{by}\n")
        t.append("\nClocks\n", style="bold")
        for c in v.clocks:
            status = _status(c, today)
            style = {"overdue": "bold red", "late": "red", "met": "green"}.get(status, "")
            t.append(f"  {c.rule.words[0].upper()}{c.rule.words[1:]}: due {c.due_words()} ")
            t.append(f"[{status}]\n", style=style)
            t.append(f"    {c.explanation}\n")
        self.query_one("#hazard-text", Static).update(t)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        v = self.view
        if action == "reload":
            return True
        if v is None or v.closed_on is not None:
            return False  # a closed hazard is kept as it was closed
        if action == "made_safe":
            return v.kind == H.EMERGENCY
        if action in ("safety_work", "further_work"):
            return v.kind == H.DAMP_MOULD and v.significant is not False and v.findings != ""
        if action == "letter":
            return v.findings != ""
        return True

    def _push(self, form) -> None:
        def done(result) -> None:
            if result is not None:
                self.reload()

        self.app.push_screen(form, done)

    def action_investigated(self) -> None:
        if self.view is not None:
            self._push(InvestigationForm(self.db, self.view))

    def action_made_safe(self) -> None:
        if self.view is not None:
            self._push(MadeSafeForm(self.db, self.view))

    def action_safety_work(self) -> None:
        if self.view is not None:
            self._push(DateStepForm(self.db, self.view, "safety-work"))

    def action_further_work(self) -> None:
        if self.view is not None:
            self._push(DateStepForm(self.db, self.view, "further-work"))

    def action_edit(self) -> None:
        if self.view is not None:
            self._push(HazardDetailsForm(self.db, self.view))

    def action_close_hazard(self) -> None:
        if self.view is not None:
            self._push(CloseHazardForm(self.db, self.view))

    def action_letter(self) -> None:
        if self.view is not None:
            self._push(SummaryLetterScreen(self.db, self.view))


# forms -------------------------------------------------------------------------------------------


def _time(text: str) -> dt.time | None:
    return H.parse_time(text)


class HazardForm(_ResidentForm):
    """Log a hazard: on its own, or from a complaint or service request (prefilled, linked)."""

    FORM_TITLE = "Log a hazard (Awaab's Law)"
    SAVE_LABEL = "Log hazard"
    INTRO = (
        "Damp and mould: investigate within 10 working days. Emergency: investigate and make safe "
        "within 24 hours, so give the time too. The clocks start when the landlord became aware."
    )

    def __init__(
        self,
        db,
        *,
        resident_id: int | None = None,
        aware_on: dt.date | None = None,
        description: str = "",
        complaint_id: int | None = None,
        service_request_id: int | None = None,
    ) -> None:
        super().__init__(db)
        self.prefill_resident = resident_id
        self.resident_id = resident_id
        self.aware_on = aware_on
        self.description = description
        self.complaint_id = complaint_id
        self.service_request_id = service_request_id
        self.contractors: list[tuple[int, str]] = []

    def compose_fields(self) -> ComposeResult:
        from ..services import hazards as HZ

        self.contractors = HZ.active_contractors(self.db)
        if self.complaint_id or self.service_request_id:
            yield _context("Linked to the record just logged: its resident and date are filled in.")
        yield from self.resident_button()
        yield Field(
            "Kind",
            TypingSelect(
                [("Damp and mould", H.DAMP_MOULD), ("Emergency hazard", H.EMERGENCY)],
                value=H.DAMP_MOULD,
                allow_blank=False,
                id="kind",
                compact=True,
            ),
        )
        yield Field(
            "Date the landlord became aware", self.date_input("aware_on", self.aware_on or self.today)
        )
        yield Field(
            "Time it became aware (HH:MM)",
            Input(id="time", placeholder="e.g. 17:30", compact=True),
            hint="Needed for an emergency: its clock runs in hours.",
        )
        yield Field(
            "Address of the home",
            Input(id="address", placeholder="(the resident's address)", compact=True),
        )
        yield Field("What was reported", _area("description", self.description))
        yield Field(
            "Priority: why the household comes first",
            Input(id="priority", compact=True, placeholder="e.g. a child under five; a member with asthma"),
            hint="A vulnerable member of the household or a child: say so and it is dealt with first.",
        )
        yield Field(
            "Contractor",
            TypingSelect(
                [(label, cid) for cid, label in self.contractors], prompt=NONE, id="contractor", compact=True
            ),
        )

    def on_mount(self) -> None:
        # (Textual runs the forms' own on_mount too, which opens the picker when no one is chosen)
        if self.prefill_resident is not None:
            self.call_after_refresh(self._fill_resident)

    def _fill_resident(self) -> None:
        self.set_resident(self.prefill_resident)
        self._noted_change = False  # filled in by the app, not typed: nothing to lose yet
        self.mark_clean()

    def save(self):
        from ..services import hazards as HZ

        h = HZ.log_hazard(
            self.db,
            kind=self.choice("kind") or H.DAMP_MOULD,
            aware_on=self.date("aware_on", "day the landlord became aware"),
            aware_time=_time(self.text("time")),
            resident_id=self.require_resident(),
            address=self.text("address"),
            description=self.text("description"),
            priority_reason=self.text("priority"),
            contractor_id=self.choice("contractor") or None,
            complaint_id=self.complaint_id,
            service_request_id=self.service_request_id,
        )
        return h.id


class _HazardStepForm(FormScreen):
    """A form about one hazard (its HazardView), saved against the version it was read at."""

    def __init__(self, db, view) -> None:
        super().__init__(db)
        self.view = view

    def today_text(self) -> str:
        return input_day(self.today)


class InvestigationForm(_HazardStepForm):
    SAVE_LABEL = "Record"

    def form_title(self) -> str:
        return f"Investigation of {self.view.reference}"

    def help_line(self) -> str:
        return (
            "The day it concluded starts the summary (3 working days) and safety-work (5) clocks. "
            "Say what was found: it goes into the summary to the tenant."
        )

    def form_fields(self) -> list[FormField]:
        v = self.view
        return [
            FormField("on", "Date it concluded", kind="date", required=True, value=self.today_text()),
            FormField("time", "Time (HH:MM; needed for an emergency)", placeholder="e.g. 09:30"),
            FormField("findings", "What it found", required=True, value=v.findings, what="what it found"),
            FormField(
                "significant",
                "A significant hazard?",
                kind="choice",
                choices=(YES_SIGNIFICANT, NOT_SIGNIFICANT),
                value=NOT_SIGNIFICANT if v.significant is False else YES_SIGNIFICANT,
            ),
            FormField("works", "Works planned", value=v.works_planned),
            FormField("works_by", "Works done by", kind="date", value=input_day(v.works_due_on)),
            FormField(
                "further",
                "Further work that cannot begin within 5 working days?",
                kind="choice",
                choices=(NO_FURTHER, FURTHER),
                value=FURTHER if v.further_work_needed else NO_FURTHER,
            ),
        ]

    def perform(self, values: dict[str, Any]):
        from ..services import hazards as HZ

        return HZ.record_investigation(
            self.db,
            self.view.seen,
            values["on"],
            values["findings"],
            significant=values["significant"] == YES_SIGNIFICANT,
            time=_time(values["time"]),
            works_planned=values["works"],
            works_due_on=values["works_by"],
            further_work_needed=values["further"] == FURTHER,
        )


class MadeSafeForm(_HazardStepForm):
    SAVE_LABEL = "Record"
    INTRO = "Within 24 hours of the landlord becoming aware: the time matters."

    def form_title(self) -> str:
        return f"{self.view.reference} made safe"

    def form_fields(self) -> list[FormField]:
        return [
            FormField("on", "Date made safe", kind="date", required=True, value=self.today_text()),
            FormField(
                "time", "Time made safe (HH:MM)", required=True, placeholder="e.g. 18:00", what="the time"
            ),
        ]

    def perform(self, values: dict[str, Any]):
        from ..services import hazards as HZ

        return HZ.record_made_safe(self.db, self.view.seen, values["on"], _time(values["time"]))


STEP_FORMS = {
    "safety-work": ("Safety work begun on {ref}", "Date the safety work began", "record_safety_work"),
    "further-work": (
        "Further work started on {ref}",
        "Date the work physically started",
        "record_further_work",
    ),
}


class DateStepForm(_HazardStepForm):
    SAVE_LABEL = "Record"

    def __init__(self, db, view, step: str) -> None:
        super().__init__(db, view)
        self.step = step

    def form_title(self) -> str:
        return STEP_FORMS[self.step][0].format(ref=self.view.reference)

    def help_line(self) -> str:
        clock = next((c for c in self.view.clocks if c.key == self.step), None)
        return f"Due {clock.due_words()}." if clock else ""

    def form_fields(self) -> list[FormField]:
        return [
            FormField("on", STEP_FORMS[self.step][1], kind="date", required=True, value=self.today_text())
        ]

    def perform(self, values: dict[str, Any]):
        from ..services import hazards as HZ

        return getattr(HZ, STEP_FORMS[self.step][2])(self.db, self.view.seen, values["on"])


class SummarySentForm(_HazardStepForm):
    FORM_TITLE = "Summary sent another way"
    SAVE_LABEL = "Record it"
    INTRO = "If the written summary reached the tenant another way (an email, say), say how and when."

    def form_fields(self) -> list[FormField]:
        return [
            FormField("route", "How it went", required=True, placeholder="e.g. email", what="how it went"),
            FormField("on", "Date sent", kind="date", required=True, value=self.today_text()),
        ]

    def perform(self, values: dict[str, Any]):
        from ..services import hazards as HZ

        return HZ.record_summary_sent(self.db, self.view.seen, values["on"], values["route"])


class CloseHazardForm(_HazardStepForm):
    SAVE_LABEL = "Close hazard"
    INTRO = "Say why: every step done, or why what is still open will not be done."

    def form_title(self) -> str:
        return f"Close {self.view.reference}"

    def form_fields(self) -> list[FormField]:
        return [
            FormField("on", "Date closed", kind="date", required=True, value=self.today_text()),
            FormField("reason", "Why", required=True, what="why it is closed"),
        ]

    def perform(self, values: dict[str, Any]):
        from ..services import hazards as HZ

        return HZ.close_hazard(self.db, self.view.seen, values["on"], values["reason"])


class HazardDetailsForm(_HazardStepForm):
    SAVE_LABEL = "Save"

    def form_title(self) -> str:
        return f"Details of {self.view.reference}"

    def form_fields(self) -> list[FormField]:
        from ..services import hazards as HZ

        self.contractors = HZ.active_contractors(self.db)
        labels = (NONE, *(label for _, label in self.contractors))
        current = next((label for cid, label in self.contractors if cid == self.view.contractor_id), NONE)
        return [
            FormField("description", "What was reported", value=self.view.description),
            FormField("address", "Address of the home", required=True, value=self.view.address),
            FormField("priority", "Priority: why the household comes first", value=self.view.priority_reason),
            FormField("contractor", "Contractor", kind="choice", choices=labels, value=current),
        ]

    def perform(self, values: dict[str, Any]):
        from ..services import hazards as HZ

        cid = next((c for c, label in self.contractors if label == values["contractor"]), None)
        return HZ.update_details(
            self.db,
            self.view.seen,
            description=values["description"],
            address=values["address"],
            priority_reason=values["priority"],
            contractor_id=cid,
            clear_contractor=cid is None,
        )


# the summary letter ------------------------------------------------------------------------------


class SummaryLetterScreen(ModalScreen):
    """The written summary as it will read. I issues it (PDF saved, recorded on the hazard, dated
    today: the day it is sent); W records that it went another way; Esc closes."""

    CSS_PATH = "hazards.tcss"
    BINDINGS = [
        Binding("i", "issue", "Issue letter", id="hazard-letter-issue"),
        Binding("w", "sent_another_way", "Sent another way", id="hazard-letter-other"),
        Binding("escape", "close", "Close", id="hazard-letter-close"),
    ]

    def __init__(self, db, view) -> None:
        super().__init__()
        self.db = db
        self.view = view
        self.preview = None
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="hz-letter-dialog", classes="dialog"):
            yield Label(f"Written summary for {self.view.reference}", classes="dialog-title")
            yield Static("Loading…", id="hz-letter-status")
            with VerticalScroll(id="hz-letter-body"):
                yield Static("", id="hz-letter-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Issue letter (I)", id="hz-letter-issue", variant="primary", compact=True)
                yield Button("Sent another way (W)", id="hz-letter-other", compact=True)
                yield Button("Close (Esc)", id="hz-letter-close", compact=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#hz-letter-body").focus()
        self.load()

    @work(thread=True, group="hz-letter", exclusive=True)
    def load(self) -> None:
        from ..services import hazards as HZ

        try:
            p = HZ.preview_summary(self.db, self.view.id)
        except DomainError as exc:
            self.app.call_from_thread(self._show, None, str(exc))
            return
        self.app.call_from_thread(self._show, p, "")

    def _show(self, p, error: str) -> None:
        status = self.query_one("#hz-letter-status", Static)
        self.preview = p
        sent = self.view.summary_sent_on
        if p is None:
            status.update(Text(error, style="bold"))
            self.query_one("#hz-letter-issue", Button).disabled = True
            return
        if sent is not None:
            how = f"by {self.view.summary_route}" if self.view.summary_route else "as this letter"
            status.update(Text(f"Already sent on {day(sent)}, {how}. This is a copy.", style="bold"))
        elif p.problems:
            status.update(Text("Cannot be issued yet: it needs " + "; ".join(p.problems) + ".", style="bold"))
        else:
            status.update(Text(f"Ready to issue: it will be dated {day(p.date)}, the day it is sent."))
        self.query_one("#hz-letter-issue", Button).disabled = bool(p.problems) or sent is not None
        self.query_one("#hz-letter-other", Button).disabled = sent is not None
        self.query_one("#hz-letter-text", Static).update(Text(p.text))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        {
            "hz-letter-issue": self.action_issue,
            "hz-letter-other": self.action_sent_another_way,
            "hz-letter-close": self.action_close,
        }[event.button.id or "hz-letter-close"]()

    def action_issue(self) -> None:
        p = self.preview
        if self.busy or p is None or p.problems or self.view.summary_sent_on is not None:
            self.notify("This summary cannot be issued now.", severity="warning")
            return
        self.busy = True
        self.query_one("#hz-letter-status", Static).update("Making the PDF…")
        self._issue()

    @work(thread=True, group="hz-letter-issue", exclusive=True, exit_on_error=False)
    def _issue(self) -> None:
        from ..services import hazards as HZ

        try:
            issued = HZ.issue_summary(self.db, self.view.seen)
        except DomainError as exc:
            self.app.call_from_thread(self._failed, str(exc))
        except OSError as exc:
            self.app.call_from_thread(self._failed, f"The letter could not be saved: {exc.strerror or exc}.")
        else:
            self.app.call_from_thread(self._issued, issued)

    def _failed(self, message: str) -> None:
        self.busy = False
        self.notify(message, severity="error", timeout=15, markup=False)
        self.load()

    def _issued(self, issued) -> None:
        self.busy = False
        self.app.notify(
            f"Saved as {issued.path} and recorded on hazard {self.view.reference}.",
            title="Summary issued",
            timeout=12,
            markup=False,
        )
        self.dismiss(issued)

    def action_sent_another_way(self) -> None:
        if self.busy or self.view.summary_sent_on is not None:
            return

        def done(row) -> None:
            if row is not None:
                self.dismiss(row)

        self.app.push_screen(SummarySentForm(self.db, self.view), done)

    def action_close(self) -> None:
        if self.busy:
            self.notify("The letter is being made; this closes when it is saved.")
            return
        self.dismiss(None)


# offered after a complaint or service request is logged --------------------------------------------


def offer_hazard(
    app,
    db,
    text: str,
    *,
    resident_id: int,
    aware_on: dt.date | None,
    complaint_id: int | None = None,
    service_request_id: int | None = None,
) -> bool:
    """When what was just logged speaks of damp or mould, ask whether to record a hazard, and open
    the hazard form filled in and linked to it. False when the words do not call for it."""
    if not H.mentions_damp_or_mould(text):
        return False

    def answered(yes: bool | None) -> None:
        if yes:
            app.push_screen(
                HazardForm(
                    db,
                    resident_id=resident_id,
                    aware_on=aware_on,
                    description=text,
                    complaint_id=complaint_id,
                    service_request_id=service_request_id,
                ),
                lambda hazard_id: app.open_hazard(hazard_id) if hazard_id is not None else None,
            )

    app.push_screen(
        ConfirmScreen(
            "Record a hazard?",
            "What was just logged mentions damp or mould. Under Awaab's Law it may be a hazard, with "
            "clocks of its own from the day the landlord became aware: record it as one now?",
            yes="Record a hazard",
        ),
        answered,
    )
    return True
