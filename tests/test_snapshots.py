"""SVG snapshots of the main screens at 80x24, on the demo data (150 complaints, seed 7) with today
fixed at Mon 2 Mar 2026: the dashboard, the complaints list, a complaint, a letter preview, help and
a boxed form (a new complaint). The SVGs are in __snapshots__/test_snapshots/; after a change to a
screen that is meant, look at the new picture and accept it with ``pytest --snapshot-update``.
"""

from __future__ import annotations

import sqlite3

import pytest
from helpers import settle, until

from smallhousing.app import build_app

SIZE = (80, 24)

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("no_backup")]


def first_acknowledged(db) -> str:
    """The reference of the first complaint (by id) whose stage 1 has been acknowledged."""
    with sqlite3.connect(str(db.path)) as con:
        return con.execute(
            "SELECT c.reference FROM complaint c JOIN stage s ON s.complaint_id = c.id "
            "WHERE s.number = 1 AND s.acknowledged_on IS NOT NULL ORDER BY c.id LIMIT 1"
        ).fetchone()[0]


async def shown(pilot, name: str) -> None:
    """Wait until the screen called ``name`` is on top and its workers have finished."""
    await until(pilot, lambda: type(pilot.app.screen).__name__ == name)
    await settle(pilot)


async def started(pilot) -> None:
    await until(pilot, lambda: type(pilot.app.screen).__name__ == "DashboardScreen")
    await settle(pilot)


def test_dashboard(snap_compare, demo_db):
    assert snap_compare(build_app(demo_db), terminal_size=SIZE, run_before=started)


def test_complaints_list(snap_compare, demo_db):
    async def run_before(pilot) -> None:
        await started(pilot)
        await pilot.press("f3")
        await shown(pilot, "ComplaintsScreen")

    assert snap_compare(build_app(demo_db), terminal_size=SIZE, run_before=run_before)


def test_a_complaint(snap_compare, demo_db):
    ref = first_acknowledged(demo_db)

    async def run_before(pilot) -> None:
        await started(pilot)
        pilot.app.open_complaint(ref)
        await shown(pilot, "ComplaintScreen")

    assert snap_compare(build_app(demo_db), terminal_size=SIZE, run_before=run_before)


def test_letter_preview(snap_compare, demo_db):
    from smallhousing.screens.letter_preview import LetterPreviewScreen

    ref = first_acknowledged(demo_db)

    async def run_before(pilot) -> None:
        await started(pilot)
        pilot.app.push_screen(LetterPreviewScreen(demo_db, ref, "acknowledgement", stage=1))
        await shown(pilot, "LetterPreviewScreen")

    assert snap_compare(build_app(demo_db), terminal_size=SIZE, run_before=run_before)


def test_help(snap_compare, demo_db):
    async def run_before(pilot) -> None:
        await started(pilot)
        await pilot.press("f1")
        await shown(pilot, "HelpScreen")

    assert snap_compare(build_app(demo_db), terminal_size=SIZE, run_before=run_before)


def test_new_complaint_form(snap_compare, demo_db):
    async def run_before(pilot) -> None:
        await started(pilot)
        await pilot.press("ctrl+n")
        await shown(pilot, "ResidentPickerScreen")
        await pilot.press("escape")  # the picker closes: the boxed form, empty
        await shown(pilot, "NewComplaintForm")

    assert snap_compare(build_app(demo_db), terminal_size=SIZE, run_before=run_before)
