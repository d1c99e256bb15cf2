"""Complaints taken to the Housing Ombudsman: referral, case number, finding, orders and compliance."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Button, DataTable, Input, Label, Select, Static, TextArea

from ..domain import ombudsman as OM
from ..services import learning as LS
from .common import KeyFooter, PlainTable, compact_day
from .form_kit import Field, FormScreen, Required

FINDING_OPTIONS = [(f[:1].upper() + f[1:], f) for f in OM.FINDINGS]
ORDER_KIND_OPTIONS = [(OM.ORDER_KIND_LABELS[k], k) for k in OM.ORDER_KINDS]
ORDER_KIND_SHORT = {OM.ORDER: "order", OM.RECOMMENDATION: "recommend.", OM.CHFO: "CHF order"}


class CaseForm(FormScreen):
    """Record a referral to the Ombudsman, or change one (``case`` is a CaseLine)."""

    INTRO = (
        "A complaint a resident took to the Housing Ombudsman. Its outcome and any orders are "
        "reported to the governing body (9.7)."
    )

    def __init__(self, db, case=None) -> None:
        super().__init__(db)
        self.case = case

    def form_title(self) -> str:
        return f"Change Ombudsman case {self.case.case_number}" if self.case else "Record an Ombudsman case"

    def compose_fields(self) -> ComposeResult:
        c = self.case
        yield Field(
            "Date the complaint was referred to the Ombudsman",
            self.date_input("referred_on", c.referred_on if c else self.today),
        )
        yield Field(
            "Ombudsman case number", Input(c.case_number if c else "", id="case_number", compact=True)
        )
        yield Field(
            "Our complaint reference (optional)",
            Input(c.reference if c else "", id="complaint", compact=True, placeholder="e.g. 2025-0042"),
        )
        yield Field(
            "What it is about", TextArea(c.summary if c else "", id="summary", compact=True, classes="box")
        )

    def save(self):
        complaint = self.text("complaint").strip() or None
        if self.case is None:
            return LS.record_case(
                self.db,
                self.date("referred_on", "referral date"),
                case_number=self.text("case_number"),
                complaint=complaint,
                summary=self.text("summary"),
            )
        return LS.update_case(
            self.db,
            self.case.id,
            referred_on=self.date("referred_on", "referral date"),
            case_number=self.text("case_number"),
            complaint=complaint,
            summary=self.text("summary"),
        )


class FindingForm(FormScreen):
    SAVE_LABEL = "Record finding"

    def __init__(self, db, case) -> None:
        super().__init__(db)
        self.case = case

    def form_title(self) -> str:
        return f"The Ombudsman's finding on case {self.case.case_number or self.case.id}"

    def compose_fields(self) -> ComposeResult:
        c = self.case
        yield Field(
            "Finding",
            Select(
                FINDING_OPTIONS,
                value=c.finding or Select.NULL,
                prompt="Choose the finding",
                id="finding",
                compact=True,
            ),
        )
        yield Field(
            "Date of the determination", self.date_input("determined_on", c.determined_on or self.today)
        )

    def save(self):
        return LS.record_finding(
            self.db,
            self.case.id,
            self.choice("finding") or "",
            self.date("determined_on", "determination date"),
        )


class OrderForm(FormScreen):
    SAVE_LABEL = "Add order"
    INTRO = (
        "Orders and recommendations come with the determination; a complaint handling failure "
        "order may come before it. Reported to the governing body (9.7)."
    )

    def __init__(self, db, case) -> None:
        super().__init__(db)
        self.case = case

    def form_title(self) -> str:
        return f"An order or recommendation on case {self.case.case_number or self.case.id}"

    def compose_fields(self) -> ComposeResult:
        determined = self.case.determined_on is not None
        yield Field(
            "Kind",
            Select(
                ORDER_KIND_OPTIONS,
                value=OM.ORDER if determined else OM.CHFO,
                allow_blank=False,
                id="kind",
                compact=True,
            ),
            hint=""
            if determined
            else "No finding yet: only a complaint handling failure order can come now.",
        )
        yield Field(
            "What the Ombudsman asked us to do",
            Input(
                "", id="description", compact=True, validators=[Required("Say what the Ombudsman asked for.")]
            ),
        )
        yield Field(
            "Date it was made",
            self.date_input("made_on", self.case.determined_on if determined else self.today),
            hint="With a determination, the day of the determination.",
        )
        yield Field(
            "Date to comply by", self.date_input("due_on", None, required=False, not_after_today=False)
        )

    def save(self):
        return LS.add_order(
            self.db,
            self.case.id,
            self.text("description"),
            self.date("due_on", "due date"),
            kind=self.choice("kind") or OM.ORDER,
            made_on=self.date("made_on", "date it was made"),
        )


class ComplyForm(FormScreen):
    SAVE_LABEL = "Record compliance"
    FORM_TITLE = "Record that we complied with an order"

    def __init__(self, db, case) -> None:
        super().__init__(db)
        self.case = case

    def compose_fields(self) -> ComposeResult:
        open_orders = [
            (f"{ORDER_KIND_SHORT.get(o.kind, o.kind)}: {o.description}"[:60], o.id)
            for o in self.case.orders
            if o.complied_on is None
        ]
        yield Field(
            "Order",
            Select(
                open_orders,
                value=open_orders[0][1] if open_orders else Select.NULL,
                prompt="Choose the order",
                id="order",
                compact=True,
            ),
        )
        yield Field("Date we complied", self.date_input("complied_on", self.today))

    def save(self):
        from ..domain.errors import DomainError

        order = self.choice("order")
        if order is None:
            raise DomainError("Choose the order you complied with.", field="order")
        return LS.complete_order(self.db, order, self.date("complied_on", "date complied"))


class OmbudsmanCasesScreen(Screen):
    """Every case taken to the Ombudsman, newest first, with the highlighted case's orders below."""

    CSS_PATH = "reports.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back", id="ombudsman.back"),
        Binding("a", "add", "Add case", id="ombudsman.add"),
        Binding("e", "edit", "Change case", id="ombudsman.edit"),
        Binding("g", "finding", "Record finding", id="ombudsman.finding"),
        Binding("o", "order", "Add order", id="ombudsman.order"),
        Binding("k", "comply", "Order complied", id="ombudsman.comply"),
    ]

    def __init__(self, db, select_case: int | None = None) -> None:
        super().__init__()
        self.db = db
        self.cases: list = []
        self.select_case = select_case  # a case to highlight once the list is shown (from the worklist)

    def compose(self) -> ComposeResult:
        yield Label("Complaints taken to the Housing Ombudsman", classes="screen-title")
        yield PlainTable(id="cases-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="case-detail", markup=False)
        yield Label("Orders and recommendations for the highlighted case", classes="chart-title")
        yield PlainTable(id="orders-table", cursor_type="none", zebra_stripes=True, show_cursor=False)
        with Horizontal(classes="report-buttons"):
            yield Button("Add (a)", id="case-add", compact=True)
            yield Button("Finding (g)", id="case-finding", compact=True)
            yield Button("Order (o)", id="case-order", compact=True)
            yield Button("Complied (k)", id="case-comply", compact=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        cases = self.query_one("#cases-table", DataTable)
        cases.add_column("Case", key="case", width=10)
        cases.add_column("Referred", key="referred", width=9)
        cases.add_column("Finding", key="finding", width=24, grow=1)
        cases.add_column("Decided", key="decided", width=9)
        cases.add_column("Orders", key="orders", width=10)
        orders = self.query_one("#orders-table", DataTable)
        orders.add_column("Order", key="order", width=30, grow=1)
        orders.add_column("Due", key="due", width=9)
        orders.add_column("Done", key="done", width=9)
        orders.add_column("Kind", key="kind", width=10)
        self.load()

    @work(thread=True, exclusive=True, group="figures", exit_on_error=False)
    def load(self) -> None:
        cases = LS.list_cases(self.db)
        self.app.call_from_thread(self.show, cases)

    def show(self, cases) -> None:
        table = self.query_one("#cases-table", DataTable)
        keep = table.cursor_row
        table.clear()
        self.cases = cases
        for c in cases:
            still = sum(o.complied_on is None for o in c.orders)
            table.add_row(
                c.case_number or "-",
                compact_day(c.referred_on),
                c.finding or "awaiting decision",
                compact_day(c.determined_on),
                f"{len(c.orders)}" + (f" ({still} open)" if still else ""),
                key=str(c.id),
            )
        if self.select_case is not None:
            keep = next((i for i, c in enumerate(cases) if c.id == self.select_case), keep)
            self.select_case = None
        if cases:
            table.move_cursor(row=min(max(keep, 0), len(cases) - 1))
        self._orders()

    def _current(self):
        if not self.cases:
            return None
        row = self.query_one("#cases-table", DataTable).cursor_row
        return self.cases[min(max(row, 0), len(self.cases) - 1)]

    def _orders(self) -> None:
        orders = self.query_one("#orders-table", DataTable)
        orders.clear()
        c = self._current()
        detail = ""
        if c is not None:
            detail = f"Case {c.case_number or 'without a number'}"
            detail += f", our complaint {c.reference}" if c.reference else ", not linked to a complaint"
            detail += f": {c.summary}" if c.summary else ""
        self.query_one("#case-detail", Static).update(detail)
        for o in c.orders if c else []:
            orders.add_row(
                o.description,
                compact_day(o.due_on),
                compact_day(o.complied_on) or "not yet",
                ORDER_KIND_SHORT.get(o.kind, o.kind),
            )

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "cases-table":
            self._orders()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        {
            "case-add": self.action_add,
            "case-finding": self.action_finding,
            "case-order": self.action_order,
            "case-comply": self.action_comply,
        }.get(event.button.id or "", lambda: None)()

    def _saved(self, result) -> None:
        if result is not None:
            self.notify("Saved.")
            self.load()

    def _need_case(self):
        c = self._current()
        if c is None:
            self.notify("No Ombudsman case is recorded yet: press a to add one.")
        return c

    def action_add(self) -> None:
        self.app.push_screen(CaseForm(self.db), self._saved)

    def action_edit(self) -> None:
        c = self._need_case()
        if c is not None:
            self.app.push_screen(CaseForm(self.db, c), self._saved)

    def action_finding(self) -> None:
        c = self._need_case()
        if c is not None:
            self.app.push_screen(FindingForm(self.db, c), self._saved)

    def action_order(self) -> None:
        c = self._need_case()
        if c is not None:
            self.app.push_screen(OrderForm(self.db, c), self._saved)

    def action_comply(self) -> None:
        c = self._need_case()
        if c is None:
            return
        if all(o.complied_on for o in c.orders):
            self.notify("This case has no order waiting to be complied with.")
            return
        self.app.push_screen(ComplyForm(self.db, c), self._saved)

    def action_back(self) -> None:
        self.app.pop_screen()
