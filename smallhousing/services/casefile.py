"""The Ombudsman case file: everything on one complaint, gathered for one PDF.

When a resident takes a complaint to the Housing Ombudsman the landlord sends its complete file.
``case_file`` reads the complaint once (one reading transaction) and decides everything the PDF
says: the chronology (the records' own dates and the audit log's entries), each deadline and
whether it was met (the same decision as CH02: domain/tsm.py, with the words the complaint screen
shows), the letters issued (each file checked against the SHA-256 recorded when it was issued),
the attachments (checked the same way), and a digest of the complaint's audit entries. The
renderer (reports/casefile.py) only lays it out.

Attachment files follow the attachments' convention: the file is at
``paths.folder_for(db_path) / stored_path`` and its SHA-256 is on the row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlmodel import col, select

from .. import paths
from ..domain import tsm
from ..domain.calendar import short_date
from ..domain.errors import DomainError
from ..domain.rules import deadline_status, rule_set
from ..store.models import (
    Attachment,
    AuditEntry,
    Complaint,
    LandlordSettings,
    OmbudsmanCase,
    OmbudsmanOrder,
    Staff,
)
from . import complaints as C
from .base import Unit, reading

# what a letter's or attachment's file was found to be
OK = "included"
MISSING = "missing"
CHANGED = "changed"
UNCHECKED = "included, not checked"  # no SHA-256 was recorded (an imported record)
UNREADABLE = "unreadable"
ERASED = "erased"
LISTED = "listed only"  # kept, but of a kind the file cannot reproduce (.eml, .msg ...)

IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
PDF_SUFFIX = ".pdf"

# the digest's recipe, said in words on the page and used by --check
DIGEST_RECIPE = (
    "one line per audit entry, oldest first: its number, one space, its hash, then a line break; "
    "the digest is the SHA-256 of those lines"
)
METADATA_KEY = "/SmallhousingAuditDigest"
METADATA_REFERENCE = "/SmallhousingComplaint"


@dataclass(frozen=True)
class Event:
    """One thing that happened, as the chronology shows it."""

    on: dt.date
    what: str
    who: str
    source: str  # "record", or "audit log entry N"
    order: int = 0  # keeps a day's events in the order they happened


@dataclass(frozen=True)
class DeadlineLine:
    stage: int
    step: str  # "acknowledge" or "respond"
    provision: str  # "2024 Code 6.2"
    due: dt.date | None
    done_on: dt.date | None
    met: bool | None  # None while the step is not done
    verdict: str  # "met", "late (3 working days)", "not done yet: overdue" ...
    explanation: str  # how the date was worked out, in words


@dataclass(frozen=True)
class FileCheck:
    """A letter or attachment file and what was found when it was checked."""

    path: Path | None
    state: str  # OK, MISSING, CHANGED, UNCHECKED, UNREADABLE, ERASED, LISTED
    recorded_sha256: str
    found_sha256: str = ""
    pages: int = 0  # pages it adds to the case file (0: not reproduced)
    data: bytes = field(default=b"", repr=False)  # the bytes checked, when reproduced
    kind: str = ""  # "pdf" or "image" when reproduced
    demo_marked: bool = False  # a letter that carries the DEMO mark itself (made from demo records)

    @property
    def reproduced(self) -> bool:
        return self.pages > 0

    def words(self) -> str:
        if self.state == OK:
            return "included; its SHA-256 matches the one recorded when it was made"
        if self.state == UNCHECKED:
            return "included; no SHA-256 was recorded with it, so it cannot be checked"
        if self.state == MISSING:
            return f"MISSING: there is no file at {self.path}; not included"
        if self.state == CHANGED:
            return (
                f"CHANGED since it was recorded (SHA-256 now {self.found_sha256[:16]}..., "
                f"recorded {self.recorded_sha256[:16]}...); not included"
            )
        if self.state == UNREADABLE:
            return "the file could not be read as a PDF or picture; not included"
        if self.state == ERASED:
            return "erased; not included"
        if self.state == LISTED:
            return "kept on the record; this kind of file is listed here, not reproduced"
        return self.state


@dataclass(frozen=True)
class LetterLine:
    correspondence_id: int
    on: dt.date
    made_on: dt.date | None
    kind: str
    summary: str
    file: FileCheck


@dataclass(frozen=True)
class CorrespondenceLine:
    on: dt.date
    direction: str  # received, sent, note
    channel: str
    summary: str
    letter_kind: str


@dataclass(frozen=True)
class ItemLine:
    """A remedy or outstanding action, and where it stands."""

    kind: str  # remedy: the Code 7.1 kind; action: "action"
    stage: int
    description: str
    amount_pence: int
    owner: str
    due_on: dt.date | None
    offered_on: dt.date | None
    completed_on: dt.date | None
    last_update_on: dt.date | None
    standing: str  # "done on time", "done late", "outstanding", "overdue"


@dataclass(frozen=True)
class OrderLine:
    kind: str  # order or recommendation
    made_on: dt.date | None
    description: str
    due_on: dt.date | None
    complied_on: dt.date | None
    standing: str


@dataclass(frozen=True)
class OmbudsmanLine:
    case_number: str
    referred_on: dt.date
    finding: str
    determined_on: dt.date | None
    summary: str
    orders: tuple[OrderLine, ...]


@dataclass(frozen=True)
class AttachmentLine:
    id: int
    file_name: str
    received_on: dt.date
    size_bytes: int
    sha256: str
    description: str
    media_type: str
    erased_on: dt.date | None
    file: FileCheck


@dataclass(frozen=True)
class AuditLine:
    id: int
    at: dt.datetime
    actor: str
    action: str
    hash: str


@dataclass
class CaseFile:
    landlord: str
    landlord_address: str
    demo: bool
    reference: str
    resident: str
    representative: str  # "Name (relationship)", or ""
    received_on: dt.date
    closed_on: dt.date | None
    state: str
    code_title: str
    ombudsman_numbers: tuple[str, ...]
    made_on: dt.date
    description: str
    outcome_sought: str
    events: list[Event]
    deadlines: list[DeadlineLine]
    deadline_notes: list[str]
    letters: list[LetterLine]
    correspondence: list[CorrespondenceLine]
    remedies: list[ItemLine]
    actions: list[ItemLine]
    ombudsman: list[OmbudsmanLine]
    attachments: list[AttachmentLine]
    audit: list[AuditLine]
    digest: str

    @property
    def appended_pages(self) -> int:
        return sum(x.file.pages for x in self.letters) + sum(a.file.pages for a in self.attachments)


# the digest ---------------------------------------------------------------------------------------


def audit_digest(entries: "list[tuple[int, str]]") -> str:
    """SHA-256 over ``"<id> <hash>\\n"`` for each entry, oldest first (DIGEST_RECIPE)."""
    h = hashlib.sha256()
    for i, hsh in sorted(entries):
        h.update(f"{i} {hsh}\n".encode("ascii"))
    return h.hexdigest()


# files --------------------------------------------------------------------------------------------


def _pdf_pages(data: bytes) -> int:
    """Pages of a PDF; 0 when it cannot be read as one."""
    from pypdf import PdfReader

    try:
        return len(PdfReader(io.BytesIO(data)).pages)
    except Exception:  # pypdf raises many kinds for a broken file: all mean "cannot be read"
        return 0


def _demo_marked(data: bytes) -> bool:
    """Whether a letter's PDF already says DEMO on its pages (letters/demo_mark.py)."""
    from pypdf import PdfReader

    from ..letters.demo_mark import DEMO_MARK

    try:
        text = PdfReader(io.BytesIO(data)).pages[0].extract_text() or ""
    except Exception:  # unreadable: it is not reproduced anyway
        return False
    return "".join(DEMO_MARK.split()) in "".join(text.split())


def _image_ok(data: bytes) -> bool:
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as im:
            im.verify()
        return True
    except Exception:  # a broken picture, whatever Pillow calls it
        return False


def check_file(path: Path | None, recorded: str, *, reproduce: str) -> FileCheck:
    """Read a file once, compare its SHA-256 with the one recorded, and say how it goes in:
    ``reproduce`` is "pdf", "image" or "" (listed only)."""
    if path is None or not path.is_file():
        return FileCheck(path, MISSING, recorded)
    try:
        data = path.read_bytes()
    except OSError:
        return FileCheck(path, MISSING, recorded)
    found = hashlib.sha256(data).hexdigest()
    if recorded and found != recorded.lower():
        return FileCheck(path, CHANGED, recorded, found)
    state = OK if recorded else UNCHECKED
    if not reproduce:
        return FileCheck(path, LISTED if recorded else UNCHECKED, recorded, found)
    if reproduce == "pdf":
        pages = _pdf_pages(data)
        if not pages:
            return FileCheck(path, UNREADABLE, recorded, found)
        return FileCheck(path, state, recorded, found, pages, data, "pdf")
    if not _image_ok(data):
        return FileCheck(path, UNREADABLE, recorded, found)
    return FileCheck(path, state, recorded, found, 1, data, "image")


def _stored(db_path: Path, stored: str) -> Path:
    """A stored file path: absolute as letters record it, or relative to the database's folder."""
    p = Path(stored)
    return p if p.is_absolute() else paths.folder_for(db_path) / p


def attachment_path(db_path: Path, stored_path: str) -> Path:
    """Where an attachment's file is kept: the database's folder / stored_path."""
    return paths.folder_for(db_path) / stored_path


def _reproduce_as(file_name: str, media_type: str) -> str:
    suffix = Path(file_name).suffix.lower()
    if suffix == PDF_SUFFIX or media_type == "application/pdf":
        return "pdf"
    if suffix in IMAGE_TYPES or media_type in IMAGE_TYPES.values():
        return "image"
    return ""


# gathering ----------------------------------------------------------------------------------------


def _db_path(u: Unit) -> Path:
    return Path(u.db.path)


def _standing(due: dt.date | None, done: dt.date | None, today: dt.date) -> str:
    if done is not None:
        if due is None or done <= due:
            return "done on time" if due else "done"
        return "done late"
    if due is not None and due < today:
        return "overdue"
    return "outstanding"


def _late_by(u: Unit, due: dt.date, done: dt.date) -> str:
    n = u.cal.count(due, done)
    n = max(n, 1)
    return f"{n} working day{'s' if n != 1 else ''} late"


def _deadlines(u: Unit, c: Complaint, view) -> list[DeadlineLine]:
    """Each stage's acknowledgement and response: the Code's date (domain/rules.py, as the
    complaint screen explains it) and whether it was met, decided as CH02 decides it
    (domain/tsm.py ResponseTimer, the same call services/figures.py makes)."""
    rules = rule_set(c.rule_set)
    timer = tsm.ResponseTimer(u.cal)
    out = []
    for sv in view.stages:
        st, d = sv.stage, sv.deadlines
        n = st.number
        exts = [C.extension_dates(e) for e in sv.extensions]
        if d.acknowledge_by is not None:
            due = d.acknowledge_by.due
            met = (
                None
                if st.acknowledged_on is None
                else timer.acknowledged_on_time(rules, st.requested_on, st.acknowledged_on, n)
            )
            out.append(
                DeadlineLine(
                    n,
                    "acknowledge",
                    rules.provision(f"ack{n}"),
                    due,
                    st.acknowledged_on,
                    met,
                    _verdict(u, due, st.acknowledged_on, met, c),
                    d.acknowledge_by.explain() + ".",
                )
            )
        if d.respond_by is not None:
            due = timer.code_due(rules, n, st.requested_on, st.acknowledged_on, exts)
            met = (
                None
                if st.responded_on is None
                else timer.on_time(rules, n, st.requested_on, st.acknowledged_on, st.responded_on, exts)
            )
            out.append(
                DeadlineLine(
                    n,
                    "respond",
                    rules.provision(f"respond{n}"),
                    due,
                    st.responded_on,
                    met,
                    _verdict(u, due, st.responded_on, met, c),
                    d.explain_response(),
                )
            )
        else:
            out.append(
                DeadlineLine(
                    n,
                    "respond",
                    rules.provision(f"respond{n}"),
                    None,
                    st.responded_on,
                    None,
                    "not timed: the complaint ended before the stage was acknowledged"
                    if _ended(c)
                    else "not yet timed: the response clock starts when the stage is acknowledged",
                    "",
                )
            )
    return out


def _ended(c: Complaint) -> bool:
    return bool(c.closed_on or c.withdrawn_on or c.refused_on or c.escalation_refused_on)


def _verdict(u: Unit, due: dt.date | None, done: dt.date | None, met: bool | None, c: Complaint) -> str:
    if due is None:
        return "no date"
    if done is not None:
        return "met" if met else f"late: done {_late_by(u, due, done)}"
    if _ended(c):
        return "not done: the complaint ended before this step"
    status = deadline_status(u.cal, due, u.today)
    return f"not done yet: {status}"


def _events(u: Unit, c: Complaint, view, staff: dict, letters: list[LetterLine]) -> list[Event]:
    ev: list[Event] = []
    resident = view.resident.name
    complainant = resident
    if view.representative is not None:
        complainant = f"{view.representative.name} for {resident}"
    landlord = "the landlord"

    def add(on, what, who, order=0):
        if on is not None:
            ev.append(Event(on, what, who or landlord, "record", order))

    add(c.received_on, f"Complaint received{f' ({c.channel})' if c.channel else ''}", complainant, 0)
    for sv in view.stages:
        st, n, handler = sv.stage, sv.stage.number, sv.handler
        if n > 1:
            add(st.requested_on, f"Asked to escalate the complaint to stage {n}", complainant, 1)
        add(st.acknowledged_on, f"Stage {n} acknowledged", handler, 2)
        for e in sv.extensions:
            add(
                e.extended_on,
                f"Stage {n} response extended to {short_date(e.new_due_on)}: {e.reason}",
                handler,
                3,
            )
            if e.resident_told and e.told_on:
                how = f" by {e.told_how}" if e.told_how else ""
                add(e.told_on, f"Resident told of the stage {n} extension{how}", handler, 4)
        if st.responded_on:
            add(st.responded_on, f"Stage {n} response: {st.decision or 'no decision recorded'}", handler, 5)
    if c.refused_on:
        add(
            c.refused_on,
            f"Complaint not accepted ({c.exclusion_ground}): {c.exclusion_reason}",
            staff.get(c.refused_by_id, ""),
            6,
        )
    if c.escalation_refused_on:
        add(
            c.escalation_refused_on,
            f"Escalation refused ({c.escalation_refusal_ground}): {c.escalation_refusal_reason}",
            staff.get(c.escalation_refused_by_id, ""),
            6,
        )
    for r in view.remedies:
        add(r.offered_on, f"Remedy offered ({r.kind}): {r.description}", "", 7)
        add(r.completed_on, f"Remedy completed ({r.kind}): {r.description}", "", 8)
    for a in view.actions:
        add(a.last_update_on, f"Resident updated on the action: {a.description}", a.owner, 8)
        add(a.completed_on, f"Action completed: {a.description}", a.owner, 8)
    letter_ids = {x.correspondence_id for x in letters}
    for k in view.correspondence:
        if k.id in letter_ids:
            continue
        if k.direction == "in":
            add(k.on, f"Received{f' by {k.channel}' if k.channel else ''}: {k.summary}", complainant, 9)
        elif k.direction == "out":
            add(k.on, f"Sent{f' by {k.channel}' if k.channel else ''}: {k.summary}", "", 9)
        else:
            add(k.on, f"Note: {k.summary}", "", 9)
    for x in letters:
        made = f" (file made {short_date(x.made_on)})" if x.made_on and x.made_on != x.on else ""
        add(x.on, f"Letter issued: {x.summary}{made}", "", 9)
    for a in _attachments_rows(u, c):
        add(a.received_on, f"Attachment received: {a.file_name}", "", 10)
    for case, orders in _ombudsman_rows(u, c):
        number = f" (case {case.case_number})" if case.case_number else ""
        add(case.referred_on, f"Complaint referred to the Housing Ombudsman{number}", complainant, 11)
        if case.determined_on:
            add(case.determined_on, f"Ombudsman's determination: {case.finding}", "the Housing Ombudsman", 12)
        for o in orders:
            add(o.made_on, f"Ombudsman {o.kind} made: {o.description}", "the Housing Ombudsman", 13)
            add(o.complied_on, f"Complied with the Ombudsman {o.kind}: {o.description}", "", 14)
    if c.withdrawn_on:
        add(
            c.withdrawn_on,
            f"Complaint withdrawn{f': {c.withdrawn_reason}' if c.withdrawn_reason else ''}",
            complainant,
            15,
        )
    if c.closed_on:
        add(c.closed_on, "Complaint closed", "", 16)
    for e in view.events:
        at = e.at if isinstance(e.at, dt.datetime) else dt.datetime.fromisoformat(str(e.at))
        ev.append(
            Event(
                at.date(),
                f"Recorded in smallhousing at {at:%H:%M} UTC: {e.action}",
                e.actor or "(no name recorded)",
                f"audit log entry {e.id}",
                20,
            )
        )
    return sorted(ev, key=lambda x: (x.on, x.order))


def _attachments_rows(u: Unit, c: Complaint) -> list[Attachment]:
    return list(
        u.session.exec(
            select(Attachment)
            .where(Attachment.complaint_id == c.id)
            .order_by(col(Attachment.received_on), col(Attachment.id))
        ).all()
    )


def _ombudsman_rows(u: Unit, c: Complaint) -> list[tuple[OmbudsmanCase, list[OmbudsmanOrder]]]:
    out = []
    for case in u.session.exec(
        select(OmbudsmanCase).where(OmbudsmanCase.complaint_id == c.id).order_by(col(OmbudsmanCase.id))
    ).all():
        orders = list(
            u.session.exec(
                select(OmbudsmanOrder)
                .where(OmbudsmanOrder.case_id == case.id)
                .order_by(col(OmbudsmanOrder.id))
            ).all()
        )
        out.append((case, orders))
    return out


def _bring_files(db, reference: "int | str") -> None:
    """On a team's database a file added on another computer is kept in the database too: fetched
    into this computer's attachments folder first (services/attachments.py), so that the case file
    can append it. A file that cannot be had is reported by the case file as missing."""
    if getattr(db, "dialect", "sqlite") == "sqlite":
        return
    from . import attachments as AT

    for a in C.complaint_view(db, reference).attachments:
        if a.erased_on is None and a.stored_path:
            try:
                AT.attachment_path(db, a)
            except DomainError:
                pass


def case_file(db, reference: "int | str") -> CaseFile:
    """Everything the case file shows for one complaint, read in one transaction."""
    _bring_files(db, reference)
    with reading(db) as u:
        view = C.complaint_view(u, reference)
        c = view.complaint
        st = (
            u.session.exec(select(LandlordSettings).order_by(col(LandlordSettings.id)).limit(1)).first()
            or LandlordSettings()
        )
        staff = {s.id: s.name for s in u.session.exec(select(Staff)).all()}
        db_path = _db_path(u)
        letters = []
        correspondence = []
        words = {"in": "received", "out": "sent", "note": "note"}
        for k in sorted(view.correspondence, key=lambda k: (k.on, k.id or 0)):
            correspondence.append(
                CorrespondenceLine(
                    k.on, words.get(k.direction, k.direction), k.channel, k.summary, k.letter_kind
                )
            )
            if k.letter_kind:
                path = _stored(db_path, k.file_path) if k.file_path else None
                check = check_file(path, k.sha256, reproduce="pdf")
                if check.reproduced and st.demo:
                    check = replace(check, demo_marked=_demo_marked(check.data))
                letters.append(
                    LetterLine(
                        k.id or 0,
                        k.on,
                        k.made_on,
                        k.letter_kind,
                        k.summary,
                        check,
                    )
                )
        today = u.today
        remedies = [
            ItemLine(
                r.kind,
                r.stage,
                r.description,
                r.amount_pence,
                "",
                r.due_on,
                r.offered_on,
                r.completed_on,
                None,
                _standing(r.due_on, r.completed_on, today),
            )
            for r in view.remedies
        ]
        actions = [
            ItemLine(
                "action",
                a.stage,
                a.description,
                0,
                a.owner,
                a.due_on,
                None,
                a.completed_on,
                a.last_update_on,
                _standing(a.due_on, a.completed_on, today),
            )
            for a in view.actions
        ]
        ombudsman = [
            OmbudsmanLine(
                case.case_number,
                case.referred_on,
                case.finding,
                case.determined_on,
                case.summary,
                tuple(
                    OrderLine(
                        o.kind,
                        o.made_on,
                        o.description,
                        o.due_on,
                        o.complied_on,
                        _standing(o.due_on, o.complied_on, today),
                    )
                    for o in orders
                ),
            )
            for case, orders in _ombudsman_rows(u, c)
        ]
        attachments = []
        for a in _attachments_rows(u, c):
            if a.erased_on is not None or not a.stored_path:
                check = FileCheck(None, ERASED, a.sha256)
            else:
                check = check_file(
                    attachment_path(db_path, a.stored_path),
                    a.sha256,
                    reproduce=_reproduce_as(a.file_name, a.media_type),
                )
            attachments.append(
                AttachmentLine(
                    a.id or 0,
                    a.file_name,
                    a.received_on,
                    a.size_bytes,
                    a.sha256,
                    a.description,
                    a.media_type,
                    a.erased_on,
                    check,
                )
            )
        audit_rows = [
            AuditLine(
                e.id or 0,
                e.at if isinstance(e.at, dt.datetime) else dt.datetime.fromisoformat(str(e.at)),
                e.actor,
                e.action,
                e.hash,
            )
            for e in view.events
        ]
        rep = ""
        if view.representative is not None:
            r = view.representative
            rep = r.name + (f" ({r.relationship})" if r.relationship else "")
        return CaseFile(
            landlord=st.name or "Our organisation",
            landlord_address=st.address,
            demo=bool(st.demo),
            reference=c.reference,
            resident=view.resident.name,
            representative=rep,
            received_on=c.received_on,
            closed_on=c.closed_on,
            state=c.state,
            code_title=rule_set(c.rule_set).title,
            ombudsman_numbers=tuple(o.case_number for o in ombudsman if o.case_number),
            made_on=u.today,
            description=c.description,
            outcome_sought=c.outcome_sought,
            events=_events(u, c, view, staff, letters),
            deadlines=_deadlines(u, c, view),
            deadline_notes=list(view.deadline_notes),
            letters=letters,
            correspondence=correspondence,
            remedies=remedies,
            actions=actions,
            ombudsman=ombudsman,
            attachments=attachments,
            audit=audit_rows,
            digest=audit_digest([(x.id, x.hash) for x in audit_rows]),
        )


# checking a case file later ----------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    reference: str
    in_file: str  # the digest the PDF carries
    now: str  # the digest of the complaint's audit entries as they are now
    entries: int

    @property
    def ok(self) -> bool:
        return self.in_file == self.now


def check_case_file(db, reference: "int | str", pdf_path: "str | Path") -> CheckResult:
    """Whether a case file's audit digest is the one the complaint's audit entries give now."""
    from pypdf import PdfReader

    path = Path(pdf_path).expanduser()
    if not path.is_file():
        raise DomainError(f"There is no file at {path}.", field="check")
    try:
        meta: dict = dict(PdfReader(str(path)).metadata or {})
    except Exception:
        raise DomainError(f"{path} cannot be read as a PDF.", field="check") from None
    in_file = str(meta.get(METADATA_KEY, "") or "")
    ref_in_file = str(meta.get(METADATA_REFERENCE, "") or "")
    if not in_file:
        raise DomainError(
            f"{path} is not a case file made by smallhousing: it carries no audit digest.", field="check"
        )
    with reading(db) as u:
        c = C._complaint(u, reference)
        if ref_in_file and ref_in_file != c.reference:
            raise DomainError(
                f"{path} is the case file of complaint {ref_in_file}, not of {c.reference}.", field="check"
            )
        rows = u.session.exec(
            select(col(AuditEntry.id), col(AuditEntry.hash))
            .where(AuditEntry.complaint_id == c.id)
            .order_by(col(AuditEntry.id))
        ).all()
        pairs = [(int(i or 0), str(h)) for i, h in rows]
        return CheckResult(c.reference, in_file, audit_digest(pairs), len(pairs))


def metadata(cf: CaseFile) -> dict[str, str]:
    """What the PDF carries for ``--check``: the digest and the complaint's reference."""
    return {METADATA_KEY: cf.digest, METADATA_REFERENCE: cf.reference}


def digest_words(reference: str) -> str:
    return (
        f"To check this file later: run smallhousing verify on the records (it checks the whole "
        f"audit log's hash chain, these entries with it), then smallhousing casefile {reference} "
        "--check FILE.pdf, which works the digest out again from the entries on record and compares "
        "it with the one this file carries. By hand: " + DIGEST_RECIPE + "."
    )
