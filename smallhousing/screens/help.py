"""Help, on two tabs: every key (the keys that work everywhere, on the screen you came from, and in
forms), and how a complaint moves through the Code.

The second tab is written from the rule set (smallhousing/domain/rules.py): every time limit in it
is the rule set's own number, and the letters are named as the letters module names them, so the
page says what the app does.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Label, Markdown, TabbedContent, TabPane

from ..domain import letter_rules as LR
from ..domain.dates import short_date
from ..domain.rules import CODE_2024_START, RULES_2022, RULES_2024, RuleSet

FORM_KEYS = (
    ("Tab / Shift+Tab", "Move to the next / previous box"),
    ("Enter", "On a list: open it; on a button: press it; in a box: move on"),
    ("Up / Down", "Choose in an open list"),
    ("Space", "Tick or untick"),
    ("Ctrl+S", "Save the form"),
    ("Esc", "Cancel the form; nothing is saved"),
)
GENERAL_KEYS = (
    ("Ctrl+P", "Find anything: a command, a complaint, a resident"),
    ("Enter", "Open the complaint or item under the cursor"),
    ("Arrows, PgUp/PgDn", "Move through a list"),
)

TABS = {"keys": "help-tab-keys", "process": "help-tab-process"}


def _bindings(node) -> list[Binding]:
    out = []
    for b in getattr(type(node), "BINDINGS", []):
        if isinstance(b, tuple):
            b = Binding(*b)
        if b.description and not b.system:
            out.append(b)
    return out


def _days(n: int) -> str:
    return f"{n} working day{'s' if n != 1 else ''}"


def process_markdown(rules: RuleSet = RULES_2024, keys: "dict[str, str] | None" = None) -> str:
    """How a complaint moves through the Code, in plain words, with every time limit taken from
    ``rules``. ``keys`` names the key of each step (action -> key) where it is known."""
    keys = keys or {}

    def ref(provision: str = "", action: str = "", number: str = "") -> str:
        """' (Code 6.2; key a)': the provision (by its name in the rule set, or its number) and the
        key of the step, whichever are known."""
        number = number or rules.provisions.get(provision, "")
        parts = [f"Code {number}"] if number else []
        if keys.get(action):
            parts.append(f"key {keys[action]}")
        return f" ({'; '.join(parts)})" if parts else ""

    letter = LR.KIND_LABELS
    starts = {"acknowledged": "of the acknowledgement", "requested": "of the request to escalate"}

    def acknowledge(n: int, since: str, what: str = "") -> str:
        days = rules.acknowledge_days_at(n)
        when = (
            f"within {_days(days)} {since}{ref(f'ack{n}', 'acknowledge')}"
            if days is not None
            else f"(the {rules.code} Code sets no time limit for it){ref(action='acknowledge')}"
        )
        return f"2. **Acknowledge** {when}{what}. Letter: *{letter[LR.ACKNOWLEDGEMENT]}*."

    lines = [
        f"## How a complaint moves through the {rules.code} Code",
        "",
        "There are two stages. A working day is a weekday that is not a bank holiday in England "
        "and Wales or one of your closure days (Settings). The day a complaint arrives is day 0. "
        "smallhousing works out each date and shows what is due next.",
        "",
        "### Stage 1",
        "",
        f"1. **Log** the complaint the day it arrives, however it came in{ref(action='new_complaint')}.",
        acknowledge(
            1,
            "of it arriving",
            ", with the complaint definition: what it is about, what the resident wants, and what "
            "you are and are not responsible for",
        ),
        f"3. **Respond** within {_days(rules.respond_days[1])} {starts[rules.respond_from[1]]}"
        f"{ref('respond1', 'respond')}: your decision, your reasons, any remedy and any "
        f"actions still to do. Letter: *{letter[LR.RESPONSE]}*.",
        f"4. **Extend** only if you need more time and the resident agrees before the response is "
        f"due: at most {_days(rules.extension_cap[1])} more, unless you record a good reason"
        f"{ref('extend1', 'extend')}. Letter: *{letter[LR.EXTENSION]}*, with the "
        "Ombudsman's contact details.",
        "",
        "A late acknowledgement gives no extra time: the response is then due counting from the "
        "day the acknowledgement was due.",
        "",
        f"A complaint may be **refused** only on a ground in section 2 of the Code, with your "
        f"reasons{ref(action='refuse', number=LR.KIND_PROVISIONS[LR.REFUSAL])}. "
        f"Letter: *{letter[LR.REFUSAL]}*.",
        "",
        "### Stage 2",
        "",
        f"1. **Escalate** when the resident asks for stage 2 after the stage 1 response"
        f"{ref(action='escalate')}. Someone other than the stage 1 handler deals with it{ref('different2')}.",
        acknowledge(2, "of the request"),
        f"3. **Respond** within {_days(rules.respond_days[2])} {starts[rules.respond_from[2]]}"
        f"{ref('respond2', 'respond')}. This is your final answer. Letter: *{letter[LR.RESPONSE]}*.",
        f"4. **Extend** by at most {_days(rules.extension_cap[2])} more, unless you record a good "
        f"reason{ref('extend2', 'extend')}. Letter: *{letter[LR.EXTENSION]}*.",
        "",
        f"Escalation may be **refused** only on the grounds the Code allows"
        f"{ref(action='refuse_escalation', number=LR.KIND_PROVISIONS[LR.ESCALATION_REFUSAL])}. "
        f"Letter: *{letter[LR.ESCALATION_REFUSAL]}*.",
        "",
        "### After stage 2: the Ombudsman",
        "",
        "A resident still unhappy after the stage 2 response, or whose complaint or escalation was "
        "refused, can bring it to the Housing Ombudsman. Those letters tell them how, with the "
        "contact details kept under Settings. Record the Ombudsman's cases, findings and orders "
        "under Reports, Ombudsman cases.",
        "",
        "### Remedies and actions",
        "",
        f"Mark each remedy and outstanding action done when it is{ref(action='mark_done')}, and keep the "
        f"resident told of progress{ref(action='update_action')}. Letter: *{letter[LR.ACTION_UPDATE]}*. "
        f"Every letter is made from the complaint{ref(action='letter')}.",
        "",
        f"### Complaints made before the {rules.code} Code",
        "",
        f"A complaint received before {short_date(CODE_2024_START)} keeps the {RULES_2022.code} "
        f"Code's time limits (at stage 2: a response within {_days(RULES_2022.respond_days[2])} "
        f"{starts[RULES_2022.respond_from[2]]}, an extension of at most "
        f"{_days(RULES_2022.extension_cap[2])}). smallhousing applies them by itself.",
    ]
    return "\n".join(lines)


class HelpScreen(ModalScreen):
    CSS_PATH = "help.tcss"
    BINDINGS = [
        Binding("escape,q,f1,question_mark", "close", "Close", id="help-close"),
        Binding("1", "tab('keys')", "Keys", id="help-keys-tab"),
        Binding("2", "tab('process')", "How a complaint moves", id="help-process-tab"),
    ]

    def __init__(self, screen: Screen | None = None, *, tab: str = "keys") -> None:
        super().__init__()
        self.from_screen = screen
        self.first_tab = TABS.get(tab, TABS["keys"])

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Label("Help: Esc closes it; 1 and 2 switch pages", id="help-title")
            with TabbedContent(id="help-tabs", initial=self.first_tab):
                with TabPane("Keys", id=TABS["keys"]):
                    yield DataTable(id="help-keys", cursor_type="row", zebra_stripes=True, show_header=False)
                with TabPane("How a complaint moves", id=TABS["process"]):
                    with VerticalScroll(id="help-process", can_focus=True):
                        yield Markdown(
                            process_markdown(RULES_2024, self._step_keys()), id="help-process-text"
                        )
        yield Footer(compact=True)

    def _key(self, binding: Binding) -> str:
        return " / ".join(self.app.get_key_display(Binding(k.strip(), "")) for k in binding.key.split(","))

    def _step_keys(self) -> dict[str, str]:
        """The key of each step, as the complaint screen and the app bind them now."""
        from .complaint import ComplaintScreen

        keys: dict[str, str] = {}
        for b in Binding.make_bindings([*ComplaintScreen.BINDINGS, *_bindings(self.app)]):
            keys.setdefault(b.action, self._key(b))
        return keys

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
        self._focus_page(self.first_tab)

    def _focus_page(self, pane: str) -> None:
        if pane == TABS["process"]:
            self.query_one("#help-process", VerticalScroll).focus()
        else:
            self.query_one("#help-keys", DataTable).focus()

    @on(TabbedContent.TabActivated)
    def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        self._focus_page(event.pane.id or "")

    def action_tab(self, tab: str) -> None:
        pane = TABS.get(tab, TABS["keys"])
        self.query_one(TabbedContent).active = pane
        self._focus_page(pane)

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
