"""What residents think: the answers a resident gives when asked about a complaint after it closed,
the Tenant Satisfaction Measure TP09 from the landlord's own perception survey, and the app's own
target for sending a resident how to complain after a survey comment. Pure: no I/O.

TP09 is "satisfaction with the landlord's approach to handling complaints", a tenant perception
measure. It is worked out as the Regulator of Social Housing's "Tenant Satisfaction Measures:
Technical Requirements" sets out for every perception measure: the respondents who said they were
very or fairly satisfied, as a percentage of the respondents who answered the question, leaving out
those who said "don't know" or "not applicable". Like CH01 and CH02 (domain/tsm.py) it is given to
one decimal place, rounded half up (72.25 -> 72.3), and is None when nobody answered.

A landlord with fewer than 1,000 homes collects and publishes its TSMs but does not submit them to
the Regulator (``submits_to_regulator``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from .calendar import Deadline, WorkingCalendar
from .errors import DomainError
from .tsm import percentage

# the answers a resident can give after a complaint closed, in order (stored as written here)
VERY_SATISFIED = "very satisfied"
FAIRLY_SATISFIED = "fairly satisfied"
NEITHER = "neither"
FAIRLY_DISSATISFIED = "fairly dissatisfied"
VERY_DISSATISFIED = "very dissatisfied"
DECLINED = "declined"
ANSWERS = (VERY_SATISFIED, FAIRLY_SATISFIED, NEITHER, FAIRLY_DISSATISFIED, VERY_DISSATISFIED, DECLINED)
SATISFIED_ANSWERS = (VERY_SATISFIED, FAIRLY_SATISFIED)
DISSATISFIED_ANSWERS = (FAIRLY_DISSATISFIED, VERY_DISSATISFIED)
ANSWER_WORDS = {
    VERY_SATISFIED: "very satisfied",
    FAIRLY_SATISFIED: "fairly satisfied",
    NEITHER: "neither satisfied nor dissatisfied",
    FAIRLY_DISSATISFIED: "fairly dissatisfied",
    VERY_DISSATISFIED: "very dissatisfied",
    DECLINED: "declined to answer",
}

MEASURE = "TP09"
MEASURE_NAME = "satisfaction with the landlord's approach to handling complaints"
REGULATOR_HOMES = 1000  # landlords with fewer homes publish their TSMs but do not submit them

# the app's own target (not the Code's): a survey comment expressing dissatisfaction is answered
# with how to complain (Code 1.6) within this many working days of its receipt
HOW_TO_COMPLAIN_DAYS = 5


def check_answer(text: str | None) -> str:
    """One of ANSWERS, from what was typed or chosen ("declined to answer" and "neither
    satisfied nor dissatisfied" are read too); anything else is refused."""
    s = " ".join((text or "").strip().lower().split())
    for key, words in ANSWER_WORDS.items():
        if s in (key, words):
            return key
    raise DomainError(
        "Choose the resident's answer: " + ", ".join(ANSWER_WORDS.values()) + ".", field="answer"
    )


def answer_words(answer: str) -> str:
    return ANSWER_WORDS.get(answer, answer)


def _count(value, what: str) -> int:
    """A count as typed or given: a whole number, not negative."""
    if isinstance(value, bool):
        raise DomainError(
            f"The number {what} must be a whole number, such as 42.", field=what.replace(" ", "_")
        )
    if isinstance(value, str):
        s = value.replace(",", "").strip()
        if not s:
            return 0
        if s.startswith("-") and s[1:].isdigit():
            raise DomainError(f"The number {what} cannot be negative.", field=what.replace(" ", "_"))
        if not s.isdigit():
            raise DomainError(
                f"The number {what} must be a whole number, such as 42, not {value.strip()!r}.",
                field=what.replace(" ", "_"),
            )
        return int(s)
    if isinstance(value, float):
        if not value.is_integer():
            raise DomainError(
                f"The number {what} must be a whole number, such as 42.", field=what.replace(" ", "_")
            )
        value = int(value)
    if not isinstance(value, int):
        raise DomainError(
            f"The number {what} must be a whole number, such as 42.", field=what.replace(" ", "_")
        )
    if value < 0:
        raise DomainError(f"The number {what} cannot be negative.", field=what.replace(" ", "_"))
    return value


@dataclass(frozen=True)
class PerceptionCounts:
    """A year's TP09 answers from the perception survey, as counts."""

    satisfied: int  # very or fairly satisfied
    neither: int  # neither satisfied nor dissatisfied
    dissatisfied: int  # fairly or very dissatisfied
    dont_know: int = 0  # don't know or not applicable: outside the measure

    @property
    def answered(self) -> int:
        """The respondents the measure counts: everyone but "don't know / not applicable"."""
        return self.satisfied + self.neither + self.dissatisfied

    @property
    def result(self) -> float | None:
        return tp09(self.satisfied, self.neither, self.dissatisfied)


def check_counts(satisfied, neither, dissatisfied, dont_know=0) -> PerceptionCounts:
    """The four counts of TP09, each a whole number and not negative; at least one answer."""
    c = PerceptionCounts(
        _count(satisfied, "satisfied"),
        _count(neither, "neither"),
        _count(dissatisfied, "dissatisfied"),
        _count(dont_know, "dont know"),
    )
    if c.answered + c.dont_know == 0:
        raise DomainError(
            "Every count is 0: give the numbers of respondents who were satisfied, neither, and "
            "dissatisfied with how complaints are handled.",
            field="satisfied",
        )
    return c


def tp09(satisfied: int, neither: int, dissatisfied: int) -> float | None:
    """TP09: very or fairly satisfied as a percentage of those who answered (don't know and not
    applicable are not passed in: they are outside the measure), one decimal place rounded half up;
    None when nobody answered."""
    return percentage(satisfied, satisfied + neither + dissatisfied)


def submits_to_regulator(homes: int | None) -> bool | None:
    """Whether a landlord with ``homes`` submits its TSMs to the Regulator (1,000 homes or more);
    None when the number of homes is not known. Every landlord publishes them."""
    if homes is None:
        return None
    return homes >= REGULATOR_HOMES


def regulator_note(homes: int | None) -> str:
    """One sentence on who the TSMs go to, for the screens and reports ('' when homes are unknown)."""
    submits = submits_to_regulator(homes)
    if submits is None:
        return ""
    if submits:
        return (
            f"With {homes:,} homes we publish our Tenant Satisfaction Measures and submit them "
            "to the Regulator of Social Housing."
        )
    return (
        f"With {homes:,} homes (fewer than {REGULATOR_HOMES:,}) we collect and publish our Tenant "
        "Satisfaction Measures; we do not submit them to the Regulator of Social Housing."
    )


def how_to_complain_due(cal: WorkingCalendar, received_on: dt.date) -> Deadline:
    """The app's own target for sending how to complain after a survey comment: 5 working days
    from its receipt (the Code asks that a resident expressing dissatisfaction is told how to
    complain, 1.6, and sets no number of days)."""
    d = cal.add(received_on, HOW_TO_COMPLAIN_DAYS, "how to complain")
    return replace(d, note="the app's own target for a survey comment, not a timescale of the Code")
