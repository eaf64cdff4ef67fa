"""An incident's promises in one row: answer, stabilise, resolve, next update.

Each cell is coloured by its urgency through the theme's timer colours; the
panel recomputes from stored deadlines on every tick.
"""

from __future__ import annotations

from itertools import pairwise

from textual.content import Content
from textual.widget import Widget

from domain.models import Incident
from domain.policy import Policy
from domain.sla import Clock, Urgency, clocks, urgency_of
from tui.timefmt import format_clock, format_countdown, format_span

CLOCK_NAMES = ("answer", "stabilise", "resolve", "update")


def clock_reading(
    clock: Clock, now: float, policy: Policy, *, approximate: bool = False
) -> tuple[str, Urgency]:
    """What a clock says now: a countdown, `met 02:25` or `late 02:40 +5:00`."""
    urgency = clock.urgency(now, policy)
    if clock.done_at is not None:
        at = format_clock(clock.done_at, policy.timezone)
        if urgency is Urgency.MET:
            return f"met {at}", urgency
        return f"late {at} +{format_span(clock.done_at - clock.due)}", urgency
    return format_countdown(clock.remaining(now), approximate=approximate), urgency


def update_clock(incident: Incident) -> Clock | None:
    """The promised next update to the player, while the incident is open."""
    if incident.next_update_due is None or not incident.state.is_open:
        return None
    start = incident.updated_at or incident.opened_at
    return Clock("update", start, incident.next_update_due, None)


# (border, text) styles of a cell by urgency; a breached cell is heavy and tinted
_ROUND = ("╭", "─", "╮", "│", "╰", "╯")
_HEAVY = ("┏", "━", "┓", "┃", "┗", "┛")
_BORDER = {
    Urgency.OK: "$foreground 30%",
    Urgency.MET: "$foreground 30%",
    Urgency.AMBER: "$timer-amber",
    Urgency.RED: "$timer-red",
    Urgency.BREACHED: "$timer-breached",
}
_TEXT = {
    Urgency.OK: "bold $timer-ok",
    Urgency.MET: "$foreground 60%",
    Urgency.AMBER: "bold $timer-amber",
    Urgency.RED: "bold $timer-red",
    Urgency.BREACHED: "bold $timer-breached",
}
_TITLE = "$foreground 70%"
_BREACHED_BACKGROUND = "on $timer-breached 15%"


def cell_widths(width: int, count: int) -> list[int]:
    """`count` equal shares of `width` cells, the remainders spread as Textual spreads 1fr."""
    edges = [width * n // count for n in range(count + 1)]
    return [right - left for left, right in pairwise(edges)]


def cell_lines(name: str, reading: tuple[str, Urgency], width: int) -> list[Content]:
    """One bordered cell, `width` cells wide: its title in the top border, the reading centred."""
    text, urgency = reading
    tl, h, tr, v, bl, br = _HEAVY if urgency is Urgency.BREACHED else _ROUND
    border = _BORDER[urgency]
    inner = max(0, width - 2)
    label = f" {name} "
    top = Content.assemble(
        (tl + h, border), (label, _TITLE), (h * max(0, inner - 1 - len(label)) + tr, border)
    )
    left = (inner - len(text)) // 2
    pad = inner - left - len(text)
    middle = Content.assemble(
        (v, border), " " * left, (text, _TEXT[urgency]), " " * pad, (v, border)
    )
    bottom = Content.styled(bl + h * inner + br, border)
    lines = [top, middle, bottom]
    if urgency is Urgency.BREACHED:
        lines = [line.stylize_before(_BREACHED_BACKGROUND) for line in lines]
    return lines


class ClockPanel(Widget):
    """The four promises side by side, each a bordered cell; a cell without a promise is left out.

    One widget drawing the cells itself: four bordered widgets in a row were
    restyled, laid out and rendered on every open and every second's tick.
    """

    DEFAULT_CSS = """
    ClockPanel {
        height: 3;
        text-wrap: nowrap;
        text-overflow: clip;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.readings: dict[str, tuple[str, Urgency] | None] = dict.fromkeys(CLOCK_NAMES)

    def reading(self, name: str) -> tuple[str, Urgency] | None:
        """What the cell `name` shows, and how urgent it is; None when it is not shown."""
        return self.readings[name]

    def show(
        self, incident: Incident, now: float, policy: Policy, *, approximate: bool = False
    ) -> None:
        readings: dict[str, tuple[str, Urgency] | None] = dict.fromkeys(CLOCK_NAMES)
        for clock in clocks(incident):
            readings[clock.name] = clock_reading(clock, now, policy, approximate=approximate)
        update = update_clock(incident)
        if update is not None:
            left = update.remaining(now)
            readings["update"] = (
                format_countdown(left, approximate=approximate),
                urgency_of(left, update.due - update.start, policy),
            )
        if readings != self.readings:
            self.readings = readings
            self.refresh()

    def render(self) -> Content:
        shown = [(name, r) for name, r in self.readings.items() if r is not None]
        if not shown:
            return Content()
        rows: list[list[Content]] = [[], [], []]
        for (name, reading), width in zip(
            shown, cell_widths(self.size.width, len(shown)), strict=True
        ):
            for row, line in zip(rows, cell_lines(name, reading, width), strict=True):
                row.append(line)
        return Content("\n").join(Content("").join(row) for row in rows)
