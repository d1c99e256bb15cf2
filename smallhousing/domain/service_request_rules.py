"""Service requests' targets: how many working days each kind of request should take (Code 1.4:
service requests are recorded, tracked and monitored), and the date that gives.

A target runs on the same working-day calendar as the Code's deadlines (domain/calendar.py:
weekends, England and Wales bank holidays and the landlord's closure days are not counted); the day
a request is received is day 0.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Mapping

from .calendar import Deadline, WorkingCalendar, short_date
from .errors import DomainError
from .plural import count
from .rules import working_days_left

# The targets a landlord starts with, in working days, by category. They are only defaults: the
# landlord changes any of them in Settings (a ServiceRequestTarget row), and the row wins. Repairs
# are split by urgency; "repairs" on its own is a routine repair.
DEFAULT_TARGETS: dict[str, int] = {
    "emergency repair": 1,
    "urgent repair": 5,
    "repairs": 20,
    "damp and mould": 10,
    "pest control": 10,
    "estate services": 10,
    "anti-social behaviour": 10,
    "rent and service charges": 10,
    "adaptations": 20,
    "allocations and lettings": 20,
    "other": 20,
}
# a request with no category, or one not in the table above and not set in Settings
DEFAULT_WORKING_DAYS = 20
# the categories a service request can be given, in the order forms offer them
CATEGORIES: tuple[str, ...] = tuple(DEFAULT_TARGETS)
# what each category covers, for the settings screen
CATEGORY_NOTES: dict[str, str] = {
    "emergency repair": "a danger to someone's health or safety, or to the home",
    "urgent repair": "affects comfort or security but is not a danger",
    "repairs": "routine repairs",
    "estate services": "grounds, cleaning and shared areas",
}
MAX_TARGET_DAYS = 260  # about a year of working days: more is a typing mistake
NO_CATEGORY = "no category"


def normalise_category(category: object) -> str:
    """A category as stored: lower case, spaces tidied ('  Damp and  Mould ' -> 'damp and mould')."""
    return " ".join(str(category or "").split()).lower()


def default_days(category: str) -> int:
    """The default target of a category (before any setting)."""
    return DEFAULT_TARGETS.get(normalise_category(category), DEFAULT_WORKING_DAYS)


def check_target_days(working_days: object) -> int:
    """A target as a whole number of working days, 0 (the same day) to MAX_TARGET_DAYS."""
    if isinstance(working_days, str):
        working_days = working_days.replace(",", "").strip()
    try:
        if isinstance(working_days, bool) or isinstance(working_days, float):
            raise ValueError
        n = int(working_days)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise DomainError(
            "Give the target as a whole number of working days, such as 5.", field="working_days"
        ) from None
    if n < 0:
        raise DomainError("A target cannot be fewer than 0 working days.", field="working_days")
    if n > MAX_TARGET_DAYS:
        raise DomainError(
            f"{n} working days is more than a year; check the number (at most {MAX_TARGET_DAYS}).",
            field="working_days",
        )
    return n


@dataclass(frozen=True)
class Target:
    """A service request's target date, and where its number of working days came from."""

    category: str
    working_days: int
    from_settings: bool  # set by the landlord in Settings (else this module's default)
    deadline: Deadline

    @property
    def due(self) -> dt.date:
        return self.deadline.due

    def explain(self) -> str:
        """'Target for damp and mould: 10 working days (the default) ... 10 working days after ...'"""
        what = self.category or NO_CATEGORY
        where = "set in Settings" if self.from_settings else "the default"
        how = self.deadline.explain()
        return f"Target for {what}: {count(self.working_days, 'working day')} ({where}). {how[:1].upper()}{how[1:]}."


def target_for(
    cal: WorkingCalendar, received_on: dt.date, category: str, settings: Mapping[str, int] | None = None
) -> Target:
    """The target date of a request received on ``received_on`` in ``category``: the landlord's
    setting for the category if there is one, else the default."""
    cat = normalise_category(category)
    settings = settings or {}
    days = settings.get(cat)
    from_settings = days is not None
    if days is None:
        days = default_days(cat)
    return Target(cat, days, from_settings, cal.add(received_on, days, label="target"))


@dataclass(frozen=True)
class Progress:
    """How a request stands against its target on a day."""

    age: int  # working days from receipt to today (or to completion)
    target_on: dt.date | None
    overdue: bool  # open and past its target
    late: bool  # done after its target, or still open past it
    working_days_left: int | None  # to the target (negative: past it); None when done or no target

    def words(self) -> str:
        """'Open for 4 working days: target Fri 6 Mar 2026, 3 working days left' and the like."""
        if self.target_on is None:
            return f"{count(self.age, 'working day')} old; no target set"
        target = short_date(self.target_on)
        if self.working_days_left is None:
            took = f"took {count(self.age, 'working day')}"
            return f"Done: {took}, " + (
                f"after its target of {target}" if self.late else f"by its target of {target}"
            )
        if self.overdue:
            return (
                f"Open for {count(self.age, 'working day')}: overdue, its target was {target} "
                f"({count(-self.working_days_left, 'working day')} ago)"
            )
        left = self.working_days_left
        return f"Open for {count(self.age, 'working day')}: target {target}, " + (
            "due today" if left == 0 else f"{count(left, 'working day')} left"
        )


def progress(
    cal: WorkingCalendar,
    received_on: dt.date,
    target_on: dt.date | None,
    today: dt.date,
    completed_on: dt.date | None = None,
) -> Progress:
    """Age in working days, and whether the request is past its target (open) or was done late."""
    end = completed_on or today
    age = max(cal.count(received_on, end), 0)
    if target_on is None:
        return Progress(age, None, False, False, None)
    if completed_on is not None:
        return Progress(age, target_on, False, completed_on > target_on, None)
    overdue = today > target_on
    return Progress(age, target_on, overdue, overdue, working_days_left(cal, target_on, today))


# a complaint raised from a request (1.5) takes the complaint category its request's falls under
_COMPLAINT_CATEGORY = {"emergency repair": "repairs", "urgent repair": "repairs"}


def complaint_category(category: str) -> str:
    """The complaint category for a request's category: repairs of any urgency are 'repairs'."""
    c = normalise_category(category)
    return _COMPLAINT_CATEGORY.get(c, c)
