"""The worklist: everything with a date that someone has to act on, in one list.

The dashboard and ``smallhousing due`` read it from here. A step whose letter has not gone out
comes first (the resident has not been told); then every deadline, the soonest (most overdue)
first, whatever it belongs to: a complaint's next step, and each source in ``SOURCES``.

A source is a function ``(db, *, limit, until) -> list[DueItem]`` giving its open items due on or
before ``until`` (None: all), soonest first; a new kind of work adds one line to ``SOURCES``.
"""

from __future__ import annotations

import datetime as dt
import heapq
from typing import Callable, Protocol

from . import queries as Q
from .contractor_reads import contractor_work
from .hazard_reads import hazard_work
from .ombudsman_reads import ombudsman_work
from .queries import DueItem


class Source(Protocol):
    def __call__(self, db, *, limit: int | None, until: dt.date | None) -> list[DueItem]: ...


def _complaints(db, *, limit: int | None, until: dt.date | None) -> list[DueItem]:
    items = Q.open_work(db, limit=limit)
    return [i for i in items if until is None or i.due <= until]


SURVEY_COMMENT = "survey-comment"  # the entity
HOW_TO_COMPLAIN = "how-to-complain"  # the kind

_HOW_TO_COMPLAIN_SQL = (
    "SELECT sc.id, sc.received_on, sc.survey, res.name FROM survey_comment sc "
    "LEFT JOIN resident res ON res.id = sc.resident_id "
    "WHERE sc.how_to_complain_sent_on IS NULL ORDER BY sc.received_on, sc.id"
)


def _how_to_complain(db, *, limit: int | None, until: dt.date | None) -> list[DueItem]:
    """Survey comments expressing dissatisfaction whose resident has not yet been sent how to
    complain (Code 1.6), due 5 working days after the comment was received: the app's own target
    (domain/satisfaction.py), not a timescale of the Code."""
    from ..domain.rules import deadline_status, working_days_left
    from ..domain.satisfaction import how_to_complain_due
    from .reads import day, plain_reading

    out: list[DueItem] = []
    with plain_reading(db) as r:
        cal, today = r.cal, r.today
        for cid, received, survey, name in r.rows(_HOW_TO_COMPLAIN_SQL):
            received_on = day(received)
            assert received_on is not None  # NOT NULL
            due = how_to_complain_due(cal, received_on).due
            if until is not None and due > until:
                break  # received later: due later
            out.append(
                DueItem(
                    cid,
                    f"SC-{cid}",
                    name or "",
                    0,
                    "send how to complain (survey comment" + (f", {survey})" if survey else ")"),
                    due,
                    working_days_left(cal, due, today),
                    deadline_status(cal, due, today),
                    "",
                    kind=HOW_TO_COMPLAIN,
                    entity=SURVEY_COMMENT,
                )
            )
            if limit and len(out) >= limit:
                break
    return out


SOURCES: list[Callable[..., list[DueItem]]] = [
    _complaints,
    Q.service_request_work,  # open service requests by target date (Code 1.4)
    contractor_work,  # responses asked of contractors (Code 5.4, 5.5)
    hazard_work,
    ombudsman_work,  # Ombudsman orders and complaint handling failure orders not complied with
    _how_to_complain,
]


def worklist(db, *, limit: int | None = None, within_working_days: int | None = None) -> list[DueItem]:
    """Letters not sent, then every open deadline soonest first; at most ``limit`` in all."""
    until = None
    if within_working_days is not None:
        from .reads import plain_reading

        with plain_reading(db) as r:
            until = r.cal.add(r.today, within_working_days).due
    letters = Q.letters_not_sent(db, limit=limit)
    rest = heapq.merge(
        *(source(db, limit=limit, until=until) for source in SOURCES),
        key=lambda i: (i.due, not i.priority, i.reference),
    )
    items = letters + list(rest)
    return items[:limit] if limit else items
