"""Subject access export, erasure after the retention period, and the audit chain staying whole."""

import datetime as dt
import json
import sqlite3

import pytest

from smallhousing.cli import main
from smallhousing.domain.errors import DomainError
from smallhousing.services import complaints as C
from smallhousing.services import privacy
from smallhousing.services.verify import verify
from smallhousing.store.db import Database


def _closed_complaint(db, setup, received):
    c = C.log_complaint(
        db, setup.resident, received, "Gutter <leaks> & drips on Siân's door", channel="letter"
    )
    C.acknowledge(
        db,
        c.id,
        "Gutter leaking over the front door",
        handler_id=setup.alice,
        on=received + dt.timedelta(days=2),
    )
    C.respond(
        db,
        c.id,
        "upheld",
        "The gutter was not cleared on the planned visit.",
        remedy_statement="No remedy is offered beyond the repair.",
        on=received + dt.timedelta(days=7),
    )
    C.close(db, c.id, on=received + dt.timedelta(days=9))
    return c


def test_subject_access_holds_every_record_exactly_as_typed(db, setup, tmp_path):
    c = _closed_complaint(db, setup, dt.date(2026, 1, 5))
    out = tmp_path / "sar.json"
    assert main(["--db", str(db.path), "sar", str(setup.resident), "--out", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["resident"]["name"] == "Mrs Siân O'Brien"
    [comp] = data["complaints"]
    assert comp["reference"] == c.reference
    assert comp["description"] == "Gutter <leaks> & drips on Siân's door"
    assert [s["number"] for s in comp["stages"]] == [1]
    assert comp["stages"][0]["decision"] == "upheld"
    assert any(h["what"] == "complaint closed" for h in comp["history"])
    assert (out.stat().st_mode & 0o777) == 0o600


def test_erasure_refused_inside_retention_period(db, setup):
    _closed_complaint(db, setup, dt.date(2026, 1, 5))
    with pytest.raises(DomainError, match="less than 6 years"):
        privacy.anonymise_resident(db, setup.resident)
    assert privacy.erasure_candidates(db) == []


def test_erasure_keeps_figures_and_chain(db, setup, tmp_path):
    c = _closed_complaint(db, setup, dt.date(2026, 1, 5))
    later = Database(db.path, actor="tester", today=dt.date(2032, 2, 1)).open()
    [(r, last)] = privacy.erasure_candidates(later)
    assert r.id == setup.resident and last == dt.date(2026, 1, 14)
    counts = privacy.anonymise_resident(later, setup.resident)
    assert counts["complaints"] == 1 and counts["audit_entries"] > 3
    v = C.complaint_view(later, c.id)
    assert v.resident.name == f"Former resident {setup.resident}"
    assert "Siân" not in v.complaint.description
    assert v.stages[0].stage.decision == "upheld"  # the figures survive
    assert v.stages[0].stage.responded_on == dt.date(2026, 1, 12)
    raw = sqlite3.connect(str(db.path))
    dump = "\n".join(raw.iterdump())
    raw.close()
    assert "Siân" not in dump and "Heol y Parc" not in dump
    assert verify(later).ok
    with pytest.raises(DomainError, match="already anonymised"):
        privacy.anonymise_resident(later, setup.resident)
    later.close()


def test_open_complaint_blocks_erasure(db, setup):
    C.log_complaint(db, setup.resident, dt.date(2026, 2, 2), "Still waiting", channel="phone")
    later = Database(db.path, today=dt.date(2040, 1, 1)).open()
    with pytest.raises(DomainError, match="still open"):
        privacy.anonymise_resident(later, setup.resident)
    later.close()


def test_verify_reports_a_changed_entry(db, setup, capsys):
    _closed_complaint(db, setup, dt.date(2026, 1, 5))
    assert main(["--db", str(db.path), "verify"]) == 0
    con = sqlite3.connect(str(db.path))
    con.execute("UPDATE audit_entry SET action = 'complaint refused' WHERE action = 'complaint closed'")
    con.commit()
    con.close()
    assert main(["--db", str(db.path), "verify"]) == 1
    err = capsys.readouterr().err
    assert "has been changed after it was written" in err


def test_verify_reports_deleted_entries(db, setup, capsys):
    _closed_complaint(db, setup, dt.date(2026, 1, 5))
    con = sqlite3.connect(str(db.path))
    con.execute("DELETE FROM audit_entry WHERE id = 3")
    con.commit()
    con.close()
    assert main(["--db", str(db.path), "verify"]) == 1
    assert "Audit entry 3 is missing" in capsys.readouterr().err


def test_erase_cli_needs_confirmation(db, setup, capsys):
    assert main(["--db", str(db.path), "erase", str(setup.resident)]) == 2
    assert "--yes" in capsys.readouterr().err
    assert main(["--db", str(db.path), "erase"]) == 0
    assert "No resident is due" in capsys.readouterr().out


def test_erasure_takes_out_hazards_and_what_contractors_were_asked(db, setup, tmp_path):
    from smallhousing.services import contractors as K
    from smallhousing.services import hazards as HZ
    from smallhousing.services.base import reading
    from smallhousing.store.models import ContractorRequest, Hazard

    c = _closed_complaint(db, setup, dt.date(2026, 1, 5))
    h = HZ.log_hazard(
        db,
        kind="damp-mould",
        aware_on=dt.date(2026, 1, 5),
        resident_id=setup.resident,
        description="Black mould in the bedroom where Siân's asthmatic son sleeps",
        priority_reason="a child with asthma",
        complaint_id=c.id,
    )
    HZ.record_investigation(
        db, h.id, dt.date(2026, 1, 8), "Mould behind the wardrobe; the son coughs at night", significant=False
    )
    HZ.close_hazard(db, h.id, dt.date(2026, 1, 9), "Treated on the visit")
    firm = K.add_contractor(db, "Gutter Guards Ltd")
    req = K.ask(db, firm.id, "Why was Siân's gutter skipped?", complaint=c.id, asked_on=dt.date(2026, 1, 7))
    K.answer(db, req.id, "Our operative could not reach Siân's back door", on=dt.date(2026, 1, 8))
    sar = privacy.subject_access(db, setup.resident)
    assert [x["what"] for x in sar["complaints"][0]["asked_of_contractors"]] == [
        "Why was Siân's gutter skipped?"
    ]
    assert "asthma" in sar["hazards"][0]["priority_reason"]
    later = Database(db.path, actor="tester", today=dt.date(2032, 2, 1)).open()
    privacy.anonymise_resident(later, setup.resident)
    with reading(later) as u:
        hz = u.session.get(Hazard, h.id)
        rq = u.session.get(ContractorRequest, req.id)
        assert hz is not None and rq is not None
        assert "asthma" not in hz.description + hz.priority_reason + hz.findings
        assert hz.address == "" and hz.closed_on == dt.date(2026, 1, 9)  # the dates stay
        assert "Siân" not in rq.what + rq.answer and rq.answered_on == dt.date(2026, 1, 8)
    raw = sqlite3.connect(str(db.path))
    dump = "\n".join(raw.iterdump())
    raw.close()
    assert "asthma" not in dump and "coughs" not in dump and "skipped" not in dump
    assert verify(later).ok
    later.close()


def test_an_open_hazard_blocks_erasure(db, setup):
    from smallhousing.services import hazards as HZ

    _closed_complaint(db, setup, dt.date(2026, 1, 5))
    HZ.log_hazard(db, kind="damp-mould", aware_on=dt.date(2026, 1, 5), resident_id=setup.resident)
    later = Database(db.path, today=dt.date(2040, 1, 1)).open()
    with pytest.raises(DomainError, match="open"):
        privacy.anonymise_resident(later, setup.resident)
    later.close()


def test_erasure_takes_out_what_the_resident_said_in_compliments_surveys_and_answers(db, setup):
    from sqlmodel import select

    from smallhousing.services import satisfaction as SV
    from smallhousing.services.base import reading
    from smallhousing.store.models import Compliment, SatisfactionAnswer, SurveyComment

    c = _closed_complaint(db, setup, dt.date(2026, 1, 5))
    SV.record_satisfaction_answer(
        db,
        c.id,
        "fairly dissatisfied",
        asked_on=dt.date(2026, 1, 20),
        channel="phone",
        comment="Siân says the gutter still drips",
    )
    k = SV.log_compliment(db, dt.date(2026, 2, 1), "Siân thanks the caretaker", resident_id=setup.resident)
    sc = SV.log_survey_comment(db, dt.date(2026, 2, 2), "Siân: nobody came back", resident_id=setup.resident)
    later = Database(db.path, actor="tester", today=dt.date(2032, 2, 1)).open()
    privacy.anonymise_resident(later, setup.resident)
    with reading(later) as u:
        answer = u.session.exec(select(SatisfactionAnswer)).one()
        comp, comment = u.session.get(Compliment, k.id), u.session.get(SurveyComment, sc.id)
        assert answer.answer == "fairly dissatisfied" and "Siân" not in answer.comment  # the figure stays
        assert comp is not None and "Siân" not in comp.words and comp.received_on == dt.date(2026, 2, 1)
        assert comment is not None and "Siân" not in comment.words
    raw = sqlite3.connect(str(db.path))
    dump = "\n".join(raw.iterdump())
    raw.close()
    assert "drips" not in dump and "caretaker" not in dump and "came back" not in dump
    assert verify(later).ok
    later.close()


def test_verify_says_one_complaint_in_the_singular(db, setup, capsys):
    C.log_complaint(db, setup.resident, dt.date(2026, 1, 5), "Gutter leaks", channel="letter")
    assert main(["--db", str(db.path), "verify"]) == 0
    out = capsys.readouterr().out
    assert "(1 complaint)." in out and "1 complaints" not in out
