"""Update on outstanding actions (Code 6.6, 6.17)."""

from __future__ import annotations

from .base import BaseLetterRenderer


class ActionUpdateRenderer(BaseLetterRenderer):
    """Where each outstanding action stands; the summary box counts what is done and not done."""

    kind = "action-update"
