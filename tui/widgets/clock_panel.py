"""An incident's promises in one row: answer, stabilise, resolve, next update.

Each cell carries the urgency class from `tui.timefmt.URGENCY_CLASS`, so the
theme colours it; the panel recomputes from stored deadlines on every tick.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.widgets import Static

from domain.models import Incident
from domain.policy import Policy
from domain.sla import Clock, Urgency, clocks, urgency_of
from tui.timefmt import URGENCY_CLASS, format_clock, format_countdown, format_span

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


class ClockCell(Static):
    """One named clock; hidden when the incident has no such promise."""

    def __init__(self, name: str) -> None:
        super().__init__(id=f"clock-{name}", classes="clock-cell")
        self.clock_name = name
        self.border_title = name

    def show(self, reading: tuple[str, Urgency] | None) -> None:
        self.display = reading is not None
        if reading is None:
            return
        text, urgency = reading
        for cls in URGENCY_CLASS.values():
            self.set_class(cls == URGENCY_CLASS[urgency], cls)
        self.update(text)


class ClockPanel(HorizontalGroup):
    DEFAULT_CSS = """
    ClockPanel {
        height: auto;
    }
    ClockPanel ClockCell {
        width: 1fr;
        height: 3;
        border: round $foreground 30%;
        border-title-color: $foreground 70%;
        content-align: center middle;
        text-style: bold;
    }
    ClockPanel ClockCell.-ok { color: $timer-ok; }
    ClockPanel ClockCell.-amber { color: $timer-amber; border: round $timer-amber; }
    ClockPanel ClockCell.-red { color: $timer-red; border: round $timer-red; }
    ClockPanel ClockCell.-breached {
        color: $timer-breached; background: $timer-breached 15%; border: heavy $timer-breached;
    }
    ClockPanel ClockCell.-met { color: $foreground 60%; text-style: none; }
    """

    def compose(self) -> ComposeResult:
        for name in CLOCK_NAMES:
            yield ClockCell(name)

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
        for cell in self.query(ClockCell):
            cell.show(readings[cell.clock_name])
