"""SQLModel tables. One SQLite file holds everything; nothing here knows about screens or letters.

Money is integer pence; dates are datetime.date; free text is stored exactly as typed.
"""

from __future__ import annotations

import datetime as dt
from typing import List, Optional

from sqlalchemy import Index
from sqlalchemy.orm import relationship
from sqlmodel import Field, Relationship, SQLModel

OMBUDSMAN_FORM = "https://www.housing-ombudsman.org.uk/residents/make-a-complaint/"
OMBUDSMAN_PHONE = "0300 111 3000"
OMBUDSMAN_POST = "Housing Ombudsman Service, PO Box 1484, Unit D, Preston, PR2 0ET"


class LandlordSettings(SQLModel, table=True):
    __tablename__ = "landlord_settings"
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    complaints_officer: str = ""
    member_responsible: str = ""  # Member Responsible for Complaints (Code 9.5)
    ombudsman_form_url: str = OMBUDSMAN_FORM
    ombudsman_phone: str = OMBUDSMAN_PHONE
    ombudsman_post: str = OMBUDSMAN_POST
    retention_years: int = 6
    escalation_window_days: int = 0  # working days a resident has to escalate; 0 = no limit set
    setup_done: bool = False
    # made-up records (the demo copy, or a file filled by `smallhousing demo`): every screen, letter
    # and report made from the file says DEMO. Never set on a landlord's own file.
    demo: bool = False


class ClosureDay(SQLModel, table=True):
    __tablename__ = "closure_day"
    id: Optional[int] = Field(default=None, primary_key=True)
    day: dt.date = Field(unique=True)
    reason: str = ""


class HomesYear(SQLModel, table=True):
    __tablename__ = "homes_year"
    id: Optional[int] = Field(default=None, primary_key=True)
    year: int = Field(unique=True)  # reporting year starting 1 April of this year
    homes: int


class Staff(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    role: str = ""
    email: str = ""
    active: bool = True
    # a team's PostgreSQL database: the login (database user) this person connects as, given by
    # `smallhousing team add`; None on SQLite and for anyone who does not sign in
    login: Optional[str] = Field(default=None, index=True, unique=True)


class Resident(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    address: str = ""
    postcode: str = ""
    phone: str = ""
    email: str = ""
    preferred_contact: str = ""  # phone, email, letter ...
    preferred_format: str = "standard"  # standard, large print, easy read, braille, audio, ...
    disabilities: str = ""  # disclosed disabilities
    vulnerabilities: str = ""
    notes: str = ""
    created_on: dt.date = Field(default_factory=dt.date.today)
    anonymised_on: Optional[dt.date] = None


class Representative(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="resident.id", index=True)
    name: str
    relationship: str = ""  # family member, advocate, councillor, MP, solicitor ...
    address: str = ""
    phone: str = ""
    email: str = ""
    authority: str = ""  # what shows they may act: signed consent, power of attorney ...
    authority_on: Optional[dt.date] = None
    active: bool = True


class Adjustment(SQLModel, table=True):
    """A reasonable adjustment agreed with a resident (Code 5.10)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="resident.id", index=True)
    description: str
    agreed_on: dt.date
    review_on: dt.date = Field(index=True)
    last_reviewed_on: Optional[dt.date] = None
    ended_on: Optional[dt.date] = None


class Restriction(SQLModel, table=True):
    """An unacceptable-behaviour restriction on contact (Code 5.14, 5.15)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="resident.id", index=True)
    description: str
    reason: str
    imposed_on: dt.date
    review_on: dt.date = Field(index=True)
    last_reviewed_on: Optional[dt.date] = None
    ended_on: Optional[dt.date] = None


class ServiceRequest(SQLModel, table=True):
    __tablename__ = "service_request"
    # the open ones in target order, and the overdue ones counted, without reading completed ones
    __table_args__ = (Index("ix_service_request_status_target_on", "status", "target_on"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    reference: str = Field(unique=True)
    resident_id: int = Field(foreign_key="resident.id", index=True)
    received_on: dt.date = Field(index=True)
    channel: str = ""
    category: str = ""
    description: str = ""
    status: str = "open"  # open, completed
    response: str = ""
    completed_on: Optional[dt.date] = None
    # the day it should be done by: its category's target in working days (settings) from
    # received_on, worked out when it is logged (Code 1.4: service requests are monitored)
    target_on: Optional[dt.date] = Field(default=None, index=True)
    contractor_id: Optional[int] = Field(default=None, foreign_key="contractor.id", index=True)


class Contractor(SQLModel, table=True):
    """A contractor working for the landlord: complaints, service requests and hazards can be put
    down to one, and a response asked of it by a date (Code 5.4, 5.5)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    trade: str = ""  # repairs, gas, damp and mould, grounds ...
    contact: str = ""  # the person to ask
    phone: str = ""
    email: str = ""
    active: bool = True
    notes: str = ""


class ServiceRequestTarget(SQLModel, table=True):
    """How many working days a category of service request should take, as the landlord set it
    in settings; a category with no row takes the default in domain/service_request_rules.py."""

    __tablename__ = "service_request_target"
    id: Optional[int] = Field(default=None, primary_key=True)
    category: str = Field(unique=True)
    working_days: int


class Complaint(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    reference: str = Field(unique=True)
    resident_id: int = Field(foreign_key="resident.id", index=True)
    representative_id: Optional[int] = Field(default=None, foreign_key="representative.id")
    service_request_id: Optional[int] = Field(default=None, foreign_key="service_request.id")
    related_to_id: Optional[int] = Field(default=None, foreign_key="complaint.id")
    channel: str = ""
    received_on: dt.date = Field(index=True)
    description: str = ""  # the resident's own words
    outcome_sought: str = ""
    categories: str = ""  # ';'-separated
    vulnerable: bool = False  # vulnerability or risk flag
    rule_set: str = "2024"
    state: str = Field(default="received", index=True)
    stage: int = 1  # the current stage
    acceptance: str = "pending"  # pending, accepted, refused
    exclusion_ground: str = ""
    exclusion_reason: str = ""
    refused_on: Optional[dt.date] = None
    escalation_refused_on: Optional[dt.date] = None
    escalation_refusal_ground: str = ""
    escalation_refusal_reason: str = ""
    closed_on: Optional[dt.date] = None
    withdrawn_on: Optional[dt.date] = None
    withdrawn_reason: str = ""
    # section 2: when the issue arose and when the resident became aware of it (2.2, 2.3)
    issue_arose_on: Optional[dt.date] = None
    aware_on: Optional[dt.date] = None
    discretion_note: str = ""  # that discretion was considered for an older issue (2.3)
    refused_by_id: Optional[int] = Field(default=None, foreign_key="staff.id")
    escalation_refused_by_id: Optional[int] = Field(default=None, foreign_key="staff.id")
    handler_id: Optional[int] = Field(default=None, foreign_key="staff.id", index=True)
    next_step: str = ""
    next_due_on: Optional[dt.date] = Field(default=None, index=True)
    # the contractor whose work or conduct the complaint is about (Code 5.4, 5.5), if any
    contractor_id: Optional[int] = Field(default=None, foreign_key="contractor.id", index=True)
    search_text: str = ""  # reference, resident and words, lower case, for filtering as you type
    # how many times it has been saved: a save made from an older reading of it is refused
    # (services/complaints.py ``_claim``), so that two people at once never overwrite each other
    version: int = 1

    # its stages (1, and 2 once escalated): loaded once per session and kept up to date by the
    # session as stages are added; rows are never deleted through it (passive_deletes)
    # (the target is named to SQLAlchemy: this module's annotations are strings)
    stages: List["Stage"] = Relationship(
        sa_relationship=relationship("Stage", order_by="Stage.number", passive_deletes="all")
    )


class Stage(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    number: int  # 1 or 2
    requested_on: dt.date = Field(index=True)
    acknowledged_on: Optional[dt.date] = None
    definition: str = ""  # the complaint definition (5.6)
    responsible_for: str = ""  # what the landlord is responsible for (5.7)
    not_responsible_for: str = ""  # and what it is not
    handler_id: Optional[int] = Field(default=None, foreign_key="staff.id")
    responded_on: Optional[dt.date] = Field(default=None, index=True)
    decision: str = ""
    reasons: str = ""
    remedy_statement: str = ""  # what the response says about putting things right
    actions_statement: str = ""  # what it says about outstanding actions
    staff_note: str = ""  # for staff only (for example what an imported log lacked); never printed

    # its extensions, oldest first
    extensions: List["Extension"] = Relationship(
        sa_relationship=relationship("Extension", order_by="Extension.id", passive_deletes="all")
    )


class Extension(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    stage_id: int = Field(foreign_key="stage.id", index=True)
    extended_on: dt.date  # the day the extension was agreed (6.4, 6.15)
    new_due_on: dt.date
    reason: str
    good_reason: str = ""  # needed past the cap (6.4, 6.15)
    resident_told: bool = False
    beyond_cap: bool = False
    told_on: Optional[dt.date] = None  # when the resident was told of it
    told_how: str = ""  # how: letter, phone, email ...
    update_plan: str = ""  # how and how often the resident will be kept up to date (5.9)


class Remedy(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    stage: int = 1
    kind: str  # from the Code 7.1 list
    description: str
    amount_pence: int = 0
    # worked out from the Ombudsman's compensation guidance (7.2, 7.4): which of its kinds of
    # loss (CompensationRate.kind), how many days, weeks or appointments, and the sum for one, as
    # they were when the remedy was recorded; amount_pence = quantity * rate_pence. Empty (and 0)
    # for a remedy whose amount was typed in
    guidance_kind: str = ""
    quantity: int = 0
    rate_pence: int = 0
    due_on: Optional[dt.date] = Field(default=None, index=True)
    agreed: bool = False
    offered_on: Optional[dt.date] = None
    completed_on: Optional[dt.date] = None


class OutstandingAction(SQLModel, table=True):
    __tablename__ = "outstanding_action"
    id: Optional[int] = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    stage: int = 1
    description: str
    owner: str = ""
    due_on: Optional[dt.date] = Field(default=None, index=True)
    completed_on: Optional[dt.date] = None
    last_update_on: Optional[dt.date] = None


class Correspondence(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    on: dt.date
    direction: str  # in, out, note
    channel: str = ""
    summary: str = ""
    letter_kind: str = ""  # set for letters the app produced
    file_path: str = ""
    sha256: str = ""
    made_on: Optional[dt.date] = None  # the day the file was made (``on`` is the event's date)


class HandlerAssignment(SQLModel, table=True):
    """Who handled a stage, and when: 6.13 is checked against everyone who handled stage 1."""

    __tablename__ = "handler_assignment"
    id: Optional[int] = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    stage: int
    staff_id: int = Field(foreign_key="staff.id", index=True)
    assigned_on: dt.date
    ended_on: Optional[dt.date] = None
    reason: str = ""  # why the handler changed (empty for the first)


class StepLetter(SQLModel, table=True):
    """The letter a step owes the resident (acknowledgement, extension, response, refusal, refusal
    to escalate) and how it went out: issued by the app as a PDF, or sent another way (``route``,
    such as a phone call followed by an email) on ``sent_on``. Unsent ones are on the worklist."""

    __tablename__ = "step_letter"
    id: Optional[int] = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    kind: str  # domain.letter_rules kind
    stage: int
    extension_id: Optional[int] = Field(default=None, foreign_key="extension.id")
    step_on: dt.date  # the day of the step: the letter's date
    sent_on: Optional[dt.date] = Field(default=None, index=True)
    route: str = ""  # empty when the app issued the letter; otherwise how it went
    correspondence_id: Optional[int] = Field(default=None, foreign_key="correspondence.id")


class Hazard(SQLModel, table=True):
    """A damp and mould hazard or an emergency hazard reported to the landlord (Awaab's Law, the
    Hazards in Social Housing regulations). Its clocks run from ``aware_on`` (and, for an
    emergency, ``aware_time``): domain/hazard_rules.py holds every timescale. Each step's date is
    recorded as it happens; a time is kept where a clock runs in hours."""

    id: Optional[int] = Field(default=None, primary_key=True)
    reference: str = Field(unique=True)
    kind: str  # damp-mould, emergency
    resident_id: Optional[int] = Field(default=None, foreign_key="resident.id", index=True)
    address: str = ""
    description: str = ""
    aware_on: dt.date = Field(index=True)  # the day the landlord became aware
    aware_time: Optional[dt.time] = None
    # a household member who is vulnerable, or a child: the hazard is dealt with first
    priority: bool = False
    priority_reason: str = ""
    service_request_id: Optional[int] = Field(default=None, foreign_key="service_request.id", index=True)
    complaint_id: Optional[int] = Field(default=None, foreign_key="complaint.id", index=True)
    contractor_id: Optional[int] = Field(default=None, foreign_key="contractor.id", index=True)
    handler_id: Optional[int] = Field(default=None, foreign_key="staff.id")
    investigated_on: Optional[dt.date] = None
    investigated_time: Optional[dt.time] = None
    findings: str = ""  # what the investigation found
    significant: Optional[bool] = None  # the investigation's conclusion: a significant hazard?
    made_safe_on: Optional[dt.date] = None  # emergency: made safe
    made_safe_time: Optional[dt.time] = None
    works_planned: str = ""  # what will be done
    works_due_on: Optional[dt.date] = None  # and by when
    summary_sent_on: Optional[dt.date] = None  # the written summary to the tenant
    summary_route: str = ""  # empty when the app issued it; otherwise how it went
    summary_file: str = ""
    summary_sha256: str = ""
    safety_work_begun_on: Optional[dt.date] = None
    further_work_needed: bool = False  # work that cannot be done within the safety-work clock
    further_work_started_on: Optional[dt.date] = None
    closed_on: Optional[dt.date] = None
    closed_reason: str = ""
    version: int = 1


class ContractorRequest(SQLModel, table=True):
    """A response asked of a contractor by a date, about a complaint, service request or hazard;
    on the worklist until it is answered."""

    __tablename__ = "contractor_request"
    id: Optional[int] = Field(default=None, primary_key=True)
    contractor_id: int = Field(foreign_key="contractor.id", index=True)
    complaint_id: Optional[int] = Field(default=None, foreign_key="complaint.id", index=True)
    service_request_id: Optional[int] = Field(default=None, foreign_key="service_request.id", index=True)
    hazard_id: Optional[int] = Field(default=None, foreign_key="hazard.id", index=True)
    asked_on: dt.date
    what: str  # what was asked
    due_on: dt.date = Field(index=True)
    answered_on: Optional[dt.date] = None
    answer: str = ""


class YearPublication(SQLModel, table=True):
    """A reporting year's published figures, kept as they were on the day (and any reopening)."""

    __tablename__ = "year_publication"
    id: Optional[int] = Field(default=None, primary_key=True)
    year: int = Field(index=True)  # reporting year starting 1 April of this year
    published_on: dt.date
    published_by: str = ""
    figures: str = ""  # JSON of the published figures
    reopened_on: Optional[dt.date] = None
    reopened_by: str = ""
    reopen_reason: str = ""


class LearningPoint(SQLModel, table=True):
    __tablename__ = "learning_point"
    id: Optional[int] = Field(default=None, primary_key=True)
    complaint_id: Optional[int] = Field(default=None, foreign_key="complaint.id", index=True)
    recorded_on: dt.date
    theme: str = ""
    learning: str = ""
    improvement: str = ""
    owner: str = ""
    status: str = "planned"  # planned, in progress, done
    made_on: Optional[dt.date] = None


class OmbudsmanCase(SQLModel, table=True):
    __tablename__ = "ombudsman_case"
    id: Optional[int] = Field(default=None, primary_key=True)
    complaint_id: Optional[int] = Field(default=None, foreign_key="complaint.id", index=True)
    referred_on: dt.date
    case_number: str = ""
    finding: str = ""  # no maladministration, service failure, maladministration, severe maladministration
    determined_on: Optional[dt.date] = None
    summary: str = ""


class OmbudsmanOrder(SQLModel, table=True):
    __tablename__ = "ombudsman_order"
    id: Optional[int] = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="ombudsman_case.id", index=True)
    # order (with a determination), recommendation, or complaint-handling-failure (a complaint
    # handling failure order, made while the case is with the Ombudsman)
    kind: str = "order"
    made_on: Optional[dt.date] = None
    description: str
    due_on: Optional[dt.date] = None
    complied_on: Optional[dt.date] = None


class SelfAssessmentEntry(SQLModel, table=True):
    __tablename__ = "self_assessment_entry"
    id: Optional[int] = Field(default=None, primary_key=True)
    year: int = Field(index=True)
    provision: str
    complies: Optional[bool] = None
    evidence: str = ""
    commentary: str = ""


class Attachment(SQLModel, table=True):
    """A file received and kept on the record (Code 5.12): an email, a photo, a PDF, a survey
    report. The file itself is in the data folder's ``attachments`` folder (0600), named by its
    SHA-256; ``file_name`` is the name it came with."""

    id: Optional[int] = Field(default=None, primary_key=True)
    complaint_id: Optional[int] = Field(default=None, foreign_key="complaint.id", index=True)
    hazard_id: Optional[int] = Field(default=None, foreign_key="hazard.id", index=True)
    service_request_id: Optional[int] = Field(default=None, foreign_key="service_request.id", index=True)
    file_name: str
    stored_path: str = ""  # relative to the data folder; empty once erased
    sha256: str
    size_bytes: int = 0
    media_type: str = ""
    received_on: dt.date  # the day the landlord received it
    description: str = ""
    added_on: dt.date
    erased_on: Optional[dt.date] = None


class AttachmentContent(SQLModel, table=True):
    """On a team's PostgreSQL database: the bytes of each file kept (one row per content, by its
    SHA-256), so that a computer whose own data folder lacks a file fetches it from here. Not
    audited (the Attachment row that names it is, with its SHA-256); a SQLite file leaves this
    table empty (its files are in the folder beside it)."""

    __tablename__ = "attachment_content"
    id: Optional[int] = Field(default=None, primary_key=True)
    sha256: str = Field(unique=True)
    content: bytes


class CompensationRate(SQLModel, table=True):
    """A sum the Ombudsman's compensation guidance sets for a kind of loss (settings, editable),
    with the date of the guidance it comes from."""

    __tablename__ = "compensation_rate"
    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(unique=True)  # heating-and-hot-water, heating-or-hot-water, power, ...
    label: str
    unit: str  # day, week, appointment
    pence: int
    guidance_on: dt.date  # the guidance's date
    active: bool = True


class SatisfactionAnswer(SQLModel, table=True):
    """The resident's answer when asked, after a complaint closed, how satisfied they were."""

    __tablename__ = "satisfaction_answer"
    id: Optional[int] = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    asked_on: dt.date = Field(index=True)
    channel: str = ""
    answer: str = (
        ""  # very satisfied, fairly satisfied, neither, fairly dissatisfied, very dissatisfied, declined
    )
    comment: str = ""


class PerceptionResult(SQLModel, table=True):
    """A reporting year's TP09 (satisfaction with the landlord's approach to complaints handling)
    from the landlord's perception survey, entered or imported as counts."""

    __tablename__ = "perception_result"
    id: Optional[int] = Field(default=None, primary_key=True)
    year: int = Field(unique=True)  # reporting year starting 1 April of this year
    measure: str = "TP09"
    satisfied: int = 0
    neither: int = 0
    dissatisfied: int = 0
    dont_know: int = 0  # don't know or not applicable: outside the measure
    method: str = ""  # how the survey was run
    recorded_on: dt.date


class Compliment(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    reference: str = Field(unique=True)
    received_on: dt.date = Field(index=True)
    channel: str = ""
    team: str = ""
    words: str
    resident_id: Optional[int] = Field(default=None, foreign_key="resident.id", index=True)


class SurveyComment(SQLModel, table=True):
    """Dissatisfaction expressed in a survey comment (Code 1.6): logged, and the resident sent how
    to complain; a complaint made from it is linked."""

    __tablename__ = "survey_comment"
    id: Optional[int] = Field(default=None, primary_key=True)
    received_on: dt.date = Field(index=True)
    survey: str = ""  # which survey
    words: str
    resident_id: Optional[int] = Field(default=None, foreign_key="resident.id", index=True)
    how_to_complain_sent_on: Optional[dt.date] = None
    how_to_complain_route: str = ""
    complaint_id: Optional[int] = Field(default=None, foreign_key="complaint.id")


class AuditEntry(SQLModel, table=True):
    """Append-only: one row per change, chained by hash so an edit after the fact shows."""

    __tablename__ = "audit_entry"
    id: Optional[int] = Field(default=None, primary_key=True)
    at: dt.datetime
    actor: str = ""
    action: str
    entity: str
    entity_id: Optional[int] = None
    complaint_id: Optional[int] = Field(default=None, index=True)
    before: str = ""  # JSON
    after: str = ""  # JSON
    prev_hash: str = ""
    hash: str = ""


class AuditRedaction(SQLModel, table=True):
    """An audit entry whose personal data was erased; the digests keep the hash chain checkable."""

    __tablename__ = "audit_redaction"
    id: Optional[int] = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="audit_entry.id", unique=True)
    before_digest: str
    after_digest: str
    redacted_on: dt.date
    reason: str = ""


class AuditAnchor(SQLModel, table=True):
    """On a PostgreSQL database (several computers): the audit key and the log's head, one row
    (id 1), kept where every computer finds them. A SQLite file keeps both as files beside it
    instead (services/audit_anchor.py), and leaves this table empty."""

    __tablename__ = "audit_anchor"
    id: Optional[int] = Field(default=None, primary_key=True)
    key: Optional[bytes] = None
    last_id: int = 0
    hash: str = ""
    entries: int = 0
