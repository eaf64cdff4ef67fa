"""The optimistic view: the confirmed state with this terminal's unanswered commands on top.

Each command is decided by the same domain rules the server uses, at the time
it was issued, and its events folded in. A command that no longer decides
cleanly against the newer confirmed state is simply not shown as applied: it
stays pending until the server gives its own answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from api_client.contract import PendingCommand
from domain.commands import Command
from domain.decide import Actor, Rejected, decide
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


def optimistic_view(
    confirmed: FloorState,
    commands: Iterable[PendingCommand],
    actor: Actor,
    server_id_for: LocalIds,
) -> FloorState:
    state = confirmed
    for pending in commands:
        command = rewrite_local_ids(pending.command, server_id_for)
        new_id = pending.incident_id if command.type == "open_incident" else None
        if new_id is not None and new_id < 0:
            new_id = server_id_for(new_id) or new_id
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
        state = fold(state, events)
    # the view never claims events the server has not confirmed
    return state.model_copy(update={"seq": confirmed.seq}) if state is not confirmed else state
