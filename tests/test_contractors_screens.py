"""Contractors in the app (Code 5.4, 5.5): the contractors screen from Settings, the complaint
screen's keys to put a complaint down to a contractor, ask it for a response and record it, the
service requests screen's, and the dashboard's worklist item."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import settle, text_of, typed, until

from smallhousing.app import build_app
from smallhousing.services import complaints as C
from smallhousing.services import contractors as K

pytestmark = pytest.mark.usefixtures("no_backup")
SIZE = (80, 24)
D = dt.date


def screen_name(app) -> str:
    return type(app.screen).__name__


async def open_complaint(app, pilot, ref) -> None:
    await settle(pilot)
    app.open_complaint(ref)
    await until(pilot, lambda: screen_name(app) == "ComplaintScreen" and app.screen.view is not None)
    await settle(pilot)


async def open_contractors(app, pilot) -> None:
    await settle(pilot)
    await pilot.press("f7")
    await until(pilot, lambda: screen_name(app) == "SettingsScreen")
    await settle(pilot)
    await pilot.press("c")
    await until(pilot, lambda: screen_name(app) == "ContractorsScreen")
    await settle(pilot)


def _complaint(db, setup):
    return C.log_complaint(
        db, setup.resident, D(2026, 2, 23), "The roofer left tiles on the drive.", channel="phone"
    )


async def test_add_a_contractor_from_settings_asking_before_discarding(db, setup):
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await open_contractors(app, pilot)
        assert "No contractors yet" in text_of(app.screen.query_one("#contractor-detail"))
        await pilot.press("a")
        await until(pilot, lambda: screen_name(app) == "ContractorForm")
        await typed(pilot, "Roofwise")
        await pilot.press("escape")  # changes: it asks first
        await until(pilot, lambda: screen_name(app) == "ConfirmScreen")
        await pilot.press("escape")  # no: back to the form, with what was typed
        await until(pilot, lambda: screen_name(app) == "ContractorForm")
        assert app.screen.query_one("#f-name").value == "Roofwise"
        await pilot.press("tab")
        await typed(pilot, "roofing")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: screen_name(app) == "ContractorsScreen")
        await settle(pilot)
        table = app.screen.query_one("#contractors-table")
        assert [str(c) for c in table.get_row_at(0)][:2] == ["Roofwise", "roofing"]
        # the same name again is refused in the form, which stays open
        await pilot.press("a")
        await until(pilot, lambda: screen_name(app) == "ContractorForm")
        await typed(pilot, "ROOFWISE")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen_name(app) == "ContractorForm"
        assert "already an active contractor" in text_of(app.screen.query_one("#form-error"))
    assert [c.name for c in K.list_contractors(db)] == ["Roofwise"]


async def test_make_inactive_and_record_a_response_from_the_list(db, setup):
    k = K.add_contractor(db, "Roofwise")
    c = _complaint(db, setup)
    K.ask(db, k.id, "Your account of the visit.", complaint=c.id)
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await open_contractors(app, pilot)
        requests = app.screen.query_one("#requests-table")
        assert requests.row_count == 1 and c.reference in str(requests.get_row_at(0)[0])
        await pilot.press("n")
        await until(pilot, lambda: screen_name(app) == "AnswerForm")
        await typed(pilot, "We left them; cleared now.")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: screen_name(app) == "ContractorsScreen")
        await settle(pilot)
        assert app.screen.query_one("#requests-table").row_count == 0
        await pilot.press("x")
        await settle(pilot)
        await until(
            pilot, lambda: "inactive" in str(app.screen.query_one("#contractors-table").get_row_at(0)[4])
        )
    [r] = K.requests(db)
    assert (r.answer, r.answered_on) == ("We left them; cleared now.", db.today)
    assert K.list_contractors(db)[0].active is False


async def test_the_complaint_screen_puts_it_down_to_a_contractor_asks_and_records(db, setup):
    K.add_contractor(db, "Acme Gas", trade="gas")
    k = K.add_contractor(db, "Roofwise", trade="roofing")
    c = _complaint(db, setup)
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await open_complaint(app, pilot, c.reference)
        assert "contractor" not in text_of(app.screen.query_one("#who"))
        assert "c contractor" in text_of(app.screen.query_one("#also"))
        await pilot.press("c")
        await until(pilot, lambda: screen_name(app) == "PutDownForm")
        await settle(pilot)
        app.screen.query_one("#contractor").value = k.id
        await pilot.press("ctrl+s")
        await until(pilot, lambda: screen_name(app) == "ComplaintScreen")
        await until(pilot, lambda: "contractor Roofwise" in text_of(app.screen.query_one("#who")))

        await pilot.press("r")
        await until(pilot, lambda: screen_name(app) == "AskForm")
        await settle(pilot)
        assert app.screen.query_one("#contractor").value == k.id  # the complaint's contractor
        # the default due date, explained: Mon 2 Mar + 5 working days = Mon 9 Mar
        assert "9 Mar 2026" in " ".join(text_of(w) for w in app.screen.query(".field-hint"))
        app.screen.query_one("#what").focus()
        await typed(pilot, ".")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen_name(app) == "AskForm"  # "." is not what was asked
        assert "words" in text_of(app.screen.query_one("#form-error"))
        app.screen.query_one("#what").text = "Your account of the visit."
        await pilot.press("ctrl+s")
        await until(pilot, lambda: screen_name(app) == "ComplaintScreen")
        await until(pilot, lambda: bool(app.screen.asked))
        summary = " ".join(text_of(w) for w in app.screen.query("#summary Static"))
        assert "Asked Roofwise" in summary and "Not answered yet." in summary

        await pilot.press("n")
        await until(pilot, lambda: screen_name(app) == "AnswerForm")
        await typed(pilot, "We have cleared the drive.")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: screen_name(app) == "ComplaintScreen")
        await until(pilot, lambda: app.screen.asked and app.screen.asked[0].answered_on is not None)
        await settle(pilot)
        summary = " ".join(text_of(w) for w in app.screen.query("#summary Static"))
        assert "We have cleared the drive." in summary
    assert K.complaint_contractor(db, c.id) == "Roofwise"
    [r] = K.requests(db, complaint_id=c.id)
    assert (r.due_on, r.answer) == (D(2026, 3, 9), "We have cleared the drive.")


async def test_the_dashboard_lists_the_awaited_response_and_opens_the_complaint(db, setup):
    k = K.add_contractor(db, "Roofwise")
    c = _complaint(db, setup)  # received Mon 23 Feb: acknowledge by Mon 2 Mar
    K.ask(db, k.id, "Your account.", complaint=c.id, due_on=D(2026, 3, 4))
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: getattr(app.screen, "figures_shown", False))
        table = app.screen.query_one("#worklist")
        rows = [[str(x) for x in table.get_row_at(i)] for i in range(table.row_count)]
        # the acknowledgement (due today) first, then the response awaited (due Wed 4 Mar)
        assert [r[0] for r in rows] == [c.reference, c.reference]
        assert "acknowledge" in rows[0][2] and "Roofwise" in rows[1][2]
        table.focus()
        table.move_cursor(row=1)
        await pilot.press("enter")
        await until(pilot, lambda: screen_name(app) == "ComplaintScreen")


async def test_the_service_requests_screen_puts_a_request_down_to_a_contractor(db, setup):
    k = K.add_contractor(db, "Roofwise")
    sr = C.log_service_request(db, setup.resident, D(2026, 2, 20), "Slipped tiles.")
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        await until(pilot, lambda: screen_name(app) == "ServiceRequestsScreen")
        await settle(pilot)
        await pilot.press("c")
        await until(pilot, lambda: screen_name(app) == "PutDownForm")
        await settle(pilot)
        app.screen.query_one("#contractor").value = k.id
        await pilot.press("ctrl+s")
        await until(pilot, lambda: screen_name(app) == "ServiceRequestsScreen")
        await until(pilot, lambda: "Contractor: Roofwise" in text_of(app.screen.query_one("#request-detail")))
        await pilot.press("r")
        await until(pilot, lambda: screen_name(app) == "AskForm")
        await settle(pilot)
        app.screen.query_one("#what").text = "When will it be fixed?"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: screen_name(app) == "ServiceRequestsScreen")
        await settle(pilot)
    assert K.service_request_contractor(db, sr.id) == "Roofwise"
    [r] = K.requests(db, service_request_id=sr.id)
    assert r.what == "When will it be fixed?"


def test_the_palette_offers_the_contractors_screen():
    from smallhousing.screens import palette

    place = next(p for p in palette.PLACES if p.title == "Contractors")
    assert (place.section, place.via) == ("settings", "contractors")
    assert place in palette.place_classes()
