"""The dialogs behind every action on a complaint, and the forms for new complaints and requests.

Each form checks what is typed as it is typed, then makes exactly one service call when saved, so
nothing is ever half-saved. A refusal from the service (DomainError) is shown in the form.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Checkbox, DataTable, Input, Label, Select, SelectionList, Static, TextArea

from ..domain import compensation as K
from ..domain import lifecycle as L
from ..domain.calendar import short_date
from ..domain.dates import parse_date
from ..domain.errors import DomainError
from ..domain.rules import rule_set
from ..domain.service_request_rules import CATEGORIES as SR_CATEGORIES
from ..services import complaints as C
from .common import (
    PlainTable,
    TypingSelect,
    day,
    field_value,
    input_day,
    parse_pounds,
    plain,
    pounds,
    resident_picker,
    staff_options,
)
from .form_kit import Field, FormScreen, PoundsValidator, Required

NO_STAFF = "No staff are set up yet: add them under Settings (F7, Staff tab)."


def _area(ident: str, text: str = "", placeholder: str = "", classes: str = "") -> TextArea:
    return TextArea(text, id=ident, compact=True, placeholder=placeholder, classes=classes or "box")


def _offer_hazard(form: FormScreen, result) -> None:
    """Close the form as usual; then, if what it logged speaks of damp or mould, ask whether to
    record a hazard (screens/hazards.py), once whatever the form's closing opens is shown."""
    app, text, offer = form.app, form.text("description"), getattr(form, "hazard_offer", None)
    FormScreen._saved(form, result)
    if result is not None and offer is not None:
        from .hazards import offer_hazard

        app.call_after_refresh(lambda: offer_hazard(app, form.db, text, **offer))


def _context(text: str) -> Static:
    return Static(text, classes="context", markup=False)


class ComplaintForm(FormScreen):
    """A form about one complaint: ``view`` is its ComplaintView."""

    def __init__(self, db, view) -> None:
        super().__init__(db)
        self.view = view
        self.c = view.complaint
        # the complaint as it was read: a save after someone else's is refused, never over theirs
        self.seen = view.as_seen
        self.rules = rule_set(self.c.rule_set)

    def provision(self, key: str) -> str:
        """The provision for ``key`` under the Code this complaint is handled by ("6.2"; under
        the 2022 Code, "2022 Code 4.1")."""
        label = self.rules.provision(key)
        return label.removeprefix("2024 Code ")

    def form_title(self) -> str:
        return f"{self.FORM_TITLE}: {self.c.reference}, {self.view.resident.name}"


# acknowledge -------------------------------------------------------------------------------------


class AcknowledgeForm(ComplaintForm):
    FORM_TITLE = "Acknowledge"
    SAVE_LABEL = "Acknowledge"

    def form_title(self) -> str:
        return f"Acknowledge stage {self.c.stage}: {self.c.reference}, {self.view.resident.name}"

    def help_line(self) -> str:
        stage = self.c.stage
        days = self.rules.acknowledge_days_at(stage)
        when = (
            f"Acknowledge within {days} working days ({self.provision(f'ack{stage}')})."
            if days
            else f"The {self.rules.code} Code sets no deadline to acknowledge stage 2."
        )
        if stage == 2:
            return (
                "Define the complaint again for stage 2, starting from stage 1's definition (5.6); "
                f"say what is ours (5.7). {when}"
            )
        return (
            f"Define the complaint: what it is about and the outcome wanted (5.6); what is ours (5.7). {when}"
        )

    def definition(self) -> str:
        """The definition to start from: this stage's, or at stage 2 (not yet defined) stage 1's."""
        st = self.view.current
        if st and st.stage.definition:
            return st.stage.definition
        s1 = self.view.stage(1) if self.c.stage == 2 else None
        return s1.stage.definition if s1 and s1.stage.definition else ""

    def compose_fields(self) -> ComposeResult:
        st = self.view.current
        due = st.deadlines.acknowledge_by.due if st and st.deadlines.acknowledge_by else None
        yield _context(
            f"In the resident's words: {self.c.description}"
            + (f"\nThey would like: {self.c.outcome_sought}" if self.c.outcome_sought else "")
        )
        yield Field(
            "Complaint definition: what the complaint is about and the outcome wanted",
            _area("definition", self.definition()),
            hint=(
                "From stage 1: change it to what the resident is still unhappy about. "
                if self.c.stage == 2 and not (st and st.stage.definition) and self.definition()
                else ""
            )
            + "It goes in the acknowledgement letter; ask the resident there if anything is unclear.",
        )
        yield Field(
            "What we are responsible for", _area("responsible_for", st.stage.responsible_for if st else "")
        )
        yield Field(
            "What we are not responsible for (and who is)",
            _area("not_responsible_for", st.stage.not_responsible_for if st else ""),
        )
        handler = st.stage.handler_id if st else None
        options = staff_options(self.db)
        hint = (
            "At stage 2 this must be someone other than the stage 1 handler (Code 6.13)."
            if self.c.stage == 2
            else ""
        )
        yield Field(
            "Who will handle this stage",
            TypingSelect(
                options,
                prompt="(choose a handler)",
                id="handler",
                value=handler if handler in {v for _, v in options} else Select.NULL,
                compact=True,
            ),
            hint=hint if options else NO_STAFF,
        )
        yield Field(
            "Date of acknowledgement",
            self.date_input("date", self.today),
            hint=f"Due by {day(due)}." if due else "",
        )

    def save(self):
        return C.acknowledge(
            self.db,
            self.seen,
            self.text("definition"),
            responsible_for=self.text("responsible_for"),
            not_responsible_for=self.text("not_responsible_for"),
            handler_id=self.choice("handler"),
            on=self.date("date"),
        )


# extend ------------------------------------------------------------------------------------------


class ExtendForm(ComplaintForm):
    FORM_TITLE = "Extend the response date"
    SAVE_LABEL = "Extend"

    def help_line(self) -> str:
        stage = self.c.stage
        extra = self.rules.extension_cap[stage]
        told = "6.16" if stage == 2 else "6.5"
        return (
            f"Agree the new date and reason with the resident: at most {extra} more working days "
            f"without good reason ({self.provision(f'extend{stage}')}). Give the Ombudsman's "
            f"details ({told})."
        )

    def compose_fields(self) -> ComposeResult:
        st = self.view.current
        d = st.deadlines
        rules = rule_set(self.c.rule_set)
        self.cap = d.cap.due if d.cap else None
        extra = rules.extension_cap[st.stage.number]
        code_due = d.code_respond_by
        yield _context(
            f"Stage {st.stage.number} response is due {day(d.final_respond_by)}. Without a good "
            f"reason the new date can be at most {day(self.cap)}: {extra} more working days "
            f"({rules.provision(f'extend{st.stage.number}')}). An extension counts under the "
            f"Code only if it is agreed by {day(code_due)} and the resident is told of it."
        )
        yield Field(
            "New response date",
            self.date_input("new_due", None, not_after_today=False),
            hint=f"A working day after {day(d.final_respond_by)}, written like {input_day(self.cap)}.",
        )
        yield Field("Why more time is needed", _area("reason"))
        yield Field(
            "Good reason for going past the limit",
            Input(id="good_reason", compact=True),
            hint=f"Only needed for a date after {day(self.cap)}.",
        )
        yield Field(
            "Day the extension was agreed",
            self.date_input("date", self.today),
            hint=f"Agreed after {day(code_due)}, it does not count under the Code.",
        )
        yield Checkbox(
            "Resident told the new date, the reason and the Ombudsman's details",
            id="resident_told",
            compact=True,
        )
        yield Field(
            "Day the resident was told",
            self.date_input("told_on", None, required=False),
            hint="Leave blank if told the day it was agreed, or not yet told.",
        )
        yield Field(
            "How the resident was told",
            Input(id="told_how", placeholder="letter, phone, email ...", compact=True),
        )
        yield Field(
            "How and how often we will keep the resident up to date meanwhile",
            _area("update_plan"),
            hint="For example: a phone call every Friday until the response.",
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "new_due" or self.cap is None:
            return
        try:
            new = parse_date(event.value)
        except DomainError:
            return
        field = self.query_one("#good_reason").parent
        if new and new > self.cap and not self.query_one("#good_reason", Input).value.strip():
            field.show_message(
                f"{short_date(new)} is past the limit of {short_date(self.cap)}: give a good reason here."
            )
        else:
            field.show_message("")

    def save(self):
        new_due = self.date("new_due", "new response date")
        if new_due is None:
            raise DomainError("Give the new response date.", field="new_due")
        told_on = self.date("told_on", "day the resident was told")
        how = self.text("told_how")
        told = self.query_one("#resident_told", Checkbox).value or told_on is not None or bool(how.strip())
        return C.extend(
            self.db,
            self.seen,
            new_due,
            self.text("reason"),
            good_reason=self.text("good_reason"),
            resident_told=told,
            on=self.date("date"),
            told_on=told_on if told else None,
            told_how=how if told else "",
            update_plan=self.text("update_plan"),
        )


# respond -----------------------------------------------------------------------------------------


class RemedyForm(FormScreen):
    FORM_TITLE = "A remedy: how we put things right"
    SAVE_LABEL = "Add"
    INTRO = (
        "What we will do to put it right, by when, agreed where possible (7.1 to 7.3); "
        "compensation from the Ombudsman's guidance (7.2, 7.4)."
    )
    NO_GUIDANCE = "-"  # the loss option for a remedy not worked out from the guidance

    def __init__(self, db) -> None:
        super().__init__(db)
        self.rates: dict[str, K.Rate] = {}
        self.loss_options: list[tuple[str, str]] = []  # the kinds of loss offered, as (words, key)

    def compose_fields(self) -> ComposeResult:
        yield Field(
            "Kind of remedy",
            TypingSelect(
                [(k.capitalize(), k) for k in C.REMEDY_KINDS],
                prompt="(choose a kind)",
                id="kind",
                compact=True,
            ),
            hint="The ways of putting things right in the Code (7.1).",
        )
        yield Field(
            "What we will do",
            Input(id="description", compact=True, validators=[Required("Say what the remedy is.")]),
        )
        yield Field(
            "Amount in pounds (for a financial remedy)",
            Input(
                id="amount",
                placeholder="for example 150 or 75.50",
                compact=True,
                validators=[PoundsValidator()],
            ),
            hint="Compensation with a set sum in the guidance is worked out below instead.",
            id="amount-field",
        )
        yield Field(
            "To be done by",
            self.date_input("due_on", None, required=False, not_after_today=False),
            hint="Leave blank if there is no date.",
        )
        yield Checkbox("The resident has agreed to this remedy", id="agreed", compact=True)
        yield Field(
            "Compensation: kind of loss (Ombudsman's guidance)",
            TypingSelect(
                [("Not compensation from the guidance", self.NO_GUIDANCE)],
                value=self.NO_GUIDANCE,
                allow_blank=False,
                id="loss",
                compact=True,
            ),
            hint=f"From the guidance of {K.GUIDANCE_ON.day} {K.GUIDANCE_ON:%B %Y}, for remedies from "
            f"{K.GUIDANCE_STARTS.day} {K.GUIDANCE_STARTS:%B %Y}; the sums are in Settings.",
        )
        yield Static("", id="worked", classes="context", markup=False)
        yield Field(
            "How many days",
            Input(id="quantity", compact=True, placeholder="for example 7"),
            id="quantity-field",
        )
        with Horizontal(id="dates-field", classes="field-pair"):
            yield Field(
                "Or: lost on",
                self.date_input("from_on", None, required=False),
                id="from-field",
            )
            yield Field(
                "restored on",
                self.date_input("to_on", None, required=False),
                id="to-field",
            )

    def on_mount(self) -> None:
        super().on_mount()
        self._show_loss()
        self.load_rates()

    @work(thread=True, exclusive=True, group="rates", exit_on_error=False)
    def load_rates(self) -> None:
        from ..services import compensation as CS

        rates = CS.rates(self.db)
        self.app.call_from_thread(self._rates_loaded, rates)

    def _rates_loaded(self, rates: list[K.Rate]) -> None:
        self.rates = {r.kind: r for r in rates if r.active}
        options = [("Not compensation from the guidance", self.NO_GUIDANCE)]
        for r in rates:
            if r.active:
                each = "each" if r.unit == "appointment" else f"a {r.unit}"
                options.append((f"{r.label}: {K.money(r.pence)} {each}", r.kind))
        options += [(f"{label}: amount typed", kind) for kind, label in K.UNSET_KINDS]
        self.loss_options = options
        loss = self.query_one("#loss", Select)
        loss.set_options(options)
        loss.value = self.NO_GUIDANCE
        self._noted_by_program(loss)
        self._show_loss()

    def _loss(self) -> str:
        value = self.choice("loss")
        return "" if value in (None, self.NO_GUIDANCE) else str(value)

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "loss":
            if self._loss():
                kind = self.query_one("#kind", Select)
                if kind.value != "financial remedy":
                    kind.value = "financial remedy"
                rate = self.rates.get(self._loss())
                description = self.query_one("#description", Input)
                if rate is not None and not description.value.strip():
                    description.value = f"Compensation for {rate.label.lower()}"
            self._show_loss()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id in ("quantity", "from_on", "to_on"):
            self._show_loss()

    def _show_loss(self) -> None:
        rate = self.rates.get(self._loss())
        self.query_one("#quantity-field").display = rate is not None
        self.query_one("#dates-field").display = rate is not None and rate.by_dates
        self.query_one("#amount-field").display = rate is None
        if rate is not None:
            self.query_one("#quantity-field", Field).query_one(".field-label", Label).update(
                f"How many {rate.unit}s"
            )
        try:
            worked = self._worked()
        except DomainError as e:
            text = str(e)
        else:
            text = f"Amount: {K.money(worked.amount_pence)}. {worked.line}" if worked else ""
            if rate is not None and worked is None:
                text = f"Give how many {rate.unit}s" + (", or the dates." if rate.by_dates else ".")
        self.query_one("#worked", Static).update(text)

    def _worked(self) -> K.Worked | None:
        """The amount worked out from what is typed (None until enough is typed)."""
        rate = self.rates.get(self._loss())
        if rate is None:
            return None
        quantity = K.parse_quantity(self.text("quantity"), rate.unit)
        first = last = None
        if rate.by_dates:
            first, last = self.date("from_on", "day it was lost"), self.date("to_on", "day it was restored")
        if first is None and last is None:
            return K.work_out(rate, quantity) if quantity is not None else None
        if first is None or last is None:
            return None
        return K.work_out(rate, quantity, first=first, last=last)

    def save(self):
        loss = self._loss()
        if loss and loss not in self.rates and loss not in K.UNSET_LABELS:
            raise DomainError("That kind of loss is switched off in Settings: choose another.", field="loss")
        kind = "financial remedy" if loss else self.choice("kind")
        if not kind:
            raise DomainError("Choose the kind of remedy.", field="kind")
        description = self.text("description").strip()
        worked = self._worked()
        if loss in self.rates:
            if worked is None:
                raise DomainError(
                    f"Give how many {self.rates[loss].unit}s (or the dates) to work out the amount.",
                    field="quantity",
                )
            description = description or f"Compensation for {self.rates[loss].label.lower()}"
            return C.RemedyInput(
                kind,
                description,
                worked.amount_pence,
                self.date("due_on"),
                self.query_one("#agreed", Checkbox).value,
                guidance_kind=loss,
                quantity=worked.quantity,
                rate_pence=worked.rate_pence,
            )
        if not description:
            raise DomainError(
                "Say what the remedy is" + (", and why this amount." if loss else "."), field="description"
            )
        amount = parse_pounds(self.text("amount"))
        if kind == "financial remedy" and not amount:
            raise DomainError("A financial remedy needs an amount.", field="amount")
        return C.RemedyInput(
            kind,
            description,
            amount,
            self.date("due_on"),
            self.query_one("#agreed", Checkbox).value,
            guidance_kind=loss,
        )


class ActionForm(FormScreen):
    FORM_TITLE = "An outstanding action: something still to be done"
    SAVE_LABEL = "Add"
    INTRO = (
        "Work still to do after the response: what, who and by when. The resident is kept up "
        "to date until it is done (6.6, 6.17)."
    )

    def compose_fields(self) -> ComposeResult:
        yield Field(
            "What will be done",
            Input(id="description", compact=True, validators=[Required("Say what will be done.")]),
        )
        # the response letter names who will do each open action and by when (6.9, 6.19)
        yield Field(
            "Who will do it",
            Input(id="owner", compact=True, validators=[Required("Say who will do it.")]),
        )
        yield Field("To be done by", self.date_input("due_on", None, required=True, not_after_today=False))

    def save(self):
        description = self.text("description").strip()
        if not description:
            raise DomainError("Say what will be done.", field="description")
        if not self.text("owner").strip():
            raise DomainError("Say who will do it.", field="owner")
        if self.date("due_on") is None:
            raise DomainError("Give the date it will be done by.", field="due_on")
        return C.ActionInput(description, self.text("owner").strip(), self.date("due_on"))


class RespondForm(ComplaintForm):
    SAVE_LABEL = "Record response"

    def __init__(self, db, view) -> None:
        super().__init__(db, view)
        self.remedies: list[C.RemedyInput] = []
        self.actions: list[C.ActionInput] = []

    def form_title(self) -> str:
        return f"Stage {self.c.stage} response: {self.c.reference}, {self.view.resident.name}"

    def help_line(self) -> str:
        points, says = ("6.18", "6.19") if self.c.stage == 2 else ("6.7", "6.9")
        return (
            f"Give the decision, with reasons on every point of the definition ({points}), any "
            f"remedies and the outstanding actions ({says}; 7.1 to 7.3)."
        )

    def compose_fields(self) -> ComposeResult:
        st = self.view.current
        if st and st.stage.definition:
            yield _context(f"Complaint definition: {st.stage.definition}")
        yield Field(
            "Decision",
            TypingSelect(
                [(d.capitalize(), d) for d in L.DECISIONS],
                prompt="(choose the decision)",
                id="decision",
                compact=True,
            ),
        )
        yield Field(
            "Reasons for the decision, point by point",
            _area("reasons"),
            hint="Answer every point of the definition, citing policy or law where relevant.",
        )
        yield Label("Remedies offered", classes="field-label")
        yield PlainTable(id="remedy-list", cursor_type="row", classes="items")
        with Horizontal(classes="item-buttons"):
            yield Button("Add a remedy", id="add-remedy", compact=True)
            yield Button("Remove the chosen remedy", id="remove-remedy", compact=True)
        yield Field(
            "What the response says about putting things right",
            _area("remedy_statement"),
            hint="Needed when no remedy is offered: say plainly that none is offered, and why.",
        )
        yield Label("Outstanding actions (still to be done after the response)", classes="field-label")
        yield PlainTable(id="action-list", cursor_type="row", classes="items")
        with Horizontal(classes="item-buttons"):
            yield Button("Add an action", id="add-action", compact=True)
            yield Button("Remove the chosen action", id="remove-action", compact=True)
        yield Field(
            "What the response says about outstanding actions", Input(id="actions_statement", compact=True)
        )
        yield Field("Date of the response", self.date_input("date", self.today))

    def on_mount(self) -> None:
        rem = self.query_one("#remedy-list", DataTable)
        rem.add_columns("Kind", "What", "Amount", "By")
        act = self.query_one("#action-list", DataTable)
        act.add_columns("What", "Who", "By")
        self._show_items()

    def _show_items(self) -> None:
        rem = self.query_one("#remedy-list", DataTable)
        rem.clear()
        for r in self.remedies:
            rem.add_row(r.kind, r.description, pounds(r.amount_pence), day(r.due_on))
        act = self.query_one("#action-list", DataTable)
        act.clear()
        for a in self.actions:
            act.add_row(a.description, a.owner, day(a.due_on))
        rem.display = bool(self.remedies)
        act.display = bool(self.actions)
        self.query_one("#remove-remedy").display = bool(self.remedies)
        self.query_one("#remove-action").display = bool(self.actions)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        ident = event.button.id
        if ident == "add-remedy":
            event.stop()
            self.app.push_screen(RemedyForm(self.db), self._remedy_added)
        elif ident == "add-action":
            event.stop()
            self.app.push_screen(ActionForm(self.db), self._action_added)
        elif ident == "remove-remedy" and self.remedies:
            event.stop()
            del self.remedies[
                min(self.query_one("#remedy-list", DataTable).cursor_row, len(self.remedies) - 1)
            ]
            self._show_items()
        elif ident == "remove-action" and self.actions:
            event.stop()
            del self.actions[min(self.query_one("#action-list", DataTable).cursor_row, len(self.actions) - 1)]
            self._show_items()
        else:
            super().on_button_pressed(event)

    def _remedy_added(self, remedy) -> None:
        if remedy is not None:
            self.remedies.append(remedy)
            self._show_items()
            self.query_one("#add-remedy").focus()

    def _action_added(self, action) -> None:
        if action is not None:
            self.actions.append(action)
            self._show_items()
            self.query_one("#add-action").focus()

    def save(self):
        return C.respond(
            self.db,
            self.seen,
            self.choice("decision") or "",
            self.text("reasons"),
            remedies=list(self.remedies),
            actions=list(self.actions),
            remedy_statement=self.text("remedy_statement"),
            actions_statement=self.text("actions_statement"),
            on=self.date("date"),
        )


# escalate, refuse --------------------------------------------------------------------------------


class EscalateForm(ComplaintForm):
    FORM_TITLE = "Escalate to stage 2"
    SAVE_LABEL = "Escalate"
    INTRO = (
        "The resident need not say why they want stage 2 (6.12). Choose a handler who had no "
        "part in stage 1 (6.13)."
    )

    def compose_fields(self) -> ComposeResult:
        s1 = self.view.stage(1)
        if s1 and s1.handler:
            yield _context(f"Stage 1 was handled by {s1.handler}.")
        options = staff_options(self.db)
        yield Field(
            "Who will handle stage 2",
            TypingSelect(options, prompt="(choose a handler)", id="handler", compact=True),
            hint="" if options else NO_STAFF,
        )
        yield Field("Date the resident asked to escalate", self.date_input("date", self.today))
        yield Field("What the resident said (optional)", Input(id="resident_reason", compact=True))

    def save(self):
        return C.request_stage2(
            self.db,
            self.seen,
            on=self.date("date"),
            handler_id=self.choice("handler"),
            resident_reason=self.text("resident_reason"),
        )


class RefuseForm(ComplaintForm):
    SAVE_LABEL = "Refuse"

    def __init__(self, db, view, *, escalation: bool = False) -> None:
        super().__init__(db, view)
        self.escalation = escalation

    def form_title(self) -> str:
        what = "Refuse to escalate" if self.escalation else "Refuse the complaint"
        return f"{what}: {self.c.reference}, {self.view.resident.name}"

    def help_line(self) -> str:
        return (
            "Only on a ground in section 2 of the Code, with the reasons in full "
            + ("(5.11); " if self.escalation else "(2.1, 2.4); ")
            + "the letter tells the resident they can take it to the Ombudsman."
        )

    def compose_fields(self) -> ComposeResult:
        yield Field(
            "Ground",
            TypingSelect(
                [(f"{g.capitalize()}", g) for g in L.EXCLUSION_GROUNDS],
                prompt="(choose a ground)",
                id="ground",
                compact=True,
            ),
        )
        yield Static("", id="ground-help", classes="field-hint", markup=False)
        yield Field("Reasons, in full", _area("reason"))
        options = staff_options(self.db)
        yield Field(
            "Who decided",
            TypingSelect(options, prompt="(choose who decided)", id="decided_by", compact=True),
            hint="" if options else NO_STAFF,
        )
        yield Field("Date of the decision", self.date_input("date", self.today))
        if not self.escalation:
            yield Field(
                "When the issue arose",
                self.date_input("issue_arose_on", self.c.issue_arose_on, required=False),
                hint="Needed for the 12-month ground, or when the resident became aware of it.",
            )
            yield Field(
                "When the resident became aware of it",
                self.date_input("aware_on", self.c.aware_on, required=False),
            )
        yield Field(
            "How discretion to accept it anyway was considered",
            _area("discretion_note"),
            hint="Needed for the 12-month ground: an older issue can still be taken on.",
        )

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "ground":
            self.query_one("#ground-help", Static).update(
                L.EXCLUSION_GROUNDS.get(field_value(event.select), "")
            )

    def save(self):
        common = dict(
            on=self.date("date"),
            decided_by=self.choice("decided_by"),
            discretion_note=self.text("discretion_note"),
        )
        if self.escalation:
            return C.refuse_escalation(
                self.db, self.seen, self.choice("ground") or "", self.text("reason"), **common
            )
        return C.refuse(
            self.db,
            self.seen,
            self.choice("ground") or "",
            self.text("reason"),
            issue_arose_on=self.date("issue_arose_on", "day the issue arose"),
            aware_on=self.date("aware_on", "day the resident became aware"),
            **common,
        )


class ReassignForm(ComplaintForm):
    """Hand the current stage to someone else, with the reason (6.13 is checked by person)."""

    SAVE_LABEL = "Change handler"

    def form_title(self) -> str:
        return f"Change handler: {self.c.reference}, stage {self.c.stage}"

    def help_line(self) -> str:
        return "The change and its reason go on the complaint's record (5.12)." + (
            " At stage 2, no one who handled stage 1 (6.13)." if self.c.stage == 2 else ""
        )

    def compose_fields(self) -> ComposeResult:
        st = self.view.current
        who = st.handler if st and st.handler else "no one yet"
        yield _context(f"Stage {self.c.stage} is handled by {who}.")
        options = staff_options(self.db)
        yield Field(
            "New handler",
            TypingSelect(options, prompt="(choose a handler)", id="handler", compact=True),
            hint="" if options else NO_STAFF,
        )
        yield Field("Why the handler is changing", _area("reason"))
        yield Field("Date of the change", self.date_input("date", self.today))

    def save(self):
        return C.reassign_handler(
            self.db, self.seen, self.choice("handler"), self.text("reason"), on=self.date("date")
        )


# other steps -------------------------------------------------------------------------------------


class AdditionalComplaintForm(ComplaintForm):
    FORM_TITLE = "Another point raised"
    SAVE_LABEL = "Save"
    INTRO = (
        "A new point raised before the stage 1 response is added to the stage 1 definition; "
        "after that it is logged as a new complaint (6.8)."
    )

    def compose_fields(self) -> ComposeResult:
        can_fold = "fold" in self.view.allowed
        if not can_fold:
            yield _context("This complaint is past that point, so it will be logged as a new complaint.")
        yield Field("What the resident raised", _area("text"))
        yield Field("Date it was raised", self.date_input("date", self.today))
        yield Checkbox(
            "Log it as a separate new complaint",
            id="log_as_new",
            value=not can_fold,
            disabled=not can_fold,
            compact=True,
        )

    def save(self):
        new = self.query_one("#log_as_new", Checkbox).value
        return C.fold_additional_complaint(
            self.db, self.seen, self.text("text"), self.date("date"), log_as_new=new
        )


class CloseForm(ComplaintForm):
    FORM_TITLE = "Close the complaint"
    SAVE_LABEL = "Close complaint"
    INTRO = "Closing ends the complaint. Remedies and actions still open are followed up to the end (7.3)."

    def compose_fields(self) -> ComposeResult:
        open_items = [r for r in self.view.remedies if not r.completed_on] + [
            a for a in self.view.actions if not a.completed_on
        ]
        text = ""
        if self.c.state == L.S1_RESPONDED:
            text += "The resident can still ask to escalate to stage 2 afterwards. "
        if open_items:
            text += (
                f"{len(open_items)} remedy or action item(s) are not done yet; they stay on the "
                "dashboard until they are."
            )
        if text:
            yield _context(text.strip())
        yield Field("Date of closure", self.date_input("date", self.today))

    def save(self):
        return C.close(self.db, self.seen, on=self.date("date"))


class WithdrawForm(ComplaintForm):
    FORM_TITLE = "The resident withdraws the complaint"
    SAVE_LABEL = "Withdraw"
    INTRO = (
        "Record why the resident is withdrawing it, in their words: it stays on the complaint's "
        "record (5.12). You are asked to confirm before it is saved."
    )

    def compose_fields(self) -> ComposeResult:
        yield Field(
            "Why the resident is withdrawing it",
            _area("reason"),
            hint="As the resident or their representative told you.",
        )
        yield Field("Date withdrawn", self.date_input("date", self.today))

    def check_before_saving(self) -> None:
        L.require_text(self.text("reason"), "the reason for withdrawing", "reason")

    def confirm_saving(self) -> tuple[str, str, str]:
        when = self.date("date", "date withdrawn") or self.today
        return (
            f"Withdraw complaint {self.c.reference}?",
            f"It ends the complaint on {short_date(when)} as withdrawn by the resident. "
            "This cannot be undone: a new complaint would have to be logged.",
            "Withdraw",
        )

    def save(self):
        reason = L.require_text(self.text("reason"), "the reason for withdrawing", "reason")
        return C.withdraw(self.db, self.seen, reason, on=self.date("date"))


DIRECTION_CHOICES = (
    ("A note for the file", "note"),
    ("Received from the resident or their representative", "in"),
    ("Sent to the resident or their representative", "out"),
)


class NoteForm(ComplaintForm):
    FORM_TITLE = "Add a note or correspondence"
    INTRO = "Every letter, email, call and note goes on the complaint's record, with its date (5.12)."

    def compose_fields(self) -> ComposeResult:
        yield Field(
            "What is it",
            TypingSelect(DIRECTION_CHOICES, value="note", allow_blank=False, id="direction", compact=True),
        )
        yield Field(
            "How (for correspondence)",
            TypingSelect(
                [(ch[:1].upper() + ch[1:], ch) for ch in L.CHANNELS],
                prompt="(not applicable)",
                id="channel",
                compact=True,
            ),
        )
        yield Field("Summary", _area("summary"))
        yield Field("Date", self.date_input("date", self.today))

    def save(self):
        return C.add_correspondence(
            self.db,
            self.seen,
            self.date("date"),
            self.choice("direction") or "note",
            self.choice("channel") or "",
            self.text("summary"),
        )


class CompleteItemForm(ComplaintForm):
    """Mark a remedy or an outstanding action as done."""

    SAVE_LABEL = "Mark done"

    def __init__(self, db, view, kind: str, item) -> None:
        super().__init__(db, view)
        self.kind = kind
        self.item = item

    def form_title(self) -> str:
        return f"Mark the {'remedy' if self.kind == 'remedy' else 'action'} done: {self.c.reference}"

    def help_line(self) -> str:
        if self.kind == "remedy":
            return "The day the remedy was carried out: each is seen through to the end (7.3)."
        return "The day the action was done; tell the resident it is done (6.6)."

    def compose_fields(self) -> ComposeResult:
        extra = f" ({pounds(self.item.amount_pence)})" if getattr(self.item, "amount_pence", 0) else ""
        yield _context(f"{self.item.description}{extra}")
        yield Field("Date done", self.date_input("date", self.today))

    def save(self):
        if self.kind == "remedy":
            return C.complete_remedy(self.db, self.item.id, on=self.date("date"), seen=self.seen)
        return C.complete_action(self.db, self.item.id, on=self.date("date"), seen=self.seen)


class UpdateActionForm(ComplaintForm):
    FORM_TITLE = "Update the resident on an action"
    INTRO = "What the resident was told about work still to do after the response (6.6, 6.17)."

    def __init__(self, db, view, action) -> None:
        super().__init__(db, view)
        self.action_row = action

    def compose_fields(self) -> ComposeResult:
        yield _context(
            f"Action: {self.action_row.description}"
            + (f" (due {day(self.action_row.due_on)})" if self.action_row.due_on else "")
        )
        yield Field("What the resident was told", _area("note"))
        yield Field("Date", self.date_input("date", self.today))

    def save(self):
        return C.update_action(
            self.db, self.action_row.id, self.text("note"), on=self.date("date"), seen=self.seen
        )


# new complaint, service requests -----------------------------------------------------------------


class _ResidentForm(FormScreen):
    """A form that starts by choosing the resident."""

    def __init__(self, db) -> None:
        super().__init__(db)
        self.resident_id: int | None = None

    def resident_button(self) -> ComposeResult:
        yield Field(
            "Resident", Button("Choose the resident (Enter)", id="resident", classes="picker", compact=True)
        )

    def on_mount(self) -> None:
        if self.resident_id is None:
            self.call_after_refresh(self.pick_resident)

    def pick_resident(self) -> None:
        picker = resident_picker(self.db)
        if picker is None:
            self.show_error("Choosing a resident is not available in this version yet.")
            return
        self.app.push_screen(picker, self.set_resident)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "resident":
            event.stop()
            self.pick_resident()
        else:
            super().on_button_pressed(event)

    def set_resident(self, resident_id) -> None:
        if resident_id is None:
            return
        from ..services import residents as R

        rec = R.resident_record(self.db, int(resident_id))
        self.resident_id = rec.resident.id
        self.note_change()  # chosen in the picker: Esc asks before dropping it
        flags = f" ({', '.join(rec.flags)})" if rec.flags else ""
        text = f"{rec.resident.name}{flags}, {rec.resident.address}"
        button = self.query_one("#resident", Button)
        button.label = plain(text if len(text) <= 74 else text[:73] + "…")
        self.resident_chosen(rec)
        self.focus_next()

    def resident_chosen(self, rec) -> None:
        pass

    def require_resident(self) -> int:
        if self.resident_id is None:
            raise DomainError(
                "Choose the resident first: press Enter on the Resident button.", field="resident"
            )
        return self.resident_id


class NewComplaintForm(_ResidentForm):
    FORM_TITLE = "New complaint"
    SAVE_LABEL = "Log complaint"
    INTRO = (
        "Log it the day it arrives, however it came in, in the resident's words (1.2, 3.2). "
        "It must be acknowledged within 5 working days (6.2)."
    )

    def compose_fields(self) -> ComposeResult:
        yield from self.resident_button()
        yield Field(
            "Made by",
            TypingSelect(
                [("The resident", 0)], value=0, allow_blank=False, id="representative", compact=True
            ),
            hint="Or a representative with the resident's authority (Code 1.3).",
        )
        yield Field("Date received", self.date_input("date", self.today))
        yield Field(
            "How it came in",
            TypingSelect(
                [(ch[:1].upper() + ch[1:], ch) for ch in L.CHANNELS],
                prompt="(choose)",
                id="channel",
                compact=True,
            ),
        )
        yield Field(
            "The complaint, in the resident's words",
            _area("description"),
            hint="Any expression of dissatisfaction is a complaint; the word itself is not needed.",
        )
        yield Field("What the resident wants to happen", Input(id="outcome_sought", compact=True))
        yield Label("What it is about (Space ticks a category)", classes="field-label")
        yield SelectionList(*[(c.capitalize(), c) for c in C.CATEGORIES], id="categories", compact=True)
        yield Checkbox("Vulnerability or risk: handle with extra care", id="vulnerable", compact=True)
        yield Field(
            "Handler (can be chosen when acknowledging)",
            TypingSelect(staff_options(self.db), prompt="(not yet)", id="handler", compact=True),
        )
        yield Field(
            "When the issue arose (if known)",
            self.date_input("issue_arose_on", required=False),
            hint="With the next date, shows whether it is within 12 months (Code section 2).",
        )
        yield Field(
            "When the resident became aware of it (if known)", self.date_input("aware_on", required=False)
        )

    def resident_chosen(self, rec) -> None:
        reps = [
            (Text(p.name + (f" ({p.relationship})" if p.relationship else "")), p.id)
            for p in rec.representatives
            if p.active
        ]
        sel = self.query_one("#representative", Select)
        sel.set_options([("The resident", 0)] + reps)
        sel.value = 0
        self.query_one("#vulnerable", Checkbox).value = "vulnerable" in rec.flags

    def save(self):
        resident = self.require_resident()
        received = self.date("date", "date received")
        rep = self.choice("representative") or None
        c = C.log_complaint(
            self.db,
            resident,
            received,
            self.text("description"),
            channel=self.choice("channel") or "",
            outcome_sought=self.text("outcome_sought"),
            categories=self.query_one("#categories", SelectionList).selected,
            vulnerable=self.query_one("#vulnerable", Checkbox).value,
            representative_id=rep,
            handler_id=self.choice("handler"),
            issue_arose_on=self.date("issue_arose_on", "day the issue arose"),
            aware_on=self.date("aware_on", "day the resident became aware"),
        )
        self.hazard_offer = dict(resident_id=resident, aware_on=received, complaint_id=c.id)
        return c.id

    def _saved(self, result) -> None:
        _offer_hazard(self, result)


class NewServiceRequestForm(_ResidentForm):
    FORM_TITLE = "New service request"
    SAVE_LABEL = "Log request"
    INTRO = (
        "Something to put right, such as a repair: not a complaint, but logged and followed up "
        "(1.4). Unhappy with how it went? Log a complaint (1.5)."
    )

    def compose_fields(self) -> ComposeResult:
        yield from self.resident_button()
        yield Field("Date received", self.date_input("date", self.today))
        yield Field(
            "How it came in",
            TypingSelect(
                [(ch[:1].upper() + ch[1:], ch) for ch in L.CHANNELS],
                prompt="(choose)",
                id="channel",
                compact=True,
            ),
        )
        yield Field(
            "Category",
            # the service request categories, each with its own target (Settings, Request targets)
            TypingSelect(
                [(c.capitalize(), c) for c in SR_CATEGORIES], prompt="(choose)", id="category", compact=True
            ),
        )
        yield Field("What is asked for", _area("description"))

    def save(self):
        resident = self.require_resident()
        sr = C.log_service_request(
            self.db,
            resident,
            self.date("date", "date received"),
            self.text("description"),
            channel=self.choice("channel") or "",
            category=self.choice("category") or "",
        )
        self.hazard_offer = dict(resident_id=resident, aware_on=sr.received_on, service_request_id=sr.id)
        return sr.id

    def _saved(self, result) -> None:
        _offer_hazard(self, result)


class RaiseFromRequestForm(FormScreen):
    """The resident is unhappy with the response to a service request: log a complaint (Code 1.5)."""

    SAVE_LABEL = "Log complaint"
    INTRO = (
        "The resident is unhappy with how a service request was dealt with: log a complaint. "
        "Work on the request carries on (1.5)."
    )

    def __init__(self, db, request, resident_name: str) -> None:
        super().__init__(db)
        self.request = request
        self.resident_name = resident_name

    def form_title(self) -> str:
        return f"Complaint about service request {self.request.reference}, {self.resident_name}"

    def compose_fields(self) -> ComposeResult:
        yield _context(f"The request: {self.request.description}")
        yield Field("Date the resident complained", self.date_input("date", self.today))
        yield Field(
            "How it came in",
            TypingSelect(
                [(ch[:1].upper() + ch[1:], ch) for ch in L.CHANNELS],
                prompt="(choose)",
                id="channel",
                compact=True,
            ),
        )
        yield Field("The complaint, in the resident's words", _area("description"))
        yield Field("What the resident wants to happen", Input(id="outcome_sought", compact=True))

    def save(self):
        c = C.raise_from_service_request(
            self.db,
            self.request.id,
            self.date("date", "date received"),
            self.text("description"),
            channel=self.choice("channel") or "",
            outcome_sought=self.text("outcome_sought"),
        )
        return c.id


class CompleteRequestForm(FormScreen):
    SAVE_LABEL = "Mark complete"
    INTRO = "Record what was done and when. A resident unhappy with it can still complain (1.5)."

    def __init__(self, db, request) -> None:
        super().__init__(db)
        self.request = request

    def form_title(self) -> str:
        return f"Complete service request {self.request.reference}"

    def compose_fields(self) -> ComposeResult:
        yield _context(f"The request: {self.request.description}")
        yield Field("What was done", _area("response"))
        yield Field("Date completed", self.date_input("date", self.today))

    def save(self):
        return C.complete_service_request(self.db, self.request.id, self.text("response"), self.date("date"))
