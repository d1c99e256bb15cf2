"""What each column of a complaints log holds, for the import screen (and anyone else who asks).

The columns themselves, their order, which are required and which hold dates are the importer's own
definitions in services/transfer.py (``COLUMNS``, ``REQUIRED``, ``DATE_COLUMNS``), read here, never
copied; this module only adds a few words about each. A column the importer reads that has no words
here is still listed (a test makes sure every one has them).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..domain import lifecycle as L

# what each column holds, in a few words (the column names are the importer's)
HOLDS = {
    "reference": "The complaint's reference. Each may appear once, and not match one already recorded.",
    "received_on": "The day the complaint was received.",
    "resident_name": "The resident. Matched by name and address to a resident already recorded, or added.",
    "address": "The resident's address (helps tell two residents of the same name apart).",
    "channel": "How the complaint came in.",
    "category": "What the complaint is about: one or more categories.",
    "summary": "The complaint in the resident's words.",
    "outcome_sought": "What the resident wants to happen.",
    "definition": "The complaint definition given at acknowledgement (the summary is used if empty).",
    "refused_on": "The day the complaint was not accepted (an exclusion, Code section 2).",
    "refusal_reason": "Why it was not accepted; may start with the ground and a colon.",
    "stage1_handler": "Who handled stage 1 (a member of staff, added if new).",
    "stage1_acknowledged_on": "The day stage 1 was acknowledged.",
    "stage1_extended_to": "The new stage 1 response date, when it was extended.",
    "stage1_extension_reason": "Why stage 1 was extended.",
    "stage1_responded_on": "The day of the stage 1 response.",
    "stage1_decision": "The stage 1 decision.",
    "stage1_reasons": "The reasons for the stage 1 decision.",
    "stage2_requested_on": "The day the resident asked for stage 2.",
    "stage2_handler": "Who handled stage 2 (someone other than at stage 1).",
    "stage2_acknowledged_on": "The day stage 2 was acknowledged.",
    "stage2_extended_to": "The new stage 2 response date, when it was extended.",
    "stage2_extension_reason": "Why stage 2 was extended.",
    "stage2_responded_on": "The day of the stage 2 response.",
    "stage2_decision": "The stage 2 decision.",
    "stage2_reasons": "The reasons for the stage 2 decision.",
    "remedy": "What was offered to put things right (an apology if it mentions apologising).",
    "compensation_gbp": "Money offered, recorded as a financial remedy.",
    "outstanding_actions": "Actions still to do after the response.",
    "closed_on": "The day the complaint was closed.",
    "escalation_refused_on": "The day escalation to stage 2 was refused (Code 5.11).",
    "escalation_refusal_reason": "Why escalation was refused; may start with the ground and a colon.",
    "withdrawn_on": "The day the resident withdrew the complaint.",
    "withdrawal_reason": "Why it was withdrawn.",
    "stage1_extended_on": "The day the stage 1 extension was agreed with the resident.",
    "stage2_extended_on": "The day the stage 2 extension was agreed with the resident.",
    "issue_arose_on": "When the issue complained about arose (Code section 2).",
    "aware_on": "When the resident became aware of the issue (Code section 2).",
    "responsible_for": "What the landlord is responsible for in this complaint (Code 5.7).",
    "not_responsible_for": "What the landlord is not responsible for in this complaint (Code 5.7).",
    "contractor": "The contractor the complaint is about, if any (added if new; Code 5.4).",
}

DATE_FORMAT = "date: 17/12/2025 or 2025-12-17"
MONEY_FORMAT = "pounds: 150, £1,250.50"
LIST_FORMAT = "text; separate items with ;"
TEXT_FORMAT = "text"


@dataclass(frozen=True)
class LogColumn:
    name: str  # as the header row names it (capitals, spaces and hyphens do not matter)
    required: bool
    holds: str
    format: str


def _format(name: str, dates: frozenset[str]) -> str:
    if name in dates:
        return DATE_FORMAT
    if name == "compensation_gbp":
        return MONEY_FORMAT
    if name.endswith("_decision"):
        return " or ".join(", ".join(L.DECISIONS).rsplit(", ", 1))
    if name in ("category", "outstanding_actions"):
        return LIST_FORMAT
    if name == "channel":
        return "text, such as " + ", ".join(L.CHANNELS[:3])
    return TEXT_FORMAT


def log_columns() -> list[LogColumn]:
    """Every column the importer reads, in the order an export writes them."""
    from . import transfer

    return [
        LogColumn(name, name in transfer.REQUIRED, HOLDS.get(name, ""), _format(name, transfer.DATE_COLUMNS))
        for name in transfer.COLUMNS
    ]
