"""The forms (issue 15): an error summary that follows the fields, dates in UK order, staff email,
withdrawing with a reason and a confirmation, stage 2's definition from stage 1, and a help line on
each form saying what the Code asks for there."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from helpers import choose, settle, text_of, typed, until
from textual.widgets import Input, Static, TextArea

from smallhousing.app import build_app
from smallhousing.domain import lifecycle as L
from smallhousing.screens import forms as F
from smallhousing.screens.form_kit import ConfirmScreen, FormScreen
from smallhousing.services import complaints as C
from smallhousing.services import settings as S

SIZE = (80, 24)

pytestmark = pytest.mark.usefixtures("no_backup")


def screen_name(app) -> str:
    return type(app.screen).__name__


def summary(form) -> str:
    line = form.query_one("#form-error", Static)
    return text_of(line) if line.has_class("-shown") else ""


async def started(pilot) -> None:
    await until(pilot, lambda: screen_name(pilot.app) == "DashboardScreen")
    await settle(pilot)


async def open_form(pilot, complaint_id, key: str, name: str):
    app = pilot.app
    app.open_complaint(complaint_id)
    await until(pilot, lambda: screen_name(app) == "ComplaintScreen")
    await settle(pilot)
    await pilot.press(key)
    await until(pilot, lambda: screen_name(app) == name)
    await settle(pilot)
    return app.screen


def responded(db, setup, **kw):
    c = C.log_complaint(db, setup.resident, dt.date(2026, 2, 2), "Noise from next door", **kw)
    C.acknowledge(
        db,
        c.id,
        "Noise at night from number 14, and a quiet home wanted",
        handler_id=setup.bilal,
        on=dt.date(2026, 2, 3),
    )
    C.respond(
        db,
        c.id,
        "not upheld",
        "We acted on every report.",
        remedy_statement="None offered.",
        on=dt.date(2026, 2, 10),
    )
    return c


# the error summary follows the fields ---------------------------------------------------------


async def test_a_spec_forms_summary_counts_down_and_clears_as_answers_are_put_right(db, setup):
    from smallhousing.screens.settings import StaffForm

    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        form = StaffForm(db)
        app.push_screen(form)
        await until(pilot, lambda: app.screen is form)
        await settle(pilot)
        form.query_one("#f-email", Input).value = "dai.ashbury.example"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert summary(form) == "Nothing has been saved yet: 2 answers need correcting."
        form.query_one("#f-name", Input).focus()
        await typed(pilot, "Dai Rees")
        await pilot.pause()
        assert summary(form).startswith("Nothing has been saved yet: 'dai.ashbury.example' is not an email")
        assert "has no @" in summary(form)
        form.query_one("#f-email", Input).value = "dai@ashbury.example"
        await pilot.pause()
        assert summary(form) == ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen_name(app) == "DashboardScreen"
    assert [(s.name, s.email) for s in S.list_staff(db) if s.name == "Dai Rees"] == [
        ("Dai Rees", "dai@ashbury.example")
    ]


async def test_a_boxed_forms_summary_clears_when_the_date_or_the_refused_field_is_put_right(db, setup):
    c = C.log_complaint(db, setup.resident, dt.date(2026, 2, 25), "Mould in the bathroom", channel="email")
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        form = await open_form(pilot, c.id, "a", "AcknowledgeForm")
        await typed(pilot, "Mould in the bathroom")
        date = form.query_one("#date", Input)
        date.value = "30/2/26"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "February 2026 has 28 days" in summary(form)
        date.value = "27/2/26"  # day first, two-digit year: 27 February 2026
        await pilot.pause()
        assert summary(form) == ""
        await pilot.press("ctrl+s")  # no handler: the service refuses, naming the field
        await settle(pilot)
        assert "who will handle" in summary(form)
        form.query_one("#responsible_for", TextArea).focus()
        await typed(pilot, "The bathroom")
        await pilot.pause()
        assert "who will handle" in summary(form)  # another field: the refusal still stands
        form.query_one("#handler").focus()
        await choose(pilot, "a")
        await pilot.pause()
        assert summary(form) == ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen_name(app) == "LetterPreviewScreen"  # saved: the step ends on its letter
    assert C.complaint_view(db, c.id).current.stage.acknowledged_on == dt.date(2026, 2, 27)


async def test_the_settings_summary_clears_once_the_landlords_details_are_put_right(db, setup):
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("f7")
        await until(pilot, lambda: screen_name(app) == "SettingsScreen" and app.screen.loaded)
        await settle(pilot)
        screen = app.screen
        message = screen.query_one("#landlord-message", Static)
        screen.query_one("#f-name", Input).value = ""
        screen.query_one("#f-email", Input).value = "complaints at ashbury"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text_of(message) == "Nothing has been saved: 2 answers need correcting."
        screen.query_one("#f-name", Input).value = "Ashbury Homes"
        await pilot.pause()
        assert "complaints at ashbury" in text_of(message) and "email" in text_of(message)
        screen.query_one("#f-email", Input).value = ""  # optional: empty is fine
        await pilot.pause()
        assert text_of(message) == ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "saved" in text_of(message)
    assert S.get_settings(db).email == ""


# dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed_date", ["27/2/26", "27/02/2026", "27-2-2026", "2026-02-27"])
async def test_a_form_takes_a_date_in_uk_order_or_iso(db, setup, typed_date):
    c = C.log_complaint(db, setup.resident, dt.date(2026, 2, 25), "Mould in the bathroom", channel="email")
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        form = await open_form(pilot, c.id, "t", "NoteForm")
        form.query_one("#summary", TextArea).focus()
        await typed(pilot, "Rang the resident")
        form.query_one("#date", Input).value = typed_date
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen_name(app) == "ComplaintScreen"
    assert [k.on for k in C.complaint_view(db, c.id).correspondence if "Rang" in k.summary] == [
        dt.date(2026, 2, 27)
    ]


# withdrawing ----------------------------------------------------------------------------------


async def test_withdrawing_needs_a_reason_in_words_then_a_yes(db, setup):
    c = C.log_complaint(db, setup.resident, dt.date(2026, 2, 25), "Mould in the bathroom", channel="email")
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        form = await open_form(pilot, c.id, "w", "WithdrawForm")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form  # nothing asked, nothing saved
        assert "reason for withdrawing cannot be empty" in summary(form)
        reason = form.query_one("#reason", TextArea)
        reason.focus()
        await typed(pilot, "... !!")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and "must be written in words" in summary(form)
        reason.text = ""
        await typed(pilot, "The landlord fixed it, she said")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.question == f"Withdraw complaint {c.reference}?"
        await pilot.press("n")
        await until(pilot, lambda: app.screen is form)
        assert reason.text == "The landlord fixed it, she said"
        assert C.complaint_view(db, c.id).complaint.state == L.RECEIVED
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: screen_name(app) == "ComplaintScreen")
        await settle(pilot)
    v = C.complaint_view(db, c.id)
    assert v.complaint.state == L.WITHDRAWN
    assert v.complaint.withdrawn_reason == "The landlord fixed it, she said"


# stage 2 acknowledgement ------------------------------------------------------------------------


async def test_stage_2_acknowledgement_starts_from_the_stage_1_definition(db, setup):
    c = responded(db, setup)
    C.request_stage2(db, c.id, on=dt.date(2026, 2, 20), handler_id=setup.cerys)
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        form = await open_form(pilot, c.id, "a", "AcknowledgeForm")
        definition = form.query_one("#definition", TextArea)
        assert definition.text == "Noise at night from number 14, and a quiet home wanted"
        assert "From stage 1" in text_of(definition.parent.query_one(".field-hint"))
        assert not form.changed()  # filled in for editing: Esc closes it at once
        definition.focus()
        await pilot.press("end")
        await typed(pilot, "; the stage 1 reply missed the weekend noise")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen_name(app) == "LetterPreviewScreen"  # saved: the step ends on its letter
    v = C.complaint_view(db, c.id)
    assert v.stage(2).stage.definition == (
        "Noise at night from number 14, and a quiet home wanted; the stage 1 reply missed the weekend noise"
    )
    assert v.stage(1).stage.definition == "Noise at night from number 14, and a quiet home wanted"


# help lines -------------------------------------------------------------------------------------

PROVISION = re.compile(r"\b\d\.\d{1,2}\b")


async def shows_a_short_help_line(pilot, form: FormScreen, expect: tuple[str, ...] = ()) -> str:
    app = pilot.app
    app.push_screen(form)
    await until(pilot, lambda: app.screen is form)
    await settle(pilot)
    line = form.query_one(".form-help", Static)
    text = text_of(line)
    name = type(form).__name__
    assert PROVISION.search(text), (name, text)
    assert line.size.height <= 2, (name, text, line.size)
    for words in expect:
        assert words in text, (name, text)
    form.dismiss(None)
    await until(pilot, lambda: app.screen is not form)
    return text


async def test_every_form_has_a_help_line_of_one_or_two_lines_citing_the_code(db, setup, monkeypatch):
    from smallhousing.screens import resident_forms as RF
    from smallhousing.screens import settings as SF
    from smallhousing.screens.learning import LearningForm
    from smallhousing.screens.ombudsman import CaseForm

    monkeypatch.setattr(F, "resident_picker", lambda db: None)  # the forms alone, no picker on top

    received = C.log_complaint(db, setup.resident, dt.date(2026, 2, 25), "Leak", channel="email")
    c = responded(db, setup)
    C.request_stage2(db, c.id, on=dt.date(2026, 2, 20), handler_id=setup.cerys)
    C.acknowledge(db, c.id, "Noise, again", handler_id=setup.cerys, on=dt.date(2026, 2, 23))
    view1 = C.complaint_view(db, received.id)
    view2 = C.complaint_view(db, c.id)
    item = C.RemedyInput("apology", "Say sorry", 0, None, True)
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        check = shows_a_short_help_line
        assert "(6.2)" in await check(pilot, F.AcknowledgeForm(db, view1), ("5.6", "5 working days"))
        assert "(6.4)" in await check(
            pilot, F.ExtendForm(db, view1), ("with the resident", "10 more working days")
        )
        assert "(6.15)" in await check(pilot, F.ExtendForm(db, view2), ("20 more working days", "6.16"))
        await check(pilot, F.RespondForm(db, view1), ("decision", "remedies", "outstanding actions", "6.9"))
        await check(pilot, F.RespondForm(db, view2), ("6.19",))
        await check(pilot, F.RemedyForm(db), ("7.1",))
        await check(pilot, F.ActionForm(db), ("6.6",))
        await check(pilot, F.EscalateForm(db, view1), ("6.13",))
        await check(pilot, F.RefuseForm(db, view1), ("section 2",))
        await check(pilot, F.RefuseForm(db, view2, escalation=True), ("5.11",))
        await check(pilot, F.ReassignForm(db, view2), ("6.13",))
        await check(pilot, F.AdditionalComplaintForm(db, view1), ("6.8",))
        await check(pilot, F.CloseForm(db, view2))
        await check(pilot, F.WithdrawForm(db, view1), ("confirm",))
        await check(pilot, F.NoteForm(db, view1))
        await check(pilot, F.CompleteItemForm(db, view1, "remedy", item))
        await check(pilot, F.NewServiceRequestForm(db), ("1.4",))
        await check(pilot, RF.ResidentForm(db))
        await check(pilot, RF.RepresentativeForm(db, setup.resident))
        await check(pilot, RF.AdjustmentForm(db, setup.resident))
        await check(pilot, RF.RestrictionForm(db, setup.resident))
        await check(pilot, RF.ReviewForm(db, "adjustment", 1, "Large print"))
        await check(pilot, SF.StaffForm(db), ("6.13",))
        await check(pilot, LearningForm(db), ("9.1",))
        await check(pilot, CaseForm(db), ("9.7",))
        await check(pilot, F.NewComplaintForm(db), ("5 working days",))
