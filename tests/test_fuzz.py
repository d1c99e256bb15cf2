"""Fuzzing with hypothesis: the CSV importer never crashes or half-writes, and typed text always
comes out literally in a letter."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smallhousing.domain.errors import DomainError
from smallhousing.domain.words import has_words
from smallhousing.services import complaints as C
from smallhousing.services import letters, residents, transfer
from smallhousing.services import settings as S
from smallhousing.store.db import Database

TODAY = dt.date(2026, 3, 2)
COLUMNS = [
    "reference",
    "received_on",
    "resident_name",
    "address",
    "channel",
    "category",
    "summary",
    "definition",
    "stage1_handler",
    "stage1_acknowledged_on",
    "stage1_extended_to",
    "stage1_extension_reason",
    "stage1_responded_on",
    "stage1_decision",
    "stage1_reasons",
    "stage2_requested_on",
    "stage2_handler",
    "compensation_gbp",
    "outstanding_actions",
    "closed_on",
    "refused_on",
    "refusal_reason",
    "not_a_column",
]

DATEISH = st.one_of(
    st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2027, 12, 31)).map(lambda d: d.isoformat()),
    st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2027, 12, 31)).map(
        lambda d: d.strftime("%d/%m/%Y")
    ),
    st.sampled_from(["", "31/02/2025", "2025-13-01", "yesterday", "01/01/25", "2025-1-1"]),
)
CELL = st.one_of(
    DATEISH,
    st.text(max_size=30),
    st.sampled_from(
        [
            "upheld",
            "Partly Upheld",
            "not upheld",
            "maybe",
            "£150",
            "150.00",
            "-5",
            "abc",
            "Ann",
            "Bob",
            "repairs;damp and mould",
            "phone",
        ]
    ),
)


def _counts(path) -> tuple:
    con = sqlite3.connect(str(path))
    try:
        return tuple(
            con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("complaint", "resident", "staff", "stage", "audit_entry")
        )
    finally:
        con.close()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    header=st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=12, unique=True),
    rows=st.lists(st.lists(CELL, min_size=0, max_size=14), max_size=6),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
)
@pytest.mark.slow
def test_csv_import_never_crashes_or_half_writes(tmp_path_factory, header, rows, encoding):
    path = tmp_path_factory.mktemp("fuzz") / "f.db"
    db = Database(path, today=TODAY).open()
    try:
        residents.add_resident(db, "Already Here")
        before = _counts(path)
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(header)
        for r in rows:
            w.writerow(r[: len(header) + 1])
        raw = buf.getvalue().encode(encoding, errors="replace")
        try:
            result = transfer.import_csv(db, raw, name="fuzz.csv")
        except DomainError as exc:
            assert str(exc)
            assert _counts(path) == before, "a refused import wrote something"
            for p in getattr(exc, "problems", []):
                assert str(p).startswith("line ")
        else:
            assert _counts(path)[0] == before[0] + result.complaints
    finally:
        db.close()


TYPED = st.text(
    alphabet=st.sampled_from(
        list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789 .,;:!?()-/'\"<>&£%éèêëàâçôûüïñøåæœŵŷâîÔŴŶÉ")
    ),
    min_size=1,
    max_size=80,
).filter(has_words)  # text without a word in it is refused before any letter, as it should be


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.slow
@given(name=TYPED, definition=TYPED, reasons=TYPED)
def test_typed_text_is_literal_in_the_letter(tmp_path_factory, name, definition, reasons):
    import pypdf

    path = tmp_path_factory.mktemp("letter") / "l.db"
    db = Database(path, today=TODAY).open()
    try:
        S.update_settings(db, name="Fuzz Homes", address="1 Road")
        a = S.add_staff(db, "Ann Handler")
        rid = residents.add_resident(db, name, address="2 Road").id
        c = C.log_complaint(db, rid, dt.date(2026, 2, 2), "The roof leaks")
        C.acknowledge(db, c.id, definition, handler_id=a.id, on=dt.date(2026, 2, 3))
        C.respond(
            db, c.id, "upheld", reasons, remedy_statement="No remedy is offered.", on=dt.date(2026, 2, 10)
        )
        content = letters.letter_content(db, c.id, "response", stage=1)
        pdf = letters.render_pdf(content)
        text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
        flat = _squash(text)
        for typed in (name, definition, reasons):
            if _squash(typed):
                assert _squash(typed) in flat, typed
    finally:
        db.close()
