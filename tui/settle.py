"""What the app does once the queue is up and the terminal idle.

Two costs that would otherwise land on a key press: making the incident
screen (the one opened most, see `screens.incident`), and the garbage
collector's full passes. Those walk every tracked object, the loaded floor
and the widgets included, for 30-150 ms on a floor terminal, every few
seconds while someone works the queue. What exists once the floor is loaded
lives as long as the session, so it is moved out of the collector's view
(`tui.collector`); only what comes after is scanned. Each sign-in settles
again, and first hands back what the last one froze, so a session's leftovers
are still collected.
"""

from __future__ import annotations

from typing import Any

from textual.app import App

from screens.incident import prepare_incident_screen
from tui import collector


def settle(app: App[Any]) -> None:
    # frozen again once it is made, so the incident screen made ahead is frozen too
    prepare_incident_screen(app, when_ready=collector.floor_painted)
