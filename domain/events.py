"""Events: what happened, in the order the event log gave it (`seq`)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field

from domain.models import Frozen


class EventType(StrEnum):
    INCIDENT_OPENED = "incident_opened"
    ACKNOWLEDGED = "acknowledged"
    ASSIGNED = "assigned"
    NOTE_ADDED = "note_added"
    PRIORITY_CHANGED = "priority_changed"
    ESCALATED = "escalated"
    STABILISED = "stabilised"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    CLOSED = "closed"
    COMPENSATION_RECORDED = "compensation_recorded"
    CONTACT_PAGED = "contact_paged"
    REPORT_FILED = "report_filed"
    DOWNTIME_STARTED = "downtime_started"
    PLAYER_MOVED = "player_moved"
    DOWNTIME_ENDED = "downtime_ended"
    COVER_SET = "cover_set"
    COVER_ENDED = "cover_ended"
    CONTACT_CONFIRMED = "contact_confirmed"
    # sent only to a viewer for whom an incident has just come into view
    # (say, it was assigned to them): carries the whole incident
    INCIDENT_SHOWN = "incident_shown"
    # its counterpart: the incident has left the viewer's view (say, it was
    # reassigned away from them), so their terminal drops it
    INCIDENT_LEFT_VIEW = "incident_left_view"
    # sent in place of an event the viewer may not see, so seq stays gap-free
    HIDDEN = "hidden"


class Event(Frozen):
    seq: int = 0  # 0 until the event log assigns it
    type: EventType
    at: float
    actor: str = ""
    terminal: str = ""
    command_id: str = ""
    incident_id: int | None = None
    downtime_id: int | None = None
    data: dict[str, Any] = Field(default_factory=dict)
