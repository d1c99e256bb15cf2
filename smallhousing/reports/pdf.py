"""What every report PDF shares: page layout, styles, tables, charts and number formats.

reportlab is imported inside the functions here (never at module level), so that importing the
reports package costs nothing until a report is made.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Callable, Sequence

INK = "#1d2b36"
ACCENT = "#1f5f6e"  # headings, header rows
ACCENT_LIGHT = "#e3eff1"
MUTED = "#5b6770"
RULE = "#b9c7cc"
SERIES = ["#1f5f6e", "#e08e2b", "#7aa95c", "#b5485d", "#6c5b9e", "#3d8fb8", "#c7b03c", "#8c6e55"]

Progress = Callable[[int, int], None]

# on every page of a report made from made-up demo records (services/demo_copy.py)
DEMO_MARK = "DEMO: made-up records for trying smallhousing, not a real report"

# The letters' typeface (DejaVu Sans, smallhousing/letters/fonts.py), embedded in every report: the
# PDF standard fonts cannot show letters such as the Welsh w and y with a circumflex.
FONT = "SmallhousingSans"
FONT_BOLD = "SmallhousingSans-Bold"
BODY_PT = 10  # no text meant to be read is smaller
CHART_PT = 8  # labels in charts


# formats -----------------------------------------------------------------------------------------


def num(n: int | None) -> str:
    return "-" if n is None else f"{n:,}"


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}%"


def one_dp(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def money(pence: int) -> str:
    pounds = pence / 100
    return f"£{pounds:,.0f}" if pence % 100 == 0 else f"£{pounds:,.2f}"


def long_date(day: dt.date | None) -> str:
    return "-" if day is None else f"{day.day} {day:%B %Y}"


def short(day: dt.date | None) -> str:
    return "-" if day is None else f"{day.day} {day:%b %Y}"


def esc(text: str) -> str:
    """Text as typed, made safe for a reportlab Paragraph (which reads a little markup)."""
    return (
        str(text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")
    )


def cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


# styles ------------------------------------------------------------------------------------------


def use_fonts() -> None:
    """Register the report typeface with reportlab (once per process)."""
    from ..letters.fonts import BOLD, REGULAR, register_fonts

    assert (REGULAR, BOLD) == (FONT, FONT_BOLD)
    register_fonts()
    # table cells and charts given no font of their own (empty cells, layout tables, a chart's
    # starting state) would otherwise name Helvetica in the file; smallhousing's PDFs all use
    # this typeface
    from reportlab.graphics.shapes import STATE_DEFAULTS
    from reportlab.platypus.tables import CellStyle

    CellStyle.fontname = FONT
    STATE_DEFAULTS["fontName"] = FONT  # the starting font of every chart


def styles() -> dict:
    use_fonts()
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.styles import ParagraphStyle

    ink, accent, muted = colors.HexColor(INK), colors.HexColor(ACCENT), colors.HexColor(MUTED)
    base = ParagraphStyle(
        "body", fontName=FONT, fontSize=BODY_PT, leading=14, textColor=ink, spaceAfter=6, alignment=TA_LEFT
    )
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=BODY_PT, leading=12.5, spaceAfter=3),
        "note": ParagraphStyle(
            "note", parent=base, fontSize=BODY_PT, leading=12.5, textColor=muted, spaceAfter=6
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=BODY_PT, leading=12.5, spaceAfter=0),
        "cellbold": ParagraphStyle(
            "cellbold", parent=base, fontName=FONT_BOLD, fontSize=BODY_PT, leading=12.5, spaceAfter=0
        ),
        "head": ParagraphStyle(
            "head",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=BODY_PT,
            leading=12.5,
            spaceAfter=0,
            textColor=colors.white,
        ),
        "h1": ParagraphStyle(
            "h1",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=16,
            leading=20,
            textColor=accent,
            spaceBefore=4,
            spaceAfter=8,
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=12,
            leading=15,
            textColor=accent,
            spaceBefore=10,
            spaceAfter=4,
            keepWithNext=1,
        ),
        "h3": ParagraphStyle(
            "h3",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=10,
            leading=13,
            spaceBefore=6,
            spaceAfter=3,
            keepWithNext=1,
        ),
        "title": ParagraphStyle(
            "title", parent=base, fontName=FONT_BOLD, fontSize=26, leading=31, textColor=accent, spaceAfter=12
        ),
        "subtitle": ParagraphStyle(
            "subtitle", parent=base, fontSize=14, leading=19, textColor=ink, spaceAfter=6
        ),
        "bignum": ParagraphStyle(
            "bignum", parent=base, fontName=FONT_BOLD, fontSize=20, leading=24, textColor=accent, spaceAfter=0
        ),
        "boxlabel": ParagraphStyle(
            "boxlabel", parent=base, fontSize=BODY_PT, leading=12.5, textColor=muted, spaceAfter=0
        ),
        "bullet": ParagraphStyle("bullet", parent=base, leftIndent=12, bulletIndent=2, spaceAfter=3),
    }


# documents ---------------------------------------------------------------------------------------


def _numbered_canvas(header: str, footer: str, demo: bool = False):
    from reportlab.lib import colors
    from reportlab.pdfgen import canvas

    class NumberedCanvas(canvas.Canvas):
        """Draws 'Page n of N' once the number of pages is known."""

        def __init__(self, *args, **kwargs):
            # the page's starting font too, so that no standard font is listed in the file
            kwargs["initialFontName"], kwargs["initialFontSize"] = FONT, BODY_PT
            kwargs["initialLeading"] = BODY_PT * 1.2
            super().__init__(*args, **kwargs)
            self._saved: list[dict] = []

        def showPage(self):
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._saved)
            for state in self._saved:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int):
            w, h = self._pagesize
            n = self._pageNumber
            self.saveState()
            self.setStrokeColor(colors.HexColor(RULE))
            self.setLineWidth(0.5)
            self.setFont(FONT, 8)
            self.setFillColor(colors.HexColor(MUTED))
            if n > 1:
                self.drawString(50, h - 34, header)
                self.line(50, h - 39, w - 50, h - 39)
            self.line(50, 40, w - 50, 40)
            self.drawString(50, 28, footer)
            self.drawRightString(w - 50, 28, f"Page {n} of {total}")
            self.restoreState()
            if demo:
                from ..letters.demo_mark import draw_demo_mark

                draw_demo_mark(self, w, h, DEMO_MARK, FONT_BOLD, BODY_PT)

    return NumberedCanvas


class Document:
    """A report under construction: flowables, then ``save`` writes the file in one go."""

    def __init__(
        self,
        path,
        *,
        title: str,
        author: str,
        header: str,
        footer: str,
        landscape_only: bool = False,
        demo: bool = False,
    ) -> None:
        # a Path, or a services.outputs.Target that says what it may not be written over
        self.target = path
        self.path = Path(getattr(path, "path", path))
        self.title, self.author, self.header, self.footer = title, author, header, footer
        self.landscape_only = landscape_only
        self.demo = demo  # made from made-up demo records: DEMO on every page
        self.story: list = []

    def add(self, *flowables) -> None:
        self.story.extend(flowables)

    def save(self) -> Path:
        from reportlab.lib.pagesizes import A4, landscape
        from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

        margin = 50
        portrait_size, landscape_size = A4, landscape(A4)

        def frame(size, ident):
            w, h = size
            return Frame(
                margin,
                52,
                w - 2 * margin,
                h - 52 - 50,
                id=ident,
                leftPadding=0,
                rightPadding=0,
                topPadding=0,
                bottomPadding=0,
            )

        templates = [PageTemplate("landscape", [frame(landscape_size, "lf")], pagesize=landscape_size)]
        if not self.landscape_only:
            templates.insert(
                0, PageTemplate("portrait", [frame(portrait_size, "pf")], pagesize=portrait_size)
            )
        from ..services import outputs

        buf = io.BytesIO()
        doc = BaseDocTemplate(
            buf,
            pagesize=landscape_size if self.landscape_only else portrait_size,
            pageTemplates=templates,
            title=self.title,
            author=self.author,
            subject=self.title,
            creator="smallhousing",
            initialFontName=FONT,
            leftMargin=margin,
            rightMargin=margin,
            topMargin=50,
            bottomMargin=52,
        )
        doc.build(self.story, canvasmaker=_numbered_canvas(self.header, self.footer, self.demo))
        # written whole, private from the start, never over the records (services/outputs.py)
        outputs.write_bytes(self.target, buf.getvalue())
        return self.path


# building blocks ---------------------------------------------------------------------------------


def para(text: str, style: str = "body", st: dict | None = None):
    from reportlab.platypus import Paragraph

    return Paragraph(text, (st or styles())[style])


def heading(text: str, level: int, st: dict):
    from reportlab.platypus import Paragraph

    return Paragraph(esc(text), st[f"h{level}"])


def table(
    rows: Sequence[Sequence],
    widths: Sequence[float],
    st: dict,
    *,
    header: bool = True,
    numeric_from: int | None = 1,
    total_row: bool = False,
    zebra: bool = True,
):
    """A table with a coloured header row; strings are wrapped, numbers right-aligned.

    ``numeric_from``: columns from this index on are right-aligned (None: none are).
    """
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    body = []
    for r, row in enumerate(rows):
        cells = []
        for c, v in enumerate(row):
            if isinstance(v, str) and not (numeric_from is not None and c >= numeric_from and r > 0):
                style = (
                    "head"
                    if header and r == 0
                    else ("cellbold" if total_row and r == len(rows) - 1 else "cell")
                )
                cells.append(Paragraph(esc(v), st[style]))
            else:
                cells.append(v)
        body.append(cells)
    t = Table(body, colWidths=list(widths), repeatRows=1 if header else 0, hAlign="LEFT")
    cmds = [
        ("FONT", (0, 0), (-1, -1), FONT, BODY_PT),
        ("TEXTCOLOR", (0, 0), (-1, -1), colors.HexColor(INK)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor(RULE)),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if numeric_from is not None:
        cmds.append(("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"))
    if header:
        cmds += [
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(ACCENT)),
            ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
            ("FONT", (0, 0), (-1, 0), FONT_BOLD, BODY_PT),
        ]
    if zebra:
        for r in range(1 if header else 0, len(rows)):
            if (r - (1 if header else 0)) % 2 == 1:
                cmds.append(("BACKGROUND", (0, r), (-1, r), colors.HexColor("#f4f8f9")))
    if total_row:
        cmds += [
            ("FONT", (0, -1), (-1, -1), FONT_BOLD, BODY_PT),
            ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.HexColor(ACCENT)),
        ]
    t.setStyle(TableStyle(cmds))
    return t


def key_figures(items: Sequence[tuple[str, str]], width: float, st: dict, per_row: int = 3):
    """Boxes with a big number and a label under it."""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    cells = [[Paragraph(esc(v), st["bignum"]), Paragraph(esc(label), st["boxlabel"])] for v, label in items]
    rows = []
    for i in range(0, len(cells), per_row):
        chunk = cells[i : i + per_row]
        chunk += [""] * (per_row - len(chunk))
        rows.append(chunk)
    inner = [
        [Table([[c[0]], [c[1]]], colWidths=[width / per_row - 16]) if c else "" for c in row] for row in rows
    ]
    t = Table(inner, colWidths=[width / per_row] * per_row, hAlign="LEFT")
    t.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(ACCENT_LIGHT)),
                ("BOX", (0, 0), (-1, -1), 0.5, colors.HexColor(RULE)),
                ("INNERGRID", (0, 0), (-1, -1), 2, colors.white),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return t


def boxed(flowables: list, width: float, *, fill: str = "#fbfbf8"):
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    t = Table([[f] for f in flowables], colWidths=[width], hAlign="LEFT")
    t.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, colors.HexColor(ACCENT)),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(fill)),
                ("LEFTPADDING", (0, 0), (-1, -1), 10),
                ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return t


def bullets(items: Sequence[str], st: dict) -> list:
    from reportlab.platypus import Paragraph

    return [Paragraph(esc(i), st["bullet"], bulletText="•") for i in items]


# charts ------------------------------------------------------------------------------------------


def _title(d, text: str, width: float, height: float):
    from reportlab.graphics.shapes import String
    from reportlab.lib import colors

    d.add(String(0, height - 12, text, fontName=FONT_BOLD, fontSize=9, fillColor=colors.HexColor(INK)))


def _legend(d, names: Sequence[str], x: float, y: float):
    from reportlab.graphics.charts.legends import Legend
    from reportlab.lib import colors

    lg = Legend()
    lg.x, lg.y = x, y
    lg.alignment = "right"
    lg.fontName, lg.fontSize = FONT, CHART_PT
    lg.columnMaximum = 1
    lg.dx = lg.dy = 7
    lg.deltax = 6
    lg.dxTextSpace = 4
    lg.autoXPadding = 8
    lg.colorNamePairs = [(colors.HexColor(SERIES[i % len(SERIES)]), n) for i, n in enumerate(names)]
    d.add(lg)


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Sequence[float]],
    names: Sequence[str] = (),
    width: float = 480,
    height: float = 190,
    value_labels: bool = True,
    label_angle: int = 0,
    value_format: str = "%d",
):
    """Vertical bars: one group per label, one bar per series."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    d = Drawing(width, height)
    _title(d, title, width, height)
    bc = VerticalBarChart()
    bottom = 48 if label_angle else 30
    bc.x, bc.y = 34, bottom
    bc.width, bc.height = width - 44, height - bottom - 34
    bc.data = [list(s) for s in series] or [[0]]
    top = max([max(s) if s else 0 for s in bc.data] + [1])
    bc.valueAxis.valueMin = 0
    bc.valueAxis.valueMax = _nice_max(top)
    bc.valueAxis.valueStep = _nice_max(top) / 4
    bc.valueAxis.labels.fontName = FONT
    bc.valueAxis.labels.fontSize = CHART_PT
    bc.valueAxis.labelTextFormat = value_format
    bc.valueAxis.strokeColor = colors.HexColor(RULE)
    bc.valueAxis.gridStrokeColor = colors.HexColor("#e6ecee")
    bc.valueAxis.visibleGrid = True
    bc.categoryAxis.categoryNames = list(labels)
    bc.categoryAxis.labels.fontName = FONT
    bc.categoryAxis.labels.fontSize = CHART_PT
    bc.categoryAxis.strokeColor = colors.HexColor(RULE)
    if label_angle:
        bc.categoryAxis.labels.angle = label_angle
        bc.categoryAxis.labels.boxAnchor = "ne"
        bc.categoryAxis.labels.dx = 4
        bc.categoryAxis.labels.dy = -2
    bc.groupSpacing = 6
    bc.barSpacing = 1
    for i in range(len(bc.data)):
        bc.bars[i].fillColor = colors.HexColor(SERIES[i % len(SERIES)])
        bc.bars[i].strokeColor = None
    if value_labels:
        bc.barLabelFormat = value_format
        bc.barLabels.fontName = FONT
        bc.barLabels.fontSize = CHART_PT
        bc.barLabels.nudge = 6
    d.add(bc)
    if names and len(names) > 1:
        _legend(d, names, width - 58 * len(names), height - 5)
    return d


def hbar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    width: float = 480,
    height: float | None = None,
    value_format: str = "%d",
):
    """Horizontal bars, one per label (longest first as given)."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    n = max(len(labels), 1)
    height = height or 40 + 16 * n
    d = Drawing(width, height)
    _title(d, title, width, height)
    bc = HorizontalBarChart()
    bc.x, bc.y = 130, 14
    bc.width, bc.height = width - 170, height - 40
    bc.data = [list(reversed(values)) or [0]]
    top = max(list(values) + [1])
    bc.valueAxis.valueMin = 0
    bc.valueAxis.valueMax = _nice_max(top)
    bc.valueAxis.valueStep = _nice_max(top) / 4
    bc.valueAxis.labels.fontName = FONT
    bc.valueAxis.labels.fontSize = CHART_PT
    bc.valueAxis.strokeColor = colors.HexColor(RULE)
    bc.valueAxis.visibleGrid = True
    bc.valueAxis.gridStrokeColor = colors.HexColor("#e6ecee")
    bc.categoryAxis.categoryNames = [cap(x) for x in reversed(labels)] or [""]
    bc.categoryAxis.labels.fontName = FONT
    bc.categoryAxis.labels.fontSize = CHART_PT
    bc.categoryAxis.labels.boxAnchor = "e"
    bc.categoryAxis.labels.dx = -4
    bc.categoryAxis.strokeColor = colors.HexColor(RULE)
    bc.bars[0].fillColor = colors.HexColor(ACCENT)
    bc.bars[0].strokeColor = None
    bc.barLabelFormat = value_format
    bc.barLabels.fontName = FONT
    bc.barLabels.fontSize = CHART_PT
    bc.barLabels.boxAnchor = "w"
    bc.barLabels.dx = 3
    d.add(bc)
    return d


def pie_chart(
    title: str, labels: Sequence[str], values: Sequence[int], width: float = 230, height: float = 170
):
    from reportlab.graphics.charts.piecharts import Pie
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    d = Drawing(width, height)
    _title(d, title, width, height)
    total = sum(values)
    if not total:
        d.add(
            String(
                10,
                height / 2,
                "Nothing to show for this period.",
                fontName=FONT,
                fontSize=8,
                fillColor=colors.HexColor(MUTED),
            )
        )
        return d
    pie = Pie()
    size = min(height - 40, width * 0.45)
    pie.x, pie.y = 6, (height - 20 - size) / 2
    pie.width = pie.height = size
    pie.data = [v for v in values]
    pie.labels = None
    pie.simpleLabels = 1
    pie.slices.strokeColor = colors.white
    pie.slices.strokeWidth = 1
    for i in range(len(values)):
        pie.slices[i].fillColor = colors.HexColor(SERIES[i % len(SERIES)])
    d.add(pie)
    from reportlab.graphics.charts.legends import Legend

    lg = Legend()
    lg.x, lg.y = size + 22, height / 2 + 8 * len(values) / 2
    lg.fontName, lg.fontSize = FONT, CHART_PT
    lg.dx = lg.dy = 7
    lg.dxTextSpace = 4
    lg.deltay = 12
    lg.alignment = "right"
    lg.colorNamePairs = [
        (colors.HexColor(SERIES[i % len(SERIES)]), f"{cap(lab)}: {v:,} ({v * 100 / total:.0f}%)")
        for i, (lab, v) in enumerate(zip(labels, values))
    ]
    d.add(lg)
    return d


def _nice_max(top: float) -> float:
    """A round axis maximum at or above ``top`` that divides into four steps."""
    if top <= 4:
        return 4
    import math

    mag = 10 ** math.floor(math.log10(top))
    for m in (1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6, 8, 10):
        if m * mag >= top and (m * mag / 4) == int(m * mag / 4):
            return m * mag
    return math.ceil(top / 4) * 4
