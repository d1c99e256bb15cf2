"""Hazards under Awaab's Law: logging one, recording each step with its date, the written summary
to the tenant, and the hazard's clocks on the worklist.

One function per thing a user does, each one transaction, every change audited. The clocks come
from domain/hazard_rules.py; a hazard's ``version`` refuses a save made from an older reading
(``HazardSeen``), as complaints do.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select

from .. import paths
from ..domain import hazard_rules as H
from ..domain import lifecycle as L
from ..domain.calendar import short_date
from ..domain.errors import DomainError
from ..store.models import ClosureDay, Complaint, Contractor, Hazard, Resident, ServiceRequest, Staff
from .base import NotFound, Unit, audit, clean, ident, reading, transaction, update_fields
from .hazard_reads import hazard_work  # noqa: F401  (the worklist's source, named here too)

STALE = "Someone else changed this hazard while you were working on it; reload it and try again."


class StaleHazard(DomainError):
    """A save made from an older reading of a hazard than the one on record."""


@dataclass(frozen=True)
class HazardSeen:
    """A hazard as a form read it: its id and its version then. Given to a step instead of the id,
    the step is refused (StaleHazard) if anyone has saved the hazard since."""

    id: int
    version: int


# pg_advisory_xact_lock's first key for a year's hazard references (the second is the year)
REFERENCE_LOCK = 0x485A


def _lock_references(u: Unit, year: int) -> None:
    """Several people logging hazards at once (PostgreSQL): one transaction at a time picks the next
    reference of a year, holding the lock until it commits. SQLite lets one writer in at a time."""
    if u.db.dialect == "sqlite":
        return
    u.session.connection().exec_driver_sql("SELECT pg_advisory_xact_lock(%s, %s)", (REFERENCE_LOCK, year))


def _new_reference(u: Unit, aware_on: dt.date) -> str:
    """HZ-2026-0001: the next number of the year, never one already used."""
    prefix = f"HZ-{aware_on.year}-"
    _lock_references(u, aware_on.year)
    last = u.session.exec(
        select(Hazard.reference)
        .where(col(Hazard.reference).like(prefix + "%"))
        .order_by(func.length(Hazard.reference).desc(), col(Hazard.reference).desc())
        .limit(1)
    ).first()
    n = int(last[len(prefix) :]) if last and last[len(prefix) :].isdigit() else 0
    ref = f"{prefix}{n + 1:04d}"
    while u.session.exec(select(Hazard.id).where(Hazard.reference == ref)).first():
        n += 1
        ref = f"{prefix}{n + 1:04d}"
    return ref


def _find(u: Unit, which: "int | str") -> int:
    if isinstance(which, str) and not which.strip().isdigit():
        hid = u.session.exec(
            select(Hazard.id).where(func.upper(Hazard.reference) == which.strip().upper())
        ).first()
        if hid is None:
            raise NotFound(f"There is no hazard with reference {which.strip()}.")
        return hid
    return int(which)


def _claim(u: Unit, which: "int | str | HazardSeen") -> Hazard:
    """The hazard a step changes, its version counted up first with one UPDATE (which, given the
    version a form read, finds the row only if no one has saved it since)."""
    version = None
    if isinstance(which, HazardSeen):
        version, which = which.version, which.id
    hid = _find(u, which)
    stmt = update(Hazard).where(col(Hazard.id) == hid).values(version=col(Hazard.version) + 1)
    if version is not None:
        stmt = stmt.where(col(Hazard.version) == version)
    if u.session.exec(stmt).rowcount != 1:
        if u.session.get(Hazard, hid) is None:
            raise NotFound(f"There is no hazard with id {hid}.")
        raise StaleHazard(STALE)
    h = u.get(Hazard, hid, "hazard")
    u.session.refresh(h)  # as last saved, with the version just counted
    return h


def dates_of(h: Hazard) -> H.HazardDates:
    return H.HazardDates(
        kind=h.kind,
        aware_on=h.aware_on,
        aware_time=h.aware_time,
        investigated_on=h.investigated_on,
        investigated_time=h.investigated_time,
        significant=h.significant,
        summary_sent_on=h.summary_sent_on,
        safety_work_begun_on=h.safety_work_begun_on,
        further_work_needed=bool(h.further_work_needed),
        further_work_started_on=h.further_work_started_on,
        made_safe_on=h.made_safe_on,
        made_safe_time=h.made_safe_time,
        closed_on=h.closed_on,
    )


def _closures(u: Unit) -> dict[dt.date, str]:
    rows = u.session.exec(select(col(ClosureDay.day), col(ClosureDay.reason))).all()
    return {d: r or "closure day" for d, r in rows}


def _check_contractor(u: Unit, contractor_id: int | None) -> None:
    if contractor_id is None:
        return
    c = u.session.get(Contractor, contractor_id)
    if c is None:
        raise DomainError(f"There is no contractor with id {contractor_id}.", field="contractor")
    if not c.active:
        raise DomainError(f"{c.name} is no longer an active contractor.", field="contractor")


def _check_handler(u: Unit, staff_id: int | None) -> None:
    if staff_id is None:
        return
    s = u.session.get(Staff, staff_id)
    if s is None:
        raise DomainError(f"There is no member of staff with id {staff_id}.", field="handler")
    if not s.active:
        raise DomainError(f"{s.name} is no longer active.", field="handler")


# logging -----------------------------------------------------------------------------------------


def log_hazard(
    db,
    *,
    kind: str,
    aware_on: dt.date,
    resident_id: int | None = None,
    aware_time: dt.time | None = None,
    address: str = "",
    description: str = "",
    priority_reason: str = "",
    service_request_id: int | None = None,
    complaint_id: int | None = None,
    contractor_id: int | None = None,
    handler_id: int | None = None,
) -> Hazard:
    """Record a hazard the landlord has become aware of: on its own, or from a service request or
    complaint (linked to it; its resident by default). The address defaults to the resident's. A
    household with a vulnerable member or a child is given priority (``priority_reason``)."""
    kind = H.check_kind(kind)
    with transaction(db) as u:
        aware_on = L.check_date(aware_on, u.today, what="day the landlord became aware of the hazard")
        if kind == H.EMERGENCY and aware_time is None:
            raise DomainError(
                "An emergency hazard's clock runs in hours: give the time the landlord became aware.",
                field="time",
            )
        linked_resident = None
        if service_request_id is not None:
            sr = u.get(ServiceRequest, service_request_id, "service request")
            linked_resident = sr.resident_id
        if complaint_id is not None:
            c = u.get(Complaint, complaint_id, "complaint")
            if linked_resident is not None and c.resident_id != linked_resident:
                raise DomainError("The complaint and the service request are about different residents.")
            linked_resident = c.resident_id
        if resident_id is None:
            resident_id = linked_resident
        elif linked_resident is not None and resident_id != linked_resident:
            raise DomainError(
                "The hazard's resident is not the resident of the record it comes from.", field="resident"
            )
        if resident_id is None:
            raise DomainError("Choose the resident whose home the hazard is in.", field="resident")
        resident = u.get(Resident, resident_id, "resident")
        _check_contractor(u, contractor_id)
        _check_handler(u, handler_id)
        address = clean(address) or ", ".join(
            p for p in (clean(resident.address), clean(resident.postcode)) if p
        )
        if not address:
            raise DomainError(
                f"Give the address of the home: {resident.name} has no address recorded.", field="address"
            )
        reason = clean(priority_reason)
        if reason:
            reason = L.require_text(reason, "why the household is a priority", "priority")
        h = Hazard(
            reference=_new_reference(u, aware_on),
            kind=kind,
            resident_id=resident_id,
            address=address,
            description=clean(description),
            aware_on=aware_on,
            aware_time=aware_time,
            priority=bool(reason),
            priority_reason=reason,
            service_request_id=service_request_id,
            complaint_id=complaint_id,
            contractor_id=contractor_id,
            handler_id=handler_id,
        )
        u.session.add(h)
        u.session.flush()  # its id, from the database, for the audit entry and the caller
        audit(u, "hazard logged", h)
        return h


def update_details(
    db,
    hazard: "int | str | HazardSeen",
    *,
    description: str | None = None,
    address: str | None = None,
    priority_reason: str | None = None,
    contractor_id: int | None = None,
    clear_contractor: bool = False,
) -> Hazard:
    """Change what was said of the hazard: its description, address, priority, contractor."""
    with transaction(db) as u:
        h = _claim(u, hazard)
        values: dict = {}
        if description is not None:
            values["description"] = clean(description)
        if address is not None:
            values["address"] = L.require_text(address, "the address of the home", "address")
        if priority_reason is not None:
            reason = clean(priority_reason)
            if reason:
                reason = L.require_text(reason, "why the household is a priority", "priority")
            values["priority"], values["priority_reason"] = bool(reason), reason
        if clear_contractor:
            values["contractor_id"] = None
        elif contractor_id is not None:
            _check_contractor(u, contractor_id)
            values["contractor_id"] = contractor_id
        return update_fields(u, h, "hazard details changed", **values)


# steps -------------------------------------------------------------------------------------------


def _open(h: Hazard) -> None:
    if h.closed_on is not None:
        raise DomainError(f"Hazard {h.reference} was closed on {short_date(h.closed_on)}.")


def _need_investigation(h: Hazard, what: str) -> dt.date:
    if h.investigated_on is None:
        raise DomainError(f"Record the investigation of {h.reference} before {what}.")
    return h.investigated_on


def record_investigation(
    db,
    hazard: "int | str | HazardSeen",
    on: dt.date,
    findings: str,
    *,
    significant: bool | None = None,
    time: dt.time | None = None,
    works_planned: str = "",
    works_due_on: dt.date | None = None,
    further_work_needed: bool = False,
) -> Hazard:
    """The investigation concluded on ``on``: what it found, and whether the damp and mould is a
    significant hazard (its safety-work clock then runs). An emergency's time is needed."""
    findings = H.check_findings(findings)
    with transaction(db) as u:
        h = _claim(u, hazard)
        _open(h)
        d = dates_of(h)
        on = H.check_step_on("investigation concluded", on, u.today, d, at=time)
        if h.kind == H.EMERGENCY:
            if time is None:
                raise DomainError("An emergency hazard's clock runs in hours: give the time.", field="time")
            significant = True if significant is None else significant
        elif significant is None:
            raise DomainError(
                "Say whether the investigation found a significant hazard (yes or no).", field="significant"
            )
        if h.summary_sent_on is not None and h.summary_sent_on < on:
            raise DomainError(
                f"The summary was sent on {short_date(h.summary_sent_on)}, before this date.", field="date"
            )
        values: dict[str, Any] = dict(
            investigated_on=on,
            investigated_time=time,
            findings=findings,
            significant=bool(significant),
        )
        values.update(_works(h, on, works_planned, works_due_on, further_work_needed, significant))
        return update_fields(u, h, "hazard investigated", **values)


def _works(
    h: Hazard,
    investigated_on: dt.date,
    works_planned: str,
    works_due_on: dt.date | None,
    further_work_needed: bool,
    significant: bool | None,
) -> dict:
    planned = clean(works_planned)
    if planned:
        planned = L.require_text(planned, "the works planned", "works_planned")
    if works_due_on is not None and works_due_on < investigated_on:
        raise DomainError(
            f"The works cannot be due ({short_date(works_due_on)}) before the investigation "
            f"concluded ({short_date(investigated_on)}).",
            field="works_due_on",
        )
    if works_due_on is not None and not planned:
        raise DomainError("Say what works are planned, as well as by when.", field="works_planned")
    if further_work_needed and significant is False:
        raise DomainError(
            "Further work is for a significant hazard: the investigation found none.", field="further_work"
        )
    return dict(
        works_planned=planned, works_due_on=works_due_on, further_work_needed=bool(further_work_needed)
    )


def record_conclusion(
    db,
    hazard: "int | str | HazardSeen",
    *,
    significant: bool,
    works_planned: str = "",
    works_due_on: dt.date | None = None,
    further_work_needed: bool = False,
) -> Hazard:
    """The investigation's conclusion (a significant hazard or not) and the works planned, by when.
    Not significant: the clocks end once the summary has gone."""
    with transaction(db) as u:
        h = _claim(u, hazard)
        _open(h)
        on = _need_investigation(h, "its conclusion")
        if not significant and (h.safety_work_begun_on or h.further_work_started_on):
            raise DomainError(
                "Work has been recorded as begun on this hazard; it cannot now be found not significant."
            )
        values: dict[str, Any] = dict(significant=bool(significant))
        values.update(_works(h, on, works_planned, works_due_on, further_work_needed, significant))
        return update_fields(u, h, "hazard conclusion recorded", **values)


def record_made_safe(db, hazard: "int | str | HazardSeen", on: dt.date, time: dt.time | None) -> Hazard:
    """An emergency hazard was made safe, on this day at this time."""
    with transaction(db) as u:
        h = _claim(u, hazard)
        _open(h)
        if h.kind != H.EMERGENCY:
            raise DomainError(
                "Only an emergency hazard has a made-safe step; record the safety work instead."
            )
        if time is None:
            raise DomainError("An emergency hazard's clock runs in hours: give the time.", field="time")
        on = H.check_step_on("home was made safe", on, u.today, dates_of(h), at=time)
        return update_fields(u, h, "hazard made safe", made_safe_on=on, made_safe_time=time)


def record_safety_work(db, hazard: "int | str | HazardSeen", on: dt.date) -> Hazard:
    """The relevant safety work was begun on ``on``."""
    with transaction(db) as u:
        h = _claim(u, hazard)
        _open(h)
        inv = _need_investigation(h, "the safety work")
        if h.significant is False:
            raise DomainError(
                f"The investigation found {h.reference} not significant: no safety work is owed."
            )
        on = H.check_step_on(
            "safety work began", on, u.today, dates_of(h), after=inv, after_what="investigation concluded"
        )
        return update_fields(u, h, "hazard safety work begun", safety_work_begun_on=on)


def record_further_work(db, hazard: "int | str | HazardSeen", on: dt.date) -> Hazard:
    """Further work (that could not begin with the safety work) was physically started on ``on``."""
    with transaction(db) as u:
        h = _claim(u, hazard)
        _open(h)
        inv = _need_investigation(h, "further work")
        if h.significant is False:
            raise DomainError(
                f"The investigation found {h.reference} not significant: no further work is owed."
            )
        on = H.check_step_on(
            "further work started", on, u.today, dates_of(h), after=inv, after_what="investigation concluded"
        )
        return update_fields(
            u, h, "hazard further work started", further_work_started_on=on, further_work_needed=True
        )


def record_summary_sent(db, hazard: "int | str | HazardSeen", on: dt.date, route: str) -> Hazard:
    """The written summary of the findings reached the tenant another way (say how) on ``on``."""
    route = L.require_text(route, "how the summary went to the tenant", "route")
    with transaction(db) as u:
        h = _claim(u, hazard)
        return _summary_sent(u, h, on, route, "", "")


def _summary_sent(u: Unit, h: Hazard, on: dt.date, route: str, file: str, sha: str) -> Hazard:
    _open(h)
    inv = _need_investigation(h, "the summary")
    if h.summary_sent_on is not None:
        how = f"by {h.summary_route}" if h.summary_route else "as the app's letter"
        raise DomainError(
            f"The summary of {h.reference} was already sent on {short_date(h.summary_sent_on)}, {how}."
        )
    on = H.check_step_on(
        "summary was sent", on, u.today, dates_of(h), after=inv, after_what="investigation concluded"
    )
    return update_fields(
        u,
        h,
        "hazard summary sent",
        summary_sent_on=on,
        summary_route=route,
        summary_file=file,
        summary_sha256=sha,
    )


def close_hazard(db, hazard: "int | str | HazardSeen", on: dt.date, reason: str) -> Hazard:
    """Close the hazard, saying why (every step done, or why what is open will not be done)."""
    reason = L.require_text(reason, "why the hazard is closed", "reason")
    with transaction(db) as u:
        h = _claim(u, hazard)
        _open(h)
        on = H.check_step_on("hazard was closed", on, u.today, dates_of(h))
        return update_fields(u, h, "hazard closed", closed_on=on, closed_reason=reason)


# reading -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HazardView:
    id: int
    version: int
    reference: str
    kind: str
    resident_id: int | None
    resident: str
    address: str
    description: str
    aware_on: dt.date
    aware_time: dt.time | None
    priority: bool
    priority_reason: str
    findings: str
    significant: bool | None
    works_planned: str
    works_due_on: dt.date | None
    further_work_needed: bool
    summary_sent_on: dt.date | None
    summary_route: str
    summary_file: str
    contractor_id: int | None
    contractor: str
    complaint_ref: str
    service_request_ref: str
    closed_on: dt.date | None
    closed_reason: str
    clocks: tuple[H.Clock, ...]
    next: H.Clock | None
    state: str
    steps: tuple[tuple[str, str], ...]  # (what, when) for each step recorded

    @property
    def seen(self) -> HazardSeen:
        return HazardSeen(self.id, self.version)

    @property
    def kind_words(self) -> str:
        return H.KIND_WORDS.get(self.kind, self.kind)


def _steps(h: Hazard) -> tuple[tuple[str, str], ...]:
    def at(d: dt.date | None, t: dt.time | None = None) -> str:
        if d is None:
            return ""
        return f"{t:%H:%M} on {short_date(d)}" if t else short_date(d)

    out = [("Landlord aware", at(h.aware_on, h.aware_time))]
    if h.investigated_on:
        verdict = {
            True: "significant hazard",
            False: "not a significant hazard",
            None: "conclusion to record",
        }
        out.append(
            (
                "Investigation concluded",
                f"{at(h.investigated_on, h.investigated_time)}: {verdict[h.significant]}",
            )
        )
    if h.made_safe_on:
        out.append(("Made safe", at(h.made_safe_on, h.made_safe_time)))
    if h.summary_sent_on:
        how = f"sent by {h.summary_route}" if h.summary_route else "the app's letter"
        out.append(("Summary to the tenant", f"{at(h.summary_sent_on)} ({how})"))
    if h.safety_work_begun_on:
        out.append(("Safety work begun", at(h.safety_work_begun_on)))
    if h.further_work_started_on:
        out.append(("Further work started", at(h.further_work_started_on)))
    if h.closed_on:
        out.append(("Closed", f"{at(h.closed_on)}: {h.closed_reason}"))
    return tuple(out)


def _view(u: Unit, h: Hazard) -> HazardView:
    resident = u.session.get(Resident, h.resident_id) if h.resident_id else None
    contractor = u.session.get(Contractor, h.contractor_id) if h.contractor_id else None
    c = u.session.get(Complaint, h.complaint_id) if h.complaint_id else None
    sr = u.session.get(ServiceRequest, h.service_request_id) if h.service_request_id else None
    d = dates_of(h)
    clocks = tuple(H.hazard_clocks(d, _closures(u)))
    return HazardView(
        id=ident(h),
        version=h.version,
        reference=h.reference,
        kind=h.kind,
        resident_id=h.resident_id,
        resident=resident.name if resident else "",
        address=h.address,
        description=h.description,
        aware_on=h.aware_on,
        aware_time=h.aware_time,
        priority=bool(h.priority),
        priority_reason=h.priority_reason,
        findings=h.findings,
        significant=h.significant,
        works_planned=h.works_planned,
        works_due_on=h.works_due_on,
        further_work_needed=bool(h.further_work_needed),
        summary_sent_on=h.summary_sent_on,
        summary_route=h.summary_route,
        summary_file=h.summary_file,
        contractor_id=h.contractor_id,
        contractor=contractor.name if contractor else "",
        complaint_ref=c.reference if c else "",
        service_request_ref=sr.reference if sr else "",
        closed_on=h.closed_on,
        closed_reason=h.closed_reason,
        clocks=clocks,
        next=H.next_step(d, clocks),
        state=H.state_words(d, list(clocks)),
        steps=_steps(h),
    )


def hazard_view(db, which: "int | str") -> HazardView:
    """A hazard with its clocks explained and its steps so far."""
    with reading(db) as u:
        return _view(u, u.get(Hazard, _find(u, which), "hazard"))


def list_hazards(db, *, open_only: bool = False) -> list[HazardView]:
    """Every hazard (or every open one): priority first among those due the same day, soonest
    next step first, closed ones last."""
    with reading(db) as u:
        q = select(Hazard)
        if open_only:
            q = q.where(col(Hazard.closed_on).is_(None))
        views = [_view(u, h) for h in u.session.exec(q).all()]
    far = dt.datetime.max

    def key(v: HazardView):
        due = (v.next.due_at or dt.datetime.combine(v.next.due, dt.time(23, 59))) if v.next else far
        return (v.next is None, due.date(), not v.priority, due, v.reference)

    return sorted(views, key=key)


def active_contractors(db) -> list[tuple[int, str]]:
    """The active contractors (id, 'name (trade)'), by name, for a choice of contractor."""
    with reading(db) as u:
        rows = u.session.exec(
            select(Contractor).where(col(Contractor.active).is_(True)).order_by(col(Contractor.name))
        ).all()
        return [(ident(c), f"{c.name} ({c.trade})" if c.trade else c.name) for c in rows]


def residents_named(db, name: str) -> list[Resident]:
    """Residents whose name is exactly ``name``, ignoring case and surrounding spaces."""
    with reading(db) as u:
        return list(
            u.session.exec(
                select(Resident)
                .where(
                    func.lower(Resident.name) == clean(name).lower(), col(Resident.anonymised_on).is_(None)
                )
                .order_by(col(Resident.id))
            ).all()
        )


# the worklist: hazard_reads.hazard_work (read without the ORM), in services/worklist.py SOURCES


# the written summary -----------------------------------------------------------------------------


def _db_path(db) -> Path:
    return Path(db.db.path if isinstance(db, Unit) else db.path)


def summary_content(db, which: "int | str", on: dt.date | None = None):
    """The written summary of the investigation's findings, dated ``on`` (the day it is sent;
    today when not given, or the day already recorded)."""
    from . import letters as SL

    with reading(db) as u:
        h = u.get(Hazard, _find(u, which), "hazard")
        v = _view(u, h)
        resident = u.get(Resident, h.resident_id, "resident") if h.resident_id else None
        st = SL._settings(u)
        today = u.today
    if v.findings == "" or h.investigated_on is None:
        raise DomainError(
            f"Record the investigation of {v.reference} before its summary: it says what was found."
        )
    day = on or v.summary_sent_on or today
    landlord = SL.LandlordBlock(
        clean(st.name),
        SL._lines(st.address),
        clean(st.phone),
        clean(st.email),
        clean(st.website),
        demo=bool(st.demo),
    )
    name = resident.name if resident else "The tenant"
    recipient = SL.Recipient(name, SL._lines(v.address) if v.address else ())
    inv_on = h.investigated_on
    what = "emergency hazard" if v.kind == H.EMERGENCY else "damp and mould"
    found = "We found a significant hazard." if v.significant else "We did not find a significant hazard."
    clocks = {c.key: c for c in v.clocks}
    plan: list[str] = []
    if v.works_planned:
        by = f", to be done by {SL.long_date(v.works_due_on)}" if v.works_due_on else ""
        plan.append(f"• {v.works_planned}{by}.")
    if H.SAFETY_WORK in clocks:
        plan.append(
            f"• Safety work to make your home safe will begin by {SL.long_date(clocks[H.SAFETY_WORK].due)}."
        )
    if H.FURTHER_WORK in clocks:
        plan.append(
            f"• Further work that cannot start sooner will start by {SL.long_date(clocks[H.FURTHER_WORK].due)}."
        )
    if v.kind == H.EMERGENCY and v.steps:
        safe = [w for s, w in v.steps if s == "Made safe"]
        if safe:
            plan.append(f"• Your home was made safe at {safe[0]}.")
    if not plan:
        plan.append("• No further work is needed under the regulations, as no significant hazard was found.")
    handler = st.complaints_officer or ""
    content = SL.LetterContent(
        kind="hazard-summary",
        stage=None,
        title=f"Our investigation of the {what} in your home",
        landlord=landlord,
        recipient=recipient,
        date=day,
        reference=v.reference,
        handler=handler,
        handler_role="" if not handler else "Complaints Officer",
        salutation=SL.salutation(name),
        intro=(
            f"You told us about {what} at {v.address}, and we became aware of it on "
            f"{SL.long_date(v.aware_on)}. This is the written summary of our investigation, which "
            f"concluded on {SL.long_date(inv_on)}."
        ),
        key_facts=[
            ("Reported to us", SL.long_date(v.aware_on)),
            ("Investigation concluded", SL.long_date(inv_on)),
            ("Significant hazard", "Yes" if v.significant else "No"),
            ("Works to be done by", SL.long_date(v.works_due_on) if v.works_due_on else ""),
        ],
        sections=[
            ("What we found", f"{found}\n\n{v.findings}"),
            ("What we will do, and by when", "\n".join(plan)),
            (
                "If things change",
                "If the damp or mould gets worse, or anyone in your home becomes unwell because of it, "
                "please tell us straight away"
                + (f" on {landlord.phone}" if landlord.phone else "")
                + ". We will keep you informed as the work goes on.",
            ),
        ],
        closing="",
        large_print=(resident.preferred_format or "").strip().lower() == SL.LARGE_PRINT
        if resident
        else False,
        made_on=today,
    )
    return content


@dataclass(frozen=True)
class SummaryPreview:
    text: str
    date: dt.date
    problems: list[str]


def preview_summary(db, which: "int | str", on: dt.date | None = None) -> SummaryPreview:
    from ..letters.text import render_text

    content = summary_content(db, which, on)
    problems = []
    if not content.recipient.address_lines:
        problems.append("the address of the home")
    if not content.landlord.name:
        problems.append("the landlord's name (in settings)")
    return SummaryPreview(render_text(content), content.date, problems)


@dataclass(frozen=True)
class IssuedSummary:
    path: Path
    sha256: str
    hazard: Hazard


def issue_summary(db, which: "int | str | HazardSeen", on: dt.date | None = None) -> IssuedSummary:
    """Make the written summary as a PDF, dated the day it is sent (``on``, today by default), save
    it in the letters folder and record it on the hazard with its SHA-256."""
    from . import outputs
    from .letters import render_pdf

    key = which.id if isinstance(which, HazardSeen) else which
    with reading(db) as u:
        day = on or u.today
        h = u.get(Hazard, _find(u, key), "hazard")
        reference = h.reference
        if h.summary_sent_on is not None:
            how = f"by {h.summary_route}" if h.summary_route else "as the app's letter"
            raise DomainError(
                f"The summary of {reference} was already sent on {short_date(h.summary_sent_on)}, {how}."
            )
    content = summary_content(db, key, day)
    problems = preview_summary(db, key, day).problems
    if problems:
        raise DomainError("The summary cannot be issued until it has: " + "; ".join(problems) + ".")
    data = render_pdf(content)
    sha = hashlib.sha256(data).hexdigest()
    folder = paths.make_private_dir(paths.letters_dir(_db_path(db)))
    stem = f"{reference}-hazard-summary-{day.isoformat()}"
    target = folder / f"{stem}.pdf"
    k = 2
    while target.exists():
        target = folder / f"{stem}-{k}.pdf"
        k += 1
    staged = outputs.stage_bytes(target, data, _db_path(db), overwrite=False)
    placed = False
    try:
        with transaction(db) as u:
            h = _claim(u, which)
            h = _summary_sent(u, h, day, "", str(target.resolve()), sha)
            staged.commit()
            placed = True
    except BaseException:
        staged.discard()
        if placed:
            target.unlink(missing_ok=True)
        raise
    return IssuedSummary(target, sha, h)
