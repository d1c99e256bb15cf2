"""First run: set up for real (the landlord's name and number of homes), or try the app with demo
data, which goes in a file of its own (services/demo_copy.py), never in the landlord's."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, ProgressBar, Static

from ..domain.errors import DomainError
from . import common
from .common import KeyFooter
from .form_kit import Field, Required, WholeNumber, failure, run_save

DEMO_COMPLAINTS = 300


class WelcomeScreen(ModalScreen[str]):
    """Shown until the landlord is set up. Dismisses with "setup" (set up for real) or "demo" (the
    demo copy is made: the app then starts again on it)."""

    CSS_PATH = "welcome.tcss"
    BINDINGS = [
        Binding("ctrl+s", "start", "Start", id="welcome-start"),
        Binding("f2", "demo", "Try it with demo data", id="welcome-demo"),
    ]

    def __init__(self, db) -> None:
        super().__init__()
        self.db = db
        self.busy = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="welcome"):
            yield Label("Welcome to smallhousing", id="welcome-title")
            yield Static(
                "This app keeps a record of residents' complaints and works out every deadline "
                "the Housing Ombudsman's Complaint Handling Code sets. To begin, say who you are.",
                classes="intro",
                id="welcome-intro",
            )
            yield Field(
                "Your organisation's name",
                Input(
                    id="name",
                    compact=True,
                    validators=[Required("Type your organisation's name, or try it with demo data below.")],
                ),
            )
            yield Field(
                "Number of homes you own or manage this year",
                Input(id="homes", compact=True, validators=[WholeNumber("number of homes")]),
                hint="Used for the yearly figures; you can change it later in Settings.",
            )
            yield Static("", id="welcome-waiting", markup=False)
            with Horizontal(id="welcome-buttons"):
                yield Button("Start", id="start", variant="primary")
                yield Button("Try it with demo data", id="demo")
            with Vertical(id="demo-progress"):
                yield Label("Making demo records...", id="demo-label")
                yield ProgressBar(total=DEMO_COMPLAINTS, show_eta=False, id="demo-bar")
            yield Static(
                "Try it with demo data (F2) opens a separate demo file of made-up residents and "
                "complaints, marked DEMO on every screen, letter and report. Nothing is added to "
                "your own records. Leave the demo at any time with Ctrl+O (Start using smallhousing "
                "for real) to come back here and set up.",
                classes="hint",
            )
            yield Static("", id="welcome-error", classes="form-error", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#demo-progress").display = False
        self.query_one("#welcome-waiting").display = False
        self.query_one("#name", Input).focus()
        self.ask_who_sets_up()

    waiting: str | None = None  # set: this login may not set up (a team's officer or viewer)

    @work(thread=True, exclusive=True, group="welcome-who", exit_on_error=False)
    def ask_who_sets_up(self) -> None:
        """On a team's database an officer or viewer may not set up: asked in a worker."""
        from ..services.settings import first_run_waits_for

        try:
            said = first_run_waits_for(self.db)
        except Exception:  # the database cannot answer: Start will say why, plainly
            return
        if said:
            self.app.call_from_thread(self._wait_for_director, said)

    def _wait_for_director(self, message: str) -> None:
        """Only a director may fill this screen in: say so, and leave only the demo."""
        self.waiting = message
        self.query_one("#welcome-intro", Static).update(
            "This app keeps a record of residents' complaints and works out every deadline the "
            "Housing Ombudsman's Complaint Handling Code sets."
        )
        for f in self.query(Field):
            f.display = False
        self.query_one("#start", Button).display = False
        waiting = self.query_one("#welcome-waiting", Static)
        waiting.update(message)
        waiting.display = True
        self.query_one("#demo", Button).focus()

    def has_unsaved_changes(self) -> bool:
        """Something typed and not yet started with, or the start under way: Ctrl+Q asks first."""
        return self.busy or any(self.query_one(f"#{i}", Input).value.strip() for i in ("name", "homes"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "start":
            self.action_start()
        elif event.button.id == "demo":
            self.action_demo()

    def _error(self, message: str) -> None:
        err = self.query_one("#welcome-error", Static)
        err.update(message)
        err.set_class(bool(message), "-shown")
        if message:  # below the buttons: brought into view, or a small terminal would hide it
            self.call_after_refresh(err.scroll_visible, animate=False)

    def _homes(self) -> int | None:
        text = self.query_one("#homes", Input).value.replace(",", "").strip()
        if not text:
            return None
        if not text.isdigit():
            raise DomainError("The number of homes must be a whole number, such as 450.", field="homes")
        return int(text)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for w in self.query("Input, Button"):
            w.disabled = busy

    def action_start(self) -> None:
        """Save the landlord's name and homes, in a worker (never on the screen's thread), trying
        again while another program is writing; any other failure is one plain line."""
        if self.busy:
            return
        if self.waiting:
            self._error(self.waiting)
            return
        from ..services import settings as S

        name = self.query_one("#name", Input).value
        try:
            if not name.strip():
                raise DomainError(
                    "Type your organisation's name, or try it with demo data (F2).", field="name"
                )
            homes = self._homes()
        except DomainError as exc:
            self._start_failed(exc.message, exc.field)
            return
        self._error("")
        self._set_busy(True)
        run_save(
            self,
            lambda: S.first_run_setup(self.db, name, homes),
            on_done=lambda _result: self.dismiss("setup"),
            on_failed=self._start_failed,
            on_busy=self._start_busy,
            group="welcome-save",
            exclusive=True,
            name="first run setup",
        )

    def _start_busy(self, gave_up: bool) -> None:
        if gave_up:
            self._set_busy(False)
        self._error(
            common.BUSY_MESSAGE
            + (" Press Ctrl+S to try again when that work has finished." if gave_up else " Trying again…")
        )

    def _start_failed(self, message: str, field: str | None) -> None:
        self._set_busy(False)
        self._error(message)
        if field and self.query(f"#{field}"):
            self.query_one(f"#{field}").focus()

    def action_demo(self) -> None:
        """Make the demo copy (or find it made already) in a worker, then hand over to it. Nothing
        typed here is saved: the landlord's own file stays as it is until set up for real."""
        if self.busy:
            return
        self._error("")
        self._set_busy(True)
        self.query_one("#demo-progress").display = True
        self.query_one("#demo-progress").scroll_visible()
        self.make_demo()

    @work(thread=True, exclusive=True, group="demo")
    def make_demo(self) -> None:
        from ..services import demo_copy

        def progress(i: int, total: int) -> None:
            self.app.call_from_thread(self._progress, i, total)

        try:
            made = common.retry_when_busy(
                lambda: demo_copy.open_demo(
                    self.db.path,
                    complaints=DEMO_COMPLAINTS,
                    progress=progress,
                    today=self.db.today,
                    actor=self.db.actor,
                )
            )
        except Exception as exc:  # one plain line, never a traceback; the app keeps running
            message, _field, kind = failure(exc)
            if kind != "refused":
                message = f"The demo records could not be made. {message}"
            self.app.call_from_thread(self._demo_failed, message)
            return
        self.app.call_from_thread(self._demo_done, made)

    def _progress(self, i: int, total: int) -> None:
        self.query_one("#demo-bar", ProgressBar).update(total=max(total, 1), progress=i)

    def _demo_failed(self, message: str) -> None:
        self._set_busy(False)
        self.query_one("#demo-progress").display = False
        self._error(message)

    def _demo_done(self, made: dict | None) -> None:
        self.dismiss("demo")
