"""Letters that tell the truth: one date per event, a check that cannot be fooled, no letter that
contradicts itself, and letters that post in a window envelope."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader
from test_letters import (
    DEFINITION,
    PLAN,
    REASONS,
    acknowledged,
    contains,
    decided,
    logged,
    pdf_text,
    refused,
    responded,
    stage2,
)

from smallhousing.domain import letter_rules as LR
from smallhousing.services import complaints as C
from smallhousing.services import letters as SL
from smallhousing.services import residents as R
from smallhousing.store.models import Extension

D = dt.date


# 1. one date per event ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind,stage,builder,day",
    [
        ("acknowledgement", 1, acknowledged, D(2026, 2, 3)),
        ("extension", 1, responded, D(2026, 2, 9)),
        ("response", 1, responded, D(2026, 2, 20)),
        ("refusal", None, refused, D(2026, 2, 4)),
    ],
)
def test_letter_is_dated_the_event_and_a_later_copy_says_when_it_was_made(
    db, setup, kind, stage, builder, day
):
    c = builder(db, setup)
    issued = SL.issue_letter(db, c.reference, kind, stage)
    text = pdf_text(issued.path)
    assert contains(text, SL.long_date(day)) and not contains(text, "Date Monday 2 March 2026")
    assert contains(text, "This copy was made on Monday 2 March 2026")
    row = next(r for r in C.complaint_view(db, c.id).correspondence if r.id == issued.correspondence_id)
    assert (row.on, row.made_on) == (day, D(2026, 3, 2))


def test_final_response_gives_the_ombudsman_deadline_as_a_date(db, setup):
    c = stage2(db, setup)  # final response on Monday 2 March 2026
    text = SL.preview_text(db, c.reference, "response", 2)[0]
    assert "that is by Tuesday 2 March 2027" in text


def test_action_running_late_is_judged_on_the_letters_date(db, setup):
    c = responded(db, setup)  # action due 16 March 2026, response 20 February
    late = SL.preview_text(db, c.reference, "action-update", on=D(2026, 3, 2))[0]
    assert "Replace the damaged ceiling boards: by Monday 16 March 2026" in late
    # an update dated later than today is refused; one dated the response day is allowed
    with pytest.raises(SL.DomainError):
        SL.letter_content(db, c.reference, "action-update", on=D(2026, 3, 3))
    # a copy of the response made after the action was done still says what stood on its day
    [a] = C.complaint_view(db, c.id).actions
    C.complete_action(db, a.id, on=D(2026, 2, 27))
    text = SL.preview_text(db, c.reference, "response")[0]
    assert "done on" not in text and "by Monday 16 March 2026" in text


def test_warning_when_a_promised_date_has_passed(db, setup):
    c = acknowledged(db, setup)  # response promised by 17 February; today is 2 March
    p = SL.preview(db, c.reference, "acknowledgement")
    assert p.problems == [] and len(p.warnings) == 1 and "Tuesday 17 February 2026" in p.warnings[0]
    SL.issue_letter(db, c.reference, "acknowledgement")  # a warning does not stop it


def test_issuing_an_extension_letter_records_that_the_resident_was_told(db, setup):
    c = responded(db, setup)
    SL.issue_letter(db, c.reference, "extension", 1)
    from smallhousing.services.base import reading

    with reading(db) as u:
        e = u.session.get(Extension, 1)
        assert (e.resident_told, e.told_on, e.told_how) == (True, D(2026, 2, 9), "letter")


# 2. a check that cannot be fooled -----------------------------------------------------------------


@pytest.mark.parametrize("reasons", ["...", " \u200b\u200b ", "— ; —", DEFINITION.upper() + "!"])
def test_reasons_without_words_or_repeating_the_definition_are_missing(db, setup, reasons):
    c = responded(db, setup)
    content = SL.letter_content(db, c.reference, "response")
    content.items["reasons"] = reasons
    content.sections = [
        (h, reasons if h == "The reasons for our decision" else t) for h, t in content.sections
    ]
    assert LR.ITEMS["reasons"] in SL.check_letter(content)


def test_remedy_without_a_date_and_action_without_owner_fail(db, setup):
    c = acknowledged(db, setup)
    C.respond(
        db,
        c.id,
        "upheld",
        REASONS,
        remedies=[C.RemedyInput("financial remedy", "Payment for your time", amount_pence=5000)],
        actions=[C.ActionInput("Fix the gutter")],
        on=D(2026, 2, 20),
    )
    problems = SL.check_letter(SL.letter_content(db, c.reference, "response"))
    assert any("date by which this remedy" in p for p in problems)
    assert any("who is responsible" in p for p in problems)
    assert any("date this outstanding action is due" in p for p in problems)


def test_stage2_acknowledgement_states_the_outcome_sought(db, setup):
    c = stage2(db, setup)
    content = SL.letter_content(db, c.reference, "acknowledgement", 2)
    assert SL.check_letter(content) == [] and "The leak traced and fixed" in content.body_text()
    from smallhousing.services.base import transaction

    with transaction(db) as u:
        C._complaint(u, c.id).outcome_sought = "  ..  "
    content = SL.letter_content(db, c.reference, "acknowledgement", 2)
    assert LR.ITEMS["outcome_sought"] in SL.check_letter(content)


def test_extension_letter_needs_an_update_plan_which_can_be_typed_in(db, setup):
    c = acknowledged(db, setup)
    C.extend(db, c.id, D(2026, 2, 24), "Waiting for a report.", on=D(2026, 2, 9))
    p = SL.preview(db, c.reference, "extension")
    assert p.problems == [LR.ITEMS["update_plan"]] and [f.field for f in p.fixes] == ["update_plan"]
    SL.update_letter_details(db, c.reference, update_plan=PLAN)
    issued = SL.issue_letter(db, c.reference, "extension")
    assert contains(pdf_text(issued.path), PLAN)
    with pytest.raises(SL.DomainError, match="already been issued"):
        SL.update_letter_details(db, c.reference, update_plan="Something else")


def test_refusal_names_who_decided_never_a_default(db, setup):
    c = logged(db, setup)
    C.refuse(
        db,
        c.id,
        "already considered",
        "We answered this in 2025-0042.",
        on=D(2026, 2, 4),
        decided_by=setup.cerys,
    )
    decided(db, c.id, refused_by_id=None)  # as a refusal recorded before deciders were kept
    content = SL.letter_content(db, c.reference, "refusal")
    assert LR.ITEMS["decided_by"] in SL.check_letter(content) and "Sam Okoye" not in content.body_text()
    decided(db, c.id, refused_by_id=setup.cerys)
    content = SL.letter_content(db, c.reference, "refusal")
    assert SL.check_letter(content) == [] and "Cerys Cole, Director" in content.body_text()


def test_imported_log_without_remedy_asks_for_a_real_statement(db, setup, tmp_path):
    from smallhousing.services import transfer as T

    f = tmp_path / "log.csv"
    f.write_text(
        "reference,received_on,resident_name,address,summary,outcome_sought,definition,"
        "stage1_acknowledged_on,stage1_responded_on,stage1_decision,stage1_reasons,"
        "responsible_for\r\n"
        'ACH-9,2026-02-02,Ms Irene Edwards,"3 Low Rd, Ashbury, ab1 9zz",Damp,Dry walls,'
        "Damp in the bedroom,2026-02-03,2026-02-10,not upheld,The survey found no damp.,"
        "The walls of the flat\r\n",
        encoding="utf-8",
    )
    T.import_csv(db, f)
    ack = SL.letter_content(db, "ACH-9", "acknowledgement")
    assert "The walls of the flat" in ack.body_text() and ack.salutation == "Dear Ms Edwards,"
    assert "AB1 9ZZ" in ack.recipient.address_lines
    content = SL.letter_content(db, "ACH-9", "response")
    assert T.NO_REMEDY not in content.body_text()
    assert LR.ITEMS["remedy"] in SL.check_letter(content)


# 3. no letter contradicts itself ------------------------------------------------------------------


def test_final_response_lists_stage1_actions_and_never_says_none(db, setup):
    c = stage2(db, setup)  # stage 2 answered with no actions: respond() noted "no outstanding"
    text = SL.preview_text(db, c.reference, "response", 2)[0]
    assert "Replace the damaged ceiling boards" in text
    assert "There are no outstanding actions" not in text


# 4. letters that post ----------------------------------------------------------------------------


def _text_positions(data: bytes) -> list[tuple[float, float, str]]:
    page = PdfReader(io.BytesIO(data)).pages[0]
    out = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            x = tm[4] * cm[0] + cm[4]
            y = tm[5] * cm[3] + cm[5]
            out.append((x, y, text.strip()))

    page.extract_text(visitor_text=visit)
    return out


@pytest.mark.parametrize("large", [False, True])
def test_address_alone_in_the_envelope_window(db, setup, large):
    from reportlab.lib.units import mm

    if large:
        R.update_resident(db, setup.resident, preferred_format="large print")
    c = responded(db, setup)
    content = SL.letter_content(db, c.reference, "response")
    data = SL.render_pdf(content)
    top = 297 * mm
    inside = [
        t
        for x, y, t in _text_positions(data)
        if 20 * mm <= x <= 110 * mm and top - 90 * mm <= y <= top - 50 * mm
    ]
    expected = [content.recipient.name, *content.recipient.address_lines]
    assert inside and all(any(t in e or e in t for e in expected) for t in inside), inside
    assert all(any(e in t for t in inside) for e in expected)


def test_more_than_seven_address_lines_is_refused(db, setup):
    R.update_resident(
        db, setup.resident, address="Flat 1, Block A, The Court, High St, Ashbury, Shire, England, Europe"
    )
    c = acknowledged(db, setup)
    problems = SL.check_letter(SL.letter_content(db, c.reference, "acknowledgement"))
    assert any("at most 7 lines" in p for p in problems)


@pytest.mark.parametrize(
    "name,greeting",
    [
        ("Ms Irene Edwards", "Dear Ms Edwards,"),
        ("Dr. A N Other", "Dear Dr. Other,"),
        ("Irene Edwards", "Dear Irene Edwards,"),
    ],
)
def test_salutation(name, greeting):
    assert SL.salutation(name) == greeting


def test_no_doubled_punctuation_in_remedy_lines(db, setup):
    c = acknowledged(db, setup)
    C.respond(
        db,
        c.id,
        "upheld",
        REASONS,
        remedies=[
            C.RemedyInput(
                "financial remedy", "For your time and trouble.", amount_pence=40000, due_on=D(2026, 3, 6)
            )
        ],
        on=D(2026, 2, 20),
    )
    text = SL.preview_text(db, c.reference, "response")[0]
    assert "trouble: £400.00" in text and ".:" not in text


def test_sign_off_and_last_section_share_a_page_without_wasting_one(db, setup):
    """The sign-off is kept with the letter's last section, but that must not push the two onto a
    page of their own when they fit after the section before (a nested keep-together did)."""
    c = acknowledged(db, setup)
    content = SL.letter_content(db, c.reference, "acknowledgement")
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(SL.render_pdf(content))).pages]
    heading = content.sections[-1][0]
    on = [i for i, t in enumerate(pages) if heading in t]
    assert on and "Yours sincerely" in pages[on[0]]
    before = content.sections[-2][0]
    # the last two sections together take well under a page, so they share one
    assert any(before in t and heading in t for t in pages), [t[:80] for t in pages]
