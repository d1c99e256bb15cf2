"""The learning log (Code 9.1-9.3): what complaints taught us and the improvements that followed."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Button, DataTable, Input, Label, Select, Static, TextArea

from ..services import learning as LS
from .common import KeyFooter, PlainTable, compact_day, input_day
from .form_kit import Field, FormScreen


def _short(text: str, n: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


STATUS_OPTIONS = [("Planned", "planned"), ("In progress", "in progress"), ("Done", "done")]


class LearningForm(FormScreen):
    """Add a learning point, or change one (``point`` is a LearningLine)."""

    INTRO = (
        "What a complaint taught us and what we are changing, with who leads and by when; it "
        "goes to residents, staff and the governing body (9.1 to 9.3)."
    )

    def __init__(self, db, point=None) -> None:
        super().__init__(db)
        self.point = point

    def form_title(self) -> str:
        return "Change a learning point" if self.point else "Add a learning point"

    def compose_fields(self) -> ComposeResult:
        p = self.point
        yield Field(
            "What we learned", TextArea(p.learning if p else "", id="learning", compact=True, classes="box")
        )
        yield Field(
            "The improvement to make",
            TextArea(p.improvement if p else "", id="improvement", compact=True, classes="box"),
        )
        yield Field(
            "Theme",
            Input(
                p.theme if p else "",
                id="theme",
                compact=True,
                placeholder="for example repairs, communication",
            ),
        )
        yield Field("Who leads on it", Input(p.owner if p else "", id="owner", compact=True))
        yield Field(
            "Status",
            Select(
                STATUS_OPTIONS,
                value=p.status if p else "planned",
                allow_blank=False,
                id="status",
                compact=True,
            ),
        )
        yield Field(
            "Date the improvement was made (when done)",
            self.date_input("made_on", p.made_on if p else None, required=False),
        )
        if p is None:
            yield Field("Date recorded", self.date_input("recorded_on", self.today))
        yield Field(
            "Complaint it came from (reference, optional)",
            Input(p.reference if p else "", id="complaint", compact=True, placeholder="e.g. 2025-0042"),
        )

    def save(self):
        values = dict(
            theme=self.text("theme"),
            improvement=self.text("improvement"),
            owner=self.text("owner"),
            status=self.choice("status"),
            made_on=self.date("made_on", "date made"),
            complaint=self.text("complaint").strip() or None,
        )
        if self.point is None:
            return LS.add_learning(
                self.db,
                self.text("learning"),
                recorded_on=self.date("recorded_on", "date recorded"),
                **values,
            )
        return LS.update_learning(self.db, self.point.id, learning=self.text("learning"), **values)


class LearningScreen(Screen):
    """Every learning point, oldest first."""

    CSS_PATH = "reports.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back", id="learning.back"),
        Binding("a", "add", "Add learning", id="learning.add"),
        Binding("e", "edit", "Change", id="learning.edit", tooltip="Change the highlighted learning point"),
    ]

    def __init__(self, db) -> None:
        super().__init__()
        self.db = db
        self.points: list = []

    def compose(self) -> ComposeResult:
        yield Label("Learning from complaints", classes="screen-title")
        yield Static(
            "What complaints taught us and what we changed; shown in the annual report.",
            classes="context",
            markup=False,
        )
        yield PlainTable(id="learning-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="learning-detail", markup=False)
        with Horizontal(classes="report-buttons"):
            yield Button("Add (a)", id="learning-add", compact=True)
            yield Button("Change (Enter)", id="learning-edit", compact=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Recorded", key="recorded", width=9)
        table.add_column("Theme", key="theme", width=13)
        table.add_column("What we learned", key="learning", width=22, grow=1)
        table.add_column("Status", key="status", width=11)
        table.add_column("Done", key="done", width=9)
        self.load()

    @work(thread=True, exclusive=True, group="figures", exit_on_error=False)
    def load(self) -> None:
        points = LS.list_learning(self.db)
        self.app.call_from_thread(self.show, points)

    def show(self, points) -> None:
        table = self.query_one(DataTable)
        table.clear()
        self.points = list(reversed(points))  # newest first on screen
        for p in self.points:
            table.add_row(
                compact_day(p.recorded_on),
                _short(p.theme, 13),
                _short(p.learning, 22),
                p.status,
                compact_day(p.made_on),
                key=str(p.id),
            )
        if not self.points:
            self.query_one("#learning-detail", Static).update("Nothing recorded yet: press a to add.")
        else:
            self._detail()

    def _current(self):
        table = self.query_one(DataTable)
        if not self.points:
            return None
        return self.points[min(max(table.cursor_row, 0), len(self.points) - 1)]

    def _detail(self) -> None:
        p = self._current()
        if p is None:
            return
        parts = [f"Learned: {p.learning}"]
        if p.improvement:
            parts.append(f"Improvement: {p.improvement}")
        extra = ", ".join(
            x
            for x in (
                f"lead {p.owner}" if p.owner else "",
                f"complaint {p.reference}" if p.reference else "",
                f"made {input_day(p.made_on)}" if p.made_on else "",
            )
            if x
        )
        if extra:
            parts.append(extra[:1].upper() + extra[1:])
        self.query_one("#learning-detail", Static).update("\n".join(parts))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        {"learning-add": self.action_add, "learning-edit": self.action_edit}.get(
            event.button.id or "", lambda: None
        )()

    def _saved(self, result) -> None:
        if result is not None:
            self.notify("Learning point saved.")
            self.load()

    def action_add(self) -> None:
        self.app.push_screen(LearningForm(self.db), self._saved)

    def action_edit(self) -> None:
        p = self._current()
        if p is None:
            self.notify("There is nothing to change yet: press a to add a learning point.")
            return
        self.app.push_screen(LearningForm(self.db, p), self._saved)

    def action_back(self) -> None:
        self.app.pop_screen()
