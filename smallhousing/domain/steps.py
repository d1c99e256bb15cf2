"""Rules about a complaint's steps that the use cases (services/complaints.py) and the bulk CSV
import (services/transfer.py) both ask, on plain values: the date a new step may not come before,
what has to happen next and by when, remedies and actions in a response, categories and the words
a list filters on. No I/O, no SQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

from . import lifecycle as L
from .calendar import Deadline, WorkingCalendar, short_date
from .errors import DomainError
from .rules import RuleSet, StageDates, stage_deadlines

# Code 7.1: the ways of putting things right
REMEDY_KINDS = (
    "apology",
    "acknowledging what went wrong",
    "explanation or assistance",
    "acting to put things right",
    "reconsidering a decision",
    "amending a record",
    "financial remedy",
    "changing policy or practice",
)

# what a response says when it lists no outstanding actions (6.9 f, 6.19 f)
NO_ACTIONS_STATEMENT = "There are no outstanding actions: nothing more is due from us."


def last_step(
    received_on: dt.date,
    stages: Iterable[tuple[int, dt.date | None, dt.date | None, dt.date | None]],
    refused_on: dt.date | None = None,
    escalation_refused_on: dt.date | None = None,
    closed_on: dt.date | None = None,
) -> tuple[dt.date, str]:
    """The date of the latest thing that happened to a complaint, and what it was, so that a new
    step cannot come before it. ``stages`` gives (number, requested_on, acknowledged_on,
    responded_on) of each stage, in the order of their numbers; a later step on the same day wins."""
    latest, what = received_on, "date the complaint was received"
    for number, requested, acknowledged, responded in stages:
        for d, w in (
            (requested, f"stage {number} request"),
            (acknowledged, f"stage {number} acknowledgement"),
            (responded, f"stage {number} response"),
        ):
            if d and d >= latest:
                latest, what = d, w
    for d, w in (
        (refused_on, "refusal"),
        (escalation_refused_on, "refusal to escalate"),
        (closed_on, "closure"),
    ):
        if d and d >= latest:
            latest, what = d, w
    return latest, what


def check_step_date(on: dt.date | None, today: dt.date, what: str, latest: tuple[dt.date, str]) -> dt.date:
    """The date of a new step (today when not given): not in the future, not before ``latest``
    (from ``last_step``)."""
    return L.check_date(on or today, today, what=what, not_before=latest[0], not_before_what=latest[1])


_STEP_WHEN_ANSWERED = {
    L.S1_RESPONDED: "close, or escalate if the resident asks",
    L.S2_RESPONDED: "close",
    L.ESCALATION_REFUSED: "close",
}
_WAITING = (L.RECEIVED, L.S1_ACKNOWLEDGED, L.S2_REQUESTED, L.S2_ACKNOWLEDGED)


def next_step(
    cal: WorkingCalendar | None, rules: RuleSet | None, state: str, stage: StageDates | None
) -> tuple[str, Deadline | None, dt.date | None]:
    """What has to happen next on a complaint in ``state`` whose current stage is ``stage``, the
    deadline, and the date stored on the complaint (the Code's date: an extension agreed too late,
    or not told to the resident, does not move it). ``cal`` and ``rules`` are needed only for a
    complaint waiting on the landlord with a stage: a caller may pass None for the others."""
    if state not in _WAITING:
        return _STEP_WHEN_ANSWERED.get(state, ""), None, None
    if stage is None:
        return "", None, None
    if cal is None or rules is None:
        raise ValueError(f"The deadline of a complaint that is {state} needs the calendar and the rules.")
    d = stage_deadlines(cal, rules, stage)
    if stage.acknowledged_on is None:
        if d.acknowledge_by is None:  # 2022 Code, stage 2: no acknowledgement deadline
            return f"acknowledge and respond at stage {stage.number}", d.respond_by, d.code_respond_by
        return f"acknowledge stage {stage.number}", d.acknowledge_by, d.acknowledge_by.due
    return f"respond at stage {stage.number}", d.respond_by, d.code_respond_by


def work_kind(step: str, stage: int) -> str:
    """A complaint's next step (``next_step``) as the short kind ``smallhousing due --json`` gives
    it: stage1-acknowledgement, stage1-response, stage2-acknowledgement, stage2-response; the step's
    words, hyphenated, for anything else."""
    if step.startswith("acknowledge and respond") or step.startswith("respond"):
        return f"stage{stage}-response"
    if step.startswith("acknowledge"):
        return f"stage{stage}-acknowledgement"
    return "-".join(step.lower().split()) or "step"


def parse_categories(categories) -> str:
    """Categories as stored: lower case, ';'-separated, each once, in the order given."""
    if isinstance(categories, str):
        items = [c.strip().lower() for c in categories.split(";")]
    else:
        items = [str(c).strip().lower() for c in (categories or [])]
    return ";".join(dict.fromkeys(i for i in items if i))


def search_text(reference: str, resident_name: str, description: str, categories: str) -> str:
    """The words the complaints list filters on."""
    parts = [reference, resident_name, description, categories]
    return " ".join(p for p in parts if p).lower()


def check_remedy(kind: str | None, description: str | None, amount_pence) -> tuple[str, str]:
    """A remedy offered (7.1): a kind from the Code's list, words saying what it is, an amount of
    whole pence (needed for a financial remedy). Returns the kind and description as stored."""
    k = (kind or "").strip().lower()
    if k not in REMEDY_KINDS:
        raise DomainError("Remedy kind must be one of: " + ", ".join(REMEDY_KINDS) + ".", field="kind")
    desc = L.require_text(description, "what the remedy is", "description")
    if isinstance(amount_pence, bool) or not isinstance(amount_pence, int) or amount_pence < 0:
        raise DomainError("A remedy's amount must be a whole number of pence, 0 or more.", field="amount")
    if k == "financial remedy" and amount_pence == 0:
        raise DomainError("A financial remedy needs an amount.", field="amount")
    return k, desc


def check_response_remedies(any_remedies: bool, remedy_statement: str | None) -> None:
    """A response offers remedies or says plainly that none is offered."""
    if not any_remedies and not (remedy_statement or "").strip():
        raise DomainError(
            "Say what is offered to put things right, or say plainly that no remedy is offered.",
            field="remedy_statement",
        )


def actions_statement_for(any_actions: bool, actions_statement: str | None) -> str:
    """What the response says about outstanding actions: with none listed and nothing said, that
    there are none (6.9 f, 6.19 f)."""
    text = (actions_statement or "").strip()
    if not any_actions and not text:
        return NO_ACTIONS_STATEMENT
    return text


def check_escalation_request(has_stage2: bool, escalation_refused_on: dt.date | None) -> None:
    """Stage 2 is requested once, and not after escalation was refused (5.11)."""
    if has_stage2:
        raise DomainError("Stage 2 has already been requested for this complaint.")
    if escalation_refused_on is not None:
        raise DomainError(
            f"Escalation was refused on {short_date(escalation_refused_on)}; the "
            "resident can take that decision to the Housing Ombudsman."
        )


def stages_answered_for_escalation(state: str, has_stage2: bool, stage1_responded: bool) -> int:
    """What ``lifecycle.next_state`` is told for a request to escalate: a complaint closed after a
    stage 1 response (and never at stage 2) may still be escalated."""
    return 1 if (state == L.CLOSED and not has_stage2 and stage1_responded) else 0


def staff_name_key(name: str) -> str:
    """A member of staff's name as compared: case and spacing do not make a different person."""
    return " ".join((name or "").strip().split()).casefold()
