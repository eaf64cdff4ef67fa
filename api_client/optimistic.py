"""The optimistic view: the confirmed state with this terminal's unanswered commands on top.

Each command is decided by the same domain rules the server uses, at the time
it was issued, and its events folded in. A command that no longer decides
cleanly against the newer confirmed state is simply not shown as applied: it
stays pending until the server gives its own answer.

The view shows a pending change of owner or state but not its version bump:
an incident's `version` here is always the last one the server confirmed.
That is the version an exclusive command must carry ("the version the user
saw"); a bumped local number could equal the server's after someone else's
change, and a stale resolve would then pass as current. The server lets the
sender's own changes since that version through (`domain.decide`).

The view is computed when read, not on every change: a backlog of a thousand
commands draining while the feed delivers their events would otherwise be
refolded once per frame. A command added on top is folded onto the last view.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from api_client.contract import PendingCommand
from domain import commands as c
from domain.commands import Command
from domain.decide import Actor, Rejected, decide
from domain.events import Event
from domain.models import Incident
from domain.reducer import fold
from domain.state import FloorState

LocalIds = Callable[[int], int | None]  # local number -> server number, once known


def rewrite_local_ids(command: Command, server_id_for: LocalIds) -> Command:
    """The command with a local incident number swapped for the server's, when known."""
    incident_id = getattr(command, "incident_id", None)
    if incident_id is None or incident_id >= 0:
        return command
    server_id = server_id_for(incident_id)
    if server_id is None:
        return command
    return command.model_copy(update={"incident_id": server_id})


def without_guessed_downtime(command: Command, confirmed: FloorState) -> Command:
    """Drop a downtime number the server has not given yet (a downtime started offline).

    The server finds the asset's open downtime itself; a guessed number could
    name someone else's downtime by the time the command is sent.
    """
    if not isinstance(command, c.MovePlayer | c.EndDowntime):
        return command
    if command.downtime_id is None or command.downtime_id in confirmed.downtimes:
        return command
    return command.model_copy(update={"downtime_id": None})


def touched(commands: Sequence[PendingCommand], state: FloorState) -> tuple[set[int], set[int]]:
    """Incident and downtime ids these commands may show changes on, in `state`."""
    incidents: set[int] = set()
    downtimes: set[int] = set()
    started: dict[str, int] = {}  # asset -> the number the view gives its new downtime
    starts = 0
    for pending in commands:
        if pending.incident_id is not None:
            incidents.add(pending.incident_id)
        command = pending.command
        if isinstance(command, c.StartDowntime):
            started[command.asset_id] = state.next_downtime_id + starts
            starts += 1
            downtimes.add(started[command.asset_id])
        elif isinstance(command, c.MovePlayer | c.EndDowntime):
            open_now = state.open_downtime_of(command.asset_id)
            number = (
                command.downtime_id
                or started.get(command.asset_id)
                or (open_now.id if open_now else None)
            )
            if number is not None:
                downtimes.add(number)
    return incidents, downtimes


class OptimisticView:
    def __init__(self, server_id_for: LocalIds) -> None:
        self._server_id_for = server_id_for
        self._base: FloorState | None = None
        self._actor: Actor | None = None
        self._applied: tuple[str, ...] = ()  # command ids folded into _state, in order
        self._state = FloorState()

    def get(
        self, confirmed: FloorState, unanswered: Sequence[PendingCommand], actor: Actor | None
    ) -> FloorState:
        if actor is None or not unanswered:
            return confirmed
        n = len(self._applied)
        reusable = (
            confirmed is self._base
            and actor == self._actor
            and len(unanswered) >= n
            and tuple(p.command_id for p in unanswered[:n]) == self._applied
        )
        if not reusable:
            self._base, self._actor, self._applied, self._state = confirmed, actor, (), confirmed
            n = 0
        tail = unanswered[n:]
        if tail:
            self._state = self._fold(self._state, tail, actor)
            self._applied += tuple(p.command_id for p in tail)
        return self._state

    def invalidate(self) -> None:
        """The local-id map changed: commands may now refer to other incidents."""
        self._base = None

    def _fold(
        self, state: FloorState, commands: Sequence[PendingCommand], actor: Actor
    ) -> FloorState:
        seq = state.seq
        for pending in commands:
            command = rewrite_local_ids(pending.command, self._server_id_for)
            new_id = pending.incident_id if command.type == "open_incident" else None
            if new_id is not None and new_id < 0:
                new_id = self._server_id_for(new_id) or new_id
            try:
                events = decide(
                    state,
                    command,
                    actor,
                    pending.issued_at,
                    command_id=pending.command_id,
                    new_incident_id=new_id,
                )
            except Rejected:
                continue
            state = _confirmed_versions(fold(state, events), state, events)
        # the view never claims events the server has not confirmed
        return state if state.seq == seq else state.model_copy(update={"seq": seq})


def _confirmed_versions(after: FloorState, before: FloorState, events: list[Event]) -> FloorState:
    """`after` with each incident these events changed back at its version in `before`.

    The change itself stays in `Incident.changes`, numbered above the
    incident's version: the domain reads that as not yet confirmed.
    """
    restored: dict[int, Incident] = {}
    for number in {event.incident_id for event in events if event.incident_id is not None}:
        old, new = before.incidents.get(number), after.incidents.get(number)
        if old is not None and new is not None and new.version != old.version:
            restored[number] = new.model_copy(update={"version": old.version})
    if not restored:
        return after
    return after.model_copy(update={"incidents": {**after.incidents, **restored}})
