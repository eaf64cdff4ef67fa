"""What the queue table's cells show: each cell's text and style, fitted to its column.

`RowCells` renders one incident's row for `IncidentTable`, which keeps it up
to date with the floor, the clock and how the rows are shown (an unchecked
clock, players masked, commands pending). The cells left of the countdowns
come out as Rich `Text`, rendered once per incident version. The
clock-driven cells are plain strings with a style each, painted as segments
directly: they are painted for every row in view every second, and
`changed_regions` finds the characters of them a tick changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip

from domain.acks import owes_ack
from domain.escalation import climbing
from domain.models import Chain, FlagKind, Incident, IncidentState, PlayerFlag, Tier
from domain.player_flags import incident_flags, is_silent
from domain.policy import Policy
from domain.sla import next_clock, urgency_of
from domain.state import FloorState
from tui.queue_columns import Column
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
ACK_MARK = "◆"  # a P1 paged to the viewer that waits for their acknowledgement
FLAG_MARK = "!"  # a responsible-gambling or AML flag on the player (`domain.player_flags`)
HIDDEN_PLAYER = "••••••"

# a timed cell as painted: (x in the timed part, text as fitted, style)
TimedCells = tuple[tuple[int, str, Style | str], ...]
Columns = tuple[tuple[Column, int], ...]  # as `Split` gives them: column, width


@dataclass(frozen=True, slots=True)
class Dues:
    """What an incident counts down to; fixed until the incident changes."""

    label: str  # ans, stab, res, upd, rept; "" with nothing running
    due: float
    window: float
    update_at: str  # the promised player update as a clock time, or ""
    update_due: float


@dataclass(slots=True)
class TimedRow:
    """A row's clock-driven cells at one `now`; its strips are made when painted.

    A row that only moves (a new P1 pinned above it) is painted again with the
    same cells: its strips are kept by the columns they cover.
    """

    incident: Incident
    look: tuple[bool, bool, int]  # on the cursor, focused, table width
    cells: TimedCells
    values: tuple[tuple[int, int], ...]  # where each cell's value is (its style's extent)
    strips: dict[tuple[int, int], Strip] = field(default_factory=dict)


class RowCells:
    """A row's cells as the floor, the clock and the table's settings last set them."""

    def __init__(self, component_style: Callable[..., Style]) -> None:
        # the table's `get_component_rich_style`, kept bound: it is called per styled cell
        self._component_style = component_style
        self.floor = FloorState()
        self.pending: frozenset[int] = frozenset()  # incidents with commands not yet sent
        self.now = 0.0
        self.approximate = False  # the clock is not server-checked: countdowns say so
        self.masked = False  # the shared-terminal lock: player references are hidden
        self.me: str | None = None  # the signed-in staff member: a P1 awaiting their ack
        self._dues: dict[int, tuple[Incident, Policy, Dues]] = {}

    def forget_dues(self) -> None:
        """Drop the dues kept per incident (the floor's staff or policy changed)."""
        self._dues.clear()

    def style(self, name: str) -> Style:
        return self._component_style(f"incident-table--{name}", partial=True)

    def steady(self, incident: Incident, is_cursor: bool, columns: Columns) -> Text:
        """The cells left of the countdowns, under the row-wide styles."""
        text = Text()
        for column, size in columns:
            value, style = self.cell(column.key, incident)
            if column.key == "owner" and isinstance(value, str):
                value = short_name(value, size)
            text.append_text(self._fitted(column, size, value, style))
            text.append(" " * column.gap)
        if incident.state is IncidentState.NEW:
            text.stylize(self.style("unacked"))
        if is_cursor:
            text.stylize(self.style("cursor"))
        return text

    def timed(self, incident: Incident, look: tuple[bool, bool, int], columns: Columns) -> TimedRow:
        """The clock-driven cells at `now`, fitted to their columns."""
        cells: list[tuple[int, str, Style | str]] = []
        values: list[tuple[int, int]] = []
        x = 0
        for column, size in columns:
            value, style = self.cell(column.key, incident)
            if column.key == "owner" and isinstance(value, str):
                value = short_name(value, size)
            text, start, end = _fit_plain(str(value), size, right=column.right)
            cells.append((x, text, style))
            values.append((start, end) if style else (0, 0))
            x += size + 1
        return TimedRow(incident, look, tuple(cells), tuple(values))

    def timed_part(self, timed: TimedRow, start: int, end: int, base: Style) -> Strip:
        """Columns `start` to `end` of the timed cells, over the table's `base` style
        (the same for the life of `timed`: a style change drops the rows)."""
        strip = timed.strips.get((start, end))
        if strip is None:
            strip = timed.strips[start, end] = self._timed_part(timed, start, end, base)
        return strip

    def _timed_part(self, timed: TimedRow, start: int, end: int, base: Style) -> Strip:
        # built as segments: a slice paints this for every row every second, so
        # neither Rich Text nor cropping
        row = self.row_style(timed.incident, timed.look[0])
        plain = base + row
        segments: list[Segment] = []
        for (x, text, style), (value, value_end) in zip(timed.cells, timed.values, strict=True):
            cell = text + " "
            for lo, hi, look in (
                (0, value, plain),
                # the countdown's own colour over the cursor's: a selected breach stays red
                (value, value_end, plain + style if isinstance(style, Style) and style else plain),
                (value_end, len(cell), plain),
            ):
                lo, hi = max(lo, start - x), min(hi, end - x)
                if lo < hi:
                    segments.append(Segment(cell[lo:hi], look))
        shown = sum(len(s.text) for s in segments)
        if shown < end - start:
            segments.append(Segment(" " * (end - start - shown), base))
        return Strip(Segment.simplify(segments), end - start)

    def row_style(self, incident: Incident, is_cursor: bool) -> Style:
        """The styles over a whole row: unacknowledged, then the cursor."""
        style = Style()
        if incident.state is IncidentState.NEW:
            style += self.style("unacked")
        if is_cursor:
            style += self.style("cursor")
        return style

    def cell(self, key: str, incident: Incident) -> tuple[Text | str, Style | str]:
        """The value of column `key` for `incident`, and the style of the value."""
        floor = self.floor
        if key == "number":
            return (f"L-{-incident.id}" if incident.id < 0 else f"#{incident.id}"), ""
        if key == "mark":
            if incident.id in self.pending:
                return PENDING_MARK, self.style("pending")
            if self.me is not None and owes_ack(incident, self.me):
                return ACK_MARK, self.style("breached")
            if any(f.kind is not FlagKind.SILENT_VISIT for f in self._flags(incident)):
                return FLAG_MARK, self.style("flag")
            return "", ""
        if key == "priority":
            return str(incident.priority), self.style(incident.priority.lower())
        if key == "tier":
            tier = incident.player.tier
            if tier is Tier.STANDARD:
                return ("anon" if incident.player.anonymous else "std"), self.style("dim")
            return tier.upper(), self.style(f"tier-{tier.value}")
        if key == "player":
            return self._player(incident)
        if key == "location":
            return incident.location.display, ""
        if key == "kind":
            return incident.kind.label, ""
        if key == "state":
            return self._state(incident)
        if key == "owner":
            return floor.staff_name(incident.owner), ""
        if key == "line":
            return f"L{incident.line}{'$' if incident.chain is Chain.PAYMENTS else ''}", ""
        if key == "next":
            return self._next_due(incident)
        if key == "update":
            dues = self._dues_of(incident)
            if not dues.update_at:
                return "", ""
            late = dues.update_due < self.now
            return dues.update_at, self.style("breached" if late else "dim")
        return "", ""

    def _fitted(self, column: Column, size: int, value: Text | str, style: Style | str) -> Text:
        cell = _fit(value, size, right=column.right)
        if style:
            shown = min(len(value), size)
            start = size - shown if column.right else 0
            cell.stylize(style, start, start + shown)
        return cell

    def _player(self, incident: Incident) -> tuple[Text | str, Style | str]:
        shown = HIDDEN_PLAYER if self.masked else incident.player.display
        if not is_silent(self.floor, incident, self.now):
            return shown, ""
        return Text.assemble((SILENT_MARK, self.style("silent")), " ", shown), ""

    def _state(self, incident: Incident) -> tuple[str, Style | str]:
        """The state's word, or an acknowledgement's ETA: `on 4:59` counting down, then
        `late` once it passed with no stabilise or update."""
        lapsed = incident.eta_lapsed
        due = lapsed if lapsed is not None else incident.eta_due
        if due is None or not climbing(incident):
            return STATE_WORDS[incident.state], ""
        left = due - self.now
        if left < 0 or lapsed is not None:
            late = max(0.0, -left)
            return (f"late {int(late // 60)}m" if late < 600 else "late"), self.style("breached")
        since = next((a.at for a in reversed(incident.acks) if a.eta_due == due), due - left)
        urgency = urgency_of(left, max(1.0, due - since), self.floor.policy)
        return f"on {eta_left(left)}", self.style(URGENCY_CLASS[urgency].lstrip("-"))

    def _flags(self, incident: Incident) -> tuple[PlayerFlag, ...]:
        if not self.floor.player_flags:
            return ()
        return incident_flags(self.floor, incident, self.now)

    def _dues_of(self, incident: Incident) -> Dues:
        policy = self.floor.policy
        cached = self._dues.get(incident.id)
        if cached is not None and cached[0] is incident and cached[1] is policy:
            return cached[2]
        dues = _dues(incident, policy)
        self._dues[incident.id] = (incident, policy, dues)
        return dues

    def _next_due(self, incident: Incident) -> tuple[str, Style | str]:
        dues = self._dues_of(incident)
        if not dues.label:
            return "", ""
        left = dues.due - self.now
        urgency = urgency_of(left, dues.window, self.floor.policy)
        text = f"{dues.label} {format_countdown(left, approximate=self.approximate)}"
        return text, self.style(URGENCY_CLASS[urgency].lstrip("-"))


def changed_regions(now: TimedCells, was: TimedCells, x0: int, y: int) -> list[Region]:
    """The characters of timed cells that differ from what was painted, as regions."""
    if len(now) != len(was):  # another layout: every timed cell
        return [Region(x0, y, sum(len(text) + 1 for _, text, _ in now), 1)]
    regions = []
    for (x, text, style), (_, old, old_style) in zip(now, was, strict=True):
        if style != old_style or len(text) != len(old):
            regions.append(Region(x0 + x, y, len(text), 1))
        elif text != old:
            differ = [n for n, (a, b) in enumerate(zip(text, old, strict=True)) if a != b]
            regions.append(Region(x0 + x + differ[0], y, differ[-1] - differ[0] + 1, 1))
    return regions


def _dues(incident: Incident, policy: Policy) -> Dues:
    update_at, update_due = "", float("inf")
    if incident.next_update_due is not None and incident.state.is_open:
        update_at = format_clock(incident.next_update_due, policy.timezone)
        update_due = incident.next_update_due
    clock = next_clock(incident)
    if clock is not None:
        label = CLOCK_ABBREV.get(clock.name, clock.name)
        return Dues(label, clock.due, clock.due - clock.start, update_at, update_due)
    if incident.report_due is not None:
        return Dues("rept", incident.report_due, policy.report_due_after, update_at, update_due)
    return Dues("", 0.0, 0.0, update_at, update_due)


def eta_left(seconds: float) -> str:
    """An ETA's time left in at most 4 cells: `4:59` under 10 min, `45m`, then `3h`."""
    whole = max(0, int(seconds))
    if whole < 600:
        return f"{whole // 60}:{whole % 60:02d}"
    if whole < 6000:
        return f"{whole // 60}m"
    return f"{whole // 3600}h"


def short_name(name: str, size: int) -> str:
    """`name` in `size` cells while it still says who: `Jordan T.`, `Jordan T`; a
    longer name as its first word and the last one's initial; cut only after that."""
    if cell_len(name) <= size:
        return name
    words = name.split()
    shorter = [name.rstrip(".")]
    if len(words) > 1:
        shorter += [f"{words[0]} {words[-1][0]}.", f"{words[0]} {words[-1][0]}"]
    return next((s for s in shorter if cell_len(s) <= size), name)


def _fit_plain(value: str, size: int, *, right: bool) -> tuple[str, int, int]:
    """`value` fitted to `size` cells (single-width text), and where it sits."""
    if size <= 0:
        return "", 0, 0
    if len(value) > size:
        value = value[: size - 1] + "…"
    start = size - len(value) if right else 0
    return value.rjust(size) if right else value.ljust(size), start, start + len(value)


def _fit(value: Text | str, size: int, *, right: bool = False) -> Text:
    text = value.copy() if isinstance(value, Text) else Text(value)
    if text.cell_len > size:
        text.truncate(size - 1)
        text.append("…")
    if right and text.cell_len < size:
        text.pad_left(size - text.cell_len)
    text.truncate(size, pad=True)
    return text
