"""TSM CH01/CH02 and the year's figures, from a small data set built through the services.

Every expected number is worked out by hand in the comments. Bank holidays used: Good Friday
18 Apr 2025, Easter Monday 21 Apr 2025, 5 May 2025, 25 Aug 2025.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from smallhousing.domain import tsm
from smallhousing.domain.errors import DomainError
from smallhousing.services import complaints as C
from smallhousing.services import reports as R
from smallhousing.services import settings as S
from smallhousing.services.base import transaction
from smallhousing.store.models import Extension

D = dt.date
NONE = "No remedy is offered: we found no failing."


def _log(db, setup, received, text="The repair was not done"):
    return C.log_complaint(db, setup.resident, received, text, channel="phone", categories=["repairs"]).id


@pytest.fixture
def year_data(db, setup):
    """Seven complaints across 2024/25 and 2025/26 (see each comment)."""
    ids = {}
    # A: received Mon 10 Mar 2025 (year 2024/25), acknowledged Wed 12 Mar.
    #    Stage 1 due 10 WD after 12 Mar = Wed 26 Mar. Answered Tue 1 Apr 2025 (2025/26): LATE.
    #    A financial remedy of £50 is offered then and paid on 10 Apr 2025.
    a = ids["A"] = _log(db, setup, D(2025, 3, 10))
    C.acknowledge(db, a, "Repair not done", handler_id=setup.alice, on=D(2025, 3, 12))
    C.respond(
        db,
        a,
        "upheld",
        "We were late.",
        on=D(2025, 4, 1),
        remedies=[C.RemedyInput("financial remedy", "Time and trouble", amount_pence=5000)],
    )
    C.complete_remedy(db, C.complaint_view(db, a).remedies[0].id, on=D(2025, 4, 10))

    # B: received Tue 1 Apr 2025, acknowledged Thu 3 Apr (on time: due Tue 8 Apr).
    #    Due 10 WD after 3 Apr = Thu 17 Apr. Cap = 10 WD after 17 Apr, skipping 18 and 21 Apr and
    #    5 May = Tue 6 May. Extended on 15 Apr to Wed 30 Apr: WITHIN the cap, with a letter.
    #    Answered Wed 30 Apr: ON TIME because of the extension.
    b = ids["B"] = _log(db, setup, D(2025, 4, 1))
    C.acknowledge(db, b, "Repair not done", handler_id=setup.alice, on=D(2025, 4, 3))
    ext = C.extend(db, b, D(2025, 4, 30), "Waiting for a survey", resident_told=True, on=D(2025, 4, 15))
    assert not ext.beyond_cap
    C.add_correspondence(db, b, D(2025, 4, 15), "out", "letter", "Extension letter", letter_kind="extension")
    C.respond(db, b, "partly upheld", "Partly our fault.", remedy_statement="An apology.", on=D(2025, 4, 30))

    # C: received Mon 2 Jun 2025, acknowledged Tue 3 Jun. Due Tue 17 Jun; cap Tue 1 Jul.
    #    Extended on Fri 13 Jun to Fri 11 Jul: PAST the cap WITH a good reason.
    #    Answered Thu 10 Jul: ON TIME.
    c = ids["C"] = _log(db, setup, D(2025, 6, 2))
    C.acknowledge(db, c, "Repair not done", handler_id=setup.alice, on=D(2025, 6, 3))
    ext = C.extend(
        db,
        c,
        D(2025, 7, 11),
        "Specialist survey",
        good_reason="Only surveyor free is in July",
        resident_told=True,
        on=D(2025, 6, 13),
    )
    assert ext.beyond_cap
    C.respond(db, c, "not upheld", "The work was done.", remedy_statement=NONE, on=D(2025, 7, 10))

    # D: received Mon 7 Jul 2025, acknowledged the same day. Due 10 WD later = Mon 21 Jul.
    #    Answered Tue 22 Jul: LATE. £150 offered, not paid.
    #    Stage 2 requested Mon 28 Jul, acknowledged Tue 29 Jul by Bilal (stage 1 was Alice).
    #    Stage 2 due 20 WD after 29 Jul, skipping 25 Aug = Wed 27 Aug. Answered Wed 27 Aug: ON TIME.
    d = ids["D"] = _log(db, setup, D(2025, 7, 7))
    C.acknowledge(db, d, "Repair not done", handler_id=setup.alice, on=D(2025, 7, 7))
    C.respond(
        db,
        d,
        "upheld",
        "We were wrong.",
        on=D(2025, 7, 22),
        remedies=[C.RemedyInput("financial remedy", "Distress", amount_pence=15000)],
    )
    C.request_stage2(db, d, on=D(2025, 7, 28), handler_id=setup.bilal)
    C.acknowledge(db, d, "Still unhappy", handler_id=setup.bilal, on=D(2025, 7, 29))
    C.respond(db, d, "partly upheld", "Further apology.", remedy_statement="An apology.", on=D(2025, 8, 27))

    # F: received Mon 1 Sep 2025 and REFUSED (older than 12 months): not a stage 1 complaint.
    f = ids["F"] = _log(db, setup, D(2025, 9, 1))
    C.refuse(
        db,
        f,
        "older than 12 months",
        "It happened in 2022.",
        on=D(2025, 9, 2),
        decided_by=setup.bilal,
        issue_arose_on=D(2022, 6, 1),
        discretion_note="Nothing kept the resident from raising it sooner.",
    )

    # E: received Mon 3 Nov 2025, acknowledged Tue 4 Nov. Due Tue 18 Nov; cap Tue 2 Dec.
    #    An imported extension to Fri 12 Dec is PAST the cap with NO good reason, so it does not
    #    count: the Code's date stays 18 Nov. Answered Wed 10 Dec: LATE.
    e = ids["E"] = _log(db, setup, D(2025, 11, 3))
    C.acknowledge(db, e, "Repair not done", handler_id=setup.alice, on=D(2025, 11, 4))
    stage_id = C.complaint_view(db, e).stage(1).stage.id
    with transaction(db) as u:
        u.session.add(
            Extension(
                stage_id=stage_id,
                extended_on=D(2025, 11, 14),
                new_due_on=D(2025, 12, 12),
                reason="Waiting",
                good_reason="",
                beyond_cap=True,
            )
        )
    C.respond(db, e, "not upheld", "Nothing wrong.", remedy_statement=NONE, on=D(2025, 12, 10))

    # H: received Mon 1 Dec 2025; acknowledgement due Mon 8 Dec, made Tue 9 Dec: LATE.
    #    Response due 10 WD after Mon 8 Dec (a late acknowledgement gives no extra time) = Mon 22 Dec;
    #    answered Thu 11 Dec: ON TIME.
    #    Stage 2 requested Mon 15 Dec and REFUSED on Tue 16 Dec: not a stage 2 complaint.
    h = ids["H"] = _log(db, setup, D(2025, 12, 1))
    C.acknowledge(db, h, "Repair not done", handler_id=setup.alice, on=D(2025, 12, 9))
    C.respond(db, h, "not upheld", "Nothing wrong.", remedy_statement=NONE, on=D(2025, 12, 11))
    C.request_stage2(db, h, on=D(2025, 12, 15))
    C.refuse_escalation(
        db, h, "legal proceedings", "A claim has been filed.", on=D(2025, 12, 16), decided_by=setup.bilal
    )

    # G: received today (Mon 2 Mar 2026), not yet acknowledged: counts as received.
    ids["G"] = _log(db, setup, D(2026, 3, 2))

    S.set_homes(db, 2025, 480)
    return ids


def test_tsm_2025(db, year_data):
    t = R.tsm_for_year(db, "2025/26")
    # received in 2025/26: B C D F E H G = 7, less F (refused) = 6
    assert t.stage1_received == 6
    # stage 2 requested in the year: D and H; H's escalation was refused = 1
    assert t.stage2_received == 1
    # 6 / 480 * 1000 = 12.5; 1 / 480 * 1000 = 2.083 -> 2.1
    assert t.ch01_stage1 == 12.5
    assert t.ch01_stage2 == 2.1
    # stage 1 answered in the year: A (late), B (on time), C (on time), D (late), E (late), H (on time)
    assert (t.stage1_responded, t.stage1_within, t.ch02_stage1) == (6, 3, 50.0)
    # stage 2 answered: D, on time
    assert (t.stage2_responded, t.stage2_within, t.ch02_stage2) == (1, 1, 100.0)


def test_tsm_previous_year_and_missing_homes(db, year_data):
    t = R.tsm_for_year(db, 2024)
    # A was received in 2024/25 but answered in 2025/26
    assert (t.stage1_received, t.stage1_responded) == (1, 0)
    assert t.ch01_stage1 is None  # no homes recorded for 2024/25
    assert t.ch02_stage1 is None  # nothing answered: no denominator
    S.set_homes(db, 2024, 0)
    t = R.tsm_for_year(db, 2024)
    assert t.homes == 0 and t.ch01_stage1 is None and t.ch01_stage2 is None
    d = t.as_dict()
    assert d["ch01_stage1"] is None and d["ch02_stage2"] is None


def test_year_figures_detail(db, year_data):
    f = R.year_figures(db, 2025)
    assert (f.logged, f.refused) == (7, 1)
    assert f.refused_by_ground == [("older than 12 months", 1)]
    assert (f.escalation_refused, f.escalation_refused_by_ground) == (1, [("legal proceedings", 1)])
    # acknowledged in the year at stage 1: B C D E H; H was late
    assert (f.stage1.acknowledged, f.stage1.acknowledged_on_time) == (5, 4)
    # decisions of stage 1 responses in the year: upheld A D, partly B, not upheld C E H
    assert f.stage1.outcomes == {"upheld": 2, "partly upheld": 1, "not upheld": 3}
    assert f.stage2.outcomes == {"partly upheld": 1}
    # extensions agreed in the year: B (within), C (past, good reason), E (past, no reason)
    s1 = f.stage1
    assert (
        s1.extensions,
        s1.extensions_within_cap,
        s1.extensions_past_cap_good_reason,
        s1.extensions_past_cap_no_reason,
    ) == (3, 1, 1, 1)
    assert s1.extensions_with_letter == 1  # only B's extension letter was recorded
    assert s1.responded_extended == 3
    # D's stage 2 was acknowledged by Bilal; stage 1 was Alice's
    assert (f.stage2.handlers_compared, f.stage2.acknowledged_by_other) == (1, 1)
    # compensation: A's £50 (offered 1 Apr, paid 10 Apr) and D's £150 (offered 22 Jul, unpaid)
    assert (f.compensation_offered, f.compensation_offered_pence) == (2, 20000)
    assert (f.compensation_paid, f.compensation_paid_pence) == (1, 5000)
    assert dict(f.by_channel) == {"phone": 6}
    assert dict(f.by_category) == {"repairs": 6}
    assert len(f.by_month) == 12 and sum(n for _, n in f.by_month) == 6


def test_computed_evidence(db, year_data):
    ev = R.computed_evidence(db, 2025)
    assert "4 of 5 stage 1 complaints" in ev["6.2"] and "(80.0%)" in ev["6.2"]
    assert "3 of 6 stage 1 responses" in ev["6.3"] and "(50.0%)" in ev["6.3"]
    assert "1 of 1 stage 2 response" in ev["6.14"]
    assert "1 of 1 stage 2 complaint" in ev["6.13"]
    assert "for 1 of 3 stage 1 extensions" in ev["6.5"]
    assert "1 within 10 extra working days, 1 longer with a good reason" in ev["6.4"]
    assert "older than 12 months: 1" in ev["2.1"]
    assert "legal proceedings: 1" in ev["5.11"]


def test_period_figures_board(db, year_data):
    f = R.period_figures(db, D(2025, 7, 1), D(2025, 9, 30))
    # received Jul-Sep: D and F (refused)
    assert (f.logged, f.stage1.received, f.refused) == (2, 1, 1)
    # answered Jul-Sep at stage 1: C (on time, 10 Jul) and D (late, 22 Jul)
    assert (f.stage1.responded, f.stage1.responded_on_time) == (2, 1)
    assert (f.stage2.received, f.stage2.responded, f.stage2.responded_on_time) == (1, 1, 1)
    b = R.board_update(db, "2025-07-01", "30/09/2025")
    # a quarter is compared with the quarter before (Apr-Jun), not with 92 days before
    assert (b.previous.start, b.previous.end) == (D(2025, 4, 1), D(2025, 6, 30))
    # received 1 Apr-30 Jun: B and C
    assert b.previous.stage1.received == 2
    lines = "\n".join(R.board_summary_lines(b))
    assert "Stage 1 complaints received: 1 (down 1 on the period before)" in lines
    with pytest.raises(DomainError):
        R.board_update(db, "2025-10-01", "2025-09-30")


def test_rounding_and_pure_rules():
    assert tsm.per_thousand(34, 669) == 50.8  # the worked example in seed 003
    assert tsm.per_thousand(1, 4000) == 0.3  # 0.25 rounds half up, not to even
    assert tsm.percentage(2, 3) == 66.7
    assert tsm.percentage(1, 0) is None and tsm.per_thousand(5, None) is None
    assert tsm.extensions_within_code([(False, ""), (True, "good reason")])
    assert not tsm.extensions_within_code([(True, "  ")])


def test_cli_tsm_json_keys(db, year_data, capsys):
    from smallhousing.cli import main

    assert main(["--db", str(db.path), "tsm", "--year", "2025", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == [
        "year",
        "homes",
        "stage1_received",
        "stage2_received",
        "ch01_stage1",
        "ch01_stage2",
        "stage1_responded",
        "stage1_within",
        "ch02_stage1",
        "stage2_responded",
        "stage2_within",
        "ch02_stage2",
    ]
    assert data["year"] == "2025/26" and data["homes"] == 480
    assert data["ch01_stage1"] == 12.5 and data["ch02_stage1"] == 50.0
    assert isinstance(data["stage1_received"], int)
    assert main(["--db", str(db.path), "tsm", "--year", "2024", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["homes"] is None and data["ch01_stage1"] is None and data["ch02_stage1"] is None
    assert main(["--db", str(db.path), "tsm", "--year", "2025"]) == 0
    out = capsys.readouterr().out
    assert "CH02(1)" in out and "3 of 6" in out and "50.0%" in out


def test_cli_tsm_bad_year(db, capsys):
    from smallhousing.cli import main

    assert main(["--db", str(db.path), "tsm", "--year", "next year"]) == 2
    err = capsys.readouterr().err
    assert "not a reporting year" in err and "Traceback" not in err
