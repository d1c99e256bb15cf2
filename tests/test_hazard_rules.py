"""Awaab's Law clocks (domain/hazard_rules.py): every expectation worked out by hand below."""

from __future__ import annotations

import datetime as dt

import pytest

from smallhousing.domain import hazard_rules as H
from smallhousing.domain.calendar import WorkingCalendar
from smallhousing.domain.errors import DomainError

D = dt.date
T = dt.time


def clocks(**kw) -> dict[str, H.Clock]:
    kw.setdefault("kind", H.DAMP_MOULD)
    return {c.key: c for c in H.hazard_clocks(H.HazardDates(**kw))}


def test_one_rules_table_holds_every_timescale():
    spans = {(r.hazard_kind, r.key): (r.amount, r.unit, r.runs_from) for r in H.CLOCK_RULES}
    assert spans == {
        ("emergency", "investigate"): (24, "hours", "aware"),
        ("emergency", "make-safe"): (24, "hours", "aware"),
        ("damp-mould", "investigate"): (10, "working days", "aware"),
        ("damp-mould", "summary"): (3, "working days", "investigated"),
        ("damp-mould", "safety-work"): (5, "working days", "investigated"),
        ("damp-mould", "further-work"): (84, "days", "investigated"),
    }


def test_investigate_across_the_spring_bank_holiday():
    # aware Fri 22 May 2026; Mon 25 May is the Spring bank holiday. Working days after it:
    # Tue 26 (1), Wed 27 (2), Thu 28 (3), Fri 29 (4), Mon 1 Jun (5), Tue 2 (6), Wed 3 (7),
    # Thu 4 (8), Fri 5 (9), Mon 8 Jun (10); weekends 23/24, 30/31 May and 6/7 Jun skipped
    c = clocks(aware_on=D(2026, 5, 22))["investigate"]
    assert c.due == D(2026, 6, 8)
    assert c.state == H.OPEN and c.kind == "hazard-investigate"
    assert "Spring Bank Holiday (25 May)" in c.explanation
    assert "6 weekend days" in c.explanation
    assert "closure days do not stop" in c.explanation


def test_investigate_across_a_weekend_met_and_late():
    # aware Wed 2 Dec 2026: Thu 3 (1), Fri 4 (2), Mon 7 (3) ... Fri 11 (7), Mon 14 (8), Tue 15 (9),
    # Wed 16 Dec (10)
    assert clocks(aware_on=D(2026, 12, 2))["investigate"].due == D(2026, 12, 16)
    assert clocks(aware_on=D(2026, 12, 2), investigated_on=D(2026, 12, 16))["investigate"].state == H.MET
    late = clocks(aware_on=D(2026, 12, 2), investigated_on=D(2026, 12, 17))["investigate"]
    assert late.state == H.LATE and "late" in late.explanation


def test_closure_days_do_not_stop_the_clock():
    # the office is closed Thu 3 Dec 2026: the Code's calendar would push 10 working days from
    # Wed 2 Dec to Thu 17 Dec; the hazard clock stays at Wed 16 Dec and says why
    closures = {D(2026, 12, 3): "staff training"}
    assert WorkingCalendar(closure_days=closures).add(D(2026, 12, 2), 10).due == D(2026, 12, 17)
    (c, *_) = H.hazard_clocks(H.HazardDates(H.DAMP_MOULD, D(2026, 12, 2)), closures)
    assert c.due == D(2026, 12, 16)
    assert "closure (3 Dec) does not stop it" in c.explanation


def test_summary_and_safety_work_from_the_investigation_over_christmas():
    # investigation concluded Wed 23 Dec 2026. Summary, 3 working days: Thu 24 (1), Fri 25 is
    # Christmas Day, 26/27 the weekend, Mon 28 the Boxing Day substitute, Tue 29 (2), Wed 30 (3).
    # Safety work, 5: Thu 24 (1), Tue 29 (2), Wed 30 (3), Thu 31 (4), Fri 1 Jan is New Year's Day,
    # Mon 4 Jan 2027 (5)
    c = clocks(aware_on=D(2026, 12, 14), investigated_on=D(2026, 12, 23), significant=True)
    assert c["summary"].due == D(2026, 12, 30)
    assert "Christmas Day" in c["summary"].explanation
    assert c["safety-work"].due == D(2027, 1, 4)
    assert "further-work" not in c


def test_summary_and_safety_work_after_the_bank_holiday():
    # investigation concluded Fri 22 May 2026 (before the Spring bank holiday on Mon 25 May):
    # summary due Tue 26 (1), Wed 27 (2), Thu 28 May (3); safety work ... Fri 29 (4), Mon 1 Jun (5)
    c = clocks(aware_on=D(2026, 5, 18), investigated_on=D(2026, 5, 22), significant=True)
    assert c["summary"].due == D(2026, 5, 28)
    assert c["safety-work"].due == D(2026, 6, 1)


def test_further_work_is_twelve_weeks_in_calendar_days():
    # 84 days after Fri 22 May 2026: 9 to 31 May, 30 to 30 Jun (39), 31 to 31 Jul (70), 14 more:
    # Fri 14 Aug 2026
    c = clocks(
        aware_on=D(2026, 5, 18),
        investigated_on=D(2026, 5, 22),
        significant=True,
        further_work_needed=True,
        further_work_started_on=D(2026, 8, 15),
    )["further-work"]
    assert c.due == D(2026, 8, 14)
    assert c.state == H.LATE
    assert "12 weeks (84 days)" in c.explanation


def test_not_significant_ends_the_clocks_after_the_summary():
    c = clocks(aware_on=D(2026, 5, 18), investigated_on=D(2026, 5, 22), significant=False)
    assert set(c) == {"investigate", "summary"}


def test_emergency_in_hours_through_the_weekend():
    # aware Fri 4 Dec 2026 at 17:30: 24 hours on is Sat 5 Dec at 17:30
    d = H.HazardDates(H.EMERGENCY, D(2026, 12, 4), T(17, 30))
    c = {x.key: x for x in H.hazard_clocks(d)}
    assert c["make-safe"].due_at == dt.datetime(2026, 12, 5, 17, 30)
    assert c["make-safe"].kind == "hazard-make-safe"
    assert "17:30 on Sat 5 Dec 2026" in c["make-safe"].explanation
    # made safe at 18:00 on the Saturday: half an hour late
    late = H.HazardDates(
        H.EMERGENCY, D(2026, 12, 4), T(17, 30), made_safe_on=D(2026, 12, 5), made_safe_time=T(18, 0)
    )
    assert {x.key: x for x in H.hazard_clocks(late)}["make-safe"].state == H.LATE
    # at 17:30 exactly: in time
    met = H.HazardDates(
        H.EMERGENCY, D(2026, 12, 4), T(17, 30), made_safe_on=D(2026, 12, 5), made_safe_time=T(17, 30)
    )
    assert {x.key: x for x in H.hazard_clocks(met)}["make-safe"].state == H.MET


def test_emergency_overdue_by_the_hour():
    d = H.HazardDates(H.EMERGENCY, D(2026, 12, 4), T(17, 30))
    (_, safe) = H.hazard_clocks(d)
    assert not safe.overdue(D(2026, 12, 5), dt.datetime(2026, 12, 5, 17, 0))
    assert safe.overdue(D(2026, 12, 5), dt.datetime(2026, 12, 5, 17, 31))
    assert safe.overdue(D(2026, 12, 6))


def test_next_step_moves_along():
    aware = D(2026, 5, 18)
    assert H.next_step(H.HazardDates(H.DAMP_MOULD, aware)).kind == "hazard-investigate"
    inv = H.HazardDates(H.DAMP_MOULD, aware, investigated_on=D(2026, 5, 22), significant=True)
    # summary (Thu 28 May) is due before the safety work (Mon 1 Jun)
    assert H.next_step(inv).kind == "hazard-summary"
    sent = H.HazardDates(
        H.DAMP_MOULD,
        aware,
        investigated_on=D(2026, 5, 22),
        significant=True,
        summary_sent_on=D(2026, 5, 26),
    )
    assert H.next_step(sent).kind == "hazard-safety-work"
    begun = H.HazardDates(
        H.DAMP_MOULD,
        aware,
        investigated_on=D(2026, 5, 22),
        significant=True,
        summary_sent_on=D(2026, 5, 26),
        safety_work_begun_on=D(2026, 5, 27),
        further_work_needed=True,
    )
    assert H.next_step(begun).kind == "hazard-further-work"
    closed = H.HazardDates(H.DAMP_MOULD, aware, closed_on=D(2026, 5, 20))
    assert H.next_step(closed) is None
    assert H.state_words(closed) == "closed"
    emergency = H.HazardDates(H.EMERGENCY, aware, T(9, 0), investigated_on=aware, investigated_time=T(10, 0))
    assert H.next_step(emergency).kind == "hazard-make-safe"


def test_step_dates_are_refused_when_impossible():
    d = H.HazardDates(H.DAMP_MOULD, D(2026, 5, 18), T(14, 0))
    today = D(2026, 6, 1)
    with pytest.raises(DomainError, match="before the landlord became aware"):
        H.check_step_on("investigation ended", D(2026, 5, 17), today, d)
    with pytest.raises(DomainError, match="in the future"):
        H.check_step_on("investigation ended", D(2026, 6, 2), today, d)
    with pytest.raises(DomainError, match="check the time"):
        H.check_step_on("home was made safe", D(2026, 5, 18), today, d, at=T(13, 0))
    with pytest.raises(DomainError, match="before the investigation"):
        H.check_step_on(
            "summary was sent",
            D(2026, 5, 19),
            today,
            d,
            after=D(2026, 5, 20),
            after_what="investigation",
        )
    assert H.check_step_on("summary was sent", D(2026, 5, 20), today, d) == D(2026, 5, 20)
    for bad in ("", ".", "  ", "..."):
        with pytest.raises(DomainError):
            H.check_findings(bad)


def test_times_are_read_as_24_hour():
    assert H.parse_time("17:30") == T(17, 30)
    assert H.parse_time("0905") == T(9, 5)
    assert H.parse_time("") is None
    for bad in ("25:00", "5pm", "12:60"):
        with pytest.raises(DomainError, match="24-hour"):
            H.parse_time(bad)


@pytest.mark.parametrize(
    "text, found",
    [
        ("There is black mould in the bedroom", True),
        ("Damp patches on the wall", True),
        ("the walls are dampish", True),
        ("mold behind the wardrobe", True),
        ("Condensation on every window", True),
        ("black spots on the ceiling", True),
        ("The boiler is broken", False),
        ("Noise from next door", False),
        ("", False),
    ],
)
def test_words_that_mention_damp_or_mould(text, found):
    assert H.mentions_damp_or_mould(text) is found


def test_kinds():
    assert H.check_kind("damp and mould") == H.DAMP_MOULD
    assert H.check_kind("Emergency") == H.EMERGENCY
    with pytest.raises(DomainError, match="damp-mould or emergency"):
        H.check_kind("fire")
