"""The self-assessment against the Complaint Handling Code (2024), as a PDF or as the annual
report's appendix. Renders what services.reports gives it; decides nothing."""

from __future__ import annotations

from pathlib import Path

from . import pdf

LANDSCAPE_WIDTH = 841.89 - 100
TITLE = "Self-assessment against the Complaint Handling Code"


def met_text(complies: bool | None) -> str:
    return "Yes" if complies is True else "No" if complies is False else "Not assessed"


def summary_counts(rows) -> dict[str, int]:
    return {
        "met": sum(r.complies is True for r in rows),
        "not met": sum(r.complies is False for r in rows),
        "not assessed": sum(r.complies is None for r in rows),
        "total": len(rows),
    }


def summary_table(rows, st: dict, width: float):
    from ..domain.code_provisions import SECTIONS

    data = [["Section", "Provisions", "Met", "Not met", "Not yet assessed"]]
    for sec, name in SECTIONS.items():
        mine = [r for r in rows if r.provision.section == sec]
        c = summary_counts(mine)
        data.append(
            [f"{sec}. {name}", str(c["total"]), str(c["met"]), str(c["not met"]), str(c["not assessed"])]
        )
    c = summary_counts(rows)
    data.append(["All sections", str(c["total"]), str(c["met"]), str(c["not met"]), str(c["not assessed"])])
    w = width - 4 * 70
    return pdf.table(data, [w, 70, 70, 70, 70], st, total_row=True)


def evidence_cell(row) -> str:
    """The evidence recorded, then what the records show (unless already copied into the evidence)."""
    parts = []
    if row.evidence:
        parts.append(pdf.esc(row.evidence))
    if row.computed and row.computed not in row.evidence:
        parts.append(f"<font color='{pdf.MUTED}'>{pdf.esc(row.computed)}</font>")
    return "<br/><br/>".join(parts)


def provision_tables(rows, st: dict, width: float = LANDSCAPE_WIDTH, level: int = 2) -> list:
    """One table per section of the Code, every provision in it."""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    from ..domain.code_provisions import SECTIONS

    widths = [66, width * 0.27, 66]
    rest = width - sum(widths)
    widths += [rest * 0.58, rest * 0.42]
    out: list = []
    for sec, name in SECTIONS.items():
        mine = [r for r in rows if r.provision.section == sec]
        # no keep-with-next here: a whole section's table would jump to the next page
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.platypus import CondPageBreak

        loose = ParagraphStyle(f"h{level}loose", parent=st[f"h{level}"], keepWithNext=0)
        out += [CondPageBreak(110), Paragraph(pdf.esc(f"Section {sec}: {name}"), loose)]
        data = [
            [
                Paragraph(h, st["head"])
                for h in (
                    "Provision",
                    "What the Code requires (our summary)",
                    "Met?",
                    "Evidence",
                    "Commentary",
                )
            ]
        ]
        styles = []
        part = None
        for r in mine:
            if r.provision.part and r.provision.part != part:
                part = r.provision.part
                data.append([Paragraph(f"<b>{part}</b>", st["cell"]), "", "", "", ""])
                styles.append(("SPAN", (0, len(data) - 1), (-1, len(data) - 1)))
                styles.append(
                    ("BACKGROUND", (0, len(data) - 1), (-1, len(data) - 1), colors.HexColor(pdf.ACCENT_LIGHT))
                )
            met = met_text(r.complies)
            colour = {"Yes": "#2e6b3a", "No": "#a3262e"}.get(met, pdf.MUTED)
            data.append(
                [
                    Paragraph(f"<b>{r.number}</b>", st["cell"]),
                    Paragraph(pdf.esc(r.provision.summary), st["cell"]),
                    Paragraph(f"<font color='{colour}'><b>{met}</b></font>", st["cell"]),
                    Paragraph(evidence_cell(r), st["cell"]),
                    Paragraph(pdf.esc(r.commentary), st["cell"]),
                ]
            )
        t = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
        t.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(pdf.ACCENT)),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor(pdf.RULE)),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                    ("LEFTPADDING", (0, 0), (-1, -1), 4),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ]
                + styles
            )
        )
        out.append(t)
        if sec != max(SECTIONS):
            out.append(Spacer(1, 6))  # never after the last table: it could make an empty last page
    return out


def intro(report, st: dict) -> list:
    c = summary_counts(report.assessment)
    lines = [
        pdf.para(
            f"This is {pdf.esc(report.landlord.name)}'s assessment of its complaint handling "
            f"against each provision of the Housing Ombudsman's Complaint Handling Code (2024) "
            f"for {report.label}. For every provision we say whether we meet it, what shows "
            f"this, and anything the reader should know. The wording in the second column is "
            f"our short summary of each provision; the Code itself is published by the Housing "
            f"Ombudsman.",
            st=st,
        ),
        pdf.para(
            "Where our complaint records can show how we performed, the figures are given in "
            "grey in the evidence column. They are worked out from the dates recorded for "
            "each complaint, using working days (Monday to Friday, excluding bank holidays and "
            "days our office was closed).",
            st=st,
        ),
    ]
    if c["not assessed"]:
        lines.append(
            pdf.para(
                f"{c['not assessed']} of the {c['total']} provisions have not yet "
                f"been assessed for {report.label}.",
                "note",
                st,
            )
        )
    return lines


def render(report, path: Path, progress: pdf.Progress | None = None) -> Path:
    """The self-assessment on its own, as a landscape PDF."""
    from reportlab.platypus import Spacer

    st = pdf.styles()
    if progress:
        progress(1, 3)
    doc = pdf.Document(
        path,
        title=f"{TITLE} {report.label}",
        author=report.landlord.name,
        header=f"{report.landlord.name}: {TITLE.lower()}, {report.label}",
        footer=f"Produced {pdf.long_date(report.produced_on)}",
        demo=report.landlord.demo,
        landscape_only=True,
    )
    doc.add(
        pdf.para(pdf.esc(report.landlord.name), "subtitle", st),
        pdf.para(f"{TITLE} (2024) {report.label}", "title", st),
    )
    doc.add(*intro(report, st))
    if report.publication_note:
        doc.add(pdf.para(pdf.esc(report.publication_note), "note", st))
    doc.add(
        pdf.heading("Summary", 2, st),
        summary_table(report.assessment, st, LANDSCAPE_WIDTH * 0.7),
        Spacer(1, 8),
    )
    doc.add(*provision_tables(report.assessment, st))
    if progress:
        progress(2, 3)
    out = doc.save()
    if progress:
        progress(3, 3)
    return out
