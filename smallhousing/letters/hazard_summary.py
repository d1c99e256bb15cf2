"""The written summary of a hazard's investigation to the tenant (Awaab's Law: within 3 working
days of the investigation concluding): what was found, what will be done and by when. Dated the
day it is sent, never the day a copy is printed."""

from __future__ import annotations

from .base import BaseLetterRenderer


class HazardSummaryRenderer(BaseLetterRenderer):
    """The findings, then the works and their dates, each a numbered section; the key dates in the
    summary box."""

    kind = "hazard-summary"
    subject = "Hazard"
