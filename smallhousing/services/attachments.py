"""Files received and kept on a record (Code 5.12: a full record of every complaint): emails saved
as .eml or .msg, photos, PDFs, survey reports, added to a complaint, a hazard or a service request.

Where they are kept: in the ``attachments`` folder beside the database (paths.attachments_dir,
0700), each file as ``attachments/<first 2 hex of its SHA-256>/<SHA-256><its suffix, lower
case>``, 0600. The same content is kept once, whatever it is called and however often it is added.
``Attachment.stored_path`` is that path relative to the database's folder; the row keeps the name
the file came with, its size, SHA-256 and media type.

A file is copied in through a temporary file (never a half-written file under its real name),
put in place only while the row that records it is written, and removed again if that
transaction fails (unless it was already kept for another record).

Backups carry the files and a restore brings back any file missing from the live folder: see
services/attachment_files.py (kept free of the models, so that backups stay light). A subject access export copies the resident's files beside it
(``copy_for_export``); erasure deletes them and blanks the rows (``erase_for_resident``).

On a team's PostgreSQL database each computer has its own data folder, so a file added on one
would not open on another: there the file's bytes are kept in the database as well
(``attachment_content``, one row per content), and ``attachment_path`` fetches a file the local
folder lacks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import or_
from sqlmodel import col, select

from .. import paths
from ..domain.dates import short_date
from ..domain.errors import DomainError
from ..domain.words import has_words
from ..store.models import Attachment, AttachmentContent, Complaint, Hazard, ServiceRequest
from . import outputs
from .attachment_files import file_sha256, safe_stored
from .base import NotFound, Unit, audit, clean, ident, reading, transaction

MAX_BYTES = 25 * 1024 * 1024  # 25 MB: larger files are kept elsewhere and described in a note
ERASED_NAME = "erased"
_CHUNK = 1 << 20


# sizes and names ---------------------------------------------------------------------------------


def size_text(n: int) -> str:
    """'830 bytes', '12 KB', '2.4 MB' (1 KB = 1,024 bytes)."""
    if n < 1024:
        return f"{n:,} byte" + ("" if n == 1 else "s")
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    mb = n / (1024 * 1024)
    return f"{mb:.1f} MB" if mb < 10 else f"{mb:.0f} MB"


def _suffix(file_name: str) -> str:
    """The file's own suffix, lower case, if it is a plain one ('.pdf', '.jpeg'); else none."""
    s = Path(file_name).suffix.lower()
    return s if re.fullmatch(r"\.[a-z0-9]{1,10}", s) else ""


def stored_name(sha256: str, file_name: str) -> str:
    """Where a file is kept, relative to the database's folder (as ``stored_path``)."""
    return f"attachments/{sha256[:2]}/{sha256}{_suffix(file_name)}"


def _db_path(db) -> Path:
    return Path(db.db.path if isinstance(db, Unit) else db.path)


def _on_server(db) -> bool:
    owner = db.db if isinstance(db, Unit) else db
    return getattr(owner, "dialect", "sqlite") != "sqlite"


# the record a file goes on -----------------------------------------------------------------------


@dataclass(frozen=True)
class Owner:
    """The record a file is added to: which kind, its id and reference, and the day it began."""

    kind: str  # complaint, service request, hazard
    id: int
    reference: str
    since: dt.date
    since_words: str  # "the complaint was received"

    @property
    def field(self) -> str:
        return {"complaint": "complaint_id", "service request": "service_request_id"}.get(
            self.kind, "hazard_id"
        )


def _owner(
    u: Unit, complaint: "int | str | None", hazard_id: int | None, service_request_id: int | None
) -> Owner:
    given = [x for x in (complaint, hazard_id, service_request_id) if x is not None]
    if len(given) != 1:
        raise DomainError(
            "Say which one record the file goes on: a complaint, a hazard or a service request."
        )
    if complaint is not None:
        if isinstance(complaint, str) and not complaint.strip().isdigit():
            c = u.session.exec(select(Complaint).where(Complaint.reference == complaint.strip())).first()
            if c is None:
                raise NotFound(f"There is no complaint with reference {complaint.strip()}.")
        else:
            c = u.get(Complaint, int(complaint), "complaint")
        return Owner("complaint", ident(c), c.reference, c.received_on, "the complaint was received")
    if service_request_id is not None:
        sr = u.get(ServiceRequest, service_request_id, "service request")
        return Owner("service request", ident(sr), sr.reference, sr.received_on, "the request was received")
    assert hazard_id is not None
    hz = u.get(Hazard, hazard_id, "hazard")
    return Owner("hazard", ident(hz), hz.reference, hz.aware_on, "the landlord became aware of the hazard")


def find_record(db, reference: str) -> tuple[str, int]:
    """A reference as typed -> (the keyword add_attachment takes, the record's id): a complaint
    (2026-0001), a service request (SR-...) or a hazard (HZ-...)."""
    ref = reference.strip()
    with reading(db) as u:
        c = u.session.exec(select(Complaint.id).where(Complaint.reference == ref)).first()
        if c is not None:
            return "complaint", c
        sr = u.session.exec(select(ServiceRequest.id).where(ServiceRequest.reference == ref)).first()
        if sr is not None:
            return "service_request_id", sr
        hz = u.session.exec(select(Hazard.id).where(Hazard.reference == ref)).first()
        if hz is not None:
            return "hazard_id", hz
    raise NotFound(
        f"There is no complaint, service request or hazard with reference {ref!r}: give one as it is "
        "shown on its record, such as 2026-0001 or SR-2026-0001."
    )


# adding a file -----------------------------------------------------------------------------------


def _check_file(path: Path) -> int:
    """The size of the file at ``path``, which must be a regular, non-empty file within the limit."""
    if not path.exists():
        raise DomainError(f"There is no file at {path}: check the folder and the name.", field="path")
    if not path.is_file():
        raise DomainError(f"{path} is not a file (it is a folder or a device): give a file.", field="path")
    size = path.stat().st_size
    if size == 0:
        raise DomainError(f"{path.name} is empty (0 bytes): there is nothing in it to keep.", field="path")
    if size > MAX_BYTES:
        raise DomainError(
            f"{path.name} is {size_text(size)}; a file kept on a record can be at most "
            f"{size_text(MAX_BYTES)}. Keep it elsewhere and add a note saying where it is.",
            field="path",
        )
    return size


def _copy_in(path: Path, folder: Path) -> tuple[Path, str, int]:
    """Copy the file into a temporary file (0600) in ``folder``: (the temporary file, its SHA-256,
    its size). The limit is checked again as it is read (the file may have grown)."""
    fd, tmp = outputs.temporary(folder, "attachment")
    h = hashlib.sha256()
    n = 0
    try:
        with os.fdopen(fd, "wb") as out, open(path, "rb") as inp:
            while chunk := inp.read(_CHUNK):
                n += len(chunk)
                if n > MAX_BYTES:
                    raise DomainError(
                        f"{path.name} is more than {size_text(MAX_BYTES)}, the most a file kept on a "
                        "record can be.",
                        field="path",
                    )
                h.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if n == 0:
        tmp.unlink(missing_ok=True)
        raise DomainError(f"{path.name} is empty (0 bytes): there is nothing in it to keep.", field="path")
    return tmp, h.hexdigest(), n


def _place(tmp: Path, final: Path, sha: str) -> bool:
    """Put the finished temporary file at ``final``; True when it is new there (and so to be
    removed again if the record is not written). A file already there with the same content is
    kept; one that has changed is replaced."""
    paths.make_private_dir(final.parent)
    try:
        try:
            os.link(tmp, final)
            created = True
        except FileExistsError:
            created = False
            if file_sha256(final) != sha:
                os.replace(tmp, final)  # the copy kept had changed: put right
        except OSError:  # a file system without hard links
            created = not final.exists()
            if created or file_sha256(final) != sha:
                os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)
    paths.make_private_file(final)
    outputs.fsync_dir(final.parent)
    return created


def add_attachment(
    db,
    *,
    complaint: "int | str | None" = None,
    hazard_id: int | None = None,
    service_request_id: int | None = None,
    path: "str | os.PathLike",
    received_on: dt.date | None,
    description: str = "",
) -> Attachment:
    """Keep a file received on a complaint (its reference or id), a hazard or a service request."""
    src = Path(path).expanduser()
    text = clean(description)
    if text and not has_words(text):
        raise DomainError(
            "Describe the file in words (what it is, who sent it), or leave the description empty.",
            field="description",
        )
    if received_on is None:
        raise DomainError("Give the day the file was received.", field="received_on")
    today = db.today
    if received_on > today:
        raise DomainError(
            f"The day received, {short_date(received_on)}, is in the future: today is {short_date(today)}.",
            field="received_on",
        )
    _check_file(src)
    home = paths.folder_for(_db_path(db))
    folder = paths.make_private_dir(paths.attachments_dir(_db_path(db)))
    tmp, sha, size = _copy_in(src, folder)
    final: Path | None = None
    created = False
    try:
        with transaction(db) as u:
            owner = _owner(u, complaint, hazard_id, service_request_id)
            if received_on < owner.since:
                raise DomainError(
                    f"The day received, {short_date(received_on)}, is before {owner.since_words} "
                    f"({short_date(owner.since)}). A file received earlier belongs on the record it "
                    "came with (the service request, say); check the date.",
                    field="received_on",
                )
            same = u.session.exec(
                select(Attachment)
                .where(
                    getattr(Attachment, owner.field) == owner.id,
                    Attachment.sha256 == sha,
                    col(Attachment.erased_on).is_(None),
                )
                .order_by(col(Attachment.id))
            ).first()
            if same is not None:
                kept = home / same.stored_path
                put_back = safe_stored(same.stored_path) and (not kept.is_file() or file_sha256(kept) != sha)
                if put_back:  # the copy kept was lost or changed: this is the file, whole again
                    _place(tmp, kept, sha)
                raise DomainError(
                    f"That file is already on {owner.reference}: {same.file_name}, received "
                    f"{short_date(same.received_on)} (added {short_date(same.added_on)}). "
                    "It was not added again."
                    + (
                        " Its kept copy was missing or had changed: it has been put back from this file."
                        if put_back
                        else ""
                    ),
                    field="path",
                )
            media = mimetypes.guess_type(src.name, strict=False)[0] or "application/octet-stream"
            row = Attachment(
                file_name=src.name,
                stored_path=stored_name(sha, src.name),
                sha256=sha,
                size_bytes=size,
                media_type=media,
                received_on=received_on,
                description=text,
                added_on=u.today,
                complaint_id=owner.id if owner.kind == "complaint" else None,
                service_request_id=owner.id if owner.kind == "service request" else None,
                hazard_id=owner.id if owner.kind == "hazard" else None,
            )
            u.session.add(row)
            u.session.flush()
            audit(u, "file received", row)
            if _on_server(u):  # every computer of the team fetches it from the database
                _keep_content(u, sha, tmp)
            final = home / row.stored_path
            created = _place(tmp, final, sha)
    except BaseException:
        tmp.unlink(missing_ok=True)
        if created and final is not None:
            final.unlink(missing_ok=True)
        raise
    return row


def _keep_content(u: Unit, sha: str, tmp: Path) -> None:
    if u.session.exec(select(AttachmentContent.id).where(AttachmentContent.sha256 == sha)).first() is None:
        u.session.add(AttachmentContent(sha256=sha, content=tmp.read_bytes()))
        u.session.flush()


# reading -----------------------------------------------------------------------------------------


def list_attachments(
    db,
    *,
    complaint_id: int | None = None,
    hazard_id: int | None = None,
    service_request_id: int | None = None,
) -> list[Attachment]:
    """The files on a record, oldest first (erased ones included, with ``erased_on`` set)."""
    conds = []
    if complaint_id is not None:
        conds.append(col(Attachment.complaint_id) == complaint_id)
    if hazard_id is not None:
        conds.append(col(Attachment.hazard_id) == hazard_id)
    if service_request_id is not None:
        conds.append(col(Attachment.service_request_id) == service_request_id)
    if not conds:
        raise DomainError("Say which record's files to list.")
    with reading(db) as u:
        return list(
            u.session.exec(
                select(Attachment)
                .where(or_(*conds))
                .order_by(col(Attachment.received_on), col(Attachment.id))
            ).all()
        )


def attachment_path(db, attachment: "Attachment | int") -> Path:
    """The kept file of an attachment, checked against its SHA-256: refused plainly when it was
    erased, is missing or has changed."""
    if isinstance(attachment, int):
        with reading(db) as u:
            a = u.get(Attachment, attachment, "file")
    else:
        a = attachment
    if a.erased_on is not None or not a.stored_path:
        when = f" on {short_date(a.erased_on)}" if a.erased_on else ""
        raise DomainError(f"That file was erased{when} under the retention policy: only its record is left.")
    return _checked(db, a.file_name, a.stored_path, a.sha256)


def _fetch(db, stored_path: str, sha256: str) -> None:
    """On PostgreSQL: a file this computer's folder lacks (or holds changed) written there from the
    bytes the database keeps, when they are whole."""
    p = paths.folder_for(_db_path(db)) / stored_path
    if not _on_server(db) or not safe_stored(stored_path):
        return
    if p.is_file() and file_sha256(p) == sha256:
        return
    with reading(db) as u:
        data = u.session.exec(
            select(AttachmentContent.content).where(AttachmentContent.sha256 == sha256)
        ).first()
    if data is None or hashlib.sha256(data).hexdigest() != sha256:
        return
    paths.make_private_dir(paths.attachments_dir(_db_path(db)))
    paths.make_private_dir(p.parent)
    fd, tmp = outputs.temporary(p.parent, p.name)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, p)
    finally:
        tmp.unlink(missing_ok=True)
    paths.make_private_file(p)


def _checked(db, file_name: str, stored_path: str, sha256: str) -> Path:
    _fetch(db, stored_path, sha256)
    p = paths.folder_for(_db_path(db)) / stored_path
    if not safe_stored(stored_path) or not p.is_file():
        raise DomainError(
            f"The file kept for {file_name} is missing from {p.parent}. Adding the same file "
            "again puts it back (a backup made since it was added holds it too)."
        )
    if file_sha256(p) != sha256:
        raise DomainError(
            f"The file kept for {file_name} has changed since it was added (it is not the file "
            "received), so it is not opened. Adding the file received again puts it back as it "
            "was (a backup made since it was added holds it too)."
        )
    return p


def describe(a: Attachment) -> str:
    """'received file photo.png (12 KB)' - how an attachment is listed."""
    if a.erased_on is not None:
        return f"received file (erased {short_date(a.erased_on)})"
    return f"received file {a.file_name} ({size_text(a.size_bytes)})"


# subject access and erasure ----------------------------------------------------------------------


def resident_conditions(u: Unit, resident_id: int, complaint_ids: list[int]) -> list:
    srs = list(
        u.session.exec(select(ServiceRequest.id).where(ServiceRequest.resident_id == resident_id)).all()
    )
    hzs = list(u.session.exec(select(Hazard.id).where(Hazard.resident_id == resident_id)).all())
    conds = []
    if complaint_ids:
        conds.append(col(Attachment.complaint_id).in_(complaint_ids))
    if srs:
        conds.append(col(Attachment.service_request_id).in_(srs))
    if hzs:
        conds.append(col(Attachment.hazard_id).in_(hzs))
    return conds


def for_resident(u: Unit, resident_id: int) -> list[Attachment]:
    """Every file on the resident's complaints, service requests and hazards, oldest first."""
    cids = list(u.session.exec(select(Complaint.id).where(Complaint.resident_id == resident_id)).all())
    conds = resident_conditions(u, resident_id, [c for c in cids if c is not None])
    if not conds:
        return []
    return list(
        u.session.exec(
            select(Attachment).where(or_(*conds)).order_by(col(Attachment.received_on), col(Attachment.id))
        ).all()
    )


def export_name(row: dict) -> str:
    """The name a file is given in a subject access export's folder: its id, then its own name."""
    name = re.sub(r"[^\w.\- ]+", "_", str(row.get("file_name") or "file")).strip(" .") or "file"
    return f"{row['id']}-{name}"


def copy_for_export(db, rows: list[dict], folder: Path) -> None:
    """Copy each listed attachment's file (rows as subject_access gives them) into ``folder``;
    each row is told ``file_in_export`` (the name it has there) or ``file_problem`` (why not)."""
    for row in rows:
        if row.get("erased_on") or not row.get("stored_path"):
            row["file_problem"] = "erased under the retention policy"
            continue
        try:
            src = _checked(db, str(row["file_name"]), str(row["stored_path"]), str(row["sha256"]))
        except DomainError as exc:
            row["file_problem"] = exc.message
            continue
        paths.make_private_dir(folder)
        dst = folder / export_name(row)
        fd, tmp = outputs.temporary(folder, dst.name)
        os.close(fd)
        try:
            shutil.copyfile(src, tmp)
            outputs.fsync_file(tmp)
            os.replace(tmp, dst)
        finally:
            tmp.unlink(missing_ok=True)
        paths.make_private_file(dst)
        row["file_in_export"] = f"{folder.name}/{dst.name}"


def erase_for_resident(
    u: Unit, resident_id: int, complaint_ids: list[int], today: dt.date, noted: dict | None = None
) -> list[Path]:
    """Inside an erasure's transaction: blank the resident's attachment rows (the SHA-256 and size
    stay: a file existed; its name becomes "erased", its description and stored path are emptied,
    ``erased_on`` is set) and return the files to delete once the erasure is committed (a file also
    kept for someone else's record stays). ``noted`` (entity -> ids) is told the rows changed, so
    that their audit entries are erased too."""
    conds = resident_conditions(u, resident_id, complaint_ids)
    if not conds:
        return []
    rows = list(u.session.exec(select(Attachment).where(or_(*conds))).all())
    if not rows:
        return []
    ids = [ident(a) for a in rows]
    stored = {a.stored_path for a in rows if a.stored_path}
    for a in rows:
        a.file_name, a.description, a.stored_path = ERASED_NAME, "", ""
        if a.erased_on is None:
            a.erased_on = today
        u.session.add(a)
    if noted is not None:
        noted.setdefault("attachment", []).extend(ids)
    shas = {a.sha256 for a in rows}
    u.session.flush()
    for sha in shas:  # the bytes a team's database keeps go too, unless another record keeps them
        if (
            u.session.exec(
                select(Attachment.id).where(Attachment.sha256 == sha, Attachment.stored_path != "")
            ).first()
            is None
        ):
            for c in u.session.exec(select(AttachmentContent).where(AttachmentContent.sha256 == sha)).all():
                u.session.delete(c)
    home = paths.folder_for(_db_path(u))
    out = []
    for s in sorted(stored):
        others = u.session.exec(
            select(Attachment.id).where(Attachment.stored_path == s, col(Attachment.id).not_in(ids))
        ).first()
        if others is None and safe_stored(s) and (home / s).exists():
            out.append(home / s)
    return out
