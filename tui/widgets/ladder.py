"""The escalation ladder of one chain: who answers each line now, and what comes next.

Pure text builders (shared with the escalation screen) plus `LadderPanel`,
the incident screen's view of its own chain with the current line marked.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget

from domain.escalation import LINE_TITLES, TOP_LINE, next_escalation, on_duty
from domain.models import Chain, Incident, RosterEntry
from domain.state import FloorState
from tui.timefmt import format_clock, format_countdown

GAP_TEXT = "no one on duty"


def contact_text(entry: RosterEntry) -> str:
    """`Dana K., radio ch 3, phone 555-0102`: a name and every way to reach them."""
    ways = [f"{c.method} {c.value}".strip() for c in entry.contacts]
    return ", ".join([entry.name, *ways])


def on_duty_text(entries: list[RosterEntry]) -> str:
    return "; ".join(contact_text(e) for e in entries) if entries else GAP_TEXT


def next_step_text(
    incident: Incident, floor: FloorState, now: float, *, approximate: bool = False
) -> str | None:
    """`L2 duty manager at 02:23 (in 10:00) - Dana K., radio ch 3`, or None at the top."""
    step = next_escalation(incident, floor.policy)
    if step is None:
        return None
    policy = floor.policy
    # who will answer then: the roster as it will be at that moment
    people = on_duty(floor.roster, incident.chain, step.line, step.at, policy)
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
    who: str  # everyone on duty with their contacts, or GAP_TEXT
    current: bool
    passed: bool

    @property
    def gap(self) -> bool:
        return self.who == GAP_TEXT


def ladder_lines(incident: Incident, floor: FloorState, now: float) -> tuple[LadderLine, ...]:
    titles = LINE_TITLES[incident.chain]
    return tuple(
        LadderLine(
            line=line,
            title=f"L{line} {titles[line]}",
            who=on_duty_text(on_duty(floor.roster, incident.chain, line, now, floor.policy)),
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
    lines: tuple[LadderLine, ...], tail: Content, title_cells: int, width: int
) -> Content:
    """The chain as two columns at `width` cells: each line's title, then who answers it
    wrapped under its own column; then `tail` across the whole width."""
    who_cells = max(1, width - title_cells)
    out: list[Content] = []
    for row in lines:
        marker = "▶ " if row.current else "  "
        title = f"{marker}{row.title}"[:title_cells]
        if row.current:
            title_style = "bold reverse"
        elif row.passed:
            title_style = "$foreground 60%"
        else:
            title_style = "bold"
        who = Content.styled(row.who, "$error bold") if row.gap else Content(row.who)
        for index, part in enumerate(who.wrap(who_cells)):
            left = Content.styled(title, title_style) if index == 0 else Content()
            out.append(left.pad_right(title_cells - left.cell_length) + part)
    out.extend(tail.wrap(width))
    return Content("\n").join(out)


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
        if (lines, tail, title_cells) == (self.lines, self.tail, self._title_cells):
            return  # the countdown in the tail moves every second; often nothing else does
        layout = lines != self.lines or title_cells != self._title_cells
        layout = layout or tail.cell_length != self.tail.cell_length
        self.lines, self.tail, self._title_cells = lines, tail, title_cells
        self._laid_out = None
        self.refresh(layout=layout)

    def _content(self, width: int) -> Content:
        if self._laid_out is None or self._laid_out[0] != width:
            content = ladder_content(self.lines, self.tail, self._title_cells, width)
            self._laid_out = (width, content)
        return self._laid_out[1]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._content(width).split("\n")) if width > 0 else 0

    def render(self) -> Content:
        return self._content(self.size.width)
