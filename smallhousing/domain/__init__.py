"""Pure rules: working days, the Code's timescales, a complaint's life. No I/O, no Textual, no SQL."""

from .calendar import Deadline, WorkingCalendar, bank_holidays, short_date
from .errors import DomainError
from .rules import RULE_SETS, RuleSet, StageDates, deadline_status, rule_set, rule_set_for, stage_deadlines

__all__ = ["Deadline", "WorkingCalendar", "bank_holidays", "short_date", "DomainError", "RULE_SETS",
           "RuleSet", "StageDates", "deadline_status", "rule_set", "rule_set_for", "stage_deadlines"]
