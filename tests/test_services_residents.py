"""Residents, representatives, reasonable adjustments (5.10) and restrictions (5.14, 5.15)."""

from __future__ import annotations

import datetime as dt

import pytest

from smallhousing.domain.errors import DomainError
from smallhousing.services import complaints as C
from smallhousing.services import queries as Q
from smallhousing.services import residents as R
from smallhousing.services.base import NotFound

D = dt.date
TODAY = D(2026, 3, 2)


def test_add_and_find_resident(db):
    r = R.add_resident(db, "  Mr Owain Rhys ", address="7 Bridge St", preferred_format="Large Print")
    assert r.name == "Mr Owain Rhys" and r.preferred_format == "large print" and r.created_on == TODAY
    again = R.find_or_add_resident(db, "mr owain rhys", "7 bridge st")
    assert again.id == r.id
    other = R.find_or_add_resident(db, "Mr Owain Rhys", "9 Bridge St")
    assert other.id != r.id
    assert [x.name for x in R.list_residents(db, "bridge")] == ["Mr Owain Rhys", "Mr Owain Rhys"]


@pytest.mark.parametrize(
    "values, match",
    [
        ({"name": "  "}, "name"),
        ({"name": "A", "preferred_format": "hologram"}, "format"),
        ({"name": "A", "shoe_size": "9"}, "Unknown"),
    ],
)
def test_bad_resident_values(db, values, match):
    with pytest.raises(DomainError, match=match):
        R.add_resident(db, **values)
    assert R.list_residents(db) == []


def test_renaming_a_resident_updates_complaint_search(db, setup):
    c = C.log_complaint(db, setup.resident, D(2026, 2, 2), "Leak")
    R.update_resident(db, setup.resident, name="Mrs Siân Jenkins")
    rows = Q.list_complaints(db, Q.ComplaintFilter(text="jenkins"))
    assert [r.reference for r in rows] == [c.reference]
    assert Q.list_complaints(db, Q.ComplaintFilter(text="o'brien")) == []
    with pytest.raises(DomainError):
        R.update_resident(db, setup.resident, name="")


def test_representatives(db, setup):
    with pytest.raises(NotFound):
        R.add_representative(db, 9999, "Someone")
    with pytest.raises(DomainError):
        R.add_representative(db, setup.resident, " ")
    rep = R.add_representative(db, setup.resident, "Cllr Ann Jones", relationship="councillor")
    other = R.add_resident(db, "Mr B")
    with pytest.raises(DomainError, match="not a representative"):
        C.log_complaint(db, other.id, D(2026, 2, 2), "x", representative_id=rep.id)
    c = C.log_complaint(db, setup.resident, D(2026, 2, 2), "x", representative_id=rep.id)
    assert C.complaint_view(db, c.id).representative.name == "Cllr Ann Jones"
    assert R.end_representative(db, rep.id).active is False


def test_adjustments_and_restrictions_need_sound_review_dates(db, setup):
    r = setup.resident
    with pytest.raises(DomainError, match="review date"):
        R.add_adjustment(db, r, "Large print", D(2026, 2, 1))
    with pytest.raises(DomainError):
        R.add_adjustment(db, r, "Large print", None)
    with pytest.raises(DomainError):
        R.add_adjustment(db, r, "  ", D(2026, 6, 1))
    a = R.add_adjustment(db, r, "Large print", D(2026, 6, 1))
    assert a.agreed_on == TODAY
    with pytest.raises(DomainError):
        R.review_adjustment(db, a.id, D(2026, 3, 1))
    assert R.review_adjustment(db, a.id, D(2026, 9, 1)).last_reviewed_on == TODAY
    with pytest.raises(DomainError, match="reason"):
        R.add_restriction(db, r, "Email only", "", D(2026, 6, 1))
    x = R.add_restriction(db, r, "Email only", "Threats", D(2026, 6, 1))
    rec = R.resident_record(db, r)
    assert set(rec.flags) >= {"adjustments", "restricted"}
    R.end_adjustment(db, a.id)
    R.end_restriction(db, x.id)
    assert not {"adjustments", "restricted"} & set(R.resident_record(db, r).flags)


def test_vulnerability_flags_the_complaint(db, setup):
    R.update_resident(db, setup.resident, vulnerabilities="Lives alone; hearing loss")
    c = C.log_complaint(db, setup.resident, D(2026, 2, 2), "No heating")
    assert c.vulnerable
    assert "vulnerable" in C.complaint_view(db, c.id).flags
