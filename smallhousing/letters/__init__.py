"""Letter renderers: they lay out a LetterContent (made by smallhousing.services.letters) as a PDF
or as plain text. They never decide what a letter says or whether it may go out.

Importing this package does not import reportlab; ``render_pdf`` loads it when first needed.
One module per letter kind, each a subclass of ``base.BaseLetterRenderer``.
"""

from __future__ import annotations

import importlib

# letter kind -> (module, class)
RENDERERS = {
    "acknowledgement": ("acknowledgement", "AcknowledgementRenderer"),
    "extension": ("extension", "ExtensionRenderer"),
    "response": ("response", "ResponseRenderer"),
    "refusal": ("refusal", "RefusalRenderer"),
    "escalation-refusal": ("escalation_refusal", "EscalationRefusalRenderer"),
    "action-update": ("action_update", "ActionUpdateRenderer"),
    "hazard-summary": ("hazard_summary", "HazardSummaryRenderer"),
}


def renderer_for(kind: str):
    """The renderer class for a letter kind."""
    try:
        module, cls = RENDERERS[kind]
    except KeyError:
        raise ValueError(f"no renderer for letter kind {kind!r}") from None
    return getattr(importlib.import_module(f"{__name__}.{module}"), cls)


def render_pdf(content) -> bytes:
    """The letter as PDF bytes. The same content always gives the same bytes."""
    return renderer_for(content.kind)(content).render()
