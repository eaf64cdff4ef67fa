"""The reducer: `apply(state, event) -> state`, deterministic and pure.

Server and replicas fold the same events through this one function, so a
replica that has applied every event up to seq N equals the server at N.
Each event's data is read as its type's payload model (`payload_of`): an
event whose data does not fit raises `BadEvent` before anything changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from domain.cover import COVER_EVENTS, apply_cover
from domain.escalation import LINE_TITLES
from domain.eta import eta_words
from domain.events import (
    AckAddedData,
    AcknowledgedData,
    AssignedData,
    CompensationRecordedData,
    ContactPagedData,
    DowntimeStartedData,
    EscalatedData,
    EtaLapsedData,
    Event,
    EventType,
    HelpOfferRecordedData,
    IncidentData,
    OpaqueData,
    Payload,
    PlayerMovedData,
    PriorityChangedData,
    RecordedInRegisterData,
    ReopenedData,
    ReportFiledData,
    ResolvedData,
    StabilisedData,
    payload_of,
)
from domain.floor_changes import FLOOR_EVENTS, apply_floor_change
from domain.handover import HANDOVER_EVENTS, apply_handover
from domain.models import (
    Ack,
    Change,
    Downtime,
    FiledReport,
    Incident,
    IncidentState,
    TimelineEntry,
)
from domain.player_flags import PLAYER_FLAG_EVENTS, apply_player_flag
from domain.registers import recorded, with_register_entry
from domain.sla import with_deadlines
from domain.state import FloorState

# how the timeline words each event; `{x}` fields come from the event's payload
_WORDING: dict[EventType, str] = {
    EventType.INCIDENT_OPENED: "opened",
    EventType.ACKNOWLEDGED: "acknowledged",
    EventType.ACK_ADDED: "acknowledged too",
    EventType.ASSIGNED: "assigned to {owner_name}",
    EventType.NOTE_ADDED: "{text}",
    EventType.PRIORITY_CHANGED: "priority set to {priority}",
    EventType.STABILISED: "stabilised",
    EventType.RESOLVED: "resolved",
    EventType.REOPENED: "reopened",
    EventType.CLOSED: "closed",
    EventType.COMPENSATION_RECORDED: "service recovery: {text}",
    EventType.CONTACT_PAGED: "paged {line_title}, {name}, {method} {value}",
    EventType.REPORT_FILED: "post-incident report filed",
    EventType.RECORDED_IN_REGISTER: "recorded in the {label}: {reference}",
}


# an update to the player, or a step past the answer: the ETA has been kept (or is
# moot); a new owner has promised nothing yet
_SETTLES_ETA = (
    EventType.NOTE_ADDED,
    EventType.ASSIGNED,
    EventType.STABILISED,
    EventType.RESOLVED,
    EventType.CLOSED,
    EventType.REOPENED,
)

# the steps that make their actor the owner of an incident nobody owns yet
_TAKES_OWNER = (AcknowledgedData, StabilisedData, ResolvedData, ReopenedData)


def apply(state: FloorState, event: Event) -> FloorState:
    payload = payload_of(event)  # BadEvent, before anything changes, if it does not fit
    # the floor's configuration and its covers keep folds of their own
    if event.type in FLOOR_EVENTS:
        return apply_floor_change(state, event)
    if event.type in COVER_EVENTS:
        return apply_cover(state, event)
    if event.type in PLAYER_FLAG_EVENTS:
        return apply_player_flag(state, event)
    if event.type in HANDOVER_EVENTS:
        return apply_handover(state, event)
    if (
        event.type is EventType.HIDDEN
        or isinstance(payload, OpaqueData)  # a type this reducer does not fold
        or (event.type is EventType.CONTACT_PAGED and event.incident_id is None)
    ):
        return state.model_copy(update={"seq": max(state.seq, event.seq)})
    if event.type in (EventType.DOWNTIME_STARTED, EventType.PLAYER_MOVED, EventType.DOWNTIME_ENDED):
        return _apply_downtime(state, event, payload)
    if event.type is EventType.INCIDENT_LEFT_VIEW:
        incidents = {k: v for k, v in state.incidents.items() if k != event.incident_id}
        return state.model_copy(update={"seq": max(state.seq, event.seq), "incidents": incidents})
    return _apply_incident(state, event, payload)


def fold(state: FloorState, events: Iterable[Event]) -> FloorState:
    for event in events:
        state = apply(state, event)
    return state


def _apply_incident(state: FloorState, event: Event, payload: Payload) -> FloorState:
    update: dict[str, Any] = {"seq": max(state.seq, event.seq)}
    incidents = dict(state.incidents)
    if isinstance(payload, IncidentData):
        incident = payload.incident
        if event.type is EventType.INCIDENT_OPENED:
            incident = with_register_entry(with_deadlines(incident, state.policy), state.policy)
            incident = _touch(incident, event, state, "opened", version_bump=False)
            incident = _promise_update(incident, event.at, state)
            if incident.id >= state.next_incident_id:
                update["next_incident_id"] = incident.id + 1
        incidents[incident.id] = incident
        update["incidents"] = incidents
        return state.model_copy(update=update)

    current = incidents.get(event.incident_id) if event.incident_id is not None else None
    if current is None:
        # an event about an incident this replica never saw (outside its view)
        return state.model_copy(update=update)
    incidents[current.id] = _change(current, event, payload, state)
    update["incidents"] = incidents
    return state.model_copy(update=update)


def _change(incident: Incident, event: Event, data: Payload, state: FloorState) -> Incident:
    at = event.at
    etype = event.type
    fields: dict[str, Any] = {}
    bump = False
    if isinstance(data, AcknowledgedData | AckAddedData):
        if isinstance(data, AcknowledgedData):
            fields = {"state": IncidentState.ACKNOWLEDGED, "acknowledged_at": at}
            bump = True
        ack = Ack(staff_id=event.actor, at=at, line=incident.line, eta_due=data.eta_due)
        answers: dict[str, Any] = {"acks": (*incident.acks, ack)}
        owner = incident.owner or (data.owner if isinstance(data, AcknowledgedData) else None)
        if data.eta_due is not None and event.actor == owner:
            answers |= {"eta_due": data.eta_due, "eta_lapsed": None}
        incident = incident.answered(**answers)
    elif isinstance(data, EtaLapsedData):
        incident = incident.answered(eta_due=None, eta_lapsed=data.due)
    elif isinstance(data, ContactPagedData):
        joins = (
            data.chain is incident.chain
            and data.line == incident.line
            and data.staff_id in state.staff
            and data.staff_id not in incident.paged
        )
        if joins:
            fields = {"paged": (*incident.paged, data.staff_id)}
    elif isinstance(data, AssignedData):
        fields = {"owner": data.owner, "acknowledged_at": incident.acknowledged_at or at}
        if incident.state in (IncidentState.NEW, IncidentState.ACKNOWLEDGED):
            fields["state"] = IncidentState.IN_PROGRESS
        bump = True
    elif isinstance(data, PriorityChangedData):
        changed = incident.model_copy(update={"priority": data.priority})
        return _promise_update(
            _touch(
                with_deadlines(changed, state.policy),
                event,
                state,
                _word(event, data, state, incident),
            ),
            at,
            state,
        )
    elif isinstance(data, EscalatedData):
        # the new line is paged: a lapsed ETA has had its answer
        fields = {"line": data.line, "escalated_at": at, "paged": data.paged}
        if incident.eta_lapsed is not None:
            incident = incident.answered(eta_lapsed=None)
    elif etype is EventType.STABILISED:
        fields = {
            "state": IncidentState.STABILISED,
            "stabilised_at": at,
            "acknowledged_at": incident.acknowledged_at or at,
        }
        bump = True
    elif etype is EventType.RESOLVED:
        fields = {
            "state": IncidentState.RESOLVED,
            "resolved_at": at,
            "acknowledged_at": incident.acknowledged_at or at,
            "next_update_due": None,
        }
        if incident.priority in state.policy.report_priorities and not incident.report:
            fields["report_due"] = at + state.policy.report_due_after
        bump = True
    elif etype is EventType.REOPENED:
        fields = {
            "state": IncidentState.STABILISED
            if incident.stabilised_at
            else IncidentState.IN_PROGRESS,
            "resolved_at": None,
            "closed_at": None,
            "report_due": None,
            "reopen_count": incident.reopen_count + 1,
        }
        bump = True
    elif etype is EventType.CLOSED:
        fields = {"state": IncidentState.CLOSED, "closed_at": at, "next_update_due": None}
        bump = True
    elif isinstance(data, CompensationRecordedData):
        fields = {"compensation": data.text}
    elif isinstance(data, ReportFiledData):
        fields = {
            "report": FiledReport(
                root_cause=data.cause,
                measures=data.measures,
                by=event.actor,
                at=at,
                was_due=incident.report_due,
            ),
            "report_due": None,
        }
    elif isinstance(data, RecordedInRegisterData):
        incident = recorded(incident, data, at, event.actor)
    if etype in _SETTLES_ETA and (incident.eta_due is not None or incident.eta_lapsed is not None):
        incident = incident.answered(eta_due=None, eta_lapsed=None)
    # acknowledging, stabilising, resolving or reopening an unowned incident takes it
    if isinstance(data, _TAKES_OWNER) and data.owner and incident.owner is None:
        fields["owner"] = data.owner
    changed = incident.model_copy(update=fields)
    text = _word(event, data, state, incident)
    changed = _touch(changed, event, state, text, version_bump=bump)
    if etype in (
        EventType.ACKNOWLEDGED,
        EventType.NOTE_ADDED,
        EventType.STABILISED,
        EventType.REOPENED,
    ):
        changed = _promise_update(changed, at, state)
    return changed


def _word(event: Event, data: Payload, state: FloorState, incident: Incident) -> str:
    if isinstance(data, EscalatedData):
        how = "automatically" if data.auto else "by hand"
        text = f"escalated to L{data.line} ({LINE_TITLES[incident.chain][data.line]}) {how}"
        return f"{text}: {data.reason}" if data.reason else text
    if isinstance(data, EtaLapsedData):
        return "ETA lapsed: not stabilised or updated by then"
    if isinstance(data, AcknowledgedData | AckAddedData) and data.eta_minutes is not None:
        base = "acknowledged" if isinstance(data, AcknowledgedData) else "acknowledged too"
        text = f"{base}: on it in {eta_words(data.eta_minutes)}"
        if isinstance(data, AcknowledgedData) and data.owner and incident.owner is None:
            text = f"{base} and taken: on it in {eta_words(data.eta_minutes)}"
        return f"{text}; {data.note}" if data.note else text
    if isinstance(data, HelpOfferRecordedData):
        return f"{data.answer.label}: {data.note}" if data.note else data.answer.label
    fields = data.model_dump()
    values = {k: v for k, v in fields.items() if isinstance(v, str | int | float)}
    if isinstance(data, AssignedData):
        values["owner_name"] = state.staff_name(data.owner)
    text = _WORDING.get(event.type, str(event.type)).format_map(_Blank(values))
    if isinstance(data, AssignedData) and incident.owner not in (None, data.owner):
        text = "re" + text
    if isinstance(data, AcknowledgedData) and data.owner and incident.owner is None:
        text += " and taken"
    if isinstance(data, PriorityChangedData) and data.priority != incident.priority:
        lowered = data.priority.is_lower_than(incident.priority)
        text = f"{LOWERED if lowered else RAISED} {incident.priority} to {data.priority}"
    note = fields.get("note") or fields.get("reason")
    return f"{text}: {note}" if note else text


# how the timeline words a priority change (`domain.lowered` reads the first back)
LOWERED = "priority lowered from"
RAISED = "priority raised from"


class _Blank(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return ""


def _touch(
    incident: Incident, event: Event, state: FloorState, text: str, *, version_bump: bool = False
) -> Incident:
    entry = TimelineEntry(
        seq=event.seq,
        at=event.at,
        actor=event.actor,
        terminal=event.terminal,
        kind=str(event.type),
        text=text,
        received_at=event.received_at,
    )
    actor_name = state.staff_name(event.actor) if event.actor != "system" else "the system"
    update: dict[str, Any] = {
        "timeline": (*incident.timeline, entry),
        "updated_at": event.at,
        "updated_by": event.actor,
    }
    if version_bump:
        version = incident.version + 1
        change = Change(
            version=version, by=event.actor, at=event.at, owner=incident.owner, text=text
        )
        update |= {
            "version": version,
            "last_change": f"{text} by {actor_name}",
            "changes": (*incident.changes, change),
        }
    return incident.model_copy(update=update)


def _promise_update(incident: Incident, at: float, state: FloorState) -> Incident:
    """Each contact with the player promises the next update, by priority."""
    if not incident.state.is_open:
        return incident
    every = state.policy.update_every.get(incident.priority)
    return incident.model_copy(update={"next_update_due": at + every if every else None})


def _apply_downtime(state: FloorState, event: Event, data: Payload) -> FloorState:
    downtimes = dict(state.downtimes)
    update: dict[str, Any] = {"seq": max(state.seq, event.seq), "downtimes": downtimes}
    if isinstance(data, DowntimeStartedData):
        number = event.downtime_id or state.next_downtime_id
        downtimes[number] = Downtime(
            id=number,
            asset_id=data.asset_id,
            asset_kind=data.asset_kind,
            pit=data.pit,
            reason=data.reason,
            started_at=event.at,
            started_by=event.actor,
            incident_id=data.incident_id,
        )
        update["next_downtime_id"] = max(state.next_downtime_id, number + 1)
        return state.model_copy(update=update)
    current = downtimes.get(event.downtime_id) if event.downtime_id is not None else None
    if current is None:
        return state.model_copy(update=update)
    if isinstance(data, PlayerMovedData):
        downtimes[current.id] = current.model_copy(
            update={"player_moved_at": event.at, "moved_to": data.to}
        )
    else:
        downtimes[current.id] = current.model_copy(update={"ended_at": event.at})
    return state.model_copy(update=update)
