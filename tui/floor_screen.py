"""The base of every floor screen: body, then the status bar and the key footer.

Screens read the floor from the app's current `FloorView` (attributes down)
and subscribe to two app signals: `ticked` (one app-level 1-second tick) and
`floor_updated` (one `FloorUpdate` per notice from the sync client). A
signal drops a screen once it is removed. While the terminal is
locked a screen has the `-locked` class, which hides its `.player-detail`
widgets (`tui.lock_veil`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.screen import Screen

from api_client.contract import Changes, FloorView
from domain.state import FloorState
from tui.floor_update import FloorUpdate
from tui.lock_veil import follow_lock
from tui.widgets.key_footer import KeyFooter
from tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from tui.app import FloorApp
    from tui.source import FloorSource


class FloorScreen(Screen[None]):
    DEFAULT_CSS = """
    FloorScreen.-locked .player-detail { display: none !important; }
    """

    def compose(self) -> ComposeResult:
        yield from self.compose_body()
        yield StatusBar()
        # compact, the palette key in the help instead; what does not fit is left out
        # (the footer keeps `?`, which lists every key)
        yield KeyFooter()

    def compose_body(self) -> ComposeResult:
        """Subclasses yield their own widgets here."""
        return iter(())

    def on_mount(self) -> None:
        self.floor_app.ticked.subscribe(self, self._ticked)
        self.floor_app.floor_updated.subscribe(self, self._floor_updated)
        follow_lock(self)

    @property
    def floor_app(self) -> FloorApp:
        return cast("FloorApp", self.app)

    @property
    def source(self) -> FloorView:
        """The floor as of the last update: state, outbox, link (never changes under us)."""
        return self.floor_app.view

    @property
    def client(self) -> FloorSource:
        """The sync client itself: for what the view does not hold (the clock, admin calls)."""
        return self.floor_app.source

    @property
    def floor(self) -> FloorState:
        return self.floor_app.view.state

    @property
    def now(self) -> float:
        return self.floor_app.now

    def _ticked(self, now: float) -> None:
        if self.is_current:
            self.on_tick(now)

    def _floor_updated(self, update: FloorUpdate) -> None:
        self.on_floor_changed(update.changes)

    def on_tick(self, now: float) -> None:
        """Once a second while this screen is showing: refresh countdowns."""

    def on_floor_changed(self, changes: Changes) -> None:
        """After the sync client applied changes: refresh what they touch."""
