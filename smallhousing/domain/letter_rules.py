"""What each letter must contain before it may go out (Code 2.4, 5.6, 5.7, 5.11, 6.4-6.6, 6.9,
6.15-6.17, 6.19).

Pure functions: the service gathers what a letter will say as named items (the text for each item)
and the letter's whole body; ``missing_items`` answers which mandatory items are absent. An item
counts as present only when its text is not blank AND appears in the body, so a letter can never
pass the check while leaving out something it holds.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Iterable, Mapping

from .words import has_words, same_words, words

ACKNOWLEDGEMENT = "acknowledgement"
EXTENSION = "extension"
RESPONSE = "response"
REFUSAL = "refusal"
ESCALATION_REFUSAL = "escalation-refusal"
ACTION_UPDATE = "action-update"
KINDS = (ACKNOWLEDGEMENT, EXTENSION, RESPONSE, REFUSAL, ESCALATION_REFUSAL, ACTION_UPDATE)

KIND_LABELS = {
    ACKNOWLEDGEMENT: "Acknowledgement",
    EXTENSION: "Extension of the response date",
    RESPONSE: "Response",
    REFUSAL: "Refusal to accept the complaint",
    ESCALATION_REFUSAL: "Refusal to escalate to stage 2",
    ACTION_UPDATE: "Update on outstanding actions",
}

# the letters a step owes the resident, in the order the steps come (action updates are not a step)
STEP_KINDS = (ACKNOWLEDGEMENT, EXTENSION, RESPONSE, REFUSAL, ESCALATION_REFUSAL)


def step_letter_name(kind: str, stage: int | None = None) -> str:
    """The letter a step owes, in words: 'the stage 1 acknowledgement letter'."""
    if kind == REFUSAL:
        return "the letter refusing the complaint"
    if kind == ESCALATION_REFUSAL:
        return "the letter refusing to escalate"
    what = {ACKNOWLEDGEMENT: "acknowledgement", EXTENSION: "extension", RESPONSE: "response"}.get(
        kind, KIND_LABELS.get(kind, kind).lower()
    )
    if kind == RESPONSE and stage == 2:
        what = "final response"
    return f"the stage {stage} {what} letter" if stage else f"the {what} letter"


def next_thing_to_do(owed: list[tuple[str, int | None]], next_step: str, due_words: str = "") -> str:
    """What to do next on a complaint, in words: a letter a step still owes comes first, then the
    next step of the Code with its date (``due_words``, such as 'by 8 Jan 2027')."""
    if owed:
        kind, stage = owed[0]
        name = step_letter_name(kind, stage)
        more = f" (and {len(owed) - 1} more letter{'s' if len(owed) > 2 else ''})" if len(owed) > 1 else ""
        return f"Send {name}{more}"
    if not next_step:
        return "Nothing is due"
    words = next_step[0].upper() + next_step[1:]
    return f"{words} {due_words}".strip()


KIND_PROVISIONS = {
    ACKNOWLEDGEMENT: "5.6, 5.7",
    EXTENSION: "6.4, 6.5 (stage 1); 6.15, 6.16 (stage 2)",
    RESPONSE: "6.9 (stage 1); 6.19 (stage 2)",
    REFUSAL: "2.4",
    ESCALATION_REFUSAL: "5.11",
    ACTION_UPDATE: "6.6, 6.17",
}

# item -> how to name it when it is missing (a noun phrase, with what to do where it helps)
ITEMS = {
    "landlord_name": "your organisation's name (fill it in under Settings)",
    "landlord_contact": "your organisation's address, phone number or email, so the resident can "
    "reply (fill them in under Settings)",
    "recipient_name": "the name of the person the letter is to",
    "recipient_address": "the postal address of the person the letter is to (add it to their record)",
    "reference": "the complaint reference",
    "handler": "who is handling the complaint (choose a handler for the stage, or name a complaints "
    "officer under Settings)",
    "stage": "the stage of the complaint",
    "definition": "the complaint definition: how we understand the complaint and the outcome the "
    "resident wants",
    "responsible_for": "what we are responsible for in this complaint",
    "not_responsible_for": "what we are not responsible for in this complaint",
    "clarification": "a request to tell us if we have misunderstood the complaint",
    "due_date": "the date the resident will get our response",
    "new_date": "the new response date",
    "extension_reason": "the reason we need more time",
    "good_reason": "the good reason for going past the usual extension limit",
    "decision": "the decision on the complaint",
    "reasons": "the reasons for the decision",
    "remedy": "a statement about remedies: list what is offered to put things right, or say plainly "
    "that no remedy is offered",
    "actions": "a statement about outstanding actions: list what is still to be done, or say "
    "plainly that nothing is outstanding",
    "escalation": "how to ask for stage 2 if the resident is not satisfied",
    "ombudsman_route": "how to take the complaint to the Housing Ombudsman",
    "ombudsman": "the Housing Ombudsman's contact details (online form, phone and post, under Settings)",
    "refusal_reason": "the reasons the complaint is not being accepted",
    "escalation_refusal_reason": "the reasons the complaint is not being escalated to stage 2",
    "ombudsman_right": "the resident's right to take our decision to the Housing Ombudsman",
    "action_list": "the outstanding actions and where each one stands",
    "outcome_sought": "the outcome the resident wants (record it on the complaint)",
    "update_plan": "how and how often we will keep the resident up to date until we respond",
    "decided_by": "who decided (record the member of staff who made the decision)",
}

# the most lines a window envelope's address may have (the name included)
MAX_ADDRESS_LINES = 7

COMMON = ("landlord_name", "landlord_contact", "recipient_name", "recipient_address", "reference", "handler")

_BY_KIND = {
    ACKNOWLEDGEMENT: (
        "stage",
        "definition",
        "outcome_sought",
        "responsible_for",
        "not_responsible_for",
        "clarification",
        "due_date",
    ),
    EXTENSION: ("stage", "new_date", "extension_reason", "update_plan", "ombudsman"),
    RESPONSE: ("stage", "definition", "decision", "reasons", "remedy", "actions"),
    REFUSAL: ("decided_by", "refusal_reason", "ombudsman_right", "ombudsman"),
    ESCALATION_REFUSAL: ("decided_by", "escalation_refusal_reason", "ombudsman_right", "ombudsman"),
    ACTION_UPDATE: ("action_list",),
}


def mandatory_items(kind: str, stage: int | None = None, *, beyond_cap: bool = False) -> tuple[str, ...]:
    """The items a letter of this kind (at this stage) must contain, in the order they appear."""
    if kind not in _BY_KIND:
        raise ValueError(f"unknown letter kind {kind!r}")
    items = COMMON + _BY_KIND[kind]
    if kind == EXTENSION and beyond_cap:
        items += ("good_reason",)
    if kind == RESPONSE:
        # 6.9 g): how to go to stage 2; 6.19 g): how to go to the Ombudsman
        items += ("escalation",) if stage == 1 else ("ombudsman_route", "ombudsman")
    return items


def normalise(text: str) -> str:
    """Whitespace folded to single spaces, so layout never decides whether an item is present."""
    return re.sub(r"\s+", " ", text or "").strip()


# items whose text comes from the same place by design, so sharing words is no fault
_MAY_REPEAT = frozenset(
    {
        "landlord_name",
        "landlord_contact",
        "recipient_name",
        "recipient_address",
        "reference",
        "handler",
        "decided_by",
        "stage",
        "due_date",
        "new_date",
        "ombudsman",
        "ombudsman_right",
        "ombudsman_route",
    }
)


def missing_keys(
    kind: str, stage: int | None, items: Mapping[str, str], body: str, *, beyond_cap: bool = False
) -> list[str]:
    """The keys of the mandatory items that are missing.

    An item is missing when it holds no real words (only punctuation, spaces, zero-width or other
    format characters), when it is not in the letter's body, or when its words are the very words
    of an earlier mandatory item (reasons that only repeat the definition say nothing new).
    """
    flat = normalise(body)
    out = []
    seen: list[str] = []
    for key in mandatory_items(kind, stage, beyond_cap=beyond_cap):
        raw = items.get(key, "") or ""
        text = normalise(raw)
        # numbers (a reference, a phone number) are words enough for what the landlord set up
        says = bool(words(raw)) if key in _MAY_REPEAT else has_words(raw)
        if not says or text not in flat:
            out.append(key)
            continue
        if key not in _MAY_REPEAT and any(same_words(raw, other) for other in seen):
            out.append(key)
            continue
        if key not in _MAY_REPEAT:
            seen.append(raw)
    return out


def missing_items(
    kind: str, stage: int | None, items: Mapping[str, str], body: str, *, beyond_cap: bool = False
) -> list[str]:
    """Each mandatory item that is missing (see missing_keys), named in plain English."""
    return [ITEMS[k] for k in missing_keys(kind, stage, items, body, beyond_cap=beyond_cap)]


_NONE_OUTSTANDING = re.compile(
    r"\b(no|none of the|not any)\s+(outstanding|further|more|other)?\s*(actions?|work)\b"
    r"|\bnothing\s+(is\s+|more\s+|else\s+|left\s+)*(outstanding|due|to\s+do|left)"
    r"|\bno\s+(outstanding|further)\b",
    re.I,
)
_NO_REMEDY = re.compile(r"\bno\s+(remedy|remedies|compensation|payment)\b|\bnot\s+offer", re.I)


def says_nothing_outstanding(text: str) -> bool:
    """Whether a statement says that no action is outstanding."""
    return bool(_NONE_OUTSTANDING.search(normalise(text)))


def says_no_remedy(text: str) -> bool:
    """Whether a statement says that no remedy is offered."""
    return bool(_NO_REMEDY.search(normalise(text)))


def remedy_problems(remedies: Iterable[tuple[str, dt.date | None, dt.date | None, bool]]) -> list[str]:
    """What is wrong with the remedies a response offers (7.3: say what will happen and by when).

    Each remedy is (description, due_on, completed_on, given_in_letter); a remedy the letter itself
    gives (an apology, say) is done on the letter's date and needs no other date.
    """
    out = []
    for description, due_on, completed_on, in_letter in remedies:
        if not has_words(description):
            out.append("a description of each remedy offered: what we will do")
        elif completed_on is None and due_on is None and not in_letter:
            out.append(f"the date by which this remedy will be done: {normalise(description)}")
    return out


def action_problems(actions: Iterable[tuple[str, str, dt.date | None]]) -> list[str]:
    """What is wrong with the outstanding actions a letter lists: each open action (description,
    owner, due_on) needs words, someone responsible for it and a date it is due."""
    out = []
    for description, owner, due_on in actions:
        what = normalise(description)
        if not has_words(description):
            out.append("a description of each outstanding action")
            continue
        if not has_words(owner):
            out.append(f"who is responsible for this outstanding action: {what}")
        if due_on is None:
            out.append(f"the date this outstanding action is due: {what}")
    return out


def address_problems(lines: Iterable[str]) -> list[str]:
    """An address that cannot show in a window envelope."""
    n = sum(1 for line in lines if (line or "").strip())
    if n > MAX_ADDRESS_LINES:
        return [
            f"an address of at most {MAX_ADDRESS_LINES} lines, name included, so that it fits "
            f"the envelope window (this one has {n})"
        ]
    return []


_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")


def ombudsman_problems(form_url: str, phone: str, post: str) -> list[str]:
    """What is wrong with the Ombudsman's contact details a letter would give.

    New cases go to the Ombudsman through its online form, not by email (since 13 January 2026),
    and the old Liverpool PO Box is out of date.
    """
    out = []
    url = (form_url or "").strip()
    if not url or not (phone or "").strip() or not (post or "").strip():
        out.append(ITEMS["ombudsman"])
    if url.lower().startswith("mailto:") or _EMAIL.fullmatch(url):
        out.append(
            "a link to the Housing Ombudsman's online form instead of an email address: the "
            "Ombudsman does not take new cases by email (change it under Settings)"
        )
    if "po box 152" in (post or "").lower():
        out.append(
            "the Housing Ombudsman's current postal address: PO Box 152, Liverpool is out of "
            "date (change it under Settings)"
        )
    return out
