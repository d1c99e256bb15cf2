"""Checks that the records are whole: SQLite's own integrity check, the audit log's keyed hash
chain and its head kept beside the database, and the records themselves against the audit log.

The audit log is replayed: each entry's ``after`` holds a row's fields as they were audited (the
whole row when it was made, the fields that changed since), so replaying the entries in order
gives every audited row as the log says it should be. Each table's rows are then compared with
that, field by field: a value changed, a row deleted or a row added behind the app's back shows.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass, field

from .. import paths
from . import audit_anchor as A
from .base import at_text, entry_hash

MAX_PROBLEMS = 20

# Fields kept on a row for speed that are worked out from other records, and so are neither
# audited every time they change nor compared: a change to them changes no record, and the app
# works them out again (services/complaints.py ``_refresh``, ``search_text_for``).
DERIVED = {
    "complaint": {
        "next_step": "the next step, worked out from the stages, extensions and closure days",
        "next_due_on": "the next deadline, worked out as next_step is",
        "search_text": "the words the list filters on, made from the reference, resident and text",
        "handler_id": "the current stage's handler, copied from the stage (which is compared)",
        "version": "how many times it has been saved, so that two people saving at once are told",
    },
    "hazard": {
        "version": "how many times it has been saved, so that two people saving at once are told",
    },
}

LABELS = {
    "outstandingaction": "outstanding action",
    "servicerequest": "service request",
    "handlerassignment": "handler assignment",
    "landlordsettings": "settings record",
    "closureday": "closure day",
    "homesyear": "homes-per-year record",
    "yearpublication": "published figures",
    "learningpoint": "learning point",
    "ombudsmancase": "Ombudsman case",
    "ombudsmanorder": "Ombudsman order",
    "selfassessmententry": "self-assessment entry",
}
FIELD_LABELS = {"amount_pence": "amount"}


@dataclass
class VerifyResult:
    problems: list[str] = field(default_factory=list)
    audit_entries: int = 0
    complaints: int = 0
    rows_compared: int = 0
    keyed: bool = False  # whether the log's entries are chained with the audit key
    head: str = ""  # the newest entry's hash

    @property
    def ok(self) -> bool:
        return not self.problems


def audited_tables() -> dict[str, tuple[str, list[str]]]:
    """entity name (as audit entries name it) -> (table, its columns), for every table whose
    changes the services audit: every table but the audit log's own."""
    from sqlmodel import SQLModel  # noqa: F401  (the tables register with its metadata)

    from ..store import models as M

    out = {}
    for m in vars(M).values():
        t = getattr(m, "__table__", None)
        if (
            isinstance(m, type)
            and t is not None
            and t.name not in ("audit_entry", "audit_redaction", "audit_anchor", "attachment_content")
        ):
            out[m.__name__.lower()] = (t.name, [c.name for c in t.columns])
    return out


def verify(db) -> VerifyResult:
    """Run every check; each problem found is one plain sentence.

    On PostgreSQL the server keeps its own pages whole and enforces every reference as it is
    written, so SQLite's integrity and foreign-key checks have nothing to add there: the audit
    chain, its head and the replay are checked the same way on both."""
    if getattr(db, "dialect", "sqlite") != "sqlite":
        return _verify_on_server(db)
    res = VerifyResult()
    con = sqlite3.connect(f"file:{db.path}?mode=ro", uri=True, timeout=5)
    try:
        rows = [r[0] for r in con.execute("PRAGMA integrity_check")]
        if rows != ["ok"]:
            res.problems.append(
                "SQLite's integrity check failed: " + "; ".join(rows[:5]) + ". Restore the latest backup."
            )
        fk = con.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            res.problems.append(
                f"{len(fk)} records point at records that no longer exist (first in table {fk[0][0]})."
            )
        _check_all(con, db, res)
    except sqlite3.DatabaseError as exc:
        res.problems.append(f"The database cannot be read ({exc}). Restore the latest backup.")
    finally:
        con.close()
    return _capped(res)


def _verify_on_server(db) -> VerifyResult:
    """verify on PostgreSQL: one read-only, repeatable-read transaction (one consistent view)."""
    res = VerifyResult()
    with db.plain() as con:
        _check_all(con, db, res)
    return _capped(res)


def _check_all(con, db, res: VerifyResult) -> None:
    """The checks both databases share: the chain, its head, the replay against every row."""
    res.complaints = con.execute("SELECT count(*) FROM complaint").fetchone()[0]
    tables = audited_tables()
    if A.on_server(db):
        # a team's database: the key and head kept in it (services/audit_anchor.py), and the head
        # this computer last saw (its local head file), checked as a second witness
        key, head = A.read_server_anchor(con)
        entries = _check_chain(con, db.path, res, tables, key=key, key_where="in the database")
        _check_head(db.path, res, entries, head=head or None, head_where="kept in the database")
        if A.read_head(db.path) is not None:
            _check_head(db.path, res, entries, head_where="kept on this computer")
        return _compare(con, res, tables, entries["replay"], entries["legacy"])
    entries = _check_chain(con, db.path, res, tables)
    _check_head(db.path, res, entries)
    _compare(con, res, tables, entries["replay"], entries["legacy"])


def _capped(res: VerifyResult) -> VerifyResult:
    if len(res.problems) > MAX_PROBLEMS:
        more = len(res.problems) - MAX_PROBLEMS
        res.problems[MAX_PROBLEMS:] = [f"{more:,} more problems were found; the list stops here."]
    return res


_FILE = object()  # the key or head is the file beside the database


def _check_chain(con, db_path, res: VerifyResult, tables: dict, *, key=_FILE, key_where: str = "") -> dict:
    """Check each entry's hash and link; gather the entries that describe rows, for the replay.
    ``key``: the audit key (by default the file beside the database); ``key_where`` says where it
    is kept when it is not that file."""
    redacted = {}
    try:
        redacted = {
            eid: (b, a)
            for eid, b, a in con.execute("SELECT entry_id, before_digest, after_digest FROM audit_redaction")
        }
    except sqlite3.OperationalError:
        pass  # an older schema without erasures
    if key is _FILE:
        key = A.read_key(db_path)
    my_id = A.key_id(key) if key is not None else None
    seg_key: bytes | None = None  # the key of the run of entries being checked (None: plain)
    unconfirmed = None  # [first id, last id, key id] of a run whose key is not here
    runs: list = []
    prev = ""
    expected_id = None
    chain_problems = 0
    replay: list = []
    ids: dict[int, str] = {}
    legacy = None  # the rows made before the log was keyed (by table: up to which id)
    for id_, at, actor, action, entity, eid, cid, before, after, prev_hash, h in con.execute(
        "SELECT id, at, actor, action, entity, entity_id, complaint_id, before, after, "
        "prev_hash, hash FROM audit_entry ORDER BY id"
    ):
        res.audit_entries += 1
        ids[id_] = h
        if entity == A.KEY_ENTITY and action in (A.KEY_INTRODUCED, A.KEY_REPLACED):
            try:
                marker = json.loads(after)
                kid = marker.get("key_id")
                if legacy is None and action == A.KEY_INTRODUCED:
                    legacy = {t: int(n) for t, n in marker.get("rows_before", {}).items()}
            except (ValueError, AttributeError, TypeError):
                kid = None
            if unconfirmed:
                runs.append(unconfirmed)
                unconfirmed = None
            if key is not None and kid == my_id:
                seg_key = key
            else:
                seg_key = None
                unconfirmed = [id_, id_, kid]
            res.keyed = True
        elif unconfirmed:
            unconfirmed[1] = id_
        if chain_problems <= MAX_PROBLEMS:
            if expected_id is not None and id_ != expected_id:
                gap = (
                    f"Audit entry {expected_id} is"
                    if id_ - 1 == expected_id
                    else f"Audit entries {expected_id} to {id_ - 1} are"
                )
                res.problems.append(f"{gap} missing: entries have been deleted from the audit log.")
                chain_problems += 1
            if prev_hash != prev:
                res.problems.append(
                    f"Audit entry {id_} ({action}) does not follow the entry before "
                    "it: the log has been cut or reordered."
                )
                chain_problems += 1
            elif (
                not unconfirmed
                and entry_hash(
                    prev,
                    at_text(at),
                    actor,
                    action,
                    entity,
                    eid,
                    cid,
                    before,
                    after,
                    digests=redacted.get(id_),
                    key=seg_key if res.keyed else None,
                )
                != h
            ):
                res.problems.append(
                    f"Audit entry {id_} ({action}, {str(at)[:10]}) has been changed "
                    "after it was written"
                    + (", or the log was chained again without the audit key" if res.keyed else "")
                    + "."
                )
                chain_problems += 1
        expected_id = id_ + 1
        prev = h
        if entity in tables:
            replay.append((id_, entity, eid, cid, before, after, id_ in redacted))
    if unconfirmed:
        runs.append(unconfirmed)
    key_file = paths.audit_key_path(db_path)
    for first, last, kid in runs:
        span = f"entry {first}" if first == last else f"entries {first} to {last}"
        if key is None and key_where:
            res.problems.append(
                f"The audit key kept {key_where} is missing: audit {span} were chained with it "
                "and cannot be confirmed."
            )
        elif key is None:
            res.problems.append(
                f"The audit key file ({key_file.name}, beside the database) is missing: audit {span} "
                "were chained with it and cannot be confirmed. Put back the copy kept beside your "
                "latest backup."
            )
        elif key_where:
            res.problems.append(
                f"Audit {span} were chained with a different audit key (key id {kid}) from the one "
                f"kept {key_where} (key id {my_id}): they cannot be confirmed."
            )
        else:
            res.problems.append(
                f"Audit {span} were chained with a different audit key (key id {kid}) from the one "
                f"beside the database ({key_file.name}, key id {my_id}): they cannot be confirmed. "
                "Put back the key file that belongs with this database."
            )
    if key is not None and not res.keyed:
        res.problems.append(
            (
                f"The audit key kept {key_where} is there"
                if key_where
                else f"The audit key file ({key_file.name}) is beside the database"
            )
            + " but no audit entry was chained with it: the audit log has been replaced or made again."
        )
    res.head = prev
    # a log never keyed was written by a version that did not audit every row as it was made: its
    # rows are compared with what the log says of them, but none is asked for its creation entry
    return {
        "replay": replay,
        "ids": ids,
        "keyed": res.keyed,
        "legacy": legacy if legacy is not None else (None if res.keyed else "all"),
    }


def _check_head(db_path, res: VerifyResult, entries: dict, *, head=_FILE, head_where: str = "") -> None:
    """The head kept beside the database must still be in the log, and the log no shorter.
    ``head``: the head to check (by default the file beside the database); ``head_where`` says
    where it is kept when it is not that file."""
    if head is _FILE:
        head = A.read_head(db_path)
    name = paths.audit_head_path(db_path).name
    if head_where:
        name = f"the record of the newest entry {head_where}"
    ids = entries["ids"]
    if head is None:
        if head_where:
            if entries["keyed"] and head_where == "kept in the database":
                res.problems.append(
                    "The record of the audit log's newest entry kept in the database is missing, "
                    "so the log cannot be checked for deleted entries."
                )
            return
        if entries["keyed"]:
            res.problems.append(
                f"The file that records the audit log's newest entry ({name}, beside the database) "
                "is missing, so the log cannot be checked for deleted entries. Put back the copy "
                "kept beside your latest backup."
            )
        return
    if head.get("unreadable"):
        res.problems.append(
            f"The file that records the audit log's newest entry ({name}) is damaged and cannot be read."
        )
        return
    last_id, h, count = head["last_id"], head["hash"], head["entries"]
    if last_id not in ids:
        top = max(ids) if ids else 0
        if not ids:
            res.problems.append(
                f"The audit log is empty, but it held {count:,} entries (up to entry "
                f"{last_id}): every entry has been deleted."
            )
        elif top < last_id:
            res.problems.append(
                f"The audit log has been cut short: it ends at entry {top}, but it reached entry "
                f"{last_id} ({count:,} entries); entries {top + 1} to {last_id} have been deleted."
            )
        else:
            res.problems.append(
                f"Audit entry {last_id}, the newest when the log was last written, has been deleted."
            )
    elif ids[last_id] != h:
        res.problems.append(
            f"Audit entry {last_id} is not the entry written as the newest: the "
            "audit log has been changed or made again."
        )
    elif res.audit_entries < count:
        res.problems.append(
            f"The audit log holds {res.audit_entries:,} entries but held {count:,}: "
            "entries have been deleted."
        )


def _compare(con, res: VerifyResult, tables: dict, replay: list, legacy=None) -> None:
    """Replay the log and compare every audited table with it, field by field. Rows made before
    the log was keyed (``legacy``: up to which id in each table, or "all") may have been made by a
    version that did not audit each row as it was made: they are compared where the log says
    something of them, and are not asked for a creation entry."""
    state: dict[tuple[str, int], dict] = {}
    gone: dict[tuple[str, int], dict] = {}
    partial: set = set()  # rows with erased entries (before erasure noted the rows again)
    cols_of = {e: set(c) for e, (_, c) in tables.items()}
    loads = json.loads
    for _id, entity, eid, cid, before, after, was_erased in replay:
        if eid is None:
            continue
        k = (entity, eid)
        if was_erased:
            state.setdefault(k, {})
            gone.pop(k, None)
            partial.add(k)
            continue
        a = loads(after)
        if not isinstance(a, dict):
            continue
        if not a:
            if before not in ("{}", ""):
                gone[k] = state.pop(k, {}) or {}
                if cid is not None:
                    gone[k].setdefault("complaint_id", cid)
                partial.discard(k)
            continue
        cols = cols_of[entity]
        fields = {f: v for f, v in a.items() if f in cols}
        if not fields:
            continue  # a summary noted against the row (e.g. 'resident anonymised'), not its fields
        st = state.get(k)
        if st is None:
            gone.pop(k, None)
            state[k] = st = {}
        st.update(fields)
        if len(fields) == len(cols):
            partial.discard(k)  # the whole row: known again from here

    # complaints and stages by id, for naming the complaint a row belongs to
    refs = {i: r for i, r in con.execute("SELECT id, reference FROM complaint")}
    for (e, i), st in list(state.items()) + list(gone.items()):
        if e == "complaint" and i not in refs and st.get("reference"):
            refs[i] = st["reference"]
    stage_of = {i: (c, n) for i, c, n in con.execute("SELECT id, complaint_id, number FROM stage")}
    case_of = {i: c for i, c in con.execute("SELECT id, complaint_id FROM ombudsman_case")}

    def owner(entity: str, row: dict, i: int) -> str:
        cid = row.get("complaint_id")
        if entity == "complaint":
            cid = i
        elif entity == "extension" and row.get("stage_id") in stage_of:
            cid = stage_of[row["stage_id"]][0]
        elif entity == "ombudsmanorder":
            cid = case_of.get(row.get("case_id"))
        if cid is not None and cid in refs:
            return f"complaint {refs[cid]}"
        return f"complaint id {cid}" if cid is not None else ""

    def what(entity: str, row: dict, i: int) -> str:
        if entity == "stage" and row.get("number") is not None:
            return f"stage {row['number']}"
        return LABELS.get(entity, entity)

    found: list[str] = []
    for entity, (table, cols) in tables.items():
        skip = DERIVED.get(entity, {})
        old = float("inf") if legacy == "all" else (legacy or {}).get(table, 0)
        names = [c for c in cols if c not in skip]
        seen = set()
        for row in con.execute(f'SELECT {", ".join(chr(34) + n + chr(34) for n in names)} FROM "{table}"'):
            d = dict(zip(names, row))
            i = d["id"]
            seen.add(i)
            res.rows_compared += 1
            st = state.get((entity, i))
            who = owner(entity, d, i)
            lead = f"{who}: " if who and entity != "complaint" else ""
            label = what(entity, d, i)
            if st is None and i <= old:
                continue
            if st is None:
                art = "an" if label[:1].lower() in "aeiou" else "a"
                name = f"{who}: {art} {label}" if lead else f"{art} {label}"
                if entity == "complaint":
                    name = who
                found.append(
                    f"{name} (id {i}) is in the records but has no audit entry: it was "
                    "added without the app, or its audit entries have been deleted."
                )
                continue
            whole = (entity, i) not in partial
            if whole and "id" not in st and i > old:
                found.append(
                    f"{lead}{'the ' + label if lead else who or label} (id {i}) has no audit "
                    "entry for when it was made."
                )
            for f in names:
                if f not in st:
                    continue
                got, want = d[f], st[f]
                if _same(got, want):
                    continue
                fl = FIELD_LABELS.get(f, f.replace("_", " "))
                thing = f"{label} {fl}" if entity != "complaint" else fl
                found.append(
                    f"{lead or (who + ': ' if who else '')}{thing} is {_show(f, got)} in "
                    f"the records but {_show(f, want)} in the audit log."
                )
        for (e, i), st in state.items():
            if e == entity and i not in seen:
                who = owner(entity, st, i)
                label = what(entity, st, i)
                name = (
                    who if entity == "complaint" else (f"{who}: {label} (id {i})" if who else f"{label} {i}")
                )
                found.append(
                    f"{name} is in the audit log but has been deleted from the records, "
                    "with no audit entry for its removal."
                )
    if found:
        shown = found[:MAX_PROBLEMS]
        res.problems.extend(shown)
        if len(found) > len(shown):
            res.problems.append(
                f"...and {len(found) - len(shown):,} more differences between the records and the audit log."
            )


def _same(got, want) -> bool:
    if got == want:
        return True
    if isinstance(got, (dt.date, dt.datetime)):  # PostgreSQL gives dates and times as such
        got = got.isoformat()
        if got == want:
            return True
    if isinstance(want, bool):
        return got == int(want)
    if isinstance(want, str) and len(want) == 8 and want[2:3] == ":" and got is not None:
        try:  # a time of day (a hazard's): SQLite's text or PostgreSQL's time against its ISO form
            return dt.time.fromisoformat(str(got)) == dt.time.fromisoformat(want)
        except ValueError:
            return False
    if isinstance(got, str) and isinstance(want, str) and len(got) >= 10 and len(want) >= 10:
        # a date and time stored as SQLite text against its ISO form
        return got.replace(" ", "T") == want.replace(" ", "T")
    return False


def _show(field_name: str, value) -> str:
    if value is None or value == "":
        return "empty"
    if field_name == "amount_pence" and isinstance(value, int):
        return f"£{value / 100:,.2f}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return "'" + (value if len(value) <= 60 else value[:57] + "...") + "'"
    return str(value)
