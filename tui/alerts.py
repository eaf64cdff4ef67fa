"""What rings the bell: a new P1 from someone else, a priority someone lowered (for
a duty manager), a promise that just fell due, the owner's lapsed ETA, or a P1
whose new line pages this terminal's user.

Pure functions over domain state, so the app only decides *how* to alert.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from heapq import heapify, heappop, heappush
from itertools import count

from domain.acks import owes_ack
from domain.eta import lapse_due, page_due
from domain.events import BadEvent, Event, EventType, PriorityChangedData, payload_of
from domain.incident_facts import FactsMemo
from domain.models import Incident, Priority, Role, Staff
from domain.sla import clocks
from domain.state import FloorState
from tui.timefmt import format_clock

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
    detail: str = ""  # free text someone typed (a reason): not shown while locked


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


def lowered_priority_alerts(
    events: Iterable[object], state: FloorState, me: Staff | None
) -> list[Alert]:
    """Priorities someone else lowered, for a duty manager: nobody de-escalates silently."""
    if me is None or me.role is not Role.DUTY_MANAGER:
        return []
    alerts: list[Alert] = []
    for event in events:
        if not isinstance(event, Event) or event.type is not EventType.PRIORITY_CHANGED:
            continue
        if event.actor == me.id or event.incident_id is None:
            continue
        try:
            data = payload_of(event)
        except BadEvent:
            continue
        incident = state.incidents.get(event.incident_id)
        if not isinstance(data, PriorityChangedData) or incident is None or data.previous is None:
            continue
        if not data.priority.is_lower_than(data.previous):
            continue
        who = state.staff_name(event.actor)
        message = f"{describe(incident)}: {data.previous} to {data.priority} by {who}"
        alerts.append(Alert(incident.id, "Priority lowered", message, data.reason or ""))
    return alerts


def eta_lapsed_alerts(events: Iterable[object], state: FloorState, me: str | None) -> list[Alert]:
    """The owner's ETAs that lapsed with no stabilise or update: their terminal rings."""
    alerts: list[Alert] = []
    for event in events:
        if not isinstance(event, Event) or event.type is not EventType.ETA_LAPSED:
            continue
        incident = state.incidents.get(event.incident_id) if event.incident_id else None
        if incident is None or me is None or incident.owner != me:
            continue
        zone = state.policy.timezone
        message = f"{describe(incident)}: on it by {format_clock(event.data['due'], zone)}"
        message += ", not stabilised or updated (b / m)"
        paged_at = page_due(incident, state.policy)
        if paged_at is not None:
            message += f"; L{incident.line + 1} is paged at {format_clock(paged_at, zone)}"
        alerts.append(Alert(incident.id, "ETA lapsed", message))
    return alerts


def paged_alerts(events: Iterable[object], state: FloorState, me: str | None) -> list[Alert]:
    """A P1 escalated (or paged by hand) to a line that pages `me`, who owes it an ack.

    A P1 that opens rings as a new P1 already.
    """
    alerts: list[Alert] = []
    seen: set[int] = set()
    for event in events:
        if not isinstance(event, Event) or event.actor == me or event.incident_id is None:
            continue
        if event.type not in (EventType.ESCALATED, EventType.CONTACT_PAGED):
            continue
        incident = state.incidents.get(event.incident_id)
        if incident is None or me is None or incident.id in seen or not owes_ack(incident, me):
            continue
        seen.add(incident.id)
        message = f"{describe(incident)} on L{incident.line}: a to acknowledge"
        alerts.append(Alert(incident.id, "Paged: P1 awaits your ack", message))
    return alerts


class EtaWatch:
    """This user's own running ETAs, so a terminal cut off from the server still rings
    its owner when one passes (online, the server's lapse rings it instead).

    Only the incidents a change touched are re-read: a tick looks at a handful.
    """

    def __init__(self) -> None:
        self._due: dict[int, float] = {}
        self._reread: set[int] | None = None  # None: the whole floor
        self._last: float | None = None

    def floor_changed(self, ids: Iterable[int] | None = None) -> None:
        if ids is None or self._reread is None:
            self._reread = None
        else:
            self._reread.update(ids)

    def check(self, state: FloorState, me: str | None, now: float, *, online: bool) -> list[Alert]:
        last, self._last = self._last, now
        if self._reread is None:
            self._due = {}
            ids: Iterable[int] = state.incidents
        else:
            ids = self._reread
        for number in ids:
            incident = state.incidents.get(number)
            due = lapse_due(incident) if incident is not None and incident.owner == me else None
            if due is None:
                self._due.pop(number, None)
            else:
                self._due[number] = due
        self._reread = set()
        if online or last is None or me is None:
            return []
        zone = state.policy.timezone
        return [
            Alert(
                number,
                "ETA lapsed",
                f"{describe(state.incidents[number])}: on it by {format_clock(due, zone)},"
                " not stabilised or updated (offline: the next line is paged once the"
                " server hears of it)",
            )
            for number, due in self._due.items()
            if last < due <= now
        ]


class BreachWatch:
    """Finds incidents with a promise that fell due between two ticks.

    Each incident waits in a heap by its next running promise, so a tick looks
    only at what fell due (usually nothing), whatever the size of the floor. A
    change re-reads only the incidents it touched; a reset reads the floor again.
    """

    def __init__(self) -> None:
        # (due, tie-break, incident number, the version read): a heap
        self._next: list[tuple[float, int, int, Incident]] = []
        self._order = count()
        self._last: float | None = None
        self._reread: set[int] | None = None  # None: the whole floor

    def floor_changed(self, ids: Iterable[int] | None = None) -> None:
        """The incidents in `ids` changed (None: any of them may have)."""
        if ids is None or self._reread is None:
            self._reread = None
        else:
            self._reread.update(ids)

    def check(self, state: FloorState, now: float, facts: FactsMemo | None = None) -> list[Alert]:
        """`facts`: the view's, where a changed incident's first promise is looked up."""
        last, self._last = self._last, now
        self._catch_up(state, facts or FactsMemo())
        alerts: list[Alert] = []
        incidents = state.incidents
        while self._next and self._next[0][0] <= now:
            _, _, number, read = heappop(self._next)
            if incidents.get(number) is not read:
                continue  # changed since: the new version has its own entry
            for name, due in _running(read):
                if last is not None and last < due <= now:
                    words = CLOCK_WORDS.get(name, name)
                    alerts.append(
                        Alert(number, "SLA breached", f"{describe(read)}: {words} overdue")
                    )
            self._push(read, after=now)
        return alerts

    def _catch_up(self, state: FloorState, facts: FactsMemo) -> None:
        # a changed incident waits for its first running promise, whenever that is
        if self._reread is None:
            self._next = []
            for incident in state.incidents.values():
                self._queue(incident, facts.of(incident).breaches_at, heap=False)
            heapify(self._next)
        else:
            for number in self._reread:
                changed = state.incidents.get(number)
                if changed is not None:
                    self._queue(changed, facts.of(changed).breaches_at)
        self._reread = set()

    def _push(self, incident: Incident, *, after: float, heap: bool = True) -> None:
        """Queue `incident` at its earliest running promise due after `after`."""
        dues = [due for _, due in _running(incident) if due > after]
        self._queue(incident, min(dues) if dues else None, heap=heap)

    def _queue(self, incident: Incident, due: float | None, *, heap: bool = True) -> None:
        if due is not None:
            entry = (due, next(self._order), incident.id, incident)
            if heap:
                heappush(self._next, entry)
            else:
                self._next.append(entry)


def _running(incident: Incident) -> list[tuple[str, float]]:
    """Every promise still open on an incident: its clocks, and the next player update."""
    if not incident.state.is_open:
        return []
    running = [(c.name, c.due) for c in clocks(incident) if c.done_at is None]
    if incident.next_update_due is not None:
        running.append(("update", incident.next_update_due))
    return running
