"""What residents think, on screen at 80x24: TP09 entered (and replaced, asking first), a compliment
logged, a survey comment with how to complain sent and a complaint raised from it, and the complaint
screen's key for the satisfaction answer once the complaint has closed."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import settle, until
from textual.widgets import DataTable, Input, Static, TabbedContent

from smallhousing.app import build_app
from smallhousing.screens.complaint import ComplaintScreen
from smallhousing.screens.form_kit import ConfirmScreen
from smallhousing.screens.reports import ReportsScreen
from smallhousing.screens.satisfaction import (
    ComplimentForm,
    HowToComplainForm,
    RaiseComplaintForm,
    SatisfactionAnswerForm,
    SatisfactionScreen,
    SurveyCommentForm,
    TP09Form,
)
from smallhousing.services import complaints as C
from smallhousing.services import figures as F
from smallhousing.services import satisfaction as SV

SIZE = (80, 24)
D = dt.date

pytestmark = pytest.mark.usefixtures("no_backup")


def cells(table: DataTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def test_every_action_has_an_identified_key():
    for b in SatisfactionScreen.BINDINGS:
        assert b.id and b.description, b
    assert "t" in {b.key for b in ReportsScreen.BINDINGS}


async def _open(pilot, app):
    await until(pilot, lambda: type(app.screen).__name__ == "DashboardScreen")
    await settle(pilot)
    await pilot.press("f6")
    await until(pilot, lambda: isinstance(app.screen, ReportsScreen))
    await settle(pilot)
    await pilot.press("t")
    await until(pilot, lambda: isinstance(app.screen, SatisfactionScreen))
    await settle(pilot)


def _fill(form, **values) -> None:
    for name, value in values.items():
        form.query_one(f"#f-{name}", Input).value = value


async def test_tp09_entered_then_replaced_asking_first(db, setup):
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, app)
        screen = app.screen
        assert cells(screen.query_one("#tp09-table", DataTable))[0][:2] == ["2025/26", "n/a"]
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, TP09Form))
        form = app.screen
        _fill(form, satisfied="-5", neither="1", dissatisfied="1")
        await pilot.press("ctrl+s")  # a negative count is refused in the form; nothing saved
        await pilot.pause()
        assert app.screen is form and F.tp09_years(db) == []
        _fill(form, satisfied="289", neither="100", dissatisfied="11", dont_know="40", method="postal")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is screen)
        await settle(pilot)
        row = cells(screen.query_one("#tp09-table", DataTable))[0]
        assert row[:6] == ["2025/26", "72.3%", "289", "100", "11", "40"]
        assert "289 of the 400 who answered" in str(screen.query_one("#tp09-detail", Static).render())
        # again for the same year: asked before the counts are replaced
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, TP09Form))
        _fill(app.screen, satisfied="290")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: app.screen is screen)
        await settle(pilot)
        assert F.tp09_years(db)[0].counts.satisfied == 290


async def test_compliment_and_survey_comment(db, setup):
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, app)
        screen = app.screen
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ComplimentForm))
        form = app.screen
        _fill(form, received_on="05/01/2026", team="Repairs")
        await pilot.press("escape")  # something typed: asked before it is thrown away
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await until(pilot, lambda: app.screen is form)
        await pilot.press("ctrl+s")  # no words: refused
        await pilot.pause()
        assert app.screen is form and SV.compliments(db) == []
        _fill(form, words="Thank you for the quick repair")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is screen)
        await settle(pilot)
        assert screen.query_one("#views-tabs", TabbedContent).active == "tab-compliments"
        assert cells(screen.query_one("#compliments-table", DataTable))[0][:3] == [
            "CM-2026-0001",
            "05 Jan 26",
            "Repairs",
        ]
        # a survey comment: how to complain, then a complaint from it
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SurveyCommentForm))
        _fill(app.screen, received_on="23/02/2026", words="Nobody calls back", resident=str(setup.resident))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is screen)
        await settle(pilot)
        row = cells(screen.query_one("#comments-table", DataTable))[0]
        assert row[3] == "due 02 Mar 26"  # 5 working days after Mon 23 Feb
        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, HowToComplainForm))
        _fill(app.screen, sent_on="24/02/2026", route="letter with our policy")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is screen)
        await settle(pilot)
        assert cells(screen.query_one("#comments-table", DataTable))[0][3] == "sent 24 Feb 26"
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RaiseComplaintForm))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ComplaintScreen))
        await settle(pilot)
        [line] = SV.survey_comments(db)
        assert line.complaint_reference and app.screen.view.complaint.reference == line.complaint_reference


async def test_satisfaction_answer_from_the_complaint_screen(db, setup):
    c = C.log_complaint(db, setup.resident, D(2026, 1, 5), "Boiler broken")
    C.acknowledge(db, c.id, "Boiler", handler_id=setup.alice, on=D(2026, 1, 6))
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: type(app.screen).__name__ == "DashboardScreen")
        await settle(pilot)
        app.open_complaint(c.id)
        await until(pilot, lambda: isinstance(app.screen, ComplaintScreen) and app.screen.view is not None)
        await settle(pilot)
        screen = app.screen
        assert screen.check_action("satisfaction", ()) is False  # open: not yet
        C.respond(
            db,
            c.id,
            "upheld",
            "We were slow.",
            on=D(2026, 1, 12),
            remedy_statement="An apology.",
            actions_statement="None.",
        )
        C.close(db, c.id, on=D(2026, 1, 13))
        screen.load()
        await until(pilot, lambda: screen.view.complaint.state == "closed")
        await settle(pilot)
        assert "s satisfaction answer" in str(screen.query_one("#also").render())
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SatisfactionAnswerForm))
        form = app.screen
        _fill(form, asked_on="12/01/2026")  # before it closed: refused
        await pilot.press("ctrl+s")
        await until(
            pilot, lambda: "before the complaint's closure" in str(form.query_one("#form-error").render())
        )
        _fill(form, asked_on="20/01/2026", comment="Pleased with the apology")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is screen)
        current, _ = SV.satisfaction_answers(db, c.id)
        assert (current.answer, current.asked_on) == ("very satisfied", D(2026, 1, 20))
        # the key again corrects it
        await settle(pilot)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SatisfactionAnswerForm))
        assert app.screen.current is not None and "Correct" in app.screen.form_title()


async def test_a_survey_comment_on_the_worklist_opens_on_its_tab(db, setup):
    SV.log_survey_comment(db, D(2026, 2, 2), "First")
    sc = SV.log_survey_comment(db, D(2026, 2, 23), "Second")
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: type(app.screen).__name__ == "DashboardScreen")
        await settle(pilot)
        app.open_record("survey-comment", sc.id)
        await until(pilot, lambda: isinstance(app.screen, SatisfactionScreen))
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#views-tabs", TabbedContent).active == "tab-comments"
        assert "Second" in str(screen.query_one("#comments-detail", Static).render())
