"""The escalation ladder of one chain: who answers each line now, and what comes next.

Pure text builders (shared with the escalation screen) plus `LadderPanel`,
the incident screen's view of its own chain with the current line marked.

A way to reach someone (`phone 0400 100 301`) is never broken over two
lines: the column of contacts is at least as wide as the widest of them, and
the column of line titles gives way (cut with `…`) when the width is short.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rich.cells import cell_len
from textual.content import Content
from textual.css.styles import RulesMap
from textual.geometry import Size
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widget import Widget

from domain.cover import Gap, who_to_call
from domain.escalation import LINE_TITLES, TOP_LINE, next_escalation
from domain.models import Chain, Incident, RosterEntry
from domain.state import FloorState
from tui.floor_summary import GapWatch
from tui.timefmt import format_clock, format_countdown

GAP_TEXT = "no one on duty"
MIN_TITLE = 6  # a line title is cut no shorter than `L3 p…`
GAP = 2  # cells between the title column and the contacts


def on_duty_units(entries: list[RosterEntry]) -> tuple[str, ...]:
    """Everyone on duty as the pieces a line may break between, punctuated:
    `Dana K.,` `radio ch 3,` `phone x4001` (`;` between people), or the gap."""
    if not entries:
        return (GAP_TEXT,)
    units: list[str] = []
    for entry in entries:
        if units:
            units[-1] += ";"
        parts = [entry.name, *(f"{c.method} {c.value}".strip() for c in entry.contacts)]
        units += [f"{part}," for part in parts[:-1]] + parts[-1:]
    return tuple(units)


CHAIN_WORDS = {Chain.MAIN: "main", Chain.PAYMENTS: "payments"}


def gap_when(gap: Gap, now: float, timezone: str) -> str:
    """`now`, or `from 04:00 (in 1:12)`."""
    if gap.starts_at <= now:
        return "now"
    minutes = math.ceil((gap.starts_at - now) / 60)
    when = format_clock(gap.starts_at, timezone)
    return f"from {when} (in {minutes // 60}:{minutes % 60:02d})"


def gap_text(gap: Gap, now: float, timezone: str) -> str:
    """`L3 payments: nobody on duty from 04:00 (in 1:12)`, or `... nobody on duty now`."""
    return f"L{gap.line} {CHAIN_WORDS[gap.chain]}: nobody on duty {gap_when(gap, now, timezone)}"


def gaps_text(gaps: tuple[Gap, ...], now: float, timezone: str) -> str:
    """Every gap in one line, soonest first: `nobody on duty: L4 pay now; L2 pay from ...`."""
    parts = [
        f"L{gap.line}{' pay' if gap.chain is Chain.PAYMENTS else ''} {gap_when(gap, now, timezone)}"
        for gap in sorted(gaps, key=lambda g: g.starts_at)
    ]
    return "nobody on duty: " + "; ".join(parts)


def wrap_units(units: tuple[str, ...], cells: int) -> list[str]:
    """`units` joined by spaces into lines of `cells`, broken only between units
    (a unit wider than `cells` has a line of its own)."""
    lines: list[str] = []
    for unit in units:
        joined = f"{lines[-1]} {unit}" if lines else unit
        if lines and cell_len(joined) <= cells:
            lines[-1] = joined
        else:
            lines.append(unit)
    return lines


def title_room(width: int, title_cells: int, rest_cells: int) -> int:
    """How wide the title column (its gap included) may be at `width` when the rest
    of the line needs `rest_cells`: all of `title_cells` if there is room."""
    return max(MIN_TITLE + 1, min(title_cells, width - rest_cells))


def fit_title(title: Content, cells: int) -> Content:
    """`title` (maybe padded already) in a column of `cells` with at least one blank
    after it, cut with `…` when it is longer."""
    if title.cell_length >= cells:
        title = title.rstrip()
        if title.cell_length >= cells:
            title = title.truncate(cells - 1, ellipsis=True)
    return title.pad_right(cells - title.cell_length)


class TitledLine(Visual):
    """One row of a ladder list: a line title, then whoever and however to call,
    then a note (is the contact known to work?).

    Laid out for the width it is given, as an option list's row is: the title
    column is cut (`…`) to keep the contact whole on its line. `rest_cells` is
    the widest contact of the list, so that every row's title column is the
    same width and the contacts stay in one column. The note takes its short
    form (`notes[1]`), then none, where the full one would cut the title below
    its least.
    """

    def __init__(
        self,
        title: Content,
        rest: Content,
        title_cells: int,
        rest_cells: int,
        notes: tuple[Content, Content] | None = None,
        note_cells: tuple[int, int] = (0, 0),
    ) -> None:
        self.title = title
        self.rest = rest
        self.title_cells = title_cells  # the widest title of the list, and the gap
        self.rest_cells = rest_cells
        self.notes = notes
        self.note_cells = note_cells  # the widest long and short notes of the list
        self._laid_out: tuple[int, Content] | None = None

    def __str__(self) -> str:
        note = f"  {self.notes[0].plain}" if self.notes else ""
        return f"{self.title.plain.ljust(self.title_cells)}{self.rest.plain}{note}"

    def _note_for(self, width: int) -> tuple[Content, int]:
        if self.notes is not None:
            for note, cells in zip(self.notes, self.note_cells, strict=True):
                if width - self.rest_cells - cells - GAP >= MIN_TITLE + 1:
                    pad = self.rest_cells - self.rest.cell_length
                    return Content(" " * (pad + GAP)) + note, cells + GAP
        return Content(), 0

    def content(self, width: int) -> Content:
        if self._laid_out is None or self._laid_out[0] != width:
            note, note_cells = self._note_for(width)
            cells = title_room(width, self.title_cells, self.rest_cells + note_cells)
            self._laid_out = (width, fit_title(self.title, cells) + self.rest + note)
        return self._laid_out[1]

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        return self.content(width).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        notes = self.note_cells[0] + GAP if self.notes else 0
        return self.title_cells + self.rest_cells + notes

    def get_height(self, rules: RulesMap, width: int) -> int:
        return self.content(width).get_height(rules, width)


def next_step_text(
    incident: Incident, floor: FloorState, now: float, *, approximate: bool = False
) -> str | None:
    """`L2 duty manager at 02:23 (in 10:00) - Dana K., radio ch 3`, or None at the top."""
    step = next_escalation(incident, floor.policy)
    if step is None:
        return None
    policy = floor.policy
    # who will answer then: the roster and the covers as they will be at that moment
    people = who_to_call(floor, incident.chain, step.line, step.at)
    title = people[0].title if people else step.title
    when = format_clock(step.at, policy.timezone)
    left = format_countdown(step.at - now, approximate=approximate)
    if people:
        first = people[0]
        way = first.contacts[0] if first.contacts else None
        reach = f"{first.name}, {way.method} {way.value}" if way else first.name
    else:
        reach = GAP_TEXT
    return f"L{step.line} {title} at {when} (in {left}) - {reach}"


@dataclass(frozen=True, slots=True)
class LadderLine:
    """One line of the chain as the panel shows it."""

    line: int
    title: str  # `L2 duty manager / game tech`
    who: tuple[str, ...]  # everyone on duty with their contacts, or GAP_TEXT (`on_duty_units`)
    current: bool
    passed: bool

    @property
    def gap(self) -> bool:
        return self.who == (GAP_TEXT,)


def ladder_lines(incident: Incident, floor: FloorState, now: float) -> tuple[LadderLine, ...]:
    titles = LINE_TITLES[incident.chain]
    return tuple(
        LadderLine(
            line=line,
            title=f"L{line} {titles[line]}",
            who=on_duty_units(who_to_call(floor, incident.chain, line, now)),
            current=line == incident.line,
            passed=line < incident.line,
        )
        for line in range(1, TOP_LINE + 1)
    )


def ladder_tail(
    incident: Incident, floor: FloorState, now: float, *, approximate: bool = False
) -> Content:
    """The panel's last line: the next automatic step, or why there is none."""
    step = next_step_text(incident, floor, now, approximate=approximate)
    if step is not None:
        return Content.assemble(("next ", "dim"), (step, "bold"))
    if incident.line >= TOP_LINE and incident.state.is_open:
        return Content.styled("at the top line: no further automatic step", "dim")
    return Content.styled("automatic escalation stopped (stabilised or resolved)", "dim")


def title_width(chain: Chain) -> int:
    """The title column fits this chain's longest title (payments titles are short)."""
    return max(len(f"L{n} {t}") for n, t in LINE_TITLES[chain].items()) + 4


def ladder_content(
    lines: tuple[LadderLine, ...],
    tail: Content,
    title_cells: int,
    width: int,
    warnings: tuple[str, ...] = (),
) -> Content:
    """The chain as two columns at `width` cells: each line's title, then who answers it
    wrapped under its own column (never inside one way to reach them); then any
    `warnings` (gaps ahead) and `tail` across the whole width."""
    widest = max((cell_len(unit) for row in lines for unit in row.who), default=0)
    title_cells = title_room(width, title_cells, widest)
    who_cells = max(1, width - title_cells)
    out: list[Content] = []
    for row in lines:
        marker = "▶ " if row.current else "  "
        if row.current:
            title_style = "bold reverse"
        elif row.passed:
            title_style = "$foreground 60%"
        else:
            title_style = "bold"
        title = fit_title(Content.styled(f"{marker}{row.title}", title_style), title_cells)
        for index, part in enumerate(wrap_units(row.who, who_cells)):
            left = title if index == 0 else Content(" " * title_cells)
            out.append(left + (Content.styled(part, "$error bold") if row.gap else Content(part)))
    for warning in warnings:
        out.extend(Content.styled(warning, "$warning bold").wrap(width))
    out.extend(wrap_tail(tail, width))
    return Content("\n").join(out)


def wrap_tail(tail: Content, width: int) -> list[Content]:
    """The next step wrapped at `width`: when it does not fit, the person to call
    (after the last ` - `) starts a line, so their number is not broken."""
    at = tail.plain.rfind(" - ")
    if tail.cell_length <= width or at < 0:
        return tail.wrap(width)
    lead, reach = tail.divide([at + len(" -"), at + len(" - ")])[::2]
    return [*lead.wrap(width), *reach.wrap(width)]


class LadderPanel(Widget):
    """The incident's chain, its current line highlighted, the next automatic step.

    One widget, laid out by hand for the width it gets: a row of title and
    contacts per line used to be three widgets, re-laid-out and re-rendered on
    every open of the incident screen.
    """

    DEFAULT_CSS = """
    LadderPanel {
        height: auto;
        border: round $foreground 30%;
        border-title-color: $foreground 70%;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: clip;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: tuple[LadderLine, ...] = ()
        self.tail = Content()
        self.warnings: tuple[str, ...] = ()
        self._gap_watch = GapWatch()
        self._title_cells = 0
        self._laid_out: tuple[int, Content] | None = None

    def show(
        self, incident: Incident, floor: FloorState, now: float, *, approximate: bool = False
    ) -> None:
        chain_name = "payments chain" if incident.chain is Chain.PAYMENTS else "main ladder"
        self.border_title = f"escalation: {chain_name}, now L{incident.line}"
        lines = ladder_lines(incident, floor, now)
        tail = ladder_tail(incident, floor, now, approximate=approximate)
        title_cells = title_width(incident.chain)
        tz = floor.policy.timezone
        # a gap coming on this chain, from its current line up (a gap now reads in the lines)
        warnings = tuple(
            gap_text(gap, now, tz)
            for gap in sorted(self._gap_watch.gaps(floor, now), key=lambda g: g.starts_at)
            if gap.chain is incident.chain and gap.line >= incident.line and gap.starts_at > now
        )
        shown = (self.lines, self.tail, self._title_cells, self.warnings)
        if (lines, tail, title_cells, warnings) == shown:
            return  # the countdown in the tail moves every second; often nothing else does
        layout = lines != self.lines or title_cells != self._title_cells
        layout = layout or tail.cell_length != self.tail.cell_length
        layout = layout or len(warnings) != len(self.warnings)
        self.lines, self.tail, self._title_cells = lines, tail, title_cells
        self.warnings = warnings
        self._laid_out = None
        self.refresh(layout=layout)

    def _content(self, width: int) -> Content:
        if self._laid_out is None or self._laid_out[0] != width:
            content = ladder_content(self.lines, self.tail, self._title_cells, width, self.warnings)
            self._laid_out = (width, content)
        return self._laid_out[1]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._content(width).split("\n")) if width > 0 else 0

    def render(self) -> Content:
        return self._content(self.size.width)
