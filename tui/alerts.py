"""What rings the bell: a new P1 from someone else, or a promise that just fell due.

Pure functions over domain state, so the app only decides *how* to alert.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from domain.events import Event, EventType
from domain.models import Incident, Priority
from domain.sla import clocks
from domain.state import FloorState

CLOCK_WORDS = {
    "answer": "answer",
    "stabilise": "stabilise",
    "resolve": "resolve",
    "update": "player update",
}


@dataclass(frozen=True, slots=True)
class Alert:
    incident_id: int
    title: str
    message: str


def describe(incident: Incident) -> str:
    tier = f" {incident.player.tier.upper()}" if incident.player.tier != "standard" else ""
    return f"#{incident.id} {incident.location.display}: {incident.kind.label}{tier}"


def new_p1_alerts(events: Iterable[object], state: FloorState, me: str | None) -> list[Alert]:
    """P1s opened (or raised to P1) by anyone but this terminal's user."""
    alerts: list[Alert] = []
    for event in events:
        if not isinstance(event, Event) or event.actor == me or event.incident_id is None:
            continue
        raised = event.type is EventType.PRIORITY_CHANGED and event.data.get("priority") == "P1"
        opened = event.type is EventType.INCIDENT_OPENED
        incident = state.incidents.get(event.incident_id)
        if incident is None or incident.priority is not Priority.P1 or not (raised or opened):
            continue
        who = state.staff_name(event.actor)
        verb = "opened" if opened else "raised to P1"
        alerts.append(Alert(incident.id, "New P1", f"{describe(incident)} ({verb} by {who})"))
    return alerts


class BreachWatch:
    """Finds incidents with a promise that fell due between two ticks.

    It scans the open incidents only when the earliest running deadline has
    passed (or the floor changed), so an idle tick costs one comparison.
    """

    def __init__(self) -> None:
        self._scan_at = float("-inf")
        self._last: float | None = None

    def floor_changed(self) -> None:
        self._scan_at = float("-inf")

    def check(self, state: FloorState, now: float) -> list[Alert]:
        last, self._last = self._last, now
        if last is None or now < self._scan_at:
            if last is None:
                self._scan(state, now, None)
            return []
        return self._scan(state, now, last)

    def _scan(self, state: FloorState, now: float, last: float | None) -> list[Alert]:
        alerts: list[Alert] = []
        upcoming = float("inf")
        for incident in state.incidents.values():
            for name, due in _running(incident):
                if due > now:
                    upcoming = min(upcoming, due)
                elif last is not None and last < due:
                    words = CLOCK_WORDS.get(name, name)
                    alerts.append(
                        Alert(incident.id, "SLA breached", f"{describe(incident)}: {words} overdue")
                    )
        self._scan_at = upcoming
        return alerts


def _running(incident: Incident) -> list[tuple[str, float]]:
    """Every promise still open on an incident: its clocks, and the next player update."""
    if not incident.state.is_open:
        return []
    running = [(c.name, c.due) for c in clocks(incident) if c.done_at is None]
    if incident.next_update_due is not None:
        running.append(("update", incident.next_update_due))
    return running
