"""How letters look: type sizes, spacing, margins and colours, kept apart from what they say.

Two sets: standard, and large print (body 16 pt, as is usual for large print) for residents who
asked for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm

from .fonts import BOLD, REGULAR, register_fonts

INK = colors.HexColor("#1a1a1a")
ACCENT = colors.HexColor("#1f4e79")  # headings and the letterhead rule
MUTED = colors.HexColor("#4d4d4d")  # footer and running header
BOX_FILL = colors.HexColor("#eef3f8")
BOX_LINE = colors.HexColor("#9fb6cc")


@dataclass(frozen=True)
class Sizes:
    body: float
    small: float  # footer, running header, letterhead contact lines
    heading: float
    title: float
    landlord: float
    line: float = 1.35  # leading as a multiple of the type size


STANDARD = Sizes(body=11, small=8.5, heading=12.5, title=14.5, landlord=17)
LARGE = Sizes(body=16, small=16, heading=18, title=20, landlord=22)  # nothing under 16 pt


@dataclass(frozen=True)
class LetterStyles:
    sizes: Sizes
    large_print: bool
    left: float
    right: float
    top: float
    bottom: float
    body: ParagraphStyle
    bullet: ParagraphStyle
    heading: ParagraphStyle
    title: ParagraphStyle
    landlord_name: ParagraphStyle
    landlord_line: ParagraphStyle
    contact_line: ParagraphStyle
    address: ParagraphStyle
    meta: ParagraphStyle
    meta_label: ParagraphStyle
    lead_in: ParagraphStyle
    small_print: ParagraphStyle
    box_label: ParagraphStyle
    box_value: ParagraphStyle
    signature: ParagraphStyle
    font: str = REGULAR
    bold: str = BOLD
    ink: object = INK
    accent: object = ACCENT
    muted: object = MUTED
    box_fill: object = BOX_FILL
    box_line: object = BOX_LINE


def letter_styles(large_print: bool = False) -> LetterStyles:
    register_fonts()
    z = LARGE if large_print else STANDARD

    def style(name, size, font=REGULAR, colour=INK, **kw):
        # uriWasteReduce: a web address too long for the line breaks after a '/', not mid-word
        return ParagraphStyle(
            name,
            fontName=font,
            fontSize=size,
            leading=round(size * z.line, 1),
            textColor=colour,
            alignment=kw.pop("alignment", TA_LEFT),
            uriWasteReduce=0.3,
            **kw,
        )

    body = style("body", z.body, spaceAfter=z.body * 0.6)
    return LetterStyles(
        sizes=z,
        large_print=large_print,
        left=20 * mm,
        right=20 * mm,
        top=22 * mm,
        bottom=24 * mm if large_print else 22 * mm,
        body=body,
        bullet=style(
            "bullet",
            z.body,
            leftIndent=z.body * 1.4,
            bulletIndent=z.body * 0.3,
            bulletFontName=REGULAR,
            bulletFontSize=z.body,
            spaceAfter=z.body * 0.3,
        ),
        heading=style(
            "heading",
            z.heading,
            BOLD,
            ACCENT,
            spaceBefore=z.body * 0.9,
            spaceAfter=z.body * 0.35,
            keepWithNext=1,
        ),
        title=style("title", z.title, BOLD, INK, spaceBefore=z.body * 0.4, spaceAfter=z.body * 0.8),
        landlord_name=style("landlord", z.landlord, BOLD, ACCENT, spaceAfter=2),
        landlord_line=style("landlord_line", z.small, colour=MUTED),
        contact_line=style("contact_line", z.small, colour=MUTED, alignment=TA_RIGHT),
        # the address: plain, tightly set, so seven lines fit the envelope window
        address=ParagraphStyle(
            "address", fontName=REGULAR, fontSize=z.body, leading=round(z.body * 1.15, 1), textColor=INK
        ),
        meta=style("meta", z.body, alignment=TA_LEFT, spaceAfter=z.body * 0.3),
        lead_in=style("lead_in", z.body, spaceAfter=z.body * 0.6, keepWithNext=1),
        meta_label=style("meta_label", z.small if not large_print else z.body, BOLD, MUTED),
        small_print=style("small_print", z.small, colour=MUTED, spaceBefore=z.body * 0.4),
        box_label=style("box_label", z.body, BOLD),
        box_value=style("box_value", z.body),
        signature=style("signature", z.body, spaceAfter=0),
    )
