"""Pieces every screen shares: formatting, the navigation bar, the screen frame and tables (forms are in form_kit.py).

Screens call services only. Anything here that touches the records goes through smallhousing.services.
All styling lives in .tcss files (app.tcss holds the shared rules used here).
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import time
from functools import partial
from itertools import groupby
from typing import Any, Callable

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Select
from textual.widgets._footer import FooterKey, FooterLabel, KeyGroup

from ..domain.dates import parse_date, short_date
from ..domain.errors import DomainError

# key, label, section (as used by SmallHousingApp.action_go / the nav bar): the app's key map
NAV = (
    ("F2", "Dashboard", "dashboard"),
    ("F3", "Complaints", "complaints"),
    ("F4", "Requests", "service_requests"),
    ("F5", "Residents", "residents"),
    ("F6", "Reports", "reports"),
    ("F7", "Settings", "settings"),
)


# a busy file ------------------------------------------------------------------------------------

BUSY_MESSAGE = (
    "The records are busy: another smallhousing program is writing to them (an import, "
    "perhaps). Nothing is lost: what you typed is still here."
)
BUSY_RETRYING = BUSY_MESSAGE + " Trying again…"
BUSY_GAVE_UP = BUSY_MESSAGE + " Press Ctrl+S to try again when that work has finished."
BUSY_RETRIES = 3  # tries after the first, each after BUSY_WAIT seconds (and SQLite's own wait)
BUSY_WAIT = 1.0


def is_busy(exc: BaseException) -> bool:
    """Whether an error only means another program holds the write lock: the store's StoreBusy, or
    SQLite's own "database is locked" / "database is busy", raw or as SQLAlchemy wraps it."""
    from ..store.db import StoreBusy

    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, StoreBusy):
            return True
        if isinstance(exc, sqlite3.OperationalError) and re.search(r"\b(locked|busy)\b", str(exc)):
            return True
        exc = getattr(exc, "orig", None) or exc.__cause__ or exc.__context__
    return False


def retry_when_busy(
    fn: Callable[[], Any],
    *,
    on_busy: Callable[[int], Any] | None = None,
    retries: int | None = None,
    wait: float | None = None,
) -> Any:
    """Call ``fn`` (in a worker thread); while the file is busy, call ``on_busy(try number)``, wait
    and try again, up to ``retries`` more times; then the busy error is raised for the caller."""
    retries = BUSY_RETRIES if retries is None else retries
    wait = BUSY_WAIT if wait is None else wait
    attempt = 0
    while True:
        try:
            return fn()
        except Exception as exc:
            if not is_busy(exc) or attempt >= retries:
                raise
            attempt += 1
            if on_busy is not None:
                on_busy(attempt)
            time.sleep(wait)


# formatting --------------------------------------------------------------------------------------


def day(d: dt.date | None) -> str:
    """'Mon 2 Mar 2026', or '' for no date."""
    return short_date(d) if d else ""


def compact_day(d: dt.date | None) -> str:
    """'02 Mar 26': fits a narrow table column."""
    return f"{d:%d %b %y}" if d else ""


def input_day(d: dt.date | None) -> str:
    """A date as the user types it: 02/03/2026."""
    return f"{d:%d/%m/%Y}" if d else ""


def pounds(pence: int | None) -> str:
    if not pence:
        return ""
    return f"£{pence // 100:,}.{pence % 100:02d}"


def days_left_text(n: int) -> str:
    """Working days left, in words that do not need colour to be understood."""
    if n > 1:
        return f"{n} days left"
    if n == 1:
        return "1 day left"
    if n == 0:
        return "due today"
    return f"{-n} day{'s' if n != -1 else ''} late"


STATUS_CLASS = {"on time": "on-time", "due soon": "due-soon", "overdue": "overdue"}


def status_class(status: str) -> str:
    """The CSS class for a deadline status (on time, due soon, overdue)."""
    return STATUS_CLASS.get(status, "")


# parsing -----------------------------------------------------------------------------------------


def parse_pounds(text: str) -> int:
    """'£1,250.50' -> 125050 pence. Blank is 0."""
    s = (text or "").strip().replace("£", "").replace(",", "").strip()
    if not s:
        return 0
    if not re.fullmatch(r"\d{1,9}(\.\d{1,2})?", s):
        raise DomainError("Write the amount in pounds, for example 150 or 75.50.", field="amount")
    whole, _, frac = s.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


def parse_day(text: str, what: str = "date") -> dt.date | None:
    return parse_date(text, what)


# the command palette and going back -------------------------------------------------------------


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
                    f"{b.group.description}: {b.description}" if b.group else b.description
                )
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


# widgets -----------------------------------------------------------------------------------------


class NavBar(Widget):
    """One line at the top of every main screen: the keys that take you to each part of the app.

    Drawn as one line of text rather than a widget per item, so that each screen opens quicker;
    the colours are the component classes below, set in app.tcss."""

    COMPONENT_CLASSES = {"nav-bar--item", "nav-bar--current"}

    def __init__(self, current: str = "") -> None:
        super().__init__(classes="nav-bar")
        self.current = current

    def render(self) -> Text:
        item = self.get_component_rich_style("nav-bar--item")
        current = self.get_component_rich_style("nav-bar--current")
        line = Text(no_wrap=True, overflow="crop")
        for key, label, section in NAV:
            if section == self.current:
                line.append(f" {key} {label} ", current)
            else:
                line.append(f" {key} {label}", item)
        return line


class KeysFooter(Footer):
    """The footer of keys on a main screen: F1 Help first, then this screen's own keys, then Esc,
    Ctrl+N and the keys of the other sections (F2 to F7).

    Each key shows whole or not at all. When they do not all fit the width, the sections used least
    go first, then this screen's keys from the right; F1 Help always shows. Every key is still on
    F1 and in the command palette (Ctrl+P), and the sections on the bar at the top.
    """

    # the app's keys after this screen's own, in the order shown
    APP_ORDER = (
        "back",
        "new-complaint",
        "go-dashboard",
        "go-complaints",
        "go-service-requests",
        "go-residents",
        "go-reports",
        "go-settings",
    )
    # what is let go last: F1, Esc and the most used section (the complaints, or from there the
    # dashboard), then this screen's own keys, then the other sections
    KEEP = (
        "help",
        "back",
        "most-used",
        "screen",
        "new-complaint",
        "go-dashboard",
        "go-complaints",
        "go-residents",
        "go-service-requests",
        "go-reports",
        "go-settings",
    )
    SLACK = 1  # a column spare, so that a key is never drawn against the palette key

    def __init__(self, **kw) -> None:
        kw.setdefault("compact", True)
        super().__init__(**kw)

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        app = self.app
        active = self.screen.active_bindings
        palette = active.get(app.COMMAND_PALETTE_BINDING) if app.ENABLE_COMMAND_PALETTE else None
        # each action once (a second key for it is on F1), in the order Textual gives them
        shown: dict[tuple[int, str], tuple[Any, Binding, bool, str]] = {}
        for node, binding, enabled, tooltip in active.values():
            if binding.show:
                shown.setdefault((id(node), binding.action), (node, binding, enabled, tooltip))
        own = [v for v in shown.values() if v[0] is not app]
        by_id = {v[1].id: v for v in shown.values() if v[0] is app and v[1].id}
        most_used = "go-complaints" if "go-complaints" in by_id else "go-dashboard"

        def rank(ident: str, index: int = 0) -> int:  # the higher, the sooner it is let go
            return self.KEEP.index("most-used" if ident == most_used else ident) * 1000 + index

        def key(entry, grouped: bool = False) -> tuple[FooterKey, int]:
            """A key and the cells it takes (with the space after it)."""
            _node, binding, enabled, tooltip = entry
            display = app.get_key_display(binding)
            description = "" if grouped else binding.description
            widget = FooterKey(
                binding.key,
                display,
                description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip or (binding.description if grouped else ""),
                classes="-grouped" if grouped else "",
            ).data_bind(compact=Footer.compact)
            return widget, cell_len(display) + (cell_len(description) + 1 if description else 0) + 1

        # units: (widgets, cells, rank); F1 first, then this screen's keys, then the app's
        units: list[tuple[list[Widget], int, int]] = []
        if "help" in by_id:
            widget, cells = key(by_id["help"])
            units.append(([widget], cells, 0))
        position = 0  # this screen's keys are let go from the right
        for group, run in groupby(own, lambda v: v[1].group):
            members = list(run)
            if group is not None and len(members) > 1:  # one label for the lot, as Textual does
                keys = [key(m, grouped=True) for m in members]
                box = KeyGroup(*(k for k, _ in keys), classes="-compact" if group.compact else "")
                cells = 2 + sum(n - 1 for _, n in keys) + cell_len(group.description) + 1
                units.append(([box, FooterLabel(group.description)], cells, rank("screen", position)))
                position += 1
                continue
            for m in members:
                widget, cells = key(m)
                units.append(([widget], cells, rank("screen", position)))
                position += 1
        for ident in self.APP_ORDER:
            if ident in by_id:
                widget, cells = key(by_id[ident])
                units.append(([widget], cells, rank(ident)))

        self._fitted_to = self.size.width or app.size.width
        room = self._fitted_to - self.SLACK
        if palette is not None:
            room -= cell_len(app.get_key_display(palette.binding) + palette.binding.description) + 2
        total = sum(cells for _, cells, _ in units)
        dropped: set[int] = set()
        for index in sorted(range(len(units)), key=lambda i: -units[i][2]):
            if total <= room or units[index][2] == 0:
                break
            dropped.add(index)
            total -= units[index][1]
        for index, (widgets, _, _) in enumerate(units):
            if index not in dropped:
                yield from widgets
        if palette is not None:
            _node, binding, enabled, tooltip = palette
            yield FooterKey(
                binding.key,
                app.get_key_display(binding),
                binding.description,
                binding.action,
                classes="-command-palette",
                disabled=not enabled,
                tooltip=binding.tooltip or binding.description,
            )

    _fitted_to = 0

    def on_resize(self, event: events.Resize) -> None:
        if self._bindings_ready and event.size.width != self._fitted_to:
            self.call_after_refresh(self.recompose)


class TypingSelect(Select):
    """A choice list that takes typing while closed, as a text box would: a letter opens the list
    and searches it, so it never reaches a key bound to that letter on the screen."""

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        return character is not None and character.isprintable() and not character.isspace()

    def on_key(self, event: events.Key) -> None:
        char = event.character
        if not self.expanded and char is not None and char.isprintable() and not char.isspace():
            event.stop()
            event.prevent_default()
            self.expanded = True  # the list opens, with the focus in it, and the letter searches it
            from textual.widgets._select import SelectOverlay

            overlay = self.query_one(SelectOverlay)
            self.call_after_refresh(overlay.post_message, events.Key(event.key, char))


class Tile(Widget):
    """A figure and what it counts, on two lines (the dashboard's tiles)."""

    COMPONENT_CLASSES = {"tile--number", "tile--label"}

    def __init__(self, label: str, **kw) -> None:
        super().__init__(**kw)
        self.label = label
        self.number = "-"

    def show(self, number: str) -> None:
        self.number = number
        self.refresh()

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(self.number, self.get_component_rich_style("tile--number"))
        text.append("\n")
        text.append(self.label, self.get_component_rich_style("tile--label"))
        return text


class AppScreen(Screen):
    """A main screen: navigation bar, the screen's own body, and the footer of keys."""

    SECTION = ""

    def __init__(self, db, **kw) -> None:
        super().__init__(**kw)
        self.db = db

    def compose(self) -> ComposeResult:
        yield NavBar(self.SECTION)
        yield from self.compose_body()
        yield KeysFooter()

    def compose_body(self) -> ComposeResult:  # pragma: no cover - overridden
        yield from ()


def plain(text: str) -> Content:
    """Text exactly as typed, for widgets that would otherwise read square brackets as markup."""
    return Content(text or "")


class PlainTable(DataTable):
    """A DataTable that shows text cells exactly as typed (DataTable reads plain strings as markup)."""

    def add_column(self, label, *args, **kw):
        # a heading as it is written (read as markup it would also load rich's emoji table)
        return super().add_column(Text(label) if isinstance(label, str) else label, *args, **kw)

    def add_row(self, *cells, **kw):
        return super().add_row(*(Text(c) if isinstance(c, str) else c for c in cells), **kw)


class DeadlineTable(PlainTable):
    """A table whose deadline cells are coloured by status, with colours set in app.tcss."""

    COMPONENT_CLASSES = DataTable.COMPONENT_CLASSES | {
        "deadline--on-time",
        "deadline--due-soon",
        "deadline--overdue",
        "deadline--done",
    }

    def __init__(self, **kw) -> None:
        kw.setdefault("cursor_type", "row")
        kw.setdefault("zebra_stripes", True)
        super().__init__(**kw)

    def status_cell(self, text: str, status: str) -> Text:
        """``text`` styled by the deadline--<status> rule in the stylesheet."""
        cls = status_class(status) or ("done" if status == "done" else "")
        if not cls:
            return Text(text)
        return Text(text, style=self.get_component_rich_style(f"deadline--{cls}", partial=True))


def field_value(select) -> Any:
    """A Select's value, or None when nothing is chosen."""
    from textual.widgets import Select

    v = select.value
    return None if v is Select.NULL else v


def resident_picker(db) -> ModalScreen | None:
    """The residents screens' picker (a ModalScreen returning a resident id or None), if installed."""
    try:
        from .residents import ResidentPickerScreen
    except ImportError:
        return None
    return ResidentPickerScreen(db)


def staff_options(db) -> list[tuple[str, int]]:
    """(name, id) for each active member of staff."""
    from ..services import settings as S

    return [(Text(s.name), s.id) for s in S.list_staff(db)]  # Text: shown as typed, found by typing
