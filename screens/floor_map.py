"""The floor map: every table and machine in view as a cell, coloured by its worst state.

Pits and banks from the floor's assets (`domain.floor_map`); a pit boss sees
their pit, everyone else the floor. Changes re-make only the cells they touch,
and the tick only the cells whose downtime reaches its replace limit. Enter
opens the highlighted cell's incident (a list when there are several), `r`
jumps to the next red cell (a P1, or a player left past the limit).
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.css.query import NoMatches
from textual.widgets import Static

from api_client.contract import Changes
from domain.floor_map import SILENT_MARK, Cell, CellState
from domain.models import AssetKind, Incident, Role
from domain.permissions import can_see_downtime_in
from domain.player_flags import is_silent
from screens.map_cell_modal import MapCellModal
from tui.floor_map_model import MapModel
from tui.floor_screen import FloorScreen
from tui.timefmt import format_span
from tui.widgets.floor_map import SILENT_LOOK, STATE_LOOK, FloorMap, content_style

# the legend's words, worst first, each in its state's look (`FloorMap`'s own)
LEGEND: tuple[tuple[CellState, str], ...] = (
    (CellState.P1, ""),
    (CellState.DOWN_OVERDUE, "past limit"),
    (CellState.P2, ""),
    (CellState.DOWN, "down"),
    (CellState.P3, ""),
    (CellState.P4, ""),
)


class FloorMapScreen(FloorScreen):
    HELP_TITLE = "Floor map"
    # escape from an incident opened here comes back to the map (`FloorApp.action_back`)
    BACK_STOP = True
    DEFAULT_CSS = """
    FloorMapScreen #map-legend { height: 1; padding: 0 1; background: $panel; }
    FloorMapScreen #map-detail {
        height: 2; padding: 0 1; background: $panel; text-wrap: nowrap; text-overflow: ellipsis;
    }
    """
    BINDINGS = [
        Binding("enter", "open", "Incidents", id="map.open"),
        Binding("r", "next_red", "Next red", id="map.next_red"),
        Binding("escape", "leave", "Back", id="map.back", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.model = MapModel()
        self._for: str | None = None  # the user the map was built for
        self._offered: bool | None = None  # whether the footer offers enter
        self._detail: tuple[str, object] = ("", None)  # what the detail line says

    def compose_body(self) -> ComposeResult:
        yield Static(id="map-legend")
        yield FloorMap(self.model, id="floor-map")
        yield Static(id="map-detail")

    @property
    def map(self) -> FloorMap:
        return self.query_one(FloorMap)

    def on_mount(self) -> None:
        super().on_mount()
        self._rebuild()
        self.map.focus()

    def on_screen_resume(self) -> None:
        # changes kept coming while another screen was on top; only the clock may have moved
        self.on_tick(self.now)

    # --- attributes down --------------------------------------------------------------

    def _shown(self, pit: str) -> bool:
        me = self.source.me
        return me is not None and can_see_downtime_in(me, pit, self.floor.policy)

    def _rebuild(self) -> None:
        me = self.source.me
        self._for = me.id if me is not None else None
        self.model.rebuild(self.floor, self.now, self._shown)
        self.map.rebuilt()
        self._show_legend()
        self._show_detail()

    def on_floor_changed(self, changes: Changes) -> None:
        me = self.source.me
        floor = self.floor
        if (
            changes.reset
            or self.model.needs_rebuild(floor)
            or (me.id if me is not None else None) != self._for
        ):
            self._rebuild()
            return
        if changes.incidents or changes.downtimes:
            touched = self.model.update(floor, self.now, changes.incidents, changes.downtimes)
            self.map.cells_changed(touched)
            self._show_detail()

    def on_tick(self, now: float) -> None:
        self.map.cells_changed(self.model.tick(now))
        self._show_detail()  # a downtime's minutes

    # --- words above and below --------------------------------------------------------

    def _show_legend(self) -> None:
        me = self.source.me
        if me is None:
            where = "signed out"
        elif me.role is Role.PIT_BOSS and not self.floor.policy.pit_boss_floor_wide:
            where = f"pit {me.pit}"
        elif me.role is Role.HOST:
            where = "floor, your players' incidents"
        else:
            where = "whole floor"
        parts: list[Content | str | tuple[str, str]] = [(f"Map: {where}", "bold"), " "]
        for state, words in LEGEND:
            parts.extend([" ", (state.code, content_style(STATE_LOOK[state]))])
            if words:
                parts.append(f" {words}")
        parts.extend(["  ", (SILENT_MARK, content_style(SILENT_LOOK)), " silent"])
        self.query_one("#map-legend", Static).update(Content.assemble(*parts))

    def _show_detail(self) -> None:
        try:
            box = self.query_one("#map-detail", Static)
        except NoMatches:
            return
        cell = self.map.selected
        words = Content("") if cell is None else cell_words(cell, self.now, self._limit)
        if words.plain != self._detail[0] or words.spans != self._detail[1]:
            self._detail = (words.plain, words.spans)
            # two lines whatever it says: a repaint, never a new layout
            box.update(words, layout=False)

    @property
    def _limit(self) -> float:
        return self.floor.policy.downtime_replace_after

    @on(FloorMap.Highlighted)
    def _highlighted(self) -> None:
        self._show_detail()
        # the footer is rebuilt on a bindings refresh: only when what it offers changes
        offered = self.check_action("open", ())
        if offered != self._offered:
            self._offered = offered
            self.refresh_bindings()

    # --- acting on the highlighted cell -----------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open":
            if self.floor_app.locked or not self.is_mounted:
                return None
            try:
                cell = self.map.selected
            except NoMatches:  # bindings are checked before the map is mounted
                return None
            return (cell is not None and bool(cell.incidents)) or None
        return True

    def action_open(self) -> None:
        cell = self.map.selected
        if cell is None or not cell.incidents:
            return
        self._open(cell)

    @on(FloorMap.Chosen)
    def _chosen(self, event: FloorMap.Chosen) -> None:
        cell = self.model.cells.get(event.asset_id)
        if cell is not None and cell.incidents:
            self._open(cell)

    def _open(self, cell: Cell) -> None:
        if len(cell.incidents) == 1:
            self.floor_app.action_open_incident(cell.incidents[0].id)
            return
        floor, now = self.floor, self.now
        lines = [
            (i.id, incident_line(i, floor.staff_name(i.owner), is_silent(floor, i, now)))
            for i in cell.incidents
        ]
        title = f"{cell.asset.id}: {len(lines)} open incidents"

        def picked(incident_id: int | None) -> None:
            if incident_id is not None:
                self.floor_app.action_open_incident(incident_id)

        self.app.push_screen(MapCellModal(title, lines), picked)

    def action_next_red(self) -> None:
        found = self.map.next_red()
        if found is None:
            self.notify(
                "Nothing is red on the map: no P1, no player left past the limit.", markup=False
            )
            return
        self.map.cursor = found

    def action_leave(self) -> None:
        self.app.pop_screen()


def cell_words(cell: Cell, now: float, limit: float) -> Content:
    """The highlighted cell in words: what it is, its incidents, its downtime."""
    asset = cell.asset
    what = f"{asset.game} {asset.kind.value}".strip()
    head: list[Content | str | tuple[str, str]] = [(asset.id, "bold"), f"  {what}, pit {asset.pit}"]
    if cell.incidents:
        worst = cell.incidents[0]
        more = len(cell.incidents) - 1
        head.extend(
            [
                "  ",
                (f"#{worst.id} {worst.priority}", f"$severity-{worst.priority.lower()} bold"),
                f" {worst.kind.label}, {worst.state.replace('_', ' ')}",
                f" (+{more} more, enter lists them)" if more else " (enter opens it)",
            ]
        )
    else:
        head.append("  no open incident")
    second: list[Content | str | tuple[str, str]] = []
    downtime = cell.downtime
    if downtime is not None:
        who = "players" if asset.kind is AssetKind.TABLE else "player"
        down = f"down {format_span(now - downtime.started_at)}: {downtime.reason}"
        if downtime.player_moved_at is not None:
            second.append((f"{down}; {who} moved to {downtime.moved_to}", "$timer-amber"))
        elif cell.state is CellState.DOWN_OVERDUE:
            over = f"{down}; past {format_span(limit)}: move the {who} (downtime board, p)"
            second.append((over, "$timer-breached bold"))
        else:
            second.append((f"{down}; move the {who} by {format_span(limit)}", "$timer-amber"))
    if cell.silent:
        if second:
            second.append("  ")
        second.append((f"{SILENT_MARK} silent visit: no public calls", content_style(SILENT_LOOK)))
    return Content.assemble(*head, "\n", *second)


def incident_line(incident: Incident, owner: str, silent: bool) -> Content:
    """One line of a cell's incident list: never the player, the mark at most."""
    return Content.assemble(
        (f"#{incident.id} {incident.priority}", f"$severity-{incident.priority.lower()} bold"),
        f"  {incident.kind.label}, {incident.state.replace('_', ' ')}, owner {owner}",
        (f"  {SILENT_MARK} silent visit", content_style(SILENT_LOOK)) if silent else "",
    )


__all__ = ["FloorMapScreen", "cell_words", "incident_line"]
