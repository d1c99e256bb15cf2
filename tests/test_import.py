"""Importing a complaints log: Excel's encodings, every kind of bad row, all or nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlmodel import func, select

from smallhousing.cli import main
from smallhousing.domain import lifecycle as L
from smallhousing.services import complaints as C
from smallhousing.services import settings
from smallhousing.services import transfer as T
from smallhousing.services.base import reading
from smallhousing.store import models as M

FIXTURES = Path(__file__).parent / "fixtures"

HEADER = (
    "reference,received_on,resident_name,address,stage1_handler,stage1_acknowledged_on,"
    "stage1_extended_to,stage1_extension_reason,stage1_responded_on,stage1_decision,stage1_reasons,"
    "stage2_requested_on,stage2_handler,stage2_acknowledged_on,stage2_responded_on,stage2_decision,"
    "stage2_reasons,remedy,compensation_gbp,closed_on"
)


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode("utf-8")


def count(db, model) -> int:
    with reading(db) as u:
        return u.session.exec(select(func.count()).select_from(model)).one()


def by_ref(db, ref: str) -> C.ComplaintView:
    return C.complaint_view(db, ref)


def where(exc: T.ImportProblems) -> list[tuple[int, str]]:
    return [(p.line, p.column) for p in exc.problems]


# Excel's files -----------------------------------------------------------------------------------


def test_cp1252_file_from_excel(db):
    raw = (FIXTURES / "excel_cp1252.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # really Windows-1252, as Excel's "CSV (Comma delimited)" writes
    result = T.import_csv(db, FIXTURES / "excel_cp1252.csv")
    assert result.complaints == 4
    assert result.residents_added == 3  # Zoë's two complaints are matched to one resident
    assert sorted(result.staff_added) == ["Helen Carter", "Sam Okoye"]

    v = by_ref(db, "ACH-001")
    assert v.resident.name == "Zoë Ó Súilleabháin"
    assert v.resident.address == "Flat 2, 14 Mill Lane"
    assert v.complaint.received_on == dt.date(2025, 11, 3)
    assert v.complaint.categories == "repairs;damp and mould"
    assert v.complaint.state == L.CLOSED and v.complaint.closed_on == dt.date(2025, 12, 2)
    s1 = v.stage(1).stage
    assert s1.decision == L.PARTLY_UPHELD and s1.handler_id is not None
    assert v.stage(1).handler == "Sam Okoye"
    assert [(r.kind, r.amount_pence, r.description) for r in v.remedies] == [
        ("financial remedy", 15000, "Apologise and pay for redecoration")
    ]

    v2 = by_ref(db, "ACH-002")
    assert v2.complaint.description == "Nobody called back — three times"
    assert v2.stage(1).stage.decision == L.NOT_UPHELD
    assert (
        v2.stage(1).stage.remedy_statement == ""
        and v2.stage(1).stage.staff_note == T.NO_REMEDY
        and v2.remedies == []
    )
    assert v2.complaint.state == L.S1_RESPONDED

    assert by_ref(db, "ACH-003").complaint.state == L.RECEIVED
    v4 = by_ref(db, "ACH-004")
    assert v4.complaint.resident_id == v.complaint.resident_id
    assert v4.complaint.description == "Boiler broken – no heat"
    assert [r.amount_pence for r in v4.remedies] == [125050]
    assert v4.remedies[0].description == T.COMPENSATION_ONLY


def test_utf8_with_bom_multiline_cell_and_existing_resident(db, setup):
    result = T.import_csv(db, FIXTURES / "utf8_bom.csv")
    assert result.complaints == 2
    assert result.residents_added == 1  # Mrs Siân O'Brien matched despite case and spaces
    v = by_ref(db, "U-1")
    assert v.complaint.resident_id == setup.resident
    assert v.complaint.description == (
        "The lift has been broken since December.\nMy mother cannot get to the flat."
    )
    assert v.stage(1).handler == "Bilal Bashir"  # an existing member of staff, not a new one
    assert result.staff_added == []
    assert [(r.kind, r.description) for r in v.remedies] == [("apology", "We apologise for the delay")]
    assert [a.description for a in v.actions] == ["Replace the lift motor", "Check the alarm"]
    assert by_ref(db, "U-2").complaint.received_on == dt.date(2026, 1, 6)


def test_line_numbers_count_physical_lines_inside_quoted_cells(db):
    data = csv_bytes(
        'A1,2026-01-05,Ann Ash,"1 Road\nSecond line\nThird line",,,,,,,,,,,,,,,,',
        "A2,2026-02-30,Bob Birch,2 Road,,,,,,,,,,,,,,,,",
    )
    with pytest.raises(T.ImportProblems) as e:
        T.import_csv(db, data)
    # A1 starts on line 2 and takes three lines, so A2 starts on line 5
    assert where(e.value) == [(5, "received_on")]
    assert "there is no 30 February 2026" in str(e.value.problems[0])


def test_unknown_columns_are_warned_about_and_ignored(db):
    data = csv_bytes(
        "K1,2026-01-05,Ann Ash,,Notes here,x",
        header="Reference, Received On ,resident name,address,Notes,recieved_on",
    )
    result = T.import_csv(db, data)
    assert result.complaints == 1
    assert [(w.line, w.column) for w in result.warnings] == [(1, "Notes"), (1, "recieved_on")]
    assert "did you mean received_on?" in str(result.warnings[1])


def test_missing_and_doubled_required_columns(db):
    with pytest.raises(T.ImportProblems) as e:
        T.import_csv(db, csv_bytes("Z1,Ann", header="reference,resident_name,reference"))
    assert where(e.value) == [(1, "reference"), (1, "received_on")]


def test_empty_file_is_refused(db):
    with pytest.raises(T.ImportProblems) as e:
        T.import_csv(db, b"\r\n\r\n")
    assert where(e.value) == [(1, "")]


def test_neither_utf8_nor_cp1252(db):
    # 0x81 is undefined in Windows-1252 and not valid UTF-8 either
    with pytest.raises(T.ImportProblems) as e:
        T.import_csv(db, b"reference,received_on,resident_name\r\nA,2026-01-05,B\x81ob\r\n")
    assert where(e.value) == [(2, "")]


def test_semicolon_separated_file(db):
    data = "reference;received_on;resident_name;address\r\nS1;05/01/2026;Ann Ash;1 Road, Ashbury\r\n"
    assert T.import_csv(db, data.encode("utf-8")).complaints == 1
    assert by_ref(db, "S1").resident.address == "1 Road, Ashbury"


def test_excel_separator_line_is_followed_and_counted(db):
    data = "sep=;\r\nreference;received_on;resident_name\r\nS2;05/01/2026;Ann, Ash\r\nS3;45/01/2026;Bob\r\n"
    with pytest.raises(T.ImportProblems) as e:
        T.import_csv(db, data.encode("cp1252"))
    assert where(e.value) == [(4, "received_on")]  # the sep= line is line 1, the header line 2


# every kind of bad row ---------------------------------------------------------------------------

BAD_ROWS = {
    # reference: (row, the (line offset, column) pairs it must produce, a word the message has)
    "ok": ("B00,2026-01-05,Ann Ash,1 Road,Alice Adams,2026-01-06,,,2026-01-19,upheld,Late,,,,,,,,,", []),
    "impossible date": ("B01,31/02/2026,Ann Ash,1 Road,,,,,,,,,,,,,,,,", ["received_on"]),
    "two-digit year": ("B02,05/01/26,Ann Ash,1 Road,,,,,,,,,,,,,,,,", ["received_on"]),
    "response before acknowledgement": (
        "B03,2026-01-05,Ann Ash,1 Road,Alice Adams,2026-01-12,,,2026-01-09,upheld,Late,,,,,,,,,",
        ["stage1_responded_on"],
    ),
    "duplicate in file": ("B00,2026-01-05,Ann Ash,1 Road,,,,,,,,,,,,,,,,", ["reference"]),
    "duplicate in database": ("OLD-1,2026-01-05,Ann Ash,1 Road,,,,,,,,,,,,,,,,", ["reference"]),
    "stage 2 without stage 1": (
        "B06,2026-01-05,Ann Ash,1 Road,,,,,,,,2026-01-20,,,,,,,,",
        ["stage2_requested_on"],
    ),
    "decision without response date": (
        "B07,2026-01-05,Ann Ash,1 Road,Alice Adams,2026-01-06,,,,upheld,Late,,,,,,,,,",
        ["stage1_responded_on"],
    ),
    "response without decision": (
        "B08,2026-01-05,Ann Ash,1 Road,Alice Adams,2026-01-06,,,2026-01-19,,,,,,,,,,,",
        ["stage1_decision"],
    ),
    "decision that is not one": (
        "B09,2026-01-05,Ann Ash,1 Road,Alice Adams,2026-01-06,,,2026-01-19,resolved,Late,,,,,,,,,",
        ["stage1_decision"],
    ),
    "missing required value": ("B10,2026-01-05,,1 Road,,,,,,,,,,,,,,,,", ["resident_name"]),
    "missing reference": (",2026-01-05,Ann Ash,1 Road,,,,,,,,,,,,,,,,", ["reference"]),
    "extension without reason": (
        "B12,2026-01-05,Ann Ash,1 Road,Alice Adams,2026-01-06,2026-01-27,,,,,,,,,,,,,",
        ["stage1_extension_reason"],
    ),
    "extension to a weekend": (
        "B13,2026-01-05,Ann Ash,1 Road,Alice Adams,2026-01-06,2026-01-24,Survey,,,,,,,,,,,,",
        ["stage1_extended_to"],
    ),
    "same handler at both stages": (
        "B14,2026-01-05,Ann Ash,1 Road,Alice Adams,2026-01-06,,,2026-01-19,upheld,Late,2026-01-21,"
        "Alice Adams,2026-01-22,,,,,,",
        ["stage2_handler"],
    ),
    "date in the future": ("B15,2026-03-03,Ann Ash,1 Road,,,,,,,,,,,,,,,,", ["received_on"]),
    "closed without a response": (
        "B16,2026-01-05,Ann Ash,1 Road,Alice Adams,2026-01-06,,,,,,,,,,,,,,2026-01-20",
        ["closed_on"],
    ),
    "money that is not money": (
        "B17,2026-01-05,Ann Ash,1 Road,Alice Adams,2026-01-06,,,2026-01-19,upheld,Late,,,,,,,,£1O,",
        ["compensation_gbp"],
    ),
    "compensation without a response": (
        "B18,2026-01-05,Ann Ash,1 Road,,,,,,,,,,,,,,,50,",
        ["compensation_gbp"],
    ),
    "reasons missing": (
        "B19,2026-01-05,Ann Ash,1 Road,Alice Adams,2026-01-06,,,2026-01-19,upheld,,,,,,,,,,",
        ["stage1_reasons"],
    ),
    "response date and bad money on one line": (
        "B20,2026-01-05,Ann Ash,1 Road,Alice Adams,2026-01-12,,,2026-01-09,upheld,Late,,,,,,,,-5,",
        ["stage1_responded_on", "compensation_gbp"],
    ),
    "too many cells": ("B21,2026-01-05,Ann Ash,1 Road,,,,,,,,,,,,,,,,,extra", [""]),
}


def test_every_kind_of_bad_row_is_listed_and_nothing_is_written(db, setup):
    C.log_complaint(db, setup.resident, dt.date(2026, 1, 2), "Older complaint", reference="OLD-1")
    before = {m: count(db, m) for m in (M.Complaint, M.Resident, M.Staff, M.Stage, M.AuditEntry)}
    rows = list(BAD_ROWS.values())
    data = csv_bytes(*[r for r, _ in rows])
    with pytest.raises(T.ImportProblems) as e:
        T.import_csv(db, data)
    expected = [(i + 2, col) for i, (_, cols) in enumerate(rows) for col in cols]
    assert sorted(where(e.value)) == sorted(expected)
    for p in e.value.problems:
        assert str(p).startswith(f"line {p.line}, column {p.column}: " if p.column else f"line {p.line}: ")
    # nothing at all was written: no complaint, resident, member of staff or audit entry
    assert {m: count(db, m) for m in before} == before


def test_each_message_says_what_is_wrong(db, setup):
    C.log_complaint(db, setup.resident, dt.date(2026, 1, 2), "Older complaint", reference="OLD-1")
    text = "\n".join(T.ImportProblems.lines(_problems(db)))
    for phrase in (
        "there is no 31 February 2026",
        "two-digit year",
        "is before the stage 1 acknowledgement",
        "is used again (first on line 2)",
        "already in the database",
        "stage 1 has no response date",
        "has a decision but no response date",
        "no decision",
        "is not a decision",
        "resident name is required",
        "no reason for the extension",
        "not a working day",
        "someone other than Alice Adams",
        "is in the future",
        "cannot close",
        "not an amount of money",
        "no response date",
        "reasons for the decision cannot be empty",
        "is negative",
        "cells but the header",
    ):
        assert phrase.lower() in text.lower(), phrase


def _problems(db) -> T.ImportProblems:
    try:
        T.import_csv(db, csv_bytes(*[r for r, _ in BAD_ROWS.values()]))
    except T.ImportProblems as exc:
        return exc
    raise AssertionError("the import should have failed")


def test_a_good_file_imports_the_same_rows(db, setup):
    good = [
        "G1,2026-01-05,Ann Ash,1 Road,Alice Adams,2026-01-06,2026-01-27,Waiting for a survey,"
        "2026-01-26,partly upheld,Some of it was late,2026-01-28,Bilal Bashir,2026-01-29,2026-02-20,"
        "Not Upheld,Stage 1 was fair,Repaint the hall,£75.50,2026-02-23",
        "G2,2026-01-05,Ann Ash,1 Road,,2026-01-07,,,,,,,,,,,,,,",
        "G3,2026-01-05,Ann Ash,1 road,Alice Adams,2026-01-06,,,2026-01-13,upheld,Late,2026-01-14,,"
        "2026-01-15,,,,,,",
    ]
    result = T.import_csv(db, csv_bytes(*good))
    assert result.complaints == 3 and result.residents_added == 1
    v = by_ref(db, "G1")
    assert v.complaint.state == L.CLOSED
    assert [e.new_due_on for e in v.stage(1).extensions] == [dt.date(2026, 1, 27)]
    assert v.stage(1).extensions[0].extended_on == dt.date(2026, 1, 6)
    assert v.stage(2).handler == "Bilal Bashir" and v.stage(2).stage.decision == L.NOT_UPHELD
    # remedies belong to the last response; the earlier one says none was recorded
    assert [(r.stage, r.kind, r.amount_pence) for r in v.remedies] == [(2, "financial remedy", 7550)]
    assert v.stage(1).stage.remedy_statement == "" and v.stage(1).stage.staff_note == T.NO_REMEDY
    # an acknowledgement with no handler named: the "Imported" member of staff, and at stage 2
    # someone different again
    assert by_ref(db, "G2").stage(1).handler == T.IMPORTED_STAFF
    v3 = by_ref(db, "G3")
    assert v3.stage(1).handler == "Alice Adams" and v3.stage(2).handler == T.IMPORTED_STAFF_STAGE2
    assert v3.complaint.state == L.S2_ACKNOWLEDGED
    assert result.staff_added == [T.IMPORTED_STAFF, T.IMPORTED_STAFF_STAGE2]


def test_refusals_withdrawals_and_escalation_refusals(db):
    header = (
        "reference,received_on,resident_name,refused_on,refusal_reason,stage1_acknowledged_on,"
        "stage1_responded_on,stage1_decision,stage1_reasons,stage2_requested_on,escalation_refused_on,"
        "escalation_refusal_reason,withdrawn_on,withdrawal_reason,closed_on"
    )
    rows = [
        "R1,2026-01-05,Ann Ash,2026-01-06,legal proceedings: A claim is at court,,,,,,,,,,",
        "R2,2026-01-05,Ann Ash,2026-01-06,We looked at this last year,,,,,,,,,,",
        "R3,2026-01-05,Ann Ash,,,2026-01-06,2026-01-12,upheld,Late,2026-01-14,2026-01-15,"
        "already considered: Answered in R1,,,2026-01-16",
        "R4,2026-01-05,Ann Ash,,,2026-01-06,,,,,,,2026-01-08,Sorted out,",
    ]
    T.import_csv(db, csv_bytes(*rows, header=header))
    r1 = by_ref(db, "R1").complaint
    assert (r1.state, r1.exclusion_ground, r1.exclusion_reason) == (
        L.REFUSED,
        "legal proceedings",
        "A claim is at court",
    )
    assert by_ref(db, "R2").complaint.exclusion_ground == "other"
    r3 = by_ref(db, "R3").complaint
    assert (r3.state, r3.escalation_refusal_ground) == (L.CLOSED, "already considered")
    r4 = by_ref(db, "R4").complaint
    assert (r4.state, r4.withdrawn_reason) == (L.WITHDRAWN, "Sorted out")


def test_closed_then_escalated_and_closing_dates_of_finished_complaints(db):
    header = (
        "reference,received_on,resident_name,refused_on,refusal_reason,stage1_acknowledged_on,"
        "stage1_responded_on,stage1_decision,stage1_reasons,stage2_requested_on,closed_on"
    )
    rows = [
        "E1,2026-01-05,Ann Ash,,,2026-01-06,2026-01-12,upheld,Late,2026-02-02,2026-01-20",
        "E2,2026-01-05,Ann Ash,2026-01-06,legal proceedings: At court,,,,,,2026-01-07",
    ]
    result = T.import_csv(db, csv_bytes(*rows, header=header))
    e1 = by_ref(db, "E1").complaint
    # closed after stage 1, escalated later: open again at stage 2
    assert (e1.state, e1.closed_on, e1.stage) == (L.S2_REQUESTED, None, 2)
    assert by_ref(db, "E2").complaint.state == L.REFUSED
    assert [(w.line, w.column) for w in result.warnings] == [(3, "closed_on")]
    assert "was refused, which ends it" in str(result.warnings[0])


def test_inactive_handler_is_a_problem_not_a_new_person(db, setup):
    settings.update_staff(db, setup.cerys, active=False)
    with pytest.raises(T.ImportProblems) as e:
        T.import_csv(db, csv_bytes("I1,2026-01-05,Ann Ash,1 Road,cerys cole,2026-01-06,,,,,,,,,,,,,,"))
    assert where(e.value) == [(2, "stage1_handler")]
    assert "no longer active" in str(e.value.problems[0])


def test_progress_is_reported_to_the_end(db):
    seen = []
    rows = [f"P{i},2026-01-05,Ann Ash,1 Road,,,,,,,,,,,,,,,," for i in range(250)]
    T.import_csv(db, csv_bytes(*rows), progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, 250) and seen[-1] == (250, 250)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_import_is_audited_once_more_as_an_import(db):
    T.import_csv(db, csv_bytes("Q1,2026-01-05,Ann Ash,1 Road,,,,,,,,,,,,,,,,"), name="log.csv")
    with reading(db) as u:
        actions = list(u.session.exec(select(M.AuditEntry.action)).all())
    assert "complaint logged" in actions and actions[-1] == "complaints log imported"


def test_log_complaint_checks_references_against_the_set_it_is_given(db, setup):
    from smallhousing.domain.errors import DomainError
    from smallhousing.services.base import transaction

    C.log_complaint(db, setup.resident, dt.date(2026, 1, 5), "Leak", reference="ON-RECORD")
    with transaction(db) as u:
        with C.references_known(u, {"ON-RECORD", "ONLY-IN-SET"}) as known:
            # the set answers, not the database: a reference only in the set is taken ...
            with pytest.raises(DomainError, match="ONLY-IN-SET already exists"):
                C.log_complaint(u, setup.resident, dt.date(2026, 1, 6), "Damp", reference="ONLY-IN-SET")
            # ... and each complaint logged adds its reference, given or made
            C.log_complaint(u, setup.resident, dt.date(2026, 1, 6), "Damp", reference=" NEW-1 ")
            made = C.log_complaint(u, setup.resident, dt.date(2026, 1, 7), "Noise")
            assert {"NEW-1", made.reference} <= known
            with pytest.raises(DomainError, match="NEW-1 already exists"):
                C.log_complaint(u, setup.resident, dt.date(2026, 1, 8), "Mould", reference="NEW-1")
        # after the block the database is asked again
        C.log_complaint(u, setup.resident, dt.date(2026, 1, 9), "Gate", reference="ONLY-IN-SET")
        with pytest.raises(DomainError, match="ON-RECORD already exists"):
            C.log_complaint(u, setup.resident, dt.date(2026, 1, 9), "Gate", reference="ON-RECORD")


def test_import_in_a_callers_unit_sees_the_references_made_before_it(db, setup):
    from smallhousing.services.base import transaction

    with pytest.raises(T.ImportProblems) as e:
        with transaction(db) as u:
            C.log_complaint(u, setup.resident, dt.date(2026, 1, 5), "Leak", reference="EARLIER")
            T.import_csv(u, csv_bytes("EARLIER,2026-01-05,Ann Ash,1 Road,,,,,,,,,,,,,,,,"))
    assert [str(p) for p in e.value.problems] == [
        "line 2, column reference: a complaint with reference EARLIER is already in the database"
    ]
    with transaction(db) as u:
        T.import_csv(u, csv_bytes("LATER,2026-01-05,Ann Ash,1 Road,,,,,,,,,,,,,,,,"))
        # the import's set of references is gone with the import: the database answers again
        assert u.known_references is None
        C.log_complaint(u, setup.resident, dt.date(2026, 1, 6), "Damp", reference="AFTER")
    assert count(db, M.Complaint) == 2


def test_the_cycle_collector_runs_again_after_an_import_as_before_it(db):
    import gc

    assert gc.isenabled()
    T.import_csv(db, csv_bytes("G1,2026-01-05,Ann Ash,1 Road,,,,,,,,,,,,,,,,"))
    assert gc.isenabled()
    with pytest.raises(T.ImportProblems):
        T.import_csv(db, csv_bytes("G1,2026-01-05,Ann Ash,1 Road,,,,,,,,,,,,,,,,"))
    assert gc.isenabled()
    gc.disable()
    try:
        T.import_csv(db, csv_bytes("G2,2026-01-05,Ann Ash,1 Road,,,,,,,,,,,,,,,,"))
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()


# at scale ----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_ten_thousand_rows(db):
    rows = []
    start = dt.date(2024, 1, 1)
    for i in range(10_000):
        day = start + dt.timedelta(days=i % 600)
        rows.append(f"N{i:05d},{day.strftime('%d/%m/%Y')},Resident {i % 400},{i % 400} Long Road")
    data = ("reference,received_on,resident_name,address\r\n" + "\r\n".join(rows) + "\r\n").encode()
    result = T.import_csv(db, data)
    assert result.complaints == 10_000 and result.residents_added == 400
    assert count(db, M.Complaint) == 10_000
    assert by_ref(db, "N09999").complaint.received_on == start + dt.timedelta(days=9999 % 600)


# the command line --------------------------------------------------------------------------------


def test_cli_import_good_and_bad(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SMALLHOUSING_DB", str(tmp_path / "cli.db"))
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes("C1,2026-01-05,Ann Ash,1 Road,,,,,,,,,,,,,,,,"))
    assert main(["import", str(good)]) == 0
    assert "Imported 1 complaint" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        csv_bytes(
            "C2,2026-13-05,Ann Ash,1 Road,,,,,,,,,,,,,,,,", "C1,2026-01-05,Ann Ash,1 Road,,,,,,,,,,,,,,,,"
        )
    )
    assert main(["import", str(bad)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("line 2, column received_on: ")
    assert err[1] == "line 3, column reference: a complaint with reference C1 is already in the database"
    assert "nothing was imported: 2 problems" in err[2]


def test_a_contractor_column_puts_each_complaint_down_to_a_contractor(db, tmp_path):
    # a contractor named in the log is found (ignoring capitals and spacing) or added once, and
    # the CSV export writes the name back
    data = csv_bytes(
        "C-1,02/02/2026,Ann Alder,1 Oak Road,Damp Experts Ltd",
        "C-2,03/02/2026,Bob Birch,2 Oak Road,  damp  experts LTD ",
        "C-3,04/02/2026,Cat Cedar,3 Oak Road,",
        header="reference,received_on,resident_name,address,contractor",
    )
    result = T.import_csv(db, data)
    assert result.complaints == 3 and result.contractors_added == ["Damp Experts Ltd"]
    assert count(db, M.Contractor) == 1
    with reading(db) as u:
        firm = u.session.exec(select(M.Contractor)).one()
        got = dict(u.session.exec(select(M.Complaint.reference, M.Complaint.contractor_id)).all())
    assert got == {"C-1": firm.id, "C-2": firm.id, "C-3": None}
    rows = {r["reference"]: r for r in T.log_rows(db)}
    assert rows["C-1"]["contractor"] == "Damp Experts Ltd" and rows["C-3"]["contractor"] == ""
    # an inactive contractor is a problem, not a second record
    from smallhousing.services.base import transaction

    with transaction(db) as u:
        firm = u.session.get(M.Contractor, firm.id)
        firm.active = False
        u.session.add(firm)
    with pytest.raises(T.ImportProblems) as exc:
        T.import_csv(
            db,
            csv_bytes(
                "C-4,05/02/2026,Dee Dogwood,4 Oak Road,Damp Experts Ltd",
                header="reference,received_on,resident_name,address,contractor",
            ),
        )
    assert "no longer an active contractor" in exc.value.problems[0].message
    assert count(db, M.Contractor) == 1
