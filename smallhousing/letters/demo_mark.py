"""The DEMO marker on every page of a letter or report made from made-up demo records (the demo
copy, services/demo_copy.py): the renderers are told by their content, never by the database."""

from __future__ import annotations

DEMO_MARK = "DEMO: made-up records for trying smallhousing, not a real letter"
DEMO_RED = "#b3261e"
MM = 72 / 25.4  # points in a millimetre


def draw_demo_mark(canvas, width: float, height: float, mark: str, bold: str, size: float) -> None:
    """DEMO across the page, faint, and ``mark`` in red along its top edge, on a page of ``width``
    by ``height`` points: a page made from demo records can never pass for a real one."""
    from reportlab.lib import colors

    red = colors.HexColor(DEMO_RED)
    canvas.saveState()
    canvas.setFillColor(red)
    canvas.setFillAlpha(0.10)
    big = min(width, height) / 4.5
    canvas.setFont(bold, big)
    canvas.translate(width / 2, height / 2)
    canvas.rotate(35)
    canvas.drawCentredString(0, -big / 3, "DEMO")
    canvas.restoreState()
    canvas.saveState()
    canvas.setFillColor(red)
    canvas.setFont(bold, size)
    canvas.drawCentredString(width / 2, height - 4 * MM - size, mark)
    canvas.restoreState()
