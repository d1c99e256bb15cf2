"""Contractors (Code 5.4, 5.5): adding and editing them, putting complaints and service requests
down to them, asking them for a response by a date, recording it, and the worklist's items."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlmodel import select

from smallhousing.domain.errors import DomainError
from smallhousing.services import complaints as C
from smallhousing.services import contractors as K
from smallhousing.services import worklist as W
from smallhousing.services.base import NotFound, reading
from smallhousing.store.models import AuditEntry, Contractor

D = dt.date
TODAY = D(2026, 3, 2)  # conftest's fixed today, a Monday


def _log(db, setup, received=D(2026, 2, 2)):
    return C.log_complaint(
        db, setup.resident, received, "The roofer left tiles on the drive.", channel="phone"
    )


def _audit(db, action):
    with reading(db) as u:
        return u.session.exec(select(AuditEntry).where(AuditEntry.action == action)).all()


# contractors -------------------------------------------------------------------------------------


def test_add_contractor_audited_and_listed(db, setup):
    c = K.add_contractor(
        db, "  Roofwise Ltd ", trade="roofing", contact="Jo Hale", email=" jo@roofwise.example "
    )
    assert (c.name, c.trade, c.email, c.active) == ("Roofwise Ltd", "roofing", "jo@roofwise.example", True)
    [entry] = _audit(db, "contractor added")
    assert json.loads(entry.after)["name"] == "Roofwise Ltd"
    [row] = K.list_contractors(db)
    assert (row.name, row.complaints, row.open_requests) == ("Roofwise Ltd", 0, 0)


@pytest.mark.parametrize("name", ["", "   ", ".", "-"])
def test_a_contractor_needs_a_name_in_words(db, name):
    with pytest.raises(DomainError, match="name"):
        K.add_contractor(db, name)


def test_email_is_checked(db):
    with pytest.raises(DomainError, match="no @"):
        K.add_contractor(db, "Roofwise", email="jo.roofwise.example")
    assert K.list_contractors(db) == []


def test_no_two_active_contractors_share_a_name(db):
    a = K.add_contractor(db, "Roofwise")
    with pytest.raises(DomainError, match="already an active contractor"):
        K.add_contractor(db, "ROOFWISE")
    b = K.add_contractor(db, "Sparks")
    with pytest.raises(DomainError, match="already an active contractor"):
        K.edit_contractor(db, b.id, name="roofwise")
    # an inactive one does not hold its name; it cannot be made active while another has it
    K.make_inactive(db, a.id)
    c = K.add_contractor(db, "Roofwise")
    with pytest.raises(DomainError, match="already an active contractor"):
        K.make_active(db, a.id)
    assert c.active and [r.name for r in K.list_contractors(db, active_only=True)] == ["Roofwise", "Sparks"]


def test_edit_audits_only_what_changed(db):
    c = K.add_contractor(db, "Roofwise", trade="roofing")
    K.edit_contractor(db, c.id, name="Roofwise", trade="roofing", phone="01632 960 111")
    [entry] = _audit(db, "contractor changed")
    assert json.loads(entry.before) == {"phone": ""} and json.loads(entry.after) == {"phone": "01632 960 111"}


def test_a_contractor_named_anywhere_is_never_removed(db, setup):
    used = K.add_contractor(db, "Roofwise")
    spare = K.add_contractor(db, "Typo Ltd")
    c = _log(db, setup)
    K.put_complaint_down_to(db, c.id, used.id)
    with pytest.raises(DomainError, match="make it inactive"):
        K.remove_contractor(db, used.id)
    K.remove_contractor(db, spare.id)  # named nowhere: removed, and the removal audited
    assert [r.name for r in K.list_contractors(db)] == ["Roofwise"]
    [entry] = _audit(db, "contractor removed")
    assert json.loads(entry.before)["name"] == "Typo Ltd" and json.loads(entry.after) == {}
    K.make_inactive(db, used.id)
    with reading(db) as u:
        assert u.session.get(Contractor, used.id).active is False
    assert K.complaint_contractor(db, c.id) == "Roofwise (inactive)"
    # the log replays to the records as they are: the removal and every change were audited
    from smallhousing.services.verify import verify

    result = verify(db)
    assert result.ok, result.problems


# putting records down to a contractor ------------------------------------------------------------


def test_put_complaint_down_to_contractor_and_clear(db, setup):
    k = K.add_contractor(db, "Roofwise")
    c = _log(db, setup)
    v = C.complaint_view(db, c.id)
    K.put_complaint_down_to(db, v.as_seen, k.id)
    assert K.complaint_contractor(db, c.id) == "Roofwise"
    [entry] = _audit(db, "complaint put down to contractor")
    assert entry.complaint_id == c.id and json.loads(entry.after) == {"contractor_id": k.id}
    # a save from the older reading is refused: someone has saved the complaint since
    with pytest.raises(C.StaleComplaint):
        K.put_complaint_down_to(db, v.as_seen, None)
    K.put_complaint_down_to(db, c.reference, None)
    assert K.complaint_contractor(db, c.id) == ""
    assert len(_audit(db, "complaint's contractor cleared")) == 1


def test_an_inactive_contractor_is_not_offered_for_new_work(db, setup):
    k = K.add_contractor(db, "Roofwise")
    K.make_inactive(db, k.id)
    c = _log(db, setup)
    with pytest.raises(DomainError, match="inactive"):
        K.put_complaint_down_to(db, c.id, k.id)
    with pytest.raises(DomainError, match="inactive"):
        K.ask(db, k.id, "Your account of the visit.", complaint=c.id)
    with pytest.raises(DomainError, match="inactive"):
        K.contractor_named(db, "roofwise")
    with pytest.raises(NotFound, match="no contractor called"):
        K.contractor_named(db, "Nobody")


def test_put_service_request_down_to_contractor(db, setup):
    k = K.add_contractor(db, "Roofwise")
    sr = C.log_service_request(db, setup.resident, D(2026, 2, 20), "Slipped tiles.")
    K.put_service_request_down_to(db, sr.reference, k.id)
    assert K.service_request_contractor(db, sr.id) == "Roofwise"
    assert len(_audit(db, "service request put down to contractor")) == 1


# asking for a response ---------------------------------------------------------------------------


def test_ask_defaults_to_five_working_days(db, setup):
    k = K.add_contractor(db, "Roofwise")
    c = _log(db, setup)
    r = K.ask(db, k.id, "Your account of the visit on 30 January.", complaint=c.id)
    # asked Mon 2 Mar 2026; working days Tue 3, Wed 4, Thu 5, Fri 6, (weekend), Mon 9: due Mon 9 Mar
    assert (r.asked_on, r.due_on) == (TODAY, D(2026, 3, 9))
    [entry] = _audit(db, "contractor asked for a response")
    assert entry.complaint_id == c.id


def test_default_due_explains_itself_over_christmas(db):
    # asked Tue 23 Dec 2025: Wed 24 (1), Thu 25 and Fri 26 bank holidays, weekend, Mon 29 (2),
    # Tue 30 (3), Wed 31 (4), Thu 1 Jan bank holiday, Fri 2 Jan (5)
    d = K.default_due(db, D(2025, 12, 23))
    assert d.due == D(2026, 1, 2)
    text = d.explain()
    assert "5 working days after" in text and "Christmas Day" in text and "default" in text


def test_ask_refuses_bad_input(db, setup):
    k = K.add_contractor(db, "Roofwise")
    c = _log(db, setup)
    for what in ("", ".", "  "):
        with pytest.raises(DomainError, match="asked"):
            K.ask(db, k.id, what, complaint=c.id)
    with pytest.raises(DomainError, match="before the day it was asked"):
        K.ask(db, k.id, "Your account.", complaint=c.id, due_on=D(2026, 3, 1))
    with pytest.raises(DomainError, match="in the future"):
        K.ask(db, k.id, "Your account.", complaint=c.id, asked_on=D(2026, 3, 3))
    with pytest.raises(DomainError, match="before the complaint's receipt"):
        K.ask(db, k.id, "Your account.", complaint=c.id, asked_on=D(2026, 2, 1))
    with pytest.raises(DomainError, match="which one"):
        K.ask(db, k.id, "Your account.")
    # the same day is allowed, and any date given is kept as given
    r = K.ask(db, k.id, "Your account.", complaint=c.id, due_on=TODAY)
    assert r.due_on == TODAY
    assert len(_audit(db, "contractor asked for a response")) == 1


def test_answer_recorded_once_with_a_sensible_date(db, setup):
    k = K.add_contractor(db, "Roofwise")
    c = _log(db, setup)
    r = K.ask(db, k.id, "Your account.", complaint=c.id, asked_on=D(2026, 2, 20))
    for bad, why in ((D(2026, 2, 19), "before the day it was asked"), (D(2026, 3, 3), "in the future")):
        with pytest.raises(DomainError, match=why):
            K.answer(db, r.id, "We left them by mistake.", on=bad)
    with pytest.raises(DomainError, match="response"):
        K.answer(db, r.id, ".", on=D(2026, 2, 25))
    done = K.answer(db, r.id, "We left them by mistake and have cleared them.", on=D(2026, 2, 25))
    assert done.answered_on == D(2026, 2, 25)
    with pytest.raises(DomainError, match="already|answered on"):
        K.answer(db, r.id, "Again.", on=D(2026, 2, 26))
    [entry] = _audit(db, "contractor's response recorded")
    assert entry.complaint_id == c.id
    [row] = K.requests(db, contractor_id=k.id)
    assert (row.entity, row.reference, row.answer) == ("complaint", c.reference, done.answer)
    assert K.requests(db, contractor_id=k.id, open_only=True) == []


# the worklist ------------------------------------------------------------------------------------


def test_worklist_has_unanswered_requests_by_due_date(db, setup):
    k = K.add_contractor(db, "Roofwise")
    c = _log(db, setup)
    sr = C.log_service_request(db, setup.resident, D(2026, 2, 20), "Slipped tiles.")
    later = K.ask(db, k.id, "Your account of the visit.", complaint=c.id)  # due Mon 9 Mar
    K.ask(db, k.id, "When will the tiles be fixed?", service_request=sr.id, due_on=D(2026, 3, 4))
    answered = K.ask(db, k.id, "Photos please.", complaint=c.id, due_on=D(2026, 3, 3))
    K.answer(db, answered.id, "Photos sent.", on=TODAY)

    items = K.contractor_work(db, limit=None, until=None)
    assert [(i.entity, i.reference, i.due) for i in items] == [
        ("service-request", sr.reference, D(2026, 3, 4)),
        ("complaint", c.reference, later.due_on),
    ]
    first, second = items
    assert first.complaint_id == sr.id and second.complaint_id == c.id  # the record's id: it opens
    assert {i.kind for i in items} == {"contractor-response"}
    assert second.step == "response from Roofwise"
    assert second.resident == "Mrs Siân O'Brien" and second.stage == 1
    # Mon 2 Mar to Mon 9 Mar: 5 working days left
    assert second.working_days_left == 5
    assert K.contractor_work(db, limit=None, until=D(2026, 3, 5)) == [first]
    assert K.contractor_work(db, limit=1, until=None) == [first]
    # and the worklist (the dashboard's, and `due`) has them among the complaint deadlines
    everything = W.worklist(db)
    assert [i for i in everything if i.kind == "contractor-response"] == items
    assert W.contractor_work in W.SOURCES


# the command line --------------------------------------------------------------------------------


@pytest.fixture
def cli_db(tmp_path, monkeypatch):
    """A database file with one complaint and one service request received a week ago (the
    command line works on the real today)."""
    from smallhousing import paths
    from smallhousing.services import residents
    from smallhousing.store.db import Database

    monkeypatch.setenv(paths.ENV_DB, str(tmp_path / "default" / "env.db"))
    path = tmp_path / "cli.db"
    d = Database(path, actor="tester").open()
    r = residents.add_resident(d, "Mr Ieuan Lloyd")
    week_ago = dt.date.today() - dt.timedelta(days=7)
    c = C.log_complaint(d, r.id, week_ago, "The roofer left tiles on the drive.", channel="phone")
    sr = C.log_service_request(d, r.id, week_ago, "Slipped tiles.")
    d.close()
    return path, c.reference, sr.reference


def test_cli_add_list_ask_answer(cli_db, capsys):
    from smallhousing.cli import main
    from smallhousing.domain.calendar import WorkingCalendar
    from smallhousing.store.db import Database

    path, ref, sr_ref = cli_db
    db = ["--db", str(path)]
    assert (
        main(
            ["contractor", "add", "Roofwise Ltd", "--trade", "roofing", "--email", "jo@roofwise.example", *db]
        )
        == 0
    )
    assert "Contractor added: Roofwise Ltd (roofing)." in capsys.readouterr().out
    # a bad email, a duplicate, a blank name: refused in one line, exit 2
    assert main(["contractor", "add", "Sparks", "--email", "sparks", *db]) == 2
    assert "no @" in capsys.readouterr().err
    assert main(["contractor", "add", "roofwise ltd", *db]) == 2
    assert "already an active contractor" in capsys.readouterr().err

    assert main(["contractor", "ask", "--complaint", ref, "--contractor", "roofwise ltd",
                 "--what", "Your account of the visit.", *db]) == 0  # fmt: skip
    out = capsys.readouterr().out
    # the default: 5 working days from today, from the same calendar (no closure days here)
    due = WorkingCalendar().add(dt.date.today(), 5).due
    assert f"Asked Roofwise Ltd for a response about complaint {ref} by" in out
    assert "5 working days after" in out and "(request 1)" in out
    assert main(["contractor", "ask", "--service-request", sr_ref, "--contractor", "Roofwise Ltd",
                 "--what", ".", *db]) == 2  # fmt: skip
    assert "words" in capsys.readouterr().err
    assert main(["contractor", "ask", "--complaint", ref, "--contractor", "Nobody", "--what", "X", *db]) == 2
    assert "no contractor called" in capsys.readouterr().err

    assert main(["contractor", "list", *db]) == 0
    out = capsys.readouterr().out
    assert "Roofwise Ltd  (roofing, jo@roofwise.example)" in out
    assert (
        f"request 1: complaint {ref}, asked {dt.date.today()}, due {due}: Your account of the visit." in out
    )

    assert main(["due", "--json", *db]) == 0
    items = [i for i in json.loads(capsys.readouterr().out) if i["kind"] == "contractor-response"]
    assert [(i["entity"], i["reference"], i["due"]) for i in items] == [("complaint", ref, due.isoformat())]

    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    assert main(["contractor", "answer", "1", "--on", tomorrow, "--answer", "Cleared.", *db]) == 2
    assert "in the future" in capsys.readouterr().err
    assert (
        main(["contractor", "answer", "1", "--on", dt.date.today().isoformat(), "--answer", "Cleared.", *db])
        == 0
    )
    assert "Response recorded for request 1" in capsys.readouterr().out
    assert main(["contractor", "answer", "x", "--on", "today", "--answer", "Cleared.", *db]) == 2
    capsys.readouterr()

    d = Database(path, actor="tester").open()
    try:
        [row] = K.requests(d)
        assert (row.answer, row.answered_on) == ("Cleared.", dt.date.today())
        assert K.contractor_work(d, limit=None, until=None) == []
    finally:
        d.close()

    assert main(["contractor", "inactive", "Roofwise Ltd", *db]) == 0
    assert main(["contractor", "list", *db]) == 0
    assert "Roofwise Ltd  [inactive]" in capsys.readouterr().out


# demo records ------------------------------------------------------------------------------------


def test_demo_records_have_contractors_and_responses_awaited(demo_db):
    from smallhousing.services import demo
    from smallhousing.services import figures as F

    rows = K.list_contractors(demo_db)
    assert [r.name for r in rows] == sorted(c[0] for c in demo.CONTRACTORS)
    assert 0 < sum(r.complaints for r in rows) <= demo.CONTRACTOR_COMPLAINTS
    # the newest two asked are still awaited, and on the worklist; the others were answered
    awaited = K.contractor_work(demo_db, limit=None, until=None)
    assert len(awaited) == 2 and {i.kind for i in awaited} == {"contractor-response"}
    answered = [r for r in K.requests(demo_db) if r.answered_on]
    assert answered and all(r.asked_on <= r.answered_on <= TODAY for r in answered)
    # the figures by contractor add up to the year's own
    start = D(2025, 4, 1)
    cf, f = F.contractor_figures(demo_db, start, TODAY), F.period_figures(demo_db, start, TODAY, "")
    assert sum(x.received for x in cf.lines) + cf.not_put_down.received == f.stage1.received
    assert cf.lines


# PostgreSQL --------------------------------------------------------------------------------------


def test_the_same_on_postgresql(pg_db):
    from conftest import make_setup

    from smallhousing.services import figures as F

    setup = make_setup(pg_db)
    k = K.add_contractor(pg_db, "Roofwise")
    with pytest.raises(DomainError, match="already an active contractor"):
        K.add_contractor(pg_db, "roofwise")
    c = _log(pg_db, setup)
    K.put_complaint_down_to(pg_db, c.id, k.id)
    r = K.ask(pg_db, k.id, "Your account of the visit.", complaint=c.id)
    assert r.due_on == D(2026, 3, 9)  # Mon 2 Mar + 5 working days, as on SQLite
    [item] = K.contractor_work(pg_db, limit=None, until=None)
    assert (item.entity, item.complaint_id, item.due) == ("complaint", c.id, D(2026, 3, 9))
    assert K.complaint_contractor(pg_db, c.id) == "Roofwise"
    K.answer(pg_db, r.id, "Cleared.", on=TODAY)
    assert K.contractor_work(pg_db, limit=None, until=None) == []
    cf = F.contractor_figures(pg_db, D(2025, 4, 1), TODAY)
    assert [(x.contractor, x.received, x.open_at_end) for x in cf.lines] == [("Roofwise", 1, 1)]
    assert [(row.name, row.complaints) for row in K.list_contractors(pg_db)] == [("Roofwise", 1)]


def test_a_response_about_a_hazard_is_on_the_worklist_as_the_hazard(db, setup):
    from smallhousing.services.base import transaction
    from smallhousing.store.models import Hazard

    with transaction(db) as u:
        h = Hazard(
            reference="HZ-2026-0001", kind="damp-mould", resident_id=setup.resident, aware_on=D(2026, 2, 27)
        )
        u.session.add(h)
        u.session.flush()
        hid = h.id
    k = K.add_contractor(db, "Clearview Damp")
    K.ask(db, k.id, "Your survey findings.", hazard=hid, due_on=D(2026, 3, 4))
    [item] = K.contractor_work(db, limit=None, until=None)
    assert (item.entity, item.complaint_id, item.reference) == ("hazard", hid, "HZ-2026-0001")
    assert item.resident == "Mrs Siân O'Brien" and item.stage == 0 and item.handler == ""
    [row] = K.requests(db, contractor_id=k.id)
    assert (row.entity, row.record_id) == ("hazard", hid)
