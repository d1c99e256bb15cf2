"""Residents, their representatives, reasonable adjustments and behaviour restrictions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, or_
from sqlmodel import col, select

from ..domain.errors import DomainError
from ..domain.lifecycle import require_text
from ..store.models import Adjustment, Complaint, Representative, Resident, Restriction, ServiceRequest
from .base import audit, clean, reading, transaction, update_fields

FORMATS = ("standard", "large print", "easy read", "braille", "audio", "email", "translation")
RESIDENT_FIELDS = (
    "name",
    "address",
    "postcode",
    "phone",
    "email",
    "preferred_contact",
    "preferred_format",
    "disabilities",
    "vulnerabilities",
    "notes",
)


def _check_resident_values(values: dict) -> dict:
    out = {}
    for k, v in values.items():
        if k not in RESIDENT_FIELDS:
            raise DomainError(f"Unknown resident field {k!r}.")
        out[k] = clean(v) if isinstance(v, str) else v
    if "name" in out and not out["name"]:
        raise DomainError("A resident needs a name.", field="name")
    if "preferred_format" in out:
        fmt = (out["preferred_format"] or "standard").lower()
        if fmt not in FORMATS:
            raise DomainError(
                "Preferred format must be one of: " + ", ".join(FORMATS) + ".", field="preferred_format"
            )
        out["preferred_format"] = fmt
    return out


def add_resident(db, name: str, **values) -> Resident:
    values = _check_resident_values({"name": name, **values})
    with transaction(db) as u:
        r = Resident(created_on=u.today, **values)
        u.session.add(r)
        u.session.flush()  # its id, from the database, for the caller
        audit(u, "resident added", r)
        return r


def update_resident(db, resident_id: int, **values) -> Resident:
    values = _check_resident_values(values)
    with transaction(db) as u:
        r = u.get(Resident, resident_id, "resident")
        old_name = r.name
        update_fields(u, r, "resident changed", **values)
        if r.name != old_name:
            from .complaints import search_text_for

            for c in u.session.exec(select(Complaint).where(Complaint.resident_id == r.id)).all():
                c.search_text = search_text_for(c, r)
                u.session.add(c)
        return r


def find_or_add_resident(db, name: str, address: str = "", **values) -> Resident:
    """The resident with this name and address, or a new one (used by imports)."""
    name, address = clean(name), clean(address)
    with transaction(db) as u:
        found = u.session.exec(
            select(Resident).where(
                func.lower(Resident.name) == name.lower(), func.lower(Resident.address) == address.lower()
            )
        ).first()
        if found:
            return found
        return add_resident(u, name, address=address, **values)


def get_resident(db, resident_id: int) -> Resident:
    with reading(db) as u:
        return u.get(Resident, resident_id, "resident")


def list_residents(db, text: str = "", *, offset: int = 0, limit: int = 100) -> list[Resident]:
    with reading(db) as u:
        q = select(Resident).where(Resident.anonymised_on == None)  # noqa: E711
        t = clean(text).lower()
        if t:
            like = f"%{t}%"
            q = q.where(
                or_(
                    func.lower(Resident.name).like(like),
                    func.lower(Resident.address).like(like),
                    func.lower(Resident.postcode).like(like),
                )
            )
        return list(u.session.exec(q.order_by(col(Resident.name)).offset(offset).limit(limit)).all())


# representatives ---------------------------------------------------------------------------------


def add_representative(
    db,
    resident_id: int,
    name: str,
    *,
    relationship: str = "",
    address: str = "",
    phone: str = "",
    email: str = "",
    authority: str = "",
    authority_on: dt.date | None = None,
) -> Representative:
    name = require_text(name, "the representative's name", "name")
    with transaction(db) as u:
        u.get(Resident, resident_id, "resident")
        rep = Representative(
            resident_id=resident_id,
            name=name,
            relationship=clean(relationship),
            address=clean(address),
            phone=clean(phone),
            email=clean(email),
            authority=clean(authority),
            authority_on=authority_on,
        )
        u.session.add(rep)
        u.session.flush()  # its id, from the database, for the caller
        audit(u, "representative added", rep)
        return rep


def end_representative(db, rep_id: int) -> Representative:
    with transaction(db) as u:
        rep = u.get(Representative, rep_id, "representative")
        return update_fields(u, rep, "representative ended", active=False)


# adjustments and restrictions --------------------------------------------------------------------


def _check_review(start: dt.date, review_on: dt.date, what: str) -> None:
    if not isinstance(review_on, dt.date):
        raise DomainError(f"Give a review date for the {what}.", field="review_on")
    if review_on < start:
        raise DomainError(f"The review date of the {what} cannot be before it started.", field="review_on")


def add_adjustment(
    db, resident_id: int, description: str, review_on: dt.date, agreed_on: dt.date | None = None
) -> Adjustment:
    """A reasonable adjustment agreed with the resident, with the date to review it (5.10)."""
    description = require_text(description, "the adjustment", "description")
    with transaction(db) as u:
        u.get(Resident, resident_id, "resident")
        agreed = agreed_on or u.today
        _check_review(agreed, review_on, "adjustment")
        a = Adjustment(
            resident_id=resident_id, description=description, agreed_on=agreed, review_on=review_on
        )
        u.session.add(a)
        u.session.flush()  # its id, from the database, for the caller
        audit(u, "adjustment agreed", a)
        return a


def review_adjustment(
    db, adjustment_id: int, next_review_on: dt.date, reviewed_on: dt.date | None = None
) -> Adjustment:
    with transaction(db) as u:
        a = u.get(Adjustment, adjustment_id, "adjustment")
        on = reviewed_on or u.today
        _check_review(on, next_review_on, "adjustment")
        return update_fields(u, a, "adjustment reviewed", last_reviewed_on=on, review_on=next_review_on)


def end_adjustment(db, adjustment_id: int, ended_on: dt.date | None = None) -> Adjustment:
    with transaction(db) as u:
        a = u.get(Adjustment, adjustment_id, "adjustment")
        return update_fields(u, a, "adjustment ended", ended_on=ended_on or u.today)


def add_restriction(
    db, resident_id: int, description: str, reason: str, review_on: dt.date, imposed_on: dt.date | None = None
) -> Restriction:
    """A restriction for unacceptable behaviour: evidenced, proportionate, reviewed (5.14, 5.15)."""
    description = require_text(description, "the restriction", "description")
    reason = require_text(reason, "the reason for the restriction", "reason")
    with transaction(db) as u:
        u.get(Resident, resident_id, "resident")
        start = imposed_on or u.today
        _check_review(start, review_on, "restriction")
        r = Restriction(
            resident_id=resident_id,
            description=description,
            reason=reason,
            imposed_on=start,
            review_on=review_on,
        )
        u.session.add(r)
        u.session.flush()  # its id, from the database, for the caller
        audit(u, "restriction imposed", r)
        return r


def review_restriction(
    db, restriction_id: int, next_review_on: dt.date, reviewed_on: dt.date | None = None
) -> Restriction:
    with transaction(db) as u:
        r = u.get(Restriction, restriction_id, "restriction")
        on = reviewed_on or u.today
        _check_review(on, next_review_on, "restriction")
        return update_fields(u, r, "restriction reviewed", last_reviewed_on=on, review_on=next_review_on)


def end_restriction(db, restriction_id: int, ended_on: dt.date | None = None) -> Restriction:
    with transaction(db) as u:
        r = u.get(Restriction, restriction_id, "restriction")
        return update_fields(u, r, "restriction ended", ended_on=ended_on or u.today)


@dataclass
class ResidentRecord:
    resident: Resident
    representatives: list[Representative] = field(default_factory=list)
    adjustments: list[Adjustment] = field(default_factory=list)
    restrictions: list[Restriction] = field(default_factory=list)
    complaints: list[Complaint] = field(default_factory=list)
    service_requests: list[ServiceRequest] = field(default_factory=list)

    @property
    def flags(self) -> list[str]:
        return resident_flags(self.resident, self.adjustments, self.restrictions)


def resident_flags(resident: Resident, adjustments, restrictions) -> list[str]:
    flags = []
    if any(a.ended_on is None for a in adjustments):
        flags.append("adjustments")
    if resident.disabilities or resident.vulnerabilities:
        flags.append("vulnerable")
    if any(r.ended_on is None for r in restrictions):
        flags.append("restricted")
    if resident.preferred_format and resident.preferred_format != "standard":
        flags.append(resident.preferred_format)
    return flags


def resident_record(db, resident_id: int) -> ResidentRecord:
    with reading(db) as u:
        r = u.get(Resident, resident_id, "resident")
        rid = r.id

        def rows(model, order):
            return list(u.session.exec(select(model).where(model.resident_id == rid).order_by(order)).all())

        return ResidentRecord(
            r,
            rows(Representative, col(Representative.id)),
            rows(Adjustment, col(Adjustment.review_on)),
            rows(Restriction, col(Restriction.review_on)),
            rows(Complaint, col(Complaint.received_on).desc()),
            rows(ServiceRequest, col(ServiceRequest.received_on).desc()),
        )
