"""Nothing typed is lost (issue 15): Esc, another section or Ctrl+Q on a form or screen holding
changes asks "Discard the changes?" and only yes discards; a save that fails keeps the form open
with everything typed in it."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import choose, settle, text_of, typed, until
from textual.widgets import Input, Static, TextArea

from smallhousing.app import build_app
from smallhousing.screens.form_kit import ConfirmScreen
from smallhousing.services import complaints as C
from smallhousing.services import settings as S

SIZE = (80, 24)

pytestmark = pytest.mark.usefixtures("no_backup")


def screen_name(app) -> str:
    return type(app.screen).__name__


def asking(app) -> bool:
    screen = app.screen
    return isinstance(screen, ConfirmScreen) and screen.question == "Discard the changes?"


async def started(pilot) -> None:
    await until(pilot, lambda: screen_name(pilot.app) == "DashboardScreen")
    await settle(pilot)


async def new_complaint_form(pilot):
    app = pilot.app
    await pilot.press("ctrl+n")
    await until(pilot, lambda: screen_name(app) == "ResidentPickerScreen")
    await pilot.press("escape")
    await until(pilot, lambda: screen_name(app) == "NewComplaintForm")
    return app.screen


async def test_ctrl_q_on_a_changed_form_asks_and_no_keeps_the_app_and_the_text(db, setup):
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        form = await new_complaint_form(pilot)
        form.query_one("#description", TextArea).focus()
        await typed(pilot, "Damp in the back bedroom")
        await pilot.press("ctrl+q")
        await until(pilot, lambda: asking(app))
        await pilot.press("ctrl+q")  # asked already: a second Ctrl+Q does not stack a question
        await pilot.pause()
        assert sum(isinstance(s, ConfirmScreen) for s in app.screen_stack) == 1
        await pilot.press("n")
        await until(pilot, lambda: app.screen is form)
        assert app.is_running and not app._exit
        assert form.text("description") == "Damp in the back bedroom"
        await pilot.press("ctrl+q")
        await until(pilot, lambda: asking(app))
        await pilot.press("y")
        await pilot.pause(0.2)
    assert app._exit and app.return_code in (0, None)


async def test_ctrl_q_with_nothing_typed_quits_at_once(db, setup):
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await new_complaint_form(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause(0.2)
        assert app._exit
        assert not any(isinstance(s, ConfirmScreen) for s in app.screen_stack)


async def test_ctrl_q_on_the_first_run_screen_with_a_name_typed_asks(db):
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: screen_name(app) == "WelcomeScreen")
        await settle(pilot)
        await typed(pilot, "Ashbury Homes")
        await pilot.press("ctrl+q")
        await until(pilot, lambda: asking(app))
        await pilot.press("n")
        await until(pilot, lambda: screen_name(app) == "WelcomeScreen")
        assert app.screen.query_one("#name", Input).value == "Ashbury Homes" and not app._exit


@pytest.mark.slow
async def test_escape_on_every_complaint_form_with_changes_asks(demo_db):
    """Every step's form on a complaint: something typed, Esc asks; no keeps it, yes drops it."""
    from smallhousing.domain import lifecycle as L
    from smallhousing.services import queries as Q

    app = build_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        tried: set[str] = set()
        for state in (L.RECEIVED, L.S1_ACKNOWLEDGED, L.S1_RESPONDED):
            row = Q.list_complaints(demo_db, Q.ComplaintFilter(state=state), limit=1)[0]
            app.open_complaint(row.id)
            await until(pilot, lambda: screen_name(app) == "ComplaintScreen")
            await settle(pilot)
            screen = app.screen
            keys = [
                b.key
                for b in screen.BINDINGS
                if len(b.key) == 1 and b.key in "axoeflwith" and screen.check_action(b.action, ())
            ]
            for key in dict.fromkeys(keys):
                if key in tried:
                    continue
                tried.add(key)
                await pilot.press(key)
                await until(pilot, lambda screen=screen: app.screen is not screen)
                await settle(pilot)
                form = app.screen
                box = next(iter(form.query("TextArea, Input")))
                box.focus()
                await pilot.press("end")
                await typed(pilot, "zq")
                typed_text = box.text if isinstance(box, TextArea) else box.value
                await pilot.press("escape")
                await until(pilot, lambda: asking(app))
                await pilot.press("n")
                await until(pilot, lambda form=form: app.screen is form)
                assert (box.text if isinstance(box, TextArea) else box.value) == typed_text, key
                await pilot.press("escape")
                await until(pilot, lambda: asking(app))
                await pilot.press("y")
                await until(pilot, lambda screen=screen: app.screen is screen)
            await pilot.press("escape")
            await settle(pilot)
        assert set("axoeflwith") <= tried | {"e", "l", "f"} and {"a", "x", "o", "w", "t", "h"} <= tried


async def test_settings_changed_in_place_asks_before_leaving_by_esc_a_section_key_or_ctrl_q(db, setup):
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("f7")
        await until(pilot, lambda: screen_name(app) == "SettingsScreen" and app.screen.loaded)
        await settle(pilot)
        settings_screen = app.screen
        await pilot.press("tab")
        name = settings_screen.query_one("#f-name", Input)
        assert app.focused is name
        await typed(pilot, " Trust")
        for leave in (("escape", "escape"), ("f2",), ("f3",), ("ctrl+q",)):
            await pilot.press(*leave)
            await until(pilot, lambda: asking(app))
            await pilot.press("n")
            await until(pilot, lambda: app.screen is settings_screen)
            assert name.value == "Ashbury Homes Trust"
            assert app.is_running and not app._exit
        assert S.get_settings(db).name == "Ashbury Homes"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert S.get_settings(db).name == "Ashbury Homes Trust"
        await pilot.press("f2")  # saved: nothing to ask about
        await until(pilot, lambda: screen_name(app) == "DashboardScreen")
        await pilot.press("f7")
        await until(pilot, lambda: screen_name(app) == "SettingsScreen" and app.screen.loaded)
        await settle(pilot)
        app.screen.query_one("#f-phone", Input).focus()
        await typed(pilot, "9")
        await pilot.press("f3")
        await until(pilot, lambda: asking(app))
        await pilot.press("y")  # discarded: the section changes, the phone is not saved
        await until(pilot, lambda: screen_name(app) == "ComplaintsScreen")
    assert S.get_settings(db).phone == "01632 960 000"


async def test_a_refused_save_keeps_everything_typed_and_says_why(db, setup):
    c = C.log_complaint(db, setup.resident, dt.date(2026, 2, 25), "Mould in the bathroom", channel="email")
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        app.open_complaint(c.id)
        await until(pilot, lambda: screen_name(app) == "ComplaintScreen")
        await settle(pilot)
        await pilot.press("a")
        await until(pilot, lambda: screen_name(app) == "AcknowledgeForm")
        form = app.screen
        await typed(pilot, "Mould in the bathroom since January")
        await pilot.press("tab")
        await typed(pilot, "The bathroom")
        await pilot.press("ctrl+s")  # no handler chosen: the service refuses
        await settle(pilot)
        assert app.screen is form
        assert "who will handle" in text_of(form.query_one("#form-error", Static))
        assert form.text("definition") == "Mould in the bathroom since January"
        assert form.text("responsible_for") == "The bathroom"
        assert C.complaint_view(db, c.id).current.stage.acknowledged_on is None
        # then it can be put right and saved, with nothing typed again
        form.query_one("#handler").focus()
        await choose(pilot, "a")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen_name(app) == "LetterPreviewScreen"  # saved: the step ends on its letter
        assert C.complaint_view(db, c.id).current.stage.definition == "Mould in the bathroom since January"


async def test_any_error_while_saving_keeps_the_form_and_what_was_typed(db, setup, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk on fire")

    monkeypatch.setattr(S, "add_closure_day", broken)
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("f7")
        await until(pilot, lambda: screen_name(app) == "SettingsScreen" and app.screen.loaded)
        await settle(pilot)
        await pilot.press("5", "a")
        await until(pilot, lambda: screen_name(app) == "ClosureForm")
        form = app.screen
        await typed(pilot, "4/3/26")
        await pilot.press("tab")
        await typed(pilot, "Training day")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and app.is_running
        assert "OSError" in text_of(form.query_one("#form-error", Static))
        assert form.query_one("#f-day", Input).value == "4/3/26"
        assert form.query_one("#f-reason", Input).value == "Training day"
