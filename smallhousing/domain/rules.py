"""The Code's timescales, per rule set, and the deadlines they give each stage."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Sequence

from .calendar import Deadline, WorkingCalendar
from .errors import DomainError

CODE_2024_START = dt.date(2024, 4, 1)


@dataclass(frozen=True)
class RuleSet:
    """Timescales of one edition of the Code, in working days."""

    code: str
    acknowledge_days: int
    respond_days: dict[int, int]
    extension_cap: dict[int, int]
    # what the response clock runs from at each stage: "acknowledged" or "requested"
    respond_from: dict[int, str]
    provisions: dict[str, str]

    @property
    def title(self) -> str:
        return f"Complaint Handling Code {self.code}"


RULES_2024 = RuleSet(
    code="2024",
    acknowledge_days=5,
    respond_days={1: 10, 2: 20},
    extension_cap={1: 10, 2: 20},
    respond_from={1: "acknowledged", 2: "acknowledged"},
    provisions={"ack1": "6.2", "respond1": "6.3", "extend1": "6.4", "ack2": "6.11",
                "respond2": "6.14", "extend2": "6.15"},
)

RULES_2022 = RuleSet(
    code="2022",
    acknowledge_days=5,
    respond_days={1: 10, 2: 20},
    extension_cap={1: 10, 2: 10},
    respond_from={1: "acknowledged", 2: "requested"},
    provisions={"ack1": "4.1", "respond1": "5.1", "extend1": "5.1", "ack2": "5.12",
                "respond2": "5.13", "extend2": "5.13"},
)

RULE_SETS = {"2024": RULES_2024, "2022": RULES_2022}


def rule_set_for(received_on: dt.date) -> RuleSet:
    """The Code in force on the day a complaint was received."""
    return RULES_2024 if received_on >= CODE_2024_START else RULES_2022


def rule_set(code: str) -> RuleSet:
    try:
        return RULE_SETS[str(code)]
    except KeyError:
        raise DomainError(f"Unknown rule set {code!r}: use 2024 or 2022.") from None


@dataclass(frozen=True)
class StageDates:
    """What has happened at one stage, as dates (None where it has not happened)."""

    number: int
    requested_on: dt.date  # the complaint's receipt for stage 1, the escalation request for stage 2
    acknowledged_on: dt.date | None = None
    responded_on: dt.date | None = None
    extended_to: Sequence[dt.date] = ()  # each extension's new due date, in the order given


@dataclass(frozen=True)
class StageDeadlines:
    acknowledge_by: Deadline
    respond_by: Deadline | None  # before extensions; None until its start date is known
    extended_to: dt.date | None  # the latest extension's date
    cap: Deadline | None  # the furthest an extension may go without a good reason

    @property
    def final_respond_by(self) -> dt.date | None:
        if self.extended_to is not None:
            return self.extended_to
        return self.respond_by.due if self.respond_by else None


def stage_deadlines(cal: WorkingCalendar, rules: RuleSet, stage: StageDates) -> StageDeadlines:
    n = stage.number
    ack = cal.add(stage.requested_on, rules.acknowledge_days, label=f"acknowledge stage {n}")
    base = stage.acknowledged_on if rules.respond_from[n] == "acknowledged" else stage.requested_on
    respond = cap = None
    if base is not None:
        respond = cal.add(base, rules.respond_days[n], label=f"respond at stage {n}")
        cap = cal.add(respond.due, rules.extension_cap[n], label=f"extension limit at stage {n}")
    extended = stage.extended_to[-1] if stage.extended_to else None
    return StageDeadlines(ack, respond, extended, cap)


ON_TIME, DUE_SOON, OVERDUE = "on time", "due soon", "overdue"
DUE_SOON_DAYS = 2


def deadline_status(cal: WorkingCalendar, due: dt.date, today: dt.date) -> str:
    """On time, due soon (2 working days or fewer left) or overdue."""
    if today > due:
        return OVERDUE
    if cal.count(today, due) <= DUE_SOON_DAYS:
        return DUE_SOON
    return ON_TIME


@dataclass(frozen=True)
class StepTiming:
    step: str
    due: dt.date
    done_on: dt.date | None
    on_time: bool | None  # None while not yet done


def stage_timings(cal: WorkingCalendar, rules: RuleSet, stage: StageDates,
                  extension_within_code: bool = True) -> list[StepTiming]:
    """Whether acknowledgement and response at a stage were (or so far are) on time.

    ``extension_within_code``: every extension was within the cap or had a good reason, so the
    extended date counts as the Code's timescale for the response.
    """
    d = stage_deadlines(cal, rules, stage)
    steps = [StepTiming("acknowledge", d.acknowledge_by.due, stage.acknowledged_on,
                        None if stage.acknowledged_on is None
                        else stage.acknowledged_on <= d.acknowledge_by.due)]
    if d.respond_by is not None:
        due = d.final_respond_by if extension_within_code else d.respond_by.due
        steps.append(StepTiming("respond", due, stage.responded_on,
                                None if stage.responded_on is None else stage.responded_on <= due))
    return steps
