"""Letters to residents: what each one says, the check that it says everything the Code asks,
and issuing it as a PDF recorded on the complaint.

This module decides; smallhousing.letters only renders. A letter that fails the check is never
made: ``issue_letter`` raises LetterRefused (with the list of what is missing) and writes nothing.
reportlab is imported only when a PDF is actually made.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import col, select

from .. import paths
from ..domain import compensation as K
from ..domain import letter_rules as LR
from ..domain import lifecycle as L
from ..domain.errors import DomainError
from ..domain.rules import rule_set, stage_deadlines
from ..domain.words import has_words
from ..store.models import (
    Complaint,
    Correspondence,
    Extension,
    LandlordSettings,
    OutstandingAction,
    Remedy,
    Representative,
    Resident,
    Staff,
    Stage,
)
from . import complaints as C
from . import step_letters
from .base import Unit, clean, ident, reading, transaction, update_fields

KINDS = LR.KINDS
KIND_LABELS = LR.KIND_LABELS
SHORT_NAMES = {
    "acknowledgement": "acknowledgement letter",
    "extension": "extension letter",
    "response": "response letter",
    "refusal": "letter refusing the complaint",
    "escalation-refusal": "letter refusing escalation",
    "action-update": "action update letter",
}
LARGE_PRINT = "large print"


class LetterRefused(DomainError):
    """The letter is missing something the Code requires; nothing was written."""

    def __init__(self, problems: list[str], what: str = "This letter") -> None:
        self.problems = list(problems)
        super().__init__(f"{what} cannot be issued until it has: " + "; ".join(self.problems) + ".")


# what a renderer needs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LandlordBlock:
    name: str
    address_lines: tuple[str, ...] = ()
    phone: str = ""
    email: str = ""
    website: str = ""
    demo: bool = False  # made from made-up demo records: every page says DEMO

    @property
    def contact_lines(self) -> tuple[str, ...]:
        out = []
        if self.phone:
            out.append(f"Phone: {self.phone}")
        if self.email:
            out.append(f"Email: {self.email}")
        if self.website:
            out.append(f"Web: {self.website}")
        return tuple(out)


@dataclass(frozen=True)
class Recipient:
    name: str
    address_lines: tuple[str, ...] = ()
    on_behalf_of: str = ""  # the resident's name when the letter goes to a representative


@dataclass(frozen=True)
class OmbudsmanDetails:
    form_url: str
    phone: str
    post: str

    @property
    def lines(self) -> str:
        """How to reach the Ombudsman, as bullet lines. Never an email address."""
        return (
            f"• Online, using its complaint form:\n  {self.form_url}\n"
            f"• By phone: {self.phone}\n"
            f"• By post: {self.post}"
        )


@dataclass
class LetterContent:
    """Everything a renderer needs, already decided and worded."""

    kind: str
    stage: int | None
    title: str
    landlord: LandlordBlock
    recipient: Recipient
    date: dt.date
    reference: str
    handler: str
    handler_role: str = ""
    salutation: str = ""
    intro: str = ""
    key_facts: list[tuple[str, str]] = field(default_factory=list)
    sections: list[tuple[str, str]] = field(default_factory=list)  # (heading, text)
    closing: str = ""
    ombudsman: OmbudsmanDetails | None = None
    large_print: bool = False
    items: dict[str, str] = field(default_factory=dict)  # mandatory item -> its text in the letter
    beyond_cap: bool = False
    extra_problems: list[str] = field(default_factory=list)
    made_on: dt.date | None = None  # the day this copy is made; the letter is dated the event's day
    promises: list[tuple[str, dt.date]] = field(default_factory=list)  # dates the letter promises
    warnings: list[str] = field(default_factory=list)  # promised dates already past when made
    extension_id: int | None = None  # the extension an extension letter tells the resident of

    @property
    def copy_note(self) -> str:
        """Small print on a copy made after the day the letter is dated."""
        if self.made_on is None or self.made_on == self.date:
            return ""
        return (
            f"This copy was made on {long_date(self.made_on)}. The letter keeps the date of "
            f"the event it records, {long_date(self.date)}."
        )

    @property
    def label(self) -> str:
        """'Response letter, stage 1': how the letter is listed in the correspondence."""
        stage = f", stage {self.stage}" if self.stage else ""
        return f"{KIND_LABELS[self.kind]} letter{stage}"

    @property
    def description(self) -> str:
        """'stage 1 response letter': how a sentence names it."""
        stage = f"stage {self.stage} " if self.stage else ""
        return f"{stage}{SHORT_NAMES[self.kind]}"

    @property
    def date_text(self) -> str:
        return long_date(self.date)

    def body_text(self) -> str:
        """All the words of the letter, in order (what the check looks in)."""
        parts = [
            self.landlord.name,
            *self.landlord.address_lines,
            *self.landlord.contact_lines,
            self.recipient.name,
            *self.recipient.address_lines,
            self.date_text,
            self.reference,
            self.handler,
            self.handler_role,
            self.recipient.on_behalf_of,
            self.title,
        ]
        parts += [f"{label(k)}: {v}" for k, v in self.key_facts]
        parts += [self.salutation, self.intro]
        for heading, text in self.sections:
            parts += [heading, text]
        parts += [self.closing, self.handler, self.handler_role, self.landlord.name, self.copy_note]
        return "\n".join(p for p in parts if p)


@dataclass(frozen=True)
class IssuedLetter:
    path: Path
    sha256: str
    correspondence_id: int


@dataclass(frozen=True)
class LetterRecord:
    correspondence_id: int
    on: dt.date
    kind: str
    summary: str
    path: Path
    exists: bool


@dataclass(frozen=True)
class KindChoice:
    kind: str
    label: str
    stage: int | None
    reason: str = ""  # why it cannot be made now; empty when it can

    @property
    def available(self) -> bool:
        return not self.reason


# wording helpers ---------------------------------------------------------------------------------


def long_date(day: dt.date) -> str:
    """'Monday 2 March 2026'."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def label(text: str) -> str:
    """Text to be followed by ':' or ',' without its own closing punctuation ("trouble.:")."""
    return (text or "").rstrip().rstrip(".,:;")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day so many months on (the last day of the month when it has no such day)."""
    import calendar

    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


TITLES = (
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "professor",
    "rev",
    "revd",
    "sir",
    "dame",
    "lady",
    "lord",
    "cllr",
    "councillor",
)


def salutation(name: str) -> str:
    """'Dear Ms Edwards' for 'Ms Irene Edwards'; the full name when it starts with no title."""
    parts = (name or "").split()
    if not parts:
        return ""
    if len(parts) >= 2 and parts[0].rstrip(".").lower() in TITLES:
        return f"Dear {parts[0]} {parts[-1]},"
    return f"Dear {' '.join(parts)},"


_POSTCODE = re.compile(r"\b([A-Za-z]{1,2}\d[A-Za-z\d]?)\s*(\d[A-Za-z]{2})\b")


def _postcode_caps(line: str) -> str:
    """A UK postcode in an address line in capitals, with its single space."""
    return _POSTCODE.sub(lambda m: f"{m.group(1).upper()} {m.group(2).upper()}", line)


def money(pence: int) -> str:
    return f"£{pence // 100:,}.{pence % 100:02d}"


def _lines(text: str) -> tuple[str, ...]:
    """An address as typed, one line per comma or line break."""
    return tuple(p.strip() for p in re.split(r"[\n,]", text or "") if p.strip())


def _postal(text: str) -> tuple[str, ...]:
    """A recipient's address: as typed, with its postcode in capitals."""
    return tuple(_postcode_caps(line) for line in _lines(text))


def _address(address: str, postcode: str = "") -> tuple[str, ...]:
    lines = list(_postal(address))
    pc = _postcode_caps(clean(postcode)).upper()
    if pc and pc.replace(" ", "").lower() not in " ".join(lines).replace(" ", "").lower():
        lines.append(pc)
    return tuple(lines)


def _bullets(items: list[str]) -> str:
    return "\n".join(f"• {i}" for i in items)


_DECISION_MEANING = {
    L.UPHELD: "This means we agree that we got things wrong.",
    L.PARTLY_UPHELD: "This means we agree that we got some things wrong, but not everything you raised.",
    L.NOT_UPHELD: "This means we have not found that we got things wrong.",
}

_GROUND_TEXT = {
    "older than 12 months": "Our complaints procedure covers matters raised within 12 months of "
    "them happening, or of you first becoming aware of them. What you have "
    "told us about falls outside that period.",
    "legal proceedings": "Court proceedings about this matter have begun. While the court is "
    "dealing with it, we cannot also consider it as a complaint.",
    "already considered": "We have already considered this matter through our complaints procedure.",
    "other": "",
}

_NOTHING_OUTSIDE = "We have not found any part of your complaint that is outside our responsibility."


# gathering ---------------------------------------------------------------------------------------


@dataclass
class _Ctx:
    u: Unit
    c: Complaint
    resident: Resident
    rep: Representative | None
    settings: LandlordSettings
    landlord: LandlordBlock
    recipient: Recipient
    ombudsman: OmbudsmanDetails
    contact: str  # bullet lines: how to reach the landlord

    def stage(self, n: int) -> Stage | None:
        return C._stage(self.u, self.c, n)

    def stage_row(self, n: int) -> Stage:
        """Stage ``n`` of the complaint, which must exist (see _stage_number)."""
        st = self.stage(n)
        if st is None:
            raise DomainError(f"Complaint {self.c.reference} has no stage {n}.", field="stage")
        return st

    def staff(self, staff_id: int | None) -> tuple[str, str]:
        """The name and role of a member of staff; empty when none is recorded (never a default)."""
        s = self.u.session.get(Staff, staff_id) if staff_id is not None else None
        return (s.name, s.role) if s is not None else ("", "")

    def handler(self, st: Stage | None) -> tuple[str, str]:
        if st is not None and st.handler_id is not None:
            s = self.u.session.get(Staff, st.handler_id)
            if s is not None:
                return s.name, s.role
        if self.settings.complaints_officer:
            return self.settings.complaints_officer, "Complaints Officer"
        return "", ""


def _settings(u: Unit) -> LandlordSettings:
    row = u.session.exec(select(LandlordSettings).order_by(col(LandlordSettings.id)).limit(1)).first()
    return row or LandlordSettings()


def _context(u: Unit, ref) -> _Ctx:
    c = C._complaint(u, ref)
    resident = u.get(Resident, c.resident_id, "resident")
    rep = u.session.get(Representative, c.representative_id) if c.representative_id else None
    if rep is not None and not rep.active:
        rep = None
    st = _settings(u)
    landlord = LandlordBlock(
        clean(st.name),
        _lines(st.address),
        clean(st.phone),
        clean(st.email),
        clean(st.website),
        demo=bool(st.demo),
    )
    if rep is not None:
        recipient = Recipient(rep.name, _postal(rep.address), on_behalf_of=resident.name)
    else:
        recipient = Recipient(resident.name, _address(resident.address, resident.postcode))
    contact = []
    if landlord.phone:
        contact.append(f"By phone: {landlord.phone}")
    if landlord.email:
        contact.append(f"By email: {landlord.email}")
    if landlord.address_lines:
        contact.append(
            "By post: "
            + ", ".join((landlord.name, *landlord.address_lines) if landlord.name else landlord.address_lines)
        )
    omb = OmbudsmanDetails(clean(st.ombudsman_form_url), clean(st.ombudsman_phone), clean(st.ombudsman_post))
    return _Ctx(u, c, resident, rep, st, landlord, recipient, omb, _bullets(contact))


def _stage_number(ctx: _Ctx, stage) -> int:
    if stage is None or stage == "":
        return ctx.c.stage
    try:
        n = int(stage)
    except (TypeError, ValueError):
        n = 0
    if n not in (1, 2):
        raise DomainError("The stage must be 1 or 2.", field="stage")
    if ctx.stage(n) is None:
        raise DomainError(f"Complaint {ctx.c.reference} has no stage {n}.", field="stage")
    return n


def _base(
    ctx: _Ctx, kind: str, stage: int | None, title: str, handler: tuple[str, str], on: dt.date
) -> LetterContent:
    """The parts every letter has. ``on`` is the day of the event the letter records: the letter
    is dated that day, whenever the file is made."""
    name, role = handler
    lp = (ctx.resident.preferred_format or "").strip().lower() == LARGE_PRINT
    content = LetterContent(
        kind=kind,
        stage=stage,
        title=title,
        landlord=ctx.landlord,
        recipient=ctx.recipient,
        date=on,
        reference=ctx.c.reference,
        handler=name,
        handler_role=role,
        salutation=salutation(ctx.recipient.name),
        ombudsman=ctx.ombudsman,
        large_print=lp,
        made_on=ctx.u.today,
    )
    content.items.update(
        {
            "landlord_name": ctx.landlord.name,
            "landlord_contact": ctx.landlord.phone
            or ctx.landlord.email
            or ", ".join(ctx.landlord.address_lines),
            "recipient_name": ctx.recipient.name,
            "recipient_address": "\n".join(ctx.recipient.address_lines),
            "reference": ctx.c.reference,
            "handler": name,
        }
    )
    return content


def _who_section(
    ctx: _Ctx, handler: str, role: str, lead: str, heading: str = "Who is handling your complaint"
) -> tuple[str, str]:
    who = f"{handler}, {role}," if role else handler
    text = f"{who} {lead}" if handler else ""
    text += ("\n\n" if text else "") + (
        f"You can contact us, quoting reference {ctx.c.reference}:\n{ctx.contact}" if ctx.contact else ""
    )
    return heading, text


def _ombudsman_advice(ctx: _Ctx) -> tuple[str, str]:
    return (
        "Advice from the Housing Ombudsman",
        "The Housing Ombudsman Service is independent and free to use. You can ask it for advice "
        f"at any time while we deal with your complaint:\n{ctx.ombudsman.lines}",
    )


def _definition_text(ctx: _Ctx, st: Stage) -> str:
    text = st.definition
    if has_words(ctx.c.outcome_sought) and LR.normalise(ctx.c.outcome_sought) not in LR.normalise(text):
        text += f"\n\nThe outcome you are looking for:\n{ctx.c.outcome_sought}"
    return text


def _responsibility(ctx: _Ctx, st: Stage) -> tuple[str, str]:
    """What the landlord is and is not responsible for (5.7); stage 2 keeps stage 1's unless changed."""
    resp, not_resp = st.responsible_for, st.not_responsible_for
    if st.number == 2 and not resp:
        s1 = ctx.stage(1)
        if s1 is not None:
            resp, not_resp = s1.responsible_for, s1.not_responsible_for
    return resp, not_resp or _NOTHING_OUTSIDE


def _acknowledgement(ctx: _Ctx, n: int) -> LetterContent:
    st = ctx.stage(n)
    if st is None or st.acknowledged_on is None:
        raise DomainError(
            f"Stage {n} of complaint {ctx.c.reference} has not been acknowledged yet: "
            "record the acknowledgement (with the complaint definition) first."
        )
    on = st.acknowledged_on
    # the date promised is the one that stood on the day: a later extension has its own letter
    exts = [e for e in C._extensions(ctx.u, st) if e.extended_on <= on]
    due = stage_deadlines(ctx.u.cal, rule_set(ctx.c.rule_set), C.stage_dates(st, exts)).final_respond_by
    name, role = ctx.handler(st)
    title = (
        "Your complaint: our acknowledgement (stage 1)"
        if n == 1
        else "Your complaint: our acknowledgement of your request for stage 2"
    )
    out = _base(ctx, LR.ACKNOWLEDGEMENT, n, title, (name, role), on)
    stage_text = f"stage {n} of our complaints procedure"
    if n == 1:
        behalf = (
            f"contacting us on behalf of {ctx.resident.name} about their complaint"
            if ctx.rep
            else "telling us about your complaint"
        )
        out.intro = (
            f"Thank you for {behalf}. We received the complaint on "
            f"{long_date(ctx.c.received_on)} and it is now at {stage_text}. This letter "
            "sets out how we understand the complaint, so that you can tell us if we have "
            "got anything wrong before we answer it."
        )
    else:
        out.intro = (
            f"Thank you for asking us to look at your complaint again. We received your "
            f"request on {long_date(st.requested_on)} and the complaint is now at "
            f"{stage_text}, the final stage. Someone who was not involved in our stage 1 "
            "response will consider it."
        )
    resp, not_resp = _responsibility(ctx, st)
    clarify = (
        "If anything above is wrong or missing, or if we have misunderstood what you want us "
        "to do, please tell us as soon as you can, so that our response covers everything."
    )
    due_text = long_date(due) if due else ""
    respond_text = (
        (
            f"We will send you our full response by {due_text}. If we find we need more "
            "time, we will write to you before then to explain why and to give you a new "
            "date."
        )
        if due_text
        else ""
    )
    resp_text = f"We are responsible for:\n{resp}" if resp else ""
    not_text = not_resp if not_resp == _NOTHING_OUTSIDE else f"We are not responsible for:\n{not_resp}"
    out.key_facts = [("Response due by", due_text)] if due_text else []
    out.sections = [
        ("How we understand your complaint", _definition_text(ctx, st)),
        ("What we are and are not responsible for", "\n\n".join(t for t in (resp_text, not_text) if t)),
        ("Please tell us if we have got this wrong", clarify),
        ("When we will respond", respond_text),
        _who_section(
            ctx, name, role, "is handling your complaint and will be your contact until we respond."
        ),
        _ombudsman_advice(ctx),
    ]
    out.items.update(
        stage=stage_text,
        definition=st.definition,
        outcome_sought=ctx.c.outcome_sought,
        responsible_for=resp,
        not_responsible_for=not_resp,
        clarification=clarify,
        due_date=due_text,
    )
    if due:
        out.promises.append(("the date for our response", due))
    out.closing = "Thank you for your patience while we look into this."
    return out


def _extension(ctx: _Ctx, n: int) -> LetterContent:
    st = ctx.stage(n)
    exts = C._extensions(ctx.u, st) if st is not None else []
    if st is None or not exts:
        raise DomainError(
            f"No extension has been recorded at stage {n} of complaint "
            f"{ctx.c.reference}: record the extension (new date and reason) first."
        )
    ext = exts[-1]
    rules = rule_set(ctx.c.rule_set)
    before = stage_deadlines(ctx.u.cal, rules, C.stage_dates(st, exts[:-1])).final_respond_by
    name, role = ctx.handler(st)
    out = _base(
        ctx,
        LR.EXTENSION,
        n,
        f"Your complaint: we need more time to respond (stage {n})",
        (name, role),
        ext.extended_on,
    )
    out.extension_id = ext.id
    stage_text = f"stage {n} of our complaints procedure"
    out.intro = (
        f"We are writing about your complaint, which is at {stage_text}. We are sorry, but "
        "we need more time to give you a full answer."
    )
    new_text = long_date(ext.new_due_on)
    date_text = (
        f"We told you we would respond by {long_date(before)}. " if before else ""
    ) + f"We will now send you our response by {new_text}."
    why = ext.reason
    if ext.beyond_cap:
        why += (
            "\n\nThis is longer than the extra "
            f"{rules.extension_cap[n]} working days that the Housing Ombudsman's Complaint "
            "Handling Code normally allows. We are going further because:\n" + ext.good_reason
        )
    unhappy = (
        "If you are unhappy about the delay, please tell us. You can also ask the Housing "
        "Ombudsman Service for advice at any time. It is independent and free to use:\n"
        f"{ctx.ombudsman.lines}"
    )
    plan = ext.update_plan
    plan_text = (
        f"Until we send our response, we will keep you up to date like this:\n{plan}"
        if has_words(plan)
        else ""
    )
    out.key_facts = [("New response date", new_text)]
    out.sections = [
        ("Our new response date", date_text),
        ("Why we need more time", why),
        ("How we will keep you up to date", plan_text),
        ("If you are unhappy about this", unhappy),
        _who_section(ctx, name, role, "is handling your complaint."),
    ]
    out.beyond_cap = ext.beyond_cap
    out.items.update(
        stage=stage_text,
        new_date=new_text,
        extension_reason=ext.reason,
        good_reason=ext.good_reason,
        update_plan=plan,
        ombudsman=ctx.ombudsman.lines,
    )
    out.promises.append(("the new response date", ext.new_due_on))
    out.closing = "We are sorry for the delay and will keep to the new date."
    return out


# remedies the letter gives by itself, on its own date
IN_LETTER_REMEDIES = ("apology", "acknowledging what went wrong")


def _done(completed_on: dt.date | None, day: dt.date) -> bool:
    """Done by the letter's date (a copy made later never reports what happened after it)."""
    return completed_on is not None and completed_on <= day


def _stage_actions(ctx: _Ctx, n: int, day: dt.date) -> list[OutstandingAction]:
    """Actions from this stage, and (at stage 2) every one still open from stage 1 on ``day``."""
    rows = ctx.u.session.exec(
        select(OutstandingAction)
        .where(OutstandingAction.complaint_id == ctx.c.id)
        .order_by(col(OutstandingAction.stage), col(OutstandingAction.id))
    ).all()
    return [a for a in rows if a.stage == n or (a.stage < n and not _done(a.completed_on, day))]


def _action_line(a: OutstandingAction, day: dt.date) -> str:
    """Where an action stands on ``day``, the letter's date."""
    text = label(a.description)
    if a.completed_on is not None and _done(a.completed_on, day):
        return f"{text}: done on {long_date(a.completed_on)}."
    if a.due_on is None:
        return f"{text}: we do not have a date for this yet; we will tell you as soon as we do."
    if a.due_on < day:
        return (
            f"{text}: this was due by {long_date(a.due_on)} and is running late. We are sorry for the delay."
        )
    return f"{text}: by {long_date(a.due_on)}."


def _open_action_problems(actions: list[OutstandingAction], day: dt.date) -> list[str]:
    return LR.action_problems(
        (a.description, a.owner, a.due_on) for a in actions if not _done(a.completed_on, day)
    )


def _says_none_outstanding(text: str) -> bool:
    return LR.says_nothing_outstanding(text)


def _response(ctx: _Ctx, n: int) -> LetterContent:
    st = ctx.stage(n)
    if st is None or st.responded_on is None:
        raise DomainError(
            f"Stage {n} of complaint {ctx.c.reference} has not been answered yet: "
            "record the response (decision, reasons, remedies and outstanding "
            "actions) first."
        )
    name, role = ctx.handler(st)
    title = (
        "Your complaint: our stage 1 response" if n == 1 else "Your complaint: our final response (stage 2)"
    )
    on = st.responded_on
    out = _base(ctx, LR.RESPONSE, n, title, (name, role), on)
    u = ctx.u
    if n == 1:
        stage_text = "Your complaint is at stage 1 of our complaints procedure."
        stage_more = " This letter is our stage 1 response."
    else:
        stage_text = "Your complaint is at stage 2 of our complaints procedure, the final stage."
        stage_more = " This letter is our final response."
    out.intro = (
        "This letter sets out how we understood your complaint, what we decided and why, "
        "what we will do to put things right, and what you can do if you are not satisfied."
    )
    decision = st.decision
    decision_text = f"We have decided that your complaint is {decision}." if decision else ""
    if decision_text:
        decision_text += " " + _DECISION_MEANING.get(decision, "")
    # e) remedies
    remedies = list(
        u.session.exec(
            select(Remedy).where(Remedy.complaint_id == ctx.c.id, Remedy.stage == n).order_by(col(Remedy.id))
        ).all()
    )
    lines = []
    for r in remedies:
        line = label(r.description)
        if r.amount_pence:
            line += f": {money(r.amount_pence)}"
        if r.completed_on is not None and _done(r.completed_on, on):
            line += f" (done on {long_date(r.completed_on)})"
        elif r.kind in IN_LETTER_REMEDIES and r.due_on is None:
            line += " (given in this letter)"
        elif r.due_on is not None and r.due_on < on:
            line += f": this was due by {long_date(r.due_on)} and is late. We are sorry for the delay"
        elif r.due_on is not None:
            line += f", by {long_date(r.due_on)}"
            out.promises.append((f'the date for the remedy "{label(r.description)}"', r.due_on))
        if r.guidance_kind in K.BY_KIND and r.quantity and r.rate_pence:
            # worked out from the Ombudsman's guidance: how, under the remedy (a continued line)
            line += "\n  " + K.breakdown(K.BY_KIND[r.guidance_kind], r.quantity, r.rate_pence)
        lines.append(line)
    out.extra_problems += LR.remedy_problems(
        (
            r.description,
            r.due_on,
            r.completed_on if _done(r.completed_on, on) else None,
            r.kind in IN_LETTER_REMEDIES,
        )
        for r in remedies
    )
    remedy_parts = []
    if lines:
        remedy_parts.append("To put things right, we are offering:\n" + _bullets(lines))
    if st.remedy_statement:
        if lines and LR.says_no_remedy(st.remedy_statement):
            out.extra_problems.append(
                "a statement about remedies that agrees with the remedies "
                "listed: it says that none is offered"
            )
        remedy_parts.append(st.remedy_statement)
    remedy_text = "\n\n".join(remedy_parts)
    # f) outstanding actions
    actions = _stage_actions(ctx, n, on)
    still = [a for a in actions if not _done(a.completed_on, on)]
    action_parts = []
    if actions:
        action_parts.append(
            "These are the actions we are taking:\n" + _bullets([_action_line(a, on) for a in actions])
        )
        if still:
            action_parts.append(
                "We will keep you updated on this until it is done."
                if len(still) == 1
                else "We will keep you updated on these until they are all done."
            )
    for a in still:
        if a.due_on is not None and a.due_on >= on:
            out.promises.append((f'the date for the action "{label(a.description)}"', a.due_on))
    out.extra_problems += _open_action_problems(actions, on)
    # a statement that nothing is outstanding never stands beside an action still open
    if st.actions_statement and not (still and _says_none_outstanding(st.actions_statement)):
        action_parts.append(st.actions_statement)
    actions_text = "\n\n".join(action_parts)
    sections = [
        ("The stage your complaint has reached", stage_text + stage_more),
        ("How we understood your complaint", _definition_text(ctx, st)),
        ("Our decision", decision_text),
        ("The reasons for our decision", st.reasons),
        ("Putting things right", remedy_text),
        ("Actions still to be done", actions_text),
    ]
    if n == 1:
        window = ctx.settings.escalation_window_days or 0
        ask = (
            "If you are not satisfied with this response, you can ask us to take your complaint to "
            "stage 2. Someone who has not been involved so far will look at it again. You do not "
            "have to give a reason, although it helps us if you tell us what you are still "
            "unhappy about."
        )
        if window > 0:
            by = u.cal.add(on, window).due
            out.promises.append(("the last day to ask for stage 2", by))
            ask += (
                f"\n\nPlease ask within {window} working days of the date of this letter, that is "
                f"by {long_date(by)}."
            )
        escalation = ask + (
            f"\n\nTo ask, contact us quoting reference {ctx.c.reference}:\n{ctx.contact}"
            if ctx.contact
            else ""
        )
        sections.append(("If you are not satisfied: asking for stage 2", escalation))
        sections.append(_ombudsman_advice(ctx))
        out.items["escalation"] = escalation if ctx.contact else ""
    else:
        limit = add_months(on, 12)
        route = (
            "This is our final response, and our complaints procedure is now complete. If you "
            "are still not satisfied, you can ask the Housing Ombudsman Service to investigate "
            "your complaint. The Ombudsman is independent and free to use. You should normally "
            "contact it within 12 months of the date of this letter, that is by "
            f"{long_date(limit)}."
        )
        out.promises.append(("the last day to go to the Housing Ombudsman", limit))
        sections.append(
            (
                "If you are still not satisfied: the Housing Ombudsman",
                f"{route}\n\nYou can contact the Housing Ombudsman Service:\n{ctx.ombudsman.lines}",
            )
        )
        out.items.update(ombudsman_route=route, ombudsman=ctx.ombudsman.lines)
    out.sections = sections
    out.key_facts = [("Decision", f"Complaint {decision}" if decision else "")]
    out.items.update(
        stage=stage_text,
        definition=st.definition,
        decision=decision_text,
        reasons=st.reasons,
        remedy=remedy_text,
        actions=actions_text,
    )
    out.closing = "If you have any questions about this letter, please contact us using the details above."
    return out


def _refusal(ctx: _Ctx) -> LetterContent:
    c = ctx.c
    if c.acceptance != "refused" or c.refused_on is None:
        raise DomainError(
            f"Complaint {c.reference} has not been refused, so there is no refusal letter to write."
        )
    name, role = ctx.staff(c.refused_by_id)
    out = _base(ctx, LR.REFUSAL, None, "Your complaint: why we cannot accept it", (name, role), c.refused_on)
    out.items["decided_by"] = name
    out.intro = (
        f"Thank you for contacting us on {long_date(c.received_on)}. We have looked carefully "
        "at what you told us and decided that we cannot take it through our complaints "
        "procedure. This letter explains why, and what you can do if you disagree."
    )
    reasons = "\n\n".join(t for t in (_GROUND_TEXT.get(c.exclusion_ground, ""), c.exclusion_reason) if t)
    right = (
        "If you disagree with our decision, you have the right to ask the Housing Ombudsman "
        "Service to look at it."
    )
    ombudsman = (
        f"{right} If the Ombudsman finds that we should have accepted your complaint, it can "
        "tell us to do so. The Ombudsman is independent and free to use:\n"
        f"{ctx.ombudsman.lines}"
    )
    out.key_facts = [("Decision", "Complaint not accepted")]
    out.sections = [
        ("What you told us", c.description),
        (
            "Our decision and the reasons for it",
            "We have decided not to accept this as a complaint.\n\n" + reasons if c.exclusion_reason else "",
        ),
        ("If you disagree: the Housing Ombudsman", ombudsman),
        _who_section(ctx, name, role, "made this decision.", "Who to contact"),
    ]
    out.items.update(refusal_reason=c.exclusion_reason, ombudsman_right=right, ombudsman=ctx.ombudsman.lines)
    out.closing = "We are sorry we cannot help through our complaints procedure on this occasion."
    return out


def _escalation_refusal(ctx: _Ctx) -> LetterContent:
    c = ctx.c
    if c.escalation_refused_on is None:
        raise DomainError(
            f"Escalation of complaint {c.reference} has not been refused, so there is "
            "no refusal-to-escalate letter to write."
        )
    name, role = ctx.staff(c.escalation_refused_by_id)
    out = _base(
        ctx,
        LR.ESCALATION_REFUSAL,
        None,
        "Your request for stage 2: our decision",
        (name, role),
        c.escalation_refused_on,
    )
    out.items["decided_by"] = name
    s1 = ctx.stage(1)
    when = f" of {long_date(s1.responded_on)}" if s1 is not None and s1.responded_on else ""
    out.intro = (
        f"You asked us to take your complaint to stage 2 of our complaints procedure after "
        f"our stage 1 response{when}. We have decided not to do so. This letter explains "
        "why, and what you can do if you disagree."
    )
    reasons = "\n\n".join(
        t for t in (_GROUND_TEXT.get(c.escalation_refusal_ground, ""), c.escalation_refusal_reason) if t
    )
    right = (
        "If you disagree with our decision, you have the right to ask the Housing Ombudsman "
        "Service to look at it."
    )
    ombudsman = (
        f"{right} If the Ombudsman finds that we should have taken your complaint to stage 2, "
        "it can tell us to do so. The Ombudsman is independent and free to use:\n"
        f"{ctx.ombudsman.lines}"
    )
    out.key_facts = [("Decision", "Not escalated to stage 2")]
    out.sections = [
        (
            "Our decision and the reasons for it",
            "We have decided not to take your complaint to stage 2.\n\n" + reasons
            if c.escalation_refusal_reason
            else "",
        ),
        ("If you disagree: the Housing Ombudsman", ombudsman),
        _who_section(ctx, name, role, "made this decision.", "Who to contact"),
    ]
    out.items.update(
        escalation_refusal_reason=c.escalation_refusal_reason,
        ombudsman_right=right,
        ombudsman=ctx.ombudsman.lines,
    )
    out.closing = "We are sorry we cannot help further through our complaints procedure."
    return out


def _action_update(ctx: _Ctx, n: int, on: dt.date | None = None) -> LetterContent:
    rows = ctx.u.session.exec(
        select(OutstandingAction)
        .where(OutstandingAction.complaint_id == ctx.c.id, OutstandingAction.stage <= n)
        .order_by(col(OutstandingAction.stage), col(OutstandingAction.id))
    ).all()
    if not rows:
        raise DomainError(f"Complaint {ctx.c.reference} has no outstanding actions to give an update on.")
    st = ctx.stage(n)
    name, role = ctx.handler(st)
    today = on or ctx.u.today
    if today > ctx.u.today:
        raise DomainError("An update cannot be dated in the future.", field="on")
    answered = [
        (s.number, s.responded_on)
        for s in (ctx.stage(1), ctx.stage(2))
        if s is not None and s.responded_on and s.number <= n and s.responded_on <= today
    ]
    if not answered:
        first = min(
            (s.responded_on for s in (ctx.stage(1), ctx.stage(2)) if s is not None and s.responded_on),
            default=None,
        )
        if first is not None and today < first:
            raise DomainError(
                f"An update on actions cannot be dated before the response of "
                f"{long_date(first)} that set them.",
                field="on",
            )
    out = _base(
        ctx, LR.ACTION_UPDATE, n, "Your complaint: an update on the actions we promised", (name, role), today
    )
    when = (
        f"In our stage {answered[-1][0]} response of {long_date(answered[-1][1])}"
        if answered
        else "While dealing with your complaint"
    )
    out.intro = (
        f"{when}, we told you about actions we still had to take. This letter tells you "
        "where each of them stands."
    )
    open_ = [a for a in rows if not _done(a.completed_on, today)]
    done = [a for a in rows if _done(a.completed_on, today)]
    out.extra_problems += _open_action_problems(open_, today)
    for a in open_:
        if a.due_on is not None and a.due_on >= today:
            out.promises.append((f'the date for the action "{label(a.description)}"', a.due_on))
    open_text = (
        _bullets([_action_line(a, today) for a in open_])
        if open_
        else "Nothing is outstanding: every action we told you about is now done."
    )
    done_text = _bullets([_action_line(a, today) for a in done])
    again = "this is" if len(open_) == 1 else "these are"
    sections = [
        (
            "Still to be done",
            open_text + (f"\n\nWe will write to you again when {again} done." if open_ else ""),
        )
    ]
    if done:
        sections.append(("Done", done_text))
    sections.append(
        (
            "If you are unhappy with our progress",
            "Please tell us if you are unhappy with how these actions are going. You can also "
            "ask the Housing Ombudsman Service for advice at any time. It is independent and "
            f"free to use:\n{ctx.ombudsman.lines}",
        )
    )
    sections.append(_who_section(ctx, name, role, "is your contact for these actions."))
    out.sections = sections
    out.key_facts = [("Actions done", f"{len(done)} of {len(rows)}")]
    out.items["action_list"] = open_text
    out.closing = "Thank you for your patience while we finish this work."
    return out


def _content(u: Unit, ref, kind: str, stage=None, on: dt.date | None = None) -> LetterContent:
    if kind not in KINDS:
        raise DomainError(
            f"Unknown letter kind {kind!r}: choose one of " + ", ".join(KINDS) + ".", field="kind"
        )
    ctx = _context(u, ref)
    n = _stage_number(ctx, stage)
    if kind == LR.ACKNOWLEDGEMENT:
        content = _acknowledgement(ctx, n)
    elif kind == LR.EXTENSION:
        content = _extension(ctx, n)
    elif kind == LR.RESPONSE:
        content = _response(ctx, n)
    elif kind == LR.REFUSAL:
        content = _refusal(ctx)
    elif kind == LR.ESCALATION_REFUSAL:
        content = _escalation_refusal(ctx)
    else:
        content = _action_update(ctx, n, on)
    if on is not None and kind != LR.ACTION_UPDATE and on != content.date:
        raise DomainError(
            f"This letter is dated the day of the event it records, "
            f"{long_date(content.date)}; only an update on actions takes a date.",
            field="on",
        )
    o = content.ombudsman  # every letter gives the Ombudsman's details
    if o is not None:
        content.extra_problems += LR.ombudsman_problems(o.form_url, o.phone, o.post)
    content.extra_problems += LR.address_problems((content.recipient.name, *content.recipient.address_lines))
    # a date the letter gives as still to come that has already passed by the day it is made
    for what, day in content.promises:
        if day < u.today:
            content.warnings.append(
                f"This letter gives {what} as {long_date(day)}, which has already "
                f"passed (today is {long_date(u.today)})."
            )
    return content


# use cases ---------------------------------------------------------------------------------------


def letter_content(
    db, complaint_ref_or_id, kind: str, stage=None, on: dt.date | None = None
) -> LetterContent:
    """What the letter would say (stage defaults to the complaint's current stage).

    Raises DomainError when this kind of letter does not fit the complaint (for example a response
    letter before the stage has been answered). A content that is merely incomplete is returned:
    ``check_letter`` says what is missing.
    """
    with reading(db) as u:
        return _content(u, complaint_ref_or_id, kind, stage, on)


def check_letter(content: LetterContent) -> list[str]:
    """Each mandatory item the letter lacks, in plain English; an empty list means it may go out."""
    problems = LR.missing_items(
        content.kind, content.stage, content.items, content.body_text(), beyond_cap=content.beyond_cap
    )
    if content.copy_note and content.copy_note not in content.body_text():
        problems.append("the note saying when this copy was made")
    for p in content.extra_problems:
        if p not in problems:
            problems.append(p)
    return problems


def missing_keys(content: LetterContent) -> list[str]:
    """Like check_letter, but the item names (e.g. 'remedy'), for screens that offer a fix."""
    return LR.missing_keys(
        content.kind, content.stage, content.items, content.body_text(), beyond_cap=content.beyond_cap
    )


def preview_text(db, ref, kind: str, stage=None, on: dt.date | None = None) -> tuple[str, list[str]]:
    """The letter as plain text, and what it lacks (empty when it can be issued)."""
    from ..letters.text import render_text

    content = letter_content(db, ref, kind, stage, on)
    return render_text(content), check_letter(content)


@dataclass(frozen=True)
class LetterPreview:
    """What the app shows before a letter is issued."""

    title: str
    description: str  # 'stage 1 response letter'
    text: str
    problems: list[str]  # empty when it can be issued
    fixes: list["LetterFix"]  # missing items the user can type in (update_letter_details)
    stage: int | None
    large_print: bool
    warnings: list[str] = field(default_factory=list)  # dates it promises that have passed
    date: dt.date | None = None  # the letter's date: the day of the event it records
    # the complaint as it was read for this preview: issuing with it is refused if anyone has
    # saved the complaint since (the letter shown would not be the letter made)
    seen: "C.AsSeen | None" = None


def _as_seen(db, ref) -> "C.AsSeen":
    """The complaint's id and version now: read before its letter's content, so that a save made
    in between makes the issue refused rather than the letter out of date."""
    with reading(db) as u:
        c = C._complaint(u, ref)
        return C.AsSeen(ident(c), c.version)


def preview(db, ref, kind: str, stage=None, on: dt.date | None = None) -> LetterPreview:
    """The letter as text, what it lacks and what of that can be typed in here, and warnings about
    dates it promises that have already passed (these do not stop it being issued)."""
    from ..letters.text import render_text

    seen = _as_seen(db, ref)
    content = letter_content(db, ref, kind, stage, on)
    return LetterPreview(
        content.title,
        content.description,
        render_text(content),
        check_letter(content),
        letter_fixes(content),
        content.stage,
        content.large_print,
        list(content.warnings),
        content.date,
        seen,
    )


def available_kinds(db, ref) -> list[KindChoice]:
    """Every kind of letter, at the complaint's current stage, with why it cannot be made (if so)."""
    out = []
    with reading(db) as u:
        c = C._complaint(u, ref)
        for kind in KINDS:
            stage = None if kind in (LR.REFUSAL, LR.ESCALATION_REFUSAL) else c.stage
            try:
                _content(u, c.id, kind, None)
                out.append(KindChoice(kind, KIND_LABELS[kind], stage))
            except DomainError as exc:
                out.append(KindChoice(kind, KIND_LABELS[kind], stage, str(exc)))
    return out


def _db_path(db) -> Path:
    return Path(db.db.path if isinstance(db, Unit) else db.path)


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_") or "letter"


def _default_target(db, content: LetterContent) -> Path:
    folder = paths.make_private_dir(paths.letters_dir(_db_path(db)))
    stage = f"-stage{content.stage}" if content.stage else ""
    stem = f"{_safe(content.reference)}-{content.kind}{stage}-{content.date.isoformat()}"
    target = folder / f"{stem}.pdf"
    k = 2
    while target.exists():
        target = folder / f"{stem}-{k}.pdf"
        k += 1
    return target


def _stored_path(target: Path) -> str:
    """The full path, so anything reading the correspondence can find the file as it is."""
    return str(target.resolve())


def _summary(content: LetterContent) -> str:
    extra = " (large print)" if content.large_print else ""
    return f"{content.label}{extra}: {content.title}"


def render_pdf(content: LetterContent) -> bytes:
    """The letter as PDF bytes, without checking or saving it (use issue_letter for that)."""
    from ..letters import render_pdf as _render

    return _render(content)


def issue_letter(
    db,
    ref,
    kind: str,
    stage=None,
    out: Path | None = None,
    on: dt.date | None = None,
    *,
    overwrite: bool = False,
    seen: "C.AsSeen | None" = None,
) -> IssuedLetter:
    """Check the letter, make the PDF, save it and record it as correspondence on the complaint.

    Saved in the letters folder beside the database unless ``out`` is given. If the check fails,
    raises LetterRefused (its .problems lists what is missing) and writes nothing. The file is
    written through services/outputs.py: never over the database or a backup, and over an existing
    file only with ``overwrite`` (outputs.OutputExists otherwise).

    ``seen`` is the complaint as the preview the user looked at read it (``LetterPreview.seen``):
    if anyone has saved the complaint since, the letter is refused (C.StaleComplaint) and nothing
    is written. Without it, the complaint as read just before the letter is made.
    """
    from . import outputs

    if seen is None:
        seen = _as_seen(db, ref)
    content = letter_content(db, ref, kind, stage, on)
    problems = check_letter(content)
    if problems:
        raise LetterRefused(problems, f"The {content.description} for {content.reference}")
    if out is not None:  # a refused name is said before the PDF is made
        outputs.check_target(out, _db_path(db), overwrite=overwrite)
    data = render_pdf(content)
    sha = hashlib.sha256(data).hexdigest()
    if out is not None:
        target = Path(out).expanduser()
    else:
        target, overwrite = _default_target(db, content), False
    staged = outputs.stage_bytes(target, data, _db_path(db), overwrite=overwrite)
    placed = False
    try:
        with transaction(db) as u:
            c = C._claim(u, seen)
            row = C.add_correspondence(
                u,
                ident(c),
                content.date,
                "out",
                "letter",
                _summary(content),
                letter_kind=kind,
                file_path=_stored_path(target),
                sha256=sha,
                made_on=content.made_on,
            )
            u.session.flush()  # the correspondence row's id, for the step's letter
            step_letters.settle_issued(u, ident(c), kind, content.stage, content.extension_id, row.id)
            if kind == LR.EXTENSION and content.extension_id is not None:
                ext = u.session.get(Extension, content.extension_id)
                if ext is not None and not (
                    ext.resident_told and ext.told_on is not None and ext.told_on <= content.date
                ):
                    update_fields(
                        u,
                        ext,
                        "resident told of the extension by letter",
                        complaint_id=c.id,
                        resident_told=True,
                        told_on=content.date,
                        told_how="letter",
                    )
            if kind == LR.ACTION_UPDATE and content.stage is not None:
                for a in u.session.exec(
                    select(OutstandingAction).where(
                        OutstandingAction.complaint_id == c.id,
                        OutstandingAction.stage <= content.stage,
                        col(OutstandingAction.completed_on).is_(None),
                    )
                ).all():
                    update_fields(
                        u,
                        a,
                        "resident updated on outstanding action by letter",
                        complaint_id=c.id,
                        last_update_on=content.date,
                    )
            u.session.flush()
            row_id = ident(row)
            staged.commit()
            placed = True
    except BaseException:
        staged.discard()
        if placed and not staged.existed:  # a file it replaced is gone either way; a new one goes
            target.unlink(missing_ok=True)
        raise
    return IssuedLetter(target, sha, row_id)


def _resolve(db, stored: str) -> Path:
    """A stored path; a relative one (from an imported record) is taken from the data folder."""
    p = Path(stored)
    return p if p.is_absolute() else paths.folder_for(_db_path(db)) / p


def open_letter_path(db, correspondence_id: int, *, verify: bool = True) -> Path:
    """The saved file of an issued letter, checked to be the very file that was issued."""
    with reading(db) as u:
        row = u.get(Correspondence, correspondence_id, "correspondence")
        if not row.letter_kind or not row.file_path:
            raise DomainError(
                "That correspondence is not a letter made by smallhousing, so there is no file to open."
            )
        path = _resolve(db, row.file_path)
        sha = row.sha256
    if not path.is_file():
        raise DomainError(f"The letter file {path} is missing: it may have been moved or deleted.")
    if verify and sha:
        h = hashlib.sha256(path.read_bytes()).hexdigest()
        if h != sha:
            raise DomainError(
                f"The letter file {path} has changed since it was issued, so it is no "
                "longer the letter that was sent."
            )
    return path


def list_letters(db, ref) -> list[LetterRecord]:
    """The letters issued on a complaint, oldest first."""
    with reading(db) as u:
        c = C._complaint(u, ref)
        rows = u.session.exec(
            select(Correspondence)
            .where(Correspondence.complaint_id == c.id, Correspondence.letter_kind != "")
            .order_by(col(Correspondence.on), col(Correspondence.id))
        ).all()
        out = []
        for r in rows:
            p = _resolve(db, r.file_path) if r.file_path else Path()
            out.append(
                LetterRecord(ident(r), r.on, r.letter_kind, r.summary, p, bool(r.file_path) and p.is_file())
            )
        return out


# fixing what a check finds -----------------------------------------------------------------------

# missing item -> (stage field that supplies it, label, letter kind that carries it)
FIXABLE = {
    "responsible_for": ("responsible_for", "What we are responsible for", LR.ACKNOWLEDGEMENT),
    "remedy": ("remedy_statement", "What we say about remedies (or that none is offered)", LR.RESPONSE),
    "actions": (
        "actions_statement",
        "What we say about outstanding actions (or that none are outstanding)",
        LR.RESPONSE,
    ),
    "update_plan": (
        "update_plan",
        "How and how often we will keep the resident up to date (for example: a phone call every Friday)",
        LR.EXTENSION,
    ),
}
_FIELD_STATE = {
    "responsible_for": "acknowledged_on",
    "not_responsible_for": "acknowledged_on",
    "remedy_statement": "responded_on",
    "actions_statement": "responded_on",
}
_FIELD_KIND = {
    "responsible_for": LR.ACKNOWLEDGEMENT,
    "not_responsible_for": LR.ACKNOWLEDGEMENT,
    "remedy_statement": LR.RESPONSE,
    "actions_statement": LR.RESPONSE,
}


@dataclass(frozen=True)
class LetterFix:
    field: str
    label: str


def letter_fixes(content: LetterContent) -> list[LetterFix]:
    """The missing items the user can type in here (see update_letter_details)."""
    out = []
    for key in missing_keys(content):
        if key in FIXABLE and FIXABLE[key][2] == content.kind:
            out.append(LetterFix(FIXABLE[key][0], FIXABLE[key][1]))
    return out


def update_letter_details(db, ref, stage=None, *, seen: "C.AsSeen | None" = None, **values) -> Stage:
    """Fill in what a stage's letter needs but was not recorded: what the landlord is (not)
    responsible for, or the statements about remedies and outstanding actions.

    Allowed only until the letter that carries them has been issued for that stage. ``seen``:
    refused (C.StaleComplaint) if anyone has saved the complaint since the preview read it.
    """
    if "update_plan" in values:
        rest = {k: v for k, v in values.items() if k != "update_plan"}
        _set_update_plan(db, ref, stage, values["update_plan"], seen)
        seen = None  # that save was this user's own
        if not rest:
            with reading(db) as u:
                ctx = _context(u, ref)
                return ctx.stage_row(_stage_number(ctx, stage))
        values = rest
    for k in values:
        if k not in _FIELD_STATE:
            raise DomainError(f"{k!r} cannot be changed here.")
    cleaned = {}
    for k, v in values.items():
        text = clean(v)
        if not text and k != "not_responsible_for":
            raise DomainError("Type the statement: it cannot be left empty.", field=k)
        cleaned[k] = text
    with transaction(db) as u:
        C._claim(u, seen if seen is not None else ref)
        ctx = _context(u, ref)
        n = _stage_number(ctx, stage)
        st = ctx.stage_row(n)
        for k in cleaned:
            if getattr(st, _FIELD_STATE[k]) is None:
                what = "acknowledged" if _FIELD_STATE[k] == "acknowledged_on" else "answered"
                raise DomainError(
                    f"Stage {n} has not been {what} yet, so there is no letter to fill in.", field=k
                )
            kind = _FIELD_KIND[k]
            if _issued(u, ident(ctx.c), kind, n):
                raise DomainError(
                    f"The stage {n} {KIND_LABELS[kind].lower()} letter has already been "
                    "issued, so what it said cannot change now.",
                    field=k,
                )
        update_fields(u, st, f"stage {n} letter details filled in", complaint_id=ctx.c.id, **cleaned)
        return st


def _set_update_plan(db, ref, stage, text, seen: "C.AsSeen | None" = None) -> Extension:
    """How and how often the resident will be kept up to date (5.9), on the stage's latest
    extension, while its letter has not been issued."""
    plan = clean(text)
    if not has_words(plan):
        raise DomainError("Say how and how often the resident will be kept up to date.", field="update_plan")
    with transaction(db) as u:
        C._claim(u, seen if seen is not None else ref)
        ctx = _context(u, ref)
        n = _stage_number(ctx, stage)
        exts = C._extensions(u, ctx.stage_row(n))
        if not exts:
            raise DomainError(f"No extension has been recorded at stage {n}.", field="update_plan")
        ext = exts[-1]
        if ext.told_how == "letter" or _issued_on(u, ident(ctx.c), LR.EXTENSION, n, ext.extended_on):
            raise DomainError(
                f"The stage {n} extension letter has already been issued, so what it said cannot change now.",
                field="update_plan",
            )
        update_fields(
            u,
            ext,
            f"stage {n} extension: how the resident will be kept updated",
            complaint_id=ctx.c.id,
            update_plan=plan,
        )
        return ext


def _issued_on(u: Unit, complaint_id: int, kind: str, stage: int, on: dt.date) -> bool:
    rows = u.session.exec(
        select(Correspondence.summary).where(
            Correspondence.complaint_id == complaint_id,
            Correspondence.letter_kind == kind,
            Correspondence.on == on,
        )
    ).all()
    return any(f", stage {stage}" in (s or "") for s in rows)


def _issued(u: Unit, complaint_id: int, kind: str, stage: int) -> bool:
    rows = u.session.exec(
        select(Correspondence.summary).where(
            Correspondence.complaint_id == complaint_id, Correspondence.letter_kind == kind
        )
    ).all()
    return any(f", stage {stage}" in (s or "") for s in rows)
