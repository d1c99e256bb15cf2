"""Residents: the list, one resident's record, and a picker other screens use to choose a resident.

Every read and write goes through smallhousing.services.residents in a worker thread.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import (
    DataTable,
    Footer,
    Input,
    Label,
    ListItem,
    ListView,
    Static,
    TabbedContent,
    TabPane,
)
from textual.worker import get_current_worker

from ..domain.calendar import short_date
from ..domain.errors import DomainError
from ..services import residents as residents_service
from ..services.residents import ResidentRecord
from .common import KeysFooter, NavBar, PlainTable
from .resident_forms import (
    AdjustmentForm,
    BindingCommands,
    ConfirmScreen,
    RepresentativeForm,
    ResidentForm,
    RestrictionForm,
    ReviewForm,
    call_service,
    go_back,
)

PAGE = 50
DEBOUNCE_SECONDS = 0.25
TABS = Binding.Group("Tabs", compact=True)


def _cut(text: str, width: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _when(day: dt.date | None) -> str:
    return short_date(day) if day else "—"


class ResidentTable(PlainTable):
    """Residents, one a row, keyed by id."""

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.add_column("Name", width=20, key="name")
        self.add_column("Address", width=24, key="address")
        self.add_column("Postcode", width=8, key="postcode")
        self.add_column("Phone", width=13, key="phone")

    def show(self, residents, *, keep_cursor: bool = False) -> None:
        row = self.cursor_row if keep_cursor else 0
        self.clear()
        for r in residents:
            self.add_row(_cut(r.name, 20), _cut(r.address, 24), r.postcode, r.phone, key=str(r.id))
        if self.row_count:
            self.move_cursor(row=min(row, self.row_count - 1))

    def current_id(self) -> int | None:
        if not self.row_count:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return int(row_key.value)


class _ResidentSearch:
    """Type-to-filter, debounced, with the query in a worker thread (shared by list and picker)."""

    db = None
    offset = 0
    _timer: Timer | None = None

    def search_text(self) -> str:
        return self.query_one(".resident-search", Input).value

    def on_input_changed(self, event: Input.Changed) -> None:
        # a plain handler name, because @on is not collected from a mixin class
        if not event.input.has_class("resident-search"):
            return
        self.offset = 0
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE_SECONDS, self.reload)

    def reload(self) -> None:
        self._fetch(self.search_text(), self.offset)

    @work(thread=True, exclusive=True, group="resident-search")
    def _fetch(self, text: str, offset: int) -> None:
        rows = residents_service.list_residents(self.db, text, offset=offset, limit=PAGE + 1)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_rows, rows, text, offset)

    def _show_rows(self, rows, text: str, offset: int) -> None:
        raise NotImplementedError


class ResidentsScreen(_ResidentSearch, Screen):
    """All residents, filtered as you type; Enter opens one."""

    CSS_PATH = "residents.tcss"
    COMMANDS = {BindingCommands}
    BINDINGS = [
        Binding("escape", "back", "Back", id="residents.back"),
        Binding("slash", "search", "Search", id="residents.search"),
        Binding("a", "add", "Add resident", id="residents.add"),
        Binding("enter", "open", "Open", id="residents.open"),
        Binding("right_square_bracket", "page(1)", "Next page", id="residents.next_page"),
        Binding("left_square_bracket", "page(-1)", "Previous page", id="residents.previous_page"),
    ]

    def __init__(self, db) -> None:
        super().__init__()
        self.db = db
        self.has_more = False
        self._keep_cursor = False

    def compose(self) -> ComposeResult:
        yield NavBar("residents")
        with Vertical(id="residents-body"):
            yield Static("Residents", classes="screen-title")
            yield Input(
                placeholder="Type part of a name, address or postcode to filter",
                id="residents-search",
                classes="resident-search",
            )
            yield ResidentTable(id="residents-table")
            yield Static("Loading…", id="residents-status", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(ResidentTable).focus()
        self.reload()

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self._keep_cursor = True
            self.reload()

    def _show_rows(self, rows, text: str, offset: int) -> None:
        self.has_more = len(rows) > PAGE
        rows = rows[:PAGE]
        table = self.query_one(ResidentTable)
        table.show(rows, keep_cursor=self._keep_cursor)
        self._keep_cursor = False
        status = self.query_one("#residents-status", Static)
        if not rows:
            status.update(
                f"No resident matches “{text.strip()}”. Press a to add one."
                if text.strip()
                else "No residents yet. Press a to add one."
            )
        else:
            more = " · ] for the next page" if self.has_more else ""
            back = " · [ for the previous page" if offset else ""
            status.update(f"Residents {offset + 1}–{offset + len(rows)}{more}{back} · Enter opens")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "page":
            step = parameters[0] if parameters else 1
            return self.has_more if step > 0 else self.offset > 0
        if action == "open":
            return self.query_one(ResidentTable).row_count > 0 if self.is_mounted else False
        return True

    @on(Input.Submitted, "#residents-search")
    def _search_done(self) -> None:
        self.query_one(ResidentTable).focus()

    @on(DataTable.RowSelected, "#residents-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(ResidentScreen(self.db, int(event.row_key.value)))

    async def action_back(self) -> None:
        if isinstance(self.focused, Input):
            self.query_one(ResidentTable).focus()  # the first escape leaves the search box
            return
        await go_back(self)

    def action_search(self) -> None:
        self.query_one("#residents-search", Input).focus()

    def action_open(self) -> None:
        rid = self.query_one(ResidentTable).current_id()
        if rid is not None:
            self.app.push_screen(ResidentScreen(self.db, rid))

    def action_page(self, step: int) -> None:
        if step > 0 and self.has_more:
            self.offset += PAGE
        elif step < 0 and self.offset:
            self.offset = max(0, self.offset - PAGE)
        else:
            return
        self.reload()

    def action_add(self) -> None:
        def added(resident_id: int | None) -> None:
            if resident_id is not None:
                self.notify("Resident added.")
                self.reload()

        self.app.push_screen(ResidentForm(self.db), added)


class ResidentPickerScreen(_ResidentSearch, ModalScreen[int | None]):
    """Search for a resident and choose one; returns the resident's id, or None on escape."""

    CSS_PATH = "residents.tcss"
    COMMANDS = {BindingCommands}
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("enter", "choose", "Choose", id="picker.choose"),
        Binding("ctrl+n", "add", "New resident", id="picker.add"),
    ]

    def __init__(self, db) -> None:
        super().__init__()
        self.db = db

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box"):
            yield Static("Choose a resident", classes="screen-title")
            yield Input(
                placeholder="Type part of a name, address or postcode",
                id="picker-search",
                classes="resident-search",
            )
            yield ResidentTable(id="picker-table")
            yield Static("", id="picker-status", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#picker-search", Input).focus()
        self.reload()

    def _show_rows(self, rows, text: str, offset: int) -> None:
        more = len(rows) > PAGE
        rows = rows[:PAGE]
        self.query_one(ResidentTable).show(rows)
        status = self.query_one("#picker-status", Static)
        if not rows:
            status.update("No resident matches. Press ctrl+n to add a new resident.")
        elif more:
            status.update(f"First {PAGE} shown: type more of the name to narrow the list.")
        else:
            status.update(f"{len(rows)} shown. Enter chooses the highlighted resident.")

    def on_key(self, event) -> None:
        # up and down move through the list while you keep typing in the search box
        if event.key in ("up", "down") and isinstance(self.focused, Input):
            table = self.query_one(ResidentTable)
            table.action_cursor_down() if event.key == "down" else table.action_cursor_up()
            event.stop()

    @on(Input.Submitted, "#picker-search")
    def _submitted(self) -> None:
        self.action_choose()

    @on(DataTable.RowSelected, "#picker-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.dismiss(int(event.row_key.value))

    def action_choose(self) -> None:
        rid = self.query_one(ResidentTable).current_id()
        if rid is None:
            self.notify(
                "No resident is highlighted. Type a name, or press ctrl+n to add one.", severity="warning"
            )
            return
        self.dismiss(rid)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_add(self) -> None:
        def added(resident_id: int | None) -> None:
            if resident_id is not None:
                self.dismiss(resident_id)

        self.app.push_screen(ResidentForm(self.db), added)


# one resident ------------------------------------------------------------------------------------


class RecordItem(ListItem):
    """One row of a resident's record: a representative, adjustment, restriction, complaint ..."""

    def __init__(
        self,
        kind: str,
        ident: int,
        lines: list[str],
        *,
        classes: str = "",
        label: str = "",
        disabled: bool = False,
    ) -> None:
        super().__init__(classes=f"record-item {classes}".strip(), disabled=disabled)
        self.kind, self.ident, self.lines, self.label = kind, ident, lines, label

    def compose(self) -> ComposeResult:
        for i, line in enumerate(self.lines):
            yield Static(line, classes="item-main" if i == 0 else "item-detail", markup=False)


DETAIL_FIELDS = (
    ("name", "Name"),
    ("address", "Address"),
    ("postcode", "Postcode"),
    ("phone", "Phone"),
    ("email", "Email"),
    ("preferred_contact", "Contact by"),
    ("preferred_format", "Format"),
    ("disabilities", "Disabilities"),
    ("vulnerabilities", "Vulnerabilities"),
    ("notes", "Notes"),
)

# the tab each action belongs to; keys work on that tab, the palette switches to it first
ACTION_TABS = {
    "edit": "tab-details",
    "add_representative": "tab-representatives",
    "end_representative": "tab-representatives",
    "add_adjustment": "tab-adjustments",
    "review_adjustment": "tab-adjustments",
    "end_adjustment": "tab-adjustments",
    "add_restriction": "tab-restrictions",
    "review_restriction": "tab-restrictions",
    "end_restriction": "tab-restrictions",
    "open_complaint": "tab-cases",
}


class ResidentScreen(Screen):
    """A resident's record: details, representatives, adjustments, restrictions, complaints."""

    CSS_PATH = "residents.tcss"
    COMMANDS = {BindingCommands}
    BINDINGS = [
        Binding("escape", "back", "Back", id="resident.back"),
        Binding("1", "tab('tab-details')", "Details", group=TABS, id="resident.tab_details"),
        Binding(
            "2",
            "tab('tab-representatives')",
            "Representatives",
            group=TABS,
            id="resident.tab_representatives",
        ),
        Binding("3", "tab('tab-adjustments')", "Adjustments", group=TABS, id="resident.tab_adjustments"),
        Binding("4", "tab('tab-restrictions')", "Restrictions", group=TABS, id="resident.tab_restrictions"),
        Binding("5", "tab('tab-cases')", "Complaints", group=TABS, id="resident.tab_cases"),
        Binding("e", "edit", "Edit details", id="resident.edit"),
        Binding("a", "add_representative", "Add", id="resident.add_representative"),
        Binding("a", "add_adjustment", "Add", id="resident.add_adjustment"),
        Binding("a", "add_restriction", "Add", id="resident.add_restriction"),
        Binding("m", "review_adjustment", "Mark reviewed", id="resident.review_adjustment"),
        Binding("m", "review_restriction", "Mark reviewed", id="resident.review_restriction"),
        Binding("x", "end_representative", "End", id="resident.end_representative"),
        Binding("x", "end_adjustment", "End", id="resident.end_adjustment"),
        Binding("x", "end_restriction", "End", id="resident.end_restriction"),
        Binding("o", "open_complaint", "Open", id="resident.open_complaint"),
    ]

    # the names these keys have in the command palette, where there is no tab to give context
    PALETTE_NAMES = {
        "edit": "Edit the resident's details",
        "add_representative": "Add a representative",
        "end_representative": "End a representative",
        "add_adjustment": "Add a reasonable adjustment",
        "review_adjustment": "Mark an adjustment reviewed",
        "end_adjustment": "End an adjustment",
        "add_restriction": "Add a restriction",
        "review_restriction": "Mark a restriction reviewed",
        "end_restriction": "End a restriction",
        "open_complaint": "Open the highlighted complaint",
    }

    def __init__(self, db, resident_id: int) -> None:
        super().__init__()
        self.db = db
        self.resident_id = resident_id
        self.record: ResidentRecord | None = None
        self._show_lock = asyncio.Lock()

    # layout --------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield NavBar("residents")
        with Vertical(id="resident-top"):
            yield Static("Loading…", id="resident-title", classes="screen-title", markup=False)
            yield Static("", id="resident-flags", markup=False)
        with TabbedContent(id="resident-tabs", initial="tab-details"):
            with TabPane("Details", id="tab-details"):
                with VerticalScroll(id="details-scroll"):
                    for name, label in DETAIL_FIELDS:
                        with Vertical(classes="detail-row"):
                            yield Label(label, classes="detail-key")
                            yield Static("", id=f"d-{name}", classes="detail-value", markup=False)
            with TabPane("Representatives", id="tab-representatives"):
                yield Static("People who may act for the resident.", classes="pane-hint")
                yield ListView(id="list-representatives", classes="record-list")
            with TabPane("Adjustments", id="tab-adjustments"):
                yield Static(
                    "Reasonable adjustments and their review dates (Code 5.10).", classes="pane-hint"
                )
                yield ListView(id="list-adjustments", classes="record-list")
            with TabPane("Restrictions", id="tab-restrictions"):
                yield Static(
                    "Restrictions for unacceptable behaviour, with reasons and reviews (Code 5.14, 5.15).",
                    classes="pane-hint",
                )
                yield ListView(id="list-restrictions", classes="record-list")
            with TabPane("Complaints", id="tab-cases"):
                yield ListView(id="list-cases", classes="record-list")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.reload()

    # loading -------------------------------------------------------------------------------------

    def reload(self) -> None:
        self._fetch()

    @work(thread=True, exclusive=True, group="resident-record")
    def _fetch(self) -> None:
        try:
            record = residents_service.resident_record(self.db, self.resident_id)
        except DomainError as exc:
            self.app.call_from_thread(self._missing, exc.message)
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, record)

    def _missing(self, message: str) -> None:
        self.query_one("#resident-title", Static).update(message)

    @property
    def today(self) -> dt.date:
        return self.db.today

    def _review_class(self, ended_on, review_on) -> str:
        if ended_on is None and review_on is not None and review_on <= self.today:
            return "overdue"
        return "ended" if ended_on else ""

    async def _fill(self, list_id: str, items: list[RecordItem], empty: str) -> None:
        lv = self.query_one(f"#{list_id}", ListView)
        index = lv.index
        await lv.clear()
        if not items:
            items = [RecordItem("none", 0, [empty], classes="empty")]
        await lv.extend(items)
        wanted = min(index or 0, len(items) - 1)
        enabled = [i for i, item in enumerate(items) if not item.disabled]
        # keep the highlight where it was, on an item that can be chosen (not a heading)
        lv.index = next((i for i in enabled if i >= wanted), enabled[-1] if enabled else None)

    async def _show(self, record: ResidentRecord) -> None:
        # reloads can overlap (a form closes and the screen resumes): fill the lists one at a time
        async with self._show_lock:
            await self._show_record(record)

    async def _show_record(self, record: ResidentRecord) -> None:
        self.record = record
        r = record.resident
        today = self.today
        self.query_one("#resident-title", Static).update(
            f"{r.name} · {r.address}{', ' + r.postcode if r.postcode else ''}".rstrip(" ·,")
        )
        self.sub_title = r.name
        flags = record.flags
        due = [a for a in record.adjustments if a.ended_on is None and a.review_on <= today]
        due += [x for x in record.restrictions if x.ended_on is None and x.review_on <= today]
        text = "Flags: " + (" · ".join(flags) if flags else "none")
        if r.anonymised_on:
            text += f" · anonymised on {short_date(r.anonymised_on)}"
        if due:
            text += f" · {len(due)} review{'s' if len(due) > 1 else ''} due or overdue"
        flag_line = self.query_one("#resident-flags", Static)
        flag_line.update(text)
        flag_line.set_class(bool(due), "overdue")
        flag_line.set_class(bool(flags) and not due, "flagged")
        for name, _ in DETAIL_FIELDS:
            self.query_one(f"#d-{name}", Static).update(getattr(r, name) or "—")

        reps = []
        for p in record.representatives:
            who = p.name + (f" ({p.relationship})" if p.relationship else "")
            authority = p.authority or "no authority recorded"
            if p.authority_on:
                authority += f", given {short_date(p.authority_on)}"
            contact = " · ".join(x for x in (p.phone, p.email, p.address) if x)
            detail = f"Authority: {authority}" + ("" if p.active else " · no longer acting")
            reps.append(
                RecordItem(
                    "representative",
                    p.id,
                    [who, detail] + ([contact] if contact else []),
                    classes="" if p.active else "ended",
                    label=p.name,
                )
            )
        await self._fill("list-representatives", reps, "No representatives. Press a to add one.")

        adjustments = []
        for a in record.adjustments:
            state = (
                f"ended {short_date(a.ended_on)}"
                if a.ended_on
                else (
                    "review OVERDUE, was due "
                    if a.review_on < today
                    else "review due today, "
                    if a.review_on == today
                    else "review by "
                )
                + short_date(a.review_on)
            )
            detail = f"Agreed {short_date(a.agreed_on)}"
            if a.last_reviewed_on:
                detail += f" · last reviewed {short_date(a.last_reviewed_on)}"
            adjustments.append(
                RecordItem(
                    "adjustment",
                    a.id,
                    [a.description, f"{detail} · {state}"],
                    classes=self._review_class(a.ended_on, a.review_on),
                    label=a.description,
                )
            )
        await self._fill("list-adjustments", adjustments, "No adjustments. Press a to add one.")

        restrictions = []
        for x in record.restrictions:
            state = (
                f"ended {short_date(x.ended_on)}"
                if x.ended_on
                else (
                    "review OVERDUE, was due "
                    if x.review_on < today
                    else "review due today, "
                    if x.review_on == today
                    else "review by "
                )
                + short_date(x.review_on)
            )
            detail = f"From {short_date(x.imposed_on)}"
            if x.last_reviewed_on:
                detail += f" · last reviewed {short_date(x.last_reviewed_on)}"
            restrictions.append(
                RecordItem(
                    "restriction",
                    x.id,
                    [x.description, f"Reason: {x.reason}", f"{detail} · {state}"],
                    classes=self._review_class(x.ended_on, x.review_on),
                    label=x.description,
                )
            )
        await self._fill("list-restrictions", restrictions, "No restrictions. Press a to add one.")

        cases = [
            RecordItem(
                "heading", 0, [f"Complaints ({len(record.complaints)})"], classes="heading", disabled=True
            )
        ]
        if not record.complaints:
            cases.append(RecordItem("none", 0, ["No complaints."], classes="empty", disabled=True))
        for c in record.complaints:
            nxt = f" · next: {c.next_step} by {short_date(c.next_due_on)}" if c.next_due_on else ""
            overdue = "overdue" if c.next_due_on and c.next_due_on < today else ""
            cases.append(
                RecordItem(
                    "complaint",
                    c.id,
                    [
                        f"{c.reference} · received {short_date(c.received_on)} · {c.state}{nxt}",
                        _cut(c.description, 150),
                    ],
                    classes=overdue,
                    label=c.reference,
                )
            )
        cases.append(
            RecordItem(
                "heading",
                0,
                [f"Service requests ({len(record.service_requests)})"],
                classes="heading",
                disabled=True,
            )
        )
        if not record.service_requests:
            cases.append(RecordItem("none", 0, ["No service requests."], classes="empty", disabled=True))
        for s in record.service_requests:
            cases.append(
                RecordItem(
                    "request",
                    s.id,
                    [
                        f"{s.reference} · received {short_date(s.received_on)} · {s.status}",
                        _cut(s.description, 150),
                    ],
                    classes="ended" if s.status != "open" else "",
                    label=s.reference,
                )
            )
        await self._fill("list-cases", cases, "")
        self.refresh_bindings()

    # which keys apply ----------------------------------------------------------------------------

    def _active_tab(self) -> str:
        try:
            return self.query_one(TabbedContent).active
        except Exception:
            return "tab-details"

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        tab = ACTION_TABS.get(action)
        if tab is None:
            return True
        if tab != self._active_tab():
            return False
        if action == "edit" or action.startswith("add_"):
            return self.record is not None
        return self._selected(action.split("_", 1)[1]) is not None or None

    def prepare_action(self, action: str) -> None:
        tab = ACTION_TABS.get(action)
        if tab:
            self.query_one(TabbedContent).active = tab

    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        self.refresh_bindings()

    @on(ListView.Highlighted)
    def _highlighted(self) -> None:
        self.refresh_bindings()

    def _selected(self, kind: str) -> RecordItem | None:
        list_id = {
            "representative": "list-representatives",
            "adjustment": "list-adjustments",
            "restriction": "list-restrictions",
            "complaint": "list-cases",
        }[kind]
        item = self.query_one(f"#{list_id}", ListView).highlighted_child
        if isinstance(item, RecordItem) and item.kind == kind:
            return item
        return None

    # actions -------------------------------------------------------------------------------------

    async def action_back(self) -> None:
        await go_back(self)

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        pane_list = self.query_one(f"#{tab}").query(ListView)
        if pane_list:
            pane_list.first().focus()

    def _after_change(self, message: str):
        def done(result) -> None:
            if result is not None and result is not False:
                self.notify(message)
                self.reload()

        return done

    def action_edit(self) -> None:
        if self.record:
            self.app.push_screen(
                ResidentForm(self.db, self.record.resident), self._after_change("Details saved.")
            )

    def action_add_representative(self) -> None:
        self.app.push_screen(
            RepresentativeForm(self.db, self.resident_id), self._after_change("Representative added.")
        )

    def action_add_adjustment(self) -> None:
        self.app.push_screen(
            AdjustmentForm(self.db, self.resident_id), self._after_change("Adjustment added.")
        )

    def action_add_restriction(self) -> None:
        self.app.push_screen(
            RestrictionForm(self.db, self.resident_id), self._after_change("Restriction added.")
        )

    def _review(self, kind: str) -> None:
        item = self._selected(kind)
        if item is None:
            self.notify(f"Highlight the {kind} to review first.", severity="warning")
            return
        if "ended" in item.classes:
            self.notify(f"That {kind} has ended; there is nothing to review.", severity="warning")
            return
        self.app.push_screen(
            ReviewForm(self.db, kind, item.ident, item.label), self._after_change("Review recorded.")
        )

    def action_review_adjustment(self) -> None:
        self._review("adjustment")

    def action_review_restriction(self) -> None:
        self._review("restriction")

    def _end(self, kind: str, fn, question: str) -> None:
        item = self._selected(kind)
        if item is None:
            self.notify(f"Highlight the {kind} to end first.", severity="warning")
            return
        if "ended" in item.classes:
            self.notify(f"That {kind} has already ended.", severity="warning")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                call_service(
                    self, fn, self.db, item.ident, on_done=self._after_change(f"{kind.capitalize()} ended.")
                )

        self.app.push_screen(ConfirmScreen(question, item.label, yes="End it"), answered)

    def action_end_representative(self) -> None:
        self._end(
            "representative",
            residents_service.end_representative,
            "Stop treating this person as the resident's representative?",
        )

    def action_end_adjustment(self) -> None:
        self._end("adjustment", residents_service.end_adjustment, "End this adjustment from today?")

    def action_end_restriction(self) -> None:
        self._end("restriction", residents_service.end_restriction, "Lift this restriction from today?")

    def action_open_complaint(self) -> None:
        item = self._selected("complaint")
        if item is not None:
            self._open_complaint(item.ident)

    def _open_complaint(self, complaint_id: int) -> None:
        opener = getattr(self.app, "open_complaint", None)
        if opener is None:
            self.notify("Complaints cannot be opened from here in this version.", severity="warning")
            return
        opener(complaint_id)

    @on(ListView.Selected, "#list-cases")
    def _case_chosen(self, event: ListView.Selected) -> None:
        if isinstance(event.item, RecordItem) and event.item.kind == "complaint":
            self._open_complaint(event.item.ident)
        elif isinstance(event.item, RecordItem) and event.item.kind == "request":
            self.notify(
                "Service requests are listed here for reference; a complaint about one is "
                "logged as a new complaint."
            )

    def on_screen_resume(self) -> None:
        if self.is_mounted and self.record is not None:
            self.reload()
