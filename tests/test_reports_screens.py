"""The reports screens, driven in a tiny app of their own at 80x24."""

from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path

from helpers import settle
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.widgets import DataTable, Input, Select, Static, TextArea

from smallhousing import paths
from smallhousing.screens.learning import LearningForm, LearningScreen
from smallhousing.screens.ombudsman import OmbudsmanCasesScreen
from smallhousing.screens.report_assessment import AssessmentForm, SelfAssessmentScreen
from smallhousing.screens.reports import (
    BoardPeriodForm,
    BoardUpdateScreen,
    ReportsScreen,
    last_quarter,
    text_bar,
)
from smallhousing.services import learning as LS
from smallhousing.services import reports as R
from smallhousing.services import settings as S

APP_CSS = Path(__file__).resolve().parents[1] / "smallhousing" / "app.tcss"
SIZE = (80, 24)


class TinyApp(App):
    """Just enough app: the shared stylesheet, escape, and the screen's keys in the palette."""

    CSS_PATH = str(APP_CSS) if APP_CSS.exists() else None
    BINDINGS = [Binding("escape", "back", "Back", id="tiny.back")]

    def __init__(self, db) -> None:
        super().__init__()
        self.db = db

    def on_mount(self) -> None:
        self.push_screen(ReportsScreen(self.db))

    def action_back(self) -> None:
        if len(self.screen_stack) > 2:
            self.pop_screen()

    def get_system_commands(self, screen):
        yield from super().get_system_commands(screen)
        for active in screen.active_bindings.values():
            b = active.binding
            if active.node is not self and b.description and active.enabled:
                yield SystemCommand(
                    b.description, b.tooltip or b.description, partial(self.run_action, b.action, active.node)
                )


def cells(table: DataTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def visible(app, widget) -> bool:
    r = widget.region
    return widget.display and r.width > 0 and r.height > 0 and app.screen.region.contains_region(r)


MY_SCREENS = (ReportsScreen, SelfAssessmentScreen, LearningScreen, OmbudsmanCasesScreen, BoardUpdateScreen)


def test_every_action_has_an_identified_key():
    for cls in MY_SCREENS + (AssessmentForm,):
        for b in cls.BINDINGS:
            assert b.id and b.description, (cls.__name__, b)
    keys = {b.key for b in ReportsScreen.BINDINGS}
    assert not keys & set("dcnvprs"), "reports keys must not hide the app's section keys"


def test_small_helpers():
    # whole quarters, never three months that straddle two of them
    assert last_quarter(dt.date(2026, 3, 2)) == (dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    assert last_quarter(dt.date(2026, 1, 15)) == (dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    assert last_quarter(dt.date(2026, 4, 1)) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert last_quarter(dt.date(2026, 12, 31)) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert text_bar(50.0, 10) == "█████░░░░░" and text_bar(None, 4) == "░░░░"


async def test_reports_screen_shows_tsm_and_fits(demo_db):
    app = TinyApp(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        t = R.tsm_for_year(demo_db, screen.year)
        rows = cells(screen.query_one("#tsm-table", DataTable))
        assert rows[1][1] == f"{t.stage1_received:,}"
        assert rows[3][1] == f"{t.stage1_within:,} of {t.stage1_responded:,}"
        assert rows[3][2] == ("n/a" if t.ch02_stage1 is None else f"{t.ch02_stage1:.1f}%")
        for ident in ("#tsm-table", "#months", "#btn-annual", "#btn-texts", "#btn-ombudsman"):
            assert visible(app, screen.query_one(ident)), ident
        # another year
        screen.query_one("#year", Select).value = screen.year - 1
        await settle(pilot)
        t = R.tsm_for_year(demo_db, screen.year)
        assert cells(screen.query_one("#tsm-table", DataTable))[1][1] == f"{t.stage1_received:,}"
        # every key of the screen is offered in the command palette
        names = {c.title for c in app.get_system_commands(screen)}
        for b in ReportsScreen.BINDINGS:
            assert b.description in names


async def test_annual_report_from_the_app(demo_db):
    app = TinyApp(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        expected = (
            paths.reports_dir(demo_db.path) / f"annual-complaints-report-{app.screen.year}-"
            f"{(app.screen.year + 1) % 100:02d}.pdf"
        )
        assert expected.exists() and expected.read_bytes()[:5] == b"%PDF-"
        status = str(app.screen.query_one("#pdf-status", Static).render())
        assert "Saved the annual report" in status
        assert visible(app, app.screen.query_one("#pdf-status"))


async def test_homes_then_tsm(db, setup):
    app = TinyApp(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "No homes recorded" in str(app.screen.query_one("#homes-hint", Static).render())
        await pilot.press("m")
        await pilot.pause()
        app.screen.query_one("#homes", Input).value = "1,250"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ReportsScreen)
        assert S.homes_for(db, app.screen.year) == 1250
        assert cells(app.screen.query_one("#tsm-table", DataTable))[0][1] == "1,250"


async def test_self_assessment_editing(db, setup):
    app = TinyApp(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        year = app.screen.year
        await pilot.press("e")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SelfAssessmentScreen)
        table = screen.query_one(DataTable)
        assert table.row_count == 72
        table.move_cursor(row=[r.number for r in screen.rows].index("6.2"))
        await pilot.press("enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, AssessmentForm) and form.row.number == "6.2"
        await pilot.press("ctrl+r")  # offer the records' figures as evidence
        await pilot.pause()
        assert form.query_one("#evidence", TextArea).text.startswith("Records for")
        form.query_one("#complies", Select).value = "no"
        form.query_one("#commentary", TextArea).text = "Acknowledgements slipped in August."
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        row = next(r for r in R.self_assessment(db, year) if r.number == "6.2")
        assert row.complies is False and row.commentary == "Acknowledgements slipped in August."
        assert row.evidence.startswith("Records for")
        assert cells(table)[[r.number for r in screen.rows].index("6.2")][1] == "No"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReportsScreen)


async def test_learning_log_screen(db, setup):
    app = TinyApp(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, LearningScreen)
        await pilot.press("a")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, LearningForm)
        await pilot.press("ctrl+s")  # nothing typed: refused, nothing saved
        await pilot.pause()
        assert app.screen is form and LS.list_learning(db) == []
        assert "cannot be empty" in str(form.query_one("#form-error", Static).render())
        form.query_one("#learning", TextArea).text = "Call-backs were not logged"
        form.query_one("#theme", Input).value = "communication"
        form.query_one("#status", Select).value = "done"
        form.query_one("#made_on", Input).value = "20/02/2026"
        await pilot.press("ctrl+s")  # made before it was recorded (today): refused
        await pilot.pause()
        assert app.screen is form and "before the learning point's date" in str(
            form.query_one("#form-error", Static).render()
        )
        form.query_one("#recorded_on", Input).value = "02/02/2026"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LearningScreen)
        [p] = LS.list_learning(db)
        assert (p.learning, p.status, p.made_on) == (
            "Call-backs were not logged",
            "done",
            dt.date(2026, 2, 20),
        )
        assert cells(app.screen.query_one(DataTable))[0][1] == "communication"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReportsScreen)


async def test_ombudsman_cases_screen(db, setup):
    app = TinyApp(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, OmbudsmanCasesScreen)
        await pilot.press("a")
        await pilot.pause()
        app.screen.query_one("#referred_on", Input).value = "05/01/2026"
        app.screen.query_one("#case_number", Input).value = "202612345"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert (
            app.screen is screen and cells(screen.query_one("#cases-table", DataTable))[0][0] == "202612345"
        )
        await pilot.press("g")
        await pilot.pause()
        app.screen.query_one("#finding", Select).value = "service failure"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("o")
        await pilot.pause()
        app.screen.query_one("#description", Input).value = "Pay £100 for time and trouble"
        app.screen.query_one("#due_on", Input).value = "30/03/2026"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("k")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        [case] = LS.list_cases(db)
        assert (case.case_number, case.finding, case.determined_on) == (
            "202612345",
            "service failure",
            dt.date(2026, 3, 2),
        )
        assert [(o.description, o.complied_on) for o in case.orders] == [
            ("Pay £100 for time and trouble", dt.date(2026, 3, 2))
        ]
        assert cells(screen.query_one("#orders-table", DataTable))[0][2] == "02 Mar 26"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReportsScreen)


async def test_board_update_on_screen_and_pdf(demo_db):
    app = TinyApp(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, BoardPeriodForm)
        form.query_one("#start", Input).value = "01/10/2025"
        form.query_one("#end", Input).value = "31/12/2025"
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BoardUpdateScreen)
        b = R.board_update(demo_db, dt.date(2025, 10, 1), dt.date(2025, 12, 31))
        text = str(screen.query_one("#board-text", Static).render())
        assert f"Stage 1 complaints received: {b.figures.stage1.received:,}" in text
        await pilot.press("f")
        await settle(pilot)
        assert (paths.reports_dir(demo_db.path) / "board-update-2025-10-01-to-2025-12-31.pdf").exists()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReportsScreen)


async def test_board_period_refused_in_form(db, setup):
    app = TinyApp(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await pilot.pause()
        form = app.screen
        form.query_one("#start", Input).value = "01/12/2025"
        form.query_one("#end", Input).value = "01/11/2025"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert "before it starts" in str(form.query_one("#form-error", Static).render())


async def test_publish_and_reopen_a_year_from_the_reports_screen(db, setup):
    from smallhousing.services import complaints as C
    from smallhousing.services import publishing as P

    C.log_complaint(db, setup.resident, dt.date(2024, 6, 3), "Damp")
    app = TinyApp(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        # the current year has not ended: publishing it is refused with a message
        await pilot.press("u")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert P.publication(db, 2025) is None
        screen.query_one("#year", Select).value = 2024
        await settle(pilot)
        await pilot.press("u")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert P.published_years(db) == [2024]
        note = screen.query_one("#published-note", Static)
        assert "published on 2 March 2026" in str(note.render()) and visible(app, note)
        await pilot.press("z")
        await pilot.pause()
        app.screen.query_one("#reason", TextArea).text = "A complaint from June 2024 was logged late."
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen and P.published_years(db) == []
        assert "logged late" in str(screen.query_one("#published-note", Static).render())
        names = {c.title for c in app.get_system_commands(screen)}
        assert {"Publish figures", "Reopen year"} <= names
