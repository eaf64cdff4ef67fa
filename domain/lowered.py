"""Priorities lowered that no duty manager has seen yet: nobody de-escalates silently.

A bell rings on the duty managers' terminals online when it happens; this is
the lasting mark for the others (signed out, offline, caught up by a snapshot).
It is read off the timeline, so it needs no state of its own: an incident's
latest lowering by someone who is not a duty manager stays unseen until a duty
manager does anything on the incident after it (a note, an acknowledgement, a
step, another priority).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from domain.models import Incident, Priority, Role, TimelineEntry
from domain.reducer import LOWERED
from domain.state import FloorState

_FROM_TO = re.compile(rf"^{LOWERED} (P[1-4]) to (P[1-4])")


@dataclass(frozen=True, slots=True)
class Lowering:
    incident_id: int
    previous: Priority
    priority: Priority
    by: str  # staff id
    at: float
    text: str  # as the timeline says it, reason included


def unseen_lowering(incident: Incident, state: FloorState) -> Lowering | None:
    """The incident's latest lowering that no duty manager has seen since, if any."""
    for entry in reversed(incident.timeline):
        if _by_duty_manager(entry, state):
            return None
        match = _FROM_TO.match(entry.text) if entry.kind == "priority_changed" else None
        if match is not None:
            return Lowering(
                incident.id,
                Priority(match.group(1)),
                Priority(match.group(2)),
                entry.actor,
                entry.at,
                entry.text,
            )
    return None


def _by_duty_manager(entry: TimelineEntry, state: FloorState) -> bool:
    staff = state.staff.get(entry.actor)
    return staff is not None and staff.role is Role.DUTY_MANAGER


class LoweringMemo:
    """The floor's unseen lowerings, brought forward by the incidents that changed.

    Worked out for every incident only on a new floor or when who is a duty manager
    may have changed (a new staff table): the queue asks every second, and a floor
    holds up to 100,000 incidents.
    """

    def __init__(self) -> None:
        self._found: dict[int, Lowering] = {}
        self._staff: object = None

    def update(self, state: FloorState, changed: Iterable[int] | None = None) -> None:
        """Bring forward by the incidents in `changed` (added, changed or gone); None: all."""
        if changed is None or state.staff is not self._staff:
            self._staff = state.staff
            self._found = {}
            changed = state.incidents
        for number in changed:
            incident = state.incidents.get(number)
            lowering = unseen_lowering(incident, state) if incident is not None else None
            if lowering is None:
                self._found.pop(number, None)
            else:
                self._found[number] = lowering

    def unseen(self, state: FloorState) -> list[Lowering]:
        """Oldest first."""
        if state.staff is not self._staff:
            self.update(state)
        return sorted(self._found.values(), key=lambda lowering: lowering.at)
