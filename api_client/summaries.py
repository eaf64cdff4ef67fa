"""How a queued or refused command is named on the outbox screen."""

from __future__ import annotations

from domain import commands as c
from domain.commands import Command


def incident_label(incident_id: int) -> str:
    """`#12` for a server number, `L-1` for one made offline and not yet numbered."""
    return f"L{incident_id}" if incident_id < 0 else f"#{incident_id}"


def touched_incident(command: Command, local_id: int | None = None) -> int | None:
    """The incident a command is about (a creation: its local number)."""
    if isinstance(command, c.OpenIncident):
        return local_id
    return getattr(command, "incident_id", None)


def summarize(command: Command, incident_id: int | None) -> str:
    on = f" {incident_label(incident_id)}" if incident_id is not None else ""
    match command:
        case c.OpenIncident():
            where = command.location.display
            return f"open {command.priority} {command.kind.label} at {where}{on}"
        case c.AddNote():
            return f"note on{on}"
        case c.Assign():
            return f"assign{on} to {command.owner}"
        case c.SetPriority():
            return f"set{on} to {command.priority}"
        case c.PageContact():
            return f"page {command.staff_id} by {command.method}" + (f" for{on}" if on else "")
        case c.StartDowntime():
            return f"{command.asset_id} down: {command.reason}"
        case c.MovePlayer():
            return f"player from {command.asset_id} moved to {command.to}"
        case c.EndDowntime():
            return f"{command.asset_id} back up"
        case c.SetCover():
            return f"{command.staff_id} covers L{command.line} {command.chain}"
        case c.EndCover():
            return f"end the cover of L{command.line} {command.chain}"
        case c.OpenHandover():
            return "open the shift handover"
        case c.AcknowledgeHandover():
            return "acknowledge the shift handover"
        case c.ConfirmContact():
            return f"{command.staff_id} {command.method} {command.value} confirmed"
    return f"{command.type.replace('_', ' ')}{on}"
