"""What every use case shares: one transaction (a Unit), the landlord's calendar, the audit trail."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from contextlib import contextmanager
from typing import Any, Iterator

from sqlalchemy import insert
from sqlmodel import Session, SQLModel, select

from ..domain.calendar import WorkingCalendar
from ..domain.errors import DomainError
from ..store.db import Database
from ..store.models import AuditEntry, ClosureDay

__all__ = ["Unit", "transaction", "reading", "DomainError", "NotFound", "to_plain", "audit"]


class NotFound(DomainError):
    """A record named by the user does not exist."""


class Unit:
    """One transaction, with what the use cases in it need: the session, today, the calendar."""

    def __init__(self, db: Database, session: Session) -> None:
        self.db = db
        self.s = session
        self.today: dt.date = db.today()
        self.actor = db.actor
        self._cal: WorkingCalendar | None = None
        self._last_hash: str | None = None
        # rows looked up again and again within one transaction (a complaint's stages and
        # extensions); only the use cases that create those rows add to it
        self.cache: dict = {}
        # audit entries are chained and written when the transaction ends, so that new rows
        # have their ids by then without a flush for each one
        self._pending: list[tuple[dict, SQLModel | None]] = []

    @property
    def cal(self) -> WorkingCalendar:
        if self._cal is None:
            self._cal = calendar_from(self.s)
        return self._cal

    def add(self, obj: SQLModel) -> SQLModel:
        """Add a new row and give it its id at once."""
        self.s.add(obj)
        self.s.flush()
        return obj

    def forget_calendar(self) -> None:
        self._cal = None

    def get(self, model, ident: int, what: str):
        obj = self.s.get(model, ident) if ident is not None else None
        if obj is None:
            raise NotFound(f"There is no {what} with id {ident}.")
        return obj


def calendar_from(session: Session) -> WorkingCalendar:
    from .holiday_cache import ensure_loaded

    ensure_loaded()
    rows = session.exec(select(ClosureDay.day, ClosureDay.reason)).all()
    return WorkingCalendar.with_closures((d, r) for d, r in rows)


@contextmanager
def transaction(db: "Database | Unit") -> Iterator[Unit]:
    """A Unit to work in. Given a Unit already open, works inside it (no separate commit)."""
    if isinstance(db, Unit):
        yield db
        return
    with db.session() as s:
        u = Unit(db, s)
        yield u
        write_audit(u)


@contextmanager
def reading(db: "Database | Unit") -> Iterator[Unit]:
    """A Unit for queries only: never takes the write lock."""
    if isinstance(db, Unit):
        yield db
        return
    with db.reading() as s:
        yield Unit(db, s)


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def to_plain(obj: SQLModel | None) -> dict:
    if obj is None:
        return {}
    return {k: _plain(v) for k, v in obj.model_dump().items()}


def changed(before: dict, after: dict) -> tuple[dict, dict]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def payload_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entry_hash(prev_hash: str, at: str, actor: str, action: str, entity: str,
               entity_id: int | None, complaint_id: int | None, before: str, after: str, *,
               digests: tuple[str, str] | None = None) -> str:
    """The hash that chains an audit entry to the one before it.

    It covers the digests of the before and after texts rather than the texts themselves, so that
    personal data can later be erased from an entry (keeping its digests) without breaking the chain.
    """
    bd, ad = digests or (payload_digest(before), payload_digest(after))
    payload = json.dumps([prev_hash, at, actor, action, entity, entity_id, complaint_id, bd, ad],
                         ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def audit(u: Unit, action: str, obj: SQLModel | None = None, *, entity: str | None = None,
          entity_id: int | None = None, before: dict | None = None, after: dict | None = None,
          complaint_id: int | None = None) -> None:
    """Note one change for the audit log; written, chained by hash, when the transaction ends."""
    if obj is not None:
        entity = entity or obj.__class__.__name__.lower()
        if entity_id is None:
            entity_id = getattr(obj, "id", None)
        if after is None:
            after = to_plain(obj)
    u._pending.append(({"action": action, "entity": entity or "", "entity_id": entity_id,
                        "complaint_id": complaint_id, "before": before or {}, "after": after or {}},
                       obj))


def write_audit(u: Unit) -> None:
    """Append the noted changes to the audit log, each carrying the hash of the one before."""
    if not u._pending:
        return
    u.s.flush()  # every new row now has its id
    if u._last_hash is None:
        last = u.s.exec(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).first()
        u._last_hash = last or ""
    at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    rows = []
    for e, obj in u._pending:
        if obj is not None:
            oid = getattr(obj, "id", None)
            if e["entity_id"] is None:
                e["entity_id"] = oid
            if "id" in e["after"] and e["after"]["id"] is None:
                e["after"]["id"] = oid
            if e["complaint_id"] is None and isinstance(getattr(obj, "complaint_id", None), int):
                e["complaint_id"] = obj.complaint_id
        b = json.dumps(e["before"], ensure_ascii=False, sort_keys=True)
        a = json.dumps(e["after"], ensure_ascii=False, sort_keys=True)
        h = entry_hash(u._last_hash, at.isoformat(), u.actor, e["action"], e["entity"], e["entity_id"],
                       e["complaint_id"], b, a)
        rows.append({"at": at, "actor": u.actor, "action": e["action"], "entity": e["entity"],
                     "entity_id": e["entity_id"], "complaint_id": e["complaint_id"], "before": b,
                     "after": a, "prev_hash": u._last_hash, "hash": h})
        u._last_hash = h
    # one multi-row INSERT, in order, so ids follow the chain
    u.s.execute(insert(AuditEntry), rows)
    u._pending.clear()


def update_fields(u: Unit, obj: SQLModel, action: str, complaint_id: int | None = None,
                  **values) -> SQLModel:
    """Set fields on a row and audit exactly what changed."""
    before = to_plain(obj)
    for k, v in values.items():
        if not hasattr(obj, k):
            raise DomainError(f"Unknown field {k!r}.")
        setattr(obj, k, v)
    u.s.add(obj)
    b, a = changed(before, to_plain(obj))
    if b or a:
        audit(u, action, obj, before=b, after=a, complaint_id=complaint_id)
    return obj


def clean(text: str | None) -> str:
    """Text as typed, less surrounding whitespace (never escaped or altered inside)."""
    return (text or "").strip()


def parse_date(value: "str | dt.date | None", what: str = "date") -> dt.date | None:
    """'2025-12-17' or '17/12/2025' (UK order) -> date; None stays None."""
    if value is None or isinstance(value, dt.date):
        return value
    s = str(value).strip()
    if not s:
        return None
    try:
        if "/" in s:
            d, m, y = s.split("/")
            if len(y) != 4:
                raise ValueError
            return dt.date(int(y), int(m), int(d))
        if len(s) == 10 and s[4] == "-" and s[7] == "-":
            return dt.date.fromisoformat(s)
        raise ValueError
    except ValueError:
        raise DomainError(f"{s!r} is not a valid {what}: write it as 2025-12-17 or 17/12/2025.",
                          field=what) from None
