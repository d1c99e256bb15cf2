"""What residents think: TP09 by year from the perception survey, compliments, and survey comments
expressing dissatisfaction (Code 1.6), with how to complain sent and a complaint raised from one.
Opened from the Reports screen (t) and the command palette. Also the form that records a resident's
satisfaction answer once their complaint has closed (the complaint screen's key).

Everything is read and saved through services/satisfaction.py and services/figures.py, in workers.
"""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static, TabbedContent, TabPane

from ..domain import satisfaction as SAT
from ..domain.years import year_label, year_of
from .common import KeyFooter, PlainTable, compact_day, day, input_day
from .form_kit import FormField, FormScreen

NOT_RECORDED = "not recorded"
CHANNELS = (NOT_RECORDED, "phone", "email", "letter", "in person", "online form", "social media", "other")


def _short(text: str, n: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _channel(value: str) -> str:
    return "" if value == NOT_RECORDED else value


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.1f}%"


# forms -------------------------------------------------------------------------------------------


class TP09Form(FormScreen):
    """A reporting year's TP09 counts from the perception survey."""

    FORM_TITLE = "TP09 counts from the perception survey"
    INTRO = (
        "TP09: very or fairly satisfied with how we handle complaints, as a share of those who "
        "answered; don't know and not applicable are left out. A director's entry."
    )

    def __init__(self, db, year: int, existing: dict[int, Any] | None = None) -> None:
        super().__init__(db)
        self.year = year
        self.existing = existing or {}

    def form_fields(self) -> list[FormField]:
        old = self.existing.get(self.year)
        c = old.counts if old is not None else None
        return [
            FormField("year", "Reporting year", year_label(self.year), kind="year", required=True),
            FormField(
                "satisfied",
                "Very or fairly satisfied",
                str(c.satisfied) if c else "",
                kind="number",
                required=True,
                what="number satisfied",
            ),
            FormField(
                "neither",
                "Neither satisfied nor dissatisfied",
                str(c.neither) if c else "",
                kind="number",
                required=True,
                what="number neither",
            ),
            FormField(
                "dissatisfied",
                "Fairly or very dissatisfied",
                str(c.dissatisfied) if c else "",
                kind="number",
                required=True,
                what="number dissatisfied",
            ),
            FormField(
                "dont_know",
                "Don't know or not applicable (left out)",
                str(c.dont_know) if c else "0",
                kind="number",
                what="number who did not know",
            ),
            FormField(
                "method",
                "How the survey was run",
                old.method if old is not None else "",
                placeholder="postal, phone, online ...",
            ),
        ]

    def confirm_saving(self):
        from ..domain.years import parse_year

        try:
            y = parse_year(self._values.get("year") or self.year)
        except Exception:
            return None
        if y in self.existing:
            return (
                f"Replace the TP09 counts for {year_label(y)}?",
                "The counts entered before are kept in the audit log.",
                "Replace",
            )
        return None

    def perform(self, values: dict[str, Any]):
        from ..services import satisfaction as SV

        return SV.enter_tp09(
            self.db,
            values["year"],
            values["satisfied"],
            values["neither"],
            values["dissatisfied"],
            values["dont_know"] or 0,
            method=values["method"],
        )


class ComplimentForm(FormScreen):
    FORM_TITLE = "Log a compliment"
    INTRO = "What a resident praised, in their words, and the team it is about; it is given a reference."

    def form_fields(self) -> list[FormField]:
        return [
            FormField("received_on", "Received on", input_day(self.today), kind="date", required=True),
            FormField("words", "The compliment, in their words", required=True),
            FormField("channel", "How it came", NOT_RECORDED, kind="choice", choices=CHANNELS),
            FormField("team", "Team or service", placeholder="repairs, housing, caretaking ..."),
            FormField("resident", "Resident number (optional)", kind="number"),
        ]

    def perform(self, values: dict[str, Any]):
        from ..services import satisfaction as SV

        return SV.log_compliment(
            self.db,
            values["received_on"],
            values["words"],
            channel=_channel(values["channel"]),
            team=values["team"],
            resident_id=values["resident"],
        )


class SurveyCommentForm(FormScreen):
    FORM_TITLE = "Log a survey comment"
    INTRO = (
        "A survey comment that expresses dissatisfaction: the resident is then sent how to "
        "complain (Code 1.6). It stays on the worklist until that is recorded."
    )

    def form_fields(self) -> list[FormField]:
        return [
            FormField("received_on", "Received on", input_day(self.today), kind="date", required=True),
            FormField("words", "The comment, in their words", required=True),
            FormField("survey", "Which survey", placeholder="TSM survey 2025, repairs survey ..."),
            FormField("resident", "Resident number (optional)", kind="number"),
        ]

    def perform(self, values: dict[str, Any]):
        from ..services import satisfaction as SV

        return SV.log_survey_comment(
            self.db,
            values["received_on"],
            values["words"],
            survey=values["survey"],
            resident_id=values["resident"],
        )


class HowToComplainForm(FormScreen):
    FORM_TITLE = "How to complain sent"
    INTRO = "When and how the resident was sent how to complain (Code 1.6)."
    FIELD_ALIASES = {"sent_on": "sent_on", "date": "sent_on"}

    def __init__(self, db, comment) -> None:
        super().__init__(db)
        self.comment = comment

    def form_fields(self) -> list[FormField]:
        return [
            FormField("sent_on", "Sent on", input_day(self.today), kind="date", required=True),
            FormField(
                "route",
                "How it was sent",
                required=True,
                placeholder="letter with our complaints policy, email ...",
            ),
        ]

    def perform(self, values: dict[str, Any]):
        from ..services import satisfaction as SV

        return SV.record_how_to_complain_sent(self.db, self.comment.id, values["sent_on"], values["route"])


class RaiseComplaintForm(FormScreen):
    FORM_TITLE = "Raise a complaint from a survey comment"
    INTRO = "The resident wants the comment taken as a complaint: it is logged and linked to the comment."
    FIELD_ALIASES = {"received_on": "received_on", "description": "description", "resident": "resident"}

    def __init__(self, db, comment) -> None:
        super().__init__(db)
        self.comment = comment

    def form_fields(self) -> list[FormField]:
        c = self.comment
        fields = [
            FormField(
                "received_on", "Complaint received on", input_day(self.today), kind="date", required=True
            ),
            FormField("description", "The complaint, in their words", c.words, required=True),
        ]
        if c.resident_id is None:
            fields.append(FormField("resident", "Resident number", kind="number", required=True))
        return fields

    def perform(self, values: dict[str, Any]):
        from ..services import satisfaction as SV

        return SV.raise_complaint_from_comment(
            self.db,
            self.comment.id,
            values["received_on"],
            values["description"],
            resident_id=values.get("resident"),
        )


class SatisfactionAnswerForm(FormScreen):
    """The resident's answer, asked once the complaint closed (or a correction of it)."""

    INTRO = "How satisfied the resident was with how their complaint was handled, asked after it closed."
    FIELD_ALIASES = {"date": "asked_on", "asked_on": "asked_on", "answer": "answer"}

    def __init__(self, db, complaint_id: int, reference: str, current=None) -> None:
        super().__init__(db)
        self.complaint_id, self.reference, self.current = complaint_id, reference, current

    def form_title(self) -> str:
        what = "Correct the satisfaction answer" if self.current else "Satisfaction answer"
        return f"{what}: {self.reference}"

    def form_fields(self) -> list[FormField]:
        c = self.current
        words = tuple(SAT.ANSWER_WORDS[a] for a in SAT.ANSWERS)
        return [
            FormField(
                "answer",
                "Their answer",
                SAT.answer_words(c.answer) if c else words[0],
                kind="choice",
                choices=words,
            ),
            FormField(
                "asked_on", "Asked on", input_day(c.asked_on if c else self.today), kind="date", required=True
            ),
            FormField(
                "channel",
                "How they were asked",
                c.channel if c and c.channel in CHANNELS else NOT_RECORDED,
                kind="choice",
                choices=CHANNELS,
            ),
            FormField("comment", "What they said (optional)", c.comment if c else ""),
        ]

    def perform(self, values: dict[str, Any]):
        from ..services import satisfaction as SV

        if self.current is not None:
            return SV.correct_satisfaction_answer(
                self.db,
                self.current.id,
                values["answer"],
                asked_on=values["asked_on"],
                channel=_channel(values["channel"]),
                comment=values["comment"],
            )
        return SV.record_satisfaction_answer(
            self.db,
            self.complaint_id,
            values["answer"],
            asked_on=values["asked_on"],
            channel=_channel(values["channel"]),
            comment=values["comment"],
        )


# the screen --------------------------------------------------------------------------------------


class SatisfactionScreen(Screen):
    """TP09 by year, compliments, and survey comments, on three tabs."""

    CSS_PATH = "satisfaction.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back", id="residents-views.back"),
        Binding("1", "tab('tab-tp09')", "TP09", show=False, id="residents-views.tab-tp09"),
        Binding(
            "2", "tab('tab-compliments')", "Compliments", show=False, id="residents-views.tab-compliments"
        ),
        Binding("3", "tab('tab-comments')", "Survey comments", show=False, id="residents-views.tab-comments"),
        Binding(
            "t",
            "tp09",
            "TP09 counts",
            id="residents-views.tp09",
            tooltip="Enter or replace a reporting year's TP09 counts (a director's entry)",
        ),
        Binding("c", "compliment", "Compliment", id="residents-views.compliment", tooltip="Log a compliment"),
        Binding(
            "s",
            "comment",
            "Survey comment",
            id="residents-views.comment",
            tooltip="Log a survey comment expressing dissatisfaction (Code 1.6)",
        ),
        Binding(
            "h",
            "sent",
            "How to complain sent",
            id="residents-views.sent",
            tooltip="Record that the highlighted comment's resident was sent how to complain",
        ),
        Binding(
            "r",
            "raise_complaint",
            "Raise complaint",
            id="residents-views.raise",
            tooltip="Log a complaint from the highlighted survey comment",
        ),
        Binding("ctrl+r", "reload", "Refresh", show=False, id="residents-views.refresh"),
    ]

    def __init__(self, db, *, tab: str = "tab-tp09", comment_id: int | None = None) -> None:
        super().__init__()
        self.db = db
        self.initial_tab = tab
        self.comment_id = comment_id
        self.years: dict[int, Any] = {}
        self.compliments: list = []
        self.comments: list = []

    def compose(self) -> ComposeResult:
        yield Label("What residents think", classes="screen-title")
        with TabbedContent(id="views-tabs", initial=self.initial_tab):
            with TabPane("1 TP09 by year", id="tab-tp09"):
                yield PlainTable(id="tp09-table", cursor_type="row", zebra_stripes=True)
                yield Static("", id="tp09-detail", classes="views-detail", markup=False)
            with TabPane("2 Compliments", id="tab-compliments"):
                yield PlainTable(id="compliments-table", cursor_type="row", zebra_stripes=True)
                yield Static("", id="compliments-detail", classes="views-detail", markup=False)
            with TabPane("3 Survey comments", id="tab-comments"):
                yield PlainTable(id="comments-table", cursor_type="row", zebra_stripes=True)
                yield Static("", id="comments-detail", classes="views-detail", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        t = self.query_one("#tp09-table", DataTable)
        t.add_column("Year", key="year", width=8)
        t.add_column("TP09", key="tp09", width=7)
        t.add_column("Satisfied", key="satisfied", width=10)
        t.add_column("Neither", key="neither", width=8)
        t.add_column("Dissatisfied", key="dissatisfied", width=12)
        t.add_column("Don't know", key="dont_know", width=10)
        t.add_column("Compliments", key="compliments", width=11)
        c = self.query_one("#compliments-table", DataTable)
        c.add_column("Reference", key="ref", width=12)
        c.add_column("Received", key="received", width=9)
        c.add_column("Team", key="team", width=12)
        c.add_column("Their words", key="words", width=30, grow=1)
        s = self.query_one("#comments-table", DataTable)
        s.add_column("Received", key="received", width=9)
        s.add_column("Resident", key="resident", width=14)
        s.add_column("Comment", key="words", width=24, grow=1)
        s.add_column("How to complain", key="sent", width=16)
        s.add_column("Complaint", key="complaint", width=9)
        self.load()

    # loading -------------------------------------------------------------------------------------
    def action_reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="views", exit_on_error=False)
    def load(self) -> None:
        from ..services import figures as F
        from ..services import satisfaction as SV

        years = {p.year: p for p in F.tp09_years(self.db)}
        newest = max([year_of(self.db.today), *years])
        views = F.residents_views(self.db, newest, years=max(3, newest - min([newest, *years]) + 1))
        compliments = SV.compliments(self.db)
        comments = SV.survey_comments(self.db)
        self.app.call_from_thread(self.show, years, views, compliments, comments)

    def show(self, years, views, compliments, comments) -> None:
        self.years, self.compliments, self.comments = years, compliments, comments
        t = self.query_one("#tp09-table", DataTable)
        t.clear()
        for v in reversed(views):
            c = v.tp09
            t.add_row(
                v.label,
                _pct(v.tp09_result),
                f"{c.satisfied:,}" if c else "-",
                f"{c.neither:,}" if c else "-",
                f"{c.dissatisfied:,}" if c else "-",
                f"{c.dont_know:,}" if c else "-",
                f"{v.compliments:,}",
                key=str(v.year),
            )
        self._views = list(reversed(views))
        c = self.query_one("#compliments-table", DataTable)
        c.clear()
        for x in compliments:
            c.add_row(
                x.reference,
                compact_day(x.received_on),
                _short(x.team, 12),
                _short(x.words, 60),
                key=str(x.id),
            )
        s = self.query_one("#comments-table", DataTable)
        s.clear()
        for x in comments:
            sent = f"sent {compact_day(x.sent_on)}" if x.sent_on else f"due {compact_day(x.due)}"
            s.add_row(
                compact_day(x.received_on),
                _short(x.resident or "-", 14),
                _short(x.words, 60),
                sent,
                x.complaint_reference or "-",
                key=str(x.id),
            )
        if self.comment_id is not None:
            row = next((i for i, x in enumerate(comments) if x.id == self.comment_id), None)
            if row is not None:
                s.move_cursor(row=row)
            self.comment_id = None
        self._details()
        self.refresh_bindings()

    _views: list = []

    # details -------------------------------------------------------------------------------------
    def _row(self, table_id: str, items: list):
        if not items:
            return None
        table = self.query_one(table_id, DataTable)
        return items[min(max(table.cursor_row, 0), len(items) - 1)]

    def _details(self) -> None:
        v = self._row("#tp09-table", self._views)
        text = "No years yet."
        if v is not None:
            p = self.years.get(v.year)
            if p is None:
                text = f"No TP09 counts entered for {v.label}: press t to enter them."
            else:
                c = p.counts
                text = (
                    f"TP09 {v.label}: {c.satisfied:,} of the {c.answered:,} who answered were very or "
                    f"fairly satisfied ({_pct(c.result)}); {c.dont_know:,} don't know or not applicable, "
                    f"left out." + (f" Survey: {p.method}." if p.method else "")
                )
            teams = ", ".join(f"{t} {n}" for t, n in v.compliments_by_team[:4])
            text += f"\nCompliments in {v.label}: {v.compliments:,}" + (f" ({teams})" if teams else "")
            note = SAT.regulator_note(v.homes)
            if note:
                text += "\n" + note
        self.query_one("#tp09-detail", Static).update(text)
        x = self._row("#compliments-table", self.compliments)
        self.query_one("#compliments-detail", Static).update(
            "Nothing logged yet: press c to log a compliment."
            if x is None
            else f"{x.reference}, {day(x.received_on)}"
            + (f", {x.channel}" if x.channel else "")
            + (f", about {x.team}" if x.team else "")
            + (f", from {x.resident}" if x.resident else "")
            + f":\n{x.words}"
        )
        sc = self._row("#comments-table", self.comments)
        if sc is None:
            text = "Nothing logged yet: press s to log a survey comment."
        else:
            text = f"{day(sc.received_on)}" + (f", {sc.survey}" if sc.survey else "") + f": {sc.words}\n"
            if sc.sent_on:
                text += f"How to complain sent {day(sc.sent_on)} ({sc.route})."
            else:
                text += (
                    f"How to complain not sent yet: due {day(sc.due)} (the app's own target of "
                    f"{SAT.HOW_TO_COMPLAIN_DAYS} working days). Press h once it is sent."
                )
            if sc.complaint_reference:
                text += f" Complaint {sc.complaint_reference} was raised from it."
            else:
                text += " Press r to raise a complaint from it."
        self.query_one("#comments-detail", Static).update(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._details()
        self.refresh_bindings()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()

    # which actions show ----------------------------------------------------------------------------
    def _comment(self):
        return self._row("#comments-table", self.comments)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("sent", "raise_complaint"):
            tabs = self.query("#views-tabs")
            if not tabs or tabs.first(TabbedContent).active != "tab-comments":
                return False
            sc = self._comment()
            if sc is None:
                return False
            return sc.sent_on is None if action == "sent" else not sc.complaint_reference
        return True

    # actions -------------------------------------------------------------------------------------
    def action_tab(self, tab: str) -> None:
        self.query_one("#views-tabs", TabbedContent).active = tab

    def _after(self, message: str):
        def done(result) -> None:
            if result is not None:
                self.notify(message(result) if callable(message) else message, markup=False)
                self.load()

        return done

    def action_tp09(self) -> None:
        v = self._row("#tp09-table", self._views)
        year = v.year if v is not None else year_of(self.db.today) - 1
        self.action_tab("tab-tp09")
        self.app.push_screen(
            TP09Form(self.db, year, self.years),
            self._after(lambda r: f"TP09 for {year_label(r.year)} saved."),
        )

    def action_compliment(self) -> None:
        self.action_tab("tab-compliments")
        self.app.push_screen(
            ComplimentForm(self.db), self._after(lambda r: f"Compliment logged as {r.reference}.")
        )

    def action_comment(self) -> None:
        self.action_tab("tab-comments")
        self.app.push_screen(
            SurveyCommentForm(self.db),
            self._after("Survey comment logged: send the resident how to complain (then press h)."),
        )

    def action_sent(self) -> None:
        sc = self._comment()
        if sc is not None and sc.sent_on is None:
            self.app.push_screen(
                HowToComplainForm(self.db, sc), self._after("How to complain recorded as sent.")
            )

    def action_raise_complaint(self) -> None:
        sc = self._comment()
        if sc is None or sc.complaint_reference:
            return

        def done(result) -> None:
            if result is not None:
                self.notify(f"Complaint {result.reference} logged from the comment.", markup=False)
                self.load()
                open_complaint = getattr(self.app, "open_complaint", None)
                if open_complaint is not None:
                    open_complaint(result.id)

        self.app.push_screen(RaiseComplaintForm(self.db, sc), done)

    def action_back(self) -> None:
        self.app.pop_screen()
