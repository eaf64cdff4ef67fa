"""A card or account number in any text is an exposure: it escalates at once (section 4).

Terminals mask card-like numbers before anything is queued, so the server sees
only the masked form; `names_card_number` knows both.
"""

from __future__ import annotations

from collections.abc import Iterable

from domain.acks import paged_on
from domain.events import EscalatedData, Event, EventType, make_event
from domain.models import IncidentKind
from domain.privacy import names_card_number
from domain.state import FloorState

EXPOSURE_LINE = 2
EXPOSURE_REASON = IncidentKind.CARD_EXPOSURE.label


def exposed(texts: Iterable[object]) -> bool:
    return any(isinstance(t, str) and names_card_number(t) for t in texts)


def escalate_on_exposure(state: FloorState, events: list[Event]) -> list[Event]:
    """`events`, plus an escalation to L2 for an open incident below it whose text they
    carry names a card number."""
    extra: list[Event] = []
    for event in events:
        incident = state.incidents.get(event.incident_id) if event.incident_id else None
        if (
            incident is None
            or not incident.state.is_open
            or incident.line >= EXPOSURE_LINE
            or event.type is EventType.ESCALATED
            or not exposed(event.data.values())
            or any(e.incident_id == incident.id for e in extra)
        ):
            continue
        extra.append(
            make_event(
                EventType.ESCALATED,
                EscalatedData(
                    line=EXPOSURE_LINE,
                    auto=True,
                    reason=EXPOSURE_REASON,
                    paged=paged_on(state, incident, incident.chain, EXPOSURE_LINE, event.at),
                ),
                at=event.at,
                actor=event.actor,
                terminal=event.terminal,
                command_id=event.command_id,
                incident_id=incident.id,
            )
        )
    return [*events, *extra]
