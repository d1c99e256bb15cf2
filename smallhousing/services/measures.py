"""The Regulator's Tenant Satisfaction Measures CH01 and CH02 for a reporting year.

Asked by `smallhousing tsm` and the Reports screen over years of records, so the figures come from
plain SQL (services/reads.py) with no ORM imported; reports.py gives the same numbers from the full
year's figures (a test holds the two together).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from ..domain import tsm
from ..domain.rules import ExtensionDates, rule_set
from ..domain.years import parse_year, year_bounds, year_label
from .reads import plain_reading


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
        return {"year": self.label, "homes": self.homes,
                "stage1_received": self.stage1_received, "stage2_received": self.stage2_received,
                "ch01_stage1": self.ch01_stage1, "ch01_stage2": self.ch01_stage2,
                "stage1_responded": self.stage1_responded, "stage1_within": self.stage1_within,
                "ch02_stage1": self.ch02_stage1,
                "stage2_responded": self.stage2_responded, "stage2_within": self.stage2_within,
                "ch02_stage2": self.ch02_stage2}


def tsm_for_year(db, year: "int | str") -> TSM:
    """CH01 and CH02 for a reporting year.

    The same numbers as ``reports.tsm_from(year, reports.year_figures(...))``, without working out
    the rest of the year's figures: one count of stage 1 complaints received, one pass over the
    stages answered or escalated in the year, and the extensions. Dates stay as their stored ISO
    text and are turned into dates once per distinct day.
    """
    y = parse_year(year)
    start, end = year_bounds(y)
    span = {"s": start.isoformat(), "e": end.isoformat()}
    with plain_reading(db) as r:
        homes = r.value("SELECT homes FROM homes_year WHERE year = ?", (y,))
        stage1_received = r.value("SELECT count(*) FROM complaint WHERE received_on >= :s "
                                  "AND received_on <= :e AND acceptance != 'refused'", span)
        escalated = "(st.number = 2 AND st.requested_on >= :s AND st.requested_on <= :e)"
        answered = "(st.responded_on >= :s AND st.responded_on <= :e)"
        stages = r.rows(
            "SELECT st.id, st.number, st.requested_on, st.acknowledged_on, st.responded_on, c.rule_set, "
            f"IFNULL({escalated} AND c.escalation_refused_on IS NULL, 0), IFNULL({answered}, 0) "
            f"FROM stage st JOIN complaint c ON c.id = st.complaint_id WHERE {answered} OR {escalated}",
            span)
        exts: dict[int, list] = defaultdict(list)
        ext_rows = r.rows("SELECT stage_id, new_due_on, extended_on, resident_told, good_reason "
                          "FROM extension ORDER BY id")
        timer = tsm.ResponseTimer(r.cal)
    day = _Days()
    for sid, new_due, agreed, told, good in ext_rows:
        # each extension as the Code looks at it: it counts only when agreed by the date in force
        # before it and told to the resident (6.4, 6.15)
        exts[sid].append(ExtensionDates(day[new_due], day[agreed], bool(told), good or ""))
    on_time, rules_for = timer.on_time, {}
    stage2_received = 0
    responded, within = [0, 0, 0], [0, 0, 0]
    for sid, number, requested, acked, answered_on, code, escalation_counts, answered_in_year in stages:
        stage2_received += escalation_counts
        if not answered_in_year:
            continue
        rules = rules_for.get(code)
        if rules is None:
            rules = rules_for[code] = rule_set(code)
        n = 1 if number == 1 else 2
        responded[n] += 1
        within[n] += on_time(rules, number, day[requested], day[acked], day[answered_on],
                             exts.get(sid, ()))
    return TSM(y, homes, stage1_received, stage2_received, responded[1], within[1], responded[2], within[2])


class _Days(dict):
    """ISO date text -> date, each distinct day converted once (None stays None)."""

    def __missing__(self, text):
        found = self[text] = None if text is None else dt.date.fromisoformat(text[:10])
        return found
