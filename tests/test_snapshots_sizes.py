"""SVG snapshots of the dashboard, a complaint, a letter preview, help and a boxed form at the
smallest size the app supports (80x24) and on a larger terminal (120x40), on the demo data (150
complaints, seed 7) with today fixed at Mon 2 Mar 2026, as in test_snapshots.py.

At 80x24 nothing may be cut off; at 120x40 the tables and lists widen and the dashboard grows
taller. The SVGs are in __snapshots__/test_snapshots_sizes/; after a change to a screen that is
meant, look at the new pictures and accept them with ``pytest --snapshot-update``.
"""

from __future__ import annotations

import sqlite3

import pytest
from helpers import settle, until

from smallhousing.app import build_app

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("no_backup")]


@pytest.fixture(params=list(SIZES))
def size(request) -> tuple[int, int]:
    return SIZES[request.param]


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
    await shown(pilot, "DashboardScreen")


def test_dashboard(snap_compare, demo_db, size):
    assert snap_compare(build_app(demo_db), terminal_size=size, run_before=started)


def test_a_complaint(snap_compare, demo_db, size):
    ref = first_acknowledged(demo_db)

    async def run_before(pilot) -> None:
        await started(pilot)
        pilot.app.open_complaint(ref)
        await shown(pilot, "ComplaintScreen")

    assert snap_compare(build_app(demo_db), terminal_size=size, run_before=run_before)


def test_letter_preview(snap_compare, demo_db, size):
    from smallhousing.screens.letter_preview import LetterPreviewScreen

    ref = first_acknowledged(demo_db)

    async def run_before(pilot) -> None:
        await started(pilot)
        pilot.app.push_screen(LetterPreviewScreen(demo_db, ref, "acknowledgement", stage=1))
        await shown(pilot, "LetterPreviewScreen")

    assert snap_compare(build_app(demo_db), terminal_size=size, run_before=run_before)


def test_help(snap_compare, demo_db, size):
    async def run_before(pilot) -> None:
        await started(pilot)
        await pilot.press("f1")
        await shown(pilot, "HelpScreen")

    assert snap_compare(build_app(demo_db), terminal_size=size, run_before=run_before)


def test_new_complaint_form(snap_compare, demo_db, size):
    async def run_before(pilot) -> None:
        await started(pilot)
        await pilot.press("ctrl+n")
        await shown(pilot, "ResidentPickerScreen")
        await pilot.press("escape")  # the picker closes: the boxed form, empty
        await shown(pilot, "NewComplaintForm")

    assert snap_compare(build_app(demo_db), terminal_size=size, run_before=run_before)
