"""Help (F1): every key, and how a complaint moves through the Code, at 80x24."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from helpers import settle
from textual.widgets import DataTable, Markdown, TabbedContent

from smallhousing.app import build_app
from smallhousing.domain import letter_rules as LR
from smallhousing.domain.rules import RULES_2024
from smallhousing.screens.help import HelpScreen, process_markdown

SIZE = (80, 24)

pytestmark = pytest.mark.usefixtures("no_backup")


def test_every_time_limit_is_read_from_the_rule_set():
    odd = replace(
        RULES_2024,
        acknowledge_days=7,
        respond_days={1: 11, 2: 23},
        extension_cap={1: 13, 2: 29},
        provisions={**RULES_2024.provisions, "ack1": "9.91", "respond2": "9.92"},
    )
    text = process_markdown(odd)
    for words in (
        "within 7 working days",
        "within 11 working days",
        "within 23 working days",
        "at most 13 working days",
        "at most 29 working days",
        "Code 9.91",
        "Code 9.92",
    ):
        assert words in text, words
    # none of the 2024 Code's own numbers is written into the page
    stage_text = text.split("### Complaints made before")[0]
    for n in (5, 10, 20):
        assert not re.search(rf"\b{n} working days?\b", stage_text), n


def test_the_page_says_the_2024_code_timescales_and_names_each_letter():
    text = process_markdown(RULES_2024)
    r = RULES_2024
    assert f"Acknowledge** within {r.acknowledge_days} working days" in text
    assert f"within {r.respond_days[1]} working days of the acknowledgement" in text
    assert f"within {r.respond_days[2]} working days of the acknowledgement" in text
    assert f"at most {r.extension_cap[1]} working days more" in text
    assert f"at most {r.extension_cap[2]} working days more" in text
    for kind in LR.KINDS:
        assert f"*{LR.KIND_LABELS[kind]}*" in text, kind
    for words in ("Stage 1", "Stage 2", "Escalate", "Housing Ombudsman", "complaint definition", "remedy"):
        assert words in text


async def test_help_has_the_keys_and_the_process_and_scrolls_at_80x24(db, setup):
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        tabs = help_screen.query_one(TabbedContent)
        assert tabs.active == "help-tab-keys"
        table = help_screen.query_one("#help-keys", DataTable)
        assert app.focused is table
        rows = [" ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
        # the app's own keys are listed as the app binds them now
        for b in app.BINDINGS:
            if b.description:
                assert any(b.description in row for row in rows), b.description
        assert any("Ctrl+P" in row and "Find anything" in row for row in rows)

        await pilot.press("2")
        await settle(pilot)
        assert tabs.active == "help-tab-process"
        box = help_screen.query_one("#help-process")
        assert app.focused is box
        assert box.region.bottom <= 24 and box.region.right <= 80
        assert box.max_scroll_y > 0  # more than fits: it scrolls
        await pilot.press("end")
        await pilot.pause()
        assert box.scroll_y == box.max_scroll_y > 0
        assert help_screen.query_one(Markdown).source == process_markdown(
            RULES_2024, help_screen._step_keys()
        )

        await pilot.press("1")
        await settle(pilot)
        assert tabs.active == "help-tab-keys" and app.focused is table
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "DashboardScreen"


async def test_the_process_names_the_keys_of_each_step(db, setup):
    app = build_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(HelpScreen(app.screen, tab="process"))
        await settle(pilot)
        keys = app.screen._step_keys()
        text = app.screen.query_one(Markdown).source
        assert f"key {keys['acknowledge']})" in text and f"key {keys['respond']})" in text
        assert f"key {keys['new_complaint']})" in text
