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
