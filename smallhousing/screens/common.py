"""Pieces every screen shares: formatting, the navigation bar, the screen frame and tables (forms are in form_kit.py).

Screens call services only. Anything here that touches the records goes through smallhousing.services.
All styling lives in .tcss files (app.tcss holds the shared rules used here).
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import time
from dataclasses import dataclass
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
from textual.geometry import Region, Size
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import DataTable, Select

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
            # the open list has the focus: the letter goes to it, to search
            self.call_after_refresh(self._type_into_list, events.Key(event.key, char))

    def _type_into_list(self, key: events.Key) -> None:
        focused = self.app.focused
        if focused is not None and focused is not self and self in focused.ancestors:
            focused.post_message(key)


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


@dataclass
class FooterItem:
    """One key in the footer, as drawn: " key " then what it does. ``x``, ``row`` and ``width``
    place it within the footer; ``region`` on the screen."""

    binding: Binding | None
    key_display: str
    description: str
    enabled: bool = True
    tooltip: str = ""
    classes: str = ""
    footer: "KeyFooter | None" = None
    x: int = 0
    row: int = 0
    display: bool = True

    @property
    def key(self) -> str:
        return self.binding.key if self.binding is not None else ""

    @property
    def width(self) -> int:
        return cell_len(self.text())

    def text(self) -> str:
        if self.key_display:
            return f" {self.key_display} {self.description}".rstrip() + ("" if self.description else " ")
        return f" {self.description} "

    def has_class(self, name: str) -> bool:
        return name in self.classes.split()

    def render(self) -> str:
        return self.text()

    @property
    def region(self) -> Region:
        origin = self.footer.region if self.footer is not None else Region(0, 0, 0, 0)
        return Region(origin.x + self.x, origin.y + self.row, self.width, 1)


class KeyFooter(Widget):
    """The footer of keys on every screen, on one or two lines: F1 Help first, then this screen's own
    keys, then Esc, Ctrl+N and the other sections (F2 to F7), and the palette key on the right.

    Each key shows whole or not at all. When they do not all fit, the sections used least go first,
    then this screen's keys from the right; F1 Help always shows. Every key is still on F1 and in
    the command palette (Ctrl+P), and the sections on the bar at the top. Drawn as lines of text by
    one widget (a widget per key made every screen slower to start); a click presses the key under
    it. Colours are the component classes below, set in app.tcss.
    """

    COMPONENT_CLASSES = {"key-footer--key", "key-footer--description", "key-footer--disabled"}
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
    LINES = 2

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.items: list[FooterItem] = []
        self._rows = 1
        self._fitted_to = 0
        self._ready = False
        self._pending = False

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        # the keys change several times while a screen starts (mounting, focus, the demo key):
        # laid out once for all of them, after the next refresh
        self._ready = True
        if self.is_attached and screen is self.screen and not self._pending:
            self._pending = True
            self.call_after_refresh(self._lay_out)

    def on_resize(self, event: events.Resize) -> None:
        if self._ready and event.size.width != self._fitted_to:
            self.call_after_refresh(self._lay_out)

    def _units(self) -> tuple[list[tuple[list[FooterItem], int]], FooterItem | None]:
        """([(items, rank)], the palette key). Rank 0 is never let go; the higher the rank, the
        sooner a unit is let go."""
        app = self.app
        active = self.screen.active_bindings
        shown: dict[tuple[int, str], tuple[Any, Binding, bool, str]] = {}
        for node, binding, enabled, tooltip in active.values():
            if binding.show:
                shown.setdefault((id(node), binding.action), (node, binding, enabled, tooltip))
        own = [v for v in shown.values() if v[0] is not app]
        by_id = {v[1].id: v for v in shown.values() if v[0] is app and v[1].id}
        most_used = "go-complaints" if "go-complaints" in by_id else "go-dashboard"

        def rank(ident: str, index: int = 0) -> int:
            return self.KEEP.index("most-used" if ident == most_used else ident) * 1000 + index

        def key(entry, grouped: bool = False) -> FooterItem:
            _node, binding, enabled, tooltip = entry
            return FooterItem(
                binding,
                app.get_key_display(binding),
                "" if grouped else binding.description,
                enabled=enabled,
                tooltip=tooltip or binding.description,
                footer=self,
            )

        units: list[tuple[list[FooterItem], int]] = []
        if "help" in by_id:
            units.append(([key(by_id["help"])], 0))
        position = 0  # this screen's keys are let go from the right
        for group, run in groupby(own, lambda v: v[1].group):
            members = list(run)
            if group is not None and len(members) > 1:  # one label for the lot, as Textual does
                label = FooterItem(None, "", group.description, footer=self)
                units.append(([*(key(m, grouped=True) for m in members), label], rank("screen", position)))
                position += 1
                continue
            for m in members:
                units.append(([key(m)], rank("screen", position)))
                position += 1
        for ident in self.APP_ORDER:
            if ident in by_id:
                units.append(([key(by_id[ident])], rank(ident)))
        palette = None
        found = active.get(app.COMMAND_PALETTE_BINDING) if app.ENABLE_COMMAND_PALETTE else None
        if found is not None:
            _node, b, enabled, tooltip = found
            palette = FooterItem(
                b,
                app.get_key_display(b),
                b.description,
                enabled=enabled,
                tooltip=b.tooltip or b.description,
                classes="-command-palette",
                footer=self,
            )
        return units, palette

    @staticmethod
    def _cells(items: list[FooterItem]) -> int:
        return sum(i.width + 1 for i in items)  # a space after each

    def _rows_for(self, units, keep: set[int], width: int, first_room: int) -> list[list[int]]:
        rows: list[list[int]] = [[]]
        used, room = 0, first_room
        for i, (items, _) in enumerate(units):
            if i not in keep:
                continue
            cells = self._cells(items)
            if rows[-1] and used + cells > room:
                rows.append([])
                used, room = 0, width
            rows[-1].append(i)
            used += cells
        return rows

    def _lay_out(self) -> None:
        self._pending = False
        if not self.is_attached:
            return
        width = self.size.width or self.app.size.width
        self._fitted_to = width
        units, palette = self._units()
        first_room = width - (palette.width + 2 if palette is not None else 0)
        keep = set(range(len(units)))
        for index in sorted(range(len(units)), key=lambda i: -units[i][1]):
            if len(self._rows_for(units, keep, width, first_room)) <= self.LINES:
                break
            if units[index][1] == 0:
                break
            keep.discard(index)
        rows = self._rows_for(units, keep, width, first_room)
        placed: list[FooterItem] = []
        for n, row in enumerate(rows):
            x = 0
            for i in row:
                for item in units[i][0]:
                    item.x, item.row = x, n
                    x += item.width + 1
                    placed.append(item)
        if palette is not None:
            palette.x, palette.row = max(0, width - palette.width), 0
            placed.append(palette)
        self.items = placed
        self._rows = len(rows)
        self.styles.height = self._rows
        self.refresh(layout=True)

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-footer--key")
        desc_style = self.get_component_rich_style("key-footer--description")
        off_style = self.get_component_rich_style("key-footer--disabled")
        width = self._fitted_to or self.size.width
        lines = [Text(no_wrap=True, overflow="crop") for _ in range(max(self._rows, 1))]
        ends = [0] * len(lines)
        for item in sorted(self.items, key=lambda i: (i.row, i.x)):
            line = lines[item.row]
            if item.x > ends[item.row]:
                line.append(" " * (item.x - ends[item.row]))
            if item.key_display:
                line.append(f" {item.key_display} ", off_style if not item.enabled else key_style)
                if item.description:
                    line.append(item.description, off_style if not item.enabled else desc_style)
            else:
                line.append(f" {item.description} ", desc_style)
            ends[item.row] = item.x + item.width
        del width
        return Text("\n").join(lines)

    def on_click(self, event: events.Click) -> None:
        for item in self.items:
            if item.row == event.y and item.x <= event.x < item.x + item.width:
                if item.binding is not None and item.enabled:
                    self.app.simulate_key(item.binding.key.split(",")[0])
                return


class AppScreen(Screen):
    """A main screen: navigation bar, the screen's own body, and the footer of keys."""

    SECTION = ""

    def __init__(self, db, **kw) -> None:
        super().__init__(**kw)
        self.db = db

    def compose(self) -> ComposeResult:
        yield NavBar(self.SECTION)
        yield from self.compose_body()
        yield KeyFooter()

    def compose_body(self) -> ComposeResult:  # pragma: no cover - overridden
        yield from ()


def plain(text: str) -> Content:
    """Text exactly as typed, for widgets that would otherwise read square brackets as markup."""
    return Content(text or "")


def cell(text: str) -> Text:
    """A table cell shown as typed, on one line, ending in "…" where the column is too narrow."""
    return Text(text, no_wrap=True, overflow="ellipsis")


MIN_GROWN = 6  # a growing column is never narrower than this, nor than half its given width


def grown_widths(room: int, columns: list[tuple[int, int]], pad: int) -> list[int]:
    """Each column's width when a table ``room`` cells wide is filled: ``columns`` are (given
    width, shares); a column with shares takes that many shares of the room the others leave (or
    gives them back on a narrow screen, down to MIN_GROWN or half its width); ``pad`` is the room
    each column takes beside its text."""
    total = sum(shares for _, shares in columns)
    if not total:
        return [width for width, _ in columns]
    spare = room - sum(width + pad for width, _ in columns)
    out, given, left = [], 0, sum(1 for _, shares in columns if shares)
    for width, shares in columns:
        if not shares:
            out.append(width)
            continue
        left -= 1
        share = spare - given if not left else spare * shares // total
        given += share
        out.append(max(min(width, max(MIN_GROWN, width // 2)), width + share))
    return out


class PlainTable(DataTable):
    """A DataTable that shows text cells exactly as typed (DataTable reads plain strings as markup)
    and fills its width: a column added with ``grow=n`` takes n shares of the room the other
    columns leave (the resident's name, a description), and gives it back on a narrower screen."""

    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self._grow: dict[Any, tuple[int, int]] = {}  # column key -> (given width, shares)

    def add_column(self, label, *args, grow: int = 0, **kw):
        # a heading as it is written (read as markup it would also load rich's emoji table)
        label = Text(label) if isinstance(label, str) else label
        key = super().add_column(label, *args, **kw)
        if grow:
            self._grow[key] = (kw.get("width") or label.cell_len, grow)
            self.fit_columns()
        return key

    def add_row(self, *cells, **kw):
        return super().add_row(*(cell(c) if isinstance(c, str) else c for c in cells), **kw)

    def fit_columns(self) -> None:
        """Widen (or narrow) the growing columns so that all the columns take the table's width."""
        room = self.scrollable_content_region.width
        if not self._grow or room <= 0:
            return
        keys = [k for k in self.columns if k in self._grow] + [k for k in self.columns if k not in self._grow]
        specs = [
            self._grow[k]
            if k in self._grow
            else (self.columns[k].get_render_width(self) - 2 * self.cell_padding, 0)
            for k in keys
        ]
        fitted = grown_widths(room, specs, 2 * self.cell_padding)
        widths = {k: w for k, w, (_, shares) in zip(keys, fitted, specs) if shares}
        if not widths:
            return
        if all(self.columns[k].width == w and not self.columns[k].auto_width for k, w in widths.items()):
            return
        for key, width in widths.items():
            self.columns[key].width = width
            self.columns[key].auto_width = False
        used = sum(c.get_render_width(self) for c in self.columns.values())
        self.virtual_size = Size(used, self.virtual_size.height)
        self.notify_style_update()  # forget the rows drawn at the old widths

    def on_resize(self, event: events.Resize) -> None:
        self.fit_columns()

    def watch_show_vertical_scrollbar(self, shown: bool) -> None:
        # the scroll bar takes (or gives back) two columns of the table's width
        self.call_after_refresh(self.fit_columns)


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


DROP_DOWN_ROWS = 10  # options a drop-down list shows at most before it scrolls


def fit_drop_down(overlay: Widget) -> None:
    """Keep a Select's open list inside the dialog it belongs to (or, on a full screen, above the
    footer): the form scrolls up to make room below the box if it can; otherwise the list opens
    above the box where there is more room there, and it is never taller than the room.

    Called when the list takes the focus (``SmallHousingApp.on_descendant_focus``): Textual only
    keeps the list on the screen, so at 80x24 it covered the dialog's edge, buttons and footer."""
    from textual.widgets import OptionList, Select  # not needed for the first screen

    select = overlay.parent
    if not isinstance(select, Select) or not isinstance(overlay, OptionList):
        return
    screen = select.screen
    dialog = next((a for a in select.ancestors if isinstance(a, Widget) and a.has_class("dialog")), None)
    if dialog is not None:
        frame = dialog.content_region
    else:
        footers = [f for f in screen.query("KeyFooter, Footer") if f.display]
        bottom = min((f.region.y for f in footers), default=screen.region.bottom)
        frame = Region(0, 0, screen.region.width, bottom)
    box = select.region
    wanted = min(overlay.option_count, DROP_DOWN_ROWS) + overlay.styles.gutter.height
    below = frame.bottom - box.bottom
    if below < wanted:
        scroller = next(
            (a for a in select.ancestors if isinstance(a, Widget) and a.allow_vertical_scroll), None
        )
        if scroller is not None:
            top = scroller.scrollable_content_region.y
            by = min(wanted - below, int(scroller.max_scroll_y - scroller.scroll_y), box.y - top)
            if by > 0:
                scroller.scroll_to(y=scroller.scroll_y + by, animate=False, immediate=True)
                box = box.translate((0, -by))
                below += by
    above = box.y - frame.y
    if below < wanted and above > below:
        height = min(wanted, above)
        overlay.styles.offset = (0, -(height + box.height))
    else:
        height = min(wanted, max(below, 3))
        overlay.styles.offset = (0, 0)
    overlay.styles.max_height = height


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
    """(name, id) for each active member of staff who may handle a complaint (not a team's viewer)."""
    from ..services import settings as S

    return [(Text(s.name), s.id) for s in S.list_handlers(db)]  # Text: shown as typed, found by typing
