"""Contractors: the landlord stays responsible for complaints about the work of contractors acting
for it, handles them, and asks the contractor for its side by a date (Code 5.4, 5.5).

One function per thing a user does, each one transaction, each change audited. A contractor that
anything refers to is never deleted: it is made inactive, and stays on the records it is named in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import col, select

from ..domain import contractor_rules as CR
from ..domain import lifecycle as L
from ..domain.calendar import Deadline
from ..domain.emails import check_email
from ..domain.errors import DomainError
from ..store.models import Complaint, Contractor, ContractorRequest, Hazard, ServiceRequest
from .base import NotFound, Unit, audit, audit_removed, clean, ident, reading, transaction, update_fields
from .complaints import AsSeen, _claim
from .contractor_reads import (  # noqa: F401  (part of this module's interface)
    KIND,
    RequestRow,
    complaint_contractor,
    contractor_work,
    requests,
    service_request_contractor,
)

__all__ = [
    "ContractorRow",
    "RequestRow",
    "add_contractor",
    "edit_contractor",
    "make_inactive",
    "make_active",
    "remove_contractor",
    "list_contractors",
    "contractor_named",
    "put_complaint_down_to",
    "put_service_request_down_to",
    "default_due",
    "ask",
    "answer",
    "requests",
    "contractor_work",
    "complaint_contractor",
    "service_request_contractor",
]

# what screens and the CLI are given --------------------------------------------------------------


@dataclass(frozen=True)
class ContractorRow:
    id: int
    name: str
    trade: str
    contact: str
    phone: str
    email: str
    active: bool
    notes: str
    complaints: int = 0  # complaints put down to it
    open_requests: int = 0  # responses asked of it and not yet given


def _row(c: Contractor, complaints: int = 0, open_requests: int = 0) -> ContractorRow:
    return ContractorRow(
        ident(c), c.name, c.trade, c.contact, c.phone, c.email, c.active, c.notes, complaints, open_requests
    )


# contractors -------------------------------------------------------------------------------------


def _contractor(u: Unit, contractor_id: int) -> Contractor:
    return u.get(Contractor, contractor_id, "contractor")


def _values(name: str, trade: str, contact: str, phone: str, email: str, notes: str) -> dict:
    name = L.require_text(name, "the contractor's name", "name")
    return {
        "name": name,
        "trade": clean(trade),
        "contact": clean(contact),
        "phone": clean(phone),
        "email": check_email(email),
        "notes": clean(notes),
    }


def _check_name_free(u: Unit, name: str, other_than: int | None = None) -> None:
    """No two active contractors share a name (whatever its capitals): the name is how one is chosen."""
    q = select(Contractor).where(
        func.lower(Contractor.name) == name.lower(), col(Contractor.active).is_(True)
    )
    for found in u.session.exec(q).all():
        if found.id != other_than:
            raise DomainError(
                f"There is already an active contractor called {found.name!r}. Use a name that tells "
                "them apart (such as the town or trade), or edit the one there is.",
                field="name",
            )


def add_contractor(
    db, name: str, *, trade: str = "", contact: str = "", phone: str = "", email: str = "", notes: str = ""
) -> Contractor:
    values = _values(name, trade, contact, phone, email, notes)
    with transaction(db) as u:
        _check_name_free(u, values["name"])
        c = Contractor(**values)
        u.session.add(c)
        u.session.flush()
        audit(u, "contractor added", c)
        return c


def edit_contractor(
    db,
    contractor_id: int,
    *,
    name: str,
    trade: str = "",
    contact: str = "",
    phone: str = "",
    email: str = "",
    notes: str = "",
) -> Contractor:
    values = _values(name, trade, contact, phone, email, notes)
    with transaction(db) as u:
        c = _contractor(u, contractor_id)
        if c.active:
            _check_name_free(u, values["name"], other_than=c.id)
        return update_fields(u, c, "contractor changed", **values)


def make_inactive(db, contractor_id: int) -> Contractor:
    """No longer offered for new complaints or requests; kept on every record it is named in."""
    with transaction(db) as u:
        c = _contractor(u, contractor_id)
        if not c.active:
            raise DomainError(f"{c.name} is already inactive.")
        return update_fields(u, c, "contractor made inactive", active=False)


def make_active(db, contractor_id: int) -> Contractor:
    with transaction(db) as u:
        c = _contractor(u, contractor_id)
        if c.active:
            raise DomainError(f"{c.name} is already active.")
        _check_name_free(u, c.name, other_than=c.id)
        return update_fields(u, c, "contractor made active", active=True)


def _references(u: Unit, contractor_id: int) -> int:
    n = 0
    for model in (Complaint, ServiceRequest, Hazard, ContractorRequest):
        n += u.session.exec(
            select(func.count()).select_from(model).where(model.contractor_id == contractor_id)
        ).one()
    return n


def remove_contractor(db, contractor_id: int) -> None:
    """Take away a contractor added by mistake. One that any record refers to is never removed:
    make it inactive instead."""
    with transaction(db) as u:
        c = _contractor(u, contractor_id)
        n = _references(u, contractor_id)
        if n:
            raise DomainError(
                f"{c.name} is named on {n} record{'s' if n != 1 else ''}, so it is kept: make it "
                "inactive instead, and it will no longer be offered."
            )
        audit_removed(u, "contractor removed", c)
        u.session.delete(c)


def list_contractors(db, *, active_only: bool = False) -> list[ContractorRow]:
    """Contractors by name (active ones first), with how many complaints are put down to each and
    how many responses are awaited from each."""
    with reading(db) as u:
        q = select(Contractor)
        if active_only:
            q = q.where(col(Contractor.active).is_(True))
        rows = u.session.exec(q).all()
        complaints = dict(
            u.session.exec(
                select(Complaint.contractor_id, func.count())
                .where(col(Complaint.contractor_id).is_not(None))
                .group_by(col(Complaint.contractor_id))
            ).all()
        )
        waiting = dict(
            u.session.exec(
                select(ContractorRequest.contractor_id, func.count())
                .where(col(ContractorRequest.answered_on).is_(None))
                .group_by(col(ContractorRequest.contractor_id))
            ).all()
        )
        out = [_row(c, complaints.get(ident(c), 0), waiting.get(ident(c), 0)) for c in rows]
    return sorted(out, key=lambda r: (not r.active, r.name.lower(), r.id))


def get_contractor(db, contractor_id: int) -> ContractorRow:
    with reading(db) as u:
        return _row(_contractor(u, contractor_id))


def _named(u: Unit, name: str) -> Contractor:
    text = clean(name)
    if not text:
        raise DomainError("Name the contractor.", field="contractor")
    rows = u.session.exec(select(Contractor).where(func.lower(Contractor.name) == text.lower())).all()
    active = [c for c in rows if c.active]
    if active:
        return active[0]
    if rows:
        raise DomainError(f"{rows[0].name} is inactive: make it active again first.", field="contractor")
    raise NotFound(
        f"There is no contractor called {text!r}. Add it first (smallhousing contractor add), "
        "or see the names with smallhousing contractor list."
    )


def contractor_named(db, name: str) -> ContractorRow:
    """The active contractor of that name (capitals do not matter)."""
    with reading(db) as u:
        return _row(_named(u, name))


def _active(u: Unit, contractor_id: int) -> Contractor:
    c = _contractor(u, contractor_id)
    if not c.active:
        raise DomainError(f"{c.name} is inactive: make it active again first.", field="contractor")
    return c


# putting a complaint or service request down to a contractor -------------------------------------


def put_complaint_down_to(db, complaint: "int | str | AsSeen", contractor_id: int | None) -> Complaint:
    """Record that a complaint is about a contractor's work or conduct (None: about no contractor).
    The landlord still handles the complaint (5.4)."""
    with transaction(db) as u:
        c = _claim(u, complaint)
        if contractor_id is not None:
            _active(u, contractor_id)
        if c.contractor_id == contractor_id:
            return c
        action = "complaint put down to contractor" if contractor_id else "complaint's contractor cleared"
        return update_fields(u, c, action, complaint_id=c.id, contractor_id=contractor_id)


def _service_request(u: Unit, request: "int | str") -> ServiceRequest:
    if isinstance(request, str) and not request.strip().isdigit():
        sr = u.session.exec(select(ServiceRequest).where(ServiceRequest.reference == request.strip())).first()
        if sr is None:
            raise NotFound(f"There is no service request with reference {request.strip()}.")
        return sr
    return u.get(ServiceRequest, int(request), "service request")


def put_service_request_down_to(db, request: "int | str", contractor_id: int | None) -> ServiceRequest:
    """Record which contractor is doing the work a service request asks for (None: no contractor)."""
    with transaction(db) as u:
        sr = _service_request(u, request)
        if contractor_id is not None:
            _active(u, contractor_id)
        if sr.contractor_id == contractor_id:
            return sr
        action = (
            "service request put down to contractor"
            if contractor_id
            else "service request's contractor cleared"
        )
        return update_fields(u, sr, action, contractor_id=contractor_id)


# asking for a response ---------------------------------------------------------------------------


def default_due(db, asked_on: dt.date | None = None) -> Deadline:
    """When a response asked for on ``asked_on`` (today if None) is due unless another date is
    given: domain/contractor_rules.py, from the landlord's calendar; ``.explain()`` says how."""
    with reading(db) as u:
        return CR.response_due(u.cal, asked_on or u.today)


def ask(
    db,
    contractor_id: int,
    what: str,
    *,
    complaint: "int | str | AsSeen | None" = None,
    service_request: "int | str | None" = None,
    hazard: int | None = None,
    due_on: dt.date | None = None,
    asked_on: dt.date | None = None,
) -> ContractorRequest:
    """Ask a contractor for its response about a complaint, service request or hazard by a date
    (by default 5 working days after the day asked: domain/contractor_rules.py)."""
    if sum(x is not None for x in (complaint, service_request, hazard)) != 1:
        raise DomainError("Say which one complaint, service request or hazard the response is about.")
    what = L.require_text(what, "what the contractor is asked", "what")
    with transaction(db) as u:
        con = _active(u, contractor_id)
        on = L.check_date(asked_on or u.today, u.today, what="request to the contractor")
        due = CR.check_due(on, due_on) if due_on is not None else CR.response_due(u.cal, on).due
        row = ContractorRequest(contractor_id=ident(con), asked_on=on, what=what, due_on=due)
        complaint_id = None
        if complaint is not None:
            c = _claim(u, complaint)
            row.complaint_id = complaint_id = c.id
            L.check_date(
                on,
                u.today,
                what="request to the contractor",
                not_before=c.received_on,
                not_before_what="complaint's receipt",
            )
        elif service_request is not None:
            sr = _service_request(u, service_request)
            row.service_request_id = sr.id
            L.check_date(
                on,
                u.today,
                what="request to the contractor",
                not_before=sr.received_on,
                not_before_what="service request's receipt",
            )
        else:
            h = u.get(Hazard, int(hazard or 0), "hazard")
            row.hazard_id = h.id
        u.session.add(row)
        u.session.flush()
        audit(u, "contractor asked for a response", row, complaint_id=complaint_id)
        return row


def answer(db, request_id: int, text: str, on: dt.date | None = None) -> ContractorRequest:
    """Record the contractor's response: what it said, and the day it came."""
    text = L.require_text(text, "the contractor's response", "answer")
    with transaction(db) as u:
        r = u.get(ContractorRequest, request_id, "request to a contractor")
        if r.answered_on is not None:
            raise DomainError(
                f"This request was answered on {r.answered_on:%d %b %Y}; a further reply can go in "
                "the complaint's notes."
            )
        day = L.check_date(
            on or u.today,
            u.today,
            what="contractor's response",
            not_before=r.asked_on,
            not_before_what="day it was asked for",
        )
        if r.complaint_id is not None:
            _claim(u, r.complaint_id)
        return update_fields(
            u, r, "contractor's response recorded", complaint_id=r.complaint_id, answered_on=day, answer=text
        )
