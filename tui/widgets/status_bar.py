"""The always-visible line: link state, who is signed in, server, clock warnings."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.widgets import Static

from api_client.contract import ConnectionStatus, Link
from domain.permissions import ROLE_LABELS
from tui.timefmt import format_clock_seconds, format_span

if TYPE_CHECKING:
    from tui.app import FloorApp


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar {
        dock: bottom;
        height: 1;
        margin-bottom: 1;  /* the key footer docks below it */
        background: $panel;
        color: $text;
    }
    StatusBar.-online { background: $panel; }
    StatusBar.-reconnecting { background: $warning-muted; }
    StatusBar.-offline, StatusBar.-signed_out { background: $error-muted; }
    """

    _shown: Text | None = None

    def on_mount(self) -> None:
        app = cast("FloorApp", self.app)
        app.ticked.subscribe(self, self._refresh_status)
        app.floor_updated.subscribe(self, self._refresh_status)
        self._refresh_status()

    def _refresh_status(self, _value: object = None) -> None:
        app = cast("FloorApp", self.app)
        source = app.view
        status = source.status
        tz = source.state.policy.timezone
        now = app.now
        for link in Link:
            self.set_class(status.link is link, f"-{link.value}")
        line = Text()
        if status.link is Link.ONLINE:
            line.append(" ONLINE ", style="bold reverse")
        elif status.link is Link.RECONNECTING:
            wait = f" {_next_try(status, now)}" if status.next_try_at else ""
            line.append(f" RECONNECTING (attempt {status.attempt}{wait}) ", style="bold reverse")
        elif status.link is Link.OFFLINE:
            since = f" since {format_clock_seconds(status.since, tz)}" if status.since else ""
            line.append(f" OFFLINE{since} ", style="bold reverse")
            if status.next_try_at:
                # it keeps trying: say when, so nobody restarts a terminal to "fix" it
                line.append(f" {_next_try(status, now)} ", style="dim")
        else:
            line.append(" SIGNED OUT ", style="bold reverse")
        if status.pending:
            line.append(f" {status.pending} pending ", style="bold")
        if source.conflicts:
            line.append(f" {len(source.conflicts)} conflict(s) ", style="bold reverse")
        me = source.me
        if me is not None:
            line.append(f" {me.name} ({ROLE_LABELS[me.role]}{', pit ' + me.pit if me.pit else ''})")
        # of a floor's several servers, the one in use now (it moves when one is away)
        line.append(f"  {source.server or app.server_label}", style="dim")
        if status.insecure:
            line.append("  PLAIN HTTP", style="bold")
        clock = app.source  # the clock is the client's, read live
        if clock.clock_suspect:
            line.append(f"  terminal clock off by {format_span(clock.clock_offset)}", style="bold")
        # why it is not online ("live feed refused: HTTP 502 from the server"), and
        # any events from the server this terminal skipped for a fresh snapshot
        detail = [status.detail] if status.detail and status.link is not Link.ONLINE else []
        if status.bad_events:
            detail.append(status.bad_events_words)
        if detail:
            line.append(f"  {'; '.join(detail)}", style="dim")
        # called every second: an unchanged line must not cost a repaint, and a changed
        # one (a countdown to the next try) no layout: one line, as wide as the screen
        if line != self._shown:
            self._shown = line
            self.update(line, layout=False)


def _next_try(status: ConnectionStatus, now: float) -> str:
    assert status.next_try_at is not None
    return f"next try in {format_span(max(0.0, status.next_try_at - now))}"
