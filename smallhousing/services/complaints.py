"""Use cases on complaints and service requests: one function per thing a user does.

Each function is one transaction (or joins the Unit it is given) and writes its audit entries.
Rules are asked of smallhousing.domain; nothing here formats letters or screens.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator, Sequence, TypeVar

from sqlalchemy import func, update
from sqlalchemy.orm.attributes import set_attribute
from sqlmodel import col, select

from ..domain import compensation as K
from ..domain import letter_rules as LR
from ..domain import lifecycle as L
from ..domain import service_request_rules as SR
from ..domain import steps as D
from ..domain.calendar import Deadline, short_date
from ..domain.errors import DomainError
from ..domain.rules import (
    ExtensionDates,
    StageDates,
    StageDeadlines,
    rule_set,
    rule_set_for,
    stage_deadlines,
)
from ..store.models import (
    Complaint,
    Contractor,
    Correspondence,
    Extension,
    HandlerAssignment,
    OutstandingAction,
    Remedy,
    Representative,
    Resident,
    ServiceRequest,
    Staff,
    Stage,
)
from . import compensation as CS
from .base import (
    NotFound,
    Unit,
    audit,
    changes_since,
    clean,
    ident,
    reading,
    snapshot,
    transaction,
    update_fields,
)
from .service_requests import target_of
from .step_letters import owe, owed_in

CATEGORIES = (
    "repairs",
    "damp and mould",
    "anti-social behaviour",
    "staff conduct",
    "communication",
    "rent and service charges",
    "estate services",
    "allocations and lettings",
    "adaptations",
    "other",
)

# Code 7.1: the ways of putting things right
REMEDY_KINDS = D.REMEDY_KINDS


@dataclass
class RemedyInput:
    kind: str
    description: str
    amount_pence: int = 0
    due_on: dt.date | None = None
    agreed: bool = False
    # from the Ombudsman's compensation guidance (domain/compensation): a kind of loss; for one
    # with a set sum, how many days, weeks or appointments and the sum for one the form showed
    # (the amount is then worked out here: quantity * rate); for one without, the amount typed
    guidance_kind: str = ""
    quantity: int = 0
    rate_pence: int = 0


@dataclass
class ActionInput:
    description: str
    owner: str = ""
    due_on: dt.date | None = None


# helpers -----------------------------------------------------------------------------------------


def search_text_for(c: Complaint, resident: Resident | None) -> str:
    return D.search_text(c.reference, resident.name if resident else "", c.description, c.categories)


def _complaint(u: Unit, ident: "int | str") -> Complaint:
    if isinstance(ident, str) and not ident.isdigit():
        c = u.session.exec(select(Complaint).where(Complaint.reference == ident.strip())).first()
        if c is None:
            raise NotFound(f"There is no complaint with reference {ident.strip()}.")
        return c
    return u.get(Complaint, int(ident), "complaint")


_Item = TypeVar("_Item", Remedy, OutstandingAction, Extension)

STALE = "Someone else changed this complaint while you were working on it; reload it and try again."


class StaleComplaint(DomainError):
    """A save made from an older reading of a complaint than the one on record."""


@dataclass(frozen=True)
class AsSeen:
    """A complaint as a form read it: its id and its version then (``ComplaintView.as_seen``).
    Given to a step instead of the id, the step is refused (StaleComplaint) if anyone has saved
    the complaint since."""

    id: int
    version: int


def _claim(u: Unit, ident: "int | str | AsSeen", version: int | None = None) -> Complaint:
    """The complaint a step changes, held by this transaction until it ends.

    Its version is counted up first, with one UPDATE of its row (which on PostgreSQL waits for
    anyone else saving it, then holds the row), so that what is read next is what was last
    saved; given the version a form read (``AsSeen``, or ``version``), the UPDATE finds the row
    only if no one has saved it since, and otherwise the step is refused in plain words. Once per
    complaint in a transaction: a step that calls another counts one save."""
    if isinstance(ident, AsSeen):
        version = ident.version
        ident = ident.id
    if isinstance(ident, str) and not ident.isdigit():
        cid = u.session.exec(select(Complaint.id).where(Complaint.reference == ident.strip())).first()
        if cid is None:
            raise NotFound(f"There is no complaint with reference {ident.strip()}.")
    else:
        cid = int(ident)
    claimed = u.claimed.get(cid)
    if claimed is None:
        # "fetch": the row's new version is read back (RETURNING) and set on the one object loaded
        # for it, if any; the default would look through every complaint the session holds, which a
        # long unit of work (the demo data) holds thousands of
        stmt = (
            update(Complaint)
            .where(col(Complaint.id) == cid)
            .values(version=col(Complaint.version) + 1)
            .execution_options(synchronize_session="fetch")
        )
        if version is not None:
            stmt = stmt.where(col(Complaint.version) == version)
        if u.session.exec(stmt).rowcount != 1:
            if u.session.get(Complaint, cid) is None:
                raise NotFound(f"There is no complaint with id {cid}.")
            raise StaleComplaint(STALE)
        u.claimed[cid] = version if version is not None else -1
    elif version is not None and claimed not in (-1, version):
        raise StaleComplaint(STALE)
    return u.get(Complaint, cid, "complaint")


def _stages(u: Unit, c: Complaint) -> dict[int, Stage]:
    """A complaint's stages by number (``Complaint.stages``: loaded once in a session)."""
    return {s.number: s for s in c.stages}


def _stage(u: Unit, c: Complaint, number: int | None = None) -> Stage | None:
    return _stages(u, c).get(number or c.stage)


def _extensions(u: Unit, stage: Stage) -> list[Extension]:
    """A stage's extensions, oldest first (``Stage.extensions``: loaded once in a session)."""
    return stage.extensions


def extension_dates(e: Extension) -> ExtensionDates:
    """An extension as the Code looks at it: agreed when, told or not, with what good reason."""
    return ExtensionDates(e.new_due_on, e.extended_on, bool(e.resident_told), e.good_reason or "")


def stage_dates(stage: Stage, extensions: list[Extension]) -> StageDates:
    return StageDates(
        stage.number,
        stage.requested_on,
        stage.acknowledged_on,
        stage.responded_on,
        tuple(e.new_due_on for e in extensions),
        tuple(extension_dates(e) for e in extensions),
    )


def _staff_name(u: Unit, staff_id: int | None) -> str:
    if staff_id is None:
        return ""
    s = u.session.get(Staff, staff_id)
    return s.name if s else ""


def _check_staff(u: Unit, staff_id: int | None) -> None:
    if staff_id is not None:
        s = u.session.get(Staff, staff_id)
        if s is None:
            raise DomainError(f"There is no member of staff with id {staff_id}.", field="handler")
        if not s.active:
            raise DomainError(f"{s.name} is no longer active; choose someone else.", field="handler")
        if is_team_viewer(s):
            raise DomainError(
                f"{s.name} is a viewer on the team: a viewer reads only, so cannot handle a complaint; "
                "choose someone else.",
                field="handler",
            )


def is_team_viewer(s: Staff) -> bool:
    """A person added to a team's database as a viewer (``team add --role viewer``): reads only."""
    return bool(s.login) and s.role.strip().lower() == "viewer"


def _check_decider(u: Unit, staff_id: int | None, what: str) -> int:
    """The member of staff who decided a refusal: required, on record and active."""
    if staff_id is None or staff_id == "":
        raise DomainError(f"Choose who decided {what}.", field="decided_by")
    try:
        staff_id = int(staff_id)
    except (TypeError, ValueError):
        raise DomainError(f"There is no member of staff with id {staff_id}.", field="decided_by") from None
    s = u.session.get(Staff, staff_id)
    if s is None:
        raise DomainError(f"There is no member of staff with id {staff_id}.", field="decided_by")
    if not s.active:
        raise DomainError(f"{s.name} is no longer active; choose someone else.", field="decided_by")
    return staff_id


def _assignments(u: Unit, c: Complaint, stage: int | None = None) -> list[HandlerAssignment]:
    q = select(HandlerAssignment).where(HandlerAssignment.complaint_id == c.id)
    if stage is not None:
        q = q.where(HandlerAssignment.stage == stage)
    return list(u.session.exec(q.order_by(col(HandlerAssignment.id))).all())


def _stage1_handlers(u: Unit, c: Complaint) -> set[int]:
    """Everyone who has handled stage 1 at any time (6.13 is judged by person)."""
    ids = {a.staff_id for a in _assignments(u, c, 1)}
    s1 = _stage(u, c, 1)
    if s1 is not None and s1.handler_id is not None:
        ids.add(s1.handler_id)
    return ids


def _check_stage2(u: Unit, c: Complaint, handler: int | None) -> None:
    L.check_stage2_handler(_stage1_handlers(u, c), handler, _staff_name(u, handler))


def _assign(u: Unit, c: Complaint, stage: int, staff_id: int | None, on: dt.date, reason: str = "") -> None:
    """Record in the handler history that ``staff_id`` handles ``stage`` from ``on``; the open
    entry of someone else ends that day. Nothing is written when they already hold it."""
    if staff_id is None:
        return
    current = [a for a in _assignments(u, c, stage) if a.ended_on is None]
    if any(a.staff_id == staff_id for a in current):
        return
    for a in current:
        before = snapshot(a)
        _set(a, ended_on=on)
        _save(u, a)
        b, after = changes_since(before, a)
        audit(u, f"stage {stage} handler assignment ended", a, before=b, after=after, complaint_id=c.id)
    row = HandlerAssignment(
        complaint_id=ident(c), stage=stage, staff_id=staff_id, assigned_on=on, reason=reason
    )
    u.session.add(row)
    audit(u, f"stage {stage} handler assigned", row, complaint_id=c.id)


def _parse_categories(categories) -> str:
    return D.parse_categories(categories)


def next_deadline(u: Unit, c: Complaint) -> tuple[str, Deadline | None, dt.date | None]:
    """What has to happen next on a complaint, and by when."""
    if c.state not in (L.RECEIVED, L.S1_ACKNOWLEDGED, L.S2_REQUESTED, L.S2_ACKNOWLEDGED):
        return D.next_step(None, None, c.state, None)
    st = _stage(u, c)
    if st is None:
        return "", None, None
    return D.next_step(u.cal, rule_set(c.rule_set), c.state, stage_dates(st, _extensions(u, st)))


def _save(u: Unit, row) -> None:
    """``u.session.add(row)``, left out when the session holds the row already (new, or loaded and not
    marked for deletion), where adding it again changes nothing but walks all its attributes."""
    s = u.session
    if row not in s or row in s.deleted:
        s.add(row)


def _set(row, **values) -> None:
    """``row.field = value`` for each, in order, as SQLModel's ``__setattr__`` does it for a table
    row's field (SQLAlchemy's instrumented set, which also puts the value in the row's __dict__,
    then pydantic counts the field as set) without its checks for each value."""
    fields = row.__class__.model_fields
    for k, v in values.items():
        if k in fields:
            set_attribute(row, k, v)
            row.__pydantic_fields_set__.add(k)
        else:
            setattr(row, k, v)


def _refresh(u: Unit, c: Complaint) -> None:
    step, _, due = next_deadline(u, c)
    st = _stage(u, c)
    handler = st.handler_id if st else None
    # each set only when it changes the value: setting a field to the value it has changes nothing
    # that is written or audited, and costs as much as a change
    changes: dict[str, object] = {}
    if c.next_step != step:
        changes["next_step"] = step
    if c.next_due_on != due:
        changes["next_due_on"] = due
    if c.handler_id != handler:
        changes["handler_id"] = handler
    if changes:
        _set(c, **changes)
    _save(u, c)


def refresh_open_deadlines(u: Unit) -> int:
    """Recompute the next deadline of every open complaint (after closure days change)."""
    n = 0
    for c in u.session.exec(select(Complaint).where(Complaint.next_due_on != None)).all():  # noqa: E711
        _refresh(u, c)
        n += 1
    return n


def _set_state(u: Unit, c: Complaint, action: str, note: str, **values) -> Complaint:
    stages_answered = 0
    if c.state == L.CLOSED:
        stages_answered = len([s for s in _stages(u, c).values() if s.responded_on])
    new_state = L.next_state(c.state, action, stages_answered=stages_answered)
    before = snapshot(c)
    _set(c, state=new_state, **values)
    _refresh(u, c)
    b, a = changes_since(before, c, skip="search_text")
    audit(u, note, c, before=b, after=a, complaint_id=c.id)
    return c


def _last_step_date(u: Unit, c: Complaint) -> tuple[dt.date, str]:
    """The date of the latest thing that happened, so a new step cannot come before it."""
    return D.last_step(
        c.received_on,
        ((st.number, st.requested_on, st.acknowledged_on, st.responded_on) for st in _stages(u, c).values()),
        c.refused_on,
        c.escalation_refused_on,
        c.closed_on,
    )


def _step_date(u: Unit, c: Complaint, on: dt.date | None, what: str) -> dt.date:
    return D.check_step_date(on, u.today, what, _last_step_date(u, c))


# pg_advisory_xact_lock's first key for a year's references (the second is the year)
REFERENCE_LOCK = 0x5352


def _lock_references(u: Unit, year: int) -> None:
    """Several people logging complaints at once (PostgreSQL): one transaction at a time picks
    the next reference of a year, holding the lock until it commits, so that the next one reads
    the number it took. SQLite's write lock already lets one writer in at a time."""
    if u.db.dialect == "sqlite" or year in u.references_locked:
        return
    u.session.connection().exec_driver_sql("SELECT pg_advisory_xact_lock(%s, %s)", (REFERENCE_LOCK, year))
    u.references_locked.add(year)
    u.next_reference.pop(f"{year}-", None)  # learnt before the lock: read it again


def _new_reference(u: Unit, received_on: dt.date) -> str:
    prefix = f"{received_on.year}-"
    _lock_references(u, received_on.year)
    n = u.next_reference.get(prefix)
    if n is not None:
        u.next_reference[prefix] = n + 1
        ref = f"{prefix}{n:04d}"
        if not u.session.exec(select(Complaint.id).where(Complaint.reference == ref)).first():
            return ref
    rows = u.session.exec(
        select(Complaint.reference)
        .where(col(Complaint.reference).like(prefix + "%"))
        .order_by(func.length(Complaint.reference).desc(), col(Complaint.reference).desc())
        .limit(1)
    ).first()
    n = 0
    if rows:
        tail = rows[len(prefix) :]
        n = int(tail) if tail.isdigit() else 0
    ref = f"{prefix}{n + 1:04d}"
    while u.session.exec(select(Complaint.id).where(Complaint.reference == ref)).first():
        n += 1
        ref = f"{prefix}{n + 1:04d}"
    u.next_reference[prefix] = n + 2
    return ref


@contextmanager
def references_known(u: Unit, references: set[str]) -> Iterator[set[str]]:
    """Within the block, log_complaint checks a given reference against ``references`` instead of
    asking the database each time, and adds the reference of each complaint it logs.

    For a caller that logs many complaints in one Unit (the CSV import) and has already loaded every
    reference on record: ``references`` must hold them all, including those of complaints made
    earlier in the Unit. Nothing else may add or change references inside the block.
    """
    u.known_references = references
    try:
        yield references
    finally:
        u.known_references = None


def _reference_taken(u: Unit, reference: str) -> bool:
    known = u.known_references
    if known is not None:
        return reference in known
    return u.session.exec(select(Complaint.id).where(Complaint.reference == reference)).first() is not None


# logging -----------------------------------------------------------------------------------------


def log_complaint(
    db,
    resident_id: int,
    received_on: dt.date,
    description: str,
    *,
    channel: str = "",
    outcome_sought: str = "",
    categories=(),
    vulnerable: bool = False,
    representative_id: int | None = None,
    service_request_id: int | None = None,
    related_to_id: int | None = None,
    reference: str | None = None,
    rule_set_code: str | None = None,
    handler_id: int | None = None,
    issue_arose_on: dt.date | None = None,
    aware_on: dt.date | None = None,
    contractor_id: int | None = None,
) -> Complaint:
    """Record a complaint as received, from any channel (Code 1.2, 1.3), with when the issue arose
    and when the resident became aware of it where known (2.2, 2.3), and the contractor it is
    about where known (5.4, 5.5)."""
    description = L.require_text(description, "the complaint in the resident's words", "description")
    with transaction(db) as u:
        resident = u.get(Resident, resident_id, "resident")
        received_on = L.check_date(received_on, u.today, what="complaint's receipt")
        L.check_section2_dates(issue_arose_on, aware_on, received_on)
        if representative_id is not None:
            rep = u.get(Representative, representative_id, "representative")
            if rep.resident_id != resident_id:
                raise DomainError(
                    f"{rep.name} is not a representative of {resident.name}.", field="representative"
                )
        _check_staff(u, handler_id)
        if contractor_id is not None:
            firm = u.get(Contractor, contractor_id, "contractor")
            if not firm.active:
                raise DomainError(
                    f"{firm.name} is no longer an active contractor: make them active again first.",
                    field="contractor",
                )
        if reference:
            reference = clean(reference)
            if _reference_taken(u, reference):
                raise DomainError(
                    f"A complaint with reference {reference} already exists.", field="reference"
                )
        else:
            reference = _new_reference(u, received_on)
        rules = rule_set(rule_set_code) if rule_set_code else rule_set_for(received_on)
        c = Complaint(
            reference=reference,
            resident_id=resident_id,
            representative_id=representative_id,
            service_request_id=service_request_id,
            related_to_id=related_to_id,
            channel=clean(channel),
            received_on=received_on,
            description=description,
            outcome_sought=clean(outcome_sought),
            categories=_parse_categories(categories),
            vulnerable=bool(vulnerable or resident.disabilities or resident.vulnerabilities),
            rule_set=rules.code,
            state=L.RECEIVED,
            stage=1,
            issue_arose_on=issue_arose_on,
            aware_on=aware_on,
            contractor_id=contractor_id,
        )
        c.search_text = search_text_for(c, resident)
        if u.known_references is not None:
            u.known_references.add(reference)
        # no complaint_id yet (the complaint has no id before the flush): the relationship sets it
        st = Stage(number=1, requested_on=received_on, handler_id=handler_id)  # type: ignore[call-arg]
        c.stages.append(st)  # a new complaint's stages (and the stage's extensions) are known:
        st.extensions = []  # set, so that they are never looked for in the database
        u.session.add(c)
        u.session.flush()  # their ids, from the database: the audit entries and the handler need them
        _refresh(u, c)
        audit(u, "complaint logged", c, complaint_id=c.id)
        audit(u, "stage 1 opened", st, complaint_id=c.id)
        _assign(u, c, 1, handler_id, received_on)
        return c


def log_service_request(
    db, resident_id: int, received_on: dt.date, description: str, *, channel: str = "", category: str = ""
) -> ServiceRequest:
    """A request to put something right: recorded and monitored, not a complaint (1.4)."""
    description = L.require_text(description, "the request", "description")
    with transaction(db) as u:
        u.get(Resident, resident_id, "resident")
        received_on = L.check_date(received_on, u.today, what="request's receipt")
        prefix = f"SR-{received_on.year}-"
        last = u.session.exec(
            select(ServiceRequest.reference)
            .where(col(ServiceRequest.reference).like(prefix + "%"))
            .order_by(func.length(ServiceRequest.reference).desc(), col(ServiceRequest.reference).desc())
            .limit(1)
        ).first()
        n = int(last[len(prefix) :]) if last and last[len(prefix) :].isdigit() else 0
        sr = ServiceRequest(
            reference=f"{prefix}{n + 1:04d}",
            resident_id=resident_id,
            received_on=received_on,
            channel=clean(channel),
            category=SR.normalise_category(category),
            description=description,
        )
        # its target date, by its category (Code 1.4: service requests are monitored)
        sr.target_on = target_of(u, received_on, sr.category).due
        u.session.add(sr)
        u.session.flush()  # its id, from the database, for the caller (and the next reference's query)
        audit(u, "service request logged", sr)
        return sr


def complete_service_request(
    db, request_id: int, response: str, completed_on: dt.date | None = None
) -> ServiceRequest:
    response = L.require_text(response, "what was done", "response")
    with transaction(db) as u:
        sr = u.get(ServiceRequest, request_id, "service request")
        if sr.status == "completed":
            raise DomainError(f"Service request {sr.reference} is already completed.")
        on = L.check_date(
            completed_on or u.today,
            u.today,
            what="completion",
            not_before=sr.received_on,
            not_before_what="request's receipt",
        )
        return update_fields(
            u, sr, "service request completed", status="completed", response=response, completed_on=on
        )


def raise_from_service_request(
    db, request_id: int, received_on: dt.date, description: str, **kw
) -> Complaint:
    """The resident is unhappy with the response to a request: log a complaint (1.5).

    The service request stays as it is: work on it carries on.
    """
    with transaction(db) as u:
        sr = u.get(ServiceRequest, request_id, "service request")
        if received_on is not None and received_on < sr.received_on:
            raise DomainError(
                "The complaint cannot be received before the service request it is about.",
                field="received_on",
            )
        kw.setdefault("categories", [SR.complaint_category(sr.category)] if sr.category else [])
        return log_complaint(u, sr.resident_id, received_on, description, service_request_id=sr.id, **kw)


# acceptance --------------------------------------------------------------------------------------


def accept(db, complaint: "int | str | AsSeen") -> Complaint:
    with transaction(db) as u:
        c = _claim(u, complaint)
        if c.state != L.RECEIVED or c.acceptance != "pending":
            raise DomainError(f"Complaint {c.reference} has already been {c.acceptance or 'decided'}.")
        return update_fields(u, c, "complaint accepted", complaint_id=c.id, acceptance="accepted")


def refuse(
    db,
    complaint: "int | str | AsSeen",
    ground: str,
    reason: str,
    on: dt.date | None = None,
    *,
    decided_by: int | None = None,
    issue_arose_on: dt.date | None = None,
    aware_on: dt.date | None = None,
    discretion_note: str = "",
) -> Complaint:
    """Refuse to accept the complaint on a ground in section 2, with the reasons written down.

    Allowed before acknowledgement and while stage 1 is open (a claim filed at court mid-case);
    ``decided_by`` (required) is the active member of staff who decided. ``issue_arose_on`` and
    ``aware_on``, when given, replace the dates recorded at logging; the 12-month ground is judged
    from the dates and needs ``discretion_note`` (2.3)."""
    with transaction(db) as u:
        c = _claim(u, complaint)
        L.next_state(c.state, "refuse")
        decider = _check_decider(u, decided_by, "to refuse the complaint")
        arose = issue_arose_on if issue_arose_on is not None else c.issue_arose_on
        aware = aware_on if aware_on is not None else c.aware_on
        L.check_section2_dates(arose, aware, c.received_on)
        ground, reason = L.check_exclusion(
            ground,
            reason,
            received_on=c.received_on,
            issue_arose_on=arose,
            aware_on=aware,
            discretion_note=discretion_note,
        )
        day = _step_date(u, c, on, "refusal")
        owe(u, c, LR.REFUSAL, c.stage, day)
        return _set_state(
            u,
            c,
            "refuse",
            "complaint refused",
            acceptance="refused",
            exclusion_ground=ground,
            exclusion_reason=reason,
            refused_on=day,
            refused_by_id=decider,
            issue_arose_on=arose,
            aware_on=aware,
            discretion_note=clean(discretion_note),
        )


# stages ------------------------------------------------------------------------------------------


def acknowledge(
    db,
    complaint: "int | str | AsSeen",
    definition: str,
    *,
    responsible_for: str = "",
    not_responsible_for: str = "",
    handler_id: int | None = None,
    on: dt.date | None = None,
) -> Complaint:
    """Acknowledge, define and log the complaint at its current stage (5.6, 5.7, 6.2, 6.11)."""
    definition = L.require_text(definition, "the complaint definition", "definition")
    with transaction(db) as u:
        c = _claim(u, complaint)
        L.next_state(c.state, "acknowledge")
        st = _stage(u, c)
        assert st is not None
        handler = handler_id if handler_id is not None else st.handler_id
        if handler is None:
            raise DomainError("Choose who will handle this stage.", field="handler")
        _check_staff(u, handler)
        if st.number == 2:
            _check_stage2(u, c, handler)
        day = _step_date(u, c, on, f"stage {st.number} acknowledgement")
        # the history has its first entry when the handler is first set; one chosen at
        # acknowledgement in place of the one set at logging takes over from that day
        _assign(
            u,
            c,
            st.number,
            handler,
            day,
            "" if st.handler_id in (None, handler) else "changed at acknowledgement",
        )
        before = snapshot(st)
        _set(
            st,
            acknowledged_on=day,
            definition=definition,
            responsible_for=clean(responsible_for),
            not_responsible_for=clean(not_responsible_for),
            handler_id=handler,
        )
        _save(u, st)
        b, a = changes_since(before, st, skip="search_text")
        audit(u, f"stage {st.number} acknowledged", st, before=b, after=a, complaint_id=c.id)
        owe(u, c, LR.ACKNOWLEDGEMENT, st.number, day)
        extra = {"acceptance": "accepted"} if c.acceptance == "pending" else {}
        return _set_state(u, c, "acknowledge", f"stage {st.number} acknowledged", **extra)


def extend(
    db,
    complaint: "int | str | AsSeen",
    new_due_on: dt.date,
    reason: str,
    *,
    good_reason: str = "",
    resident_told: bool = False,
    on: dt.date | None = None,
    told_on: dt.date | None = None,
    told_how: str = "",
    update_plan: str = "",
) -> Extension:
    """Extend the response deadline (6.4, 6.15); past the cap only with a good reason.

    ``on`` is the day the extension was agreed. ``told_on``/``told_how`` record that the resident
    was told (``resident_told`` alone means told on the day it was agreed); ``update_plan`` says how
    and how often the resident will be kept up to date meanwhile (5.9).
    """
    with transaction(db) as u:
        c = _claim(u, complaint)
        L.next_state(c.state, "extend")
        st = _stage(u, c)
        assert st is not None
        exts = _extensions(u, st)
        rules = rule_set(c.rule_set)
        chk = L.check_extension(u.cal, rules, stage_dates(st, exts), new_due_on, reason, good_reason)
        day = _step_date(u, c, on, "extension")
        if told_on is not None or clean(told_how):
            told_day = L.check_date(
                told_on or day,
                u.today,
                what="day the resident was told",
                not_before=day,
                not_before_what="extension",
            )
        elif resident_told:
            told_day = day
        else:
            told_day = None
        e = Extension(
            stage_id=ident(st),
            extended_on=day,
            new_due_on=chk.new_due,
            reason=clean(reason),
            good_reason=clean(good_reason),
            resident_told=told_day is not None,
            beyond_cap=chk.beyond_cap,
            told_on=told_day,
            told_how=clean(told_how),
            update_plan=clean(update_plan),
        )
        exts.append(e)  # st.extensions: the session adds it with the stage
        u.session.flush()  # its id, from the database, for the caller
        audit(u, f"stage {st.number} extended to {chk.new_due.isoformat()}", e, complaint_id=c.id)
        owe(u, c, LR.EXTENSION, st.number, day, e.id)
        _refresh(u, c)
        return e


def record_extension_told(
    db, extension_id: int, on: dt.date | None = None, how: str = "", *, seen: AsSeen | None = None
) -> Extension:
    """Record that the resident was told of an extension, when and how (6.4, 6.15)."""
    how = L.require_text(how, "how the resident was told", "told_how")
    with transaction(db) as u:
        e = u.get(Extension, extension_id, "extension")
        st = u.get(Stage, e.stage_id, "stage")
        e = _claim_for(u, e, st.complaint_id, seen)
        day = L.check_date(
            on or u.today,
            u.today,
            what="day the resident was told",
            not_before=e.extended_on,
            not_before_what="extension",
        )
        e = update_fields(
            u,
            e,
            f"resident told of the stage {st.number} extension",
            complaint_id=st.complaint_id,
            resident_told=True,
            told_on=day,
            told_how=how,
        )
        _refresh(u, u.get(Complaint, st.complaint_id, "complaint"))  # the extension may count now
        return e


def respond(
    db,
    complaint: "int | str | AsSeen",
    decision: str,
    reasons: str,
    *,
    remedies: Sequence[RemedyInput] = (),
    actions: Sequence[ActionInput] = (),
    remedy_statement: str = "",
    actions_statement: str = "",
    on: dt.date | None = None,
) -> Complaint:
    """Send the stage's response: decision, reasons, remedies and outstanding actions (6.9, 6.19)."""
    decision, reasons = L.check_decision(decision, reasons)
    with transaction(db) as u:
        c = _claim(u, complaint)
        L.next_state(c.state, "respond")
        st = _stage(u, c)
        assert st is not None
        D.check_response_remedies(bool(remedies), remedy_statement)
        day = _step_date(u, c, on, f"stage {st.number} response")
        # the response must say what is still to be done (6.9 f, 6.19 f): with nothing listed,
        # the record says so in plain words
        actions_statement = D.actions_statement_for(bool(actions), actions_statement)
        for r in remedies:
            _add_remedy(u, c, st.number, r, day)
        for action in actions:
            _add_action(u, c, st.number, action)
        before = snapshot(st)
        _set(
            st,
            responded_on=day,
            decision=decision,
            reasons=reasons,
            remedy_statement=clean(remedy_statement),
            actions_statement=clean(actions_statement),
        )
        _save(u, st)
        b, a = changes_since(before, st, skip="search_text")
        audit(u, f"stage {st.number} response", st, before=b, after=a, complaint_id=c.id)
        owe(u, c, LR.RESPONSE, st.number, day)
        return _set_state(u, c, "respond", f"stage {st.number} responded: {decision}")


def request_stage2(
    db,
    complaint: "int | str | AsSeen",
    *,
    on: dt.date | None = None,
    handler_id: int | None = None,
    resident_reason: str = "",
) -> Complaint:
    """The resident asks to escalate: no reason is needed (6.12)."""
    with transaction(db) as u:
        c = _claim(u, complaint)
        has2 = _stage(u, c, 2) is not None
        s1 = _stage(u, c, 1)
        L.next_state(
            c.state,
            "request_stage2",
            stages_answered=D.stages_answered_for_escalation(
                c.state, has2, s1 is not None and bool(s1.responded_on)
            ),
        )
        D.check_escalation_request(has2, c.escalation_refused_on)
        day = _step_date(u, c, on, "stage 2 request")
        if handler_id is not None:
            _check_staff(u, handler_id)
            _check_stage2(u, c, handler_id)
        st = Stage(complaint_id=ident(c), number=2, requested_on=day, handler_id=handler_id, definition="")
        c.stages.append(st)  # the session adds it with the complaint
        st.extensions = []
        audit(u, "stage 2 requested", st, complaint_id=c.id)
        _assign(u, c, 2, handler_id, day)
        if clean(resident_reason):
            add_correspondence(u, ident(c), day, "in", "", f"Escalation request: {clean(resident_reason)}")
        return _set_state(u, c, "request_stage2", "escalated to stage 2", stage=2, closed_on=None)


def refuse_escalation(
    db,
    complaint: "int | str | AsSeen",
    ground: str,
    reason: str,
    on: dt.date | None = None,
    *,
    decided_by: int | None = None,
    discretion_note: str = "",
) -> Complaint:
    """Refuse to escalate, on a section 2 ground with reasons (5.11); ``decided_by`` (required) is
    the active member of staff who decided. The 12-month ground is judged from the complaint's
    recorded dates, as for a refusal."""
    with transaction(db) as u:
        c = _claim(u, complaint)
        L.next_state(c.state, "refuse_escalation")
        decider = _check_decider(u, decided_by, "to refuse escalation")
        ground, reason = L.check_exclusion(
            ground,
            reason,
            received_on=c.received_on,
            issue_arose_on=c.issue_arose_on,
            aware_on=c.aware_on,
            discretion_note=discretion_note,
        )
        day = _step_date(u, c, on, "refusal to escalate")
        extra = {"discretion_note": clean(discretion_note)} if clean(discretion_note) else {}
        owe(u, c, LR.ESCALATION_REFUSAL, c.stage, day)
        return _set_state(
            u,
            c,
            "refuse_escalation",
            "escalation refused",
            escalation_refused_on=day,
            escalation_refusal_ground=ground,
            escalation_refusal_reason=reason,
            escalation_refused_by_id=decider,
            **extra,
        )


def reassign_handler(
    db, complaint: "int | str | AsSeen", staff_id: int, reason: str, on: dt.date | None = None
) -> Complaint:
    """Hand the current stage to another member of staff, with the reason (audited). The handler
    history keeps who held it before; at stage 2 no one who handled stage 1 may take it (6.13)."""
    reason = L.require_text(reason, "the reason for the change", "reason")
    with transaction(db) as u:
        c = _claim(u, complaint)
        if c.state in L.FINISHED_STATES:
            raise DomainError(f"Complaint {c.reference} is {c.state}; its handler can no longer change.")
        st = _stage(u, c)
        assert st is not None
        if staff_id is None:
            raise DomainError("Choose who will handle this stage.", field="handler")
        _check_staff(u, staff_id)
        if st.handler_id == staff_id:
            raise DomainError(
                f"{_staff_name(u, staff_id)} already handles stage {st.number}.", field="handler"
            )
        if st.number == 2:
            _check_stage2(u, c, staff_id)
        day = _step_date(u, c, on, "change of handler")
        if st.handler_id is not None and not any(a.ended_on is None for a in _assignments(u, c, st.number)):
            # a handler set before the history was kept: it gets its entry first, so it is not lost
            _assign(u, c, st.number, st.handler_id, st.acknowledged_on or st.requested_on)
        _assign(u, c, st.number, staff_id, day, reason)
        before = snapshot(st)
        _set(st, handler_id=staff_id)
        _save(u, st)
        b, a = changes_since(before, st, skip="search_text")
        audit(u, f"stage {st.number} handler changed: {reason}", st, before=b, after=a, complaint_id=c.id)
        _refresh(u, c)
        return c


def close(db, complaint: "int | str | AsSeen", on: dt.date | None = None) -> Complaint:
    with transaction(db) as u:
        c = _claim(u, complaint)
        day = _step_date(u, c, on, "closure")
        return _set_state(u, c, "close", "complaint closed", closed_on=day)


def withdraw(db, complaint: "int | str | AsSeen", reason: str = "", on: dt.date | None = None) -> Complaint:
    with transaction(db) as u:
        c = _claim(u, complaint)
        day = _step_date(u, c, on, "withdrawal")
        return _set_state(
            u, c, "withdraw", "complaint withdrawn", withdrawn_on=day, withdrawn_reason=clean(reason)
        )


def fold_additional_complaint(
    db,
    complaint: "int | str | AsSeen",
    text: str,
    received_on: dt.date | None = None,
    *,
    log_as_new: bool = False,
) -> Complaint:
    """An additional complaint raised during stage 1 (6.8).

    Folded into the stage 1 definition while the stage 1 response has not gone; otherwise (or when
    ``log_as_new``) logged as a new complaint linked to this one. Returns the complaint that holds it.
    """
    text = L.require_text(text, "the additional complaint", "text")
    with transaction(db) as u:
        c = _claim(u, complaint)
        day = L.check_date(
            received_on or u.today,
            u.today,
            what="additional complaint",
            not_before=c.received_on,
            not_before_what="original complaint",
        )
        if log_as_new:
            return log_complaint(
                u,
                c.resident_id,
                day,
                text,
                channel=c.channel,
                representative_id=c.representative_id,
                related_to_id=c.id,
                categories=c.categories,
            )
        try:
            L.next_state(c.state, "fold")
        except DomainError:
            raise DomainError(
                f"Complaint {c.reference} is past stage 1, so the additional complaint "
                "must be logged as a new complaint."
            ) from None
        st = _stage(u, c, 1)
        assert st is not None  # every complaint has its stage 1
        addition = f"Additional point raised {short_date(day)}: {text}"
        before = snapshot(st)
        st.definition = (st.definition + "\n" if st.definition else "") + addition
        _save(u, st)
        b, a = changes_since(before, st, skip="search_text")
        audit(u, "additional complaint added to stage 1", st, before=b, after=a, complaint_id=c.id)
        add_correspondence(u, ident(c), day, "in", "", addition)
        return c


# remedies, actions, correspondence ---------------------------------------------------------------


def _guidance(u: Unit, r: RemedyInput) -> tuple[str, int, int, int]:
    """A remedy's guidance kind, quantity, rate and amount: for a kind with a set sum, worked out
    at the sum in force (the one the form showed, or the save is refused); for one without, the
    amount typed."""
    gk = clean(r.guidance_kind)
    if not gk:
        return "", 0, 0, r.amount_pence
    if gk in K.UNSET_LABELS:
        if isinstance(r.amount_pence, bool) or not isinstance(r.amount_pence, int) or r.amount_pence <= 0:
            raise DomainError(
                f"{K.UNSET_LABELS[gk]} has no set sum in the guidance: type the amount, and say why "
                "in the description.",
                field="amount",
            )
        return gk, 0, 0, r.amount_pence
    rate = CS.rate_in(u, gk)
    if r.rate_pence and r.rate_pence != rate.pence:
        raise DomainError(
            f"The sum for {rate.label.lower()} was changed in Settings while this remedy was being "
            f"added: it is now {K.money(rate.pence)} a {rate.unit}. Add the remedy again to see the "
            "new amount.",
            field="quantity",
        )
    w = K.work_out(rate, r.quantity)
    return gk, w.quantity, w.rate_pence, w.amount_pence


def _add_remedy(u: Unit, c: Complaint, stage: int, r: RemedyInput, offered_on: dt.date) -> Remedy:
    gk, quantity, rate, amount = _guidance(u, r)
    kind, desc = D.check_remedy("financial remedy" if gk else r.kind, r.description, amount)
    rem = Remedy(
        complaint_id=ident(c),
        stage=stage,
        kind=kind,
        description=desc,
        amount_pence=amount,
        guidance_kind=gk,
        quantity=quantity,
        rate_pence=rate,
        due_on=r.due_on,
        agreed=bool(r.agreed),
        offered_on=offered_on,
    )
    u.session.add(rem)
    audit(u, "remedy offered", rem, complaint_id=c.id)
    return rem


def _add_action(u: Unit, c: Complaint, stage: int, a: ActionInput) -> OutstandingAction:
    desc = L.require_text(a.description, "the outstanding action", "description")
    act = OutstandingAction(
        complaint_id=ident(c), stage=stage, description=desc, owner=clean(a.owner), due_on=a.due_on
    )
    u.session.add(act)
    audit(u, "outstanding action recorded", act, complaint_id=c.id)
    return act


def add_remedy(db, complaint: "int | str | AsSeen", remedy: RemedyInput) -> Remedy:
    with transaction(db) as u:
        c = _claim(u, complaint)
        rem = _add_remedy(u, c, c.stage, remedy, u.today)
        u.session.flush()  # its id, from the database, for the caller
        return rem


def add_action(db, complaint: "int | str | AsSeen", action: ActionInput) -> OutstandingAction:
    with transaction(db) as u:
        c = _claim(u, complaint)
        act = _add_action(u, c, c.stage, action)
        u.session.flush()  # its id, from the database, for the caller
        return act


def _claim_for(u: Unit, row: _Item, complaint_id: int, seen: AsSeen | None) -> _Item:
    """A step on one item of a complaint (a remedy, an action, an extension) holds the complaint
    (``_claim``), then reads the item again: it is as last saved."""
    if seen is not None and seen.id != complaint_id:
        raise DomainError("This item belongs to another complaint.")
    _claim(u, complaint_id, seen.version if seen is not None else None)
    if u.db.dialect != "sqlite":
        u.session.refresh(row)
    return row


def complete_remedy(db, remedy_id: int, on: dt.date | None = None, *, seen: AsSeen | None = None) -> Remedy:
    with transaction(db) as u:
        r = u.get(Remedy, remedy_id, "remedy")
        r = _claim_for(u, r, r.complaint_id, seen)
        if r.completed_on:
            raise DomainError("This remedy is already marked as done.")
        day = L.check_date(
            on or u.today,
            u.today,
            what="remedy's completion",
            not_before=r.offered_on,
            not_before_what="offer",
        )
        return update_fields(
            u, r, "remedy completed", complaint_id=r.complaint_id, completed_on=day, agreed=True
        )


def complete_action(
    db, action_id: int, on: dt.date | None = None, *, seen: AsSeen | None = None
) -> OutstandingAction:
    with transaction(db) as u:
        a = u.get(OutstandingAction, action_id, "outstanding action")
        a = _claim_for(u, a, a.complaint_id, seen)
        if a.completed_on:
            raise DomainError("This action is already marked as done.")
        c = u.get(Complaint, a.complaint_id, "complaint")
        day = L.check_date(
            on or u.today,
            u.today,
            what="action's completion",
            not_before=c.received_on,
            not_before_what="complaint's receipt",
        )
        return update_fields(
            u, a, "outstanding action completed", complaint_id=a.complaint_id, completed_on=day
        )


def update_action(
    db, action_id: int, note: str, on: dt.date | None = None, *, seen: AsSeen | None = None
) -> OutstandingAction:
    """Record that the resident was updated on an outstanding action (6.6, 6.17)."""
    note = L.require_text(note, "the update", "note")
    with transaction(db) as u:
        a = u.get(OutstandingAction, action_id, "outstanding action")
        a = _claim_for(u, a, a.complaint_id, seen)
        day = L.check_date(on or u.today, u.today, what="update")
        add_correspondence(u, a.complaint_id, day, "out", "", f"Update on action: {note}")
        return update_fields(
            u, a, "outstanding action updated", complaint_id=a.complaint_id, last_update_on=day
        )


DIRECTIONS = ("in", "out", "note")


def add_correspondence(
    db,
    complaint: "int | str | AsSeen",
    on: dt.date | None,
    direction: str,
    channel: str,
    summary: str,
    *,
    letter_kind: str = "",
    file_path: str = "",
    sha256: str = "",
    made_on: dt.date | None = None,
) -> Correspondence:
    """Anything received, sent or noted on a complaint (5.12)."""
    direction = clean(direction).lower()
    if direction not in DIRECTIONS:
        raise DomainError("Direction must be in (received), out (sent) or note.", field="direction")
    summary = L.require_text(summary, "the summary", "summary")
    with transaction(db) as u:
        c = _claim(u, complaint)
        day = L.check_date(
            on or u.today,
            u.today,
            what="correspondence",
            not_before=c.received_on,
            not_before_what="complaint's receipt",
        )
        row = Correspondence(
            complaint_id=ident(c),
            on=day,
            direction=direction,
            channel=clean(channel),
            summary=summary,
            letter_kind=letter_kind,
            file_path=file_path,
            sha256=sha256,
            made_on=made_on,
        )
        u.session.add(row)
        audit(u, "letter issued" if letter_kind else f"correspondence ({direction})", row, complaint_id=c.id)
        u.session.flush()  # its id, from the database, for the caller
        return row


def add_note(db, complaint: "int | str | AsSeen", text: str, on: dt.date | None = None) -> Correspondence:
    return add_correspondence(db, complaint, on, "note", "", text)


def set_categories(db, complaint: "int | str | AsSeen", categories) -> Complaint:
    with transaction(db) as u:
        c = _claim(u, complaint)
        cats = _parse_categories(categories)
        update_fields(u, c, "categories changed", complaint_id=c.id, categories=cats)
        c.search_text = search_text_for(c, u.session.get(Resident, c.resident_id))
        return c


# reading one complaint ---------------------------------------------------------------------------


@dataclass
class StageView:
    stage: Stage
    handler: str
    extensions: list[Extension]
    deadlines: StageDeadlines


@dataclass
class ComplaintView:
    complaint: Complaint
    resident: Resident
    representative: Representative | None
    stages: list[StageView]
    remedies: list[Remedy]
    actions: list[OutstandingAction]
    correspondence: list[Correspondence]
    events: list = field(default_factory=list)  # AuditEntry rows, oldest first
    next_step: str = ""
    next_deadline: Deadline | None = None
    next_due: dt.date | None = None
    status: str = ""
    flags: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)
    # each stage's deadlines in words: a late acknowledgement, extensions that do or do not count
    deadline_notes: list[str] = field(default_factory=list)
    # letters the steps still owe (services/step_letters.py), and the next thing to do, in words
    owed_letters: list = field(default_factory=list)
    next_thing: str = ""
    service_request_ref: str = ""  # the service request it was raised from, if any
    staff_names: dict = field(default_factory=dict)  # staff id -> name, for the timeline
    attachments: list = field(default_factory=list)  # files received and kept (Attachment rows)

    def stage(self, number: int) -> StageView | None:
        return next((s for s in self.stages if s.stage.number == number), None)

    @property
    def as_seen(self) -> AsSeen:
        """The complaint as this view read it: give it to a step so that a save made after
        someone else's is refused rather than written over theirs."""
        return AsSeen(ident(self.complaint), self.complaint.version)

    @property
    def current(self) -> StageView | None:
        return self.stage(self.complaint.stage)


def complaint_view(db, complaint: "int | str") -> ComplaintView:
    from ..domain.rules import deadline_status
    from ..store.models import Adjustment, Attachment, AuditEntry, Restriction
    from .residents import resident_flags

    with reading(db) as u:
        c = _complaint(u, complaint)
        resident = u.get(Resident, c.resident_id, "resident")
        rep = u.session.get(Representative, c.representative_id) if c.representative_id else None
        rules = rule_set(c.rule_set)
        stages = []
        for st in u.session.exec(
            select(Stage).where(Stage.complaint_id == c.id).order_by(col(Stage.number))
        ).all():
            exts = _extensions(u, st)
            stages.append(
                StageView(
                    st,
                    _staff_name(u, st.handler_id),
                    exts,
                    stage_deadlines(u.cal, rules, stage_dates(st, exts)),
                )
            )

        def rows(model, order):
            return list(u.session.exec(select(model).where(model.complaint_id == c.id).order_by(order)).all())

        step, deadline, due = next_deadline(u, c)
        adjustments = list(
            u.session.exec(select(Adjustment).where(Adjustment.resident_id == c.resident_id)).all()
        )
        restrictions = list(
            u.session.exec(select(Restriction).where(Restriction.resident_id == c.resident_id)).all()
        )
        answered = len([s for s in stages if s.stage.responded_on])
        owed = owed_in(u, ident(c))
        sr = u.session.get(ServiceRequest, c.service_request_id) if c.service_request_id else None
        next_thing = LR.next_thing_to_do(
            [(o.kind, o.stage) for o in owed], step, f"by {short_date(due)}" if due else ""
        )
        notes = []
        for sv in stages:
            n = sv.stage.number
            if sv.deadlines.acknowledge_by is None:
                notes.append(
                    f"Stage {n}: the {rules.code} Code sets no deadline for acknowledging it "
                    f"({rules.provision(f'ack{n}')} asks for our understanding of it on "
                    "receipt); the response runs from the request."
                )
            text = sv.deadlines.explain_response()
            if text:
                notes.append(f"Stage {n} response ({rules.provision(f'respond{n}')}): {text}")
        return ComplaintView(
            c,
            resident,
            rep,
            stages,
            rows(Remedy, col(Remedy.id)),
            rows(OutstandingAction, col(OutstandingAction.id)),
            rows(Correspondence, col(Correspondence.on)),
            rows(AuditEntry, col(AuditEntry.id)),
            step,
            deadline,
            due,
            deadline_status(u.cal, due, u.today) if due else "",
            resident_flags(resident, adjustments, restrictions),
            L.allowed_actions(c.state, answered),
            notes,
            owed,
            next_thing,
            sr.reference if sr is not None else "",
            {s.id: s.name for s in u.session.exec(select(Staff)).all()},
            rows(Attachment, col(Attachment.id)),
        )
