"""Awaab's Law: the clocks of a hazard reported to the landlord.

The Hazards in Social Housing (Prescribed Requirements) (England) Regulations 2025, in force from
27 October 2025 (phase 1: damp and mould hazards, and emergency hazards of any kind).

Every timescale is in ``CLOCK_RULES``, one row per clock, so that a change in the law is made in
one place. The clocks run from the day (and, for an emergency, the time) the landlord became aware
of the hazard, and from the day its investigation concluded.

Working days here are the regulations' own: every day but Saturdays, Sundays and bank holidays in
England. The landlord's closure days do not stop a hazard clock (unlike the Complaint Handling
Code's deadlines): ``hazard_calendar`` is a calendar without them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterable, Mapping

from .calendar import WorkingCalendar
from .dates import short_date
from .errors import DomainError
from .lifecycle import require_text

REGULATIONS = "Hazards in Social Housing (Prescribed Requirements) (England) Regulations 2025"
IN_FORCE = dt.date(2025, 10, 27)

DAMP_MOULD, EMERGENCY = "damp-mould", "emergency"
KINDS = (DAMP_MOULD, EMERGENCY)
KIND_WORDS = {DAMP_MOULD: "damp and mould", EMERGENCY: "emergency"}

# the clocks, by key
INVESTIGATE, MAKE_SAFE, SUMMARY, SAFETY_WORK, FURTHER_WORK = (
    "investigate",
    "make-safe",
    "summary",
    "safety-work",
    "further-work",
)
STEPS = (INVESTIGATE, SUMMARY, SAFETY_WORK, FURTHER_WORK, MAKE_SAFE)

HOURS, WORKING_DAYS, CALENDAR_DAYS = "hours", "working days", "days"
FROM_AWARE, FROM_INVESTIGATION = "aware", "investigated"

MET, LATE, OPEN = "met", "late", "open"


@dataclass(frozen=True)
class ClockRule:
    """One timescale of the regulations."""

    key: str  # investigate, make-safe, summary, safety-work, further-work
    hazard_kind: str  # damp-mould or emergency
    amount: int
    unit: str  # hours, working days, days
    runs_from: str  # aware (the landlord became aware) or investigated (the investigation ended)
    words: str  # what is to be done, for a sentence: "investigate the hazard"

    @property
    def work_kind(self) -> str:
        """The kind the worklist gives this step: hazard-investigate, hazard-make-safe ..."""
        return f"hazard-{self.key}"

    @property
    def span(self) -> str:
        unit = self.unit[:-1] if self.amount == 1 else self.unit
        if self.unit == CALENDAR_DAYS and self.amount % 7 == 0:
            return f"{self.amount // 7} weeks ({self.amount} days)"
        return f"{self.amount} {unit}"


# The regulations' timescales: change them here and nowhere else.
CLOCK_RULES: tuple[ClockRule, ...] = (
    # an emergency hazard: investigated and made safe within 24 hours of the landlord becoming aware
    ClockRule(INVESTIGATE, EMERGENCY, 24, HOURS, FROM_AWARE, "investigate the emergency hazard"),
    ClockRule(MAKE_SAFE, EMERGENCY, 24, HOURS, FROM_AWARE, "make the home safe"),
    # a damp and mould report: investigated within 10 working days of the landlord becoming aware
    ClockRule(INVESTIGATE, DAMP_MOULD, 10, WORKING_DAYS, FROM_AWARE, "investigate the damp and mould"),
    # a written summary of the findings to the tenant within 3 working days of the investigation
    ClockRule(SUMMARY, DAMP_MOULD, 3, WORKING_DAYS, FROM_INVESTIGATION, "send the tenant a written summary"),
    # a significant hazard: relevant safety work begun within 5 working days of the investigation
    ClockRule(SAFETY_WORK, DAMP_MOULD, 5, WORKING_DAYS, FROM_INVESTIGATION, "begin the safety work"),
    # further work that cannot begin sooner: physically started within 12 weeks of the investigation
    # (steps to begin it are taken within the 5 working days of the safety-work clock)
    ClockRule(FURTHER_WORK, DAMP_MOULD, 84, CALENDAR_DAYS, FROM_INVESTIGATION, "start the further work"),
)


def rule(hazard_kind: str, key: str) -> ClockRule:
    for r in CLOCK_RULES:
        if r.hazard_kind == hazard_kind and r.key == key:
            return r
    raise DomainError(f"A {KIND_WORDS.get(hazard_kind, hazard_kind)} hazard has no {key} clock.")


CLOSURES_DO_NOT_COUNT = (
    "the landlord's closure days do not stop a hazard clock: the regulations leave out only "
    "weekends and bank holidays"
)


def hazard_calendar() -> WorkingCalendar:
    """Working days as the regulations count them: weekends and bank holidays in England left out,
    and nothing else (no closure days)."""
    return _CALENDAR


_CALENDAR = WorkingCalendar()


def check_kind(kind: str | None) -> str:
    k = (kind or "").strip().lower().replace(" and ", "-").replace(" ", "-")
    if k in ("damp", "mould", "damp-mold", "damp-and-mould"):
        k = DAMP_MOULD
    if k not in KINDS:
        raise DomainError("A hazard is damp-mould or emergency.", field="kind")
    return k


@dataclass(frozen=True)
class HazardDates:
    """What has happened to a hazard, as recorded (None where it has not happened)."""

    kind: str
    aware_on: dt.date
    aware_time: dt.time | None = None
    investigated_on: dt.date | None = None
    investigated_time: dt.time | None = None
    significant: bool | None = None
    summary_sent_on: dt.date | None = None
    safety_work_begun_on: dt.date | None = None
    further_work_needed: bool = False
    further_work_started_on: dt.date | None = None
    made_safe_on: dt.date | None = None
    made_safe_time: dt.time | None = None
    closed_on: dt.date | None = None


@dataclass(frozen=True)
class Clock:
    """One clock of a hazard: when its step is due, whether it was done in time, and why."""

    rule: ClockRule
    start: dt.date
    due: dt.date
    due_at: dt.datetime | None  # an emergency's clock runs in hours
    done_on: dt.date | None
    done_at: dt.datetime | None
    state: str  # met, late, open
    explanation: str

    @property
    def key(self) -> str:
        return self.rule.key

    @property
    def kind(self) -> str:
        return self.rule.work_kind

    @property
    def step(self) -> str:
        """The step in words, for the worklist: 'investigate the damp and mould by Fri 5 Jun'."""
        if self.due_at is not None:
            return f"{self.rule.words} by {self.due_at:%H:%M} on {short_date(self.due)}"
        return self.rule.words

    def overdue(self, today: dt.date, now: dt.datetime | None = None) -> bool:
        """Still open and past its due date (or, in hours, its due time when ``now`` is given)."""
        if self.state != OPEN:
            return False
        if self.due_at is not None and now is not None:
            return now > self.due_at
        return today > self.due

    def status(self, today: dt.date, now: dt.datetime | None = None) -> str:
        """met, late, overdue or open."""
        return "overdue" if self.overdue(today, now) else self.state

    def due_words(self) -> str:
        if self.due_at is not None:
            return f"{self.due_at:%H:%M} on {short_date(self.due)}"
        return short_date(self.due)


def _at(day: dt.date, time: dt.time | None, end_of_day: bool) -> dt.datetime:
    if time is None:
        time = dt.time(23, 59) if end_of_day else dt.time(0, 0)
    return dt.datetime.combine(day, time)


def _closures_in(closures: Mapping[dt.date, str], start: dt.date, end: dt.date) -> str:
    days = [d for d in sorted(closures) if start < d <= end]
    if not days:
        return ""
    listed = ", ".join(f"{d.day} {d:%b}" for d in days)
    return f"; the office's closure ({listed}) does not stop it"


def _verdict(due: dt.datetime | dt.date, done: dt.datetime | dt.date | None) -> str:
    if done is None:
        return OPEN
    return MET if done <= due else LATE


def _done_words(state: str, done_text: str) -> str:
    if state == MET:
        return f" Done {done_text}: in time."
    if state == LATE:
        return f" Done {done_text}: late."
    return ""


def _hours_clock(r: ClockRule, d: HazardDates, done_on: dt.date | None, done_time: dt.time | None) -> Clock:
    start = _at(d.aware_on, d.aware_time, end_of_day=False)
    due_at = start + dt.timedelta(hours=r.amount)
    done_at = _at(done_on, done_time, end_of_day=True) if done_on is not None else None
    state = _verdict(due_at, done_at)
    text = (
        f"{r.span[0].upper()}{r.span[1:]} after the landlord became aware at {start:%H:%M} on "
        f"{short_date(d.aware_on)} is {due_at:%H:%M} on {short_date(due_at.date())}: a clock in "
        "hours runs through nights, weekends and bank holidays."
    )
    if d.aware_time is None:
        text += " No time of awareness is recorded, so it is counted from the start of that day."
    if done_at is not None:
        when = (
            f"at {done_at:%H:%M} on {short_date(done_at.date())}"
            if done_time
            else f"on {short_date(done_at.date())}"
        )
        if done_time is None:
            when += " (no time recorded: taken as the end of that day)"
        text += _done_words(state, when)
    return Clock(r, d.aware_on, due_at.date(), due_at, done_on, done_at, state, text)


def _days_clock(
    r: ClockRule,
    start: dt.date,
    start_words: str,
    done_on: dt.date | None,
    cal: WorkingCalendar,
    closures: Mapping[dt.date, str],
) -> Clock:
    if r.unit == WORKING_DAYS:
        due = cal.add(start, r.amount).due
        explained = cal.add(start, r.amount).explain()
        text = f"Counted from {start_words}: {explained}; {CLOSURES_DO_NOT_COUNT}"
    else:
        due = start + dt.timedelta(days=r.amount)
        text = f"Counted from {start_words}: {r.span} after {short_date(start)} is {short_date(due)}, in calendar days"
    text += _closures_in(closures, start, due) + "."
    state = _verdict(due, done_on)
    if done_on is not None:
        text += _done_words(state, f"on {short_date(done_on)}")
    return Clock(r, start, due, None, done_on, None, state, text)


def hazard_clocks(
    d: HazardDates, closures: Mapping[dt.date, str] | None = None, cal: WorkingCalendar | None = None
) -> list[Clock]:
    """Every clock that has started for a hazard, in the order its steps fall due.

    ``closures`` (the landlord's closure days) are only named in the explanations, to say they do
    not stop the clock; they never move a date."""
    cal = cal or hazard_calendar()
    closures = closures or {}
    out: list[Clock] = []
    if d.kind == EMERGENCY:
        inv = rule(EMERGENCY, INVESTIGATE)
        out.append(_hours_clock(inv, d, d.investigated_on, d.investigated_time))
        safe = rule(EMERGENCY, MAKE_SAFE)
        out.append(_hours_clock(safe, d, d.made_safe_on, d.made_safe_time))
        return out
    aware_words = "the day the landlord became aware"
    out.append(
        _days_clock(rule(DAMP_MOULD, INVESTIGATE), d.aware_on, aware_words, d.investigated_on, cal, closures)
    )
    if d.investigated_on is None:
        return out
    ended = "the day the investigation concluded"
    out.append(
        _days_clock(rule(DAMP_MOULD, SUMMARY), d.investigated_on, ended, d.summary_sent_on, cal, closures)
    )
    if d.significant is False:
        return out  # not a significant hazard: no safety work is owed under the regulations
    out.append(
        _days_clock(
            rule(DAMP_MOULD, SAFETY_WORK), d.investigated_on, ended, d.safety_work_begun_on, cal, closures
        )
    )
    if d.further_work_needed:
        out.append(
            _days_clock(
                rule(DAMP_MOULD, FURTHER_WORK),
                d.investigated_on,
                ended,
                d.further_work_started_on,
                cal,
                closures,
            )
        )
    return out


def next_step(d: HazardDates, clocks: Iterable[Clock] | None = None) -> Clock | None:
    """The open clock due soonest (None once the hazard is closed or every step is done)."""
    if d.closed_on is not None:
        return None
    open_ = [c for c in (clocks if clocks is not None else hazard_clocks(d)) if c.state == OPEN]
    if not open_:
        return None
    return min(open_, key=lambda c: (c.due_at or _at(c.due, None, True), STEPS.index(c.key)))


def state_words(d: HazardDates, clocks: list[Clock] | None = None) -> str:
    """Where a hazard is, in a few words: 'to investigate', 'safety work to begin', 'closed' ..."""
    if d.closed_on is not None:
        return "closed"
    nxt = next_step(d, clocks)
    if nxt is None:
        return "every step done"
    return {
        INVESTIGATE: "to investigate",
        MAKE_SAFE: "to make safe",
        SUMMARY: "summary to send",
        SAFETY_WORK: "safety work to begin",
        FURTHER_WORK: "further work to start",
    }[nxt.key]


# recording a step ---------------------------------------------------------------------------------


def check_step_on(
    what: str,
    on: dt.date | None,
    today: dt.date,
    d: HazardDates,
    *,
    at: dt.time | None = None,
    after: dt.date | None = None,
    after_what: str = "",
) -> dt.date:
    """The date of a hazard's step: given, not in the future, not before the landlord became aware
    (nor, at the same day, before the time of awareness), and not before ``after``."""
    if on is None:
        raise DomainError(f"Give the date the {what}.", field="date")
    if not isinstance(on, dt.date) or isinstance(on, dt.datetime):
        raise DomainError(f"The date the {what} is not a date.", field="date")
    if on > today:
        raise DomainError(
            f"The date the {what} ({short_date(on)}) is in the future; today is {short_date(today)}.",
            field="date",
        )
    if on < d.aware_on:
        raise DomainError(
            f"The {what} on {short_date(on)}, before the landlord became aware of the hazard "
            f"on {short_date(d.aware_on)}: check the dates.",
            field="date",
        )
    if at is not None and d.aware_time is not None and on == d.aware_on and at < d.aware_time:
        raise DomainError(
            f"The {what} at {at:%H:%M}, before the landlord became aware of the hazard at "
            f"{d.aware_time:%H:%M} that day: check the time.",
            field="time",
        )
    if after is not None and on < after:
        raise DomainError(
            f"The {what} on {short_date(on)}, before the {after_what} on {short_date(after)}.",
            field="date",
        )
    return on


def check_findings(findings: str | None) -> str:
    return require_text(findings, "what the investigation found", "findings")


def parse_time(text: str | None) -> dt.time | None:
    """'17:30', '9:05' or '0930' as a time (None for nothing typed)."""
    t = (text or "").strip()
    if not t:
        return None
    m = re.fullmatch(r"(\d{1,2})[:.]?(\d{2})", t)
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise DomainError(f"{t!r} is not a time: write it as 24-hour HH:MM, like 17:30.", field="time")
    return dt.time(int(m.group(1)), int(m.group(2)))


# words that suggest damp or mould in what a resident said
_DAMP_WORDS = re.compile(
    r"\b(damp\w*|mou?ld\w*|mold\w*|condensation|black\s+spots?|black\s+mou?ld|fungus|fungal|"
    r"mildew|wet\s+walls?|rising\s+damp|water\s+stain\w*)\b",
    re.IGNORECASE,
)


def mentions_damp_or_mould(*texts: str | None) -> bool:
    """Whether any of ``texts`` speaks of damp or mould (damp, mould, mold, condensation, black
    spots ...): such a complaint or request may be a hazard under Awaab's Law."""
    return any(_DAMP_WORDS.search(t or "") for t in texts)
