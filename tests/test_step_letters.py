"""Each step owes the resident its letter until the letter is issued or recorded as sent another
way (issue 15, item 1): the complaint says so in words, the dashboard and `due` list it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from test_letters import PLAN, D, acknowledged, refused, responded

from smallhousing.cli import main
from smallhousing.domain import letter_rules as LR
from smallhousing.domain.errors import DomainError
from smallhousing.services import complaints as C
from smallhousing.services import letters as SL
from smallhousing.services import queries as Q
from smallhousing.services import step_letters as STL
from smallhousing.services.verify import verify


def _owed(db, c) -> list[tuple[str, int]]:
    return [(o.kind, o.stage) for o in STL.owed_letters(db, c.id)]


def test_acknowledging_owes_the_letter_until_it_is_issued(db, setup):
    c = acknowledged(db, setup)
    assert _owed(db, c) == [(LR.ACKNOWLEDGEMENT, 1)]
    view = C.complaint_view(db, c.id)
    assert view.next_thing == "Send the stage 1 acknowledgement letter"
    items = Q.letters_not_sent(db)
    assert [(i.reference, i.step, i.due) for i in items] == [
        (c.reference, "letter not sent: stage 1 acknowledgement letter", D(2026, 2, 3))
    ]
    assert Q.count_letters_not_sent(db) == 1

    SL.issue_letter(db, c.id, LR.ACKNOWLEDGEMENT)
    assert _owed(db, c) == []
    assert Q.letters_not_sent(db) == []
    view = C.complaint_view(db, c.id)
    assert view.next_thing.startswith("Respond at stage 1 by ")
    assert verify(db).ok


def test_a_later_copy_settles_nothing_more(db, setup):
    c = acknowledged(db, setup)
    SL.issue_letter(db, c.id, LR.ACKNOWLEDGEMENT)
    SL.issue_letter(db, c.id, LR.ACKNOWLEDGEMENT)  # a copy: nothing owed, nothing changes
    assert _owed(db, c) == []


def test_sent_another_way_with_its_date(db, setup, today):
    c = acknowledged(db, setup)
    owed = STL.owed_letters(db, c.id)[0]
    row = STL.record_sent_another_way(db, owed.id, "phone call followed by an email", on=D(2026, 2, 4))
    assert (row.sent_on, row.route) == (D(2026, 2, 4), "phone call followed by an email")
    view = C.complaint_view(db, c.id)
    note = next(x for x in view.correspondence if x.id == row.correspondence_id)
    assert note.direction == "out" and note.on == D(2026, 2, 4)
    assert "acknowledgement letter" in note.summary and "phone call followed by an email" in note.summary
    assert _owed(db, c) == []
    assert verify(db).ok


@pytest.mark.parametrize(
    "route, on, words",
    [
        (".", None, "written in words"),
        ("", None, "cannot be empty"),
        ("by email", D(2026, 2, 2), "before"),  # before the acknowledgement it records
        ("by email", dt.date(2099, 1, 1), "future"),
    ],
)
def test_sent_another_way_refusals(db, setup, route, on, words):
    c = acknowledged(db, setup)
    owed = STL.owed_letters(db, c.id)[0]
    with pytest.raises(DomainError) as e:
        STL.record_sent_another_way(db, owed.id, route, on=on)
    assert words in str(e.value).lower()
    assert _owed(db, c) == [(LR.ACKNOWLEDGEMENT, 1)]


def test_sent_twice_is_refused(db, setup):
    c = acknowledged(db, setup)
    owed = STL.owed_letters(db, c.id)[0]
    STL.record_sent_another_way(db, owed.id, "by email", on=D(2026, 2, 3))
    with pytest.raises(DomainError, match="already sent on 3 Feb 2026"):
        STL.record_sent_another_way(db, owed.id, "by post", on=D(2026, 2, 3))


def test_every_step_owes_its_own_letter(db, setup):
    c = responded(db, setup)  # acknowledged, extended, responded
    assert _owed(db, c) == [(LR.ACKNOWLEDGEMENT, 1), (LR.EXTENSION, 1), (LR.RESPONSE, 1)]
    view = C.complaint_view(db, c.id)
    assert view.next_thing == "Send the stage 1 acknowledgement letter (and 2 more letters)"
    SL.issue_letter(db, c.id, LR.EXTENSION)
    assert _owed(db, c) == [(LR.ACKNOWLEDGEMENT, 1), (LR.RESPONSE, 1)]
    SL.issue_letter(db, c.id, LR.RESPONSE)
    assert _owed(db, c) == [(LR.ACKNOWLEDGEMENT, 1)]


def test_refusal_owes_the_refusal_letter(db, setup):
    c = refused(db, setup)
    assert _owed(db, c) == [(LR.REFUSAL, 1)]
    assert C.complaint_view(db, c.id).next_thing == "Send the letter refusing the complaint"


def test_due_lists_the_unsent_letter_first(db, setup, capsys):
    c = acknowledged(db, setup)
    path = str(db.path)
    db.close()
    assert main(["--db", path, "due", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert items[0]["reference"] == c.reference
    assert items[0]["step"] == "letter not sent: stage 1 acknowledgement letter"
    assert items[0]["due"] == "2026-02-03"
    assert any(i["step"].startswith("respond at stage 1") for i in items[1:])


def test_extension_letter_matches_its_extension(db, setup):
    c = acknowledged(db, setup)
    SL.issue_letter(db, c.id, LR.ACKNOWLEDGEMENT)
    C.extend(db, c.id, D(2026, 2, 24), "Waiting for a plumber's report.", on=D(2026, 2, 9), update_plan=PLAN)
    owed = STL.owed_letters(db, c.id)
    assert [(o.kind, o.step_on) for o in owed] == [(LR.EXTENSION, D(2026, 2, 9))]
    assert owed[0].extension_id is not None
    SL.issue_letter(db, c.id, LR.EXTENSION)
    assert _owed(db, c) == []


def test_a_letter_previewed_before_someone_else_saved_is_not_issued(db, setup):
    # the preview was read; then someone else added a remedy the letter does not show
    c = acknowledged(db, setup)
    seen = SL.preview(db, c.id, LR.ACKNOWLEDGEMENT).seen
    assert seen is not None and seen.id == c.id
    C.add_note(db, c.id, "Rang the resident")
    with pytest.raises(C.StaleComplaint):
        SL.issue_letter(db, c.id, LR.ACKNOWLEDGEMENT, seen=seen)
    assert _owed(db, c) == [(LR.ACKNOWLEDGEMENT, 1)]  # nothing recorded
    fresh = SL.preview(db, c.id, LR.ACKNOWLEDGEMENT).seen
    SL.issue_letter(db, c.id, LR.ACKNOWLEDGEMENT, seen=fresh)
    assert _owed(db, c) == []


def test_sent_another_way_from_an_older_reading_is_refused(db, setup):
    c = acknowledged(db, setup)
    seen = C.complaint_view(db, c.id).as_seen
    owed = STL.owed_letters(db, c.id)[0]
    C.add_note(db, c.id, "Rang the resident")
    with pytest.raises(C.StaleComplaint):
        STL.record_sent_another_way(db, owed.id, "phone call", on=D(2026, 2, 4), seen=seen)
    assert _owed(db, c) == [(LR.ACKNOWLEDGEMENT, 1)]
    STL.record_sent_another_way(
        db, owed.id, "phone call", on=D(2026, 2, 4), seen=C.complaint_view(db, c.id).as_seen
    )
    assert _owed(db, c) == []
    assert verify(db).ok


def test_a_fix_typed_in_an_older_preview_is_refused(db, setup):
    # two people have the same acknowledgement letter open; the first fills in what the landlord
    # is not responsible for; the second's fix, typed on the older preview, must not overwrite it
    c = acknowledged(db, setup)
    theirs = SL.preview(db, c.id, LR.ACKNOWLEDGEMENT).seen
    mine = SL.preview(db, c.id, LR.ACKNOWLEDGEMENT).seen
    SL.update_letter_details(db, c.id, 1, seen=mine, not_responsible_for="The neighbour's fence")
    with pytest.raises(C.StaleComplaint):
        SL.update_letter_details(db, c.id, 1, seen=theirs, not_responsible_for="Something else")
    stage = C.complaint_view(db, c.id).stage(1).stage
    assert stage.not_responsible_for == "The neighbour's fence"
