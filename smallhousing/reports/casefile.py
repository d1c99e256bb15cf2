"""The Ombudsman case file as one PDF: lays out a ``services.casefile.CaseFile``, never decides.

The written part (cover, contents, chronology, deadlines, correspondence, remedies and actions, the
Ombudsman's case, the letters and attachments listed, the audit digest) is made with reportlab;
the letters issued and the attachments that are PDFs or pictures are then appended as pages with
pypdf (reportlab cannot read a PDF), and every page is stamped "page N of M".

Two passes: the written part is built once to learn where each section falls and how many pages
it takes, then again with the contents' page numbers filled in (until the count settles).
"""

from __future__ import annotations

import io
from pathlib import Path

from ..domain.plural import noun
from . import pdf

PORTRAIT_WIDTH = 595.27 - 100
TITLE = "Complaint case file"
STAMP_PT = 8

SECTIONS = (
    ("chronology", "1. Chronology"),
    ("deadlines", "2. Deadlines and whether each was met"),
    ("correspondence", "3. Correspondence"),
    ("items", "4. Remedies and outstanding actions"),
    ("ombudsman", "5. The Housing Ombudsman"),
    ("letters", "6. Letters issued"),
    ("attachments", "7. Attachments"),
    ("audit", "8. The audit log's digest"),
)


def _size(n: int) -> str:
    if n < 1024:
        return f"{n:,} bytes"
    if n < 1024 * 1024:
        return f"{n / 1024:,.1f} KB"
    return f"{n / (1024 * 1024):,.1f} MB"


def _pages(first: int, count: int) -> str:
    if count <= 0:
        return "-"
    return f"page {first}" if count == 1 else f"pages {first} to {first + count - 1}"


def _appendix_starts(cf, written: int) -> tuple[list[int], list[int]]:
    """The first page of each letter and of each attachment, once the written part has
    ``written`` pages (0 for those not reproduced)."""
    at = written + 1
    letters, attachments = [], []
    for x in cf.letters:
        letters.append(at if x.file.pages else 0)
        at += x.file.pages
    for a in cf.attachments:
        attachments.append(at if a.file.pages else 0)
        at += a.file.pages
    return letters, attachments


def _story(cf, st: dict, found: dict[str, int], written: int, total: int) -> list:
    from reportlab.platypus import PageBreak, Paragraph, Spacer

    W = PORTRAIT_WIDTH
    story: list = []

    def mark(key: str, text: str):
        p = Paragraph(pdf.esc(text), st["h2"])
        p._casefile_key = key  # type: ignore[attr-defined]
        return p

    def page_of(key: str) -> str:
        return str(found.get(key, "")) if found else "?"

    letter_at, attachment_at = _appendix_starts(cf, written)

    # cover ---------------------------------------------------------------------------------------
    story.append(pdf.para(pdf.esc(cf.landlord), "subtitle", st))
    story.append(pdf.para(TITLE, "title", st))
    story.append(pdf.para(f"Complaint {pdf.esc(cf.reference)}, for the Housing Ombudsman", "subtitle", st))
    story.append(Spacer(1, 8))
    who = cf.resident + (f", represented by {cf.representative}" if cf.representative else "")
    rows = [
        ["Complaint reference", cf.reference],
        ["Landlord", cf.landlord + (f", {cf.landlord_address}" if cf.landlord_address else "")],
        ["Resident", who],
        ["Received", pdf.long_date(cf.received_on)],
        ["Closed", pdf.long_date(cf.closed_on) if cf.closed_on else f"not closed ({cf.state})"],
        [
            "Ombudsman case number",
            ", ".join(cf.ombudsman_numbers) if cf.ombudsman_numbers else "not recorded",
        ],
        ["Handled under", cf.code_title],
        ["This file was made on", pdf.long_date(cf.made_on)],
        ["Pages", f"{total:,}" if total else "?"],
    ]
    story.append(pdf.table(rows, [150, W - 150], st, header=False, numeric_from=None))
    story.append(Spacer(1, 10))
    story.append(
        pdf.para(
            "Every letter issued on this complaint is reproduced as it was issued, each checked "
            "against the fingerprint (SHA-256) recorded when it was made; a letter or attachment "
            "whose file is missing or has changed is listed as such. The audit log's digest at the "
            "end lets anyone check later that the records behind this file have not changed.",
            "note",
            st,
        )
    )
    story.append(pdf.heading("The complaint in the resident's words", 3, st))
    story.append(pdf.para(pdf.esc(cf.description or "(not recorded)"), st=st))
    if cf.outcome_sought:
        story.append(pdf.heading("What the resident would like", 3, st))
        story.append(pdf.para(pdf.esc(cf.outcome_sought), st=st))

    # contents ------------------------------------------------------------------------------------
    story.append(PageBreak())
    story.append(pdf.para("Contents", "h1", st))
    rows = [["Section", "Page"]]
    for key, title in SECTIONS:
        rows.append([title, page_of(key)])
    for x, first in zip(cf.letters, letter_at):
        if first:
            rows.append([f"Letter: {x.summary} ({pdf.short(x.on)})", _pages(first, x.file.pages)])
    for a, first in zip(cf.attachments, attachment_at):
        if first:
            rows.append([f"Attachment: {a.file_name}", _pages(first, a.file.pages)])
    story.append(pdf.table(rows, [W - 110, 110], st))

    # 1. chronology -------------------------------------------------------------------------------
    story.append(PageBreak())
    story.append(mark("chronology", SECTIONS[0][1]))
    story.append(
        pdf.para(
            "Every event on the complaint's records by the date it happened, and every entry the "
            "audit log holds for the complaint by the day it was recorded (the audit log names "
            "who was signed in). Each day's events are in the order they happened.",
            "note",
            st,
        )
    )
    rows = [["Date", "What happened", "Who acted", "Source"]]
    for e in cf.events:
        rows.append([pdf.short(e.on), e.what, e.who, e.source])
    story.append(pdf.table(rows, [68, W - 68 - 100 - 82, 100, 82], st, numeric_from=None))

    # 2. deadlines --------------------------------------------------------------------------------
    story.append(mark("deadlines", SECTIONS[1][1]))
    story.append(
        pdf.para(
            "Each date is the Code's, in working days (weekends, bank holidays and the landlord's "
            "closure days do not count). A response is on time when it was made by the Code's "
            "date, counting an extension only when it was agreed in time, the resident was told "
            "and it stayed within the limit (or a good reason is recorded): the same test as the "
            "Tenant Satisfaction Measure CH02.",
            "note",
            st,
        )
    )
    rows = [["Stage", "Step", "Code's date", "Done", "Met?"]]
    for d in cf.deadlines:
        rows.append(
            [
                str(d.stage),
                f"{'Acknowledge' if d.step == 'acknowledge' else 'Respond'} ({d.provision})",
                pdf.short(d.due),
                pdf.short(d.done_on),
                d.verdict,
            ]
        )
    story.append(pdf.table(rows, [46, 150, 80, 80, W - 356], st, numeric_from=None))
    story.append(Spacer(1, 6))
    for d in cf.deadlines:
        if d.explanation:
            what = "acknowledgement" if d.step == "acknowledge" else "response"
            story.append(pdf.para(f"<b>Stage {d.stage} {what}:</b> {pdf.esc(d.explanation)}", "small", st))
    for note in cf.deadline_notes:
        if "sets no deadline" in note:
            story.append(pdf.para(pdf.esc(note), "small", st))

    # 3. correspondence ---------------------------------------------------------------------------
    story.append(mark("correspondence", SECTIONS[2][1]))
    if cf.correspondence:
        rows = [["Date", "Way", "How", "Summary"]]
        for k in cf.correspondence:
            rows.append([pdf.short(k.on), k.direction, k.channel or "-", k.summary or "-"])
        story.append(pdf.table(rows, [68, 60, 70, W - 198], st, numeric_from=None))
    else:
        story.append(pdf.para("No correspondence is recorded.", st=st))

    # 4. remedies and actions ---------------------------------------------------------------------
    story.append(mark("items", SECTIONS[3][1]))
    if cf.remedies:
        story.append(pdf.heading("Remedies", 3, st))
        rows = [["Stage", "Remedy", "Amount", "Due", "Completed", "Where it stands"]]
        for r in cf.remedies:
            rows.append(
                [
                    str(r.stage),
                    f"{pdf.cap(r.kind)}: {r.description}",
                    pdf.money(r.amount_pence) if r.amount_pence else "-",
                    pdf.short(r.due_on),
                    pdf.short(r.completed_on),
                    r.standing,
                ]
            )
        story.append(pdf.table(rows, [46, W - 346, 60, 70, 70, 100], st, numeric_from=None))
    else:
        story.append(pdf.para("No remedy is recorded.", st=st))
    if cf.actions:
        story.append(pdf.heading("Outstanding actions", 3, st))
        rows = [["Stage", "Action", "Due", "Last update", "Completed", "Where it stands"]]
        for a in cf.actions:
            rows.append(
                [
                    str(a.stage),
                    a.description + (f" ({a.owner})" if a.owner else ""),
                    pdf.short(a.due_on),
                    pdf.short(a.last_update_on),
                    pdf.short(a.completed_on),
                    a.standing,
                ]
            )
        story.append(pdf.table(rows, [46, W - 356, 70, 70, 70, 100], st, numeric_from=None))
    else:
        story.append(pdf.para("No outstanding action is recorded.", st=st))

    # 5. the Ombudsman ----------------------------------------------------------------------------
    story.append(mark("ombudsman", SECTIONS[4][1]))
    if not cf.ombudsman:
        story.append(pdf.para("No referral to the Housing Ombudsman is recorded yet.", st=st))
    for o in cf.ombudsman:
        number = o.case_number or "number not recorded"
        text = f"<b>Case {pdf.esc(number)}</b>, referred {pdf.long_date(o.referred_on)}."
        if o.finding:
            text += f" Finding: {pdf.esc(o.finding)} ({pdf.long_date(o.determined_on)})."
        story.append(pdf.para(text, st=st))
        if o.summary:
            story.append(pdf.para(pdf.esc(o.summary), "small", st))
        if o.orders:
            rows = [["Made", "Kind", "What", "Due", "Complied", "Where it stands"]]
            for x in o.orders:
                rows.append(
                    [
                        pdf.short(x.made_on),
                        x.kind,
                        x.description,
                        pdf.short(x.due_on),
                        pdf.short(x.complied_on),
                        x.standing,
                    ]
                )
            story.append(pdf.table(rows, [68, 70, W - 368, 70, 70, 90], st, numeric_from=None))

    # 6. letters ----------------------------------------------------------------------------------
    story.append(mark("letters", SECTIONS[5][1]))
    if cf.letters:
        rows = [["Date", "Letter", "The file", "In this file"]]
        for x, first in zip(cf.letters, letter_at):
            rows.append(
                [
                    pdf.short(x.on),
                    x.summary,
                    x.file.words(),
                    _pages(first, x.file.pages) if first else "not included",
                ]
            )
        story.append(pdf.table(rows, [68, 150, W - 318, 100], st, numeric_from=None))
    else:
        story.append(pdf.para("No letter was issued from smallhousing on this complaint.", st=st))

    # 7. attachments ------------------------------------------------------------------------------
    story.append(mark("attachments", SECTIONS[6][1]))
    if cf.attachments:
        story.append(
            pdf.para(
                "PDFs are reproduced as their pages and pictures one to a page; emails and other "
                "kinds of file are listed here but not reproduced (they are kept on the record).",
                "note",
                st,
            )
        )
        for a, first in zip(cf.attachments, attachment_at):
            head = f"{a.file_name}, received {pdf.long_date(a.received_on)}"
            if a.erased_on:
                head += f" (erased on {pdf.long_date(a.erased_on)})"
            rows = [
                ["Size", _size(a.size_bytes) if not a.erased_on else "-"],
                ["SHA-256", a.sha256 or "not recorded"],
                ["Description", a.description or "-"],
                ["The file", a.file.words()],
                ["In this file", _pages(first, a.file.pages) if first else "not reproduced"],
            ]
            story.append(pdf.heading(head, 3, st))
            story.append(pdf.table(rows, [74, W - 74], st, header=False, numeric_from=None, zebra=False))
    else:
        story.append(pdf.para("No attachment is kept on this complaint.", st=st))

    # 8. audit digest -----------------------------------------------------------------------------
    story.append(mark("audit", SECTIONS[7][1]))
    story.append(
        pdf.para(
            f"The audit log holds {len(cf.audit):,} {noun(len(cf.audit), 'entry', 'entries')} for "
            "this complaint. Their digest:",
            st=st,
        )
    )
    story.append(pdf.para(f"<b>{cf.digest}</b>", st=st))
    from ..services.casefile import digest_words

    story.append(pdf.para(pdf.esc(digest_words(cf.reference)), "note", st))
    rows = [["Entry", "Hash"]] + [[str(x.id), x.hash] for x in cf.audit]
    story.append(pdf.table(rows, [50, W - 50], st, numeric_from=None))
    return story


def _written_part(cf, found: dict, written: int, total: int) -> tuple[bytes, dict[str, int], int]:
    """The reportlab part as PDF bytes, the page of each section, and its number of pages."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    st = pdf.styles()
    pages: dict[str, int] = {}
    header = f"{cf.landlord}: case file for complaint {cf.reference}"

    def on_page(canvas, doc):
        w, h = A4
        canvas.saveState()
        canvas.setFont(pdf.FONT, 8)
        canvas.setFillColor(colors.HexColor(pdf.MUTED))
        canvas.setStrokeColor(colors.HexColor(pdf.RULE))
        canvas.setLineWidth(0.5)
        if doc.page > 1:
            canvas.drawString(50, h - 34, header)
            canvas.line(50, h - 39, w - 50, h - 39)
        canvas.line(50, 40, w - 50, 40)
        canvas.drawString(50, 28, f"Made {pdf.long_date(cf.made_on)}")
        canvas.restoreState()

    class Doc(BaseDocTemplate):
        def afterFlowable(self, flowable):
            key = getattr(flowable, "_casefile_key", None)
            if key is not None:
                pages[key] = self.page

    buf = io.BytesIO()
    w, h = A4
    frame = Frame(50, 52, w - 100, h - 102, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc = Doc(
        buf,
        pagesize=A4,
        pageTemplates=[PageTemplate("portrait", [frame], onPage=on_page)],
        title=f"{TITLE}: {cf.reference}",
        author=cf.landlord,
        subject=f"{TITLE} for the Housing Ombudsman: complaint {cf.reference}",
        creator="smallhousing",
        initialFontName=pdf.FONT,
    )
    doc.build(_story(cf, st, found, written, total))
    data = buf.getvalue()
    from pypdf import PdfReader

    return data, pages, len(PdfReader(io.BytesIO(data)).pages)


def _image_page(a) -> bytes:
    """One A4 page: the attachment's name and date, and the picture scaled to fit."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas as rl_canvas

    pdf.use_fonts()
    buf = io.BytesIO()
    w, h = A4
    c = rl_canvas.Canvas(buf, pagesize=A4, initialFontName=pdf.FONT, initialFontSize=pdf.BODY_PT)
    c.setFont(pdf.FONT_BOLD, pdf.BODY_PT)
    c.setFillColor(colors.HexColor(pdf.ACCENT))
    c.drawString(50, h - 50, f"Attachment: {a.file_name}")
    c.setFont(pdf.FONT, pdf.BODY_PT)
    c.setFillColor(colors.HexColor(pdf.INK))
    c.drawString(50, h - 64, f"Received {pdf.long_date(a.received_on)}. SHA-256 {a.sha256[:32]}...")
    img = ImageReader(io.BytesIO(a.file.data))
    iw, ih = img.getSize()
    box_w, box_h = w - 100, h - 80 - 60
    scale = min(box_w / iw, box_h / ih)  # as large as the page allows, never cropped
    dw, dh = iw * scale, ih * scale
    c.drawImage(img, 50 + (box_w - dw) / 2, h - 80 - dh, dw, dh, preserveAspectRatio=True)
    c.showPage()
    c.save()
    return buf.getvalue()


def _stamps(cf, sizes: list[tuple[float, float]], labels: list[str], marked: set[int]) -> bytes:
    """One page per page of the file, each of its size: "page N of M" at the foot, what an appended
    page is (``labels``), and DEMO on every page of a file made from demo records, except the
    pages of letters that carry the mark themselves (``marked``)."""
    from reportlab.lib import colors
    from reportlab.pdfgen import canvas as rl_canvas

    from ..letters.demo_mark import draw_demo_mark

    pdf.use_fonts()
    buf = io.BytesIO()
    c = rl_canvas.Canvas(buf, initialFontName=pdf.FONT, initialFontSize=STAMP_PT)
    total = len(sizes)
    for n, ((w, h), label) in enumerate(zip(sizes, labels), start=1):
        c.setPageSize((w, h))
        c.setFont(pdf.FONT, STAMP_PT)
        c.setFillColor(colors.HexColor(pdf.MUTED))
        right = f"Case file {cf.reference}: page {n} of {total}"
        c.drawRightString(w - 50, 14, right)
        if label:
            room = w - 100 - c.stringWidth(right, pdf.FONT, STAMP_PT) - 12
            while label and c.stringWidth(label, pdf.FONT, STAMP_PT) > room:
                label = label[:-2].rstrip() + "…"
            c.drawString(50, 14, label)
        if cf.demo and n not in marked:
            draw_demo_mark(c, w, h, pdf.DEMO_MARK, pdf.FONT_BOLD, pdf.BODY_PT)
        c.showPage()
    c.save()
    return buf.getvalue()


def render(cf, target, progress: pdf.Progress | None = None) -> Path:
    """Write the case file to ``target`` (a Path or services.outputs.Target); returns its path."""
    from pypdf import PdfReader, PdfWriter

    from ..services import outputs

    steps = 5
    if progress:
        progress(0, steps)
    appended = cf.appended_pages
    found: dict[str, int] = {}
    written = 0
    data = b""
    for _ in range(5):  # the contents' numbers can move the pages they number: build until settled
        data, pages, count = _written_part(cf, found, written, written + appended if written else 0)
        if pages == found and count == written:
            break
        found, written = pages, count
    if progress:
        progress(2, steps)

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(data)))
    labels = [""] * len(writer.pages)
    marked: set[int] = set()
    for x in cf.letters:
        if x.file.pages:
            start = len(writer.pages)
            writer.append(PdfReader(io.BytesIO(x.file.data)))
            labels += [f"Letter issued {pdf.short(x.on)}: {x.summary}"] * x.file.pages
            if x.file.demo_marked:
                marked.update(range(start + 1, len(writer.pages) + 1))
    for a in cf.attachments:
        if a.file.kind == "pdf":
            writer.append(PdfReader(io.BytesIO(a.file.data)))
        elif a.file.kind == "image":
            writer.append(PdfReader(io.BytesIO(_image_page(a))))
        labels += [f"Attachment: {a.file_name}, received {pdf.short(a.received_on)}"] * a.file.pages
    if progress:
        progress(3, steps)
    assert len(writer.pages) == written + appended, "every appended page was counted"

    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in writer.pages]
    stamps = PdfReader(io.BytesIO(_stamps(cf, sizes, labels, marked)))
    for page, stamp in zip(writer.pages, stamps.pages):
        page.merge_page(stamp)
    from ..services.casefile import metadata

    writer.add_metadata(
        {
            "/Title": f"{TITLE}: {cf.reference}",
            "/Author": cf.landlord,
            "/Creator": "smallhousing",
            **metadata(cf),
        }
    )
    out = io.BytesIO()
    writer.write(out)
    if progress:
        progress(4, steps)
    # written whole, private from the start, never over the records (services/outputs.py)
    path = outputs.write_bytes(target, out.getvalue())
    if progress:
        progress(steps, steps)
    return Path(path)
