"""Every key, in one list: the keys that work everywhere, on the screen you came from, and in forms."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Label

FORM_KEYS = (
    ("Tab / Shift+Tab", "Move to the next / previous box"),
    ("Enter", "On a list: open it; on a button: press it; in a box: move on"),
    ("Up / Down", "Choose in an open list"),
    ("Space", "Tick or untick"),
    ("Ctrl+S", "Save the form"),
    ("Esc", "Cancel the form; nothing is saved"),
)
GENERAL_KEYS = (
    ("Ctrl+P", "Search every command by name"),
    ("Enter", "Open the complaint or item under the cursor"),
    ("Arrows, PgUp/PgDn", "Move through a list"),
)


def _bindings(node) -> list[Binding]:
    out = []
    for b in getattr(type(node), "BINDINGS", []):
        if isinstance(b, tuple):
            b = Binding(*b)
        if b.description and not b.system:
            out.append(b)
    return out


class HelpScreen(ModalScreen):
    CSS_PATH = "help.tcss"
    BINDINGS = [Binding("escape,q,f1,question_mark", "close", "Close", id="help-close")]

    def __init__(self, screen: Screen | None = None) -> None:
        super().__init__()
        self.from_screen = screen

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Label("Keys: Esc closes this list", id="help-title")
            yield DataTable(id="help-keys", cursor_type="row", zebra_stripes=True, show_header=False)
        yield Footer(compact=True)

    def _key(self, binding: Binding) -> str:
        return " / ".join(self.app.get_key_display(Binding(k.strip(), "")) for k in binding.key.split(","))

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Key", width=16)
        table.add_column("What it does", width=56)

        def section(title: str) -> None:
            table.add_row("", "")
            table.add_row("", f"-- {title} --")

        table.add_row("", "-- Everywhere --")
        for b in _bindings(self.app):
            table.add_row(self._key(b), b.description)
        for key, what in GENERAL_KEYS:
            table.add_row(key, what)
        screens = []
        if self.from_screen is not None and _bindings(self.from_screen):
            screens.append((f"On this screen ({_title(self.from_screen)})", self.from_screen))
        from .complaint import ComplaintScreen

        if not isinstance(self.from_screen, ComplaintScreen):
            screens.append(("On a complaint (only the steps allowed at the time show)", ComplaintScreen))
        for title, node in screens:
            section(title)
            bindings = (
                _bindings(node)
                if not isinstance(node, type)
                else [b if isinstance(b, Binding) else Binding(*b) for b in node.BINDINGS]
            )
            seen = set()
            for b in bindings:
                if not b.description or (b.key, b.description) in seen:
                    continue
                seen.add((b.key, b.description))
                table.add_row(self._key(b), b.tooltip or b.description)
        section("In a form")
        for key, what in FORM_KEYS:
            table.add_row(key, what)
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)


def _title(screen) -> str:
    name = type(screen).__name__.replace("Screen", "")
    words = []
    for ch in name:
        if ch.isupper() and words:
            words.append(" ")
        words.append(ch.lower() if words else ch)
    return "".join(words)
