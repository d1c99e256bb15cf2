"""Personal data: everything held about one resident (a subject access request), and erasure of a
resident whose complaints closed longer ago than the retention period, keeping the figures."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Connection, String, create_engine, insert, inspect, or_, text, update
from sqlalchemy import column as sa_column
from sqlalchemy import select as sa_select
from sqlalchemy import table as sa_table
from sqlalchemy.pool import NullPool
from sqlalchemy.types import NullType
from sqlmodel import SQLModel, col, select

from ..domain import lifecycle as L
from ..domain.errors import DomainError
from ..store import models as M
from ..store.models import (
    Adjustment,
    AuditEntry,
    AuditRedaction,
    Complaint,
    ContractorRequest,
    Correspondence,
    Extension,
    Hazard,
    OutstandingAction,
    Remedy,
    Representative,
    Resident,
    Restriction,
    ServiceRequest,
    Stage,
)
from .base import audit, ident, payload_digest, reading, to_plain, transaction

ERASED = "[erased under the retention policy]"
ERASED_WORD = "[erased]"  # put in place of a name, address or contact detail inside other text
ERASED_ENTRY = json.dumps({"erased": True})  # an audit entry's before and after, once erased
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "the", "and", "rev", "sir", "lady"})
# tables whose text is never about a resident, or is the audit chain (handled apart)
_SWEEP_SKIP = frozenset(
    {
        "audit_entry",
        "audit_redaction",
        "audit_anchor",
        "alembic_version",
        "staff",
        "landlord_settings",
        "sqlite_sequence",
    }
)
# what a resident's own row and their representatives' rows are: swept only for this resident
_PERSON_COLUMNS = {
    "resident": ("name", "address", "postcode", "phone", "email"),
    "representative": ("name", "address", "phone", "email"),
}
# a finished complaint's own words and everything said about it, blanked (the figures stay)
_BLANK_BY_COMPLAINT = {
    "complaint": (
        "description",
        "outcome_sought",
        "exclusion_reason",
        "escalation_refusal_reason",
        "withdrawn_reason",
        "discretion_note",
    ),
    "stage": (
        "definition",
        "responsible_for",
        "not_responsible_for",
        "reasons",
        "remedy_statement",
        "actions_statement",
        "staff_note",
    ),
    "remedy": ("description",),
    "outstanding_action": ("description", "owner"),
    "correspondence": ("summary", "file_path"),
}
_BLANK_BY_RESIDENT = {
    "representative": ("name", "relationship", "address", "phone", "email", "authority"),
    "adjustment": ("description",),
    "restriction": ("description", "reason"),
    "service_request": ("description", "response"),
}
# every table whose rows erasure may note again (see anonymise_resident)
_TABLES: list[type[SQLModel]] = [
    m
    for m in vars(M).values()
    if isinstance(m, type)
    and issubclass(m, SQLModel)
    and getattr(m, "__table__", None) is not None
    and m not in (AuditEntry, AuditRedaction, M.AuditAnchor)
]
SAR_FORMAT = "smallhousing-subject-access"


def subject_access(db, resident_id: int) -> dict:
    """Every record held about one resident, as plain data (dates as ISO text)."""
    from .attachments import for_resident

    with reading(db) as u:
        r = u.get(Resident, resident_id, "resident")

        def rows(model, *where):
            return [to_plain(x) for x in u.session.exec(select(model).where(*where).order_by(model.id)).all()]

        complaints = u.session.exec(
            select(Complaint).where(Complaint.resident_id == r.id).order_by(col(Complaint.id))
        ).all()
        out_c = []
        for c in complaints:
            stages = u.session.exec(
                select(Stage).where(Stage.complaint_id == c.id).order_by(col(Stage.number))
            ).all()
            d = to_plain(c)
            d.pop("search_text", None)
            d["stages"] = []
            for st in stages:
                sd = to_plain(st)
                sd["extensions"] = rows(Extension, Extension.stage_id == st.id)
                d["stages"].append(sd)
            d["remedies"] = rows(Remedy, Remedy.complaint_id == c.id)
            d["outstanding_actions"] = rows(OutstandingAction, OutstandingAction.complaint_id == c.id)
            d["correspondence"] = rows(Correspondence, Correspondence.complaint_id == c.id)
            d["asked_of_contractors"] = rows(ContractorRequest, ContractorRequest.complaint_id == c.id)
            d["history"] = [
                {"at": e["at"], "by": e["actor"], "what": e["action"]}
                for e in rows(AuditEntry, AuditEntry.complaint_id == c.id)
            ]
            out_c.append(d)
        return {
            "format": SAR_FORMAT,
            "version": 1,
            "made_on": u.today.isoformat(),
            "resident": to_plain(r),
            "representatives": rows(Representative, Representative.resident_id == r.id),
            "reasonable_adjustments": rows(Adjustment, Adjustment.resident_id == r.id),
            "restrictions": rows(Restriction, Restriction.resident_id == r.id),
            "service_requests": rows(ServiceRequest, ServiceRequest.resident_id == r.id),
            "hazards": rows(M.Hazard, M.Hazard.resident_id == r.id),
            "complaints": out_c,
            "attachments": [to_plain(a) for a in for_resident(u, ident(r))],
        }


def write_subject_access(db, resident_id: int, out: Path, *, overwrite: bool = False) -> Path:
    """Everything held about one resident as JSON at ``out``, written through services/outputs.py
    (never over the database or a backup; an existing file only with ``overwrite``)."""
    from . import outputs

    db_path = getattr(getattr(db, "db", db), "path", None)
    outputs.check_target(out, db_path, overwrite=overwrite)  # refused before anything is read
    data = subject_access(db, resident_id)
    if data.get("attachments"):  # the files themselves, in a folder beside the export
        from .attachments import copy_for_export

        copy_for_export(db, data["attachments"], Path(out).with_name(Path(out).stem + "-files"))
    return outputs.write_text(
        Path(out), json.dumps(data, ensure_ascii=False, indent=2), db_path, overwrite=overwrite
    )


def _last_activity(c: Complaint) -> dt.date:
    dates = [
        d for d in (c.received_on, c.closed_on, c.refused_on, c.withdrawn_on, c.escalation_refused_on) if d
    ]
    return max(dates)


def erasure_candidates(db) -> list[tuple[Resident, dt.date | None]]:
    """Residents with nothing open whose last complaint ended more than the retention period ago."""
    from .settings import get_settings

    with reading(db) as u:
        years = get_settings(u).retention_years
        cutoff = _years_before(u.today, years)
        out = []
        for r in u.session.exec(select(Resident).where(Resident.anonymised_on == None)).all():  # noqa: E711
            ok, last = _eligible(u, r, cutoff)
            if ok:
                out.append((r, last))
        return out


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _eligible(u, r: Resident, cutoff: dt.date) -> tuple[bool, dt.date | None]:
    complaints = u.session.exec(select(Complaint).where(Complaint.resident_id == r.id)).all()
    if not complaints:
        return False, None
    if any(c.state not in L.FINISHED_STATES for c in complaints):
        return False, None
    if u.session.exec(
        select(ServiceRequest.id).where(
            ServiceRequest.resident_id == r.id, ServiceRequest.status != "completed"
        )
    ).first():
        return False, None
    hazards = u.session.exec(select(Hazard).where(Hazard.resident_id == r.id)).all()
    if any(h.closed_on is None for h in hazards):
        return False, None
    last = max([_last_activity(c) for c in complaints] + [h.closed_on for h in hazards if h.closed_on])
    return last < cutoff, last


def anonymise_resident(
    db, resident_id: int, reason: str = "retention period ended", *, backups: bool = False
) -> dict:
    """Erase a resident's personal data; dates, stages, decisions and amounts stay for the figures.

    Their names, addresses and contact details are taken out of every table (learning points,
    Ombudsman cases, notes ...), the audit log keeps only digests, and the file is vacuumed and its
    WAL emptied so the old text is not left in free pages. Letter files in the data folder are
    deleted (their sha256 stays); letters saved elsewhere are listed in ``letters_outside`` for the
    user to delete. ``backups_holding`` lists the backup files that still hold the resident; with
    ``backups=True`` they are erased too (``backups_erased``).
    """
    from .. import paths
    from .settings import get_settings

    owner = db.db if hasattr(db, "db") else db
    on_sqlite = getattr(owner, "dialect", "sqlite") == "sqlite"
    if not on_sqlite:
        _may_erase(owner)
    to_delete: list[Path] = []
    outside: list[str] = []
    with transaction(db) as u:
        if on_sqlite:
            u.session.execute(text("PRAGMA secure_delete = ON"))  # what is erased is overwritten with zeros
        r = u.get(Resident, resident_id, "resident")
        if r.anonymised_on:
            raise DomainError(f"Resident {resident_id} was already anonymised on {r.anonymised_on}.")
        years = get_settings(u).retention_years
        cutoff = _years_before(u.today, years)
        ok, last = _eligible(u, r, cutoff)
        if not ok:
            why = (
                "they have no complaints on record"
                if last is None
                and not u.session.exec(select(Complaint.id).where(Complaint.resident_id == r.id)).first()
                else f"their last complaint ended on {last}, less than {years} years ago"
                if last
                else "they have a complaint, service request or hazard still open"
            )
            raise DomainError(f"Resident {resident_id} cannot be erased yet: {why}.")
        counts = {"complaints": 0, "audit_entries": 0, "letters_deleted": 0}
        values = [
            f"name:{r.name}",
            f"address:{r.address}",
            f"postcode:{r.postcode}",
            f"contact:{r.phone}",
            f"contact:{r.email}",
        ]
        for rep in u.session.exec(select(Representative).where(Representative.resident_id == r.id)).all():
            values += [
                f"name:{rep.name}",
                f"address:{rep.address}",
                f"contact:{rep.phone}",
                f"contact:{rep.email}",
            ]
        strong, linked_terms = _person_terms(values)
        r.name, r.address, r.postcode, r.phone, r.email = f"Former resident {r.id}", "", "", "", ""
        r.preferred_contact, r.preferred_format = "", "standard"
        r.disabilities = r.vulnerabilities = r.notes = ""
        r.anonymised_on = u.today
        u.session.add(r)
        entity_ids: dict[str, list[int]] = {"resident": [ident(r)]}
        for rep in u.session.exec(select(Representative).where(Representative.resident_id == r.id)).all():
            rep.name, rep.address, rep.phone, rep.email = "Former representative", "", "", ""
            rep.relationship = rep.authority = ""
            rep.active = False
            u.session.add(rep)
            entity_ids.setdefault("representative", []).append(ident(rep))
        for adj in u.session.exec(select(Adjustment).where(Adjustment.resident_id == r.id)).all():
            adj.description = ERASED
            u.session.add(adj)
            entity_ids.setdefault("adjustment", []).append(ident(adj))
        for rst in u.session.exec(select(Restriction).where(Restriction.resident_id == r.id)).all():
            rst.description = ERASED
            rst.reason = ERASED
            u.session.add(rst)
            entity_ids.setdefault("restriction", []).append(ident(rst))
        for sr in u.session.exec(select(ServiceRequest).where(ServiceRequest.resident_id == r.id)).all():
            sr.description, sr.response = ERASED, ERASED if sr.response else ""
            u.session.add(sr)
            entity_ids.setdefault("servicerequest", []).append(ident(sr))
        complaint_ids: list[int] = []
        for c in u.session.exec(select(Complaint).where(Complaint.resident_id == r.id)).all():
            complaint_ids.append(ident(c))
            c.description, c.outcome_sought = ERASED, ""
            c.exclusion_reason = ERASED if c.exclusion_reason else ""
            c.escalation_refusal_reason = ERASED if c.escalation_refusal_reason else ""
            c.withdrawn_reason = ""
            c.discretion_note = ERASED if c.discretion_note else ""
            c.search_text = c.reference.lower()
            u.session.add(c)
            for st in u.session.exec(select(Stage).where(Stage.complaint_id == c.id)).all():
                for f in (
                    "definition",
                    "responsible_for",
                    "not_responsible_for",
                    "reasons",
                    "remedy_statement",
                    "actions_statement",
                    "staff_note",
                ):
                    if getattr(st, f):
                        setattr(st, f, ERASED)
                u.session.add(st)
                for e in u.session.exec(select(Extension).where(Extension.stage_id == st.id)).all():
                    e.reason = ERASED
                    e.good_reason = ERASED if e.good_reason else ""
                    e.update_plan = ERASED if e.update_plan else ""
                    u.session.add(e)
            for rem in u.session.exec(select(Remedy).where(Remedy.complaint_id == c.id)).all():
                rem.description = ERASED
                u.session.add(rem)
            for act in u.session.exec(
                select(OutstandingAction).where(OutstandingAction.complaint_id == c.id)
            ).all():
                act.description = ERASED
                act.owner = ""
                u.session.add(act)
            for cor in u.session.exec(
                select(Correspondence).where(Correspondence.complaint_id == c.id)
            ).all():
                if cor.file_path:
                    p = Path(cor.file_path)
                    if paths.letters_dir(u.db.path).resolve() in p.resolve().parents:
                        if p.exists():
                            to_delete.append(p)  # once the erasure is committed
                    elif p.exists():
                        outside.append(str(p))
                cor.summary, cor.file_path = ERASED, ""  # the sha256 stays: a letter existed
                u.session.add(cor)
            counts["complaints"] += 1
        # their hazards (what was found in their home, and why it came first) and what contractors
        # were asked and answered about their records; the dates stay for the clocks and figures
        sr_ids = entity_ids.get("servicerequest", [])
        about: list[ColumnElement[bool]] = [col(Hazard.resident_id) == r.id]
        if complaint_ids:
            about.append(col(Hazard.complaint_id).in_(complaint_ids))
        if sr_ids:
            about.append(col(Hazard.service_request_id).in_(sr_ids))
        for hz in u.session.exec(select(Hazard).where(or_(*about))).all():
            hz.address = ""
            for f in ("description", "findings", "works_planned", "priority_reason", "closed_reason"):
                if getattr(hz, f):
                    setattr(hz, f, ERASED)
            if hz.summary_file:
                p = Path(hz.summary_file)
                if p.is_absolute() and paths.letters_dir(u.db.path).resolve() in p.resolve().parents:
                    if p.exists():
                        to_delete.append(p)
                elif p.exists():
                    outside.append(str(p))
                hz.summary_file = ""  # the sha256 stays: a summary was sent
            u.session.add(hz)
            entity_ids.setdefault("hazard", []).append(ident(hz))
        hazard_ids = entity_ids.get("hazard", [])
        asked: list[ColumnElement[bool]] = []
        for column, ids in (
            (ContractorRequest.complaint_id, complaint_ids),
            (ContractorRequest.service_request_id, sr_ids),
            (ContractorRequest.hazard_id, hazard_ids),
        ):
            if ids:
                asked.append(col(column).in_(ids))
        if asked:
            for rq in u.session.exec(select(ContractorRequest).where(or_(*asked))).all():
                rq.what = ERASED
                rq.answer = ERASED if rq.answer else ""
                u.session.add(rq)
                entity_ids.setdefault("contractorrequest", []).append(ident(rq))
        # what they said about us: the answers and counts stay for the figures, their words go
        said: list[Any] = [
            *u.session.exec(select(M.Compliment).where(M.Compliment.resident_id == r.id)).all(),
            *u.session.exec(select(M.SurveyComment).where(M.SurveyComment.resident_id == r.id)).all(),
        ]
        if complaint_ids:
            said += u.session.exec(
                select(M.SatisfactionAnswer).where(col(M.SatisfactionAnswer.complaint_id).in_(complaint_ids))
            ).all()
        for row in said:
            for f in ("words", "comment"):
                if getattr(row, f, ""):
                    setattr(row, f, ERASED)
            u.session.add(row)
            entity_ids.setdefault(type(row).__name__.lower(), []).append(ident(row))
        from .attachments import erase_for_resident  # their files go once this is committed

        to_delete += erase_for_resident(u, ident(r), complaint_ids, u.today, entity_ids)
        conds: list[ColumnElement[bool]] = (
            [col(AuditEntry.complaint_id).in_(complaint_ids)] if complaint_ids else []
        )
        for entity, ids in entity_ids.items():
            conds.append((col(AuditEntry.entity) == entity) & col(AuditEntry.entity_id).in_(ids))
        kept: dict[tuple[str, int], None] = {}
        redacted: list[AuditEntry] = []
        for entry in u.session.exec(select(AuditEntry).where(or_(*conds))).all():
            if entry.entity_id is not None:
                kept[(entry.entity, entry.entity_id)] = None
            if u.session.exec(select(AuditRedaction.id).where(AuditRedaction.entry_id == entry.id)).first():
                continue
            u.session.add(
                AuditRedaction(
                    entry_id=ident(entry),
                    before_digest=payload_digest(entry.before),
                    after_digest=payload_digest(entry.after),
                    redacted_on=u.today,
                    reason=reason,
                )
            )
            redacted.append(entry)
        # the digests are written first: on a team's database the server lets an entry be
        # erased only when its redaction is already there (services/team.py)
        u.session.flush()
        for entry in redacted:
            entry.before = entry.after = ERASED_ENTRY
            u.session.add(entry)
            counts["audit_entries"] += 1
        counts["letters_deleted"] = len(to_delete)
        u.session.flush()
        con = u.session.connection()
        touched: list[tuple[str, int]] = []
        counts["texts_erased"] = _sweep(con, ident(r), complaint_ids, strong, linked_terms, touched)
        counts["audit_entries"] += _redact_audit_raw(
            con,
            ident(r),
            complaint_ids,
            {k: set(v) for k, v in entity_ids.items()},
            strong,
            u.today,
            reason,
            kept,
        )
        # the erased entries no longer say what these rows hold, and the sweep changed rows with
        # plain SQL: each such row is noted again, whole, as erasure left it (nothing personal is
        # left in it), so that verify can still compare it with the log
        u.session.expire_all()
        models = {m.__name__.lower(): m for m in _TABLES}
        by_table = {m.__tablename__: m for m in _TABLES}
        again: dict[tuple[type[SQLModel], int], None] = {}
        for entity, eid in kept:
            if entity in models:
                again[(models[entity], eid)] = None
        for table, rid in touched:
            if table in by_table:
                again[(by_table[table], rid)] = None
        for model, eid in again:
            kept_row = u.session.get(model, eid)
            if kept_row is not None:
                audit(u, "record as kept after erasure", kept_row)
        audit(u, "resident anonymised", entity="resident", entity_id=r.id, after={"reason": reason, **counts})
        today = u.today
    for p in to_delete:
        try:
            p.unlink()
        except FileNotFoundError:
            pass
    result: dict[str, Any] = dict(counts)
    result["letters_outside"] = outside
    result["backups_erased"] = {}
    if not on_sqlite:
        # a server keeps the old row versions until its VACUUM, and its backups are its own
        result["wal_emptied"] = None
        result["backups_holding"] = []
        result["server"] = _tidy_server(owner)
        return result
    tidy = _tidy_file(Path(db.path if not hasattr(db, "db") else db.db.path))
    result["wal_emptied"] = tidy["wal_emptied"]
    dbp = Path(db.path if not hasattr(db, "db") else db.db.path)
    holding = backups_holding(dbp, strong)
    result["backups_holding"] = [str(p) for p in holding]
    if backups and holding:
        for p in holding:
            result["backups_erased"][str(p)] = erase_from_backup(
                p, resident_id, (strong, linked_terms), today, reason
            )
        result["backups_holding"] = [str(p) for p in backups_holding(dbp, strong)]
    return result


def _may_erase(db) -> None:
    """On a team's PostgreSQL database erasure is a director's: an officer or a viewer is told so
    before anything is read or changed (the server would refuse it too)."""
    role = db.team_role()
    if role in ("officer", "viewer"):
        raise DomainError(
            f"Erasing a resident is a director's work: your role ({role}) may not do it. Nothing was "
            "changed; ask a director to erase them."
        )


SERVER_BACKUPS = (
    "The backups of a PostgreSQL database are the server's own (pg_dump, or what the hosting "
    "provider keeps): smallhousing does not erase them. Old copies hold this resident until they "
    "are replaced, as your retention policy for backups says."
)


def _tidy_server(db) -> dict:
    """After erasing on PostgreSQL: VACUUM FULL the tables, which rewrites them without the old
    row versions the server keeps until then, when the login owns them; else say that the
    database's owner must run it. ``notes`` are sentences for the user."""
    out: dict[str, Any] = {"vacuumed": False, "notes": []}
    vacuum = getattr(db, "vacuum_full_if_owner", None)
    out["vacuumed"] = bool(vacuum()) if vacuum is not None else False
    if out["vacuumed"]:
        out["notes"].append(
            "The tables were vacuumed (VACUUM FULL): the old versions of the erased rows are no "
            "longer in them."
        )
    else:
        from urllib.parse import urlsplit

        name = urlsplit(str(getattr(db, "where", ""))).path.lstrip("/") or "the database"
        out["notes"].append(
            "The server keeps the old versions of the erased rows in its storage until it is "
            "vacuumed: the database's owner (such as the server's admin) should now run VACUUM FULL "
            f"in {name} (in psql, signed in as the owner: VACUUM FULL;)."
        )
    out["notes"].append(SERVER_BACKUPS)
    return out


def erase_from_backups(db, resident_id: int, reason: str = "retention period ended") -> dict[str, str]:
    """For a resident already erased from the live file: erase them from every backup that still
    holds them, finding their details in each backup's own copy of their record."""
    dbp = Path(db.path)
    out = {}
    for p in _backup_files(dbp):
        try:
            con = sqlite3.connect(f"file:{p}?mode=ro", uri=True)
            try:
                row = con.execute(
                    "SELECT name, address, postcode, phone, email FROM resident WHERE id = ?", (resident_id,)
                ).fetchone()
                reps = con.execute(
                    "SELECT name, address, phone, email FROM representative WHERE resident_id = ?",
                    (resident_id,),
                ).fetchall()
            finally:
                con.close()
        except sqlite3.DatabaseError:
            continue
        if not row or row[0] == f"Former resident {resident_id}":
            continue
        values = [
            f"name:{row[0]}",
            f"address:{row[1]}",
            f"postcode:{row[2]}",
            f"contact:{row[3]}",
            f"contact:{row[4]}",
        ]
        for rep in reps:
            values += [f"name:{rep[0]}", f"address:{rep[1]}", f"contact:{rep[2]}", f"contact:{rep[3]}"]
        terms = _person_terms(values)
        out[str(p)] = erase_from_backup(p, resident_id, terms, db.today, reason)
    return out


# erasing everywhere ------------------------------------------------------------------------------


def _person_terms(values: list[str]) -> tuple[list[str], list[str]]:
    """(distinctive texts, searched for in every table; the words of the names, searched for only
    in the records about this resident). ``values`` holds names first, then addresses, postcodes,
    phones and emails, each prefixed "name:", "address:" or "contact:"."""
    strong, linked = set(), set()
    for item in values:
        kind, _, text_ = item.partition(":")
        text_ = " ".join(text_.split())
        if len(text_) < 4:
            continue
        if kind == "name":
            strong.add(text_)
            for w in re.findall(r"[^\W\d_][\w'’-]*", text_):
                if len(w) >= 3 and w.lower() not in _TITLES:
                    linked.add(w)
        elif kind == "address":
            linked.add(text_)
            first = re.split(r"[,\n]", text_)[0].strip()
            if len(first) >= 6:
                linked.add(first)
        elif kind == "postcode":
            linked.add(text_)
        else:  # phone, email
            strong.add(text_)
    return sorted(strong), sorted(linked | strong)


def _pattern(terms: list[str], words: bool) -> re.Pattern | None:
    if not terms:
        return None
    alts = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alts})(?!\w)" if words else f"(?:{alts})", re.IGNORECASE)


def _q(name: str) -> str:
    """A table or column name, quoted (names come from the database's own catalogue)."""
    return '"' + name.replace('"', '""') + '"'


def _tables(con: Connection) -> dict[str, list[tuple[str, bool]]]:
    """Every table of the database (the live one, or a backup's older schema) and its columns,
    each with whether it holds text; asked of the database itself, on SQLite and PostgreSQL alike."""
    insp = inspect(con)
    out = {}
    for t in insp.get_table_names():
        if t.startswith("sqlite_"):
            continue
        out[t] = [(c["name"], isinstance(c["type"], (String, NullType))) for c in insp.get_columns(t)]
    return out


def _ids(con: Connection, sql: str, params: dict | None = None) -> set[int]:
    return {int(r[0]) for r in con.execute(text(sql), params or {})}


def _linked_rowids(con, tables, resident_id: int, complaint_ids: list[int]) -> dict[str, set[int]]:
    """Rows about this resident (by id): theirs, their complaints', and what hangs off those."""
    out: dict[str, set[int]] = {}
    cids = ",".join(str(int(c)) for c in complaint_ids) or "NULL"
    for t, cols in tables.items():
        names = {c for c, _ in cols}
        if "id" not in names:
            continue
        rows: set[int] = set()
        if t == "resident":
            rows.add(resident_id)
        if "resident_id" in names:
            rows |= _ids(con, f"SELECT id FROM {_q(t)} WHERE resident_id = :r", {"r": resident_id})
        if t == "complaint":
            rows |= _ids(con, f"SELECT id FROM complaint WHERE id IN ({cids})")
        if "complaint_id" in names:
            rows |= _ids(con, f"SELECT id FROM {_q(t)} WHERE complaint_id IN ({cids})")
        if "stage_id" in names and "stage" in tables:
            rows |= _ids(
                con,
                f"SELECT id FROM {_q(t)} WHERE stage_id IN (SELECT id FROM stage WHERE complaint_id "
                f"IN ({cids}))",
            )
        if "case_id" in names and "ombudsman_case" in tables:
            rows |= _ids(
                con,
                f"SELECT id FROM {_q(t)} WHERE case_id IN (SELECT id FROM ombudsman_case WHERE "
                f"complaint_id IN ({cids}))",
            )
        if rows:
            out[t] = rows
    return out


def _sweep(
    con: Connection,
    resident_id: int,
    complaint_ids: list[int],
    strong: list[str],
    linked_terms: list[str],
    touched: list | None = None,
) -> int:
    """Put ERASED_WORD in place of the resident's names, addresses and contact details in every
    text column of every table (but the audit log): the distinctive ones (full names, phones,
    emails) wherever they appear, the words of a name and the address also in the rows about this
    resident (learning points, Ombudsman cases and orders, handler changes, ...). Other residents'
    own names and addresses are never touched. Returns the number of cells changed.

    ``con`` is the transaction's connection (SQLAlchemy), on SQLite or PostgreSQL: every table
    has the primary key ``id``, by which a changed row is written back."""
    everywhere, here = _pattern(strong, False), _pattern(linked_terms, True)
    if everywhere is None and here is None:
        return 0
    tables = _tables(con)
    linked = _linked_rowids(con, tables, resident_id, complaint_ids)
    changed = 0
    for t, cols in tables.items():
        if t in _SWEEP_SKIP or "id" not in {c for c, _ in cols}:
            continue
        text_cols = [c for c, is_text in cols if is_text and c != "id"]
        if not text_cols:
            continue
        mine = linked.get(t, set())
        q = ", ".join(_q(c) for c in text_cols)
        for row in con.execute(text(f"SELECT id, {q} FROM {_q(t)}")).all():
            rid, values = row[0], row[1:]
            sets = {}
            for c, v in zip(text_cols, values):
                if not isinstance(v, str) or not v:
                    continue
                if rid not in mine and c in _PERSON_COLUMNS.get(t, ()):
                    continue  # another person's own name or address
                new = everywhere.sub(ERASED_WORD, v) if everywhere else v
                if rid in mine and here is not None:
                    new = here.sub(ERASED_WORD, new)
                if new != v:
                    sets[c] = new
            if sets:
                row_table = sa_table(t, sa_column("id"), *(sa_column(c) for c in sets))
                con.execute(
                    update(row_table)
                    .where(row_table.c.id == rid)
                    .values({row_table.c[c]: v for c, v in sets.items()})
                )
                changed += len(sets)
                if touched is not None:
                    touched.append((t, rid))
    return changed


def _redact_audit_raw(
    con: Connection,
    resident_id: int,
    complaint_ids: list[int],
    entity_ids: dict,
    terms: list[str],
    today: dt.date,
    reason: str,
    kept: dict | None = None,
) -> int:
    """Erase from audit entries about this resident, or that mention them, keeping the digests
    (audit_redaction) so that the chain still verifies. Each redaction is written before its
    entry is changed: a team's database lets an entry change only so (services/team.py)."""
    pat = _pattern(terms, False)
    # SQLModel's stubs do not declare __table__, which SQLAlchemy sets on every table model
    entries = AuditEntry.__table__  # type: ignore[attr-defined]
    redactions = AuditRedaction.__table__  # type: ignore[attr-defined]
    done = {r[0] for r in con.execute(sa_select(redactions.c.entry_id))}
    cids = {int(c) for c in complaint_ids}
    n = 0
    rows = con.execute(
        sa_select(
            entries.c.id,
            entries.c.entity,
            entries.c.entity_id,
            entries.c.complaint_id,
            entries.c.before,
            entries.c.after,
        ).order_by(entries.c.id)
    ).all()
    for eid, entity, entity_id, cid, before, after in rows:
        if eid in done:
            continue
        about = (cid in cids) or (entity_id in entity_ids.get(entity, ()))
        if not about and not (pat and (pat.search(before or "") or pat.search(after or ""))):
            continue
        con.execute(
            insert(redactions).values(
                entry_id=eid,
                before_digest=payload_digest(before or ""),
                after_digest=payload_digest(after or ""),
                redacted_on=today,
                reason=reason,
            )
        )
        con.execute(
            update(entries).where(entries.c.id == eid).values(before=ERASED_ENTRY, after=ERASED_ENTRY)
        )
        if kept is not None and entity_id is not None:
            kept[(entity, entity_id)] = None
        n += 1
    return n


def _tidy_file(path: Path) -> dict:
    """Leave no erased text in free pages or the WAL: VACUUM, then checkpoint and empty the WAL."""
    out = {"vacuumed": False, "wal_emptied": False}
    con = sqlite3.connect(str(path), timeout=5, isolation_level=None)
    try:
        con.execute("PRAGMA secure_delete = ON")
        try:
            con.execute("VACUUM")
            out["vacuumed"] = True
        except sqlite3.OperationalError:
            pass  # another program is reading; secure_delete already zeroed what was erased
        busy = con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        out["wal_emptied"] = not busy or busy[0] == 0
    finally:
        con.close()
    return out


def _backup_files(db_path: Path) -> list[Path]:
    from .. import paths

    folder = paths.backups_dir(db_path)
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir() if p.is_file() and not p.name.endswith(("-wal", "-shm", "-journal"))
    )


def backups_holding(db_path: Path, terms: list[str]) -> list[Path]:
    """The backup files whose bytes hold any of ``terms`` (read only; nothing is opened as a
    database)."""
    needles = [t.encode("utf-8") for t in terms if t]
    needles += [t.lower().encode("utf-8") for t in terms if t]
    out = []
    for p in _backup_files(db_path):
        try:
            data = p.read_bytes()
            for side in ("-wal",):
                extra = Path(str(p) + side)
                if extra.exists():
                    data += extra.read_bytes()
        except OSError:
            continue
        if any(n in data for n in needles):
            out.append(p)
    return out


def erase_from_backup(
    path: Path,
    resident_id: int,
    terms: tuple[list[str], list[str]],
    today: dt.date,
    reason: str = "retention period ended",
) -> str:
    """Run the same erasure on one backup file (opened apart from the live database), then check its
    integrity. Returns "erased", or a sentence saying why not."""
    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool, connect_args={"timeout": 5})
    try:
        with engine.connect() as con:
            con.exec_driver_sql("PRAGMA secure_delete = ON")
            tables = _tables(con)
            if "resident" not in tables or "complaint" not in tables:
                return f"{path.name} is not a smallhousing backup; it was left alone"
            try:
                complaint_ids = [
                    int(r[0])
                    for r in con.execute(
                        text("SELECT id FROM complaint WHERE resident_id = :r"), {"r": resident_id}
                    )
                ]
                _blank_raw(con, tables, resident_id, complaint_ids)
                from .attachment_files import erase_rows_raw

                erase_rows_raw(con, resident_id, complaint_ids, today)
                entity_ids = {"resident": {resident_id}}
                for t, ent in (
                    ("representative", "representative"),
                    ("adjustment", "adjustment"),
                    ("restriction", "restriction"),
                    ("service_request", "servicerequest"),
                ):
                    if t in tables:
                        entity_ids[ent] = _ids(
                            con, f"SELECT id FROM {_q(t)} WHERE resident_id = :r", {"r": resident_id}
                        )
                _sweep(con, resident_id, complaint_ids, *terms)
                if "audit_redaction" in tables:
                    _redact_audit_raw(con, resident_id, complaint_ids, entity_ids, terms[0], today, reason)
                con.commit()
            except BaseException:
                con.rollback()
                raise
    finally:
        engine.dispose()
    _tidy_file(path)
    from .attachment_files import prune_files_beside

    prune_files_beside(path)  # the resident's files kept beside the backup
    check = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        ok = check.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        check.close()
    return "erased" if ok == "ok" else f"erased, but its integrity check says: {ok}"


def _blank_raw(con, tables, resident_id: int, complaint_ids: list[int]) -> None:
    """In a backup: the resident's row and everything about them blanked as anonymise_resident
    does in the live file."""
    cols = {c for c, _ in tables["resident"]}
    sets = {
        c: ""
        for c in (
            "address",
            "postcode",
            "phone",
            "email",
            "preferred_contact",
            "disabilities",
            "vulnerabilities",
            "notes",
        )
        if c in cols
    }
    sets["name"] = f"Former resident {resident_id}"
    con.execute(
        text("UPDATE resident SET " + ", ".join(f"{_q(c)} = :{c}" for c in sets) + " WHERE id = :rid"),
        {**sets, "rid": resident_id},
    )
    cids = ",".join(str(int(c)) for c in complaint_ids) or "NULL"
    for table, columns in _BLANK_BY_RESIDENT.items():
        _blank(con, tables, table, columns, f"resident_id = {int(resident_id)}")
    for table, columns in _BLANK_BY_COMPLAINT.items():
        key = "id" if table == "complaint" else "complaint_id"
        _blank(con, tables, table, columns, f"{key} IN ({cids})")
    _blank(
        con,
        tables,
        "extension",
        ("reason", "good_reason", "told_how", "update_plan"),
        f"stage_id IN (SELECT id FROM stage WHERE complaint_id IN ({cids}))",
    )
    if "complaint" in tables and "search_text" in {c for c, _ in tables["complaint"]}:
        con.execute(text(f"UPDATE complaint SET search_text = lower(reference) WHERE id IN ({cids})"))


def _blank(con, tables, table: str, columns, where: str) -> None:
    if table not in tables:
        return
    have = {c for c, _ in tables[table]}
    for c in columns:
        if c in have:
            value = "" if c in ("file_path", "owner", "phone", "email", "address") else ERASED
            con.execute(
                text(f"UPDATE {_q(table)} SET {_q(c)} = :v WHERE {where} AND {_q(c)} != ''"), {"v": value}
            )
