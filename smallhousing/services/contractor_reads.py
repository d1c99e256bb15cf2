"""Reads about contractors and the responses asked of them, in plain SQL (services/reads.py): the
worklist's source (``contractor_work``) is asked at every start and by ``smallhousing due``, so
this module imports no ORM. The changes are in services/contractors.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .queries import DueItem
from .reads import day, plain_reading

KIND = "contractor-response"  # the worklist's kind for a response asked of a contractor


@dataclass(frozen=True)
class RequestRow:
    id: int
    contractor_id: int
    contractor: str
    entity: str  # complaint, service-request, hazard
    record_id: int
    reference: str
    asked_on: dt.date
    what: str
    due_on: dt.date
    answered_on: dt.date | None
    answer: str


# reading -----------------------------------------------------------------------------------------

_REQUESTS = (
    "SELECT cr.id, cr.contractor_id, co.name, cr.complaint_id, c.reference, cr.service_request_id, "
    "sr.reference, cr.hazard_id, h.reference, cr.asked_on, cr.what, cr.due_on, cr.answered_on, "
    "cr.answer FROM contractor_request cr JOIN contractor co ON co.id = cr.contractor_id "
    "LEFT JOIN complaint c ON c.id = cr.complaint_id "
    "LEFT JOIN service_request sr ON sr.id = cr.service_request_id "
    "LEFT JOIN hazard h ON h.id = cr.hazard_id "
)


def _about(cid, cref, sid, sref, hid, href) -> tuple[str, int, str]:
    if cid is not None:
        return "complaint", cid, cref or ""
    if sid is not None:
        return "service-request", sid, sref or ""
    return "hazard", hid or 0, href or ""


def requests(
    db,
    *,
    contractor_id: int | None = None,
    complaint_id: int | None = None,
    service_request_id: int | None = None,
    open_only: bool = False,
) -> list[RequestRow]:
    """Responses asked of contractors, the soonest due first (those answered after the others)."""
    where, params = [], []
    for column, value in (
        ("cr.contractor_id", contractor_id),
        ("cr.complaint_id", complaint_id),
        ("cr.service_request_id", service_request_id),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if open_only:
        where.append("cr.answered_on IS NULL")
    sql = _REQUESTS + (f"WHERE {' AND '.join(where)} " if where else "")
    sql += "ORDER BY cr.answered_on IS NOT NULL, cr.due_on, cr.id"
    out = []
    with plain_reading(db) as r:
        for i, coid, coname, cid, cref, sid, sref, hid, href, asked, what, due, answered, ans in r.rows(
            sql, params
        ):
            entity, rid, ref = _about(cid, cref, sid, sref, hid, href)
            asked_d, due_d = day(asked), day(due)
            assert asked_d is not None and due_d is not None, "asked_on and due_on are NOT NULL"
            out.append(
                RequestRow(i, coid, coname, entity, rid, ref, asked_d, what, due_d, day(answered), ans or "")
            )
    return out


def complaint_contractor(db, complaint_id: int) -> str:
    """The name of the contractor a complaint is put down to, '' if none (inactive ones say so)."""
    with plain_reading(db) as r:
        row = r.rows(
            "SELECT co.name, co.active FROM complaint c JOIN contractor co ON co.id = c.contractor_id "
            "WHERE c.id = ?",
            (complaint_id,),
        )
    return _name_of(row)


def service_request_contractor(db, request_id: int) -> str:
    with plain_reading(db) as r:
        row = r.rows(
            "SELECT co.name, co.active FROM service_request sr "
            "JOIN contractor co ON co.id = sr.contractor_id WHERE sr.id = ?",
            (request_id,),
        )
    return _name_of(row)


def contractor_names(db) -> dict[int, str]:
    """Every contractor's name by id (inactive ones say so)."""
    with plain_reading(db) as r:
        return {i: _name_of([(name, active)]) for i, name, active in r.rows(_NAMES)}


_NAMES = "SELECT id, name, active FROM contractor"


def _name_of(rows) -> str:
    if not rows:
        return ""
    name, active = rows[0]
    return name if active else f"{name} (inactive)"


# the worklist ------------------------------------------------------------------------------------

_WORK = (
    "SELECT cr.id, cr.due_on, co.name, cr.complaint_id, c.reference, rc.name, c.stage, "
    "stc.name, cr.service_request_id, sr.reference, rs.name, cr.hazard_id, h.reference, rh.name "
    "FROM contractor_request cr JOIN contractor co ON co.id = cr.contractor_id "
    "LEFT JOIN complaint c ON c.id = cr.complaint_id "
    "LEFT JOIN resident rc ON rc.id = c.resident_id "
    "LEFT JOIN staff stc ON stc.id = c.handler_id "
    "LEFT JOIN service_request sr ON sr.id = cr.service_request_id "
    "LEFT JOIN resident rs ON rs.id = sr.resident_id "
    "LEFT JOIN hazard h ON h.id = cr.hazard_id "
    "LEFT JOIN resident rh ON rh.id = h.resident_id "
    "WHERE cr.answered_on IS NULL"
)


def contractor_work(db, *, limit: int | None, until: dt.date | None) -> list[DueItem]:
    """Responses asked of contractors and not yet given, soonest due first (a worklist source,
    services/worklist.py). Each item is the record the response is about (its entity and id), so
    that opening it opens the complaint, service request or hazard."""
    from ..domain.rules import deadline_status, working_days_left

    sql = _WORK
    params: list[object] = []
    if until is not None:
        sql += " AND cr.due_on <= ?"
        params.append(until.isoformat())
    sql += " ORDER BY cr.due_on, cr.id"
    if limit:
        sql += " LIMIT ?"
        params.append(limit)
    out = []
    with plain_reading(db) as r:
        cal, today = r.cal, r.today
        for (
            _i,
            due,
            coname,
            cid,
            cref,
            cres,
            stage,
            handler,
            sid,
            sref,
            sres,
            hid,
            href,
            hres,
        ) in r.rows(sql, params):
            entity, rid, ref = _about(cid, cref, sid, sref, hid, href)
            resident = {"complaint": cres, "service-request": sres, "hazard": hres}[entity] or ""
            due_d = day(due)
            assert due_d is not None, "due_on is NOT NULL"
            out.append(
                DueItem(
                    rid,
                    ref,
                    resident,
                    stage if entity == "complaint" else 0,
                    f"response from {coname}",  # what was asked is on the record
                    due_d,
                    working_days_left(cal, due_d, today),
                    deadline_status(cal, due_d, today),
                    (handler or "") if entity == "complaint" else "",
                    kind=KIND,
                    entity=entity,
                )
            )
    return out
