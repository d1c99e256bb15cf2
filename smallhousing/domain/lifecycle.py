"""A complaint's life, as states and the actions that move between them.

Every service that changes a complaint asks this module first; a refused step raises
DomainError with a sentence the user can act on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .calendar import WorkingCalendar, short_date
from .errors import DomainError
from .rules import RuleSet, StageDates, stage_deadlines
from .words import has_words

RECEIVED = "received"
REFUSED = "refused"
S1_ACKNOWLEDGED = "stage 1 acknowledged"
S1_RESPONDED = "stage 1 responded"
S2_REQUESTED = "stage 2 requested"
S2_ACKNOWLEDGED = "stage 2 acknowledged"
S2_RESPONDED = "stage 2 responded"
ESCALATION_REFUSED = "escalation refused"
CLOSED = "closed"
WITHDRAWN = "withdrawn"

STATES = (
    RECEIVED,
    REFUSED,
    S1_ACKNOWLEDGED,
    S1_RESPONDED,
    S2_REQUESTED,
    S2_ACKNOWLEDGED,
    S2_RESPONDED,
    ESCALATION_REFUSED,
    CLOSED,
    WITHDRAWN,
)
OPEN_STATES = (
    RECEIVED,
    S1_ACKNOWLEDGED,
    S1_RESPONDED,
    S2_REQUESTED,
    S2_ACKNOWLEDGED,
    S2_RESPONDED,
    ESCALATION_REFUSED,
)
FINISHED_STATES = (REFUSED, CLOSED, WITHDRAWN)

UPHELD, PARTLY_UPHELD, NOT_UPHELD = "upheld", "partly upheld", "not upheld"
DECISIONS = (UPHELD, PARTLY_UPHELD, NOT_UPHELD)

# Section 2 of the Code: the grounds on which a complaint may be refused.
EXCLUSION_GROUNDS = {
    "older than 12 months": "The issue arose more than 12 months before it was raised (2.2).",
    "legal proceedings": "Legal proceedings have started: a claim has been filed at court (2.2).",
    "already considered": "The matter has already been considered under the complaints policy (2.2).",
    "other": "Another reason, set out in full in the reasons (2.1, 2.5).",
}

CHANNELS = (
    "phone",
    "email",
    "letter",
    "in person",
    "online form",
    "social media",
    "text message",
    "via representative",
    "via councillor or MP",
    "other",
)

ACTION_NAMES = {
    "refuse": "refuse the complaint",
    "acknowledge": "acknowledge",
    "extend": "extend the response deadline",
    "respond": "respond",
    "request_stage2": "escalate to stage 2",
    "refuse_escalation": "refuse escalation",
    "close": "close",
    "withdraw": "withdraw",
    "fold": "add an additional complaint",
}

# (action, state) -> new state
_TRANSITIONS: dict[tuple[str, str], str] = {
    ("refuse", RECEIVED): REFUSED,
    # a section 2 ground can come to light after acknowledgement (a claim filed at court mid-case);
    # once stage 1 has been answered it is too late to refuse: only escalation can be refused
    ("refuse", S1_ACKNOWLEDGED): REFUSED,
    ("acknowledge", RECEIVED): S1_ACKNOWLEDGED,
    ("acknowledge", S2_REQUESTED): S2_ACKNOWLEDGED,
    ("extend", S1_ACKNOWLEDGED): S1_ACKNOWLEDGED,
    ("extend", S2_ACKNOWLEDGED): S2_ACKNOWLEDGED,
    ("respond", S1_ACKNOWLEDGED): S1_RESPONDED,
    ("respond", S2_ACKNOWLEDGED): S2_RESPONDED,
    ("request_stage2", S1_RESPONDED): S2_REQUESTED,
    ("request_stage2", CLOSED): S2_REQUESTED,  # only after a stage 1 response: checked below
    ("refuse_escalation", S1_RESPONDED): ESCALATION_REFUSED,
    ("refuse_escalation", S2_REQUESTED): ESCALATION_REFUSED,
    ("close", S1_RESPONDED): CLOSED,
    ("close", S2_RESPONDED): CLOSED,
    ("close", ESCALATION_REFUSED): CLOSED,
    ("fold", RECEIVED): RECEIVED,
    ("fold", S1_ACKNOWLEDGED): S1_ACKNOWLEDGED,
}
for _s in (RECEIVED, S1_ACKNOWLEDGED, S1_RESPONDED, S2_REQUESTED, S2_ACKNOWLEDGED):
    _TRANSITIONS[("withdraw", _s)] = WITHDRAWN

_WHY_NOT = {
    REFUSED: "it was refused",
    CLOSED: "it is closed",
    WITHDRAWN: "it was withdrawn",
    RECEIVED: "it has not been acknowledged yet",
    S1_ACKNOWLEDGED: "stage 1 is still open",
    S1_RESPONDED: "stage 1 has been answered",
    S2_REQUESTED: "stage 2 has been requested but not acknowledged",
    S2_ACKNOWLEDGED: "stage 2 is still open",
    S2_RESPONDED: "stage 2 has been answered",
    ESCALATION_REFUSED: "escalation was refused",
}


def allowed_actions(state: str, stages_answered: int = 0) -> list[str]:
    """The actions open to a complaint in ``state``."""
    acts = [a for (a, s) in _TRANSITIONS if s == state]
    if state == CLOSED and stages_answered != 1:
        acts = [a for a in acts if a != "request_stage2"]
    return acts


def next_state(state: str, action: str, *, stages_answered: int = 0) -> str:
    """The state after ``action``, or DomainError saying why it cannot be done now."""
    if state not in STATES:
        raise DomainError(f"Unknown complaint state {state!r}.")
    if action not in ACTION_NAMES:
        raise DomainError(f"Unknown action {action!r}.")
    new = _TRANSITIONS.get((action, state))
    if new is None or (action == "request_stage2" and state == CLOSED and stages_answered != 1):
        reason = _WHY_NOT.get(state, state)
        if action == "request_stage2" and state == CLOSED:
            reason = "it was closed without a stage 1 response to escalate from"
        raise DomainError(f"Cannot {ACTION_NAMES[action]} this complaint: {reason}.")
    return new


def check_date(
    day: dt.date | None,
    today: dt.date,
    *,
    what: str,
    not_before: dt.date | None = None,
    not_before_what: str = "",
) -> dt.date:
    """A date for a step: given, not in the future, not before the step it follows."""
    if day is None:
        raise DomainError(f"Give the date of the {what}.", field="date")
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise DomainError(f"The date of the {what} is not a date.", field="date")
    if day > today:
        raise DomainError(
            f"The date of the {what} ({short_date(day)}) is in the future; today is {short_date(today)}.",
            field="date",
        )
    if not_before is not None and day < not_before:
        raise DomainError(
            f"The date of the {what} ({short_date(day)}) is before the {not_before_what} "
            f"({short_date(not_before)}).",
            field="date",
        )
    return day


def require_text(value: str | None, what: str, field: str | None = None) -> str:
    """Typed text that must say something: empty, or only punctuation, spaces or invisible
    characters, is refused."""
    text = (value or "").strip()
    if not text:
        raise DomainError(f"{what[0].upper()}{what[1:]} cannot be empty.", field=field)
    if not has_words(text):
        raise DomainError(
            f"{what[0].upper()}{what[1:]} must be written in words, not only punctuation or spaces.",
            field=field,
        )
    return text


def check_stage2_handler(stage1_handlers, stage2_handler: int | None, stage2_name: str = "") -> None:
    """Code 6.13: stage 2 is considered by a different person from anyone who handled stage 1.

    ``stage1_handlers`` is every member of staff who handled stage 1 at any time (the stage's
    handler history, not only its handler now); ``stage2_name`` names the one chosen, for the
    message."""
    if stage2_handler is None:
        raise DomainError("Choose who will handle stage 2.", field="handler")
    if stage2_handler in set(stage1_handlers or ()):
        who = stage2_name or "the person chosen"
        raise DomainError(
            f"Stage 2 must be handled by someone other than {who}, who handled stage 1 (Code 6.13).",
            field="handler",
        )


def check_decision(decision: str | None, reasons: str | None) -> tuple[str, str]:
    d = (decision or "").strip().lower()
    if d not in DECISIONS:
        raise DomainError("Choose a decision: upheld, partly upheld or not upheld.", field="decision")
    return d, require_text(reasons, "the reasons for the decision", field="reasons")


OLDER_THAN_12_MONTHS = "older than 12 months"


def twelve_months_after(day: dt.date) -> dt.date:
    """The same day a year later (29 February gives 28 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def check_section2_dates(
    issue_arose_on: dt.date | None, aware_on: dt.date | None, received_on: dt.date
) -> None:
    """When the issue arose and when the resident learnt of it: neither after the complaint was
    received, and the resident cannot learn of an issue before it arose."""
    for day, what, field in (
        (issue_arose_on, "day the issue arose", "issue_arose_on"),
        (aware_on, "day the resident became aware of it", "aware_on"),
    ):
        if day is None:
            continue
        if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
            raise DomainError(f"The {what} is not a date.", field=field)
        if day > received_on:
            raise DomainError(
                f"The {what} ({short_date(day)}) is after the complaint was received "
                f"({short_date(received_on)}).",
                field=field,
            )
    if issue_arose_on and aware_on and aware_on < issue_arose_on:
        raise DomainError(
            f"The resident cannot have become aware of the issue ({short_date(aware_on)}) "
            f"before it arose ({short_date(issue_arose_on)}).",
            field="aware_on",
        )


def check_exclusion(
    ground: str | None,
    reason: str | None,
    *,
    received_on: dt.date | None = None,
    issue_arose_on: dt.date | None = None,
    aware_on: dt.date | None = None,
    discretion_note: str | None = "",
) -> tuple[str, str]:
    """A section 2 ground with reasons. The 12-month ground (2.2, 2.3) is judged from the dates:
    the complaint must have been made more than 12 months after the issue arose and after the
    resident became aware of it (the later of the two recorded), and a note must say that taking
    it on anyway was considered."""
    g = (ground or "").strip().lower()
    if g not in EXCLUSION_GROUNDS:
        raise DomainError(
            "Choose a ground for refusing: " + ", ".join(EXCLUSION_GROUNDS) + ".", field="ground"
        )
    reason_text = require_text(reason, "the reason for refusing", field="reason")
    if g == OLDER_THAN_12_MONTHS:
        known = [d for d in (issue_arose_on, aware_on) if d is not None]
        if not known:
            raise DomainError(
                "Record when the issue arose or when the resident became aware of it "
                "before refusing it as more than 12 months old.",
                field="issue_arose_on",
            )
        if received_on is not None:
            check_section2_dates(issue_arose_on, aware_on, received_on)
            latest = max(known)
            if received_on <= twelve_months_after(latest):
                what = "the resident became aware of the issue" if aware_on == latest else "the issue arose"
                raise DomainError(
                    f"The complaint was made within 12 months of when {what} ({short_date(latest)}), "
                    "so it cannot be refused as too old.",
                    field="ground",
                )
        if not (discretion_note or "").strip() or not has_words(discretion_note or ""):
            raise DomainError(
                "Note how discretion to accept an older complaint was considered "
                "before refusing it as more than 12 months old.",
                field="discretion_note",
            )
    return g, reason_text


@dataclass(frozen=True)
class ExtensionCheck:
    new_due: dt.date
    cap: dt.date
    beyond_cap: bool


def check_extension(
    cal: WorkingCalendar,
    rules: RuleSet,
    stage: StageDates,
    new_due: dt.date,
    reason: str | None,
    good_reason: str | None,
) -> ExtensionCheck:
    """Code 6.4 / 6.15: an extension has a reason; past the cap it needs a good reason too."""
    if stage.acknowledged_on is None:
        raise DomainError("Acknowledge the stage before extending its deadline.")
    if stage.responded_on is not None:
        raise DomainError("This stage has already been answered; there is nothing to extend.")
    require_text(reason, "the reason for the extension", field="reason")
    d = stage_deadlines(cal, rules, stage)
    current = d.final_respond_by
    assert d.cap is not None and current is not None
    if not isinstance(new_due, dt.date) or isinstance(new_due, dt.datetime):
        raise DomainError("Give the new response date.", field="new_due")
    if new_due <= current:
        raise DomainError(
            f"The new date must be after the current response date, {short_date(current)}.", field="new_due"
        )
    if not cal.is_working_day(new_due):
        raise DomainError(
            f"{short_date(new_due)} is not a working day ({cal.why_not_working(new_due)}); "
            "choose a working day.",
            field="new_due",
        )
    beyond = new_due > d.cap.due
    if beyond and not (good_reason or "").strip():
        cap_days = rules.extension_cap[stage.number]
        raise DomainError(
            f"{short_date(new_due)} is past the limit of {cap_days} extra working days "
            f"({short_date(d.cap.due)}); give a good reason to go further.",
            field="good_reason",
        )
    return ExtensionCheck(new_due, d.cap.due, beyond)
