"""Forms for residents, and the small form kit the resident and settings screens share.

A form is a list of ``FormField`` specs shown by ``FormFields``: each input checks itself as you type
and shows a plain-English message under it. ``FormScreen`` is a modal form that calls one service
function in a worker thread; a refused save (DomainError) is shown in the form and nothing is saved,
because every service runs in one transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable, Generic, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.validation import ValidationResult, Validator
from textual.widgets import Button, Footer, Input, Label, Select, Static

from ..domain.calendar import short_date
from ..domain.errors import DomainError
from ..domain.years import parse_year, year_label
from ..services import residents as residents_service
from ..domain.dates import parse_date
from ..store.db import StoreError
from ..store.models import Resident
from . import common

R = TypeVar("R")


# command palette ---------------------------------------------------------------------------------

class BindingCommands(Provider):
    """Offers every key binding of the current screen in the command palette.

    A screen may name its commands in ``PALETTE_NAMES`` (action -> name) where the footer's short
    description needs the screen's context. It may define ``prepare_action(action)`` to get ready
    first (for example, to show the tab the action belongs to), so that a command works from
    anywhere on the screen.
    """

    def _commands(self) -> list[tuple[str, str, Callable]]:
        screen = self.screen
        # the screen's own actions (not Textual's built-in ones such as copying text)
        own = {b.action for b in Binding.make_bindings(getattr(type(screen), "BINDINGS", []))}
        out, seen = [], set()
        for bindings in screen._bindings.key_to_bindings.values():  # keys as the keymap left them
            for b in bindings:
                if not b.description or b.action in seen or b.action not in own:
                    continue
                seen.add(b.action)
                name = getattr(screen, "PALETTE_NAMES", {}).get(b.action) or (
                    f"{b.group.description}: {b.description}" if b.group else b.description)
                key = self.app.get_key_display(b)
                out.append((name, f"Key: {key}", partial(_run_from_palette, screen, b.action)))
        return sorted(out, key=lambda c: c[0])

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


async def _run_from_palette(screen, action: str) -> None:
    prepare = getattr(screen, "prepare_action", None)
    if prepare is not None:
        prepare(action)
    await screen.run_action(action)


async def go_back(screen) -> None:
    """Leave a full screen through the app's own "back" action, which knows where back leads
    (the screen underneath, or the dashboard when this screen starts a section of the app)."""
    await screen.app.run_action("back")


# calling services from screens -------------------------------------------------------------------

def call_service(node: DOMNode, fn: Callable[..., Any], *args, on_done: Callable[[Any], Any] | None = None,
                 on_error: Callable[[str, str | None], Any] | None = None, **kwargs) -> None:
    """Run one service call in a worker thread; show a refusal as a message, never a traceback.

    ``on_done(result)`` and ``on_error(message, field)`` run on the app's thread afterwards.
    """

    def run() -> None:
        try:
            result = common.retry_when_busy(lambda: fn(*args, **kwargs))
        except Exception as exc:  # never a traceback, which would show what was typed
            if isinstance(exc, DomainError):
                message = exc.message
            elif common.is_busy(exc):
                message = common.BUSY_MESSAGE + " Nothing was saved: try again in a moment."
            elif isinstance(exc, StoreError):
                message = str(exc)
            else:
                message = f"Nothing was saved: something unexpected went wrong ({type(exc).__name__})."
            if on_error is not None:
                node.app.call_from_thread(on_error, message, getattr(exc, "field", None))
            else:
                node.app.call_from_thread(node.notify, message, title="Not saved", severity="error")
            return
        if on_done is not None:
            node.app.call_from_thread(on_done, result)

    node.run_worker(run, thread=True, group="service", name=getattr(fn, "__name__", "service"))


# validators --------------------------------------------------------------------------------------

class Required(Validator):
    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what

    def validate(self, value: str) -> ValidationResult:
        return self.success() if value.strip() else self.failure(f"Please give {self.what}.")


class DateText(Validator):
    """A date as 2025-12-17 or 17/12/2025 (services.base.parse_date decides)."""

    def __init__(self, what: str, required: bool = False) -> None:
        super().__init__()
        self.what, self.required = what, required

    def validate(self, value: str) -> ValidationResult:
        if not value.strip():
            return self.failure(f"Please give the {self.what}.") if self.required else self.success()
        try:
            parse_date(value, self.what)
        except DomainError as exc:
            return self.failure(exc.message)
        return self.success()


class YearText(Validator):
    def validate(self, value: str) -> ValidationResult:
        if not value.strip():
            return self.failure("Please give the reporting year, such as 2025/26.")
        try:
            parse_year(value)
        except DomainError as exc:
            return self.failure(exc.message)
        return self.success()


class WholeNumber(Validator):
    def __init__(self, what: str, minimum: int = 0, required: bool = True) -> None:
        super().__init__()
        self.what, self.minimum, self.required = what, minimum, required

    def validate(self, value: str) -> ValidationResult:
        text = value.replace(",", "").strip()
        if not text:
            return self.failure(f"Please give {self.what}.") if self.required else self.success()
        if not text.isdigit():
            return self.failure(f"{self.what.capitalize()} must be a whole number, such as 12.")
        if int(text) < self.minimum:
            return self.failure(f"{self.what.capitalize()} must be at least {self.minimum}.")
        return self.success()


# fields ------------------------------------------------------------------------------------------

class FormScroll(VerticalScroll, can_focus=False):
    """Scrolls a form; Tab goes straight from field to field, never to the scroll area itself."""


@dataclass
class FormField:
    """One thing a form asks for. ``kind`` is text, date, year, number or choice."""

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
            return [DateText(self.describe(), self.required)]
        if self.kind == "year":
            return [YearText()]
        if self.kind == "number":
            return [WholeNumber(self.describe(), self.minimum, self.required)]
        return [Required(self.describe())] if self.required else []

    def convert(self, text: str) -> Any:
        if self.kind == "date":
            return parse_date(text, self.describe())
        if self.kind == "number":
            text = text.replace(",", "").strip()
            return int(text) if text else None
        return text.strip()


def date_text(day: dt.date | None) -> str:
    """A date as the forms show it for editing (UK order)."""
    return f"{day:%d/%m/%Y}" if day else ""


class FormFields(Vertical):
    """Labelled inputs that check themselves as you type."""

    def __init__(self, fields: list[FormField], **kw) -> None:
        super().__init__(**kw)
        self.fields = fields
        self.add_class("form-fields")

    def compose(self) -> ComposeResult:
        for f in self.fields:
            yield Label(f.label + (" *" if f.required else ""), classes="field-label")
            if f.kind == "choice":
                yield Select([(c, c) for c in f.choices], value=f.value or f.choices[0],
                             allow_blank=False, id=f"f-{f.name}")
            else:
                yield Input(value=f.value, placeholder=f.placeholder, validators=f.validators(),
                            id=f"f-{f.name}", classes="field-input")
            if f.help:
                yield Static(f.help, classes="field-help", markup=False)
            yield Static("", id=f"e-{f.name}", classes="field-note", markup=False)

    def field(self, name: str) -> FormField | None:
        return next((f for f in self.fields if f.name == name), None)

    def widget(self, name: str):
        return self.query_one(f"#f-{name}")

    def note(self, name: str, text: str, *, error: bool) -> None:
        note = self.query_one(f"#e-{name}", Static)
        note.update(text)
        note.set_class(error and bool(text), "-error")
        note.set_class(not error and bool(text), "-ok")

    def set_values(self, values: dict[str, Any]) -> None:
        for f in self.fields:
            if f.name not in values:
                continue
            v = values[f.name]
            w = self.widget(f.name)
            if isinstance(w, Select):
                w.value = v if v in f.choices else f.choices[0]
            else:
                text = date_text(v) if isinstance(v, dt.date) else ("" if v is None else str(v))
                w.value = text
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

    def collect(self) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """The values typed, converted; and the problems, as (field, message)."""
        values: dict[str, Any] = {}
        problems: list[tuple[str, str]] = []
        for f in self.fields:
            w = self.widget(f.name)
            if isinstance(w, Select):
                values[f.name] = "" if w.value is Select.NULL else w.value
                continue
            result = w.validate(w.value)
            if result is not None and not result.is_valid:
                message = result.failure_descriptions[0]
                problems.append((f.name, message))
                self.note(f.name, message, error=True)
                continue
            values[f.name] = f.convert(w.value)
        return values, problems

    def show_problem(self, name: str | None, message: str) -> bool:
        """Show a message under the field it is about; False when no field here matches."""
        if name and self.field(name) is not None:
            self.note(name, message, error=True)
            self.widget(name).focus()
            return True
        return False


# modal forms -------------------------------------------------------------------------------------

class FormScreen(ModalScreen[R], Generic[R]):
    """A modal form that saves through one service call; escape cancels and saves nothing."""

    CSS_PATH = "resident_forms.tcss"
    COMMANDS = {BindingCommands}
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "save", "Save", id="form.save"),
    ]
    TITLE_TEXT = "Form"
    INTRO = ""
    SAVE_LABEL = "Save"
    FIELD_ALIASES: dict[str, str] = {}  # a service's field name -> this form's field name

    def __init__(self, db) -> None:
        super().__init__()
        self.db = db
        self._saving = False

    def form_fields(self) -> list[FormField]:
        raise NotImplementedError

    def perform(self, values: dict[str, Any]) -> R:
        """Call the service (runs in a worker thread). Raise DomainError to refuse."""
        raise NotImplementedError

    def heading(self) -> str:
        return self.TITLE_TEXT

    def compose(self) -> ComposeResult:
        with Vertical(classes="form-box"):
            yield Static(self.heading(), classes="form-title", markup=False)
            with FormScroll(classes="form-scroll"):
                if self.INTRO:
                    yield Static(self.INTRO, classes="form-intro", markup=False)
                yield FormFields(self.form_fields(), id="form-fields")
            yield Static("", id="form-message", markup=False)
            with Horizontal(classes="form-buttons"):
                yield Button(f"{self.SAVE_LABEL} (ctrl+s)", variant="primary", id="form-save")
                yield Button("Cancel (esc)", id="form-cancel")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        first = self.query(".field-input, Select").first()
        first.focus()

    @property
    def fields_widget(self) -> FormFields:
        return self.query_one("#form-fields", FormFields)

    def message(self, text: str, *, error: bool = True) -> None:
        box = self.query_one("#form-message", Static)
        box.update(text)
        box.set_class(error and bool(text), "-error")

    @on(Button.Pressed, "#form-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#form-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        if self._saving:
            return
        values, problems = self.fields_widget.collect()
        if problems:
            name, text = problems[0]
            self.fields_widget.widget(name).focus()
            self.message("Nothing has been saved yet: " + text[0].lower() + text[1:]
                         if len(problems) == 1 else
                         f"Nothing has been saved yet: {len(problems)} answers need correcting.")
            return
        self._saving = True
        self.query_one("#form-save", Button).disabled = True
        self.message("Saving…", error=False)
        self._save(values)

    @work(thread=True, exclusive=True, group="form-save")
    def _save(self, values: dict[str, Any]) -> None:
        call = self.app.call_from_thread
        try:
            result = common.retry_when_busy(lambda: self.perform(values),
                                            on_busy=lambda n: call(self._busy, False))
        except DomainError as exc:
            call(self._refused, exc.message, exc.field)
        except Exception as exc:  # never a traceback, which would show what was typed
            if common.is_busy(exc):
                call(self._busy, True)
            elif isinstance(exc, StoreError):
                call(self._refused, str(exc), None)
            else:
                call(self._refused, "something unexpected went wrong "
                     f"({type(exc).__name__}). What you typed is still here.", None)
        else:
            call(self._saved, result)

    def _busy(self, gave_up: bool) -> None:
        if gave_up:
            self._saving = False
            self.query_one("#form-save", Button).disabled = False
        self.message(common.BUSY_GAVE_UP if gave_up else common.BUSY_RETRYING)

    def _refused(self, text: str, field_name: str | None) -> None:
        self._saving = False
        self.query_one("#form-save", Button).disabled = False
        self.fields_widget.show_problem(self.FIELD_ALIASES.get(field_name or "", field_name), text)
        self.message(f"Not saved: {text}")

    def _saved(self, result: R) -> None:
        self.dismiss(result)


class ConfirmScreen(ModalScreen[bool]):
    """Asks a yes/no question; escape or n answers no."""

    CSS_PATH = "resident_forms.tcss"
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
        with Vertical(classes="form-box confirm-box"):
            yield Static(self.question, classes="form-title", markup=False)
            if self.detail:
                yield Static(self.detail, classes="form-intro", markup=False)
            with Horizontal(classes="form-buttons"):
                yield Button(f"{self.yes} (y)", variant="warning", id="confirm-yes")
                yield Button("No (n)", id="confirm-no")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


# resident forms ----------------------------------------------------------------------------------

CONTACT_HELP = "For example phone, email, letter or text message."


class ResidentForm(FormScreen[int | None]):
    """Add a resident, or change one's contact details and preferred format."""

    def __init__(self, db, resident: Resident | None = None) -> None:
        super().__init__(db)
        self.resident = resident

    def heading(self) -> str:
        return f"Change details of {self.resident.name}" if self.resident else "Add a resident"

    def form_fields(self) -> list[FormField]:
        r = self.resident
        v = (lambda k: getattr(r, k) or "") if r else (lambda k: "")
        return [
            FormField("name", "Name", v("name"), required=True, what="the resident's name"),
            FormField("address", "Address", v("address")),
            FormField("postcode", "Postcode", v("postcode")),
            FormField("phone", "Phone", v("phone")),
            FormField("email", "Email", v("email")),
            FormField("preferred_contact", "Preferred way to be contacted", v("preferred_contact"),
                      help=CONTACT_HELP),
            FormField("preferred_format", "Preferred format for letters", v("preferred_format") or "standard",
                      kind="choice", choices=residents_service.FORMATS),
            FormField("disabilities", "Disabilities the resident has told us about", v("disabilities")),
            FormField("vulnerabilities", "Vulnerabilities or risks", v("vulnerabilities")),
            FormField("notes", "Notes", v("notes")),
        ]

    def perform(self, values: dict[str, Any]) -> int:
        if self.resident is None:
            return residents_service.add_resident(self.db, **values).id
        return residents_service.update_resident(self.db, self.resident.id, **values).id


class RepresentativeForm(FormScreen[int | None]):
    TITLE_TEXT = "Add a representative"
    INTRO = ("Someone who may act for the resident in a complaint: a relative, an advocate, "
             "a councillor or MP, a solicitor. Record what shows they have the resident's authority.")

    def __init__(self, db, resident_id: int) -> None:
        super().__init__(db)
        self.resident_id = resident_id

    def form_fields(self) -> list[FormField]:
        return [
            FormField("name", "Name", required=True, what="the representative's name"),
            FormField("relationship", "Relationship to the resident",
                      placeholder="e.g. daughter, advocate, councillor…"),
            FormField("authority", "Authority to act",
                      placeholder="e.g. signed consent form, power of attorney…"),
            FormField("authority_on", "Authority given on", kind="date", placeholder="e.g. 17/12/2025",
                      what="date the authority was given"),
            FormField("address", "Address"),
            FormField("phone", "Phone"),
            FormField("email", "Email"),
        ]

    def perform(self, values: dict[str, Any]) -> int:
        name = values.pop("name")
        return residents_service.add_representative(self.db, self.resident_id, name, **values).id


class AdjustmentForm(FormScreen[int | None]):
    TITLE_TEXT = "Add a reasonable adjustment"
    INTRO = ("An adjustment agreed with the resident, such as letters in large print or calls "
             "only in the afternoon (Code 5.10). Give a date to review it.")

    def __init__(self, db, resident_id: int) -> None:
        super().__init__(db)
        self.resident_id = resident_id

    def form_fields(self) -> list[FormField]:
        return [
            FormField("description", "What has been agreed", required=True, what="the adjustment"),
            FormField("agreed_on", "Agreed on", kind="date", placeholder="leave blank for today",
                      what="date it was agreed"),
            FormField("review_on", "Review by", kind="date", required=True, placeholder="e.g. 17/12/2026",
                      what="review date"),
        ]

    def perform(self, values: dict[str, Any]) -> int:
        return residents_service.add_adjustment(self.db, self.resident_id, values["description"],
                                                values["review_on"], agreed_on=values["agreed_on"]).id


class RestrictionForm(FormScreen[int | None]):
    TITLE_TEXT = "Add a restriction for unacceptable behaviour"
    INTRO = ("A restriction must be backed by evidence, in proportion to the behaviour, and "
             "reviewed regularly (Code 5.14, 5.15). The resident can still complain.")

    def __init__(self, db, resident_id: int) -> None:
        super().__init__(db)
        self.resident_id = resident_id

    def form_fields(self) -> list[FormField]:
        return [
            FormField("description", "The restriction", required=True, what="the restriction",
                      placeholder="e.g. contact by email only, to one named officer…"),
            FormField("reason", "Why, and the evidence", required=True,
                      what="the reason for the restriction"),
            FormField("imposed_on", "Starts on", kind="date", placeholder="leave blank for today",
                      what="start date"),
            FormField("review_on", "Review by", kind="date", required=True, placeholder="e.g. 17/12/2026",
                      what="review date"),
        ]

    def perform(self, values: dict[str, Any]) -> int:
        return residents_service.add_restriction(self.db, self.resident_id, values["description"],
                                                 values["reason"], values["review_on"],
                                                 imposed_on=values["imposed_on"]).id


class ReviewForm(FormScreen[int | None]):
    """Record a review of an adjustment or restriction and set the next review date."""

    FIELD_ALIASES = {"review_on": "next_review_on"}

    def __init__(self, db, kind: str, ident: int, description: str) -> None:
        super().__init__(db)
        self.kind, self.ident, self.description = kind, ident, description

    def heading(self) -> str:
        return f"Review {self.kind}: {self.description}"

    def form_fields(self) -> list[FormField]:
        return [
            FormField("reviewed_on", "Reviewed on", kind="date", placeholder="leave blank for today",
                      what="review date"),
            FormField("next_review_on", "Next review by", kind="date", required=True,
                      placeholder="e.g. 17/12/2026", what="next review date"),
        ]

    def perform(self, values: dict[str, Any]) -> int:
        fn = (residents_service.review_adjustment if self.kind == "adjustment"
              else residents_service.review_restriction)
        return fn(self.db, self.ident, values["next_review_on"], reviewed_on=values["reviewed_on"]).id
