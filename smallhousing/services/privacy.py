"""Personal data: everything held about one resident (a subject access request), and erasure of a
resident whose complaints closed longer ago than the retention period, keeping the figures."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import or_
from sqlmodel import select

from ..domain import lifecycle as L
from ..domain.errors import DomainError
from ..store.models import (Adjustment, AuditEntry, AuditRedaction, Complaint, Correspondence,
                            Extension, OutstandingAction, Remedy, Representative, Resident,
                            Restriction, ServiceRequest, Stage)
from .base import audit, payload_digest, reading, to_plain, transaction

ERASED = "[erased under the retention policy]"
SAR_FORMAT = "smallhousing-subject-access"


def subject_access(db, resident_id: int) -> dict:
    """Every record held about one resident, as plain data (dates as ISO text)."""
    with reading(db) as u:
        r = u.get(Resident, resident_id, "resident")

        def rows(model, *where):
            return [to_plain(x) for x in u.s.exec(select(model).where(*where).order_by(model.id)).all()]

        complaints = u.s.exec(select(Complaint).where(Complaint.resident_id == r.id)
                              .order_by(Complaint.id)).all()
        out_c = []
        for c in complaints:
            stages = u.s.exec(select(Stage).where(Stage.complaint_id == c.id).order_by(Stage.number)).all()
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
            d["history"] = [{"at": e["at"], "by": e["actor"], "what": e["action"]}
                            for e in rows(AuditEntry, AuditEntry.complaint_id == c.id)]
            out_c.append(d)
        return {
            "format": SAR_FORMAT, "version": 1, "made_on": u.today.isoformat(),
            "resident": to_plain(r),
            "representatives": rows(Representative, Representative.resident_id == r.id),
            "reasonable_adjustments": rows(Adjustment, Adjustment.resident_id == r.id),
            "restrictions": rows(Restriction, Restriction.resident_id == r.id),
            "service_requests": rows(ServiceRequest, ServiceRequest.resident_id == r.id),
            "complaints": out_c,
        }


def write_subject_access(db, resident_id: int, out: Path, *, overwrite: bool = False) -> Path:
    """Everything held about one resident as JSON at ``out``, written through services/outputs.py
    (never over the database or a backup; an existing file only with ``overwrite``)."""
    from . import outputs

    db_path = getattr(getattr(db, "db", db), "path", None)
    outputs.check_target(out, db_path, overwrite=overwrite)  # refused before anything is read
    data = subject_access(db, resident_id)
    return outputs.write_text(Path(out), json.dumps(data, ensure_ascii=False, indent=2), db_path,
                              overwrite=overwrite)


def _last_activity(c: Complaint) -> dt.date:
    dates = [d for d in (c.received_on, c.closed_on, c.refused_on, c.withdrawn_on,
                         c.escalation_refused_on) if d]
    return max(dates)


def erasure_candidates(db) -> list[tuple[Resident, dt.date | None]]:
    """Residents with nothing open whose last complaint ended more than the retention period ago."""
    from .settings import get_settings

    with reading(db) as u:
        years = get_settings(u).retention_years
        cutoff = _years_before(u.today, years)
        out = []
        for r in u.s.exec(select(Resident).where(Resident.anonymised_on == None)).all():  # noqa: E711
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
    complaints = u.s.exec(select(Complaint).where(Complaint.resident_id == r.id)).all()
    if not complaints:
        return False, None
    if any(c.state not in L.FINISHED_STATES for c in complaints):
        return False, None
    if u.s.exec(select(ServiceRequest.id).where(ServiceRequest.resident_id == r.id,
                                                ServiceRequest.status != "completed")).first():
        return False, None
    last = max(_last_activity(c) for c in complaints)
    return last < cutoff, last


def anonymise_resident(db, resident_id: int, reason: str = "retention period ended") -> dict:
    """Erase a resident's personal data; dates, stages, decisions and amounts stay for the figures."""
    from .. import paths
    from .settings import get_settings

    with transaction(db) as u:
        r = u.get(Resident, resident_id, "resident")
        if r.anonymised_on:
            raise DomainError(f"Resident {resident_id} was already anonymised on {r.anonymised_on}.")
        years = get_settings(u).retention_years
        cutoff = _years_before(u.today, years)
        ok, last = _eligible(u, r, cutoff)
        if not ok:
            why = ("they have no complaints on record" if last is None and not
                   u.s.exec(select(Complaint.id).where(Complaint.resident_id == r.id)).first()
                   else f"their last complaint ended on {last}, less than {years} years ago"
                   if last else "they have a complaint or service request still open")
            raise DomainError(f"Resident {resident_id} cannot be erased yet: {why}.")
        counts = {"complaints": 0, "audit_entries": 0, "letters_deleted": 0}
        r.name, r.address, r.postcode, r.phone, r.email = f"Former resident {r.id}", "", "", "", ""
        r.preferred_contact, r.preferred_format = "", "standard"
        r.disabilities = r.vulnerabilities = r.notes = ""
        r.anonymised_on = u.today
        u.s.add(r)
        entity_ids: dict[str, list[int]] = {"resident": [r.id]}
        for rep in u.s.exec(select(Representative).where(Representative.resident_id == r.id)).all():
            rep.name, rep.address, rep.phone, rep.email = "Former representative", "", "", ""
            rep.relationship = rep.authority = ""
            rep.active = False
            u.s.add(rep)
            entity_ids.setdefault("representative", []).append(rep.id)
        for model, name in ((Adjustment, "adjustment"), (Restriction, "restriction")):
            for row in u.s.exec(select(model).where(model.resident_id == r.id)).all():
                row.description = ERASED
                if hasattr(row, "reason"):
                    row.reason = ERASED
                u.s.add(row)
                entity_ids.setdefault(name, []).append(row.id)
        for sr in u.s.exec(select(ServiceRequest).where(ServiceRequest.resident_id == r.id)).all():
            sr.description, sr.response = ERASED, ERASED if sr.response else ""
            u.s.add(sr)
            entity_ids.setdefault("servicerequest", []).append(sr.id)
        complaint_ids = []
        for c in u.s.exec(select(Complaint).where(Complaint.resident_id == r.id)).all():
            complaint_ids.append(c.id)
            c.description, c.outcome_sought = ERASED, ""
            c.exclusion_reason = ERASED if c.exclusion_reason else ""
            c.escalation_refusal_reason = ERASED if c.escalation_refusal_reason else ""
            c.withdrawn_reason = ""
            c.search_text = c.reference.lower()
            u.s.add(c)
            for st in u.s.exec(select(Stage).where(Stage.complaint_id == c.id)).all():
                for f in ("definition", "responsible_for", "not_responsible_for", "reasons",
                          "remedy_statement", "actions_statement"):
                    if getattr(st, f):
                        setattr(st, f, ERASED)
                u.s.add(st)
                for e in u.s.exec(select(Extension).where(Extension.stage_id == st.id)).all():
                    e.reason = ERASED
                    e.good_reason = ERASED if e.good_reason else ""
                    u.s.add(e)
            for model in (Remedy, OutstandingAction):
                for row in u.s.exec(select(model).where(model.complaint_id == c.id)).all():
                    row.description = ERASED
                    if isinstance(row, OutstandingAction):
                        row.owner = ""
                    u.s.add(row)
            for cor in u.s.exec(select(Correspondence).where(Correspondence.complaint_id == c.id)).all():
                if cor.file_path:
                    p = Path(cor.file_path)
                    if p.exists() and paths.folder_for(u.db.path) in p.resolve().parents:
                        p.unlink()
                        counts["letters_deleted"] += 1
                cor.summary, cor.file_path = ERASED, ""
                u.s.add(cor)
            counts["complaints"] += 1
        conds = [AuditEntry.complaint_id.in_(complaint_ids)] if complaint_ids else []
        for entity, ids in entity_ids.items():
            conds.append((AuditEntry.entity == entity) & AuditEntry.entity_id.in_(ids))
        for e in u.s.exec(select(AuditEntry).where(or_(*conds))).all():
            if u.s.exec(select(AuditRedaction.id).where(AuditRedaction.entry_id == e.id)).first():
                continue
            u.add(AuditRedaction(entry_id=e.id, before_digest=payload_digest(e.before),
                                 after_digest=payload_digest(e.after), redacted_on=u.today,
                                 reason=reason))
            e.before = e.after = json.dumps({"erased": True})
            u.s.add(e)
            counts["audit_entries"] += 1
        audit(u, "resident anonymised", entity="resident", entity_id=r.id,
              after={"reason": reason, **counts})
        return counts
