"""Letters: every kind carries what the Code requires, text comes out as typed, the check refuses
incomplete letters and writes nothing, large print is large, output is repeatable."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import stat
import subprocess
import sys

import pytest
from pypdf import PdfReader

from smallhousing import paths
from smallhousing.domain import letter_rules as LR
from smallhousing.services import complaints as C
from smallhousing.services import letters as SL
from smallhousing.services import residents as R
from smallhousing.services import settings as S
from smallhousing.store.models import OMBUDSMAN_FORM, OMBUDSMAN_PHONE, OMBUDSMAN_POST

D = dt.date
DEFINITION = "Water comes through the bathroom ceiling whenever the flat above runs a bath."
OUTCOME = "The leak traced and fixed, and the ceiling made good."
REASONS = "Our repairs log shows two visits that did not find the source; the third visit did."
PLAN = "Alice Adams will phone you every Friday until we respond."


# building complaints in each state ----------------------------------------------------------------


def logged(db, setup, **kw):
    return C.log_complaint(
        db,
        setup.resident,
        D(2026, 2, 2),
        kw.pop("description", DEFINITION),
        channel="phone",
        outcome_sought=OUTCOME,
        handler_id=setup.alice,
        **kw,
    )


def acknowledged(db, setup, **kw):
    c = logged(db, setup, **kw)
    C.acknowledge(
        db,
        c.id,
        DEFINITION,
        responsible_for="The repair to the ceiling and its delay.",
        not_responsible_for="Damage to your carpet, which is for your contents insurance.",
        handler_id=setup.alice,
        on=D(2026, 2, 3),
    )
    return c


def responded(db, setup, *, actions=True, **kw):
    c = acknowledged(db, setup, **kw)
    C.extend(
        db, c.id, D(2026, 2, 24), "We are waiting for a plumber's report.", on=D(2026, 2, 9), update_plan=PLAN
    )
    C.respond(
        db,
        c.id,
        "partly upheld",
        REASONS,
        remedies=[
            C.RemedyInput("apology", "We apologise for the two wasted visits."),
            C.RemedyInput(
                "financial remedy",
                "Payment for your time and trouble",
                amount_pence=7500,
                due_on=D(2026, 3, 6),
            ),
        ],
        actions=[
            C.ActionInput("Replace the damaged ceiling boards", owner="Imran Shah", due_on=D(2026, 3, 16))
        ]
        if actions
        else [],
        on=D(2026, 2, 20),
    )
    return c


def stage2(db, setup):
    c = responded(db, setup)
    C.request_stage2(db, c.id, on=D(2026, 2, 23), handler_id=setup.bilal)
    C.acknowledge(
        db,
        c.id,
        "You are still unhappy with how long the ceiling repair is taking.",
        handler_id=setup.bilal,
        on=D(2026, 2, 24),
    )
    C.extend(
        db,
        c.id,
        D(2026, 4, 14),
        "We have asked an independent surveyor to inspect.",
        on=D(2026, 2, 25),
        update_plan=PLAN,
    )
    C.respond(
        db,
        c.id,
        "upheld",
        "The repair took far longer than our published timescale.",
        remedies=[
            C.RemedyInput(
                "financial remedy",
                "A further payment for the distress caused",
                amount_pence=15000,
                due_on=D(2026, 3, 13),
            )
        ],
        on=D(2026, 3, 2),
    )
    return c


def refused(db, setup):
    c = logged(db, setup)
    C.refuse(
        db,
        c.id,
        "already considered",
        "We answered the same points in complaint 2025-0042.",
        on=D(2026, 2, 4),
        decided_by=setup.cerys,
    )
    return c


def decided(db, complaint_id, **ids):
    """Set who decided a refusal straight on the row (as records made before deciders were kept)."""
    import sqlite3

    con = sqlite3.connect(str(db.path))
    for k, v in ids.items():
        con.execute(f"UPDATE complaint SET {k} = ? WHERE id = ?", (v, complaint_id))
    con.commit()
    con.close()


def escalation_refused(db, setup):
    c = responded(db, setup)
    C.refuse_escalation(
        db,
        c.id,
        "legal proceedings",
        "A disrepair claim has been filed at the county court.",
        on=D(2026, 2, 25),
        decided_by=setup.bilal,
    )
    return c


def pdf_text(path_or_bytes) -> str:
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else open(path_or_bytes, "rb").read()
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(p.extract_text() for p in reader.pages)


def squash(text: str) -> str:
    """Without any whitespace, so line wrapping never hides or fakes a match."""
    return re.sub(r"\s+", "", text)


def contains(pdf: str, expected: str) -> bool:
    return squash(expected) in squash(pdf)


def letter_files(db):
    folder = paths.letters_dir(db.path)
    return sorted(folder.glob("*.pdf")) if folder.exists() else []


# every kind, every mandatory item ----------------------------------------------------------------

CASES = {
    ("acknowledgement", 1): acknowledged,
    ("extension", 1): responded,
    ("response", 1): responded,
    ("acknowledgement", 2): stage2,
    ("extension", 2): stage2,
    ("response", 2): stage2,
    ("refusal", None): refused,
    ("escalation-refusal", None): escalation_refused,
    ("action-update", 1): responded,
}


@pytest.mark.parametrize("kind,stage", list(CASES))
def test_every_kind_carries_its_mandatory_items(db, setup, kind, stage):
    c = CASES[(kind, stage)](db, setup)
    issued = SL.issue_letter(db, c.reference, kind, stage)
    text = pdf_text(issued.path)
    content = SL.letter_content(db, c.reference, kind, stage)
    for item in LR.mandatory_items(kind, stage, beyond_cap=content.beyond_cap):
        assert content.items[item].strip(), item
        assert contains(text, content.items[item]), f"{item} missing from the PDF"
    # the common furniture, checked against the records rather than the content
    for expected in (
        "Ashbury Homes",
        "1 Mill Lane",
        "01632 960 000",
        "Mrs Siân O'Brien",
        "12 Heol y Parc",
        "AB1 3EF",
        c.reference,
        SL.long_date(content.date),
        "Page 1 of",
    ):
        assert contains(text, expected), expected
    pages = len(PdfReader(str(issued.path)).pages)
    assert f"Page {pages} of {pages}" in text
    assert "@housing-ombudsman" not in text  # never email as the way to bring a case
    assert contains(text, OMBUDSMAN_FORM) and contains(text, OMBUDSMAN_PHONE)


def test_stage1_response_has_a_to_g_with_the_recorded_facts(db, setup):
    c = responded(db, setup)
    text = pdf_text(SL.issue_letter(db, c.reference, "response").path)
    for expected in (
        "stage 1",
        DEFINITION,
        OUTCOME,
        "partly upheld",
        REASONS,
        "We apologise for the two wasted visits (given in this letter)",
        "£75.00",
        "Friday 6 March 2026",
        "Replace the damaged ceiling boards",
        "Monday 16 March 2026",
        "ask us to take your complaint to stage 2",
        "Alice Adams",
    ):
        assert contains(text, expected), expected
    order = [
        squash(text).index(squash(h))
        for h in (
            "The stage your complaint has reached",
            "How we understood your complaint",
            "Our decision",
            "The reasons for our decision",
            "Putting things right",
            "Actions still to be done",
            "asking for stage 2",
        )
    ]
    assert order == sorted(order)


def test_stage2_response_ends_with_the_ombudsman(db, setup):
    c = stage2(db, setup)
    text = pdf_text(SL.issue_letter(db, c.reference, "response", 2).path)
    flat = squash(text)
    assert contains(text, "upheld") and contains(text, "£150.00") and contains(text, "Bilal Bashir")
    omb = flat.index(squash("the Housing Ombudsman"), flat.index(squash("Actions still to be done")))
    for detail in (OMBUDSMAN_FORM, OMBUDSMAN_PHONE, OMBUDSMAN_POST):
        assert flat.index(squash(detail)) > omb
    # nothing but the closing and the signature after the Ombudsman's details
    tail = flat[flat.index(squash(OMBUDSMAN_POST)) :]
    assert squash("Putting things right") not in tail and squash("Actions still to be done") not in tail
    # stage 2 is not offered as a next step any more
    assert squash("ask us to take your complaint to stage 2") not in flat


def test_extension_letter_gives_new_date_reason_and_ombudsman(db, setup):
    c = stage2(db, setup)
    text = pdf_text(SL.issue_letter(db, c.reference, "extension", 1).path)
    assert contains(text, "Tuesday 24 February 2026")  # the new date
    assert contains(text, "Tuesday 17 February 2026")  # the date it replaces
    assert contains(text, "We are waiting for a plumber's report.")
    assert contains(text, OMBUDSMAN_POST)


def test_acknowledgement_asks_to_be_corrected_and_names_responsibilities(db, setup):
    c = acknowledged(db, setup)
    text = pdf_text(SL.issue_letter(db, c.reference, "acknowledgement").path)
    for expected in (
        DEFINITION,
        OUTCOME,
        "The repair to the ceiling and its delay.",
        "Damage to your carpet",
        "please tell us",
        "Tuesday 17 February 2026",
        "Alice Adams, Housing Officer",
    ):
        assert contains(text, expected), expected


def test_refusal_gives_reasons_and_the_ombudsman_route(db, setup):
    c = refused(db, setup)
    text = pdf_text(SL.issue_letter(db, c.reference, "refusal").path)
    assert contains(text, "We answered the same points in complaint 2025-0042.")
    assert contains(text, "right to ask the Housing Ombudsman")
    c2 = escalation_refused(db, setup)
    text = pdf_text(SL.issue_letter(db, c2.reference, "escalation-refusal").path)
    assert contains(text, "A disrepair claim has been filed at the county court.")
    assert contains(text, "not to take your complaint to stage 2")


def test_action_update_says_where_each_action_stands_and_records_the_update(db, setup):
    c = responded(db, setup)
    C.add_action(
        db,
        c.id,
        C.ActionInput("Check the flat above for a second leak", owner="Imran Shah", due_on=D(2026, 2, 27)),
    )
    done = C.add_action(db, c.id, C.ActionInput("Dry out the ceiling void"))
    C.complete_action(db, done.id, on=D(2026, 2, 26))
    issued = SL.issue_letter(db, c.reference, "action-update")
    text = pdf_text(issued.path)
    assert contains(text, "Replace the damaged ceiling boards: by Monday 16 March 2026")
    assert contains(text, "was due by Friday 27 February 2026 and is running late")
    assert contains(text, "Dry out the ceiling void: done on Thursday 26 February 2026")
    v = C.complaint_view(db, c.id)
    assert {a.description: a.last_update_on for a in v.actions} == {
        "Replace the damaged ceiling boards": D(2026, 3, 2),
        "Check the flat above for a second leak": D(2026, 3, 2),
        "Dry out the ceiling void": None,
    }


def test_letter_to_a_representative(db, setup):
    rep = R.add_representative(
        db, setup.resident, "Ffion Ŷnys-Dŵr", relationship="daughter", address="4 Stryd Fawr\nBala"
    )
    c = acknowledged(db, setup, representative_id=rep.id)
    content = SL.letter_content(db, c.reference, "acknowledgement")
    assert content.recipient.name == "Ffion Ŷnys-Dŵr"
    text = pdf_text(SL.issue_letter(db, c.reference, "acknowledgement").path)
    assert contains(text, "Dear Ffion Ŷnys-Dŵr,") and contains(text, "4 Stryd Fawr")
    assert contains(text, "On behalf of") and contains(text, "Mrs Siân O'Brien")


# text exactly as typed -----------------------------------------------------------------------------


def test_markup_quotes_and_welsh_come_out_literally(db, setup):
    R.update_resident(db, setup.resident, name="Mr Gwŷn <b>Dŵr</b> & \"Sons\" 'Ltd'")
    typed = 'Fence <between> 3 & 4 said "not ours" — l\'ŵyr ŷ Siân; <font size=40>big</font> &amp;'
    c = logged(db, setup, description=typed)
    C.acknowledge(
        db, c.id, typed, responsible_for="Fences <1.8m> & gates", handler_id=setup.alice, on=D(2026, 2, 3)
    )
    text = pdf_text(SL.issue_letter(db, c.reference, "acknowledgement").path)
    assert contains(text, typed)
    assert contains(text, "Mr Gwŷn <b>Dŵr</b> & \"Sons\" 'Ltd'")
    assert contains(text, "Fences <1.8m> & gates")


def test_long_text_runs_over_several_pages_intact(db, setup):
    para = (
        "Point {n}: the repair on the stairwell was promised and then cancelled without notice, "
        "and the tenant had to chase the contractor by phone. "
    )
    long = "\n\n".join(para.format(n=i) * 3 for i in range(1, 41))
    c = logged(db, setup)
    C.acknowledge(db, c.id, long, responsible_for="All of it.", handler_id=setup.alice, on=D(2026, 2, 3))
    issued = SL.issue_letter(db, c.reference, "acknowledgement")
    reader = PdfReader(str(issued.path))
    assert len(reader.pages) >= 4
    # leave out the running header and footer, which fall between pages
    text = "\n".join(
        line
        for line in pdf_text(issued.path).splitlines()
        if not re.fullmatch(r"Page \d+ of \d+", line.strip()) and "  ·  " not in line
    )
    for i in range(1, 41):
        assert contains(text, para.format(n=i) * 3)
    n = len(reader.pages)
    assert [f"Page {k} of {n}" in reader.pages[k - 1].extract_text() for k in range(1, n + 1)] == [True] * n


# the check ----------------------------------------------------------------------------------------


def test_missing_outstanding_actions_statement_is_refused_and_nothing_is_written(db, setup):
    c = responded(db, setup, actions=False)
    # respond() now records "no outstanding actions" itself; a record without the statement
    # (an older or imported one) is what the check must catch
    import sqlite3

    con = sqlite3.connect(str(db.path))
    con.execute("UPDATE stage SET actions_statement = '' WHERE complaint_id = ?", (c.id,))
    con.commit()
    con.close()
    before = len(C.complaint_view(db, c.id).correspondence)
    with pytest.raises(SL.LetterRefused) as exc:
        SL.issue_letter(db, c.reference, "response")
    assert exc.value.problems == [LR.ITEMS["actions"]]
    assert letter_files(db) == []
    assert len(C.complaint_view(db, c.id).correspondence) == before
    text, problems = SL.preview_text(db, c.reference, "response")
    assert problems == [LR.ITEMS["actions"]] and REASONS in text
    # the user says so plainly, and then the letter can go
    SL.update_letter_details(db, c.reference, actions_statement="There is nothing left for us to do.")
    issued = SL.issue_letter(db, c.reference, "response")
    assert contains(pdf_text(issued.path), "There is nothing left for us to do.")
    with pytest.raises(SL.DomainError, match="already been issued"):
        SL.update_letter_details(db, c.reference, actions_statement="Changed afterwards.")


@pytest.mark.parametrize(
    "item,section",
    [
        ("reasons", "The reasons for our decision"),
        ("remedy", "Putting things right"),
        ("definition", "How we understood your complaint"),
        ("decision", "Our decision"),
    ],
)
def test_check_names_each_missing_response_item(db, setup, item, section):
    c = responded(db, setup)
    content = SL.letter_content(db, c.reference, "response")
    assert SL.check_letter(content) == []
    content.sections = [(h, "" if h == section else t) for h, t in content.sections]
    assert SL.check_letter(content) == [LR.ITEMS[item]]


def test_an_item_held_but_not_printed_still_fails(db, setup):
    c = acknowledged(db, setup)
    content = SL.letter_content(db, c.reference, "acknowledgement")
    content.sections = [s for s in content.sections if s[0] != "Please tell us if we have got this wrong"]
    assert SL.check_letter(content) == [LR.ITEMS["clarification"]]


def test_extension_past_the_cap_needs_its_good_reason(db, setup):
    c = acknowledged(db, setup)
    C.extend(
        db,
        c.id,
        D(2026, 3, 13),
        "The surveyor is away.",
        good_reason="Only one surveyor covers damp.",
        on=D(2026, 2, 9),
        update_plan=PLAN,
    )
    content = SL.letter_content(db, c.reference, "extension")
    assert content.beyond_cap and SL.check_letter(content) == []
    assert "Only one surveyor covers damp." in SL.preview_text(db, c.reference, "extension")[0]
    content.sections = [
        (h, t.split("\n\n")[0]) if h == "Why we need more time" else (h, t) for h, t in content.sections
    ]
    assert SL.check_letter(content) == [LR.ITEMS["good_reason"]]


def _store_settings(db, **values) -> None:
    """Put values in the settings row as they are, past update_settings' checks."""
    from smallhousing.services.base import transaction
    from smallhousing.store.models import LandlordSettings

    with transaction(db) as u:
        row = u.session.exec(S.select(LandlordSettings)).first()
        for k, v in values.items():
            setattr(row, k, v)
        u.session.add(row)


def test_settings_without_landlord_or_with_ombudsman_email_are_refused(db, setup):
    c = refused(db, setup)
    # settings refuse these details now; a database saved before that rule may still hold them
    _store_settings(db, ombudsman_form_url="complaints@housing-ombudsman.org.uk")
    with pytest.raises(SL.LetterRefused) as exc:
        SL.issue_letter(db, c.reference, "refusal")
    assert any("not take new cases by email" in p for p in exc.value.problems)
    _store_settings(db, ombudsman_form_url=OMBUDSMAN_FORM, ombudsman_post="PO Box 152, Liverpool L33 7WQ")
    assert any("out of date" in p for p in SL.check_letter(SL.letter_content(db, c.reference, "refusal")))
    assert letter_files(db) == []


def test_missing_landlord_details_and_address(db):
    r = R.add_resident(db, "Nia Hughes")  # no address
    staff = S.add_staff(db, "Dai Evans")
    c = C.log_complaint(db, r.id, D(2026, 2, 2), "No hot water", handler_id=staff.id)
    C.acknowledge(db, c.id, "No hot water since January", responsible_for="The boiler.", on=D(2026, 2, 3))
    problems = SL.check_letter(SL.letter_content(db, c.reference, "acknowledgement"))
    assert problems == [
        LR.ITEMS["landlord_name"],
        LR.ITEMS["landlord_contact"],
        LR.ITEMS["recipient_address"],
        LR.ITEMS["outcome_sought"],
    ]


@pytest.mark.parametrize(
    "builder,kind,stage,message",
    [
        (logged, "acknowledgement", None, "has not been acknowledged"),
        (acknowledged, "response", None, "has not been answered"),
        (acknowledged, "extension", None, "No extension has been recorded"),
        (acknowledged, "refusal", None, "has not been refused"),
        (responded, "escalation-refusal", None, "has not been refused"),
        (acknowledged, "action-update", None, "no outstanding actions"),
        (acknowledged, "response", 2, "has no stage 2"),
        (acknowledged, "response", 3, "must be 1 or 2"),
        (acknowledged, "letter-to-santa", None, "Unknown letter kind"),
    ],
)
def test_kinds_that_do_not_fit_the_complaint_are_refused_plainly(db, setup, builder, kind, stage, message):
    c = builder(db, setup)
    with pytest.raises(SL.DomainError, match=message):
        SL.issue_letter(db, c.reference, kind, stage)
    assert letter_files(db) == []


def test_available_kinds(db, setup):
    c = responded(db, setup)
    avail = {k.kind: k.available for k in SL.available_kinds(db, c.reference)}
    assert avail == {
        "acknowledgement": True,
        "extension": True,
        "response": True,
        "refusal": False,
        "escalation-refusal": False,
        "action-update": True,
    }


# large print, repeatability, the saved file -------------------------------------------------------


def font_sizes(data: bytes) -> set[float]:
    sizes = set()

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            sizes.add(round(font_size * tm[0], 1))

    for page in PdfReader(io.BytesIO(data)).pages:
        page.extract_text(visitor_text=visit)
    return sizes


def test_large_print_is_automatic_and_at_least_16pt(db, setup):
    c = responded(db, setup)
    standard = SL.render_pdf(SL.letter_content(db, c.reference, "response"))
    R.update_resident(db, setup.resident, preferred_format="large print")
    content = SL.letter_content(db, c.reference, "response")
    assert content.large_print
    large = open(SL.issue_letter(db, c.reference, "response").path, "rb").read()
    assert min(font_sizes(large)) >= 16
    assert min(font_sizes(standard)) < 16
    assert len(PdfReader(io.BytesIO(large)).pages) > len(PdfReader(io.BytesIO(standard)).pages)
    assert pdf_text(large).count("Replace the damaged ceiling boards") == 1


def test_same_input_gives_byte_identical_pdf(db, setup):
    c = stage2(db, setup)
    a = SL.issue_letter(db, c.reference, "response", 2)
    b = SL.issue_letter(db, c.reference, "response", 2)
    assert a.path != b.path
    assert a.path.read_bytes() == b.path.read_bytes() and a.sha256 == b.sha256
    # a change in the records changes the letter
    R.update_resident(db, setup.resident, name="Mrs Siân O'Brien-Jones")
    assert SL.render_pdf(SL.letter_content(db, c.reference, "response", 2)) != a.path.read_bytes()


def test_issued_letter_is_private_recorded_and_can_be_opened_again(db, setup):
    c = responded(db, setup)
    issued = SL.issue_letter(db, c.reference, "response")
    assert issued.path.parent == paths.letters_dir(
        db.path
    ).resolve() or issued.path.parent == paths.letters_dir(db.path)
    if os.name == "posix":
        assert stat.S_IMODE(issued.path.stat().st_mode) == 0o600
        assert stat.S_IMODE(issued.path.parent.stat().st_mode) == 0o700
    assert issued.sha256 == hashlib.sha256(issued.path.read_bytes()).hexdigest()
    row = next(r for r in C.complaint_view(db, c.id).correspondence if r.id == issued.correspondence_id)
    # dated the day of the response; made today
    assert (row.letter_kind, row.direction, row.on, row.made_on, row.sha256) == (
        "response",
        "out",
        D(2026, 2, 20),
        D(2026, 3, 2),
        issued.sha256,
    )
    assert "Response letter, stage 1" in row.summary
    assert SL.open_letter_path(db, issued.correspondence_id).resolve() == issued.path.resolve()
    [rec] = SL.list_letters(db, c.reference)
    assert rec.exists and rec.kind == "response"
    issued.path.write_bytes(issued.path.read_bytes() + b"%tampered")
    with pytest.raises(SL.DomainError, match="has changed since it was issued"):
        SL.open_letter_path(db, issued.correspondence_id)
    issued.path.unlink()
    with pytest.raises(SL.DomainError, match="missing"):
        SL.open_letter_path(db, issued.correspondence_id)
    note = C.add_note(db, c.id, "Phoned the resident")
    with pytest.raises(SL.DomainError, match="not a letter"):
        SL.open_letter_path(db, note.id)


def test_issue_to_a_chosen_file_records_that_file(db, setup, tmp_path):
    c = refused(db, setup)
    out = tmp_path / "elsewhere" / "refusal.pdf"
    out.parent.mkdir()
    issued = SL.issue_letter(db, c.reference, "refusal", out=out)
    assert issued.path == out and out.is_file() and letter_files(db) == []
    assert SL.open_letter_path(db, issued.correspondence_id).resolve() == out.resolve()
    assert [p.name for p in out.parent.iterdir()] == ["refusal.pdf"]  # no temporary file left


def test_reportlab_is_not_loaded_at_start_up():
    code = (
        "import sys, smallhousing.cli as c, smallhousing.services.letters, smallhousing.letters; "
        "c.build_parser(); assert 'reportlab' not in sys.modules, 'reportlab loaded'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_stage1_response_gives_the_escalation_window_when_one_is_set(db, setup):
    c = responded(db, setup)
    assert "working days of the date of this letter" not in SL.preview_text(db, c.reference, "response")[0]
    S.update_settings(db, escalation_window_days=20)
    text = SL.preview_text(db, c.reference, "response")[0]
    # 20 working days from the response of Friday 20 February, not from the day the file is made
    assert (
        "Please ask within 20 working days of the date of this letter, that is by Friday 20 March 2026."
        in text
    )
