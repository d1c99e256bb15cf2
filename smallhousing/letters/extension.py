"""Extension letter (Code 6.4, 6.5 at stage 1; 6.15, 6.16 at stage 2)."""

from __future__ import annotations

from .base import BaseLetterRenderer


class ExtensionRenderer(BaseLetterRenderer):
    """The new date (in the summary box), the reasons, and the Ombudsman's details in a box."""

    kind = "extension"
    box_ombudsman = True
