"""Files received on the complaint screen (Code 5.12): d adds one through a small form (the path is
checked as it is typed), the timeline and the Letters tab show it, y or Enter opens it (here, with
no desktop, the message says where the copy kept is)."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import settle, text_of, typed, until

from smallhousing.app import build_app
from smallhousing.services import attachments as A
from smallhousing.services import complaints as C

pytestmark = pytest.mark.usefixtures("no_backup")
SIZE = (80, 24)
PDF = b"%PDF-1.4\n%%EOF\n"


def screen_name(app) -> str:
    return type(app.screen).__name__


async def open_complaint(app, pilot, ref) -> None:
    await settle(pilot)
    app.open_complaint(ref)
    await until(pilot, lambda: screen_name(app) == "ComplaintScreen" and app.screen.view is not None)
    await settle(pilot)


@pytest.fixture
def complaint(db, setup):
    # TODAY is Mon 2 Mar 2026; received Mon 23 Feb 2026
    return C.log_complaint(
        db, setup.resident, dt.date(2026, 2, 23), "Damp in the back bedroom", channel="email"
    )


async def test_d_adds_a_file_and_the_timeline_and_letters_tab_show_it(db, complaint, tmp_path, monkeypatch):
    src = tmp_path / "survey.pdf"
    src.write_bytes(PDF)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await open_complaint(app, pilot, complaint.reference)
        assert "d add file" in text_of(app.screen.query_one("#also"))
        assert "y open file" not in text_of(app.screen.query_one("#also"))  # nothing to open yet
        await pilot.press("d")
        await until(pilot, lambda: screen_name(app) == "AttachFileForm")
        await typed(pilot, str(tmp_path / "nothing.pdf"))
        await pilot.press("tab")
        await settle(pilot)
        assert "There is no file at" in " ".join(text_of(w) for w in app.screen.query(".field-msg"))
        await pilot.press("shift+tab")
        await pilot.press("ctrl+u")
        await typed(pilot, str(src))
        await pilot.press("tab")
        await pilot.press("tab")
        await typed(pilot, "Damp survey")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: screen_name(app) == "ComplaintScreen")
        await until(pilot, lambda: app.screen.view is not None and app.screen.view.attachments)
        await settle(pilot)
        [a] = A.list_attachments(db, complaint_id=complaint.id)
        assert (a.file_name, a.received_on, a.description) == ("survey.pdf", db.today, "Damp survey")
        timeline = "\n".join(text_of(w) for w in app.screen.query("#timeline Static"))
        assert f"2 Mar 2026  received file survey.pdf ({len(PDF)} bytes)" in timeline
        assert "Damp survey" in timeline
        await pilot.press("4")
        await settle(pilot)
        row = [str(x) for x in app.screen.query_one("#letters").get_row_at(0)]
        assert row[1] == "file received" and row[2].startswith("survey.pdf")
        await pilot.press("y")
        await until(pilot, lambda: any("no viewer" in n.message for n in app._notifications))
        [note] = [n for n in app._notifications if "no viewer" in n.message]
        assert str(db.path.parent / a.stored_path) in note.message and note.title == "survey.pdf"


async def test_a_file_changed_since_is_not_opened(db, complaint, tmp_path):
    src = tmp_path / "photo.png"
    src.write_bytes(b"\x89PNG made up")
    a = A.add_attachment(db, complaint=complaint.id, path=src, received_on=dt.date(2026, 2, 24))
    kept = db.path.parent / a.stored_path
    kept.write_bytes(b"something else")
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await open_complaint(app, pilot, complaint.reference)
        await pilot.press("4")
        await settle(pilot)
        app.screen.query_one("#letters").focus()
        await pilot.press("enter")
        await until(
            pilot, lambda: any("has changed since it was added" in n.message for n in app._notifications)
        )


async def test_a_refused_date_keeps_the_form_and_says_why(db, complaint, tmp_path):
    src = tmp_path / "a.pdf"
    src.write_bytes(PDF)
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await open_complaint(app, pilot, complaint.reference)
        await pilot.press("d")
        await until(pilot, lambda: screen_name(app) == "AttachFileForm")
        await typed(pilot, str(src))
        await pilot.press("tab")
        await pilot.press("ctrl+u")
        await typed(pilot, "20/02/2026")  # before the complaint was received (23 Feb 2026)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen_name(app) == "AttachFileForm"
        assert "before the complaint was received" in text_of(app.screen.query_one("#form-error"))
    assert A.list_attachments(db, complaint_id=complaint.id) == []
