"""Hazards (services/hazards.py, cli/hazards.py): logging, each step with its date, the summary
letter, stale saves refused, and the hazards' next steps in the one worklist."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from pathlib import Path

import pytest

from smallhousing import paths
from smallhousing.cli import main
from smallhousing.domain.errors import DomainError
from smallhousing.services import complaints as C
from smallhousing.services import hazards as HZ
from smallhousing.services import residents as R
from smallhousing.services import verify
from smallhousing.services.worklist import worklist
from smallhousing.store.db import Database
from smallhousing.store.models import Contractor

D = dt.date
T = dt.time


@pytest.fixture(autouse=True)
def _no_default_db(monkeypatch, tmp_path):
    monkeypatch.setenv(paths.ENV_DB, str(tmp_path / "default" / "env.db"))


def _damp(db, setup, aware=D(2026, 2, 16), **kw):
    return HZ.log_hazard(db, kind="damp-mould", aware_on=aware, resident_id=setup.resident, **kw)


def test_log_gives_references_in_turn_and_the_residents_address(db, setup):
    a = _damp(db, setup, description="Black mould in the bathroom")
    b = _damp(db, setup)
    assert (a.reference, b.reference) == ("HZ-2026-0001", "HZ-2026-0002")
    assert a.address == "12 Heol y Parc, Ashbury, AB1 3EF"  # the resident's, with the postcode
    c = _damp(db, setup, aware=D(2025, 12, 1), address="Flat 2, 3 Elm Close")
    assert c.reference == "HZ-2025-0001" and c.address == "Flat 2, 3 Elm Close"


def test_log_refuses_what_cannot_be(db, setup):
    with pytest.raises(DomainError, match="in the future"):
        _damp(db, setup, aware=D(2026, 3, 3))  # today is Mon 2 Mar 2026
    with pytest.raises(DomainError, match="give the time"):
        HZ.log_hazard(db, kind="emergency", aware_on=D(2026, 3, 1), resident_id=setup.resident)
    with pytest.raises(DomainError, match="damp-mould or emergency"):
        HZ.log_hazard(db, kind="fire", aware_on=D(2026, 3, 1), resident_id=setup.resident)
    with pytest.raises(DomainError, match="in words"):
        _damp(db, setup, priority_reason=".")
    with pytest.raises(DomainError, match="Choose the resident"):
        HZ.log_hazard(db, kind="damp-mould", aware_on=D(2026, 3, 1))
    assert HZ.list_hazards(db) == []


def test_log_from_a_complaint_links_it_and_takes_its_resident(db, setup):
    c = C.log_complaint(db, setup.resident, D(2026, 2, 20), "Mould on the bedroom ceiling again")
    sr = C.log_service_request(db, setup.resident, D(2026, 2, 19), "Damp in the hall")
    h = HZ.log_hazard(
        db, kind="damp-mould", aware_on=D(2026, 2, 20), complaint_id=c.id, service_request_id=sr.id
    )
    v = HZ.hazard_view(db, h.reference)
    assert v.resident_id == setup.resident and v.complaint_ref == c.reference
    assert v.service_request_ref == sr.reference
    other = R.add_resident(db, "Ola Smith", address="1 Road")
    with pytest.raises(DomainError, match="not the resident of the record"):
        HZ.log_hazard(db, kind="damp-mould", aware_on=D(2026, 2, 20), complaint_id=c.id, resident_id=other.id)


def test_priority_comes_first_among_the_same_days_work(db, setup):
    _damp(db, setup)
    p = _damp(db, setup, priority_reason="a child under two in the home")
    items = [i for i in worklist(db) if i.entity == "hazard"]
    # both investigate within 10 working days of Mon 16 Feb 2026: Tue 17 (1) ... Fri 27 (9),
    # Mon 2 Mar (10); the priority household first
    assert [i.due for i in items] == [D(2026, 3, 2)] * 2
    assert items[0].reference == p.reference and items[0].priority
    assert items[0].kind == "hazard-investigate" and items[0].status == "due soon"


def test_a_damp_and_mould_hazard_from_logging_to_safety_work(db, setup, tmp_path):
    h = _damp(db, setup)
    with pytest.raises(DomainError, match="Record the investigation"):
        HZ.record_summary_sent(db, h.reference, D(2026, 2, 18), "email")
    with pytest.raises(DomainError, match="before the landlord became aware"):
        HZ.record_investigation(db, h.reference, D(2026, 2, 13), "Mould", significant=True)
    with pytest.raises(DomainError, match="in words"):
        HZ.record_investigation(db, h.reference, D(2026, 2, 18), ".", significant=True)
    with pytest.raises(DomainError, match="significant hazard"):
        HZ.record_investigation(db, h.reference, D(2026, 2, 18), "Mould by the window")
    HZ.record_investigation(
        db,
        h.reference,
        D(2026, 2, 18),
        "Mould by the window; the extractor fan does not work",
        significant=True,
        works_planned="Replace the extractor fan",
        works_due_on=D(2026, 3, 6),
    )
    v = HZ.hazard_view(db, h.reference)
    clocks = {c.key: c for c in v.clocks}
    # investigated Wed 18 Feb: summary 3 working days on, Thu 19, Fri 20, Mon 23 Feb; safety work
    # 5: ... Tue 24, Wed 25 Feb. Today (Mon 2 Mar) both are overdue
    assert clocks["investigate"].state == "met"
    assert clocks["summary"].due == D(2026, 2, 23) and clocks["safety-work"].due == D(2026, 2, 25)
    assert v.next.kind == "hazard-summary" and v.state == "summary to send"
    (item,) = [i for i in worklist(db) if i.entity == "hazard"]
    assert (item.kind, item.due, item.status) == ("hazard-summary", D(2026, 2, 23), "overdue")
    # the summary, issued from the app on Fri 27 Feb: the letter is dated that day, not today
    with pytest.raises(DomainError, match="before the investigation"):
        HZ.issue_summary(db, h.reference, D(2026, 2, 17))
    issued = HZ.issue_summary(db, h.reference, D(2026, 2, 27))
    assert issued.path.is_file() and issued.path.parent == paths.letters_dir(Path(db.path))
    assert hashlib.sha256(issued.path.read_bytes()).hexdigest() == issued.sha256
    v = HZ.hazard_view(db, h.reference)
    assert v.summary_sent_on == D(2026, 2, 27) and v.summary_file == str(issued.path.resolve())
    assert HZ.summary_content(db, h.reference).date == D(2026, 2, 27)
    assert {c.key: c for c in v.clocks}["summary"].state == "late"
    with pytest.raises(DomainError, match="already sent"):
        HZ.record_summary_sent(db, h.reference, D(2026, 2, 27), "email")
    HZ.record_safety_work(db, h.reference, D(2026, 2, 24))
    v = HZ.hazard_view(db, h.reference)
    assert {c.key: c for c in v.clocks}["safety-work"].state == "met"
    assert v.next is None and v.state == "every step done"
    assert not [i for i in worklist(db) if i.entity == "hazard"]
    with pytest.raises(DomainError, match="in words"):
        HZ.close_hazard(db, h.reference, D(2026, 3, 2), " . ")
    HZ.close_hazard(db, h.reference, D(2026, 3, 2), "Fan replaced, wall treated")
    assert HZ.hazard_view(db, h.reference).state == "closed"
    assert verify.verify(db).ok


def test_not_significant_ends_with_the_summary(db, setup):
    h = _damp(db, setup)
    HZ.record_investigation(db, h.reference, D(2026, 2, 18), "Condensation only", significant=False)
    HZ.record_summary_sent(db, h.reference, D(2026, 2, 19), "email, then a phone call")
    v = HZ.hazard_view(db, h.reference)
    assert [c.key for c in v.clocks] == ["investigate", "summary"] and v.next is None
    assert ("Summary to the tenant", "Thu 19 Feb 2026 (sent by email, then a phone call)") in v.steps
    with pytest.raises(DomainError, match="not significant"):
        HZ.record_safety_work(db, h.reference, D(2026, 2, 20))


def test_sent_another_way_needs_words(db, setup):
    h = _damp(db, setup)
    HZ.record_investigation(db, h.reference, D(2026, 2, 18), "Mould", significant=True)
    for bad in ("", ".", "  "):
        with pytest.raises(DomainError):
            HZ.record_summary_sent(db, h.reference, D(2026, 2, 19), bad)


def test_an_emergency_in_hours(db, setup):
    # aware Fri 27 Feb 2026 at 17:30: due 17:30 on Sat 28 Feb; made safe at 18:00 that day: late
    h = HZ.log_hazard(
        db, kind="emergency", aware_on=D(2026, 2, 27), aware_time=T(17, 30), resident_id=setup.resident
    )
    (item,) = [i for i in worklist(db) if i.entity == "hazard"]
    assert item.kind == "hazard-investigate" and item.due == D(2026, 2, 28)
    assert "17:30" in item.step
    with pytest.raises(DomainError, match="give the time"):
        HZ.record_made_safe(db, h.reference, D(2026, 2, 28), None)
    with pytest.raises(DomainError, match="check the time"):
        HZ.record_made_safe(db, h.reference, D(2026, 2, 27), T(17, 0))
    HZ.record_investigation(db, h.reference, D(2026, 2, 27), "Gas smell: supply cut off", time=T(19, 0))
    (item,) = [i for i in worklist(db) if i.entity == "hazard"]
    assert item.kind == "hazard-make-safe"
    HZ.record_made_safe(db, h.reference, D(2026, 2, 28), T(18, 0))
    clocks = {c.key: c for c in HZ.hazard_view(db, h.reference).clocks}
    assert clocks["investigate"].state == "met" and clocks["make-safe"].state == "late"
    with pytest.raises(DomainError, match="Only an emergency"):
        HZ.record_made_safe(db, _damp(db, setup).reference, D(2026, 2, 28), T(9, 0))


def test_a_save_from_a_stale_reading_is_refused(db, setup):
    h = _damp(db, setup)
    seen = HZ.hazard_view(db, h.reference).seen
    HZ.update_details(db, seen, description="Mould in two rooms")  # saved: the version moves on
    with pytest.raises(HZ.StaleHazard, match="Someone else changed this hazard"):
        HZ.record_investigation(db, seen, D(2026, 2, 18), "Mould", significant=True)
    fresh = HZ.hazard_view(db, h.reference).seen
    HZ.record_investigation(db, fresh, D(2026, 2, 18), "Mould", significant=True)
    assert verify.verify(db).ok


def test_contractors_offered_are_the_active_ones(db, setup):
    from smallhousing.services.base import transaction

    with transaction(db) as u:
        u.session.add(Contractor(name="Dry Homes Ltd", trade="damp and mould"))
        u.session.add(Contractor(name="Gone Builders", active=False))
    (cid, label), *rest = HZ.active_contractors(db)
    assert label == "Dry Homes Ltd (damp and mould)" and rest == []
    h = _damp(db, setup, contractor_id=cid)
    assert HZ.hazard_view(db, h.reference).contractor == "Dry Homes Ltd"


def test_the_summary_letter_carries_a_demo_mark_on_demo_records(db, setup):
    from smallhousing.services.demo_copy import mark_demo

    mark_demo(db)
    h = _damp(db, setup)
    HZ.record_investigation(db, h.reference, D(2026, 2, 18), "Mould", significant=True)
    p = HZ.preview_summary(db, h.reference)
    assert p.text.startswith("DEMO") and p.problems == []


# the command line ---------------------------------------------------------------------------------


def _lines(capsys) -> list[str]:
    return capsys.readouterr().out.splitlines()


def test_cli_log_step_and_due(tmp_path, capsys):
    path = tmp_path / "h.db"
    Database(path).open().close()
    db = str(path)
    # a resident not on record is added, and the reference comes first
    assert (
        main(
            [
                "hazard",
                "log",
                "--db",
                db,
                "--resident",
                "Ann Lee",
                "--address",
                "4 Oak Road",
                "--aware",
                "22/5/2026",
                "--kind",
                "damp-mould",
                "--priority",
                "baby in the home",
            ]
        )
        == 0
    )
    out = _lines(capsys)
    assert out[0] == "HZ-2026-0001"
    assert "added" in out[1]
    text = "\n".join(out)
    # 10 working days after Fri 22 May 2026, past the Spring bank holiday: Mon 8 Jun 2026
    assert "is Mon 8 Jun 2026" in text and "Spring Bank Holiday (25 May)" in text
    assert "closure days do not stop" in text
    # the same name again, found (any case)
    assert (
        main(
            [
                "hazard",
                "log",
                "--db",
                db,
                "--resident",
                "ann lee",
                "--address",
                "4 Oak Road",
                "--aware",
                "1/6/2026",
                "--time",
                "17:30",
                "--kind",
                "emergency",
            ]
        )
        == 0
    )
    out = _lines(capsys)
    assert out[0] == "HZ-2026-0002" and "added" not in out[1]
    assert "17:30 on Tue 2 Jun 2026" in "\n".join(out)
    assert (
        main(
            [
                "hazard",
                "step",
                "--db",
                db,
                "HZ-2026-0001",
                "investigated",
                "--on",
                "29/5/2026",
                "--findings",
                "Mould on the north wall",
                "--significant",
                "yes",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["due", "--db", db, "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    kinds = {i["reference"]: (i["kind"], i["due"]) for i in items}
    # investigated Fri 29 May: summary 3 working days on, Mon 1, Tue 2, Wed 3 Jun
    assert kinds["HZ-2026-0001"] == ("hazard-summary", "2026-06-03")
    # aware 17:30 Mon 1 Jun: investigate and make safe by 17:30 on Tue 2 Jun
    assert kinds["HZ-2026-0002"] == ("hazard-investigate", "2026-06-02")
    assert all(i["entity"] == "hazard" for i in items)
    assert main(["due", "--db", db]) == 0
    assert "send the tenant a written summary" in capsys.readouterr().out
    assert (
        main(["hazard", "step", "--db", db, "HZ-2026-0001", "summary", "--on", "1/6/2026", "--how", "."]) == 2
    )
    capsys.readouterr()
    assert (
        main(["hazard", "step", "--db", db, "HZ-2026-0001", "summary", "--on", "1/6/2026", "--how", "email"])
        == 0
    )
    capsys.readouterr()
    assert main(["hazard", "list", "--db", db]) == 0
    out = _lines(capsys)
    assert out[1].startswith("HZ-2026-000")
    assert any("! Ann Lee" in line and "safety work to begin" in line for line in out)
    assert main(["hazard", "show", "--db", db, "HZ-2026-0001"]) == 0
    assert "Summary to the tenant: Mon 1 Jun 2026 (sent by email)" in capsys.readouterr().out


def test_cli_refuses_when_several_residents_share_the_name(tmp_path, capsys):
    path = tmp_path / "h.db"
    db = Database(path).open()
    R.add_resident(db, "Sam Jones", address="1 Ash Street")
    R.add_resident(db, "Sam Jones", address="9 Birch Road")
    db.close()
    args = ["hazard", "log", "--db", str(path), "--resident", "Sam Jones", "--address", "1 Ash Street"]
    assert main([*args, "--aware", "1/6/2026", "--kind", "damp-mould"]) == 2
    err = capsys.readouterr().err
    assert "2 residents are called Sam Jones" in err and "9 Birch Road" in err


def test_on_postgresql_references_steps_worklist_and_verify(pg_db):
    from conftest import make_setup

    setup = make_setup(pg_db)
    refs: list[str] = []

    def log() -> None:
        refs.append(_damp(pg_db, setup).reference)

    workers = [threading.Thread(target=log) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    # four at once, each its own number (the year's references are taken one at a time)
    assert sorted(refs) == [f"HZ-2026-000{n}" for n in range(1, 5)]
    e = HZ.log_hazard(
        pg_db, kind="emergency", aware_on=D(2026, 2, 27), aware_time=T(17, 30), resident_id=setup.resident
    )
    HZ.record_investigation(pg_db, e.reference, D(2026, 2, 27), "Gas smell", time=T(19, 0))
    HZ.record_made_safe(pg_db, e.reference, D(2026, 2, 28), T(18, 0))
    clocks = {c.key: c for c in HZ.hazard_view(pg_db, e.reference).clocks}
    assert clocks["make-safe"].state == "late"
    kinds = {i.reference: i.kind for i in worklist(pg_db) if i.entity == "hazard"}
    assert set(kinds.values()) == {"hazard-investigate"} and len(kinds) == 4
    assert verify.verify(pg_db).ok


def test_a_subject_access_export_holds_the_residents_hazards(db, setup):
    from smallhousing.services import privacy

    e = HZ.log_hazard(
        db, kind="emergency", aware_on=D(2026, 2, 27), aware_time=T(17, 30), resident_id=setup.resident
    )
    (row,) = privacy.subject_access(db, setup.resident)["hazards"]
    assert row["reference"] == e.reference and row["aware_time"] == "17:30:00"
    json.dumps(row)  # plain data only


def test_the_landlords_closure_day_moves_a_complaint_not_a_hazard(db, setup):
    from smallhousing.services import settings

    # closed Tue 3 Mar 2026 (today is Mon 2 Mar): a complaint received today is acknowledged within
    # 5 working days of the Code's calendar, Wed 4 (1) ... Mon 9 (4), Tue 10 Mar (5); a hazard the
    # landlord became aware of today is investigated within 10 of the regulations', Tue 3 (1) ...
    # Fri 13 (9), Mon 16 Mar (10), the closure day counted
    settings.add_closure_day(db, D(2026, 3, 3), "office move")
    c = C.log_complaint(db, setup.resident, D(2026, 3, 2), "Gate broken")
    h = _damp(db, setup, aware=D(2026, 3, 2))
    due = {i.reference: i.due for i in worklist(db)}
    assert due[c.reference] == D(2026, 3, 10)
    assert due[h.reference] == D(2026, 3, 16)
    (clock,) = HZ.hazard_view(db, h.reference).clocks
    assert "office move" not in clock.explanation and "closure (3 Mar) does not stop it" in clock.explanation
