"""The queue table: a Line API ScrollView that paints only the rows in view.

Countdowns are computed at paint time from each incident's stored deadlines,
so the 1-second tick needs no per-row timers. The clock-driven cells (next
due, update) are painted by two `RowSlice` children docked over the rows: one
for the countdown, one from its last two characters (the seconds) on. Textual
rewrites a changed line from the left edge of the widget that paints it, so a
tick that repaints only the characters that changed writes the seconds of
each row, not the row. The rest of a row is rendered once per incident
version and reused while the row scrolls or moves. What each cell shows, and
its style, comes from `queue_cells.RowCells`; this module holds the widget:
rows, cursor, scrolling, the rendered rows kept and the slices.

The owner sets the rows (already sorted) when the floor changes and `now` on
every tick; the cursor follows its incident when the rows re-sort.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from domain.models import Incident
from domain.sla import Urgency
from domain.state import FloorState
from tui.queue_columns import COLUMNS, Split, layout, split
from tui.queue_model import QueueRows
from tui.widgets.queue_cells import HIDDEN_PLAYER, RowCells, TimedCells, TimedRow, changed_regions
from tui.widgets.row_slice import RowSlice

STEADY_CACHE = 2048  # rendered rows kept; far more than a screen holds


class IncidentTable(ScrollView, can_focus=True, inherit_bindings=False):
    HELP_TITLE = "In the list"
    COMPONENT_CLASSES = {
        "incident-table--header",
        "incident-table--cursor",
        "incident-table--p1",
        "incident-table--p2",
        "incident-table--p3",
        "incident-table--p4",
        "incident-table--tier-vvip",
        "incident-table--tier-vip",
        "incident-table--silent",
        "incident-table--flag",
        "incident-table--pending",
        "incident-table--ok",
        "incident-table--amber",
        "incident-table--red",
        "incident-table--breached",
        "incident-table--met",
        "incident-table--dim",
        "incident-table--unacked",
    }
    DEFAULT_CSS = """
    IncidentTable { height: 1fr; scrollbar-size-vertical: 1; overflow-x: hidden; }
    IncidentTable > .incident-table--header { text-style: bold; color: $quiet-text; }
    IncidentTable > .incident-table--cursor { background: $block-cursor-blurred-background; }
    IncidentTable:focus > .incident-table--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
    }
    IncidentTable > .incident-table--p1 { color: $severity-p1; text-style: bold; }
    IncidentTable > .incident-table--p2 { color: $severity-p2; text-style: bold; }
    IncidentTable > .incident-table--p3 { color: $severity-p3; }
    IncidentTable > .incident-table--p4 { color: $severity-p4; }
    IncidentTable > .incident-table--tier-vvip { color: $tier-vvip; text-style: bold; }
    IncidentTable > .incident-table--tier-vip { color: $tier-vip; }
    IncidentTable > .incident-table--silent { color: $silent-visit; text-style: bold; }
    IncidentTable > .incident-table--flag { color: $warning; text-style: bold reverse; }
    IncidentTable > .incident-table--pending { color: $pending; text-style: bold; }
    IncidentTable > .incident-table--ok { color: $timer-ok; }
    IncidentTable > .incident-table--amber { color: $timer-amber; text-style: bold; }
    IncidentTable > .incident-table--red { color: $timer-red; text-style: bold; }
    IncidentTable > .incident-table--breached { color: $timer-breached; text-style: bold reverse; }
    IncidentTable > .incident-table--met { color: $quiet-text; }
    IncidentTable > .incident-table--dim { color: $quiet-text; }
    IncidentTable > .incident-table--unacked { text-style: bold; }
    """
    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", id="queue.cursor_up", show=False),
        Binding("down,j", "cursor(1)", "Down", id="queue.cursor_down", show=False),
        Binding("pageup", "page(-1)", "Page up", id="queue.page_up", show=False),
        Binding("pagedown", "page(1)", "Page down", id="queue.page_down", show=False),
        Binding("home", "jump(0)", "First", id="queue.first", show=False),
        Binding("end", "jump(-1)", "Last", id="queue.last", show=False),
    ]

    # watch_cursor repaints the two rows whose highlight changed, not the table
    cursor: reactive[int] = reactive(0, init=False, repaint=False)
    # watch_now repaints only the countdown characters that changed
    now: reactive[float] = reactive(0.0, init=False, repaint=False)
    approximate: reactive[bool] = reactive(False, init=False)
    # the shared-terminal lock: player references are hidden while set
    masked: reactive[bool] = reactive(False, init=False)

    class Highlighted(Message):
        def __init__(self, table: IncidentTable, incident_id: int | None) -> None:
            super().__init__()
            self.table = table
            self.incident_id = incident_id

        @property
        def control(self) -> IncidentTable:
            return self.table

    class Chosen(Message):
        """A row was double-clicked: open it."""

        def __init__(self, incident_id: int) -> None:
            super().__init__()
            self.incident_id = incident_id

    _slices: tuple[RowSlice, ...] = ()  # refresh() runs before __init__ is done

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: Sequence[Incident] = ()
        # renders the cells; it holds the floor and pending marks set_rows gives, and
        # the watchers pass it now, approximate and masked
        self._cells = RowCells(self.get_component_rich_style)
        self.empty_text = "No incidents in this view."
        self._countdowns = RowSlice(self._paint_slice, id="queue-countdowns")
        self._seconds = RowSlice(self._paint_slice, id="queue-seconds")
        self._slices = (self._countdowns, self._seconds)
        # what each line showed when last painted: line -> incident; and per slice,
        # line -> (incident id, timed cells)
        self._shown: dict[int, Incident] = {}
        self._painted: dict[RowSlice, dict[int, tuple[int, TimedCells]]] = {
            part: {} for part in self._slices
        }
        self._steady: dict[int, tuple[Incident, tuple[object, ...], Strip]] = {}
        self._timed: dict[int, TimedRow] = {}  # by incident id, for the current `now`
        self._base: Style | None = None  # the table's own style, under every cell
        self._view: tuple[tuple[Size, bool, bool], Size] | None = None

    @property
    def is_container(self) -> bool:
        # a ScrollView lays out no children; this one docks its countdown slices
        return True

    def compose(self) -> ComposeResult:
        yield from self._slices

    # --- attributes down ------------------------------------------------------------

    def set_rows(
        self,
        rows: Sequence[Incident],
        floor: FloorState,
        pending: frozenset[int],
        me: str | None = None,
    ) -> None:
        """New rows in display order; the cursor stays on its incident if still shown.

        Only the lines whose row changed are repainted.
        """
        current = self.selected_id
        cells = self._cells
        everything = (
            floor.staff is not cells.floor.staff
            or floor.policy is not cells.floor.policy
            # a player's flags mark every row of that player: few and rare changes
            or floor.player_flags != cells.floor.player_flags
            or me != cells.me  # whose acknowledgements the rows mark
        )
        if everything:
            # the owner's name and the policy's clocks are in the timed cells too
            self._steady.clear()
            self._timed.clear()
            cells.forget_dues()
        was_pending = cells.pending
        self._rows, cells.floor, cells.pending, cells.me = rows, floor, pending, me
        self._fit_rows(len(rows))
        index = _index_of(rows, current) if current is not None else None
        cursor = index if index is not None else min(self.cursor, max(0, len(rows) - 1))
        if cursor != self.cursor:
            self.cursor = cursor
        else:
            self._announce()
        if everything or not self.is_mounted:
            self.refresh()
            return
        marks = was_pending ^ pending
        top = round(self.scroll_y)
        width, height = self._view_size
        changed = []
        for y in range(1, height):
            index = top + y - 1
            incident = rows[index] if index < len(rows) else None
            shown = self._shown.get(y)
            if incident is not shown or (incident is not None and incident.id in marks):
                changed.append(Region(0, y, width, 1))
        if changed:
            self.refresh(*changed)  # one refresh for all of them: each costs the slices too

    def _fit_rows(self, count: int) -> None:
        """Make the scrollable height that of `count` rows and the header.

        A new virtual size lays the whole screen out again (Textual's default,
        for a scrollbar that may come or go): 20-100 ms with the queue on it, on
        every notice of a catch-up. While the scrollbar stays, its thumb is moved
        and nothing else.
        """
        size = Size(self.size.width, count + 1)
        before = self.virtual_size
        if size == before:
            return
        height = self.container_size.height
        stays = (
            self.is_mounted
            and self.show_vertical_scrollbar
            and size.width == before.width
            and min(before.height, size.height) > height
        )
        if not stays:
            self.virtual_size = size
            return
        self.set_reactive(IncidentTable.virtual_size, size)
        self.vertical_scrollbar.window_virtual_size = size.height
        if self.scroll_y > self.max_scroll_y:  # the rows shrank under the last page
            self.scroll_to(y=self.max_scroll_y, animate=False)

    @property
    def selected(self) -> Incident | None:
        return self._rows[self.cursor] if 0 <= self.cursor < len(self._rows) else None

    @property
    def selected_id(self) -> int | None:
        row = self.selected
        return row.id if row is not None else None

    @property
    def row_count(self) -> int:
        return len(self._rows)

    def watch_now(self, now: float) -> None:
        self._cells.now = now
        self._timed.clear()
        self._refresh_timed_cells()

    def watch_approximate(self, approximate: bool) -> None:
        self._cells.approximate = approximate
        self._timed.clear()
        self.refresh()

    def watch_masked(self, masked: bool) -> None:
        self._cells.masked = masked
        self.refresh()

    def watch_cursor(self, old: int, new: int) -> None:
        top = round(self.scroll_y)
        self._scroll_to_cursor()
        self._announce()
        if round(self.scroll_y) != top:
            self.refresh()  # scrolled: every line shows another row
        else:
            # only the two rows whose highlight changed (line 0 is the header)
            self.refresh_line(old + 1)
            self.refresh_line(new + 1)

    def _announce(self) -> None:
        self.post_message(self.Highlighted(self, self.selected_id))

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)
        # the slices paint part of every line: whatever repaints lines repaints them
        if repaint and not recompose:
            for part in self._slices:
                if part.is_mounted:
                    part.repaint(regions)
        return self

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._base = self._view = None
        self._steady.clear()
        self._timed.clear()

    @property
    def _view_size(self) -> Size:
        """The size the rows are painted in: as `scrollable_content_region`, without
        looking the table up on the screen (painting asks for every line)."""
        key = (self.outer_size, self.show_vertical_scrollbar, self.show_horizontal_scrollbar)
        if self._view is None or self._view[0] != key:
            width, height = key[0]
            gutter_width, gutter_height = self.gutter.totals
            size = Size(max(0, width - gutter_width), max(0, height - gutter_height))
            self._view = (key, size)
        return self._view[1]

    @property
    def _base_style(self) -> Style:
        # computing it walks every ancestor's styles: once per style change, not per line
        if self._base is None:
            self._base = self.rich_style
        return self._base

    # --- moving ---------------------------------------------------------------------

    def action_cursor(self, delta: int) -> None:
        if self._rows:
            self.cursor = max(0, min(len(self._rows) - 1, self.cursor + delta))

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * max(1, self.size.height - 2))

    def action_jump(self, index: int) -> None:
        if self._rows:
            self.cursor = index % len(self._rows)

    def _scroll_to_cursor(self) -> None:
        visible = max(1, self._view_size.height - 1)
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False)

    def on_click(self, event: events.Click) -> None:
        # clicks on the countdown slices bubble up here; they share the table's lines
        index = round(self.scroll_y) + event.y - 1
        if event.y >= 1 and 0 <= index < len(self._rows):
            self.cursor = index
            if event.chain == 2:
                self.post_message(self.Chosen(self._rows[index].id))

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self._rows) + 1)
        self._place_slices()

    # --- the countdown slices -----------------------------------------------------------

    def _place_slices(self) -> Split:
        """Dock the slices over the countdown and its seconds (from the right edge)."""
        width = self._view_size.width
        parts = split(width)
        seconds = max(0, width - parts.seconds_x)
        self._seconds.place(seconds, 0)
        self._countdowns.place(max(0, width - seconds - parts.timed_x), seconds)
        return parts

    def _refresh_timed_cells(self) -> None:
        """Repaint only the characters of countdowns that changed since they were painted.

        A whole-widget refresh every second re-renders and rewrites every visible
        row; most of a row never changes with the clock, and within a countdown
        usually only the last digit does. The cells left of the countdowns are
        not touched at all.
        """
        if not self.is_mounted or not self._rows:
            return
        width = self._view_size.width
        parts = self._place_slices()
        top = round(self.scroll_y)
        shown = range(1, min(self._view_size.height, len(self._rows) - top + 1))
        timed = {y: self._timed_row(top + y - 1, parts, width) for y in shown}
        for part in self._slices:
            painted = self._painted[part]
            regions: list[Region] = []
            for y, row in timed.items():
                was = painted.get(y)
                if was is None or was[0] != row.incident.id:
                    regions.append(Region(0, y, width, 1))
                else:
                    regions.extend(changed_regions(row.cells, was[1], parts.timed_x, y))
            if regions:
                part.repaint(tuple(regions))

    def _paint_slice(self, part: RowSlice, y: int, start: int, end: int) -> Strip:
        """Columns `start` to `end` of line `y`, for one of the slices."""
        width = self._view_size.width
        parts = split(width)
        index = round(self.scroll_y) + y - 1
        if not (y >= 1 and index < len(self._rows)):
            self._painted[part].pop(y, None)
            return self._line(y, record=False).crop_extend(start, end, self._base_style)
        timed = self._timed_row(index, parts, width)
        self._painted[part][y] = (timed.incident.id, timed.cells)
        if start < parts.timed_x:  # not where it belongs (yet): paint what is there
            return self._line(y, record=False).crop_extend(start, end, self._base_style)
        x = parts.timed_x
        return self._cells.timed_part(timed, start - x, end - x, self._base_style)

    # --- painting -------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        return self._line(y, record=True)

    def _line(self, y: int, *, record: bool) -> Strip:
        """Line `y` in full; `record` notes which row the table now shows there."""
        width = self._view_size.width
        if y == 0:
            text = self._header(width)
        else:
            index = round(self.scroll_y) + y - 1
            if index < len(self._rows):
                incident = self._rows[index]
                if record:
                    self._shown[y] = incident
                parts = split(width)
                timed = self._timed_row(index, parts, width)
                steady = self._steady_strip(incident, index == self.cursor, parts, width)
                timed_strip = self._timed_strip(timed, max(0, width - parts.timed_x))
                # both are cut to size: a list of their segments is the line
                return Strip([*steady, *timed_strip], width)
            if record:
                self._shown.pop(y, None)
            empty = index == 0
            text = Text(" " + self.empty_text, style=self._cells.style("dim")) if empty else Text()
        return self._strip(text, width)

    def _strip(self, text: Text, width: int) -> Strip:
        """`text` as a strip `width` cells wide, over the table's own style."""
        text.truncate(width, pad=True)
        text.end = ""
        return Strip(list(text.render(self.app.console))).apply_style(self._base_style)

    def _header(self, width: int) -> Text:
        text = Text(style=self._cells.style("header"))
        for column, size in layout(width):
            title = column.title.rjust(size) if column.right else column.title.ljust(size)
            text.append(title[:size] + " " * column.gap)
        return text

    def _steady_strip(self, incident: Incident, is_cursor: bool, parts: Split, width: int) -> Strip:
        """The cells left of the countdowns, rendered once per incident version."""
        key = (width, is_cursor, self.has_focus, self.masked, incident.id in self._cells.pending)
        cached = self._steady.get(incident.id)
        if cached is not None and cached[0] is incident and cached[1] == key:
            return cached[2]
        text = self._cells.steady(incident, is_cursor, parts.steady)
        strip = self._strip(text, min(width, parts.timed_x))
        if len(self._steady) >= STEADY_CACHE:
            self._steady.clear()
        self._steady[incident.id] = (incident, key, strip)
        return strip

    def _timed_row(self, index: int, parts: Split, width: int) -> TimedRow:
        """A row's clock-driven cells now (made once per tick, shared by the slices)."""
        incident = self._rows[index]
        is_cursor = index == self.cursor
        look = (is_cursor, self.has_focus, width)
        timed = self._timed.get(incident.id)
        if timed is not None and timed.incident is incident and timed.look == look:
            return timed
        timed = self._cells.timed(incident, look, parts.timed)
        self._timed[incident.id] = timed
        return timed

    def _timed_strip(self, timed: TimedRow, width: int) -> Strip:
        """All the timed cells, `width` wide (under the slices, for a whole line)."""
        return self._cells.timed_part(timed, 0, width, self._base_style)


def _index_of(rows: Sequence[Incident], incident_id: int) -> int | None:
    if isinstance(rows, QueueRows):
        return rows.index_of(incident_id)
    return next((n for n, i in enumerate(rows) if i.id == incident_id), None)


__all__ = ["COLUMNS", "HIDDEN_PLAYER", "IncidentTable", "Urgency", "layout"]
