"""The downtime board: what is down now with large timers, then what came back up.

Cards are added and removed by downtime id as the floor changes; the tick
only re-renders timers. `m` marks a table or machine down, `p` records the
player moved, `u` brings the highlighted one back up.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.css.query import NoMatches
from textual.widgets import ListItem, ListView, Static

from api_client.contract import Changes
from domain import commands as c
from domain.decide import Rejected, move_destination
from domain.models import Downtime
from domain.permissions import in_pit_scope, role_may, why_not
from screens.modals import MarkDownModal, PlayerMovedModal, YesNoModal
from tui.floor_screen import FloorScreen
from tui.messages import CommandRequested
from tui.timefmt import format_clock, format_span
from tui.widgets.downtime_card import DowntimeCard

RECENT_ENDED = 6


class DowntimeScreen(FloorScreen):
    HELP_TITLE = "Downtime board"
    DEFAULT_CSS = """
    DowntimeScreen #downtime-head { height: 1; padding: 0 1; text-style: bold; }
    DowntimeScreen #downtime-list { height: auto; max-height: 1fr; }
    DowntimeScreen #downtime-list > ListItem { padding: 0 1; margin-bottom: 1; }
    DowntimeScreen #downtime-empty { padding: 1 2; color: $foreground 60%; }
    DowntimeScreen #downtime-ended {
        height: auto; border-top: solid $foreground 30%; padding: 0 1;
        border-title-color: $foreground 70%;
    }
    """
    BINDINGS = [
        Binding("m", "mark_down", "Mark down", id="downtime.mark"),
        Binding("p", "player_moved", "Player moved", id="downtime.moved"),
        Binding("u", "back_up", "Back up", id="downtime.up"),
    ]

    def compose_body(self) -> ComposeResult:
        yield Static(id="downtime-head")
        yield ListView(id="downtime-list")
        yield Static("Nothing is down.", id="downtime-empty")
        yield Static(id="downtime-ended")

    def on_mount(self) -> None:
        super().on_mount()
        self._sync_cards()
        self._show_ended()
        self.query_one(ListView).focus()

    # --- what is down ----------------------------------------------------------

    def _active(self) -> list[Downtime]:
        return sorted(self.floor.active_downtimes(), key=lambda d: (d.started_at, d.id))

    def _sync_cards(self) -> None:
        """Add and remove cards by downtime id; never clear the list (keeps the cursor)."""
        listing = self.query_one(ListView)
        active = {d.id for d in self._active()}
        shown: dict[int, ListItem] = {
            int(item.id.removeprefix("downtime-")): item
            for item in listing.query(ListItem)
            if item.id
        }
        for downtime_id, item in shown.items():
            if downtime_id not in active:
                item.remove()
        for downtime in self._active():
            if downtime.id not in shown:
                listing.append(ListItem(DowntimeCard(downtime.id), id=f"downtime-{downtime.id}"))
        if listing.index is None and active:
            listing.index = 0
        self.query_one("#downtime-empty").display = not active
        # new cards compose on the next refresh: fill them in then
        self.call_after_refresh(self._show_timed, self.now)

    @property
    def selected(self) -> Downtime | None:
        # bindings are checked before the list is mounted and while the screen closes
        try:
            listing = self.query_one(ListView)
        except NoMatches:
            return None
        item = listing.highlighted_child
        if item is None or not item.id:
            return None
        downtime = self.floor.downtimes.get(int(item.id.removeprefix("downtime-")))
        return downtime if downtime is not None and downtime.active else None

    # --- refresh -------------------------------------------------------------

    def on_tick(self, now: float) -> None:
        self._show_timed(now)

    def on_floor_changed(self, changes: Changes) -> None:
        if changes.reset or changes.downtimes:
            self._sync_cards()
            self._show_ended()
            self.refresh_bindings()

    def _show_timed(self, now: float) -> None:
        floor = self.floor
        active = self._active()
        for card in self.query(DowntimeCard):
            downtime = floor.downtimes.get(card.downtime_id)
            if downtime is not None and downtime.active:
                card.show(downtime, floor, now)
        waiting = sum(1 for d in active if d.player_moved_at is None)
        limit = format_span(floor.policy.downtime_replace_after)
        self.query_one("#downtime-head", Static).update(
            f"Down now: {len(active)}  (player to move after {limit}; {waiting} not moved yet)"
        )

    def _show_ended(self) -> None:
        floor = self.floor
        tz = floor.policy.timezone
        ended = sorted(
            (d for d in floor.downtimes.values() if d.ended_at is not None),
            key=lambda d: d.ended_at or 0.0,
            reverse=True,
        )[:RECENT_ENDED]
        panel = self.query_one("#downtime-ended", Static)
        panel.border_title = "back up"
        if not ended:
            panel.update(Content.styled("nothing has come back up yet", "dim"))
            return
        lines = []
        for d in ended:
            assert d.ended_at is not None
            moved = f", player moved to {d.moved_to}" if d.moved_to else ""
            lines.append(
                Content.assemble(
                    (f"{d.asset_id:<8}", "bold"),
                    f" down {format_span(d.ended_at - d.started_at):>7}  ",
                    (f"{format_clock(d.started_at, tz)}-{format_clock(d.ended_at, tz)}", "dim"),
                    f"  {d.reason}{moved}",
                )
            )
        panel.update(Content("\n").join(lines))

    # --- actions -------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "player_moved":
            selected = self.selected
            return selected is not None and selected.player_moved_at is None
        if action == "back_up":
            return self.selected is not None
        return True

    def _may(self, command_type: str) -> bool:
        me = self.source.me
        if me is None:
            return False
        if not role_may(me.role, command_type):
            self.notify(
                why_not(me.role, command_type),
                title="Not allowed",
                severity="warning",
                markup=False,
            )
            return False
        return True

    def action_mark_down(self) -> None:
        me = self.source.me
        if me is None or not self._may("start_downtime"):
            return
        floor = self.floor
        down = {d.asset_id for d in floor.active_downtimes()}
        assets = sorted(
            (
                a
                for a in floor.assets.values()
                if a.id not in down and in_pit_scope(me, a.pit, floor.policy)
            ),
            key=lambda a: (a.pit, a.id),
        )
        options = [
            (f"{a.id}  {a.kind.value}, pit {a.pit}{', ' + a.game if a.game else ''}", a.id)
            for a in assets
        ]

        def mark(answer: tuple[str, str] | None) -> None:
            if answer:
                asset_id, reason = answer
                self.post_message(
                    CommandRequested(
                        c.StartDowntime(asset_id=asset_id, reason=reason),
                        done=f"{asset_id} marked down",
                    )
                )

        self.app.push_screen(MarkDownModal(options), mark)

    def action_player_moved(self) -> None:
        downtime = self.selected
        if downtime is None or not self._may("move_player"):
            return

        def moved(to: str | None) -> None:
            if to:
                self.post_message(
                    CommandRequested(
                        c.MovePlayer(asset_id=downtime.asset_id, downtime_id=downtime.id, to=to),
                        done=f"player from {downtime.asset_id} moved to {to}",
                    )
                )

        def destination(to: str) -> str:
            try:
                return move_destination(self.floor, downtime.asset_id, to)
            except Rejected as exc:
                raise ValueError(exc.message) from None

        title = f"Player moved from {downtime.asset_id}"
        self.app.push_screen(PlayerMovedModal(title, destination=destination), moved)

    def action_back_up(self) -> None:
        downtime = self.selected
        if downtime is None or not self._may("end_downtime"):
            return

        def back_up(sure: bool | None) -> None:
            if sure:
                self.post_message(
                    CommandRequested(
                        c.EndDowntime(asset_id=downtime.asset_id, downtime_id=downtime.id),
                        done=f"{downtime.asset_id} is back up",
                    )
                )

        # a stray key would end the downtime, and its minutes, for good
        down_for = format_span(self.now - downtime.started_at)
        question = f"{downtime.asset_id} is back up? Its downtime ends now, after {down_for}."
        self.app.push_screen(YesNoModal("Back up", question, ok_label="Back up"), back_up)

    def on_list_view_highlighted(self, _event: ListView.Highlighted) -> None:
        self.refresh_bindings()
