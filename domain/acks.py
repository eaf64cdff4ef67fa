"""Who a line pages, and who of them still owes a P1 their acknowledgement.

When an incident reaches a line (it opens there, or escalates to it) everyone
on duty on that line who signs in and may see it is paged; someone paged by
hand on that line joins them. On a P1 each of them sees it flagged until they
have acknowledged or the incident is stabilised: one answer does not speak for
the others.
"""

from __future__ import annotations

from domain.cover import who_to_call
from domain.escalation import climbing
from domain.models import Chain, Incident, Priority
from domain.permissions import can_see_incident
from domain.state import FloorState


def paged_on(
    state: FloorState, incident: Incident, chain: Chain, line: int, now: float
) -> tuple[str, ...]:
    """The staff a line pages for `incident` at `now`: on duty there, signing in, seeing it."""
    paged: list[str] = []
    for entry in who_to_call(state, chain, line, now):
        member = state.staff.get(entry.staff_id)
        if member is None or entry.staff_id in paged:
            continue
        if can_see_incident(member, incident, state.policy):
            paged.append(entry.staff_id)
    return tuple(paged)


def multi_ack(incident: Incident) -> bool:
    """Whether everyone paged must acknowledge (a P1 not yet stabilised)."""
    return incident.priority is Priority.P1 and climbing(incident)


def acked_by(incident: Incident) -> tuple[str, ...]:
    return tuple(dict.fromkeys(a.staff_id for a in incident.acks))


def awaiting(incident: Incident) -> tuple[str, ...]:
    """The people paged on the current line who have not acknowledged yet."""
    if not multi_ack(incident):
        return ()
    done = set(acked_by(incident))
    return tuple(s for s in incident.paged if s not in done)


def owes_ack(incident: Incident, staff_id: str) -> bool:
    return staff_id in awaiting(incident)
