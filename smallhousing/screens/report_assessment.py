"""The self-assessment against the Complaint Handling Code: every provision for a year, with
whether we comply, the evidence and commentary. Where the records can show how we did, the
figures are offered as evidence."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Button, DataTable, Label, Select, Static, TextArea

from ..domain.years import year_label
from ..services import reports as R
from .common import KeysFooter, PlainTable
from .form_kit import Field, FormScreen
from .reports import PdfJob

COMPLIES = [("Yes, we comply", "yes"), ("No, not yet", "no"), ("Not assessed yet", "unset")]
_TO_VALUE = {True: "yes", False: "no", None: "unset"}
_FROM_VALUE = {"yes": True, "no": False, "unset": None}


def met_text(complies: bool | None) -> str:
    return "Yes" if complies is True else "No" if complies is False else "-"


def _short(text: str, n: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


class AssessmentForm(FormScreen):
    """One provision: complies yes/no, evidence, commentary."""

    SAVE_LABEL = "Save"
    BINDINGS = FormScreen.BINDINGS + [
        Binding("ctrl+r", "use_records", "Use the records' figures", id="assessment.use_records"),
    ]

    def __init__(self, db, year: int, row: R.AssessmentRow) -> None:
        super().__init__(db)
        self.year, self.row = year, row

    def form_title(self) -> str:
        return f"Self-assessment {year_label(self.year)}: provision {self.row.number}"

    def compose_fields(self) -> ComposeResult:
        r = self.row
        yield Static(f"{r.number}: {r.provision.summary}", classes="context", markup=False)
        if r.computed:
            yield Static(f"What the records show: {r.computed}", classes="computed", markup=False)
            yield Button("Add the records' figures to the evidence (Ctrl+R)", id="use-records", compact=True)
        yield Field(
            "Do we comply?",
            Select(COMPLIES, value=_TO_VALUE[r.complies], allow_blank=False, id="complies", compact=True),
        )
        yield Field(
            "Evidence",
            TextArea(r.evidence, id="evidence", compact=True, classes="box"),
            hint="Where this is shown: policy sections, procedures, training, records.",
        )
        yield Field(
            "Commentary",
            TextArea(r.commentary, id="commentary", compact=True, classes="box"),
            hint="Anything a reader should know, and what you are doing where you fall short.",
        )

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "use-records":
            event.stop()
            self.action_use_records()
            return
        super().on_button_pressed(event)

    def action_use_records(self) -> None:
        if not self.row.computed:
            self.notify("The records cannot show this provision; write the evidence yourself.")
            return
        area = self.query_one("#evidence", TextArea)
        if self.row.computed in area.text:
            return
        area.text = (area.text.rstrip() + "\n" if area.text.strip() else "") + self.row.computed
        area.focus()

    def save(self):
        return R.save_assessment(
            self.db,
            self.year,
            self.row.number,
            complies=_FROM_VALUE[self.choice("complies")],
            evidence=self.text("evidence"),
            commentary=self.text("commentary"),
        )


class SelfAssessmentScreen(Screen):
    """Every provision of the 2024 Code for one year."""

    CSS_PATH = "reports.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back", id="assessment.back"),
        Binding("e", "edit", "Edit", id="assessment.edit", tooltip="Edit the highlighted provision"),
        Binding(
            "k",
            "copy_last_year",
            "Copy last year",
            id="assessment.copy",
            tooltip="Start from last year's answers (provisions already answered are kept)",
        ),
        Binding("f", "pdf", "Save as PDF", id="assessment.pdf"),
    ]

    def __init__(self, db, year: int) -> None:
        super().__init__()
        self.db, self.year = db, year
        self.rows: list[R.AssessmentRow] = []

    def compose(self) -> ComposeResult:
        yield Label(
            f"Self-assessment against the Complaint Handling Code, {year_label(self.year)}",
            classes="screen-title",
        )
        yield Static("", id="assessment-summary", markup=False)
        yield PlainTable(id="assessment-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="assessment-detail", markup=False)
        yield PdfJob(id="assessment-job", classes="pdf-job")
        with Horizontal(classes="report-buttons"):
            yield Button("Edit (Enter)", id="assessment-edit", compact=True)
            yield Button("Copy last year (k)", id="assessment-copy", compact=True)
            yield Button("Save as PDF (f)", id="assessment-pdf", compact=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("No.", key="no", width=5)
        table.add_column("Met", key="met", width=4)
        table.add_column("What the Code requires (our summary)", key="summary")
        self.load()

    @work(thread=True, exclusive=True, group="figures", exit_on_error=False)
    def load(self) -> None:
        rows = R.self_assessment(self.db, self.year)
        self.app.call_from_thread(self.show_rows, rows)

    def show_rows(self, rows: list[R.AssessmentRow]) -> None:
        table = self.query_one(DataTable)
        keep = table.cursor_row
        self.rows = rows
        table.clear()
        width = max(20, self.size.width - 16)
        for r in rows:
            table.add_row(r.number, met_text(r.complies), _short(r.provision.summary, width), key=r.number)
        if rows:
            table.move_cursor(row=min(max(keep, 0), len(rows) - 1))
        met = sum(r.complies is True for r in rows)
        gaps = sum(r.complies is False for r in rows)
        todo = sum(r.complies is None for r in rows)
        self.query_one("#assessment-summary", Static).update(
            f"{len(rows)} provisions: {met} met, {gaps} not met, {todo} not yet assessed. "
            f"Enter edits the highlighted provision."
        )
        self._detail()

    def _current(self) -> R.AssessmentRow | None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row < 0:
            return None
        return self.rows[min(table.cursor_row, len(self.rows) - 1)]

    def _detail(self) -> None:
        r = self._current()
        text = ""
        if r is not None:
            text = f"{r.number}: {r.provision.summary}"
            if r.evidence:
                text += f"\nEvidence: {_short(r.evidence, 160)}"
            if r.computed:
                text += f"\nRecords: {_short(r.computed, 160)}"
        self.query_one("#assessment-detail", Static).update(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        {
            "assessment-edit": self.action_edit,
            "assessment-copy": self.action_copy_last_year,
            "assessment-pdf": self.action_pdf,
        }.get(event.button.id or "", lambda: None)()

    def action_edit(self) -> None:
        r = self._current()
        if r is None:
            return

        def saved(result) -> None:
            if result is not None:
                self.notify(f"Saved provision {r.number}.")
                self.load()

        self.app.push_screen(AssessmentForm(self.db, self.year, r), saved)

    def action_copy_last_year(self) -> None:
        from ..domain.errors import DomainError

        try:
            n = R.copy_assessment(self.db, self.year - 1, self.year)
        except DomainError as exc:
            self.notify(exc.message, severity="warning")
            return
        self.notify(f"Copied {n} answers from {year_label(self.year - 1)}; check each one still holds.")
        self.load()

    def action_pdf(self) -> None:
        from .. import reports

        self.query_one(PdfJob).start(
            f"self-assessment {year_label(self.year)}", reports.write_self_assessment, self.db, self.year
        )

    def action_back(self) -> None:
        self.app.pop_screen()
