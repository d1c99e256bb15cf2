"""Service requests monitored, in the app at 80x24 (Code 1.4, 1.5): the list's target, age and
overdue mark; a request's own screen and the complaints raised from it, both ways; the dashboard's
count and worklist; the Targets tab of Settings; the palette.

Today is Mon 2 Mar 2026 (conftest)."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import settle, text_of, until

from smallhousing.app import build_app
from smallhousing.screens import palette as P
from smallhousing.services import complaints as C
from smallhousing.services import service_requests as SRS

pytestmark = pytest.mark.usefixtures("no_backup")
SIZE = (80, 24)
D = dt.date


def screen_name(app) -> str:
    return type(app.screen).__name__


def records(db, setup):
    """An emergency repair received Mon 2 Feb 2026 (target Tue 3 Feb: overdue), damp and mould
    received today (target Mon 16 Mar), and a complaint raised from the emergency one."""
    late = C.log_service_request(
        db, setup.resident, D(2026, 2, 2), "Water pouring in", category="emergency repair"
    )
    damp = C.log_service_request(db, setup.resident, D(2026, 3, 2), "Black mould", category="damp and mould")
    c = C.raise_from_service_request(db, late.id, D(2026, 2, 20), "Nobody came about the leak.")
    return late, damp, c


async def open_requests(app, pilot) -> None:
    await settle(pilot)
    await pilot.press("f4")
    await until(pilot, lambda: screen_name(app) == "ServiceRequestsScreen")
    await until(pilot, lambda: app.screen.query_one("#requests").row_count > 0)
    await settle(pilot)


def row(table, i: int) -> list[str]:
    return [str(x) for x in table.get_row_at(i)]


async def test_the_list_shows_target_age_and_overdue_and_can_put_overdue_first(db, setup):
    late, damp, _ = records(db, setup)
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await open_requests(app, pilot)
        table = app.screen.query_one("#requests")
        # newest first; the damp one is 0 working days old, target 16 Mar; the emergency one 20
        # working days old (Tue 3 Feb to Mon 2 Mar), target 3 Feb, overdue
        assert row(table, 0)[0] == damp.reference and row(table, 0)[4:] == ["16 Mar 26", "0d", "open"]
        assert row(table, 1)[0] == late.reference and row(table, 1)[4:] == ["03 Feb 26", "20d", "overdue"]
        assert "Open for 0 working days: target Mon 16 Mar 2026, 10 working days left" in text_of(
            app.screen.query_one("#request-detail")
        )
        app.screen.query_one("#f-status").value = "open-target"  # the most overdue first
        await until(pilot, lambda: row(table, 0)[0] == late.reference)
        app.screen.query_one("#f-status").value = "overdue"
        await until(pilot, lambda: table.row_count == 1)
        assert row(table, 0)[0] == late.reference


async def test_a_request_shows_its_complaint_and_the_complaint_leads_back(db, setup):
    late, _, c = records(db, setup)
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await open_requests(app, pilot)
        await pilot.press("down", "enter")  # the emergency repair, second row
        await until(pilot, lambda: screen_name(app) == "ServiceRequestScreen" and app.screen.view is not None)
        await settle(pilot)
        screen = app.screen
        assert text_of(screen.query_one("#sr-ref")).startswith(late.reference)
        progress = screen.query_one("#sr-progress")
        assert text_of(progress).startswith(
            "Open for 20 working days: overdue, its target was Tue 3 Feb 2026"
        )
        assert progress.has_class("overdue")
        assert text_of(screen.query_one("#sr-explain")).startswith(
            "Target for emergency repair: 1 working day (the default). 1 working day after Mon 2 Feb"
        )
        assert row(screen.query_one("#sr-complaints"), 0)[0] == c.reference
        await pilot.press("c")
        await until(pilot, lambda: screen_name(app) == "ComplaintScreen" and app.screen.view is not None)
        await settle(pilot)
        assert "v service request" in text_of(app.screen.query_one("#also"))
        await pilot.press("v")
        await until(
            pilot,
            lambda: (
                screen_name(app) == "ServiceRequestScreen"
                and app.screen is not screen
                and app.screen.view is not None
            ),
        )
        assert app.screen.view.request.id == late.id
        await pilot.press("escape")
        await until(pilot, lambda: screen_name(app) == "ComplaintScreen")


async def test_v_is_not_offered_on_a_complaint_not_raised_from_a_request(db, setup):
    c = C.log_complaint(db, setup.resident, D(2026, 2, 20), "Noise at night")
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_complaint(c.reference)
        await until(pilot, lambda: screen_name(app) == "ComplaintScreen" and app.screen.view is not None)
        await settle(pilot)
        assert "service request" not in text_of(app.screen.query_one("#also"))
        await pilot.press("v")
        await settle(pilot)
        assert screen_name(app) == "ComplaintScreen"


async def test_the_dashboard_counts_requests_past_target_and_opens_one(db, setup):
    late, _, _ = records(db, setup)
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: getattr(app.screen, "figures_shown", False))
        label = app.screen.query_one("#requests-overdue")
        assert text_of(label) == "1 service request past target" and label.has_class("-alert")
        table = app.screen.query_one("#worklist")
        # the emergency repair's target (3 Feb) comes before the complaint's acknowledgement
        assert row(table, 0)[0] == late.reference and row(table, 0)[2].startswith("request target")
        await pilot.press("enter")
        await until(pilot, lambda: screen_name(app) == "ServiceRequestScreen" and app.screen.view is not None)
        assert app.screen.view.request.id == late.id


async def test_changing_a_category_moves_the_target(db, setup):
    _, damp, _ = records(db, setup)
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_service_request(damp.reference)
        await until(pilot, lambda: screen_name(app) == "ServiceRequestScreen" and app.screen.view is not None)
        await pilot.press("y")
        await until(pilot, lambda: screen_name(app) == "CategoryForm")
        app.screen.query_one("#f-category").value = "Urgent repair"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: screen_name(app) == "ServiceRequestScreen")
        await settle(pilot)
        # urgent: 5 working days from Mon 2 Mar 2026, Mon 9 Mar
        assert "target Mon 9 Mar 2026" in text_of(app.screen.query_one("#sr-progress"))
    assert SRS.service_request_view(db, damp.id).request.target_on == D(2026, 3, 9)


async def test_settings_change_a_target_asking_before_discarding(db, setup):
    _, damp, _ = records(db, setup)
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f7")
        await until(pilot, lambda: screen_name(app) == "SettingsScreen")
        await settle(pilot)
        await pilot.press("7")
        await settle(pilot)
        screen = app.screen
        lv = screen.query_one("#list-targets")
        names = [text_of(i.query_one(".item-main")) for i in lv.query("SettingItem")]
        assert names[:4] == [
            "Emergency repair: 1 working day",
            "Urgent repair: 5 working days",
            "Repairs: 20 working days",
            "Damp and mould: 10 working days",
        ]
        lv.index = 3
        await pilot.press("e")
        await until(pilot, lambda: screen_name(app) == "TargetForm")
        box = app.screen.query_one("#f-working_days")
        box.value = ""
        await pilot.press("4")
        await pilot.press("escape")  # changed: asked before it is let go
        await until(pilot, lambda: screen_name(app) == "ConfirmScreen")
        await pilot.press("n")
        await until(pilot, lambda: screen_name(app) == "TargetForm")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: screen_name(app) == "SettingsScreen")
        await settle(pilot)
        await until(
            pilot,
            lambda: (
                text_of(lv.query("SettingItem")[3].query_one(".item-main"))
                == "Damp and mould: 4 working days"
            ),
        )
        assert "set here; the default is 10" in text_of(lv.query("SettingItem")[3].query(".item-detail")[0])
        # the open damp request moved: 4 working days from Mon 2 Mar 2026 is Fri 6 Mar
        assert SRS.service_request_view(db, damp.id).request.target_on == D(2026, 3, 6)
        # x puts it back, after asking
        await pilot.press("x")
        await until(pilot, lambda: screen_name(app) == "ConfirmScreen")
        await pilot.press("y")
        await until(pilot, lambda: screen_name(app) == "SettingsScreen")
        await settle(pilot)
    assert SRS.service_request_view(db, damp.id).request.target_on == D(2026, 3, 16)


async def test_the_new_actions_are_in_the_palette(db, setup):
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        names = {c.name for c in P.place_commands(app, P.place_classes(), None)}
    for wanted in (
        "Service requests: Open",
        "Settings: Request targets",
        "Settings: Change the target for a kind of service request",
        "Settings: Put a service request target back to its default",
    ):
        assert wanted in names, wanted
