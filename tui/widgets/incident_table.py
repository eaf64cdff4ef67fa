"""The queue table: a Line API ScrollView that paints only the rows in view.

Countdowns are computed in `render_line` from each incident's stored
deadlines, so the 1-second tick is one `refresh()` of the visible lines (no
per-cell updates, no per-row timers). The owner sets `incidents` (already
sorted) when the floor changes and `now` on every tick; the cursor follows
its incident when the rows re-sort.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from domain.models import Chain, Incident, IncidentState, Tier
from domain.sla import Urgency, next_clock, urgency_of
from domain.state import FloorState
from tui.timefmt import URGENCY_CLASS, format_clock, format_countdown

CLOCK_ABBREV = {"answer": "ans", "stabilise": "stab", "resolve": "res", "update": "upd"}
STATE_WORDS = {
    IncidentState.NEW: "new",
    IncidentState.ACKNOWLEDGED: "acked",
    IncidentState.IN_PROGRESS: "working",
    IncidentState.STABILISED: "stable",
    IncidentState.RESOLVED: "resolved",
    IncidentState.CLOSED: "closed",
}
SILENT_MARK = "⊘"
PENDING_MARK = "↻"
HIDDEN_PLAYER = "••••••"


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    width: int
    wide_only: bool = False
    grow: bool = False  # takes the width left over


COLUMNS: tuple[Column, ...] = (
    Column("number", "#", 6),
    Column("mark", "", 1),
    Column("priority", "P", 2),
    Column("tier", "Tier", 4),
    Column("player", "Player", 14, grow=True),
    Column("location", "Location", 10, grow=True),
    Column("kind", "Kind", 16, wide_only=True, grow=True),
    Column("state", "State", 8),
    Column("owner", "Owner", 10, wide_only=True),
    Column("line", "Line", 4),
    Column("next", "Next due", 14),
    Column("update", "Update", 6, wide_only=True),
)
WIDE_AT = 100  # narrower than this, the wide-only columns go
# the only cells that change with the clock; the tick repaints just these
TIMED_COLUMNS = ("next", "update")


NARROW_KIND = 9  # a narrow table shows the kind only if this much room is left over


def layout(width: int) -> list[tuple[Column, int]]:
    """Columns and their widths for a table `width` cells wide."""
    wide = width >= WIDE_AT
    columns = [c for c in COLUMNS if wide or not c.wide_only]
    if not wide:
        # spare room on a narrow screen goes to the kind, not a wider player column
        spare = width - sum(c.width + 1 for c in columns)
        if spare >= NARROW_KIND:
            at = next(n for n, c in enumerate(columns) if c.key == "state")
            columns.insert(at, Column("kind", "Kind", 0, grow=True))
            columns = [Column(c.key, c.title, c.width) if c.key == "player" else c for c in columns]
    used = sum(c.width for c in columns) + len(columns) - 1
    growers = [c for c in columns if c.grow]
    extra, rest = divmod(max(0, width - used), len(growers))
    return [
        (c, c.width + (extra + (rest if c is growers[-1] else 0) if c.grow else 0)) for c in columns
    ]


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
    IncidentTable > .incident-table--header { text-style: bold; color: $text-muted; }
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
    IncidentTable > .incident-table--pending { color: $pending; text-style: bold; }
    IncidentTable > .incident-table--ok { color: $timer-ok; }
    IncidentTable > .incident-table--amber { color: $timer-amber; text-style: bold; }
    IncidentTable > .incident-table--red { color: $timer-red; text-style: bold; }
    IncidentTable > .incident-table--breached { color: $timer-breached; text-style: bold reverse; }
    IncidentTable > .incident-table--met { color: $text-muted; }
    IncidentTable > .incident-table--dim { color: $text-muted; }
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

    cursor: reactive[int] = reactive(0, init=False)
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

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: list[Incident] = []
        self._floor = FloorState()
        self._pending: frozenset[int] = frozenset()
        self.empty_text = "No incidents in this view."
        # what each line's timed cells showed when last painted: line -> (id, cells)
        self._painted: dict[int, tuple[int, tuple[tuple[str, Style | str], ...]]] = {}

    # --- attributes down ------------------------------------------------------------

    def set_rows(
        self, rows: Sequence[Incident], floor: FloorState, pending: frozenset[int]
    ) -> None:
        """New rows in display order; the cursor stays on its incident if still shown."""
        current = self.selected_id
        self._rows = list(rows)
        self._floor = floor
        self._pending = pending
        self.virtual_size = Size(self.size.width, len(self._rows) + 1)
        index = next((n for n, i in enumerate(self._rows) if i.id == current), None)
        cursor = index if index is not None else min(self.cursor, max(0, len(self._rows) - 1))
        if cursor != self.cursor:
            self.cursor = cursor
        else:
            self._announce()
        self.refresh()

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

    def watch_now(self) -> None:
        self._refresh_timed_cells()

    def watch_approximate(self) -> None:
        self.refresh()

    def watch_masked(self) -> None:
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
        visible = max(1, self.scrollable_content_region.height - 1)
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False)

    def on_click(self, event: events.Click) -> None:
        index = round(self.scroll_y) + event.y - 1
        if event.y >= 1 and 0 <= index < len(self._rows):
            self.cursor = index
            if event.chain == 2:
                self.post_message(self.Chosen(self._rows[index].id))

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self._rows) + 1)

    # --- painting -------------------------------------------------------------------

    def _timed_spans(self, width: int) -> list[tuple[str, int, int]]:
        """(column key, x, width) of the clock-driven cells at this table width."""
        spans, x = [], 0
        for column, size in layout(width):
            if column.key in TIMED_COLUMNS:
                spans.append((column.key, x, size))
            x += size + 1
        return spans

    def _timed_cells(
        self, incident: Incident, spans: list[tuple[str, int, int]]
    ) -> tuple[tuple[str, Style | str], ...]:
        cells = []
        for key, _x, size in spans:
            value, style = self._cell(key, incident)
            cells.append((_fit(value, size).plain, style))
        return tuple(cells)

    def _refresh_timed_cells(self) -> None:
        """Repaint only the characters of countdowns that changed since they were painted.

        A whole-widget refresh every second re-renders and rewrites every visible
        row; most of a row never changes with the clock, and within a countdown
        usually only the last digit does.
        """
        if not self.is_mounted or not self._rows:
            self.refresh()
            return
        spans = self._timed_spans(self.scrollable_content_region.width)
        top = round(self.scroll_y)
        regions: list[Region] = []
        for y in range(1, self.scrollable_content_region.height):
            index = top + y - 1
            if index >= len(self._rows):
                break
            incident = self._rows[index]
            painted = self._painted.get(y)
            cells = self._timed_cells(incident, spans)
            if painted is None or painted[0] != incident.id:
                regions.append(Region(0, y, self.scrollable_content_region.width, 1))
                continue
            for (_key, x, size), (text, style), (was, was_style) in zip(
                spans, cells, painted[1], strict=True
            ):
                if style != was_style or len(text) != len(was):
                    regions.append(Region(x, y, size, 1))
                elif text != was:
                    first = next(
                        n for n, (a, b) in enumerate(zip(text, was, strict=False)) if a != b
                    )
                    last = max(n for n, (a, b) in enumerate(zip(text, was, strict=False)) if a != b)
                    regions.append(Region(x + first, y, last - first + 1, 1))
        if regions:
            self.refresh(*regions)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            text = self._header(width)
        else:
            index = round(self.scroll_y) + y - 1
            if index < len(self._rows):
                incident = self._rows[index]
                timed: list[tuple[str, Style | str]] = []
                text = self._row(incident, width, index == self.cursor, timed)
                self._painted[y] = (incident.id, tuple(timed))
            elif index == 0:
                text = Text(" " + self.empty_text, style=self._style("dim"))
            else:
                text = Text()
            if index >= len(self._rows):
                self._painted.pop(y, None)
        text.truncate(width, pad=True)
        text.end = ""
        return Strip(list(text.render(self.app.console))).apply_style(base)

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"incident-table--{name}", partial=True)

    def _header(self, width: int) -> Text:
        text = Text(style=self._style("header"))
        for column, size in layout(width):
            text.append(column.title.ljust(size)[:size] + " ")
        return text

    def _row(
        self,
        incident: Incident,
        width: int,
        is_cursor: bool,
        timed: list[tuple[str, Style | str]] | None = None,
    ) -> Text:
        """One row; the clock-driven cells as painted are added to `timed`."""
        text = Text()
        for column, size in layout(width):
            value, style = self._cell(column.key, incident)
            cell = _fit(value, size)
            if timed is not None and column.key in TIMED_COLUMNS:
                timed.append((cell.plain, style))
            if style:
                cell.stylize(style, 0, min(len(value), size))
            text.append_text(cell)
            text.append(" ")
        if incident.state is IncidentState.NEW:
            text.stylize(self._style("unacked"))
        if is_cursor:
            text.stylize(self._style("cursor"))
        return text

    def _cell(self, key: str, incident: Incident) -> tuple[str, Style | str]:
        floor = self._floor
        if key == "number":
            return (f"L-{-incident.id}" if incident.id < 0 else f"#{incident.id}"), ""
        if key == "mark":
            if incident.id in self._pending:
                return PENDING_MARK, self._style("pending")
            return "", ""
        if key == "priority":
            return str(incident.priority), self._style(incident.priority.lower())
        if key == "tier":
            tier = incident.player.tier
            if tier is Tier.STANDARD:
                return ("anon" if incident.player.anonymous else "std"), self._style("dim")
            return tier.upper(), self._style(f"tier-{tier.value}")
        if key == "player":
            return self._player(incident)
        if key == "location":
            return incident.location.display, ""
        if key == "kind":
            return incident.kind.label, ""
        if key == "state":
            return STATE_WORDS[incident.state], ""
        if key == "owner":
            return floor.staff_name(incident.owner), ""
        if key == "line":
            return f"L{incident.line}{'$' if incident.chain is Chain.PAYMENTS else ''}", ""
        if key == "next":
            return self._next_due(incident)
        if key == "update":
            due = incident.next_update_due
            if due is None or not incident.state.is_open:
                return "", ""
            late = due < self.now
            return format_clock(due, floor.policy.timezone), self._style(
                "breached" if late else "dim"
            )
        return "", ""

    def _player(self, incident: Incident) -> tuple[Text | str, Style | str]:
        shown = HIDDEN_PLAYER if self.masked else incident.player.display
        if not incident.player.silent_visit:
            return shown, ""
        return Text.assemble((SILENT_MARK, self._style("silent")), " ", shown), ""

    def _next_due(self, incident: Incident) -> tuple[str, Style | str]:
        now, policy = self.now, self._floor.policy
        clock = next_clock(incident)
        if clock is not None:
            urgency = clock.urgency(now, policy)
            label = CLOCK_ABBREV.get(clock.name, clock.name)
            due, window = clock.due, clock.due - clock.start
        elif incident.report_due is not None:
            label, due, window = "rept", incident.report_due, policy.report_due_after
            urgency = urgency_of(due - now, window, policy)
        else:
            return "", ""
        text = f"{label} {format_countdown(due - now, approximate=self.approximate)}"
        return text, self._style(URGENCY_CLASS[urgency].lstrip("-"))


def _fit(value: Text | str, size: int) -> Text:
    text = value.copy() if isinstance(value, Text) else Text(value)
    if text.cell_len > size:
        text.truncate(size - 1)
        text.append("…")
    text.truncate(size, pad=True)
    return text


__all__ = ["COLUMNS", "IncidentTable", "Urgency", "layout"]
