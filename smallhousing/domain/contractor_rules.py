"""When a contractor's response is due: the landlord stays responsible for complaints about the
work of contractors acting for it (Code 5.4, 5.5) and asks them for their side by a date.

The Code sets no timescale for a contractor's answer; the default here (``RESPONSE_WORKING_DAYS``)
leaves room within the 10 working days of a stage 1 response (Code 6.2). Any other date can be
given, as long as it is not before the day the response was asked for."""

from __future__ import annotations

import datetime as dt

from .calendar import Deadline, WorkingCalendar, short_date
from .errors import DomainError

RESPONSE_WORKING_DAYS = 5

_WHY = "the app's default for a contractor's response"


def response_due(cal: WorkingCalendar, asked_on: dt.date) -> Deadline:
    """The default date a contractor's response is due: 5 working days after the day it was asked
    for, able to say so in words (``.explain()``)."""
    d = cal.add(asked_on, RESPONSE_WORKING_DAYS, "contractor's response")
    return Deadline(d.start, d.working_days, d.due, d.label, cal, note=_WHY)


def check_due(asked_on: dt.date, due_on: dt.date) -> dt.date:
    """A date given for the response: not before the day it was asked for."""
    if not isinstance(due_on, dt.date) or isinstance(due_on, dt.datetime):
        raise DomainError("The date the response is due by is not a date.", field="due_on")
    if due_on < asked_on:
        raise DomainError(
            f"The response cannot be due ({short_date(due_on)}) before the day it was asked for "
            f"({short_date(asked_on)}). Give that day or a later one, or leave it empty for "
            f"{RESPONSE_WORKING_DAYS} working days.",
            field="due_on",
        )
    return due_on
