"""The letter is part of the step, in the app (issue 15, item 1), and the complaint screen's smaller
points (item 9): staff names and plain dates in the timeline, the service request's reference."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import settle, text_of, until
from test_letters import D, acknowledged

from smallhousing.app import build_app
from smallhousing.services import complaints as C
from smallhousing.services import queries as Q
from smallhousing.services import step_letters as STL
from smallhousing.store.db import Database

pytestmark = pytest.mark.usefixtures("no_backup")
SIZE = (80, 24)


def screen_name(app) -> str:
    return type(app.screen).__name__


async def open_complaint(app, pilot, ref) -> None:
    await settle(pilot)
    app.open_complaint(ref)
    await until(pilot, lambda: screen_name(app) == "ComplaintScreen" and app.screen.view is not None)
    await settle(pilot)


async def test_the_header_says_send_the_letter_and_g_opens_it(db, setup):
    c = acknowledged(db, setup)
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await open_complaint(app, pilot, c.reference)
        assert "Next: Send the stage 1 acknowledgement letter" in text_of(app.screen.query_one("#next"))
        await pilot.press("g")
        await settle(pilot)
        assert screen_name(app) == "LetterPreviewScreen"
        assert app.screen.owed is not None
        # closed without sending: it says so, and the letter is still owed
        await pilot.press("escape")
        await settle(pilot)
        assert screen_name(app) == "ComplaintScreen"
        assert any("is not sent yet" in n.message for n in app._notifications)
    assert [o.kind for o in STL.owed_letters(db, c.id)] == ["acknowledgement"]


async def test_the_dashboard_lists_a_letter_not_sent_and_enter_opens_its_complaint(db, setup):
    c = acknowledged(db, setup)
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: getattr(app.screen, "figures_shown", False))
        table = app.screen.query_one("#worklist")
        first = [str(x) for x in table.get_row_at(0)]
        assert first[0] == c.reference and first[2].startswith("letter not sent")
        await pilot.press("enter")
        await until(pilot, lambda: screen_name(app) == "ComplaintScreen")


async def test_sent_another_way_refuses_a_dot_and_keeps_the_form(db, setup):
    c = acknowledged(db, setup)
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await open_complaint(app, pilot, c.reference)
        await pilot.press("g")
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert screen_name(app) == "SentAnotherWayForm"
        await pilot.press(".")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen_name(app) == "SentAnotherWayForm"  # refused: the form stays, with what was typed
        assert "words" in text_of(app.screen.query_one("#form-error"))
    assert STL.owed_letters(db, c.id)


async def test_timeline_names_staff_and_gives_plain_dates(tmp_path, setup, db):
    c = acknowledged(db, setup)
    root = Database(db.path, actor="root", today=db.today)
    C.add_note(root, c.id, "Phoned the resident about the leak.", on=D(2026, 2, 5))
    app = build_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_complaint(app, pilot, c.reference)
        await pilot.press("2")
        await settle(pilot)
        lines = [text_of(w) for w in app.screen.query(".event")]
    root.close()
    assert any(line.startswith("3 Feb 2026  stage 1 acknowledged  (Alice Adams)") for line in lines), lines
    assert not any("root" in line for line in lines), lines
    assert not any(line[:3] in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun") for line in lines)


async def test_a_complaint_raised_from_a_service_request_shows_its_reference(db, setup):
    sr = C.log_service_request(db, setup.resident, D(2026, 2, 2), "The boiler keeps cutting out.")
    c = C.raise_from_service_request(db, sr.id, D(2026, 2, 9), "Nobody came to fix the boiler.")
    app = build_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_complaint(app, pilot, c.reference)
        summary = " ".join(text_of(w) for w in app.screen.query("#summary .detail"))
    assert sr.reference in summary


def test_letters_not_sent_are_oldest_first(db, setup):
    a = acknowledged(db, setup)
    b = C.log_complaint(db, setup.resident, D(2026, 2, 2), "Noise at night", handler_id=setup.alice)
    C.acknowledge(db, b.id, "Noise from the flat above at night.", on=D(2026, 2, 2))
    items = Q.letters_not_sent(db)
    assert [(i.reference, i.due) for i in items] == [
        (b.reference, D(2026, 2, 2)),
        (a.reference, D(2026, 2, 3)),
    ]
    assert all(i.due <= dt.date.today() for i in items)
