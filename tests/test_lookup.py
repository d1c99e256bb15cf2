"""Finding complaints and residents by what the user remembers (services/lookup.py)."""

from __future__ import annotations

import datetime as dt
import sqlite3

from smallhousing.services import complaints as C
from smallhousing.services import lookup
from smallhousing.services import residents as R


def _log(db, resident_id: int, day: dt.date, text: str = "Fence blown down"):
    return C.log_complaint(db, resident_id, day, text)


def test_a_complaint_by_its_reference_comes_first(db, setup):
    first = _log(db, setup.resident, dt.date(2026, 2, 2))
    for d in (3, 4, 5):
        _log(db, setup.resident, dt.date(2026, 2, d))
    found = lookup.find_records(db, first.reference)
    assert found.complaints[0].id == first.id
    assert found.complaints[0].resident == "Mrs Siân O'Brien"
    assert found.complaints[0].received_on == dt.date(2026, 2, 2)
    # part of a reference finds every complaint sharing it, newest first
    found = lookup.find_records(db, first.reference[:4])
    days = [c.received_on for c in found.complaints]
    assert days == sorted(days, reverse=True) and len(days) == 4


def test_names_ignore_capitals_accents_and_word_order(db, setup):
    c = _log(db, setup.resident, dt.date(2026, 2, 2))
    other = R.add_resident(db, "Mr Ade Bello", address="3 Mill Lane")
    for text in ("sian", "SIÂN", "o'brien sian", "Siân O'Brien"):
        found = lookup.find_records(db, text)
        assert [r.id for r in found.residents] == [setup.resident], text
        assert [x.id for x in found.complaints] == [c.id], text
    found = lookup.find_records(db, "bello")
    assert [r.name for r in found.residents] == ["Mr Ade Bello"] and found.residents[0].id == other.id
    assert found.residents[0].address == "3 Mill Lane"
    assert found.complaints == []
    assert lookup.find_records(db, "nobody here").residents == []


def test_results_are_limited_and_one_letter_finds_nothing(db, setup):
    for i in range(8):
        R.add_resident(db, f"Ann Ash {i}")
    assert len(lookup.find_records(db, "ann ash").residents) == 5
    assert len(lookup.find_records(db, "ann ash", limit=3).residents) == 3
    found = lookup.find_records(db, "a")
    assert found.residents == [] and found.complaints == []


def test_anonymised_residents_are_never_offered(db, setup):
    gone = R.add_resident(db, "Ann Ash")
    with sqlite3.connect(db.path) as con:
        con.execute("UPDATE resident SET anonymised_on = '2026-01-01' WHERE id = ?", (gone.id,))
    assert lookup.find_records(db, "ann ash").residents == []


def test_the_index_answers_from_memory(db, setup):
    _log(db, setup.resident, dt.date(2026, 2, 2))
    index = lookup.record_index(db)
    R.add_resident(db, "Zoë Zed")  # added after the index was read: not in it
    assert index.find("zoe").residents == []
    assert [r.name for r in lookup.record_index(db).find("zoe").residents] == ["Zoë Zed"]
