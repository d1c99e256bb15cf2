"""Complaints by contractor (Code 5.4, 5.5): counted in services/figures.py, shown by the annual
report and the board update."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from pypdf import PdfReader

from smallhousing import reports
from smallhousing.services import complaints as C
from smallhousing.services import contractors as K
from smallhousing.services import figures as F
from smallhousing.services import reports as R

D = dt.date
YEAR_START, TODAY = D(2025, 4, 1), D(2026, 3, 2)  # reporting year 2025/26, still running today


def text_of(path: Path) -> str:
    raw = "\n".join(p.extract_text() or "" for p in PdfReader(str(path)).pages)
    return re.sub(r"\s+", " ", raw)


def _records(db, setup):
    """Roofwise: A upheld at stage 1 and closed; B not upheld at stage 1, partly upheld at stage 2,
    still open; F received the year before, still open. Sparks: C open. No contractor: D upheld at
    stage 1, open; E not accepted (refused)."""
    roof = K.add_contractor(db, "Roofwise", trade="roofing")
    sparks = K.add_contractor(db, "Sparks", trade="electrical")
    K.add_contractor(db, "Idle Ltd")  # nothing put down to it: no line

    def log(on, contractor=None, words="The work was poor."):
        c = C.log_complaint(db, setup.resident, on, words, channel="phone")
        if contractor is not None:
            K.put_complaint_down_to(db, c.id, contractor.id)
        return c

    a = log(D(2025, 5, 6), roof)
    C.acknowledge(db, a.id, "Tiles", handler_id=setup.alice, on=D(2025, 5, 7))
    C.respond(db, a.id, "upheld", "The tiles were left.", remedy_statement="An apology.", on=D(2025, 5, 15))
    C.close(db, a.id, on=D(2025, 5, 20))

    b = log(D(2025, 6, 2), roof)
    C.acknowledge(db, b.id, "Gutter", handler_id=setup.alice, on=D(2025, 6, 3))
    C.respond(db, b.id, "not upheld", "The gutter was sound.", remedy_statement="None.", on=D(2025, 6, 10))
    C.request_stage2(db, b.id, on=D(2025, 6, 12))
    C.acknowledge(db, b.id, "Gutter, stage 2", handler_id=setup.bilal, on=D(2025, 6, 13))
    C.respond(db, b.id, "partly upheld", "Part of it leaked.", remedy_statement="A repair.", on=D(2025, 7, 1))

    log(D(2024, 12, 2), roof)  # F: last year's, open
    log(D(2025, 9, 1), sparks)  # C
    d = log(D(2025, 10, 1))
    C.acknowledge(db, d.id, "Rent letter", handler_id=setup.alice, on=D(2025, 10, 2))
    C.respond(db, d.id, "upheld", "The letter was wrong.", remedy_statement="An apology.", on=D(2025, 10, 8))
    e = log(D(2025, 11, 3))
    C.refuse(db, e.id, "legal proceedings", "A claim is at court.", decided_by=setup.bilal)
    return roof, sparks


def test_complaints_by_contractor_counted_and_adding_up(db, setup):
    _records(db, setup)
    cf = F.contractor_figures(db, YEAR_START, TODAY)
    got = [(x.contractor, x.received, x.upheld_stage1, x.upheld_stage2, x.open_at_end) for x in cf.lines]
    # Roofwise: A and B received; A upheld at stage 1; B partly upheld at stage 2; B and F open.
    # Sparks: C received and open. Idle Ltd has nothing and no line. Most received first.
    assert got == [("Roofwise", 2, 1, 1, 2), ("Sparks", 1, 0, 0, 1)]
    n = cf.not_put_down
    # D received, upheld at stage 1 and open; E refused: not received (as CH01), not open
    assert (n.received, n.upheld_stage1, n.upheld_stage2, n.open_at_end) == (1, 1, 0, 1)
    # the lines and the sentence add up to the period's own figures
    f = F.period_figures(db, YEAR_START, TODAY, "2025/26")
    every = cf.lines + [n]
    assert sum(x.received for x in every) == f.stage1.received == 4
    assert sum(x.upheld_stage1 + x.upheld_stage2 for x in every) == f.upheld_any == 3
    assert sum(x.open_at_end for x in every) == f.open_at_end == 4


def test_a_period_before_anything_has_no_lines(db, setup):
    _records(db, setup)
    cf = F.contractor_figures(db, D(2024, 4, 1), D(2024, 11, 30))
    assert cf.lines == [] and cf.not_put_down.received == 0


def test_annual_report_and_board_update_show_the_table(db, setup, tmp_path):
    _records(db, setup)
    assert R.annual_report(db, 2025).by_contractor == F.contractor_figures(db, YEAR_START, TODAY)
    path = reports.write_annual(db, 2025, tmp_path / "annual.pdf")
    text = text_of(path)
    assert "4.12 Complaints by contractor" in text
    assert "Roofwise 2 1 1 2" in text and "Sparks 1 0 0 1" in text and "All contractors 3 1 1 3" in text
    assert "Idle Ltd" not in text
    assert (
        "not recorded against any contractor (1 received, 1 upheld at stage 1, 0 upheld at stage 2, 1 open"
        in text
    )

    b = R.board_update(db, D(2025, 10, 1), D(2025, 12, 31))
    path = reports.write_board(db, D(2025, 10, 1), D(2025, 12, 31), tmp_path / "board.pdf")
    text = text_of(path)
    assert "7. Complaints by contractor" in text
    # in October to December: only D received and upheld (no contractor); A, B, C, F earlier.
    # Open at 31 Dec: B, F (Roofwise), C (Sparks), D (none)
    assert [(x.contractor, x.received, x.open_at_end) for x in b.by_contractor.lines] == [
        ("Roofwise", 0, 2),
        ("Sparks", 0, 1),
    ]
    assert "Roofwise 0 0 0 2" in text
    summary = R.board_summary_lines(R.board_update(db, YEAR_START, TODAY))
    assert (
        "Complaints received about contractors' work: Roofwise 2, Sparks 1 (not put down to a contractor: 1)"
    ) in summary


def test_a_report_with_no_contractor_says_so(db, setup, tmp_path):
    C.log_complaint(db, setup.resident, D(2025, 5, 6), "A letter was late.", channel="phone")
    text = text_of(reports.write_board(db, D(2025, 4, 1), D(2025, 6, 30), tmp_path / "board.pdf"))
    assert "No complaint in" in text and "was recorded against a contractor" in text
    assert "(1 received, 0 upheld at stage 1, 0 upheld at stage 2, 1 open" in text
