"""The Ombudsman case file (issue 18 part 2): one PDF with the whole complaint, its letters and
attachments, each deadline met or late as CH02 decides, and a digest of its audit entries."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import sqlite3

import pytest
from helpers import settle, until
from pypdf import PdfReader
from test_letters import refused, squash, stage2
from textual.app import App

from smallhousing import paths
from smallhousing.cli import main
from smallhousing.domain import letter_rules as LR
from smallhousing.reports.casefile import SECTIONS
from smallhousing.services import casefile as CF
from smallhousing.services import complaints as C
from smallhousing.services import figures
from smallhousing.services import letters as SL
from smallhousing.services.base import transaction
from smallhousing.store.models import Attachment

D = dt.date


def png_bytes() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (120, 80), (200, 40, 40)).save(buf, format="PNG")
    return buf.getvalue()


def two_page_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for n in (1, 2):
        c.drawString(72, 720, f"Surveyor report page {n} of 2")
        c.showPage()
    c.save()
    return buf.getvalue()


def attach(
    db, complaint_id: int, name: str, data: bytes, *, received: dt.date, media: str = "", erased=False
):
    """An Attachment row and its file, as the attachments' convention keeps them: the file at
    <the database's folder>/<stored_path>, its SHA-256 on the row."""
    sha = hashlib.sha256(data).hexdigest()
    stored = f"attachments/{sha}"
    if not erased:
        folder = paths.folder_for(db.path) / "attachments"
        folder.mkdir(exist_ok=True)
        (folder / sha).write_bytes(data)
    with transaction(db) as u:
        u.session.add(
            Attachment(
                complaint_id=complaint_id,
                file_name=name,
                stored_path="" if erased else stored,
                sha256=sha,
                size_bytes=len(data),
                media_type=media,
                received_on=received,
                description=f"the {name} the resident sent",
                added_on=received,
                erased_on=received if erased else None,
            )
        )
    return sha


@pytest.fixture
def case(db, setup):
    """A complaint taken to stage 2 (test_letters.stage2: stage 1 received Mon 2 Feb 2026,
    acknowledged 3 Feb, extended on 9 Feb to 24 Feb, answered 20 Feb; stage 2 asked for 23 Feb,
    acknowledged 24 Feb, extended on 25 Feb to 14 Apr, answered 2 Mar), with every letter issued
    except the stage 1 extension letter, so that the resident was never told of that extension."""
    c = stage2(db, setup)
    for kind, stage in (
        (LR.ACKNOWLEDGEMENT, 1),
        (LR.RESPONSE, 1),
        (LR.ACKNOWLEDGEMENT, 2),
        (LR.EXTENSION, 2),
        (LR.RESPONSE, 2),
    ):
        SL.issue_letter(db, c.id, kind, stage)
    attach(db, c.id, "ceiling.png", png_bytes(), received=D(2026, 2, 5), media="image/png")
    attach(db, c.id, "survey.pdf", two_page_pdf(), received=D(2026, 2, 26))
    attach(db, c.id, "email.eml", b"From: resident\n\nStill leaking.", received=D(2026, 2, 10))
    attach(db, c.id, "old-photo.jpg", b"gone", received=D(2026, 2, 4), erased=True)
    return c


def pdf_pages(path) -> list[str]:
    return [p.extract_text() or "" for p in PdfReader(str(path)).pages]


def make(db, c, tmp_path, name="case.pdf"):
    from smallhousing.reports import write_casefile

    return write_casefile(db, c.reference, tmp_path / name)


def letter_pages(db, c) -> list[int]:
    return [len(PdfReader(str(x.path)).pages) for x in SL.list_letters(db, c.id)]


def contents(pages: list[str]) -> dict[str, str]:
    """The contents page's lines: title -> its page or pages, as printed."""
    text = pages[1]
    assert "Contents" in text
    out = {}
    for m in re.finditer(r"^(\d\. [^\n]+?)\n(\d+)$", text, re.M):
        out[m.group(1)] = m.group(2)
    return out


def test_the_case_file_holds_everything_with_its_pages_numbered(db, setup, case, tmp_path):
    cf = CF.case_file(db, case.reference)
    path = make(db, case, tmp_path)
    pages = pdf_pages(path)
    total = len(pages)

    # cover
    cover = squash(pages[0])
    for words in (
        "Complaint case file",
        f"Complaint reference{case.reference}",
        "LandlordAshbury Homes",
        "ResidentMrs Siân O'Brien",
        "Received2 February 2026",
        "Ombudsman case numbernot recorded",
        "This file was made on2 March 2026",
        f"Pages{total}",
    ):
        assert squash(words) in cover, words

    # every page says which page of how many
    for n, text in enumerate(pages, start=1):
        assert squash(f"Case file {case.reference}: page {n} of {total}") in squash(text)

    # the page count adds up: the written part, every letter issued, the PDF (2) and the picture (1)
    lp = letter_pages(db, case)
    assert len(lp) == 5
    written = total - sum(lp) - 2 - 1
    assert written >= 5
    assert cf.appended_pages == sum(lp) + 3

    # the contents name the page each section starts on, and each is there
    found = contents(pages)
    assert list(found) == [t for _, t in SECTIONS]
    for title, page in found.items():
        assert squash(title) in squash(pages[int(page) - 1]), title
        assert int(page) <= written

    # each letter's pages follow the written part, in order, as the contents say
    at = written + 1
    for x, n in zip(SL.list_letters(db, case.id), lp):
        own = PdfReader(str(x.path)).pages[0].extract_text()
        first_line = own.strip().splitlines()[0]
        assert squash(first_line) in squash(pages[at - 1])
        where = f"pages {at} to {at + n - 1}" if n > 1 else f"page {at}"
        assert squash(where) in squash(pages[1])
        at += n
    # then the attachments: the PDF's two pages and the picture's page (the .eml is listed only)
    png_at, pdf_at = at, at + 1  # ordered by the day received: the picture (5 Feb) before the survey
    assert "ceiling.png" in pages[png_at - 1]
    assert "Surveyor report page 1 of 2" in pages[pdf_at - 1]
    assert "Surveyor report page 2 of 2" in pages[pdf_at]
    assert pdf_at + 1 == total


def test_the_chronology_is_in_date_order_with_who_acted(db, setup, case, tmp_path):
    cf = CF.case_file(db, case.reference)
    days = [e.on for e in cf.events]
    assert days == sorted(days)
    assert all(e.who for e in cf.events)
    records = [e for e in cf.events if e.source == "record"]
    assert [e.what for e in records][:4] == [
        "Complaint received (phone)",
        "Stage 1 acknowledged",
        # the letter carries the day of the step it records; its file was made on the day issued
        "Letter issued: Acknowledgement letter, stage 1: Your complaint: our acknowledgement "
        "(stage 1) (file made Mon 2 Mar 2026)",
        "Attachment received: old-photo.jpg",
    ]
    assert records[2].on == D(2026, 2, 3)
    assert records[1].who == "Alice Adams"  # the stage 1 handler
    assert any(e.what == "Stage 2 acknowledged" and e.who == "Bilal Bashir" for e in records)
    escalated = next(e for e in records if e.what.startswith("Asked to escalate"))
    assert escalated.on == D(2026, 2, 23) and escalated.who == "Mrs Siân O'Brien"
    audited = [e for e in cf.events if e.source.startswith("audit log entry")]
    assert len(audited) == len(cf.audit) > 10
    assert {e.who for e in audited} == {"tester"}  # the database's actor, who was signed in

    text = squash("".join(pdf_pages(make(db, case, tmp_path))))
    order = ["Complaint received (phone)", "Stage 1 acknowledged", "Asked to escalate", "Stage 2 response"]
    positions = [text.index(squash(w)) for w in order]
    assert positions == sorted(positions)
    assert "tester" in text and "auditlogentry" in text


def test_deadlines_met_or_late_as_ch02_decides(db, setup, case, tmp_path):
    cf = CF.case_file(db, case.reference)
    got = {(d.stage, d.step): (d.due, d.done_on, d.met) for d in cf.deadlines}
    # Stage 1: acknowledge 5 working days after Mon 2 Feb = Mon 9 Feb (done 3 Feb: met).
    # Respond 10 working days after the acknowledgement on Tue 3 Feb = Tue 17 Feb. The extension
    # to 24 Feb was never told to the resident (its letter was not issued), so it does not count:
    # answered Fri 20 Feb, late by 3 working days (18, 19, 20 Feb).
    # Stage 2: acknowledge 5 working days after Mon 23 Feb = Mon 2 Mar (done 24 Feb: met).
    # Respond 20 working days after Tue 24 Feb = Tue 24 Mar (the told extension to 14 Apr is within
    # the cap, 20 more working days, and counts: 14 Apr); answered 2 Mar: met.
    assert got == {
        (1, "acknowledge"): (D(2026, 2, 9), D(2026, 2, 3), True),
        (1, "respond"): (D(2026, 2, 17), D(2026, 2, 20), False),
        (2, "acknowledge"): (D(2026, 3, 2), D(2026, 2, 24), True),
        (2, "respond"): (D(2026, 4, 14), D(2026, 3, 2), True),
    }
    late = next(d for d in cf.deadlines if (d.stage, d.step) == (1, "respond"))
    assert late.verdict == "late: done 3 working days late"
    assert "does not count" in late.explanation and "has not been told" in late.explanation

    # the same decision as the figures (CH02) for the period the responses fall in
    f = figures.period_figures(db, D(2026, 2, 1), D(2026, 3, 31), "test")
    for n in (1, 2):
        mine = [d for d in cf.deadlines if d.stage == n and d.step == "respond"]
        assert f.stage(n).responded == len(mine)
        assert f.stage(n).responded_on_time == sum(bool(d.met) for d in mine)
        acks = [d for d in cf.deadlines if d.stage == n and d.step == "acknowledge"]
        assert f.stage(n).acknowledged_on_time == sum(bool(d.met) for d in acks)

    # and the words the complaint screen shows
    view = C.complaint_view(db, case.id)
    assert late.explanation == view.stage(1).deadlines.explain_response()
    text = squash("".join(pdf_pages(make(db, case, tmp_path))))
    assert squash("late: done 3 working days late") in text
    assert squash(late.explanation) in text


def test_a_refused_complaint_says_its_steps_were_never_due(db, setup, tmp_path):
    c = refused(db, setup)  # received Mon 2 Feb 2026, refused 4 Feb, never acknowledged
    cf = CF.case_file(db, c.reference)
    # acknowledge 5 working days after Mon 2 Feb = Mon 9 Feb; the response was never timed
    assert [(d.step, d.due, d.verdict) for d in cf.deadlines] == [
        ("acknowledge", D(2026, 2, 9), "not done: the complaint ended before this step"),
        ("respond", None, "not timed: the complaint ended before the stage was acknowledged"),
    ]
    assert any(e.what.startswith("Complaint not accepted") and e.who == "Cerys Cole" for e in cf.events)
    pages = pdf_pages(make(db, c, tmp_path))
    assert squash("No letter was issued from smallhousing on this complaint.") in squash("".join(pages))


def test_a_changed_or_missing_letter_is_said_and_left_out(db, setup, case, tmp_path):
    letters = SL.list_letters(db, case.id)
    lp = letter_pages(db, case)
    changed, missing = letters[1].path, letters[3].path
    with open(changed, "ab") as fh:
        fh.write(b"% changed by hand\n")
    missing.unlink()
    cf = CF.case_file(db, case.reference)
    assert [x.file.state for x in cf.letters] == [CF.OK, CF.CHANGED, CF.OK, CF.MISSING, CF.OK]
    # only the letters still as issued are appended (and the attachments' 3 pages)
    assert cf.appended_pages == lp[0] + lp[2] + lp[4] + 3
    pages = pdf_pages(make(db, case, tmp_path))
    text = squash("".join(pages))
    assert squash("CHANGED since it was recorded") in text
    assert squash(f"MISSING: there is no file at {missing}") in text
    assert text.count(squash("not included")) >= 2
    letters_page = next(p for p in pages if squash("6. Letters issued") in squash(p) and "Contents" not in p)
    assert letters_page.count("not included") >= 2


def test_the_attachments_index(db, setup, case, tmp_path):
    cf = CF.case_file(db, case.reference)
    by_name = {a.file_name: a for a in cf.attachments}
    assert [a.file_name for a in cf.attachments] == [
        "old-photo.jpg",
        "ceiling.png",
        "email.eml",
        "survey.pdf",
    ]
    assert by_name["ceiling.png"].file.kind == "image" and by_name["ceiling.png"].file.pages == 1
    assert by_name["survey.pdf"].file.kind == "pdf" and by_name["survey.pdf"].file.pages == 2
    assert by_name["email.eml"].file.state == CF.LISTED and not by_name["email.eml"].file.pages
    assert by_name["old-photo.jpg"].file.state == CF.ERASED
    pages = pdf_pages(make(db, case, tmp_path))
    text = squash("".join(pages))
    for a in cf.attachments:
        assert squash(a.sha256) in text
        assert squash(a.description) in text
    assert squash("erased on 4 February 2026") in text
    assert squash("this kind of file is listed here, not reproduced") in text

    # an attachment changed on disk is reported and not reproduced
    png = by_name["ceiling.png"]
    (paths.folder_for(db.path) / "attachments" / png.sha256).write_bytes(b"not the picture")
    cf2 = CF.case_file(db, case.reference)
    assert next(a for a in cf2.attachments if a.file_name == "ceiling.png").file.state == CF.CHANGED
    assert cf2.appended_pages == cf.appended_pages - 1


def test_the_digest_matches_the_audit_entries(db, setup, case, tmp_path):
    path = make(db, case, tmp_path)
    con = sqlite3.connect(str(db.path))
    rows = con.execute(
        "SELECT id, hash FROM audit_entry WHERE complaint_id = ? ORDER BY id", (case.id,)
    ).fetchall()
    con.close()
    expected = hashlib.sha256("".join(f"{i} {h}\n" for i, h in rows).encode()).hexdigest()
    meta = PdfReader(str(path)).metadata
    assert meta[CF.METADATA_KEY] == expected
    text = squash("".join(pdf_pages(path)))
    assert expected in text
    for i, h in rows:
        assert f"{i}{h}" in text  # the entry's number beside its hash
    res = CF.check_case_file(db, case.reference, path)
    assert res.ok and res.entries == len(rows)

    C.add_note(db, case.id, "The resident phoned again.")  # a new audit entry for the complaint
    res = CF.check_case_file(db, case.reference, path)
    assert not res.ok and res.entries == len(rows) + 1


def test_demo_records_say_demo_on_every_page(db, setup, case, tmp_path):
    con = sqlite3.connect(str(db.path))  # as services/demo.py marks its records
    con.execute("UPDATE landlord_settings SET demo = 1")
    con.commit()
    con.close()
    pages = pdf_pages(make(db, case, tmp_path))
    assert all("DEMO" in p for p in pages)


# the command line ---------------------------------------------------------------------------------


def test_cli_makes_checks_and_refuses(db, setup, case, tmp_path, capsys):
    path = str(db.path)
    db.close()
    out = tmp_path / "file.pdf"
    assert main(["--db", path, "casefile", case.reference, "--out", str(out)]) == 0
    assert f"Case file saved to {out}" in capsys.readouterr().out
    assert out.is_file()

    before = out.read_bytes()
    assert main(["--db", path, "casefile", case.reference, "--out", str(out)]) == 2
    assert "already exists; nothing was written. Add --force" in capsys.readouterr().err
    assert out.read_bytes() == before
    assert main(["--db", path, "casefile", case.reference, "--out", str(out), "--force"]) == 0
    capsys.readouterr()

    assert main(["--db", path, "casefile", "2026-9999", "--out", str(tmp_path / "x.pdf")]) == 2
    assert "There is no complaint with reference 2026-9999" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()

    assert main(["--db", path, "casefile", case.reference, "--check", str(out)]) == 0
    assert "matches" in capsys.readouterr().out

    # without --out: the reports folder, a new name each time, never replacing one made before
    assert main(["--db", path, "casefile", case.reference]) == 0
    assert main(["--db", path, "casefile", case.reference]) == 0
    made = sorted(p.name for p in paths.reports_dir(db.path).glob("casefile-*.pdf"))
    day = dt.date.today().isoformat()  # the command's database has no fixed day
    assert made == [f"casefile-{case.reference}-{day}-2.pdf", f"casefile-{case.reference}-{day}.pdf"]


# the complaint screen -----------------------------------------------------------------------------


class Host(App):
    def __init__(self, screen) -> None:
        super().__init__()
        self.screen_to_show = screen

    def on_mount(self) -> None:
        self.push_screen(self.screen_to_show)


async def test_key_k_makes_the_case_file_in_the_reports_folder(db, setup, case):
    from textual.widgets import Static

    from smallhousing.screens.complaint import ComplaintScreen

    app = Host(ComplaintScreen(db, case.id))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.screen.view is not None)
        await pilot.press("k")
        folder = paths.reports_dir(db.path)
        await until(pilot, lambda: any(folder.glob("casefile-*.pdf")), seconds=30)
        await settle(pilot)
        await until(
            pilot,
            lambda: "Saved the case file to" in str(app.screen.query_one("#pdf-status", Static).content),
        )
        status = str(app.screen.query_one("#pdf-status", Static).content)
        assert str(folder) in status
