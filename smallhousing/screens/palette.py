"""The command palette (Ctrl+P) finds anything: every action of every screen, and records.

``FindAnything`` is a Textual command provider (textual.command.Provider) that the app adds to its
own (app.py ``COMMANDS``); the app's system commands (the sections, and the keys of the screen in
front) stay as they are. It offers:

- every action of every main screen, named "<screen>: <action>" ("Reports: Annual report",
  "Settings: Staff", "Backups: Back up now"). Choosing one opens that screen (going through the
  screen that leads to it, as the keys would) and runs the action there; an action that works on
  a highlighted row opens the screen with its list in focus and says which key to press;
- complaints, by reference or resident's name, and residents, by name: Enter opens the record;
- the export of the complaints log or of every record, and the help page on how a complaint moves
  through the Code.

Records are read through services/lookup.py in a thread (``asyncio.to_thread``): once when the
palette opens, and each search then runs over that in another thread, so typing never waits on the
file. At most ``LIMIT`` complaints and ``LIMIT`` residents are offered. On a modal screen (a form,
a question) it offers nothing: going elsewhere from there would drop what was typed.
"""

from __future__ import annotations

import asyncio
import importlib
from dataclasses import dataclass
from functools import partial
from typing import Any, Awaitable, Callable

from textual.actions import parse as parse_action
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher
from textual.screen import Screen

from ..domain.dates import short_date

LIMIT = 5  # complaints, and residents, offered for one search
OPEN_WAIT = 5.0  # seconds to wait for a screen opened on the way to appear


@dataclass(frozen=True)
class Place:
    """A screen the palette can take the user to: a section of the app (app.SECTIONS), or a screen
    reached from a section by one of its actions (``via``)."""

    title: str
    section: str
    module: str
    cls: str
    via: str = ""


PLACES = (
    Place("Dashboard", "dashboard", "dashboard", "DashboardScreen"),
    Place("Complaints", "complaints", "complaints", "ComplaintsScreen"),
    Place("Service requests", "service_requests", "service_requests", "ServiceRequestsScreen"),
    Place("Residents", "residents", "residents", "ResidentsScreen"),
    Place("Reports", "reports", "reports", "ReportsScreen"),
    Place("Settings", "settings", "settings", "SettingsScreen"),
    Place("Learning log", "reports", "learning", "LearningScreen", via="learning"),
    Place("Ombudsman cases", "reports", "ombudsman", "OmbudsmanCasesScreen", via="ombudsman"),
    Place("Self-assessment", "reports", "report_assessment", "SelfAssessmentScreen", via="edit_assessment"),
    Place("Backups", "settings", "transfer", "BackupScreen", via="backup"),
    Place("Import", "settings", "transfer", "ImportScreen", via="import_records"),
    Place("Contractors", "settings", "contractors", "ContractorsScreen", via="contractors"),
    Place("Hazards", "service_requests", "hazards", "HazardsScreen", via="hazards"),
)

# actions not offered: going back, refreshing, paging, and steps that need something typed first
SKIP = frozenset({"back", "leave", "cancel", "reload", "page", "open", "run_import", "browse", "focus_path"})
# actions on the highlighted row of a list: the palette opens the list and says which key to press
CHOOSE_FIRST = frozenset(
    {
        "edit_staff",
        "toggle_staff",
        "remove_closure",
        "raise_complaint",
        "complete",
        "edit",
        "finding",
        "order",
        "comply",
        "restore",
        "open_complaint",
        "open_request",
        "edit_target",
        "reset_target",
        "toggle_active",
        "answer",
    }
)


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    run: Callable[[], Awaitable[Any] | Any]


# the screens' classes, imported once (in a thread: some of them bring the ORM with them) ----------

_classes: dict[Place, type[Screen]] | None = None


def place_classes() -> dict[Place, type[Screen]]:
    """Each place's screen class; a place whose module is missing is left out."""
    global _classes
    if _classes is None:
        found = {}
        for place in PLACES:
            try:
                module = importlib.import_module(f"{__package__}.{place.module}")
                found[place] = getattr(module, place.cls)
            except (ImportError, AttributeError):
                continue
        _classes = found
    return _classes


def _bindings(cls: type[Screen]) -> list[Binding]:
    return list(Binding.make_bindings(getattr(cls, "BINDINGS", [])))


def place_commands(app, classes: dict[Place, type[Screen]], here: Screen | None) -> list[Command]:
    """'<place>: <action>' for every action of every place (those of the screen in front left to
    its own commands)."""
    out: list[Command] = []
    seen: set[str] = set()
    for place, cls in classes.items():
        if here is not None and type(here) is cls:
            continue
        names = getattr(cls, "PALETTE_NAMES", {})
        for b in _bindings(cls):
            action_name = b.action.split("(", 1)[0]
            if not b.description or action_name in SKIP:
                continue
            name = f"{place.title}: {names.get(action_name) or b.description}"
            if name in seen:
                continue
            seen.add(name)
            key = app.get_key_display(b)
            what = f"The {b.description} tab" if action_name == "tab" else b.tooltip or b.description
            help_text = f"{what} (key {key} on {place.title})"
            out.append(
                Command(
                    name,
                    help_text,
                    partial(run_at, app, place, cls, b.action, key if action_name in CHOOSE_FIRST else ""),
                )
            )
    return out


def other_commands(app, db, here: Screen) -> list[Command]:
    out = [
        Command(
            "Help: how a complaint moves through the Code",
            "The stages, the deadlines in working days, the letters, and the Ombudsman",
            partial(open_help, app, here),
        )
    ]
    if db is not None:
        out += [
            Command(
                "Export the complaints log (CSV)",
                "One row per complaint, for a spreadsheet, saved in the exports folder beside the records",
                partial(export, app, db, "csv"),
            ),
            Command(
                "Export every record (JSON)",
                "A complete copy of every record, saved in the exports folder beside the records",
                partial(export, app, db, "json"),
            ),
        ]
    return out


# running a command -------------------------------------------------------------------------------


async def _wait_for(app, cls: type[Screen]) -> Screen | None:
    """The screen in front once it is of class ``cls`` and mounted (None if it never comes)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + OPEN_WAIT
    while loop.time() < end:
        screen = app.screen
        if isinstance(screen, cls) and screen.is_mounted:
            return screen
        await asyncio.sleep(0.01)
    return None


async def open_place(app, place: Place, cls: type[Screen]) -> Screen | None:
    """Show ``place`` as its keys would: its section (app.action_go), then the action leading on."""
    if isinstance(app.screen, cls):
        return app.screen
    if app.screen.is_modal:  # a form or a question is in front: never dropped from here
        return None
    await app.run_action(f"go({place.section!r})")
    if place.via:
        section = app.screen
        if section.is_modal or not section.is_mounted:
            return None
        await section.run_action(place.via)
    return await _wait_for(app, cls)


async def run_at(app, place: Place, cls: type[Screen], action: str, choose_key: str) -> None:
    """Open ``place`` and run ``action`` there; with ``choose_key``, only get the list ready."""
    screen = await open_place(app, place, cls)
    if screen is None:
        return
    name, params = parse_action(action)[1:]
    prepare = getattr(screen, "prepare_action", None)
    if prepare is not None:
        prepare(name)  # e.g. show the tab the action belongs to
    if choose_key:
        await _loaded(app, screen)
        if screen.check_action(name, params) is not False:
            screen.call_after_refresh(_focus_list, screen)
        if screen.check_action(name, params) is None:  # shown dimmed: nothing to choose yet
            app.notify("There is nothing in the list to choose yet.", title=place.title, markup=False)
            return
        if screen.check_action(name, params):
            app.notify(
                f"Highlight one in the list, then press {choose_key}.", title=place.title, markup=False
            )
            return
    if screen.check_action(name, params) is not True:
        app.notify(
            "That cannot be done here at the moment; the keys at the foot of the screen show what can.",
            title=place.title,
            severity="warning",
            markup=False,
        )
        return
    await screen.run_action(action)


async def _loaded(app, screen: Screen) -> None:
    """Wait (a few seconds at most) for the screen's workers, such as the one reading its list:
    their results are on the screen when they finish (call_from_thread waits for them)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + OPEN_WAIT
    while loop.time() < end and any(w.node is screen and not w.is_finished for w in app.workers):
        await asyncio.sleep(0.02)


def _focus_list(screen: Screen) -> None:
    """Focus the first list shown (on the tab in front, where the screen has tabs)."""
    from textual.widget import Widget
    from textual.widgets import DataTable, ListView

    for widget in screen.query("ListView, DataTable"):
        shown = all(n.display and n.visible for n in widget.ancestors_with_self if isinstance(n, Widget))
        if isinstance(widget, (ListView, DataTable)) and shown and widget.can_focus:
            widget.focus()
            return


def open_complaint(app, db, complaint_id: int) -> None:
    opener = getattr(app, "open_complaint", None)
    if opener is not None:
        opener(complaint_id)
        return
    from .complaint import ComplaintScreen

    app.push_screen(ComplaintScreen(db, complaint_id))


async def open_resident(app, db, resident_id: int) -> None:
    """The resident's record, on top of the residents list (so Esc goes back to the list)."""
    from .residents import ResidentScreen

    if app.screen.is_modal:
        return
    await app.run_action("go('residents')")
    await app.push_screen(ResidentScreen(db, resident_id))


def open_help(app, here: Screen) -> None:
    from .help import HelpScreen

    app.push_screen(HelpScreen(here, tab="process"))


def export(app, db, kind: str) -> None:
    app.notify("Exporting…", title="Export", timeout=3)
    app.run_worker(partial(_export, app, db, kind), thread=True, group="export", exit_on_error=False)


def _export(app, db, kind: str) -> None:
    from ..services import app_exports

    try:
        done = app_exports.export_to_folder(db, kind)
    except Exception as exc:  # said in words, never a crash: nothing half-written is left
        message = getattr(exc, "message", "") or str(exc)
        app.call_from_thread(
            app.notify, f"Nothing was exported: {message}", title="Export", severity="error", markup=False
        )
        return
    app.call_from_thread(app.notify, done.summary(), title="Export", timeout=15, markup=False)


# the provider ------------------------------------------------------------------------------------


class FindAnything(Provider):
    """Actions of every screen, complaints and residents, found as you type."""

    _commands: list[Command]
    _index: "asyncio.Task | None"

    async def startup(self) -> None:
        self._commands, self._index = [], None
        if self.screen.is_modal:
            return
        db = getattr(self.screen, "db", None) or getattr(self.app, "db", None)
        if db is not None:
            from ..services import lookup

            self._index = asyncio.create_task(asyncio.to_thread(lookup.record_index, db))
        self._db = db
        classes = await asyncio.to_thread(place_classes)
        self._commands = place_commands(self.app, classes, self.screen) + other_commands(
            self.app, db, self.screen
        )

    async def shutdown(self) -> None:
        if self._index is not None and not self._index.done():
            self._index.cancel()

    async def discover(self) -> Hits:
        for c in sorted(self._commands, key=lambda c: c.name):
            yield DiscoveryHit(c.name, c.run, help=c.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for c in self._commands:
            score = matcher.match(c.name)
            if score > 0:
                yield Hit(score, matcher.highlight(c.name), c.run, text=c.name, help=c.help)
        async for hit in self._records(query):
            yield hit

    async def _records(self, query: str) -> Hits:
        from ..services.lookup import fold

        if self._index is None or len(query.strip()) < 2:
            return
        try:
            index = await self._index
            found = await asyncio.to_thread(index.find, query, limit=LIMIT)
        except asyncio.CancelledError:
            raise
        except Exception:  # the records could not be read: the actions are still offered
            return
        folded = Matcher(fold(query))
        matcher = self.matcher(query)

        def shown(title: str) -> Content:
            return matcher.highlight(title) if matcher.match(title) else Content(title)

        wanted = fold(query).strip()
        for c in found.complaints:
            title = f"Complaint {c.reference}: {c.resident}"
            ref = fold(c.reference)
            score = (
                1000.0 if ref == wanted else 500.0 if ref.startswith(wanted) else folded.match(fold(title))
            )
            received = f", received {short_date(c.received_on)}" if c.received_on else ""
            yield Hit(
                max(score, 1.0),
                shown(title),
                partial(open_complaint, self.app, self._db, c.id),
                text=title,
                help=f"Stage {c.stage}, {c.state}{received}",
            )
        for r in found.residents:
            title = f"Resident: {r.name}"
            where = ", ".join(p for p in (r.address, r.postcode) if p)
            yield Hit(
                2 * max(folded.match(fold(title)), 1.0),  # the resident before their complaints
                shown(title),
                partial(open_resident, self.app, self._db, r.id),
                text=title,
                help=where or "Open the resident's record",
            )
