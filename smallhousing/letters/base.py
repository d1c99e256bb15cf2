"""The shared letter layout: letterhead, address and reference block, numbered sections, sign-off,
running header, footer with "Page X of Y".

Modelled on pretix's invoice renderers: this base class draws everything every letter has; one
subclass per letter kind adjusts what that kind needs (see the modules beside this one). Every
piece of text comes from the LetterContent exactly as given: it is escaped, never interpreted as
markup. Output is byte-for-byte repeatable (reportlab's invariant mode).
"""

from __future__ import annotations

import io
import re
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    FrameBreak,
    KeepInFrame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from .styles import LetterStyles, letter_styles

# characters XML cannot carry (reportlab parses paragraphs as XML); everything else is kept
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BLOCKS = re.compile(r"\n\s*\n")
BULLET = "• "

# Where a DL or C5 window envelope shows the address of an A4 letter folded in three: about 20 mm
# from the left edge and 50 mm from the top, 90 mm wide and 40 mm high. Only the address goes there.
WINDOW_LEFT, WINDOW_TOP, WINDOW_WIDTH, WINDOW_HEIGHT = 20 * mm, 50 * mm, 90 * mm, 40 * mm
WINDOW_PAD = 3 * mm  # the address keeps clear of the window's edges, for the letter's play in it
HEAD_TOP, HEAD_BOTTOM = 12 * mm, 45 * mm  # the letterhead, above the window
SIDE_LEFT = 118 * mm  # the date and reference, beside the window
BODY_TOP = 96 * mm  # the letter's text on the first page starts below the window
CONTINUED = "  "  # a line starting with two spaces, straight after a bullet, continues it


def markup(text: str) -> str:
    """Typed text made safe for a reportlab Paragraph: shown literally, line breaks kept."""
    t = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    t = escape(_NOT_XML.sub("", t))
    return t.replace("\n", "<br/>")


class BaseLetterRenderer:
    """Lays out one LetterContent as an A4 PDF."""

    kind = ""
    numbered_sections = True
    box_ombudsman = False  # draw the section giving the Ombudsman's details in a box
    subject = "Complaint"  # the PDF's subject: 'Complaint 2026-0001'

    def __init__(self, content) -> None:
        self.content = content
        self.styles: LetterStyles = letter_styles(bool(content.large_print))

    # the document -----------------------------------------------------------------------------

    def render(self) -> bytes:
        st = self.styles
        buf = io.BytesIO()
        c = self.content
        doc = BaseDocTemplate(
            buf,
            pagesize=A4,
            leftMargin=st.left,
            rightMargin=st.right,
            topMargin=st.top,
            bottomMargin=st.bottom,
            title=c.title,
            author=c.landlord.name,
            subject=f"{self.subject} {c.reference}",
            creator="smallhousing",
            invariant=1,
            lang="en-GB",
        )
        frame = Frame(
            doc.leftMargin,
            doc.bottomMargin,
            doc.width,
            doc.height,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        page_h = A4[1]

        def box(x, top, w, h, ident, pad=0):
            return Frame(
                x,
                page_h - top - h,
                w,
                h,
                id=ident,
                leftPadding=pad,
                rightPadding=pad,
                topPadding=pad,
                bottomPadding=pad,
                showBoundary=0,
            )

        self.head_frame = box(st.left, HEAD_TOP, doc.width, HEAD_BOTTOM - HEAD_TOP, "head")
        self.window_frame = box(WINDOW_LEFT, WINDOW_TOP, WINDOW_WIDTH, WINDOW_HEIGHT, "window", WINDOW_PAD)
        side_top = HEAD_BOTTOM + 2 * mm
        self.side_frame = box(
            SIDE_LEFT, side_top, A4[0] - st.right - SIDE_LEFT, BODY_TOP - side_top - 2 * mm, "side"
        )
        first_body = Frame(
            doc.leftMargin,
            doc.bottomMargin,
            doc.width,
            page_h - BODY_TOP - doc.bottomMargin,
            id="body1",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        doc.addPageTemplates(
            [
                PageTemplate(
                    id="first",
                    frames=[self.head_frame, self.window_frame, self.side_frame, first_body],
                    autoNextPageTemplate="later",
                ),
                PageTemplate(id="later", frames=[frame], onPage=self.draw_running_header),
            ]
        )
        self.width = doc.width
        doc.build(self.story(), canvasmaker=self._canvas_class())
        return buf.getvalue()

    def _canvas_class(self):
        renderer = self

        class NumberedCanvas(Canvas):
            """Holds every page back until the end, so each can say 'Page X of Y'."""

            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self._pages = []

            def showPage(self):
                self._pages.append(dict(self.__dict__))
                self._startPage()

            def save(self):
                total = len(self._pages)
                for state in self._pages:
                    self.__dict__.update(state)
                    renderer.draw_footer(self, self._pageNumber, total)
                    Canvas.showPage(self)
                Canvas.save(self)

        return NumberedCanvas

    def story(self) -> list:
        c, st = self.content, self.styles
        out = []
        # each of the first page's fixed boxes holds only its own part, shrunk if it would not fit
        out.append(self._fit_box(self.letterhead(), self.head_frame))
        out.append(FrameBreak())
        out.append(self._fit_box(self.address_block(), self.window_frame))
        out.append(FrameBreak())
        out.append(self._fit_box(self.meta_block(), self.side_frame))
        out.append(FrameBreak())
        out.append(Paragraph(markup(c.title), st.title))
        out += self.summary_box()
        if c.salutation:
            out.append(Paragraph(markup(c.salutation), st.body))
        out += self.text(c.intro)
        body: list = []
        last = len(c.sections)
        for i, (heading, text) in enumerate(c.sections, start=1):
            body.append(self.section(i, heading, text, keep=i < last))
        # the sign-off never stands alone: it keeps the letter's last section with it. (That section
        # is not also kept together on its own: a KeepTogether inside another reports a height that
        # never fits, which pushed the sign-off and its section onto a page of their own.)
        tail = body.pop() if body else []
        flat = [f for part in body for f in part]
        out += flat + [KeepTogether(tail + self.sign_off())]
        return out

    @staticmethod
    def _fit_box(flowables: list, frame) -> KeepInFrame:
        w = frame._width - frame._leftPadding - frame._rightPadding
        h = frame._height - frame._topPadding - frame._bottomPadding
        return KeepInFrame(w, h - 0.5, flowables, mode="shrink", hAlign="LEFT", vAlign="TOP")

    # pieces ------------------------------------------------------------------------------------

    def letterhead(self) -> list:
        c, st = self.content, self.styles
        left = [Paragraph(markup(c.landlord.name), st.landlord_name)]
        left += [Paragraph(markup(line), st.landlord_line) for line in c.landlord.address_lines]
        right = [Paragraph(markup(line), st.contact_line) for line in c.landlord.contact_lines]
        if st.large_print:  # name and phone only, to stay large above the window; the letter's
            # sections give every way to reach us
            rows = [
                [
                    [left[0]]
                    + [Paragraph(markup(line), st.landlord_line) for line in c.landlord.contact_lines[:1]]
                ]
            ]
            widths = [self.width]
        else:
            rows = [[left, right]]
            widths = [self.width * 0.62, self.width * 0.38]
        t = Table(rows, colWidths=widths, hAlign="LEFT")
        t.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                    ("LINEBELOW", (0, -1), (-1, -1), 1.2, st.accent),
                ]
            )
        )
        return [t]

    def meta_rows(self) -> list[tuple[str, str]]:
        c = self.content
        rows = [("Date", c.date_text), ("Our reference", c.reference)]
        if c.handler:
            rows.append(("Handled by", c.handler))
        if c.recipient.on_behalf_of:
            rows.append(("On behalf of", c.recipient.on_behalf_of))
        return rows

    def address_block(self) -> list:
        """The recipient's name and address, alone in the envelope window."""
        c, st = self.content, self.styles
        address = [Paragraph(markup(c.recipient.name), st.address)]
        address += [Paragraph(markup(line), st.address) for line in c.recipient.address_lines]
        return address

    def meta_block(self) -> list:
        """Date, reference and who handles it, beside the window (label above value)."""
        c, st = self.content, self.styles
        out = []
        for k, v in self.meta_rows():
            out.append(Paragraph(markup(k), st.meta_label))
            out.append(Paragraph(markup(v), st.meta))
        if c.copy_note:
            out.append(Paragraph(markup(c.copy_note), st.small_print))
        return out

    def summary_box(self) -> list:
        """The key facts of this letter (e.g. the new response date), in a shaded box."""
        c, st = self.content, self.styles
        facts = [(k, v) for k, v in c.key_facts if v]
        if not facts:
            return []
        label_w = st.sizes.body * 12
        t = Table(
            [[Paragraph(markup(k), st.box_label), Paragraph(markup(v), st.box_value)] for k, v in facts],
            colWidths=[label_w, self.width - label_w],
            hAlign="LEFT",
        )
        pad = st.sizes.body * 0.45
        t.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, -1), st.box_fill),
                    ("BOX", (0, 0), (-1, -1), 0.8, st.box_line),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), pad),
                    ("RIGHTPADDING", (0, 0), (-1, -1), pad),
                    ("TOPPADDING", (0, 0), (-1, -1), pad * 0.6),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), pad * 0.6),
                ]
            )
        )
        return [t, Spacer(1, st.sizes.body * 0.9)]

    def heading_text(self, index: int, heading: str) -> str:
        return f"{index}. {heading}" if self.numbered_sections else heading

    def is_boxed(self, heading: str, text: str) -> bool:
        o = self.content.ombudsman
        return self.box_ombudsman and o is not None and bool(o.form_url) and o.form_url in (text or "")

    def section(self, index: int, heading: str, text: str, keep: bool = True) -> list:
        st = self.styles
        flow = [Paragraph(markup(self.heading_text(index, heading)), st.heading)] + self.text(text)
        if not self.is_boxed(heading, text):
            # a section moves to the next page whole when it fits there; a long one still splits
            return [KeepTogether(flow)] if keep else flow
        pad = st.sizes.body * 0.6
        box = Table([[flow]], colWidths=[self.width], hAlign="LEFT")
        box.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 1.2, st.accent),
                    ("BACKGROUND", (0, 0), (-1, -1), st.box_fill),
                    ("LEFTPADDING", (0, 0), (-1, -1), pad),
                    ("RIGHTPADDING", (0, 0), (-1, -1), pad),
                    ("TOPPADDING", (0, 0), (-1, -1), pad * 0.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), pad * 0.5),
                ]
            )
        )
        return [Spacer(1, st.sizes.body * 0.6), box, Spacer(1, st.sizes.body * 0.6)]

    def text(self, text: str) -> list:
        """Paragraphs from text: a blank line starts a paragraph, '• ' lines become bullets."""
        st = self.styles
        out = []
        for block in _BLOCKS.split((text or "").replace("\r\n", "\n").strip("\n")):
            plain: list[str] = []
            bullet: list[str] | None = None

            def flush():
                nonlocal plain, bullet
                if bullet is not None:
                    out.append(Paragraph(markup("\n".join(bullet)), st.bullet, bulletText="•"))
                elif plain and "\n".join(plain).strip():
                    joined = "\n".join(plain)
                    # a line leading into a list ("…we are taking:") stays with the list
                    style = st.lead_in if joined.rstrip().endswith(":") else st.body
                    out.append(Paragraph(markup(joined), style))
                plain, bullet = [], None

            for line in block.split("\n"):
                if line.startswith(BULLET):
                    flush()
                    bullet = [line[len(BULLET) :]]
                elif bullet is not None and line.startswith(CONTINUED):
                    bullet.append(line[len(CONTINUED) :])
                else:
                    if bullet is not None:
                        flush()
                    plain.append(line)
            flush()
        return out

    def sign_off(self) -> list:
        c, st = self.content, self.styles
        out = [Spacer(1, st.sizes.body * 0.4)] + self.text(c.closing) if c.closing else []
        block = [Paragraph("Yours sincerely,", st.body), Spacer(1, st.sizes.body * 2.2)]
        if c.handler:
            block.append(Paragraph(f"<b>{markup(c.handler)}</b>", st.signature))
        if c.handler_role:
            block.append(Paragraph(markup(c.handler_role), st.signature))
        if c.landlord.name:
            block.append(Paragraph(markup(c.landlord.name), st.signature))
        return out + block

    # page furniture ------------------------------------------------------------------------------

    def draw_running_header(self, canvas, doc) -> None:
        c, st = self.content, self.styles
        text = self._fit([f"Our reference {c.reference}", c.recipient.name, c.date_text], self.width)
        canvas.saveState()
        canvas.setFont(st.font, st.sizes.small)
        canvas.setFillColor(st.muted)
        canvas.drawString(st.left, A4[1] - st.top + st.sizes.small * 1.8, text)
        canvas.restoreState()

    def draw_footer(self, canvas, page: int, total: int) -> None:
        c, st = self.content, self.styles
        size = st.sizes.small
        right = f"Page {page} of {total}"
        y = st.bottom - size * 2.4
        canvas.saveState()
        canvas.setStrokeColor(st.box_line)
        canvas.setLineWidth(0.5)
        canvas.line(st.left, y + size * 1.3, A4[0] - st.right, y + size * 1.3)
        canvas.setFillColor(st.muted)
        canvas.setFont(st.bold, size)
        canvas.drawRightString(A4[0] - st.right, y, right)
        canvas.setFont(st.font, size)
        room = A4[0] - st.left - st.right - canvas.stringWidth(right, st.bold, size) - 6 * mm
        canvas.drawString(st.left, y, self._fit([c.landlord.name, c.landlord.phone, c.landlord.email], room))
        canvas.restoreState()
        if getattr(c.landlord, "demo", False):
            from .demo_mark import DEMO_MARK, draw_demo_mark

            draw_demo_mark(canvas, A4[0], A4[1], DEMO_MARK, st.bold, size)

    def _fit(self, parts: list[str], width: float) -> str:
        """As many whole parts as fit the width, joined by dots; never half a phone number.
        Only a first part too long on its own is cut, with an ellipsis."""
        from reportlab.pdfbase.pdfmetrics import stringWidth

        st = self.styles

        def w(t: str) -> float:
            return stringWidth(t, st.font, st.sizes.small)

        parts = [_NOT_XML.sub("", p) for p in parts if p]
        text = ""
        for p in parts:
            longer = f"{text}  ·  {p}" if text else p
            if w(longer) > width:
                break
            text = longer
        if not text and parts:
            text = parts[0]
            while text and w(text + "…") > width:
                text = text[:-1]
            text = text.rstrip() + "…"
        return text
