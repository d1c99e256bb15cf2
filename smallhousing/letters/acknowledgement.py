"""Acknowledgement letter (Code 5.6, 5.7; sent within the time set by 6.2 and 6.11)."""

from __future__ import annotations

from .base import BaseLetterRenderer


class AcknowledgementRenderer(BaseLetterRenderer):
    """The complaint definition, what we are and are not responsible for, a request to correct
    us, who is handling it and the response date (shown in the summary box)."""

    kind = "acknowledgement"
