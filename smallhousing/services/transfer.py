"""Records in and out: a complaints log as CSV (import and export) and everything as JSON.

CSV import is all or nothing. Every row goes through the same use cases as a complaint typed into
the app (log_complaint, acknowledge, extend, respond, request_stage2, refuse, close ...), all inside
ONE Unit; each refusal is collected with the line and column it concerns, and if there is any,
the whole Unit is rolled back and ImportProblems lists them all. See docs/IMPORT.md.

The JSON export is a complete, versioned copy of the database (docs/EXPORT.md); importing it into
an empty database reproduces every row with the same ids.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import functools
import gc
import io
import json
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from sqlalchemy import func, insert, text
from sqlmodel import SQLModel, select

from ..domain import lifecycle as L
from ..domain.errors import DomainError
from ..store import models as M
from . import complaints as C
from . import residents as R
from . import settings as S
from .base import Unit, audit, clean, reading, transaction, update_fields

Progress = Callable[[int, int], None]

# The columns of a complaints log, in the order an export writes them. The first thirty are the
# documented log; the next four carry what a log needs to say about withdrawn complaints and refused
# escalations, so that an export can be read back without turning them into open complaints; then the
# day each stage's extension was agreed (whether it counts under the Code turns on it).
COLUMNS = (
    "reference", "received_on", "resident_name", "address", "channel", "category", "summary",
    "outcome_sought", "definition", "refused_on", "refusal_reason",
    "stage1_handler", "stage1_acknowledged_on", "stage1_extended_to", "stage1_extension_reason",
    "stage1_responded_on", "stage1_decision", "stage1_reasons",
    "stage2_requested_on", "stage2_handler", "stage2_acknowledged_on", "stage2_extended_to",
    "stage2_extension_reason", "stage2_responded_on", "stage2_decision", "stage2_reasons",
    "remedy", "compensation_gbp", "outstanding_actions", "closed_on",
    "escalation_refused_on", "escalation_refusal_reason", "withdrawn_on", "withdrawal_reason",
    "stage1_extended_on", "stage2_extended_on",
    # section 2: when the issue arose and when the resident became aware of it (2.2, 2.3)
    "issue_arose_on", "aware_on",
    "responsible_for", "not_responsible_for",
)
REQUIRED = ("reference", "received_on", "resident_name")
DATE_COLUMNS = frozenset(c for c in COLUMNS if c.endswith("_on") or c.endswith("_to"))

IMPORTED_STAFF = "Imported"
# recorded with a refusal on the 12-month ground: a log has no column for it
IMPORTED_DISCRETION = ("The imported log does not record how discretion to accept this older complaint "
                       "was considered.")
IMPORTED_STAFF_STAGE2 = "Imported (stage 2)"
NO_SUMMARY = "No summary was recorded in the imported log."
NO_REMEDY = "No remedy was recorded in the imported log."  # a note for staff (Stage.staff_note)
COMPENSATION_ONLY = "Compensation recorded in the imported log."

EXPORT_FORMAT = "smallhousing-export"
EXPORT_VERSION = 1


# problems ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    line: int  # the physical line where the record starts (1 is the header)
    column: str  # a column name, or "" when the problem is with the whole line or file
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class ImportProblems(DomainError):
    """The file was not imported; ``problems`` lists everything wrong with it."""

    def __init__(self, problems: list[Problem], warnings: list[Problem] | None = None,
                 source: str = "the file") -> None:
        self.problems = sorted(problems, key=lambda p: (p.line, _col_order(p.column)))
        self.warnings = list(warnings or [])
        n = len(self.problems)
        super().__init__(f"Nothing was imported: {n} problem{'s' if n != 1 else ''} in {source} "
                         f"(first: {self.problems[0] if n else 'unknown'}).")

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


def _col_order(column: str) -> int:
    try:
        return COLUMNS.index(column)
    except ValueError:
        return -1


@dataclass
class ImportResult:
    complaints: int = 0
    residents_added: int = 0
    staff_added: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    by_state: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        parts = [f"Imported {self.complaints} complaint{'s' if self.complaints != 1 else ''}"]
        extra = []
        if self.residents_added:
            extra.append(f"{self.residents_added} new resident{'s' if self.residents_added != 1 else ''}")
        if self.staff_added:
            extra.append("new staff: " + ", ".join(self.staff_added))
        if extra:
            parts.append(" (" + "; ".join(extra) + ")")
        return "".join(parts) + "."


# reading the file --------------------------------------------------------------------------------

def decode(raw: bytes) -> tuple[str, str]:
    """Text and the encoding it was in: UTF-8 with or without a BOM, UTF-16 with a BOM, or the
    Windows-1252 that Excel writes for "CSV (Comma delimited)"."""
    if raw.startswith(codecs.BOM_UTF8):
        try:
            return raw[len(codecs.BOM_UTF8):].decode("utf-8"), "UTF-8 with BOM"
        except UnicodeDecodeError as exc:
            raise _encoding_problem(raw, exc) from None
    if raw.startswith(codecs.BOM_UTF16_LE) or raw.startswith(codecs.BOM_UTF16_BE):
        try:
            return raw.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as exc:
            raise _encoding_problem(raw, exc) from None
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as exc:
        raise _encoding_problem(raw, exc) from None


def _encoding_problem(raw: bytes, exc: UnicodeDecodeError) -> ImportProblems:
    line = raw.count(b"\n", 0, exc.start) + 1
    return ImportProblems([Problem(line, "", "the file is not text that can be read (it is neither "
                                             "UTF-8 nor Windows-1252); save it from the spreadsheet "
                                             "as \"CSV UTF-8\" and try again")])


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _records(text: str, delimiter: str) -> Iterable[tuple[int, list[str], int]]:
    """(starting physical line, cells, last physical line) for each record; a quoted cell may span
    lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    last = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportProblems([Problem(last + 1, "", f"the line cannot be read as CSV ({exc})")]) from None
        start, last = last + 1, reader.line_num
        yield start, cells, last


def _nul_problem(text: str) -> Problem | None:
    """A NUL character (byte 0) anywhere: no spreadsheet writes one; the file is damaged or is not
    a spreadsheet's CSV."""
    at = text.find("\x00")
    if at < 0:
        return None
    line = len(io.StringIO(text[:at], newline="").readlines()) or 1
    if text[:at].endswith(("\n", "\r")):
        line += 1
    return Problem(line, "", "the line holds a NUL character (byte 0), which no spreadsheet writes: "
                             "the file is damaged or is not a CSV file; save it again from the "
                             "spreadsheet")


def _spanning_quote(record_text: str, delimiter: str) -> tuple[int, bool] | None:
    """For the text of one record that runs over several lines: (offset in lines from the record's
    first line to where the quoted cell holding a line break began, whether that cell was closed).
    Read as Python's csv module reads: a quote opens a cell only at its start; two quotes inside a
    quoted cell are one quote."""
    i, n, line = 0, len(record_text), 0
    at_start, in_quote, began, spans = True, False, 0, False
    found = None
    while i < n:
        ch = record_text[i]
        if in_quote:
            if ch == '"':
                if i + 1 < n and record_text[i + 1] == '"':
                    i += 2
                    continue
                in_quote = False
                if spans and found is None:
                    found = (began, True)
            elif ch in "\r\n":
                if ch == "\r" and i + 1 < n and record_text[i + 1] == "\n":
                    i += 1
                line += 1
                spans = True
        elif at_start and ch == '"':
            in_quote, began, spans = True, line, False
        elif ch == delimiter:
            at_start = True
            i += 1
            continue
        elif ch in "\r\n":
            if ch == "\r" and i + 1 < n and record_text[i + 1] == "\n":
                i += 1
            line += 1
            at_start = True
            i += 1
            continue
        at_start = False
        i += 1
    if in_quote:
        return began, False
    return found


def _quote_problems(text: str, delimiter: str, records: list, header_cells: int) -> list[Problem]:
    """An opening quote that is never closed swallows the rest of the file into one cell, and one
    closed only by a later row's quote folds the rows between into one: both are refused, at the
    line where the quoted cell began."""
    lines = None
    out = []
    for k, (start, cells, last) in enumerate(records):
        if last <= start and k != len(records) - 1:
            continue
        if lines is None:
            lines = io.StringIO(text, newline="").readlines()
        span = _spanning_quote("".join(lines[start - 1:last]), delimiter)
        if span is None:
            continue
        offset, closed = span
        if not closed:
            out.append(Problem(start + offset, "", "a quoted cell starting here is never closed: "
                                                   "a closing \" is missing, so the rest of the "
                                                   "file would be read as one cell"))
        elif k > 0 and len(cells) != header_cells:
            out.append(Problem(start + offset, "", f"a quoted cell starting here runs on to line "
                                                   f"{last}, and the row then has {len(cells)} "
                                                   f"cells where the header has {header_cells}: is "
                                                   "a closing \" missing?"))
    return out


def normalise_header(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


# parsing values ----------------------------------------------------------------------------------

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


@functools.lru_cache(maxsize=4096)  # a log repeats its values: each text is read once
def parse_log_date(value: str) -> dt.date:
    """'2025-12-17' or '17/12/2025' (day first). A time of midnight, as Excel adds, is ignored."""
    s = value.strip()
    s = re.sub(r"[ T]00:00(:00)?$", "", s)
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d+)", s)
    if m:
        d, mo, y = (int(g) for g in m.groups())
        if len(m.group(3)) != 4:
            raise ValueError(f"{value.strip()!r} has a two-digit year; write the year in full, as "
                             "17/12/2025")
    else:
        m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", s)
        if not m:
            raise ValueError(f"{value.strip()!r} is not a date; write it as 17/12/2025 or 2025-12-17")
        y, mo, d = (int(g) for g in m.groups())
    if not 1 <= mo <= 12:
        raise ValueError(f"{value.strip()!r} is not a real date (there is no month {mo}; dates are "
                         "read day first, as 17/12/2025)")
    try:
        return dt.date(y, mo, d)
    except ValueError:
        raise ValueError(f"{value.strip()!r} is not a real date (there is no {d} {_MONTHS[mo - 1]} "
                         f"{y})") from None


@functools.lru_cache(maxsize=4096)
def parse_money(value: str) -> int:
    """'150', '150.00', '£150' or '£1,250.50' -> pence."""
    s = value.strip().replace("£", "").replace("GBP", "").strip()
    m = re.fullmatch(r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?", s)
    if not m:
        if s.startswith("-"):
            raise ValueError(f"{value.strip()!r} is negative; compensation cannot be less than £0")
        raise ValueError(f"{value.strip()!r} is not an amount of money; write it as 150, 150.00 or £150")
    digits = m.group(1).replace(",", "")
    pence = int((m.group(2) or "0").ljust(2, "0"))
    if len(digits) > 7 or int(digits) * 100 + pence > MAX_PENCE:
        raise ValueError(f"{value.strip()!r} is more than £1,000,000, more than any compensation "
                         "smallhousing records; check the amount")
    return int(digits) * 100 + pence


MAX_PENCE = 100_000_000  # £1,000,000: no plausible compensation is more
EARLIEST = dt.date(1990, 1, 1)  # no complaint on record is older


def check_day(day: dt.date, today: dt.date, what: str = "the date") -> None:
    """A date in a log or export must be between 1990 and today (ValueError says why not)."""
    if day < EARLIEST:
        raise ValueError(f"{what} is before 1990; check the year")
    if day > today:
        raise ValueError(f"{what} is after today ({today:%d/%m/%Y})")


_DECISIONS = {
    "upheld": L.UPHELD, "fully upheld": L.UPHELD,
    "partly upheld": L.PARTLY_UPHELD, "partially upheld": L.PARTLY_UPHELD, "part upheld": L.PARTLY_UPHELD,
    "not upheld": L.NOT_UPHELD,
}


@functools.lru_cache(maxsize=4096)
def parse_decision(value: str) -> str:
    key = re.sub(r"[\s\-_]+", " ", value.strip().lower())
    if key not in _DECISIONS:
        raise ValueError(f"{value.strip()!r} is not a decision; write upheld, partly upheld or not upheld")
    return _DECISIONS[key]


def split_list(value: str) -> list[str]:
    return [p.strip() for p in (value or "").split(";") if p.strip()]


def split_ground(reason: str) -> tuple[str, str]:
    """'legal proceedings: a claim was filed' -> (ground, reason); without a known ground: 'other'."""
    head, sep, tail = reason.partition(":")
    g = head.strip().lower()
    if sep and g in L.EXCLUSION_GROUNDS and g != "other" and tail.strip():
        return g, tail.strip()
    return "other", reason.strip()


def join_ground(ground: str, reason: str) -> str:
    if not reason and not ground:
        return ""
    if ground and ground != "other":
        return f"{ground}: {reason}"
    return reason


def pounds(pence: int) -> str:
    return f"{pence // 100}.{pence % 100:02d}" if pence else ""


# importing a CSV log -----------------------------------------------------------------------------

class _RowFailed(Exception):
    pass


@dataclass
class _Row:
    line: int
    v: dict  # column -> cleaned text, or the parsed value for dates, money and decisions
    bad: set = field(default_factory=set)  # columns already reported as wrong on this line

    def has(self, col: str) -> bool:
        val = self.v.get(col)
        return val not in (None, "", 0)


_EMPTY_NONE = DATE_COLUMNS | {"compensation_gbp"}


class _Importer:
    """Checks and imports rows inside one Unit, collecting every problem."""

    def __init__(self, u: Unit, columns: list[str | None]) -> None:
        self.u = u
        self.columns = columns
        self.problems: list[Problem] = []
        self.result = ImportResult()
        # caches, so that no row needs a query that scans a table
        self.refs = set(u.session.exec(select(M.Complaint.reference)).all())
        self.seen_refs: dict[str, int] = {}
        self.residents: dict[tuple[str, str], int] = {}
        for rid, name, address in u.session.exec(select(M.Resident.id, M.Resident.name, M.Resident.address)
                                                 .order_by(M.Resident.id)).all():
            self.residents.setdefault((clean(name).lower(), clean(address).lower()), rid)
        self.staff: dict[str, int] = {}
        self.inactive: dict[str, str] = {}
        # whole rows, held here so that the session finds them by id without a query
        self.loaded: list = list(u.session.exec(select(M.Staff).order_by(M.Staff.id)).all())
        for st in self.loaded:
            if st.active:
                self.staff.setdefault(clean(st.name).lower(), st.id)
            else:
                self.inactive.setdefault(clean(st.name).lower(), st.name)

    def load_residents(self, rows: list[_Row]) -> None:
        """Load, in a few queries, the residents already on record that the rows name."""
        ids = set()
        for row in rows:
            rid = self.residents.get((clean(row.v["resident_name"]).lower(), clean(row.v["address"]).lower()))
            if rid is not None:
                ids.add(rid)
        order = sorted(ids)
        for i in range(0, len(order), 500):
            chunk = order[i:i + 500]
            self.loaded.extend(self.u.session.exec(select(M.Resident).where(M.Resident.id.in_(chunk))).all())

    def problem(self, row: _Row, column: str, message: str) -> None:
        self.problems.append(Problem(row.line, column, message))
        row.bad.add(column)

    # -- one row: read its cells ------------------------------------------------------------------
    def parse(self, line: int, cells: list[str]) -> _Row:
        row = _Row(line, {})
        v = row.v
        if len(cells) > len(self.columns) and any(c.strip() for c in cells[len(self.columns):]):
            self.problem(row, "", f"the line has {len(cells)} cells but the header has only "
                                  f"{len(self.columns)} columns (is there a comma in a cell without "
                                  "quotes around it?)")
        for i, col in enumerate(self.columns):
            if col is None:
                continue
            cell = _unguard((cells[i] if i < len(cells) else "").strip())
            if not cell:
                v[col] = None if col in _EMPTY_NONE else ""
                continue
            try:
                if col in DATE_COLUMNS:
                    v[col] = parse_log_date(cell)
                    # a date after today is refused by the step it belongs to, in its own words
                    # (a new response date, stageN_extended_to, may be after today)
                    check_day(v[col], dt.date.max, repr(cell))
                elif col == "compensation_gbp":
                    v[col] = parse_money(cell)
                elif col in ("stage1_decision", "stage2_decision"):
                    v[col] = parse_decision(cell)
                else:
                    v[col] = cell
            except ValueError as exc:
                v[col] = None
                self.problem(row, col, str(exc))
        for col in COLUMNS:
            v.setdefault(col, None if col in _EMPTY_NONE else "")
        for col in REQUIRED:
            if not row.has(col) and col not in row.bad:
                self.problem(row, col, f"{col.replace('_', ' ')} is required and is empty")
        ref = v["reference"]
        if ref:
            if ref in self.seen_refs:
                self.problem(row, "reference", f"reference {ref} is used again (first on line "
                                               f"{self.seen_refs[ref]})")
            elif ref in self.refs:
                self.problem(row, "reference", f"a complaint with reference {ref} is already in "
                                               "the database")
            self.seen_refs.setdefault(ref, line)
        self._check_shape(row)
        return row

    def _check_shape(self, row: _Row) -> None:
        """What a log can get wrong before any rule is asked: values that need another value."""
        has = row.has

        def need(col: str, other: str, message: str) -> None:
            if has(col) and not has(other) and other not in row.bad and col not in row.bad:
                self.problem(row, other, message)

        for n in (1, 2):
            p = f"stage{n}_"
            need(p + "decision", p + "responded_on", f"stage {n} has a decision but no response date")
            need(p + "reasons", p + "responded_on",
                 f"stage {n} has reasons for a decision but no response date")
            need(p + "responded_on", p + "decision",
                 f"stage {n} has a response date but no decision (upheld, partly upheld or not upheld)")
            need(p + "extended_to", p + "extension_reason",
                 f"stage {n} was extended to a new date but no reason for the extension is given")
            need(p + "extension_reason", p + "extended_to",
                 f"a reason for extending stage {n} is given but no new date")
            need(p + "extended_to", p + "acknowledged_on",
                 f"stage {n} has a new response date but no acknowledgement date")
            need(p + "extended_on", p + "extended_to",
                 f"stage {n} has the day an extension was agreed but no new response date")
            need(p + "responded_on", p + "acknowledged_on",
                 f"stage {n} has a response date but no acknowledgement date")
        for col in ("stage2_handler", "stage2_acknowledged_on", "stage2_extended_to",
                    "stage2_extension_reason", "stage2_extended_on", "stage2_responded_on", "stage2_decision", "stage2_reasons",
                    "escalation_refused_on", "escalation_refusal_reason"):
            need(col, "stage2_requested_on",
                 f"there are stage 2 details ({col.replace('_', ' ')}) but no stage 2 request date")
        if has("stage2_requested_on") and not has("stage1_responded_on") \
                and not row.bad & {"stage2_requested_on", "stage1_responded_on"}:
            self.problem(row, "stage2_requested_on",
                         "stage 2 was requested but stage 1 has no response date: a complaint needs a "
                         "stage 1 response before it can go to stage 2")
        need("refusal_reason", "refused_on", "a reason for refusing is given but no refusal date")
        need("escalation_refusal_reason", "escalation_refused_on",
             "a reason for refusing to escalate is given but no date")
        need("withdrawal_reason", "withdrawn_on", "a reason for the withdrawal is given but no date")
        answered = {"stage1_responded_on", "stage2_responded_on"}
        for col in ("remedy", "compensation_gbp", "outstanding_actions"):
            if has(col) and not (has("stage1_responded_on") or has("stage2_responded_on")) \
                    and not row.bad & answered:
                what = {"remedy": "a remedy", "compensation_gbp": "compensation",
                        "outstanding_actions": "outstanding actions"}[col]
                self.problem(row, col, f"{what} is given but there is no response date: remedies and "
                                       "actions are part of a response")

    # -- one row: run the use cases ---------------------------------------------------------------
    def _staff_id(self, row: _Row, column: str, name: str) -> int:
        key = clean(name).lower()
        if key in self.staff:
            return self.staff[key]
        if key in self.inactive:
            self.problem(row, column, f"{self.inactive[key]} is no longer active on the staff list; "
                                      "make them active again in Settings, or correct the name")
            raise _RowFailed
        made = S.add_staff(self.u, clean(name))
        self.u.session.flush()  # autoflush is off: write the new member of staff, so checks can find them
        self.staff[key] = made.id
        self.result.staff_added.append(made.name)
        return made.id

    def _resident_id(self, name: str, address: str) -> int:
        key = (clean(name).lower(), clean(address).lower())
        rid = self.residents.get(key)
        if rid is None:
            # as residents.find_or_add_resident, with every resident already in the cache: a miss
            # means there is no such resident, so one is added
            rid = R.add_resident(self.u, clean(name), address=clean(address)).id
            self.residents[key] = rid
            self.result.residents_added += 1
        return rid

    def _when(self, row: _Row, col: str) -> bool:
        """Whether the step that ``col`` dates happened; a wrong value there ends the row quietly."""
        if col in row.bad:
            raise _RowFailed
        return row.has(col)

    def _step(self, row: _Row, fields: dict, default: str, fn, *args, **kw):
        try:
            return fn(*args, **kw)
        except DomainError as exc:
            col = fields.get(exc.field or "", default)
            if col not in row.bad:  # already reported: the rule only tripped over the gap
                self.problem(row, col, _lower_first(exc.message))
            raise _RowFailed from None

    def run(self, row: _Row) -> None:
        u, v = self.u, row.v
        if row.bad & {"", *REQUIRED}:
            return  # without a reference, date and resident there is nothing to check it against
        try:
            h1 = self._staff_id(row, "stage1_handler", v["stage1_handler"]) \
                if row.has("stage1_handler") else None
            rid = self._step(row, {"name": "resident_name"}, "resident_name",
                             self._resident_id, v["resident_name"], v["address"])
            c = self._step(row, {"reference": "reference", "date": "received_on",
                                 "description": "summary", "handler": "stage1_handler",
                                 "issue_arose_on": "issue_arose_on", "aware_on": "aware_on"},
                           "received_on",
                           C.log_complaint, u, rid, v["received_on"], v["summary"] or NO_SUMMARY,
                           channel=v["channel"], outcome_sought=v["outcome_sought"],
                           categories=split_list(v["category"]), reference=v["reference"],
                           handler_id=h1, issue_arose_on=v.get("issue_arose_on"),
                           aware_on=v.get("aware_on"))
            cid = c.id
            if self._when(row, "refused_on"):
                ground, reason = split_ground(v["refusal_reason"])
                # who decided: the stage 1 handler named in the row, else the Imported record
                decider = h1 if h1 is not None else self._staff_id(row, "refused_on", IMPORTED_STAFF)
                note = ""
                if ground == L.OLDER_THAN_12_MONTHS:
                    note = IMPORTED_DISCRETION
                    self.result.warnings.append(Problem(
                        row.line, "refusal_reason", "the log does not say how discretion to accept the "
                                                    "older complaint was considered; a note says so"))
                self._step(row, {"ground": "refusal_reason", "reason": "refusal_reason",
                                 "decided_by": "refused_on", "issue_arose_on": "issue_arose_on",
                                 "aware_on": "aware_on"}, "refused_on",
                           C.refuse, u, cid, ground, reason, on=v["refused_on"], decided_by=decider,
                           discretion_note=note)
            last_response = 2 if row.has("stage2_responded_on") else 1
            self._stage(row, cid, 1, h1, last_response)
            closed = False
            if row.has("closed_on") and row.has("stage2_requested_on") \
                    and "closed_on" not in row.bad and v["closed_on"] <= v["stage2_requested_on"]:
                # closed after stage 1 and escalated later: close first, as it happened
                self._step(row, {}, "closed_on", C.close, u, cid, on=v["closed_on"])
                closed = True
            if self._when(row, "stage2_requested_on"):
                h2 = self._staff_id(row, "stage2_handler", v["stage2_handler"]) \
                    if row.has("stage2_handler") else None
                self._step(row, {"handler": "stage2_handler"}, "stage2_requested_on",
                           C.request_stage2, u, cid, on=v["stage2_requested_on"], handler_id=h2)
                if self._when(row, "escalation_refused_on"):
                    ground, reason = split_ground(v["escalation_refusal_reason"])
                    # who decided: the stage 2 handler named in the row, else the stage 1 one, else
                    # the Imported record
                    decider = next((h for h in (h2, h1) if h is not None), None)
                    if decider is None:
                        decider = self._staff_id(row, "escalation_refused_on", IMPORTED_STAFF)
                    note = IMPORTED_DISCRETION if ground == L.OLDER_THAN_12_MONTHS else ""
                    self._step(row, {"ground": "escalation_refusal_reason",
                                     "reason": "escalation_refusal_reason",
                                     "decided_by": "escalation_refused_on",
                                     "issue_arose_on": "issue_arose_on", "aware_on": "aware_on"},
                               "escalation_refused_on",
                               C.refuse_escalation, u, cid, ground, reason,
                               on=v["escalation_refused_on"], decided_by=decider, discretion_note=note)
                self._stage(row, cid, 2, h2, last_response)
            if self._when(row, "withdrawn_on"):
                self._step(row, {}, "withdrawn_on", C.withdraw, u, cid, v["withdrawal_reason"],
                           on=v["withdrawn_on"])
            if self._when(row, "closed_on") and not closed:
                if c.state in (L.REFUSED, L.WITHDRAWN):
                    # a refusal or withdrawal ends a complaint by itself: nothing more to close
                    self.result.warnings.append(Problem(
                        row.line, "closed_on", f"the complaint was {c.state}, which ends it, so the "
                                               "closing date was not recorded"))
                else:
                    self._step(row, {}, "closed_on", C.close, u, cid, on=v["closed_on"])
            if not row.bad:
                self.result.complaints += 1
                self.result.by_state[c.state] = self.result.by_state.get(c.state, 0) + 1
        except _RowFailed:
            pass

    def _stage(self, row: _Row, cid: int, n: int, handler: int | None, last_response: int) -> None:
        u, v = self.u, row.v
        p = f"stage{n}_"
        if not self._when(row, p + "acknowledged_on"):
            return
        if handler is None:
            handler = self._staff_id(row, p + "handler", IMPORTED_STAFF if n == 1 else IMPORTED_STAFF_STAGE2)
        definition = v["definition"] or v["summary"] or NO_SUMMARY
        resp = {"responsible_for": v.get("responsible_for") or "",
                "not_responsible_for": v.get("not_responsible_for") or ""} if n == 1 else {}
        self._step(row, {"definition": "definition", "handler": p + "handler"}, p + "acknowledged_on",
                   C.acknowledge, u, cid, definition, handler_id=handler, on=v[p + "acknowledged_on"],
                   **resp)
        if self._when(row, p + "extended_to"):
            reason = v[p + "extension_reason"]
            # The log's reason is the only one there is, so it also serves as the good reason asked
            # for when the new date is past the usual limit. A log that records an extension is taken
            # as showing the resident was told of it (on the day it was agreed): docs/REPORTING.md.
            if self._when(row, p + "extended_on"):
                agreed = v[p + "extended_on"]
            else:
                # the day it was agreed is not given: taken as the day of the acknowledgement, and
                # said so, since whether it counts under the Code turns on that day
                agreed = v[p + "acknowledged_on"]
                self.result.warnings.append(Problem(
                    row.line, p + "extended_on",
                    f"stage {n} was extended to {v[p + 'extended_to'].isoformat()} but the log does not "
                    f"say when the extension was agreed: it was recorded as agreed on the day of the "
                    f"acknowledgement, {agreed.isoformat()}"))
            self._step(row, {"reason": p + "extension_reason", "good_reason": p + "extension_reason",
                             "date": p + "extended_on"},
                       p + "extended_to", C.extend, u, cid, v[p + "extended_to"], reason,
                       good_reason=reason, on=agreed, resident_told=True)
        if self._when(row, p + "responded_on"):
            remedies: list[C.RemedyInput] = []
            actions: list[C.ActionInput] = []
            if n == last_response:
                remedies = _remedies(v["remedy"], v["compensation_gbp"] or 0)
                actions = [C.ActionInput(a) for a in split_list(v["outstanding_actions"])]
            self._step(row, {"decision": p + "decision", "reasons": p + "reasons",
                             "kind": "remedy", "description": "remedy", "amount": "compensation_gbp",
                             "remedy_statement": "remedy"}, p + "responded_on",
                       C.respond, u, cid, v[p + "decision"], v[p + "reasons"], remedies=remedies,
                       actions=actions, remedy_statement="" if remedies else NO_REMEDY,
                       on=v[p + "responded_on"])
            if not remedies:
                # what the log lacked is a note for staff, never words for the resident: the
                # response letter's check then asks for a real statement about remedies
                st = C._stage(u, C._complaint(u, cid), n)
                if st is not None and st.remedy_statement == NO_REMEDY:
                    update_fields(u, st, f"stage {n}: imported log recorded no remedy",
                                  complaint_id=cid, remedy_statement="", staff_note=NO_REMEDY)


def _lower_first(message: str) -> str:
    message = message.rstrip(".")
    if len(message) > 1 and message[0].isupper() and not message[1].isupper():
        return message[0].lower() + message[1:]
    return message


def _remedies(text_: str, pence: int) -> list[C.RemedyInput]:
    """What the log says about putting things right, as remedies (see docs/IMPORT.md)."""
    if pence:
        return [C.RemedyInput("financial remedy", text_ or COMPENSATION_ONLY, amount_pence=pence)]
    if text_:
        kind = "apology" if re.search(r"\bapolog", text_, re.I) else "acting to put things right"
        return [C.RemedyInput(kind, text_)]
    return []


def read_log(source: "str | os.PathLike | bytes") -> tuple[str, str]:
    """The text of a log file (or of bytes given directly) and its encoding."""
    if isinstance(source, bytes):
        raw = source
    else:
        path = Path(source)
        if not path.exists():
            raise DomainError(f"There is no file at {path}.")
        if path.is_dir():
            raise DomainError(f"{path} is a folder; give the CSV file inside it.")
        raw = path.read_bytes()
    return decode(raw)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused for the length of an import: the import makes hundreds of
    thousands of objects that live until it ends, and the collector would go over them again and
    again as they pile up (a sixth of the time). Reference counting frees the rest as usual; the
    collector runs again afterwards, if it was running before."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def import_csv(db, source: "str | os.PathLike | bytes", *, progress: Progress | None = None,
               name: str | None = None) -> ImportResult:
    """Import a complaints log. All or nothing: raises ImportProblems listing every problem."""
    label = name or (Path(source).name if not isinstance(source, bytes) else "the file")
    text_, encoding = read_log(source)
    # Excel may start the file with a line such as "sep=;" that names the separator
    sep = re.fullmatch(r'"?sep=(.)"?', text_.split("\n", 1)[0].strip())
    nul = _nul_problem(text_)
    if nul is not None:
        raise ImportProblems([nul], source=label)
    delimiter = sep.group(1) if sep else _delimiter(text_)
    records = list(_records(text_, delimiter))
    if sep:
        records = records[1:]
    while records and not any(c.strip() for c in records[-1][1]):
        records.pop()
    if not records:
        raise ImportProblems([Problem(1, "", "the file is empty: the first line must be a header row "
                                             "naming the columns")], source=label)
    quotes = _quote_problems(text_, delimiter, records, len(records[0][1]))
    if quotes:
        raise ImportProblems(quotes, source=label)
    header_line, header, _ = records[0]
    columns: list[str | None] = []
    warnings: list[Problem] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for cell in header:
        name_ = normalise_header(cell)
        if not name_:
            columns.append(None)
        elif name_ not in COLUMNS:
            near = difflib.get_close_matches(name_, COLUMNS, n=1, cutoff=0.6)
            hint = f" (did you mean {near[0]}?)" if near else ""
            warnings.append(Problem(header_line, cell.strip(), "this column is not one smallhousing "
                                                               f"knows, so it was ignored{hint}"))
            columns.append(None)
        elif name_ in seen:
            problems.append(Problem(header_line, name_, "this column appears twice in the header"))
            columns.append(None)
        else:
            seen.add(name_)
            columns.append(name_)
    for col in REQUIRED:
        if col not in seen:
            problems.append(Problem(header_line, col, "this required column is missing from the header "
                                                      "row"))
    if problems:
        raise ImportProblems(problems, warnings, source=label)
    rows = [(line, cells) for line, cells, _ in records[1:] if any(c.strip() for c in cells)]
    total = len(rows)
    with _collector_paused(), transaction(db) as u:
        imp = _Importer(u, columns)
        imp.result.warnings = warnings
        parsed = [imp.parse(line, cells) for line, cells in rows]
        imp.load_residents(parsed)
        # New rows are written in batches when the import ends, not one by one: autoflush is off,
        # so a query in the loop does not see rows made earlier in it. The caches above answer
        # for references, residents and staff; rows made here are found by id through the Unit.
        autoflush, u.session.autoflush = u.session.autoflush, False
        try:
            # log_complaint checks each reference against every reference on record without a
            # query: the set loaded above, to which it adds each complaint it logs
            with C.references_known(u, set(imp.refs)):
                for i, row in enumerate(parsed):
                    # after a problem nothing will be written, but every row is still checked, so
                    # that the list of problems is complete
                    imp.run(row)
                    if progress and (i % 100 == 0):
                        progress(i, total)
        finally:
            u.session.autoflush = autoflush
        if imp.problems:
            raise ImportProblems(imp.problems, warnings, source=label)
        u.session.flush()  # every pending row, even when the import shares a caller's Unit
        audit(u, "complaints log imported", entity="import",
              after={"file": label, "encoding": encoding, "complaints": imp.result.complaints,
                     "residents_added": imp.result.residents_added,
                     "staff_added": imp.result.staff_added})
        if progress:
            progress(total, total)
        return imp.result


# exporting a CSV log -----------------------------------------------------------------------------

def log_rows(db) -> list[dict]:
    """Every complaint as one row of the log, oldest first (a handful of queries, no per-row ones)."""
    with reading(db) as u:
        staff = dict(u.session.exec(select(M.Staff.id, M.Staff.name)).all())
        residents = {r.id: r for r in u.session.exec(select(M.Resident)).all()}
        stages: dict[tuple[int, int], M.Stage] = {
            (s.complaint_id, s.number): s for s in u.session.exec(select(M.Stage)).all()}
        ext_by_stage: dict[int, M.Extension] = {}
        for e in u.session.exec(select(M.Extension).order_by(M.Extension.id)).all():
            ext_by_stage[e.stage_id] = e  # the latest extension of each stage
        remedies: dict[int, list[M.Remedy]] = {}
        for r in u.session.exec(select(M.Remedy).order_by(M.Remedy.stage, M.Remedy.id)).all():
            remedies.setdefault(r.complaint_id, []).append(r)
        actions: dict[int, list[M.OutstandingAction]] = {}
        for a in u.session.exec(select(M.OutstandingAction).order_by(M.OutstandingAction.id)).all():
            if a.completed_on is None:
                actions.setdefault(a.complaint_id, []).append(a)
        out = []
        for c in u.session.exec(select(M.Complaint).order_by(M.Complaint.received_on, M.Complaint.id)).all():
            res = residents.get(c.resident_id)
            row = {k: "" for k in COLUMNS}
            row.update(reference=c.reference, received_on=c.received_on.isoformat(),
                       resident_name=res.name if res else "", address=res.address if res else "",
                       channel=c.channel, category="; ".join(split_list(c.categories)),
                       summary=c.description, outcome_sought=c.outcome_sought)
            if c.refused_on:
                row["refused_on"] = c.refused_on.isoformat()
                row["refusal_reason"] = join_ground(c.exclusion_ground, c.exclusion_reason)
            for n in (1, 2):
                st = stages.get((c.id, n))
                if st is None:
                    continue
                p = f"stage{n}_"
                if n == 1:
                    row["definition"] = st.definition
                    row["responsible_for"] = st.responsible_for
                    row["not_responsible_for"] = st.not_responsible_for
                else:
                    row["stage2_requested_on"] = st.requested_on.isoformat()
                row[p + "handler"] = staff.get(st.handler_id, "") if st.handler_id else ""
                row[p + "acknowledged_on"] = _iso(st.acknowledged_on)
                e = ext_by_stage.get(st.id)
                if e is not None:
                    row[p + "extended_to"] = e.new_due_on.isoformat()
                    row[p + "extended_on"] = e.extended_on.isoformat()
                    reason = e.reason
                    if e.good_reason and e.good_reason != e.reason:
                        reason = f"{e.reason} (good reason: {e.good_reason})"
                    row[p + "extension_reason"] = reason
                row[p + "responded_on"] = _iso(st.responded_on)
                row[p + "decision"] = st.decision
                row[p + "reasons"] = st.reasons
            rems = remedies.get(c.id, [])
            row["remedy"] = "; ".join(r.description for r in rems if r.description != COMPENSATION_ONLY
                                      or len(rems) > 1)
            row["compensation_gbp"] = pounds(sum(r.amount_pence for r in rems))
            row["outstanding_actions"] = "; ".join(a.description for a in actions.get(c.id, []))
            row["closed_on"] = _iso(c.closed_on)
            if c.escalation_refused_on:
                row["escalation_refused_on"] = c.escalation_refused_on.isoformat()
                row["escalation_refusal_reason"] = join_ground(c.escalation_refusal_ground,
                                                               c.escalation_refusal_reason)
            if c.withdrawn_on:
                row["withdrawn_on"] = c.withdrawn_on.isoformat()
                row["withdrawal_reason"] = c.withdrawn_reason
            row["issue_arose_on"] = _iso(c.issue_arose_on)
            row["aware_on"] = _iso(c.aware_on)
            out.append(row)
        return out


# A spreadsheet runs a cell that starts with one of these as a formula. Residents' own words go into
# the log, so an export writes such a cell with a leading apostrophe, which the import takes off.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _guard(value: str) -> str:
    return "'" + value if value and value.startswith(_FORMULA_START) else value


def _unguard(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA_START) else value


def _iso(d: dt.date | None) -> str:
    return d.isoformat() if d else ""


def export_csv(db, path: "str | os.PathLike", *, overwrite: bool = False) -> int:
    """Write the complaints log (UTF-8 with a BOM, so Excel shows £ and accents). Returns the rows.

    An existing file is replaced only with ``overwrite`` (services/outputs.py decides)."""
    _check_out(path, db, overwrite)
    rows = log_rows(db)
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=list(COLUMNS), lineterminator="\r\n")
    w.writeheader()
    w.writerows({k: _guard(v) for k, v in r.items()} for r in rows)
    _write_private(Path(path), ("\ufeff" + buf.getvalue()).encode("utf-8"), db, overwrite)
    return len(rows)


def _db_path_of(db):
    return getattr(getattr(db, "db", db), "path", None)


def _check_out(path, db, overwrite: bool) -> None:
    from . import outputs

    outputs.check_target(path, _db_path_of(db), overwrite=overwrite)


def _write_private(path: Path, data: bytes, db=None, overwrite: bool = False) -> None:
    """Write a private file (0600) in one step, never over the database or a backup, and over an
    existing file only with ``overwrite`` (services/outputs.py)."""
    from . import outputs

    outputs.write_bytes(Path(path), data, _db_path_of(db), overwrite=overwrite)


# the full JSON export ----------------------------------------------------------------------------

def _tables():
    """Every table of the schema (store/models.py), parents before children."""
    return list(SQLModel.metadata.sorted_tables)


def _to_json(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def export_data(db) -> dict:
    """Everything in the database as plain data (the body of the JSON export)."""
    from ..store.db import HEAD_REVISION

    with reading(db) as u:
        tables = {}
        for t in _tables():
            cols = [c.name for c in t.columns]
            rows = u.session.execute(t.select().order_by(*t.primary_key.columns)).all()
            tables[t.name] = [{k: _to_json(v) for k, v in zip(cols, r)} for r in rows]
    return {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "schema": HEAD_REVISION,
            "tables": tables}


def export_json(db, path: "str | os.PathLike", *, overwrite: bool = False) -> dict[str, int]:
    _check_out(path, db, overwrite)
    data = export_data(db)
    body = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    _write_private(Path(path), body.encode("utf-8"), db, overwrite)
    return {k: len(v) for k, v in data["tables"].items()}


def count_rows(db) -> dict[str, int]:
    with reading(db) as u:
        return {t.name: u.session.execute(select(func.count()).select_from(t)).scalar_one() for t in _tables()}


def _python_type(col):
    t = getattr(col.type, "impl_instance", col.type)  # a TypeDecorator stores as its impl
    try:
        return t.python_type
    except NotImplementedError:  # pragma: no cover - every column type of the schema has one
        return object


# dates that look ahead (deadlines, reviews, closure days) may be after today, within reason
_FORWARD_DATES = frozenset({"review_on", "next_due_on", "new_due_on", "due_on", "day", "ended_on"})
INT_RANGE = (-(2 ** 63), 2 ** 63 - 1)  # SQLite's integers


def _from_json(col, value, today: dt.date | None = None):
    if value is None:
        return None
    pt = _python_type(col)
    where = f"{col.table.name}.{col.name}"
    try:
        if pt is dt.datetime:
            value = dt.datetime.fromisoformat(value)
            if today is not None:
                check_day(value.date(), today, f"{where} ({value:%d/%m/%Y})")
            return value
        if pt is dt.date:
            value = dt.date.fromisoformat(value)
            if today is not None:
                limit = (today.replace(year=today.year + 50, day=min(today.day, 28))
                         if col.name in _FORWARD_DATES else today)
                check_day(value, limit, f"{where} ({value:%d/%m/%Y})")
            return value
        if pt is bool:
            if not isinstance(value, bool):
                raise TypeError
        elif pt is int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError
            if not INT_RANGE[0] <= value <= INT_RANGE[1]:
                raise ValueError(f"{where} holds a number too large for any record "
                                 f"({str(value)[:30]}{'…' if len(str(value)) > 30 else ''})")
        elif pt is str:
            if not isinstance(value, str):
                raise TypeError
            if "\x00" in value:
                raise ValueError(f"{where} holds a NUL character (byte 0), which no record holds: "
                                 "the file is damaged")
    except ValueError as exc:
        if exc.args and isinstance(exc.args[0], str) and exc.args[0].startswith(where):
            raise DomainError(f"The export has a wrong value: {exc.args[0]}. Nothing was "
                              "imported.") from None
        raise DomainError(f"The export has a wrong value in {where}: {_short(value)}.") from None
    except (TypeError, OverflowError):
        raise DomainError(f"The export has a wrong value in {where}: {_short(value)}.") from None
    return value


def _short(value) -> str:
    text_ = repr(value)
    return text_ if len(text_) <= 60 else text_[:57] + "…"


def _default(col, table: str):
    """The value a column takes when an (older) export does not have it."""
    d = col.default
    if d is not None and getattr(d, "is_scalar", False):
        return d.arg
    if d is not None and getattr(d, "is_callable", False):
        return d.arg(None)
    if col.nullable:
        return None
    raise DomainError(f"The export's {table} has a row without {col.name}, which every row needs.")


def import_json(db, source: "str | os.PathLike | dict", *, progress: Progress | None = None) -> dict[str, int]:
    """Load a full export into an EMPTY database, keeping every id. Returns the rows per table."""
    if isinstance(source, dict):
        data = source
    else:
        path = Path(source)
        if not path.exists():
            raise DomainError(f"There is no file at {path}.")
        try:
            data = json.loads(path.read_bytes().decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DomainError(f"{path.name} is not a smallhousing export (it is not JSON: {exc}).") from None
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise DomainError("This file is not a smallhousing export: it has no \"format\": "
                          f"\"{EXPORT_FORMAT}\".")
    if data.get("version") != EXPORT_VERSION:
        raise DomainError(f"This export is version {data.get('version')!r}; this version of smallhousing "
                          f"reads version {EXPORT_VERSION} only.")
    tables = data.get("tables")
    if not isinstance(tables, dict):
        raise DomainError("This export has no tables.")
    known = {t.name: t for t in _tables()}
    unknown = sorted(set(tables) - set(known))
    if unknown:
        raise DomainError("This export has tables this version of smallhousing does not know ("
                          + ", ".join(unknown) + "); it was made by a newer version.")
    total = sum(len(v) for v in tables.values() if isinstance(v, list))
    done = 0
    counts: dict[str, int] = {}
    with transaction(db) as u:
        existing = {name: n for name, n in count_rows(u).items() if n}
        if existing:
            what = ", ".join(f"{name.replace('_', ' ')}: {n}" for name, n in existing.items())
            raise DomainError(f"This database already holds {sum(existing.values())} records ({what}). "
                              "A full import only goes into an empty database: start a new one with "
                              "--db NEW.db, or restore a backup instead.")
        today = max(u.today, dt.date.today())  # audit times are the real time
        u.session.execute(text("PRAGMA defer_foreign_keys = ON"))
        for t in _tables():
            rows = tables.get(t.name, [])
            if not isinstance(rows, list):
                raise DomainError(f"The export's {t.name} is not a list of rows.")
            cols = {c.name: c for c in t.columns}
            batch = []
            for r in rows:
                if not isinstance(r, dict):
                    raise DomainError(f"The export's {t.name} has a row that is not an object.")
                extra = set(r) - set(cols)
                if extra:
                    raise DomainError(f"The export's {t.name} has columns this version does not know ("
                                      + ", ".join(sorted(extra)) + "); it was made by a newer version.")
                row = {k: _from_json(cols[k], val, today) for k, val in r.items()}
                for name, col in cols.items():
                    if name not in row:
                        row[name] = _default(col, t.name)
                batch.append(row)
            for i in range(0, len(batch), 2000):
                u.session.execute(insert(t), batch[i:i + 2000])
                done += len(batch[i:i + 2000])
                if progress:
                    progress(done, total)
            counts[t.name] = len(batch)
        u.session.flush()
        bad = u.session.execute(text("PRAGMA foreign_key_check")).all()
        if bad:
            raise DomainError(f"The export is not consistent: {len(bad)} rows point at records that "
                              f"are not in it (first in {bad[0][0]}). Nothing was imported.")
    return counts
