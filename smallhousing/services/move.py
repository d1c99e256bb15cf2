"""Moving from one laptop to a team: a SQLite file's records into an empty PostgreSQL database.

``move_from(file, url)`` copies every record, ids kept, and the audit log as it is (every entry, its
hash and its place in the chain), with the audit key that chained it, in one transaction on the
server; then ``verify`` runs on both. The file is left as it was (it is only upgraded first if an
older version made it, with the usual copy taken before). A target that already holds records is
refused before anything is written.

The other way, a copy of a team's records taken offline to a laptop, is ``export --json`` then
``import --json`` into a new file; ``carry_anchor`` gives such a copy the key and head that go
with its log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text

from ..domain.errors import DomainError
from ..store.db import Database, database_for
from . import audit_anchor as A
from .base import Unit, transaction


@dataclass
class MoveResult:
    counts: dict[str, int] = field(default_factory=dict)  # rows copied, by table
    source_problems: list[str] = field(default_factory=list)  # verify on the file after the move
    target_problems: list[str] = field(default_factory=list)  # verify on the server after it

    @property
    def ok(self) -> bool:
        return not self.source_problems and not self.target_problems

    def summary(self, target: str) -> str:
        n = self.counts
        return (
            f"Copied {n.get('complaint', 0):,} complaints, {n.get('resident', 0):,} residents and "
            f"{n.get('audit_entry', 0):,} audit entries ({sum(n.values()):,} records in all) to {target}."
        )


def _records_in(db) -> dict[str, int]:
    from .transfer import count_rows

    return {name: n for name, n in count_rows(db).items() if n}


def move_from(source: "str | Path", target: str, *, actor: str | None = None) -> MoveResult:
    """Copy the SQLite file ``source`` into the EMPTY PostgreSQL database ``target`` (a URL)."""
    from ..paths import is_postgres_url
    from .transfer import export_data, import_json
    from .verify import verify

    if not is_postgres_url(target):
        raise DomainError(
            f"{target} is not the address of a PostgreSQL database: give it as postgresql://user@host/dbname."
        )
    path = Path(source)
    if is_postgres_url(str(source)) or not path.is_file():
        raise DomainError(f"There is no smallhousing file at {source} to move.")
    src = Database(path, actor=actor)
    dst = database_for(target, actor=actor)
    try:
        if src.check() != "ours":
            raise DomainError(f"{path} holds no smallhousing records: there is nothing to move.")
        src.open()  # an older file is upgraded first (a copy is kept), as every command does
        before = verify(src)
        if not before.ok:
            raise DomainError(
                f"{path} does not pass verify, so it is not moved as it is: "
                + before.problems[0]
                + " Run 'smallhousing --db FILE verify' for every problem. Nothing was copied."
            )
        dst.open()
        held = _records_in(dst)
        if held:
            what = ", ".join(f"{name.replace('_', ' ')}: {n:,}" for name, n in held.items())
            raise DomainError(
                f"The PostgreSQL database {dst.where} already holds records ({what}). A file is "
                "moved only into an empty database, so nothing was copied. Make a new one "
                "(createdb NAME) and give its address."
            )
        data = export_data(src)
        key = A.read_key(src.path)
        with transaction(dst) as u:
            counts = import_json(u, data)
            head = _put_anchor(u, key)
        if head is not None:
            A.write_head(dst.path, *head)  # this computer's own witness of the head
        after = verify(dst)
        return MoveResult(counts, verify(src).problems, after.problems)
    finally:
        src.close()
        dst.close()


def _put_anchor(u: Unit, key: bytes | None) -> tuple[int, str, int] | None:
    """In the server's transaction: the key that chained the log, and the log's head (the newest
    entry, its hash, how many there are). Returns the head (None for an empty log)."""
    conn = u.session.connection()
    conn.exec_driver_sql("SELECT pg_advisory_xact_lock(%s, %s)", A.CHAIN_LOCK)
    u._chain_locked = True
    last = conn.exec_driver_sql("SELECT id, hash FROM audit_entry ORDER BY id DESC LIMIT 1").first()
    entries = conn.exec_driver_sql("SELECT count(*) FROM audit_entry").scalar() or 0
    head = (int(last[0]), str(last[1]), int(entries)) if last is not None else None
    last_id, hash_, n = head or (0, "", 0)
    conn.execute(text("DELETE FROM audit_anchor"))
    conn.execute(
        text(
            "INSERT INTO audit_anchor (id, key, last_id, hash, entries) "
            "VALUES (:id, :key, :last_id, :hash, :entries)"
        ),
        {"id": A.ANCHOR_ID, "key": key, "last_id": last_id, "hash": hash_, "entries": n},
    )
    return head


def carry_anchor(source, target) -> None:
    """Give ``target`` (a Database holding an ``import --json`` of ``source``'s export) the audit
    key of ``source`` and the head of its own log, so that ``verify`` confirms the copied log
    there too. Either may be a SQLite file or a PostgreSQL database."""
    if A.on_server(source):
        with source.plain() as con:
            key, _head = A.read_server_anchor(con)
    else:
        key = A.read_key(source.path)
    if A.on_server(target):
        with transaction(target) as u:
            head = _put_anchor(u, key)
        if head is not None:
            A.write_head(target.path, *head)
        return
    import sqlite3

    con = sqlite3.connect(str(target.path))
    try:
        last = con.execute("SELECT id, hash FROM audit_entry ORDER BY id DESC LIMIT 1").fetchone()
        entries = con.execute("SELECT count(*) FROM audit_entry").fetchone()[0]
    finally:
        con.close()
    if key is not None:
        A.write_key(target.path, key)
    if last is not None:
        A.write_head(target.path, int(last[0]), str(last[1]), int(entries))
