"""Records in and out: a complaints log as CSV (import and export) and everything as JSON.

CSV import is all or nothing. Every row goes through the same steps as a complaint typed into the
app (log, refuse, acknowledge, extend, respond, escalate, close ...), each checked by the same rules
of smallhousing.domain that the use cases in services/complaints.py ask, on plain rows built in
memory; each refusal is collected with the line and column it concerns, and if there is any,
nothing is written and ImportProblems lists them all. Otherwise every table is written with one
bulk INSERT and the audit entries through base.audit, in ONE transaction. See docs/IMPORT.md.

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
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel, select
from sqlmodel import col as orm_col  # `col` is a column name throughout this module

from ..domain import lifecycle as L
from ..domain import steps as D
from ..domain.errors import DomainError
from ..domain.rules import ExtensionDates, RuleSet, StageDates, rule_set_for
from ..store import models as M
from ..store.dialects import POSTGRESQL, reset_sequences
from . import complaints as C
from .base import Unit, audit, audit_many, clean, ident, reading, transaction

Progress = Callable[[int, int], None]

# The columns of a complaints log, in the order an export writes them. The first thirty are the
# documented log; the next four carry what a log needs to say about withdrawn complaints and refused
# escalations, so that an export can be read back without turning them into open complaints; then the
# day each stage's extension was agreed (whether it counts under the Code turns on it).
COLUMNS = (
    "reference",
    "received_on",
    "resident_name",
    "address",
    "channel",
    "category",
    "summary",
    "outcome_sought",
    "definition",
    "refused_on",
    "refusal_reason",
    "stage1_handler",
    "stage1_acknowledged_on",
    "stage1_extended_to",
    "stage1_extension_reason",
    "stage1_responded_on",
    "stage1_decision",
    "stage1_reasons",
    "stage2_requested_on",
    "stage2_handler",
    "stage2_acknowledged_on",
    "stage2_extended_to",
    "stage2_extension_reason",
    "stage2_responded_on",
    "stage2_decision",
    "stage2_reasons",
    "remedy",
    "compensation_gbp",
    "outstanding_actions",
    "closed_on",
    "escalation_refused_on",
    "escalation_refusal_reason",
    "withdrawn_on",
    "withdrawal_reason",
    "stage1_extended_on",
    "stage2_extended_on",
    # section 2: when the issue arose and when the resident became aware of it (2.2, 2.3)
    "issue_arose_on",
    "aware_on",
    "responsible_for",
    "not_responsible_for",
    # the contractor the complaint is put down to (Code 5.4, 5.5): found by name, or added
    "contractor",
)
REQUIRED = ("reference", "received_on", "resident_name")
DATE_COLUMNS = frozenset(c for c in COLUMNS if c.endswith("_on") or c.endswith("_to"))

IMPORTED_STAFF = "Imported"
# recorded with a refusal on the 12-month ground: a log has no column for it
IMPORTED_DISCRETION = (
    "The imported log does not record how discretion to accept this older complaint was considered."
)
IMPORTED_STAFF_STAGE2 = "Imported (stage 2)"
NO_SUMMARY = "No summary was recorded in the imported log."
NO_REMEDY = "No remedy was recorded in the imported log."  # a note for staff (Stage.staff_note)
COMPENSATION_ONLY = "Compensation recorded in the imported log."

EXPORT_FORMAT = "smallhousing-export"
EXPORT_VERSION = 2
# what each version of the export added, for reading an older file (``upgrade_export``):
# version 2 (schemas 0010 and 0011): hazards, contractors, the responses asked of contractors,
# service request targets; complaints' and service requests' contractor, service requests' target
# date; attachments, compensation rates, satisfaction answers, TP09 results, compliments, survey
# comments; remedies' guidance kind, quantity and rate; Ombudsman orders' kind and date
_ADDED_TABLES: dict[int, tuple[str, ...]] = {
    2: (
        "hazard",
        "contractor",
        "contractor_request",
        "service_request_target",
        # schema 0011: the case file, remedies and what residents think
        "attachment",
        "compensation_rate",
        "satisfaction_answer",
        "perception_result",
        "compliment",
        "survey_comment",
    ),
}
_ADDED_COLUMNS: dict[int, dict[str, tuple[str, ...]]] = {
    2: {
        "complaint": ("contractor_id",),
        "service_request": ("contractor_id", "target_on"),
        "remedy": ("guidance_kind", "quantity", "rate_pence"),
        "ombudsman_order": ("kind", "made_on"),
    },
}


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

    def __init__(
        self, problems: list[Problem], warnings: list[Problem] | None = None, source: str = "the file"
    ) -> None:
        self.problems = sorted(problems, key=lambda p: (p.line, _col_order(p.column)))
        self.warnings = list(warnings or [])
        n = len(self.problems)
        super().__init__(
            f"Nothing was imported: {n} problem{'s' if n != 1 else ''} in {source} "
            f"(first: {self.problems[0] if n else 'unknown'})."
        )

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
    contractors_added: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    by_state: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        parts = [f"Imported {self.complaints} complaint{'s' if self.complaints != 1 else ''}"]
        extra = []
        if self.residents_added:
            extra.append(f"{self.residents_added} new resident{'s' if self.residents_added != 1 else ''}")
        if self.staff_added:
            extra.append("new staff: " + ", ".join(self.staff_added))
        if self.contractors_added:
            extra.append("new contractors: " + ", ".join(self.contractors_added))
        if extra:
            parts.append(" (" + "; ".join(extra) + ")")
        return "".join(parts) + "."


# reading the file --------------------------------------------------------------------------------


def decode(raw: bytes) -> tuple[str, str]:
    """Text and the encoding it was in: UTF-8 with or without a BOM, UTF-16 with a BOM, or the
    Windows-1252 that Excel writes for "CSV (Comma delimited)"."""
    if raw.startswith(codecs.BOM_UTF8):
        try:
            return raw[len(codecs.BOM_UTF8) :].decode("utf-8"), "UTF-8 with BOM"
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
    return ImportProblems(
        [
            Problem(
                line,
                "",
                "the file is not text that can be read (it is neither "
                "UTF-8 nor Windows-1252); save it from the spreadsheet "
                'as "CSV UTF-8" and try again',
            )
        ]
    )


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
    return Problem(
        line,
        "",
        "the line holds a NUL character (byte 0), which no spreadsheet writes: "
        "the file is damaged or is not a CSV file; save it again from the "
        "spreadsheet",
    )


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
        span = _spanning_quote("".join(lines[start - 1 : last]), delimiter)
        if span is None:
            continue
        offset, closed = span
        if not closed:
            out.append(
                Problem(
                    start + offset,
                    "",
                    "a quoted cell starting here is never closed: "
                    'a closing " is missing, so the rest of the '
                    "file would be read as one cell",
                )
            )
        elif k > 0 and len(cells) != header_cells:
            out.append(
                Problem(
                    start + offset,
                    "",
                    f"a quoted cell starting here runs on to line "
                    f"{last}, and the row then has {len(cells)} "
                    f"cells where the header has {header_cells}: is "
                    'a closing " missing?',
                )
            )
    return out


def normalise_header(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


# parsing values ----------------------------------------------------------------------------------

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@functools.lru_cache(maxsize=4096)  # a log repeats its values: each text is read once
def parse_log_date(value: str) -> dt.date:
    """'2025-12-17' or '17/12/2025' (day first). A time of midnight, as Excel adds, is ignored."""
    s = value.strip()
    s = re.sub(r"[ T]00:00(:00)?$", "", s)
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d+)", s)
    if m:
        d, mo, y = (int(g) for g in m.groups())
        if len(m.group(3)) != 4:
            raise ValueError(f"{value.strip()!r} has a two-digit year; write the year in full, as 17/12/2025")
    else:
        m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", s)
        if not m:
            raise ValueError(f"{value.strip()!r} is not a date; write it as 17/12/2025 or 2025-12-17")
        y, mo, d = (int(g) for g in m.groups())
    if not 1 <= mo <= 12:
        raise ValueError(
            f"{value.strip()!r} is not a real date (there is no month {mo}; dates are "
            "read day first, as 17/12/2025)"
        )
    try:
        return dt.date(y, mo, d)
    except ValueError:
        raise ValueError(
            f"{value.strip()!r} is not a real date (there is no {d} {_MONTHS[mo - 1]} {y})"
        ) from None


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
        raise ValueError(
            f"{value.strip()!r} is more than £1,000,000, more than any compensation "
            "smallhousing records; check the amount"
        )
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
    "upheld": L.UPHELD,
    "fully upheld": L.UPHELD,
    "partly upheld": L.PARTLY_UPHELD,
    "partially upheld": L.PARTLY_UPHELD,
    "part upheld": L.PARTLY_UPHELD,
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


def _needs() -> tuple[tuple[str, str | None, str], ...]:
    """What _check_shape asks of a row, in order: (a column, the column it needs, what to say)."""
    out: list[tuple[str, str | None, str]] = []
    for n in (1, 2):
        p = f"stage{n}_"
        out += [
            (p + "decision", p + "responded_on", f"stage {n} has a decision but no response date"),
            (p + "reasons", p + "responded_on", f"stage {n} has reasons for a decision but no response date"),
            (
                p + "responded_on",
                p + "decision",
                f"stage {n} has a response date but no decision (upheld, partly upheld or not upheld)",
            ),
            (
                p + "extended_to",
                p + "extension_reason",
                f"stage {n} was extended to a new date but no reason for the extension is given",
            ),
            (
                p + "extension_reason",
                p + "extended_to",
                f"a reason for extending stage {n} is given but no new date",
            ),
            (
                p + "extended_to",
                p + "acknowledged_on",
                f"stage {n} has a new response date but no acknowledgement date",
            ),
            (
                p + "extended_on",
                p + "extended_to",
                f"stage {n} has the day an extension was agreed but no new response date",
            ),
            (
                p + "responded_on",
                p + "acknowledged_on",
                f"stage {n} has a response date but no acknowledgement date",
            ),
        ]
    for col in (
        "stage2_handler",
        "stage2_acknowledged_on",
        "stage2_extended_to",
        "stage2_extension_reason",
        "stage2_extended_on",
        "stage2_responded_on",
        "stage2_decision",
        "stage2_reasons",
        "escalation_refused_on",
        "escalation_refusal_reason",
    ):
        out.append(
            (
                col,
                "stage2_requested_on",
                f"there are stage 2 details ({col.replace('_', ' ')}) but no stage 2 request date",
            )
        )
    out.append(
        (
            "stage2_requested_on",
            None,
            "stage 2 was requested but stage 1 has no response date: a complaint needs a "
            "stage 1 response before it can go to stage 2",
        )
    )
    out += [
        ("refusal_reason", "refused_on", "a reason for refusing is given but no refusal date"),
        (
            "escalation_refusal_reason",
            "escalation_refused_on",
            "a reason for refusing to escalate is given but no date",
        ),
        ("withdrawal_reason", "withdrawn_on", "a reason for the withdrawal is given but no date"),
    ]
    return tuple(out)


_NEEDS = _needs()


_EMPTY_NONE = DATE_COLUMNS | {"compensation_gbp"}


class _Importer:
    """Checks every row of a log with the domain's rules, as the use cases would, and builds the
    rows they would have made as plain dicts; ``write`` puts them in with one INSERT per table.

    Each step of a row (log, refuse, acknowledge, extend, respond, escalate, refuse escalation,
    withdraw, close) asks the same functions of smallhousing.domain that the use case of that name
    in services/complaints.py asks, in the same order, and makes the same rows, derived fields
    (next step and date, handler, search text) and handler history, and the same audit entries.
    Ids are given here: inside the import's transaction (BEGIN IMMEDIATE, which holds SQLite's
    write lock from its first statement) no one else can insert, so each table's next id is its
    largest id, read once, plus one; this lets a row's children and audit entries name it before
    anything is written, with no query per row."""

    def __init__(self, u: Unit, columns: list[str | None]) -> None:
        self.u = u
        self.columns = columns
        self.problems: list[Problem] = []
        self.result = ImportResult()
        s = u.session
        self.today = u.today
        # caches, so that no row needs a query
        self.refs = set(s.execute(select(M.Complaint.reference)).scalars().all())
        self.seen_refs: dict[str, int] = {}
        self.residents: dict[tuple[str, str], int] = {}
        self.resident_info: dict[int, tuple[str, bool]] = {}  # id -> (name, vulnerable)
        # five columns: more than sqlmodel's select is typed for, so SQLAlchemy's own
        for rid, name, address, dis, vul in s.execute(
            sa_select(
                orm_col(M.Resident.id),
                orm_col(M.Resident.name),
                orm_col(M.Resident.address),
                orm_col(M.Resident.disabilities),
                orm_col(M.Resident.vulnerabilities),
            ).order_by(orm_col(M.Resident.id))
        ).all():
            self.residents.setdefault((clean(name).lower(), clean(address).lower()), rid)
            self.resident_info[rid] = (name, bool(dis or vul))
        self.staff: dict[str, int] = {}
        self.inactive: dict[str, str] = {}
        self.staff_names: dict[int, str] = {}
        for sid, name, active in s.execute(
            select(M.Staff.id, M.Staff.name, M.Staff.active).order_by(orm_col(M.Staff.id))
        ).all():
            self.staff_names[sid] = name
            if active:
                self.staff.setdefault(D.staff_name_key(name), sid)
            else:
                self.inactive.setdefault(D.staff_name_key(name), name)
        self.active_ids = set(self.staff.values())
        self.contractors: dict[str, int] = {}
        self.inactive_contractors: dict[str, str] = {}
        for fid, name, active in s.execute(
            select(M.Contractor.id, M.Contractor.name, M.Contractor.active).order_by(orm_col(M.Contractor.id))
        ).all():
            if active:
                self.contractors.setdefault(D.staff_name_key(name), fid)
            else:
                self.inactive_contractors.setdefault(D.staff_name_key(name), name)
        # the rows to write, table by table, and the next id of each table. PostgreSQL has no one
        # write lock: the tables written are locked against other writers (readers go on) first
        conn = s.connection()
        if conn.dialect.name == POSTGRESQL:
            names = ", ".join(f'"{m.__tablename__}"' for m in _WRITE_ORDER)
            conn.exec_driver_sql(f"LOCK TABLE {names} IN EXCLUSIVE MODE")
        self.rows: dict = {m: [] for m in _WRITE_ORDER}
        self.next_id = {m: (s.execute(select(func.max(m.id))).scalar() or 0) + 1 for m in _WRITE_ORDER}
        # audit entries, in the order the use cases note them: (action, entity, id, complaint, before, after)
        self.audits: list[tuple] = []
        self._cal = None

    @property
    def cal(self):
        if self._cal is None:
            self._cal = self.u.cal
        return self._cal

    def problem(self, row: _Row, column: str, message: str) -> None:
        self.problems.append(Problem(row.line, column, message))
        row.bad.add(column)

    # -- one row: read its cells ------------------------------------------------------------------
    def parse(self, line: int, cells: list[str]) -> _Row:
        row = _Row(line, {})
        v = row.v
        if len(cells) > len(self.columns) and any(c.strip() for c in cells[len(self.columns) :]):
            self.problem(
                row,
                "",
                f"the line has {len(cells)} cells but the header has only "
                f"{len(self.columns)} columns (is there a comma in a cell without "
                "quotes around it?)",
            )
        for i, col in enumerate(self.columns):
            if col is None:
                continue
            cell = cells[i].strip() if i < len(cells) else ""
            if cell.startswith("'"):
                cell = _unguard(cell)
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
                self.problem(
                    row, "reference", f"reference {ref} is used again (first on line {self.seen_refs[ref]})"
                )
            elif ref in self.refs:
                self.problem(row, "reference", f"a complaint with reference {ref} is already in the database")
            self.seen_refs.setdefault(ref, line)
        self._check_shape(row)
        return row

    def _check_shape(self, row: _Row) -> None:
        """What a log can get wrong before any rule is asked: values that need another value."""
        has = row.has
        filled = {c for c, val in row.v.items() if val not in (None, "", 0)}  # as row.has
        bad = row.bad
        for col, other, message in _NEEDS:
            if other is None:  # stage 2 requested: stage 1 must have been answered first
                if (
                    has("stage2_requested_on")
                    and not has("stage1_responded_on")
                    and not bad & {"stage2_requested_on", "stage1_responded_on"}
                ):
                    self.problem(row, "stage2_requested_on", message)
            elif col in filled and other not in filled and other not in bad and col not in bad:
                self.problem(row, other, message)
        answered = {"stage1_responded_on", "stage2_responded_on"}
        for col in ("remedy", "compensation_gbp", "outstanding_actions"):
            if (
                has(col)
                and not (has("stage1_responded_on") or has("stage2_responded_on"))
                and not row.bad & answered
            ):
                what = {
                    "remedy": "a remedy",
                    "compensation_gbp": "compensation",
                    "outstanding_actions": "outstanding actions",
                }[col]
                self.problem(
                    row,
                    col,
                    f"{what} is given but there is no response date: remedies and "
                    "actions are part of a response",
                )

    # -- building rows ------------------------------------------------------------------------------
    def _new(self, model, **values) -> dict:
        """A new row of ``model`` with its id: the model's defaults, then ``values``; noted for
        writing."""
        row = dict(_defaults(model))
        row.update(values)
        row["id"] = n = self.next_id[model]
        self.next_id[model] = n + 1
        self.rows[model].append(row)
        return row

    def _note(
        self,
        action: str,
        entity: str,
        row: dict,
        complaint_id: int | None,
        before: dict | None = None,
        after: dict | None = None,
    ) -> None:
        """An audit entry: the whole row when ``after`` is not given (the row was made)."""
        self.audits.append(
            (
                action,
                entity,
                row["id"],
                complaint_id,
                before or {},
                dict(row) if after is None else after,  # dates as ISO text when written
            )
        )

    def _staff_id(self, row: _Row, column: str, name: str) -> int:
        key = D.staff_name_key(name)
        if key in self.staff:
            return self.staff[key]
        if key in self.inactive:
            self.problem(
                row,
                column,
                f"{self.inactive[key]} is no longer active on the staff list; "
                "make them active again in Settings, or correct the name",
            )
            raise _RowFailed
        # as settings.add_staff, with every member of staff already in the cache
        made = self._new(M.Staff, name=" ".join(clean(name).split()))
        self._note("staff added", "staff", made, None)
        self.staff[key] = made["id"]
        self.staff_names[made["id"]] = made["name"]
        self.active_ids.add(made["id"])
        self.result.staff_added.append(made["name"])
        return made["id"]

    def _contractor_id(self, row: _Row, name: str) -> int:
        """The active contractor of that name (ignoring capitals and spacing), or a new one."""
        key = D.staff_name_key(name)
        if key in self.contractors:
            return self.contractors[key]
        if key in self.inactive_contractors:
            self.problem(
                row,
                "contractor",
                f"{self.inactive_contractors[key]} is no longer an active contractor; make them "
                "active again, or correct the name",
            )
            raise _RowFailed
        made = self._new(M.Contractor, name=" ".join(clean(name).split()))
        self._note("contractor added", "contractor", made, None)
        self.contractors[key] = made["id"]
        self.result.contractors_added.append(made["name"])
        return made["id"]

    def _resident_id(self, name: str, address: str) -> int:
        key = (clean(name).lower(), clean(address).lower())
        rid = self.residents.get(key)
        if rid is None:
            # as residents.add_resident, with every resident already in the cache: a miss means
            # there is no such resident, so one is added
            if not clean(name):
                raise DomainError("A resident needs a name.", field="name")
            r = self._new(M.Resident, name=clean(name), address=clean(address), created_on=self.today)
            self._note("resident added", "resident", r, None)
            rid = r["id"]
            self.residents[key] = rid
            self.resident_info[rid] = (r["name"], False)
            self.result.residents_added += 1
        return rid

    def _check_staff(self, staff_id: int | None, field_: str = "handler") -> None:
        if staff_id is not None and staff_id not in self.active_ids:
            name = self.staff_names.get(staff_id)
            if name is None:
                raise DomainError(f"There is no member of staff with id {staff_id}.", field=field_)
            raise DomainError(f"{name} is no longer active; choose someone else.", field=field_)

    # -- the use cases, on plain rows (each as its namesake in services/complaints.py) -------------
    def _step_date(self, k: "_Case", on: dt.date | None, what: str) -> dt.date:
        c = k.c
        latest = D.last_step(
            c["received_on"],
            (
                (n, st["requested_on"], st["acknowledged_on"], st["responded_on"])
                for n, st in sorted(k.stages.items())
            ),
            c["refused_on"],
            c["escalation_refused_on"],
            c["closed_on"],
        )
        return D.check_step_date(on, self.today, what, latest)

    def _refresh(self, k: "_Case") -> None:
        c = k.c
        st = k.stages.get(c["stage"])
        dates = None
        if st is not None and c["state"] in _WAITING:
            exts = k.exts[c["stage"]]
            dates = StageDates(
                st["number"],
                st["requested_on"],
                st["acknowledged_on"],
                st["responded_on"],
                tuple(e["new_due_on"] for e in exts),
                tuple(
                    ExtensionDates(
                        e["new_due_on"], e["extended_on"], bool(e["resident_told"]), e["good_reason"] or ""
                    )
                    for e in exts
                ),
            )
        step, _, due = D.next_step(self.cal, k.rules, c["state"], dates)
        c["next_step"], c["next_due_on"] = step, due
        c["handler_id"] = st["handler_id"] if st else None

    def _set_state(self, k: "_Case", action: str, note: str, **values) -> None:
        c = k.c
        answered = 0
        if c["state"] == L.CLOSED:
            answered = len([s for s in k.stages.values() if s["responded_on"]])
        new_state = L.next_state(c["state"], action, stages_answered=answered)
        # only these fields can change (search_text never does here): compared as
        # base.changes_since compares the whole row
        before = {f: c[f] for f in ("state", *values, *_DERIVED)}
        c["state"] = new_state
        c.update(values)
        self._refresh(k)
        b, a = _diff(before, c)
        self._note(note, "complaint", c, c["id"], b, a)

    def _assign(self, k: "_Case", stage: int, staff_id: int | None, on: dt.date, reason: str = "") -> None:
        if staff_id is None:
            return
        cid = k.c["id"]
        current = [a for a in k.assignments if a["stage"] == stage and a["ended_on"] is None]
        if any(a["staff_id"] == staff_id for a in current):
            return
        for a in current:
            before = dict(a)
            a["ended_on"] = on
            b, after = _diff(before, a)
            self._note(f"stage {stage} handler assignment ended", "handlerassignment", a, cid, b, after)
        row = self._new(
            M.HandlerAssignment,
            complaint_id=cid,
            stage=stage,
            staff_id=staff_id,
            assigned_on=on,
            reason=reason,
        )
        k.assignments.append(row)
        self._note(f"stage {stage} handler assigned", "handlerassignment", row, cid)

    def log_complaint(
        self,
        resident_id: int,
        received_on: dt.date,
        description: str,
        *,
        channel: str,
        outcome_sought: str,
        categories,
        reference: str,
        handler_id: int | None,
        issue_arose_on: dt.date | None,
        aware_on: dt.date | None,
        contractor_id: int | None = None,
    ) -> "_Case":
        description = L.require_text(description, "the complaint in the resident's words", "description")
        name, vulnerable = self.resident_info[resident_id]
        received_on = L.check_date(received_on, self.today, what="complaint's receipt")
        L.check_section2_dates(issue_arose_on, aware_on, received_on)
        self._check_staff(handler_id)
        reference = clean(reference)
        if reference in self.refs:
            raise DomainError(f"A complaint with reference {reference} already exists.", field="reference")
        rules = rule_set_for(received_on)
        cats = D.parse_categories(categories)
        c = self._new(
            M.Complaint,
            reference=reference,
            resident_id=resident_id,
            channel=clean(channel),
            received_on=received_on,
            description=description,
            outcome_sought=clean(outcome_sought),
            categories=cats,
            vulnerable=vulnerable,
            rule_set=rules.code,
            state=L.RECEIVED,
            stage=1,
            issue_arose_on=issue_arose_on,
            aware_on=aware_on,
            contractor_id=contractor_id,
            search_text=D.search_text(reference, name, description, cats),
        )
        self.refs.add(reference)
        st = self._new(
            M.Stage, complaint_id=c["id"], number=1, requested_on=received_on, handler_id=handler_id
        )
        k = _Case(c, {1: st}, {1: []}, [], rules)
        self._refresh(k)
        self._note("complaint logged", "complaint", c, c["id"])
        self._note("stage 1 opened", "stage", st, c["id"])
        self._assign(k, 1, handler_id, received_on)
        return k

    def _check_decider(self, staff_id: int | None, what: str) -> int:
        if staff_id is None:
            raise DomainError(f"Choose who decided {what}.", field="decided_by")
        self._check_staff(staff_id, "decided_by")
        return staff_id

    def refuse(
        self, k: "_Case", ground: str, reason: str, *, on: dt.date, decided_by: int, discretion_note: str
    ) -> None:
        c = k.c
        L.next_state(c["state"], "refuse")
        decider = self._check_decider(decided_by, "to refuse the complaint")
        arose, aware = c["issue_arose_on"], c["aware_on"]
        L.check_section2_dates(arose, aware, c["received_on"])
        ground, reason = L.check_exclusion(
            ground,
            reason,
            received_on=c["received_on"],
            issue_arose_on=arose,
            aware_on=aware,
            discretion_note=discretion_note,
        )
        day = self._step_date(k, on, "refusal")
        self._set_state(
            k,
            "refuse",
            "complaint refused",
            acceptance="refused",
            exclusion_ground=ground,
            exclusion_reason=reason,
            refused_on=day,
            refused_by_id=decider,
            issue_arose_on=arose,
            aware_on=aware,
            discretion_note=clean(discretion_note),
        )

    def acknowledge(
        self,
        k: "_Case",
        definition: str,
        *,
        handler_id: int,
        on: dt.date,
        responsible_for: str = "",
        not_responsible_for: str = "",
    ) -> None:
        definition = L.require_text(definition, "the complaint definition", "definition")
        c = k.c
        L.next_state(c["state"], "acknowledge")
        st = k.stages[c["stage"]]
        n = st["number"]
        handler = handler_id if handler_id is not None else st["handler_id"]
        if handler is None:
            raise DomainError("Choose who will handle this stage.", field="handler")
        self._check_staff(handler)
        if n == 2:
            self._check_stage2(k, handler)
        day = self._step_date(k, on, f"stage {n} acknowledgement")
        self._assign(
            k, n, handler, day, "" if st["handler_id"] in (None, handler) else "changed at acknowledgement"
        )
        before = dict(st)
        st.update(
            acknowledged_on=day,
            definition=definition,
            responsible_for=clean(responsible_for),
            not_responsible_for=clean(not_responsible_for),
            handler_id=handler,
        )
        b, a = _diff(before, st)
        self._note(f"stage {n} acknowledged", "stage", st, c["id"], b, a)
        extra = {"acceptance": "accepted"} if c["acceptance"] == "pending" else {}
        self._set_state(k, "acknowledge", f"stage {n} acknowledged", **extra)

    def _check_stage2(self, k: "_Case", handler: int | None) -> None:
        s1 = {a["staff_id"] for a in k.assignments if a["stage"] == 1}
        if k.stages[1]["handler_id"] is not None:
            s1.add(k.stages[1]["handler_id"])
        L.check_stage2_handler(s1, handler, self.staff_names.get(handler, "") if handler else "")

    def extend(self, k: "_Case", new_due_on: dt.date, reason: str, *, good_reason: str, on: dt.date) -> None:
        c = k.c
        L.next_state(c["state"], "extend")
        st = k.stages[c["stage"]]
        exts = k.exts[st["number"]]
        dates = StageDates(
            st["number"],
            st["requested_on"],
            st["acknowledged_on"],
            st["responded_on"],
            tuple(e["new_due_on"] for e in exts),
            tuple(
                ExtensionDates(
                    e["new_due_on"], e["extended_on"], bool(e["resident_told"]), e["good_reason"] or ""
                )
                for e in exts
            ),
        )
        chk = L.check_extension(self.cal, k.rules, dates, new_due_on, reason, good_reason)
        day = self._step_date(k, on, "extension")
        # the resident taken as told on the day it was agreed (extend's resident_told=True)
        e = self._new(
            M.Extension,
            stage_id=st["id"],
            extended_on=day,
            new_due_on=chk.new_due,
            reason=clean(reason),
            good_reason=clean(good_reason),
            resident_told=True,
            beyond_cap=chk.beyond_cap,
            told_on=day,
        )
        exts.append(e)
        self._note(f"stage {st['number']} extended to {chk.new_due.isoformat()}", "extension", e, c["id"])
        self._refresh(k)

    def respond(
        self,
        k: "_Case",
        decision: str,
        reasons: str,
        *,
        remedies: list,
        actions: list,
        remedy_statement: str,
        on: dt.date,
    ) -> None:
        decision, reasons = L.check_decision(decision, reasons)
        c = k.c
        L.next_state(c["state"], "respond")
        st = k.stages[c["stage"]]
        n = st["number"]
        D.check_response_remedies(bool(remedies), remedy_statement)
        day = self._step_date(k, on, f"stage {n} response")
        actions_statement = D.actions_statement_for(bool(actions), "")
        for r in remedies:
            kind, desc = D.check_remedy(r.kind, r.description, r.amount_pence)
            rem = self._new(
                M.Remedy,
                complaint_id=c["id"],
                stage=n,
                kind=kind,
                description=desc,
                amount_pence=r.amount_pence,
                due_on=r.due_on,
                agreed=bool(r.agreed),
                offered_on=day,
            )
            self._note("remedy offered", "remedy", rem, c["id"])
        for a in actions:
            desc = L.require_text(a.description, "the outstanding action", "description")
            act = self._new(
                M.OutstandingAction,
                complaint_id=c["id"],
                stage=n,
                description=desc,
                owner=clean(a.owner),
                due_on=a.due_on,
            )
            self._note("outstanding action recorded", "outstandingaction", act, c["id"])
        before = dict(st)
        st.update(
            responded_on=day,
            decision=decision,
            reasons=reasons,
            remedy_statement=clean(remedy_statement),
            actions_statement=actions_statement,
        )
        b, a = _diff(before, st)
        self._note(f"stage {n} response", "stage", st, c["id"], b, a)
        self._set_state(k, "respond", f"stage {n} responded: {decision}")

    def request_stage2(self, k: "_Case", *, on: dt.date, handler_id: int | None) -> None:
        c = k.c
        has2 = 2 in k.stages
        L.next_state(
            c["state"],
            "request_stage2",
            stages_answered=D.stages_answered_for_escalation(
                c["state"], has2, bool(k.stages[1]["responded_on"])
            ),
        )
        D.check_escalation_request(has2, c["escalation_refused_on"])
        day = self._step_date(k, on, "stage 2 request")
        if handler_id is not None:
            self._check_staff(handler_id)
            self._check_stage2(k, handler_id)
        st = self._new(
            M.Stage, complaint_id=c["id"], number=2, requested_on=day, handler_id=handler_id, definition=""
        )
        self._note("stage 2 requested", "stage", st, c["id"])
        self._assign(k, 2, handler_id, day)
        k.stages[2] = st
        k.exts[2] = []
        self._set_state(k, "request_stage2", "escalated to stage 2", stage=2, closed_on=None)

    def refuse_escalation(
        self, k: "_Case", ground: str, reason: str, *, on: dt.date, decided_by: int, discretion_note: str
    ) -> None:
        c = k.c
        L.next_state(c["state"], "refuse_escalation")
        decider = self._check_decider(decided_by, "to refuse escalation")
        ground, reason = L.check_exclusion(
            ground,
            reason,
            received_on=c["received_on"],
            issue_arose_on=c["issue_arose_on"],
            aware_on=c["aware_on"],
            discretion_note=discretion_note,
        )
        day = self._step_date(k, on, "refusal to escalate")
        extra = {"discretion_note": clean(discretion_note)} if clean(discretion_note) else {}
        self._set_state(
            k,
            "refuse_escalation",
            "escalation refused",
            escalation_refused_on=day,
            escalation_refusal_ground=ground,
            escalation_refusal_reason=reason,
            escalation_refused_by_id=decider,
            **extra,
        )

    def close(self, k: "_Case", on: dt.date) -> None:
        day = self._step_date(k, on, "closure")
        self._set_state(k, "close", "complaint closed", closed_on=day)

    def withdraw(self, k: "_Case", reason: str, on: dt.date) -> None:
        day = self._step_date(k, on, "withdrawal")
        self._set_state(
            k, "withdraw", "complaint withdrawn", withdrawn_on=day, withdrawn_reason=clean(reason)
        )

    # -- one row ------------------------------------------------------------------------------------
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
        v = row.v
        if row.bad & {"", *REQUIRED}:
            return  # without a reference, date and resident there is nothing to check it against
        try:
            h1 = (
                self._staff_id(row, "stage1_handler", v["stage1_handler"])
                if row.has("stage1_handler")
                else None
            )
            firm = self._contractor_id(row, v["contractor"]) if row.has("contractor") else None
            rid = self._step(
                row,
                {"name": "resident_name"},
                "resident_name",
                self._resident_id,
                v["resident_name"],
                v["address"],
            )
            k = self._step(
                row,
                {
                    "reference": "reference",
                    "date": "received_on",
                    "description": "summary",
                    "handler": "stage1_handler",
                    "issue_arose_on": "issue_arose_on",
                    "aware_on": "aware_on",
                },
                "received_on",
                self.log_complaint,
                rid,
                v["received_on"],
                v["summary"] or NO_SUMMARY,
                channel=v["channel"],
                outcome_sought=v["outcome_sought"],
                categories=split_list(v["category"]),
                reference=v["reference"],
                handler_id=h1,
                issue_arose_on=v.get("issue_arose_on"),
                aware_on=v.get("aware_on"),
                contractor_id=firm,
            )
            if self._when(row, "refused_on"):
                ground, reason = split_ground(v["refusal_reason"])
                # who decided: the stage 1 handler named in the row, else the Imported record
                decider = h1 if h1 is not None else self._staff_id(row, "refused_on", IMPORTED_STAFF)
                note = ""
                if ground == L.OLDER_THAN_12_MONTHS:
                    note = IMPORTED_DISCRETION
                    self.result.warnings.append(
                        Problem(
                            row.line,
                            "refusal_reason",
                            "the log does not say how discretion to accept the "
                            "older complaint was considered; a note says so",
                        )
                    )
                self._step(
                    row,
                    {
                        "ground": "refusal_reason",
                        "reason": "refusal_reason",
                        "decided_by": "refused_on",
                        "issue_arose_on": "issue_arose_on",
                        "aware_on": "aware_on",
                    },
                    "refused_on",
                    self.refuse,
                    k,
                    ground,
                    reason,
                    on=v["refused_on"],
                    decided_by=decider,
                    discretion_note=note,
                )
            last_response = 2 if row.has("stage2_responded_on") else 1
            self._stage(row, k, 1, h1, last_response)
            closed = False
            if (
                row.has("closed_on")
                and row.has("stage2_requested_on")
                and "closed_on" not in row.bad
                and v["closed_on"] <= v["stage2_requested_on"]
            ):
                # closed after stage 1 and escalated later: close first, as it happened
                self._step(row, {}, "closed_on", self.close, k, v["closed_on"])
                closed = True
            if self._when(row, "stage2_requested_on"):
                h2 = (
                    self._staff_id(row, "stage2_handler", v["stage2_handler"])
                    if row.has("stage2_handler")
                    else None
                )
                self._step(
                    row,
                    {"handler": "stage2_handler"},
                    "stage2_requested_on",
                    self.request_stage2,
                    k,
                    on=v["stage2_requested_on"],
                    handler_id=h2,
                )
                if self._when(row, "escalation_refused_on"):
                    ground, reason = split_ground(v["escalation_refusal_reason"])
                    # who decided: the stage 2 handler named in the row, else the stage 1 one, else
                    # the Imported record
                    decider = (
                        h2
                        if h2 is not None
                        else h1
                        if h1 is not None
                        else self._staff_id(row, "escalation_refused_on", IMPORTED_STAFF)
                    )
                    note = IMPORTED_DISCRETION if ground == L.OLDER_THAN_12_MONTHS else ""
                    self._step(
                        row,
                        {
                            "ground": "escalation_refusal_reason",
                            "reason": "escalation_refusal_reason",
                            "decided_by": "escalation_refused_on",
                            "issue_arose_on": "issue_arose_on",
                            "aware_on": "aware_on",
                        },
                        "escalation_refused_on",
                        self.refuse_escalation,
                        k,
                        ground,
                        reason,
                        on=v["escalation_refused_on"],
                        decided_by=decider,
                        discretion_note=note,
                    )
                self._stage(row, k, 2, h2, last_response)
            if self._when(row, "withdrawn_on"):
                self._step(
                    row, {}, "withdrawn_on", self.withdraw, k, v["withdrawal_reason"], v["withdrawn_on"]
                )
            state = k.c["state"]
            if self._when(row, "closed_on") and not closed:
                if state in (L.REFUSED, L.WITHDRAWN):
                    # a refusal or withdrawal ends a complaint by itself: nothing more to close
                    self.result.warnings.append(
                        Problem(
                            row.line,
                            "closed_on",
                            f"the complaint was {state}, which ends it, so the closing date was not recorded",
                        )
                    )
                else:
                    self._step(row, {}, "closed_on", self.close, k, v["closed_on"])
            if not row.bad:
                state = k.c["state"]
                self.result.complaints += 1
                self.result.by_state[state] = self.result.by_state.get(state, 0) + 1
        except _RowFailed:
            pass

    def _stage(self, row: _Row, k: "_Case", n: int, handler: int | None, last_response: int) -> None:
        v = row.v
        p = f"stage{n}_"
        if not self._when(row, p + "acknowledged_on"):
            return
        if handler is None:
            handler = self._staff_id(row, p + "handler", IMPORTED_STAFF if n == 1 else IMPORTED_STAFF_STAGE2)
        definition = v["definition"] or v["summary"] or NO_SUMMARY
        resp = (
            {
                "responsible_for": v.get("responsible_for") or "",
                "not_responsible_for": v.get("not_responsible_for") or "",
            }
            if n == 1
            else {}
        )
        self._step(
            row,
            {"definition": "definition", "handler": p + "handler"},
            p + "acknowledged_on",
            self.acknowledge,
            k,
            definition,
            handler_id=handler,
            on=v[p + "acknowledged_on"],
            **resp,
        )
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
                self.result.warnings.append(
                    Problem(
                        row.line,
                        p + "extended_on",
                        f"stage {n} was extended to {v[p + 'extended_to'].isoformat()} but the log does not "
                        f"say when the extension was agreed: it was recorded as agreed on the day of the "
                        f"acknowledgement, {agreed.isoformat()}",
                    )
                )
            self._step(
                row,
                {
                    "reason": p + "extension_reason",
                    "good_reason": p + "extension_reason",
                    "date": p + "extended_on",
                },
                p + "extended_to",
                self.extend,
                k,
                v[p + "extended_to"],
                reason,
                good_reason=reason,
                on=agreed,
            )
        if self._when(row, p + "responded_on"):
            remedies: list[C.RemedyInput] = []
            actions: list[C.ActionInput] = []
            if n == last_response:
                remedies = _remedies(v["remedy"], v["compensation_gbp"] or 0)
                actions = [C.ActionInput(a) for a in split_list(v["outstanding_actions"])]
            self._step(
                row,
                {
                    "decision": p + "decision",
                    "reasons": p + "reasons",
                    "kind": "remedy",
                    "description": "remedy",
                    "amount": "compensation_gbp",
                    "remedy_statement": "remedy",
                },
                p + "responded_on",
                self.respond,
                k,
                v[p + "decision"],
                v[p + "reasons"],
                remedies=remedies,
                actions=actions,
                remedy_statement="" if remedies else NO_REMEDY,
                on=v[p + "responded_on"],
            )
            if not remedies:
                # what the log lacked is a note for staff, never words for the resident: the
                # response letter's check then asks for a real statement about remedies
                st = k.stages[n]
                if st["remedy_statement"] == NO_REMEDY:
                    before = dict(st)
                    st.update(remedy_statement="", staff_note=NO_REMEDY)
                    b, a = _diff(before, st)
                    self._note(f"stage {n}: imported log recorded no remedy", "stage", st, k.c["id"], b, a)

    # -- writing ------------------------------------------------------------------------------------
    def write(self) -> None:
        """Every row made, with one INSERT per table, parents first; then the audit entries, in the
        order noted, through the audit log's own chaining (base.audit, written with the Unit)."""
        s = self.u.session
        for model in _WRITE_ORDER:
            rows = self.rows[model]
            for i in range(0, len(rows), 5000):
                # SQLModel's stubs do not declare __table__, which SQLAlchemy sets on every table model
                s.execute(insert(model.__table__), rows[i : i + 5000])  # type: ignore[union-attr]
        # ids were given here: PostgreSQL's id sequences go on after them
        reset_sequences(s.connection(), [m.__tablename__ for m in _WRITE_ORDER if self.rows[m]])
        audit_many(self.u, self.audits)


@dataclass
class _Case:
    """One complaint being imported: its row, its stages by number, each stage's extensions, its
    handler history, and the Code it was received under."""

    c: dict
    stages: dict
    exts: dict
    assignments: list
    rules: RuleSet


_WRITE_ORDER = (
    M.Staff,
    M.Contractor,
    M.Resident,
    M.Complaint,
    M.Stage,
    M.Extension,
    M.Remedy,
    M.OutstandingAction,
    M.HandlerAssignment,
)
_DERIVED = ("next_step", "next_due_on", "handler_id")
_WAITING = (L.RECEIVED, L.S1_ACKNOWLEDGED, L.S2_REQUESTED, L.S2_ACKNOWLEDGED)
_DEFAULTS: dict = {}


def _defaults(model) -> dict:
    """Every field of a table with its default (None for a field that has none)."""
    d = _DEFAULTS.get(model)
    if d is None:
        d = _DEFAULTS[model] = {
            name: (
                None
                if f.is_required()
                else f.get_default(call_default_factory=True)
                if f.default_factory is None
                else None
            )
            for name, f in model.model_fields.items()
        }
    return d


def _diff(before: dict, after: dict, skip: str = "") -> tuple[dict, dict]:
    """What changed in the fields ``before`` holds (their old values) now that the row is ``after``,
    before and after (as base.changes_since; dates become ISO text when the entry is written)."""
    b, a = {}, {}
    for k, old in before.items():
        new = after[k]
        if k != skip and old is not new and old != new:
            b[k] = old
            a[k] = new
    return b, a


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


def import_csv(
    db, source: "str | os.PathLike | bytes", *, progress: Progress | None = None, name: str | None = None
) -> ImportResult:
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
        raise ImportProblems(
            [Problem(1, "", "the file is empty: the first line must be a header row naming the columns")],
            source=label,
        )
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
            warnings.append(
                Problem(
                    header_line,
                    cell.strip(),
                    f"this column is not one smallhousing knows, so it was ignored{hint}",
                )
            )
            columns.append(None)
        elif name_ in seen:
            problems.append(Problem(header_line, name_, "this column appears twice in the header"))
            columns.append(None)
        else:
            seen.add(name_)
            columns.append(name_)
    for col in REQUIRED:
        if col not in seen:
            problems.append(Problem(header_line, col, "this required column is missing from the header row"))
    if problems:
        raise ImportProblems(problems, warnings, source=label)
    rows = [(line, cells) for line, cells, _ in records[1:] if any(c.strip() for c in cells)]
    total = len(rows)
    with _collector_paused(), transaction(db) as u:
        imp = _Importer(u, columns)
        imp.result.warnings = warnings
        parsed = [imp.parse(line, cells) for line, cells in rows]
        for i, row in enumerate(parsed):
            # after a problem nothing will be written, but every row is still checked, so that the
            # list of problems is complete
            imp.run(row)
            if progress and (i % 100 == 0):
                progress(i, total)
        if imp.problems:
            raise ImportProblems(imp.problems, warnings, source=label)
        imp.write()
        audit(
            u,
            "complaints log imported",
            entity="import",
            after={
                "file": label,
                "encoding": encoding,
                "complaints": imp.result.complaints,
                "residents_added": imp.result.residents_added,
                "staff_added": imp.result.staff_added,
                "contractors_added": imp.result.contractors_added,
            },
        )
        if progress:
            progress(total, total)
        return imp.result


# exporting a CSV log -----------------------------------------------------------------------------


def log_rows(db) -> list[dict]:
    """Every complaint as one row of the log, oldest first (a handful of queries, no per-row ones)."""
    with reading(db) as u:
        staff = dict(u.session.exec(select(M.Staff.id, M.Staff.name)).all())
        firms = dict(u.session.exec(select(M.Contractor.id, M.Contractor.name)).all())
        residents = {r.id: r for r in u.session.exec(select(M.Resident)).all()}
        stages: dict[tuple[int, int], M.Stage] = {
            (s.complaint_id, s.number): s for s in u.session.exec(select(M.Stage)).all()
        }
        ext_by_stage: dict[int, M.Extension] = {}
        for e in u.session.exec(select(M.Extension).order_by(orm_col(M.Extension.id))).all():
            ext_by_stage[e.stage_id] = e  # the latest extension of each stage
        remedies: dict[int, list[M.Remedy]] = {}
        for r in u.session.exec(
            select(M.Remedy).order_by(orm_col(M.Remedy.stage), orm_col(M.Remedy.id))
        ).all():
            remedies.setdefault(r.complaint_id, []).append(r)
        actions: dict[int, list[M.OutstandingAction]] = {}
        for a in u.session.exec(select(M.OutstandingAction).order_by(orm_col(M.OutstandingAction.id))).all():
            if a.completed_on is None:
                actions.setdefault(a.complaint_id, []).append(a)
        out = []
        for c in u.session.exec(
            select(M.Complaint).order_by(orm_col(M.Complaint.received_on), orm_col(M.Complaint.id))
        ).all():
            cid = ident(c)
            res = residents.get(c.resident_id)
            row = {k: "" for k in COLUMNS}
            row.update(
                reference=c.reference,
                received_on=c.received_on.isoformat(),
                resident_name=res.name if res else "",
                address=res.address if res else "",
                channel=c.channel,
                category="; ".join(split_list(c.categories)),
                summary=c.description,
                outcome_sought=c.outcome_sought,
            )
            if c.refused_on:
                row["refused_on"] = c.refused_on.isoformat()
                row["refusal_reason"] = join_ground(c.exclusion_ground, c.exclusion_reason)
            for n in (1, 2):
                st = stages.get((cid, n))
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
                ext = ext_by_stage.get(ident(st))
                if ext is not None:
                    row[p + "extended_to"] = ext.new_due_on.isoformat()
                    row[p + "extended_on"] = ext.extended_on.isoformat()
                    reason = ext.reason
                    if ext.good_reason and ext.good_reason != ext.reason:
                        reason = f"{ext.reason} (good reason: {ext.good_reason})"
                    row[p + "extension_reason"] = reason
                row[p + "responded_on"] = _iso(st.responded_on)
                row[p + "decision"] = st.decision
                row[p + "reasons"] = st.reasons
            rems = remedies.get(cid, [])
            row["remedy"] = "; ".join(
                r.description for r in rems if r.description != COMPENSATION_ONLY or len(rems) > 1
            )
            row["compensation_gbp"] = pounds(sum(r.amount_pence for r in rems))
            row["outstanding_actions"] = "; ".join(a.description for a in actions.get(cid, []))
            row["closed_on"] = _iso(c.closed_on)
            if c.escalation_refused_on:
                row["escalation_refused_on"] = c.escalation_refused_on.isoformat()
                row["escalation_refusal_reason"] = join_ground(
                    c.escalation_refusal_ground, c.escalation_refusal_reason
                )
            if c.withdrawn_on:
                row["withdrawn_on"] = c.withdrawn_on.isoformat()
                row["withdrawal_reason"] = c.withdrawn_reason
            row["issue_arose_on"] = _iso(c.issue_arose_on)
            row["aware_on"] = _iso(c.aware_on)
            row["contractor"] = firms.get(c.contractor_id, "") if c.contractor_id else ""
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


# a PostgreSQL database's audit key (an export must not carry it); the bytes of files received
# kept on a PostgreSQL database (the files themselves are not part of the export)
NOT_EXPORTED = ("audit_anchor", "attachment_content")


def _tables():
    """Every table of the schema (store/models.py), parents before children; never those in
    NOT_EXPORTED."""
    return [t for t in SQLModel.metadata.sorted_tables if t.name not in NOT_EXPORTED]


def _to_json(value):
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return value


def upgrade_export(data: dict) -> dict:
    """An export of an older version read as the current one. Version 1 has none of what version
    2 added, so every such table is empty and every such column takes its default; a version 1
    file that holds any of it was not made by smallhousing, and is refused."""
    version = data.get("version")
    if version == EXPORT_VERSION:
        return data
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version < EXPORT_VERSION:
        raise DomainError(
            f"This export is version {version!r}; this version of smallhousing "
            f"reads versions 1 to {EXPORT_VERSION}."
        )
    tables = data.get("tables")
    if isinstance(tables, dict):
        for v in range(version + 1, EXPORT_VERSION + 1):
            for name in _ADDED_TABLES[v]:
                if name in tables:
                    raise DomainError(
                        f"This export says it is version {version}, which has no {name.replace('_', ' ')} "
                        f"records, yet it holds a table {name}: it was not made by smallhousing. "
                        "Nothing was imported."
                    )
            for name, columns in _ADDED_COLUMNS[v].items():
                rows = tables.get(name)
                if not isinstance(rows, list):
                    continue
                for r in rows:
                    found = [c for c in columns if isinstance(r, dict) and c in r]
                    if found:
                        raise DomainError(
                            f"This export says it is version {version}, which has no {found[0]} on "
                            f"{name.replace('_', ' ')} records, yet one holds it: it was not made by "
                            "smallhousing. Nothing was imported."
                        )
    return {**data, "version": EXPORT_VERSION}


def export_data(db) -> dict:
    """Everything in the database as plain data (the body of the JSON export)."""
    from ..store.db import HEAD_REVISION

    with reading(db) as u:
        tables = {}
        for t in _tables():
            cols = [c.name for c in t.columns]
            rows = u.session.execute(t.select().order_by(*t.primary_key.columns)).all()
            tables[t.name] = [{k: _to_json(v) for k, v in zip(cols, r)} for r in rows]
    return {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "schema": HEAD_REVISION, "tables": tables}


def export_json(db, path: "str | os.PathLike", *, overwrite: bool = False) -> dict[str, int]:
    _check_out(path, db, overwrite)
    data = export_data(db)
    body = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    _write_private(Path(path), body.encode("utf-8"), db, overwrite)
    return {k: len(v) for k, v in data["tables"].items()}


def count_rows(db) -> dict[str, int]:
    with reading(db) as u:
        return {
            t.name: u.session.execute(select(func.count()).select_from(t)).scalar_one() for t in _tables()
        }


def _python_type(col):
    t = getattr(col.type, "impl_instance", col.type)  # a TypeDecorator stores as its impl
    try:
        return t.python_type
    except NotImplementedError:  # pragma: no cover - every column type of the schema has one
        return object


# dates that look ahead (deadlines, reviews, closure days) may be after today, within reason
_FORWARD_DATES = frozenset(
    {"review_on", "next_due_on", "new_due_on", "due_on", "day", "ended_on", "target_on", "works_due_on"}
)
INT_RANGE = (-(2**63), 2**63 - 1)  # SQLite's integers


def _from_json(col, value, today: dt.date | None = None):
    if value is None:
        return None
    pt = _python_type(col)
    where = f"{col.table.name}.{col.name}"
    try:
        if pt is dt.time:  # a time of day (a hazard's clock runs in hours)
            return dt.time.fromisoformat(value)
        if pt is dt.datetime:
            value = dt.datetime.fromisoformat(value)
            if today is not None:
                check_day(value.date(), today, f"{where} ({value:%d/%m/%Y})")
            return value
        if pt is dt.date:
            value = dt.date.fromisoformat(value)
            if today is not None:
                limit = (
                    today.replace(year=today.year + 50, day=min(today.day, 28))
                    if col.name in _FORWARD_DATES
                    else today
                )
                check_day(value, limit, f"{where} ({value:%d/%m/%Y})")
            return value
        if pt is bool:
            if not isinstance(value, bool):
                raise TypeError
        elif pt is int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError
            if not INT_RANGE[0] <= value <= INT_RANGE[1]:
                raise ValueError(
                    f"{where} holds a number too large for any record "
                    f"({str(value)[:30]}{'…' if len(str(value)) > 30 else ''})"
                )
        elif pt is str:
            if not isinstance(value, str):
                raise TypeError
            if "\x00" in value:
                raise ValueError(
                    f"{where} holds a NUL character (byte 0), which no record holds: the file is damaged"
                )
    except ValueError as exc:
        if exc.args and isinstance(exc.args[0], str) and exc.args[0].startswith(where):
            raise DomainError(f"The export has a wrong value: {exc.args[0]}. Nothing was imported.") from None
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


def import_json(
    db, source: "str | os.PathLike | dict", *, progress: Progress | None = None
) -> dict[str, int]:
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
        raise DomainError(f'This file is not a smallhousing export: it has no "format": "{EXPORT_FORMAT}".')
    data = upgrade_export(data)
    tables = data.get("tables")
    if not isinstance(tables, dict):
        raise DomainError("This export has no tables.")
    known = {t.name: t for t in _tables()}
    unknown = sorted(set(tables) - set(known))
    if unknown:
        raise DomainError(
            "This export has tables this version of smallhousing does not know ("
            + ", ".join(unknown)
            + "); it was made by a newer version."
        )
    total = sum(len(v) for v in tables.values() if isinstance(v, list))
    done = 0
    counts: dict[str, int] = {}
    with transaction(db) as u:
        existing = {name: n for name, n in count_rows(u).items() if n}
        if existing:
            what = ", ".join(f"{name.replace('_', ' ')}: {n}" for name, n in existing.items())
            raise DomainError(
                f"This database already holds {sum(existing.values())} records ({what}). "
                "A full import only goes into an empty database: start a new one with "
                "--db NEW.db, or restore a backup instead."
            )
        today = max(u.today, dt.date.today())  # audit times are the real time
        on_sqlite = u.session.connection().dialect.name != POSTGRESQL
        if on_sqlite:  # PostgreSQL checks each reference as it is written: parents come first
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
                    raise DomainError(
                        f"The export's {t.name} has columns this version does not know ("
                        + ", ".join(sorted(extra))
                        + "); it was made by a newer version."
                    )
                row = {k: _from_json(cols[k], val, today) for k, val in r.items()}
                for name, col in cols.items():
                    if name not in row:
                        row[name] = _default(col, t.name)
                batch.append(row)
            for i in range(0, len(batch), 2000):
                try:
                    u.session.execute(insert(t), batch[i : i + 2000])
                except IntegrityError:
                    if on_sqlite:
                        raise
                    raise DomainError(
                        f"The export is not consistent: rows of {t.name} point at records that are "
                        "not in it, or repeat one. Nothing was imported."
                    ) from None
                done += len(batch[i : i + 2000])
                if progress:
                    progress(done, total)
            counts[t.name] = len(batch)
        u.session.flush()
        reset_sequences(u.session.connection(), [t.name for t in _tables() if "id" in t.c])
        # an older export's service requests had no target date: worked out as after an upgrade
        from .service_requests import fill_missing_targets

        fill_missing_targets(u)
        bad = u.session.execute(text("PRAGMA foreign_key_check")).all() if on_sqlite else []
        if bad:
            raise DomainError(
                f"The export is not consistent: {len(bad)} rows point at records that "
                f"are not in it (first in {bad[0][0]}). Nothing was imported."
            )
    return counts
