"""Service requests monitored (Code 1.4): each gets a target date by its category, worked out on the
landlord's working-day calendar; the landlord sets the targets in Settings (a director's setting);
a request shows its age, target, whether it is overdue, and the complaints raised from it (1.5).

The rules are domain/service_request_rules.py's; the worklist's and the list's reads are plain SQL
in services/queries.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import or_, update
from sqlmodel import col, select

from ..domain import service_request_rules as SR
from ..domain.calendar import short_date
from ..domain.errors import DomainError
from ..store.models import Complaint, Resident, ServiceRequest, ServiceRequestTarget
from .base import Unit, audit, clean, reading, to_plain, transaction, update_fields


def target_settings(u: Unit) -> dict[str, int]:
    """The landlord's targets (category -> working days); a category not here takes the default."""
    return {r.category: r.working_days for r in u.session.exec(select(ServiceRequestTarget)).all()}


def target_of(u: Unit, received_on: dt.date, category: str, settings: dict[str, int] | None = None):
    """A request's target (domain Target, which explains itself) on the landlord's calendar."""
    return SR.target_for(u.cal, received_on, category, target_settings(u) if settings is None else settings)


def _set_targets(u: Unit, where, settings: dict[str, int]) -> int:
    """Work out the target of every request matching ``where`` again: one UPDATE for each day
    received and category, so that thousands of requests take a few statements. Returns how many
    targets moved (or were set)."""
    groups = u.session.exec(
        select(col(ServiceRequest.received_on), col(ServiceRequest.category)).where(*where).distinct()
    ).all()
    moved = 0
    for received_on, category in groups:
        due = SR.target_for(u.cal, received_on, category, settings).due
        result = u.session.execute(
            update(ServiceRequest)
            .where(
                *where,
                col(ServiceRequest.received_on) == received_on,
                col(ServiceRequest.category) == category,
                or_(col(ServiceRequest.target_on).is_(None), col(ServiceRequest.target_on) != due),
            )
            .values(target_on=due)
            .execution_options(synchronize_session=False)
        )
        moved += result.rowcount or 0  # type: ignore[attr-defined]
    if moved:
        u.session.expire_all()  # rows already loaded in this session read the new dates
    return moved


def refresh_open_targets(u: Unit, category: str | None = None) -> int:
    """Open requests (of one category, or all) take their target as the settings and closure days
    now give it: after a target is changed in Settings or a closure day is added or removed.
    Completed requests keep the target they were done against."""
    where = [ServiceRequest.status == "open"]
    if category is not None:
        where.append(ServiceRequest.category == category)
    return _set_targets(u, where, target_settings(u))


def fill_missing_targets(u: Unit) -> int:
    """Requests recorded before targets existed (or copied in without one) get theirs: run after
    the schema is upgraded (services/__init__.py)."""
    return _set_targets(u, [col(ServiceRequest.target_on).is_(None)], target_settings(u))


# settings ----------------------------------------------------------------------------------------


@dataclass
class TargetSetting:
    """One category's target as Settings shows it."""

    category: str
    working_days: int
    default_days: int
    from_settings: bool
    note: str = ""

    @property
    def label(self) -> str:
        return self.category[:1].upper() + self.category[1:]


def list_targets(db) -> list[TargetSetting]:
    """Every category's target: the usual categories in the order forms offer them, then any other
    category set in Settings or given to a request (imported records, say)."""
    with reading(db) as u:
        settings = target_settings(u)
        used = u.session.exec(select(ServiceRequest.category).distinct()).all()
    names = list(SR.CATEGORIES)
    for extra in sorted({*settings, *(SR.normalise_category(c) for c in used)}):
        if extra and extra not in names:
            names.append(extra)
    return [
        TargetSetting(
            c,
            settings.get(c, SR.default_days(c)),
            SR.default_days(c),
            c in settings,
            SR.CATEGORY_NOTES.get(c, ""),
        )
        for c in names
    ]


def _category(category: str) -> str:
    c = SR.normalise_category(clean(category))
    if not c:
        raise DomainError("Say which category of service request the target is for.", field="category")
    return c


def set_target(db, category: str, working_days: "int | str") -> ServiceRequestTarget:
    """Set a category's target in working days; open requests of the category move to it."""
    c = _category(category)
    days = SR.check_target_days(working_days)
    with transaction(db) as u:
        row = u.session.exec(select(ServiceRequestTarget).where(ServiceRequestTarget.category == c)).first()
        if row is None:
            row = ServiceRequestTarget(category=c, working_days=days)
            u.session.add(row)
            u.session.flush()  # its id, for the audit entry
            audit(u, f"service request target set for {c}", row)
        elif row.working_days != days:
            update_fields(u, row, f"service request target changed for {c}", working_days=days)
        refresh_open_targets(u, c)
        return row


def reset_target(db, category: str) -> int:
    """Take a category back to its default target; returns the default's working days."""
    c = _category(category)
    with transaction(db) as u:
        row = u.session.exec(select(ServiceRequestTarget).where(ServiceRequestTarget.category == c)).first()
        if row is None:
            raise DomainError(
                f"The target for {c} is already the default ({SR.default_days(c)} working days).",
                field="category",
            )
        audit(
            u,
            f"service request target reset for {c}",
            entity="servicerequesttarget",
            entity_id=row.id,
            before=to_plain(row),
        )
        u.session.delete(row)
        u.session.flush()
        refresh_open_targets(u, c)
        return SR.default_days(c)


# one request -------------------------------------------------------------------------------------


def change_category(db, request_id: int, category: str) -> ServiceRequest:
    """Give a request another category: its target is worked out again from the new one."""
    c = SR.normalise_category(clean(category))
    with transaction(db) as u:
        sr = u.get(ServiceRequest, request_id, "service request")
        if c == sr.category:
            raise DomainError(f"Service request {sr.reference} is already in {c or 'no category'}.")
        due = target_of(u, sr.received_on, c).due
        return update_fields(u, sr, "service request category changed", category=c, target_on=due)


@dataclass
class RaisedComplaint:
    """A complaint raised from a service request (1.5)."""

    id: int
    reference: str
    received_on: dt.date
    state: str


@dataclass
class ServiceRequestView:
    request: ServiceRequest
    resident: str
    progress: SR.Progress
    target_words: str  # how the target date was worked out, in words
    complaints: list[RaisedComplaint] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return self.progress.overdue


def service_request_view(db, request: "int | str") -> ServiceRequestView:
    """One request: age in working days, target and how it was worked out, overdue or not, and
    the complaints raised from it."""
    with reading(db) as u:
        if isinstance(request, str) and not request.isdigit():
            sr = u.session.exec(
                select(ServiceRequest).where(ServiceRequest.reference == request.strip())
            ).first()
            if sr is None:
                raise DomainError(f"There is no service request with reference {request.strip()}.")
        else:
            sr = u.get(ServiceRequest, int(request), "service request")
        resident = u.session.get(Resident, sr.resident_id)
        target = target_of(u, sr.received_on, sr.category)
        if sr.target_on is None:
            words = "No target has been worked out for this request yet."
        elif target.due == sr.target_on:
            words = target.explain()
        else:  # done before a later change of its category's target: kept as it was
            words = (
                f"Target {short_date(sr.target_on)}, from the target for "
                f"{sr.category or SR.NO_CATEGORY} when the request was open."
            )
        raised = [
            RaisedComplaint(int(i or 0), ref, received, state)
            for i, ref, received, state in u.session.exec(
                select(
                    col(Complaint.id),
                    col(Complaint.reference),
                    col(Complaint.received_on),
                    col(Complaint.state),
                )
                .where(Complaint.service_request_id == sr.id)
                .order_by(col(Complaint.received_on), col(Complaint.id))
            ).all()
        ]
        return ServiceRequestView(
            sr,
            resident.name if resident else "",
            SR.progress(u.cal, sr.received_on, sr.target_on, u.today, sr.completed_on),
            words,
            raised,
        )
