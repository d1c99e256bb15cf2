"""What every use case shares: one transaction (a Unit), the landlord's calendar, the audit trail."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from contextlib import contextmanager
from typing import Any, Iterator

from sqlalchemy import event, func, insert, inspect, text
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import NO_VALUE, instance_state
from sqlmodel import Session, SQLModel, select

from ..domain.calendar import WorkingCalendar
from ..domain.dates import parse_date  # noqa: F401  (used by screens and CLI through here too)
from ..domain.errors import DomainError
from ..store.db import Database
from ..store.models import AuditEntry, ClosureDay

__all__ = ["Unit", "transaction", "reading", "DomainError", "NotFound", "to_plain", "audit",
           "audit_removed"]


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
        # the audit key, how many audit entries there are, and the log's head once this Unit has
        # written entries (id, hash, count): written beside the database after the commit
        self._key: bytes | None = None
        self._audit_count = 0
        self._head: tuple[int, str, int] | None = None
        # rows looked up again and again within one transaction (a complaint's stages and
        # extensions); only the use cases that create those rows add to it
        self.cache: dict = {}
        # audit entries are chained and written when the transaction ends, so that new rows
        # have their ids by then without a flush for each one
        self._pending: list[tuple[dict, SQLModel | None]] = []
        # the next free id of each table that ``add`` has given ids in, and the rows it gave them
        # to (not yet written, so the session cannot find them by id)
        self._next_id: dict = {}
        self._added: dict = {}
        # With autoflush off (as demo data turns it), a query still sees the rows made before it
        # in the Unit: they are written first. The CSV import, whose caches answer every query
        # that needs them, sets this False so that nothing is written until the end.
        self.flush_before_queries = True

    def _began(self, _session, _transaction, connection) -> None:
        # SQLite counts every row changed on a connection: noted when the Unit first uses it, so
        # that at the end ``_wrote`` knows whether anything at all was written (by any means)
        self._changes_at_start = connection.connection.dbapi_connection.total_changes

    def _wrote(self) -> bool:
        """Whether this Unit has changed any row so far (pending changes included)."""
        if self._pending or self.s.new or self.s.dirty or self.s.deleted:
            return True
        start = getattr(self, "_changes_at_start", None)
        if start is None:
            return False  # never touched the database
        con = self.s.connection().connection.dbapi_connection
        return con.total_changes != start

    @property
    def cal(self) -> WorkingCalendar:
        if self._cal is None:
            self._cal = calendar_from(self.s)
        return self._cal

    def add(self, obj, /, **values) -> SQLModel:
        """Add a new row and give it its id at once; it is written with the next flush.

        Every row made in a Unit comes through here. The Unit holds the write lock (BEGIN
        IMMEDIATE), so no one else can insert meanwhile: the next id of a table is counted here,
        from the largest id there when the table is first added to, instead of flushing each row
        to learn its id. Pending rows are written in batches by ``flush`` (at the latest when the
        Unit ends), or by a query that autoflushes.

        ``u.add(Model, field=value, ...)`` makes the row too, as ``Model(field=value, ...)`` would
        but quicker (see ``_build``), and returns it.
        """
        if isinstance(obj, type):
            obj = _build(obj, values, self._new_id(obj) if values.get("id") is None else None)
        elif values:
            raise TypeError("Unit.add takes field values only with a model class")
        if obj.id is None:
            obj.id = self._new_id(obj.__class__)
        self.s.add(obj)
        self._added[(obj.__class__, obj.id)] = obj
        return obj

    def _new_id(self, model) -> int:
        n = self._next_id.get(model)
        if n is None:
            if not self._next_id:
                # an autoflush (a plain session flush) writes tables in name order, so a row may
                # go in before the row it points at: check the links at commit
                self.s.execute(text("PRAGMA defer_foreign_keys = ON"))
                event.listen(self.s, "before_flush", self._ids_for_unlisted)
                event.listen(self.s, "do_orm_execute", self._before_query)
            pending = [o.id for o in self.s.new if o.__class__ is model]
            if None in pending:
                self.flush()  # rows added without ``add`` take their ids from SQLite first
                pending = [o.id for o in self.s.new if o.__class__ is model]
            top = self.s.execute(select(func.max(model.id))).scalar()
            n = max([top or 0, *pending]) + 1
        self._next_id[model] = n + 1
        return n

    def flush(self) -> None:
        """Write every pending change. New rows with ids go in table by table, parents first,
        with one INSERT per table: a plain session flush is slower, row by row, and writes tables
        in name order, so that rows could go in before the rows they point at, which SQLite
        accepts (the check is at commit) but makes slow: it then searches the child tables for
        every parent row written."""
        new = list(self.s.new)
        if not self._next_id or not new:
            self.s.flush()
            return
        ready: dict = {}
        for o in new:
            if o.id is None and o.__class__ in self._next_id:
                o.id = self._new_id(o.__class__)
                self._added[(o.__class__, o.id)] = o
            if o.id is not None:
                ready.setdefault(o.__table__, []).append(o)
        for rows in ready.values():
            for o in rows:
                self.s.expunge(o)
        self.s.flush()  # changes to rows already written, and new rows SQLite numbers itself
        for t in _table_order():  # one model per table
            if t in ready:
                _insert_rows(self.s, t, ready[t])

    def _before_query(self, state) -> None:
        s = self.s
        if not s.autoflush and self.flush_before_queries and state.is_select and s.new:
            self.flush()

    def _ids_for_unlisted(self, session, _ctx, _instances) -> None:
        # a new row put in with session.add in a table that ``add`` counts ids for gets the next
        # count too (SQLite would give it one of the ids already handed out)
        for o in session.new:
            if getattr(o, "id", 0) is None and o.__class__ in self._next_id:
                o.id = self._new_id(o.__class__)
                self._added[(o.__class__, o.id)] = o

    def forget_calendar(self) -> None:
        self._cal = None

    def get(self, model, ident: int, what: str):
        obj = self._added.get((model, ident))
        if obj is not None and inspect(obj).deleted:
            obj = None
        if obj is None and ident is not None:
            obj = self.s.get(model, ident)
        if obj is None:
            raise NotFound(f"There is no {what} with id {ident}.")
        return obj


_ORDER: list = []
_COLUMNS: dict = {}
_BUILDERS: dict = {}


def _build(model, values: dict, new_id: int | None = None) -> SQLModel:
    """The row ``model(**values)`` makes, made without SQLModel's constructor; given ``new_id``,
    the row that then has ``row.id = new_id`` set.

    For a table model, SQLModel's constructor sets every field (those given, then the defaults of
    the others, each in the model's order) through the model's ``__setattr__``, which hands each
    value to SQLAlchemy's instrumented attribute and again to pydantic, and then records which
    fields were given. For a new row with no attribute events, what the instrumented attributes do
    comes to this: each value goes in the row's ``__dict__`` and is noted as changed from nothing,
    and the row is marked modified. Here that is done in one step per row, after SQLAlchemy has
    made the row and its state as its own constructor does: the row, its SQLAlchemy state and its
    pydantic state come out the same (tests/test_unit_ids.py compares them for every table).
    Models using what this leaves out (aliases, relationships, extra fields, post-init hooks,
    attribute events) are made by their constructor.
    """
    spec = _BUILDERS.get(model)
    if spec is None:
        spec = _BUILDERS[model] = _build_spec(model)
    if spec is False:
        obj = model(**values)
        if new_id is not None:
            obj.id = new_id
        return obj
    manager, names, defaults = spec
    given = {name: values[name] for name in names if name in values}
    ordered = dict(given)
    for name, f, default in defaults:
        if name not in given:
            ordered[name] = f.get_default(call_default_factory=True) if f else default
    obj = manager.new_instance()  # as SQLAlchemy's constructor: the row and its state
    state = instance_state(obj)
    manager.dispatch.init(state, (), {})
    obj.__dict__.update(ordered)
    state.committed_state.update(dict.fromkeys(ordered, NO_VALUE))
    state._modified_event(obj.__dict__, None, None)
    if new_id is not None:
        # as setting it would: the value changes in place, and pydantic counts the field as set
        obj.__dict__["id"] = new_id
        given["id"] = new_id
    object.__setattr__(obj, "__pydantic_fields_set__", set(given))
    return obj


def _build_spec(model):
    if (getattr(model, "__table__", None) is None or model.__sqlmodel_relationships__
            or model.__pydantic_post_init__ is not None or model.__pydantic_root_model__
            or model.model_config.get("extra") == "allow"
            or any(f.alias for f in model.model_fields.values())):
        return False
    model.__mapper__._check_configure()  # the attributes get their implementations here
    manager = model._sa_class_manager
    for name in model.model_fields:
        impl = manager[name].impl
        # (active history, which primary keys have, only changes how the old value is found:
        # a new row has none)
        if (impl is None or impl.__class__.__name__ not in ("_ScalarAttributeImpl", "ScalarAttributeImpl")
                or impl.dispatch.set or not impl.send_modified_events):
            return False
    # the defaults, in the model's order: a plain value (pydantic gives it as it is), or the field
    # to ask each time (a default factory, or a value pydantic would copy)
    defaults = [(name, None if f.default_factory is None and type(f.default) in _AS_IS else f, f.default)
                for name, f in model.model_fields.items() if not f.is_required()]
    return manager, list(model.model_fields), defaults


_AS_IS = (type(None), str, int, bool, float)


def _insert_rows(session: Session, table, rows: list) -> None:
    """INSERT new rows (objects not in the session, with their ids) in one batch, then put them
    in the session as written rows, as a session flush would have left them.

    The INSERT is SQLAlchemy's own statement for the table, run as one plain executemany with the
    values put through the columns' own conversions for the database (dates become SQLite's
    text), as SQLAlchemy's insert would do with them."""
    model = rows[0].__class__
    conn = session.connection()
    spec = _COLUMNS.get(model)
    if spec is None:
        cols = [(p.key, p.columns[0]) for p in inspect(model).column_attrs]
        compiled = insert(table).compile(dialect=conn.dialect, column_keys=[c.key for _, c in cols])
        by_key = {c.key: (attr, c) for attr, c in cols}
        order = [by_key[k] for k in compiled.positiontup]
        spec = _COLUMNS[model] = (
            compiled.string,
            [attr for attr, _ in order],
            # columns whose default stands in for None, as a session flush does
            [(n, attr, c.default) for n, (attr, c) in enumerate(order) if c.default is not None],
            [(n, f) for n, (_, c) in enumerate(order)
             if (f := c.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)) is not None])
    sql, attrs, defaults, convert = spec
    data = []
    for o in rows:
        d = o.__dict__
        values = [d.get(a) for a in attrs]
        for n, attr, default in defaults:
            if values[n] is None:
                v = values[n] = default.arg(None) if default.is_callable else default.arg
                setattr(o, attr, v)
        for n, f in convert:
            values[n] = f(values[n])
        data.append(tuple(values))
    conn.exec_driver_sql(sql, data)
    for o in rows:
        make_transient_to_detached(o)
    session.add_all(rows)


def _table_order() -> list:
    """Every table, parents before children."""
    if not _ORDER:
        _ORDER.extend(SQLModel.metadata.sorted_tables)
    return _ORDER


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
        event.listen(s, "after_begin", u._began)
        yield u
        if u._wrote():
            from .publishing import check_published

            check_published(u)
        write_audit(u)
    if u._head is not None:  # committed: the log's new head goes beside the database
        _write_head(db, u._head)


def _write_head(db: Database, head: tuple[int, str, int]) -> None:
    from .audit_anchor import write_head

    try:
        write_head(db.path, *head)
    except OSError:
        # the change is saved; a head that could not be rewritten is one entry behind, which
        # verify accepts (it only refuses a head that the log no longer holds)
        pass


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


_FIELD_NAMES: dict = {}


def to_plain(obj: SQLModel | None) -> dict:
    """A row's fields as plain values (dates as ISO text), for audit snapshots.

    What ``obj.model_dump()`` gives for a table row, read straight from the row: its loaded fields
    in the order of its ``__dict__`` (an attribute expired or never loaded is left out, as
    model_dump leaves it out). tests/test_services_audit.py checks the two agree.
    """
    if obj is None:
        return {}
    cls = obj.__class__
    names = _FIELD_NAMES.get(cls)
    if names is None:
        if getattr(cls, "__table__", None) is None:  # not a table row: no shortcut
            return {k: _plain(v) for k, v in obj.model_dump().items()}
        names = _FIELD_NAMES[cls] = frozenset(cls.model_fields)
    dates = (dt.date, dt.datetime)
    return {k: v.isoformat() if isinstance(v, dates) else v
            for k, v in obj.__dict__.items() if k in names}


def snapshot(obj: SQLModel) -> dict:
    """A row's values as they are now, for ``changes_since``: a plain copy of what the row holds,
    cheaper than to_plain."""
    return dict(obj.__dict__)


def changes_since(snap: dict, obj: SQLModel, *, skip: str = "") -> tuple[dict, dict]:
    """What changed in a table row since ``snap = snapshot(obj)``, as plain values before and
    after: ``changed(to_plain(<the row then>), to_plain(obj))``, with the field ``skip`` left out,
    without making either snapshot whole. tests/test_services_audit.py checks the two agree."""
    names = _FIELD_NAMES.get(obj.__class__)
    if names is None:
        to_plain(obj)  # learns the field names of a table row
        names = _FIELD_NAMES[obj.__class__]
    before, after = {}, {}
    dates = (dt.date, dt.datetime)
    for k, v in obj.__dict__.items():
        if k in names and k != skip:
            old = snap.get(k)
            if old is not v:  # the same value is the same plain value
                if isinstance(old, dates):
                    old = old.isoformat()
                if isinstance(v, dates):
                    v = v.isoformat()
                if old != v:
                    before[k], after[k] = old, v
    return before, after


def changed(before: dict, after: dict) -> tuple[dict, dict]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def payload_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entry_hash(prev_hash: str, at: str, actor: str, action: str, entity: str,
               entity_id: int | None, complaint_id: int | None, before: str, after: str, *,
               digests: tuple[str, str] | None = None, key: bytes | None = None) -> str:
    """The hash that chains an audit entry to the one before it.

    It covers the digests of the before and after texts rather than the texts themselves, so that
    personal data can later be erased from an entry (keeping its digests) without breaking the chain.
    Given ``key`` (the audit key beside the database, services/audit_anchor.py) it is an
    HMAC-SHA256 under that key, which cannot be made again without the key; without, a plain
    SHA-256, as every entry was before the key was introduced.
    """
    bd, ad = digests or (payload_digest(before), payload_digest(after))
    payload = _HASH_JSON.encode([prev_hash, at, actor, action, entity, entity_id, complaint_id, bd, ad])
    if key is not None:
        return hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def at_text(value) -> str:
    """An audit entry's time as it is hashed: ISO text in UTC, from the value stored."""
    at = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.timezone.utc)
    return at.isoformat()


# json.dumps(value, ensure_ascii=False, separators=(",", ":")), without an encoder for each call
_HASH_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


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


def audit_removed(u: Unit, action: str, obj: SQLModel, *, entity: str | None = None,
                  complaint_id: int | None = None) -> None:
    """Note that a row is deleted: its fields as ``before`` and nothing ``after``, which is how
    verify's replay of the log knows the row is meant to be gone."""
    audit(u, action, entity=entity or obj.__class__.__name__.lower(), entity_id=obj.id,
          before=to_plain(obj), after={}, complaint_id=complaint_id)


def _start_chain(u: Unit, conn) -> None:
    """Learn where the chain ends (the newest entry's hash, how many entries there are) and which
    key to chain with, once per Unit; note the start of a keyed run when the newest entry was not
    chained with the key beside the database (a log from before keys, or a key lost or replaced)."""
    from . import audit_anchor as A

    key = A.key_for_writing(u.db.path)
    last = conn.exec_driver_sql(
        "SELECT id, at, actor, action, entity, entity_id, complaint_id, before, after, prev_hash, "
        "hash FROM audit_entry ORDER BY id DESC LIMIT 1").first()
    u._audit_count = conn.exec_driver_sql("SELECT count(*) FROM audit_entry").scalar() or 0
    u._key = key
    u._last_hash = last.hash if last is not None else ""
    marker = None
    if last is None:
        marker = A.KEY_INTRODUCED
    else:
        dig = conn.exec_driver_sql("SELECT before_digest, after_digest FROM audit_redaction "
                                   "WHERE entry_id = ?", (last.id,)).first()
        args = (last.prev_hash, at_text(last.at), last.actor, last.action, last.entity,
                last.entity_id, last.complaint_id, last.before, last.after)
        digests = tuple(dig) if dig is not None else None
        if entry_hash(*args, digests=digests, key=key) != last.hash:
            marker = (A.KEY_INTRODUCED if entry_hash(*args, digests=digests) == last.hash
                      else A.KEY_REPLACED)
    if marker is not None:
        after: dict = {"key_id": A.key_id(key)}
        if marker == A.KEY_INTRODUCED and last is not None:
            # the rows already there (made by versions that did not audit every row as it was
            # made): verify compares what the log says of them, but cannot ask for their creation
            # (an empty log is a new file: nothing in it was made unaudited)
            after["rows_before"] = _rows_before(conn)
        u._pending.insert(0, ({"action": marker, "entity": A.KEY_ENTITY, "entity_id": None,
                               "complaint_id": None, "before": {}, "after": after}, None))


def _rows_before(conn) -> dict:
    out = {}
    for t in _table_order():
        if t.name not in ("audit_entry", "audit_redaction") and "id" in t.c:
            top = conn.exec_driver_sql(f'SELECT max(id) FROM "{t.name}"').scalar()
            if top:
                out[t.name] = top
    return out


def write_audit(u: Unit) -> None:
    """Append the noted changes to the audit log, each carrying the hash of the one before (an
    HMAC under the audit key), with one public Core INSERT run as an executemany."""
    if not u._pending:
        return
    u.flush()  # every new row now has its id
    conn = u.s.connection()
    if u._last_hash is None:
        _start_chain(u, conn)
    at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    at_txt = at.isoformat()
    actor, prev, key = u.actor, u._last_hash, u._key
    dump = _SORTED_JSON.encode
    rows = []
    for e, obj in u._pending:
        if obj is not None:
            # read from the row as its attributes would give them (it is loaded: it has just
            # been written or read), without going through them
            d = obj.__dict__
            oid = d["id"] if "id" in d else getattr(obj, "id", None)
            if e["entity_id"] is None:
                e["entity_id"] = oid
            if "id" in e["after"] and e["after"]["id"] is None:
                e["after"]["id"] = oid
            if e["complaint_id"] is None:
                cid = d["complaint_id"] if "complaint_id" in d else getattr(obj, "complaint_id", None)
                if isinstance(cid, int):
                    e["complaint_id"] = cid
        b = dump(e["before"])
        a = dump(e["after"])
        h = entry_hash(prev, at_txt, actor, e["action"], e["entity"], e["entity_id"],
                       e["complaint_id"], b, a, key=key)
        rows.append({"at": at, "actor": actor, "action": e["action"], "entity": e["entity"],
                     "entity_id": e["entity_id"], "complaint_id": e["complaint_id"], "before": b,
                     "after": a, "prev_hash": prev, "hash": h})
        prev = h
    # one executemany, in order, so ids follow the chain
    conn.execute(insert(AuditEntry.__table__), rows)
    u._last_hash = prev
    u._audit_count += len(rows)
    last_id = conn.exec_driver_sql("SELECT max(id) FROM audit_entry").scalar()
    u._head = (last_id, prev, u._audit_count)
    u._pending.clear()


# json.dumps(value, ensure_ascii=False, sort_keys=True), without making an encoder for each call
_SORTED_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True)


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


