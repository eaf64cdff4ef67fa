"""When a command's action happened: the user's time, carried with it, within bounds.

A command made offline reaches the server when the link is back, minutes (or
hours) later. Its events are stamped with the time the user acted (the
terminal's server-corrected clock, sent with the command as `issued_at`), so
SLA figures count a resolve done at 22:45 as done at 22:45, not at 22:47 when
it arrived. The server trusts that time only within bounds (all in the policy):
not ahead of its own clock beyond `clock_tolerance`, not older than
`outbox_limit`, and not before the incident (or downtime) it is about began.
Outside them the command is refused, saying why; the terminal keeps it, with
the reason, until the user has read it.
"""

from __future__ import annotations

import math

from domain import commands as c
from domain.local_time import local_text
from domain.rejection import RejectCode, Rejected
from domain.state import FloorState

# the timeline shows when an action arrived as well as when it was done only past this
ARRIVED_LATE_AFTER = 5.0


def acted_at(
    state: FloorState, command: c.Command, issued_at: float | None, received_at: float
) -> float:
    """The time the command's events happened; raises `Rejected` when it cannot be so.

    `issued_at` None (the scheduler, an older terminal) is the time it arrived.
    A time a little ahead of the server's, or a little before its incident
    opened, is clock error: it is brought within bounds rather than refused.
    """
    if issued_at is None or not math.isfinite(issued_at):
        return received_at
    policy = state.policy
    tz = policy.timezone
    tolerance = policy.clock_tolerance
    if issued_at > received_at + tolerance:
        ahead = round(issued_at - received_at)
        raise Rejected(
            RejectCode.INVALID,
            f"done at {_clock(issued_at, tz)} by this terminal's clock, {ahead} s ahead of"
            " the server's: check the terminal's clock, then do it again",
        )
    if received_at - issued_at > policy.outbox_limit:
        hours = policy.outbox_limit / 3600
        raise Rejected(
            RejectCode.INVALID,
            f"done {_day(issued_at, tz)}, more than {hours:g} h before it reached the server:"
            " too old to apply; do it again if it still holds",
        )
    at = min(issued_at, received_at)
    began = _began(state, command)
    if began is not None and at < began[1]:
        what, start = began
        if at < start - tolerance:
            raise Rejected(
                RejectCode.INVALID,
                f"done at {_clock(at, tz)}, before {what} began ({_clock(start, tz)}):"
                " check the terminal's clock",
            )
        at = start
    return at


def _began(state: FloorState, command: c.Command) -> tuple[str, float] | None:
    """What the command is about, in words, and when it began (None: nothing yet)."""
    incident_id = getattr(command, "incident_id", None)
    if not isinstance(command, c.OpenIncident | c.StartDowntime) and incident_id is not None:
        incident = state.incidents.get(incident_id)
        return (f"#{incident.id}", incident.opened_at) if incident is not None else None
    if isinstance(command, c.MovePlayer | c.EndDowntime):
        downtime = state.open_downtime_of(command.asset_id)
        if downtime is not None:
            return (f"{downtime.asset_id}'s downtime", downtime.started_at)
    return None


def _clock(timestamp: float, timezone: str) -> str:
    return local_text(timestamp, timezone, "%H:%M:%S")


def _day(timestamp: float, timezone: str) -> str:
    return local_text(timestamp, timezone, "%a %d %b %H:%M")
