"""Questions asked of the records: what is due, what is overdue, lists page by page.

These are asked at every start and at each key press in the lists, so most of them are plain SQL
read through services/reads.py and need no ORM (see its docstring). The few that hand back table
rows import the models when called.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..domain import lifecycle as L
from ..domain.rules import deadline_status, working_days_left
from ..domain.steps import work_kind
from ..domain.years import year_bounds
from .reads import Cancelled, day, like_escaped, plain_reading, stoppable  # noqa: F401  (raised, asked here)


def _marks(values) -> str:
    return ", ".join("?" for _ in values)


def _required_day(value: "str | dt.date") -> dt.date:
    """A date read from a column the query has made sure is not NULL (``day`` for the others)."""
    d = day(value)
    if d is None:
        raise ValueError("a date was expected, not NULL")
    return d


@dataclass
class DueItem:
    """One thing on the worklist (the dashboard's and ``smallhousing due``): a complaint's next
    deadline, a letter not sent, or (services/worklist.py) other work with a date such as a
    hazard's next step. ``complaint_id`` is the record's id, whatever ``entity`` it is."""

    complaint_id: int
    reference: str
    resident: str
    stage: int
    step: str
    due: dt.date
    working_days_left: int  # negative when overdue
    status: str  # on time, due soon, overdue
    handler: str
    kind: str = ""  # steps.work_kind: stage1-response, letter-not-sent, hazard-investigate ...
    entity: str = "complaint"  # what the reference is of: complaint, hazard, service-request ...
    priority: bool = False  # a household put first among those due the same day (a hazard's)

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "entity": self.entity,
            "reference": self.reference,
            "resident": self.resident,
            "stage": self.stage,
            "step": self.step,
            "due": self.due.isoformat(),
            "working_days_left": self.working_days_left,
            "status": self.status,
            "handler": self.handler,
        }


def open_work(
    db, *, limit: int | None = None, within_working_days: int | None = None, overdue_only: bool = False
) -> list[DueItem]:
    """Open deadlines, soonest first (overdue ones come first of all)."""
    with plain_reading(db) as r:
        where = ["c.next_due_on IS NOT NULL"]
        params: list[object] = []
        if overdue_only:
            where.append("c.next_due_on < ?")
            params.append(r.today.isoformat())
        if within_working_days is not None:
            where.append("c.next_due_on <= ?")
            params.append(r.cal.add(r.today, within_working_days).due.isoformat())
        sql = (
            "SELECT c.id, c.reference, res.name, c.stage, c.next_step, c.next_due_on, st.name "
            "FROM complaint c JOIN resident res ON res.id = c.resident_id "
            "LEFT JOIN staff st ON st.id = c.handler_id "
            f"WHERE {' AND '.join(where)} ORDER BY c.next_due_on, c.reference"
        )
        if limit:
            sql += " LIMIT ?"
            params.append(limit)
        out = []
        cal, today = r.cal, r.today
        for cid, ref, name, stage, step, due, handler in r.rows(sql, params):
            due = _required_day(due)
            out.append(
                DueItem(
                    cid,
                    ref,
                    name,
                    stage,
                    step,
                    due,
                    working_days_left(cal, due, today),
                    deadline_status(cal, due, today),
                    handler or "",
                    kind=work_kind(step, stage),
                )
            )
        return out


LETTER_NOT_SENT = "letter not sent"
LETTER_NOT_SENT_KIND = "letter-not-sent"


def letters_not_sent(db, *, limit: int | None = None) -> list[DueItem]:
    """Steps whose letter was neither issued nor recorded as sent another way (see
    services/step_letters.py), oldest step first: each is due on the day of its step."""
    from ..domain.letter_rules import step_letter_name

    with plain_reading(db) as r:
        sql = (
            "SELECT c.id, c.reference, res.name, sl.stage, sl.kind, sl.step_on, st.name "
            "FROM step_letter sl JOIN complaint c ON c.id = sl.complaint_id "
            "JOIN resident res ON res.id = c.resident_id "
            "LEFT JOIN staff st ON st.id = c.handler_id "
            "WHERE sl.sent_on IS NULL ORDER BY sl.step_on, c.reference, sl.id"
        )
        params: list = []
        if limit:
            sql += " LIMIT ?"
            params.append(limit)
        out = []
        cal, today = r.cal, r.today
        for cid, ref, name, stage, kind, step_on, handler in r.rows(sql, params):
            due = _required_day(step_on)
            out.append(
                DueItem(
                    cid,
                    ref,
                    name,
                    stage,
                    f"{LETTER_NOT_SENT}: {step_letter_name(kind, stage).removeprefix('the ')}",
                    due,
                    working_days_left(cal, due, today),
                    deadline_status(cal, due, today),
                    handler or "",
                    kind=LETTER_NOT_SENT_KIND,
                )
            )
        return out


def count_letters_not_sent(db) -> int:
    with plain_reading(db) as r:
        return int(r.value("SELECT count(*) FROM step_letter WHERE sent_on IS NULL"))


@dataclass
class Counts:
    open_stage1: int
    open_stage2: int
    overdue: int
    due_soon: int


def dashboard_counts(db) -> Counts:
    with plain_reading(db) as r:

        def count(where: str, *params) -> int:
            return r.value(f"SELECT count(*) FROM complaint WHERE {where}", params)

        stage1, stage2 = (L.RECEIVED, L.S1_ACKNOWLEDGED), (L.S2_REQUESTED, L.S2_ACKNOWLEDGED)
        s1 = count(f"state IN ({_marks(stage1)})", *stage1)
        s2 = count(f"state IN ({_marks(stage2)})", *stage2)
        today = r.today.isoformat()
        overdue = count("next_due_on < ?", today)
        soon = count("next_due_on >= ? AND next_due_on <= ?", today, r.cal.add(r.today, 2).due.isoformat())
        return Counts(s1, s2, overdue, soon)


def received_per_month(db, months: int = 12) -> list[tuple[str, int]]:
    """Complaints received in each of the last ``months`` months, oldest first."""
    with plain_reading(db) as r:
        y, m = r.today.year, r.today.month
        keys = []
        for _ in range(months):
            keys.append(f"{y:04d}-{m:02d}")
            m -= 1
            if m == 0:
                y, m = y - 1, 12
        keys.reverse()
        start = dt.date.fromisoformat(keys[0] + "-01")
        rows = dict(
            r.rows(
                "SELECT strftime('%Y-%m', received_on) AS month, count(*) FROM complaint "
                "WHERE received_on >= ? GROUP BY month",
                (start.isoformat(),),
            )
        )
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
    with plain_reading(db) as r:
        out: list[OverdueItem] = []
        for table, kind in (("remedy", "remedy"), ("outstanding_action", "action")):
            sql = (
                f"SELECT t.description, t.due_on, c.reference, t.id FROM {table} t "
                "JOIN complaint c ON c.id = t.complaint_id "
                "WHERE t.completed_on IS NULL AND t.due_on < ? ORDER BY t.due_on"
            )
            params: list = [r.today.isoformat()]
            if limit:
                sql += " LIMIT ?"
                params.append(limit)
            for description, due, ref, ident in r.rows(sql, params):
                out.append(OverdueItem(kind, description, _required_day(due), ref, ident))
        out.extend(_reviews_due(r, review_horizon_days, limit))
        if limit:
            out = sorted(out, key=lambda i: i.due)[:limit]
        return out


def count_follow_ups(db, *, review_horizon_days: int = 0) -> int:
    """How many follow-ups ``overdue_follow_ups`` would list without a limit."""
    with plain_reading(db) as r:
        today = r.today.isoformat()
        horizon = (r.today + dt.timedelta(days=review_horizon_days)).isoformat()
        return sum(
            r.value(f"SELECT count(*) FROM {table} WHERE {where}", (when,))
            for table, where, when in (
                ("remedy", "completed_on IS NULL AND due_on < ?", today),
                ("outstanding_action", "completed_on IS NULL AND due_on < ?", today),
                ("adjustment", "ended_on IS NULL AND review_on <= ?", horizon),
                ("restriction", "ended_on IS NULL AND review_on <= ?", horizon),
            )
        )


def reviews_due(db, *, within_days: int = 0, limit: int | None = None) -> list[OverdueItem]:
    """Adjustment and restriction reviews on or before today (+ ``within_days`` calendar days)."""
    with plain_reading(db) as r:
        return _reviews_due(r, within_days, limit)


def _reviews_due(r, within_days: int, limit: int | None) -> list[OverdueItem]:
    horizon = (r.today + dt.timedelta(days=within_days)).isoformat()
    out = []
    for table, kind in (("adjustment", "adjustment review"), ("restriction", "restriction review")):
        sql = (
            f"SELECT t.description, t.review_on, res.name, t.id FROM {table} t "
            "JOIN resident res ON res.id = t.resident_id "
            "WHERE t.ended_on IS NULL AND t.review_on <= ? ORDER BY t.review_on"
        )
        params: list = [horizon]
        if limit:
            sql += " LIMIT ?"
            params.append(limit)
        for description, review_on, name, ident in r.rows(sql, params):
            out.append(OverdueItem(kind, description, _required_day(review_on), name, ident))
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


def _filtered(f: ComplaintFilter, today: dt.date) -> tuple[str, list]:
    """The WHERE clause (on complaint ``c``) and its parameters for a filter."""
    where: list[str] = []
    params: list[object] = []
    for word in f.text.lower().split():
        where.append("c.search_text LIKE ? ESCAPE '/'")
        params.append(f"%{like_escaped(word)}%")
    if f.stage:
        where.append("c.stage = ?")
        params.append(f.stage)
    states = {"open": L.OPEN_STATES, "finished": L.FINISHED_STATES}.get(
        f.state or "", (f.state,) if f.state else ()
    )
    if states:
        where.append(f"c.state IN ({_marks(states)})")
        params.extend(states)
    if f.overdue:
        where.append("c.next_due_on < ?")
        params.append(today.isoformat())
    if f.handler_id:
        where.append("c.handler_id = ?")
        params.append(f.handler_id)
    if f.category:
        c = f.category.lower()
        e = like_escaped(c)
        where.append(
            "(c.categories = ? OR c.categories LIKE ? ESCAPE '/' "
            "OR c.categories LIKE ? ESCAPE '/' OR c.categories LIKE ? ESCAPE '/')"
        )
        params.extend([c, f"{e};%", f"%;{e}", f"%;{e};%"])
    if f.year:
        start, end = year_bounds(f.year)
        where.append("c.received_on >= ? AND c.received_on <= ?")
        params.extend([start.isoformat(), end.isoformat()])
    return (" WHERE " + " AND ".join(where) if where else ""), params


def list_complaints(
    db, f: ComplaintFilter | None = None, *, offset: int = 0, limit: int = 50, cancelled=None
) -> list[ComplaintRow]:
    """One page of complaints, newest first. Never loads more than ``limit`` rows.

    ``cancelled``: see reads.plain_reading (raises reads.Cancelled)."""
    with plain_reading(db, cancelled) as r:
        return _complaint_rows(r, f or ComplaintFilter(), offset, limit)


def complaints_page(
    db, f: ComplaintFilter | None = None, *, offset: int = 0, limit: int = 50, cancelled=None
) -> tuple[list[ComplaintRow], dict[dt.date, tuple[str, int]]]:
    """One page of complaints (as list_complaints) and, for each next-due date on it, its status
    (on time, due soon, overdue) and working days left from today, in one read."""
    with plain_reading(db, cancelled) as r:
        rows = _complaint_rows(r, f or ComplaintFilter(), offset, limit)
        return rows, _statuses(r, [c.next_due_on for c in rows])


def _complaint_rows(r, f: ComplaintFilter, offset: int, limit: int) -> list[ComplaintRow]:
    where, params = _filtered(f, r.today)
    rows = r.rows(
        "SELECT c.id, c.reference, res.name, c.received_on, c.stage, c.state, "
        "c.next_due_on, st.name, c.categories FROM complaint c "
        "JOIN resident res ON res.id = c.resident_id "
        f"LEFT JOIN staff st ON st.id = c.handler_id{where} "
        "ORDER BY c.received_on DESC, c.id DESC LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return [
        ComplaintRow(
            cid, ref, name, _required_day(received), stage, state, day(due), handler or "", categories
        )
        for cid, ref, name, received, stage, state, due, handler, categories in rows
    ]


def count_complaints(db, f: ComplaintFilter | None = None, *, cancelled=None) -> int:
    f = f or ComplaintFilter()
    with plain_reading(db, cancelled) as r:
        where, params = _filtered(f, r.today)
        return r.value(f"SELECT count(*) FROM complaint c{where}", params)


@dataclass
class ServiceRequestRow:
    """One service request in the list: the record, its resident's name, and how it stands against
    its target (domain.service_request_rules.Progress: age, target, overdue)."""

    request: object  # store.models.ServiceRequest
    resident: str
    progress: object  # domain.service_request_rules.Progress

    @property
    def overdue(self) -> bool:
        return bool(getattr(self.progress, "overdue", False))


# the list's choices: open ones newest first, open ones by target date (the most overdue first),
# only the overdue ones (most overdue first), completed ones, or all
REQUEST_VIEWS = ("open", "open-target", "overdue", "completed")


def list_service_requests(
    db, *, status: str | None = None, offset: int = 0, limit: int = 50
) -> list[ServiceRequestRow]:
    """One page of service requests. ``status``: one of REQUEST_VIEWS, or None for all (newest
    first). Each comes with its age in working days, its target date and whether it is overdue."""
    from sqlmodel import col, select

    from ..domain.service_request_rules import progress
    from ..store.models import Resident, ServiceRequest
    from .base import reading

    with reading(db) as u:
        q = select(ServiceRequest, Resident.name).join(Resident)
        by_target = status in ("open-target", "overdue")
        if status in ("open", "open-target", "overdue"):
            q = q.where(ServiceRequest.status == "open")
        elif status:
            q = q.where(ServiceRequest.status == status)
        if status == "overdue":
            q = q.where(col(ServiceRequest.target_on) < u.today)
        if by_target:
            q = q.order_by(col(ServiceRequest.target_on), col(ServiceRequest.reference))
        else:
            q = q.order_by(col(ServiceRequest.received_on).desc(), col(ServiceRequest.id).desc())
        cal, today = u.cal, u.today
        return [
            ServiceRequestRow(sr, name, progress(cal, sr.received_on, sr.target_on, today, sr.completed_on))
            for sr, name in u.session.exec(q.offset(offset).limit(limit)).all()
        ]


SERVICE_REQUEST_KIND = "service-request-target"
SERVICE_REQUEST_ENTITY = "service-request"


def service_request_work(db, *, limit: int | None = None, until: dt.date | None = None) -> list[DueItem]:
    """Open service requests by target date, the most overdue first (a worklist source): one
    query on the indexed target date."""
    with plain_reading(db) as r:
        where = ["sr.status = 'open'", "sr.target_on IS NOT NULL"]
        params: list[object] = []
        if until is not None:
            where.append("sr.target_on <= ?")
            params.append(until.isoformat())
        sql = (
            "SELECT sr.id, sr.reference, res.name, sr.category, sr.target_on "
            "FROM service_request sr JOIN resident res ON res.id = sr.resident_id "
            f"WHERE {' AND '.join(where)} ORDER BY sr.target_on, sr.reference"
        )
        if limit:
            sql += " LIMIT ?"
            params.append(limit)
        out = []
        cal, today = r.cal, r.today
        for ident, ref, name, category, target in r.rows(sql, params):
            due = _required_day(target)
            out.append(
                DueItem(
                    ident,
                    ref,
                    name,
                    0,
                    f"request target: {category}" if category else "request target",
                    due,
                    working_days_left(cal, due, today),
                    deadline_status(cal, due, today),
                    "",
                    kind=SERVICE_REQUEST_KIND,
                    entity=SERVICE_REQUEST_ENTITY,
                )
            )
        return out


def count_overdue_service_requests(db) -> int:
    """Open service requests past their target date."""
    with plain_reading(db) as r:
        return int(
            r.value(
                "SELECT count(*) FROM service_request WHERE status = 'open' AND target_on < ?",
                (r.today.isoformat(),),
            )
        )


def stage_handlers(db, complaint_id: int) -> dict[int, int | None]:
    with plain_reading(db) as r:
        return dict(r.rows("SELECT number, handler_id FROM stage WHERE complaint_id = ?", (complaint_id,)))


def working_days_until(db, due: dt.date) -> int:
    """Working days from today to ``due`` (negative when it has passed), on the landlord's calendar."""
    with plain_reading(db) as r:
        return working_days_left(r.cal, due, r.today)


def received_years(db) -> list[int]:
    """The reporting years that have complaints in them, newest first (this year always included)."""
    from ..domain.years import year_of

    with plain_reading(db) as r:
        first, last = (day(v) for v in r.rows("SELECT min(received_on), max(received_on) FROM complaint")[0])
        newest = year_of(max(last, r.today) if last else r.today)
        oldest = year_of(first) if first else newest
        return list(range(newest, oldest - 1, -1))


def _statuses(r, days) -> dict[dt.date, tuple[str, int]]:
    return {
        d: (deadline_status(r.cal, d, r.today), working_days_left(r.cal, d, r.today)) for d in set(days) if d
    }


def is_set_up(db) -> bool:
    """Whether the first-run set-up (landlord details) has been done."""
    with plain_reading(db) as r:
        return bool(r.value("SELECT setup_done FROM landlord_settings ORDER BY id LIMIT 1"))
