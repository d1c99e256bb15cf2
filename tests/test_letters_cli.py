"""The letter command: exit codes, missing items on stderr, nothing written on refusal."""

from __future__ import annotations

import datetime as dt
import re

from pypdf import PdfReader

from smallhousing import paths
from smallhousing.cli import main
from smallhousing.services import complaints as C
from smallhousing.services import letters as SL
from smallhousing.services import settings as S

D = dt.date


def responded(db, setup, *, actions=True):
    c = C.log_complaint(db, setup.resident, D(2026, 2, 2), "Bins not collected", handler_id=setup.alice)
    C.acknowledge(
        db,
        c.id,
        "Your bins were missed three weeks running.",
        responsible_for="Bin stores.",
        on=D(2026, 2, 3),
    )
    C.respond(
        db,
        c.id,
        "not upheld",
        "The council collects the bins, not us.",
        remedy_statement="No remedy is offered because the collection is not our service.",
        actions=[C.ActionInput("Pass your report to the council", owner="Alice Adams", due_on=D(2026, 3, 20))]
        if actions
        else [],
        on=D(2026, 2, 10),
    )
    return c


def run(db, *args):
    try:
        return main(["--db", str(db.path), *args])
    except SystemExit as exc:  # argparse's own refusals
        return exc.code


def test_refused_letter_exits_2_lists_each_item_and_writes_nothing(db, setup, tmp_path, capsys):
    c = responded(db, setup, actions=False)
    # respond() records "no outstanding actions" itself; an older or imported record may lack it
    import sqlite3

    con = sqlite3.connect(str(db.path))
    con.execute("UPDATE stage SET actions_statement = '' WHERE complaint_id = ?", (c.id,))
    con.commit()
    con.close()
    out = tmp_path / "letter.pdf"
    assert run(db, "letter", c.reference, "response", "--out", str(out)) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("smallhousing: the stage 1 response letter for 2026-0001 was not made")
    assert err[1:] == [
        "  - a statement about outstanding actions: list what is still to be done, or say "
        "plainly that nothing is outstanding"
    ]
    assert not out.exists() and not list(tmp_path.glob("*.pdf*")) and not list(tmp_path.glob(".*part"))
    assert SL.list_letters(db, c.reference) == []
    assert not paths.letters_dir(db.path).exists()


def test_several_missing_items_one_per_line(db, setup, capsys):
    c = responded(db, setup)
    S.update_settings(db, phone="", email="", address="")
    # settings refuse an Ombudsman email now; a database saved before that rule may still hold one
    from smallhousing.services.base import transaction
    from smallhousing.store.models import LandlordSettings

    with transaction(db) as u:
        row = u.session.exec(S.select(LandlordSettings)).first()
        row.ombudsman_form_url = "help@housing-ombudsman.org.uk"
        u.session.add(row)
    assert run(db, "letter", c.reference, "response") == 2
    err = [
        line for line in capsys.readouterr().err.splitlines() if not line.startswith("smallhousing: warning:")
    ]
    assert len(err) == 4 and all(line.startswith("  - ") for line in err[1:])
    assert "email" in err[3]


def test_letter_with_out_is_written_and_recorded(db, setup, tmp_path, capsys):
    c = responded(db, setup)
    out = tmp_path / "response.pdf"
    assert run(db, "letter", c.reference, "response", "--stage", "1", "--out", str(out)) == 0
    assert f"Letter saved: {out}" in capsys.readouterr().out
    assert "Pass your report to the council" in "".join(p.extract_text() for p in PdfReader(str(out)).pages)
    [rec] = SL.list_letters(db, c.reference)
    assert rec.path.resolve() == out.resolve() and rec.kind == "response"


def test_letter_without_out_goes_to_the_letters_folder(db, setup, capsys):
    c = responded(db, setup)
    assert run(db, "letter", c.reference, "action-update") == 0
    [saved] = list(paths.letters_dir(db.path).glob("*.pdf"))
    assert re.fullmatch(r"2026-0001-action-update-stage1-\d{4}-\d\d-\d\d\.pdf", saved.name)
    assert str(saved.resolve()) in capsys.readouterr().out


def test_preview_prints_the_letter_and_writes_nothing(db, setup, capsys):
    c = responded(db, setup)
    assert run(db, "letter", c.reference, "response", "--preview") == 0
    out = capsys.readouterr().out
    assert "The council collects the bins, not us." in out and "Yours sincerely," in out
    assert SL.list_letters(db, c.reference) == []


def test_bad_input_exits_2_in_one_line(db, setup, capsys):
    c = responded(db, setup)
    for args, words in (
        (["letter", c.reference, "memo"], "unknown letter kind"),
        (["letter", c.reference, "refusal"], "has not been refused"),
        (["letter", "2099-9999", "response"], "no complaint"),
        (["letter", c.reference, "response", "--stage", "2"], "has no stage 2"),
        (["letter", c.reference, "response", "--stage", "7"], "invalid choice"),
    ):
        assert run(db, *args) == 2
        err = capsys.readouterr().err
        assert words in err and err.count("\n") == 1 and "Traceback" not in err
    assert SL.list_letters(db, c.reference) == []
