"""Landlord settings, staff, homes per reporting year."""

from __future__ import annotations

import datetime as dt

import pytest

from smallhousing.domain.errors import DomainError
from smallhousing.services import settings as S
from smallhousing.store.models import OMBUDSMAN_FORM, OMBUDSMAN_PHONE, OMBUDSMAN_POST


def test_defaults_give_current_ombudsman_details(db):
    s = S.get_settings(db)
    assert (s.ombudsman_form_url, s.ombudsman_phone, s.ombudsman_post) == (
        OMBUDSMAN_FORM,
        OMBUDSMAN_PHONE,
        OMBUDSMAN_POST,
    )
    assert "Preston" in s.ombudsman_post and "PR2 0ET" in s.ombudsman_post
    assert not S.is_set_up(db)


@pytest.mark.parametrize(
    "values, match",
    [
        ({"name": " "}, "name"),
        ({"ombudsman_phone": ""}, "Ombudsman"),
        ({"ombudsman_form_url": "  "}, "Ombudsman"),
        ({"retention_years": "six"}, "whole number"),
        ({"retention_years": 0}, "too small"),
        ({"escalation_window_days": -1}, "too small"),
        ({"favourite_colour": "blue"}, "Unknown"),
    ],
)
def test_bad_settings_are_refused(db, values, match):
    with pytest.raises(DomainError, match=match):
        S.update_settings(db, **values)
    assert S.get_settings(db).ombudsman_phone == OMBUDSMAN_PHONE


def test_first_run_setup(db):
    S.first_run_setup(db, "Ashbury Homes", 640)
    assert S.is_set_up(db) and S.get_settings(db).name == "Ashbury Homes"
    assert S.homes_for(db, 2025) == 640  # today is 2 Mar 2026: the year from April 2025


def test_homes_per_year(db):
    S.set_homes(db, "2024/25", "1,020")
    S.set_homes(db, 2025, 990)
    S.set_homes(db, "2025-26", 995)
    assert [(h.year, h.homes) for h in S.list_homes(db)] == [(2025, 995), (2024, 1020)]
    for year, homes in (
        ("2025", "many"),
        ("2025", -1),
        ("2025/27", 5),
        ("99", 5),
        ("2025", "99999999999999999999"),
    ):
        with pytest.raises(DomainError):
            S.set_homes(db, year, homes)
    assert S.homes_for(db, 2025) == 995 and S.homes_for(db, 2030) is None


def test_staff(db):
    a = S.add_staff(db, "Alice Adams", role="Officer")
    with pytest.raises(DomainError, match="already"):
        S.add_staff(db, " Alice Adams ")
    with pytest.raises(DomainError):
        S.add_staff(db, "")
    with pytest.raises(DomainError):
        S.update_staff(db, a.id, name=" ")
    with pytest.raises(DomainError):
        S.update_staff(db, a.id, salary=1)
    S.update_staff(db, a.id, active=False)
    assert S.list_staff(db) == []
    assert [s.name for s in S.list_staff(db, active_only=False)] == ["Alice Adams"]
    # the Alice who left and comes back is the same person (6.13): reactivated, not added twice
    with pytest.raises(S.StaffLeft, match="reactivate"):
        S.add_staff(db, "Alice Adams")
    assert S.reactivate_staff(db, a.id).active
    assert len(S.list_staff(db, active_only=False)) == 1


def test_staff_email_is_checked_and_may_be_left_empty(db):
    with pytest.raises(DomainError, match="has no @") as e:
        S.add_staff(db, "Dai Rees", email="dai.rees.example.org")
    assert e.value.field == "email"
    assert [s.name for s in S.list_staff(db, active_only=False)] == []
    a = S.add_staff(db, "Dai Rees", email=" dai@ashbury.example ")
    assert a.email == "dai@ashbury.example"
    with pytest.raises(DomainError, match="a domain such as example.org"):
        S.update_staff(db, a.id, email="dai@ashbury")
    assert S.list_staff(db)[0].email == "dai@ashbury.example"
    assert S.update_staff(db, a.id, email="").email == ""
    assert S.add_staff(db, "Eve Ng").email == ""


def test_closure_day_must_be_a_date(db):
    with pytest.raises(DomainError):
        S.add_closure_day(db, "2026-03-04")
    assert S.list_closure_days(db) == []
    S.add_closure_day(db, dt.date(2026, 3, 4), "  training ")
    assert [(d.day, d.reason) for d in S.list_closure_days(db)] == [(dt.date(2026, 3, 4), "training")]


def test_closure_days_in_the_past_cannot_be_added_or_removed(db):
    """Deadlines already worked out (and figures already reported) must not move afterwards."""
    today = db.today
    with pytest.raises(DomainError) as e:
        S.add_closure_day(db, dt.date(2026, 2, 27), "snow")  # the Friday before today
    assert "past" in str(e.value) and "27 Feb 2026" in str(e.value)
    assert S.list_closure_days(db) == []
    S.add_closure_day(db, today, "burst pipe")  # today itself can still be closed
    with db.raw() as con:  # a closure day recorded before the rule, now in the past
        con.execute("INSERT INTO closure_day (day, reason) VALUES ('2026-02-26', 'old')")
        con.commit()
    with pytest.raises(DomainError) as e:
        S.remove_closure_day(db, dt.date(2026, 2, 26))
    assert "past" in str(e.value)
    assert [d.day for d in S.list_closure_days(db)] == [dt.date(2026, 2, 26), today]
    S.remove_closure_day(db, today)
