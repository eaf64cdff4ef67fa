"""What each viewer may see of each event, without re-deciding anything.

Who may see an incident depends on its pit, its player's host, who opened it
and who owns it (`domain.permissions`). Only the owner changes after opening,
so each stored event keeps a small `EventView`: enough to tell, for any
viewer and at any later time, whether the event is shown as it is, hidden
behind a placeholder (seq stays gap-free), replaced by the whole incident
because it has just come into the viewer's view, or by a notice that it has
just left it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from enum import Enum
from typing import Any

from domain.events import Event, EventType
from domain.handover import HANDOVER_EVENTS
from domain.models import Incident, Location, Player, Role, Staff
from domain.permissions import can_see_downtime, can_see_downtime_in, can_see_incident
from domain.policy import Policy
from domain.state import FloorState


class Outcome(Enum):
    PLAIN = "plain"
    HIDDEN = "hidden"
    SHOWN = "shown"
    LEFT = "left"


@dataclass(frozen=True, slots=True)
class EventView:
    scope: str  # "floor", "incident" or "downtime"
    pit: str | None = None
    opened_by: str | None = None
    host_id: str | None = None
    owner_before: str | None = None
    owner_after: str | None = None
    shown: dict[str, Any] | None = None  # the incident after the event, when its owner changed

    def to_json(self) -> str:
        return json.dumps({k: v for k, v in asdict(self).items() if v is not None})

    @classmethod
    def from_json(cls, text: str) -> EventView:
        return cls(**json.loads(text))


FLOOR = EventView(scope="floor")
# the shift handover is between duty managers (and admins): nobody else sees it
MANAGERS = EventView(scope="managers")


def view_of(event: Event, before: FloorState, after: FloorState) -> EventView:
    """The view of `event`, from the states just before and just after it."""
    if event.type in HANDOVER_EVENTS:
        return MANAGERS
    if event.incident_id is not None:
        incident = after.incidents.get(event.incident_id)
        if incident is None:
            return FLOOR
        previous = before.incidents.get(event.incident_id)
        owner_before = previous.owner if previous else incident.owner
        changed = owner_before != incident.owner
        return EventView(
            scope="incident",
            pit=incident.location.pit,
            opened_by=incident.opened_by,
            host_id=incident.player.host_id,
            owner_before=owner_before,
            owner_after=incident.owner,
            shown=incident.model_dump(mode="json") if changed else None,
        )
    if event.downtime_id is not None:
        downtime = after.downtimes.get(event.downtime_id)
        return EventView(scope="downtime", pit=downtime.pit if downtime else None)
    return FLOOR


def _incident_stub(view: EventView, owner: str | None) -> Incident:
    # only the fields domain.permissions reads, built without validation: the
    # required fields left out (hence the ignores) are never read
    return Incident.model_construct(  # type: ignore[call-arg]
        owner=owner,
        opened_by=view.opened_by or "",
        player=Player.model_construct(host_id=view.host_id),  # type: ignore[call-arg]
        location=Location.model_construct(pit=view.pit),
    )


def sees_everything(staff: Staff) -> bool:
    return staff.role in (Role.DUTY_MANAGER, Role.ADMIN)


def outcome(staff: Staff, view: EventView, policy: Policy) -> Outcome:
    if sees_everything(staff) or view.scope == "floor":
        return Outcome.PLAIN
    if view.scope == "managers":
        return Outcome.HIDDEN
    if view.scope == "downtime":
        seen = can_see_downtime_in(staff, view.pit, policy)
        return Outcome.PLAIN if seen else Outcome.HIDDEN
    after = can_see_incident(staff, _incident_stub(view, view.owner_after), policy)
    if view.owner_before == view.owner_after:
        return Outcome.PLAIN if after else Outcome.HIDDEN
    before = can_see_incident(staff, _incident_stub(view, view.owner_before), policy)
    if after and not before and view.shown is not None:
        return Outcome.SHOWN
    if before and not after:
        return Outcome.LEFT
    return Outcome.PLAIN if after else Outcome.HIDDEN


def render(body: str, event: Event, view: EventView, result: Outcome) -> str:
    """The JSON a viewer gets for one stored event."""
    if result is Outcome.PLAIN:
        return body
    if result is Outcome.HIDDEN:
        return Event(seq=event.seq, type=EventType.HIDDEN, at=event.at).model_dump_json()
    if result is Outcome.LEFT:
        # who has it now is not theirs to see either
        left = Event(seq=event.seq, type=EventType.INCIDENT_LEFT_VIEW, at=event.at)
        return left.model_copy(update={"incident_id": event.incident_id}).model_dump_json()
    shown = {"type": EventType.INCIDENT_SHOWN, "data": {"incident": view.shown}}
    return event.model_copy(update=shown).model_dump_json()


def scope_key(staff: Staff) -> str:
    """Viewers with the same key see exactly the same frames."""
    return "*" if sees_everything(staff) else f"{staff.role}:{staff.id}:{staff.pit or ''}"


def visible_state(state: FloorState, staff: Staff) -> FloorState:
    """The part of the floor a viewer may see (their snapshot)."""
    if sees_everything(staff):
        return state
    policy = state.policy
    return state.model_copy(
        update={
            "incidents": {
                k: v for k, v in state.incidents.items() if can_see_incident(staff, v, policy)
            },
            "downtimes": {
                k: v for k, v in state.downtimes.items() if can_see_downtime(staff, v, policy)
            },
            "handovers": (),
        }
    )
