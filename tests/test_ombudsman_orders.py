"""The Ombudsman's findings and orders (self-assessment 8.4, 9.7): the findings in one list, the
kinds of order with the day each was made, the worklist until complied with, and the counts in
the self-assessment's evidence."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import settle, until
from textual.widgets import Select

from smallhousing.app import build_app
from smallhousing.domain import ombudsman as OM
from smallhousing.domain.errors import DomainError
from smallhousing.screens import ombudsman as OS
from smallhousing.services import complaints as C
from smallhousing.services import figures as FG
from smallhousing.services import learning as LS
from smallhousing.services import reports as R
from smallhousing.services.worklist import worklist

D = dt.date
SIZE = (80, 24)

pytestmark = pytest.mark.usefixtures("no_backup")


def test_the_findings_are_one_list_with_the_new_ones():
    assert OM.FINDINGS == (
        "no maladministration",
        "service failure",
        "maladministration",
        "severe maladministration",
        "reasonable redress",
        "outside jurisdiction",
    )
    assert R.FINDINGS is OM.FINDINGS
    assert [v for _, v in OS.FINDING_OPTIONS] == list(OM.FINDINGS)
    assert "reasonable redress" not in OM.ADVERSE_FINDINGS


@pytest.mark.parametrize("finding", ["Reasonable redress", "outside jurisdiction"])
def test_new_findings_are_recorded(db, finding):
    case = LS.record_case(db, D(2025, 8, 4), case_number="2025001")
    LS.record_finding(db, case.id, finding, determined_on=D(2025, 11, 20))
    assert LS.list_cases(db)[0].finding == finding.lower()
    assert R.year_figures(db, 2025).findings == {finding.lower(): 1}
    with pytest.raises(DomainError, match="must be one of"):
        LS.record_finding(db, case.id, "upheld")


def test_orders_come_with_the_determination_a_chfo_before_it(db):
    case = LS.record_case(db, D(2025, 8, 4), case_number="2025002")
    # no determination yet: an order or a recommendation is refused, a CHFO is not
    for kind in ("order", "recommendation"):
        with pytest.raises(DomainError, match="record the finding first"):
            LS.add_order(db, case.id, "Pay £100", kind=kind)
    with pytest.raises(DomainError, match="before the case was referred"):
        LS.add_order(db, case.id, "Send the file", kind=OM.CHFO, made_on=D(2025, 8, 1))
    with pytest.raises(DomainError, match="kind must be"):
        LS.add_order(db, case.id, "Send the file", kind="warning")
    chfo = LS.add_order(
        db, case.id, "Send the complaint file", D(2025, 9, 12), kind=OM.CHFO, made_on=D(2025, 8, 29)
    )
    assert (chfo.kind, chfo.made_on) == ("complaint-handling-failure", D(2025, 8, 29))
    with pytest.raises(DomainError, match="cannot fall due before it was made"):
        LS.add_order(db, case.id, "x", D(2025, 8, 20), kind=OM.CHFO, made_on=D(2025, 8, 29))
    LS.record_finding(db, case.id, "maladministration", determined_on=D(2025, 11, 20))
    # an order defaults to the day of the determination, and cannot be made before it
    order = LS.add_order(db, case.id, "Pay £600", D(2025, 12, 18))
    assert (order.kind, order.made_on) == ("order", D(2025, 11, 20))
    with pytest.raises(DomainError, match="cannot be made before 20/11/2025"):
        LS.add_order(db, case.id, "Review", kind="recommendation", made_on=D(2025, 11, 1))
    rec = LS.add_order(db, case.id, "Review the policy", kind="recommendation")
    assert rec.made_on == D(2025, 11, 20)
    [line] = LS.list_cases(db)
    assert [(o.kind, o.made_on) for o in line.orders] == [
        ("complaint-handling-failure", D(2025, 8, 29)),
        ("order", D(2025, 11, 20)),
        ("recommendation", D(2025, 11, 20)),
    ]


def test_orders_and_chfos_are_on_the_worklist_until_complied_with(db, setup):
    # today is Mon 2 March 2026 (conftest)
    c = C.log_complaint(db, setup.resident, D(2025, 6, 2), "Damp")
    case = LS.record_case(db, D(2026, 1, 5), case_number="202600077", complaint=c.id)
    chfo = LS.add_order(db, case.id, "Send the file", D(2026, 3, 4), kind=OM.CHFO, made_on=D(2026, 2, 25))
    items = LS.ombudsman_work(db)
    assert [(i.kind, i.entity, i.complaint_id, i.reference, i.due) for i in items] == [
        ("complaint-handling-failure-order", "ombudsman-case", case.id, "202600077", D(2026, 3, 4))
    ]
    [i] = items
    # Mon 2 to Wed 4 March: 2 working days left
    assert (i.resident, i.working_days_left, i.step) == (
        "Mrs Siân O'Brien",
        2,
        "Complaint handling failure order: Send the file",
    )
    LS.record_finding(db, case.id, "service failure", determined_on=D(2026, 2, 27))
    LS.add_order(db, case.id, "Apologise", D(2026, 3, 27))
    LS.add_order(db, case.id, "Review repairs", D(2026, 3, 2), kind="recommendation")  # not an order
    assert [i.kind for i in LS.ombudsman_work(db)] == ["complaint-handling-failure-order", "ombudsman-order"]
    # ``until``: Wed 4 March is in, Fri 27 March is out
    assert [i.due for i in LS.ombudsman_work(db, until=D(2026, 3, 4))] == [D(2026, 3, 4)]
    assert [i.kind for i in LS.ombudsman_work(db, limit=1)] == ["complaint-handling-failure-order"]
    mine = [i for i in worklist(db) if i.entity == "ombudsman-case"]
    assert [i.kind for i in mine] == ["complaint-handling-failure-order", "ombudsman-order"]
    LS.complete_order(db, chfo.id, complied_on=D(2026, 3, 2))
    assert [i.kind for i in worklist(db) if i.entity == "ombudsman-case"] == ["ombudsman-order"]


def test_an_order_without_a_date_waits_from_the_day_it_was_made(db):
    case = LS.record_case(db, D(2026, 1, 5))
    LS.add_order(db, case.id, "Tell us what changed", kind=OM.CHFO, made_on=D(2026, 2, 2))
    [i] = LS.ombudsman_work(db)
    assert (i.due, i.reference, i.resident, i.status) == (
        D(2026, 2, 2),
        f"Ombudsman case {case.id}",
        "",
        "overdue",
    )


def test_the_self_assessment_counts_orders_and_chfos(db):
    # year 2025 = 1 April 2025 to 31 March 2026
    a = LS.record_case(db, D(2025, 5, 1), case_number="A")
    LS.add_order(db, a.id, "Send the file", D(2025, 5, 20), kind=OM.CHFO, made_on=D(2025, 5, 6))
    LS.add_order(db, a.id, "Send it again", D(2025, 6, 20), kind=OM.CHFO, made_on=D(2025, 6, 6))
    LS.record_finding(db, a.id, "severe maladministration", determined_on=D(2025, 10, 1))
    on_time = LS.add_order(db, a.id, "Pay £300", D(2025, 10, 29))
    late = LS.add_order(db, a.id, "Apologise", D(2025, 10, 15))
    LS.add_order(db, a.id, "Train staff", D(2025, 12, 1), kind="recommendation")
    LS.complete_order(db, on_time.id, complied_on=D(2025, 10, 20))  # by its date
    LS.complete_order(db, late.id, complied_on=D(2025, 10, 20))  # five days late
    # made in the previous year (2024): not counted as made in 2025
    b = LS.record_case(db, D(2024, 9, 1), case_number="B")
    LS.add_order(db, b.id, "Old file", D(2025, 1, 10), kind=OM.CHFO, made_on=D(2024, 12, 1))
    c = FG.evidence_counts(db, 2025)
    # made in the year; due in the year; of those, complied with by the date
    assert c.orders == {
        "complaint-handling-failure": (2, 2, 0),
        "order": (2, 2, 1),
        "recommendation": (1, 1, 0),
    }
    ev = R.computed_evidence(db, 2025)
    assert ev["9.7"] == (
        "Records for 2025/26: 2 Ombudsman orders and 1 recommendation made with determinations in "
        "the year, and 2 complaint handling failure orders made in the year. 1 of 5 orders and "
        "recommendations due in the year were complied with by their date (20.0%)."
    )
    assert ev["8.4"] == "Records for 2025/26: 2 complaint handling failure orders made in the year."
    rows = {row.provision.number: row for row in R.self_assessment(db, 2025)}
    assert "2 complaint handling failure orders" in rows["8.4"].computed


# screens ------------------------------------------------------------------------------------------


async def test_the_order_form_offers_the_kind_and_the_worklist_opens_the_case(db, setup):
    first = LS.record_case(db, D(2026, 1, 2), case_number="202600001")
    case = LS.record_case(db, D(2026, 1, 5), case_number="202600077")
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: type(app.screen).__name__ == "DashboardScreen")
        await settle(pilot)
        app.open_record("ombudsman-case", case.id)
        await until(pilot, lambda: type(app.screen).__name__ == "OmbudsmanCasesScreen")
        await settle(pilot)
        screen = app.screen
        # newest referral first; the worklist's case is the one highlighted
        assert screen._current().id == case.id  # noqa: SLF001 - our own screen
        await pilot.press("o")
        await until(pilot, lambda: type(app.screen).__name__ == "OrderForm")
        await settle(pilot)
        form = app.screen
        assert form.query_one(".form-help").size.height <= 2  # the help line at 80 columns
        kind = form.query_one("#kind", Select)
        # no finding yet: a complaint handling failure order is what can come
        assert kind.value == OM.CHFO
        assert [v for _, v in OS.ORDER_KIND_OPTIONS] == list(OM.ORDER_KINDS)
        form.query_one("#description").focus()
        await pilot.press(*"Send the file")
        form.query_one("#made_on").value = "25/02/2026"
        form.query_one("#due_on").value = "04/03/2026"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: type(app.screen).__name__ == "OmbudsmanCasesScreen")
        await settle(pilot)
    [line] = [c for c in LS.list_cases(db) if c.id == case.id]
    [o] = line.orders
    assert (o.kind, o.made_on, o.due_on, o.description) == (
        OM.CHFO,
        D(2026, 2, 25),
        D(2026, 3, 4),
        "Send the file",
    )
    assert first.id != case.id


def test_orders_worklist_evidence_and_compensation_sums_on_postgresql(pg_db):
    """The same statements on PostgreSQL: the worklist source, the evidence counts, the sums."""
    from conftest import make_setup

    from smallhousing.services import compensation as CS

    ids = make_setup(pg_db)
    c = C.log_complaint(pg_db, ids.resident, D(2025, 6, 2), "Damp")
    case = LS.record_case(pg_db, D(2026, 1, 5), case_number="202600077", complaint=c.id)
    LS.add_order(pg_db, case.id, "Send the file", D(2026, 3, 4), kind=OM.CHFO, made_on=D(2026, 2, 25))
    assert [(i.kind, i.due, i.working_days_left) for i in LS.ombudsman_work(pg_db, until=D(2026, 3, 4))] == [
        ("complaint-handling-failure-order", D(2026, 3, 4), 2)
    ]
    assert FG.evidence_counts(pg_db, 2025).orders == {"complaint-handling-failure": (1, 1, 0)}
    CS.set_rate(pg_db, "power", 1200)
    assert CS.changed_kinds(pg_db) == {"power"}
    assert CS.reset_to_guidance(pg_db) == 1
    rem = C.add_remedy(
        pg_db, c.id, C.RemedyInput("financial remedy", "Power", 0, guidance_kind="power", quantity=3)
    )
    assert (rem.amount_pence, rem.rate_pence) == (3000, 1000)
