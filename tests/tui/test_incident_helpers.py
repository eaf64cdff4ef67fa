"""Small helpers the floor-screen tests share (no tests of its own)."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static


def find_incident(floor, reference: str) -> int:
    """The demo incident about the player with this (unmasked) reference."""
    return next(i.id for i in floor.truth.incidents.values() if i.player.reference == reference)


def text_of(screen: Screen[Any], selector: str) -> str:
    """The plain text a Static shows."""
    return str(screen.query_one(selector, Static).content)


def ladder_text(screen: Screen[Any]) -> str:
    """The escalation panel's text as shown, one line per row."""
    from tui.widgets.ladder import LadderPanel

    return screen.query_one(LadderPanel).render().plain


def notices(app: Any) -> list[str]:
    return [n.message for n in app.notified]


async def settle(app: App[object], pilot: Pilot[Any]) -> None:
    """Let submit workers finish and the change notice reach the screens."""
    await pilot.pause()
    # only the command workers: the sync worker runs for the life of the app
    # (an empty list would mean "all of them")
    commands = [w for w in app.workers if w.group == "commands"]
    if commands:
        await app.workers.wait_for_complete(commands)
    await pilot.pause()
    await pilot.pause()
