"""The letter typeface: DejaVu Sans, shipped in ./fonts (licence in fonts/LICENSE-DejaVu.txt).

The PDF standard fonts (Helvetica and friends) cannot show letters such as the Welsh w and y with
a circumflex, so residents' names would come out wrong; DejaVu Sans covers them.
"""

from __future__ import annotations

import threading
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).with_name("fonts")
REGULAR = "SmallhousingSans"
BOLD = "SmallhousingSans-Bold"
_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
_lock = threading.Lock()


def register_fonts() -> None:
    """Make the letter fonts known to reportlab (once per process)."""
    with _lock:
        if REGULAR in pdfmetrics.getRegisteredFontNames():
            return
        for name, file in _FILES.items():
            pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file)))
        # so that <b> in a paragraph picks the bold face; there is no italic in letters
        addMapping(REGULAR, 0, 0, REGULAR)
        addMapping(REGULAR, 1, 0, BOLD)
        addMapping(REGULAR, 0, 1, REGULAR)
        addMapping(REGULAR, 1, 1, BOLD)
