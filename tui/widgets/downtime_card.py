"""One table or machine that is down: a large timer counting up against the replace limit.

The timer's class comes from `domain.sla.urgency_of` on the time left before
the player must be moved (`policy.downtime_replace_after`), so the theme turns
it amber, then red, then breached exactly when the rule says.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import HorizontalGroup, VerticalGroup
from textual.widgets import Digits, Static

from domain.models import AssetKind, Downtime
from domain.sla import Urgency, urgency_of
from domain.state import FloorState
from tui.timefmt import URGENCY_CLASS, format_clock, format_span


def player_text(downtime: Downtime, now: float, floor: FloorState) -> tuple[str, bool]:
    """What is owed to the player(s), and whether it is urgent now."""
    policy = floor.policy
    who = "players" if downtime.asset_kind is AssetKind.TABLE else "player"
    if downtime.player_moved_at is not None:
        at = format_clock(downtime.player_moved_at, policy.timezone)
        return f"{who} moved to {downtime.moved_to} at {at}", False
    limit = downtime.started_at + policy.downtime_replace_after
    urgency = urgency_of(limit - now, policy.downtime_replace_after, policy)
    if urgency in (Urgency.RED, Urgency.BREACHED):
        limit_text = format_span(policy.downtime_replace_after)
        return f"MOVE THE {who.upper()} NOW (down over {limit_text}): p", True
    return f"{who} to move by {format_clock(limit, policy.timezone)} if still down", False


class DowntimeCard(HorizontalGroup):
    DEFAULT_CSS = """
    DowntimeCard { height: 3; }
    DowntimeCard Digits { width: auto; min-width: 16; margin-right: 2; }
    DowntimeCard Digits.-ok { color: $timer-ok; }
    DowntimeCard Digits.-amber { color: $timer-amber; }
    DowntimeCard Digits.-red { color: $timer-red; }
    DowntimeCard Digits.-breached { color: $timer-breached; text-style: bold; }
    DowntimeCard .downtime-info { width: 1fr; }
    DowntimeCard .downtime-asset { text-style: bold; }
    DowntimeCard .downtime-player.-urgent { color: $timer-breached; text-style: bold; }
    DowntimeCard .downtime-player.-done { color: $timer-ok; }
    """

    def __init__(self, downtime_id: int) -> None:
        super().__init__()
        self.downtime_id = downtime_id
        # asked to show before its parts were mounted (a card added on this very tick)
        self._waiting: tuple[Downtime, FloorState, float] | None = None

    def on_mount(self) -> None:
        if self._waiting is not None:
            self.show(*self._waiting)

    def compose(self) -> ComposeResult:
        yield Digits("0:00")
        with VerticalGroup(classes="downtime-info"):
            yield Static(classes="downtime-asset")
            yield Static(classes="downtime-reason")
            yield Static(classes="downtime-player")

    def show(self, downtime: Downtime, floor: FloorState, now: float) -> None:
        found = self.query(Digits)
        if not found:
            self._waiting = (downtime, floor, now)
            return
        self._waiting = None
        policy = floor.policy
        digits = found.first()
        digits.update(format_span(now - downtime.started_at))
        urgency = urgency_of(
            policy.downtime_replace_after - (now - downtime.started_at),
            policy.downtime_replace_after,
            policy,
        )
        for cls in URGENCY_CLASS.values():
            digits.set_class(cls == URGENCY_CLASS[urgency], cls)
        since = format_clock(downtime.started_at, policy.timezone)
        self.query_one(".downtime-asset", Static).update(
            f"{downtime.asset_id}  {downtime.asset_kind.value}, pit {downtime.pit}"
        )
        self.query_one(".downtime-reason", Static).update(
            f"{downtime.reason}; down since {since}, by {floor.staff_name(downtime.started_by)}"
        )
        text, urgent = player_text(downtime, now, floor)
        player = self.query_one(".downtime-player", Static)
        player.set_class(urgent, "-urgent")
        player.set_class(downtime.player_moved_at is not None, "-done")
        player.update(text)
