"""The Textual app: built by ``build_app(db)`` from an opened Database; nothing opens a database here.

The dashboard is the home screen at the bottom of the stack; every other part of the app (complaints,
service requests, residents, reports, settings) opens on top of it, and a complaint on top of that.
Escape goes back one screen. Screens call services only; slow work runs in thread workers that post
messages back.
"""

from __future__ import annotations

import importlib
import inspect
from functools import partial
from typing import Any, Callable, Iterable

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen, SystemModalScreen
from textual.widgets import Static

from .services.demo_copy import DEMO, REAL

# section -> (module, class, title). Residents, reports and settings come from other modules that
# may not be installed yet: they are imported when first asked for.
SECTIONS = {
    "dashboard": ("smallhousing.screens.dashboard", "DashboardScreen", "Dashboard"),
    "complaints": ("smallhousing.screens.complaints", "ComplaintsScreen", "Complaints"),
    "service_requests": (
        "smallhousing.screens.service_requests",
        "ServiceRequestsScreen",
        "Service requests",
    ),
    "residents": ("smallhousing.screens.residents", "ResidentsScreen", "Residents"),
    "reports": ("smallhousing.screens.reports", "ReportsScreen", "Reports"),
    "settings": ("smallhousing.screens.settings", "SettingsScreen", "Settings"),
}
SECTION_HELP = {
    "dashboard": "What is open, overdue and due next",
    "complaints": "Find any complaint: search and filter",
    "service_requests": "Requests to put something right, and complaints raised from them",
    "residents": "Residents, representatives, adjustments and restrictions",
    "reports": "Annual report, self-assessment and Tenant Satisfaction Measures",
    "settings": "Landlord details, staff, closure days and homes",
}


# What the app hands back when it closes to be started again on the other file (cli/core.py
# start_app): the demo copy, or the landlord's own file.
OPEN_DEMO, OPEN_REAL = DEMO, REAL

LEAVE_DEMO = "Start using smallhousing for real"
LEAVE_DEMO_KEY = "ctrl+o"


class DemoBadge(Static):
    """DEMO, in the top right-hand corner of every screen while the records are made-up demo
    records (on a layer of its own: it takes no room from the screen, see app.tcss)."""

    def __init__(self) -> None:
        super().__init__("DEMO", markup=False)
        self.tooltip = f"Made-up demo records. {LEAVE_DEMO}: Ctrl+O, or the command palette."


def _find_anything():
    """The command palette's search of every screen's actions and of the records (imported when
    the palette first opens)."""
    from .screens.palette import FindAnything

    return FindAnything


class SmallHousingApp(App):
    """Resident complaints, handled as the Housing Ombudsman's Complaint Handling Code requires."""

    # the dashboard is the default screen, whose own CSS_PATH Textual does not load: name it here
    CSS_PATH = ["app.tcss", "screens/dashboard.tcss"]
    TITLE = "smallhousing"
    # Textual's own commands (the app's system commands below) and FindAnything (screens/palette.py)
    COMMANDS = App.COMMANDS | {_find_anything}

    # Keys that cannot be typed text, so that nothing typed into a box ever changes the section
    # (F1 to F7, Ctrl+N; "?" is typed in a box and opens help elsewhere). The help screen lists
    # them from here; the nav bar's labels are common.NAV.
    BINDINGS = [
        Binding("f1,question_mark", "help", "Help", id="help", key_display="F1"),
        Binding("f2", "go('dashboard')", "Dashboard", id="go-dashboard"),
        Binding("f3", "go('complaints')", "Complaints", id="go-complaints"),
        Binding("f4", "go('service_requests')", "Service requests", id="go-service-requests"),
        Binding("f5", "go('residents')", "Residents", id="go-residents"),
        Binding("f6", "go('reports')", "Reports", id="go-reports"),
        Binding("f7", "go('settings')", "Settings", id="go-settings"),
        Binding("ctrl+n", "new_complaint", "New complaint", id="new-complaint"),
        Binding("escape", "back", "Back", id="back"),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True, show=False),
    ]

    def __init__(self, db, *, leave_to=None, demo: bool = False) -> None:
        super().__init__()
        self.db = db
        # on the demo copy: the landlord's own file, which "Start using smallhousing for real"
        # goes to (the command line starts the app again on it); None on any other file
        self.leave_to = leave_to
        self.demo = False  # the records are marked as made-up demo records (see show_demo)
        self._asking_to_leave = False
        # known to be demo records before anything is drawn: the class is set now, when it costs
        # nothing (set later, every widget on the screen is styled again: tens of milliseconds)
        self._demo_from_start = demo or leave_to is not None
        if self._demo_from_start:
            self.add_class("-demo")

    def get_default_screen(self) -> Screen:
        from .screens.dashboard import DashboardScreen

        return DashboardScreen(self.db)

    # start ---------------------------------------------------------------------------------------
    def on_mount(self) -> None:
        if self._demo_from_start:  # started on demo records: DEMO from the first screen
            self.show_demo()
        self.call_after_refresh(self._first_screen_drawn)

    def _first_screen_drawn(self) -> None:
        # start_app (cli/core.py) keeps the garbage collector off while starting; the objects made
        # so far live as long as the app, so they are set aside (frozen) and never walked again
        import gc

        if not gc.isenabled():
            gc.freeze()
            gc.enable()
        self.open_database()

    @work(thread=True, group="start", exit_on_error=False)
    def open_database(self) -> None:
        """Open (and if need be upgrade) the file after the first screen is up, then carry on."""
        try:
            self.db.prepare()  # at the newest schema already: checked, SQLAlchemy not yet imported
            from .services.demo_copy import is_demo
            from .services.queries import is_set_up

            set_up = is_set_up(self.db)
            demo = is_demo(self.db)
        except Exception as exc:  # a file that cannot be used: say so plainly and stop
            self.call_from_thread(self.exit, None, 2, f"smallhousing: {exc}")
            return
        self.call_from_thread(self._opened, set_up, demo)

    def _opened(self, set_up: bool, demo: bool = False) -> None:
        if demo:
            self.show_demo()
            if self.leave_to is not None:
                self.notify(
                    "These are made-up records to try smallhousing with; nothing here is yours. "
                    "When you are ready, press Ctrl+O (Start using smallhousing for real).",
                    title="Demo",
                    timeout=12,
                )
        if getattr(self.db, "read_only", False):
            self.notify(
                "This database can be read but not changed: making changes needs "
                "permission to write to the file and its folder.",
                title="Read only",
                severity="warning",
                timeout=20,
                markup=False,
            )
        if not self.demo:  # made-up records need no backups (nor mix with the real ones)
            self.daily_backup()
        if not set_up:
            from .screens.welcome import WelcomeScreen

            self.push_screen(WelcomeScreen(self.db), self._welcomed)

    def _welcomed(self, how) -> None:
        if how == "demo":  # the demo copy is made: the command line starts the app again on it
            self.exit(OPEN_DEMO)
            return
        if how == "setup":
            self.notify(
                "Next, add your staff under Settings (F7) and your residents under Residents (F5). "
                "Press F1 at any time for every key.",
                title="You are set up",
                timeout=20,
            )

    _warmed = False

    def on_dashboard_screen_loaded(self, _message) -> None:
        # the first figures are up (read with plain SQL): now get the rest ready in the background
        if not self._warmed:
            self._warmed = True
            self.warm_up()

    @work(thread=True, group="warm-up", exit_on_error=False)
    def warm_up(self) -> None:
        """Open the file for writing and import what the other screens use (about half a second
        of SQLAlchemy, SQLModel and the tables), so that the first of them opens at once."""
        try:
            self.db.open()
            from .services import complaints, residents  # noqa: F401
        except Exception:  # pragma: no cover - a real problem is reported by the screen that needs it
            pass

    @work(thread=True, group="backup", exit_on_error=False)
    def daily_backup(self) -> None:
        try:
            from .services.backup import daily_backup
        except ImportError:
            return
        try:
            daily_backup(self.db)
        except Exception as exc:  # a failed backup must never stop the app: say so and carry on
            self.call_from_thread(
                self.notify,
                f"Today's backup could not be made: {exc}",
                title="Backup",
                severity="warning",
                timeout=15,
                markup=False,
            )

    # the demo copy -------------------------------------------------------------------------------
    def show_demo(self) -> None:
        """Mark every screen, now and from now on, as showing made-up demo records, and offer the
        way to the landlord's own file (a key and the command palette)."""
        if self.demo:
            return
        self.demo = True
        self.add_class("-demo")
        self.title = f"{self.TITLE} DEMO"
        self.sub_title = "made-up demo records"
        self.bind(LEAVE_DEMO_KEY, "leave_demo", description="Use for real")
        for screen in self.screen_stack:
            self._badge(screen)
        self.screen_change_signal.subscribe(self, self._badge)
        self.refresh_bindings()

    def _badge(self, screen: Screen) -> None:
        if self.demo and not isinstance(screen, SystemModalScreen) and not screen.query(DemoBadge):
            screen.mount(DemoBadge())

    def action_leave_demo(self) -> None:
        """Leave the demo copy for the landlord's own file (set up there if it is not yet)."""
        if not self.demo:
            return
        if self.leave_to is None:  # a file of demo records opened by name: nowhere to go from here
            self.notify(
                f"{self.db.where} holds made-up demo records. To use smallhousing for real, start it "
                "without --db (your own records then go in the data folder), or with --db and the "
                "name of a new file.",
                title="Demo records",
                timeout=20,
                markup=False,
            )
            return
        self.exit(OPEN_REAL)

    def on_descendant_focus(self, event) -> None:
        # a drop-down list just opened (it takes the focus): keep it inside its dialog
        from .screens.common import fit_drop_down

        fit_drop_down(event.widget)

    # faults --------------------------------------------------------------------------------------
    def _handle_exception(self, error: Exception) -> None:
        """An error nothing else caught: the app stops with one plain line, never a traceback.

        Textual would print a traceback with local values (record text) to the terminal. A busy,
        read-only or full file is said in its own words (exit status 2); anything else is a fault
        of ours, reported in the errors folder beside the database without record text (exit 1).
        """
        from .faults import unexpected_message, write_report
        from .store.db import store_fault

        fault = store_fault(error, self.db.where)
        if fault is not None:
            code, message = 2, f"smallhousing: {fault}"
        else:
            inner = getattr(error, "error", None)  # a worker's failure wraps the real error
            cause = inner if isinstance(inner, BaseException) else error
            code, message = 1, unexpected_message(cause, write_report(self.db.path, cause))
        if self.is_headless and self._exception is None:
            # under test (Pilot) the error is raised again at the end, as Textual does
            self._exception = error
            self._exception_event.set()
        if self._exit:  # already stopping after an earlier error: keep the first message
            return
        from rich.text import Text

        self.exit(None, code, Text(message))

    # navigation ----------------------------------------------------------------------------------
    def _section_class(self, section: str) -> type[Screen] | None:
        module, name, title = SECTIONS[section]
        try:
            return getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            self.notify(f"{title} is not available in this version yet.", severity="warning")
            return None

    def get_key_display(self, binding: Binding) -> str:
        """Function keys as printed on the keyboard (F2, not f2); other keys as Textual shows them."""
        key = binding.key.split(",")[0].strip()
        if binding.key_display is None and key[:1] == "f" and key[1:].isdigit():
            return key.upper()
        return super().get_key_display(binding)

    async def action_go(self, section: str) -> None:
        """Show a part of the app. The dashboard is always at the bottom of the stack; a part already
        open further down is gone back to (keeping its filters), otherwise it opens on the dashboard.
        Screens left holding changes not saved are let go only when the user agrees."""
        if section not in SECTIONS or self.screen.is_modal:
            return
        cls = self._section_class(section)
        if cls is None:
            return
        keep = next((i for i, s in enumerate(self.screen_stack) if type(s) is cls), None)
        leaving = self.screen_stack[(keep + 1 if keep is not None else 1) :]

        async def go() -> None:
            while len(self.screen_stack) > (keep + 1 if keep is not None else 1):
                await self.pop_screen()
            if keep is None:
                await self.push_screen(cls(self.db))

        await self.leave(leaving, go)

    def _in_section(self, section: str) -> bool:
        module, name, _ = SECTIONS[section]
        return (type(self.screen).__module__, type(self.screen).__name__) == (module, name)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":  # nothing to go back to from the dashboard itself
            return len(self.screen_stack) > 1
        if action == "leave_demo":
            return self.demo
        if action == "go" and parameters and parameters[0] in SECTIONS:
            return not self._in_section(str(parameters[0]))  # not offered where you are already
        return True

    def action_back(self) -> None:
        """Back one screen (asking first if it holds changes not saved). Screens call it directly
        too, so it only schedules the work."""
        if len(self.screen_stack) > 1:
            self.call_next(self.leave, [self.screen], self.pop_screen)

    async def action_quit(self) -> None:
        await self.leave(list(self.screen_stack), self.exit)

    # changes not saved ---------------------------------------------------------------------------
    @staticmethod
    def unsaved(screens: "Iterable[Screen]") -> list[Screen]:
        """The screens among ``screens`` holding something typed and not saved (a screen says so
        with ``has_unsaved_changes()``: every form, the settings screen)."""
        return [s for s in screens if getattr(s, "has_unsaved_changes", None) and s.has_unsaved_changes()]

    async def leave(self, screens: "list[Screen]", then: "Callable[[], Any]") -> None:
        """Do ``then`` (which closes ``screens``) at once when none of them holds changes not saved;
        otherwise ask "Discard the changes?" first, and do it only on yes. Nothing typed is lost
        without that yes: not by Esc, not by going to another section, not by Ctrl+Q."""
        if not self.unsaved(screens):
            result = then()
            if inspect.isawaitable(result):
                await result
            return
        if self._asking_to_leave:  # the question is on the screen already
            self.bell()
            return
        from .screens.form_kit import DISCARD_DETAIL, DISCARD_QUESTION, ConfirmScreen

        self._asking_to_leave = True

        async def answered(yes: bool | None) -> None:
            self._asking_to_leave = False
            if yes:
                result = then()
                if inspect.isawaitable(result):
                    await result

        await self.push_screen(ConfirmScreen(DISCARD_QUESTION, DISCARD_DETAIL, yes="Discard"), answered)

    def open_complaint(self, complaint_id: "int | str") -> None:
        """Show one complaint (by id or reference) on top of the current screen."""
        from .screens.complaint import ComplaintScreen

        self.push_screen(ComplaintScreen(self.db, complaint_id))

    def open_service_request(self, request_id: "int | str") -> None:
        """Show one service request (by id or reference) on top of the current screen."""
        from .screens.service_request import ServiceRequestScreen

        self.push_screen(ServiceRequestScreen(self.db, request_id))

    def open_record(self, entity: str, ident: int) -> None:
        """Show the record a worklist item belongs to (queries.DueItem's ``entity`` and id)."""
        openers = {
            "complaint": self.open_complaint,
            "service-request": self.open_service_request,
            "hazard": self.open_hazard,
            "ombudsman-case": self.open_ombudsman_case,
            "survey-comment": self.open_survey_comment,
        }
        opener = openers.get(entity)
        if opener is None:
            self.notify(f"This item cannot be opened from here: {entity} {ident}.", markup=False)
            return
        opener(ident)

    def open_hazard(self, hazard_id: "int | str") -> None:
        """Show one hazard (by id or reference) with its clocks, on top of the current screen."""
        from .screens.hazards import HazardScreen

        self.push_screen(HazardScreen(self.db, hazard_id))

    def action_hazards(self) -> None:
        """The hazards list (Awaab's Law)."""
        from .screens.hazards import HazardsScreen

        if not isinstance(self.screen, HazardsScreen):
            self.push_screen(HazardsScreen(self.db))

    def action_new_hazard(self) -> None:
        from .screens.hazards import HazardForm

        def done(hazard_id) -> None:
            if hazard_id is not None:
                self.open_hazard(hazard_id)

        self.push_screen(HazardForm(self.db), done)

    def open_ombudsman_case(self, case_id: int) -> None:
        """The Ombudsman cases screen with this case highlighted (a worklist item for an order)."""
        from .screens.ombudsman import OmbudsmanCasesScreen

        self.push_screen(OmbudsmanCasesScreen(self.db, select_case=case_id))

    def open_survey_comment(self, comment_id: int) -> None:
        """What residents think, on the survey comments tab, with this comment highlighted."""
        from .screens.satisfaction import SatisfactionScreen

        self.push_screen(SatisfactionScreen(self.db, tab="tab-comments", comment_id=comment_id))

    def action_residents_views(self) -> None:
        from .screens.satisfaction import SatisfactionScreen

        self.push_screen(SatisfactionScreen(self.db))

    def action_new_complaint(self) -> None:
        from .screens.forms import NewComplaintForm

        def done(complaint_id) -> None:
            if complaint_id is not None:
                self.open_complaint(complaint_id)

        self.push_screen(NewComplaintForm(self.db), done)

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen))

    # command palette -----------------------------------------------------------------------------
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for section, (_, _, title) in SECTIONS.items():
            yield SystemCommand(f"Go to {title}", SECTION_HELP[section], partial(self.action_go, section))
        yield SystemCommand(
            "New complaint", "Log a complaint received by any channel", self.action_new_complaint
        )
        yield SystemCommand(
            "Hazards: list", "Damp and mould and emergency hazards, with their clocks", self.action_hazards
        )
        yield SystemCommand("Help: every key", "List every key and what it does", self.action_help)
        yield SystemCommand(
            "What residents think",
            "TP09 by year, compliments, survey comments and how to complain (Reports, key t)",
            self.action_residents_views,
        )
        if self.demo:
            yield SystemCommand(
                LEAVE_DEMO,
                "Leave the made-up demo records for your own (key Ctrl+O); the demo is kept",
                partial(self.run_action, "leave_demo"),
            )
        # every action the current screen offers right now, by its description (unless the screen
        # brings its own command provider for that)
        if getattr(type(screen), "COMMANDS", None):
            return
        seen = set()
        for active in screen.active_bindings.values():
            b, node = active.binding, active.node
            if (
                not isinstance(node, Screen)
                or not b.description
                or b.system
                or not active.enabled
                or b in Screen.BINDINGS
            ):
                continue  # the app's own keys are above; focus and copy keys are Textual's
            if (id(node), b.action) in seen:
                continue
            seen.add((id(node), b.action))
            key = self.get_key_display(b)
            yield SystemCommand(
                b.description,
                f"{b.tooltip or b.description} (key {key})",
                partial(self.run_action, b.action, node),
            )


def build_app(db, *, leave_to=None, demo: bool = False) -> SmallHousingApp:
    """The app for a Database: opened here, in the background, if it is not open yet. On the demo
    copy, ``leave_to`` is the landlord's own file, which leaving the demo goes to; ``demo`` says the
    records are known to be demo records already (they are checked again once the file is open)."""
    return SmallHousingApp(db, leave_to=leave_to, demo=demo)
