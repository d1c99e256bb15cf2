"""A complaints update for the Member Responsible for Complaints and the governing body (9.6, 9.7).

Renders a ``services.reports.BoardUpdate`` for any period, compared with the period just before.
"""

from __future__ import annotations

from pathlib import Path

from ..domain.plural import count, noun
from . import pdf
from .annual import CONTRACTOR_HEADING, DECISION_ORDER, GROUND_WORDS, _months, contractor_section

PORTRAIT_WIDTH = 595.27 - 100
TITLE = "Complaints update for the governing body"

HEADINGS = {
    "volumes": "1. Volumes",
    "categories": "2. What complaints were about",
    "performance": "3. Complaint handling performance",
    "outcomes": "4. Outcomes and putting things right",
    "ombudsman": "5. Ombudsman outcomes and orders",
    "learning": "6. Learning and improvements",
    "contractors": f"7. {CONTRACTOR_HEADING}",
}


def _change(now, before) -> str:
    if now is None or before is None:
        return "-"
    d = now - before
    if isinstance(d, float):
        return "no change" if abs(d) < 0.05 else f"{'+' if d > 0 else ''}{d:.1f} points"
    return "no change" if d == 0 else f"{'+' if d > 0 else ''}{d:,}"


def render(b, path: Path, progress: pdf.Progress | None = None) -> Path:
    from reportlab.platypus import KeepTogether, Spacer

    st = pdf.styles()
    W = PORTRAIT_WIDTH
    f, p = b.figures, b.previous
    if progress:
        progress(1, 3)
    doc = pdf.Document(
        path,
        title=f"{TITLE}: {f.label}",
        author=b.landlord.name,
        header=f"{b.landlord.name}: complaints update, {f.label}",
        footer=f"Produced {pdf.long_date(b.produced_on)}",
        demo=b.landlord.demo,
    )
    doc.add(
        pdf.para(pdf.esc(b.landlord.name), "subtitle", st),
        pdf.para(TITLE, "h1", st),
        pdf.para(
            f"<b>Period:</b> {pdf.long_date(f.start)} to {pdf.long_date(f.end)}. "
            f"Compared with the period before: {pdf.long_date(p.start)} to {pdf.long_date(p.end)}.",
            st=st,
        ),
    )
    who = []
    if b.landlord.member_responsible:
        who.append(f"Member Responsible for Complaints: {pdf.esc(b.landlord.member_responsible)}")
    if b.landlord.complaints_officer:
        who.append(f"Complaints officer: {pdf.esc(b.landlord.complaints_officer)}")
    if who:
        doc.add(pdf.para(". ".join(who) + ".", "note", st))
    if b.publication_note:
        doc.add(pdf.para(pdf.esc(b.publication_note), "note", st))
    doc.add(
        pdf.key_figures(
            [
                (
                    pdf.num(f.stage1.received),
                    noun(f.stage1.received, "stage 1 complaint received", "stage 1 complaints received"),
                ),
                (pdf.num(f.stage2.received), "escalated to stage 2"),
                (pdf.num(b.open_now), noun(b.open_now, "complaint open today", "complaints open today")),
                (pdf.pct(f.stage1.on_time_pct), "stage 1 answered on time"),
                (pdf.pct(f.stage2.on_time_pct), "stage 2 answered on time"),
                (
                    pdf.num(len(b.open_orders)),
                    noun(len(b.open_orders), "Ombudsman order outstanding", "Ombudsman orders outstanding"),
                ),
            ],
            W,
            st,
        )
    )

    doc.add(pdf.heading(HEADINGS["volumes"], 2, st))
    rows = [["", "This period", "Period before", "Change"]]
    for label, a, c in (
        ("Complaints logged", f.logged, p.logged),
        ("Stage 1 complaints received", f.stage1.received, p.stage1.received),
        ("Stage 2 complaints received", f.stage2.received, p.stage2.received),
        ("Complaints not accepted", f.refused, p.refused),
        ("Escalation refused", f.escalation_refused, p.escalation_refused),
        ("Withdrawn", f.withdrawn, p.withdrawn),
        ("Service requests recorded", f.service_requests, p.service_requests),
        ("Open at the end of the period", f.open_at_end, p.open_at_end),
    ):
        rows.append([label, pdf.num(a), pdf.num(c), _change(a, c)])
    doc.add(pdf.table(rows, [W - 3 * 90, 90, 90, 90], st))
    doc.add(Spacer(1, 6))
    if len(f.by_month) > 1:
        doc.add(
            pdf.bar_chart(
                "Stage 1 complaints received each month",
                _months(f.by_month),
                [[n for _, n in f.by_month]],
                width=W,
                height=150,
                label_angle=30 if len(f.by_month) > 14 else 0,
            )
        )
    if f.refused:
        doc.add(
            pdf.para(
                "Not accepted, by reason: "
                + "; ".join(
                    f"{GROUND_WORDS.get(g, g or 'no reason recorded').lower()} ({n:,})"
                    for g, n in f.refused_by_ground
                )
                + ".",
                "small",
                st,
            )
        )

    total = f.stage1.received
    block = [pdf.heading(HEADINGS["categories"], 2, st)]
    if f.by_category:
        prev = dict(p.by_category)
        rows = [["Category", "This period", "Share", "Period before"]] + [
            [pdf.cap(c), pdf.num(n), "-" if not total else f"{n * 100 / total:.0f}%", pdf.num(prev.get(c, 0))]
            for c, n in f.by_category
        ]
        block.append(pdf.table(rows, [W - 3 * 90, 90, 90, 90], st))
    else:
        block.append(pdf.para("No complaints were received in the period.", st=st))
    doc.add(KeepTogether(block))

    block = [pdf.heading(HEADINGS["performance"], 2, st)]
    rows = [["", "This period", "Period before", "Change"]]
    for label, a, c in (
        ("Stage 1 acknowledged within 5 working days", f.stage1.acknowledged_pct, p.stage1.acknowledged_pct),
        ("Stage 1 answered within the Code's time", f.stage1.on_time_pct, p.stage1.on_time_pct),
        ("Stage 2 acknowledged within 5 working days", f.stage2.acknowledged_pct, p.stage2.acknowledged_pct),
        ("Stage 2 answered within the Code's time", f.stage2.on_time_pct, p.stage2.on_time_pct),
    ):
        rows.append([label, pdf.pct(a), pdf.pct(c), _change(a, c)])
    for label, a, c in (
        ("Stage 1 responses sent", f.stage1.responded, p.stage1.responded),
        ("Stage 2 responses sent", f.stage2.responded, p.stage2.responded),
        (
            "Extensions agreed",
            f.stage1.extensions + f.stage2.extensions,
            p.stage1.extensions + p.stage2.extensions,
        ),
    ):
        rows.append([label, pdf.num(a), pdf.num(c), _change(a, c)])
    block.append(pdf.table(rows, [W - 3 * 90, 90, 90, 90], st))
    doc.add(KeepTogether(block))

    block = [pdf.heading(HEADINGS["outcomes"], 2, st)]
    rows = [["Decision", "Stage 1", "Stage 2", "Stage 1 before", "Stage 2 before"]]
    for d in DECISION_ORDER:
        rows.append(
            [
                pdf.cap(d),
                pdf.num(f.stage1.outcome(d)),
                pdf.num(f.stage2.outcome(d)),
                pdf.num(p.stage1.outcome(d)),
                pdf.num(p.stage2.outcome(d)),
            ]
        )
    block.append(pdf.table(rows, [W - 4 * 80, 80, 80, 80, 80], st))
    block.append(Spacer(1, 4))
    rows = [
        ["Putting things right", "This period", "Period before"],
        [
            "Compensation offered",
            pdf.money(f.compensation_offered_pence),
            pdf.money(p.compensation_offered_pence),
        ],
        ["Compensation paid", pdf.money(f.compensation_paid_pence), pdf.money(p.compensation_paid_pence)],
        [
            "Remedies completed by their date",
            f"{f.remedies_done_by_due:,} of {f.remedies_due:,}",
            f"{p.remedies_done_by_due:,} of {p.remedies_due:,}",
        ],
        [
            "Remedies overdue at the end of the period",
            pdf.num(f.remedies_overdue_at_end),
            pdf.num(p.remedies_overdue_at_end),
        ],
    ]
    block.append(pdf.table(rows, [W - 2 * 100, 100, 100], st))
    block.append(Spacer(1, 4))
    rows = [
        ["What residents think", "This period", "Period before"],
        ["Compliments received", pdf.num(f.compliments), pdf.num(p.compliments)],
        [
            "Satisfied when asked after a complaint closed",
            f"{f.answers_satisfied:,} of {f.answers_given:,}",
            f"{p.answers_satisfied:,} of {p.answers_given:,}",
        ],
    ]
    block.append(pdf.table(rows, [W - 2 * 100, 100, 100], st))
    doc.add(KeepTogether(block))
    if progress:
        progress(2, 3)

    doc.add(pdf.heading(HEADINGS["ombudsman"], 2, st))
    found = ", ".join(f"{k or 'awaiting'}: {v:,}" for k, v in f.findings.items())
    doc.add(
        pdf.para(
            f"Referred to the Ombudsman in the period: {f.ombudsman_referred:,}. "
            f"Decisions received: {found or 'none'}.",
            st=st,
        )
    )
    if f.cases:
        rows = [["Case", "Complaint", "Referred", "Finding", "Decided"]]
        for c in f.cases:
            rows.append(
                [
                    c.case_number or "-",
                    c.reference or "-",
                    pdf.short(c.referred_on),
                    pdf.cap(c.finding) or "Awaiting decision",
                    pdf.short(c.determined_on),
                ]
            )
        doc.add(pdf.table(rows, [80, 80, 80, W - 320, 80], st, numeric_from=None))
    if b.open_orders:
        doc.add(pdf.heading("Orders not yet complied with", 3, st))
        rows = [["Case", "Finding", "Order", "Due"]]
        for c, o in b.open_orders:
            rows.append([c.case_number or "-", pdf.cap(c.finding) or "-", o.description, pdf.short(o.due_on)])
        doc.add(pdf.table(rows, [80, 110, W - 270, 80], st, numeric_from=None))
    else:
        doc.add(pdf.para("Every Ombudsman order recorded has been complied with.", st=st))

    part = [pdf.heading(HEADINGS["learning"], 2, st)]  # kept together: no lone line on a last page
    if f.learning:
        rows = [["Theme", "What we learned", "What we are changing", "Lead", "Status"]]
        for x in f.learning:
            rows.append(
                [pdf.cap(x.theme) or "-", x.learning, x.improvement or "-", x.owner or "-", pdf.cap(x.status)]
            )
        w = W - 70 - 70 - 60
        part.append(pdf.table(rows, [70, w / 2, w / 2, 70, 60], st, numeric_from=None))
    else:
        part.append(pdf.para("No learning points were recorded or completed in the period.", st=st))
    if b.open_learning:
        n = len(b.open_learning)
        part.append(
            pdf.para(
                f"{count(n, 'improvement')} from the learning log {'is' if n == 1 else 'are'} "
                f"still in hand (planned or in progress).",
                "small",
                st,
            )
        )
    doc.add(KeepTogether(part))
    doc.add(*contractor_section(b.by_contractor, b.label, HEADINGS["contractors"], 2, st, W))
    out = doc.save()
    if progress:
        progress(3, 3)
    return out
