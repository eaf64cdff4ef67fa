"""Which incidents the queue shows and in what order: views, filters, the risk sort.

Pure (no Textual): the queue screen owns one `QueueModel`, feeds it the ids a
change touched, and hands the ordered incidents to the table. Re-sorting is
incremental: a changed incident is taken out and put back by bisection. The
text filter narrows a kept list of what passes the other filters, so typing
(or deleting) a character never looks at the whole floor again.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import overload

from domain.incident_facts import FactsMemo
from domain.models import Incident, IncidentState, Priority, Role, Staff
from domain.policy import Policy
from domain.sla import owes_follow_up
from domain.state import FloorState
from tui.sorted_moves import contains, moved


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
        if not self.admits(incident, me, floor.policy):
            return False
        return not self.text or self.text.casefold() in haystack(incident, floor)

    def admits(self, incident: Incident, me: Staff, policy: Policy) -> bool:
        """Every filter but the text."""
        if incident.state not in STATE_FILTER_STATES[self.states] and not (
            # the default view keeps a resolved incident until nothing is owed on it
            self.states is StateFilter.OPEN and owes_follow_up(incident, policy)
        ):
            return False
        if self.priorities and incident.priority not in self.priorities:
            return False
        if self.view is View.MINE and not _is_mine(incident, me):
            return False
        return not (self.view is View.PIT and incident.location.pit != me.pit)


def _is_mine(incident: Incident, me: Staff) -> bool:
    if incident.owner is not None:
        return incident.owner == me.id
    # nobody owns it yet: it is mine if I opened it or it is one of my players
    return me.id in (incident.opened_by, incident.player.host_id)


def haystack(incident: Incident, floor: FloorState) -> str:
    """What the text filter searches in an incident, casefolded."""
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


Key = tuple[int, float, int]
Entry = tuple[Key, int]  # (risk key, incident number): the order the queue shows


class QueueRows(Sequence[Incident]):
    """The shown incidents in order, read through to the floor on access.

    A snapshot: the model never changes a list it has handed out, so a change
    costs no copy of the incidents and finding a row is a bisection.
    """

    def __init__(
        self,
        order: Sequence[Entry],
        incidents: Mapping[int, Incident],
        risk: Callable[[Incident], Key],
    ) -> None:
        self._order = order
        self._incidents = incidents
        self._risk = risk

    def __len__(self) -> int:
        return len(self._order)

    @overload
    def __getitem__(self, index: int) -> Incident: ...
    @overload
    def __getitem__(self, index: slice) -> list[Incident]: ...
    def __getitem__(self, index: int | slice) -> Incident | list[Incident]:
        if isinstance(index, slice):
            return [self._incidents[number] for _, number in self._order[index]]
        return self._incidents[self._order[index][1]]

    def __iter__(self) -> Iterator[Incident]:
        incidents = self._incidents
        return (incidents[number] for _, number in self._order)

    def index_of(self, incident_id: int) -> int | None:
        incident = self._incidents.get(incident_id)
        if incident is None:
            return None
        entry = (self._risk(incident), incident_id)
        at = bisect_left(self._order, entry)
        return at if at < len(self._order) and self._order[at] == entry else None


@dataclass
class QueueModel:
    """The shown incidents in risk order, kept sorted as changes arrive."""

    # what passes every filter but the text, and that narrowed by the text
    _base: list[Entry] = field(default_factory=list)
    _order: list[Entry] = field(default_factory=list)
    _key_of: dict[int, Key] = field(default_factory=dict)  # everything in _base
    _text: str = ""  # casefolded
    # the sort keys, per incident version: the view's, worked out off the UI loop
    facts: FactsMemo = field(default_factory=FactsMemo)
    # the text searched, good until the incident or the staff names change
    _hays: dict[int, tuple[Incident, object, str]] = field(default_factory=dict)

    def _risk(self, incident: Incident) -> Key:
        return self.facts.of(incident).risk

    def _hay(self, incident: Incident, floor: FloorState) -> str:
        seen = self._hays.get(incident.id)
        if seen is not None and seen[0] is incident and seen[1] is floor.staff:
            return seen[2]
        hay = haystack(incident, floor)
        self._hays[incident.id] = (incident, floor.staff, hay)
        return hay

    def _matching(self, entries: Iterable[Entry], floor: FloorState, text: str) -> list[Entry]:
        incidents, hay = floor.incidents, self._hay
        return [e for e in entries if text in hay(incidents[e[1]], floor)]

    def rebuild(self, floor: FloorState, me: Staff, filters: Filters) -> None:
        self._key_of = {
            i.id: self._risk(i)
            for i in floor.incidents.values()
            if filters.admits(i, me, floor.policy)
        }
        self._base = sorted((key, number) for number, key in self._key_of.items())
        self._text = filters.text.casefold()
        self._order = self._matching(self._base, floor, self._text) if self._text else self._base

    def set_text(self, floor: FloorState, text: str) -> None:
        """Filter by another text: typing on narrows what is shown, deleting widens it."""
        text = text.casefold()
        if text == self._text:
            return
        narrowing = bool(self._text) and self._text in text
        self._order = (
            self._matching(self._order if narrowing else self._base, floor, text)
            if text
            else self._base
        )
        self._text = text

    def update(self, floor: FloorState, me: Staff, filters: Filters, ids: Iterable[int]) -> None:
        """Re-place only the incidents in `ids` (added, changed or gone)."""
        gone: list[Entry] = []
        added: list[Entry] = []
        for number in ids:
            old = self._key_of.pop(number, None)
            if old is not None:
                gone.append((old, number))
            incident = floor.incidents.get(number)
            if incident is not None and filters.admits(incident, me, floor.policy):
                key = self._risk(incident)
                self._key_of[number] = key
                added.append((key, number))
        # new lists: the rows handed out keep their order
        base = moved(self._base, gone, added)
        if self._text:
            text, incidents, hay = self._text, floor.incidents, self._hay
            shown = [e for e in gone if contains(self._order, e)]
            found = [e for e in added if text in hay(incidents[e[1]], floor)]
            self._order = moved(self._order, shown, found)
        else:
            self._order = base
        self._base = base

    def rows(self, floor: FloorState) -> QueueRows:
        """The shown incidents of `floor` (the floor these changes came from)."""
        return QueueRows(self._order, floor.incidents, self._risk)

    @property
    def ids(self) -> list[int]:
        return [number for _, number in self._order]

    def __len__(self) -> int:
        return len(self._order)
