"""The learning log (Code 9.1-9.3) and Ombudsman cases with their findings and orders.

One function per user action, each audited. A learning point or a case may be linked to a
complaint by its reference or id.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import true
from sqlmodel import select

from ..domain import lifecycle as L
from ..domain import ombudsman as OM
from ..domain.errors import DomainError
from ..store.models import Complaint, LearningPoint, OmbudsmanCase, OmbudsmanOrder
from .base import NotFound, Unit, audit, clean, ident, reading, transaction, update_fields

# the worklist's source is services/ombudsman_reads.py (plain SQL: `due` never loads the ORM)
from .ombudsman_reads import ORDER_WORK_KIND, ORDER_WORK_STEP, ombudsman_work  # noqa: F401
from .reports import CaseLine, LearningLine, cases_where, learning_where

STATUSES = ("planned", "in progress", "done")


def _complaint_id(u: Unit, complaint: "int | str | None") -> int | None:
    if complaint is None or (isinstance(complaint, str) and not complaint.strip()):
        return None
    if isinstance(complaint, str) and not complaint.strip().isdigit():
        c = u.session.exec(select(Complaint).where(Complaint.reference == complaint.strip())).first()
        if c is None:
            raise NotFound(f"There is no complaint with reference {complaint.strip()}.")
        return c.id
    return u.get(Complaint, int(complaint), "complaint").id


def _status(status: str | None) -> str:
    s = clean(status).lower() or "planned"
    if s not in STATUSES:
        raise DomainError("Status must be planned, in progress or done.", field="status")
    return s


# learning ----------------------------------------------------------------------------------------


def add_learning(
    db,
    learning: str,
    *,
    theme: str = "",
    improvement: str = "",
    owner: str = "",
    status: str = "planned",
    made_on: dt.date | None = None,
    recorded_on: dt.date | None = None,
    complaint: "int | str | None" = None,
) -> LearningPoint:
    """Record what a complaint taught us and the service improvement that follows (9.1-9.3)."""
    learning = L.require_text(learning, "what was learned", "learning")
    status = _status(status)
    with transaction(db) as u:
        cid = _complaint_id(u, complaint)
        on = L.check_date(recorded_on or u.today, u.today, what="learning point")
        made = _made_on(u, status, made_on, on)
        lp = LearningPoint(
            complaint_id=cid,
            recorded_on=on,
            theme=clean(theme).lower(),
            learning=learning,
            improvement=clean(improvement),
            owner=clean(owner),
            status=status,
            made_on=made,
        )
        u.session.add(lp)
        u.session.flush()  # its id, from the database, for the caller
        audit(u, "learning recorded", lp, complaint_id=cid)
        return lp


def _made_on(u: Unit, status: str, made_on: dt.date | None, recorded_on: dt.date) -> dt.date | None:
    if status != "done":
        if made_on is not None:
            raise DomainError(
                "Only an improvement that is done has a date it was made; set the "
                "status to done or leave the date empty.",
                field="made_on",
            )
        return None
    return L.check_date(
        made_on or u.today,
        u.today,
        what="improvement",
        not_before=recorded_on,
        not_before_what="learning point's date",
    )


def update_learning(db, point_id: int, **values) -> LearningPoint:
    """Change a learning point: theme, learning, improvement, owner, status, made_on, complaint."""
    allowed = {"theme", "learning", "improvement", "owner", "status", "made_on", "complaint"}
    for k in values:
        if k not in allowed:
            raise DomainError(f"Unknown learning field {k!r}.")
    with transaction(db) as u:
        lp = u.get(LearningPoint, point_id, "learning point")
        out: dict[str, Any] = {}  # the fields to set, by name
        for k in ("theme", "improvement", "owner"):
            if k in values:
                out[k] = clean(values[k]).lower() if k == "theme" else clean(values[k])
        if "learning" in values:
            out["learning"] = L.require_text(values["learning"], "what was learned", "learning")
        if "complaint" in values:
            out["complaint_id"] = _complaint_id(u, values["complaint"])
        status = _status(values.get("status", lp.status))
        out["status"] = status
        if status == "done":
            given = values.get("made_on", lp.made_on)
            out["made_on"] = _made_on(u, status, given, lp.recorded_on)
        else:
            if values.get("made_on") is not None:
                _made_on(u, status, values["made_on"], lp.recorded_on)
            out["made_on"] = None
        return update_fields(
            u, lp, "learning changed", complaint_id=out.get("complaint_id", lp.complaint_id), **out
        )


def delete_learning(db, point_id: int) -> None:
    with transaction(db) as u:
        lp = u.get(LearningPoint, point_id, "learning point")
        from .base import to_plain

        audit(
            u,
            "learning removed",
            entity="learningpoint",
            entity_id=lp.id,
            before=to_plain(lp),
            complaint_id=lp.complaint_id,
        )
        u.session.delete(lp)


def list_learning(db, *, status: str | None = None) -> list[LearningLine]:
    """Every learning point, oldest first (optionally only those with one status)."""
    with reading(db) as u:
        where = true() if not status else LearningPoint.status == _status(status)
        return learning_where(u, where)


# Ombudsman cases ---------------------------------------------------------------------------------


def _finding(finding: str | None) -> str:
    return OM.check_finding(finding)


def record_case(
    db,
    referred_on: dt.date,
    *,
    case_number: str = "",
    complaint: "int | str | None" = None,
    summary: str = "",
) -> OmbudsmanCase:
    """A complaint the resident has taken to the Housing Ombudsman."""
    with transaction(db) as u:
        cid = _complaint_id(u, complaint)
        on = L.check_date(referred_on, u.today, what="referral to the Ombudsman")
        number = clean(case_number)
        if (
            number
            and u.session.exec(select(OmbudsmanCase.id).where(OmbudsmanCase.case_number == number)).first()
        ):
            raise DomainError(f"Ombudsman case {number} is already recorded.", field="case_number")
        case = OmbudsmanCase(complaint_id=cid, referred_on=on, case_number=number, summary=clean(summary))
        u.session.add(case)
        u.session.flush()  # its id, from the database, for the caller
        audit(u, "ombudsman case recorded", case, complaint_id=cid)
        return case


def update_case(db, case_id: int, **values) -> OmbudsmanCase:
    """Change a case's number, summary, referral date or linked complaint."""
    allowed = {"case_number", "summary", "referred_on", "complaint"}
    for k in values:
        if k not in allowed:
            raise DomainError(f"Unknown case field {k!r}.")
    with transaction(db) as u:
        case = u.get(OmbudsmanCase, case_id, "Ombudsman case")
        out: dict[str, Any] = {}  # the fields to set, by name
        if "case_number" in values:
            out["case_number"] = clean(values["case_number"])
            other = u.session.exec(
                select(OmbudsmanCase.id).where(
                    OmbudsmanCase.case_number == out["case_number"], OmbudsmanCase.id != case.id
                )
            ).first()
            if out["case_number"] and other:
                raise DomainError(
                    f"Ombudsman case {out['case_number']} is already recorded.", field="case_number"
                )
        if "summary" in values:
            out["summary"] = clean(values["summary"])
        if "referred_on" in values:
            out["referred_on"] = L.check_date(
                values["referred_on"], u.today, what="referral to the Ombudsman"
            )
            if case.determined_on and out["referred_on"] > case.determined_on:
                raise DomainError(
                    "The referral cannot be after the Ombudsman's determination.", field="referred_on"
                )
        if "complaint" in values:
            out["complaint_id"] = _complaint_id(u, values["complaint"])
        return update_fields(
            u, case, "ombudsman case changed", complaint_id=out.get("complaint_id", case.complaint_id), **out
        )


def record_finding(
    db, case_id: int, finding: str, determined_on: dt.date | None = None, summary: str | None = None
) -> OmbudsmanCase:
    """The Ombudsman's determination: one of domain/ombudsman.py FINDINGS (no maladministration,
    service failure, maladministration, severe maladministration, reasonable redress, outside
    jurisdiction)."""
    f = _finding(finding)
    if not f:
        raise DomainError("Choose the Ombudsman's finding.", field="finding")
    with transaction(db) as u:
        case = u.get(OmbudsmanCase, case_id, "Ombudsman case")
        on = L.check_date(
            determined_on or u.today,
            u.today,
            what="determination",
            not_before=case.referred_on,
            not_before_what="referral",
        )
        values: dict[str, Any] = {"finding": f, "determined_on": on}
        if summary is not None:
            values["summary"] = clean(summary)
        return update_fields(u, case, f"ombudsman finding: {f}", complaint_id=case.complaint_id, **values)


def add_order(
    db,
    case_id: int,
    description: str,
    due_on: dt.date | None = None,
    *,
    kind: str = OM.ORDER,
    made_on: dt.date | None = None,
) -> OmbudsmanOrder:
    """An order or recommendation the Ombudsman made with a determination, or a complaint handling
    failure order made while the case is with the Ombudsman, with the date to comply by. Made on
    the day of the determination unless told otherwise (a complaint handling failure order: today)."""
    description = L.require_text(description, "what the Ombudsman ordered", "description")
    kind = OM.check_order_kind(kind)
    with transaction(db) as u:
        case = u.get(OmbudsmanCase, case_id, "Ombudsman case")
        if due_on is not None and not isinstance(due_on, dt.date):
            raise DomainError("The due date is not a date.", field="due_on")
        made = made_on or (case.determined_on if kind != OM.CHFO and case.determined_on else u.today)
        made = L.check_date(made, u.today, what=OM.ORDER_KIND_WORDS[kind])
        OM.check_made_on(kind, made, case.referred_on, case.determined_on)
        if due_on is not None and due_on < made:
            raise DomainError(
                f"It cannot fall due before it was made ({made:%d/%m/%Y}).",
                field="due_on",
            )
        o = OmbudsmanOrder(
            case_id=ident(case), kind=kind, made_on=made, description=description, due_on=due_on
        )
        u.session.add(o)
        u.session.flush()  # its id, from the database, for the caller
        audit(u, f"ombudsman {OM.ORDER_KIND_WORDS[kind]} recorded", o, complaint_id=case.complaint_id)
        return o


def complete_order(db, order_id: int, complied_on: dt.date | None = None) -> OmbudsmanOrder:
    """Record that we complied with an Ombudsman order."""
    with transaction(db) as u:
        o = u.get(OmbudsmanOrder, order_id, "Ombudsman order")
        if o.complied_on:
            raise DomainError("This order is already marked as complied with.")
        case = u.get(OmbudsmanCase, o.case_id, "Ombudsman case")
        on = L.check_date(
            complied_on or u.today,
            u.today,
            what="compliance",
            not_before=case.referred_on,
            not_before_what="referral",
        )
        return update_fields(
            u, o, "ombudsman order complied with", complaint_id=case.complaint_id, complied_on=on
        )


def list_cases(db) -> list[CaseLine]:
    """Every Ombudsman case with its orders, the most recent referral first."""
    with reading(db) as u:
        return list(reversed(cases_where(u, true())))
