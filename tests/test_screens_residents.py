"""The residents screens, driven with the keyboard in a small app at 80x24."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import settle, text_of, typed
from textual.app import App
from textual.widgets import DataTable, ListView, Static

from smallhousing.screens.resident_forms import AdjustmentForm, FormScreen, ResidentForm
from smallhousing.screens.residents import RecordItem, ResidentPickerScreen, ResidentScreen, ResidentsScreen
from smallhousing.services import complaints as C
from smallhousing.services import residents as R

SIZE = (80, 24)


class ScreenApp(App):
    """Pushes one screen; records complaints it is asked to open and results of modal screens."""

    def __init__(self, make_screen) -> None:
        super().__init__()
        self.make_screen = make_screen
        self.opened: list[int] = []
        self.results: list = []

    def on_mount(self) -> None:
        self.push_screen(self.make_screen(), self.results.append)

    def open_complaint(self, complaint_id: int) -> None:
        self.opened.append(complaint_id)


def put(form, name: str, value: str) -> None:
    """Fill a field without typing it key by key (typing is tested elsewhere and is slow)."""
    form.query_one(f"#f-{name}").value = value


def items(screen, list_id: str) -> list[RecordItem]:
    return [i for i in screen.query_one(f"#{list_id}", ListView).children if isinstance(i, RecordItem)]


async def test_add_resident_through_the_form(db, setup):
    app = ScreenApp(lambda: ResidentsScreen(db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ResidentsScreen)
        assert screen.query_one(DataTable).row_count == 1  # the resident from `setup`
        await pilot.press("a")
        assert isinstance(app.screen, ResidentForm)
        await typed(pilot, "Dewi Pugh")
        await pilot.press("tab")
        await typed(pilot, "4 Bryn Rd")
        await pilot.press("tab")
        await typed(pilot, "AB2 9ZZ")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        found = R.list_residents(db, "pugh")
        assert [(r.name, r.address, r.postcode) for r in found] == [("Dewi Pugh", "4 Bryn Rd", "AB2 9ZZ")]
        assert screen.query_one(DataTable).row_count == 2


async def test_resident_form_needs_a_name_and_saves_nothing_without_one(db):
    app = ScreenApp(lambda: ResidentsScreen(db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        form = app.screen
        await pilot.press("tab")
        await typed(pilot, "1 Elm St")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form  # still open
        assert "name" in text_of(form.query_one("#form-error", Static)).lower()
        assert R.list_residents(db) == []
        await pilot.press("escape")  # the form has changes: it asks before discarding them
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("n")
        assert app.screen is form
        await pilot.press("escape", "y")
        assert isinstance(app.screen, ResidentsScreen)


async def test_escape_on_an_unchanged_form_closes_it_at_once(db):
    app = ScreenApp(lambda: ResidentsScreen(db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await typed(pilot, "Ann")
        await pilot.press("backspace", "backspace", "backspace")  # typed, then taken back
        await pilot.press("escape")
        assert isinstance(app.screen, ResidentsScreen)


async def test_list_filters_as_you_type_and_opens_a_record(demo_db):
    app = ScreenApp(lambda: ResidentsScreen(demo_db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        table = screen.query_one(DataTable)
        assert table.row_count > 10
        first = R.list_residents(demo_db, limit=1)[0]
        word = first.name.split()[-1]
        await pilot.press("slash")
        await typed(pilot, word)
        await pilot.pause(0.4)  # the search waits for a pause in typing
        await settle(pilot)
        expected = R.list_residents(demo_db, word, limit=100)
        assert table.row_count == len(expected) < 100
        await pilot.press("enter")  # leaves the search box for the list
        await pilot.press("enter")  # opens the highlighted resident
        await settle(pilot)
        assert isinstance(app.screen, ResidentScreen)
        assert app.screen.resident_id == expected[0].id
        await pilot.press("escape")
        assert app.screen is screen


async def test_paging_through_residents(demo_db):
    from smallhousing.screens import residents as screens

    total = len(R.list_residents(demo_db, limit=1000))
    assert total > screens.PAGE
    app = ScreenApp(lambda: ResidentsScreen(demo_db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert table.row_count == screens.PAGE
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert table.row_count == min(screens.PAGE, total - screens.PAGE)
        second_page_first = R.list_residents(demo_db, offset=screens.PAGE, limit=1)[0]
        assert table.current_id() == second_page_first.id
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert table.row_count == screens.PAGE


@pytest.mark.slow
async def test_adjustment_with_past_review_date_is_flagged_overdue(db, setup):
    app = ScreenApp(lambda: ResidentScreen(db, setup.resident))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert "none" in text_of(screen.query_one("#resident-flags", Static))
        await pilot.press("3", "a")
        assert isinstance(app.screen, AdjustmentForm)
        await typed(pilot, "Large print")
        await pilot.press("tab")
        await typed(pilot, "05/01/2026")
        await pilot.press("tab")
        await typed(pilot, "2026-02-27")  # before today (2 Mar 2026): the review is overdue
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        record = R.resident_record(db, setup.resident)
        [adj] = record.adjustments
        assert (adj.description, adj.agreed_on, adj.review_on) == (
            "Large print",
            dt.date(2026, 1, 5),
            dt.date(2026, 2, 27),
        )
        [item] = items(screen, "list-adjustments")
        assert item.has_class("overdue") and item.ident == adj.id
        flags = screen.query_one("#resident-flags", Static)
        assert "adjustments" in text_of(flags) and flags.has_class("overdue")


async def test_review_and_end_an_adjustment(db, setup):
    adj = R.add_adjustment(
        db, setup.resident, "Phone calls after 2pm", dt.date(2026, 2, 1), agreed_on=dt.date(2025, 8, 1)
    )
    app = ScreenApp(lambda: ResidentScreen(db, setup.resident))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("3")
        assert items(screen, "list-adjustments")[0].has_class("overdue")
        await pilot.press("m")
        put(app.screen, "next_review_on", "01/09/2026")  # reviewed on: blank means today
        await pilot.press("ctrl+s")
        await settle(pilot)
        a = R.resident_record(db, setup.resident).adjustments[0]
        assert (a.last_reviewed_on, a.review_on) == (dt.date(2026, 3, 2), dt.date(2026, 9, 1))
        assert not items(screen, "list-adjustments")[0].has_class("overdue")
        await pilot.press("x")
        await pilot.press("y")
        await settle(pilot)
        assert R.resident_record(db, setup.resident).adjustments[0].ended_on == dt.date(2026, 3, 2)
        assert items(screen, "list-adjustments")[0].has_class("ended")
        assert adj.id == a.id


async def test_bad_date_shows_a_message_and_writes_nothing(db, setup):
    app = ScreenApp(lambda: ResidentScreen(db, setup.resident))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3", "a")
        form = app.screen
        put(form, "description", "Home visits")
        await pilot.press("tab", "tab")
        await typed(pilot, "31/02/2026")
        note = form.query_one("#e-review_on", Static)
        assert "The review date cannot be 31/02/2026: February 2026 has 28 days" in text_of(note)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "February 2026 has 28 days" in text_of(form.query_one("#form-error", Static))
        assert R.resident_record(db, setup.resident).adjustments == []


async def test_refusal_from_the_service_is_shown_in_the_form(db, setup):
    app = ScreenApp(lambda: ResidentScreen(db, setup.resident))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4", "a")
        form = app.screen
        put(form, "description", "Contact by email only")
        put(form, "reason", "Abusive calls on 3 and 5 February")
        put(form, "imposed_on", "2026-02-10")
        put(form, "review_on", "2026-02-01")  # review before the start: the service refuses
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        message = text_of(form.query_one("#form-error", Static))
        assert message.startswith("Not saved:") and "cannot be before" in message
        assert R.resident_record(db, setup.resident).restrictions == []


async def test_restriction_and_representative_are_added(db, setup):
    app = ScreenApp(lambda: ResidentScreen(db, setup.resident))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("4", "a")
        put(app.screen, "description", "One named officer only")
        put(app.screen, "reason", "Repeated abusive emails")
        put(app.screen, "review_on", "02/06/2026")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("2", "a")
        put(app.screen, "name", "Gwen O'Brien")
        put(app.screen, "relationship", "daughter")
        put(app.screen, "authority", "signed consent form")
        await pilot.press("ctrl+s")
        await settle(pilot)
        record = R.resident_record(db, setup.resident)
        [x] = record.restrictions
        assert (x.description, x.reason, x.imposed_on, x.review_on) == (
            "One named officer only",
            "Repeated abusive emails",
            dt.date(2026, 3, 2),
            dt.date(2026, 6, 2),
        )
        [rep] = record.representatives
        assert (rep.name, rep.relationship, rep.authority) == (
            "Gwen O'Brien",
            "daughter",
            "signed consent form",
        )
        assert "restricted" in text_of(screen.query_one("#resident-flags", Static))
        assert [i.label for i in items(screen, "list-representatives")] == ["Gwen O'Brien"]


async def test_edit_details_and_preferred_format(db, setup):
    app = ScreenApp(lambda: ResidentScreen(db, setup.resident))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, ResidentForm)
        form.query_one("#f-preferred_format").value = "large print"
        put(form, "phone", "01632 960 123")
        await pilot.press("ctrl+s")
        await settle(pilot)
        r = R.get_resident(db, setup.resident)
        assert (r.phone, r.preferred_format, r.name) == ("01632 960 123", "large print", "Mrs Siân O'Brien")
        assert "large print" in text_of(screen.query_one("#resident-flags", Static))
        assert text_of(screen.query_one("#d-phone", Static)) == "01632 960 123"


async def test_enter_on_a_complaint_asks_the_app_to_open_it(db, setup):
    c = C.log_complaint(db, setup.resident, dt.date(2026, 2, 20), "The lift is broken", channel="phone")
    app = ScreenApp(lambda: ResidentScreen(db, setup.resident))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await pilot.press("enter")
        assert app.opened == [c.id]
        await pilot.press("o")
        assert app.opened == [c.id, c.id]


async def test_picker_returns_the_chosen_resident_or_none(db, setup):
    R.add_resident(db, "Zofia Nowak", address="9 Quay Street")
    app = ScreenApp(lambda: ResidentPickerScreen(db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await typed(pilot, "zofia")
        await pilot.pause(0.4)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
    [zofia] = R.list_residents(db, "zofia")
    assert app.results == [zofia.id]

    app = ScreenApp(lambda: ResidentPickerScreen(db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
    assert app.results == [None]


async def test_picker_adds_a_new_resident_on_the_spot(db):
    app = ScreenApp(lambda: ResidentPickerScreen(db))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n")
        assert isinstance(app.screen, FormScreen)
        put(app.screen, "name", "Nia Roberts")
        await pilot.press("ctrl+s")
        await settle(pilot)
    [nia] = R.list_residents(db, "nia roberts")
    assert app.results == [nia.id]


async def test_screens_open_on_demo_data_at_80x24(demo_db):
    busiest = max(
        R.list_residents(demo_db, limit=1000), key=lambda r: len(R.resident_record(demo_db, r.id).complaints)
    )
    for make in (
        lambda: ResidentsScreen(demo_db),
        lambda: ResidentScreen(demo_db, busiest.id),
        lambda: ResidentPickerScreen(demo_db),
    ):
        app = ScreenApp(make)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.screen
            if isinstance(screen, ResidentScreen):
                for tab in "12345":
                    await pilot.press(tab)
                    await pilot.pause()
                assert len([i for i in items(screen, "list-cases") if i.kind == "complaint"]) == len(
                    R.resident_record(demo_db, busiest.id).complaints
                )
            else:
                assert screen.query_one(DataTable).row_count > 0


async def test_every_key_is_in_the_command_palette(db, setup):
    from smallhousing.screens.resident_forms import BindingCommands

    app = ScreenApp(lambda: ResidentScreen(db, setup.resident))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        provider = BindingCommands(screen)
        names = [name for name, _help, _cb in provider._commands()]
        assert "Add a reasonable adjustment" in names and "Add a restriction" in names
        assert len(names) == len({b.action for b in ResidentScreen.BINDINGS})  # one for each action
        # a command works from another tab: it switches tab first
        callback = dict((n, cb) for n, _h, cb in provider._commands())["Add a reasonable adjustment"]
        await callback()
        await pilot.pause()
        assert isinstance(app.screen, AdjustmentForm)
