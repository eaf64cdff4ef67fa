"""Which incidents the queue shows and in what order: views, filters, the risk sort.

Pure (no Textual): the queue screen owns one `QueueModel`, feeds it the ids a
change touched, and hands the ordered incidents to the table. Re-sorting is
incremental: a changed incident is taken out and put back by bisection.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from domain.models import Incident, IncidentState, Priority, Role, Staff
from domain.policy import Policy
from domain.sla import risk_key
from domain.state import FloorState


class View(StrEnum):
    MINE = "mine"
    PIT = "pit"
    FLOOR = "floor"


class StateFilter(StrEnum):
    OPEN = "open"
    NEW = "new"
    WORKING = "working"
    STABILISED = "stabilised"
    DONE = "resolved/closed"
    ALL = "all"


STATE_FILTER_STATES: dict[StateFilter, frozenset[IncidentState]] = {
    StateFilter.OPEN: frozenset(s for s in IncidentState if s.is_open),
    StateFilter.NEW: frozenset({IncidentState.NEW}),
    StateFilter.WORKING: frozenset({IncidentState.ACKNOWLEDGED, IncidentState.IN_PROGRESS}),
    StateFilter.STABILISED: frozenset({IncidentState.STABILISED}),
    StateFilter.DONE: frozenset({IncidentState.RESOLVED, IncidentState.CLOSED}),
    StateFilter.ALL: frozenset(IncidentState),
}


def views_for(staff: Staff, policy: Policy) -> tuple[View, ...]:
    """The views a role may cycle through, its default first."""
    if staff.role is Role.PIT_BOSS:
        return (
            (View.PIT, View.MINE, View.FLOOR)
            if policy.pit_boss_floor_wide
            else (
                View.PIT,
                View.MINE,
            )
        )
    if staff.role is Role.HOST:
        return (View.MINE, View.FLOOR)
    return (View.FLOOR, View.MINE)


def view_label(view: View, staff: Staff) -> str:
    if view is View.PIT:
        return f"pit {staff.pit}" if staff.pit else "my pit"
    if view is View.FLOOR and staff.role is Role.HOST:
        return "my players"
    return "whole floor" if view is View.FLOOR else "mine"


@dataclass
class Filters:
    view: View = View.FLOOR
    text: str = ""
    priorities: frozenset[Priority] = frozenset()  # empty: every priority
    states: StateFilter = StateFilter.OPEN

    def accepts(self, incident: Incident, me: Staff, floor: FloorState) -> bool:
        if incident.state not in STATE_FILTER_STATES[self.states]:
            return False
        if self.priorities and incident.priority not in self.priorities:
            return False
        if self.view is View.MINE and not _is_mine(incident, me):
            return False
        if self.view is View.PIT and incident.location.pit != me.pit:
            return False
        return not self.text or self.text.casefold() in _haystack(incident, floor)


def _is_mine(incident: Incident, me: Staff) -> bool:
    if incident.owner is not None:
        return incident.owner == me.id
    # nobody owns it yet: it is mine if I opened it or it is one of my players
    return me.id in (incident.opened_by, incident.player.host_id)


def _haystack(incident: Incident, floor: FloorState) -> str:
    number = f"L-{-incident.id}" if incident.id < 0 else f"#{incident.id}"
    return " ".join(
        (
            number,
            incident.player.display,
            incident.location.display,
            incident.kind.label,
            floor.staff_name(incident.owner),
            incident.state.replace("_", " "),
            incident.priority,
        )
    ).casefold()


@dataclass
class QueueModel:
    """The shown incidents in risk order, kept sorted as changes arrive."""

    _order: list[tuple[tuple[int, float, int], int]] = field(default_factory=list)
    _key_of: dict[int, tuple[int, float, int]] = field(default_factory=dict)
    # incidents are immutable and their sort key depends on nothing else, so a
    # key is good until the incident object is replaced
    _keys_seen: dict[int, tuple[Incident, tuple[int, float, int]]] = field(default_factory=dict)

    def _risk(self, incident: Incident) -> tuple[int, float, int]:
        seen = self._keys_seen.get(incident.id)
        if seen is not None and seen[0] is incident:
            return seen[1]
        key = risk_key(incident)
        self._keys_seen[incident.id] = (incident, key)
        return key

    def rebuild(self, floor: FloorState, me: Staff, filters: Filters) -> None:
        self._key_of = {
            i.id: self._risk(i) for i in floor.incidents.values() if filters.accepts(i, me, floor)
        }
        self._order = sorted((key, number) for number, key in self._key_of.items())

    def narrow(self, floor: FloorState, me: Staff, filters: Filters) -> None:
        """Drop what no longer passes a stricter filter (nothing new can appear)."""
        self._order = [
            (key, number)
            for key, number in self._order
            if (incident := floor.incidents.get(number)) is not None
            and filters.accepts(incident, me, floor)
        ]
        self._key_of = {number: key for key, number in self._order}

    def update(self, floor: FloorState, me: Staff, filters: Filters, ids: Iterable[int]) -> None:
        """Re-place only the incidents in `ids` (added, changed or gone)."""
        for number in ids:
            old = self._key_of.pop(number, None)
            if old is not None:
                del self._order[bisect_left(self._order, (old, number))]
            incident = floor.incidents.get(number)
            if incident is not None and filters.accepts(incident, me, floor):
                key = self._risk(incident)
                self._key_of[number] = key
                insort(self._order, (key, number))

    @property
    def ids(self) -> list[int]:
        return [number for _, number in self._order]

    def __len__(self) -> int:
        return len(self._order)
