import datetime as dt

from smallhousing.services import complaints as C
from smallhousing.services import queries as Q


def test_demo_database_has_every_state(demo_db):
    from smallhousing.domain import lifecycle as L

    seen = {s for s in L.STATES if Q.count_complaints(demo_db, Q.ComplaintFilter(state=s))}
    assert {L.RECEIVED, L.S1_ACKNOWLEDGED, L.CLOSED, L.REFUSED} <= seen


def test_log_and_acknowledge(db, setup):
    c = C.log_complaint(db, setup.resident, dt.date(2026, 2, 20), "The lift is broken", channel="phone")
    assert c.reference == "2026-0001"
    assert c.next_due_on == dt.date(2026, 2, 27)
    C.acknowledge(db, c.id, "Lift out of order", handler_id=setup.alice, on=dt.date(2026, 2, 23))
    v = C.complaint_view(db, c.id)
    assert v.next_due == dt.date(2026, 3, 9)
