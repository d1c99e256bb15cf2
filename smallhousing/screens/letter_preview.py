"""Letters from the app: choose a kind, read the letter before it goes, issue it as a PDF.

A letter that lacks something the Code requires cannot be issued: the screen lists what is
missing instead and, where the missing item is a statement the user can type (for example that no
actions are outstanding), offers a box to type it. Screens call services only.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ..domain.errors import DomainError
from .common import KeyFooter
from .form_kit import FormField, FormScreen


class LetterKindScreen(ModalScreen):
    """Which letter to make. Returns the kind (e.g. "response") or None.

    Given the database and a complaint reference, kinds that do not fit the complaint now are
    shown greyed out with the reason; without them every kind is offered (the preview then says
    if it does not fit).
    """

    CSS_PATH = "letter_preview.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="letter-kind-cancel"),
        *[Binding(str(i), f"pick({i})", show=False) for i in range(1, 7)],
    ]

    def __init__(self, db=None, complaint_ref: str | None = None) -> None:
        super().__init__()
        self.db = db
        self.complaint_ref = complaint_ref
        self.choices: list = []

    def compose(self) -> ComposeResult:
        from ..services import letters as SL

        if self.db is not None and self.complaint_ref:
            self.choices = SL.available_kinds(self.db, self.complaint_ref)
        else:
            self.choices = [SL.KindChoice(k, SL.KIND_LABELS[k], None) for k in SL.KINDS]
        with Vertical(id="letter-kind", classes="dialog"):
            title = "Which letter?" + (f"  (complaint {self.complaint_ref})" if self.complaint_ref else "")
            yield Label(title, classes="dialog-title")
            options = []
            for i, ch in enumerate(self.choices, start=1):
                prompt = Text(f"{i}  {ch.label}")
                if ch.reason:
                    prompt.append(f"\n   {ch.reason}", style="italic")
                options.append(Option(prompt, id=ch.kind, disabled=not ch.available))
            yield OptionList(*options, id="letter-kinds")
            yield Static("Number or arrows and Enter to choose  ·  Esc to cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        ol = self.query_one(OptionList)
        first = next((i for i, ch in enumerate(self.choices) if ch.available), None)
        if first is not None:
            ol.highlighted = first
        ol.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_pick(self, number: int) -> None:
        if 1 <= number <= len(self.choices):
            ch = self.choices[number - 1]
            if ch.available:
                self.dismiss(ch.kind)
            else:
                self.notify(ch.reason, title=ch.label, severity="warning")

    def action_cancel(self) -> None:
        self.dismiss(None)


class SentAnotherWayForm(FormScreen):
    """Record that a step's letter reached the resident another way (for example a phone call
    followed by an email), and on which day. Returns the StepLetter row."""

    FORM_TITLE = "Sent another way"
    SAVE_LABEL = "Record it"

    def __init__(self, db, owed, seen=None) -> None:
        super().__init__(db)
        self.owed = owed  # services.step_letters.OwedLetter
        self.seen = seen  # the complaint as the preview read it (services.complaints.AsSeen)
        self.INTRO = (
            f"If {owed.name} reached the resident by another route (for example a phone call "
            "followed by an email), say how and on which day: it is kept on the complaint's record."
        )

    def form_fields(self) -> list[FormField]:
        return [
            FormField(
                "route",
                "How it went",
                required=True,
                placeholder="e.g. phone call followed by an email",
                what="how the letter went to the resident",
            ),
            FormField("on", "Date sent", kind="date", required=True, value=_input_day(self.today)),
        ]

    def perform(self, values):
        from ..services import step_letters as STL

        return STL.record_sent_another_way(
            self.db, self.owed.id, values["route"], on=values["on"], seen=self.seen
        )


def _input_day(day) -> str:
    from .common import input_day

    return input_day(day)


class LetterPreviewScreen(ModalScreen):
    """The letter as it will read, or what it still lacks. I issues it (PDF saved and recorded on
    the complaint); W records that it went another way (only for a letter a step owes); Esc
    closes. Returns the IssuedLetter or the StepLetter, or None when closed without either."""

    CSS_PATH = "letter_preview.tcss"
    BINDINGS = [
        Binding("i", "issue", "Issue letter", id="letter-issue"),
        Binding("w", "sent_another_way", "Sent another way", id="letter-sent-another-way"),
        Binding("ctrl+s", "save_fixes", "Save and check again", id="letter-save-fixes", show=False),
        Binding("escape", "close", "Close", id="letter-close"),
    ]

    def __init__(self, db, complaint_ref: str, kind: str, stage: int | None = None, owed=None) -> None:
        super().__init__()
        self.db = db
        self.owed = owed  # the step's letter not yet sent (services.step_letters.OwedLetter), if any
        self.complaint_ref = complaint_ref
        self.kind = kind
        self.stage = stage
        self.preview = None  # services.letters.LetterPreview once loaded
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="letter-dialog", classes="dialog"):
            yield Label("Letter", id="letter-title", classes="dialog-title")
            yield Static("", id="letter-status")
            with VerticalScroll(id="letter-body"):
                yield Static("", id="letter-problems")
                yield Static("", id="letter-warnings")
                yield Vertical(id="letter-fixes")
                yield Static("", id="letter-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Issue letter (I)", id="letter-issue-button", variant="primary", compact=True)
                if self.owed is not None:
                    yield Button("Sent another way (W)", id="letter-other-button", compact=True)
                yield Button("Close (Esc)", id="letter-close-button", compact=True)
        yield KeyFooter()

    async def on_mount(self) -> None:
        await self.load()

    # showing -----------------------------------------------------------------------------------

    async def load(self) -> None:
        from ..services import letters as SL

        status = self.query_one("#letter-status", Static)
        problems = self.query_one("#letter-problems", Static)
        text = self.query_one("#letter-text", Static)
        fixes = self.query_one("#letter-fixes", Vertical)
        await fixes.remove_children()
        try:
            p = SL.preview(self.db, self.complaint_ref, self.kind, self.stage)
        except DomainError as exc:  # this kind does not fit the complaint now
            self.preview = None
            self.query_one("#letter-title", Label).update(f"Letter for complaint {self.complaint_ref}")
            status.update(Text("This letter cannot be made.", style="bold"))
            status.set_class(True, "-blocked")
            problems.update(Text(str(exc)))
            self.query_one("#letter-warnings", Static).display = False
            text.update("")
            self.query_one("#letter-issue-button", Button).disabled = True
            return
        self.preview = p
        self.stage = p.stage
        self.query_one("#letter-title", Label).update(
            f"{p.description[0].upper()}{p.description[1:]} for complaint {self.complaint_ref}"
        )
        lp = "  ·  Large print (16 pt): the resident asked for it." if p.large_print else ""
        if p.problems:
            status.update(
                Text(
                    f"Cannot be issued yet: {len(p.problems)} thing"
                    f"{'s' if len(p.problems) != 1 else ''} the Code requires "
                    f"{'are' if len(p.problems) != 1 else 'is'} missing.{lp}",
                    style="bold",
                )
            )
            lines = Text("Missing:\n", style="bold")
            for item in p.problems:
                lines.append(f"  • {item[0].upper()}{item[1:]}\n", style="")
            problems.update(lines)
            problems.display = True
        else:
            status.update(Text(f"Ready to issue: everything the Code requires is in it.{lp}"))
            problems.update("")
            problems.display = False
        status.set_class(bool(p.problems), "-blocked")
        warn = self.query_one("#letter-warnings", Static)
        if p.warnings:
            lines = Text("Check before issuing (the letter can still go):\n", style="bold")
            for w in p.warnings:
                lines.append(f"  • {w}\n", style="")
            warn.update(lines)
        else:
            warn.update("")
        warn.display = bool(p.warnings)
        widgets = []
        for fix in p.fixes:
            widgets.append(Label(fix.label, classes="field-label"))
            widgets.append(
                Input(
                    placeholder="Type it as the resident should read it",
                    id=f"fix-{fix.field}",
                    classes="letter-fix",
                )
            )
        if p.fixes:
            widgets.append(
                Static(
                    "Enter or Ctrl+S saves what you typed and checks the letter again.", classes="field-hint"
                )
            )
            await fixes.mount_all(widgets)
        fixes.display = bool(p.fixes)
        text.update(Text(p.text))  # a Text, so nothing typed is taken as markup
        self.query_one("#letter-issue-button", Button).disabled = bool(p.problems)
        if p.fixes:
            self.query_one(f"#fix-{p.fixes[0].field}", Input).focus()
        else:
            self.query_one("#letter-body").focus()

    # acting ------------------------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "letter-issue-button":
            self.action_issue()
        elif event.button.id == "letter-other-button":
            self.action_sent_another_way()
        elif event.button.id == "letter-close-button":
            self.action_close()

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        await self.action_save_fixes()

    async def action_save_fixes(self) -> None:
        from ..services import letters as SL

        if self.preview is None or not self.preview.fixes or self.busy:
            return
        values = {f.field: self.query_one(f"#fix-{f.field}", Input).value for f in self.preview.fixes}
        values = {k: v for k, v in values.items() if v.strip()}
        if not values:
            self.notify("Type the statement first.", severity="warning")
            return
        try:
            seen = self.preview.seen if self.preview is not None else None
            SL.update_letter_details(self.db, self.complaint_ref, self.stage, seen=seen, **values)
        except DomainError as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return
        await self.load()

    def action_issue(self) -> None:
        if self.busy:
            return
        if self.preview is None or self.preview.problems:
            self.notify("This letter cannot be issued until the missing items are added.", severity="warning")
            return
        self.busy = True
        self.query_one("#letter-issue-button", Button).disabled = True
        self.query_one("#letter-body").loading = True
        self.query_one("#letter-status", Static).update("Making the PDF…")
        self._issue()

    @work(thread=True, exclusive=True, group="letter-issue", exit_on_error=False)
    def _issue(self) -> None:
        from ..services import letters as SL

        try:
            seen = self.preview.seen if self.preview is not None else None
            issued = SL.issue_letter(self.db, self.complaint_ref, self.kind, self.stage, seen=seen)
        except SL.LetterRefused as exc:
            self.app.call_from_thread(
                self._not_issued, "The letter was not issued: it is missing " + "; ".join(exc.problems) + "."
            )
        except DomainError as exc:
            self.app.call_from_thread(self._not_issued, str(exc))
        except OSError as exc:
            self.app.call_from_thread(
                self._not_issued, f"The letter could not be saved: {exc.strerror or exc}."
            )
        else:
            self.app.call_from_thread(self._issued, issued)

    def _not_issued(self, message: str) -> None:
        self.busy = False
        self.query_one("#letter-body").loading = False
        self.notify(message, severity="error", timeout=15)
        self.call_later(self.load)

    def _issued(self, issued) -> None:
        self.busy = False
        self.app.notify(
            f"Saved as {issued.path} and recorded on complaint {self.complaint_ref}.",
            title="Letter issued",
            timeout=12,
        )
        self.dismiss(issued)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "sent_another_way":
            return self.owed is not None
        return True

    def action_sent_another_way(self) -> None:
        if self.owed is None or self.busy:
            return

        def done(row) -> None:
            if row is not None:
                self.app.notify(
                    f"Recorded: {self.owed.name} was sent by {row.route} on {row.sent_on.day} {row.sent_on:%b %Y}.",
                    title="Letter sent",
                    timeout=10,
                    markup=False,
                )
                self.dismiss(row)

        seen = self.preview.seen if self.preview is not None else None
        self.app.push_screen(SentAnotherWayForm(self.db, self.owed, seen), done)

    def has_unsaved_changes(self) -> bool:
        """Something typed into a box for a missing item and not yet saved: leaving asks first."""
        return any(i.value.strip() for i in self.query("#letter-fixes Input").results(Input))

    def action_close(self) -> None:
        if self.busy:
            self.notify("The letter is being made; this closes when it is saved.")
            return
        if self.has_unsaved_changes():
            from .form_kit import ConfirmScreen

            def answered(discard: bool | None) -> None:
                if discard:
                    self._leave_unsent()

            self.app.push_screen(
                ConfirmScreen("Discard the changes?", "What you typed for the letter is not saved yet."),
                answered,
            )
            return
        self._leave_unsent()

    def _leave_unsent(self) -> None:
        if self.owed is not None:
            self.app.notify(
                f"{self.owed.name[0].upper()}{self.owed.name[1:]} is not sent yet: the dashboard "
                "lists it until it is issued or recorded as sent another way.",
                title="Letter not sent",
                severity="warning",
                timeout=12,
                markup=False,
            )
        self.dismiss(None)
