"""The settings screen, driven with the keyboard in a small app at 80x24."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import settle, text_of
from textual.app import App
from textual.widgets import Input, ListView, Static

from smallhousing.screens.resident_forms import ConfirmScreen
from smallhousing.screens.settings import ClosureForm, HomesForm, SettingItem, SettingsScreen, StaffForm
from smallhousing.services import complaints as C
from smallhousing.services import settings as S

SIZE = (80, 24)


class ScreenApp(App):
    def __init__(self, make_screen) -> None:
        super().__init__()
        self.make_screen = make_screen

    def on_mount(self) -> None:
        self.push_screen(self.make_screen())


def put(screen, name: str, value: str) -> None:
    screen.query_one(f"#f-{name}", Input).value = value


def items(screen, list_id: str) -> list[SettingItem]:
    return [i for i in screen.query_one(f"#{list_id}", ListView).children if isinstance(i, SettingItem)]


async def open_settings(pilot) -> SettingsScreen:
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SettingsScreen) and screen.loaded
    return screen


async def test_change_the_landlord_name(db, setup):
    app = ScreenApp(lambda: SettingsScreen(db))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot)
        name = screen.query_one("#f-name", Input)
        assert name.value == "Ashbury Homes"
        name.focus()
        await pilot.press("ctrl+u")  # clear the box
        await pilot.press(*"Brook HA")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert S.get_settings(db).name == "Brook HA"
        assert "saved" in text_of(screen.query_one("#landlord-message", Static))
        # other details are unchanged
        assert S.get_settings(db).complaints_officer == "Sam Okoye"


async def test_empty_name_and_bad_retention_are_refused_and_nothing_is_saved(db, setup):
    app = ScreenApp(lambda: SettingsScreen(db))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot)
        put(screen, "name", "")
        put(screen, "phone", "01632 000 000")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "landlord's name" in text_of(screen.query_one("#landlord-message", Static))
        put(screen, "name", "Ashbury Homes")
        put(screen, "retention_years", "six")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "whole number" in text_of(screen.query_one("#e-retention_years", Static))
        s = S.get_settings(db)
        assert (s.name, s.phone, s.retention_years) == ("Ashbury Homes", "01632 960 000", 6)


async def test_ombudsman_details_cannot_be_left_empty(db, setup):
    before = S.get_settings(db).ombudsman_phone
    app = ScreenApp(lambda: SettingsScreen(db))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot)
        await pilot.press("2")
        assert screen.query_one("#f-ombudsman_phone", Input).value == before
        put(screen, "ombudsman_phone", "")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Nothing has been saved" in text_of(screen.query_one("#ombudsman-message", Static))
        assert S.get_settings(db).ombudsman_phone == before
        put(screen, "ombudsman_phone", "0300 111 3001")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert S.get_settings(db).ombudsman_phone == "0300 111 3001"


@pytest.mark.slow
async def test_add_rename_and_deactivate_staff(db, setup):
    app = ScreenApp(lambda: SettingsScreen(db))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot)
        await pilot.press("3", "a")
        assert isinstance(app.screen, StaffForm)
        await pilot.press(*"Dai Rees")
        await pilot.press("tab")
        await pilot.press(*"Officer")
        await pilot.press("ctrl+s")
        await settle(pilot)
        added = [(s.name, s.role) for s in S.list_staff(db) if s.name == "Dai Rees"]
        assert added == [("Dai Rees", "Officer")]
        names = [i.row.name for i in items(screen, "list-staff")]
        assert "Dai Rees" in names
        # rename the highlighted one (the first: Alice Adams)
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, StaffForm)
        put(form, "name", "Alice Evans")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Alice Evans" in [s.name for s in S.list_staff(db)]
        # deactivate her
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert "Alice Evans" not in [s.name for s in S.list_staff(db)]
        alice = [s for s in S.list_staff(db, active_only=False) if s.id == setup.alice][0]
        assert not alice.active
        assert any(i.has_class("inactive") and i.row.id == setup.alice for i in items(screen, "list-staff"))


async def test_duplicate_staff_is_refused_in_the_form(db, setup):
    app = ScreenApp(lambda: SettingsScreen(db))
    async with app.run_test(size=SIZE) as pilot:
        await open_settings(pilot)
        await pilot.press("3", "a")
        form = app.screen
        put(form, "name", "Bilal Bashir")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "already on the staff list" in text_of(form.query_one("#form-error", Static))
        assert "already on the staff list" in text_of(form.query_one("#e-name", Static))
        assert len([s for s in S.list_staff(db) if s.name == "Bilal Bashir"]) == 1


async def test_set_homes_for_2025_26(db, setup):
    app = ScreenApp(lambda: SettingsScreen(db))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot)
        await pilot.press("4", "a")
        form = app.screen
        assert isinstance(form, HomesForm)
        year = form.query_one("#f-year", Input)
        year.value = ""
        await pilot.press(*"2025/27")
        assert "second year must follow" in text_of(form.query_one("#e-year", Static))
        await pilot.press("backspace")
        await pilot.press("6")
        assert "2025/26" in text_of(form.query_one("#e-year", Static))
        await pilot.press("tab")
        await pilot.press(*"1,020")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert S.homes_for(db, 2025) == 1020
        assert [text_of(i.query_one(".item-main", Static)) for i in items(screen, "list-homes")] == [
            "2025/26: 1,020 homes"
        ]


async def test_closure_day_moves_an_open_complaint_deadline(db, setup):
    c = C.log_complaint(db, setup.resident, dt.date(2026, 2, 20), "The lift is broken", channel="phone")
    C.acknowledge(db, c.id, "Lift out of order", handler_id=setup.alice, on=dt.date(2026, 2, 23))
    assert C.complaint_view(db, c.id).next_due == dt.date(2026, 3, 9)
    app = ScreenApp(lambda: SettingsScreen(db))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot)
        await pilot.press("5", "a")
        form = app.screen
        assert isinstance(form, ClosureForm)
        assert "move" in text_of(form.query_one(".form-intro", Static))
        await pilot.press(*"04/03/2026")
        await pilot.press("tab")
        put(form, "reason", "Staff training")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert C.complaint_view(db, c.id).next_due == dt.date(2026, 3, 10)
        [item] = items(screen, "list-closures")
        assert text_of(item.query_one(".item-main", Static)) == "Wed 4 Mar 2026: Staff training"
        # and removing it moves the deadline back
        await pilot.press("x", "y")
        await settle(pilot)
        assert C.complaint_view(db, c.id).next_due == dt.date(2026, 3, 9)
        assert S.list_closure_days(db) == []


async def test_weekend_closure_day_is_refused_with_a_message(db, setup):
    app = ScreenApp(lambda: SettingsScreen(db))
    async with app.run_test(size=SIZE) as pilot:
        await open_settings(pilot)
        await pilot.press("5", "a")
        form = app.screen
        put(form, "day", "2026-03-07")  # a Saturday
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "weekend" in text_of(form.query_one("#form-error", Static))
        assert S.list_closure_days(db) == []


async def test_number_keys_switch_tabs_and_escape_leaves_a_text_box_first(db, setup):
    app = ScreenApp(lambda: SettingsScreen(db))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot)
        screen.query_one("#f-phone", Input).focus()
        await pilot.press("escape")
        assert app.screen is screen and not isinstance(screen.focused, Input)
        await pilot.press("6")
        assert str(backup_where(screen)) in text_of(screen.query_one("#data-where", Static))
        await pilot.press("escape")
        assert app.screen is not screen


def backup_where(screen):
    from smallhousing.paths import backups_dir

    return backups_dir(screen.db.path)


async def test_import_and_backup_keys_open_their_screens_or_say_why_not(db, setup):
    app = ScreenApp(lambda: SettingsScreen(db))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot)
        for key, name in (("i", "ImportScreen"), ("b", "BackupScreen")):
            await pilot.press(key)
            await pilot.pause()  # (those screens' own workers may still be busy: not waited for)
            try:
                from smallhousing.screens import transfer
            except ImportError:
                assert app.screen is screen and app._notifications
            else:
                assert type(app.screen) is getattr(transfer, name)
                await app.pop_screen()
                await pilot.pause()
            assert app.screen is screen


async def test_settings_opens_on_demo_data_at_80x24(demo_db):
    app = ScreenApp(lambda: SettingsScreen(demo_db))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot)
        assert screen.query_one("#f-name", Input).value == S.get_settings(demo_db).name
        for tab in "123456":
            await pilot.press(tab)
            await pilot.pause()
        assert len(items(screen, "list-staff")) == len(S.list_staff(demo_db, active_only=False))
        assert len(items(screen, "list-homes")) == max(1, len(S.list_homes(demo_db)))


async def test_past_closure_day_is_refused_with_a_message(db, setup):
    app = ScreenApp(lambda: SettingsScreen(db))
    async with app.run_test(size=SIZE) as pilot:
        await open_settings(pilot)
        await pilot.press("5", "a")
        form = app.screen
        put(form, "day", "2026-02-27")  # the Friday before today
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "in the past" in text_of(form.query_one("#form-error", Static))
        assert S.list_closure_days(db) == []
