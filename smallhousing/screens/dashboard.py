"""Home: what is open, what is late, what is due next, and what needs following up."""

from __future__ import annotations

from dataclasses import dataclass

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Label

from ..domain.plural import count
from .charts import MonthChart
from .common import AppScreen, DeadlineTable, Tile, compact_day, days_left_text

WORKLIST_LIMIT = 40
ALERTS_LIMIT = 40
MONTHS = 12


@dataclass
class DashboardData:
    counts: object  # queries.Counts
    work: list  # queries.DueItem
    follow_ups: list  # queries.OverdueItem
    months: list  # (YYYY-MM, count)
    follow_up_total: int = 0  # all of them; follow_ups holds the most overdue few
    requests_overdue: int = 0  # open service requests past their target (Code 1.4)
    hazards_late: int = 0  # open hazards whose next step is past its legal clock


class DashboardScreen(AppScreen):
    SECTION = "dashboard"
    CSS_PATH = "dashboard.tcss"
    AUTO_FOCUS = "#worklist"  # Enter opens the first deadline at once
    # taller terminals get a taller follow-up list and chart (dashboard.tcss); the deadlines take
    # the rest of the height at every size. Below 34 lines no class is set: a class set when the
    # screen is first sized would have every widget on it styled again before the first paint.
    VERTICAL_BREAKPOINTS = [(34, "-tall")]
    BINDINGS = [
        Binding("ctrl+r", "reload", "Refresh", id="dashboard-refresh"),
    ]

    class Loaded(Message):
        def __init__(self, data: DashboardData) -> None:
            super().__init__()
            self.data = data

    class Failed(Message):
        def __init__(self, message: str) -> None:
            super().__init__()
            self.message = message

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="dash"):
            with Horizontal(id="tiles"):
                for ident, label in (
                    ("open1", "Open at stage 1"),
                    ("open2", "Open at stage 2"),
                    ("overdue", "Overdue"),
                    ("soon", "Due in 2 working days"),
                ):
                    yield Tile(label, id=f"tile-{ident}", classes="tile")
            with Horizontal(id="worklist-head"):
                yield Label("Next deadlines: Enter opens one", classes="section-title")
                yield Label("", id="requests-overdue")
            yield DeadlineTable(id="worklist")
            yield Label("Follow-ups past their date, and reviews due", classes="section-title gap")
            yield DeadlineTable(id="alerts")
            yield Label("Complaints received per month", id="months-title", classes="section-title gap")
            yield MonthChart(id="dash-months")

    figures_shown = False

    def on_mount(self) -> None:
        work = self.query_one("#worklist", DeadlineTable)
        work.add_column("Reference", width=12)  # SR-2026-0001 and HZ-2026-0001 whole
        work.add_column("Resident", width=15, grow=3)
        work.add_column("Next step", width=19, grow=1)
        work.add_column("Due", width=9)
        work.add_column("Left", width=12)
        alerts = self.query_one("#alerts", DeadlineTable)
        alerts.add_column("What", width=18)
        alerts.add_column("Details", width=25, grow=3)
        alerts.add_column("Due", width=9)
        alerts.add_column("For", width=14, grow=1)
        self.call_after_refresh(self.action_reload)  # draw the screen first, then read the figures

    _left = False  # set when another screen covers this one; its figures are read again on return

    def on_screen_suspend(self) -> None:
        self._left = True

    def on_screen_resume(self) -> None:
        if self._left and self.is_mounted:
            self._left = False
            self._to_top = True
            self.show_most_urgent()
            self.action_reload()

    _to_top = False  # the next figures go back to the most urgent deadline

    def show_most_urgent(self) -> None:
        """The first (most urgent) deadline under the cursor, and the dashboard scrolled to the top."""
        work = self.query_one("#worklist", DeadlineTable)
        if work.row_count:
            work.move_cursor(row=0, animate=False)
        work.scroll_home(animate=False, immediate=True)
        self.query_one("#alerts", DeadlineTable).scroll_home(animate=False, immediate=True)
        self.query_one("#dash", VerticalScroll).scroll_home(animate=False, immediate=True)

    def action_reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="dashboard")
    def load(self) -> None:
        from ..services import queries as Q
        from ..services.hazard_reads import count_late_steps
        from ..services.worklist import worklist

        try:
            data = DashboardData(
                Q.dashboard_counts(self.db),
                # a step whose letter has not gone out comes first: the resident has not been told
                worklist(self.db, limit=WORKLIST_LIMIT),
                Q.overdue_follow_ups(self.db, limit=ALERTS_LIMIT),
                Q.received_per_month(self.db, MONTHS),
                Q.count_follow_ups(self.db),
                Q.count_overdue_service_requests(self.db),
                count_late_steps(self.db),
            )
        except Exception as exc:  # a locked or damaged file: show it, keep the app usable
            self.post_message(self.Failed(f"The dashboard could not be loaded: {exc}"))
            return
        self.post_message(self.Loaded(data))

    def on_dashboard_screen_failed(self, message: Failed) -> None:
        self.notify(message.message, severity="error", markup=False)

    def on_dashboard_screen_loaded(self, message: Loaded) -> None:
        d = message.data
        c = d.counts
        for ident, n in (
            ("open1", c.open_stage1),
            ("open2", c.open_stage2),
            ("overdue", c.overdue),
            ("soon", c.due_soon),
        ):
            tile = self.query_one(f"#tile-{ident}", Tile)
            tile.show(f"{n:,}")
            tile.set_class(ident == "overdue" and n > 0, "-alert")
            tile.set_class(ident == "soon" and n > 0, "-warn")

        late = self.query_one("#requests-overdue", Label)
        if d.hazards_late:  # shorter words: both fit beside the heading at 80 columns
            late.update(
                f"{count(d.requests_overdue, 'request', zero='no')} past target · "
                f"{count(d.hazards_late, 'hazard step')} late"
            )
        else:
            late.update(
                f"{d.requests_overdue:,} service request{'s' if d.requests_overdue != 1 else ''} past target"
                if d.requests_overdue
                else "no service request past target"
            )
        late.set_class(d.requests_overdue > 0 or d.hazards_late > 0, "-alert")

        work = self.query_one("#worklist", DeadlineTable)
        row = 0 if self._to_top else work.cursor_row
        work.clear()
        for i, item in enumerate(d.work):
            letter = item.step.startswith("letter not sent")
            work.add_row(
                item.reference,
                item.resident,
                # which letter is said on the complaint: the column is narrow at 80x24
                "letter not sent" if letter else item.step,
                compact_day(item.due),
                work.status_cell(days_left_text(item.working_days_left), item.status),
                key=f"{item.entity}|{item.complaint_id}|{i}",
            )
        if not d.work:
            work.add_row("", "Nothing is due", "no open deadlines", "", "", key="none")
        work.move_cursor(row=min(row, max(work.row_count - 1, 0)))
        if self._to_top:
            self._to_top = False
            self.show_most_urgent()

        alerts = self.query_one("#alerts", DeadlineTable)
        alerts.clear()
        for i, a in enumerate(d.follow_ups):
            what = {"remedy": "Remedy overdue", "action": "Action overdue"}.get(
                a.kind, a.kind.capitalize() + " due"
            )
            alerts.add_row(
                what, a.description, compact_day(a.due), a.reference, key=f"{a.kind}|{a.reference}|{i}"
            )
        if not d.follow_ups:
            alerts.add_row("Nothing overdue", "no follow-ups or reviews due", "", "", key="none")
        elif d.follow_up_total > len(d.follow_ups):
            alerts.add_row(
                "",
                f"... and {d.follow_up_total - len(d.follow_ups):,} more, most overdue first",
                "",
                "",
                key="more",
            )

        total = sum(n for _, n in d.months)
        self.query_one("#dash-months", MonthChart).show([(_month(m, "%b"), n) for m, n in d.months])
        first, last = d.months[0][0], d.months[-1][0]
        self.query_one("#months-title", Label).update(
            f"Complaints received per month, {_month(first)} to {_month(last)}: {total:,} in all"
        )
        self.figures_shown = True  # the benchmark waits for this (benchmarks/run.py)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value or ""
        if key in ("none", "more"):
            return
        if event.data_table.id == "worklist":
            entity, ident, _ = key.split("|", 2)
            self.app.open_record(entity, int(ident))
        elif event.data_table.id == "alerts":
            kind, ref, _ = key.split("|", 2)
            if kind in ("remedy", "action"):
                self.app.open_complaint(ref)
            else:
                self.notify(f"Review this on the Residents screen (F5): {ref}.", markup=False)


def _month(key: str, form: str = "%b %Y") -> str:
    import datetime as dt

    return dt.date.fromisoformat(key + "-01").strftime(form)
