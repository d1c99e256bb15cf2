"""The letter each step owes the resident, and how it went out.

Acknowledging, extending, responding, refusing a complaint and refusing to escalate each owe the
resident a letter. The step notes it here (``owe``, inside the step's own transaction); issuing the
app's PDF (services/letters.py) or recording that it went another way, with the date
(``record_sent_another_way``), settles it. Until then the complaint shows "letter not sent" on
the dashboard and in ``smallhousing due``.

Steps recorded before the app tracked letters (and imported history) owe nothing here: their
letters were dealt with outside it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import col, select

from ..domain import letter_rules as LR
from ..domain import lifecycle as L
from ..domain.errors import DomainError
from ..store.models import Complaint, Correspondence, StepLetter
from .base import Unit, audit, clean, reading, transaction, update_fields


@dataclass(frozen=True)
class OwedLetter:
    """A step's letter not yet sent."""

    id: int
    complaint_id: int
    kind: str
    stage: int
    extension_id: int | None
    step_on: dt.date

    @property
    def name(self) -> str:
        return LR.step_letter_name(self.kind, self.stage)


def _owed(row: StepLetter) -> OwedLetter:
    assert row.id is not None
    return OwedLetter(row.id, row.complaint_id, row.kind, row.stage, row.extension_id, row.step_on)


def owe(
    u: Unit, c: Complaint, kind: str, stage: int, step_on: dt.date, extension_id: int | None = None
) -> StepLetter:
    """Note, in the step's transaction, that the step owes the resident a letter."""
    if kind not in LR.STEP_KINDS:
        raise ValueError(f"not a step's letter: {kind!r}")
    assert c.id is not None
    row = StepLetter(
        complaint_id=c.id, kind=kind, stage=stage, extension_id=extension_id, step_on=step_on, route=""
    )
    u.session.add(row)
    u.session.flush()  # its id, from the database, for the audit entry
    audit(u, f"{LR.step_letter_name(kind, stage)} is due", row, complaint_id=c.id)
    return row


def _matching(u: Unit, complaint_id: int, kind: str, stage: int | None, extension_id: int | None):
    q = select(StepLetter).where(
        StepLetter.complaint_id == complaint_id,
        StepLetter.kind == kind,
        col(StepLetter.sent_on).is_(None),
    )
    if kind not in (LR.REFUSAL, LR.ESCALATION_REFUSAL) and stage is not None:
        q = q.where(StepLetter.stage == stage)
    if kind == LR.EXTENSION and extension_id is not None:
        q = q.where(StepLetter.extension_id == extension_id)
    return list(u.session.exec(q.order_by(col(StepLetter.id))).all())


def settle_issued(
    u: Unit,
    complaint_id: int,
    kind: str,
    stage: int | None,
    extension_id: int | None,
    correspondence_id: int | None,
) -> int:
    """The app issued the letter (in the issuing transaction): the step's letter is sent today.
    Returns how many owed letters this settled (0 when none was owed, such as a copy)."""
    rows = _matching(u, complaint_id, kind, stage, extension_id)
    for row in rows:
        update_fields(
            u,
            row,
            f"{LR.step_letter_name(row.kind, row.stage)} issued",
            complaint_id=complaint_id,
            sent_on=u.today,
            correspondence_id=correspondence_id,
        )
    return len(rows)


def record_sent_another_way(
    db, step_letter_id: int, route: str, on: dt.date | None = None, *, seen=None
) -> StepLetter:
    """Record that a step's letter went to the resident another way (for example a phone call
    followed by an email), and on which day; the correspondence record says so too (5.12).
    ``seen`` (complaints.AsSeen): refused if anyone has saved the complaint since it was read."""
    from .complaints import _claim

    route = L.require_text(route, "how the letter went to the resident", "route")
    if route.lower().startswith("by "):  # stored as 'email', read as 'sent by email'
        route = L.require_text(route[3:], "how the letter went to the resident", "route")
    with transaction(db) as u:
        row = u.get(StepLetter, step_letter_id, "letter")
        if seen is not None and seen.id != row.complaint_id:
            raise DomainError("This letter belongs to another complaint.")
        _claim(u, row.complaint_id, seen.version if seen is not None else None)
        if u.db.dialect != "sqlite":
            u.session.refresh(row)  # as last saved, now that the complaint is held
        if row.sent_on is not None:
            how = f"by {row.route}" if row.route else "as the app's letter"
            raise DomainError(
                f"{LR.step_letter_name(row.kind, row.stage)[0].upper()}"
                f"{LR.step_letter_name(row.kind, row.stage)[1:]} was already sent on "
                f"{row.sent_on.day} {row.sent_on:%b %Y}, {how}.",
                field="route",
            )
        day = L.check_date(
            on or u.today,
            u.today,
            what="day the letter was sent",
            not_before=row.step_on,
            not_before_what="step it records",
        )
        name = LR.step_letter_name(row.kind, row.stage)
        note = Correspondence(
            complaint_id=row.complaint_id,
            on=day,
            direction="out",
            channel=clean(route),
            summary=f"{name[0].upper()}{name[1:]}, sent by {clean(route)}",
        )
        u.session.add(note)
        u.session.flush()
        audit(u, "correspondence (out)", note, complaint_id=row.complaint_id)
        return update_fields(
            u,
            row,
            f"{name} sent another way",
            complaint_id=row.complaint_id,
            sent_on=day,
            route=clean(route),
            correspondence_id=note.id,
        )


def settle_history(u: Unit, before: dt.date, route: str) -> int:
    """Record every letter owed for a step before ``before`` as sent ``route`` on the day of its
    step (the demo data: its past letters went out; the last few days' are left to send)."""
    rows = u.session.exec(
        select(StepLetter).where(col(StepLetter.sent_on).is_(None), col(StepLetter.step_on) < before)
    ).all()
    for row in rows:
        update_fields(
            u,
            row,
            f"{LR.step_letter_name(row.kind, row.stage)} sent another way",
            complaint_id=row.complaint_id,
            sent_on=row.step_on,
            route=route,
        )
    return len(rows)


def owed_letters(db, complaint_id: int) -> list[OwedLetter]:
    """The letters a complaint's steps still owe, oldest step first."""
    with reading(db) as u:
        return owed_in(u, complaint_id)


def owed_in(u: Unit, complaint_id: int) -> list[OwedLetter]:
    rows = u.session.exec(
        select(StepLetter)
        .where(StepLetter.complaint_id == complaint_id, col(StepLetter.sent_on).is_(None))
        .order_by(col(StepLetter.step_on), col(StepLetter.id))
    ).all()
    return [_owed(r) for r in rows]
