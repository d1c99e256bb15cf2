"""Published figures stay as published: a year's figures are stored when published, reports print
them, and a later change that would alter them is refused until the year is reopened with a reason."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from smallhousing import reports
from smallhousing.domain.errors import DomainError
from smallhousing.services import complaints as C
from smallhousing.services import publishing as P
from smallhousing.services import reports as R
from smallhousing.services import settings as S
from smallhousing.services import transfer as T
from smallhousing.services.base import transaction
from smallhousing.services.measures import tsm_for_year
from smallhousing.store.db import Database
from smallhousing.store.models import AuditEntry, ClosureDay

D = dt.date


def text_of(path) -> str:
    from pypdf import PdfReader

    return re.sub(r"\s+", " ", "\n".join(p.extract_text() or "" for p in PdfReader(str(path)).pages))


TODAY = D(2026, 5, 5)  # a Tuesday, after the 2025/26 year ended


@pytest.fixture
def db(tmp_path):
    d = Database(tmp_path / "pub.db", actor="tester", today=TODAY).open()
    yield d
    d.close()


def _respond(db, cid, decision, reasons, *, on):
    return C.respond(
        db,
        cid,
        decision,
        reasons,
        on=on,
        remedy_statement="No remedy is offered.",
        actions_statement="Nothing more is to be done.",
    )


def _year(db, setup):
    """2025/26: one answered on time, one answered late, one still open (all at stage 1)."""
    a = C.log_complaint(db, setup.resident, D(2025, 5, 6), "Mould in the bedroom")
    C.acknowledge(db, a.id, "Mould", handler_id=setup.alice, on=D(2025, 5, 7))
    _respond(db, a.id, "upheld", "We should have surveyed sooner.", on=D(2025, 5, 15))
    b = C.log_complaint(db, setup.resident, D(2025, 6, 2), "Repair not done")
    C.acknowledge(db, b.id, "Repair", handler_id=setup.alice, on=D(2025, 6, 3))
    _respond(db, b.id, "not upheld", "The repair was booked.", on=D(2025, 6, 18))  # due 17 Jun
    c = C.log_complaint(db, setup.resident, D(2026, 3, 2), "Noisy boiler")
    C.acknowledge(db, c.id, "Boiler", handler_id=setup.alice, on=D(2026, 3, 3))
    old = C.log_complaint(db, setup.resident, D(2025, 9, 1), "Rent charged in 2023")
    C.refuse(
        db,
        old.id,
        "older than 12 months",
        "The charge was made in 2023.",
        on=D(2025, 9, 2),
        decided_by=setup.bilal,
        issue_arose_on=D(2023, 4, 3),
        aware_on=D(2023, 4, 3),
        discretion_note="Considered: nothing prevented the resident raising it in 2023.",
    )
    S.set_homes(db, 2025, 400)
    return a, b, c


def test_publish_stores_the_figures_audited_and_once(db, setup):
    _year(db, setup)
    with pytest.raises(DomainError) as e:
        P.publish_year(db, 2026)  # still running
    assert "once the year has ended" in str(e.value)
    row = P.publish_year(db, "2025/26")
    assert row.published_on == TODAY and row.published_by == "tester"
    stored = json.loads(row.figures)
    assert stored["tsm"] == tsm_for_year(db, 2025).as_dict()
    assert stored["figures"]["refused_by_ground"] == [["older than 12 months", 1]]
    assert stored["tsm"]["stage1_received"] == 3 and stored["tsm"]["stage1_responded"] == 2
    assert stored["figures"]["stage1"]["responded_on_time"] == 1
    p = P.publication(db, 2025)
    assert p.is_published and P.published_years(db) == [2025]
    with pytest.raises(DomainError):
        P.publish_year(db, 2025)
    with transaction(db) as u:
        from sqlmodel import select

        actions = u.session.exec(select(AuditEntry.action)).all()
    assert "figures published for 2025/26" in actions


def test_changes_to_a_published_year_are_refused_until_it_is_reopened(db, setup, tmp_path, capsys):
    a, b, c = _year(db, setup)
    P.publish_year(db, 2025)
    before = tsm_for_year(db, 2025).as_dict()

    def refused(fn, *args, **kw):
        with pytest.raises(DomainError) as e:
            fn(*args, **kw)
        assert "2025/26" in str(e.value) and "reopen" in str(e.value)
        assert tsm_for_year(db, 2025).as_dict() == before
        return e.value

    # a back-dated extension, agreed in the published year
    refused(
        C.extend,
        db,
        c.id,
        D(2026, 3, 31),
        "Waiting for the engineer's report",
        on=D(2026, 3, 10),
        resident_told=True,
    )
    # a back-dated response
    refused(_respond, db, c.id, "upheld", "The boiler was faulty.", on=D(2026, 3, 12))
    # a closure day in the year, however it gets in (the service refuses past days itself)
    with pytest.raises(DomainError):
        S.add_closure_day(db, D(2025, 6, 10), "office move")

    def closure_day():
        with transaction(db) as u:
            u.session.add(ClosureDay(day=D(2025, 6, 10), reason="office move"))  # makes the late one on time

    refused(closure_day)
    assert S.list_closure_days(db) == []
    # homes for the year
    refused(S.set_homes, db, 2025, 500)
    # an import of a complaint received in the year
    data = b"reference,received_on,resident_name,address\r\nOLD1,2025-07-01,Ann Example,1 Road\r\n"
    refused(T.import_csv, db, data)
    # changes outside the year are not held up
    C.log_complaint(db, setup.resident, D(2026, 4, 20), "Fence down")
    _respond(db, c.id, "upheld", "The boiler was faulty.", on=D(2026, 4, 14))

    with pytest.raises(DomainError):
        P.reopen_year(db, 2025, "  ... ")
    P.reopen_year(db, 2025, "An extension agreed in March was not recorded at the time.")
    assert P.published_years(db) == []
    C.log_complaint(db, setup.resident, D(2025, 11, 3), "Late entry found in the post book")
    assert tsm_for_year(db, 2025).stage1_received == 4

    # the next report of the year says it was reopened, when and why
    from smallhousing.cli import main

    assert main(["--db", str(db.path), "tsm", "--year", "2025"]) == 0
    out = capsys.readouterr().out
    assert "reopened on 5 May 2026" in out and "was not recorded at the time" in out
    text = text_of(reports.write_annual(db, 2025, tmp_path / "a.pdf"))
    assert "reopened on 5 May 2026" in text and "was not recorded at the time" in text

    # published again, from the records as they now are
    assert main(["--db", str(db.path), "tsm", "--year", "2025", "--publish"]) == 0
    assert "published" in capsys.readouterr().out
    assert P.publication(db, 2025).tsm["stage1_received"] == 4
    assert main(["--db", str(db.path), "tsm", "--year", "2025", "--reopen", "?"]) == 2
    assert "in words" in capsys.readouterr().err


def test_reports_of_a_published_year_print_the_stored_figures(db, setup, tmp_path, capsys):
    from smallhousing.cli import main

    _year(db, setup)
    P.publish_year(db, 2025)
    # the stored figures are what is printed, even if the records were to say otherwise
    with db.raw() as con:
        stored = json.loads(con.execute("SELECT figures FROM year_publication").fetchone()[0])
        stored["tsm"]["stage1_received"] = 77
        stored["figures"]["stage1"]["received"] = 77
        con.execute("UPDATE year_publication SET figures = ?", (json.dumps(stored),))
        con.commit()
    assert main(["--db", str(db.path), "tsm", "--year", "2025"]) == 0
    out = capsys.readouterr().out
    assert "published on 5 May 2026" in out and " 77 " in out
    assert main(["--db", str(db.path), "tsm", "--year", "2025", "--json"]) == 0
    js = json.loads(capsys.readouterr().out)
    assert js["stage1_received"] == 77 and js["published_on"] == "2026-05-05"
    data = R.annual_report(db, 2025)
    assert data.figures.stage1.received == 77 and data.tsm.stage1_received == 77
    assert "published on 5 May 2026" in data.publication_note
    text = text_of(reports.write_annual(db, 2025, tmp_path / "a.pdf"))
    assert "published on 5 May 2026" in text
    ev = R.computed_evidence(db, 2025)
    assert ev["6.3"].startswith("Published figures for 2025/26")
    text = text_of(reports.write_self_assessment(db, 2025, tmp_path / "s.pdf"))
    assert "published on 5 May 2026" in text
    # a board update for exactly the year prints the published figures too
    bu = R.board_update(db, D(2025, 4, 1), D(2026, 3, 31))
    assert bu.figures.stage1.received == 77 and "published on 5 May 2026" in bu.publication_note


def test_nothing_published_costs_one_query(db, setup, monkeypatch):
    calls = []
    monkeypatch.setattr(P, "current_figures", lambda *a: calls.append(a) or {})
    _year(db, setup)
    assert calls == []


def test_a_figure_worked_out_differently_by_a_newer_version_does_not_block_other_work(db, setup):
    """A published figure that today's code works out differently (a rule put right after it was
    published) differed before any change too: work outside the year goes on, and a change that
    does alter the year is still refused."""
    a, b, c = _year(db, setup)
    row = P.publish_year(db, 2025)
    stored = json.loads(row.figures)
    stored["tsm"]["stage1_within"] += 1  # as an older version with a looser rule would have stored it
    stored["figures"]["stage1"]["responded_on_time"] += 1
    with transaction(db) as u:
        u.session.get(type(row), row.id).figures = json.dumps(stored, sort_keys=True)
    C.log_complaint(db, setup.resident, D(2026, 4, 20), "Fence down")  # not held up
    with pytest.raises(DomainError, match="reopen"):
        C.extend(
            db,
            c.id,
            D(2026, 3, 31),
            "Waiting for the engineer's report",
            on=D(2026, 3, 10),
            resident_told=True,
        )


def test_extensions_that_do_not_count_are_counted_apart(db, setup):
    """An extension agreed after the date it extends, or never told, is counted in the annual
    report's figures and the 6.4 evidence as not moving the date."""
    c = C.log_complaint(db, setup.resident, D(2025, 6, 2), "Leak")
    C.acknowledge(db, c.id, "Leak", handler_id=setup.alice, on=D(2025, 6, 3))  # due 17 Jun
    C.extend(db, c.id, D(2025, 6, 27), "Roofer", on=D(2025, 6, 20), resident_told=True)  # too late
    d = C.log_complaint(db, setup.resident, D(2025, 7, 1), "Damp")
    C.acknowledge(db, d.id, "Damp", handler_id=setup.alice, on=D(2025, 7, 2))
    C.extend(db, d.id, D(2025, 7, 25), "Survey", on=D(2025, 7, 4))  # never told
    e = C.log_complaint(db, setup.resident, D(2025, 8, 1), "Fence")
    C.acknowledge(db, e.id, "Fence", handler_id=setup.alice, on=D(2025, 8, 4))
    C.extend(db, e.id, D(2025, 8, 29), "Contractor", on=D(2025, 8, 6), resident_told=True)
    f = R.year_figures(db, 2025)
    assert (f.stage1.extensions, f.stage1.extensions_not_counted) == (3, 2)
    evidence = R.computed_evidence(db, 2025)["6.4"]
    assert "1 moved the response date under the Code and 2 did not" in evidence
