"""Compensation following the Housing Ombudsman's compensation guidance (Code 7.2, 7.4).

The Ombudsman published new compensation guidance on 3 February 2026, applying from 1 April
2026. For some failures it sets a sum (a day without heating and hot water, a missed appointment);
those sums are ``GUIDANCE`` below, the one table of defaults. The landlord may change a sum in
Settings (a row in ``compensation_rate`` for that kind; no row means the figure here). Other
losses (distress and inconvenience, time and trouble, financial loss) have no set sum: the officer
types the amount and says why (``UNSET_KINDS``).

Pure: no I/O. Money is whole pence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from .errors import DomainError
from .plural import count

GUIDANCE_NAME = "the Housing Ombudsman's compensation guidance"
GUIDANCE_ON = dt.date(2026, 2, 3)  # published
GUIDANCE_STARTS = dt.date(2026, 4, 1)  # applies from

UNITS = ("day", "week", "appointment")


@dataclass(frozen=True)
class Rate:
    """A sum the guidance sets for one kind of loss: ``pence`` for each ``unit``."""

    kind: str  # key, as stored in CompensationRate.kind and Remedy.guidance_kind
    label: str  # as offered in the remedy form
    unit: str  # day, week or appointment
    pence: int
    what: str  # the words after the count in a breakdown: "without heating and hot water"
    guidance_on: dt.date = GUIDANCE_ON
    starts_on: dt.date = GUIDANCE_STARTS
    active: bool = True

    @property
    def by_dates(self) -> bool:
        """Whether the quantity may be worked out from two dates (a loss counted in days)."""
        return self.unit == "day"


# the guidance's set sums, in the order the form offers them
GUIDANCE: tuple[Rate, ...] = (
    Rate("heating-and-hot-water", "Complete loss of heating and hot water", "day", 1500, "without heating and hot water"),
    Rate("heating-or-hot-water", "Loss of heating or of hot water (one of them)", "day", 800, "without heating or without hot water"),
    Rate("power", "Complete loss of power", "day", 1000, "without power"),
    Rate("lighting", "Loss of lighting only", "week", 1000, "without lighting"),
    Rate("missed-appointment", "Missed appointment", "appointment", 1500, "missed"),
)  # fmt: skip
BY_KIND = {r.kind: r for r in GUIDANCE}

# kinds of loss with no set sum: the amount is typed, with a description saying why
UNSET_KINDS: tuple[tuple[str, str], ...] = (
    ("distress-and-inconvenience", "Distress and inconvenience"),
    ("time-and-trouble", "Time and trouble"),
    ("financial-loss", "Financial loss (damaged belongings, higher bills)"),
)
UNSET_LABELS = dict(UNSET_KINDS)

MAX_QUANTITY = 3660  # ten years of days: more is a typing slip


def money(pence: int) -> str:
    """£1,250.50"""
    return f"£{pence // 100:,}.{pence % 100:02d}"


def label_of(kind: str) -> str:
    """The words for a guidance kind of loss, set sum or not ('' for none)."""
    if kind in BY_KIND:
        return BY_KIND[kind].label
    return UNSET_LABELS.get(kind, kind)


def rates_in_force(changed: dict[str, tuple[int, bool]] | None = None) -> list[Rate]:
    """The guidance's sums with the landlord's changes (kind -> (pence, active)) applied: a kind
    with no change has the published figure."""
    changed = changed or {}
    out = []
    for r in GUIDANCE:
        if r.kind in changed:
            pence, active = changed[r.kind]
            r = replace(r, pence=pence, active=active)
        out.append(r)
    return out


def check_pence(pence, what: str = "the sum") -> int:
    if isinstance(pence, bool) or not isinstance(pence, int) or pence <= 0:
        raise DomainError(
            f"Write {what} as an amount in pounds more than nothing, for example 15 or 8.50.", field="pence"
        )
    if pence > 100_000_00:
        raise DomainError(
            f"{what[:1].upper()}{what[1:]} is more than £100,000: check the figure.", field="pence"
        )
    return pence


def days_between(first: dt.date, last: dt.date) -> int:
    """Days without a service from the day it was lost to the day it was restored, BOTH counted.

    The resident went without for part of the first day and part of the last, and "from 3 to 14
    March" means 12 days to them: counting both ends gives a resident a day for each date they
    lived through without the service, which is how the guidance's daily sums are meant to be
    read (a sum per day of loss). Lost and restored the same day is 1 day."""
    if not isinstance(first, dt.date) or not isinstance(last, dt.date):
        raise DomainError(
            "Give both dates: the day it was lost and the day it was restored.", field="from_on"
        )
    if last < first:
        raise DomainError(
            f"The day it was restored ({last:%d/%m/%Y}) is before the day it was lost ({first:%d/%m/%Y}).",
            field="to_on",
        )
    return (last - first).days + 1


@dataclass(frozen=True)
class Worked:
    """A remedy's amount worked out from the guidance."""

    kind: str
    quantity: int
    rate_pence: int
    amount_pence: int
    line: str  # "12 days without heating and hot water at £15.00 a day: £180.00"


def _units(rate: Rate, n: int) -> str:
    if rate.unit == "appointment":
        return count(n, f"{rate.what} appointment")
    return f"{count(n, rate.unit)} {rate.what}"


def breakdown(rate: Rate, quantity: int, rate_pence: int | None = None) -> str:
    """The breakdown in words, at ``rate_pence`` (the sum as it was) or the rate's sum."""
    each = rate.pence if rate_pence is None else rate_pence
    per = "each" if rate.unit == "appointment" else f"a {rate.unit}"
    return f"{_units(rate, quantity)} at {money(each)} {per}: {money(quantity * each)}"


def work_out(
    rate: Rate,
    quantity: int | None = None,
    *,
    first: dt.date | None = None,
    last: dt.date | None = None,
) -> Worked:
    """The amount for ``quantity`` days, weeks or appointments (or, for a loss counted in days,
    the days from ``first`` to ``last``, both counted) at the rate in force."""
    if not rate.active:
        raise DomainError(
            f"{rate.label} is switched off in Settings: type the amount instead, with a reason.", field="kind"
        )
    if first is not None or last is not None:
        if not rate.by_dates:
            raise DomainError(
                f"{rate.label} is counted in {rate.unit}s: give how many, not dates.", field="quantity"
            )
        n = days_between(first, last)  # type: ignore[arg-type]
        if quantity is not None and quantity != n:
            raise DomainError(
                f"The dates give {count(n, 'day')}, not {quantity}: give the dates or the number of days.",
                field="quantity",
            )
        quantity = n
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise DomainError(f"Give how many {rate.unit}s: a whole number, 1 or more.", field="quantity")
    if quantity > MAX_QUANTITY:
        raise DomainError(
            f"{count(quantity, rate.unit)} is more than ten years: check the number.", field="quantity"
        )
    check_pence(rate.pence)
    return Worked(rate.kind, quantity, rate.pence, quantity * rate.pence, breakdown(rate, quantity))


def parse_quantity(text: str | None, unit: str = "day") -> int | None:
    """A typed number of days, weeks or appointments; blank is None."""
    s = (text or "").strip()
    if not s:
        return None
    if not s.isdigit():
        raise DomainError(f"Write the number of {unit}s as a whole number, for example 7.", field="quantity")
    return int(s)
