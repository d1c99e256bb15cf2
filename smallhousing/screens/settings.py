"""Settings: the landlord's details, the Ombudsman's contact details, staff, homes per year,
closure days, and the way to imports and backups.

Every read and write goes through smallhousing.services.settings in a worker thread.
"""

from __future__ import annotations

import asyncio
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Button, Input, ListItem, ListView, Static, TabbedContent, TabPane, Tabs

from ..domain import compensation as K
from ..domain.calendar import short_date
from ..domain.errors import DomainError
from ..domain.years import year_label, year_of
from ..paths import backups_dir
from ..services import compensation as compensation_service
from ..services import settings as settings_service
from .common import KeyFooter, NavBar
from .resident_forms import (
    BindingCommands,
    ConfirmScreen,
    FormField,
    FormFields,
    FormScreen,
    FormScroll,
    call_service,
    go_back,
)

TABS = Binding.Group("Tabs", compact=True)

LANDLORD_FIELDS = (
    ("name", "Landlord's name", True, ""),
    ("address", "Address", False, ""),
    ("phone", "Phone", False, ""),
    ("email", "Email for complaints", False, ""),
    ("website", "Website", False, ""),
    ("complaints_officer", "Complaints officer", False, "The person who runs complaints day to day."),
    (
        "member_responsible",
        "Member Responsible for Complaints",
        False,
        "The member of the governing body who oversees complaints (Code 9.5).",
    ),
)
OMBUDSMAN_FIELDS = (
    ("ombudsman_form_url", "Online complaint form (web address)"),
    ("ombudsman_phone", "Telephone"),
    ("ombudsman_post", "Postal address"),
)

FORM_MESSAGES = {"landlord-fields": "landlord-message", "ombudsman-fields": "ombudsman-message"}

ACTION_TABS = {
    "save_landlord": "tab-landlord",
    "save_ombudsman": "tab-ombudsman",
    "add_staff": "tab-staff",
    "edit_staff": "tab-staff",
    "toggle_staff": "tab-staff",
    "set_homes": "tab-homes",
    "add_closure": "tab-closures",
    "remove_closure": "tab-closures",
    "edit_target": "tab-targets",
    "reset_target": "tab-targets",
    "edit_rate": "tab-compensation",
    "reset_rates": "tab-compensation",
}


class SettingItem(ListItem):
    """One member of staff, year of homes or closure day."""

    def __init__(self, kind: str, key: Any, lines: list[str], *, classes: str = "", row: Any = None) -> None:
        super().__init__(classes=f"setting-item {classes}".strip())
        self.kind, self.key, self.lines, self.row = kind, key, lines, row

    def compose(self) -> ComposeResult:
        for i, line in enumerate(self.lines):
            yield Static(line, classes="item-main" if i == 0 else "item-detail", markup=False)


# forms -------------------------------------------------------------------------------------------


class StaffForm(FormScreen[int | None]):
    """Add a member of staff, or change one's name, role or email."""

    INTRO = (
        "Someone who handles complaints. One record per person: stage 2 goes to someone who had "
        "no part in stage 1 (6.13)."
    )

    def __init__(self, db, staff=None) -> None:
        super().__init__(db)
        self.staff = staff

    def heading(self) -> str:
        return f"Change {self.staff.name}" if self.staff else "Add a member of staff"

    def form_fields(self) -> list[FormField]:
        s = self.staff
        return [
            FormField("name", "Name", s.name if s else "", required=True, what="the name"),
            FormField("role", "Role", s.role if s else "", placeholder="e.g. Housing Officer"),
            FormField("email", "Email", s.email if s else "", kind="email", help="Can be left empty."),
        ]

    _left: "settings_service.StaffLeft | None" = None

    def perform(self, values: dict[str, Any]) -> int:
        if self.staff is None:
            try:
                return settings_service.add_staff(
                    self.db, values["name"], role=values["role"], email=values["email"]
                ).id
            except settings_service.StaffLeft as exc:
                self._left = exc  # the same person came back: offered reactivation once refused
                raise
        return settings_service.update_staff(self.db, self.staff.id, **values).id

    def _refused(self, text: str, field_name: str | None) -> None:
        super()._refused(text, field_name)
        left, self._left = self._left, None
        if left is None:
            return

        def reactivated(row) -> None:
            self.app.notify(f"{row.name} is active again.")
            self.dismiss(row.id)

        def answered(yes: bool | None) -> None:
            if yes:
                call_service(
                    self, settings_service.reactivate_staff, self.db, left.staff_id, on_done=reactivated
                )

        self.app.push_screen(
            ConfirmScreen(
                f"Reactivate {left.name}?",
                f"{left.name} left the staff list earlier. Reactivating keeps one record for them, so "
                "the complaints they handled stay theirs (Code 6.13).",
                yes="Reactivate",
            ),
            answered,
        )


class HomesForm(FormScreen[int | None]):
    TITLE_TEXT = "Homes owned or managed in a reporting year"
    INTRO = "Used for complaints per 1,000 homes (TSM CH01). Reporting years run from 1 April to 31 March."
    FIELD_ALIASES = {"": "year"}

    def __init__(self, db, year: int | None = None, homes: int | None = None) -> None:
        super().__init__(db)
        self.year = year if year is not None else year_of(db.today)
        self.homes = homes

    def form_fields(self) -> list[FormField]:
        return [
            FormField(
                "year",
                "Reporting year",
                year_label(self.year),
                kind="year",
                required=True,
                placeholder="e.g. 2025/26",
                help="Type 2025 or 2025/26 for April 2025 to March 2026.",
            ),
            FormField(
                "homes",
                "Number of homes",
                "" if self.homes is None else str(self.homes),
                kind="number",
                required=True,
                what="the number of homes",
            ),
        ]

    def perform(self, values: dict[str, Any]) -> int:
        return settings_service.set_homes(self.db, values["year"], values["homes"]).year


class ClosureForm(FormScreen[Any]):
    TITLE_TEXT = "Add a closure day"
    INTRO = (
        "A weekday the office is shut, such as a training day: not a working day, so due dates "
        "of open complaints are worked out again; some move later."
    )

    def form_fields(self) -> list[FormField]:
        return [
            FormField(
                "day", "Date", kind="date", required=True, placeholder="e.g. 24/12/2026", what="closure date"
            ),
            FormField("reason", "Reason", placeholder="e.g. office closed for training"),
        ]

    def perform(self, values: dict[str, Any]):
        return settings_service.add_closure_day(self.db, values["day"], values["reason"]).day


class TargetForm(FormScreen[Any]):
    """A category's target for service requests, in working days (Code 1.4)."""

    INTRO = (
        "How many working days a service request of this kind should take: its target date is "
        "that many working days after it was received. Open requests of this kind move to it."
    )

    def __init__(self, db, target) -> None:
        super().__init__(db)
        self.target = target

    def heading(self) -> str:
        return f"Target for {self.target.category}"

    def form_fields(self) -> list[FormField]:
        t = self.target
        return [
            FormField(
                "working_days",
                "Working days",
                str(t.working_days),
                kind="number",
                required=True,
                minimum=0,
                what="the number of working days",
                help=f"The default is {t.default_days}. 0 means the same day.",
            )
        ]

    def perform(self, values: dict[str, Any]):
        from ..services import service_requests as SRS

        return SRS.set_target(self.db, self.target.category, values["working_days"]).working_days


class RateForm(FormScreen[Any]):
    """Change the sum for one kind of loss in the Ombudsman's compensation guidance."""

    INTRO = (
        "The sum used to work out a remedy for this kind of loss (7.2, 7.4). Remedies already "
        "offered keep the sum they were worked out at."
    )
    USE = ("in use", "switched off")

    def __init__(self, db, rate: K.Rate) -> None:
        super().__init__(db)
        self.rate = rate

    def heading(self) -> str:
        return f"Compensation: {self.rate.label.lower()}"

    def form_fields(self) -> list[FormField]:
        published = K.BY_KIND[self.rate.kind]
        return [
            FormField(
                "sum",
                f"Sum for each {self.rate.unit}, in pounds",
                f"{self.rate.pence / 100:.2f}",
                required=True,
                what="the sum",
                help=f"The guidance of {K.GUIDANCE_ON.day} {K.GUIDANCE_ON:%B %Y} sets "
                f"{K.money(published.pence)} a {published.unit}.",
            ),
            FormField(
                "use",
                "Offered in the remedy form",
                self.USE[0] if self.rate.active else self.USE[1],
                kind="choice",
                choices=self.USE,
            ),
        ]

    def perform(self, values: dict[str, Any]):
        from .common import parse_pounds

        try:
            pence = parse_pounds(values["sum"])
        except DomainError as e:
            raise DomainError(str(e), field="sum") from None
        return compensation_service.set_rate(
            self.db, self.rate.kind, pence, active=values["use"] == self.USE[0]
        )


# the screen --------------------------------------------------------------------------------------


class SettingsScreen(Screen):
    """The landlord's settings, on tabs; each tab has its own keys, shown in the footer."""

    CSS_PATH = ["form_kit.tcss", "settings.tcss"]
    COMMANDS = {BindingCommands}
    BINDINGS = [
        Binding("escape", "back", "Back", id="settings.back"),
        Binding("1", "tab('tab-landlord')", "Landlord", group=TABS, id="settings.tab_landlord"),
        Binding("2", "tab('tab-ombudsman')", "Ombudsman", group=TABS, id="settings.tab_ombudsman"),
        Binding("3", "tab('tab-staff')", "Staff", group=TABS, id="settings.tab_staff"),
        Binding("4", "tab('tab-homes')", "Homes", group=TABS, id="settings.tab_homes"),
        Binding("5", "tab('tab-closures')", "Closure days", group=TABS, id="settings.tab_closures"),
        Binding("6", "tab('tab-data')", "Import and backups", group=TABS, id="settings.tab_data"),
        Binding("7", "tab('tab-targets')", "Request targets", group=TABS, id="settings.tab_targets"),
        Binding("ctrl+s", "save_landlord", "Save", id="settings.save_landlord"),
        Binding("ctrl+s", "save_ombudsman", "Save", id="settings.save_ombudsman"),
        Binding("a", "add_staff", "Add", id="settings.add_staff"),
        Binding("e", "edit_staff", "Change", id="settings.edit_staff"),
        Binding("x", "toggle_staff", "Deactivate", id="settings.toggle_staff"),
        Binding("a", "set_homes", "Set homes", id="settings.set_homes"),
        Binding("a", "add_closure", "Add", id="settings.add_closure"),
        Binding("x", "remove_closure", "Remove", id="settings.remove_closure"),
        Binding("i", "import_records", "Import", id="settings.import"),
        Binding("b", "backup", "Backups", id="settings.backup"),
        Binding("e", "edit_target", "Change", id="settings.edit_target"),
        Binding("x", "reset_target", "Default", id="settings.reset_target"),
        Binding("c", "contractors", "Contractors", id="settings.contractors"),
        Binding("8", "tab('tab-compensation')", "Compensation", group=TABS, id="settings.tab_compensation"),
        Binding("e", "edit_rate", "Change sum", id="settings.edit_rate"),
        Binding("r", "reset_rates", "Reset to the guidance", id="settings.reset_rates"),
    ]
    PALETTE_NAMES = {
        "save_landlord": "Save the landlord's details",
        "save_ombudsman": "Save the Ombudsman's contact details",
        "add_staff": "Add a member of staff",
        "edit_staff": "Rename or change a member of staff",
        "toggle_staff": "Deactivate or reactivate a member of staff",
        "set_homes": "Set the number of homes for a year",
        "add_closure": "Add a closure day",
        "remove_closure": "Remove a closure day",
        "import_records": "Import records",
        "backup": "Back up or restore",
        "edit_target": "Change the target for a kind of service request",
        "reset_target": "Put a service request target back to its default",
        "contractors": "Contractors (Code 5.4, 5.5)",
        "edit_rate": "Change a compensation sum",
        "reset_rates": "Reset the compensation sums to the Ombudsman's guidance",
    }

    def __init__(self, db) -> None:
        super().__init__()
        self.db = db
        self.loaded = False
        self._show_lock = asyncio.Lock()
        self._clean: dict[str, dict[str, Any]] = {}  # each form's fields as last read or saved
        self._message_about: dict[str, "str | tuple[str, str | None]"] = {}

    # layout --------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield NavBar("settings")
        yield Static("Settings", classes="screen-title")
        with TabbedContent(id="settings-tabs", initial="tab-landlord"):
            with TabPane("Landlord", id="tab-landlord"):
                with FormScroll(classes="settings-form"):
                    yield FormFields(self._landlord_fields(), id="landlord-fields", disabled=True)
                    yield Static("", id="landlord-message", classes="form-status", markup=False)
                    with Horizontal(classes="form-buttons"):
                        yield Button("Save (ctrl+s)", variant="primary", id="landlord-save")
            with TabPane("Ombudsman", id="tab-ombudsman"):
                with FormScroll(classes="settings-form"):
                    yield Static(
                        "How residents can bring a complaint to the Housing Ombudsman. Letters "
                        "print these details, so none may be left empty. Change them only if "
                        "the Ombudsman changes them.",
                        classes="pane-hint",
                    )
                    yield FormFields(
                        [
                            FormField(name, label, required=True, what=f"the Ombudsman's {label.lower()}")
                            for name, label in OMBUDSMAN_FIELDS
                        ],
                        id="ombudsman-fields",
                        disabled=True,  # until the details are read: nothing typed is overwritten
                    )
                    yield Static("", id="ombudsman-message", classes="form-status", markup=False)
                    with Horizontal(classes="form-buttons"):
                        yield Button("Save (ctrl+s)", variant="primary", id="ombudsman-save")
            with TabPane("Staff", id="tab-staff"):
                yield Static(
                    "People who handle complaints. Staff who leave are deactivated, not "
                    "deleted, so past records keep their names.",
                    classes="pane-hint",
                )
                yield ListView(id="list-staff", classes="settings-list")
            with TabPane("Homes", id="tab-homes"):
                yield Static("Homes per reporting year, for complaints per 1,000 homes.", classes="pane-hint")
                yield ListView(id="list-homes", classes="settings-list")
            with TabPane("Closure days", id="tab-closures"):
                yield Static(
                    "Weekdays the office is shut. They do not count as working days; adding "
                    "or removing one moves the due dates of open complaints. Bank holidays "
                    "in England and Wales are already left out.",
                    classes="pane-hint",
                )
                yield ListView(id="list-closures", classes="settings-list")
            with TabPane("Import and backups", id="tab-data"):
                with FormScroll():
                    yield Static("", id="data-where", markup=False)
                    with Horizontal(classes="form-buttons"):
                        yield Button("Back up or restore (b)", variant="primary", id="open-backup")
                        yield Button("Import records (i)", id="open-import")
            with TabPane("Targets", id="tab-targets"):
                yield Static(
                    "Working days each kind of service request should take (Code 1.4). These "
                    "are defaults until you change them; e changes one, x puts it back.",
                    classes="pane-hint",
                )
                yield ListView(id="list-targets", classes="settings-list")
            with TabPane("Compensation", id="tab-compensation"):
                yield Static(
                    f"Sums from the Housing Ombudsman's compensation guidance of "
                    f"{K.GUIDANCE_ON.day} {K.GUIDANCE_ON:%B %Y} (from {K.GUIDANCE_STARTS.day} "
                    f"{K.GUIDANCE_STARTS:%B %Y}), used to work out remedies (7.2, 7.4). "
                    "e: change a sum · r: back to the guidance.",
                    classes="pane-hint",
                )
                yield ListView(id="list-rates", classes="settings-list")
        yield KeyFooter()

    def _landlord_fields(self) -> list[FormField]:
        fields = [
            FormField(
                name,
                label,
                required=required,
                help=help_text,
                what="the landlord's name" if name == "name" else "",
                kind="email" if name == "email" else "text",
            )
            for name, label, required, help_text in LANDLORD_FIELDS
        ]
        fields.append(
            FormField(
                "retention_years",
                "Years to keep closed complaints",
                kind="number",
                required=True,
                minimum=1,
                what="the number of years",
                help="Records of complaints closed longer ago than this can be anonymised.",
            )
        )
        fields.append(
            FormField(
                "escalation_window_days",
                "Working days a resident has to ask for stage 2",
                kind="number",
                required=True,
                minimum=0,
                what="the number of working days",
                help="The Code sets no limit; 0 means no limit.",
            )
        )
        return fields

    def on_mount(self) -> None:
        where = self.query_one("#data-where", Static)
        where.update(
            f"The records are kept in:\n  {self.db.path}\n\nBackups are kept in:\n  "
            f"{backups_dir(self.db.path)}\n\nBack up before importing, and keep a copy of "
            f"the backups folder somewhere safe, away from this computer."
        )
        self.reload()

    # loading -------------------------------------------------------------------------------------

    def reload(self) -> None:
        self._fetch()
        self._fetch_targets()
        self._fetch_rates()

    @work(thread=True, exclusive=True, group="settings-rates")
    def _fetch_rates(self) -> None:
        rates = compensation_service.rates(self.db)
        self.app.call_from_thread(self._show_rates, rates)

    async def _show_rates(self, rates: list[K.Rate]) -> None:
        items = []
        for r in rates:
            published = K.BY_KIND[r.kind]
            each = "each" if r.unit == "appointment" else f"a {r.unit}"
            if not r.active:
                detail = "switched off: not offered in the remedy form"
            elif r.pence == published.pence:
                detail = "the guidance's sum"
            else:
                detail = f"changed: the guidance sets {K.money(published.pence)}"
            items.append(
                SettingItem("rate", r.kind, [f"{r.label}: {K.money(r.pence)} {each}", detail], row=r)
            )
        async with self._show_lock:
            await self._fill("list-rates", items, "")
        self.refresh_bindings()

    @work(thread=True, exclusive=True, group="settings-load")
    def _fetch(self) -> None:
        data = (
            settings_service.get_settings(self.db),
            settings_service.list_staff(self.db, active_only=False),
            settings_service.list_homes(self.db),
            settings_service.list_closure_days(self.db),
        )
        self.app.call_from_thread(self._show, *data)

    @work(thread=True, exclusive=True, group="settings-targets")
    def _fetch_targets(self) -> None:
        from ..services import service_requests as SRS

        targets = SRS.list_targets(self.db)
        self.app.call_from_thread(self._show_targets, targets)

    async def _show_targets(self, targets) -> None:
        async with self._show_lock:
            items = []
            for t in targets:
                unit = "working day" if t.working_days == 1 else "working days"
                where = f"set here; the default is {t.default_days}" if t.from_settings else "the default"
                detail = f"{t.note} · {where}" if t.note else where
                items.append(
                    SettingItem("target", t.category, [f"{t.label}: {t.working_days} {unit}", detail], row=t)
                )
            await self._fill("list-targets", items, "No categories.")
            self.refresh_bindings()

    async def _show(self, landlord, staff, homes, closures) -> None:
        async with self._show_lock:  # reloads can overlap; fill the lists one at a time
            await self._show_all(landlord, staff, homes, closures)

    async def _show_all(self, landlord, staff, homes, closures) -> None:
        if not self.loaded:  # the forms are filled once; saving keeps what was typed
            self.query_one("#landlord-fields", FormFields).set_values(
                {f.name: getattr(landlord, f.name) for f in self._landlord_fields()}
            )
            self.query_one("#ombudsman-fields", FormFields).set_values(
                {name: getattr(landlord, name) for name, _ in OMBUDSMAN_FIELDS}
            )
            for form in self.query(FormFields):
                form.disabled = False
                self._clean[form.id or ""] = form.texts()
        self.loaded = True
        items = []
        for s in sorted(staff, key=lambda s: (not s.active, s.name.lower())):
            detail = " · ".join(x for x in (s.role, s.email) if x) or "no role recorded"
            if not s.active:
                detail += " · no longer active"
            items.append(
                SettingItem("staff", s.id, [s.name, detail], classes="" if s.active else "inactive", row=s)
            )
        await self._fill("list-staff", items, "No staff yet. Press a to add someone.")
        items = [
            SettingItem("homes", h.year, [f"{year_label(h.year)}: {h.homes:,} homes"], row=h) for h in homes
        ]
        await self._fill("list-homes", items, "No years yet. Press a to set the homes for a year.")
        today = self.db.today
        items = [
            SettingItem(
                "closure",
                c.day,
                [short_date(c.day) + (f": {c.reason}" if c.reason else "")],
                classes="past" if c.day < today else "",
                row=c,
            )
            for c in closures
        ]
        await self._fill("list-closures", items, "No closure days. Press a to add one.")
        self.refresh_bindings()

    async def _fill(self, list_id: str, items: list[SettingItem], empty: str) -> None:
        try:
            lv = self.query_one(f"#{list_id}", ListView)
        except NoMatches:  # the screen was left while its lists were being read
            return
        index = lv.index
        await lv.clear()
        if not items:
            items = [SettingItem("none", None, [empty], classes="empty")]
        await lv.extend(items)
        lv.index = min(index or 0, len(items) - 1)

    # which keys apply ----------------------------------------------------------------------------

    def _active_tab(self) -> str:
        try:
            return self.query_one(TabbedContent).active
        except Exception:
            return "tab-landlord"

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        tab = ACTION_TABS.get(action)
        if tab is None:
            return True
        if tab != self._active_tab():
            return False
        if action in ("edit_staff", "toggle_staff"):
            return self._selected("staff") is not None or None
        if action == "remove_closure":
            return self._selected("closure") is not None or None
        if action == "edit_target":
            return self._selected("target") is not None or None
        if action == "reset_target":
            item = self._selected("target")
            return (item is not None and item.row.from_settings) or None
        if action == "edit_rate":
            return self._selected("rate") is not None or None
        if action.startswith("save_"):
            return self.loaded or None
        return True

    def prepare_action(self, action: str) -> None:
        tab = ACTION_TABS.get(action)
        if tab:
            self.query_one(TabbedContent).active = tab

    @on(TabbedContent.TabActivated)
    @on(ListView.Highlighted)
    def _refresh_keys(self) -> None:
        self.refresh_bindings()

    def _selected(self, kind: str) -> SettingItem | None:
        list_id = {
            "staff": "list-staff",
            "homes": "list-homes",
            "closure": "list-closures",
            "target": "list-targets",
            "rate": "list-rates",
        }[kind]
        item = self.query_one(f"#{list_id}", ListView).highlighted_child
        return item if isinstance(item, SettingItem) and item.kind == kind else None

    # actions -------------------------------------------------------------------------------------

    async def action_back(self) -> None:
        if isinstance(self.focused, Input):
            # the first escape leaves the text box (so the number keys switch tabs again)
            self.query_one(TabbedContent).query_one(Tabs).focus()
            return
        await go_back(self)

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        lists = self.query_one(f"#{tab}").query(ListView)
        if lists:
            lists.first().focus()
        else:
            self.query_one(TabbedContent).query_one(Tabs).focus()

    # changes not saved --------------------------------------------------------------------------

    def has_unsaved_changes(self) -> bool:
        """The landlord's or the Ombudsman's details changed here and not saved: the app asks
        before they are let go (Esc, another section, Ctrl+Q)."""
        return any(
            form.texts() != self._clean[form.id or ""]
            for form in self.query(FormFields)
            if (form.id or "") in self._clean
        )

    @on(Input.Changed, "FormFields Input")
    def _form_changed(self, event: Input.Changed) -> None:
        form = next((a for a in event.input.ancestors if isinstance(a, FormFields)), None)
        if form is None or form.id not in FORM_MESSAGES:
            return
        message_id = FORM_MESSAGES[form.id]
        about = self._message_about.get(message_id)
        if about == "checks":  # what will not do, as it is put right: fewer, then none
            self._show_problems(form, self.query_one(f"#{message_id}", Static), form.problems())
        elif isinstance(about, tuple) and (about[1] is None or event.input.id == f"f-{about[1]}"):
            self._say(message_id, "", None)

    def _say(self, message_id: str, text: str, about: "str | tuple[str, str | None] | None") -> None:
        message = self.query_one(f"#{message_id}", Static)
        message.update(text)
        message.set_class(about is not None, "-error")
        if about is None:
            self._message_about.pop(message_id, None)
        else:
            self._message_about[message_id] = about

    def _show_problems(self, form: FormFields, message: Static, problems: list[tuple[str, str]]) -> None:
        if not problems:
            self._say(message.id or "", "", None)
            return
        text = problems[0][1] if len(problems) == 1 else f"{len(problems)} answers need correcting."
        self._say(message.id or "", f"Nothing has been saved: {text}", "checks")

    def _save_form(self, fields_id: str, message_id: str, what: str) -> None:
        form = self.query_one(f"#{fields_id}", FormFields)
        message = self.query_one(f"#{message_id}", Static)
        values, problems = form.collect()
        if problems:
            form.widget(problems[0][0]).focus()
            self._show_problems(form, message, problems)
            return
        sent = form.texts()

        def refused(text: str, field_name: str | None) -> None:
            form.show_problem(field_name, text)
            self._say(message_id, f"Not saved: {text}", ("refused", field_name))

        def saved(_row) -> None:
            self._clean[fields_id] = sent
            self._say(message_id, f"The {what} have been saved.", None)
            self.notify(f"The {what} have been saved.")

        self._say(message_id, "Saving…", None)
        call_service(
            self, settings_service.update_settings, self.db, on_done=saved, on_error=refused, **values
        )

    def action_save_landlord(self) -> None:
        self._save_form("landlord-fields", "landlord-message", "landlord's details")

    def action_save_ombudsman(self) -> None:
        self._save_form("ombudsman-fields", "ombudsman-message", "Ombudsman's contact details")

    @on(Button.Pressed, "#landlord-save")
    def _landlord_pressed(self) -> None:
        self.action_save_landlord()

    @on(Button.Pressed, "#ombudsman-save")
    def _ombudsman_pressed(self) -> None:
        self.action_save_ombudsman()

    def _after(self, message: str, *, always: bool = False):
        def done(result) -> None:
            if always or result is not None:
                self.notify(message)
                self.reload()

        return done

    def action_add_staff(self) -> None:
        self.app.push_screen(StaffForm(self.db), self._after("Member of staff added."))

    def action_edit_staff(self) -> None:
        item = self._selected("staff")
        if item is None:
            self.notify("Highlight a member of staff first.", severity="warning")
            return
        self.app.push_screen(StaffForm(self.db, item.row), self._after("Member of staff changed."))

    def action_toggle_staff(self) -> None:
        item = self._selected("staff")
        if item is None:
            self.notify("Highlight a member of staff first.", severity="warning")
            return
        staff = item.row
        if staff.active:
            question = f"Deactivate {staff.name}?"
            detail = (
                "They will no longer be offered as a complaint handler. Complaints they "
                "handled keep their name."
            )
            done = f"{staff.name} is no longer active."
        else:
            question, detail, done = f"Make {staff.name} active again?", "", f"{staff.name} is active again."

        def answered(yes: bool | None) -> None:
            if yes:
                if staff.active:
                    call_service(
                        self,
                        settings_service.update_staff,
                        self.db,
                        staff.id,
                        active=False,
                        on_done=self._after(done),
                    )
                else:
                    call_service(
                        self, settings_service.reactivate_staff, self.db, staff.id, on_done=self._after(done)
                    )

        yes = "Deactivate" if staff.active else "Reactivate"
        self.app.push_screen(ConfirmScreen(question, detail, yes=yes), answered)

    def action_set_homes(self) -> None:
        item = self._selected("homes")
        form = HomesForm(self.db, item.key, item.row.homes) if item else HomesForm(self.db)
        self.app.push_screen(form, self._after("Homes saved."))

    def action_add_closure(self) -> None:
        self.app.push_screen(
            ClosureForm(self.db),
            self._after("Closure day added. Due dates of open complaints have been worked out again."),
        )

    def action_remove_closure(self) -> None:
        item = self._selected("closure")
        if item is None:
            self.notify("Highlight a closure day first.", severity="warning")
            return
        day = item.key

        def answered(yes: bool | None) -> None:
            if yes:
                call_service(
                    self,
                    settings_service.remove_closure_day,
                    self.db,
                    day,
                    on_done=self._after(
                        "Closure day removed. Due dates of open complaints have been worked out again.",
                        always=True,
                    ),
                )

        self.app.push_screen(
            ConfirmScreen(
                f"Remove the closure day on {short_date(day)}?",
                "It will count as a working day again, so due dates of open complaints may move earlier.",
                yes="Remove",
            ),
            answered,
        )

    def action_edit_target(self) -> None:
        item = self._selected("target")
        if item is None:
            self.notify("Highlight a kind of service request first.", severity="warning")
            return
        self.app.push_screen(
            TargetForm(self.db, item.row),
            self._after(
                f"Target for {item.row.category} saved. Open requests of this kind have moved to it."
            ),
        )

    def action_reset_target(self) -> None:
        item = self._selected("target")
        if item is None or not item.row.from_settings:
            self.notify("Highlight a target changed here first.", severity="warning")
            return
        t = item.row
        from ..services import service_requests as SRS

        def answered(yes: bool | None) -> None:
            if yes:
                call_service(
                    self,
                    SRS.reset_target,
                    self.db,
                    t.category,
                    on_done=self._after(f"The target for {t.category} is the default again.", always=True),
                )

        self.app.push_screen(
            ConfirmScreen(
                f"Put the target for {t.category} back to {t.default_days} working days?",
                f"It is {t.working_days} now. Open requests of this kind move to the default.",
                yes="Use the default",
            ),
            answered,
        )

    def action_edit_rate(self) -> None:
        item = self._selected("rate")
        if item is None:
            self.notify("Highlight a sum first.", severity="warning")
            return
        self.app.push_screen(RateForm(self.db, item.row), self._after("Sum saved."))

    def action_reset_rates(self) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                call_service(
                    self,
                    compensation_service.reset_to_guidance,
                    self.db,
                    on_done=self._after("Every sum is the guidance's again.", always=True),
                )

        self.app.push_screen(
            ConfirmScreen(
                "Set every compensation sum back to the Ombudsman's guidance?",
                "Sums you changed, and kinds of loss you switched off, go back to the published "
                "figures. Remedies already offered keep the sums they were worked out at.",
                yes="Reset",
            ),
            answered,
        )

    def action_import_records(self) -> None:
        try:
            from .transfer import ImportScreen
        except ImportError:
            self.notify("Importing is not available in this version yet.", severity="warning")
            return
        self.app.push_screen(ImportScreen(self.db))

    def action_contractors(self) -> None:
        from .contractors import ContractorsScreen

        self.app.push_screen(ContractorsScreen(self.db))

    def action_backup(self) -> None:
        try:
            from .transfer import BackupScreen
        except ImportError:
            self.notify(
                f"Backups from this screen are not available in this version yet. Backups are "
                f"kept in {backups_dir(self.db.path)}.",
                severity="warning",
            )
            return
        self.app.push_screen(BackupScreen(self.db))

    @on(Button.Pressed, "#open-backup")
    def _backup_pressed(self) -> None:
        self.action_backup()

    @on(Button.Pressed, "#open-import")
    def _import_pressed(self) -> None:
        self.action_import_records()

    def on_screen_resume(self) -> None:
        if self.is_mounted and self.loaded:
            self.reload()
