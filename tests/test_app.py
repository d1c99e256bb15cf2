"""The whole app, driven with the keyboard only at 80x24, checked through the services afterwards."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import choose, settle, text_of, typed, until
from textual.widgets import DataTable, Input, Static

from smallhousing.app import build_app
from smallhousing.domain import lifecycle as L
from smallhousing.screens.quick_table import QuickTable
from smallhousing.services import complaints as C
from smallhousing.services import queries as Q
from smallhousing.services import settings as S

SIZE = (80, 24)


pytestmark = pytest.mark.usefixtures("no_backup")


def form_error(app) -> str:
    return text_of(app.screen.query_one("#form-error", Static))


def screen_name(app) -> str:
    return type(app.screen).__name__


async def issue_the_letter(app, pilot, title: str) -> None:
    """A step ends on its letter: the preview is up; I issues it."""
    assert screen_name(app) == "LetterPreviewScreen"
    assert title.lower() in text_of(app.screen.query_one("#letter-title")).lower()
    assert "Ready to issue" in text_of(app.screen.query_one("#letter-status")), text_of(
        app.screen.query_one("#letter-problems")
    )
    await pilot.press("i")
    await settle(pilot)


@pytest.mark.slow
async def test_a_complaint_from_intake_to_stage_2_response_by_keyboard(db, setup):
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert screen_name(app) == "DashboardScreen"

        # intake: Ctrl+N opens the form and the resident picker straight away
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert screen_name(app) == "ResidentPickerScreen"
        await typed(pilot, "brien")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert screen_name(app) == "NewComplaintForm"
        await pilot.press("tab", "tab")  # past "made by" and the date (today) to the channel
        await choose(pilot, "p")  # phone
        await pilot.press("tab")
        await typed(pilot, "Lift")
        await pilot.press("tab")
        await typed(pilot, "Fix it")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen_name(app) == "ComplaintScreen"
        v = C.complaint_view(db, "2026-0001")
        assert v.complaint.channel == "phone" and v.complaint.state == L.RECEIVED
        assert text_of(app.screen.query_one("#ref")) == "2026-0001"

        # acknowledge, with Alice as the stage 1 handler
        await pilot.press("a")
        await settle(pilot)
        assert screen_name(app) == "AcknowledgeForm"
        await typed(pilot, "Lift out")
        await pilot.press("tab")
        await typed(pilot, "Lifts")
        await pilot.press("tab", "tab")
        await choose(pilot, "a")  # Alice Adams
        await pilot.press("ctrl+s")
        await settle(pilot)
        await issue_the_letter(app, pilot, "Stage 1 acknowledgement")
        assert screen_name(app) == "ComplaintScreen"

        # extend to Fri 20 Mar 2026 (within the 10 extra working days), resident told
        await pilot.press("x")
        await settle(pilot)
        await typed(pilot, "20/03/2026")
        await pilot.press("tab")
        await typed(pilot, "Part due")
        await pilot.press("tab", "tab", "tab", "space")  # past the good reason and the day agreed
        await pilot.press("tab", "tab")  # past the day told (blank: told the day it was agreed)
        await typed(pilot, "phone")
        await pilot.press("tab")
        await typed(pilot, "A call every Friday")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await issue_the_letter(app, pilot, "Stage 1 extension")
        assert screen_name(app) == "ComplaintScreen"

        # stage 1 response: partly upheld, a £75.50 payment and an outstanding action
        await pilot.press("o")
        await settle(pilot)
        assert screen_name(app) == "RespondForm"
        await choose(pilot, "p")  # partly upheld
        await pilot.press("tab")
        await typed(pilot, "Too slow")
        await pilot.press("tab", "enter")  # "Add a remedy"
        await settle(pilot)
        assert screen_name(app) == "RemedyForm"
        await choose(pilot, "f")  # financial remedy
        await pilot.press("tab")
        await typed(pilot, "Pay")
        await pilot.press("tab")
        await typed(pilot, "75.50")
        await pilot.press("tab")
        await typed(pilot, "16/03/2026")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen_name(app) == "RespondForm"
        await pilot.press("tab", "tab", "tab", "enter")  # past "remove" and the statement: "Add an action"
        await settle(pilot)
        assert screen_name(app) == "ActionForm"
        await typed(pilot, "Oil")
        await pilot.press("tab")
        await typed(pilot, "Imran")
        await pilot.press("tab")
        await typed(pilot, "27/03/2026")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await issue_the_letter(app, pilot, "Stage 1 response")
        assert screen_name(app) == "ComplaintScreen"

        # escalate: the stage 1 handler is refused with the Code's reason, then Bilal is chosen
        await pilot.press("e")
        await settle(pilot)
        assert screen_name(app) == "EscalateForm"
        await choose(pilot, "a")  # Alice again
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen_name(app) == "EscalateForm"
        assert "someone other than Alice Adams" in form_error(app)
        assert C.complaint_view(db, "2026-0001").complaint.state == L.S1_RESPONDED  # nothing saved
        await choose(pilot, "b")  # Bilal Bashir
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen_name(app) == "ComplaintScreen"

        # stage 2: acknowledge (Bilal is already the handler) and respond with no remedy
        await pilot.press("a")
        await settle(pilot)
        await typed(pilot, "Slow")
        await pilot.press("ctrl+s")
        await settle(pilot)
        # this one went by phone, then email: recorded with its date instead of a PDF
        assert screen_name(app) == "LetterPreviewScreen"
        await pilot.press("w")
        await settle(pilot)
        assert screen_name(app) == "SentAnotherWayForm"
        await typed(pilot, "phone call followed by an email")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen_name(app) == "ComplaintScreen"
        await pilot.press("o")
        await settle(pilot)
        await choose(pilot, "n")  # not upheld
        await pilot.press("tab")
        await typed(pilot, "Fair")
        await pilot.press("tab", "tab")  # past "Add a remedy" to the statement
        await typed(pilot, "None")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await issue_the_letter(app, pilot, "Stage 2 response")
        assert screen_name(app) == "ComplaintScreen"
        assert "Stage 2 responded" in text_of(app.screen.query_one("#where"))

    v = C.complaint_view(db, "2026-0001")
    c = v.complaint
    assert c.state == L.S2_RESPONDED and c.stage == 2
    s1, s2 = v.stage(1).stage, v.stage(2).stage
    assert s1.handler_id == setup.alice and s2.handler_id == setup.bilal
    assert s1.definition == "Lift out"
    assert s1.responsible_for == "Lifts"
    assert (s1.decision, s2.decision) == (L.PARTLY_UPHELD, L.NOT_UPHELD)
    assert s2.remedy_statement == "None"
    [ext] = v.stage(1).extensions
    assert ext.new_due_on == dt.date(2026, 3, 20) and ext.resident_told and not ext.beyond_cap
    assert (ext.told_how, ext.update_plan) == ("phone", "A call every Friday")
    [remedy] = v.remedies
    assert (remedy.kind, remedy.amount_pence, remedy.due_on) == (
        "financial remedy",
        7550,
        dt.date(2026, 3, 16),
    )
    [action] = v.actions
    assert (action.description, action.owner, action.due_on) == ("Oil", "Imran", dt.date(2026, 3, 27))
    actions = [e.action for e in v.events]
    for expected in (
        "complaint logged",
        "stage 1 acknowledged",
        "stage 1 extended to 2026-03-20",
        "remedy offered",
        "outstanding action recorded",
        "stage 1 responded: partly upheld",
        "stage 2 requested",
        "stage 2 acknowledged",
        "stage 2 responded: not upheld",
    ):
        assert expected in actions
    assert actions.count("stage 2 requested") == 1  # the refused attempt wrote nothing
    assert {e.actor for e in v.events} == {"tester"}
    # every step's letter went out: four issued as PDFs, one recorded as sent another way
    assert v.owed_letters == []
    assert len([k for k in v.correspondence if k.letter_kind and k.file_path]) == 4
    assert any("sent by phone call followed by an email" in k.summary for k in v.correspondence)


@pytest.mark.slow
async def test_every_screen_opens_at_80x24_on_demo_data(demo_db):
    app = build_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert screen_name(app) == "DashboardScreen"
        assert app.screen.query_one("#worklist", DataTable).row_count > 0
        for key, name in (
            ("f3", "ComplaintsScreen"),
            ("f4", "ServiceRequestsScreen"),
            ("f5", "ResidentsScreen"),
            ("f6", "ReportsScreen"),
            ("f7", "SettingsScreen"),
            ("f2", "DashboardScreen"),
        ):
            await pilot.press(key)  # from a search box too: the section keys are never typed
            await settle(pilot)
            assert screen_name(app) == name
        await pilot.press("question_mark")
        await settle(pilot)
        assert screen_name(app) == "HelpScreen"
        await pilot.press("escape")
        for key, name in (
            ("ctrl+n", "ResidentPickerScreen"),
            ("escape", "NewComplaintForm"),
            ("escape", "DashboardScreen"),
        ):
            await pilot.press(key)
            await settle(pilot)
            assert screen_name(app) == name

        # complaints in each state there is: every action key opens its form (each key once)
        rows = [
            r
            for state in L.STATES
            for r in Q.list_complaints(demo_db, Q.ComplaintFilter(state=state), limit=1)
        ]
        assert len(rows) >= 5
        tried: set[str] = set()
        for n, row in enumerate(rows):
            app.open_complaint(row.id)
            await settle(pilot)
            assert screen_name(app) == "ComplaintScreen"
            screen = app.screen
            assert screen.view.complaint.id == row.id
            for tab in "2341" if n == 0 else "":
                await pilot.press(tab)
                await settle(pilot)
            keys = [
                b.key
                for b in screen.BINDINGS
                if len(b.key) == 1
                and b.key in "axoeflwit"
                and screen.check_action(b.action, ())
                and b.key not in tried
            ]
            for key in dict.fromkeys(keys):
                tried.add(key)
                await pilot.press(key)
                await until(pilot, lambda screen=screen: app.screen is not screen)
                assert screen_name(app).endswith("Form")
                await pilot.press("escape")
                await until(pilot, lambda screen=screen: app.screen is screen)
            await pilot.press("escape")
            await settle(pilot)
        assert set("axoeflwit") <= tried


async def test_escape_on_a_changed_form_asks_before_discarding(db, setup):
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n")
        await until(pilot, lambda: screen_name(app) == "ResidentPickerScreen")
        await pilot.press("escape")
        await until(pilot, lambda: screen_name(app) == "NewComplaintForm")
        form = app.screen
        form.query_one("#outcome_sought").focus()
        await typed(pilot, "Damp")
        await pilot.press("escape")
        await until(pilot, lambda: screen_name(app) == "ConfirmScreen")
        await pilot.press("n")  # keep it
        await until(pilot, lambda: app.screen is form)
        assert form.text("outcome_sought") == "Damp"
        await pilot.press("escape")
        await until(pilot, lambda: screen_name(app) == "ConfirmScreen")
        await pilot.press("y")  # discard
        await until(pilot, lambda: screen_name(app) == "DashboardScreen")


@pytest.mark.slow
async def test_a_resident_chosen_in_the_picker_counts_as_a_change(db, setup):
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n")
        await until(pilot, lambda: screen_name(app) == "ResidentPickerScreen")
        await settle(pilot)
        await typed(pilot, "brien")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await until(pilot, lambda: screen_name(app) == "NewComplaintForm")
        assert app.screen.resident_id == setup.resident
        await pilot.press("escape")
        await until(pilot, lambda: screen_name(app) == "ConfirmScreen")
        await pilot.press("y")
        await until(pilot, lambda: screen_name(app) == "DashboardScreen")


async def test_dates_are_checked_as_you_type_and_bad_input_saves_nothing(db, setup):
    c = C.log_complaint(db, setup.resident, dt.date(2026, 2, 25), "Mould in the bathroom", channel="email")
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_complaint(c.id)
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await typed(pilot, "Mould")
        date = app.screen.query_one("#date", Input)
        date.focus()
        await pilot.pause()
        date.value = ""
        await typed(pilot, "31/02/2026")
        await pilot.pause()
        message = text_of(date.parent.query_one(".field-msg"))
        assert "cannot be 31/02/2026: February 2026 has 28 days" in message
        date.value = ""
        await typed(pilot, "2026-03-09")
        await pilot.pause()
        assert "in the future: today is Mon 2 Mar 2026" in text_of(date.parent.query_one(".field-msg"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen_name(app) == "AcknowledgeForm"
        assert "in the future" in form_error(app)
        date.value = ""
        await typed(pilot, "27/02/2026")
        await pilot.press("ctrl+s")  # no handler chosen: the service refuses
        await settle(pilot)
        assert screen_name(app) == "AcknowledgeForm"
        assert form_error(app) == "Choose who will handle this stage."
        assert C.complaint_view(db, c.id).complaint.state == L.RECEIVED
        assert app.screen.focused.id == "handler"
        await choose(pilot, "c")  # Cerys Cole
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen_name(app) == "LetterPreviewScreen"  # saved: the step ends on its letter
    st = C.complaint_view(db, c.id).stage(1).stage
    assert (st.acknowledged_on, st.handler_id) == (dt.date(2026, 2, 27), setup.cerys)


async def test_a_response_with_no_remedy_needs_a_statement(db, setup):
    c = C.log_complaint(db, setup.resident, dt.date(2026, 2, 25), "Bins not emptied")
    C.acknowledge(db, c.id, "Bins not emptied", handler_id=setup.alice, on=dt.date(2026, 2, 26))
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_complaint(c.id)
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        await choose(pilot, "u")  # upheld
        await pilot.press("tab")
        await typed(pilot, "Missed")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen_name(app) == "RespondForm"
        assert "say plainly that no remedy is offered" in form_error(app)
        assert app.screen.focused.id == "remedy_statement"
        await pilot.press("ctrl+s")
    assert C.complaint_view(db, c.id).complaint.state == L.S1_ACKNOWLEDGED


async def test_stage_2_handler_must_differ_from_stage_1(db, setup):
    c = C.log_complaint(db, setup.resident, dt.date(2026, 2, 2), "Noise from next door")
    C.acknowledge(db, c.id, "Noise", handler_id=setup.bilal, on=dt.date(2026, 2, 3))
    C.respond(
        db,
        c.id,
        "not upheld",
        "We acted on every report.",
        remedy_statement="None offered.",
        on=dt.date(2026, 2, 10),
    )
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_complaint(c.reference)
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        await choose(pilot, "b")  # Bilal, who handled stage 1
        await pilot.press("ctrl+s")
        await settle(pilot)
        handler_field = app.screen.query_one("#handler").parent
        expected = (
            "Stage 2 must be handled by someone other than Bilal Bashir, who handled stage 1 (Code 6.13)."
        )
        assert text_of(handler_field.query_one(".field-msg")) == expected
        assert form_error(app) == expected
    assert C.complaint_view(db, c.id).complaint.state == L.S1_RESPONDED
    assert C.complaint_view(db, c.id).stage(2) is None


async def test_complaints_list_loads_a_page_at_a_time_and_filters_as_you_type(demo_db):
    total = Q.count_complaints(demo_db)
    assert total > 100
    app = build_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        table = app.screen.query_one("#list", QuickTable)
        assert table.row_count == 50
        assert text_of(app.screen.query_one("#count")) == f"{total:,} complaints found, showing the first 50"
        await pilot.press("down")  # from the search box to the list
        table.move_cursor(row=45)
        await settle(pilot)
        assert table.row_count == 100
        ids = [int(k) for k in table.row_keys]
        assert ids == [r.id for r in Q.list_complaints(demo_db, limit=100)]

        word = Q.list_complaints(demo_db, limit=1)[0].resident.split()[-1].lower()
        await pilot.press("slash")
        await typed(pilot, word)
        await pilot.pause(0.3)  # the search waits for typing to pause
        await settle(pilot)
        expected = Q.count_complaints(demo_db, Q.ComplaintFilter(text=word))
        assert 0 < expected < total
        assert table.row_count == min(expected, 50)
        assert text_of(app.screen.query_one("#count")).startswith(f"{expected:,} complaint")

        await pilot.press("enter", "enter")  # to the list, then open the first one
        await settle(pilot)
        assert screen_name(app) == "ComplaintScreen"
        assert (
            app.screen.view.complaint.id
            == Q.list_complaints(demo_db, Q.ComplaintFilter(text=word), limit=1)[0].id
        )
        await pilot.press("escape")
        await settle(pilot)
        assert screen_name(app) == "ComplaintsScreen"
        assert app.screen.query_one("#search", Input).value == word  # kept on the way back


async def test_first_run_sets_up_the_landlord(db):
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert screen_name(app) == "WelcomeScreen"
        await pilot.press("d")  # typed into the name box: the app's keys do not leave the welcome screen
        assert screen_name(app) == "WelcomeScreen"
        await pilot.press("backspace", "ctrl+s")
        await settle(pilot)
        assert "Type your organisation's name" in text_of(app.screen.query_one("#welcome-error"))
        assert not S.is_set_up(db)
        await typed(pilot, "Ashbury Homes")
        await pilot.press("tab")
        await typed(pilot, "4x0")
        await pilot.pause()
        assert "whole number" in text_of(app.screen.query_one("#homes").parent.query_one(".field-msg"))
        await pilot.press("left", "backspace", "ctrl+s")
        await settle(pilot)
        assert screen_name(app) == "DashboardScreen"
    assert S.is_set_up(db)
    assert S.get_settings(db).name == "Ashbury Homes"
    assert S.homes_for(db, 2025) == 40


async def test_first_run_demo_data_goes_to_a_file_of_its_own(db, monkeypatch):
    from smallhousing import paths
    from smallhousing.app import OPEN_DEMO
    from smallhousing.screens import welcome
    from smallhousing.store.db import Database

    monkeypatch.setattr(welcome, "DEMO_COMPLAINTS", 12)
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await until(pilot, lambda: app.return_value is not None)
    assert app.return_value == OPEN_DEMO  # the command line starts the app again on the demo copy
    assert not S.is_set_up(db) and Q.count_complaints(db) == 0
    demo = Database(paths.demo_db_path(db.path)).open()
    try:
        assert S.is_set_up(demo) and Q.count_complaints(demo) == 12
    finally:
        demo.close()


async def test_keys_are_in_the_command_palette_and_help(db, setup):
    c = C.log_complaint(db, setup.resident, dt.date(2026, 2, 27), "Fence blown down")
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_complaint(c.id)
        await settle(pilot)
        titles = {cmd.title for cmd in app.get_system_commands(app.screen)}
        assert {"Acknowledge", "Refuse", "Note", "Go to Dashboard", "New complaint"} <= titles
        assert "Respond" not in titles and "Escalate" not in titles  # not allowed yet
        footer_keys = {k for k, b in app.screen.active_bindings.items() if b.binding.show}
        assert {"a", "f", "g"} <= footer_keys and "o" not in footer_keys

        await pilot.press("f1")
        await settle(pilot)
        assert screen_name(app) == "HelpScreen"
        rows = [
            " ".join(str(c) for c in app.screen.query_one(DataTable).get_row_at(i))
            for i in range(app.screen.query_one(DataTable).row_count)
        ]
        joined = "\n".join(rows)
        for words in (
            "Dashboard",
            "New complaint",
            "Acknowledge, define and log",
            "Escalate to stage 2",
            "Ctrl+S",
            "Save the form",
        ):
            assert words in joined
        await pilot.press("escape")
        assert screen_name(app) == "ComplaintScreen"

        # run an action through the palette's callback
        [ack] = [cmd for cmd in app.get_system_commands(app.screen) if cmd.title == "Acknowledge"]
        await ack.callback()
        await settle(pilot)
        assert screen_name(app) == "AcknowledgeForm"


async def test_missing_parts_and_failed_backup_are_notices_not_crashes(db, setup, monkeypatch):
    from smallhousing import app as app_module
    from smallhousing.services import backup

    def broken(db):
        raise OSError("disk full")

    monkeypatch.setattr(backup, "daily_backup", broken)
    monkeypatch.setitem(app_module.SECTIONS, "reports", ("smallhousing.screens.nowhere", "X", "Reports"))
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        assert screen_name(app) == "DashboardScreen"
        messages = [n.message for n in app._notifications]
        assert any("backup could not be made: disk full" in m for m in messages)
        assert any("Reports is not available" in m for m in messages)


@pytest.mark.slow
async def test_text_with_square_brackets_is_shown_as_typed(db, setup, monkeypatch):
    from smallhousing.screens import forms
    from smallhousing.services import residents as R

    monkeypatch.setattr(forms, "resident_picker", lambda db: None)  # tested with the residents screens

    odd = "Ms [b]Odd[/i] Name"
    r = R.add_resident(db, odd, address="1 [Flat] Row")
    R.add_representative(db, r.id, "Rep [/]", relationship="son")
    staff = S.add_staff(db, "Sam [x")
    c = C.log_complaint(db, r.id, dt.date(2026, 2, 27), "Heating [/red] broken [link=x]", channel="phone")
    C.acknowledge(db, c.id, "Definition [b]", handler_id=staff.id, on=dt.date(2026, 2, 27))
    C.add_note(db, c.id, "Note [/] here")
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        assert app.screen.query_one("#list", QuickTable).get_row_at(0)[2].plain == odd
        app.open_complaint(c.id)
        await settle(pilot)
        assert text_of(app.screen.query_one("#who")) == odd
        assert any("Heating [/red] broken [link=x]" in text_of(w) for w in app.screen.query(".detail"))
        for key in ("2", "4", "x", "escape", "t", "escape", "e"):
            await pilot.press(key)
            await settle(pilot)
        assert screen_name(app) == "ComplaintScreen"
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert screen_name(app) == "NewComplaintForm"
        app.screen.set_resident(r.id)
        await settle(pilot)
        assert str(app.screen.query_one("#resident").label).startswith(odd)
        await pilot.press("enter", "down")  # the representative list, with "Rep [/] (son)" in it
        await settle(pilot)
        await pilot.press("enter")
        assert app.screen.query_one("#representative").value != 0
