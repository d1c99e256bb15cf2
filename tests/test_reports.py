"""Report PDFs, the self-assessment, the learning log and Ombudsman cases."""

from __future__ import annotations

import datetime as dt
import glob
import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlmodel import select

from smallhousing import reports
from smallhousing.domain import code_provisions as CP
from smallhousing.domain.errors import DomainError
from smallhousing.reports import annual, assessment, board
from smallhousing.services import complaints as C
from smallhousing.services import learning as LS
from smallhousing.services import reports as R
from smallhousing.services import settings as S
from smallhousing.services.base import reading
from smallhousing.store.models import AuditEntry

D = dt.date


def text_of(path: Path) -> str:
    raw = "\n".join(p.extract_text() or "" for p in PdfReader(str(path)).pages)
    return re.sub(r"\s+", " ", raw)


# the Code's provisions ---------------------------------------------------------------------------


def test_every_provision_listed_once():
    numbers = [p.number for p in CP.PROVISIONS]
    assert len(numbers) == len(set(numbers)) == 72
    assert {p.section for p in CP.PROVISIONS} == set(range(1, 10)) == set(CP.SECTIONS)
    per_section = {s: len(CP.in_section(s)) for s in CP.SECTIONS}
    assert per_section == {1: 5, 2: 5, 3: 7, 4: 3, 5: 15, 6: 20, 7: 4, 8: 5, 9: 8}
    assert numbers == sorted(numbers, key=CP.sort_key)
    for p in CP.PROVISIONS:
        assert p.summary and "\n" not in p.summary and len(p.summary) < 260
    assert CP.provision("6.13").part == "Stage 2"
    with pytest.raises(DomainError):
        CP.provision("6.21")


SEEDS = sorted(glob.glob("/work/shared/seeds/*.txt"))


@pytest.mark.skipif(not SEEDS, reason="the reference seeds are not on this machine")
def test_summaries_are_our_own_words():
    """No run of seven words in a summary appears in the published texts the Code is quoted in."""

    def words(t):
        return re.findall(r"[a-z0-9']+", t.lower())

    seed = words(" ".join(Path(p).read_text(encoding="utf-8") for p in SEEDS))
    grams = {tuple(seed[i : i + 7]) for i in range(len(seed) - 6)}
    for p in CP.PROVISIONS:
        w = words(p.summary)
        copied = [" ".join(w[i : i + 7]) for i in range(len(w) - 6) if tuple(w[i : i + 7]) in grams]
        assert not copied, (p.number, copied)


# self-assessment ---------------------------------------------------------------------------------


def test_self_assessment_edit_copy_and_audit(db, setup):
    rows = R.self_assessment(db, 2025)
    assert [r.number for r in rows] == [p.number for p in CP.PROVISIONS]
    assert all(r.complies is None for r in rows)
    R.save_assessment(
        db, "2025/26", "6.13", complies=True, evidence="Policy 4.2", commentary="Checked by the system"
    )
    R.save_assessment(db, 2025, "6.13", commentary="Now also checked monthly")
    R.save_assessment(db, 2025, "3.4", complies=False, commentary="Website page being rewritten")
    row = next(r for r in R.self_assessment(db, 2025) if r.number == "6.13")
    assert (row.complies, row.evidence, row.commentary) == (True, "Policy 4.2", "Now also checked monthly")
    assert row.computed.startswith("Records for 2025/26")
    with reading(db) as u:
        actions = [a.action for a in u.session.exec(select(AuditEntry)).all()]
    assert "self-assessment 6.13 recorded for 2025/26" in actions
    assert "self-assessment 6.13 changed for 2025/26" in actions
    with pytest.raises(DomainError):
        R.save_assessment(db, 2025, "10.1", complies=True)
    with pytest.raises(DomainError):
        R.save_assessment(db, 2025, "6.2", complies="maybe")
    # a new year starts from the last one's answers
    assert R.copy_assessment(db, 2025, 2026) == 2
    assert {r.number: r.complies for r in R.self_assessment(db, 2026) if r.complies is not None} == {
        "3.4": False,
        "6.13": True,
    }
    with pytest.raises(DomainError):
        R.copy_assessment(db, 2023, 2024)  # nothing to copy


def test_report_texts(db, setup):
    assert R.report_texts(db, 2025)["governing_body_response"] == ""
    R.set_report_text(db, 2025, "governing_body_response", "  The board welcomes this report.  ")
    assert R.report_texts(db, 2025)["governing_body_response"] == "The board welcomes this report."
    # kept apart from the provisions
    assert len(R.self_assessment(db, 2025)) == 72
    with pytest.raises(DomainError):
        R.set_report_text(db, 2025, "foreword", "x")


# learning and the Ombudsman ----------------------------------------------------------------------


def test_learning_log(db, setup):
    c = C.log_complaint(db, setup.resident, D(2025, 5, 6), "Leak ignored", categories=["repairs"])
    lp = LS.add_learning(
        db,
        "Jobs lost their owner between teams",
        theme="Repairs",
        improvement="Named owner for every job",
        owner="Imran",
        complaint=c.reference,
        recorded_on=D(2025, 6, 1),
    )
    assert (lp.theme, lp.status, lp.complaint_id, lp.made_on) == ("repairs", "planned", c.id, None)
    with pytest.raises(DomainError):
        LS.add_learning(db, "   ")
    with pytest.raises(DomainError):
        LS.add_learning(db, "x", status="finished")
    with pytest.raises(DomainError):  # only a done improvement has a date made
        LS.add_learning(db, "x", made_on=D(2025, 6, 1))
    with pytest.raises(DomainError):  # made before it was learned
        LS.update_learning(db, lp.id, status="done", made_on=D(2025, 5, 1))
    LS.update_learning(db, lp.id, status="done", made_on=D(2025, 9, 1))
    rows = LS.list_learning(db)
    assert [(x.status, x.made_on, x.reference) for x in rows] == [("done", D(2025, 9, 1), c.reference)]
    assert LS.list_learning(db, status="planned") == []
    with reading(db) as u:
        actions = [a.action for a in u.session.exec(select(AuditEntry)).all()]
    assert "learning recorded" in actions and "learning changed" in actions
    f = R.year_figures(db, 2025)
    assert [x.learning for x in f.learning] == ["Jobs lost their owner between teams"]


def test_ombudsman_cases(db, setup):
    case = LS.record_case(db, D(2025, 8, 4), case_number="202512345", summary="Damp handling")
    with pytest.raises(DomainError):
        LS.record_case(db, D(2025, 8, 5), case_number="202512345")
    with pytest.raises(DomainError):
        LS.record_finding(db, case.id, "partly upheld")
    with pytest.raises(DomainError):
        LS.record_finding(db, case.id, "maladministration", determined_on=D(2025, 8, 1))
    LS.record_finding(db, case.id, "Severe maladministration", determined_on=D(2025, 11, 20))
    order = LS.add_order(db, case.id, "Pay £600 and apologise", due_on=D(2025, 12, 18))
    b = R.board_update(db, D(2025, 10, 1), D(2025, 12, 31))
    assert [(c.case_number, o.description) for c, o in b.open_orders] == [
        ("202512345", "Pay £600 and apologise")
    ]
    LS.complete_order(db, order.id, complied_on=D(2025, 12, 20))
    with pytest.raises(DomainError):
        LS.complete_order(db, order.id)
    [line] = LS.list_cases(db)
    assert line.finding == "severe maladministration"
    assert line.orders[0].complied_on_time is False  # two days late
    f = R.year_figures(db, 2025)
    assert f.findings == {"severe maladministration": 1}
    assert (f.ombudsman_referred, f.orders_due, f.orders_complied_by_due) == (1, 1, 0)
    assert R.board_update(db, D(2025, 10, 1), D(2025, 12, 31)).open_orders == []


# PDFs --------------------------------------------------------------------------------------------


def _some_records(db, setup):
    c = C.log_complaint(
        db,
        setup.resident,
        D(2025, 5, 6),
        "Mould in the bedroom",
        channel="email",
        categories=["damp and mould"],
    )
    C.acknowledge(db, c.id, "Mould", handler_id=setup.alice, on=D(2025, 5, 7))
    C.respond(
        db,
        c.id,
        "upheld",
        "We should have surveyed sooner.",
        on=D(2025, 5, 15),
        remedies=[
            C.RemedyInput("apology", "We are sorry"),
            C.RemedyInput("financial remedy", "Distress", amount_pence=12500),
        ],
    )
    C.log_complaint(db, setup.resident, D(2025, 6, 2), "Old matter")
    LS.add_learning(
        db,
        "Surveys were booked too late",
        theme="damp and mould",
        improvement="Survey within 10 working days",
        status="done",
        recorded_on=D(2025, 6, 1),
        made_on=D(2025, 7, 1),
    )
    case = LS.record_case(db, D(2025, 9, 1), case_number="202599999")
    LS.record_finding(db, case.id, "service failure", determined_on=D(2025, 12, 1))
    LS.add_order(db, case.id, "Apologise in writing", due_on=D(2026, 1, 5))
    S.set_homes(db, 2025, 350)
    R.save_assessment(db, 2025, "6.5", complies=False, commentary="Letters are being changed")
    R.set_report_text(db, 2025, "governing_body_response", "The board accepts the findings.")


def test_annual_report_pdf_has_every_section(db, setup, tmp_path):
    _some_records(db, setup)
    path = reports.write_annual(db, 2025, tmp_path / "annual.pdf")
    assert path.exists() and path.read_bytes()[:5] == b"%PDF-"
    text = text_of(path)
    for key in ("8.1a", "8.1b", "8.1c", "8.1d", "8.1e", "8.1f", "8.2", "appendix"):
        assert annual.HEADINGS[key] in text, key
    for sub in (
        "4.1 Complaints received",
        "4.4 Acknowledging and answering on time",
        "4.5 Extensions",
        "4.6 Outcomes",
        "4.7 Complaints we did not accept",
        "4.8 Putting things right",
        "4.9 Three years compared",
    ):
        assert sub in text
    assert "The board accepts the findings." in text
    assert "Surveys were booked too late" in text and "202599999" in text
    assert "Letters are being changed" in text
    assert "2023/24" in text and "2024/25" in text  # three years side by side
    for p in ("1.2", "5.10", "6.20", "9.8"):
        assert p in text
    # 2 received; 2/350*1000 = 5.7 per 1,000 homes
    assert "5.7" in text
    assert_no_empty_pages(path)


def assert_no_empty_pages(path: Path) -> None:
    """Every page has something besides its running header and footer."""
    for n, page in enumerate(PdfReader(str(path)).pages, 1):
        lines = [
            x
            for x in (page.extract_text() or "").splitlines()
            if x.strip()
            and not x.startswith("Produced ")
            and ": annual complaints report" not in x
            and "self-assessment against" not in x.lower()[:80]
            and ": complaints update" not in x
        ]
        assert len(" ".join(lines)) > 40, f"page {n} is empty"


def test_self_assessment_and_board_pdfs(db, setup, tmp_path):
    _some_records(db, setup)
    sa = reports.write_self_assessment(db, "2025/26", tmp_path / "sa.pdf")
    text = text_of(sa)
    assert assessment.TITLE in text
    for name in CP.SECTIONS.values():
        assert name in text
    assert "Letters are being changed" in text and "Not assessed" in text
    assert_no_empty_pages(sa)
    bd = reports.write_board(db, D(2025, 4, 1), D(2025, 9, 30), tmp_path / "board.pdf")
    text = text_of(bd)
    for h in board.HEADINGS.values():
        assert h in text
    # referred in September (inside the period), decided in December (outside it)
    assert "202599999" in text and "Decisions received: none" in text
    assert "Apologise in writing" in text  # its order is still outstanding
    assert_no_empty_pages(bd)


def test_report_paths_and_bad_output(db, setup, tmp_path):
    path = reports.write_self_assessment(db, 2025)
    assert path.parent.name == "reports" and path.name == "self-assessment-2025-26.pdf"
    with pytest.raises(DomainError):
        reports.write_annual(db, 2025, tmp_path / "annual.txt")
    with pytest.raises(DomainError):
        reports.write_annual(db, 2025, tmp_path / "missing" / "annual.pdf")
    assert not (tmp_path / "missing").exists()


def test_cli_report_commands(db, setup, tmp_path, capsys):
    from smallhousing.cli import main

    _some_records(db, setup)
    out = tmp_path / "a.pdf"
    assert main(["--db", str(db.path), "report", "annual", "--year", "2025", "--out", str(out)]) == 0
    assert str(out) in capsys.readouterr().out and out.exists()
    out = tmp_path / "s.pdf"
    assert (
        main(["--db", str(db.path), "report", "self-assessment", "--year", "2025/26", "--out", str(out)]) == 0
    )
    assert out.exists()
    out = tmp_path / "b.pdf"
    assert (
        main(
            [
                "--db",
                str(db.path),
                "report",
                "board",
                "--from",
                "2025-04-01",
                "--to",
                "31/03/2026",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert out.exists()
    assert main(["--db", str(db.path), "report", "board", "--from", "2026-01-01", "--to", "2025-01-01"]) == 2
    assert "before it starts" in capsys.readouterr().err


def test_reportlab_not_imported_by_package():
    import subprocess
    import sys

    code = (
        "import sys, smallhousing.reports, smallhousing.services.reports, smallhousing.cli.reports;"
        "print('reportlab' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_annual_report_on_demo_data(demo_db, tmp_path):
    path = reports.write_annual(demo_db, 2025, tmp_path / "demo.pdf")
    assert_no_empty_pages(path)
    text = text_of(path)
    t = R.tsm_for_year(demo_db, 2025)
    assert f"{t.stage1_received:,} stage 1 complaints" in text
    assert json.dumps(t.as_dict())  # plain JSON types only
