"""The home screen: the live incident queue."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from tui.floor_screen import FloorScreen


class QueueScreen(FloorScreen):
    HELP_TITLE = "Queue"

    def compose_body(self) -> ComposeResult:
        yield Static(id="queue-summary")
