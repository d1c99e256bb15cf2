"""Finding a record by what the user remembers of it: a complaint by its reference or the resident's
name, a resident by name. Used by the command palette (screens/palette.py) as the user types.

``record_index(db)`` reads every complaint's reference and resident, and every resident's name, once,
with plain SQL (services/reads.py, no ORM); ``RecordIndex.find`` then answers each keystroke from
memory, without touching the file. Matching ignores capitals and accents (``sian`` finds ``Siân``)
and takes the words in any order. Anonymised residents are never offered.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field

from .reads import day, plain_reading


def fold(text: str) -> str:
    """Text as it is compared: no capitals, no accents (NFKD, combining marks dropped)."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@dataclass(frozen=True)
class FoundComplaint:
    id: int
    reference: str
    resident: str
    received_on: dt.date | None
    stage: int
    state: str
    key: str = field(default="", compare=False, repr=False)  # the folded reference and resident


@dataclass(frozen=True)
class FoundResident:
    id: int
    name: str
    address: str
    postcode: str
    key: str = field(default="", compare=False, repr=False)  # the folded name


@dataclass(frozen=True)
class Found:
    complaints: list[FoundComplaint]
    residents: list[FoundResident]


class RecordIndex:
    """Complaints (newest first) and residents (by name), ready to be searched in memory."""

    def __init__(self, complaints: list[FoundComplaint], residents: list[FoundResident]) -> None:
        self.complaints = complaints
        self.residents = residents

    def find(self, text: str, *, limit: int = 5) -> Found:
        """At most ``limit`` complaints and ``limit`` residents whose words hold every word typed.

        A complaint whose reference is exactly what was typed comes first, then those whose
        reference starts with it, then the rest, newest first. Nothing is found for less than two
        characters, so that a single letter does not list everyone."""
        query = fold(text).strip()
        words = query.split()
        if len(query) < 2 or not words:
            return Found([], [])

        def rank(c: FoundComplaint) -> int:
            ref = fold(c.reference)
            return 0 if ref == query else 1 if ref.startswith(query) else 2

        complaints = [c for c in self.complaints if all(w in c.key for w in words)]
        complaints.sort(key=rank)  # stable: newest first within each rank
        residents = [r for r in self.residents if all(w in r.key for w in words)]
        return Found(complaints[:limit], residents[:limit])


def record_index(db) -> RecordIndex:
    """Every complaint and every resident not anonymised, read once (plain SQL)."""
    with plain_reading(db) as r:
        complaint_rows = r.rows(
            "SELECT c.id, c.reference, res.name, c.received_on, c.stage, c.state FROM complaint c "
            "JOIN resident res ON res.id = c.resident_id ORDER BY c.received_on DESC, c.id DESC"
        )
        resident_rows = r.rows(
            "SELECT id, name, address, postcode FROM resident WHERE anonymised_on IS NULL ORDER BY name, id"
        )
    complaints = [
        FoundComplaint(cid, ref, name or "", day(received), stage, state, fold(f"{ref} {name or ''}"))
        for cid, ref, name, received, stage, state in complaint_rows
    ]
    residents = [
        FoundResident(rid, name or "", address or "", postcode or "", fold(name or ""))
        for rid, name, address, postcode in resident_rows
    ]
    return RecordIndex(complaints, residents)


def find_records(db, text: str, *, limit: int = 5) -> Found:
    """Complaints and residents matching ``text`` (see RecordIndex.find), read afresh."""
    return record_index(db).find(text, limit=limit)
