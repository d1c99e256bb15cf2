"""Hazards in the app (screens/hazards.py): the list, a hazard's clocks, recording steps, the
summary letter, the dashboard's worklist and the prompt after a damp complaint is logged."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import settle, text_of, typed, until

from smallhousing.app import build_app
from smallhousing.screens import palette as P
from smallhousing.services import hazards as HZ

pytestmark = pytest.mark.usefixtures("no_backup")
SIZE = (80, 24)
D = dt.date


def screen_name(app) -> str:
    return type(app.screen).__name__


def _damp(db, setup, **kw):
    return HZ.log_hazard(db, kind="damp-mould", aware_on=D(2026, 2, 16), resident_id=setup.resident, **kw)


async def open_hazard(app, pilot, ref) -> None:
    await settle(pilot)
    app.open_hazard(ref)
    await until(pilot, lambda: screen_name(app) == "HazardScreen" and app.screen.view is not None)
    await settle(pilot)


async def test_the_list_shows_the_next_step_and_the_priority_mark(db, setup):
    _damp(db, setup, priority_reason="a baby in the home")
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.action_hazards()
        await until(pilot, lambda: screen_name(app) == "HazardsScreen")
        await settle(pilot)
        table = app.screen.query_one("#hazards")
        row = [str(x) for x in table.get_row_at(0)]
        # investigate within 10 working days of Mon 16 Feb 2026: Mon 2 Mar, today
        assert row[0] == "HZ-2026-0001" and row[1] == "!" and row[4] == "to investigate"
        assert row[5] == "02 Mar 26" and row[6] == "due soon"
        assert "Priority: a baby in the home" in text_of(app.screen.query_one("#hazard-detail"))
        await pilot.press("enter")
        await until(pilot, lambda: screen_name(app) == "HazardScreen")


async def test_recording_the_investigation_and_issuing_the_summary(db, setup):
    h = _damp(db, setup)
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await open_hazard(app, pilot, h.reference)
        shown = text_of(app.screen.query_one("#hazard-text"))
        assert "closure days do not stop" in shown and "due Mon 2 Mar 2026" in shown
        await pilot.press("i")
        await until(pilot, lambda: screen_name(app) == "InvestigationForm")
        await settle(pilot)
        # the date is filled in with today; a dot for the findings is refused
        app.screen.query_one("#f-findings").value = "."
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen_name(app) == "InvestigationForm"
        assert "words" in text_of(app.screen.query_one("#form-error"))
        app.screen.query_one("#f-findings").value = "Mould behind the wardrobe"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: screen_name(app) == "HazardScreen")
        await until(pilot, lambda: app.screen.view is not None and app.screen.view.findings != "")
        # investigated today, Mon 2 Mar 2026: the summary is due 3 working days on, Thu 5 Mar
        assert "Send the tenant a written summary: due Thu 5 Mar 2026" in text_of(
            app.screen.query_one("#hazard-text")
        )
        await pilot.press("l")
        await until(pilot, lambda: screen_name(app) == "SummaryLetterScreen")
        await until(pilot, lambda: app.screen.preview is not None)
        assert "Mould behind the wardrobe" in text_of(app.screen.query_one("#hz-letter-text"))
        await pilot.press("i")
        await until(pilot, lambda: screen_name(app) == "HazardScreen")
        await settle(pilot)
    v = HZ.hazard_view(db, h.reference)
    assert v.summary_sent_on == D(2026, 3, 2) and v.summary_file.endswith(".pdf")


async def test_the_dashboard_worklist_opens_a_hazard(db, setup):
    h = _damp(db, setup)
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: getattr(app.screen, "figures_shown", False))
        table = app.screen.query_one("#worklist")
        first = [str(x) for x in table.get_row_at(0)]
        assert first[0] == h.reference
        await pilot.press("enter")
        await until(pilot, lambda: screen_name(app) == "HazardScreen")


async def test_a_damp_complaint_prompts_for_a_hazard_linked_to_it(db, setup):
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        from smallhousing.screens.forms import NewComplaintForm

        form = NewComplaintForm(db)
        form.resident_id = setup.resident  # chosen already: no picker
        await app.push_screen(form)
        await settle(pilot)
        app.screen.query_one("#description").focus()
        await typed(pilot, "Black mould in the bedroom")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: screen_name(app) == "ConfirmScreen")
        assert "Record a hazard?" in text_of(app.screen.query_one(".confirm-title"))
        await pilot.press("y")
        await until(pilot, lambda: screen_name(app) == "HazardForm")
        await settle(pilot)
        assert "Black mould" in app.screen.query_one("#description").text
        await pilot.press("ctrl+s")
        await until(pilot, lambda: screen_name(app) == "HazardScreen")  # the hazard just logged
        await settle(pilot)
    (v,) = HZ.list_hazards(db)
    assert v.complaint_ref.startswith("2026-") and v.resident_id == setup.resident
    assert v.aware_on == D(2026, 3, 2)


async def test_a_request_without_damp_words_does_not_prompt(db, setup):
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        from smallhousing.screens.forms import NewServiceRequestForm

        form = NewServiceRequestForm(db)
        form.resident_id = setup.resident
        await app.push_screen(form)
        await settle(pilot)
        app.screen.query_one("#description").focus()
        await typed(pilot, "Gate hinge broken")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: screen_name(app) != "NewServiceRequestForm")
        await settle(pilot)
        assert screen_name(app) != "ConfirmScreen"
    assert HZ.list_hazards(db) == []


async def test_the_palette_offers_the_hazards(db, setup):
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Hazards: list" in titles
        names = {c.name for c in P.place_commands(app, P.place_classes(), None)}
        assert "Hazards: Log hazard" in names  # the list's own key, from anywhere
        await pilot.press("f4")
        await until(pilot, lambda: screen_name(app) == "ServiceRequestsScreen")
        await settle(pilot)
        await pilot.press("h")
        await until(pilot, lambda: screen_name(app) == "HazardsScreen")


async def test_logging_a_hazard_opens_one_resident_picker(db, setup):
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.action_new_hazard()
        await until(pilot, lambda: screen_name(app) != "HazardForm" and len(app.screen_stack) > 2)
        await settle(pilot)
        names = [type(s).__name__ for s in app.screen_stack]
        assert names.count("HazardForm") == 1 and len(names) == 3, names


async def test_the_dashboard_says_how_many_hazard_steps_are_late(db, setup):
    # aware Mon 2 Feb 2026: investigate by Mon 16 Feb (10 working days), late on Mon 2 Mar
    HZ.log_hazard(db, kind="damp-mould", aware_on=D(2026, 2, 2), resident_id=setup.resident)
    _damp(db, setup)  # aware 16 Feb: due Mon 2 Mar, today, not late
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: getattr(app.screen, "figures_shown", False))
        label = app.screen.query_one("#requests-overdue")
        assert text_of(label) == "no requests past target · 1 hazard step late"
        assert label.has_class("-alert")
