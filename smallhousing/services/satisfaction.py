"""What residents think: satisfaction answers after a complaint closed, the TP09 counts of the
landlord's perception survey, compliments, and survey comments expressing dissatisfaction (1.6).

One function per thing a user does, each one transaction that writes its audit entries. The rules
(the answers, the counts, TP09 itself, the how-to-complain target) are in domain/satisfaction.py;
the figures the reports print are worked out in services/figures.py.

One answer per closing: a complaint closed once is asked once. A second answer given after the same
closing is refused (the first is corrected instead, ``correct_satisfaction_answer``, which keeps the
old answer in the audit log); a complaint escalated after its answer was recorded, then closed
again, can be asked again, since the resident has had a second outcome to judge.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from ..domain import lifecycle as L
from ..domain import satisfaction as S
from ..domain.calendar import short_date
from ..domain.errors import DomainError
from ..domain.words import has_words
from ..domain.years import parse_year, year_label
from ..store.models import (
    Complaint,
    Compliment,
    PerceptionResult,
    Resident,
    SatisfactionAnswer,
    SurveyComment,
)
from .base import Unit, audit, changed, clean, ident, reading, to_plain, transaction, update_fields


def _words(text: str | None, what: str, field: str) -> str:
    return L.require_text(text, what, field)


def _resident(u: Unit, resident_id: int | None) -> int | None:
    if resident_id in (None, ""):
        return None
    try:
        rid = int(resident_id)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise DomainError(f"There is no resident {resident_id!r}.", field="resident") from None
    u.get(Resident, rid, "resident")
    return rid


# satisfaction answers after a complaint closed ---------------------------------------------------


def _answer_since_closing(u: Unit, c: Complaint) -> SatisfactionAnswer | None:
    if c.closed_on is None:
        return None
    return u.session.exec(
        select(SatisfactionAnswer)
        .where(SatisfactionAnswer.complaint_id == c.id, SatisfactionAnswer.asked_on >= c.closed_on)
        .order_by(col(SatisfactionAnswer.id).desc())
    ).first()


def _check_closed(c: Complaint) -> dt.date:
    if c.state != L.CLOSED or c.closed_on is None:
        raise DomainError(
            f"Complaint {c.reference} is {c.state}: a resident is asked how satisfied they are "
            "once the complaint is closed.",
            field="complaint",
        )
    return c.closed_on


def record_satisfaction_answer(
    db,
    complaint: "int | str",
    answer: str,
    *,
    asked_on: dt.date | None = None,
    channel: str = "",
    comment: str = "",
) -> SatisfactionAnswer:
    """The resident's answer when asked, after the complaint closed, how satisfied they were."""
    from .complaints import _claim

    answer = S.check_answer(answer)
    with transaction(db) as u:
        c = _claim(u, complaint)  # held until the end: two people recording at once take turns
        closed_on = _check_closed(c)
        on = L.check_date(
            asked_on or u.today,
            u.today,
            what="question",
            not_before=closed_on,
            not_before_what="complaint's closure",
        )
        found = _answer_since_closing(u, c)
        if found is not None:
            raise DomainError(
                f"The resident's answer on complaint {c.reference} was already recorded "
                f"({S.answer_words(found.answer)}, asked {short_date(found.asked_on)}): "
                "correct that answer instead of adding another.",
                field="answer",
            )
        row = SatisfactionAnswer(
            complaint_id=ident(c), asked_on=on, channel=clean(channel), answer=answer, comment=clean(comment)
        )
        u.session.add(row)
        u.session.flush()
        audit(u, "satisfaction answer recorded", row, complaint_id=c.id)
        return row


def correct_satisfaction_answer(
    db,
    answer_id: int,
    answer: str,
    *,
    asked_on: dt.date | None = None,
    channel: str | None = None,
    comment: str | None = None,
) -> SatisfactionAnswer:
    """Put right an answer recorded wrongly; the audit log keeps what it said before."""
    from .complaints import _claim

    answer = S.check_answer(answer)
    with transaction(db) as u:
        row = u.get(SatisfactionAnswer, answer_id, "satisfaction answer")
        c = _claim(u, row.complaint_id)
        values: dict = {"answer": answer}
        if asked_on is not None:
            values["asked_on"] = L.check_date(
                asked_on,
                u.today,
                what="question",
                not_before=c.closed_on,
                not_before_what="complaint's closure",
            )
        if channel is not None:
            values["channel"] = clean(channel)
        if comment is not None:
            values["comment"] = clean(comment)
        return update_fields(u, row, "satisfaction answer corrected", complaint_id=c.id, **values)


@dataclass
class AnswerLine:
    id: int
    complaint_id: int
    asked_on: dt.date
    channel: str
    answer: str
    comment: str

    @property
    def words(self) -> str:
        return S.answer_words(self.answer)


def satisfaction_answers(db, complaint: "int | str") -> tuple[AnswerLine | None, list[AnswerLine]]:
    """(the answer given since the complaint last closed, or None; every answer, oldest first)."""
    from .complaints import _complaint

    with reading(db) as u:
        c = _complaint(u, complaint)
        rows = u.session.exec(
            select(SatisfactionAnswer)
            .where(SatisfactionAnswer.complaint_id == c.id)
            .order_by(col(SatisfactionAnswer.asked_on), col(SatisfactionAnswer.id))
        ).all()
        lines = [
            AnswerLine(r.id or 0, r.complaint_id, r.asked_on, r.channel, r.answer, r.comment) for r in rows
        ]
        current = None
        if c.state == L.CLOSED and c.closed_on is not None:
            current = next((x for x in reversed(lines) if x.asked_on >= c.closed_on), None)
        return current, lines


# TP09 --------------------------------------------------------------------------------------------


def _refuse_published(u: Unit, y: int) -> None:
    from .publishing import publication

    p = publication(u, y)
    if p is not None and p.is_published:
        raise DomainError(
            f"The figures for {year_label(y)} were published on {short_date(p.published_on)}, TP09 "
            f"with them: published figures stay as published. Reopen {year_label(y)} with a written "
            f"reason first (Reports, or smallhousing tsm --year {y} --reopen REASON), then enter "
            "the counts.",
            field="year",
        )


def _enter_tp09(u: Unit, y: int, counts: S.PerceptionCounts, method: str) -> PerceptionResult:
    _refuse_published(u, y)
    row = u.session.exec(select(PerceptionResult).where(PerceptionResult.year == y)).first()
    values: dict[str, Any] = {
        "measure": S.MEASURE,
        "satisfied": counts.satisfied,
        "neither": counts.neither,
        "dissatisfied": counts.dissatisfied,
        "dont_know": counts.dont_know,
        "method": method,
        "recorded_on": u.today,
    }
    if row is None:
        row = PerceptionResult(year=y, **values)
        u.session.add(row)
        u.session.flush()
        audit(u, f"TP09 counts entered for {year_label(y)}", row)
        return row
    # the counts before are kept in the audit entry (its "before")
    return update_fields(u, row, f"TP09 counts replaced for {year_label(y)}", **values)


def enter_tp09(
    db,
    year: "int | str",
    satisfied,
    neither,
    dissatisfied,
    dont_know=0,
    *,
    method: str = "",
) -> PerceptionResult:
    """A reporting year's TP09 counts from the perception survey (a director's work on a team's
    database: the table is a director's). Replacing a year's counts keeps the old ones in the audit
    log; a published year is refused until it is reopened."""
    y = parse_year(year)
    counts = S.check_counts(satisfied, neither, dissatisfied, dont_know)
    with transaction(db) as u:
        return _enter_tp09(u, y, counts, clean(method))


TP09_COLUMNS = ("year", "satisfied", "neither", "dissatisfied", "dont_know")


def read_tp09_csv(text: str) -> list[tuple[int, S.PerceptionCounts]]:
    """The rows of a TP09 file (year,satisfied,neither,dissatisfied,dont_know; dont_know may be
    left out), each checked; a DomainError names the line of the first problem."""
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text))
    rows = [r for r in reader if any(cell.strip() for cell in r)]
    if not rows:
        raise DomainError("The file is empty: it needs a heading line and a line for each year.")
    head = [h.strip().lower().replace("'", "").replace(" ", "_") for h in rows[0]]
    head = ["dont_know" if h in ("don_t_know", "dontknow") else h for h in head]
    missing = [c for c in TP09_COLUMNS[:4] if c not in head]
    if missing:
        raise DomainError(
            "The first line must name the columns "
            + ",".join(TP09_COLUMNS)
            + f"; it lacks {', '.join(missing)}."
        )
    out: list[tuple[int, S.PerceptionCounts]] = []
    seen: set[int] = set()
    for n, r in enumerate(rows[1:], start=2):
        cell = {h: (r[i].strip() if i < len(r) else "") for i, h in enumerate(head)}
        try:
            y = parse_year(cell["year"])
            counts = S.check_counts(
                cell["satisfied"], cell["neither"], cell["dissatisfied"], cell.get("dont_know", "")
            )
        except DomainError as exc:
            raise DomainError(f"Line {n}: {exc.message} Nothing was imported.") from None
        if y in seen:
            raise DomainError(f"Line {n}: {year_label(y)} is given twice. Nothing was imported.")
        seen.add(y)
        out.append((y, counts))
    if not out:
        raise DomainError("The file has a heading line but no years under it.")
    return out


def import_tp09(db, source: "str | Path", *, method: str = "") -> list[PerceptionResult]:
    """TP09 counts for one or more years from a small CSV file (or its text), in one transaction:
    every line is checked first, and any problem imports nothing."""
    if isinstance(source, Path):
        try:
            text = source.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            text = source.read_text(encoding="cp1252")
    else:
        text = source
    rows = read_tp09_csv(text)
    try:
        with transaction(db) as u:
            return [_enter_tp09(u, y, counts, clean(method)) for y, counts in rows]
    except DomainError as exc:
        raise DomainError(f"{exc.message} Nothing was imported.", field=exc.field) from None


# compliments -------------------------------------------------------------------------------------

COMPLIMENT_LOCK = 0x434D  # pg_advisory_xact_lock's first key for a year's compliment references


def _new_compliment_reference(u: Unit, received_on: dt.date) -> str:
    """CM-<year>-<number>, the year's next, chosen under a lock on PostgreSQL (as complaint
    references are) and checked against the records."""
    year = received_on.year
    if u.db.dialect != "sqlite":
        u.session.connection().exec_driver_sql(
            "SELECT pg_advisory_xact_lock(%s, %s)", (COMPLIMENT_LOCK, year)
        )
    prefix = f"CM-{year}-"
    last = u.session.exec(
        select(Compliment.reference)
        .where(col(Compliment.reference).like(prefix + "%"))
        .order_by(func.length(Compliment.reference).desc(), col(Compliment.reference).desc())
        .limit(1)
    ).first()
    n = int(last[len(prefix) :]) if last and last[len(prefix) :].isdigit() else 0
    ref = f"{prefix}{n + 1:04d}"
    while u.session.exec(select(Compliment.id).where(Compliment.reference == ref)).first():
        n += 1
        ref = f"{prefix}{n + 1:04d}"
    return ref


def log_compliment(
    db,
    received_on: dt.date,
    words: str,
    *,
    channel: str = "",
    team: str = "",
    resident_id: int | None = None,
) -> Compliment:
    """A compliment received about the service, in the resident's words."""
    words = _words(words, "the compliment in the resident's words", "words")
    with transaction(db) as u:
        on = L.check_date(received_on, u.today, what="compliment's receipt")
        rid = _resident(u, resident_id)
        row = Compliment(
            reference=_new_compliment_reference(u, on),
            received_on=on,
            channel=clean(channel),
            team=clean(team),
            words=words,
            resident_id=rid,
        )
        u.session.add(row)
        u.session.flush()
        audit(u, "compliment logged", row)
        return row


@dataclass
class ComplimentLine:
    id: int
    reference: str
    received_on: dt.date
    channel: str
    team: str
    words: str
    resident: str


def compliments(db, *, limit: int = 200) -> list[ComplimentLine]:
    """Compliments, newest first."""
    with reading(db) as u:
        rows = u.session.exec(
            select(Compliment, Resident.name)
            .join(Resident, col(Resident.id) == Compliment.resident_id, isouter=True)
            .order_by(col(Compliment.received_on).desc(), col(Compliment.id).desc())
            .limit(limit)
        ).all()
        return [
            ComplimentLine(c.id or 0, c.reference, c.received_on, c.channel, c.team, c.words, name or "")
            for c, name in rows
        ]


# survey comments ---------------------------------------------------------------------------------


def log_survey_comment(
    db, received_on: dt.date, words: str, *, survey: str = "", resident_id: int | None = None
) -> SurveyComment:
    """A survey comment that expresses dissatisfaction: the resident is to be sent how to complain
    (Code 1.6); until then it is on the worklist."""
    words = _words(words, "the comment in the resident's words", "words")
    with transaction(db) as u:
        on = L.check_date(received_on, u.today, what="comment's receipt")
        row = SurveyComment(
            received_on=on, survey=clean(survey), words=words, resident_id=_resident(u, resident_id)
        )
        u.session.add(row)
        u.session.flush()
        audit(u, "survey comment logged", row)
        return row


def record_how_to_complain_sent(db, comment_id: int, sent_on: dt.date, route: str) -> SurveyComment:
    """The resident was sent how to complain (Code 1.6): when, and how (letter, email, phone ...)."""
    if not has_words(route):
        raise DomainError(
            "Say how the resident was sent how to complain: a letter, an email, a phone call ...",
            field="route",
        )
    with transaction(db) as u:
        row = u.get(SurveyComment, comment_id, "survey comment")
        if row.how_to_complain_sent_on is not None:
            raise DomainError(
                f"How to complain was already sent on {short_date(row.how_to_complain_sent_on)} "
                f"({row.how_to_complain_route}).",
                field="sent_on",
            )
        on = L.check_date(
            sent_on, u.today, what="sending", not_before=row.received_on, not_before_what="comment's receipt"
        )
        return update_fields(
            u, row, "how to complain sent", how_to_complain_sent_on=on, how_to_complain_route=clean(route)
        )


def raise_complaint_from_comment(
    db, comment_id: int, received_on: dt.date, description: str, *, resident_id: int | None = None, **kw
) -> Complaint:
    """The resident wants the comment taken as a complaint: log one (the complaint logging service)
    and link it to the comment."""
    from .complaints import log_complaint

    with transaction(db) as u:
        row = u.get(SurveyComment, comment_id, "survey comment")
        if row.complaint_id is not None:
            c = u.get(Complaint, row.complaint_id, "complaint")
            raise DomainError(
                f"Complaint {c.reference} was already raised from this comment.", field="complaint"
            )
        rid = resident_id if resident_id not in (None, "") else row.resident_id
        if rid is None:
            raise DomainError("Choose the resident the complaint is from.", field="resident")
        if row.resident_id is not None and int(rid) != row.resident_id:
            raise DomainError(
                "The complaint must be from the resident who made the comment.", field="resident"
            )
        if received_on is not None and received_on < row.received_on:
            raise DomainError(
                "The complaint cannot be received before the comment it comes from "
                f"({short_date(row.received_on)}).",
                field="received_on",
            )
        c = log_complaint(u, int(rid), received_on, description, **kw)
        # set here, not through update_fields, whose own complaint_id names the audit entry's
        before = to_plain(row)
        row.complaint_id, row.resident_id = c.id, int(rid)
        u.session.add(row)
        b, a = changed(before, to_plain(row))
        audit(u, "complaint raised from survey comment", row, before=b, after=a, complaint_id=c.id)
        return c


@dataclass
class SurveyCommentLine:
    id: int
    received_on: dt.date
    survey: str
    words: str
    resident_id: int | None
    resident: str
    sent_on: dt.date | None
    route: str
    complaint_id: int | None
    complaint_reference: str
    due: dt.date  # the app's own target for sending how to complain


def survey_comments(db, *, limit: int = 200) -> list[SurveyCommentLine]:
    """Survey comments, those still owing how to complain first, then newest first."""
    with reading(db) as u:
        rows = u.session.exec(
            select(SurveyComment, Resident.name, Complaint.reference)
            .join(Resident, col(Resident.id) == SurveyComment.resident_id, isouter=True)
            .join(Complaint, col(Complaint.id) == SurveyComment.complaint_id, isouter=True)
            .order_by(col(SurveyComment.received_on).desc(), col(SurveyComment.id).desc())
            .limit(limit)
        ).all()
        cal = u.cal
        out = [
            SurveyCommentLine(
                s.id or 0,
                s.received_on,
                s.survey,
                s.words,
                s.resident_id,
                name or "",
                s.how_to_complain_sent_on,
                s.how_to_complain_route,
                s.complaint_id,
                ref or "",
                S.how_to_complain_due(cal, s.received_on).due,
            )
            for s, name, ref in rows
        ]
    return sorted(out, key=lambda x: (x.sent_on is not None, x.due if x.sent_on is None else dt.date.min))
