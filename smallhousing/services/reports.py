"""Figures for reporting: the Tenant Satisfaction Measures CH01/CH02, the annual complaints
performance and service improvement report (Code 8.1), the self-assessment and board updates (9.6, 9.7).

Every figure is worked out in one place, services/figures.py (plain SQL through services/reads.py,
the rules from the domain); this module puts the reports together from those figures, the
self-assessment answers and the texts. The counting rules are in docs/REPORTING.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from ..domain import code_provisions as CP
from ..domain import lifecycle as L
from ..domain import ombudsman as OM
from ..domain import tsm
from ..domain.calendar import short_date
from ..domain.errors import DomainError
from ..domain.plural import count
from ..domain.years import parse_year, year_bounds, year_label, year_of
from ..store.models import (
    Complaint,
    LandlordSettings,
    LearningPoint,
    OmbudsmanCase,
    OmbudsmanOrder,
    SelfAssessmentEntry,
)
from . import figures as F
from .base import Unit, audit, clean, ident, reading, transaction, update_fields
from .figures import (  # noqa: F401
    NO_CHANNEL,
    NOT_CATEGORISED,
    TSM,
    CaseLine,
    LearningLine,
    OrderLine,
    PeriodFigures,
    RemedyLine,
    StageFigures,
    tsm_from,
)
from .measures import tsm_for_year  # noqa: F401  (part of this module's interface)
from .reads import plain_reading

FINDINGS = OM.FINDINGS  # the one list is in domain/ombudsman.py
ADVERSE_FINDINGS = OM.ADVERSE_FINDINGS

# Free text for the annual report, kept per year beside the self-assessment entries.
REPORT_TEXTS = {
    "governing_body_response": "Response of the governing body (8.2)",
    "ombudsman_annual_report": "The Ombudsman's annual report on our performance (8.1e)",
    "other_ombudsman_reports": "Other Ombudsman reports about our work (8.1f)",
    "non_compliance_findings": "Ombudsman findings of non-compliance with the Code (8.1c)",
}
_TEXT_PREFIX = "text:"


# figures -----------------------------------------------------------------------------------------
# Worked out in one place, services/figures.py; these names stay part of this module's interface.


def _figures(
    u: Unit, start: dt.date, end: dt.date, label: str, homes: int | None, cal=None, detail: bool = True
) -> PeriodFigures:
    """Everything the reports say about one period (figures.period, read inside ``u``)."""
    with plain_reading(u) as r:
        return F.period(r, start, end, label, homes, cal=cal, detail=detail)


def learning_day():
    """The day a learning point counts on: the day its improvement was made, else the day it was
    recorded. Every report counts learning in the reporting year of this day (the same rule as
    figures.SQL['learning_in_period'], for queries made with the ORM)."""
    return func.coalesce(LearningPoint.made_on, LearningPoint.recorded_on)


def cases_where(u: Unit, where) -> list[CaseLine]:
    """Ombudsman cases chosen by an ORM condition (the learning and Ombudsman screens); the reports'
    lists come from figures.cases."""
    rows = u.session.exec(
        select(OmbudsmanCase, Complaint.reference)
        .join(Complaint, col(Complaint.id) == OmbudsmanCase.complaint_id, isouter=True)
        .where(where)
        .order_by(col(OmbudsmanCase.referred_on), col(OmbudsmanCase.id))
    ).all()
    out = [
        CaseLine(ident(c), c.case_number, ref or "", c.referred_on, c.finding, c.determined_on, c.summary)
        for c, ref in rows
    ]
    if out:
        by_id = {c.id: c for c in out}
        for o in u.session.exec(
            select(OmbudsmanOrder)
            .where(col(OmbudsmanOrder.case_id).in_(list(by_id)))
            .order_by(col(OmbudsmanOrder.id))
        ).all():
            by_id[o.case_id].orders.append(
                OrderLine(ident(o), o.description, o.due_on, o.complied_on, o.kind, o.made_on)
            )
    return out


def learning_where(u: Unit, where) -> list[LearningLine]:
    """Learning points chosen by an ORM condition (the learning log); the reports' lists come from
    figures.learning."""
    rows = u.session.exec(
        select(LearningPoint, Complaint.reference)
        .join(Complaint, col(Complaint.id) == LearningPoint.complaint_id, isouter=True)
        .where(where)
        .order_by(col(LearningPoint.recorded_on), col(LearningPoint.id))
    ).all()
    return [
        LearningLine(
            ident(p),
            ref or "",
            p.recorded_on,
            p.theme,
            p.learning,
            p.improvement,
            p.owner,
            p.status,
            p.made_on,
        )
        for p, ref in rows
    ]


def _homes(u: Unit, year: int) -> int | None:
    with plain_reading(u) as r:
        return F.homes(r, year)


def year_figures(db, year: "int | str", *, detail: bool = True) -> PeriodFigures:
    """The figures for one reporting year (1 April to 31 March)."""
    return F.year_figures(db, year, detail=detail)


def period_figures(db, start: dt.date, end: dt.date) -> PeriodFigures:
    """The figures for any period, both dates included."""
    _check_period(start, end)
    return F.period_figures(db, start, end, period_label(start, end))


def _check_period(start, end) -> tuple[dt.date, dt.date]:
    """The period's first and last days, checked (a DomainError says what is wrong)."""
    if not isinstance(start, dt.date) or not isinstance(end, dt.date):
        raise DomainError("Give the first and last dates of the period.", field="start")
    if end < start:
        raise DomainError(
            f"The period ends ({short_date(end)}) before it starts ({short_date(start)}).", field="end"
        )
    if (end - start).days > 366 * 5:
        raise DomainError("A board update covers at most five years.", field="start")
    return start, end


def period_label(start: dt.date, end: dt.date) -> str:
    return f"{start.day} {start:%b %Y} to {end.day} {end:%b %Y}"


def report_years(db) -> list[int]:
    """Reporting years with any complaint, plus the current one, newest first."""
    with reading(db) as u:
        lo, hi = u.session.exec(
            select(func.min(Complaint.received_on), func.max(Complaint.received_on))
        ).one()
        years = {year_of(u.today)}
        if lo and hi:
            years.update(range(year_of(lo), year_of(hi) + 1))
        return sorted(years, reverse=True)


# self-assessment ---------------------------------------------------------------------------------


@dataclass
class AssessmentRow:
    provision: CP.Provision
    complies: bool | None
    evidence: str
    commentary: str
    computed: str  # evidence the records give, '' where they cannot show it

    @property
    def number(self) -> str:
        return self.provision.number


def _n(n: int, one: str, many: str | None = None) -> str:
    return count(n, one, many, zero="no")


def _pct(part: int, whole: int) -> str:
    p = tsm.percentage(part, whole)
    return "" if p is None else f" ({p:.1f}%)"


def _grounds(pairs: list[tuple[str, int]]) -> str:
    return "; ".join(f"{g or 'no ground recorded'}: {n}" for g, n in pairs)


def computed_evidence(db, year: "int | str", figures: PeriodFigures | None = None) -> dict[str, str]:
    """Sentences of evidence drawn from the records, by provision number."""
    y = parse_year(year)
    lab = year_label(y)
    published = False
    if figures is None:
        figures, t, note = as_published(db, y, year_figures(db, y, detail=False))
        published = t is not None
    else:
        from .publishing import publication

        p = publication(db, y)
        published = p is not None and p.is_published
    f = figures
    out: dict[str, str] = {}
    for n, ack, resp in ((1, "6.2", "6.3"), (2, "6.11", "6.14")):
        sf = f.stage(n)
        out[ack] = (
            f"Records for {lab}: {sf.acknowledged_on_time:,} of {_n(sf.acknowledged, f'stage {n} complaint')} "
            f"acknowledged in the year were acknowledged within 5 working days"
            f"{_pct(sf.acknowledged_on_time, sf.acknowledged)}."
            if sf.acknowledged
            else f"Records for {lab}: no stage {n} complaints were acknowledged in the year."
        )
        days = 10 if n == 1 else 20
        out[resp] = (
            f"Records for {lab}: {sf.responded_on_time:,} of {_n(sf.responded, f'stage {n} response')} "
            f"sent in the year were within the Code's timescale, counting extensions made "
            f"within the Code{_pct(sf.responded_on_time, sf.responded)}."
            if sf.responded
            else f"Records for {lab}: no stage {n} responses were sent in the year."
        )
        ext, letter = ("6.4", "6.5") if n == 1 else ("6.15", "6.16")
        if sf.extensions:
            out[ext] = (
                f"Records for {lab}: {_n(sf.extensions, f'stage {n} extension')} agreed: "
                f"{sf.extensions_within_cap:,} within {days} extra working days, "
                f"{sf.extensions_past_cap_good_reason:,} longer with a good reason recorded, "
                f"{sf.extensions_past_cap_no_reason:,} longer without one; the resident was "
                f"told of {sf.extensions_resident_told:,}; "
                f"{sf.extensions - sf.extensions_not_counted:,} moved the response date under "
                f"the Code and {sf.extensions_not_counted:,} did not (agreed after the date they "
                f"extended, never told, or too long without a good reason)."
            )
            out[letter] = (
                f"Records for {lab}: an extension letter giving the Ombudsman's contact "
                f"details was issued for {sf.extensions_with_letter:,} of "
                f"{_n(sf.extensions, f'stage {n} extension')}"
                f"{_pct(sf.extensions_with_letter, sf.extensions)}."
            )
        else:
            out[ext] = out[letter] = f"Records for {lab}: no stage {n} extensions were agreed."
    s2 = f.stage2
    out["6.13"] = (
        f"Records for {lab}: {s2.acknowledged_by_other:,} of "
        f"{_n(s2.handlers_compared, 'stage 2 complaint')} acknowledged in the year were "
        f"handled by someone other than the stage 1 handler"
        f"{_pct(s2.acknowledged_by_other, s2.handlers_compared)}."
        if s2.handlers_compared
        else f"Records for {lab}: no stage 2 complaints were acknowledged in the year."
    )
    out["2.1"] = (
        f"Records for {lab}: {_n(f.refused, 'complaint')} not accepted, each with a "
        f"section 2 ground and reasons recorded ({_grounds(f.refused_by_ground)})."
        if f.refused
        else f"Records for {lab}: every complaint received was accepted."
    )
    out["5.11"] = (
        f"Records for {lab}: escalation refused for {_n(f.escalation_refused, 'complaint')}, "
        f"each with a ground and reasons recorded ({_grounds(f.escalation_refused_by_ground)})."
        if f.escalation_refused
        else f"Records for {lab}: no request for stage 2 was refused."
    )
    out["1.4"] = f"Records for {lab}: {_n(f.service_requests, 'service request')} recorded."
    out["7.3"] = (
        f"Records for {lab}: {f.remedies_done_by_due:,} of {_n(f.remedies_due, 'remedy', 'remedies')} "
        f"due in the year were completed by their date{_pct(f.remedies_done_by_due, f.remedies_due)}."
        if f.remedies_due
        else f"Records for {lab}: no remedies fell due in the year."
    )
    out["6.6"] = (
        f"Records for {lab}: {f.actions_done_by_due:,} of {_n(f.actions_due, 'outstanding action')} "
        f"due in the year were completed by their date{_pct(f.actions_done_by_due, f.actions_due)}."
        if f.actions_due
        else f"Records for {lab}: no outstanding actions fell due in the year."
    )
    if published:  # these come from the figures as published
        out = {
            k: v.replace(f"Records for {lab}:", f"Published figures for {lab}:", 1) for k, v in out.items()
        }
    c = F.evidence_counts(db, y)
    out["9.1"] = (
        f"Records for {lab}: {_n(c.learning_noted, 'learning point')} from complaints in the "
        f"year's learning log, with {_n(c.learning_made, 'service improvement')} made."
    )
    for number, entity, what in (
        ("5.10", "adjustment", "reasonable adjustment"),
        ("5.14", "restriction", "restriction"),
    ):
        done, on_time = c.reviews[entity]
        text = (
            f"Records for {lab}: {on_time:,} of {_n(done, 'review')} of {what}s recorded in the "
            f"year were done by the review date{_pct(on_time, done)}."
            if done
            else f"Records for {lab}: no reviews of {what}s were recorded in the year."
        )
        if entity in c.in_force:
            live, late = c.in_force[entity]
            text += (
                f" Today {late:,} of {_n(live, what)} in force "
                f"{'is' if late == 1 else 'are'} past the review date."
            )
        out[number] = text
    out.update(_ombudsman_evidence(lab, c.orders))
    return out


def _ombudsman_evidence(lab: str, orders: dict[str, tuple[int, int, int]]) -> dict[str, str]:
    """What the records say about the Ombudsman's orders in the year: made, complied with on time,
    and complaint handling failure orders (9.7 the governing body hears of them; 8.4 a review of
    the self-assessment may follow)."""
    made = {k: orders.get(k, (0, 0, 0))[0] for k in OM.ORDER_KINDS}
    due = sum(d for _, d, _ in orders.values())
    on_time = sum(c for _, _, c in orders.values())
    chfos = made[OM.CHFO]
    chfo_text = (
        f"{_n(chfos, 'complaint handling failure order')} made in the year"
        if chfos
        else "no complaint handling failure orders made in the year"
    )
    text = (
        f"Records for {lab}: {_n(made[OM.ORDER], 'Ombudsman order')} and "
        f"{_n(made[OM.RECOMMENDATION], 'recommendation')} made with determinations in the year, "
        f"and {chfo_text}. "
        + (
            f"{on_time:,} of {_n(due, 'order or recommendation', 'orders and recommendations')} due in "
            "the year were complied with by their date"
            f"{_pct(on_time, due)}."
            if due
            else "No orders fell due in the year."
        )
    )
    return {"9.7": text, "8.4": f"Records for {lab}: {chfo_text}."}


def self_assessment(db, year: "int | str", figures: PeriodFigures | None = None) -> list[AssessmentRow]:
    """Every provision of the 2024 Code with the year's answers and the evidence records give."""
    y = parse_year(year)
    computed = computed_evidence(db, y, figures)
    with reading(db) as u:
        entries = {
            e.provision: e
            for e in u.session.exec(select(SelfAssessmentEntry).where(SelfAssessmentEntry.year == y)).all()
        }
    rows = []
    for p in CP.PROVISIONS:
        e = entries.get(p.number)
        rows.append(
            AssessmentRow(
                p,
                e.complies if e else None,
                e.evidence if e else "",
                e.commentary if e else "",
                computed.get(p.number, ""),
            )
        )
    return rows


_UNSET = object()


def save_assessment(
    db, year: "int | str", provision: str, *, complies=_UNSET, evidence=_UNSET, commentary=_UNSET
) -> SelfAssessmentEntry:
    """Record whether the landlord meets one provision in a year, with evidence and commentary."""
    y = parse_year(year)
    p = CP.provision(provision)
    values: dict[str, Any] = {}
    if complies is not _UNSET:
        if complies is not None and not isinstance(complies, bool):
            raise DomainError("Say whether we comply: yes, no, or not yet assessed.", field="complies")
        values["complies"] = complies
    if evidence is not _UNSET:
        values["evidence"] = clean(evidence)
    if commentary is not _UNSET:
        values["commentary"] = clean(commentary)
    with transaction(db) as u:
        row = u.session.exec(
            select(SelfAssessmentEntry).where(
                SelfAssessmentEntry.year == y, SelfAssessmentEntry.provision == p.number
            )
        ).first()
        if row is None:
            row = SelfAssessmentEntry(year=y, provision=p.number, **values)
            u.session.add(row)
            u.session.flush()  # its id, from the database, for the caller
            audit(u, f"self-assessment {p.number} recorded for {year_label(y)}", row)
            return row
        update_fields(u, row, f"self-assessment {p.number} changed for {year_label(y)}", **values)
        return row


def copy_assessment(db, from_year: "int | str", to_year: "int | str") -> int:
    """Start a year's self-assessment from another year's answers; entries already made are kept."""
    src, dst = parse_year(from_year), parse_year(to_year)
    if src == dst:
        raise DomainError("Choose a different year to copy from.", field="year")
    with transaction(db) as u:
        have = set(
            u.session.exec(select(SelfAssessmentEntry.provision).where(SelfAssessmentEntry.year == dst)).all()
        )
        n = 0
        for e in u.session.exec(select(SelfAssessmentEntry).where(SelfAssessmentEntry.year == src)).all():
            if e.provision in have or e.provision not in CP.BY_NUMBER:
                continue
            save_assessment(
                u, dst, e.provision, complies=e.complies, evidence=e.evidence, commentary=e.commentary
            )
            n += 1
        if n == 0 and not have:
            raise DomainError(f"There is no self-assessment for {year_label(src)} to copy.")
        return n


def report_texts(db, year: "int | str") -> dict[str, str]:
    y = parse_year(year)
    with reading(db) as u:
        rows = u.session.exec(
            select(SelfAssessmentEntry).where(
                SelfAssessmentEntry.year == y, SelfAssessmentEntry.provision.startswith(_TEXT_PREFIX)
            )
        ).all()
        found = {r.provision[len(_TEXT_PREFIX) :]: r.commentary for r in rows}
    return {k: found.get(k, "") for k in REPORT_TEXTS}


def set_report_text(db, year: "int | str", key: str, text: str) -> None:
    """Text written for the annual report: the governing body's response and the Ombudsman sections."""
    y = parse_year(year)
    if key not in REPORT_TEXTS:
        raise DomainError("Unknown part of the report: " + ", ".join(REPORT_TEXTS) + ".", field="key")
    name = _TEXT_PREFIX + key
    with transaction(db) as u:
        row = u.session.exec(
            select(SelfAssessmentEntry).where(
                SelfAssessmentEntry.year == y, SelfAssessmentEntry.provision == name
            )
        ).first()
        if row is None:
            row = SelfAssessmentEntry(year=y, provision=name, commentary=clean(text))
            u.session.add(row)
            audit(u, f"report text '{key}' written for {year_label(y)}", row)
        else:
            update_fields(u, row, f"report text '{key}' changed for {year_label(y)}", commentary=clean(text))


def set_report_texts(db, year: "int | str", texts: dict[str, str]) -> None:
    """Several of the report's texts at once (one transaction): key -> text."""
    for key in texts:
        if key not in REPORT_TEXTS:
            raise DomainError("Unknown part of the report: " + ", ".join(REPORT_TEXTS) + ".", field="key")
    with transaction(db) as u:
        current = report_texts(u, year)
        for key, text in texts.items():
            if clean(text) != current.get(key, ""):
                set_report_text(u, year, key, text)


# the annual report and the board update ----------------------------------------------------------


@dataclass
class Landlord:
    name: str
    address: str
    website: str
    complaints_officer: str
    member_responsible: str
    email: str = ""
    phone: str = ""
    demo: bool = False  # made from made-up demo records: every page says DEMO


def _landlord(u: Unit) -> Landlord:
    st = (
        u.session.exec(select(LandlordSettings).order_by(col(LandlordSettings.id)).limit(1)).first()
        or LandlordSettings()
    )
    return Landlord(
        st.name or "Our organisation",
        st.address,
        st.website,
        st.complaints_officer,
        st.member_responsible,
        st.email,
        st.phone,
        demo=bool(st.demo),
    )


@dataclass
class AnnualReport:
    year: int
    label: str
    landlord: Landlord
    produced_on: dt.date
    figures: PeriodFigures
    history: list[PeriodFigures]  # the three years to this one, oldest first
    assessment: list[AssessmentRow]
    texts: dict[str, str]
    year_complete: bool  # False while the year is still running
    # when the year's figures were published (and any reopening), '' if never published
    publication_note: str = ""
    # the published TSM of each year in history that is published (by year)
    published_tsm: dict[int, TSM] = field(default_factory=dict)
    # the audit log's head when the report was made (entries, newest hash): printed so that a later
    # copy of the log can be checked against the report (services/audit_anchor.py)
    audit_head: str = ""
    # service requests by category and month over the report's year (Code 1.4), counted from the
    # records when the report is made (not part of the published figures)
    service_request_themes: F.ServiceRequestThemes | None = None
    # complaints by contractor in the year (to its end, or to today while it runs): figures.by_contractor
    by_contractor: F.ContractorFigures = field(default_factory=F.ContractorFigures)

    @property
    def tsm(self) -> TSM:
        return self.published_tsm.get(self.year) or tsm_from(self.year, self.figures)

    @property
    def history_tsm(self) -> list[TSM]:
        out = []
        for i, f in enumerate(self.history):
            y = self.year - (len(self.history) - 1 - i)
            out.append(self.published_tsm.get(y) or tsm_from(y, f))
        return out

    @property
    def themes(self) -> list[tuple[str, int]]:
        return self.figures.by_category[:5]

    @property
    def comparison_note(self) -> str:
        """For a year not yet finished: which part of each earlier year it is compared with."""
        if self.year_complete:
            return ""
        f = self.figures
        return (
            f"{self.label} is not yet finished, so each year is compared over the same months: "
            f"1 April to {f.end.day} {f.end:%B}."
        )


def _tsm_of(d: dict) -> TSM:
    return TSM(
        int(str(d["year"])[:4]),
        d["homes"],
        d["stage1_received"],
        d["stage2_received"],
        d["stage1_responded"],
        d["stage1_within"],
        d["stage2_responded"],
        d["stage2_within"],
    )


def as_published(db, year: int, f: PeriodFigures) -> tuple[PeriodFigures, TSM | None, str]:
    """A reporting year's figures as reported: a published year's stored counts (and TSM) in place
    of the ones worked out now, and the sentence saying when they were published or reopened."""
    from .publishing import figures_from_plain, publication

    p = publication(db, year)
    if p is None:
        return f, None, ""
    if p.is_published and p.figures.get("figures"):
        return figures_from_plain(f, p.figures["figures"]), _tsm_of(p.tsm), p.note()
    return f, None, p.note()


def year_figures_as_reported(db, year: "int | str", *, detail: bool = True) -> tuple[PeriodFigures, TSM, str]:
    """The figures, TSM and publication note of a reporting year, as the reports print them."""
    y = parse_year(year)
    f, t, note = as_published(db, y, year_figures(db, y, detail=detail))
    return f, t or tsm_from(y, f), note


def _same_day_of(year: int, day: dt.date) -> dt.date:
    """The day in reporting year ``year`` that ``day`` is in its own: 2 Mar 2026 -> 2 Mar 2025."""
    shift = year - year_of(day)
    try:
        return day.replace(year=day.year + shift)
    except ValueError:  # 29 February
        return day.replace(year=day.year + shift, day=28)


def annual_report(db, year: "int | str") -> AnnualReport:
    """Everything the annual complaints performance and service improvement report shows.

    A year not yet finished runs to today, and the two years before it are taken over the same
    months (1 April to the same day), so that like is compared with like."""
    y = parse_year(year)
    with reading(db) as u, plain_reading(u) as r:
        today = u.today
        complete = today > year_bounds(y)[1]
        cal = tsm.MemoCalendar(r.cal)
        history = []
        for yy in (y - 2, y - 1, y):
            start, end = year_bounds(yy)
            label = year_label(yy)
            if not complete:
                end = _same_day_of(yy, today)
                label = f"{label} to {end.day} {end:%b}"
            history.append(F.period(r, start, end, label, F.homes(r, yy), cal=cal, detail=yy == y, year=yy))
        themes = F.service_request_themes(r, start, end, label)  # the report's own year (the last)
        contractors = F.by_contractor(r, start, end)  # the year's own period: the loop's last
        landlord = _landlord(u)
    published: dict[int, TSM] = {}
    note = ""
    if complete:
        for i, yy in enumerate((y - 2, y - 1, y)):
            history[i], t, n = as_published(db, yy, history[i])
            if t is not None:
                published[yy] = t
            if yy == y:
                note = n
    f = history[-1]
    return AnnualReport(
        y,
        year_label(y),
        landlord,
        today,
        f,
        history,
        self_assessment(db, y, f),
        report_texts(db, y),
        complete,
        note,
        published,
        audit_head=_audit_head(db),
        service_request_themes=themes,
        by_contractor=contractors,
    )


def _audit_head(db) -> str:
    from .audit_anchor import describe_head

    with reading(db) as u:
        n, h = (
            u.session.connection()
            .exec_driver_sql(
                "SELECT (SELECT count(*) FROM audit_entry), "
                "(SELECT hash FROM audit_entry ORDER BY id DESC LIMIT 1)"
            )
            .one()  # two scalar subqueries: always exactly one row
        )
    return describe_head(n or 0, h or "")


def assessment_report(db, year: "int | str") -> AnnualReport:
    """The self-assessment on its own (the same shape, with the year's figures only)."""
    y = parse_year(year)
    f, t, note = as_published(db, y, year_figures(db, y, detail=False))
    with reading(db) as u:
        landlord, today = _landlord(u), u.today
    return AnnualReport(
        y,
        year_label(y),
        landlord,
        today,
        f,
        [f],
        self_assessment(db, y, f),
        report_texts(db, y),
        today > f.end,
        note,
        {y: t} if t else {},
    )


@dataclass
class BoardUpdate:
    landlord: Landlord
    produced_on: dt.date
    figures: PeriodFigures
    previous: PeriodFigures  # the period just before: the same months, or as many days
    open_orders: list[tuple[CaseLine, OrderLine]]  # Ombudsman orders not yet complied with
    open_learning: list[LearningLine]  # learning not yet acted on
    open_now: int
    publication_note: str = ""  # when the period is a published reporting year
    by_contractor: F.ContractorFigures = field(default_factory=F.ContractorFigures)  # in the period

    @property
    def label(self) -> str:
        return self.figures.label


def _last_day_of_month(d: dt.date) -> dt.date:
    return (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period a board update is compared with: for whole months (a month, a quarter, a year)
    the same number of months just before; for any other period, as many days just before."""
    if start.day == 1 and end == _last_day_of_month(end):
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        m = start.year * 12 + start.month - 1 - months
        p_start = dt.date(m // 12, m % 12 + 1, 1)
        return p_start, start - dt.timedelta(days=1)
    length = (end - start).days + 1
    p_end = start - dt.timedelta(days=1)
    return p_end - dt.timedelta(days=length - 1), p_end


def board_update(db, start: "dt.date | str", end: "dt.date | str") -> BoardUpdate:
    """A report for the Member Responsible for Complaints and the governing body (9.6, 9.7)."""
    from .base import parse_date

    start, end = _check_period(parse_date(start, "start date"), parse_date(end, "end date"))
    p_start, p_end = previous_period(start, end)
    with reading(db) as u, plain_reading(u) as r:
        cal = tsm.MemoCalendar(r.cal)
        f = F.period(r, start, end, period_label(start, end), None, cal=cal)
        prev = F.period(r, p_start, p_end, period_label(p_start, p_end), None, cal=cal, detail=False)
        open_cases = F.cases(r, "cases_with_open_orders")
        orders = [(c, o) for c in open_cases for o in c.orders if o.complied_on is None]
        learning = F.learning(r, "learning_not_done")
        open_now = F.open_now(r)
        contractors = F.by_contractor(r, start, end)
        landlord, today = _landlord(u), u.today
    note = ""
    for period, is_current in (((start, end), True), ((p_start, p_end), False)):
        y = year_of(period[0])
        if period == year_bounds(y):  # a whole reporting year: as published, if it is
            fig = f if is_current else prev
            fig, _, n = as_published(db, y, fig)
            fig.homes = None  # board updates give no per-1,000 figures
            if is_current:
                f, note = fig, n
            else:
                prev = fig
    return BoardUpdate(landlord, today, f, prev, orders, learning, open_now, note, contractors)


def board_summary_lines(b: BoardUpdate) -> list[str]:
    """The board update as plain lines, for the screen."""
    f, p = b.figures, b.previous

    def pct(v):
        return "n/a" if v is None else f"{v:.1f}%"

    def trend(now: int, before: int) -> str:
        if now == before:
            return "no change"
        return f"{'up' if now > before else 'down'} {abs(now - before):,} on the period before"

    lines = [
        f"{b.landlord.name}: complaints {f.label}",
        "",
        f"Stage 1 complaints received: {f.stage1.received:,} ({trend(f.stage1.received, p.stage1.received)})",
        f"Stage 2 requests received: {f.stage2.received:,} ({trend(f.stage2.received, p.stage2.received)})",
        f"Not accepted: {f.refused:,}   Escalation refused: {f.escalation_refused:,}   "
        f"Withdrawn: {f.withdrawn:,}",
        f"Open now: {b.open_now:,}",
        "",
        f"Stage 1 acknowledged on time: {pct(f.stage1.acknowledged_pct)} of {f.stage1.acknowledged:,}",
        f"Stage 1 answered on time: {pct(f.stage1.on_time_pct)} of {f.stage1.responded:,} "
        f"(period before: {pct(p.stage1.on_time_pct)})",
        f"Stage 2 answered on time: {pct(f.stage2.on_time_pct)} of {f.stage2.responded:,} "
        f"(period before: {pct(p.stage2.on_time_pct)})",
        "",
    ]
    for n in (1, 2):
        sf = f.stage(n)
        lines.append(f"Stage {n} outcomes: " + ", ".join(f"{d} {sf.outcome(d):,}" for d in L.DECISIONS))
    lines.append("")
    lines.append("Top categories: " + (", ".join(f"{c} {n:,}" for c, n in f.by_category[:5]) or "none"))
    lines.append(
        f"Compensation offered: £{f.compensation_offered_pence / 100:,.2f}; "
        f"paid: £{f.compensation_paid_pence / 100:,.2f}"
    )
    lines.append("")
    found = ", ".join(f"{k} {v}" for k, v in f.findings.items()) or "none"
    lines.append(f"Ombudsman: {f.ombudsman_referred:,} referred; findings in the period: {found}")
    lines.append(f"Ombudsman orders not yet complied with: {len(b.open_orders):,}")
    lines.append(f"Learning points still being acted on: {len(b.open_learning):,}")
    k = b.by_contractor
    by = ", ".join(f"{x.contractor} {x.received:,}" for x in k.lines if x.received) or "none"
    lines.append(
        f"Complaints received about contractors' work: {by} (not put down to a contractor: "
        f"{k.not_put_down.received:,})"
    )
    lines.append(f"Compliments received: {f.compliments:,} ({trend(f.compliments, p.compliments)})")
    lines.append(
        f"Satisfied when asked after a complaint closed: {f.answers_satisfied:,} of {f.answers_given:,}"
        + (f" ({pct(f.answers_satisfied_pct)})" if f.answers_given else "")
    )
    return lines
