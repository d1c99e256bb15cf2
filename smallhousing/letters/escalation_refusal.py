"""Refusal to escalate a complaint to stage 2 (Code 5.11)."""

from __future__ import annotations

from .base import BaseLetterRenderer


class EscalationRefusalRenderer(BaseLetterRenderer):
    """The reasons, and the right to take the decision to the Ombudsman (boxed)."""

    kind = "escalation-refusal"
    box_ombudsman = True
