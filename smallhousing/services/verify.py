"""Checks that the records are whole: SQLite's own integrity check and the audit log's hash chain."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field

from .base import entry_hash


@dataclass
class VerifyResult:
    problems: list[str] = field(default_factory=list)
    audit_entries: int = 0
    complaints: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _at_text(value) -> str:
    at = dt.datetime.fromisoformat(str(value))
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.timezone.utc)
    return at.isoformat()


def verify(db) -> VerifyResult:
    """Run every check; each problem found is one plain sentence."""
    res = VerifyResult()
    con = sqlite3.connect(f"file:{db.path}?mode=ro", uri=True, timeout=5)
    try:
        rows = [r[0] for r in con.execute("PRAGMA integrity_check")]
        if rows != ["ok"]:
            res.problems.append("SQLite's integrity check failed: " + "; ".join(rows[:5])
                                + ". Restore the latest backup.")
        fk = con.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            res.problems.append(f"{len(fk)} records point at records that no longer exist "
                                f"(first in table {fk[0][0]}).")
        res.complaints = con.execute("SELECT count(*) FROM complaint").fetchone()[0]
        redacted = {}
        try:
            redacted = {eid: (b, a) for eid, b, a in con.execute(
                "SELECT entry_id, before_digest, after_digest FROM audit_redaction")}
        except sqlite3.OperationalError:
            pass  # an older schema without erasures
        prev = ""
        expected_id = None
        for (id_, at, actor, action, entity, eid, cid, before, after, prev_hash, h) in con.execute(
                "SELECT id, at, actor, action, entity, entity_id, complaint_id, before, after, "
                "prev_hash, hash FROM audit_entry ORDER BY id"):
            res.audit_entries += 1
            if expected_id is not None and id_ != expected_id:
                gap = (f"Audit entry {expected_id} is" if id_ - 1 == expected_id
                       else f"Audit entries {expected_id} to {id_ - 1} are")
                res.problems.append(f"{gap} missing: entries have been deleted.")
            expected_id = id_ + 1
            if prev_hash != prev:
                res.problems.append(f"Audit entry {id_} ({action}) does not follow the entry before "
                                    "it: the log has been cut or reordered.")
            elif entry_hash(prev, _at_text(at), actor, action, entity, eid, cid, before, after,
                            digests=redacted.get(id_)) != h:
                res.problems.append(f"Audit entry {id_} ({action}, {str(at)[:10]}) has been changed "
                                    "after it was written.")
            prev = h
            if len(res.problems) > 20:
                res.problems.append("More problems were found; the list stops here.")
                break
    except sqlite3.DatabaseError as exc:
        res.problems.append(f"The database cannot be read ({exc}). Restore the latest backup.")
    finally:
        con.close()
    return res
