"""Service requests monitored (Code 1.4): a target date when logged, recomputed when the category or
the landlord's targets or closure days change, filled in on upgrade; the list, the worklist, the
view with the complaints raised from a request, and the theme table of the annual report.

Today is Mon 2 Mar 2026 (conftest). Dates are worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from smallhousing import reports
from smallhousing.domain.errors import DomainError
from smallhousing.reports import annual
from smallhousing.services import complaints as C
from smallhousing.services import figures as F
from smallhousing.services import queries as Q
from smallhousing.services import reports as R
from smallhousing.services import service_requests as SRS
from smallhousing.services import settings as S
from smallhousing.services import team
from smallhousing.services.worklist import worklist
from smallhousing.store import migrate
from smallhousing.store.db import Database

D = dt.date
TODAY = D(2026, 3, 2)


def _audit(db, action_start: str) -> list[dict]:
    with db.raw() as con:
        rows = con.execute(
            "SELECT action, before, after FROM audit_entry WHERE action LIKE ? ORDER BY id",
            (action_start + "%",),
        ).fetchall()
    return [
        {"action": a, "before": json.loads(b or "{}"), "after": json.loads(x or "{}")} for a, b, x in rows
    ]


def test_logging_a_request_sets_its_target(db, setup):
    # damp and mould, 10 working days from Mon 2 Feb 2026: Tue 3 - Fri 6 (4), 9-13 (9), Mon 16 Feb
    sr = C.log_service_request(db, setup.resident, D(2026, 2, 2), "Black mould", category="Damp and Mould")
    assert (sr.category, sr.target_on) == ("damp and mould", D(2026, 2, 16))
    # no category: the default 20 working days; Mon 2 Feb 2026 -> Feb 3-6 (4), 9-13 (9), 16-20 (14),
    # 23-27 (19), Mon 2 Mar (20)
    other = C.log_service_request(db, setup.resident, D(2026, 2, 2), "Something")
    assert other.target_on == D(2026, 3, 2)
    assert _audit(db, "service request logged")[0]["after"]["target_on"] == "2026-02-16"


def test_changing_the_category_works_the_target_out_again(db, setup):
    sr = C.log_service_request(db, setup.resident, D(2026, 2, 2), "Boiler out", category="repairs")
    # routine repair, 20 working days: Mon 2 Mar 2026 (worked out above)
    assert sr.target_on == D(2026, 3, 2)
    # an emergency: 1 working day, Tue 3 Feb 2026
    changed = SRS.change_category(db, sr.id, "Emergency repair")
    assert (changed.category, changed.target_on) == ("emergency repair", D(2026, 2, 3))
    entry = _audit(db, "service request category changed")[0]
    assert entry["before"] == {"category": "repairs", "target_on": "2026-03-02"}
    assert entry["after"] == {"category": "emergency repair", "target_on": "2026-02-03"}
    with pytest.raises(DomainError, match="already in emergency repair"):
        SRS.change_category(db, sr.id, "emergency repair")


def test_setting_a_target_moves_open_requests_of_that_category_only(db, setup):
    a = C.log_service_request(db, setup.resident, D(2026, 2, 2), "Gate", category="repairs")
    done = C.log_service_request(db, setup.resident, D(2026, 2, 2), "Fence", category="repairs")
    C.complete_service_request(db, done.id, "Fence mended", D(2026, 2, 20))
    damp = C.log_service_request(db, setup.resident, D(2026, 2, 2), "Mould", category="damp and mould")
    row = SRS.set_target(db, "Repairs", "5")
    assert (row.category, row.working_days) == ("repairs", 5)
    # 5 working days from Mon 2 Feb 2026: Mon 9 Feb
    view = SRS.service_request_view(db, a.id)
    assert view.request.target_on == D(2026, 2, 9)
    assert view.target_words == (
        "Target for repairs: 5 working days (set in Settings). 5 working days after Mon 2 Feb 2026 "
        "is Mon 9 Feb 2026, skipping 2 weekend days."
    )
    # the completed one keeps the target it was done against; another category is untouched
    assert SRS.service_request_view(db, done.id).request.target_on == D(2026, 3, 2)
    assert SRS.service_request_view(db, damp.id).request.target_on == D(2026, 2, 16)
    assert SRS.service_request_view(db, done.id).target_words == (
        "Target Mon 2 Mar 2026, from the target for repairs when the request was open."
    )
    entry = _audit(db, "service request target set for repairs")[0]
    assert entry["after"]["working_days"] == 5
    # changed again: audited as a change
    SRS.set_target(db, "repairs", 3)
    assert _audit(db, "service request target changed for repairs")[0]["after"] == {"working_days": 3}
    listed = {t.category: t for t in SRS.list_targets(db)}
    assert (listed["repairs"].working_days, listed["repairs"].default_days) == (3, 20)
    assert listed["repairs"].from_settings and not listed["damp and mould"].from_settings
    # back to the default: open ones move back (Mon 2 Mar), and it is audited with what was set
    assert SRS.reset_target(db, "repairs") == 20
    assert SRS.service_request_view(db, a.id).request.target_on == D(2026, 3, 2)
    assert _audit(db, "service request target reset for repairs")[0]["before"]["working_days"] == 3
    with pytest.raises(DomainError, match="already the default"):
        SRS.reset_target(db, "repairs")


@pytest.mark.parametrize("category, days", [("", 5), ("  ", 5), ("repairs", "x"), ("repairs", 999)])
def test_bad_targets_are_refused_and_nothing_is_written(db, setup, category, days):
    with pytest.raises(DomainError):
        SRS.set_target(db, category, days)
    assert _audit(db, "service request target") == []


def test_a_closure_day_moves_open_targets(db, setup):
    # damp and mould received Mon 2 Mar 2026: Mon 16 Mar; a closure day on Fri 13 Mar makes it
    # Tue 17 Mar; removing it brings it back
    sr = C.log_service_request(db, setup.resident, TODAY, "Mould", category="damp and mould")
    assert sr.target_on == D(2026, 3, 16)
    S.add_closure_day(db, D(2026, 3, 13), "training")
    assert SRS.service_request_view(db, sr.id).request.target_on == D(2026, 3, 17)
    S.remove_closure_day(db, D(2026, 3, 13))
    assert SRS.service_request_view(db, sr.id).request.target_on == D(2026, 3, 16)


def test_an_upgrade_gives_older_requests_their_targets(tmp_path):
    path = tmp_path / "old.db"
    old = Database(path, actor="tester", today=TODAY).open(migrate=False)
    migrate.upgrade(old, fresh=True, to="0009_staff_login")
    with old.raw() as con:
        resident = con.execute(
            "INSERT INTO resident (name, address, postcode, phone, email, preferred_contact, "
            "preferred_format, disabilities, vulnerabilities, notes, created_on) VALUES "
            "('Mr Huw Morgan', '4 Station Road', '', '', '', '', 'standard', '', '', '', '2026-02-02')"
        ).lastrowid
        for ref, category, status, completed in (
            ("SR-2026-0001", "urgent repair", "open", None),
            ("SR-2026-0002", "", "completed", "2026-02-10"),
        ):
            con.execute(
                "INSERT INTO service_request (reference, resident_id, received_on, channel, category, "
                "description, status, response, completed_on) VALUES (?, ?, '2026-02-02', '', ?, 'x', ?, '', ?)",
                (ref, resident, category, status, completed),
            )
        con.commit()
    old.close()
    new = Database(path, actor="tester", today=TODAY).open()
    try:
        with new.raw() as con:
            got = dict(con.execute("SELECT reference, target_on FROM service_request").fetchall())
        # urgent: 5 working days from Mon 2 Feb 2026, Mon 9 Feb; no category: 20, Mon 2 Mar 2026
        assert got == {"SR-2026-0001": "2026-02-09", "SR-2026-0002": "2026-03-02"}
    finally:
        new.close()


def _three(db, setup):
    """Open requests: an emergency overdue since Tue 3 Feb, damp due Mon 16 Mar, and a routine
    repair completed."""
    late = C.log_service_request(db, setup.resident, D(2026, 2, 2), "Leak", category="emergency repair")
    damp = C.log_service_request(db, setup.resident, TODAY, "Mould", category="damp and mould")
    done = C.log_service_request(db, setup.resident, D(2026, 2, 2), "Gate", category="repairs")
    C.complete_service_request(db, done.id, "Gate mended", D(2026, 2, 5))
    return late, damp, done


def test_the_worklist_lists_open_requests_by_target_date(db, setup):
    late, damp, _ = _three(db, setup)
    items = [i for i in worklist(db) if i.entity == "service-request"]
    assert [(i.reference, i.due, i.kind, i.complaint_id) for i in items] == [
        (late.reference, D(2026, 2, 3), "service-request-target", late.id),
        (damp.reference, D(2026, 3, 16), "service-request-target", damp.id),
    ]
    # Tue 3 Feb to Mon 2 Mar: Feb 4-6 (3), 9-13 (8), 16-20 (13), 23-27 (18), Mar 2 (19) days late
    assert (items[0].status, items[0].working_days_left) == ("overdue", -19)
    assert items[0].step == "request target: emergency repair" and items[0].resident == "Mrs Siân O'Brien"
    # within 5 working days (to Mon 9 Mar) only the late one is due
    assert [i.reference for i in worklist(db, within_working_days=5) if i.entity == "service-request"] == [
        late.reference
    ]
    assert Q.count_overdue_service_requests(db) == 1


def test_the_list_gives_age_target_and_overdue(db, setup):
    late, damp, done = _three(db, setup)
    rows = Q.list_service_requests(db, status="open")
    assert [r.request.reference for r in rows] == [damp.reference, late.reference]  # newest first
    by_ref = {r.request.reference: r for r in rows}
    # received Mon 2 Feb 2026, today Mon 2 Mar: 20 working days old
    assert (by_ref[late.reference].progress.age, by_ref[late.reference].overdue) == (20, True)
    assert (by_ref[damp.reference].progress.age, by_ref[damp.reference].overdue) == (0, False)
    assert [r.request.reference for r in Q.list_service_requests(db, status="open-target")] == [
        late.reference,
        damp.reference,
    ]
    assert [r.request.reference for r in Q.list_service_requests(db, status="overdue")] == [late.reference]
    completed = Q.list_service_requests(db, status="completed")
    assert [r.request.reference for r in completed] == [done.reference]
    # done Thu 5 Feb against a target of Mon 2 Mar: not late, took 3 working days
    assert not completed[0].progress.late and completed[0].progress.age == 3
    assert len(Q.list_service_requests(db)) == 3


def test_the_view_shows_the_complaints_raised_from_a_request(db, setup):
    late, damp, _ = _three(db, setup)
    c = C.raise_from_service_request(db, late.id, D(2026, 2, 20), "Nobody came about the leak.")
    assert c.categories == "repairs"  # an emergency repair's complaint is about repairs
    v = SRS.service_request_view(db, late.reference)
    assert [(x.id, x.reference) for x in v.complaints] == [(c.id, c.reference)]
    assert v.overdue and v.resident == "Mrs Siân O'Brien"
    assert v.progress.words().startswith("Open for 20 working days: overdue, its target was Tue 3 Feb 2026")
    assert SRS.service_request_view(db, damp.id).complaints == []
    assert C.complaint_view(db, c.id).service_request_ref == late.reference
    with pytest.raises(DomainError):
        SRS.service_request_view(db, "SR-1999-0001")


def _themes_records(db, setup):
    r = setup.resident
    a = C.log_service_request(db, r, D(2025, 4, 10), "A", category="damp and mould")
    C.complete_service_request(db, a.id, "Treated", D(2025, 5, 20))
    C.log_service_request(db, r, D(2025, 4, 15), "B", category="damp and mould")
    c = C.log_service_request(db, r, D(2025, 6, 3), "C", category="repairs")
    C.complete_service_request(db, c.id, "Done", D(2025, 6, 30))
    C.log_service_request(db, r, D(2025, 3, 1), "D")  # the year before, no category, still open
    C.log_service_request(db, r, D(2026, 3, 2), "E", category="repairs")


def test_themes_by_category_and_month(db, setup):
    _themes_records(db, setup)
    t = F.service_request_themes_for_year(db, 2025)
    assert t.months[0] == "2025-04" and t.months[-1] == "2026-03" and len(t.months) == 12
    # received: damp 2 in April; repairs 1 in June and 1 in March; D was received the year before
    z = [0] * 12
    assert t.received == {
        "damp and mould": [2] + z[1:],
        "repairs": z[:2] + [1] + z[3:11] + [1],
        F.NOT_CATEGORISED: z,
    }
    # open at each month's end: damp A and B in April, then B only (A done 20 May); repairs C was
    # done on 30 Jun, so not open at June's end, and E is open at the end of March; D all year
    assert t.open_at_end == {
        "damp and mould": [2] + [1] * 11,
        "repairs": z[:11] + [1],
        F.NOT_CATEGORISED: [1] * 12,
    }
    assert t.received_by_month[0] == 2 and sum(t.received_by_month) == 4
    assert t.open_by_month[:2] == [3, 2]


def test_the_annual_report_shows_the_theme_table(db, setup, tmp_path):
    from pypdf import PdfReader

    _themes_records(db, setup)
    data = R.annual_report(db, 2025)  # the year runs to today (2 Mar 2026)
    t = data.service_request_themes
    assert t is not None and t.end == TODAY and t.received["repairs"][-1] == 1
    path = reports.write_annual(db, 2025, tmp_path / "annual.pdf")
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(str(path)).pages)
    assert annual.SERVICE_REQUESTS_HEADING in text
    assert "We received 4 service requests in" in text
    assert "Damp and mould" in text and "Open at month end" in text


def test_targets_are_a_directors_setting_on_a_team_database():
    assert "service_request_target" in team.DIRECTOR_TABLES
    assert "service_request_target" in team.DIRECTOR_DELETES  # resetting deletes the row
