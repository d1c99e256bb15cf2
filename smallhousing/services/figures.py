"""Every figure smallhousing reports, worked out in one place.

CH01 and CH02 (``tsm_for_year``), every count of the annual report, the board update and the
self-assessment evidence (``period``, ``evidence_counts``, ``open_now``) come from the functions
here, and nowhere else: measures.tsm_for_year, reports.year_figures / period_figures /
annual_report / board_update / computed_evidence and publishing.current_figures call them.

The rules are the domain's (domain.rules.stage_deadlines and judge_extensions through
domain.tsm.ResponseTimer; domain.tsm.percentage and per_thousand); this module only selects the
records and counts. It reads with plain SQL through services/reads.py, so it imports no ORM and
works on a Database (one read transaction) or inside a Unit (its unsaved rows are seen). Every
statement is a module-level constant (``SQL``), checked against a freshly migrated schema by
tests/test_sql_statements.py.

See docs/REPORTING.md for how each figure is counted.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ..domain import lifecycle as L
from ..domain import satisfaction as SAT
from ..domain import tsm
from ..domain.rules import ExtensionDates, StageDates, rule_set, stage_deadlines
from ..domain.years import parse_year, year_bounds, year_label
from .reads import plain_reading

NOT_CATEGORISED = "not categorised"
NO_CHANNEL = "not recorded"


# what the figures are ----------------------------------------------------------------------------


@dataclass
class TSM:
    year: int
    homes: int | None
    stage1_received: int
    stage2_received: int
    stage1_responded: int
    stage1_within: int
    stage2_responded: int
    stage2_within: int

    @property
    def label(self) -> str:
        return year_label(self.year)

    @property
    def ch01_stage1(self) -> float | None:
        return tsm.per_thousand(self.stage1_received, self.homes)

    @property
    def ch01_stage2(self) -> float | None:
        return tsm.per_thousand(self.stage2_received, self.homes)

    @property
    def ch02_stage1(self) -> float | None:
        return tsm.percentage(self.stage1_within, self.stage1_responded)

    @property
    def ch02_stage2(self) -> float | None:
        return tsm.percentage(self.stage2_within, self.stage2_responded)

    def as_dict(self) -> dict:
        """Exactly the keys of ``smallhousing tsm --json``."""
        return {
            "year": self.label,
            "homes": self.homes,
            "stage1_received": self.stage1_received,
            "stage2_received": self.stage2_received,
            "ch01_stage1": self.ch01_stage1,
            "ch01_stage2": self.ch01_stage2,
            "stage1_responded": self.stage1_responded,
            "stage1_within": self.stage1_within,
            "ch02_stage1": self.ch02_stage1,
            "stage2_responded": self.stage2_responded,
            "stage2_within": self.stage2_within,
            "ch02_stage2": self.ch02_stage2,
        }


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
    kind: str = "order"  # order, recommendation, complaint-handling-failure (domain/ombudsman.py)
    made_on: dt.date | None = None

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
    """Every count the reports give for one period. Its field names are the keys of the figures
    stored for a published year (publishing.figures_as_plain): do not rename them."""

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
    # what residents think: compliments received and answers given after a complaint closed (asked
    # in the period), and for a reporting year the TP09 counts of the perception survey (None when
    # none were entered, and for other periods)
    compliments: int = 0
    compliments_by_team: list[tuple[str, int]] = field(default_factory=list)
    satisfaction_answers: list[tuple[str, int]] = field(default_factory=list)  # every answer, in order
    tp09: SAT.PerceptionCounts | None = None

    def stage(self, n: int) -> StageFigures:
        return self.stage1 if n == 1 else self.stage2

    @property
    def ch01_stage1(self) -> float | None:
        return tsm.per_thousand(self.stage1.received, self.homes)

    @property
    def ch01_stage2(self) -> float | None:
        return tsm.per_thousand(self.stage2.received, self.homes)

    @property
    def tp09_result(self) -> float | None:
        return self.tp09.result if self.tp09 is not None else None

    @property
    def answers_given(self) -> int:
        """Satisfaction answers after a complaint closed, less those who declined to answer."""
        return sum(n for a, n in self.satisfaction_answers if a != SAT.DECLINED)

    @property
    def answers_satisfied(self) -> int:
        return sum(n for a, n in self.satisfaction_answers if a in SAT.SATISFIED_ANSWERS)

    @property
    def answers_satisfied_pct(self) -> float | None:
        """Very or fairly satisfied, as a share of the answers given (declined left out)."""
        return tsm.percentage(self.answers_satisfied, self.answers_given)

    @property
    def upheld_any(self) -> int:
        """Responses in the period (both stages) that upheld the complaint in whole or part."""
        return sum(s.outcome(L.UPHELD) + s.outcome(L.PARTLY_UPHELD) for s in (self.stage1, self.stage2))


@dataclass
class ContractorLine:
    """Complaints put down to one contractor (or, for ``ContractorFigures.not_put_down``, to none)
    in a period: received (stage 1, less those not accepted), responses upholding them in whole
    or part at each stage, and open at the period's end. Counted as the period's own figures are
    (``stage1.received``, the outcomes, ``open_at_end``), so the lines add up to them."""

    contractor: str
    received: int = 0
    upheld_stage1: int = 0
    upheld_stage2: int = 0
    open_at_end: int = 0

    @property
    def any(self) -> bool:
        return bool(self.received or self.upheld_stage1 or self.upheld_stage2 or self.open_at_end)


@dataclass
class ContractorFigures:
    """Complaints by contractor for a period: a line for each contractor with anything to count
    (by name), and the complaints not put down to any contractor, which the reports leave out of
    the table and give in a sentence of their own (docs/REPORTING.md)."""

    lines: list[ContractorLine] = field(default_factory=list)
    not_put_down: ContractorLine = field(default_factory=lambda: ContractorLine(""))


def tsm_from(year: int, f: PeriodFigures) -> TSM:
    """CH01 and CH02 of a reporting year's figures."""
    return TSM(
        year,
        f.homes,
        f.stage1.received,
        f.stage2.received,
        f.stage1.responded,
        f.stage1.responded_on_time,
        f.stage2.responded,
        f.stage2.responded_on_time,
    )


# the statements ----------------------------------------------------------------------------------
# Named parameters: :s and :e are the first and last days of the period (ISO text, both included).


def _in(col: str) -> str:
    return f"({col} >= :s AND {col} <= :e)"


_STAGE_COLS = (
    "SELECT st.id, st.number, st.requested_on, st.acknowledged_on, st.responded_on, "
    "st.decision, c.rule_set FROM stage st JOIN complaint c ON c.id = st.complaint_id "
)
_EXT_COLS = (
    "SELECT e.id, e.stage_id, e.extended_on, e.new_due_on, e.beyond_cap, e.good_reason, "
    "e.resident_told, st.number, st.complaint_id FROM extension e "
    "JOIN stage st ON st.id = e.stage_id "
)
_ANSWERED = _in("st.responded_on")
_TOUCHED = f"({_in('st.acknowledged_on')} OR {_in('st.responded_on')})"
_ACCEPTED = f"{_in('received_on')} AND acceptance != 'refused'"

SQL = {
    "homes": "SELECT homes FROM homes_year WHERE year = :y",
    "by_acceptance": f"SELECT acceptance, count(*) FROM complaint WHERE {_in('received_on')} "
    "GROUP BY acceptance",
    "refused_by_ground": f"SELECT exclusion_ground, count(*) FROM complaint WHERE {_in('received_on')} "
    "AND acceptance = 'refused' GROUP BY exclusion_ground",
    "stage2_received": "SELECT count(*) FROM stage st JOIN complaint c ON c.id = st.complaint_id "
    f"WHERE st.number = 2 AND {_in('st.requested_on')} "
    "AND c.escalation_refused_on IS NULL",
    "escalation_refused_by_ground": "SELECT escalation_refusal_ground, count(*) FROM complaint "
    f"WHERE {_in('escalation_refused_on')} "
    "GROUP BY escalation_refusal_ground",
    "withdrawn": f"SELECT count(*) FROM complaint WHERE {_in('withdrawn_on')}",
    "vulnerable": f"SELECT count(*) FROM complaint WHERE {_ACCEPTED} AND vulnerable = TRUE",
    "by_channel": f"SELECT channel, count(*) FROM complaint WHERE {_ACCEPTED} GROUP BY channel",
    "by_category": f"SELECT categories, count(*) FROM complaint WHERE {_ACCEPTED} GROUP BY categories",
    "by_month": "SELECT strftime('%Y-%m', received_on) AS month, count(*) FROM complaint "
    f"WHERE {_ACCEPTED} GROUP BY month",
    # CH02: the stages answered in the period (and, for the full figures, acknowledged in it) with
    # every extension of those stages (and, for the full figures, every extension agreed in it)
    "stages_answered": _STAGE_COLS + f"WHERE {_ANSWERED}",
    "extensions_answered": _EXT_COLS + f"WHERE {_ANSWERED} ORDER BY e.id",
    "stages_touched": _STAGE_COLS + f"WHERE {_TOUCHED}",
    "extensions_touched": _EXT_COLS + f"WHERE {_TOUCHED} OR {_in('e.extended_on')} ORDER BY e.id",
    "letters": 'SELECT complaint_id, "on", letter_kind FROM correspondence '
    'WHERE letter_kind != \'\' AND "on" >= :s ORDER BY "on"',
    "stage_of_extensions": "SELECT st.id, st.number, st.requested_on, st.acknowledged_on, c.rule_set "
    "FROM stage st JOIN complaint c ON c.id = st.complaint_id "
    "WHERE st.id IN (SELECT CAST(value AS INTEGER) FROM json_each(:ids))",
    "extensions_of_stages": "SELECT id, stage_id, new_due_on, extended_on, resident_told, good_reason "
    "FROM extension WHERE stage_id IN (SELECT CAST(value AS INTEGER) FROM json_each(:ids)) "
    "ORDER BY id",
    "stage2_handlers": "SELECT st.handler_id, s1.handler_id FROM stage st "
    "JOIN stage s1 ON s1.complaint_id = st.complaint_id AND s1.number = 1 "
    f"WHERE st.number = 2 AND {_in('st.acknowledged_on')}",
    "remedies": f"SELECT kind, count(*), sum(amount_pence) FROM remedy WHERE {_in('offered_on')} "
    "GROUP BY kind ORDER BY count(*) DESC, kind",
    "compensation_offered": "SELECT count(*), sum(amount_pence) FROM remedy "
    f"WHERE {_in('offered_on')} AND amount_pence > 0",
    "compensation_paid": "SELECT count(*), sum(amount_pence) FROM remedy "
    f"WHERE {_in('completed_on')} AND amount_pence > 0",
    "remedies_due": f"SELECT count(*), count(CASE WHEN completed_on IS NOT NULL "
    f"AND completed_on <= due_on THEN 1 END) FROM remedy WHERE {_in('due_on')}",
    "remedies_overdue_at_end": "SELECT count(*) FROM remedy WHERE due_on < :e "
    "AND (completed_on IS NULL OR completed_on > :e)",
    "actions_due": f"SELECT count(*), count(CASE WHEN completed_on IS NOT NULL "
    f"AND completed_on <= due_on THEN 1 END) FROM outstanding_action WHERE {_in('due_on')}",
    "service_requests": f"SELECT count(*) FROM service_request WHERE {_in('received_on')}",
    "open_at_end": "SELECT count(*) FROM complaint WHERE received_on <= :e AND NOT "
    "coalesce(refused_on <= :e OR withdrawn_on <= :e OR closed_on <= :e, FALSE)",
    "ombudsman_referred": f"SELECT count(*) FROM ombudsman_case WHERE {_in('referred_on')}",
    "findings": f"SELECT finding, count(*) FROM ombudsman_case WHERE {_in('determined_on')} GROUP BY finding",
    "orders_due": f"SELECT count(*), count(CASE WHEN complied_on IS NOT NULL "
    f"AND complied_on <= due_on THEN 1 END) FROM ombudsman_order WHERE {_in('due_on')}",
    # lists of records: Ombudsman cases (referred or determined in the period, or with an order not
    # yet complied with) and learning (counted on the day its improvement was made, else the day it
    # was recorded: docs/REPORTING.md)
    "cases_in_period": "SELECT oc.id, oc.case_number, c.reference, oc.referred_on, oc.finding, "
    "oc.determined_on, oc.summary FROM ombudsman_case oc "
    "LEFT JOIN complaint c ON c.id = oc.complaint_id "
    f"WHERE {_in('oc.referred_on')} OR {_in('oc.determined_on')} "
    "ORDER BY oc.referred_on, oc.id",
    "cases_with_open_orders": "SELECT oc.id, oc.case_number, c.reference, oc.referred_on, oc.finding, "
    "oc.determined_on, oc.summary FROM ombudsman_case oc "
    "LEFT JOIN complaint c ON c.id = oc.complaint_id WHERE oc.id IN "
    "(SELECT case_id FROM ombudsman_order WHERE complied_on IS NULL) "
    "ORDER BY oc.referred_on, oc.id",
    "orders_by_kind": f"SELECT kind, count(CASE WHEN {_in('made_on')} THEN 1 END), "
    f"count(CASE WHEN {_in('due_on')} THEN 1 END), count(CASE WHEN {_in('due_on')} "
    "AND complied_on IS NOT NULL AND complied_on <= due_on THEN 1 END) FROM ombudsman_order GROUP BY kind",
    "orders_of_cases": "SELECT id, case_id, description, due_on, complied_on, kind, made_on FROM ombudsman_order "
    "WHERE case_id IN (SELECT CAST(value AS INTEGER) FROM json_each(:ids)) ORDER BY id",
    "learning_in_period": "SELECT lp.id, c.reference, lp.recorded_on, lp.theme, lp.learning, "
    "lp.improvement, lp.owner, lp.status, lp.made_on FROM learning_point lp "
    "LEFT JOIN complaint c ON c.id = lp.complaint_id "
    f"WHERE {_in('coalesce(lp.made_on, lp.recorded_on)')} "
    "ORDER BY lp.recorded_on, lp.id",
    "learning_not_done": "SELECT lp.id, c.reference, lp.recorded_on, lp.theme, lp.learning, "
    "lp.improvement, lp.owner, lp.status, lp.made_on FROM learning_point lp "
    "LEFT JOIN complaint c ON c.id = lp.complaint_id "
    "WHERE lp.status != 'done' ORDER BY lp.recorded_on, lp.id",
    "learning_counts": "SELECT count(*), count(made_on) FROM learning_point "
    f"WHERE {_in('coalesce(made_on, recorded_on)')}",
    "reviews": "SELECT before, after FROM audit_entry WHERE entity = :entity AND action = :action",
    "adjustments_in_force": "SELECT count(*), count(CASE WHEN review_on < :today THEN 1 END) "
    "FROM adjustment WHERE ended_on IS NULL",
    "restrictions_in_force": "SELECT count(*), count(CASE WHEN review_on < :today THEN 1 END) "
    "FROM restriction WHERE ended_on IS NULL",
    "open_now": "SELECT count(*) FROM complaint WHERE state IN (SELECT value FROM json_each(:states))",
    # service requests by category: received in each month; open at a day's end (:m), that is
    # received by then and not completed by then
    "sr_received_by_month": "SELECT category, strftime('%Y-%m', received_on) AS month, count(*) "
    f"FROM service_request WHERE {_in('received_on')} GROUP BY category, month",
    "sr_open_on": "SELECT category, count(*) FROM service_request WHERE received_on <= :m "
    "AND (completed_on IS NULL OR completed_on > :m) GROUP BY category",
    # complaints by contractor (Code 5.4, 5.5): the same counts as stage1.received, the upheld
    # outcomes and open_at_end above, each grouped by the contractor the complaint is put down to
    "contractor_received": f"SELECT contractor_id, count(*) FROM complaint WHERE {_ACCEPTED} "
    "GROUP BY contractor_id",
    "contractor_upheld": "SELECT c.contractor_id, st.number, count(*) FROM stage st "
    f"JOIN complaint c ON c.id = st.complaint_id WHERE {_ANSWERED} "
    "AND st.decision IN (SELECT value FROM json_each(:upheld)) GROUP BY c.contractor_id, st.number",
    "contractor_open_at_end": "SELECT contractor_id, count(*) FROM complaint WHERE received_on <= :e "
    "AND NOT coalesce(refused_on <= :e OR withdrawn_on <= :e OR closed_on <= :e, FALSE) "
    "GROUP BY contractor_id",
    "contractor_names": "SELECT id, name FROM contractor",
    # what residents think
    "compliments_by_team": f"SELECT team, count(*) FROM compliment WHERE {_in('received_on')} GROUP BY team",
    "satisfaction_answers": "SELECT answer, count(*) FROM satisfaction_answer "
    f"WHERE {_in('asked_on')} GROUP BY answer",
    "tp09": "SELECT satisfied, neither, dissatisfied, dont_know FROM perception_result WHERE year = :y",
    "tp09_years": "SELECT year, satisfied, neither, dissatisfied, dont_know, method, recorded_on "
    "FROM perception_result ORDER BY year",
}

NO_TEAM = "no team recorded"


# working it out ----------------------------------------------------------------------------------


class _Days(dict):
    """ISO date text -> date, each distinct day converted once (None stays None, a date stays)."""

    def __missing__(self, text):
        if text is None or isinstance(text, dt.date):  # PostgreSQL gives dates as dates
            found = self[text] = text
        else:
            found = self[text] = dt.date.fromisoformat(text[:10])
        return found


class _Rules(dict):
    def __missing__(self, code):
        found = self[code] = rule_set(code)
        return found


def _span(start: dt.date, end: dt.date) -> dict:
    return {"s": start.isoformat(), "e": end.isoformat()}


def _sorted_counts(rows) -> list[tuple]:
    return sorted((tuple(r) for r in rows), key=lambda r: (-r[1], r[0]))


def homes(r, year: int) -> int | None:
    return r.value(SQL["homes"], {"y": year})


def _received(r, f: PeriodFigures, span: dict) -> None:
    """CH01: stage 1 complaints received (less those refused) and stage 2 requests (less those refused)."""
    by_acceptance = dict(r.rows(SQL["by_acceptance"], span))
    f.logged = sum(by_acceptance.values())
    f.refused = by_acceptance.get("refused", 0)
    f.stage1.received = f.logged - f.refused
    f.stage2.received = r.value(SQL["stage2_received"], span)


def _responses(r, f: PeriodFigures, span: dict, timer: tsm.ResponseTimer, days: _Days, full: bool) -> list:
    """CH02 (and, when ``full``, acknowledgements, outcomes and extended responses): one pass over
    the stages answered (or acknowledged) in the period. Returns the extension rows read."""
    start, end = f.start, f.end
    stage_rows = r.rows(SQL["stages_touched" if full else "stages_answered"], span)
    ext_rows = r.rows(SQL["extensions_touched" if full else "extensions_answered"], span)
    exts_by_stage: dict[int, list] = defaultdict(list)
    for e in ext_rows:
        # each extension as the Code looks at it: it counts only when agreed by the date in force
        # before it and told to the resident (6.4, 6.15)
        exts_by_stage[e[1]].append(ExtensionDates(days[e[3]], days[e[2]], bool(e[6]), e[5] or ""))
    rules_for = _Rules()
    for sid, number, requested, acked, responded, decision, code in stage_rows:
        sf = f.stage(number)
        rules = rules_for[code]
        requested, acked, responded = days[requested], days[acked], days[responded]
        # an acknowledgement is timed only where the Code sets a deadline for it (not 2022 stage 2)
        if (
            full
            and acked is not None
            and start <= acked <= end
            and rules.acknowledge_days_at(number) is not None
        ):
            sf.acknowledged += 1
            sf.acknowledged_on_time += timer.acknowledged_on_time(rules, requested, acked, number)
        if responded is not None and start <= responded <= end:
            exts = exts_by_stage.get(sid, ())
            sf.responded += 1
            sf.responded_on_time += timer.on_time(rules, number, requested, acked, responded, exts)
            if full:
                sf.responded_extended += bool(exts)
                key = decision or "no decision recorded"
                sf.outcomes[key] = sf.outcomes.get(key, 0) + 1
    return ext_rows


def _is_extension_letter(kind: str) -> bool:
    return "extension" in (kind or "").lower()


def _extensions(r, f: PeriodFigures, span: dict, ext_rows: list, cal, days: _Days) -> None:
    """Extensions agreed in the period: within the cap or not, told, counted under the Code, and
    whether a letter went with each (each letter matched once)."""
    start, end = f.start, f.end
    in_period = [e for e in ext_rows if start <= days[e[2]] <= end]
    if not in_period:
        return
    letters: dict[int, list[dt.date]] = defaultdict(list)
    for cid, on, kind in r.rows(SQL["letters"], span):
        if _is_extension_letter(kind):
            letters[cid].append(days[on])
    # whether each counts under the Code turns on its stage's dates and the extensions before it
    ids = json.dumps(sorted({e[1] for e in in_period}))
    verdict: dict[int, bool] = {}
    all_exts: dict[int, list] = defaultdict(list)
    for row in r.rows(SQL["extensions_of_stages"], {"ids": ids}):
        all_exts[row[1]].append(row)
    for sid, number, requested, acked, code in r.rows(SQL["stage_of_extensions"], {"ids": ids}):
        rows = all_exts[sid]
        d = stage_deadlines(
            cal,
            rule_set(code),
            StageDates(
                number,
                days[requested],
                days[acked],
                extensions=[ExtensionDates(days[x[2]], days[x[3]], bool(x[4]), x[5] or "") for x in rows],
            ),
        )
        for x, v in zip(rows, d.extensions):
            verdict[x[0]] = v.counts
    for e in sorted(in_period, key=lambda e: (e[8], days[e[2]], e[0])):
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
        agreed = days[e[2]]
        match = next((i for i, d in enumerate(pool) if d >= agreed), None)
        if match is not None:
            pool.pop(match)
            sf.extensions_with_letter += 1


def _months(start: dt.date, end: dt.date) -> list[str]:
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(f"{y:04d}-{m:02d}")
        m += 1
        if m == 13:
            y, m = y + 1, 1
    return out


def period(
    r,
    start: dt.date,
    end: dt.date,
    label: str,
    homes: int | None,
    *,
    cal=None,
    detail: bool = True,
    year: int | None = None,
) -> PeriodFigures:
    """Everything the reports say about one period, read through ``r`` (reads.Reads).
    ``detail`` False leaves out the lists (cases, learning). ``cal``: a calendar to share between
    periods (a domain.tsm.MemoCalendar). ``year``: the reporting year the period is (or is part
    of), whose TP09 counts it then carries."""
    f = PeriodFigures(start, end, label, homes)
    span = _span(start, end)
    cal = cal or tsm.MemoCalendar(r.cal)
    days = _Days()

    # received, refused, channels, categories, months ---------------------------------------------
    _received(r, f, span)
    f.refused_by_ground = _sorted_counts(r.rows(SQL["refused_by_ground"], span))
    f.escalation_refused_by_ground = _sorted_counts(r.rows(SQL["escalation_refused_by_ground"], span))
    f.escalation_refused = sum(n for _, n in f.escalation_refused_by_ground)
    f.withdrawn = r.value(SQL["withdrawn"], span)
    f.vulnerable = r.value(SQL["vulnerable"], span)
    channels: Counter = Counter()
    for ch, n in r.rows(SQL["by_channel"], span):
        channels[(ch or "").strip() or NO_CHANNEL] += n
    f.by_channel = sorted(channels.items(), key=lambda r: (-r[1], r[0]))
    cats: Counter = Counter()
    for text, n in r.rows(SQL["by_category"], span):
        for c in [c for c in (text or "").split(";") if c.strip()] or [NOT_CATEGORISED]:
            cats[c.strip()] += n
    f.by_category = sorted(cats.items(), key=lambda r: (-r[1], r[0]))
    per_month = dict(r.rows(SQL["by_month"], span))
    f.by_month = [(m, per_month.get(m, 0)) for m in _months(start, end)]

    # timeliness and extensions -------------------------------------------------------------------
    ext_rows = _responses(r, f, span, tsm.ResponseTimer(cal), days, full=True)
    _extensions(r, f, span, ext_rows, cal, days)

    # stage 2 considered by someone else (6.13) ------------------------------------------------------
    for h2, h1 in r.rows(SQL["stage2_handlers"], span):
        if h1 is not None and h2 is not None:
            f.stage2.handlers_compared += 1
            f.stage2.acknowledged_by_other += h1 != h2

    # putting things right ------------------------------------------------------------------------
    f.remedies = [RemedyLine(k, n, p or 0) for k, n, p in r.rows(SQL["remedies"], span)]
    n, p = r.rows(SQL["compensation_offered"], span)[0]
    f.compensation_offered, f.compensation_offered_pence = n, p or 0
    n, p = r.rows(SQL["compensation_paid"], span)[0]
    f.compensation_paid, f.compensation_paid_pence = n, p or 0
    f.remedies_due, f.remedies_done_by_due = r.rows(SQL["remedies_due"], span)[0]
    f.remedies_overdue_at_end = r.value(SQL["remedies_overdue_at_end"], span)
    f.actions_due, f.actions_done_by_due = r.rows(SQL["actions_due"], span)[0]
    f.service_requests = r.value(SQL["service_requests"], span)
    f.open_at_end = r.value(SQL["open_at_end"], span)

    # the Ombudsman ---------------------------------------------------------------------------------
    f.ombudsman_referred = r.value(SQL["ombudsman_referred"], span)
    f.findings = dict(r.rows(SQL["findings"], span))
    f.orders_due, f.orders_complied_by_due = r.rows(SQL["orders_due"], span)[0]
    if detail:
        f.cases = cases(r, "cases_in_period", span)
        f.learning = learning(r, "learning_in_period", span)
    _residents_views(r, f, span, year)
    return f


def _residents_views(r, f: PeriodFigures, span: dict, year: int | None) -> None:
    """Compliments (by team), satisfaction answers after complaints, and a year's TP09 counts."""
    teams: Counter = Counter()
    for team, n in r.rows(SQL["compliments_by_team"], span):
        teams[(team or "").strip() or NO_TEAM] += n
    f.compliments_by_team = sorted(teams.items(), key=lambda t: (-t[1], t[0]))
    f.compliments = sum(teams.values())
    answers = dict(r.rows(SQL["satisfaction_answers"], span))
    f.satisfaction_answers = [(a, answers.get(a, 0)) for a in SAT.ANSWERS]
    if year is not None:
        f.tp09 = tp09(r, year)


def tp09(r, year: int) -> SAT.PerceptionCounts | None:
    """A reporting year's TP09 counts, or None when none were entered."""
    row = r.rows(SQL["tp09"], {"y": year})
    return SAT.PerceptionCounts(*row[0]) if row else None


@dataclass
class PerceptionYear:
    """A year's TP09 counts as entered, with how the survey was run."""

    year: int
    counts: SAT.PerceptionCounts
    method: str
    recorded_on: dt.date | None

    @property
    def label(self) -> str:
        return year_label(self.year)

    @property
    def result(self) -> float | None:
        return self.counts.result


def tp09_years(db) -> list[PerceptionYear]:
    """Every reporting year with TP09 counts, oldest first."""
    days = _Days()
    with plain_reading(db) as r:
        return [
            PerceptionYear(y, SAT.PerceptionCounts(s, n, d, k), method or "", days[on])
            for y, s, n, d, k, method, on in r.rows(SQL["tp09_years"])
        ]


@dataclass
class ResidentsViews:
    """What residents thought in one reporting year (the figures of ``residents_views``)."""

    year: int
    tp09: SAT.PerceptionCounts | None
    compliments: int
    compliments_by_team: list[tuple[str, int]]
    satisfaction_answers: list[tuple[str, int]]
    homes: int | None

    @property
    def label(self) -> str:
        return year_label(self.year)

    @property
    def tp09_result(self) -> float | None:
        return self.tp09.result if self.tp09 is not None else None


def residents_views(db, year: "int | str", *, years: int = 3) -> list[ResidentsViews]:
    """TP09, compliments (by team) and satisfaction answers after complaints for ``year`` and the
    years before it (``years`` in all), oldest first: the same counts as the year figures."""
    y = parse_year(year)
    out = []
    with plain_reading(db) as r:
        for yy in range(y - years + 1, y + 1):
            start, end = year_bounds(yy)
            f = PeriodFigures(start, end, year_label(yy), homes(r, yy))
            _residents_views(r, f, _span(start, end), yy)
            out.append(
                ResidentsViews(
                    yy, f.tp09, f.compliments, f.compliments_by_team, f.satisfaction_answers, f.homes
                )
            )
    return out


def cases(r, key: str, params: "dict | tuple" = ()) -> list[CaseLine]:
    """Ombudsman cases with their orders, by one of the case statements in SQL."""
    days = _Days()
    out = [
        CaseLine(i, number, ref or "", days[referred], finding, days[determined], summary)
        for i, number, ref, referred, finding, determined, summary in r.rows(SQL[key], params)
    ]
    if out:
        by_id = {c.id: c for c in out}
        for i, case_id, description, due, complied, kind, made in r.rows(
            SQL["orders_of_cases"], {"ids": json.dumps(list(by_id))}
        ):
            by_id[case_id].orders.append(
                OrderLine(i, description, days[due], days[complied], kind, days[made])
            )
    return out


def learning(r, key: str, params: "dict | tuple" = ()) -> list[LearningLine]:
    """Learning points, by one of the learning statements in SQL."""
    days = _Days()
    return [
        LearningLine(i, ref or "", days[recorded], theme, learned, improvement, owner, status, days[made])
        for i, ref, recorded, theme, learned, improvement, owner, status, made in r.rows(SQL[key], params)
    ]


def open_now(r) -> int:
    """Complaints open today."""
    return r.value(SQL["open_now"], {"states": json.dumps(list(L.OPEN_STATES))})


def by_contractor(r, start: dt.date, end: dt.date) -> ContractorFigures:
    """Complaints by contractor for a period, read through ``r`` (reads.Reads)."""
    span = _span(start, end)
    names = dict(r.rows(SQL["contractor_names"]))
    lines: dict[int | None, ContractorLine] = {}

    def line(cid) -> ContractorLine:
        if cid not in lines:
            lines[cid] = ContractorLine(names.get(cid, "") if cid is not None else "")
        return lines[cid]

    for cid, n in r.rows(SQL["contractor_received"], span):
        line(cid).received += n
    upheld = json.dumps([L.UPHELD, L.PARTLY_UPHELD])
    for cid, number, n in r.rows(SQL["contractor_upheld"], {**span, "upheld": upheld}):
        if number == 1:
            line(cid).upheld_stage1 += n
        else:
            line(cid).upheld_stage2 += n
    for cid, n in r.rows(SQL["contractor_open_at_end"], span):
        line(cid).open_at_end += n
    none = lines.pop(None, ContractorLine(""))
    named = sorted((x for x in lines.values() if x.any), key=lambda x: (-x.received, x.contractor.lower()))
    return ContractorFigures(named, none)


def contractor_figures(db, start: dt.date, end: dt.date) -> ContractorFigures:
    """Complaints by contractor for any period, both dates included."""
    with plain_reading(db) as r:
        return by_contractor(r, start, end)


# the public questions --------------------------------------------------------------------------


def tsm_for_year(db, year: "int | str") -> TSM:
    """CH01 and CH02 for a reporting year: the same counts as the year's full figures
    (``tsm_from(year, year_figures(...))``, worked out by the same functions), without the rest."""
    y = parse_year(year)
    start, end = year_bounds(y)
    span = _span(start, end)
    with plain_reading(db) as r:
        f = PeriodFigures(start, end, year_label(y), homes(r, y))
        _received(r, f, span)
        _responses(r, f, span, tsm.ResponseTimer(r.cal), _Days(), full=False)
    return tsm_from(y, f)


def year_figures(db, year: "int | str", *, detail: bool = True) -> PeriodFigures:
    """The figures for one reporting year (1 April to 31 March)."""
    y = parse_year(year)
    start, end = year_bounds(y)
    with plain_reading(db) as r:
        return period(r, start, end, year_label(y), homes(r, y), detail=detail, year=y)


def period_figures(db, start: dt.date, end: dt.date, label: str, *, detail: bool = True) -> PeriodFigures:
    """The figures for any period, both dates included (no homes: no per-1,000 figures)."""
    with plain_reading(db) as r:
        return period(r, start, end, label, None, detail=detail)


@dataclass
class EvidenceCounts:
    """Counts for the self-assessment evidence that are not in PeriodFigures."""

    learning_noted: int
    learning_made: int
    reviews: dict[str, tuple[int, int]]  # 'adjustment' / 'restriction' -> (done, done on time)
    in_force: dict[str, tuple[int, int]]  # -> (in force, past the review date); {} outside the year
    # the Ombudsman's orders by kind (order, recommendation, complaint-handling-failure) -> (made in
    # the year, due in the year, of those complied with by their date) (8.4, 9.7)
    orders: dict[str, tuple[int, int, int]] = field(default_factory=dict)


def _reviews(r, entity: str, start: dt.date, end: dt.date) -> tuple[int, int]:
    """Reviews of adjustments or restrictions done in the period (from the audit log), and how many
    were done by their review date."""
    done = on_time = 0
    for before, after in r.rows(SQL["reviews"], {"entity": entity, "action": f"{entity} reviewed"}):
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


def evidence_counts(db, year: "int | str") -> EvidenceCounts:
    y = parse_year(year)
    start, end = year_bounds(y)
    with plain_reading(db) as r:
        noted, made = r.rows(SQL["learning_counts"], _span(start, end))[0]
        reviews = {e: _reviews(r, e, start, end) for e in ("adjustment", "restriction")}
        in_force = {}
        if start <= r.today <= end:
            for e in ("adjustment", "restriction"):
                in_force[e] = tuple(r.rows(SQL[f"{e}s_in_force"], {"today": r.today.isoformat()})[0])
        orders = {k: (m, d, c) for k, m, d, c in r.rows(SQL["orders_by_kind"], _span(start, end))}
    return EvidenceCounts(noted, made, reviews, in_force, orders)


# service requests by category and month (Code 1.4) ------------------------------------------------


@dataclass
class ServiceRequestThemes:
    """Service requests by category and month over a period: how many were received in each
    month, and how many were open at each month's end (received by then, not completed by then;
    for a month not over, at the period's end). Not part of a year's published figures."""

    start: dt.date
    end: dt.date
    label: str
    months: list[str] = field(default_factory=list)  # '2025-04', ... every month of the period
    # the categories, most received first; each maps to one count per month
    received: dict[str, list[int]] = field(default_factory=dict)
    open_at_end: dict[str, list[int]] = field(default_factory=dict)

    @property
    def categories(self) -> list[str]:
        return list(self.received)

    def received_total(self, category: str) -> int:
        return sum(self.received.get(category, ()))

    @property
    def received_by_month(self) -> list[int]:
        return [sum(v[i] for v in self.received.values()) for i in range(len(self.months))]

    @property
    def open_by_month(self) -> list[int]:
        return [sum(v[i] for v in self.open_at_end.values()) for i in range(len(self.months))]


def _month_end(key: str, last: dt.date) -> dt.date:
    y, m = int(key[:4]), int(key[5:])
    end = (dt.date(y + (m == 12), m % 12 + 1, 1)) - dt.timedelta(days=1)
    return min(end, last)


def service_request_themes(r, start: dt.date, end: dt.date, label: str) -> ServiceRequestThemes:
    """Service requests by category and month, read through ``r`` (reads.Reads); a request with no
    category counts under NOT_CATEGORISED."""
    t = ServiceRequestThemes(start, end, label, _months(start, end))
    index = {m: i for i, m in enumerate(t.months)}
    received: dict[str, list[int]] = defaultdict(lambda: [0] * len(t.months))
    open_at: dict[str, list[int]] = defaultdict(lambda: [0] * len(t.months))
    for category, month, n in r.rows(SQL["sr_received_by_month"], _span(start, end)):
        received[(category or "").strip() or NOT_CATEGORISED][index[month]] += n
    for i, month in enumerate(t.months):
        for category, n in r.rows(SQL["sr_open_on"], {"m": _month_end(month, end).isoformat()}):
            open_at[(category or "").strip() or NOT_CATEGORISED][i] += n
    names = sorted(set(received) | set(open_at), key=lambda c: (-sum(received[c]), -sum(open_at[c]), c))
    t.received = {c: received[c] for c in names}
    t.open_at_end = {c: open_at[c] for c in names}
    return t


def service_request_themes_for_year(db, year: "int | str") -> ServiceRequestThemes:
    """Service requests by category and month for a reporting year (1 April to 31 March)."""
    y = parse_year(year)
    start, end = year_bounds(y)
    with plain_reading(db) as r:
        return service_request_themes(r, start, end, year_label(y))
