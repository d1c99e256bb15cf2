"""The reference for the bulk CSV import: the same log recorded through the use cases, each step
its own transaction, as if a member of staff had typed every complaint into the app.

services/transfer.py checks rows with the domain's rules and writes plain rows in bulk;
tests/test_import_bulk.py compares what it makes, table by table and row by row, with what this
makes. The order of the steps and the choices for what a log cannot say (docs/IMPORT.md) are the
import's; every step here is the use case itself.
"""

from __future__ import annotations

from sqlmodel import select

from smallhousing.domain import lifecycle as L
from smallhousing.domain.errors import DomainError
from smallhousing.domain.steps import staff_name_key
from smallhousing.services import complaints as C
from smallhousing.services import contractors as K
from smallhousing.services import residents as R
from smallhousing.services import settings as S
from smallhousing.services import transfer as T
from smallhousing.services.base import clean, reading, transaction, update_fields
from smallhousing.store import models as M


class Failed(Exception):
    pass


def parsed_rows(db, data: bytes):
    """The log's rows as the import parses them (every cell read and checked for shape)."""
    text, _ = T.read_log(data)
    delimiter = T._delimiter(text)
    records = list(T._records(text, delimiter))
    columns = [T.normalise_header(c) if T.normalise_header(c) in T.COLUMNS else None for c in records[0][1]]
    with reading(db) as u:
        imp = T._Importer(u, columns)
        rows = [imp.parse(line, cells) for line, cells, _ in records[1:] if any(c.strip() for c in cells)]
    assert not imp.problems, imp.problems
    return rows


def import_through_use_cases(db, data: bytes) -> None:
    rows = parsed_rows(db, data)
    staff, residents = {}, {}
    with reading(db) as u:
        for st in u.session.exec(select(M.Staff).order_by(M.Staff.id)).all():
            if st.active:
                staff.setdefault(staff_name_key(st.name), st.id)
        for r in u.session.exec(select(M.Resident).order_by(M.Resident.id)).all():
            residents.setdefault((clean(r.name).lower(), clean(r.address).lower()), r.id)

    def staff_id(name):
        key = staff_name_key(name)
        if key not in staff:
            staff[key] = S.add_staff(db, clean(name)).id
        return staff[key]

    firms = {}
    with reading(db) as u:
        for f in u.session.exec(select(M.Contractor).order_by(M.Contractor.id)).all():
            if f.active:
                firms.setdefault(staff_name_key(f.name), f.id)

    def contractor_id(name):
        key = staff_name_key(name)
        if key not in firms:
            firms[key] = K.add_contractor(db, " ".join(clean(name).split())).id
        return firms[key]

    def resident_id(name, address):
        key = (clean(name).lower(), clean(address).lower())
        if key not in residents:
            residents[key] = R.add_resident(db, clean(name), address=clean(address)).id
        return residents[key]

    for row in rows:
        _row(db, row, staff_id, resident_id, contractor_id)


def _row(db, row, staff_id, resident_id, contractor_id) -> None:
    v = row.v
    has = row.has
    h1 = staff_id(v["stage1_handler"]) if has("stage1_handler") else None
    firm = contractor_id(v["contractor"]) if has("contractor") else None
    rid = resident_id(v["resident_name"], v["address"])
    c = C.log_complaint(
        db,
        rid,
        v["received_on"],
        v["summary"] or T.NO_SUMMARY,
        channel=v["channel"],
        outcome_sought=v["outcome_sought"],
        categories=T.split_list(v["category"]),
        reference=v["reference"],
        handler_id=h1,
        issue_arose_on=v["issue_arose_on"],
        aware_on=v["aware_on"],
        contractor_id=firm,
    )
    cid = c.id
    if has("refused_on"):
        ground, reason = T.split_ground(v["refusal_reason"])
        decider = h1 if h1 is not None else staff_id(T.IMPORTED_STAFF)
        note = T.IMPORTED_DISCRETION if ground == L.OLDER_THAN_12_MONTHS else ""
        try:
            C.refuse(db, cid, ground, reason, on=v["refused_on"], decided_by=decider, discretion_note=note)
        except DomainError:
            return
    last = 2 if has("stage2_responded_on") else 1
    if not _stage(db, row, cid, 1, h1, last, staff_id):
        return
    closed = False
    if has("closed_on") and has("stage2_requested_on") and v["closed_on"] <= v["stage2_requested_on"]:
        C.close(db, cid, on=v["closed_on"])
        closed = True
    if has("stage2_requested_on"):
        h2 = staff_id(v["stage2_handler"]) if has("stage2_handler") else None
        C.request_stage2(db, cid, on=v["stage2_requested_on"], handler_id=h2)
        if has("escalation_refused_on"):
            ground, reason = T.split_ground(v["escalation_refusal_reason"])
            decider = next((h for h in (h2, h1) if h is not None), None)
            if decider is None:
                decider = staff_id(T.IMPORTED_STAFF)
            note = T.IMPORTED_DISCRETION if ground == L.OLDER_THAN_12_MONTHS else ""
            C.refuse_escalation(
                db,
                cid,
                ground,
                reason,
                on=v["escalation_refused_on"],
                decided_by=decider,
                discretion_note=note,
            )
        if not _stage(db, row, cid, 2, h2, last, staff_id):
            return
    if has("withdrawn_on"):
        C.withdraw(db, cid, v["withdrawal_reason"], on=v["withdrawn_on"])
    if has("closed_on") and not closed:
        with reading(db) as u:
            state = u.session.get(M.Complaint, cid).state
        if state not in (L.REFUSED, L.WITHDRAWN):
            C.close(db, cid, on=v["closed_on"])


def _stage(db, row, cid, n, handler, last, staff_id) -> bool:
    """One stage of a row; False when a refusal ended the complaint before it."""
    v = row.v
    p = f"stage{n}_"
    if not row.has(p + "acknowledged_on"):
        return True
    with reading(db) as u:
        if u.session.get(M.Complaint, cid).state in (L.REFUSED, L.ESCALATION_REFUSED):
            return False
    if handler is None:
        handler = staff_id(T.IMPORTED_STAFF if n == 1 else T.IMPORTED_STAFF_STAGE2)
    resp = (
        {"responsible_for": v["responsible_for"] or "", "not_responsible_for": v["not_responsible_for"] or ""}
        if n == 1
        else {}
    )
    C.acknowledge(
        db,
        cid,
        v["definition"] or v["summary"] or T.NO_SUMMARY,
        handler_id=handler,
        on=v[p + "acknowledged_on"],
        **resp,
    )
    if row.has(p + "extended_to"):
        reason = v[p + "extension_reason"]
        agreed = v[p + "extended_on"] if row.has(p + "extended_on") else v[p + "acknowledged_on"]
        C.extend(db, cid, v[p + "extended_to"], reason, good_reason=reason, on=agreed, resident_told=True)
    if row.has(p + "responded_on"):
        remedies, actions = [], []
        if n == last:
            remedies = T._remedies(v["remedy"], v["compensation_gbp"] or 0)
            actions = [C.ActionInput(a) for a in T.split_list(v["outstanding_actions"])]
        C.respond(
            db,
            cid,
            v[p + "decision"],
            v[p + "reasons"],
            remedies=remedies,
            actions=actions,
            remedy_statement="" if remedies else T.NO_REMEDY,
            on=v[p + "responded_on"],
        )
        if not remedies:
            with transaction(db) as u:
                st = u.session.exec(
                    select(M.Stage).where(M.Stage.complaint_id == cid, M.Stage.number == n)
                ).one()
                update_fields(
                    u,
                    st,
                    f"stage {n}: imported log recorded no remedy",
                    complaint_id=cid,
                    remedy_statement="",
                    staff_note=T.NO_REMEDY,
                )
    return True
