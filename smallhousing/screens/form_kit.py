"""Forms: validators, a labelled field and the small dialog (FormScreen) every form is built on.

Kept apart from common.py so that the first screen does not import the text-entry widgets.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Button, Footer, Input, Label, Select, Static, TextArea

from textual import work

from ..domain.dates import parse_date, short_date
from ..domain.errors import DomainError
from . import common
from .common import field_value, input_day, parse_pounds


class DateValidator(Validator):
    """A date as 2025-12-17 or 17/12/2025; optionally not in the future."""

    def __init__(self, *, required: bool = True, today: dt.date | None = None,
                 not_after_today: bool = True) -> None:
        super().__init__()
        self.required = required
        self.today = today
        self.not_after_today = not_after_today

    def validate(self, value: str) -> ValidationResult:
        if not value.strip():
            if self.required:
                return self.failure("Give a date, for example 17/12/2025.")
            return self.success()
        try:
            d = parse_date(value)
        except DomainError as exc:
            return self.failure(exc.message)
        if self.not_after_today and self.today and d and d > self.today:
            return self.failure(f"That date is in the future: today is {short_date(self.today)}.")
        return self.success()


class Required(Validator):
    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

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
    def __init__(self, what: str, *, required: bool = False) -> None:
        super().__init__()
        self.what = what
        self.required = required

    def validate(self, value: str) -> ValidationResult:
        s = value.replace(",", "").strip()
        if not s:
            return self.failure(f"Give the {self.what}.") if self.required else self.success()
        if not s.isdigit():
            return self.failure(f"The {self.what} must be a whole number, such as 450.")
        return self.success()


class Field(Vertical):
    """A labelled control with a hint and a plain-English message when what is typed will not do."""

    def __init__(self, label: str, control: Widget, hint: str = "", **kw) -> None:
        super().__init__(classes="field", **kw)
        self.label = label
        self.control = control
        self.hint = hint
        self.touched = False

    def compose(self) -> ComposeResult:
        yield Label(self.label, classes="field-label")
        yield self.control
        if self.hint:
            yield Static(self.hint, classes="field-hint", markup=False)
        yield Static("", classes="field-msg", markup=False)

    def show_message(self, message: str) -> None:
        msg = self.query_one(".field-msg", Static)
        msg.update(message)
        msg.set_class(bool(message), "-shown")
        self.set_class(bool(message), "-invalid")

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


class FormScreen(ModalScreen):
    """A small dialog that collects input and does one thing (usually one service call).

    Subclasses yield their fields from ``compose_fields`` and implement ``save``, which returns the
    result to dismiss with. ``save`` runs in a worker thread, never on the screen's thread. A
    DomainError from ``save`` is shown in the form; nothing is saved. When the file is busy (another
    program is writing), the form stays open with what was typed, says so and tries again a few
    times; then Ctrl+S tries again. Any other error is shown in one line: never a traceback.
    """

    FORM_TITLE = ""
    SAVE_LABEL = "Save"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form-cancel"),
        Binding("ctrl+s", "submit", "Save", id="form-save"),
        Binding("f1", "app.help", "Help", show=False, id="form-help"),
    ]

    def __init__(self, db=None, **kw) -> None:
        super().__init__(**kw)
        self.db = db
        self._saving = False

    @property
    def today(self) -> dt.date:
        return self.db.today if self.db is not None else dt.date.today()

    def form_title(self) -> str:
        return self.FORM_TITLE

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.form_title(), classes="dialog-title", markup=False)
            with VerticalScroll(classes="dialog-body", can_focus=False):
                yield from self.compose_fields()
            yield Static("", id="form-error", classes="form-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.SAVE_LABEL, variant="primary", id="form-save-button", compact=True)
                yield Button("Cancel", id="form-cancel-button", compact=True)
                yield Label("Tab: next · Ctrl+S: save · Esc: cancel", classes="dialog-keys")
        yield Footer(compact=True)

    def compose_fields(self) -> ComposeResult:  # pragma: no cover - overridden
        yield from ()

    def on_mount(self) -> None:
        # start at the top, so the explanation above the first field is seen
        self.call_after_refresh(self.query_one(".dialog-body", VerticalScroll).scroll_home, animate=False)

    # helpers for subclasses
    def date_input(self, ident: str, value: dt.date | None = None, *, required: bool = True,
                   not_after_today: bool = True) -> Input:
        return Input(input_day(value), placeholder="dd/mm/yyyy", id=ident, compact=True,
                     validators=[DateValidator(required=required, today=self.today,
                                               not_after_today=not_after_today)])

    def text(self, ident: str) -> str:
        w = self.query_one(f"#{ident}")
        return w.text if isinstance(w, TextArea) else w.value

    def date(self, ident: str, what: str = "date") -> dt.date | None:
        return parse_date(self.query_one(f"#{ident}", Input).value, what)

    def choice(self, ident: str) -> Any:
        return field_value(self.query_one(f"#{ident}", Select))

    # behaviour
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
        self.dismiss(None)

    FIELD_ALIASES = {"received_on": "date", "new_due_on": "new_due", "remedy": "add-remedy"}

    def show_error(self, message: str, field: str | None = None) -> None:
        field = self.FIELD_ALIASES.get(field or "", field)
        err = self.query_one("#form-error", Static)
        err.update(message)
        err.set_class(bool(message), "-shown")
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

    def action_submit(self) -> None:
        bad = self.first_invalid()
        if bad is not None:
            inp, message = bad
            parent = inp.parent
            if isinstance(parent, Field):
                parent.touched = True
                parent.show_message(message)
            self.show_error(message)
            inp.focus()
            return
        if self._saving:
            return
        self._saving = True
        self._set_save_enabled(False)
        self._save_in_worker()

    def _set_save_enabled(self, enabled: bool) -> None:
        for b in self.query("#form-save-button"):
            b.disabled = not enabled

    @work(thread=True, exclusive=True, group="form-save")
    def _save_in_worker(self) -> None:
        call = self.app.call_from_thread
        try:
            result = common.retry_when_busy(self.save, on_busy=lambda n: call(self._busy, False))
        except DomainError as exc:
            call(self._not_saved, exc.message, exc.field)
        except Exception as exc:  # never a traceback, which would show what was typed
            if common.is_busy(exc):
                call(self._busy, True)
            else:
                call(self._not_saved, "Not saved: something unexpected went wrong "
                     f"({type(exc).__name__}). What you typed is still here.", None)
        else:
            call(self._saved, result)

    def _busy(self, gave_up: bool) -> None:
        if gave_up:
            self._saving = False
            self._set_save_enabled(True)
        self.show_error(common.BUSY_GAVE_UP if gave_up else common.BUSY_RETRYING)

    def _not_saved(self, message: str, field: str | None) -> None:
        self._saving = False
        self._set_save_enabled(True)
        self.show_error(message, field)

    def _saved(self, result: Any) -> None:
        self._saving = False
        self.dismiss(result)

    def save(self) -> Any:  # pragma: no cover - overridden
        return True
