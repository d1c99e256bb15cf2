"""What residents think: TP09 worked out by hand, satisfaction answers after a complaint closed,
compliments, survey comments and how to complain (1.6), the figures and the annual report."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from sqlmodel import col, select

from smallhousing import reports
from smallhousing.domain import satisfaction as S
from smallhousing.domain.calendar import WorkingCalendar
from smallhousing.domain.errors import DomainError
from smallhousing.services import complaints as C
from smallhousing.services import figures as F
from smallhousing.services import publishing as P
from smallhousing.services import reports as R
from smallhousing.services import satisfaction as SV
from smallhousing.services import settings as ST
from smallhousing.services.base import reading
from smallhousing.services.worklist import worklist
from smallhousing.store.db import Database
from smallhousing.store.models import AuditEntry, PerceptionResult

D = dt.date


def text_of(path: Path) -> str:
    from pypdf import PdfReader

    return re.sub(r"\s+", " ", "\n".join(p.extract_text() or "" for p in PdfReader(str(path)).pages))


# the domain ---------------------------------------------------------------------------------------


def test_tp09_by_hand():
    # 150 satisfied of 150 + 30 + 20 = 200 who answered: 75.0%
    assert S.tp09(150, 30, 20) == 75.0
    # 2 of 3: 66.666..% -> 66.7
    assert S.tp09(2, 1, 0) == 66.7
    # 1 of 8 = 12.5% exactly; 289 of 400 = 72.25% -> 72.3 (half up, not to even)
    assert S.tp09(1, 3, 4) == 12.5
    assert S.tp09(289, 100, 11) == 72.3
    # nobody answered: no figure
    assert S.tp09(0, 0, 0) is None
    # don't know is left out: 30 of (30 + 10 + 10) = 60.0%, whatever the 500 who did not know
    c = S.check_counts(30, 10, 10, 500)
    assert c.answered == 50 and c.result == 60.0
    # only "don't know" answers: none
    assert S.check_counts(0, 0, 0, 7).result is None


@pytest.mark.parametrize(
    "counts, words",
    [
        ((-1, 0, 0, 0), "cannot be negative"),
        (("-3", 0, 0, 0), "cannot be negative"),
        ((1.5, 0, 0, 0), "whole number"),
        (("12a", 0, 0, 0), "whole number"),
        ((True, 0, 0, 0), "whole number"),
        ((0, 0, 0, 0), "Every count is 0"),
    ],
)
def test_counts_are_whole_and_not_negative(counts, words):
    with pytest.raises(DomainError, match=words):
        S.check_counts(*counts)
    assert S.check_counts("1,200", "3", 0, "").satisfied == 1200


def test_answers_scale():
    assert S.ANSWERS == (
        "very satisfied",
        "fairly satisfied",
        "neither",
        "fairly dissatisfied",
        "very dissatisfied",
        "declined",
    )
    assert S.check_answer(" Declined to answer ") == "declined"
    assert S.check_answer("neither satisfied nor dissatisfied") == "neither"
    with pytest.raises(DomainError, match="Choose the resident's answer"):
        S.check_answer("quite happy")


def test_how_to_complain_target_is_the_apps_own():
    cal = WorkingCalendar()
    # received Thu 18 Dec 2025: Fri 19, Mon 22, Tue 23, Wed 24, (25, 26 bank holidays), Mon 29
    d = S.how_to_complain_due(cal, D(2025, 12, 18))
    assert d.due == D(2025, 12, 29)
    assert "app's own target" in d.explain() and "Christmas Day" in d.explain()


def test_regulator_note():
    assert S.submits_to_regulator(999) is False and S.submits_to_regulator(1000) is True
    assert S.submits_to_regulator(None) is None
    assert "do not submit" in S.regulator_note(400)


# satisfaction answers ----------------------------------------------------------------------------


def _closed(db, setup, received=D(2025, 11, 3)):
    c = C.log_complaint(db, setup.resident, received, "The boiler is broken")
    C.acknowledge(db, c.id, "Boiler", handler_id=setup.alice, on=received + dt.timedelta(days=1))
    C.respond(
        db,
        c.id,
        "upheld",
        "We were slow to repair it.",
        on=received + dt.timedelta(days=7),
        remedy_statement="An apology.",
        actions_statement="Nothing more.",
    )
    C.close(db, c.id, on=received + dt.timedelta(days=8))
    return c


def test_answer_only_after_closing(db, setup):
    c = C.log_complaint(db, setup.resident, D(2026, 1, 5), "Noise")
    with pytest.raises(DomainError, match="once the complaint is closed"):
        SV.record_satisfaction_answer(db, c.id, "very satisfied", asked_on=D(2026, 1, 6))
    closed = _closed(db, setup)  # closed 11 Nov 2025
    with pytest.raises(DomainError, match="before the complaint's closure"):
        SV.record_satisfaction_answer(db, closed.id, "very satisfied", asked_on=D(2025, 11, 10))
    with pytest.raises(DomainError, match="in the future"):
        SV.record_satisfaction_answer(db, closed.id, "very satisfied", asked_on=D(2026, 3, 3))
    row = SV.record_satisfaction_answer(
        db, closed.reference, "fairly satisfied", asked_on=D(2025, 11, 20), channel="phone"
    )
    assert row.answer == "fairly satisfied"
    # one answer per closing: a second is refused, the first corrected instead (audited)
    with pytest.raises(DomainError, match="already recorded"):
        SV.record_satisfaction_answer(db, closed.id, "very dissatisfied", asked_on=D(2025, 11, 21))
    SV.correct_satisfaction_answer(db, row.id, "very dissatisfied", comment="Said so on the phone")
    current, every = SV.satisfaction_answers(db, closed.id)
    assert current is not None and current.answer == "very dissatisfied" and len(every) == 1
    with reading(db) as u:
        e = u.session.exec(
            select(AuditEntry).where(AuditEntry.action == "satisfaction answer corrected")
        ).one()
        assert json.loads(e.before)["answer"] == "fairly satisfied"
        assert e.complaint_id == closed.id


def test_escalated_and_closed_again_can_be_asked_again(db, setup):
    c = _closed(db, setup)  # stage 1 closed 11 Nov 2025
    SV.record_satisfaction_answer(db, c.id, "very dissatisfied", asked_on=D(2025, 11, 12))
    C.request_stage2(db, c.id, on=D(2025, 11, 13), handler_id=setup.bilal)
    with pytest.raises(DomainError, match="once the complaint is closed"):
        SV.record_satisfaction_answer(db, c.id, "neither", asked_on=D(2025, 11, 14))
    C.acknowledge(db, c.id, "Boiler, stage 2", handler_id=setup.bilal, on=D(2025, 11, 14))
    C.respond(
        db,
        c.id,
        "upheld",
        "We agree.",
        on=D(2025, 11, 28),
        remedy_statement="£50.",
        actions_statement="None.",
    )
    C.close(db, c.id, on=D(2025, 12, 1))
    SV.record_satisfaction_answer(db, c.id, "fairly satisfied", asked_on=D(2025, 12, 2))
    current, every = SV.satisfaction_answers(db, c.id)
    assert current.answer == "fairly satisfied" and len(every) == 2


# TP09 --------------------------------------------------------------------------------------------


def test_enter_and_replace_tp09_keeps_the_old_in_the_audit(db, setup):
    row = SV.enter_tp09(db, "2024/25", 120, 40, 40, 10, method="postal survey")
    assert row.year == 2024 and row.measure == "TP09"
    SV.enter_tp09(db, 2024, 130, 40, 30, 10, method="postal survey")
    with reading(db) as u:
        rows = u.session.exec(select(PerceptionResult)).all()
        assert [(r.year, r.satisfied) for r in rows] == [(2024, 130)]
        e = u.session.exec(
            select(AuditEntry).where(AuditEntry.action == "TP09 counts replaced for 2024/25")
        ).one()
        assert json.loads(e.before) == {"satisfied": 120, "dissatisfied": 40}
    assert F.tp09_years(db)[0].result == 65.0  # 130 of 200


def test_tp09_refused_for_a_published_year_until_reopened(tmp_path):
    db = Database(tmp_path / "pub.db", actor="tester", today=D(2026, 5, 5)).open()
    try:
        SV.enter_tp09(db, 2025, 10, 5, 5)
        P.publish_year(db, 2025)
        assert P.publication(db, 2025).figures["figures"]["tp09"]["satisfied"] == 10
        with pytest.raises(DomainError, match="published on .* Reopen 2025/26"):
            SV.enter_tp09(db, 2025, 11, 5, 5)
        with pytest.raises(DomainError, match="2025/26 were published on .* Nothing was imported"):
            SV.import_tp09(db, "year,satisfied,neither,dissatisfied,dont_know\n2024,1,1,1,0\n2025,2,2,2,0\n")
        assert F.tp09_years(db) == F.tp09_years(db) and [y.year for y in F.tp09_years(db)] == [2025]
        # reports print the published counts
        f, _, _ = R.year_figures_as_reported(db, 2025)
        assert f.tp09 == S.PerceptionCounts(10, 5, 5, 0)
        P.reopen_year(db, 2025, "The survey company sent corrected counts.")
        SV.enter_tp09(db, 2025, 11, 5, 4)
        assert F.year_figures(db, 2025).tp09_result == 55.0  # 11 of 20
    finally:
        db.close()


def test_import_tp09_csv(db, setup, tmp_path):
    path = tmp_path / "tp09.csv"
    path.write_text("year,satisfied,neither,dissatisfied,dont_know\n2023,50,25,25,3\n2024/25,60,20,20,\n")
    rows = SV.import_tp09(db, path)
    assert [(r.year, r.dont_know) for r in rows] == [(2023, 3), (2024, 0)]
    # one bad line imports nothing
    with pytest.raises(DomainError, match="Line 3: The number neither cannot be negative"):
        SV.import_tp09(db, "year,satisfied,neither,dissatisfied,dont_know\n2022,1,1,1,0\n2021,1,-1,1,0\n")
    assert [y.year for y in F.tp09_years(db)] == [2023, 2024]
    with pytest.raises(DomainError, match="lacks dissatisfied"):
        SV.import_tp09(db, "year,satisfied,neither\n2022,1,1\n")


# compliments and survey comments -----------------------------------------------------------------


def test_compliments_have_references_and_words(db, setup):
    a = SV.log_compliment(
        db, D(2026, 1, 6), "Thank you for the quick repair", team="Repairs", channel="email"
    )
    b = SV.log_compliment(db, D(2026, 2, 2), "Lovely caretaker", resident_id=setup.resident)
    c = SV.log_compliment(db, D(2025, 12, 30), "Helpful officer", team="Housing")
    assert (a.reference, b.reference, c.reference) == ("CM-2026-0001", "CM-2026-0002", "CM-2025-0001")
    for bad in ("", " ... ", "!!"):
        with pytest.raises(DomainError, match="compliment in the resident's words"):
            SV.log_compliment(db, D(2026, 1, 6), bad)
    with pytest.raises(DomainError, match="in the future"):
        SV.log_compliment(db, D(2026, 3, 3), "Thanks")
    with pytest.raises(DomainError, match="no resident"):
        SV.log_compliment(db, D(2026, 1, 6), "Thanks", resident_id=999)
    assert [x.reference for x in SV.compliments(db)][0] == "CM-2026-0002"


def test_survey_comment_how_to_complain_and_a_complaint_from_it(db, setup):
    sc = SV.log_survey_comment(
        db, D(2026, 2, 23), "Nobody ever calls back", survey="TSM survey 2025", resident_id=setup.resident
    )
    # on the worklist: due 5 working days after Mon 23 Feb = Mon 2 Mar 2026 (today)
    items = [i for i in worklist(db) if i.entity == "survey-comment"]
    assert [(i.complaint_id, i.kind, i.due) for i in items] == [(sc.id, "how-to-complain", D(2026, 3, 2))]
    with pytest.raises(DomainError, match="Say how"):
        SV.record_how_to_complain_sent(db, sc.id, D(2026, 2, 24), " . ")
    with pytest.raises(DomainError, match="before the comment's receipt"):
        SV.record_how_to_complain_sent(db, sc.id, D(2026, 2, 20), "letter")
    SV.record_how_to_complain_sent(db, sc.id, D(2026, 2, 24), "letter with our complaints policy")
    assert not [i for i in worklist(db) if i.entity == "survey-comment"]
    with pytest.raises(DomainError, match="already sent"):
        SV.record_how_to_complain_sent(db, sc.id, D(2026, 2, 25), "email")
    with pytest.raises(DomainError, match="before the comment"):
        SV.raise_complaint_from_comment(db, sc.id, D(2026, 2, 20), "Nobody calls back")
    c = SV.raise_complaint_from_comment(db, sc.id, D(2026, 2, 26), "Nobody calls me back about repairs")
    assert c.resident_id == setup.resident and c.reference.startswith("2026-")
    line = SV.survey_comments(db)[0]
    assert line.complaint_reference == c.reference and line.sent_on == D(2026, 2, 24)
    with pytest.raises(DomainError, match="already raised"):
        SV.raise_complaint_from_comment(db, sc.id, D(2026, 2, 26), "Again")


def test_comment_without_a_resident_needs_one_for_a_complaint(db, setup):
    sc = SV.log_survey_comment(db, D(2026, 2, 2), "Complaints take too long")
    with pytest.raises(DomainError, match="Choose the resident"):
        SV.raise_complaint_from_comment(db, sc.id, D(2026, 2, 3), "Too slow")
    c = SV.raise_complaint_from_comment(db, sc.id, D(2026, 2, 3), "Too slow", resident_id=setup.resident)
    assert SV.survey_comments(db)[0].resident_id == setup.resident == c.resident_id


# figures and reports -----------------------------------------------------------------------------


def _views(db, setup):
    SV.enter_tp09(db, 2023, 50, 30, 20)  # 50.0%
    SV.enter_tp09(db, 2024, 60, 20, 20, 5)  # 60.0%
    SV.enter_tp09(db, 2025, 289, 100, 11, 40)  # 72.25 -> 72.3%
    SV.log_compliment(db, D(2024, 6, 3), "Thanks", team="Repairs")
    SV.log_compliment(db, D(2025, 5, 6), "Great", team="Repairs")
    SV.log_compliment(db, D(2025, 9, 1), "Kind", team="Housing")
    SV.log_compliment(db, D(2026, 1, 5), "Quick", team="Repairs")
    c = _closed(db, setup)
    SV.record_satisfaction_answer(db, c.id, "very satisfied", asked_on=D(2025, 11, 20))
    d = _closed(db, setup, received=D(2025, 12, 1))
    SV.record_satisfaction_answer(db, d.id, "declined", asked_on=D(2025, 12, 19))
    ST.set_homes(db, 2025, 400)


def test_figures(db, setup):
    _views(db, setup)
    f = F.year_figures(db, 2025)
    assert f.tp09 == S.PerceptionCounts(289, 100, 11, 40) and f.tp09_result == 72.3
    assert f.compliments == 3 and f.compliments_by_team == [("Repairs", 2), ("Housing", 1)]
    answers = dict(f.satisfaction_answers)
    assert answers["very satisfied"] == 1 and answers["declined"] == 1 and sum(answers.values()) == 2
    assert f.answers_given == 1 and f.answers_satisfied_pct == 100.0
    views = F.residents_views(db, 2025)
    assert [(v.label, v.tp09_result, v.compliments) for v in views] == [
        ("2023/24", 50.0, 0),
        ("2024/25", 60.0, 1),
        ("2025/26", 72.3, 3),
    ]
    # a period that is not a reporting year carries no TP09, but counts compliments
    p = F.period_figures(db, D(2025, 4, 1), D(2025, 6, 30), "Q1")
    assert p.tp09 is None and p.compliments == 1
    # the published figures include them
    with reading(db) as u:
        now = P.current_figures(u, 2025)
    assert now["figures"]["compliments"] == 3 and now["figures"]["tp09"]["satisfied"] == 289
    lines = R.board_summary_lines(R.board_update(db, D(2025, 10, 1), D(2025, 12, 31)))
    assert "Compliments received: 0 (down 1 on the period before)" in lines
    assert "Satisfied when asked after a complaint closed: 1 of 1 (100.0%)" in lines


def test_annual_report_shows_tp09_and_compliments_with_previous_years(db, setup, tmp_path):
    _views(db, setup)
    text = text_of(reports.write_annual(db, 2025, tmp_path / "annual.pdf"))
    assert "4.10 What residents think" in text
    assert "TP09 is 72.3%" in text and "A further 40 said they did not know" in text
    assert "fewer than 1,000" in text
    assert "We received 3 compliments about our service in 2025/26: Repairs (2), Housing (1)." in text
    # the three years side by side, beside CH01 and CH02
    assert "TP09 satisfied with our complaint handling 50.0% 60.0% 72.3%" in text
    assert "TP09: satisfied, of those who answered 50 of 100 60 of 100 289 of 400" in text
    assert "Compliments received 0 1 3" in text
    assert "CH02(1) stage 1 answered on time n/a n/a 100.0%" in text
    assert "1 resident answered, and 1 of them said they were very or fairly satisfied (100.0%)" in text


def test_annual_report_without_tp09(db, setup, tmp_path):
    text = text_of(reports.write_annual(db, 2025, tmp_path / "annual.pdf"))
    assert "has not been entered" in text and "not entered not entered not entered" in text
    assert "We received no compliments" in text or "We received 0 compliments" in text


def test_the_audit_records_each_action(db, setup):
    SV.log_compliment(db, D(2026, 1, 6), "Thanks")
    sc = SV.log_survey_comment(db, D(2026, 2, 2), "Slow")
    SV.record_how_to_complain_sent(db, sc.id, D(2026, 2, 3), "email")
    SV.enter_tp09(db, 2025, 1, 1, 1)
    with reading(db) as u:
        actions = list(u.session.exec(select(AuditEntry.action).order_by(col(AuditEntry.id))).all())
    for a in (
        "compliment logged",
        "survey comment logged",
        "how to complain sent",
        "TP09 counts entered for 2025/26",
    ):
        assert a in actions


# the command line ----------------------------------------------------------------------------------


def test_cli_tp09_and_compliment(db, setup, tmp_path, capsys):
    from smallhousing.cli import main

    path = str(db.path)
    db.close()
    assert (
        main(["tp09", "2024", "--db", path, "--satisfied", "150", "--neither", "30", "--dissatisfied", "20"])
        == 0
    )
    assert (
        capsys.readouterr().out.strip() == "TP09 2024/25: 75.0% (150 of 200 satisfied; 0 don't know left out)"
    )
    csv_file = tmp_path / "tp09.csv"
    csv_file.write_text("year,satisfied,neither,dissatisfied,dont_know\n2023,2,1,0,4\n")
    assert main(["tp09", "--db", path, "--import", str(csv_file)]) == 0
    assert "TP09 2023/24: 66.7% (2 of 3 satisfied; 4 don't know left out)" in capsys.readouterr().out
    assert (
        main(["tp09", "2024", "--db", path, "--satisfied", "-1", "--neither", "0", "--dissatisfied", "0"])
        == 2
    )
    assert "cannot be negative" in capsys.readouterr().err
    assert main(["tp09", "2024", "--db", path, "--satisfied", "1"]) == 2
    assert "--neither N, --dissatisfied N" in capsys.readouterr().err
    assert (
        main(
            [
                "compliment",
                "--db",
                path,
                "--received",
                "2026-01-05",
                "--words",
                "Thank you",
                "--team",
                "Repairs",
            ]
        )
        == 0
    )
    assert capsys.readouterr().out.splitlines()[0] == "CM-2026-0001"
    assert main(["compliment", "--db", path, "--received", "2026-01-05", "--words", "..."]) == 2
    assert "in the resident's words" in capsys.readouterr().err


def test_on_postgresql(pg_db):
    # the compliment reference's lock, TP09 and an answer on a closed complaint, on a server
    from conftest import make_setup

    setup = make_setup(pg_db)
    assert SV.log_compliment(pg_db, D(2026, 1, 6), "Thanks").reference == "CM-2026-0001"
    assert SV.log_compliment(pg_db, D(2026, 1, 7), "Thanks again").reference == "CM-2026-0002"
    SV.enter_tp09(pg_db, 2024, 3, 1, 0, 2)
    c = _closed(pg_db, setup)
    SV.record_satisfaction_answer(pg_db, c.id, "neither", asked_on=D(2025, 11, 20))
    f = F.year_figures(pg_db, 2025)
    assert dict(f.satisfaction_answers)["neither"] == 1 and f.compliments == 2
    assert F.tp09_years(pg_db)[0].result == 75.0
    sc = SV.log_survey_comment(pg_db, D(2026, 2, 23), "Slow")
    assert [i.complaint_id for i in worklist(pg_db) if i.entity == "survey-comment"] == [sc.id]
