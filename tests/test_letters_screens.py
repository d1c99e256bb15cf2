"""The letter screens, driven in a tiny app of their own."""

from __future__ import annotations

import datetime as dt

from helpers import settle
from textual.app import App
from textual.widgets import Button, Input, OptionList, Static

from smallhousing import paths
from smallhousing.screens.letter_preview import LetterKindScreen, LetterPreviewScreen
from smallhousing.services import complaints as C
from smallhousing.services import letters as SL

D = dt.date
UNSET = object()


class Host(App):
    def __init__(self, screen) -> None:
        super().__init__()
        self.screen_to_show = screen
        self.result = UNSET

    def on_mount(self) -> None:
        self.push_screen(self.screen_to_show, self.got)

    def got(self, result) -> None:
        self.result = result


def responded(db, setup, *, actions=True):
    c = C.log_complaint(
        db, setup.resident, D(2026, 2, 2), "The <b>lift</b> & stairs light are broken", handler_id=setup.alice
    )
    C.acknowledge(
        db,
        c.id,
        "The lift has been out of order since January [bold]twice[/bold].",
        responsible_for="The lift and the stair lighting.",
        on=D(2026, 2, 3),
    )
    C.respond(
        db,
        c.id,
        "upheld",
        "The lift contractor missed two visits.",
        remedies=[C.RemedyInput("apology", "We are sorry.")],
        actions=[C.ActionInput("Fit a new lift controller", owner="Imran Shah", due_on=D(2026, 3, 20))]
        if actions
        else [],
        on=D(2026, 2, 10),
    )
    return c


def shown(app, selector) -> str:
    return str(app.screen.query_one(selector, Static).content)


async def test_preview_shows_the_letter_and_issues_it(db, setup):
    c = responded(db, setup)
    app = Host(LetterPreviewScreen(db, c.reference, "response"))
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        text = shown(app, "#letter-text")
        assert "The lift has been out of order since January [bold]twice[/bold]." in text
        assert "Mrs Siân O'Brien" in text
        assert "Ready to issue" in shown(app, "#letter-status")
        await pilot.press("i")
        await settle(pilot, 1)
    issued = app.result
    assert isinstance(issued, SL.IssuedLetter) and issued.path.is_file()
    assert issued.path.parent.resolve() == paths.letters_dir(db.path).resolve()
    assert [r.correspondence_id for r in SL.list_letters(db, c.reference)] == [issued.correspondence_id]


async def test_incomplete_letter_lists_what_is_missing_and_cannot_be_issued(db, setup):
    c = responded(db, setup, actions=False)
    # respond() records "no outstanding actions" itself; an older or imported record may lack it
    import sqlite3

    con = sqlite3.connect(str(db.path))
    con.execute("UPDATE stage SET actions_statement = '' WHERE complaint_id = ?", (c.id,))
    con.commit()
    con.close()
    app = Host(LetterPreviewScreen(db, c.reference, "response", stage=1))
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        assert "statement about outstanding actions" in shown(app, "#letter-problems")
        assert app.screen.query_one("#letter-issue-button", Button).disabled
        app.screen.query_one("#letter-body").focus()
        await pilot.press("i")
        await settle(pilot, 1)
        assert isinstance(app.screen, LetterPreviewScreen) and app.result is UNSET
        assert SL.list_letters(db, c.reference) == []
        assert not paths.letters_dir(db.path).exists() or not any(paths.letters_dir(db.path).iterdir())
        # type the missing statement; the letter is checked again and can then go
        box = app.screen.query_one("#fix-actions_statement", Input)
        box.focus()
        box.value = "Nothing is outstanding: the lift was repaired on 9 February."
        await pilot.press("enter")
        await pilot.pause()
        assert "Ready to issue" in shown(app, "#letter-status")
        assert "Nothing is outstanding: the lift was repaired" in shown(app, "#letter-text")
        app.screen.query_one("#letter-body").focus()
        await pilot.press("i")
        await settle(pilot, 1)
    assert isinstance(app.result, SL.IssuedLetter)


async def test_kind_that_does_not_fit_says_why_and_escape_closes(db, setup):
    c = responded(db, setup)
    app = Host(LetterPreviewScreen(db, c.reference, "refusal"))
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        assert "has not been refused" in shown(app, "#letter-problems")
        assert app.screen.query_one("#letter-issue-button", Button).disabled
        await pilot.press("escape")
        await pilot.pause()
    assert app.result is None
    assert SL.list_letters(db, c.reference) == []


async def test_kind_screen_returns_the_chosen_kind(db, setup):
    c = responded(db, setup)
    app = Host(LetterKindScreen(db, c.reference))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("4")  # refusal: does not fit, so nothing is chosen
        await pilot.pause()
        assert app.result is UNSET
        await pilot.press("3")
        await pilot.pause()
    assert app.result == "response"


async def test_kind_screen_without_a_complaint_offers_every_kind():
    app = Host(LetterKindScreen())
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        ol = app.screen.query_one(OptionList)
        assert ol.option_count == len(SL.KINDS)
        await pilot.press("down", "enter")
        await pilot.pause()
    assert app.result == SL.KINDS[1]


async def test_kind_screen_escape_returns_none():
    app = Host(LetterKindScreen())
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("escape")
        await pilot.pause()
    assert app.result is None


async def test_a_typed_fix_is_not_thrown_away_by_escape(db, setup):
    c = responded(db, setup, actions=False)
    import sqlite3

    con = sqlite3.connect(str(db.path))
    con.execute("UPDATE stage SET actions_statement = '' WHERE complaint_id = ?", (c.id,))
    con.commit()
    con.close()
    app = Host(LetterPreviewScreen(db, c.reference, "response", stage=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        box = app.screen.query_one("#fix-actions_statement", Input)
        box.focus()
        await pilot.press(*"Nothing is outstanding")
        await pilot.press("escape")
        await settle(pilot, 1)
        assert type(app.screen).__name__ == "ConfirmScreen"  # asks before discarding
        await pilot.press("n")
        await settle(pilot, 1)
        assert isinstance(app.screen, LetterPreviewScreen) and app.result is UNSET
        assert app.screen.query_one("#fix-actions_statement", Input).value == "Nothing is outstanding"
        await pilot.press("escape")
        await settle(pilot, 1)
        await pilot.press("y")
        await settle(pilot, 1)
    assert app.result is None
