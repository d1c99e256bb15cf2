"""The Housing Ombudsman's findings and orders, in the words the app records them with.

One list each: the finding form, the services and the reports read them from here. Reported to the
governing body (9.7) and reviewed in the self-assessment when the Ombudsman asks (8.4).
"""

from __future__ import annotations

import datetime as dt

from .errors import DomainError

# what the Ombudsman decided on a case; the first four are findings of (no) failing, "reasonable
# redress" means we put things right before the Ombudsman's investigation, and "outside
# jurisdiction" that the Ombudsman could not look at the complaint
FINDINGS = (
    "no maladministration",
    "service failure",
    "maladministration",
    "severe maladministration",
    "reasonable redress",
    "outside jurisdiction",
)
ADVERSE_FINDINGS = ("service failure", "maladministration", "severe maladministration")

ORDER = "order"
RECOMMENDATION = "recommendation"
CHFO = "complaint-handling-failure"  # a complaint handling failure order
ORDER_KINDS = (ORDER, RECOMMENDATION, CHFO)
ORDER_KIND_LABELS = {
    ORDER: "Order (with a determination)",
    RECOMMENDATION: "Recommendation",
    CHFO: "Complaint handling failure order",
}
# the words for one, in a sentence or a list
ORDER_KIND_WORDS = {
    ORDER: "order",
    RECOMMENDATION: "recommendation",
    CHFO: "complaint handling failure order",
}


def _a(kind: str) -> str:
    words = ORDER_KIND_WORDS[kind]
    return ("An " if words[0] in "aeiou" else "A ") + words


def check_finding(finding: str | None) -> str:
    """A finding from the list, as stored ('' for none)."""
    f = (finding or "").strip().lower()
    if f and f not in FINDINGS:
        raise DomainError("The finding must be one of: " + ", ".join(FINDINGS) + ".", field="finding")
    return f


def check_order_kind(kind: str | None) -> str:
    k = (kind or ORDER).strip().lower()
    if k not in ORDER_KINDS:
        raise DomainError(
            "The kind must be an order, a recommendation or a complaint handling failure order.",
            field="kind",
        )
    return k


def check_made_on(kind: str, made_on: dt.date, referred_on: dt.date, determined_on: dt.date | None) -> None:
    """An order or recommendation comes with the determination, on or after it; a complaint
    handling failure order is made while the case is with the Ombudsman, so it may come before any
    determination, but not before the referral."""
    if made_on < referred_on:
        raise DomainError(
            f"It cannot be made before the case was referred to the Ombudsman ({referred_on:%d/%m/%Y}).",
            field="made_on",
        )
    if kind != CHFO:
        if determined_on is None:
            raise DomainError(
                f"{_a(kind)} comes with the Ombudsman's determination: record the "
                "finding first. A complaint handling failure order may come before it.",
                field="kind",
            )
        if made_on < determined_on:
            raise DomainError(
                f"{_a(kind)} comes with the determination, so it cannot be made "
                f"before {determined_on:%d/%m/%Y}.",
                field="made_on",
            )
