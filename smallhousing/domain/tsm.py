"""Tenant Satisfaction Measures CH01 and CH02, and the on-time test behind CH02. Pure: no I/O.

CH01(n): stage n complaints received in the year per 1,000 homes.
CH02(n): stage n complaints answered in the year, the share answered within the Code's timescales.
Both are published to one decimal place; they are None where they cannot be worked out (no homes
recorded, or nothing answered).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable, Sequence

from .calendar import WorkingCalendar
from .rules import ExtensionDates, RuleSet, StageDates, judge_extensions, response_start, stage_timings

ONE_PLACE = Decimal("0.1")


def one_place(value: Decimal) -> float:
    """Round half up to one decimal place (50.75 -> 50.8), as published figures are."""
    return float(value.quantize(ONE_PLACE, rounding=ROUND_HALF_UP))


def per_thousand(count: int, homes: int | None) -> float | None:
    """CH01: ``count`` per 1,000 homes, or None when homes are unknown or zero."""
    if not homes:
        return None
    return one_place(Decimal(count) * 1000 / Decimal(homes))


def percentage(part: int, whole: int) -> float | None:
    """CH02: ``part`` as a percentage of ``whole``, or None when ``whole`` is zero."""
    if not whole:
        return None
    return one_place(Decimal(part) * 100 / Decimal(whole))


def extensions_within_code(extensions: Iterable[tuple[bool, str]]) -> bool:
    """Every extension (beyond_cap, good_reason) was within the cap, or past it with a good reason."""
    return all((not beyond) or bool((good or "").strip()) for beyond, good in extensions)


def on_time(
    cal: WorkingCalendar, rules: RuleSet, stage: StageDates, extension_within_code: bool = True
) -> tuple[bool, bool]:
    """(acknowledged on time, responded on time) for one stage.

    The response clock is the rule set's (10 or 20 working days from acknowledgement under the
    2024 Code). An extension made within the Code moves the date; one that broke the cap without a
    good reason does not. A step not yet done, or one that cannot be timed, is not on time.
    """
    ack = resp = False
    for step in stage_timings(cal, rules, stage, extension_within_code):
        if step.step == "acknowledge":
            ack = bool(step.on_time)
        elif step.step == "respond":
            resp = bool(step.on_time)
    return ack, resp


class ResponseTimer:
    """CH02's test for many stages at once: was each response made by the Code's date?

    Gives the same answers as ``on_time`` but works out only the step asked about, and remembers
    the due date for each start day and number of working days (a year's stages start on a few
    hundred days).
    """

    def __init__(self, cal: WorkingCalendar) -> None:
        self.cal = cal
        self._due: dict = {}

    def _add(self, start: date, days: int) -> date:
        key = (start, days)
        found = self._due.get(key)
        if found is None:
            found = self._due[key] = self.cal.add(start, days).due
        return found

    def acknowledge_due(self, rules: RuleSet, number: int, requested_on: date) -> date | None:
        """The Code's date for the acknowledgement; None where the Code sets none (2022, stage 2)."""
        days = rules.acknowledge_days_at(number)
        return None if days is None else self._add(requested_on, days)

    def due(
        self, rules: RuleSet, number: int, requested_on: date | None, acknowledged_on: date | None
    ) -> date | None:
        """The Code's date for the response before any extension; None until its clock starts.

        The clock runs from the acknowledgement or from the day it was due, whichever is earlier."""
        if requested_on is None:
            return None
        start = response_start(
            rules, number, requested_on, acknowledged_on, self.acknowledge_due(rules, number, requested_on)
        )
        if start is None:
            return None
        return self._add(start, rules.respond_days[number])

    def acknowledged_on_time(
        self, rules: RuleSet, requested_on: date, acknowledged_on: date | None, number: int = 1
    ) -> bool:
        """Acknowledged by the Code's date (the same answer as ``on_time(...)[0]``)."""
        if acknowledged_on is None:
            return False
        due = self.acknowledge_due(rules, number, requested_on)
        return due is not None and acknowledged_on <= due

    def code_due(
        self,
        rules: RuleSet,
        number: int,
        requested_on: date | None,
        acknowledged_on: date | None,
        extensions: Sequence[ExtensionDates] = (),
    ) -> date | None:
        """The Code's date for the response, counting only the extensions within the Code."""
        due = self.due(rules, number, requested_on, acknowledged_on)
        if due is None or not extensions:
            return due
        cap = self._add(due, rules.extension_cap[number])
        counted, _ = judge_extensions(due, cap, extensions)
        return counted or due

    def on_time(
        self,
        rules: RuleSet,
        number: int,
        requested_on: date | None,
        acknowledged_on: date | None,
        responded_on: date | None,
        extensions: Sequence[ExtensionDates] = (),
    ) -> bool:
        """Responded by the Code's date; an extension counts only when agreed by the date in force
        before it, told to the resident and within the cap (or past it with a good reason). A
        response not yet made is not on time."""
        if responded_on is None:
            return False
        due = self.code_due(rules, number, requested_on, acknowledged_on, extensions)
        return due is not None and responded_on <= due


class MemoCalendar(WorkingCalendar):
    """The same working days as ``base``, remembering each date it works out.

    Reports time thousands of stages that start on the same few hundred days; remembering
    ``add`` keeps a year's figures to one quick pass.
    """

    def __init__(self, base: WorkingCalendar) -> None:  # noqa: D107 - frozen dataclass
        object.__setattr__(self, "closure_days", base.closure_days)
        object.__setattr__(self, "_memo", {})

    def add(self, start, n, label=""):
        key = (start, n, label)
        memo = self._memo  # type: ignore[attr-defined]
        found = memo.get(key)
        if found is None:
            found = memo[key] = WorkingCalendar.add(self, start, n, label)
        return found
