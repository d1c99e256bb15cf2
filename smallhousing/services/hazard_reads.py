"""The hazards' next steps for the worklist, read without the ORM (see services/reads.py): the
dashboard and ``smallhousing due`` ask for them at every start."""

from __future__ import annotations

import datetime as dt

from ..domain import hazard_rules as H
from ..domain.rules import deadline_status, working_days_left
from .queries import DueItem
from .reads import day, plain_reading


def _time(value) -> dt.time | None:
    """A time as stored: a time on PostgreSQL, ISO text ('17:30:00.000000') on SQLite."""
    if value is None or isinstance(value, dt.time):
        return value
    return dt.time.fromisoformat(str(value)[:8])


_SQL = (
    "SELECT h.id, h.reference, h.kind, res.name, st.name, h.priority, h.aware_on, h.aware_time, "
    "h.investigated_on, h.investigated_time, h.significant, h.summary_sent_on, "
    "h.safety_work_begun_on, h.further_work_needed, h.further_work_started_on, h.made_safe_on, "
    "h.made_safe_time FROM hazard h LEFT JOIN resident res ON res.id = h.resident_id "
    "LEFT JOIN staff st ON st.id = h.handler_id WHERE h.closed_on IS NULL"
)


def hazard_work(db, *, limit: int | None = None, until: dt.date | None = None) -> list[DueItem]:
    """The next step of every open hazard due on or before ``until`` (None: all), soonest first and,
    among those due the same day, a priority household first (services/worklist.py SOURCES). Working
    days are the regulations' own: the landlord's closure days do not count."""
    from .holiday_cache import ensure_loaded

    ensure_loaded()
    cal = H.hazard_calendar()
    found = []
    with plain_reading(db) as r:
        today = r.today
        for row in r.rows(_SQL):
            (hid, ref, kind, name, handler, priority, aware_on, aware_time) = row[:8]
            (inv_on, inv_time, significant, summary, safety, further_needed, further, safe_on, safe_time) = (
                row[8:]
            )
            d = H.HazardDates(
                kind=kind,
                aware_on=day(aware_on) or today,
                aware_time=_time(aware_time),
                investigated_on=day(inv_on),
                investigated_time=_time(inv_time),
                significant=None if significant is None else bool(significant),
                summary_sent_on=day(summary),
                safety_work_begun_on=day(safety),
                further_work_needed=bool(further_needed),
                further_work_started_on=day(further),
                made_safe_on=day(safe_on),
                made_safe_time=_time(safe_time),
            )
            nxt = H.next_step(d)
            if nxt is None or (until is not None and nxt.due > until):
                continue
            item = DueItem(
                hid,
                ref,
                name or "",
                0,
                nxt.step,
                nxt.due,
                working_days_left(cal, nxt.due, today),
                deadline_status(cal, nxt.due, today),
                handler or "",
                kind=nxt.kind,
                entity="hazard",
                priority=bool(priority),
            )
            found.append(((nxt.due, not item.priority, nxt.due_at or dt.datetime.max, ref), item))
    found.sort(key=lambda t: t[0])
    out = [item for _, item in found]
    return out[:limit] if limit else out


def count_late_steps(db) -> int:
    """How many open hazards' next steps are past their due date (the dashboard says so)."""
    return sum(1 for i in hazard_work(db) if i.status == "overdue")
