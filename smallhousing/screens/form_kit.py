"""The form kit: validators, fields, the dialog every form is built on (FormScreen), a yes/no
question (ConfirmScreen) and the one way a screen saves (``run_save``, ``call_service``).

A form either yields its own ``Field`` widgets from ``compose_fields`` and implements ``save()``, or
lists ``FormField`` specs in ``form_fields()`` and implements ``perform(values)``; either way the
save runs in a worker thread, never on the screen's thread, retries while the file is busy and
shows any other failure in one plain line. Esc on a form with changes asks before discarding them.

Kept apart from common.py so that the first screen does not import the text-entry widgets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable, Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Footer, Input, Label, Select, SelectionList, Static, TextArea

from ..domain.dates import parse_date, short_date
from ..domain.emails import email_problem
from ..domain.errors import DomainError
from ..domain.years import parse_year, year_label
from . import common
from .common import BindingCommands, TypingSelect, field_value, input_day, parse_pounds

R = TypeVar("R")


def _the(what: str) -> str:
    return what if what.startswith(("the ", "a ", "an ")) else f"the {what}"


# validators --------------------------------------------------------------------------------------


class DateValidator(Validator):
    """A date as 2025-12-17 or 17/12/2025; optionally not in the future (given ``today``)."""

    def __init__(
        self,
        *,
        required: bool = True,
        today: dt.date | None = None,
        not_after_today: bool = True,
        what: str = "",
    ) -> None:
        super().__init__()
        self.required = required
        self.today = today
        self.not_after_today = not_after_today
        self.what = what

    def validate(self, value: str) -> ValidationResult:
        if not value.strip():
            if self.required:
                return self.failure(
                    f"Please give {_the(self.what)}." if self.what else "Give a date, for example 17/12/2025."
                )
            return self.success()
        try:
            d = parse_date(value, self.what or "date")
        except DomainError as exc:
            return self.failure(exc.message)
        if self.not_after_today and self.today and d and d > self.today:
            return self.failure(f"That date is in the future: today is {short_date(self.today)}.")
        return self.success()


class Required(Validator):
    """Something must be typed. Give the whole ``message``, or ``what`` ("Please give <what>.")."""

    def __init__(self, message: str = "", *, what: str = "") -> None:
        super().__init__()
        self.message = message or f"Please give {what or 'an answer'}."

    def validate(self, value: str) -> ValidationResult:
        return self.success() if value.strip() else self.failure(self.message)


class PoundsValidator(Validator):
    def validate(self, value: str) -> ValidationResult:
        try:
            parse_pounds(value)
        except DomainError as exc:
            return self.failure(exc.message)
        return self.success()


class WholeNumber(Validator):
    def __init__(self, what: str, *, required: bool = False, minimum: int = 0) -> None:
        super().__init__()
        self.what = what
        self.required = required
        self.minimum = minimum

    def validate(self, value: str) -> ValidationResult:
        s = value.replace(",", "").strip()
        the = _the(self.what)
        if not s:
            return self.failure(f"Please give {the}.") if self.required else self.success()
        if not s.isdigit():
            return self.failure(f"{the[0].upper()}{the[1:]} must be a whole number, such as 450.")
        if int(s) < self.minimum:
            return self.failure(f"{the[0].upper()}{the[1:]} must be at least {self.minimum}.")
        return self.success()


class EmailValidator(Validator):
    """An email address, or nothing (the addresses asked for are optional)."""

    def validate(self, value: str) -> ValidationResult:
        problem = email_problem(value)
        return self.failure(problem) if problem else self.success()


class YearValidator(Validator):
    """A reporting year, as 2025 or 2025/26."""

    def validate(self, value: str) -> ValidationResult:
        if not value.strip():
            return self.failure("Please give the reporting year, such as 2025/26.")
        try:
            parse_year(value)
        except DomainError as exc:
            return self.failure(exc.message)
        return self.success()


# fields ------------------------------------------------------------------------------------------


class Field(Vertical):
    """A labelled control with a hint and a plain-English message when what is typed will not do
    (or, with ``show_note``, a quiet confirmation such as the date read from what was typed)."""

    def __init__(
        self, label: str, control: Widget, hint: str = "", *, message_id: str | None = None, **kw
    ) -> None:
        super().__init__(classes="field", **kw)
        self.label = label
        self.control = control
        self.hint = hint
        self.message_id = message_id
        self.touched = False

    def compose(self) -> ComposeResult:
        yield Label(self.label, classes="field-label", markup=False)
        yield self.control
        if self.hint:
            yield Static(self.hint, classes="field-hint", markup=False)
        yield Static("", classes="field-msg", id=self.message_id, markup=False)

    def show_message(self, message: str) -> None:
        msg = self.query_one(".field-msg", Static)
        msg.update(message)
        msg.set_class(bool(message), "-shown")
        msg.set_class(False, "-ok")
        self.set_class(bool(message), "-invalid")

    def show_note(self, note: str) -> None:
        msg = self.query_one(".field-msg", Static)
        msg.update(note)
        msg.set_class(False, "-shown")
        msg.set_class(bool(note), "-ok")
        self.set_class(False, "-invalid")

    def _show_result(self, result: ValidationResult | None) -> None:
        if result is None or result.is_valid:
            self.show_message("")
        else:
            self.show_message(" ".join(result.failure_descriptions))

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input is self.control and (event.input.has_focus or self.touched):
            self.touched = True
            self._show_result(event.validation_result)

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select is self.control:
            self.show_message("")

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if event.text_area is self.control and self.has_class("-invalid"):
            self.show_message("")

    def on_input_blurred(self, event: Input.Blurred) -> None:
        if event.input is self.control:
            self.touched = True
            self._show_result(event.validation_result)


class FormScroll(VerticalScroll, can_focus=False):
    """Scrolls a form; Tab goes straight from field to field, never to the scroll area itself."""


@dataclass
class FormField:
    """One thing a form asks for, shown by ``FormFields`` as a ``Field`` with the control's id
    ``f-<name>`` and its message's id ``e-<name>``. ``kind`` is text, email, date, year, number or
    choice."""

    name: str
    label: str
    value: str = ""
    kind: str = "text"
    required: bool = False
    placeholder: str = ""
    help: str = ""
    choices: tuple[str, ...] = ()
    minimum: int = 0
    what: str = ""  # how messages name the field ("the review date"); defaults to the label

    def describe(self) -> str:
        return self.what or self.label.lower()

    def validators(self) -> list[Validator]:
        if self.kind == "date":
            return [DateValidator(required=self.required, not_after_today=False, what=self.describe())]
        if self.kind == "year":
            return [YearValidator()]
        if self.kind == "number":
            return [WholeNumber(self.describe(), required=self.required, minimum=self.minimum)]
        required: list[Validator] = [Required(what=self.describe())] if self.required else []
        if self.kind == "email":
            return required + [EmailValidator()]
        return required

    def convert(self, text: str) -> Any:
        if self.kind == "date":
            return parse_date(text, self.describe())
        if self.kind == "number":
            text = text.replace(",", "").strip()
            return int(text) if text else None
        return text.strip()

    def control(self) -> Widget:
        if self.kind == "choice":
            return TypingSelect(
                [(c, c) for c in self.choices],
                value=self.value or self.choices[0],
                allow_blank=False,
                id=f"f-{self.name}",
                compact=True,
            )
        return Input(
            value=self.value,
            placeholder=self.placeholder,
            validators=self.validators(),
            id=f"f-{self.name}",
            classes="field-input",
            compact=True,
            # moving into a box that holds text (a name, an address) does not select it all, so a
            # stray key adds to the text rather than replacing it; a date is still selected whole
            select_on_focus=self.kind in ("date", "year", "number"),
        )


def date_text(day: dt.date | None) -> str:
    """A date as the forms show it for editing (UK order)."""
    return input_day(day)


class FormFields(Vertical):
    """``Field``s made from ``FormField`` specs; each input checks itself as you type."""

    def __init__(self, fields: list[FormField], **kw) -> None:
        super().__init__(**kw)
        self.fields = fields
        self.add_class("form-fields")

    def compose(self) -> ComposeResult:
        for f in self.fields:
            yield Field(f.label + (" *" if f.required else ""), f.control(), f.help, message_id=f"e-{f.name}")

    def field(self, name: str) -> FormField | None:
        return next((f for f in self.fields if f.name == name), None)

    def widget(self, name: str):
        return self.query_one(f"#f-{name}")

    def note(self, name: str, text: str, *, error: bool) -> None:
        box = self.widget(name).parent
        if error:
            box.show_message(text)
        else:
            box.show_note(text)

    def set_values(self, values: dict[str, Any]) -> None:
        for f in self.fields:
            if f.name not in values:
                continue
            v = values[f.name]
            w = self.widget(f.name)
            if isinstance(w, Select):
                w.value = v if v in f.choices else f.choices[0]
            else:
                w.value = date_text(v) if isinstance(v, dt.date) else ("" if v is None else str(v))
            self.note(f.name, "", error=False)

    @on(Input.Changed, ".field-input")
    def _changed(self, event: Input.Changed) -> None:
        name = (event.input.id or "")[2:]
        f = self.field(name)
        if f is None:
            return
        result = event.validation_result
        if result is not None and not result.is_valid:
            self.note(name, result.failure_descriptions[0], error=True)
        elif f.kind == "date" and event.value.strip():
            self.note(name, short_date(parse_date(event.value, f.describe())), error=False)
        elif f.kind == "year" and event.value.strip():
            self.note(name, f"Reporting year {year_label(parse_year(event.value))}", error=False)
        else:
            self.note(name, "", error=False)

    @on(Input.Submitted, ".field-input")
    def _next(self, event: Input.Submitted) -> None:
        event.stop()
        self.screen.focus_next()

    def problems(self) -> list[tuple[str, str]]:
        """What will not do as the fields stand, as (field, message), without showing anything."""
        out = []
        for f in self.fields:
            w = self.widget(f.name)
            if isinstance(w, Input):
                result = w.validate(w.value)
                if result is not None and not result.is_valid:
                    out.append((f.name, result.failure_descriptions[0]))
        return out

    def texts(self) -> dict[str, Any]:
        """Each field as it stands (the text typed, or the choice made)."""
        return {f.name: self.widget(f.name).value for f in self.fields}

    def collect(self) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """The values typed, converted; and the problems, as (field, message), each shown under
        its field."""
        problems = self.problems()
        wrong = dict(problems)
        values: dict[str, Any] = {}
        for f in self.fields:
            w = self.widget(f.name)
            if isinstance(w, Select):
                values[f.name] = "" if w.value is Select.NULL else w.value
            elif f.name in wrong:
                self.note(f.name, wrong[f.name], error=True)
            else:
                values[f.name] = f.convert(w.value)
        return values, problems

    def show_problem(self, name: str | None, message: str) -> bool:
        """Show a message under the field it is about; False when no field here matches."""
        if name and self.field(name) is not None:
            self.note(name, message, error=True)
            self.widget(name).focus()
            return True
        return False


# saving in a worker ------------------------------------------------------------------------------

UNEXPECTED = "Something unexpected went wrong ({name}): nothing was saved. What you typed is still here."


def failure(exc: BaseException) -> tuple[str, str | None, str]:
    """One plain line for a failed save: (message, field, kind), kind being refused (a DomainError or
    a store error that explains itself), busy or unexpected. Never a traceback, which would show
    what was typed."""
    from ..store.db import StoreError  # here, so the kit does not load the store on import

    if isinstance(exc, DomainError):
        return exc.message, exc.field, "refused"
    if common.is_busy(exc):
        return common.BUSY_MESSAGE + " Nothing was saved: try again in a moment.", None, "busy"
    if isinstance(exc, StoreError):
        return str(exc), None, "refused"
    return UNEXPECTED.format(name=type(exc).__name__), None, "unexpected"


def run_save(
    node: DOMNode,
    fn: Callable[[], Any],
    *,
    on_done: Callable[[Any], Any],
    on_failed: Callable[[str, str | None], Any],
    on_busy: Callable[[bool], Any] | None = None,
    group: str = "service",
    exclusive: bool = False,
    name: str = "save",
):
    """Run ``fn`` in a worker thread, trying again while the file is busy (``on_busy(False)`` each
    time, ``on_busy(True)`` on giving up); then ``on_done(result)`` or ``on_failed(message, field)``
    on the app's thread. The one way screens save."""

    def run() -> None:
        call = node.app.call_from_thread
        try:
            result = common.retry_when_busy(
                fn, on_busy=(lambda n: call(on_busy, False)) if on_busy is not None else None
            )
        except Exception as exc:
            message, field, kind = failure(exc)
            if kind == "busy" and on_busy is not None:
                call(on_busy, True)
            else:
                call(on_failed, message, field)
            return
        call(on_done, result)

    return node.run_worker(run, thread=True, group=group, exclusive=exclusive, name=name)


def call_service(
    node: DOMNode,
    fn: Callable[..., Any],
    *args,
    on_done: Callable[[Any], Any] | None = None,
    on_error: Callable[[str, str | None], Any] | None = None,
    **kwargs,
) -> None:
    """Run one service call in a worker thread (``run_save``); a refusal is shown with ``on_error``
    or, without one, as a notification."""

    def failed(message: str, field: str | None) -> None:
        if on_error is not None:
            on_error(message, field)
        else:
            node.notify(message, title="Not saved", severity="error")

    run_save(
        node,
        lambda: fn(*args, **kwargs),
        on_done=on_done or (lambda result: None),
        on_failed=failed,
        name=getattr(fn, "__name__", "service"),
    )


# a yes/no question -------------------------------------------------------------------------------

DISCARD_QUESTION = "Discard the changes?"
DISCARD_DETAIL = "What you typed has not been saved. Answer No to go back to it."


class ConfirmScreen(ModalScreen[bool]):
    """Asks a yes/no question; escape or n answers no."""

    CSS_PATH = "form_kit.tcss"
    COMMANDS = {BindingCommands}
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n", "answer(False)", "No", id="confirm.no"),
        Binding("escape", "answer(False)", "Cancel", id="confirm.cancel"),
    ]

    def __init__(self, question: str, detail: str = "", yes: str = "Yes") -> None:
        super().__init__()
        self.question, self.detail, self.yes = question, detail, yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="confirm-box"):
            yield Static(self.question, classes="confirm-title", markup=False)
            if self.detail:
                yield Static(self.detail, classes="confirm-detail", markup=False)
            with Horizontal(classes="confirm-buttons"):
                yield Button(f"{self.yes} (y)", variant="warning", id="confirm-yes")
                yield Button("No (n)", id="confirm-no")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


# the form ----------------------------------------------------------------------------------------

CONTROLS = (Input, TextArea, Select, Checkbox, SelectionList)


def _value_of(control: Widget) -> Any:
    if isinstance(control, TextArea):
        return control.text
    if isinstance(control, SelectionList):
        return tuple(control.selected)
    return control.value


class FormScreen(ModalScreen[R], Generic[R]):
    """A dialog that collects input and does one thing (usually one service call).

    A form either yields its own fields from ``compose_fields`` and implements ``save()``, or lists
    ``FormField`` specs in ``form_fields()`` (shown by ``FormFields``) and implements
    ``perform(values)``. Above the fields, its help line (``INTRO`` or ``help_line()``) says what
    the Code asks for there. ``save``/``perform`` run in a worker thread,
    never on the screen's thread. A DomainError is shown in the form and under the field it names;
    nothing is saved. When the file is busy (another program is writing), the form stays open with
    what was typed, says so and tries again a few times; then Ctrl+S tries again. Any other error is
    shown in one line: never a traceback. Esc on a form with changes asks before discarding them.
    """

    CSS_PATH = "form_kit.tcss"
    COMMANDS = {BindingCommands}
    AUTO_FOCUS = ""  # on_mount gives the first field the focus
    FORM_TITLE = ""
    TITLE_TEXT = ""  # the same as FORM_TITLE (the name the spec-built forms used)
    INTRO = ""
    SAVE_LABEL = "Save"
    DISCARD_QUESTION = DISCARD_QUESTION
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form-cancel"),
        Binding("ctrl+s", "submit", "Save", id="form-save"),
        Binding("f1", "app.help", "Help", show=False, id="form-help"),
    ]
    # a service's field name -> this form's field id (or, in a spec-built form, the spec's name)
    FIELD_ALIASES: dict[str, str] = {"received_on": "date", "new_due_on": "new_due", "remedy": "add-remedy"}

    def __init__(self, db=None, **kw) -> None:
        super().__init__(**kw)
        self.db = db
        self._saving = False
        self._specs: list[FormField] | None = None
        self._values: dict[str, Any] = {}
        self._clean: dict[Widget, Any] | None = None
        self._closing_with: tuple[Any] | None = None
        self._noted_change = False

    @property
    def today(self) -> dt.date:
        return self.db.today if self.db is not None else dt.date.today()

    def heading(self) -> str:
        return self.FORM_TITLE or self.TITLE_TEXT

    def form_title(self) -> str:
        return self.heading()

    def form_fields(self) -> list[FormField] | None:
        """The specs of a spec-built form; None for a form that composes its own fields."""
        return None

    def help_line(self) -> str:
        """The line above the fields: what to do here and what the Code asks for, by provision
        number; one or two short lines at 80 columns (``INTRO``, unless a form works it out)."""
        return self.INTRO

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.form_title(), classes="dialog-title", markup=False)
            with FormScroll(classes="dialog-body"):
                help_line = self.help_line()
                if help_line:
                    yield Static(help_line, classes="form-intro form-help", markup=False)
                yield from self.compose_fields()
            yield Static("", id="form-error", classes="form-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.SAVE_LABEL, variant="primary", id="form-save-button", compact=True)
                yield Button("Cancel", id="form-cancel-button", compact=True)
                yield Label("Tab: next · Ctrl+S: save · Esc: cancel", classes="dialog-keys")
        yield Footer(compact=True)

    def compose_fields(self) -> ComposeResult:
        specs = self.form_fields()
        if specs is not None:
            self._specs = specs
            yield FormFields(specs, id="form-fields")

    def on_mount(self) -> None:
        # the first field takes the focus here, without the scroll Textual would animate to it
        # (which would end after show_first_field has placed the form)
        first = None
        if self._specs is not None:
            first = next(iter(self.query("#form-fields Input, #form-fields Select")), None)
        if first is None:  # as Textual's auto focus would choose: the first control there is
            first = next((w for w in self.query("*") if w.focusable), None)
        if first is not None:
            first.focus(scroll_visible=False)
        self.call_after_refresh(self.show_first_field)
        self.call_after_refresh(self.mark_clean)

    def show_first_field(self) -> None:
        """Start at the top, so that the explanation above the first field is seen; but where the
        explanation is longer than the dialog (at 80x24), start at the first field, label and all."""
        body = self.query_one(".dialog-body", VerticalScroll)
        origin = body.scrollable_content_region.y - round(body.scroll_y)  # the form's top, as drawn
        body.scroll_home(animate=False, immediate=True)
        focused = self.focused
        if focused is None or body not in focused.ancestors:
            return
        field = next((a for a in focused.ancestors_with_self if isinstance(a, Field)), focused)
        top, bottom = field.region.y - origin, focused.region.bottom - origin
        if bottom > body.scrollable_content_region.height:
            body.scroll_to(y=top, animate=False, immediate=True)

    # changes -------------------------------------------------------------------------------------
    def _controls(self) -> list[Widget]:
        return [w for w in self.query("*") if isinstance(w, CONTROLS)]

    def mark_clean(self) -> None:
        """What the form shows now counts as unchanged (called once the form is drawn; call it
        again after filling the form in from the records)."""
        self._clean = {w: _value_of(w) for w in self._controls()}

    def note_change(self) -> None:
        """Count something the user did that no field's value shows (such as choosing a resident
        in a picker) as a change: Esc will ask before discarding it."""
        self._noted_change = True

    def changed(self) -> bool:
        """Whether the user has changed anything since the form was drawn."""
        if self._noted_change:
            return True
        if self._clean is None:
            return False
        return any(self._clean.get(w, _value_of(w)) != _value_of(w) for w in self._controls())

    def has_unsaved_changes(self) -> bool:
        """What the app asks before closing this form another way than Esc (another section,
        Ctrl+Q): a change, or a save not finished yet."""
        return self._saving or self.changed()

    def _noted_by_program(self, control: Widget) -> None:
        # a value set by the screen itself (not while the user is in the field) is no change
        if self._clean is not None and not control.has_focus_within:
            self._clean[control] = _value_of(control)

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    @on(SelectionList.SelectedChanged)
    def _control_changed(self, event) -> None:
        control = getattr(event, "control", None)
        if isinstance(control, CONTROLS):
            self._noted_by_program(control)
            self._summary_follows(control)

    # helpers for subclasses ----------------------------------------------------------------------
    def date_input(
        self, ident: str, value: dt.date | None = None, *, required: bool = True, not_after_today: bool = True
    ) -> Input:
        return Input(
            input_day(value),
            placeholder="dd/mm/yyyy",
            id=ident,
            compact=True,
            validators=[DateValidator(required=required, today=self.today, not_after_today=not_after_today)],
        )

    def text(self, ident: str) -> str:
        w = self.query_one(f"#{ident}")
        return w.text if isinstance(w, TextArea) else w.value

    def date(self, ident: str, what: str = "date") -> dt.date | None:
        return parse_date(self.query_one(f"#{ident}", Input).value, what)

    def choice(self, ident: str) -> Any:
        return field_value(self.query_one(f"#{ident}", Select))

    @property
    def fields_widget(self) -> FormFields:
        return self.query_one("#form-fields", FormFields)

    # behaviour -----------------------------------------------------------------------------------
    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "form-save-button":
            event.stop()
            self.action_submit()
        elif event.button.id == "form-cancel-button":
            event.stop()
            self.action_cancel()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def action_cancel(self) -> None:
        if self._saving:  # the save will close the form (or say why not) in a moment
            self.app.bell()
            return
        if not self.changed():
            self.dismiss(None)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen(self.DISCARD_QUESTION, DISCARD_DETAIL, yes="Discard"), answered)

    def _form_line(self, message: str, about: "str | tuple[str, str | None] | None" = None) -> None:
        """The one line under the fields. ``about`` says what it reports, so that it follows the
        fields: "checks" (what was typed will not do: updated, then cleared, as it is put right),
        ("refused", field) (cleared once that field is changed) or None (kept until the next
        save)."""
        err = self.query_one("#form-error", Static)
        err.update(message)
        err.set_class(bool(message), "-shown")
        self._summary_about = about if message else None

    _summary_about: "str | tuple[str, str | None] | None" = None

    def _check_summary(self, problems: list[tuple[str, str]]) -> str:
        if not problems:
            return ""
        if len(problems) == 1:
            text = problems[0][1]
            return "Nothing has been saved yet: " + text[0].lower() + text[1:]
        return f"Nothing has been saved yet: {len(problems)} answers need correcting."

    def _current_problems(self) -> list[tuple[str, str]]:
        if self._specs is not None:
            return self.fields_widget.problems()
        problems = []
        for inp in self.query(Input):
            if inp.disabled or not inp.display:
                continue
            result = inp.validate(inp.value)
            if result is not None and not result.is_valid:
                problems.append((inp.id or "", " ".join(result.failure_descriptions)))
        return problems

    def _summary_follows(self, control: Widget) -> None:
        """The line under the fields, brought up to date after a change to ``control``."""
        about = self._summary_about
        if about is None or self._saving:
            return
        if about == "checks":
            problems = self._current_problems()
            if self._specs is None:
                problems = problems[:1]  # a boxed form names the first thing to put right
                self._form_line(problems[0][1] if problems else "", "checks")
            else:
                self._form_line(self._check_summary(problems), "checks")
        elif isinstance(about, tuple) and control.id in (about[1], f"f-{about[1]}"):
            self._form_line("")  # the field the refusal named has been changed

    def show_error(self, message: str, field: str | None = None, *, refused: bool = False) -> None:
        """Show ``message`` in the form's one line and under the field it names (a service's field
        name, mapped through FIELD_ALIASES), which gets the focus. A ``refused`` save's line goes
        once that field is changed."""
        field = self.FIELD_ALIASES.get(field or "", field)
        self._form_line(message, ("refused", field) if refused and field else None)
        if self._specs is not None and self.fields_widget.show_problem(field, message):
            return
        if field:
            target = self.query(f"#{field}")
            if target:
                widget = target.first()
                parent = widget.parent
                if isinstance(parent, Field):
                    parent.show_message(message)
                widget.focus()

    def first_invalid(self) -> tuple[Input, str] | None:
        for inp in self.query(Input):
            if inp.disabled or not inp.display:
                continue
            result = inp.validate(inp.value)
            if result is not None and not result.is_valid:
                return inp, " ".join(result.failure_descriptions)
        return None

    def _check_specs(self) -> bool:
        values, problems = self.fields_widget.collect()
        if problems:
            name, text = problems[0]
            self.fields_widget.widget(name).focus()
            self._form_line(self._check_summary(problems), "checks")
            return False
        self._values = values
        return True

    def action_submit(self) -> None:
        if self._saving:
            return
        if self._specs is not None:
            if not self._check_specs():
                return
        else:
            bad = self.first_invalid()
            if bad is not None:
                inp, message = bad
                parent = inp.parent
                if isinstance(parent, Field):
                    parent.touched = True
                    parent.show_message(message)
                self.show_error(message)
                self._summary_about = "checks"
                inp.focus()
                return
        try:
            self.check_before_saving()
        except DomainError as exc:
            self.show_error(exc.message, exc.field, refused=True)
            return
        question = self.confirm_saving()
        if question is None:
            self._start_save()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._start_save()

        self.app.push_screen(ConfirmScreen(*question), answered)

    def check_before_saving(self) -> None:
        """Raise a DomainError (naming its field) for what must be put right before anything is
        asked or saved; runs on the screen's thread, so it reads the fields but calls no service."""

    def confirm_saving(self) -> tuple[str, str, str] | None:
        """(question, detail, yes) to ask before saving, for a step that cannot be taken back;
        None saves at once."""
        return None

    def _start_save(self) -> None:
        if self._saving:
            return
        self._saving = True
        self._set_save_enabled(False)
        run_save(
            self,
            self.save,
            on_done=self._saved,
            on_failed=self._not_saved,
            on_busy=self._busy,
            group="form-save",
            exclusive=True,
            name=f"save {type(self).__name__}",
        )

    action_save = action_submit  # the name the spec-built forms' key had

    def _set_save_enabled(self, enabled: bool) -> None:
        for b in self.query("#form-save-button"):
            b.disabled = not enabled

    def _busy(self, gave_up: bool) -> None:
        if gave_up:
            self._saving = False
            self._set_save_enabled(True)
        self._form_line(common.BUSY_GAVE_UP if gave_up else common.BUSY_RETRYING)

    def _not_saved(self, message: str, field: str | None) -> None:
        self._refused(message, field)

    def _refused(self, message: str, field: str | None) -> None:
        """The save was refused or failed (override to offer something more, calling super)."""
        self._saving = False
        self._set_save_enabled(True)
        if self._specs is not None and not message.startswith("Something unexpected"):
            message = f"Not saved: {message}"
        self.show_error(message, field, refused=True)

    def _saved(self, result: Any) -> None:
        self._saving = False
        if self.app.screen is self:  # dismiss() closes whatever is on top
            self.dismiss(result)
        else:  # something (help, say) was opened over the form meanwhile: close when back on top
            self._closing_with = (result,)

    def on_screen_resume(self) -> None:
        if self._closing_with is not None:
            (result,), self._closing_with = self._closing_with, None
            self.dismiss(result)

    def save(self) -> Any:
        """Runs in a worker thread: do the one thing; return what to dismiss with. A spec-built form
        implements ``perform(values)`` instead."""
        if self._specs is not None:
            return self.perform(dict(self._values))
        return True  # pragma: no cover - overridden

    def perform(self, values: dict[str, Any]) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError
