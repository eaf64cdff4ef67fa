"""Events: what happened, in the order the event log gave it (`seq`).

On the wire and in the log an event's `data` is a plain JSON object. What it
must hold depends on the event's type: `PAYLOADS` maps each type to its
pydantic model, and `payload_of` checks an event's data against it, so the
reducer reads typed fields and a malformed event is a `BadEvent` naming its
seq, never a `KeyError` deep in a fold. `make_event` builds an event from its
payload model, which is how `decide` makes every event the server emits.

A new event type adds its member to `EventType` and its model to `PAYLOADS`;
a type with no model registered still has its envelope checked and its data
passed through as it came (`OpaqueData`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from domain.escalation import TOP_LINE
from domain.models import (
    AssetKind,
    Chain,
    FlagKind,
    Frozen,
    HelpAnswer,
    Incident,
    Priority,
)


class EventType(StrEnum):
    INCIDENT_OPENED = "incident_opened"
    ACKNOWLEDGED = "acknowledged"
    # a further acknowledgement of a P1 by someone else paged on its line (`domain.acks`)
    ACK_ADDED = "ack_added"
    # an acknowledgement's ETA passed with no stabilise and no update (`domain.eta`)
    ETA_LAPSED = "eta_lapsed"
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
    RECORDED_IN_REGISTER = "recorded_in_register"
    HELP_OFFER_RECORDED = "help_offer_recorded"
    # flags belong to a player reference, not to one incident (`domain.player_flags`)
    PLAYER_FLAG_SET = "player_flag_set"
    PLAYER_FLAG_CLEARED = "player_flag_cleared"
    DOWNTIME_STARTED = "downtime_started"
    PLAYER_MOVED = "player_moved"
    DOWNTIME_ENDED = "downtime_ended"
    # the floor's configuration (domain.floor_changes): seen by all signed-in staff
    STAFF_ADDED = "staff_added"
    STAFF_UPDATED = "staff_updated"
    STAFF_PIN_RESET = "staff_pin_reset"
    ASSET_ADDED = "asset_added"
    ASSET_UPDATED = "asset_updated"
    ASSET_REMOVED = "asset_removed"
    ROSTER_REPLACED = "roster_replaced"
    PITS_REPLACED = "pits_replaced"
    COVER_SET = "cover_set"
    COVER_ENDED = "cover_ended"
    CONTACT_CONFIRMED = "contact_confirmed"
    # the shift handover (domain.handover): seen by duty managers and admins only
    HANDOVER_OPENED = "handover_opened"
    HANDOVER_ACKNOWLEDGED = "handover_acknowledged"
    # sent only to a viewer for whom an incident has just come into view
    # (say, it was assigned to them): carries the whole incident
    INCIDENT_SHOWN = "incident_shown"
    # its counterpart: the incident has left the viewer's view (say, it was
    # reassigned away from them), so their terminal drops it
    INCIDENT_LEFT_VIEW = "incident_left_view"
    # sent in place of an event the viewer may not see, so seq stays gap-free
    HIDDEN = "hidden"


# -- payloads ------------------------------------------------------------------


class Payload(BaseModel):
    """An event's `data`, typed. Unknown keys are ignored: a newer server may add some."""

    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)


class NoData(Payload):
    """Events whose envelope says it all (closed, hidden, downtime ended...)."""


class OpaqueData(Payload):
    """The data of an event type with no registered model: kept as it came."""

    model_config = ConfigDict(frozen=True, extra="allow", defer_build=True)


class IncidentData(Payload):
    """The whole incident: when it opens, or comes into a viewer's view."""

    incident: Incident


class AcknowledgedData(Payload):
    note: str = ""
    # the acknowledger, when the incident had no owner: answering it is taking it
    owner: str | None = None
    eta_minutes: int | None = None  # "on it in N min", if they said so
    eta_due: float | None = None  # ...and when that is


class AckAddedData(Payload):
    note: str = ""
    eta_minutes: int | None = None
    eta_due: float | None = None


class EtaLapsedData(Payload):
    due: float  # when the ETA fell due
    page_at: float | None = None  # when the next line is paged unless someone acts


class AssignedData(Payload):
    owner: str = Field(min_length=1)  # a staff id


class NoteAddedData(Payload):
    text: str


class PriorityChangedData(Payload):
    priority: Priority
    reason: str = ""  # required when it lowers the priority
    previous: Priority | None = None  # None in events stored before it was kept


class EscalatedData(Payload):
    line: int = Field(ge=1, le=TOP_LINE)
    auto: bool = False  # the scheduler's, by time; False: by hand
    reason: str = ""
    paged: tuple[str, ...] = ()  # who the new line pages (`domain.acks.paged_on`)


class StabilisedData(Payload):
    note: str = ""
    owner: str | None = None  # as for an acknowledge: whoever moves an unowned incident on


class ResolvedData(Payload):
    note: str = ""
    owner: str | None = None


class ReopenedData(Payload):
    reason: str = ""
    owner: str | None = None


class CompensationRecordedData(Payload):
    text: str


class ContactPagedData(Payload):
    staff_id: str
    name: str
    title: str
    method: str
    value: str
    line: int = Field(ge=1, le=TOP_LINE)
    chain: Chain
    line_title: str


class ReportFiledData(Payload):
    """Root cause and measures; an event stored before they were apart has only
    `text`, which reads as the root cause."""

    root_cause: str = ""
    measures: str = ""
    text: str = ""  # the one field of older events; new ones leave it empty

    @property
    def cause(self) -> str:
        return self.root_cause or self.text


class RecordedInRegisterData(Payload):
    name: str  # the register's key in the policy
    label: str  # its name, as the policy had it then
    reference: str = Field(min_length=1)
    occurred_at: float | None = None


class HelpOfferRecordedData(Payload):
    answer: HelpAnswer
    note: str = ""


class PlayerFlagSetData(Payload):
    reference: str = Field(min_length=1)
    flag: FlagKind
    until: float | None = None
    note: str = ""


class PlayerFlagClearedData(Payload):
    reference: str = Field(min_length=1)
    flag: FlagKind
    reason: str = ""


class DowntimeStartedData(Payload):
    asset_id: str = Field(min_length=1)
    asset_kind: AssetKind
    pit: str
    reason: str
    incident_id: int | None = None


class PlayerMovedData(Payload):
    to: str = Field(min_length=1)


# Each event type's payload model. Add an entry with each new event type.
PAYLOADS: dict[EventType, type[Payload]] = {
    EventType.INCIDENT_OPENED: IncidentData,
    EventType.ACKNOWLEDGED: AcknowledgedData,
    EventType.ACK_ADDED: AckAddedData,
    EventType.ETA_LAPSED: EtaLapsedData,
    EventType.ASSIGNED: AssignedData,
    EventType.NOTE_ADDED: NoteAddedData,
    EventType.PRIORITY_CHANGED: PriorityChangedData,
    EventType.ESCALATED: EscalatedData,
    EventType.STABILISED: StabilisedData,
    EventType.RESOLVED: ResolvedData,
    EventType.REOPENED: ReopenedData,
    EventType.CLOSED: NoData,
    EventType.COMPENSATION_RECORDED: CompensationRecordedData,
    EventType.CONTACT_PAGED: ContactPagedData,
    EventType.REPORT_FILED: ReportFiledData,
    EventType.RECORDED_IN_REGISTER: RecordedInRegisterData,
    EventType.HELP_OFFER_RECORDED: HelpOfferRecordedData,
    EventType.PLAYER_FLAG_SET: PlayerFlagSetData,
    EventType.PLAYER_FLAG_CLEARED: PlayerFlagClearedData,
    EventType.DOWNTIME_STARTED: DowntimeStartedData,
    EventType.PLAYER_MOVED: PlayerMovedData,
    EventType.DOWNTIME_ENDED: NoData,
    EventType.INCIDENT_SHOWN: IncidentData,
    EventType.INCIDENT_LEFT_VIEW: NoData,
    EventType.HIDDEN: NoData,
}

# events about one incident, which must name it
_ON_INCIDENT = frozenset(
    {
        EventType.ACKNOWLEDGED,
        EventType.ACK_ADDED,
        EventType.ETA_LAPSED,
        EventType.ASSIGNED,
        EventType.NOTE_ADDED,
        EventType.PRIORITY_CHANGED,
        EventType.ESCALATED,
        EventType.STABILISED,
        EventType.RESOLVED,
        EventType.REOPENED,
        EventType.CLOSED,
        EventType.COMPENSATION_RECORDED,
        EventType.REPORT_FILED,
        EventType.RECORDED_IN_REGISTER,
        EventType.HELP_OFFER_RECORDED,
        EventType.INCIDENT_LEFT_VIEW,
    }
)
_ON_DOWNTIME = frozenset({EventType.PLAYER_MOVED, EventType.DOWNTIME_ENDED})


class Event(Frozen):
    seq: int = 0  # 0 until the event log assigns it
    type: EventType
    at: float  # when it happened: for an action done offline, when the user did it
    # when the server took it, if that was later by more than a few seconds
    # (an action queued offline); None: at `at`, and left off the wire
    received_at: float | None = Field(default=None, exclude_if=lambda at: at is None)
    actor: str = ""
    terminal: str = ""
    command_id: str = ""
    incident_id: int | None = None
    downtime_id: int | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    # the checked payload, with the `data` it was checked from (a copy with
    # other data must not reuse it)
    _checked: tuple[dict[str, Any], Payload] | None = PrivateAttr(default=None)

    def __eq__(self, other: object) -> bool:
        # the checked payload is a cache, not part of what the event says
        if isinstance(other, Event):
            return self.__dict__ == other.__dict__
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # `data` is a dict: never hashable


class BadEvent(Exception):
    """An event this terminal cannot fold: its data does not fit its type, or the fold failed."""

    def __init__(self, seq: int, reason: str) -> None:
        super().__init__(f"event {seq}: {reason}")
        self.seq = seq
        self.reason = reason


P = TypeVar("P", bound=Payload)


def payload_of(event: Event) -> Payload:
    """The event's data as its type's payload model; `BadEvent` if it does not fit."""
    # read from pydantic's own store of private attributes: `event._checked` goes
    # through `BaseModel.__getattr__`, which a metrics fold paid for on every event
    private = event.__pydantic_private__
    checked: tuple[dict[str, Any], Payload] | None = private.get("_checked") if private else None
    if checked is not None and checked[0] is event.data:
        return checked[1]
    model = PAYLOADS.get(event.type, OpaqueData)
    try:
        payload = model.model_validate(event.data)
    except ValidationError as exc:
        raise BadEvent(event.seq, f"{event.type} data: {_words(exc)}") from exc
    _check_envelope(event)
    event._checked = (event.data, payload)
    return payload


def check_event(event: Event) -> None:
    """Raise `BadEvent` unless the event's data fits its type (what an edge calls)."""
    payload_of(event)


def make_event(etype: EventType, payload: Payload, **envelope: Any) -> Event:
    """An event of `etype` carrying `payload`, which must be that type's model."""
    model = PAYLOADS.get(etype, OpaqueData)
    if type(payload) is not model:
        raise TypeError(f"a {etype} event carries {model.__name__}, not {type(payload).__name__}")
    data = payload.model_dump(mode="json")
    event = Event(type=etype, data=data, **envelope)
    _check_envelope(event)
    event._checked = (event.data, payload)
    return event


def _check_envelope(event: Event) -> None:
    if event.type in _ON_INCIDENT and event.incident_id is None:
        raise BadEvent(event.seq, f"a {event.type} event names no incident")
    if event.type in _ON_DOWNTIME and event.downtime_id is None:
        raise BadEvent(event.seq, f"a {event.type} event names no downtime")


def _words(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors(include_input=False)[:3]:
        where = ".".join(str(p) for p in err.get("loc", ())) or "data"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(parts)
