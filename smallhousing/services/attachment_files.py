"""The files kept for attachments, without the database's models: their names, their checks, and
what travels with a backup (services/backup.py imports this, and stays light: no SQLAlchemy).

Backups carry the files: a folder named after the backup file (``files_beside``), each file
hard-linked from the live folder where possible, else copied through a temporary file, so that an
unchanged file costs little; a restore brings back any file missing from (or changed in) the live
folder (``restore_files``)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
from pathlib import Path

from .. import paths
from . import outputs

_CHUNK = 1 << 20


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def safe_stored(stored: str) -> bool:
    """A stored path as this module writes it: never a path out of the attachments folder."""
    return re.fullmatch(r"attachments/[0-9a-f]{2}/[0-9a-f]{64}(\.[a-z0-9]{1,10})?", stored) is not None


def files_beside(backup_path: Path) -> Path:
    """The folder of attachment files that goes with a backup file: named after it
    (``smallhousing-20261206-040000.db`` -> ``smallhousing-20261206-040000.attachments``)."""
    p = Path(backup_path)
    return p.with_name((p.stem if p.suffix else p.name) + ".attachments")


def _kept_in(db_file: Path) -> list[tuple[str, str]]:
    """(stored_path, sha256) of every file a database file says is kept (none for an older file)."""
    try:
        con = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
        try:
            has = con.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='attachment'"
            ).fetchone()
            if not has:
                return []
            rows = con.execute(
                "SELECT DISTINCT stored_path, sha256 FROM attachment WHERE stored_path != '' "
                "AND erased_on IS NULL"
            ).fetchall()
        finally:
            con.close()
    except sqlite3.DatabaseError:
        return []
    return [(str(p), str(s)) for p, s in rows if safe_stored(str(p))]


def _link_or_copy(src: Path, dst: Path) -> None:
    """``dst`` becomes the same content as ``src``: a hard link where possible, else a copy made
    through a temporary file. An existing ``dst`` is left as it is."""
    if dst.exists():
        return
    paths.make_private_dir(dst.parent)
    try:
        os.link(src, dst)
        return
    except FileExistsError:
        return
    except OSError:
        pass
    fd, tmp = outputs.temporary(dst.parent, dst.name)
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)
        outputs.fsync_file(tmp)
        os.replace(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)
    paths.make_private_file(dst)


def copy_files_beside(db_path: Path, backup_path: Path) -> int:
    """The attachment files the backup at ``backup_path`` records, from the live folder of the
    database at ``db_path`` into the folder beside the backup (``files_beside``). A file missing
    from the live folder is left out (the backup still holds its record). Returns how many."""
    wanted = _kept_in(Path(backup_path))
    if not wanted:
        return 0
    home = paths.folder_for(Path(db_path))
    out = files_beside(Path(backup_path))
    n = 0
    for stored, _sha in wanted:
        src = home / stored
        if src.is_file():
            if not out.exists():
                paths.make_private_dir(out)
            _link_or_copy(src, out / stored.removeprefix("attachments/"))
            n += 1
    return n


def remove_files_beside(backup_path: Path) -> None:
    """Delete the attachment files kept beside a backup that is being deleted."""
    shutil.rmtree(files_beside(Path(backup_path)), ignore_errors=True)


def restore_files(backup_path: Path, db_path: Path) -> int:
    """After a restore: every file the restored records keep that is missing from the live folder
    (or has changed there) is brought back from the folder beside the backup, when it is there and
    whole. Returns how many were brought back."""
    home = paths.folder_for(Path(db_path))
    beside = files_beside(Path(backup_path))
    n = 0
    for stored, sha in _kept_in(Path(db_path)):
        live = home / stored
        if live.is_file() and file_sha256(live) == sha:
            continue
        kept = beside / stored.removeprefix("attachments/")
        if not kept.is_file() or file_sha256(kept) != sha:
            continue
        paths.make_private_dir(paths.attachments_dir(Path(db_path)))
        paths.make_private_dir(live.parent)
        fd, tmp = outputs.temporary(live.parent, live.name)
        os.close(fd)
        try:
            shutil.copyfile(kept, tmp)
            outputs.fsync_file(tmp)
            os.replace(tmp, live)
        finally:
            tmp.unlink(missing_ok=True)
        paths.make_private_file(live)
        n += 1
    return n


def erase_rows_raw(con, resident_id: int, complaint_ids: list[int], today) -> None:
    """In a backup being erased (inside its transaction; a SQLAlchemy connection to the backup's
    SQLite file, or sqlite3's own): the resident's attachment rows blanked as
    ``attachments.erase_for_resident`` blanks them in the live file."""
    run = getattr(con, "exec_driver_sql", None) or con.execute
    if not run("SELECT 1 FROM sqlite_master WHERE type='table' AND name='attachment'").fetchone():
        return
    cids = ",".join(str(int(c)) for c in complaint_ids) or "NULL"
    rid = int(resident_id)
    run(
        "UPDATE attachment SET file_name = 'erased', description = '', stored_path = '', "
        "erased_on = coalesce(erased_on, ?) WHERE complaint_id IN (" + cids + ") "
        "OR service_request_id IN (SELECT id FROM service_request WHERE resident_id = ?) "
        "OR hazard_id IN (SELECT id FROM hazard WHERE resident_id = ?)",
        (today.isoformat(), rid, rid),
    )


def prune_files_beside(backup_path: Path) -> int:
    """Delete the files beside a backup that its records no longer keep (after an erasure)."""
    beside = files_beside(Path(backup_path))
    if not beside.is_dir():
        return 0
    wanted = {stored.removeprefix("attachments/") for stored, _ in _kept_in(Path(backup_path))}
    n = 0
    for p in beside.glob("*/*"):
        if p.is_file() and p.relative_to(beside).as_posix() not in wanted:
            p.unlink()
            n += 1
    return n
