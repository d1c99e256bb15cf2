"""The Code's timescales, per rule set, and the deadlines they give each stage."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Sequence

from .calendar import Deadline, WorkingCalendar, short_date
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
    # the stages that have an acknowledgement deadline (the 2022 Code sets none at stage 2)
    acknowledged_stages: tuple[int, ...] = (1, 2)

    @property
    def title(self) -> str:
        return f"Complaint Handling Code {self.code}"

    def acknowledge_days_at(self, number: int) -> int | None:
        """Working days to acknowledge at a stage, or None where this Code sets no deadline."""
        return self.acknowledge_days if number in self.acknowledged_stages else None

    def provision(self, key: str) -> str:
        """A provision labelled with its Code, e.g. '2022 Code 5.13' ('' when there is none)."""
        number = self.provisions.get(key, "")
        return f"{self.code} Code {number}" if number else ""


RULES_2024 = RuleSet(
    code="2024",
    acknowledge_days=5,
    respond_days={1: 10, 2: 20},
    extension_cap={1: 10, 2: 20},
    respond_from={1: "acknowledged", 2: "acknowledged"},
    provisions={
        "ack1": "6.2",
        "respond1": "6.3",
        "extend1": "6.4",
        "ack2": "6.11",
        "different2": "6.13",
        "respond2": "6.14",
        "extend2": "6.15",
    },
)

RULES_2022 = RuleSet(
    code="2022",
    acknowledge_days=5,
    respond_days={1: 10, 2: 20},
    extension_cap={1: 10, 2: 10},
    respond_from={1: "acknowledged", 2: "requested"},
    # 2022 Code: 4.1 log and acknowledge in 5 days; 5.1 stage 1 response and its extension;
    # 5.10 setting out the understanding of an escalation on receipt (no deadline); 5.12 a
    # different person at stage 2; 5.13 stage 2 response and its extension
    provisions={
        "ack1": "4.1",
        "respond1": "5.1",
        "extend1": "5.1",
        "ack2": "5.10",
        "different2": "5.12",
        "respond2": "5.13",
        "extend2": "5.13",
    },
    acknowledged_stages=(1,),
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
class ExtensionDates:
    """One extension as the Code looks at it (6.4, 6.15)."""

    new_due: dt.date
    agreed_on: dt.date | None = None  # None: not known, taken as agreed in time
    told: bool = True  # the resident was told of it
    good_reason: str = ""  # needed when the new date is past the cap


@dataclass(frozen=True)
class StageDates:
    """What has happened at one stage, as dates (None where it has not happened)."""

    number: int
    requested_on: dt.date  # the complaint's receipt for stage 1, the escalation request for stage 2
    acknowledged_on: dt.date | None = None
    responded_on: dt.date | None = None
    extended_to: Sequence[dt.date] = ()  # each extension's new due date, in the order given
    # each extension in full; when empty, ``extended_to`` is read as extensions agreed in time and
    # told to the resident
    extensions: Sequence[ExtensionDates] = ()

    @property
    def all_extensions(self) -> tuple[ExtensionDates, ...]:
        if self.extensions:
            return tuple(self.extensions)
        return tuple(ExtensionDates(d) for d in self.extended_to)


@dataclass(frozen=True)
class ExtensionVerdict:
    """Whether one extension moves the Code's date, and why, in words."""

    extension: ExtensionDates
    counts: bool
    in_force_before: dt.date  # the response date the Code held just before this extension
    reasons: tuple[str, ...]  # why it does not count (empty when it counts)

    def explain(self) -> str:
        to = short_date(self.extension.new_due)
        if self.counts:
            when = (
                f"agreed on {short_date(self.extension.agreed_on)}"
                if self.extension.agreed_on
                else "taken as agreed in time"
            )
            return (
                f"The extension to {to} counts under the Code: it was {when}, when the response "
                f"was due on {short_date(self.in_force_before)}, and the resident was told of it."
            )
        return f"The extension to {to} does not count under the Code: " + "; and ".join(self.reasons) + "."


def judge_extensions(
    respond_due: dt.date, cap_due: dt.date, extensions: Sequence[ExtensionDates]
) -> tuple[dt.date | None, tuple[ExtensionVerdict, ...]]:
    """Which extensions move the Code's response date (6.4, 6.15), in the order they were made.

    An extension counts when it was agreed no later than the response date in force just before
    it (the last date that counted), the resident was told of it, and it stays within the cap or a
    good reason is recorded. Returns the latest date that counts (None if none does) and a verdict
    for each extension.
    """
    in_force, counted, verdicts = respond_due, None, []
    for e in extensions:
        reasons = []
        if e.agreed_on is not None and e.agreed_on > in_force:
            reasons.append(
                f"it was agreed on {short_date(e.agreed_on)}, after the response was due "
                f"on {short_date(in_force)}"
            )
        if not e.told:
            reasons.append("the resident has not been told of it")
        if e.new_due > cap_due and not (e.good_reason or "").strip():
            reasons.append(
                f"it goes past {short_date(cap_due)}, the furthest an extension may go, "
                "without a good reason recorded"
            )
        verdicts.append(ExtensionVerdict(e, not reasons, in_force, tuple(reasons)))
        if not reasons and e.new_due > in_force:
            in_force = counted = e.new_due
    return counted, tuple(verdicts)


def response_start(
    rules: RuleSet,
    number: int,
    requested_on: dt.date,
    acknowledged_on: dt.date | None,
    acknowledge_due: dt.date | None,
) -> dt.date | None:
    """The day the response clock starts: the acknowledgement, or the day it was due if that is
    earlier (a late acknowledgement gives no extra time), or the request where the Code says so."""
    if rules.respond_from[number] != "acknowledged":
        return requested_on
    if acknowledged_on is None:
        return None
    if acknowledge_due is not None and acknowledge_due < acknowledged_on:
        return acknowledge_due
    return acknowledged_on


@dataclass(frozen=True)
class StageDeadlines:
    acknowledge_by: Deadline | None  # None where the Code sets no acknowledgement deadline
    respond_by: Deadline | None  # before extensions; None until its start date is known
    extended_to: dt.date | None  # the latest extension's date, whether or not it counts
    cap: Deadline | None  # the furthest an extension may go without a good reason
    counted_to: dt.date | None = None  # the latest extension's date that counts under the Code
    extensions: tuple[ExtensionVerdict, ...] = ()

    @property
    def final_respond_by(self) -> dt.date | None:
        """The date promised to the resident: the latest extension's, or the Code's date."""
        if self.extended_to is not None:
            return self.extended_to
        return self.respond_by.due if self.respond_by else None

    @property
    def code_respond_by(self) -> dt.date | None:
        """The date the Code holds the response to: extensions count only when within the Code."""
        if self.counted_to is not None:
            return self.counted_to
        return self.respond_by.due if self.respond_by else None

    def explain_response(self) -> str:
        """Why the response is due when it is, in words ('' until the clock starts)."""
        if self.respond_by is None:
            return ""
        lines = [self.respond_by.explain() + "."]
        lines += [v.explain() for v in self.extensions]
        code_date = self.code_respond_by
        if self.extensions and code_date is not None:
            lines.append(f"The Code's date for the response is {short_date(code_date)}.")
        return " ".join(lines)


def stage_deadlines(cal: WorkingCalendar, rules: RuleSet, stage: StageDates) -> StageDeadlines:
    n = stage.number
    days = rules.acknowledge_days_at(n)
    ack = None if days is None else cal.add(stage.requested_on, days, label=f"acknowledge stage {n}")
    base = response_start(rules, n, stage.requested_on, stage.acknowledged_on, ack.due if ack else None)
    respond = cap = None
    counted: dt.date | None = None
    verdicts: tuple[ExtensionVerdict, ...] = ()
    if base is not None:
        respond = cal.add(base, rules.respond_days[n], label=f"respond at stage {n}")
        if (
            rules.respond_from[n] == "acknowledged"
            and stage.acknowledged_on is not None
            and stage.acknowledged_on != base
        ):
            respond = replace(
                respond,
                note=(
                    f"counted from the day the acknowledgement was due, not from the late "
                    f"acknowledgement on {short_date(stage.acknowledged_on)}: a late acknowledgement "
                    "gives no extra time"
                ),
            )
        elif rules.respond_from[n] == "requested" and n == 2:
            respond = replace(
                respond, note=f"counted from the request to escalate, as the {rules.code} Code sets"
            )
        cap = cal.add(respond.due, rules.extension_cap[n], label=f"extension limit at stage {n}")
        counted, verdicts = judge_extensions(respond.due, cap.due, stage.all_extensions)
    extended = (
        stage.extended_to[-1]
        if stage.extended_to
        else (stage.extensions[-1].new_due if stage.extensions else None)
    )
    return StageDeadlines(ack, respond, extended, cap, counted, verdicts)


ON_TIME, DUE_SOON, OVERDUE = "on time", "due soon", "overdue"
DUE_SOON_DAYS = 2


def working_days_left(cal: WorkingCalendar, due: dt.date, today: dt.date) -> int:
    """Working days from today to the deadline; negative once it has passed. A deadline that
    passed on the last working day is at least one day late, even at a weekend (when no working
    day lies between the two)."""
    n = cal.count(today, due)
    return min(n, -1) if today > due else n


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


def stage_timings(
    cal: WorkingCalendar, rules: RuleSet, stage: StageDates, extension_within_code: bool = True
) -> list[StepTiming]:
    """Whether acknowledgement and response at a stage were (or so far are) on time.

    An extension moves the response date only when it is within the Code (``judge_extensions``);
    ``extension_within_code=False`` sets every extension aside. A stage whose Code sets no
    acknowledgement deadline (2022 Code, stage 2) has no acknowledgement step.
    """
    d = stage_deadlines(cal, rules, stage)
    steps = []
    if d.acknowledge_by is not None:
        steps.append(
            StepTiming(
                "acknowledge",
                d.acknowledge_by.due,
                stage.acknowledged_on,
                None if stage.acknowledged_on is None else stage.acknowledged_on <= d.acknowledge_by.due,
            )
        )
    if d.respond_by is not None:
        due = d.code_respond_by if extension_within_code else None
        due = due or d.respond_by.due
        steps.append(
            StepTiming(
                "respond",
                due,
                stage.responded_on,
                None if stage.responded_on is None else stage.responded_on <= due,
            )
        )
    return steps
