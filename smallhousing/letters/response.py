"""Response letter: stage 1 (Code 6.9 a to g) or stage 2 final response (6.19 a to g)."""

from __future__ import annotations

from .base import BaseLetterRenderer


class ResponseRenderer(BaseLetterRenderer):
    """Each of a) to g) is its own numbered section. At stage 2 the letter ends with how to go
    to the Housing Ombudsman, boxed so that it cannot be missed."""

    kind = "response"

    @property
    def box_ombudsman(self) -> bool:  # type: ignore[override]
        return self.content.stage == 2
