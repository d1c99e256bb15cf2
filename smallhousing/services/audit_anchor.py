"""What keeps the audit log checkable from outside the database file: its key and its head.

Two small files beside the database (paths.audit_key_path, paths.audit_head_path), both 0600:

- ``<db>.audit-key``: 32 random bytes, made the first time an audit entry is written. Entries are
  chained with HMAC-SHA256 under this key, so someone who edits the file and makes the chain
  again with the package's own function, without the key, is found out by ``verify``.
- ``<db>.audit-head``: the id and hash of the newest audit entry and how many entries there are,
  rewritten (temporary file, then rename) after every committed transaction that wrote audit
  entries, so that deleting the newest entries (or all of them) shows.

Both are copied beside every backup (``copy_beside``). Neither holds personal data.

A PostgreSQL database is used from several computers at once, so its key and head cannot be files
on one of them: they are kept in the database, in the one row of ``audit_anchor``, written in the
same transaction as the entries (under the lock that keeps the chain one chain, services/base.py).
Each computer still writes the head it last saw to its own local head file (``paths.postgres_home``),
a witness outside the database that ``verify`` run there also checks. What that protects, and what
it does not, is in docs/RELIABILITY.md.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import shutil
from pathlib import Path

from .. import paths
from ..store.dialects import for_postgres

KEY_BYTES = 32
# the action and entity of the audit entry that starts a run of entries chained with a key; its
# ``after`` holds the key's id (``key_id``), never the key
KEY_ENTITY = "audit"
KEY_INTRODUCED = "audit key introduced"
KEY_REPLACED = "audit key replaced"


def key_id(key: bytes) -> str:
    """A short public name of a key: which key a run of entries was chained with."""
    return hmac.new(key, b"smallhousing audit key id", hashlib.sha256).hexdigest()[:16]


def read_key(db_path) -> bytes | None:
    """The key beside the database, or None when there is none (verify never makes one)."""
    try:
        data = paths.audit_key_path(db_path).read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    return data if len(data) == KEY_BYTES else None


def key_for_writing(db_path) -> bytes:
    """The key beside the database, made (random, 0600) when there is none. Two programs making
    it at once agree on one: the file is put in place only if no other is there yet."""
    key = read_key(db_path)
    if key is not None:
        return key
    final = paths.audit_key_path(db_path)
    tmp = final.with_name(f"{final.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(KEY_BYTES))
            fh.flush()
            os.fsync(fh.fileno())
        paths.make_private_file(tmp)
        try:
            os.link(tmp, final)  # fails if another program put its key there first
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links
            if not final.exists():
                os.replace(tmp, final)
    finally:
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass
    key = read_key(db_path)
    if key is None:  # pragma: no cover - a damaged key file in the way
        raise OSError(f"The audit key file {final} cannot be read.")
    return key


def write_key(db_path, key: bytes) -> None:
    """Put ``key`` beside the database (a copy brought with its log), replacing any there."""
    final = paths.audit_key_path(db_path)
    tmp = final.with_name(f"{final.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)
    except BaseException:
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass
        raise
    paths.make_private_file(final)


def read_head(db_path) -> dict | None:
    """{"last_id", "hash", "entries"} as last written, None when there is no head file, or
    {"unreadable": True} when the file is there but damaged."""
    p = paths.audit_head_path(db_path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError
        return {"last_id": int(data["last_id"]), "hash": str(data["hash"]), "entries": int(data["entries"])}
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, ValueError, KeyError, TypeError):
        return {"unreadable": True}


def write_head(db_path, last_id: int, hash_: str, entries: int) -> None:
    """Write the head atomically (a temporary file beside it, then a rename over it)."""
    final = paths.audit_head_path(db_path)
    tmp = final.with_name(f"{final.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    text = json.dumps({"last_id": last_id, "hash": hash_, "entries": entries}) + "\n"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)
    except BaseException:
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass
        raise
    paths.make_private_file(final)


def copy_beside(db_path, backup_path) -> list[Path]:
    """Copy the audit key and head of the database at ``db_path`` beside a copy of it at
    ``backup_path`` (as ``<backup>.audit-key`` and ``<backup>.audit-head``, 0600), so that the copy
    can be verified, and restored with them. Returns the files copied (none when there are none)."""
    made = []
    for where in (paths.audit_key_path, paths.audit_head_path):
        src, dst = where(db_path), where(backup_path)
        if src.exists():
            shutil.copyfile(src, dst)
            paths.make_private_file(dst)
            made.append(dst)
    return made


def describe_head(entries: int, hash_: str) -> str:
    """One line naming the audit log's head, for reports: a later copy of the log must hold this
    many entries at least, and this entry."""
    if not entries:
        return "Audit log: no entries yet."
    return (
        f"Audit log when this report was made: {entries:,} entries; the newest entry's hash "
        f"begins {hash_[:16]}."
    )


# on a PostgreSQL database: the key and head in ``audit_anchor`` (one row, id 1) --------------------

ANCHOR_ID = 1
# pg_advisory_xact_lock's two keys for the audit chain's head: taken by every transaction that
# writes audit entries, before it reads the newest entry, held until it commits
CHAIN_LOCK = (0x5348, 1)


def on_server(db) -> bool:
    return getattr(db, "dialect", "sqlite") != "sqlite"


def key_in_database(conn) -> bytes | None:
    """The key kept in the database (``conn``: a SQLAlchemy connection), or None."""
    from sqlalchemy import text

    row = conn.execute(text("SELECT key FROM audit_anchor WHERE id = :id"), {"id": ANCHOR_ID}).first()
    return bytes(row[0]) if row is not None and row[0] is not None else None


def server_key_for_writing(db, conn) -> bytes:
    """The key kept in the database, put there when there is none: the key file this computer
    kept for it before keys were kept in the database, if there is one, or a new random key.
    Called under the chain's lock, so two writers never put two keys."""
    key = key_in_database(conn)
    if key is not None:
        return key
    from sqlalchemy import text

    key = read_key(db.path) or secrets.token_bytes(KEY_BYTES)
    args = {"id": ANCHOR_ID, "key": key}
    if not conn.execute(text("UPDATE audit_anchor SET key = :key WHERE id = :id"), args).rowcount:
        conn.execute(
            text("INSERT INTO audit_anchor (id, key, last_id, hash, entries) VALUES (:id, :key, 0, '', 0)"),
            args,
        )
    return key


def write_server_head(conn, last_id: int, hash_: str, entries: int) -> None:
    """The head in the database, in the transaction that wrote the entries."""
    from sqlalchemy import text

    conn.execute(
        text("UPDATE audit_anchor SET last_id = :last_id, hash = :hash, entries = :entries WHERE id = :id"),
        {"last_id": last_id, "hash": hash_, "entries": entries, "id": ANCHOR_ID},
    )


def read_server_anchor(con) -> tuple[bytes | None, dict | None]:
    """(key, head) as kept in the database (``con``: a plain psycopg connection), each None when
    there is none."""
    row = con.execute(
        for_postgres("SELECT key, last_id, hash, entries FROM audit_anchor WHERE id = ?"), (ANCHOR_ID,)
    ).fetchone()
    if row is None:
        return None, None
    key = bytes(row[0]) if row[0] is not None else None
    head = {"last_id": int(row[1]), "hash": str(row[2]), "entries": int(row[3])} if row[3] else None
    return key, head
