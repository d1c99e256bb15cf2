"""Reports that agree with themselves: one year for each learning point, an unfinished year compared
with the same months before, counts in good grammar, board periods that line up, fonts that print
every resident's name, and type large enough to read."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from pypdf import PdfReader

from smallhousing import reports
from smallhousing.domain.plural import count
from smallhousing.services import complaints as C
from smallhousing.services import learning as LS
from smallhousing.services import reports as R
from smallhousing.services import settings as S

D = dt.date  # today in these tests is Mon 2 Mar 2026 (conftest), inside 2025/26


def text_of(path) -> str:
    raw = "\n".join(p.extract_text() or "" for p in PdfReader(str(path)).pages)
    return re.sub(r"\s+", " ", raw)


def test_count_helper():
    assert count(1, "request") == "1 request"
    assert count(2, "request") == "2 requests"
    assert count(1200, "request") == "1,200 requests"
    assert count(0, "request") == "0 requests"
    assert count(0, "request", zero="no") == "no requests"
    assert count(3, "remedy") == "3 remedies" and count(2, "box") == "2 boxes"
    assert count(2, "complaint was", "complaints were") == "2 complaints were"


def test_a_learning_point_counts_in_the_year_it_was_made(db, setup):
    # recorded in 2024/25, the improvement made in 2025/26: it belongs to 2025/26 only
    LS.add_learning(
        db,
        "Repairs were not followed up",
        improvement="A call after every repair",
        status="done",
        recorded_on=D(2025, 3, 10),
        made_on=D(2025, 5, 1),
    )
    # recorded in 2024/25 and not yet made: it counts in the year it was recorded
    LS.add_learning(db, "Letters were too long", status="planned", recorded_on=D(2025, 3, 12))
    f24, f25 = R.year_figures(db, 2024), R.year_figures(db, 2025)
    assert [x.learning for x in f24.learning] == ["Letters were too long"]
    assert [x.learning for x in f25.learning] == ["Repairs were not followed up"]
    assert "1 learning point" in R.computed_evidence(db, 2024)["9.1"]
    assert "no service improvements" in R.computed_evidence(db, 2024)["9.1"]
    ev = R.computed_evidence(db, 2025)["9.1"]
    assert "1 learning point" in ev and "1 service improvement made" in ev


def test_an_unfinished_year_is_compared_with_the_same_months_before(db, setup, tmp_path):
    for day in (D(2024, 5, 1), D(2025, 3, 20), D(2025, 5, 2)):
        C.log_complaint(db, setup.resident, day, "Heating")
    r = R.annual_report(db, 2025)
    assert not r.year_complete
    prev = r.history[-2]
    assert (prev.start, prev.end) == (D(2024, 4, 1), D(2025, 3, 2))  # the same months, to 2 March
    assert prev.stage1.received == 1  # 20 March 2025 is after the same point last year
    assert r.history[-3].end == D(2024, 3, 2)
    assert "1 April to 2 March" in r.comparison_note
    text = text_of(reports.write_annual(db, 2025, tmp_path / "a.pdf"))
    assert "1 April to 2 March" in text and "not yet finished" in text


def test_a_finished_year_is_compared_with_whole_years(db, setup):
    r = R.annual_report(db, 2024)
    assert r.year_complete and r.history[-2].end == D(2024, 3, 31) and r.comparison_note == ""


@pytest.mark.parametrize(
    "start, end, before",
    [
        ((2026, 1, 1), (2026, 3, 31), ((2025, 10, 1), (2025, 12, 31))),  # a quarter: the quarter before
        ((2025, 10, 1), (2025, 12, 31), ((2025, 7, 1), (2025, 9, 30))),
        ((2025, 2, 1), (2025, 2, 28), ((2025, 1, 1), (2025, 1, 31))),  # a month: the month before
        ((2025, 4, 1), (2026, 3, 31), ((2024, 4, 1), (2025, 3, 31))),  # a year: the year before
        ((2025, 11, 10), (2025, 11, 16), ((2025, 11, 3), (2025, 11, 9))),  # other periods: as many days
    ],
)
def test_board_update_compares_like_with_like(db, setup, start, end, before):
    b = R.board_update(db, D(*start), D(*end))
    assert (b.figures.start, b.figures.end) == (D(*start), D(*end))
    assert (b.previous.start, b.previous.end) == (D(*before[0]), D(*before[1]))


def test_board_period_label_says_both_days_are_included():
    assert R.period_label(D(2026, 1, 1), D(2026, 3, 31)) == "1 Jan 2026 to 31 Mar 2026"


def test_counts_read_well_in_the_reports(db, setup, tmp_path):
    c = C.log_complaint(db, setup.resident, D(2025, 5, 6), "Mould", channel="email")
    C.acknowledge(db, c.id, "Mould", handler_id=setup.alice, on=D(2025, 5, 7))
    C.respond(
        db,
        c.id,
        "upheld",
        "We were slow.",
        on=D(2025, 5, 15),
        remedy_statement="An apology.",
        actions_statement="Nothing more.",
    )
    LS.add_learning(db, "Surveys late", status="planned", recorded_on=D(2025, 6, 1))
    text = text_of(reports.write_annual(db, 2025, tmp_path / "a.pdf"))
    text += text_of(reports.write_board(db, D(2025, 4, 1), D(2025, 9, 30), tmp_path / "b.pdf"))
    text += " ".join(R.board_summary_lines(R.board_update(db, D(2025, 4, 1), D(2025, 9, 30))))
    # (not "stage 1 complaints", which names the stage)
    wrong = re.findall(
        r"(?<![Ss]tage )(?<![\d.,])\b1 (?:stage \d )?(?:complaints|responses|improvements|"
        r"lessons|decisions|requests)\b",
        text,
    )
    assert wrong == []
    assert "We logged 1 complaint in 2025/26" in text
    assert "1 improvement from the learning log is still" in text


def test_reports_print_welsh_and_accented_names_in_readable_type(db, setup, tmp_path):
    S.update_settings(
        db, name="Cartrefi Gŵyr a'r Fro", member_responsible="Dafydd Tŷ-Mawr", complaints_officer="Renée Côté"
    )
    C.log_complaint(db, setup.resident, D(2025, 5, 6), "Mould", channel="email", categories=["damp"])
    for path in (
        reports.write_annual(db, 2025, tmp_path / "a.pdf"),
        reports.write_self_assessment(db, 2025, tmp_path / "s.pdf"),
        reports.write_board(db, D(2025, 4, 1), D(2025, 9, 30), tmp_path / "b.pdf"),
    ):
        reader = PdfReader(str(path))
        text = text_of(path)
        assert "Gŵyr" in text and "Tŷ-Mawr" in text or "Gŵyr" in text, path.name
        fonts = set()
        sizes = []
        for page in reader.pages:
            for f in (page.get("/Resources") or {}).get("/Font", {}).values():
                fonts.add(str(f.get_object().get("/BaseFont")))
            sizes += [float(s) for s in re.findall(rb"([\d.]+) Tf", page.get_contents().get_data())]
        assert fonts and all("DejaVu" in f or "Smallhousing" in f for f in fonts), fonts
        assert min(sizes) >= 8, (path.name, min(sizes))
    st = reports.pdf.styles()
    for name in ("body", "small", "note", "cell", "cellbold", "head", "bullet", "boxlabel"):
        assert st[name].fontSize >= 10, name
