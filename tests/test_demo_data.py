"""Demo records read like real ones, and loading them never changes a landlord's own settings."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

from sqlmodel import select

from smallhousing.domain.rules import rule_set, stage_deadlines
from smallhousing.services import complaints as C
from smallhousing.services import demo
from smallhousing.services import reports as R
from smallhousing.services import settings as S
from smallhousing.services.base import reading
from smallhousing.store.models import Complaint, Correspondence, Extension, Stage

# words that show a text is about the complaint's category
TOPIC = {
    "repairs": r"repair|boiler|heating|leak|ceiling|appointment|contractor|engineer|roof",
    "damp and mould": r"damp|mould|condensation|ventilation|extractor|surveyor|survey",
    "anti-social behaviour": r"anti-social|noise|neighbour|nuisance|behaviour|diary|diaries",
    "staff conduct": r"officer|staff|conduct|visit|manager|behaved|rude",
    "communication": r"call|phone|contact|repl|letter|update|message|transfer",
    "rent and service charges": r"rent|charge|account|cost|invoice|bill",
    "estate services": r"clean|communal|bins?|estate|grounds|caretak",
    "adaptations": r"adaptation|shower|occupational therapist|grab|level-access|ramp|stairlift",
    "allocations and lettings": r"bid|letting|allocation|register|banding|priority|offer",
}


# a small demo issues extension letters from the start of the last complete reporting year (today
# is 2 March 2026 in tests)
LETTERS_FROM = dt.date(2024, 4, 1)


def _first_category(c: Complaint) -> str:
    return c.categories.split(";")[0]


def _rows(db):
    with reading(db) as u:
        comps = {c.id: c for c in u.session.exec(select(Complaint)).all()}
        stages = list(u.session.exec(select(Stage)).all())
        exts = list(u.session.exec(select(Extension).order_by(Extension.id)).all())
        corr = list(u.session.exec(select(Correspondence)).all())
        return comps, stages, exts, corr


def test_definitions_are_in_the_landlords_voice(demo_db):
    comps, stages, _, _ = _rows(demo_db)
    defined = [s for s in stages if s.definition]
    assert len(defined) > 50
    for s in defined:
        d = s.definition
        assert d.startswith("You told us"), d
        assert "You would like us to" in d or "you would like us to" in d, d
        # the resident's own first-person words are not pasted in
        assert not re.search(r"\b(I|I've|I'm|my|me)\b", d), d


def test_decision_reasons_fit_the_category(demo_db):
    comps, stages, _, _ = _rows(demo_db)
    answered = [s for s in stages if s.responded_on and s.reasons]
    assert len(answered) > 50
    for s in answered:
        cat = _first_category(comps[s.complaint_id])
        if cat in TOPIC:
            assert re.search(TOPIC[cat], s.reasons, re.IGNORECASE), (cat, s.reasons)
    # not one text for every complaint
    assert len({s.reasons for s in answered}) >= 15


def test_extensions_have_fitting_varied_reasons_and_an_update_plan(demo_db):
    comps, stages, exts, _ = _rows(demo_db)
    by_id = {s.id: s for s in stages}
    assert len(exts) >= 10
    assert len({e.reason for e in exts}) >= 6
    for e in exts:
        cat = _first_category(comps[by_id[e.stage_id].complaint_id])
        if cat in TOPIC:
            assert re.search(TOPIC[cat], e.reason, re.IGNORECASE), (cat, e.reason)
        assert e.update_plan.strip(), e  # 5.9: how the resident is kept up to date meanwhile


def test_extensions_are_mostly_agreed_in_time_and_told_by_letter(demo_db):
    comps, stages, exts, _ = _rows(demo_db)
    by_id = {s.id: s for s in stages}
    in_time = told = 0
    with reading(demo_db) as u:
        for e in exts:
            st = by_id[e.stage_id]
            earlier = [x for x in exts if x.stage_id == e.stage_id and x.id < e.id]
            rules = rule_set(comps[st.complaint_id].rule_set)
            due = stage_deadlines(u.cal, rules, C.stage_dates(st, earlier)).final_respond_by
            in_time += e.extended_on <= due
            if e.resident_told:
                assert e.told_on is not None and e.told_on >= e.extended_on
                # recent ones by a real letter; older ones (before letters were issued) by phone
                assert e.told_how == ("letter" if e.extended_on >= LETTERS_FROM else "phone"), e
                told += 1
            else:
                assert e.told_on is None
    # most are agreed before the deadline and told; a few are deliberately not, so reports show both
    assert 0.8 * len(exts) <= in_time < len(exts)
    assert 0.8 * len(exts) <= told < len(exts)


def test_extension_letters_are_real_files_and_the_report_counts_them(demo_db):
    comps, stages, exts, corr = _rows(demo_db)
    letters = [k for k in corr if k.letter_kind]
    assert letters, "the demo issues extension letters"
    for k in corr:
        if k.letter_kind or k.file_path:  # a letter row always has its file, unchanged
            p = Path(k.file_path)
            assert p.is_file(), k
            assert hashlib.sha256(p.read_bytes()).hexdigest() == k.sha256
    by_id = {s.id: s for s in stages}
    ext_letters = [k for k in letters if "extension" in k.letter_kind]
    for e in exts:
        if e.resident_told and e.extended_on >= LETTERS_FROM:
            cid = by_id[e.stage_id].complaint_id
            assert any(k.complaint_id == cid and k.on == e.told_on for k in ext_letters), e
    f = R.year_figures(demo_db, 2025)
    s1 = f.stage(1)
    assert s1.extensions > 0
    assert s1.extensions_with_letter == s1.extensions_resident_told > 0


def test_demo_never_changes_a_landlords_own_settings(db, setup):
    S.update_settings(db, website="", ombudsman_phone="0300 111 3000 (9am to 5pm)")
    S.set_homes(db, 2025, 640)
    before = S.get_settings(db).model_dump()
    staff_before = [(s.name, s.role) for s in S.list_staff(db)]
    demo.generate(db, complaints=20, seed=3)
    assert S.get_settings(db).model_dump() == before
    assert S.homes_for(db, 2025) == 640
    assert S.homes_for(db, 2023) is None  # no invented numbers of homes for the landlord
    assert S.list_closure_days(db) == []  # no closure day that would move real deadlines
    assert [(s.name, s.role) for s in S.list_staff(db)] == staff_before


def test_demo_fills_in_a_new_database(db):
    demo.generate(db, complaints=5, seed=3)
    s = S.get_settings(db)
    assert s.setup_done and s.name == "Demo Homes Housing Association" and s.website
