"""Reports: the Tenant Satisfaction Measures for a year, and the report PDFs (annual report, self-
assessment, board update). From here the self-assessment, learning log and Ombudsman cases open.

Figures and PDFs are made in thread workers, so the screen never freezes; a progress bar shows a
PDF being made and the screen says where the file was saved (the reports folder beside the database).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import (
    Button,
    DataTable,
    Input,
    Label,
    ProgressBar,
    Select,
    Static,
    TextArea,
)

from ..domain.errors import DomainError
from ..domain.years import year_label, year_of
from ..services import reports as R
from .charts import MonthChart
from .common import AppScreen, KeyFooter, PlainTable, TypingSelect
from .form_kit import Field, FormScreen, WholeNumber
from .resident_forms import ConfirmScreen, call_service


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.1f}%"


def _dp(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.1f}"


BAR_WIDTH = 24
PERCENT_SCALE = f"{'0%':<11}{'50%':^3}{'100%':>10}"  # under a bar of BAR_WIDTH


def text_bar(value: float | None, width: int = BAR_WIDTH) -> str:
    """'██████████░░' for a percentage; blank when there is nothing to show."""
    if value is None:
        return "░" * width
    full = round(width * max(0.0, min(100.0, value)) / 100)
    return "█" * full + "░" * (width - full)


# making a PDF in the background ------------------------------------------------------------------


class PdfJob(Vertical):
    """A progress bar and a line saying where the last PDF went. ``start`` runs one in a thread."""

    class Done(Message):
        def __init__(self, path: Path | None, error: str = "") -> None:
            super().__init__()
            self.path, self.error = path, error

    def compose(self) -> ComposeResult:
        yield ProgressBar(total=1, show_eta=False, id="pdf-progress")
        yield Static("", id="pdf-status", markup=False)

    def on_mount(self) -> None:
        self.query_one(ProgressBar).display = False

    @property
    def busy(self) -> bool:
        return any(w.group == "pdf" and w.is_running for w in self.workers)

    def start(self, what: str, make: Callable[..., Path], *args) -> None:
        """``make(*args, progress=callback)`` writes the PDF and returns its path."""
        if self.busy:
            self.notify("A report is already being made; wait for it to finish.", severity="warning")
            return
        bar = self.query_one(ProgressBar)
        bar.update(total=1, progress=0)
        bar.display = True
        self.query_one("#pdf-status", Static).update(f"Making the {what}...")
        self.scroll_visible(animate=False)  # below the charts: at 80x24 the screen scrolls to it
        self._run(what, make, args)

    @work(thread=True, group="pdf", exit_on_error=False)
    def _run(self, what: str, make: Callable[..., Path], args: tuple) -> None:
        def progress(n: int, total: int) -> None:
            self.app.call_from_thread(self._progress, n, total)

        try:
            path = make(*args, progress=progress)
        except DomainError as exc:
            self.app.call_from_thread(self._finish, what, None, exc.message)
        except OSError as exc:
            self.app.call_from_thread(
                self._finish, what, None, f"The file could not be saved: {exc.strerror or exc}."
            )
        else:
            self.app.call_from_thread(self._finish, what, path, "")

    def _progress(self, n: int, total: int) -> None:
        self.query_one(ProgressBar).update(total=max(total, 1), progress=n)

    def _finish(self, what: str, path: Path | None, error: str) -> None:
        self.query_one(ProgressBar).display = False
        status = self.query_one("#pdf-status", Static)
        if error:
            status.update(f"The {what} was not made: {error}")
            self.notify(error, title="Report not made", severity="error")
        else:
            status.update(f"Saved the {what} to {path}")
            self.notify(f"Saved to {path}", title=what[:1].upper() + what[1:])
        self.scroll_visible(animate=False)
        self.post_message(self.Done(path, error))


# forms -------------------------------------------------------------------------------------------


class HomesForm(FormScreen):
    """The number of homes for a reporting year (needed for CH01)."""

    SAVE_LABEL = "Save"

    def __init__(self, db, year: int, current: int | None) -> None:
        super().__init__(db)
        self.year, self.current = year, current

    def form_title(self) -> str:
        return f"Homes owned or managed in {year_label(self.year)}"

    def compose_fields(self) -> ComposeResult:
        yield Static(
            "CH01 counts complaints per 1,000 homes, so the figure needs the number of homes "
            "you owned or managed in the year.",
            classes="context",
            markup=False,
        )
        yield Field(
            "Number of homes",
            Input(
                "" if self.current is None else str(self.current),
                id="homes",
                compact=True,
                validators=[WholeNumber("number of homes", required=True)],
            ),
        )

    def save(self):
        from ..services import settings as S

        return S.set_homes(self.db, self.year, self.text("homes"))


class ReportTextsForm(FormScreen):
    """The annual report's written parts: the governing body's response and the Ombudsman sections."""

    SAVE_LABEL = "Save"
    HINTS = {
        "governing_body_response": "Added after the governing body has considered the report (Code 8.2).",
        "non_compliance_findings": "Leave empty if the Ombudsman made no such finding in the year.",
        "ombudsman_annual_report": "Summarise it, or leave empty if none was issued for the year.",
        "other_ombudsman_reports": "Any other Ombudsman report or publication about your work.",
    }

    def __init__(self, db, year: int) -> None:
        super().__init__(db)
        self.year = year

    def form_title(self) -> str:
        return f"Written parts of the annual report {year_label(self.year)}"

    def compose_fields(self) -> ComposeResult:
        texts = R.report_texts(self.db, self.year)
        for key, label in R.REPORT_TEXTS.items():
            yield Field(
                label,
                TextArea(texts.get(key, ""), id=f"text-{key}", compact=True, classes="box"),
                hint=self.HINTS.get(key, ""),
            )

    def save(self):
        R.set_report_texts(self.db, self.year, {k: self.text(f"text-{k}") for k in R.REPORT_TEXTS})
        return True


class ReopenForm(FormScreen):
    """Reopen a published year: the written reason is printed on the year's next reports."""

    SAVE_LABEL = "Reopen"

    def __init__(self, db, year: int) -> None:
        super().__init__(db)
        self.year = year

    def form_title(self) -> str:
        return f"Reopen {year_label(self.year)}"

    def compose_fields(self) -> ComposeResult:
        yield Static(
            "Published figures stay as published. Reopening lets records of the year change; "
            "the reason and today's date are printed on the year's next reports.",
            classes="context",
            markup=False,
        )
        yield Field("Why the year is being reopened", TextArea("", id="reason", compact=True, classes="box"))

    def save(self):
        from ..services import publishing

        return publishing.reopen_year(self.db, self.year, self.text("reason"))


def last_quarter(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last whole quarter before ``today`` (January-March, April-June, July-September or
    October-December: the quarters of the reporting year too)."""
    first_month = (today.month - 1) // 3 * 3 + 1
    end = today.replace(month=first_month, day=1) - dt.timedelta(days=1)
    return dt.date(end.year, end.month - 2, 1), end


class BoardPeriodForm(FormScreen):
    """Choose the period a board update covers."""

    SAVE_LABEL = "Show"
    FORM_TITLE = "Complaints update for the governing body: choose the period"

    def compose_fields(self) -> ComposeResult:
        start, end = last_quarter(self.today)
        yield Static(
            "The update shows volumes, categories, outcomes, performance and Ombudsman "
            "outcomes for the period, compared with the same length of time just before.",
            classes="context",
            markup=False,
        )
        yield Field("First day", self.date_input("start", start, not_after_today=False))
        yield Field("Last day", self.date_input("end", end, not_after_today=False))

    def save(self):
        start, end = self.date("start", "first day"), self.date("end", "last day")
        R._check_period(start, end)
        return start, end


# the board update on screen ----------------------------------------------------------------------


class BoardUpdateScreen(Screen):
    """A board update for a period, as text, with a key to save it as a PDF."""

    CSS_PATH = "reports.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back", id="board.back"),
        Binding("f", "pdf", "Save as PDF", id="board.pdf"),
    ]

    def __init__(self, db, start: dt.date, end: dt.date) -> None:
        super().__init__()
        self.db, self.start, self.end = db, start, end

    def compose(self) -> ComposeResult:
        yield Label(f"Board update: {R.period_label(self.start, self.end)}", classes="screen-title")
        with VerticalScroll(id="board-body"):
            yield Static("Working out the figures...", id="board-text", markup=False)
        yield PdfJob(id="board-job", classes="pdf-job")
        with Horizontal(classes="report-buttons"):
            yield Button("Save as PDF (f)", id="board-pdf", compact=True)
            yield Button("Back (Esc)", id="board-back", compact=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="figures", exit_on_error=False)
    def load(self) -> None:
        try:
            lines = R.board_summary_lines(R.board_update(self.db, self.start, self.end))
            text = "\n".join(lines)
        except DomainError as exc:
            text = exc.message
        self.app.call_from_thread(self.query_one("#board-text", Static).update, text)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "board-pdf":
            self.action_pdf()
        elif event.button.id == "board-back":
            self.action_back()

    def action_pdf(self) -> None:
        from .. import reports

        self.query_one(PdfJob).start("board update", reports.write_board, self.db, self.start, self.end)

    def action_back(self) -> None:
        self.app.pop_screen()


# the reports screen ------------------------------------------------------------------------------


class ReportsScreen(AppScreen):
    """The Tenant Satisfaction Measures for a chosen year, and every report."""

    SECTION = "reports"
    CSS_PATH = "reports.tcss"
    # keys with a button on the screen are left out of the footer (it would take three lines at
    # 80x24); help and the command palette list them all
    BINDINGS = [
        Binding(
            "a",
            "annual",
            "Annual report",
            id="reports.annual",
            show=False,
            tooltip="Save the annual complaints report as a PDF",
        ),
        Binding(
            "f",
            "assessment_pdf",
            "Self-assessment PDF",
            id="reports.assessment_pdf",
            show=False,
            tooltip="Save the self-assessment as a PDF",
        ),
        Binding(
            "b",
            "board",
            "Board update",
            id="reports.board",
            show=False,
            tooltip="A complaints update for the governing body for any period",
        ),
        Binding("e", "edit_assessment", "Edit self-assessment", id="reports.edit_assessment", show=False),
        Binding("l", "learning", "Learning log", id="reports.learning", show=False),
        Binding("o", "ombudsman", "Ombudsman cases", id="reports.ombudsman", show=False),
        Binding(
            "w",
            "texts",
            "Report texts",
            id="reports.texts",
            show=False,
            tooltip="The governing body's response and the Ombudsman sections of the annual report",
        ),
        Binding("m", "homes", "Homes", id="reports.homes", tooltip="Set the number of homes for the year"),
        Binding("y", "choose_year", "Year", id="reports.year", tooltip="Choose the reporting year"),
        Binding(
            "u",
            "publish",
            "Publish figures",
            id="reports.publish",
            tooltip="Publish the year's figures as they are today; later changes that would alter "
            "them are refused",
        ),
        Binding(
            "z",
            "reopen",
            "Reopen year",
            id="reports.reopen",
            tooltip="Reopen a published year, with a written reason, so that its records can change",
        ),
        Binding(
            "t",
            "residents_views",
            "What residents think",
            id="reports.residents_views",
            show=False,
            tooltip="TP09 by year, compliments, and survey comments with how to complain sent",
        ),
        Binding("ctrl+r", "reload", "Refresh", id="reports.refresh", show=False),
    ]

    def __init__(self, db, **kw) -> None:
        super().__init__(db, **kw)
        self.years = R.report_years(db)
        self.year = year_of(db.today)
        if self.year not in self.years:
            self.years.insert(0, self.year)
        self.figures: R.PeriodFigures | None = None

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="reports-body"):
            with Horizontal(id="reports-top"):
                yield Label("Tenant Satisfaction Measures for", classes="screen-title")
                yield TypingSelect(
                    [(year_label(y), y) for y in self.years],
                    value=self.year,
                    allow_blank=False,
                    id="year",
                    compact=True,
                )
            yield PlainTable(id="tsm-table", cursor_type="none", zebra_stripes=True, show_cursor=False)
            yield Static("", id="homes-hint", markup=False)
            yield Static("", id="published-note", markup=False)
            yield Label(
                "Stage 1 complaints received each month, April to March",
                id="months-title",
                classes="chart-title",
            )
            yield MonthChart(id="months")
            yield Static("", id="on-time-bars", markup=False)
            with Horizontal(classes="report-buttons"):
                yield Button("Annual report (a)", id="btn-annual", compact=True)
                yield Button("Self-assessment PDF (f)", id="btn-assessment-pdf", compact=True)
                yield Button("Board update (b)", id="btn-board", compact=True)
            with Horizontal(classes="report-buttons"):
                yield Button("Self-assessment (e)", id="btn-edit-assessment", compact=True)
                yield Button("Learning log (l)", id="btn-learning", compact=True)
                yield Button("Ombudsman (o)", id="btn-ombudsman", compact=True)
                yield Button("Texts (w)", id="btn-texts", compact=True)
            yield PdfJob(id="reports-job", classes="pdf-job")

    def on_mount(self) -> None:
        table = self.query_one("#tsm-table", DataTable)
        table.add_column("Measure", key="measure", width=42, grow=1)
        table.add_column("Count", key="count", width=10)
        table.add_column("Result", key="result", width=8)
        self.load()

    # figures -------------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="figures", exit_on_error=False)
    def load(self) -> None:
        year = self.year
        f, t, note = R.year_figures_as_reported(self.db, year, detail=False)
        self.app.call_from_thread(self.show_figures, year, f, t, note)

    def show_figures(self, year: int, f: R.PeriodFigures, t: "R.TSM | None" = None, note: str = "") -> None:
        if year != self.year:
            return
        self.figures = f
        t = t or R.tsm_from(year, f)
        published = self.query_one("#published-note", Static)
        published.update(note)
        published.display = bool(note)
        table = self.query_one("#tsm-table", DataTable)
        table.clear()
        table.add_row("Homes", "not recorded" if t.homes is None else f"{t.homes:,}", "")
        table.add_row(
            "CH01(1) stage 1 complaints per 1,000 homes", f"{t.stage1_received:,}", _dp(t.ch01_stage1)
        )
        table.add_row(
            "CH01(2) stage 2 complaints per 1,000 homes", f"{t.stage2_received:,}", _dp(t.ch01_stage2)
        )
        table.add_row(
            "CH02(1) stage 1 answered within the Code",
            f"{t.stage1_within:,} of {t.stage1_responded:,}",
            _pct(t.ch02_stage1),
        )
        table.add_row(
            "CH02(2) stage 2 answered within the Code",
            f"{t.stage2_within:,} of {t.stage2_responded:,}",
            _pct(t.ch02_stage2),
        )
        hint = self.query_one("#homes-hint", Static)
        hint.update(
            ""
            if t.homes
            else f"No homes recorded for {year_label(year)}: press m to add them, so CH01 can be worked out."
        )
        hint.display = not t.homes
        counts = [n for _, n in f.by_month]
        self.query_one("#months", MonthChart).show(
            [(dt.date.fromisoformat(m + "-01").strftime("%b"), n) for m, n in f.by_month]
        )
        self.query_one("#months-title", Label).update(
            f"Stage 1 complaints received each month, April to March: {sum(counts):,} in all"
        )
        self.query_one("#on-time-bars", Static).update(
            f"Stage 1 on time {text_bar(t.ch02_stage1)} {_pct(t.ch02_stage1)}\n"
            f"Stage 2 on time {text_bar(t.ch02_stage2)} {_pct(t.ch02_stage2)}\n"
            f"{'':16}{PERCENT_SCALE}"
        )

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "year" and event.value != Select.NULL and event.value != self.year:
            self.year = int(event.value)
            self.load()

    def action_reload(self) -> None:
        self.load()

    def action_choose_year(self) -> None:
        select = self.query_one("#year", Select)
        select.focus()
        select.action_show_overlay()

    # reports -------------------------------------------------------------------------------------
    def on_button_pressed(self, event: Button.Pressed) -> None:
        actions = {
            "btn-annual": self.action_annual,
            "btn-assessment-pdf": self.action_assessment_pdf,
            "btn-board": self.action_board,
            "btn-edit-assessment": self.action_edit_assessment,
            "btn-learning": self.action_learning,
            "btn-ombudsman": self.action_ombudsman,
            "btn-texts": self.action_texts,
        }
        action = actions.get(event.button.id or "")
        if action:
            event.stop()
            action()

    def action_annual(self) -> None:
        from .. import reports

        self.query_one(PdfJob).start(
            f"annual report {year_label(self.year)}", reports.write_annual, self.db, self.year
        )

    def action_assessment_pdf(self) -> None:
        from .. import reports

        self.query_one(PdfJob).start(
            f"self-assessment {year_label(self.year)}", reports.write_self_assessment, self.db, self.year
        )

    def action_board(self) -> None:
        def chosen(period) -> None:
            if period:
                self.app.push_screen(BoardUpdateScreen(self.db, *period))

        self.app.push_screen(BoardPeriodForm(self.db), chosen)

    def action_edit_assessment(self) -> None:
        from .report_assessment import SelfAssessmentScreen

        self.app.push_screen(SelfAssessmentScreen(self.db, self.year))

    def action_learning(self) -> None:
        from .learning import LearningScreen

        self.app.push_screen(LearningScreen(self.db))

    def action_ombudsman(self) -> None:
        from .ombudsman import OmbudsmanCasesScreen

        self.app.push_screen(OmbudsmanCasesScreen(self.db))

    def action_residents_views(self) -> None:
        from .satisfaction import SatisfactionScreen

        self.app.push_screen(SatisfactionScreen(self.db))

    def action_texts(self) -> None:
        def saved(result) -> None:
            if result:
                self.notify(f"Saved the written parts of the {year_label(self.year)} report.")

        self.app.push_screen(ReportTextsForm(self.db, self.year), saved)

    def action_publish(self) -> None:
        from ..services import publishing

        year = self.year

        def done(_row) -> None:
            self.notify(f"The figures for {year_label(year)} are published.", title="Published")
            self.load()

        def answered(yes: bool | None) -> None:
            if yes:
                call_service(self, publishing.publish_year, self.db, year, on_done=done)

        self.app.push_screen(
            ConfirmScreen(
                f"Publish the figures for {year_label(year)}?",
                "They are kept as they are today, and reports of the year print them. Any later change "
                "that would alter them is refused until the year is reopened with a written reason.",
                yes="Publish",
            ),
            answered,
        )

    def action_reopen(self) -> None:
        def saved(result) -> None:
            if result:
                self.notify(
                    f"{year_label(self.year)} is reopened; its next reports give the reason.",
                    title="Reopened",
                )
                self.load()

        self.app.push_screen(ReopenForm(self.db, self.year), saved)

    def action_homes(self) -> None:
        def saved(result) -> None:
            if result is not None:
                self.load()

        homes = self.figures.homes if self.figures else None
        self.app.push_screen(HomesForm(self.db, self.year, homes), saved)
