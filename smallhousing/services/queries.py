"""Questions asked of the records: what is due, what is overdue, lists page by page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, or_
from sqlmodel import select

from ..domain import lifecycle as L
from ..domain.rules import deadline_status
from ..domain.years import year_bounds
from ..store.models import (Adjustment, Complaint, OutstandingAction, Remedy, Resident, Restriction,
                            ServiceRequest, Staff, Stage)
from .base import reading


@dataclass
class DueItem:
    complaint_id: int
    reference: str
    resident: str
    stage: int
    step: str
    due: dt.date
    working_days_left: int  # negative when overdue
    status: str  # on time, due soon, overdue
    handler: str

    def as_dict(self) -> dict:
        return {"reference": self.reference, "resident": self.resident, "stage": self.stage,
                "step": self.step, "due": self.due.isoformat(),
                "working_days_left": self.working_days_left, "status": self.status,
                "handler": self.handler}


def open_work(db, *, limit: int | None = None, within_working_days: int | None = None,
              overdue_only: bool = False) -> list[DueItem]:
    """Open deadlines, soonest first (overdue ones come first of all)."""
    with reading(db) as u:
        q = (select(Complaint.id, Complaint.reference, Resident.name, Complaint.stage, Complaint.next_step,
                    Complaint.next_due_on, Staff.name)
             .join(Resident, Resident.id == Complaint.resident_id)
             .join(Staff, Staff.id == Complaint.handler_id, isouter=True)
             .where(Complaint.next_due_on != None)  # noqa: E711
             .order_by(Complaint.next_due_on, Complaint.reference))
        if overdue_only:
            q = q.where(Complaint.next_due_on < u.today)
        if within_working_days is not None:
            horizon = u.cal.add(u.today, within_working_days).due
            q = q.where(Complaint.next_due_on <= horizon)
        if limit:
            q = q.limit(limit)
        out = []
        cal, today = u.cal, u.today
        for cid, ref, name, stage, step, due, handler in u.s.exec(q).all():
            out.append(DueItem(cid, ref, name, stage, step, due, cal.count(today, due),
                               deadline_status(cal, due, today), handler or ""))
        return out


@dataclass
class Counts:
    open_stage1: int
    open_stage2: int
    overdue: int
    due_soon: int


def dashboard_counts(db) -> Counts:
    with reading(db) as u:
        def count(*where):
            return u.s.exec(select(func.count()).select_from(Complaint).where(*where)).one()

        s1 = count(Complaint.state.in_((L.RECEIVED, L.S1_ACKNOWLEDGED)))
        s2 = count(Complaint.state.in_((L.S2_REQUESTED, L.S2_ACKNOWLEDGED)))
        overdue = count(Complaint.next_due_on < u.today)
        horizon = u.cal.add(u.today, 2).due
        soon = count(Complaint.next_due_on >= u.today, Complaint.next_due_on <= horizon)
        return Counts(s1, s2, overdue, soon)


def received_per_month(db, months: int = 12) -> list[tuple[str, int]]:
    """Complaints received in each of the last ``months`` months, oldest first."""
    with reading(db) as u:
        y, m = u.today.year, u.today.month
        keys = []
        for _ in range(months):
            keys.append(f"{y:04d}-{m:02d}")
            m -= 1
            if m == 0:
                y, m = y - 1, 12
        keys.reverse()
        start = dt.date.fromisoformat(keys[0] + "-01")
        month = func.strftime("%Y-%m", Complaint.received_on)
        rows = dict(u.s.exec(select(month, func.count()).where(Complaint.received_on >= start)
                             .group_by(month)).all())
        return [(k, rows.get(k, 0)) for k in keys]


@dataclass
class OverdueItem:
    kind: str  # remedy, action, adjustment review, restriction review
    description: str
    due: dt.date
    reference: str  # complaint reference or resident name
    ident: int


def overdue_follow_ups(db, *, review_horizon_days: int = 0, limit: int | None = None) -> list[OverdueItem]:
    """Remedies and outstanding actions past their date; adjustment and restriction reviews due.

    With ``limit``, only the most overdue ``limit`` of them (``count_follow_ups`` gives how many
    there are in all).
    """
    with reading(db) as u:
        today = u.today
        out: list[OverdueItem] = []
        q = (select(Remedy, Complaint.reference).join(Complaint)
             .where(Remedy.completed_on == None, Remedy.due_on < today)  # noqa: E711
             .order_by(Remedy.due_on))
        for r, ref in u.s.exec(q.limit(limit) if limit else q).all():
            out.append(OverdueItem("remedy", r.description, r.due_on, ref, r.id))
        q = (select(OutstandingAction, Complaint.reference).join(Complaint)
             .where(OutstandingAction.completed_on == None,  # noqa: E711
                    OutstandingAction.due_on < today)
             .order_by(OutstandingAction.due_on))
        for a, ref in u.s.exec(q.limit(limit) if limit else q).all():
            out.append(OverdueItem("action", a.description, a.due_on, ref, a.id))
        out.extend(reviews_due(u, within_days=review_horizon_days, limit=limit))
        if limit:
            out = sorted(out, key=lambda i: i.due)[:limit]
        return out


def count_follow_ups(db, *, review_horizon_days: int = 0) -> int:
    """How many follow-ups ``overdue_follow_ups`` would list without a limit."""
    with reading(db) as u:
        today = u.today
        horizon = today + dt.timedelta(days=review_horizon_days)

        def n(model, *where):
            return u.s.exec(select(func.count()).select_from(model).where(*where)).one()

        return (n(Remedy, Remedy.completed_on == None, Remedy.due_on < today)  # noqa: E711
                + n(OutstandingAction, OutstandingAction.completed_on == None,  # noqa: E711
                    OutstandingAction.due_on < today)
                + n(Adjustment, Adjustment.ended_on == None, Adjustment.review_on <= horizon)  # noqa: E711
                + n(Restriction, Restriction.ended_on == None, Restriction.review_on <= horizon))  # noqa: E711


def reviews_due(db, *, within_days: int = 0, limit: int | None = None) -> list[OverdueItem]:
    """Adjustment and restriction reviews on or before today (+ ``within_days`` calendar days)."""
    with reading(db) as u:
        horizon = u.today + dt.timedelta(days=within_days)
        out = []
        for model, kind in ((Adjustment, "adjustment review"), (Restriction, "restriction review")):
            q = (select(model, Resident.name).join(Resident)
                 .where(model.ended_on == None, model.review_on <= horizon)  # noqa: E711
                 .order_by(model.review_on))
            for row, name in u.s.exec(q.limit(limit) if limit else q).all():
                out.append(OverdueItem(kind, row.description, row.review_on, name, row.id))
        return out


@dataclass
class ComplaintFilter:
    text: str = ""
    stage: int | None = None
    state: str | None = None  # a lifecycle state, or "open" / "finished"
    overdue: bool = False
    handler_id: int | None = None
    category: str | None = None
    year: int | None = None  # reporting year by date received


@dataclass
class ComplaintRow:
    id: int
    reference: str
    resident: str
    received_on: dt.date
    stage: int
    state: str
    next_due_on: dt.date | None
    handler: str
    categories: str


def _filtered(q, f: ComplaintFilter, today: dt.date):
    if f.text.strip():
        for word in f.text.lower().split():
            q = q.where(Complaint.search_text.contains(word, autoescape=True))
    if f.stage:
        q = q.where(Complaint.stage == f.stage)
    if f.state == "open":
        q = q.where(Complaint.state.in_(L.OPEN_STATES))
    elif f.state == "finished":
        q = q.where(Complaint.state.in_(L.FINISHED_STATES))
    elif f.state:
        q = q.where(Complaint.state == f.state)
    if f.overdue:
        q = q.where(Complaint.next_due_on < today)
    if f.handler_id:
        q = q.where(Complaint.handler_id == f.handler_id)
    if f.category:
        c = f.category.lower()
        q = q.where(or_(Complaint.categories == c, Complaint.categories.like(f"{c};%"),
                        Complaint.categories.like(f"%;{c}"), Complaint.categories.like(f"%;{c};%")))
    if f.year:
        start, end = year_bounds(f.year)
        q = q.where(and_(Complaint.received_on >= start, Complaint.received_on <= end))
    return q


def list_complaints(db, f: ComplaintFilter | None = None, *, offset: int = 0,
                    limit: int = 50) -> list[ComplaintRow]:
    """One page of complaints, newest first. Never loads more than ``limit`` rows."""
    f = f or ComplaintFilter()
    with reading(db) as u:
        q = (select(Complaint.id, Complaint.reference, Resident.name, Complaint.received_on,
                    Complaint.stage, Complaint.state, Complaint.next_due_on, Staff.name,
                    Complaint.categories)
             .join(Resident, Resident.id == Complaint.resident_id)
             .join(Staff, Staff.id == Complaint.handler_id, isouter=True))
        q = _filtered(q, f, u.today).order_by(Complaint.received_on.desc(), Complaint.id.desc())
        rows = u.s.exec(q.offset(offset).limit(limit)).all()
        return [ComplaintRow(*r[:7], r[7] or "", r[8]) for r in rows]


def count_complaints(db, f: ComplaintFilter | None = None) -> int:
    f = f or ComplaintFilter()
    with reading(db) as u:
        q = _filtered(select(func.count()).select_from(Complaint), f, u.today)
        return u.s.exec(q).one()


def list_service_requests(db, *, status: str | None = None, offset: int = 0,
                          limit: int = 50) -> list[tuple[ServiceRequest, str]]:
    with reading(db) as u:
        q = select(ServiceRequest, Resident.name).join(Resident)
        if status:
            q = q.where(ServiceRequest.status == status)
        q = q.order_by(ServiceRequest.received_on.desc(), ServiceRequest.id.desc())
        return list(u.s.exec(q.offset(offset).limit(limit)).all())


def stage_handlers(db, complaint_id: int) -> dict[int, int | None]:
    with reading(db) as u:
        return {s.number: s.handler_id
                for s in u.s.exec(select(Stage).where(Stage.complaint_id == complaint_id)).all()}


def working_days_until(db, due: dt.date) -> int:
    """Working days from today to ``due`` (negative when it has passed), on the landlord's calendar."""
    with reading(db) as u:
        return u.cal.count(u.today, due)


def received_years(db) -> list[int]:
    """The reporting years that have complaints in them, newest first (this year always included)."""
    from ..domain.years import year_of

    with reading(db) as u:
        first, last = u.s.exec(select(func.min(Complaint.received_on), func.max(Complaint.received_on))).one()
        newest = year_of(max(last, u.today) if last else u.today)
        oldest = year_of(first) if first else newest
        return list(range(newest, oldest - 1, -1))


def deadline_statuses(db, days) -> dict[dt.date, tuple[str, int]]:
    """For each date: its status (on time, due soon, overdue) and working days left from today."""
    with reading(db) as u:
        return {d: (deadline_status(u.cal, d, u.today), u.cal.count(u.today, d)) for d in set(days) if d}
