"""The annual complaints performance and service improvement report (Code 8.1, 8.2) as a PDF.

Renders an ``services.reports.AnnualReport``; every figure comes from there.
"""

from __future__ import annotations

from pathlib import Path

from ..domain.plural import count, noun
from ..domain.satisfaction import regulator_note
from . import assessment, pdf

PORTRAIT_WIDTH = 595.27 - 100
TITLE = "Annual complaints performance and service improvement report"

# The 8.1 sections (and 8.2), as headed in the report. Tests look for each of these.
HEADINGS = {
    "about": "1. About this report",
    "8.2": "2. Response of the governing body (Code 8.2)",
    "8.1a": "3. Self-assessment against the Code (Code 8.1a)",
    "8.1b": "4. Complaint handling performance (Code 8.1b)",
    "8.1c": "5. Ombudsman findings and non-compliance (Code 8.1c)",
    "8.1d": "6. Service improvements from learning (Code 8.1d)",
    "8.1e": "7. The Ombudsman's annual report on us (Code 8.1e)",
    "8.1f": "8. Other Ombudsman reports about our work (Code 8.1f)",
    "appendix": "Appendix A: Self-assessment against the Code",
}

DECISION_ORDER = ("upheld", "partly upheld", "not upheld")
GROUND_WORDS = {
    "older than 12 months": "The issue arose more than 12 months before it was raised with us",
    "legal proceedings": "Court proceedings about the same matter had already started",
    "already considered": "The matter had already been dealt with under our complaints policy",
    "other": "Another reason, explained to the resident in writing",
}


def _count(n: int, one: str, many: str | None = None) -> str:
    """At the start of a sentence: "No lessons", "1 lesson", "2 lessons"."""
    return pdf.cap(count(n, one, many, zero="no"))


def _share(n: int, total: int) -> str:
    return "-" if not total else f"{n * 100 / total:.0f}%"


def _months(by_month):
    import datetime as dt

    return [dt.date(int(m[:4]), int(m[5:]), 1).strftime("%b") for m, _ in by_month]


def _has_data(f) -> bool:
    return bool(f.logged or f.stage1.responded or f.stage2.responded)


# sections ----------------------------------------------------------------------------------------


def _cover(r, st, W) -> list:
    from reportlab.platypus import Spacer

    f, t = r.figures, r.tsm
    out = [
        Spacer(1, 60),
        pdf.para(pdf.esc(r.landlord.name), "subtitle", st),
        pdf.para(f"{TITLE} {r.label}", "title", st),
        pdf.para(f"Complaints from residents, 1 April {r.year} to 31 March {r.year + 1}", "subtitle", st),
        pdf.para(
            "Prepared under provisions 8.1 and 8.2 of the Housing Ombudsman's Complaint "
            "Handling Code (2024).",
            "note",
            st,
        ),
        Spacer(1, 10),
    ]
    if not r.year_complete:
        out.append(
            pdf.boxed(
                [
                    pdf.para(
                        f"<b>Interim report.</b> The year ends on 31 March {r.year + 1}; "
                        f"the figures cover complaints up to {pdf.long_date(r.produced_on)}. "
                        + pdf.esc(r.comparison_note),
                        "small",
                        st,
                    )
                ],
                W,
            )
        )
        out.append(Spacer(1, 10))
    if r.publication_note:
        out.append(pdf.boxed([pdf.para(pdf.esc(r.publication_note), "small", st)], W))
        out.append(Spacer(1, 10))
    out.append(
        pdf.key_figures(
            [
                (pdf.num(f.stage1.received), noun(f.stage1.received, "stage 1 complaint")),
                (
                    pdf.num(f.stage2.received),
                    noun(
                        f.stage2.received, "complaint escalated to stage 2", "complaints escalated to stage 2"
                    ),
                ),
                (pdf.one_dp(t.ch01_stage1), "stage 1 complaints per 1,000 homes"),
                (pdf.pct(t.ch02_stage1), "stage 1 complaints answered on time"),
                (pdf.pct(t.ch02_stage2), "stage 2 complaints answered on time"),
                (pdf.money(f.compensation_paid_pence), "compensation paid to residents"),
            ],
            W,
            st,
        )
    )
    out.append(Spacer(1, 24))
    out.append(pdf.heading("Contents", 2, st))
    for key in ("about", "8.2", "8.1a", "8.1b", "8.1c", "8.1d", "8.1e", "8.1f", "appendix"):
        out.append(pdf.para(pdf.esc(HEADINGS[key]), "small", st))
    out.append(Spacer(1, 18))
    out.append(pdf.para(f"Produced on {pdf.long_date(r.produced_on)}.", "note", st))
    return out


def _about(r, st) -> list:
    f, L = r.figures, r.landlord
    out = [pdf.heading(HEADINGS["about"], 1, st)]
    who = pdf.esc(L.name)
    if f.homes:
        out.append(
            pdf.para(
                f"{who} owns or manages {f.homes:,} homes. This report explains how we "
                f"dealt with complaints from our residents in {r.label}: how many we "
                f"received and what they were about, how quickly we answered them, what "
                f"we decided, how we put things right and what we have changed as a "
                f"result.",
                st=st,
            )
        )
    else:
        out.append(
            pdf.para(
                f"This report explains how {who} dealt with complaints from residents in "
                f"{r.label}: how many we received and what they were about, how quickly "
                f"we answered them, what we decided, how we put things right and what we "
                f"have changed as a result.",
                st=st,
            )
        )
    out.append(
        pdf.para(
            "It follows the contents that provision 8.1 of the Housing Ombudsman's "
            "Complaint Handling Code sets for an annual report, and our full "
            "self-assessment against the Code is attached as Appendix A. The report goes "
            "to our governing body, and we publish it on our website together with the "
            "governing body's response (section 2)."
            + (f" It is available at {pdf.esc(L.website)}." if L.website else ""),
            st=st,
        )
    )
    people = []
    if L.complaints_officer:
        people.append(
            f"Our complaints officer, who leads on complaint handling day to day and deals "
            f"with the Ombudsman, is {pdf.esc(L.complaints_officer)}."
        )
    if L.member_responsible:
        people.append(
            f"The member of our governing body responsible for complaints (MRC) is "
            f"{pdf.esc(L.member_responsible)}."
        )
    if people:
        out.append(pdf.para(" ".join(people), st=st))
    out.append(pdf.heading("How we count", 3, st))
    out.append(
        pdf.para(
            "Complaints are counted in the year they were received; responses in the year they were "
            "sent, so a complaint that arrived in March and was answered in April is counted as received "
            "in one year and answered in the next. Complaints we did not accept under section 2 of the "
            "Code are not included in the number of complaints received, and are reported separately in "
            "section 4. Time limits are in working days: Monday to Friday, excluding bank holidays and "
            "days our office was closed. A response sent by a new date agreed under an extension that the "
            "Code allows counts as on time. The Tenant Satisfaction Measures CH01 and CH02 use the same "
            "rules and are given to one decimal place.",
            "small",
            st,
        )
    )
    return out


def _response(r, st, W) -> list:
    from reportlab.platypus import Spacer

    out = [pdf.heading(HEADINGS["8.2"], 1, st)]
    text = r.texts.get("governing_body_response", "")
    if text:
        out.append(pdf.boxed([pdf.para(pdf.esc(text), st=st)], W))
        if r.landlord.member_responsible:
            out.append(Spacer(1, 4))
            out.append(
                pdf.para(
                    f"{pdf.esc(r.landlord.member_responsible)}, Member Responsible for Complaints", "note", st
                )
            )
    else:
        out.append(
            pdf.para(
                "Our governing body considers this report and gives its response, which "
                "is published with it. The response will be set out here once the "
                "governing body has met.",
                st=st,
            )
        )
        lines = [pdf.para("<b>The governing body's response</b>", "small", st)]
        lines += [Spacer(1, 16)] * 6
        who = pdf.esc(r.landlord.member_responsible) or "________________________"
        lines.append(
            pdf.para(
                "Signed: ____________________________ &nbsp;&nbsp;&nbsp; Date: ______________", "small", st
            )
        )
        lines.append(pdf.para(f"Member Responsible for Complaints: {who}", "small", st))
        out.append(pdf.boxed(lines, W))
    return out


def _self_assessment_summary(r, st, W) -> list:
    c = assessment.summary_counts(r.assessment)
    out = [pdf.heading(HEADINGS["8.1a"], 1, st)]
    done = c["total"] - c["not assessed"]
    if done:
        text = (
            f"Each year we check our complaints policy and practice against every provision of "
            f"the Code. For {r.label} we assessed {done} of the {c['total']} provisions: we meet "
            f"{c['met']} and do not yet fully meet {c['not met']}."
            + (f" {c['not assessed']} are still to be assessed." if c["not assessed"] else "")
        )
    else:
        text = (
            f"Each year we check our complaints policy and practice against every provision of "
            f"the Code. The self-assessment for {r.label} has not yet been completed: none of the "
            f"{c['total']} provisions has been assessed so far. Where our records already show "
            f"how we performed, the figures are given in Appendix A."
        )
    out.append(
        pdf.para(
            text + " The complete self-assessment, with our evidence for each provision, is in Appendix A."
            if done
            else text,
            st=st,
        )
    )
    out.append(assessment.summary_table(r.assessment, st, W))
    gaps = [row for row in r.assessment if row.complies is False]
    if gaps:
        out.append(pdf.heading("Where we fall short, and what we are doing", 3, st))
        data = [["Provision", "What the Code requires (our summary)", "What we are doing"]]
        for g in gaps:
            data.append([g.number, g.provision.summary, g.commentary or "Action to be agreed."])
        out.append(pdf.table(data, [55, (W - 55) * 0.5, (W - 55) * 0.5], st, numeric_from=None))
    return out


def _performance(r, st, W) -> list:
    from reportlab.platypus import KeepTogether, Spacer, Table

    f, t = r.figures, r.tsm
    prev = r.history[-2] if len(r.history) > 1 else None
    out = [pdf.heading(HEADINGS["8.1b"], 1, st)]

    # 4.1 received
    out.append(pdf.heading("4.1 Complaints received", 2, st))
    text = (
        f"We logged {count(f.logged, 'complaint')} in {r.label}. "
        + (f"We did not accept {f.refused:,} of them (see 4.7), so " if f.refused else "")
        + f"{count(f.stage1.received, 'complaint')} went through stage 1 of our process"
    )
    text += (
        f", which is {t.ch01_stage1:.1f} for every 1,000 homes."
        if t.ch01_stage1 is not None
        else ". The number of homes for the year has not been recorded, so we cannot give the "
        "figure per 1,000 homes."
    )
    if prev is not None and _has_data(prev):
        diff = f.stage1.received - prev.stage1.received
        before = prev.label if r.year_complete else f"the same months of {prev.label[:7]}"
        text += (
            f" That is {abs(diff):,} {'more' if diff > 0 else 'fewer'} than in {before} "
            f"({prev.stage1.received:,})."
            if diff
            else f" That is the same as in {before}."
        )
    text += f" Residents asked for {count(f.stage2.received, 'complaint')} to go to stage 2" + (
        f" ({t.ch01_stage2:.1f} per 1,000 homes)." if t.ch01_stage2 is not None else "."
    )
    out.append(pdf.para(text, st=st))
    out.append(
        pdf.para(
            "We want residents to find it easy to tell us when something has gone wrong, "
            "so we do not see a rise in complaints as a failure in itself. What matters "
            "is how quickly and fairly we put things right, and what we learn.",
            st=st,
        )
    )
    rows = [
        ["", "Number", "Per 1,000 homes"],
        ["Stage 1 complaints received", pdf.num(f.stage1.received), pdf.one_dp(t.ch01_stage1)],
        ["Stage 2 complaints received (escalations)", pdf.num(f.stage2.received), pdf.one_dp(t.ch01_stage2)],
        ["Complaints not accepted (section 2 of the Code)", pdf.num(f.refused), ""],
        ["Requests for stage 2 that we refused", pdf.num(f.escalation_refused), ""],
        ["Complaints withdrawn by the resident", pdf.num(f.withdrawn), ""],
        ["Complaints from residents we know to be vulnerable", pdf.num(f.vulnerable), ""],
        ["Service requests recorded (not complaints)", pdf.num(f.service_requests), ""],
        ["Homes owned or managed", pdf.num(f.homes), ""],
    ]
    out.append(pdf.table(rows, [W - 180, 80, 100], st))
    out.append(Spacer(1, 8))
    out.append(
        pdf.bar_chart(
            f"Stage 1 complaints received each month, {r.label}",
            _months(f.by_month),
            [[n for _, n in f.by_month]],
            width=W,
            height=170,
        )
    )

    # 4.2 channels and 4.3 categories
    total = f.stage1.received
    block = [
        pdf.heading("4.2 How complaints reached us", 2, st),
        pdf.para(
            "Residents can complain in any way they choose. This is how the stage 1 "
            "complaints we received this year reached us.",
            st=st,
        ),
    ]
    rows = [["Channel", "Complaints", "Share"]] + [
        [pdf.cap(c), pdf.num(n), _share(n, total)] for c, n in f.by_channel
    ]
    chart = pdf.hbar_chart(
        "By channel", [c for c, _ in f.by_channel], [n for _, n in f.by_channel], width=W * 0.55 - 16
    )
    side = Table(
        [[pdf.table(rows, [W * 0.45 - 130, 80, 50], st), chart]],
        colWidths=[W * 0.45, W * 0.55],
        hAlign="LEFT",
    )
    side.setStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (0, 0), 0),
            ("LEFTPADDING", (1, 0), (1, 0), 16),
        ]
    )
    block.append(side)
    out.append(KeepTogether(block))

    out.append(pdf.heading("4.3 What complaints were about", 2, st))
    out.append(
        pdf.para(
            "Each complaint is given one or more categories when it is logged, so the "
            "numbers below can add up to more than the number of complaints.",
            st=st,
        )
    )
    rows = [["Category", "Complaints", "Share of complaints"]] + [
        [pdf.cap(c), pdf.num(n), _share(n, total)] for c, n in f.by_category
    ]
    out.append(pdf.table(rows, [W - 200, 80, 120], st))
    out.append(Spacer(1, 6))
    out.append(
        pdf.hbar_chart(
            "Stage 1 complaints by category",
            [c for c, _ in f.by_category],
            [n for _, n in f.by_category],
            width=W,
        )
    )

    # 4.4 timeliness
    block = [
        pdf.heading("4.4 Acknowledging and answering on time", 2, st),
        pdf.para(
            "The Code gives us 5 working days to acknowledge a complaint at either stage. "
            "We then have 10 working days from the acknowledgement to send a stage 1 "
            "response, and 20 working days for a stage 2 response. A response sent by a new "
            "date set under an extension the Code allows counts as on time.",
            st=st,
        ),
    ]
    rows = [["", "Acknowledged", "Within 5 working days", "Answered", "Within the Code's time", "On time"]]
    for n in (1, 2):
        s = f.stage(n)
        rows.append(
            [
                f"Stage {n}",
                pdf.num(s.acknowledged),
                f"{s.acknowledged_on_time:,} ({pdf.pct(s.acknowledged_pct)})",
                pdf.num(s.responded),
                pdf.num(s.responded_on_time),
                pdf.pct(s.on_time_pct),
            ]
        )
    block.append(pdf.table(rows, [W - 92 - 4 * 80, 92, 80, 80, 80, 80], st))
    block.append(
        pdf.para(
            f"Tenant Satisfaction Measure CH02: {pdf.pct(t.ch02_stage1)} of stage 1 "
            f"complaints and {pdf.pct(t.ch02_stage2)} of stage 2 complaints answered in "
            f"{r.label} were answered within the Code's timescales.",
            "small",
            st,
        )
    )
    out.append(KeepTogether(block))

    # 4.5 extensions
    block = [
        pdf.heading("4.5 Extensions", 2, st),
        pdf.para(
            "Sometimes we need longer to answer properly, for example to arrange a survey. "
            "The Code lets us extend the time by up to 10 working days at stage 1 and 20 at "
            "stage 2, or longer where there is a good reason that we explain to the "
            "resident. Every extension letter gives the Ombudsman's contact details.",
            st=st,
        ),
    ]
    rows = [
        [
            "",
            "Agreed",
            "Within the limit",
            "Longer, good reason",
            "Longer, no good reason",
            "Resident told",
            "Letter sent",
            "Not counted",
        ]
    ]
    for n in (1, 2):
        s = f.stage(n)
        rows.append(
            [
                f"Stage {n}",
                pdf.num(s.extensions),
                pdf.num(s.extensions_within_cap),
                pdf.num(s.extensions_past_cap_good_reason),
                pdf.num(s.extensions_past_cap_no_reason),
                pdf.num(s.extensions_resident_told),
                pdf.num(s.extensions_with_letter),
                pdf.num(s.extensions_not_counted),
            ]
        )
    block.append(pdf.table(rows, [W - 7 * 62, 62, 62, 62, 62, 62, 62, 62], st))
    block.append(
        pdf.para(
            "An extension is not counted when it was agreed after the date it extended, "
            "the resident was never told of it, or it went past the limit without a "
            "good reason: the response is then timed against the date before it.",
            "small",
            st,
        )
    )
    used = f.stage1.responded_extended + f.stage2.responded_extended
    answered = f.stage1.responded + f.stage2.responded
    block.append(
        pdf.para(
            f"{used:,} of the {count(answered, 'response')} sent in the year followed an extension.",
            "small",
            st,
        )
    )
    out.append(KeepTogether(block))

    # 4.6 outcomes
    out.append(pdf.heading("4.6 Outcomes", 2, st))
    rows = [["Decision", "Stage 1", "Share", "Stage 2", "Share"]]
    for d in _decisions(f):
        rows.append(
            [
                pdf.cap(d),
                pdf.num(f.stage1.outcome(d)),
                _share(f.stage1.outcome(d), f.stage1.responded),
                pdf.num(f.stage2.outcome(d)),
                _share(f.stage2.outcome(d), f.stage2.responded),
            ]
        )
    rows.append(["Total responses", pdf.num(f.stage1.responded), "", pdf.num(f.stage2.responded), ""])
    upheld = f.stage1.outcome("upheld") + f.stage1.outcome("partly upheld")
    out.append(
        pdf.para(
            f"We found that something had gone wrong, in whole or in part, in {upheld:,} "
            f"of the {count(f.stage1.responded, 'stage 1 complaint')} we answered "
            f"({_share(upheld, f.stage1.responded)}). Each of these is a chance to put "
            f"things right for the resident and to improve the service for everyone.",
            st=st,
        )
    )
    out.append(pdf.table(rows, [W - 4 * 80, 80, 80, 80, 80], st, total_row=True))
    out.append(Spacer(1, 6))
    pies = Table(
        [
            [
                pdf.pie_chart(
                    "Stage 1 decisions",
                    list(DECISION_ORDER),
                    [f.stage1.outcome(d) for d in DECISION_ORDER],
                    width=W / 2 - 4,
                ),
                pdf.pie_chart(
                    "Stage 2 decisions",
                    list(DECISION_ORDER),
                    [f.stage2.outcome(d) for d in DECISION_ORDER],
                    width=W / 2 - 4,
                ),
            ]
        ],
        colWidths=[W / 2, W / 2],
        hAlign="LEFT",
    )
    pies.setStyle([("LEFTPADDING", (0, 0), (-1, -1), 0)])
    out.append(pies)

    # 4.7 refused
    block = [
        pdf.heading("4.7 Complaints we did not accept", 2, st),
        pdf.para(
            "We accept every complaint unless there is a valid reason under section 2 of "
            "the Code not to, and we look at each one on its own facts. When we decide not "
            "to take a complaint on, we write to the resident to explain why and to tell "
            "them they can ask the Ombudsman to look at our decision.",
            st=st,
        ),
    ]
    if f.refused:
        rows = [["Reason", "Complaints"]] + [
            [GROUND_WORDS.get(g, pdf.cap(g) or "No reason recorded"), pdf.num(n)]
            for g, n in f.refused_by_ground
        ]
        rows.append(["Total not accepted", pdf.num(f.refused)])
        block.append(pdf.table(rows, [W - 90, 90], st, total_row=True))
    else:
        block.append(pdf.para(f"We accepted every complaint we received in {r.label}.", st=st))
    if f.escalation_refused:
        block.append(Spacer(1, 6))
        block.append(
            pdf.para(
                f"We refused {count(f.escalation_refused, 'request')} to escalate to stage 2, "
                f"each for a reason allowed by the Code and explained in writing:",
                st=st,
            )
        )
        rows = [["Reason", "Requests"]] + [
            [GROUND_WORDS.get(g, pdf.cap(g) or "No reason recorded"), pdf.num(n)]
            for g, n in f.escalation_refused_by_ground
        ]
        block.append(pdf.table(rows, [W - 90, 90], st))
    out.append(KeepTogether(block))

    # 4.8 remedies
    block = [
        pdf.heading("4.8 Putting things right", 2, st),
        pdf.para(
            "Where we got something wrong we say so and set out how we will put it right. "
            "A response can include more than one remedy.",
            st=st,
        ),
    ]
    if f.remedies:
        rows = [["Remedy offered", "Times offered"]] + [
            [pdf.cap(x.kind), pdf.num(x.offered)] for x in f.remedies
        ]
        block.append(pdf.table(rows, [W - 90, 90], st))
    else:
        block.append(pdf.para("No remedies were offered in the year.", st=st))
    block.append(Spacer(1, 6))
    rows = [
        ["Compensation and follow-through", "Number", "Amount"],
        [
            "Payments offered in the year",
            pdf.num(f.compensation_offered),
            pdf.money(f.compensation_offered_pence),
        ],
        ["Payments made in the year", pdf.num(f.compensation_paid), pdf.money(f.compensation_paid_pence)],
        [
            "Remedies due in the year, completed by their date",
            f"{f.remedies_done_by_due:,} of {f.remedies_due:,}",
            "",
        ],
        [
            "Follow-up actions due in the year, completed by their date",
            f"{f.actions_done_by_due:,} of {f.actions_due:,}",
            "",
        ],
    ]
    block.append(pdf.table(rows, [W - 180, 90, 90], st))
    out.append(KeepTogether(block))

    # 4.9 three years
    out.append(pdf.heading("4.9 Three years compared", 2, st))
    hist, tsms = r.history, r.history_tsm
    if r.comparison_note:
        out.append(pdf.para(pdf.esc(r.comparison_note), "small", st))

    def col(fn):
        return [fn(h, tt) if _has_data(h) else "no data" for h, tt in zip(hist, tsms)]

    rows = [
        ["Measure"] + [h.label for h in hist],
        ["Homes"] + [pdf.num(h.homes) for h in hist],
        ["Complaints logged"] + col(lambda h, tt: pdf.num(h.logged)),
        ["Stage 1 complaints received"] + col(lambda h, tt: pdf.num(h.stage1.received)),
        ["Stage 2 complaints received"] + col(lambda h, tt: pdf.num(h.stage2.received)),
        ["CH01(1) stage 1 per 1,000 homes"] + col(lambda h, tt: pdf.one_dp(tt.ch01_stage1)),
        ["CH01(2) stage 2 per 1,000 homes"] + col(lambda h, tt: pdf.one_dp(tt.ch01_stage2)),
        ["CH02(1) stage 1 answered on time"] + col(lambda h, tt: pdf.pct(tt.ch02_stage1)),
        ["CH02(2) stage 2 answered on time"] + col(lambda h, tt: pdf.pct(tt.ch02_stage2)),
        ["Stage 1 acknowledged within 5 working days"]
        + col(lambda h, tt: pdf.pct(h.stage1.acknowledged_pct)),
        ["Stage 1 upheld in whole or part"]
        + col(
            lambda h, tt: _share(
                h.stage1.outcome("upheld") + h.stage1.outcome("partly upheld"), h.stage1.responded
            )
        ),
        ["Complaints not accepted"] + col(lambda h, tt: pdf.num(h.refused)),
        ["Compensation paid"] + col(lambda h, tt: pdf.money(h.compensation_paid_pence)),
    ]
    out.append(pdf.table(rows, [W - 3 * 85, 85, 85, 85], st))
    out.append(Spacer(1, 8))
    charts = Table(
        [
            [
                pdf.bar_chart(
                    "Complaints received",
                    [h.label for h in hist],
                    [[h.stage1.received for h in hist], [h.stage2.received for h in hist]],
                    names=["Stage 1", "Stage 2"],
                    width=W / 2 - 6,
                    height=170,
                ),
                pdf.bar_chart(
                    "Answered on time (%)",
                    [h.label for h in hist],
                    [[tt.ch02_stage1 or 0 for tt in tsms], [tt.ch02_stage2 or 0 for tt in tsms]],
                    names=["Stage 1", "Stage 2"],
                    width=W / 2 - 6,
                    height=170,
                    value_format="%.0f",
                ),
            ]
        ],
        colWidths=[W / 2, W / 2],
        hAlign="LEFT",
    )
    charts.setStyle([("LEFTPADDING", (0, 0), (-1, -1), 0)])
    out.append(charts)
    out.extend(_residents_views(r, st, W))
    return out


def _tp09_cell(h) -> str:
    return "not entered" if h.tp09 is None else pdf.pct(h.tp09.result)


def _tp09_counts(h) -> str:
    return "-" if h.tp09 is None else f"{h.tp09.satisfied:,} of {h.tp09.answered:,}"


def _residents_views(r, st, W) -> list:
    """4.10: TP09 from our perception survey and the compliments we received, beside CH01 and
    CH02, for this year and the two before it."""
    from reportlab.platypus import KeepTogether, Spacer

    f, hist, tsms = r.figures, r.history, r.history_tsm
    out = [pdf.heading("4.10 What residents think", 2, st)]
    t = f.tp09
    if t is not None:
        text = (
            f"In our tenant perception survey for {r.label}, {t.satisfied:,} of the "
            f"{count(t.answered, 'resident')} who answered the question were very or fairly satisfied "
            f"with our approach to handling complaints: TP09 is {pdf.pct(t.result)}."
        )
        if t.dont_know:
            text += (
                f" A further {t.dont_know:,} said they did not know or that it did not apply; "
                "as the Tenant Satisfaction Measures require, they are not counted."
            )
    else:
        text = (
            f"The result of our tenant perception survey for {r.label} (TP09, satisfaction with our "
            "approach to handling complaints) has not been entered."
        )
    note = regulator_note(f.homes)
    if note:
        text += " " + note
    out.append(pdf.para(pdf.esc(text), st=st))
    teams = ", ".join(f"{pdf.esc(team)} ({n:,})" for team, n in f.compliments_by_team[:5])
    out.append(
        pdf.para(
            f"We received {count(f.compliments, 'compliment')} about our service in {r.label}"
            + (f": {teams}." if f.compliments else "."),
            st=st,
        )
    )
    if f.answers_given or any(n for _, n in f.satisfaction_answers):
        out.append(
            pdf.para(
                f"We asked residents how satisfied they were once their complaint had closed: "
                f"{count(f.answers_given, 'resident')} answered, and {f.answers_satisfied:,} of "
                f"them said they were very or fairly satisfied"
                + (f" ({pdf.pct(f.answers_satisfied_pct)})." if f.answers_given else "."),
                st=st,
            )
        )

    def col(fn):
        return [fn(h, tt) for h, tt in zip(hist, tsms)]

    rows = [
        ["Measure"] + [h.label for h in hist],
        ["CH01(1) stage 1 per 1,000 homes"] + col(lambda h, tt: pdf.one_dp(tt.ch01_stage1)),
        ["CH01(2) stage 2 per 1,000 homes"] + col(lambda h, tt: pdf.one_dp(tt.ch01_stage2)),
        ["CH02(1) stage 1 answered on time"] + col(lambda h, tt: pdf.pct(tt.ch02_stage1)),
        ["CH02(2) stage 2 answered on time"] + col(lambda h, tt: pdf.pct(tt.ch02_stage2)),
        ["TP09 satisfied with our complaint handling"] + col(lambda h, tt: _tp09_cell(h)),
        ["TP09: satisfied, of those who answered"] + col(lambda h, tt: _tp09_counts(h)),
        ["Compliments received"] + col(lambda h, tt: pdf.num(h.compliments)),
    ]
    block = [pdf.table(rows, [W - 3 * 85, 85, 85, 85], st), Spacer(1, 4)]
    block.append(
        pdf.para(
            "TP09 is the share of survey respondents who answered the question and were very or "
            "fairly satisfied; those who did not know or said it did not apply are left out.",
            "small",
            st,
        )
    )
    out.append(KeepTogether(block))
    return out


SERVICE_REQUESTS_HEADING = "4.11 Service requests by category and month"


def _service_requests(r, st, W) -> list:
    """Service requests by category and month (Code 1.4): received, and open at each month's end."""
    from reportlab.platypus import KeepTogether, Spacer

    t = r.service_request_themes
    if t is None:
        return []
    total = sum(t.received_by_month)
    intro = [
        pdf.heading(SERVICE_REQUESTS_HEADING, 2, st),
        pdf.para(
            "Service requests are requests to put something right, such as a repair; they are not "
            f"complaints, but we record and follow each one up. We received {count(total, 'service request')} "
            f"in {t.label}. The first table shows how many of each kind came in each month; the "
            "second, how many were still open at the end of each month.",
            st=st,
        ),
    ]
    if not t.categories:
        return intro
    months = _months([(m, 0) for m in t.months])
    widths = [W - 31 * len(months) - 36] + [31] * len(months) + [36]

    def grid(title: str, by: dict[str, list[int]], totals: list[int], with_sum: bool) -> list:
        rows = [[title] + months + ["Total" if with_sum else ""]]
        for c, counts in by.items():
            rows.append(
                [pdf.cap(c)] + [pdf.num(n) for n in counts] + [pdf.num(sum(counts)) if with_sum else ""]
            )
        rows.append(["All"] + [pdf.num(n) for n in totals] + [pdf.num(sum(totals)) if with_sum else ""])
        table = pdf.table(rows, widths, st, total_row=True)
        # narrow month columns: less padding, so that "May" and "Total" stay on one line
        table.setStyle([("LEFTPADDING", (1, 0), (-1, -1), 2), ("RIGHTPADDING", (1, 0), (-1, -1), 2)])
        return [table, Spacer(1, 6)]

    return [
        KeepTogether(intro + grid("Received", t.received, t.received_by_month, True)),
        KeepTogether(grid("Open at month end", t.open_at_end, t.open_by_month, False)),
    ]


CONTRACTOR_HEADING = "Complaints by contractor"


def contractor_section(cf, period: str, heading: str, level: int, st, W) -> list:
    """The "Complaints by contractor" table (Code 5.4, 5.5) of a services.figures.ContractorFigures:
    one row per contractor, and a sentence for the complaints put down to none (left out of the
    table). Shared by the annual report and the board update."""
    from reportlab.platypus import KeepTogether

    block = [
        pdf.heading(heading, level, st),
        pdf.para(
            "We stay responsible for complaints about the work of contractors acting for us, and "
            "handle them ourselves, asking the contractor for its side (Code 5.4, 5.5). A complaint "
            "about a contractor's work or conduct is recorded against that contractor. Upheld means "
            "a response in the period that upheld the complaint in whole or in part.",
            st=st,
        ),
    ]
    if cf.lines:
        rows = [["Contractor", "Received", "Upheld at stage 1", "Upheld at stage 2", "Open at end"]]
        for x in cf.lines:
            rows.append(
                [
                    x.contractor,
                    pdf.num(x.received),
                    pdf.num(x.upheld_stage1),
                    pdf.num(x.upheld_stage2),
                    pdf.num(x.open_at_end),
                ]
            )
        rows.append(
            [
                "All contractors",
                pdf.num(sum(x.received for x in cf.lines)),
                pdf.num(sum(x.upheld_stage1 for x in cf.lines)),
                pdf.num(sum(x.upheld_stage2 for x in cf.lines)),
                pdf.num(sum(x.open_at_end for x in cf.lines)),
            ]
        )
        block.append(pdf.table(rows, [W - 4 * 78, 78, 78, 78, 78], st, total_row=True))
    else:
        block.append(pdf.para(f"No complaint in {pdf.esc(period)} was recorded against a contractor.", st=st))
    n = cf.not_put_down
    block.append(
        pdf.para(
            "Not in this table: complaints not recorded against any contractor "
            f"({n.received:,} received, {n.upheld_stage1:,} upheld at stage 1, "
            f"{n.upheld_stage2:,} upheld at stage 2, {n.open_at_end:,} open at the end of the period).",
            "small",
            st,
        )
    )
    return [KeepTogether(block)]


def _decisions(f) -> list[str]:
    extra = sorted((set(f.stage1.outcomes) | set(f.stage2.outcomes)) - set(DECISION_ORDER))
    return list(DECISION_ORDER) + extra


def _ombudsman(r, st, W) -> list:
    f = r.figures
    out = [pdf.heading(HEADINGS["8.1c"], 1, st)]
    text = r.texts.get("non_compliance_findings", "")
    out.append(
        pdf.para(
            pdf.esc(text)
            if text
            else f"No findings by the Ombudsman that we failed to comply with the Complaint "
            f"Handling Code have been recorded for {r.label}.",
            st=st,
        )
    )
    out.append(pdf.heading("Complaints the Ombudsman looked at", 2, st))
    determined = sum(f.findings.values())
    adverse = sum(n for k, n in f.findings.items() if k and k != "no maladministration")
    text = (
        f"{_count(f.ombudsman_referred, 'complaint was', 'complaints were')} referred to the "
        f"Housing Ombudsman in {r.label}, and the Ombudsman reached "
        f"{_count(determined, 'decision', 'decisions')} about us in the year"
    )
    if determined:
        text += (
            f"; {adverse:,} of {'them' if determined > 1 else 'it'} found some failing on our part."
            if adverse
            else ", none of which found a failing on our part."
        )
    else:
        text += "."
    out.append(pdf.para(text, st=st))
    if f.cases:
        rows = [["Case", "Referred", "Finding", "Decided", "About"]]
        for c in f.cases:
            rows.append(
                [
                    c.case_number or "-",
                    pdf.short(c.referred_on),
                    pdf.cap(c.finding) or "Awaiting decision",
                    pdf.short(c.determined_on),
                    c.summary or "",
                ]
            )
        out.append(pdf.table(rows, [70, 65, 105, 65, W - 305], st, numeric_from=None))
        orders = [(c, o) for c in f.cases for o in c.orders]
        if orders:
            out.append(pdf.heading("Orders and recommendations", 3, st))
            rows = [["Case", "What the Ombudsman asked us to do", "Due", "Done", "On time"]]
            for c, o in orders:
                ok = o.complied_on_time
                rows.append(
                    [
                        c.case_number or "-",
                        o.description,
                        pdf.short(o.due_on),
                        pdf.short(o.complied_on),
                        "Yes" if ok else ("No" if ok is False else "Not yet"),
                    ]
                )
            out.append(pdf.table(rows, [70, W - 265, 65, 65, 65], st, numeric_from=None))
    return out


def _learning(r, st, W) -> list:
    f = r.figures
    out = [pdf.heading(HEADINGS["8.1d"], 1, st)]
    if f.by_category:
        top = ", ".join(f"{c} ({n:,})" for c, n in r.themes)
        out.append(
            pdf.para(
                f"The subjects residents raised most often were {pdf.esc(top)}. We look "
                f"beyond each individual complaint for what it tells us about our "
                f"services, record what we learn, and follow each improvement through to "
                f"completion.",
                st=st,
            )
        )
    done = [x for x in f.learning if x.status == "done"]
    if f.learning:
        out.append(
            pdf.para(
                f"The learning log below shows {_count(len(f.learning), 'lesson', 'lessons')} "
                f"from complaints recorded or acted on in {r.label}; "
                f"{_count(len(done), 'improvement has', 'improvements have')} been made.",
                st=st,
            )
        )
    else:
        out.append(
            pdf.para(
                f"No lessons were added to our learning log, and no improvements completed, in {r.label}.",
                st=st,
            )
        )
    if f.learning:
        rows = [["Theme", "What we learned", "What we changed", "Lead", "Status", "Done"]]
        for x in f.learning:
            rows.append(
                [
                    pdf.cap(x.theme) or "-",
                    x.learning,
                    x.improvement or "-",
                    x.owner or "-",
                    pdf.cap(x.status),
                    pdf.short(x.made_on),
                ]
            )
        w = W - (70 + 70 + 55 + 55)
        out.append(pdf.table(rows, [70, w * 0.5, w * 0.5, 70, 55, 55], st, numeric_from=None))
    return out


def _texts(r, st) -> list:
    out = [pdf.heading(HEADINGS["8.1e"], 1, st)]
    text = r.texts.get("ombudsman_annual_report", "")
    out.append(
        pdf.para(
            pdf.esc(text)
            if text
            else f"No annual report from the Housing Ombudsman on our performance in {r.label} "
            f"has been recorded.",
            st=st,
        )
    )
    out.append(pdf.heading(HEADINGS["8.1f"], 1, st))
    text = r.texts.get("other_ombudsman_reports", "")
    out.append(
        pdf.para(
            pdf.esc(text)
            if text
            else f"No other reports or publications by the Housing Ombudsman about our work in "
            f"{r.label} have been recorded. Decisions the Ombudsman makes about landlords "
            f"are published on its website.",
            st=st,
        )
    )
    return out


def render(r, path: Path, progress: pdf.Progress | None = None) -> Path:
    """Write the annual report ``r`` (a services.reports.AnnualReport) to ``path``."""
    from reportlab.platypus import CondPageBreak, KeepTogether, NextPageTemplate, PageBreak

    st = pdf.styles()
    W = PORTRAIT_WIDTH
    steps = 4

    def tick(n):
        if progress:
            progress(n, steps)

    doc = pdf.Document(
        path,
        title=f"{TITLE} {r.label}",
        author=r.landlord.name,
        header=f"{r.landlord.name}: annual complaints report {r.label}",
        footer=f"Produced {pdf.long_date(r.produced_on)}",
        demo=r.landlord.demo,
    )
    doc.add(*_cover(r, st, W), PageBreak())
    doc.add(*_about(r, st))
    doc.add(*_response(r, st, W))
    summary = _self_assessment_summary(r, st, W)
    doc.add(CondPageBreak(260), KeepTogether(summary[:3]), *summary[3:])
    tick(1)
    doc.add(CondPageBreak(300), *_performance(r, st, W))
    doc.add(CondPageBreak(200), *_service_requests(r, st, W))
    doc.add(*contractor_section(r.by_contractor, r.label, f"4.12 {CONTRACTOR_HEADING}", 2, st, W))
    doc.add(CondPageBreak(200), *_ombudsman(r, st, W))
    doc.add(CondPageBreak(200), *_learning(r, st, W))
    doc.add(CondPageBreak(150), *_texts(r, st))
    if r.audit_head:  # the audit log's head, so a later copy of the log can be checked against it
        doc.add(pdf.para(pdf.esc(r.audit_head), "small", st))
    tick(2)
    doc.add(NextPageTemplate("landscape"), PageBreak())
    doc.add(pdf.heading(HEADINGS["appendix"], 1, st))
    doc.add(*assessment.intro(r, st))
    doc.add(*assessment.provision_tables(r.assessment, st))
    tick(3)
    out = doc.save()
    tick(4)
    return out
