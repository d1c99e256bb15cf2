"""Helpers shared by the Pilot tests (imported by conftest.py; tests import them by name:
``from helpers import settle, until``)."""

from __future__ import annotations


async def settle(pilot, rounds: int = 3, *, group: str | None = None) -> None:
    """Let workers finish and their results reach the screen. With ``group``, wait only for that
    group's workers (some screens keep a worker that never finishes, such as a folder tree's loader)."""
    for _ in range(rounds):
        if group is None:
            await pilot.app.workers.wait_for_complete()
        else:
            for _ in range(500):
                if not any(w.group == group and not w.is_finished for w in pilot.app.workers):
                    break
                await pilot.pause(0.02)
        await pilot.pause()


async def until(pilot, condition, seconds: float = 10.0) -> None:
    """Pause until ``condition()`` holds (screens are pushed after a message round trip)."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    assert condition()


async def typed(pilot, text: str) -> None:
    """Type ``text`` key by key."""
    await pilot.press(*text)


async def choose(pilot, letter: str) -> None:
    """Open the focused Select, jump to the first option starting with ``letter``, choose it."""
    await pilot.press("enter", letter, "enter")


def text_of(widget) -> str:
    """What a Static (or any widget) shows, as plain text."""
    return str(widget.render())
