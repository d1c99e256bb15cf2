"""The Ombudsman's orders on the worklist, read with plain SQL: ``smallhousing due`` and the
dashboard's worklist never load the ORM (services/worklist.py)."""

from __future__ import annotations

import datetime as dt

from ..domain import ombudsman as OM
from ..domain.rules import deadline_status, working_days_left
from .queries import DueItem
from .reads import day, plain_reading

# the worklist --------------------------------------------------------------------------------------

ORDER_WORK_KIND = {OM.ORDER: "ombudsman-order", OM.CHFO: "complaint-handling-failure-order"}
ORDER_WORK_STEP = {OM.ORDER: "Ombudsman order", OM.CHFO: "Complaint handling failure order"}


def ombudsman_work(db, *, limit: int | None = None, until: dt.date | None = None) -> list[DueItem]:
    """A source for the worklist (services/worklist.py): each order made with a determination and
    each complaint handling failure order not yet complied with, by the date to comply by, soonest
    first. One with no date to comply by is due from the day it was made (or the referral): it
    waits for a date or for compliance. Recommendations are not orders: they are not listed."""
    with plain_reading(db) as r:
        sql = (
            "SELECT oc.id, oc.case_number, res.name, coalesce(c.stage, 0), o.kind, o.description, "
            "coalesce(o.due_on, o.made_on, oc.referred_on) AS due, st.name "
            "FROM ombudsman_order o JOIN ombudsman_case oc ON oc.id = o.case_id "
            "LEFT JOIN complaint c ON c.id = oc.complaint_id "
            "LEFT JOIN resident res ON res.id = c.resident_id "
            "LEFT JOIN staff st ON st.id = c.handler_id "
            "WHERE o.complied_on IS NULL AND o.kind IN (?, ?) "
        )
        params: list = [OM.ORDER, OM.CHFO]
        if until is not None:
            sql += "AND coalesce(o.due_on, o.made_on, oc.referred_on) <= ? "
            params.append(until.isoformat())
        sql += "ORDER BY due, oc.case_number, o.id"
        if limit:
            sql += " LIMIT ?"
            params.append(limit)
        out = []
        for case_id, number, name, stage, kind, description, due, handler in r.rows(sql, params):
            when = day(due)
            if when is None:  # never: the referral date is always there
                continue
            step = f"{ORDER_WORK_STEP[kind]}: {description}"
            out.append(
                DueItem(
                    case_id,
                    number or f"Ombudsman case {case_id}",
                    name or "",
                    stage,
                    step,
                    when,
                    working_days_left(r.cal, when, r.today),
                    deadline_status(r.cal, when, r.today),
                    handler or "",
                    kind=ORDER_WORK_KIND[kind],
                    entity="ombudsman-case",
                )
            )
        return out
