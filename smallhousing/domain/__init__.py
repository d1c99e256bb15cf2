"""Pure rules: working days, the Code's timescales, a complaint's life. No I/O, no Textual, no SQL.

The names below are loaded from their modules when first asked for, so that importing one small
module (say domain.dates) does not load the calendar and the rule sets as well.
"""

from importlib import import_module

_HOME = {
    "Deadline": "calendar",
    "WorkingCalendar": "calendar",
    "bank_holidays": "calendar",
    "short_date": "dates",
    "DomainError": "errors",
    "RULE_SETS": "rules",
    "RuleSet": "rules",
    "StageDates": "rules",
    "deadline_status": "rules",
    "rule_set": "rules",
    "rule_set_for": "rules",
    "stage_deadlines": "rules",
}

__all__ = list(_HOME)


def __getattr__(name: str):
    if name in _HOME:
        return getattr(import_module(f"{__name__}.{_HOME[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
