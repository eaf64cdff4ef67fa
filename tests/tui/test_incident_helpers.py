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


def screen_text(app: App[object]) -> str:
    """Everything the terminal shows now, the screens under a modal too, row by row.

    Read from the app's own screenshot (what a person would see), so a word
    split across styles is still found whole.
    """
    import html
    import re

    rows: dict[float, list[tuple[float, str]]] = {}
    cell = None
    for match in re.finditer(
        r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)" textLength="([\d.]+)"[^>]*>([^<]*)</text>',
        app.export_screenshot(),
    ):
        x, y, length, text = match.groups()
        text = html.unescape(text).replace("\xa0", " ")
        if text and cell is None:
            cell = float(length) / len(text)
        rows.setdefault(float(y), []).append((float(x), text))
    lines = []
    for y in sorted(rows):
        line = ""
        for x, text in sorted(rows[y]):
            line = line.ljust(round(x / (cell or 1))) + text
        lines.append(line.rstrip())
    return "\n".join(lines)
