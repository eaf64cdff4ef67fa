"""Command palette: every action of the app and of the screen it was opened from."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from themes import THEME_NAMES
from tui.keys import binding_groups

if TYPE_CHECKING:
    from tui.app import FloorApp


class FloorCommands(Provider):
    def _commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        """(name, help, run) for each enabled key of the screen, then the themes."""
        app = cast("FloorApp", self.app)
        found: list[tuple[str, str, Callable[[], Any]]] = []
        for group in binding_groups(self.screen):
            for row in group.rows:
                if not row.enabled or row.action == "command_palette":
                    continue
                found.append(
                    (
                        f"{group.title}: {row.description}",
                        f"key {row.keys}",
                        partial(app.run_action, row.action, row.node),
                    )
                )
        if not app.locked:
            found.extend(_metrics_commands(app))
            for name in THEME_NAMES:
                found.append(
                    (f"Theme: {name}", "switch and remember", partial(app.switch_theme, name))
                )
        return found

    async def discover(self) -> Hits:
        for name, help_text, run in self._commands():
            yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, run in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, text=name, help=help_text)


def _metrics_commands(app: FloorApp) -> list[tuple[str, str, Callable[[], Any]]]:
    """The metrics board at each window, for those who may see it."""
    from domain.metric_windows import WINDOW_LABELS
    from domain.metrics import METRICS_ROLES

    me = app.source.me
    if me is None or me.role not in METRICS_ROLES:
        return []  # the board's key still answers them, with the reason
    return [
        (f"Metrics board: {label}", "key M, then w", partial(app.open_screen, "metrics", kind))
        for kind, label in WINDOW_LABELS.items()
    ]
