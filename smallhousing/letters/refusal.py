"""Refusal to accept a complaint (Code 2.4)."""

from __future__ import annotations

from .base import BaseLetterRenderer


class RefusalRenderer(BaseLetterRenderer):
    """The reasons, and the right to take the decision to the Ombudsman (boxed)."""

    kind = "refusal"
    box_ombudsman = True
