"""One complaint: who, where it stands, what is due and how that was worked out, its whole history,
and every action the Code allows at this point, on a key."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from functools import partial
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Label, Static, TabbedContent, TabPane

from ..domain import letter_rules as LR
from ..domain.rules import rule_set
from . import forms as F
from .common import (
    AppScreen,
    DeadlineTable,
    PlainTable,
    compact_day,
    day,
    days_left_text,
    pounds,
    status_class,
)

# screen action -> the lifecycle action it needs (None: always available once loaded)
LIFECYCLE = {
    "acknowledge": "acknowledge",
    "extend": "extend",
    "respond": "respond",
    "escalate": "request_stage2",
    "refuse": "refuse",
    "refuse_escalation": "refuse_escalation",
    "close": "close",
    "withdraw": "withdraw",
}
ALSO_ACTIONS = (
    "withdraw",
    "reassign",
    "add_point",
    "note",
    "mark_done",
    "update_action",
    "open_letter",
    "open_service_request",
    "contractor",
    "ask_contractor",
    "contractor_answer",
    "case_file",
    "add_file",
    "open_file",
    "satisfaction",
)
DIRECTION_WORDS = {"in": "received", "out": "sent", "note": "note"}
STEP_DATE_KEYS = (
    "acknowledged_on",
    "responded_on",
    "requested_on",
    "received_on",
    "extended_on",
    "on",
    "refused_on",
    "escalation_refused_on",
    "closed_on",
    "withdrawn_on",
    "completed_on",
    "offered_on",
    "last_update_on",
)
DETAIL_KEYS = (
    "definition",
    "decision",
    "reasons",
    "summary",
    "description",
    "new_due_on",
    "reason",
    "good_reason",
    "exclusion_reason",
    "escalation_refusal_reason",
    "withdrawn_reason",
    "remedy_statement",
    "what",  # asked of a contractor
    "answer",  # the contractor's response
)


class ComplaintScreen(AppScreen):
    SECTION = "complaints"
    CSS_PATH = "complaint.tcss"
    BINDINGS = [
        Binding(
            "a",
            "acknowledge",
            "Acknowledge",
            id="complaint-acknowledge",
            tooltip="Acknowledge, define and log the complaint at this stage",
        ),
        Binding("x", "extend", "Extend", id="complaint-extend", tooltip="Extend the response date"),
        Binding(
            "o",
            "respond",
            "Respond",
            id="complaint-respond",
            tooltip="Record the response: decision, reasons, remedies, actions",
        ),
        Binding("e", "escalate", "Escalate", id="complaint-escalate", tooltip="Escalate to stage 2"),
        Binding("f", "refuse", "Refuse", id="complaint-refuse", tooltip="Refuse the complaint (section 2)"),
        Binding(
            "f",
            "refuse_escalation",
            "Refuse escalation",
            id="complaint-refuse-escalation",
            tooltip="Refuse to escalate to stage 2 (Code 5.11)",
        ),
        Binding("l", "close", "Close", id="complaint-close", tooltip="Close the complaint"),
        Binding("g", "letter", "Letter", id="complaint-letter", tooltip="Make a letter for this complaint"),
        # less frequent steps: listed on the screen's "Also" line rather than in the footer
        Binding(
            "w",
            "withdraw",
            "Withdraw",
            id="complaint-withdraw",
            show=False,
            tooltip="The resident withdraws the complaint",
        ),
        Binding(
            "i",
            "add_point",
            "Another point",
            id="complaint-add-point",
            show=False,
            tooltip="Another point raised: add it to stage 1, or log it as new",
        ),
        Binding("t", "note", "Note", id="complaint-note", show=False, tooltip="Add a note or correspondence"),
        Binding(
            "m",
            "mark_done",
            "Mark done",
            id="complaint-mark-done",
            show=False,
            tooltip="Mark a remedy or outstanding action done",
        ),
        Binding(
            "u",
            "update_action",
            "Update on action",
            id="complaint-update-action",
            show=False,
            tooltip="Record an update given to the resident on an action",
        ),
        Binding(
            "h",
            "reassign",
            "Change handler",
            id="complaint-reassign",
            show=False,
            tooltip="Hand the current stage to someone else, with the reason",
        ),
        Binding(
            "b",
            "open_letter",
            "Open letter",
            id="complaint-open-letter",
            show=False,
            tooltip="Open the chosen letter in the system viewer",
        ),
        Binding(
            "v",
            "open_service_request",
            "Service request",
            id="complaint-service-request",
            show=False,
            tooltip="Open the service request this complaint was raised from",
        ),
        # contractors (Code 5.4, 5.5): whose work the complaint is about, and their side of it
        Binding(
            "c",
            "contractor",
            "Contractor",
            id="complaint-contractor",
            show=False,
            tooltip="Put the complaint down to a contractor (or to none)",
        ),
        Binding(
            "r",
            "ask_contractor",
            "Ask contractor",
            id="complaint-ask-contractor",
            show=False,
            tooltip="Ask a contractor for its response by a date",
        ),
        Binding(
            "n",
            "contractor_answer",
            "Contractor's answer",
            id="complaint-contractor-answer",
            show=False,
            tooltip="Record the response a contractor gave",
        ),
        Binding(
            "k",
            "case_file",
            "Case file",
            id="complaint-case-file",
            show=False,
            tooltip="Make the complaint's case file for the Housing Ombudsman: one PDF, in the reports folder",
        ),
        Binding(
            "d",
            "add_file",
            "Add file",
            id="complaint-add-file",
            show=False,
            tooltip="Keep a file received (an email, photo or PDF) on the complaint's record",
        ),
        Binding(
            "y",
            "open_file",
            "Open file",
            id="complaint-open-file",
            show=False,
            tooltip="Open the chosen file received in the system viewer",
        ),
        Binding(
            "s",
            "satisfaction",
            "Satisfaction answer",
            id="complaint-satisfaction",
            show=False,
            tooltip="Record (or correct) how satisfied the resident was, asked after the complaint closed",
        ),
        Binding("1", "tab('tab-summary')", "Summary", show=False, id="complaint-tab-summary"),
        Binding("2", "tab('tab-timeline')", "Timeline", show=False, id="complaint-tab-timeline"),
        Binding("3", "tab('tab-items')", "Remedies and actions", show=False, id="complaint-tab-items"),
        Binding("4", "tab('tab-letters')", "Letters and notes", show=False, id="complaint-tab-letters"),
        Binding("ctrl+r", "reload", "Refresh", show=False, id="complaint-refresh"),
    ]

    PALETTE_NAMES = {
        "contractor": "Put the complaint down to a contractor",
        "ask_contractor": "Ask a contractor for its response",
        "contractor_answer": "Record a contractor's response",
    }

    class Loaded(Message):
        def __init__(
            self, view, days_left: int | None, contractor: str = "", asked: list | None = None
        ) -> None:
            super().__init__()
            self.view = view
            self.days_left = days_left
            self.contractor = contractor  # the contractor's name, '' for none
            self.asked = asked or []  # responses asked of contractors (services.contractors.RequestRow)

    class Failed(Message):
        def __init__(self, message: str) -> None:
            super().__init__()
            self.message = message

    def __init__(self, db, complaint: "int | str") -> None:
        super().__init__(db)
        self.complaint_ref = complaint
        self.view = None
        self.contractor = ""
        self.asked: list = []

    def compose_body(self) -> ComposeResult:
        with Vertical(id="head"):
            with Horizontal(id="head-who"):
                yield Label("", id="ref", markup=False)
                yield Label("", id="who", markup=False)
                yield Horizontal(id="flags")
            yield Label("", id="where", markup=False)
            yield Label("", id="next", markup=False)
            yield Static("", id="explain", markup=False)
            yield Label("", id="also", markup=False)
        with TabbedContent(id="tabs", initial="tab-summary"):
            with TabPane("1 Summary", id="tab-summary"):
                yield VerticalScroll(id="summary", classes="pane")
            with TabPane("2 Timeline", id="tab-timeline"):
                yield VerticalScroll(id="timeline", classes="pane")
            with TabPane("3 Remedies & actions", id="tab-items"):
                yield DeadlineTable(id="items")
            with TabPane("4 Letters & notes", id="tab-letters"):
                yield PlainTable(id="letters", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        items = self.query_one("#items", DeadlineTable)
        items.add_column("Type", width=6)
        items.add_column("What", width=34, grow=1)
        items.add_column("Amount", width=9)
        items.add_column("Due", width=9)
        items.add_column("Done", width=9)
        letters = self.query_one("#letters", DataTable)
        letters.add_column("Date", width=9)
        letters.add_column("Kind", width=16)
        letters.add_column("Summary", width=42, grow=1)
        letters.add_column("File", width=4)
        self.query_one("#head").loading = True
        self.load()

    # loading -------------------------------------------------------------------------------------
    def action_reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="complaint")
    def load(self) -> None:
        from ..domain.errors import DomainError
        from ..services import complaints as C
        from ..services import contractors as K
        from ..services import queries as Q

        try:
            view = C.complaint_view(self.db, self.complaint_ref)
            left = Q.working_days_until(self.db, view.next_due) if view.next_due else None
            cid = view.complaint.id
            contractor = K.complaint_contractor(self.db, cid)
            asked = K.requests(self.db, complaint_id=cid)
        except DomainError as exc:
            self.post_message(self.Failed(exc.message))
            return
        except Exception as exc:
            self.post_message(self.Failed(f"The complaint could not be loaded: {exc}"))
            return
        self.post_message(self.Loaded(view, left, contractor, asked))

    def on_complaint_screen_failed(self, message: Failed) -> None:
        self.app.notify(message.message, severity="error", markup=False)
        if self.view is None:
            self.dismiss()

    def on_complaint_screen_loaded(self, message: Loaded) -> None:
        self.view = v = message.view
        self.complaint_ref = v.complaint.id
        self.contractor, self.asked = message.contractor, message.asked
        self.query_one("#head").loading = False
        self._show_head(v, message.days_left)
        self._show_summary(v)
        self._show_timeline(v)
        self._show_items(v)
        self._show_letters(v)
        self.refresh_bindings()
        self._show_also()
        kind, self._letter_next = self._letter_next, None
        if kind is not None:
            owed = [o for o in v.owed_letters if o.kind == kind]
            if owed:
                self._open_owed(owed[-1])  # the one the step just made

    _letter_next: str | None = None

    def _open_owed(self, owed) -> None:
        from .letter_preview import LetterPreviewScreen

        self.app.push_screen(
            LetterPreviewScreen(self.db, self.view.complaint.reference, owed.kind, owed.stage, owed=owed),
            lambda _: self.load(),
        )

    def _show_also(self) -> None:
        """The less frequent steps open now, on one line (the footer shows the main ones)."""
        keys = []
        for b in self.BINDINGS:
            if not b.show and b.description and b.action in ALSO_ACTIONS and self.check_action(b.action, ()):
                keys.append(f"{b.key} {b.description.lower()}")
        self.query_one("#also", Label).update("Also: " + " · ".join(keys) + " · F1 every key" if keys else "")

    def _show_head(self, v, days_left: int | None) -> None:
        c = v.complaint
        self.query_one("#ref", Label).update(c.reference)
        who = v.resident.name
        if v.representative:
            who += f" (via {v.representative.name})"
        if self.contractor:  # whose work the complaint is about (Code 5.4)
            who += f" · contractor {self.contractor}"
        self.query_one("#who", Label).update(who)
        flags = self.query_one("#flags", Horizontal)
        flags.remove_children()
        shown = list(v.flags)
        if c.vulnerable and "vulnerable" not in shown:
            shown.append("vulnerable")
        flags.mount_all([Label(f, classes=f"flag flag-{f.replace(' ', '-')}", markup=False) for f in shown])
        handler = f"handled by {v.current.handler}" if v.current and v.current.handler else "no handler yet"
        rules = rule_set(c.rule_set)
        state = c.state[0].upper() + c.state[1:]
        if "stage" not in c.state:
            state += f" (stage {c.stage})"
        self.query_one("#where", Label).update(f"{state} · {rules.title} · {handler}")
        nxt = self.query_one("#next", Label)
        explain = self.query_one("#explain", Static)
        for cls in ("on-time", "due-soon", "overdue"):
            nxt.remove_class(cls)
        if v.owed_letters:
            nxt.update(f"Next: {v.next_thing} (press g)")
            nxt.add_class("overdue")
            sent = f"{v.next_step} by {day(v.next_due)}" if v.next_due else v.next_step
            explain.update(
                "The step is recorded but the resident has not been told: issue the letter, or record "
                "how it went to them." + (f" After that: {sent}." if sent else "")
            )
            explain.display = True
        elif v.next_due:
            left = f" ({days_left_text(days_left)})" if days_left is not None else ""
            nxt.update(f"Next: {v.next_thing}{left}")
            nxt.add_class(status_class(v.status))
            text = v.next_deadline.explain() if v.next_deadline else ""
            cur = v.current
            if cur and cur.deadlines.respond_by is not None and "respond" in v.next_step:
                # the response: how it is worked out, and whether each extension counts
                text = cur.deadlines.explain_response()
            explain.update(text)
            explain.display = bool(text)
        else:
            nxt.update(f"Next: {v.next_thing}" if v.next_step else "Nothing is due on this complaint.")
            explain.update("")
            explain.display = False

    def _show_summary(self, v) -> None:
        c = v.complaint
        pane = self.query_one("#summary", VerticalScroll)
        pane.remove_children()
        rows: list = []

        def heading(text: str) -> None:
            rows.append(Label(text, classes="section-title"))

        def line(text: str) -> None:
            if text:
                rows.append(Static(text, markup=False, classes="detail"))

        heading("The complaint")
        # "by phone" reads well, "by in person" or "by via representative" does not
        line(f"Received {day(c.received_on)}" + (f", how: {c.channel}" if c.channel else ""))
        if v.representative:
            rep = v.representative
            line(
                f"Made by {rep.name}"
                + (f" ({rep.relationship})" if rep.relationship else "")
                + f" for {v.resident.name}"
                + (f"; authority: {rep.authority}" if rep.authority else "")
            )
        if c.service_request_id:
            line(
                "Raised because the resident was unhappy with the response to service request "
                f"{v.service_request_ref or '(not found)'}"
                + (" (v opens it)." if v.service_request_ref else ".")
            )
        if c.related_to_id:
            line("Logged as a new complaint from a point raised on an earlier complaint.")
        if c.categories:
            line("About: " + ", ".join(c.categories.split(";")))
        line(f"In the resident's words: {c.description}")
        if c.outcome_sought:
            line(f"They would like: {c.outcome_sought}")
        if c.refused_on:
            heading("Refused")
            line(f"{day(c.refused_on)}, ground: {c.exclusion_ground}. {c.exclusion_reason}")
        for sv in v.stages:
            st = sv.stage
            heading(f"Stage {st.number}")
            line(f"Requested {day(st.requested_on)}" + (f"; handler {sv.handler}" if sv.handler else ""))
            if st.acknowledged_on:
                line(f"Acknowledged {day(st.acknowledged_on)}")
            if st.definition:
                line(f"Complaint definition: {st.definition}")
            if st.responsible_for:
                line(f"We are responsible for: {st.responsible_for}")
            if st.not_responsible_for:
                line(f"We are not responsible for: {st.not_responsible_for}")
            verdicts = sv.deadlines.extensions
            for i, e in enumerate(sv.extensions):
                told = (
                    f"resident told {day(e.told_on)}" + (f" by {e.told_how}" if e.told_how else "")
                    if e.resident_told and e.told_on
                    else "resident told"
                    if e.resident_told
                    else "resident NOT yet told"
                )
                line(
                    f"Extension agreed {day(e.extended_on)}, to {day(e.new_due_on)}: {e.reason}"
                    + (f" Good reason for going past the limit: {e.good_reason}" if e.good_reason else "")
                    + f" ({told})"
                )
                if e.update_plan:
                    line(f"Keeping the resident up to date: {e.update_plan}")
                if i < len(verdicts):
                    line(verdicts[i].explain())
            if st.responded_on:
                line(f"Responded {day(st.responded_on)}: {st.decision}. {st.reasons}")
                if st.remedy_statement:
                    line(f"Putting things right: {st.remedy_statement}")
                if st.actions_statement:
                    line(f"Outstanding actions: {st.actions_statement}")
        if c.escalation_refused_on:
            heading("Escalation refused")
            line(
                f"{day(c.escalation_refused_on)}, ground: {c.escalation_refusal_ground}. "
                f"{c.escalation_refusal_reason}"
            )
        if c.withdrawn_on:
            heading("Withdrawn")
            line(f"{day(c.withdrawn_on)}. {c.withdrawn_reason}")
        if c.closed_on:
            heading("Closed")
            line(day(c.closed_on))
        if self.contractor or self.asked:
            heading("Contractor")
            if self.contractor:
                line(f"About the work of {self.contractor}; we handle the complaint (Code 5.4).")
            for r in self.asked:
                line(
                    f"Asked {r.contractor} {day(r.asked_on)}, due {day(r.due_on)}: {r.what}"
                    + (
                        f"\nAnswered {day(r.answered_on)}: {r.answer}"
                        if r.answered_on
                        else "\nNot answered yet."
                    )
                )
        pane.mount_all(rows)

    def _show_timeline(self, v) -> None:
        pane = self.query_one("#timeline", VerticalScroll)
        pane.remove_children()
        rows = []
        previous = None  # (action, recorded at, date shown)
        handlers = {sv.stage.id: sv.handler for sv in v.stages}
        files = {a.id: a for a in v.attachments}
        for e in v.events:
            when, detail, dated = describe_event(e)
            if e.entity == "attachment" and e.entity_id in files:
                rows += file_event(files[e.entity_id])
                continue
            if previous and e.at == previous[1]:
                if e.action == previous[0]:
                    continue  # the same step, recorded twice (on the stage and on the complaint)
                if not dated:
                    when = previous[2]  # recorded with the step before it: same day
            previous = (e.action, e.at, when)
            who = event_staff(e, v.staff_names, handlers)
            rows.append(
                Static(
                    f"{plain_day(when)}  {e.action}" + (f"  ({who})" if who else ""),
                    markup=False,
                    classes="event",
                )
            )
            if detail:
                rows.append(Static(detail, markup=False, classes="event-detail"))
        if not rows:
            rows.append(Static("Nothing recorded yet.", classes="detail"))
        pane.mount_all(rows)

    def _show_items(self, v) -> None:
        table = self.query_one("#items", DeadlineTable)
        row = table.cursor_row
        table.clear()
        today = self.db.today
        for r in v.remedies:
            status = "done" if r.completed_on else ("overdue" if r.due_on and r.due_on < today else "")
            table.add_row(
                "remedy",
                f"{r.kind}: {r.description}",
                pounds(r.amount_pence),
                table.status_cell(compact_day(r.due_on), status),
                compact_day(r.completed_on),
                key=f"remedy:{r.id}",
            )
        for a in v.actions:
            status = "done" if a.completed_on else ("overdue" if a.due_on and a.due_on < today else "")
            who = f" ({a.owner})" if a.owner else ""
            table.add_row(
                "action",
                f"{a.description}{who}",
                "",
                table.status_cell(compact_day(a.due_on), status),
                compact_day(a.completed_on),
                key=f"action:{a.id}",
            )
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))

    def _show_letters(self, v) -> None:
        table = self.query_one("#letters", PlainTable)
        row = table.cursor_row
        table.clear()
        for k in v.correspondence:
            kind = k.letter_kind or DIRECTION_WORDS.get(k.direction, k.direction)
            if k.channel:
                kind += f" ({k.channel})"
            table.add_row(compact_day(k.on), kind, k.summary, "yes" if k.file_path else "", key=str(k.id))
        for a in v.attachments:  # files received (services/attachments.py)
            what = describe_file(a).removeprefix("received file ") + (
                f": {a.description}" if a.description else ""
            )
            table.add_row(
                compact_day(a.received_on),
                "file received",
                what,
                "" if a.erased_on else "yes",
                key=f"file:{a.id}",
            )
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))

    # which actions show ---------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in LIFECYCLE or action in (
            "add_point",
            "note",
            "mark_done",
            "update_action",
            "letter",
            "open_letter",
            "add_file",
            "open_file",
        ):
            v = self.view
            if v is None:
                return False
            if action in LIFECYCLE:
                return LIFECYCLE[action] in v.allowed
            if action == "mark_done":
                return any(not r.completed_on for r in v.remedies) or any(
                    not a.completed_on for a in v.actions
                )
            if action == "update_action":
                return any(not a.completed_on for a in v.actions)
            if action == "open_letter":
                return any(k.file_path for k in v.correspondence)
            if action == "open_file":
                return any(a.erased_on is None for a in v.attachments)
        if action == "open_service_request":
            return self.view is not None and bool(self.view.complaint.service_request_id)
        if action in ("contractor", "ask_contractor"):
            return self.view is not None
        if action == "contractor_answer":
            return any(r.answered_on is None for r in self.asked)
        if action == "satisfaction":
            return self.view is not None and self.view.complaint.state == "closed"
        if action == "reassign":
            from ..domain import lifecycle as L

            return self.view is not None and self.view.complaint.state not in L.FINISHED_STATES
        return True

    # actions -------------------------------------------------------------------------------------
    def action_open_service_request(self) -> None:
        """The service request the complaint was raised from (Code 1.5)."""
        if self.view is not None and self.view.complaint.service_request_id:
            self.app.open_service_request(self.view.complaint.service_request_id)

    def _form(self, screen, letter: str | None = None) -> None:
        """Show a step's form; a step that owes the resident a letter (``letter``, its kind) ends on
        that letter: preview, then issue it or record that it went another way."""
        if self.view is None:
            return
        self.app.push_screen(screen, partial(self._after_form, letter=letter))

    def _after_form(self, result, letter: str | None = None) -> None:
        if result is None:
            return
        if letter is not None:
            self._letter_next = letter  # opened once the complaint is read again (on_..._loaded)
        from ..store.models import Complaint

        if isinstance(result, Complaint) and result.id != self.view.complaint.id:
            self.app.notify(
                f"Logged as a new complaint, {result.reference}.", title="New complaint", markup=False
            )
        self.load()

    def action_tab(self, tab: str) -> None:
        self.query_one("#tabs", TabbedContent).active = tab

    def action_acknowledge(self) -> None:
        self._form(F.AcknowledgeForm(self.db, self.view), letter=LR.ACKNOWLEDGEMENT)

    def action_extend(self) -> None:
        self._form(F.ExtendForm(self.db, self.view), letter=LR.EXTENSION)

    def action_respond(self) -> None:
        self._form(F.RespondForm(self.db, self.view), letter=LR.RESPONSE)

    def action_escalate(self) -> None:
        self._form(F.EscalateForm(self.db, self.view))

    def action_refuse(self) -> None:
        self._form(F.RefuseForm(self.db, self.view), letter=LR.REFUSAL)

    def action_refuse_escalation(self) -> None:
        self._form(F.RefuseForm(self.db, self.view, escalation=True), letter=LR.ESCALATION_REFUSAL)

    def action_reassign(self) -> None:
        self._form(F.ReassignForm(self.db, self.view))

    def action_close(self) -> None:
        self._form(F.CloseForm(self.db, self.view))

    def action_withdraw(self) -> None:
        self._form(F.WithdrawForm(self.db, self.view))

    def action_add_point(self) -> None:
        self._form(F.AdditionalComplaintForm(self.db, self.view))

    def action_note(self) -> None:
        self._form(F.NoteForm(self.db, self.view))

    def action_contractor(self) -> None:
        from .contractors import PutDownForm

        if self.view is not None:
            c = self.view.complaint
            self._form(PutDownForm(self.db, c.reference, seen=self.view.as_seen, current=self.contractor))

    def action_ask_contractor(self) -> None:
        from .contractors import AskForm

        if self.view is not None:
            c = self.view.complaint
            self._form(AskForm(self.db, c.reference, seen=self.view.as_seen, contractor_id=c.contractor_id))

    def action_contractor_answer(self) -> None:
        from .contractors import AnswerForm, ChooseRequestScreen

        waiting = [r for r in self.asked if r.answered_on is None]
        if not waiting or self.view is None:
            return
        if len(waiting) == 1:
            self._form(AnswerForm(self.db, waiting[0]))
            return

        def chosen(r) -> None:
            if r is not None:
                self._form(AnswerForm(self.db, r))

        self.app.push_screen(ChooseRequestScreen(self.db, waiting), chosen)

    def action_satisfaction(self) -> None:
        if self.view is not None:
            self._satisfaction_form(self.view.complaint.id, self.view.complaint.reference)

    @work(thread=True, group="complaint-satisfaction", exit_on_error=False)
    def _satisfaction_form(self, complaint_id: int, reference: str) -> None:
        from ..services.satisfaction import satisfaction_answers
        from .satisfaction import SatisfactionAnswerForm

        current, _ = satisfaction_answers(self.db, complaint_id)
        form = SatisfactionAnswerForm(self.db, complaint_id, reference, current)
        self.app.call_from_thread(self._form, form)

    def _chosen_item(self, want: tuple[str, ...]):
        """The remedy/action under the cursor on the Remedies tab, if it is one of ``want`` and open."""
        v = self.view
        candidates = []
        if "remedy" in want:
            candidates += [("remedy", r) for r in v.remedies if not r.completed_on]
        if "action" in want:
            candidates += [("action", a) for a in v.actions if not a.completed_on]
        if len(candidates) == 1:
            return candidates[0]
        tabs = self.query_one("#tabs", TabbedContent)
        table = self.query_one("#items", DeadlineTable)
        if tabs.active == "tab-items" and table.row_count:
            key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value or ""
            kind, _, ident = key.partition(":")
            for k, item in candidates:
                if k == kind and str(item.id) == ident:
                    return k, item
        tabs.active = "tab-items"
        table.focus()
        what = " or ".join(want)
        self.notify(f"Move to the {what} with the arrow keys, then press the key again.")
        return None

    def action_mark_done(self) -> None:
        chosen = self._chosen_item(("remedy", "action"))
        if chosen:
            self._form(F.CompleteItemForm(self.db, self.view, *chosen))

    def action_update_action(self) -> None:
        chosen = self._chosen_item(("action",))
        if chosen:
            self._form(F.UpdateActionForm(self.db, self.view, chosen[1]))

    def action_letter(self) -> None:
        if self.view is None:
            return
        try:
            from .letter_preview import LetterKindScreen, LetterPreviewScreen
        except ImportError:
            self.notify("Letters cannot be made in this version yet.", severity="warning")
            return
        ref = self.view.complaint.reference
        if self.view.owed_letters:  # a step's letter not yet sent comes first
            self._open_owed(self.view.owed_letters[0])
            return

        def chosen(kind) -> None:
            if kind:
                self.app.push_screen(
                    LetterPreviewScreen(self.db, ref, kind, stage=None), lambda _: self.load()
                )

        self.app.push_screen(LetterKindScreen(self.db, ref), chosen)

    def action_open_letter(self) -> None:
        v = self.view
        if v is None:
            return
        files = [k for k in v.correspondence if k.file_path]
        tabs = self.query_one("#tabs", TabbedContent)
        table = self.query_one("#letters", DataTable)
        chosen = None
        if tabs.active == "tab-letters" and table.row_count:
            key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
            chosen = next((k for k in v.correspondence if str(k.id) == key), None)
        elif len(files) == 1:
            chosen = files[0]
        if chosen is None:
            tabs.active = "tab-letters"
            table.focus()
            self.notify("Move to the letter with the arrow keys, then press Enter.")
            return
        self._open(chosen)

    def _open(self, k) -> None:
        if not k.file_path:
            self.notify(
                k.summary, title=f"{DIRECTION_WORDS.get(k.direction, '')} {day(k.on)}".strip(), markup=False
            )
            return
        path = Path(k.file_path)
        if not path.exists():
            self.notify(f"The letter file is missing: {path}", severity="error", timeout=15, markup=False)
            return
        if not open_with_system_viewer(path):
            self.notify(
                f"Open this file to read the letter: {path}", title="Letter", timeout=20, markup=False
            )

    async def action_case_file(self) -> None:
        """The case file for the Ombudsman, made in a thread with a progress bar; the line under it
        then says where it was saved (the reports folder)."""
        if self.view is None:
            return
        from ..reports import write_casefile
        from .reports import PdfJob

        jobs = self.query("#casefile-job").results(PdfJob)
        job = next(jobs, None)
        if job is None:
            job = PdfJob(id="casefile-job", classes="casefile-job")
            await self.query_one("#head").mount(job)
        job.start("case file", write_casefile, self.db, self.view.complaint.reference)

    def action_add_file(self) -> None:
        from .attachments import AttachFileForm

        self._form(AttachFileForm(self.db, self.view))

    def action_open_file(self) -> None:
        """The file received under the cursor on the Letters tab (or the only one) in the viewer."""
        v = self.view
        if v is None:
            return
        files = [a for a in v.attachments if a.erased_on is None]
        tabs = self.query_one("#tabs", TabbedContent)
        table = self.query_one("#letters", DataTable)
        chosen = files[0] if len(files) == 1 else None
        if tabs.active == "tab-letters" and table.row_count:
            key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value or ""
            chosen = next((a for a in files if key == f"file:{a.id}"), chosen if len(files) == 1 else None)
        if chosen is None:
            tabs.active = "tab-letters"
            table.focus()
            self.notify("Move to the file with the arrow keys, then press Enter.")
            return
        from .attachments import open_attachment

        open_attachment(self, chosen.id, chosen.file_name)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value or ""
        if event.data_table.id == "letters" and key.startswith("file:") and self.view is not None:
            from .attachments import open_attachment

            a = next((a for a in self.view.attachments if f"file:{a.id}" == key), None)
            if a is not None and a.erased_on is None:
                open_attachment(self, a.id, a.file_name)
            elif a is not None:
                self.notify(f"That file was erased on {day(a.erased_on)}: only its record is left.")
            return
        if event.data_table.id == "letters" and self.view is not None:
            k = next((k for k in self.view.correspondence if str(k.id) == event.row_key.value), None)
            if k is not None:
                self._open(k)
        elif event.data_table.id == "items":
            self.action_mark_done()


def describe_file(a) -> str:
    """'received file photo.png (12 KB)'."""
    from ..services.attachments import describe

    return describe(a)


def file_event(a) -> list[Static]:
    """A file received, on the timeline: the day it was received, its name and size, what it is."""
    out = [Static(f"{plain_day(a.received_on)}  {describe_file(a)}", markup=False, classes="event")]
    if a.description:
        out.append(Static(a.description, markup=False, classes="event-detail"))
    return out


def plain_day(d: dt.date | None) -> str:
    """'8 Jan 2027', or '' for no date."""
    return f"{d.day} {d:%b %Y}" if d else ""


STAFF_KEYS = ("handler_id", "refused_by_id", "escalation_refused_by_id", "staff_id")


def event_staff(entry, staff_names: dict, stage_handlers: dict | None = None) -> str:
    """Who acted on a step, as a member of staff: the person the entry names (the handler, who
    decided a refusal), else the handler of the stage the entry is about, else the recorded actor
    when that is a member of staff's name. A login name such as "root" is never shown."""
    try:
        after = json.loads(entry.after or "{}")
    except ValueError:
        after = {}
    for key in STAFF_KEYS:
        name = staff_names.get(after.get(key)) if isinstance(after, dict) else None
        if name:
            return name
    if entry.entity == "stage" and stage_handlers and stage_handlers.get(entry.entity_id):
        return stage_handlers[entry.entity_id]
    actor = (entry.actor or "").strip()
    return actor if actor in staff_names.values() else ""


def describe_event(entry) -> tuple:
    """(date, detail, whether the date is the step's own) for an audit entry.

    The date is when the step happened where the entry says so, else when it was recorded.
    """
    try:
        after = json.loads(entry.after or "{}")
    except ValueError:
        after = {}
    when, dated = (entry.at.date() if entry.at else None), False
    for key in STEP_DATE_KEYS:
        if after.get(key):
            try:
                when, dated = dt.date.fromisoformat(str(after[key])[:10]), True
                break
            except ValueError:
                pass
    parts = []
    for key in DETAIL_KEYS:
        value = after.get(key)
        if not value or not isinstance(value, str):
            continue
        if key == "new_due_on":
            try:
                value = f"new date {day(dt.date.fromisoformat(value[:10]))}"
            except ValueError:
                pass
        parts.append(value)
        if len(" ".join(parts)) > 160:
            break
    detail = " · ".join(parts)
    if len(detail) > 200:
        detail = detail[:197] + "..."
    return when, detail, dated


def open_with_system_viewer(path: Path) -> bool:
    """Open a file in the desktop's viewer; False when there is none to use (then show the path)."""
    try:
        if sys.platform.startswith("win"):
            os.startfile(str(path))  # type: ignore[attr-defined]
            return True
        if sys.platform == "darwin":
            opener = shutil.which("open")
        elif os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
            opener = shutil.which("xdg-open")
        else:
            opener = None  # no desktop: a console viewer would fight with this screen
        if not opener:
            return False
        subprocess.Popen(
            [opener, str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        return True
    except OSError:
        return False
