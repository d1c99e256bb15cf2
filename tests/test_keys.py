"""The key map (issue 15): sections on keys that cannot be typed text (F1 to F7, Ctrl+N), shown in
the footer at 80x24; letters typed into a text field always type, never act."""

from __future__ import annotations

import pytest
from helpers import settle, typed, until
from textual.widgets import Input, Select, TextArea

from smallhousing.app import build_app
from smallhousing.screens.common import FooterItem, KeyFooter

SIZE = (80, 24)

pytestmark = pytest.mark.usefixtures("no_backup")

SECTION_KEYS = {
    "f2": "DashboardScreen",
    "f3": "ComplaintsScreen",
    "f4": "ServiceRequestsScreen",
    "f5": "ResidentsScreen",
    "f6": "ReportsScreen",
    "f7": "SettingsScreen",
}
OLD_LETTERS = "dcnvprs"


def screen_name(app) -> str:
    return type(app.screen).__name__


async def started(pilot) -> None:
    await until(pilot, lambda: screen_name(pilot.app) == "DashboardScreen")
    await settle(pilot)


async def test_each_section_has_its_function_key_from_every_section(db, setup):
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        for here in SECTION_KEYS:
            await pilot.press(here)
            await until(pilot, lambda here=here: screen_name(app) == SECTION_KEYS[here])
            await settle(pilot)
            for key, name in SECTION_KEYS.items():
                app.screen.set_focus(None)  # from the screen itself, not a text box
                await pilot.press(key)
                await until(pilot, lambda name=name: screen_name(app) == name)
                await settle(pilot)
                await pilot.press(here)
                await until(pilot, lambda here=here: screen_name(app) == SECTION_KEYS[here])
                await settle(pilot)
        await pilot.press("f1")
        await until(pilot, lambda: screen_name(app) == "HelpScreen")
        await pilot.press("escape")
        await until(pilot, lambda: screen_name(app) == "SettingsScreen")
        await pilot.press("ctrl+n")
        await until(pilot, lambda: screen_name(app) == "ResidentPickerScreen")


async def test_old_section_letters_type_into_the_landlords_name_and_never_navigate(db, setup):
    """How a navigation letter replaced the landlord's name: Tab moved into the name box, which
    selected all of it, and the next letter (meant to change section) replaced the whole name."""
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("f7")
        await until(pilot, lambda: screen_name(app) == "SettingsScreen" and app.screen.loaded)
        await settle(pilot)
        await pilot.press("tab")  # from the tabs to the landlord's name, as a user gets there
        name = app.screen.query_one("#f-name", Input)
        assert app.focused is name and name.value == "Ashbury Homes"
        await typed(pilot, OLD_LETTERS + "?")
        await settle(pilot)
        assert screen_name(app) == "SettingsScreen"
        assert name.value == "Ashbury Homes" + OLD_LETTERS + "?"


async def test_letters_type_into_every_kind_of_text_field_on_a_screen_with_letter_keys(db, setup):
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("f5")  # residents: "a" adds a resident, Enter opens one
        await until(pilot, lambda: screen_name(app) == "ResidentsScreen")
        await settle(pilot)
        search = app.screen.query_one("#residents-search", Input)
        search.focus()
        await typed(pilot, "ab" + OLD_LETTERS)
        await settle(pilot)
        assert screen_name(app) == "ResidentsScreen" and search.value.endswith("ab" + OLD_LETTERS)


async def test_a_closed_choice_list_takes_a_typed_letter_as_a_search(db, setup):
    """On the service requests screen "a" logs a request and "m" marks one complete: with its
    filter list focused (closed), a letter searches the list instead."""
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("f4")
        await until(pilot, lambda: screen_name(app) == "ServiceRequestsScreen")
        await settle(pilot)
        select = app.screen.query_one(Select)
        select.focus()
        await pilot.press("a", "m")
        await settle(pilot)
        assert screen_name(app) == "ServiceRequestsScreen"
        assert select.expanded  # the list opened to search what was typed


async def test_a_letter_typed_on_a_closed_choice_list_finds_the_choice(db, setup):
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("ctrl+n")
        await until(pilot, lambda: screen_name(app) == "ResidentPickerScreen")
        await pilot.press("escape")
        await until(pilot, lambda: screen_name(app) == "NewComplaintForm")
        channel = app.screen.query_one("#channel", Select)
        channel.focus()
        await pilot.press("l")  # "Letter": the list opens at it
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert channel.value == "letter" and not channel.expanded
        assert screen_name(app) == "NewComplaintForm"


async def test_question_mark_types_in_a_text_area_and_opens_help_elsewhere(db, setup):
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: screen_name(app) == "HelpScreen")
        await pilot.press("escape")
        await until(pilot, lambda: screen_name(app) == "DashboardScreen")
        await pilot.press("ctrl+n")
        await until(pilot, lambda: screen_name(app) == "ResidentPickerScreen")
        await pilot.press("escape")
        await until(pilot, lambda: screen_name(app) == "NewComplaintForm")
        area = app.screen.query_one("#description", TextArea)
        area.focus()
        await typed(pilot, "Why?" + OLD_LETTERS)
        await settle(pilot)
        assert screen_name(app) == "NewComplaintForm" and area.text == "Why?" + OLD_LETTERS


def footer_keys(app) -> list[FooterItem]:
    return [k for k in app.screen.query_one(KeyFooter).items if k.key]


async def test_the_footer_shows_help_and_the_section_keys_whole_at_80x24(demo_db):
    app = build_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        for key, name in [*SECTION_KEYS.items(), ("f2", "DashboardScreen")]:
            await pilot.press(key)
            await until(pilot, lambda name=name: screen_name(app) == name)
            await settle(pilot)
            await pilot.pause(0.1)
            keys = footer_keys(app)
            shown = {k.key for k in keys}
            assert "f1" in shown, name
            assert keys[0].key == "f1", name  # first, so it is never the one cut off
            # the section keys that show are whole, inside the screen and left of the palette key
            palette = next(k for k in keys if k.has_class("-command-palette"))
            for k in keys:
                if k is not palette and k.region.y == palette.region.y:
                    assert k.region.right <= palette.region.x, (name, k.key, k.region, palette.region)
            # the most used section shows (the complaints; from there, the dashboard); the section
            # you are in is not offered again
            assert ("f2" if name == "ComplaintsScreen" else "f3") in shown, (name, shown)
            assert key not in shown, (name, shown)
