"""Exports: the CSV log and the full JSON copy, and reading each back into an empty database."""

from __future__ import annotations

import csv
import io
import json
import os
import stat

import pytest
from conftest import TODAY

from smallhousing.cli import main
from smallhousing.domain.errors import DomainError
from smallhousing.services import complaints as C
from smallhousing.services import queries as Q
from smallhousing.services import transfer as T
from smallhousing.store.db import Database


@pytest.fixture
def empty_db(tmp_path):
    d = Database(tmp_path / "empty" / "empty.db", actor="tester", today=TODAY).open()
    yield d
    d.close()


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_csv_round_trip_of_the_demo_database(demo_db, empty_db, tmp_path):
    first = tmp_path / "first.csv"
    n = T.export_csv(demo_db, first)
    assert n == 150
    raw = first.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == list(T.COLUMNS)
    # the log covers the states the demo has, so the round trip is not a trivial one
    assert any(r["stage2_responded_on"] for r in rows) or any(r["stage2_requested_on"] for r in rows)
    assert any(r["refused_on"] for r in rows) and any(r["closed_on"] for r in rows)
    assert any(r["compensation_gbp"] for r in rows) and any(r["stage1_extended_to"] for r in rows)

    result = T.import_csv(empty_db, first)
    assert result.complaints == 150
    second = tmp_path / "second.csv"
    T.export_csv(empty_db, second)
    assert second.read_bytes() == raw
    # the same states and deadlines as the original, complaint by complaint
    for ref in (rows[0]["reference"], rows[-1]["reference"], rows[75]["reference"]):
        a, b = C.complaint_view(demo_db, ref), C.complaint_view(empty_db, ref)
        assert (a.complaint.state, a.next_due, a.complaint.rule_set) == (
            b.complaint.state,
            b.next_due,
            b.complaint.rule_set,
        )
    for state in ("received", "closed", "refused", "stage 1 acknowledged"):
        f = Q.ComplaintFilter(state=state)
        assert Q.count_complaints(demo_db, f) == Q.count_complaints(empty_db, f)


def test_json_round_trip_keeps_every_row_and_id(demo_db, empty_db, tmp_path):
    first = tmp_path / "all.json"
    counts = T.export_json(demo_db, first)
    data = json.loads(first.read_text("utf-8"))
    assert (data["format"], data["version"]) == ("smallhousing-export", 2)
    for table in (
        "landlord_settings",
        "closure_day",
        "homes_year",
        "staff",
        "resident",
        "representative",
        "adjustment",
        "restriction",
        "service_request",
        "complaint",
        "stage",
        "extension",
        "remedy",
        "outstanding_action",
        "correspondence",
        "learning_point",
        "ombudsman_case",
        "ombudsman_order",
        "self_assessment_entry",
        "audit_entry",
    ):
        assert table in data["tables"], table
    assert counts["complaint"] == 150 and counts["audit_entry"] > 150
    imported = T.import_json(empty_db, first)
    assert imported == counts
    second = tmp_path / "again.json"
    T.export_json(empty_db, second)
    assert second.read_bytes() == first.read_bytes()
    # the copy works as a database, not just as rows: same ids, same views
    some = data["tables"]["complaint"][42]
    v = C.complaint_view(empty_db, some["id"])
    assert v.complaint.reference == some["reference"]
    assert v.next_due == C.complaint_view(demo_db, some["id"]).next_due


def test_json_import_refuses_a_database_with_records(demo_db, tmp_path, db, setup):
    path = tmp_path / "all.json"
    T.export_json(demo_db, path)
    before = T.count_rows(db)
    with pytest.raises(DomainError) as e:
        T.import_json(db, path)
    assert "already holds" in str(e.value) and "empty database" in str(e.value)
    assert T.count_rows(db) == before


def test_json_import_refuses_what_is_not_an_export(empty_db, tmp_path):
    p = tmp_path / "x.json"
    p.write_text('{"format": "something-else", "version": 1, "tables": {}}')
    with pytest.raises(DomainError, match="not a smallhousing export"):
        T.import_json(empty_db, p)
    p.write_text('{"format": "smallhousing-export", "version": 3, "tables": {}}')
    with pytest.raises(DomainError, match="version 3"):
        T.import_json(empty_db, p)
    p.write_text("not json")
    with pytest.raises(DomainError, match="not JSON"):
        T.import_json(empty_db, p)
    p.write_text(
        '{"format": "smallhousing-export", "version": 1, "tables": {"staff": '
        '[{"id": 1, "name": "A", "role": "", "email": "", "active": "yes"}]}}'
    )
    with pytest.raises(DomainError, match="staff.active"):
        T.import_json(empty_db, p)
    assert sum(T.count_rows(empty_db).values()) == 0


def test_json_import_refuses_rows_pointing_nowhere(empty_db, tmp_path):
    p = tmp_path / "x.json"
    p.write_text(
        json.dumps(
            {
                "format": "smallhousing-export",
                "version": 1,
                "tables": {"representative": [{"id": 1, "resident_id": 99, "name": "Rep"}]},
            }
        )
    )
    with pytest.raises(DomainError, match="not consistent"):
        T.import_json(empty_db, p)
    assert sum(T.count_rows(empty_db).values()) == 0


def test_exports_are_private_and_never_overwrite_the_database(demo_db, tmp_path):
    a, b = tmp_path / "log.csv", tmp_path / "all.json"
    T.export_csv(demo_db, a)
    T.export_json(demo_db, b)
    assert mode(a) == 0o600 and mode(b) == 0o600
    with pytest.raises(DomainError, match="database file itself"):
        T.export_csv(demo_db, demo_db.path)
    with pytest.raises(DomainError, match="does not exist"):
        T.export_csv(demo_db, tmp_path / "no" / "such" / "log.csv")


def test_cli_export_and_import_json(demo_db_path, tmp_path, capsys):
    out = tmp_path / "all.json"
    assert main(["--db", str(demo_db_path), "export", "--json", str(out)]) == 0
    assert "150 complaints" in capsys.readouterr().out
    target = tmp_path / "new.db"
    assert main(["--db", str(target), "import", "--json", str(out)]) == 0
    assert "150 complaints" in capsys.readouterr().out
    # a second time the database is no longer empty: refused with one plain line, status 2
    assert main(["--db", str(target), "import", "--json", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already holds" in err
    csv_out = tmp_path / "log.csv"
    assert main(["--db", str(target), "export", str(csv_out)]) == 0
    assert csv_out.read_bytes().count(b"\r\n") == 151


def test_json_from_an_older_version_takes_defaults_for_missing_columns(empty_db):
    from smallhousing.services import settings

    data = {
        "format": "smallhousing-export",
        "version": 1,
        "tables": {"staff": [{"id": 7, "name": "Olwen Old"}]},
    }
    assert T.import_json(empty_db, data)["staff"] == 1
    [s] = settings.list_staff(empty_db)
    assert (s.id, s.name, s.role, s.active) == (7, "Olwen Old", "", True)
    with pytest.raises(DomainError, match="without name"):
        T.import_json(
            empty_db.__class__(empty_db.path.with_name("other.db")).open(),
            {"format": "smallhousing-export", "version": 1, "tables": {"staff": [{"id": 1}]}},
        )


def test_cells_a_spreadsheet_would_run_as_formulas_are_guarded(db, setup, tmp_path, empty_db):
    C.log_complaint(
        db,
        setup.resident,
        TODAY,
        '=HYPERLINK("http://x.example","click")',
        outcome_sought="+44 7700 900123 to call back",
        reference="F-1",
    )
    path = tmp_path / "log.csv"
    T.export_csv(db, path)
    row = next(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"))))
    assert row["summary"].startswith("'=HYPERLINK") and row["outcome_sought"].startswith("'+44")
    T.import_csv(empty_db, path)
    v = C.complaint_view(empty_db, "F-1")
    assert v.complaint.description == '=HYPERLINK("http://x.example","click")'
    assert v.complaint.outcome_sought == "+44 7700 900123 to call back"


def test_json_carries_hazards_contractors_and_their_times(db, setup, empty_db, tmp_path):
    import datetime as dt

    from smallhousing.services.base import transaction
    from smallhousing.store.models import Contractor, ContractorRequest, Hazard

    with transaction(db) as u:
        firm = Contractor(name="Damp Experts Ltd", trade="damp and mould")
        u.session.add(firm)
        u.session.flush()
        h = Hazard(
            reference="HZ-2026-0001",
            kind="emergency",
            resident_id=setup.resident,
            aware_on=dt.date(2026, 2, 6),
            aware_time=dt.time(17, 30),
            made_safe_on=dt.date(2026, 2, 7),
            made_safe_time=dt.time(9, 5),
            contractor_id=firm.id,
        )
        u.session.add(h)
        u.session.flush()
        u.session.add(
            ContractorRequest(
                contractor_id=firm.id,
                hazard_id=h.id,
                asked_on=dt.date(2026, 2, 9),
                what="Your report",
                due_on=dt.date(2026, 2, 16),
            )
        )
    path = tmp_path / "all.json"
    T.export_json(db, path)
    data = json.loads(path.read_text("utf-8"))
    assert data["version"] == 2
    [row] = data["tables"]["hazard"]
    assert (row["aware_time"], row["made_safe_time"]) == ("17:30:00", "09:05:00")
    T.import_json(empty_db, path)
    again = tmp_path / "again.json"
    T.export_json(empty_db, again)
    assert again.read_bytes() == path.read_bytes()


def test_json_version_1_is_upgraded_and_cannot_hold_newer_records(empty_db):
    # version 1 (before hazards and contractors): read as it is, every new column at its default
    v1 = {
        "format": "smallhousing-export",
        "version": 1,
        "tables": {"staff": [{"id": 7, "name": "Olwen Old"}]},
    }
    assert T.upgrade_export(v1)["version"] == 2
    # a version 1 service request gets its target date as after an upgrade
    import datetime as dt

    from smallhousing.services.base import reading
    from smallhousing.store.models import ServiceRequest

    v1["tables"]["resident"] = [{"id": 1, "name": "Ann Alder", "created_on": "2026-01-05"}]
    v1["tables"]["service_request"] = [
        {
            "id": 1,
            "reference": "SR-2026-0001",
            "resident_id": 1,
            "received_on": "2026-02-02",
            "category": "repairs",
        }
    ]
    T.import_json(empty_db, v1)
    with reading(empty_db) as u:
        sr = u.session.get(ServiceRequest, 1)
        assert sr is not None and sr.target_on is not None and sr.target_on > dt.date(2026, 2, 2)
    empty_db = empty_db.__class__(empty_db.path.with_name("fresh.db")).open()
    bad = {"format": "smallhousing-export", "version": 1, "tables": {"hazard": []}}
    with pytest.raises(DomainError, match="version 1.*hazard"):
        T.import_json(empty_db, bad)
    with pytest.raises(DomainError, match="version 1"):
        T.import_json(
            empty_db,
            {"format": "smallhousing-export", "version": 1, "tables": {"complaint": [{"contractor_id": 1}]}},
        )
    assert sum(T.count_rows(empty_db).values()) == 0
