"""Figures for reporting: the Tenant Satisfaction Measures CH01/CH02, the annual complaints
performance and service improvement report (Code 8.1), the self-assessment and board updates (9.6, 9.7).

Counting rules (see docs/REPORTING.md):
- Stage 1 received: complaints received in the period, less those refused under section 2 (a
  refused complaint is not an accepted stage 1 complaint). Complaints still waiting for a decision
  count, as do complaints later withdrawn.
- Stage 2 received: stage 2 requested in the period, less requests whose escalation was refused.
- Responded: stages whose response is dated in the period, whenever the complaint arrived.
- On time: the response date is on or before the Code's date for that stage (domain.tsm.on_time),
  whose clock runs from the acknowledgement or the day it was due, whichever is earlier; an
  extension counts when it was agreed by the date in force before it, the resident was told, and
  it was within the cap or past it with a good reason recorded (domain.rules.judge_extensions).

Counts come from aggregate SQL; the per-stage timing checks are one pass over just the stages
acknowledged or answered in the period, with a calendar that remembers the dates it works out.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import select

from ..domain import code_provisions as CP
from ..domain import lifecycle as L
from ..domain import tsm
from ..domain.calendar import short_date
from ..domain.errors import DomainError
from ..domain.plural import count
from ..domain.rules import ExtensionDates, StageDates, rule_set, stage_deadlines
from ..domain.years import parse_year, year_bounds, year_label, year_of
from ..store.models import (Adjustment, AuditEntry, Complaint, Correspondence, Extension, HomesYear,
                            LandlordSettings, LearningPoint, OmbudsmanCase, OmbudsmanOrder,
                            OutstandingAction, Remedy, Restriction, SelfAssessmentEntry,
                            ServiceRequest, Stage)
from .base import Unit, audit, clean, reading, transaction, update_fields
from .measures import TSM, tsm_for_year  # noqa: F401  (part of this module's interface)

NOT_CATEGORISED = "not categorised"
NO_CHANNEL = "not recorded"
FINDINGS = ("no maladministration", "service failure", "maladministration",
            "severe maladministration")
ADVERSE_FINDINGS = FINDINGS[1:]

# Free text for the annual report, kept per year beside the self-assessment entries.
REPORT_TEXTS = {
    "governing_body_response": "Response of the governing body (8.2)",
    "ombudsman_annual_report": "The Ombudsman's annual report on our performance (8.1e)",
    "other_ombudsman_reports": "Other Ombudsman reports about our work (8.1f)",
    "non_compliance_findings": "Ombudsman findings of non-compliance with the Code (8.1c)",
}
_TEXT_PREFIX = "text:"


# figures -----------------------------------------------------------------------------------------

@dataclass
class StageFigures:
    """What happened at one stage within a period."""

    number: int
    received: int = 0  # stage 1: complaints received (not refused); stage 2: requests (not refused)
    acknowledged: int = 0
    acknowledged_on_time: int = 0
    responded: int = 0
    responded_on_time: int = 0
    responded_extended: int = 0  # responses in the period on a stage that had been extended
    outcomes: dict[str, int] = field(default_factory=dict)  # decision -> responses in the period
    extensions: int = 0  # extensions agreed in the period
    extensions_within_cap: int = 0
    extensions_past_cap_good_reason: int = 0
    extensions_past_cap_no_reason: int = 0
    extensions_resident_told: int = 0
    extensions_with_letter: int = 0  # an extension letter (with the Ombudsman's details) was issued
    # agreed after the date they extend, never told, or past the cap without a good reason: they
    # do not move the Code's date (6.4, 6.15; domain.rules.judge_extensions)
    extensions_not_counted: int = 0
    acknowledged_by_other: int = 0  # stage 2: acknowledged by someone other than the stage 1 handler
    handlers_compared: int = 0  # stage 2: acknowledgements where both handlers are known

    @property
    def acknowledged_pct(self) -> float | None:
        return tsm.percentage(self.acknowledged_on_time, self.acknowledged)

    @property
    def on_time_pct(self) -> float | None:
        return tsm.percentage(self.responded_on_time, self.responded)

    def outcome(self, decision: str) -> int:
        return self.outcomes.get(decision, 0)


@dataclass
class RemedyLine:
    kind: str
    offered: int
    amount_pence: int


@dataclass
class OrderLine:
    id: int
    description: str
    due_on: dt.date | None
    complied_on: dt.date | None

    @property
    def complied_on_time(self) -> bool | None:
        if self.complied_on is None:
            return None
        return self.due_on is None or self.complied_on <= self.due_on


@dataclass
class CaseLine:
    id: int
    case_number: str
    reference: str  # the complaint's reference, '' if not linked
    referred_on: dt.date
    finding: str
    determined_on: dt.date | None
    summary: str
    orders: list[OrderLine] = field(default_factory=list)


@dataclass
class LearningLine:
    id: int
    reference: str
    recorded_on: dt.date
    theme: str
    learning: str
    improvement: str
    owner: str
    status: str
    made_on: dt.date | None


@dataclass
class PeriodFigures:
    start: dt.date
    end: dt.date
    label: str
    homes: int | None  # homes for a reporting year; None for other periods or when not recorded
    logged: int = 0  # every complaint received, refused ones included
    stage1: StageFigures = field(default_factory=lambda: StageFigures(1))
    stage2: StageFigures = field(default_factory=lambda: StageFigures(2))
    refused: int = 0
    refused_by_ground: list[tuple[str, int]] = field(default_factory=list)
    escalation_refused: int = 0
    escalation_refused_by_ground: list[tuple[str, int]] = field(default_factory=list)
    withdrawn: int = 0
    vulnerable: int = 0
    by_channel: list[tuple[str, int]] = field(default_factory=list)
    by_category: list[tuple[str, int]] = field(default_factory=list)
    by_month: list[tuple[str, int]] = field(default_factory=list)  # ('2025-04', n), every month
    remedies: list[RemedyLine] = field(default_factory=list)
    compensation_offered: int = 0  # how many payments offered
    compensation_offered_pence: int = 0
    compensation_paid: int = 0
    compensation_paid_pence: int = 0
    remedies_due: int = 0
    remedies_done_by_due: int = 0
    remedies_overdue_at_end: int = 0
    actions_due: int = 0
    actions_done_by_due: int = 0
    service_requests: int = 0
    open_at_end: int = 0
    ombudsman_referred: int = 0
    findings: dict[str, int] = field(default_factory=dict)  # finding -> cases determined in period
    cases: list[CaseLine] = field(default_factory=list)  # referred or determined in the period
    orders_due: int = 0
    orders_complied_by_due: int = 0
    learning: list[LearningLine] = field(default_factory=list)

    def stage(self, n: int) -> StageFigures:
        return self.stage1 if n == 1 else self.stage2

    @property
    def ch01_stage1(self) -> float | None:
        return tsm.per_thousand(self.stage1.received, self.homes)

    @property
    def ch01_stage2(self) -> float | None:
        return tsm.per_thousand(self.stage2.received, self.homes)

    @property
    def upheld_any(self) -> int:
        """Responses in the period (both stages) that upheld the complaint in whole or part."""
        return sum(s.outcome(L.UPHELD) + s.outcome(L.PARTLY_UPHELD) for s in (self.stage1, self.stage2))


def _between(col, start: dt.date, end: dt.date):
    return and_(col >= start, col <= end)


def _months(start: dt.date, end: dt.date) -> list[str]:
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(f"{y:04d}-{m:02d}")
        m += 1
        if m == 13:
            y, m = y + 1, 1
    return out


def _is_extension_letter(kind: str) -> bool:
    return "extension" in (kind or "").lower()


def _figures(u: Unit, start: dt.date, end: dt.date, label: str, homes: int | None,
             cal=None, detail: bool = True) -> PeriodFigures:
    """Everything the reports say about one period. ``detail`` False skips the lists."""
    s = u.session
    f = PeriodFigures(start, end, label, homes)
    cal = cal or tsm.MemoCalendar(u.cal)
    received = _between(Complaint.received_on, start, end)

    # received, refused, channels, categories, months ---------------------------------------------
    by_acceptance = dict(s.exec(select(Complaint.acceptance, func.count()).where(received)
                                .group_by(Complaint.acceptance)).all())
    f.logged = sum(by_acceptance.values())
    f.refused = by_acceptance.get("refused", 0)
    f.stage1.received = f.logged - f.refused
    accepted = and_(received, Complaint.acceptance != "refused")
    f.refused_by_ground = sorted(
        s.exec(select(Complaint.exclusion_ground, func.count())
               .where(received, Complaint.acceptance == "refused")
               .group_by(Complaint.exclusion_ground)).all(), key=lambda r: (-r[1], r[0]))
    f.stage2.received = s.exec(
        select(func.count()).select_from(Stage).join(Complaint, Complaint.id == Stage.complaint_id)
        .where(Stage.number == 2, _between(Stage.requested_on, start, end),
               Complaint.escalation_refused_on == None)).one()  # noqa: E711
    esc_refused = _between(Complaint.escalation_refused_on, start, end)
    f.escalation_refused_by_ground = sorted(
        s.exec(select(Complaint.escalation_refusal_ground, func.count()).where(esc_refused)
               .group_by(Complaint.escalation_refusal_ground)).all(), key=lambda r: (-r[1], r[0]))
    f.escalation_refused = sum(n for _, n in f.escalation_refused_by_ground)
    f.withdrawn = s.exec(select(func.count()).select_from(Complaint)
                         .where(_between(Complaint.withdrawn_on, start, end))).one()
    f.vulnerable = s.exec(select(func.count()).select_from(Complaint)
                          .where(accepted, Complaint.vulnerable == True)).one()  # noqa: E712
    channels = Counter()
    for ch, n in s.exec(select(Complaint.channel, func.count()).where(accepted)
                        .group_by(Complaint.channel)).all():
        channels[(ch or "").strip() or NO_CHANNEL] += n
    f.by_channel = sorted(channels.items(), key=lambda r: (-r[1], r[0]))
    cats = Counter()
    for text, n in s.exec(select(Complaint.categories, func.count()).where(accepted)
                          .group_by(Complaint.categories)).all():
        items = [c for c in (text or "").split(";") if c.strip()] or [NOT_CATEGORISED]
        for c in items:
            cats[c.strip()] += n
    f.by_category = sorted(cats.items(), key=lambda r: (-r[1], r[0]))
    month = func.strftime("%Y-%m", Complaint.received_on)
    per_month = dict(s.exec(select(month, func.count()).where(accepted).group_by(month)).all())
    f.by_month = [(m, per_month.get(m, 0)) for m in _months(start, end)]

    # one pass over the stages acknowledged or answered in the period ------------------------------
    touched = or_(_between(Stage.acknowledged_on, start, end), _between(Stage.responded_on, start, end))
    stage_rows = s.exec(select(Stage.id, Stage.number, Stage.requested_on, Stage.acknowledged_on,
                               Stage.responded_on, Stage.decision, Complaint.rule_set)
                        .join(Complaint, Complaint.id == Stage.complaint_id).where(touched)).all()
    ext_rows = s.exec(select(Extension.id, Extension.stage_id, Extension.extended_on,
                             Extension.new_due_on, Extension.beyond_cap, Extension.good_reason,
                             Extension.resident_told, Stage.number, Stage.complaint_id)
                      .join(Stage, Stage.id == Extension.stage_id)
                      .where(or_(touched, _between(Extension.extended_on, start, end)))
                      .order_by(Extension.id)).all()
    exts_by_stage: dict[int, list] = defaultdict(list)
    for e in ext_rows:
        exts_by_stage[e[1]].append(e)
    timer = tsm.ResponseTimer(cal)
    for sid, number, requested, acked, responded, decision, code in stage_rows:
        sf = f.stage(number)
        rules = rule_set(code)
        # an acknowledgement is timed only where the Code sets a deadline for it (not 2022 stage 2)
        if acked is not None and start <= acked <= end \
                and rules.acknowledge_days_at(number) is not None:
            sf.acknowledged += 1
            sf.acknowledged_on_time += timer.acknowledged_on_time(rules, requested, acked, number)
        if responded is not None and start <= responded <= end:
            exts = exts_by_stage.get(sid, ())
            sf.responded += 1
            sf.responded_on_time += timer.on_time(
                rules, number, requested, acked, responded,
                [ExtensionDates(e[3], e[2], bool(e[6]), e[5] or "") for e in exts])
            sf.responded_extended += bool(exts)
            key = decision or "no decision recorded"
            sf.outcomes[key] = sf.outcomes.get(key, 0) + 1

    # extensions agreed in the period, and whether a letter went with each --------------------------
    in_period = [e for e in ext_rows if start <= e[2] <= end]
    letters: dict[int, list[dt.date]] = defaultdict(list)
    if in_period:
        for cid, on, kind in s.exec(select(Correspondence.complaint_id, Correspondence.on,
                                           Correspondence.letter_kind)
                                    .where(Correspondence.letter_kind != "", Correspondence.on >= start)
                                    .order_by(Correspondence.on)).all():
            if _is_extension_letter(kind):
                letters[cid].append(on)
    # whether each counts under the Code turns on its stage's dates and the extensions before it
    verdict: dict[int, bool] = {}
    if in_period:
        ids = sorted({e[1] for e in in_period})
        st_rows = {r[0]: r for r in s.exec(
            select(Stage.id, Stage.number, Stage.requested_on, Stage.acknowledged_on, Complaint.rule_set)
            .join(Complaint, Complaint.id == Stage.complaint_id).where(Stage.id.in_(ids))).all()}
        all_exts: dict[int, list] = defaultdict(list)
        for row in s.exec(select(Extension.id, Extension.stage_id, Extension.new_due_on,
                                 Extension.extended_on, Extension.resident_told, Extension.good_reason)
                          .where(Extension.stage_id.in_(ids)).order_by(Extension.id)).all():
            all_exts[row[1]].append(row)
        for sid in ids:
            _, number, requested, acked, code = st_rows[sid]
            rows = all_exts[sid]
            d = stage_deadlines(cal, rule_set(code), StageDates(
                number, requested, acked,
                extensions=[ExtensionDates(r[2], r[3], bool(r[4]), r[5] or "") for r in rows]))
            for r, v in zip(rows, d.extensions):
                verdict[r[0]] = v.counts
    for e in sorted(in_period, key=lambda e: (e[8], e[2], e[0])):
        sf = f.stage(e[7])
        sf.extensions += 1
        sf.extensions_not_counted += not verdict.get(e[0], True)
        if not e[4]:
            sf.extensions_within_cap += 1
        elif (e[5] or "").strip():
            sf.extensions_past_cap_good_reason += 1
        else:
            sf.extensions_past_cap_no_reason += 1
        sf.extensions_resident_told += bool(e[6])
        pool = letters.get(e[8], [])
        match = next((i for i, d in enumerate(pool) if d >= e[2]), None)
        if match is not None:
            pool.pop(match)
            sf.extensions_with_letter += 1

    # stage 2 considered by someone else (6.13) ------------------------------------------------------
    s1 = aliased(Stage)
    for h2, h1 in s.exec(select(Stage.handler_id, s1.handler_id)
                         .join(s1, and_(s1.complaint_id == Stage.complaint_id, s1.number == 1))
                         .where(Stage.number == 2, _between(Stage.acknowledged_on, start, end))).all():
        if h1 is not None and h2 is not None:
            f.stage2.handlers_compared += 1
            f.stage2.acknowledged_by_other += h1 != h2

    # putting things right ------------------------------------------------------------------------
    offered = _between(Remedy.offered_on, start, end)
    f.remedies = [RemedyLine(k, n, p or 0) for k, n, p in
                  s.exec(select(Remedy.kind, func.count(), func.sum(Remedy.amount_pence)).where(offered)
                         .group_by(Remedy.kind).order_by(func.count().desc(), Remedy.kind)).all()]
    n, p = s.exec(select(func.count(), func.sum(Remedy.amount_pence))
                  .where(offered, Remedy.amount_pence > 0)).one()
    f.compensation_offered, f.compensation_offered_pence = n, p or 0
    n, p = s.exec(select(func.count(), func.sum(Remedy.amount_pence))
                  .where(_between(Remedy.completed_on, start, end), Remedy.amount_pence > 0)).one()
    f.compensation_paid, f.compensation_paid_pence = n, p or 0
    due = _between(Remedy.due_on, start, end)
    f.remedies_due = s.exec(select(func.count()).select_from(Remedy).where(due)).one()
    f.remedies_done_by_due = s.exec(select(func.count()).select_from(Remedy).where(
        due, Remedy.completed_on != None, Remedy.completed_on <= Remedy.due_on)).one()  # noqa: E711
    f.remedies_overdue_at_end = s.exec(select(func.count()).select_from(Remedy).where(
        Remedy.due_on < end, or_(Remedy.completed_on == None, Remedy.completed_on > end))).one()  # noqa: E711
    adue = _between(OutstandingAction.due_on, start, end)
    f.actions_due = s.exec(select(func.count()).select_from(OutstandingAction).where(adue)).one()
    f.actions_done_by_due = s.exec(select(func.count()).select_from(OutstandingAction).where(
        adue, OutstandingAction.completed_on != None,  # noqa: E711
        OutstandingAction.completed_on <= OutstandingAction.due_on)).one()

    f.service_requests = s.exec(select(func.count()).select_from(ServiceRequest)
                                .where(_between(ServiceRequest.received_on, start, end))).one()
    finished_by_end = or_(Complaint.refused_on <= end, Complaint.withdrawn_on <= end,
                          Complaint.closed_on <= end)
    f.open_at_end = s.exec(select(func.count()).select_from(Complaint).where(
        Complaint.received_on <= end, ~func.coalesce(finished_by_end, False))).one()

    # the Ombudsman ---------------------------------------------------------------------------------
    f.ombudsman_referred = s.exec(select(func.count()).select_from(OmbudsmanCase)
                                  .where(_between(OmbudsmanCase.referred_on, start, end))).one()
    f.findings = dict(s.exec(select(OmbudsmanCase.finding, func.count())
                             .where(_between(OmbudsmanCase.determined_on, start, end))
                             .group_by(OmbudsmanCase.finding)).all())
    odue = _between(OmbudsmanOrder.due_on, start, end)
    f.orders_due = s.exec(select(func.count()).select_from(OmbudsmanOrder).where(odue)).one()
    f.orders_complied_by_due = s.exec(select(func.count()).select_from(OmbudsmanOrder).where(
        odue, OmbudsmanOrder.complied_on != None,  # noqa: E711
        OmbudsmanOrder.complied_on <= OmbudsmanOrder.due_on)).one()
    if detail:
        f.cases = cases_where(u, or_(_between(OmbudsmanCase.referred_on, start, end),
                                _between(OmbudsmanCase.determined_on, start, end)))
        f.learning = learning_where(u, _between(learning_day(), start, end))
    return f


def learning_day():
    """The day a learning point counts on: the day its improvement was made, else the day it was
    recorded. Every report counts learning in the reporting year of this day."""
    return func.coalesce(LearningPoint.made_on, LearningPoint.recorded_on)


def cases_where(u: Unit, where) -> list[CaseLine]:
    rows = u.session.exec(select(OmbudsmanCase, Complaint.reference)
                          .join(Complaint, Complaint.id == OmbudsmanCase.complaint_id, isouter=True)
                          .where(where).order_by(OmbudsmanCase.referred_on, OmbudsmanCase.id)).all()
    out = [CaseLine(c.id, c.case_number, ref or "", c.referred_on, c.finding, c.determined_on,
                    c.summary) for c, ref in rows]
    if out:
        by_id = {c.id: c for c in out}
        for o in u.session.exec(select(OmbudsmanOrder).where(OmbudsmanOrder.case_id.in_(list(by_id)))
                                .order_by(OmbudsmanOrder.id)).all():
            by_id[o.case_id].orders.append(OrderLine(o.id, o.description, o.due_on, o.complied_on))
    return out


def learning_where(u: Unit, where) -> list[LearningLine]:
    rows = u.session.exec(select(LearningPoint, Complaint.reference)
                          .join(Complaint, Complaint.id == LearningPoint.complaint_id, isouter=True)
                          .where(where).order_by(LearningPoint.recorded_on, LearningPoint.id)).all()
    return [LearningLine(p.id, ref or "", p.recorded_on, p.theme, p.learning, p.improvement, p.owner,
                         p.status, p.made_on) for p, ref in rows]


def _homes(u: Unit, year: int) -> int | None:
    row = u.session.exec(select(HomesYear.homes).where(HomesYear.year == year)).first()
    return row


def year_figures(db, year: "int | str", *, detail: bool = True) -> PeriodFigures:
    """The figures for one reporting year (1 April to 31 March)."""
    y = parse_year(year)
    with reading(db) as u:
        start, end = year_bounds(y)
        return _figures(u, start, end, year_label(y), _homes(u, y), detail=detail)


def period_figures(db, start: dt.date, end: dt.date) -> PeriodFigures:
    """The figures for any period, both dates included."""
    _check_period(start, end)
    with reading(db) as u:
        return _figures(u, start, end, period_label(start, end), None)


def _check_period(start, end) -> None:
    if not isinstance(start, dt.date) or not isinstance(end, dt.date):
        raise DomainError("Give the first and last dates of the period.", field="start")
    if end < start:
        raise DomainError(f"The period ends ({short_date(end)}) before it starts ({short_date(start)}).",
                          field="end")
    if (end - start).days > 366 * 5:
        raise DomainError("A board update covers at most five years.", field="start")


def period_label(start: dt.date, end: dt.date) -> str:
    return f"{start.day} {start:%b %Y} to {end.day} {end:%b %Y}"


def tsm_from(year: int, f: PeriodFigures) -> TSM:
    return TSM(year, f.homes, f.stage1.received, f.stage2.received, f.stage1.responded,
               f.stage1.responded_on_time, f.stage2.responded, f.stage2.responded_on_time)


def report_years(db) -> list[int]:
    """Reporting years with any complaint, plus the current one, newest first."""
    with reading(db) as u:
        lo, hi = u.session.exec(select(func.min(Complaint.received_on), func.max(Complaint.received_on))).one()
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
        out[ack] = (f"Records for {lab}: {sf.acknowledged_on_time:,} of {_n(sf.acknowledged, f'stage {n} complaint')} "
                    f"acknowledged in the year were acknowledged within 5 working days"
                    f"{_pct(sf.acknowledged_on_time, sf.acknowledged)}." if sf.acknowledged else
                    f"Records for {lab}: no stage {n} complaints were acknowledged in the year.")
        days = 10 if n == 1 else 20
        out[resp] = (f"Records for {lab}: {sf.responded_on_time:,} of {_n(sf.responded, f'stage {n} response')} "
                     f"sent in the year were within the Code's timescale, counting extensions made "
                     f"within the Code{_pct(sf.responded_on_time, sf.responded)}." if sf.responded else
                     f"Records for {lab}: no stage {n} responses were sent in the year.")
        ext, letter = ("6.4", "6.5") if n == 1 else ("6.15", "6.16")
        if sf.extensions:
            out[ext] = (f"Records for {lab}: {_n(sf.extensions, f'stage {n} extension')} agreed: "
                        f"{sf.extensions_within_cap:,} within {days} extra working days, "
                        f"{sf.extensions_past_cap_good_reason:,} longer with a good reason recorded, "
                        f"{sf.extensions_past_cap_no_reason:,} longer without one; the resident was "
                        f"told of {sf.extensions_resident_told:,}; "
                        f"{sf.extensions - sf.extensions_not_counted:,} moved the response date under "
                        f"the Code and {sf.extensions_not_counted:,} did not (agreed after the date they "
                        f"extended, never told, or too long without a good reason).")
            out[letter] = (f"Records for {lab}: an extension letter giving the Ombudsman's contact "
                           f"details was issued for {sf.extensions_with_letter:,} of "
                           f"{_n(sf.extensions, f'stage {n} extension')}"
                           f"{_pct(sf.extensions_with_letter, sf.extensions)}.")
        else:
            out[ext] = out[letter] = f"Records for {lab}: no stage {n} extensions were agreed."
    s2 = f.stage2
    out["6.13"] = (f"Records for {lab}: {s2.acknowledged_by_other:,} of "
                   f"{_n(s2.handlers_compared, 'stage 2 complaint')} acknowledged in the year were "
                   f"handled by someone other than the stage 1 handler"
                   f"{_pct(s2.acknowledged_by_other, s2.handlers_compared)}." if s2.handlers_compared else
                   f"Records for {lab}: no stage 2 complaints were acknowledged in the year.")
    out["2.1"] = (f"Records for {lab}: {_n(f.refused, 'complaint')} not accepted, each with a "
                  f"section 2 ground and reasons recorded ({_grounds(f.refused_by_ground)})."
                  if f.refused else f"Records for {lab}: every complaint received was accepted.")
    out["5.11"] = (f"Records for {lab}: escalation refused for {_n(f.escalation_refused, 'complaint')}, "
                   f"each with a ground and reasons recorded ({_grounds(f.escalation_refused_by_ground)})."
                   if f.escalation_refused else f"Records for {lab}: no request for stage 2 was refused.")
    out["1.4"] = f"Records for {lab}: {_n(f.service_requests, 'service request')} recorded."
    out["7.3"] = (f"Records for {lab}: {f.remedies_done_by_due:,} of {_n(f.remedies_due, 'remedy', 'remedies')} "
                  f"due in the year were completed by their date{_pct(f.remedies_done_by_due, f.remedies_due)}."
                  if f.remedies_due else f"Records for {lab}: no remedies fell due in the year.")
    out["6.6"] = (f"Records for {lab}: {f.actions_done_by_due:,} of {_n(f.actions_due, 'outstanding action')} "
                  f"due in the year were completed by their date{_pct(f.actions_done_by_due, f.actions_due)}."
                  if f.actions_due else f"Records for {lab}: no outstanding actions fell due in the year.")
    if published:  # these come from the figures as published
        out = {k: v.replace(f"Records for {lab}:", f"Published figures for {lab}:", 1)
               for k, v in out.items()}
    start, end = year_bounds(y)
    with reading(db) as u:
        in_year = _between(learning_day(), start, end)
        noted = u.session.exec(select(func.count()).select_from(LearningPoint).where(in_year)).one()
        made = u.session.exec(select(func.count()).select_from(LearningPoint)
                              .where(in_year, LearningPoint.made_on != None)).one()  # noqa: E711
        out["9.1"] = (f"Records for {lab}: {_n(noted, 'learning point')} from complaints in the year's "
                      f"learning log, with {_n(made, 'service improvement')} made.")
        for number, entity, model, what in (("5.10", "adjustment", Adjustment, "reasonable adjustment"),
                                            ("5.14", "restriction", Restriction, "restriction")):
            done, on_time = _reviews(u, entity, start, end)
            text = (f"Records for {lab}: {on_time:,} of {_n(done, f'review')} of {what}s recorded in the "
                    f"year were done by the review date{_pct(on_time, done)}." if done else
                    f"Records for {lab}: no reviews of {what}s were recorded in the year.")
            if start <= u.today <= end:
                live = u.session.exec(select(func.count()).select_from(model).where(model.ended_on == None)).one()  # noqa: E711
                late = u.session.exec(select(func.count()).select_from(model).where(
                    model.ended_on == None, model.review_on < u.today)).one()  # noqa: E711
                text += (f" Today {late:,} of {_n(live, what)} in force "
                         f"{'is' if late == 1 else 'are'} past the review date.")
            out[number] = text
    return out


def _reviews(u: Unit, entity: str, start: dt.date, end: dt.date) -> tuple[int, int]:
    """Reviews of adjustments or restrictions done in the period, and how many were on time."""
    done = on_time = 0
    for before, after in u.session.exec(select(AuditEntry.before, AuditEntry.after)
                                        .where(AuditEntry.entity == entity,
                                         AuditEntry.action == f"{entity} reviewed")).all():
        try:
            b, a = json.loads(before or "{}"), json.loads(after or "{}")
            on = dt.date.fromisoformat(a["last_reviewed_on"])
        except (ValueError, KeyError, TypeError):
            continue
        if not start <= on <= end:
            continue
        done += 1
        due = b.get("review_on") or a.get("review_on")
        try:
            on_time += due is None or on <= dt.date.fromisoformat(due)
        except (TypeError, ValueError):
            pass
    return done, on_time


def self_assessment(db, year: "int | str", figures: PeriodFigures | None = None) -> list[AssessmentRow]:
    """Every provision of the 2024 Code with the year's answers and the evidence records give."""
    y = parse_year(year)
    computed = computed_evidence(db, y, figures)
    with reading(db) as u:
        entries = {e.provision: e for e in u.session.exec(select(SelfAssessmentEntry)
                                                          .where(SelfAssessmentEntry.year == y)).all()}
    rows = []
    for p in CP.PROVISIONS:
        e = entries.get(p.number)
        rows.append(AssessmentRow(p, e.complies if e else None, e.evidence if e else "",
                                  e.commentary if e else "", computed.get(p.number, "")))
    return rows


_UNSET = object()


def save_assessment(db, year: "int | str", provision: str, *, complies=_UNSET, evidence=_UNSET,
                    commentary=_UNSET) -> SelfAssessmentEntry:
    """Record whether the landlord meets one provision in a year, with evidence and commentary."""
    y = parse_year(year)
    p = CP.provision(provision)
    values = {}
    if complies is not _UNSET:
        if complies is not None and not isinstance(complies, bool):
            raise DomainError("Say whether we comply: yes, no, or not yet assessed.", field="complies")
        values["complies"] = complies
    if evidence is not _UNSET:
        values["evidence"] = clean(evidence)
    if commentary is not _UNSET:
        values["commentary"] = clean(commentary)
    with transaction(db) as u:
        row = u.session.exec(select(SelfAssessmentEntry).where(SelfAssessmentEntry.year == y,
                                                               SelfAssessmentEntry.provision == p.number)).first()
        if row is None:
            row = SelfAssessmentEntry(year=y, provision=p.number, **values)
            u.session.add(row)
            u.session.flush()  # its id, from the database, for the caller
            audit(u, f"self-assessment {p.number} recorded for {year_label(y)}", row)
            return row
        return update_fields(u, row, f"self-assessment {p.number} changed for {year_label(y)}", **values)


def copy_assessment(db, from_year: "int | str", to_year: "int | str") -> int:
    """Start a year's self-assessment from another year's answers; entries already made are kept."""
    src, dst = parse_year(from_year), parse_year(to_year)
    if src == dst:
        raise DomainError("Choose a different year to copy from.", field="year")
    with transaction(db) as u:
        have = set(u.session.exec(select(SelfAssessmentEntry.provision).where(SelfAssessmentEntry.year == dst)).all())
        n = 0
        for e in u.session.exec(select(SelfAssessmentEntry).where(SelfAssessmentEntry.year == src)).all():
            if e.provision in have or e.provision not in CP.BY_NUMBER:
                continue
            save_assessment(u, dst, e.provision, complies=e.complies, evidence=e.evidence,
                            commentary=e.commentary)
            n += 1
        if n == 0 and not have:
            raise DomainError(f"There is no self-assessment for {year_label(src)} to copy.")
        return n


def report_texts(db, year: "int | str") -> dict[str, str]:
    y = parse_year(year)
    with reading(db) as u:
        rows = u.session.exec(select(SelfAssessmentEntry).where(
            SelfAssessmentEntry.year == y, SelfAssessmentEntry.provision.startswith(_TEXT_PREFIX))).all()
        found = {r.provision[len(_TEXT_PREFIX):]: r.commentary for r in rows}
    return {k: found.get(k, "") for k in REPORT_TEXTS}


def set_report_text(db, year: "int | str", key: str, text: str) -> None:
    """Text written for the annual report: the governing body's response and the Ombudsman sections."""
    y = parse_year(year)
    if key not in REPORT_TEXTS:
        raise DomainError("Unknown part of the report: " + ", ".join(REPORT_TEXTS) + ".", field="key")
    name = _TEXT_PREFIX + key
    with transaction(db) as u:
        row = u.session.exec(select(SelfAssessmentEntry).where(SelfAssessmentEntry.year == y,
                                                               SelfAssessmentEntry.provision == name)).first()
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


def _landlord(u: Unit) -> Landlord:
    st = u.session.exec(select(LandlordSettings).order_by(LandlordSettings.id).limit(1)).first() or LandlordSettings()
    return Landlord(st.name or "Our organisation", st.address, st.website, st.complaints_officer,
                    st.member_responsible, st.email, st.phone)


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
        return (f"{self.label} is not yet finished, so each year is compared over the same months: "
                f"1 April to {f.end.day} {f.end:%B}.")


def _tsm_of(d: dict) -> TSM:
    return TSM(int(str(d["year"])[:4]), d["homes"], d["stage1_received"], d["stage2_received"],
               d["stage1_responded"], d["stage1_within"], d["stage2_responded"], d["stage2_within"])


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


def year_figures_as_reported(db, year: "int | str", *, detail: bool = True
                             ) -> tuple[PeriodFigures, TSM, str]:
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
    with reading(db) as u:
        today = u.today
        complete = today > year_bounds(y)[1]
        cal = tsm.MemoCalendar(u.cal)
        history = []
        for yy in (y - 2, y - 1, y):
            start, end = year_bounds(yy)
            label = year_label(yy)
            if not complete:
                end = _same_day_of(yy, today)
                label = f"{label} to {end.day} {end:%b}"
            history.append(_figures(u, start, end, label, _homes(u, yy), cal=cal, detail=yy == y))
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
    return AnnualReport(y, year_label(y), landlord, today, f, history, self_assessment(db, y, f),
                        report_texts(db, y), complete, note, published, audit_head=_audit_head(db))


def _audit_head(db) -> str:
    from .audit_anchor import describe_head

    with reading(db) as u:
        n, h = u.session.connection().exec_driver_sql(
            "SELECT (SELECT count(*) FROM audit_entry), "
            "(SELECT hash FROM audit_entry ORDER BY id DESC LIMIT 1)").first()
    return describe_head(n or 0, h or "")


def assessment_report(db, year: "int | str") -> AnnualReport:
    """The self-assessment on its own (the same shape, with the year's figures only)."""
    y = parse_year(year)
    f, t, note = as_published(db, y, year_figures(db, y, detail=False))
    with reading(db) as u:
        landlord, today = _landlord(u), u.today
    return AnnualReport(y, year_label(y), landlord, today, f, [f], self_assessment(db, y, f),
                        report_texts(db, y), today > f.end, note, {y: t} if t else {})


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

    start, end = parse_date(start, "start date"), parse_date(end, "end date")
    _check_period(start, end)
    p_start, p_end = previous_period(start, end)
    with reading(db) as u:
        cal = tsm.MemoCalendar(u.cal)
        f = _figures(u, start, end, period_label(start, end), None, cal=cal)
        prev = _figures(u, p_start, p_end, period_label(p_start, p_end), None, cal=cal, detail=False)
        open_cases = cases_where(u, OmbudsmanCase.id.in_(
            select(OmbudsmanOrder.case_id).where(OmbudsmanOrder.complied_on == None)))  # noqa: E711
        orders = [(c, o) for c in open_cases for o in c.orders if o.complied_on is None]
        learning = learning_where(u, LearningPoint.status != "done")
        open_now = u.session.exec(select(func.count()).select_from(Complaint)
                                  .where(Complaint.state.in_(L.OPEN_STATES))).one()
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
    return BoardUpdate(landlord, today, f, prev, orders, learning, open_now, note)


def board_summary_lines(b: BoardUpdate) -> list[str]:
    """The board update as plain lines, for the screen."""
    f, p = b.figures, b.previous

    def pct(v):
        return "n/a" if v is None else f"{v:.1f}%"

    def trend(now: int, before: int) -> str:
        if now == before:
            return "no change"
        return f"{'up' if now > before else 'down'} {abs(now - before):,} on the period before"

    lines = [f"{b.landlord.name}: complaints {f.label}", "",
             f"Stage 1 complaints received: {f.stage1.received:,} ({trend(f.stage1.received, p.stage1.received)})",
             f"Stage 2 requests received: {f.stage2.received:,} ({trend(f.stage2.received, p.stage2.received)})",
             f"Not accepted: {f.refused:,}   Escalation refused: {f.escalation_refused:,}   "
             f"Withdrawn: {f.withdrawn:,}",
             f"Open now: {b.open_now:,}", "",
             f"Stage 1 acknowledged on time: {pct(f.stage1.acknowledged_pct)} of {f.stage1.acknowledged:,}",
             f"Stage 1 answered on time: {pct(f.stage1.on_time_pct)} of {f.stage1.responded:,} "
             f"(period before: {pct(p.stage1.on_time_pct)})",
             f"Stage 2 answered on time: {pct(f.stage2.on_time_pct)} of {f.stage2.responded:,} "
             f"(period before: {pct(p.stage2.on_time_pct)})", ""]
    for n in (1, 2):
        sf = f.stage(n)
        lines.append(f"Stage {n} outcomes: " + ", ".join(f"{d} {sf.outcome(d):,}" for d in L.DECISIONS))
    lines.append("")
    lines.append("Top categories: " + (", ".join(f"{c} {n:,}" for c, n in f.by_category[:5]) or "none"))
    lines.append(f"Compensation offered: £{f.compensation_offered_pence / 100:,.2f}; "
                 f"paid: £{f.compensation_paid_pence / 100:,.2f}")
    lines.append("")
    found = ", ".join(f"{k} {v}" for k, v in f.findings.items()) or "none"
    lines.append(f"Ombudsman: {f.ombudsman_referred:,} referred; findings in the period: {found}")
    lines.append(f"Ombudsman orders not yet complied with: {len(b.open_orders):,}")
    lines.append(f"Learning points still being acted on: {len(b.open_learning):,}")
    return lines
