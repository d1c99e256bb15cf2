"""Bad files are refused whole (issue 13, item 5): an unclosed quote, NUL bytes, dates before 1990 or
after today, money beyond any plausible amount and integers beyond SQLite's range, in CSV and JSON."""

from __future__ import annotations

import json

import pytest
from sqlmodel import func, select

from smallhousing.cli import main
from smallhousing.domain.errors import DomainError
from smallhousing.services import transfer as T
from smallhousing.services.base import reading
from smallhousing.store import models as M
from smallhousing.store.db import Database

HEADER = "reference,received_on,resident_name,address,summary,compensation_gbp"


def rows(n: int) -> list[str]:
    return [f"C-{i},2026-01-{i + 1:02d},Resident {i},{i} Mill Lane,Leak number {i}," for i in range(1, n + 1)]


def data(lines: list[str]) -> bytes:
    return ("\r\n".join([HEADER, *lines]) + "\r\n").encode("utf-8")


def complaints(db) -> int:
    with reading(db) as u:
        return u.session.exec(select(func.count()).select_from(M.Complaint)).one()


def test_unclosed_quote_is_refused_at_the_line_it_starts(db):
    lines = rows(10)
    lines[4] = 'C-5,2026-01-06,Resident 5,5 Mill Lane,"Leak under the sink,'  # never closed
    with pytest.raises(T.ImportProblems) as e:
        T.import_csv(db, data(lines))
    [p] = e.value.problems
    assert p.line == 6 and "never closed" in p.message
    assert complaints(db) == 0


def test_unclosed_quote_closed_by_a_later_quote_is_refused(db):
    lines = rows(10)
    lines[4] = 'C-5,2026-01-06,Resident 5,5 Mill Lane,"Leak under the sink,'
    lines[7] = 'C-8,2026-01-09,Resident 8,8 Mill Lane,"Damp, in the hall",'
    with pytest.raises(T.ImportProblems) as e:
        T.import_csv(db, data(lines))
    assert any(p.line == 6 and "quote" in p.message for p in e.value.problems)
    assert complaints(db) == 0


def test_a_real_multiline_cell_is_still_read(db):
    lines = rows(3)
    lines[1] = 'C-2,2026-01-03,Resident 2,2 Mill Lane,"Leak\nunder the sink",'
    assert T.import_csv(db, data(lines)).complaints == 3


@pytest.mark.parametrize("day", ["1989-12-31", "31/12/1899", "2026-03-03", "2031-01-01"])
def test_dates_before_1990_or_after_today_are_refused(db, day):
    lines = rows(3)
    lines[2] = f"C-3,{day},Resident 3,3 Mill Lane,Leak,"
    with pytest.raises(T.ImportProblems) as e:
        T.import_csv(db, data(lines))
    assert [(p.line, p.column) for p in e.value.problems] == [(4, "received_on")]
    assert complaints(db) == 0


def test_nul_bytes_are_refused_with_their_line(db):
    raw = data(rows(4)).replace(b"Leak number 3", b"Leak\x00number 3")
    with pytest.raises(T.ImportProblems) as e:
        T.import_csv(db, raw)
    [p] = e.value.problems
    assert p.line == 4 and "NUL" in p.message
    assert complaints(db) == 0


@pytest.mark.parametrize("amount", ["1000000000000000", "100000000000000000000", "1,000,000.01"])
def test_implausible_compensation_is_refused_plainly(db, amount):
    lines = [f'C-1,2026-01-02,Resident 1,1 Mill Lane,Leak,"{amount}"']
    header = (
        "reference,received_on,resident_name,address,summary,compensation_gbp,"
        "stage1_acknowledged_on,stage1_responded_on,stage1_decision,stage1_reasons"
    )
    lines = [lines[0] + ",2026-01-05,2026-01-12,upheld,It leaked"]
    raw = ("\r\n".join([header, *lines]) + "\r\n").encode()
    with pytest.raises(T.ImportProblems) as e:
        T.import_csv(db, raw)
    assert [(p.line, p.column) for p in e.value.problems] == [(2, "compensation_gbp")]
    assert "£1,000,000" in e.value.problems[0].message
    assert complaints(db) == 0


def test_cli_refuses_a_bad_file_with_exit_2_and_no_traceback(tmp_path, capsys):
    f = tmp_path / "bad.csv"
    lines = rows(10)
    lines[4] = 'C-5,2026-01-06,Resident 5,5 Mill Lane,"Leak under the sink,'
    f.write_bytes(data(lines))
    dbp = tmp_path / "r.db"
    assert main(["--db", str(dbp), "import", str(f)]) == 2
    err = capsys.readouterr().err
    assert "line 6" in err and "Traceback" not in err
    with Database(dbp).open() as d:
        assert complaints(d) == 0


# JSON -------------------------------------------------------------------------------------------


def _export(db, setup, tmp_path):
    out = tmp_path / "all.json"
    T.export_json(db, out)
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda d: d["tables"]["resident"][0].__setitem__("id", 10**20), "too large"),
        (lambda d: d["tables"]["staff"][0].__setitem__("id", -(10**20)), "too large"),
        (lambda d: d["tables"]["resident"][0].__setitem__("name", "Siân\x00O'Brien"), "NUL"),
        (lambda d: d["tables"]["resident"][0].__setitem__("created_on", "1899-01-01"), "1990"),
        (lambda d: d["tables"]["resident"][0].__setitem__("created_on", "2099-01-01"), "after today"),
    ],
)
def test_json_import_refuses_impossible_values_plainly(db, setup, tmp_path, change, words):
    d = _export(db, setup, tmp_path)
    change(d)
    new = Database(tmp_path / "new.db", today=db.today).open()
    try:
        with pytest.raises(DomainError) as e:
            T.import_json(new, d)
        assert words in str(e.value)
        with reading(new) as u:
            assert u.session.exec(select(func.count()).select_from(M.Resident)).one() == 0
    finally:
        new.close()
