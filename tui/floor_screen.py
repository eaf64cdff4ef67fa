"""The base of every floor screen: body, then the status bar and the key footer.

Screens read the floor from the app (attributes down) and react to two app
reactives: `now` (one app-level 1-second tick) and `revision` (bumped once per
coalesced batch of changes from the sync client). While the terminal is
locked a screen has the `-locked` class, which hides its `.player-detail`
widgets (`tui.lock_veil`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.screen import Screen

from api_client.contract import Changes
from domain.state import FloorState
from tui.lock_veil import follow_lock
from tui.watchers import forget_watchers
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
        self.watch(self.floor_app, "now", self._now_changed, init=False)
        self.watch(self.floor_app, "revision", self._revision_changed, init=False)
        follow_lock(self)

    def on_unmount(self) -> None:
        forget_watchers(self.floor_app, self)

    @property
    def floor_app(self) -> FloorApp:
        return cast("FloorApp", self.app)

    @property
    def source(self) -> FloorSource:
        return self.floor_app.source

    @property
    def floor(self) -> FloorState:
        return self.source.state

    @property
    def now(self) -> float:
        return self.floor_app.now

    def _now_changed(self, now: float) -> None:
        if self.is_current:
            self.on_tick(now)

    def _revision_changed(self, _revision: int) -> None:
        self.on_floor_changed(self.floor_app.last_changes)

    def on_tick(self, now: float) -> None:
        """Once a second while this screen is showing: refresh countdowns."""

    def on_floor_changed(self, changes: Changes) -> None:
        """After the sync client applied changes: refresh what they touch."""
