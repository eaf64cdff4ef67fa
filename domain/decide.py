"""Deciding a command against the current state: events, or a reasoned rejection.

The backend decides for real; a terminal decides the same command against its
optimistic view to show the effect at once. Both call `decide`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain import commands as c
from domain import events as ev
from domain.acks import acked_by, owes_ack, paged_on
from domain.cover import EventMaker, decide_cover, entries_of
from domain.escalation import LINE_TITLES, TOP_LINE, chain_for, opening_line
from domain.eta import eta_problem, lapse_due, page_due
from domain.events import Event, EventType, Payload, make_event
from domain.exposure import EXPOSURE_LINE, escalate_on_exposure, exposed
from domain.handover import decide_handover
from domain.models import (
    Change,
    Channel,
    Downtime,
    Incident,
    IncidentState,
    Player,
    PlayerIdKind,
    Role,
    Staff,
    Tier,
)
from domain.permissions import (
    can_see_incident,
    in_pit_scope,
    may_own,
    role_may,
    who_may,
    why_not,
)
from domain.player_flags import decide_flag, is_silent
from domain.privacy import mask_sensitive
from domain.registers import decide_record
from domain.rejection import RejectCode as RejectCode
from domain.rejection import Rejected as Rejected
from domain.rejection import last_change
from domain.sla import compensation_due
from domain.state import FloorState

# RejectCode and Rejected are re-exported (`as` above): a rejection is what `decide`
# gives instead of events.

SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Actor:
    staff: Staff
    terminal: str = ""

    @property
    def id(self) -> str:
        return self.staff.id


OPEN_STATES = (
    IncidentState.NEW,
    IncidentState.ACKNOWLEDGED,
    IncidentState.IN_PROGRESS,
    IncidentState.STABILISED,
)


def decide(
    state: FloorState,
    command: c.Command,
    actor: Actor | None,
    now: float,
    *,
    command_id: str = "",
    new_incident_id: int | None = None,
) -> list[Event]:
    """Events for `command`, or raise `Rejected`. `actor=None` is the scheduler."""
    if actor is not None and not role_may(actor.staff.role, command.type):
        raise Rejected(RejectCode.FORBIDDEN, why_not(actor.staff.role, command.type))
    # an intake or an older terminal may send text unmasked: nothing stored keeps a card or PIN
    command = c.mask_command(command)
    events = _events_for(state, command, actor, now, command_id, new_incident_id)
    return escalate_on_exposure(state, events)


def _events_for(
    state: FloorState,
    command: c.Command,
    actor: Actor | None,
    now: float,
    command_id: str,
    new_incident_id: int | None,
) -> list[Event]:
    def event(etype: EventType, payload: Payload, **fields: Any) -> Event:
        return make_event(
            etype,
            payload,
            at=now,
            actor=actor.id if actor else SYSTEM,
            terminal=actor.terminal if actor else "",
            command_id=command_id,
            **fields,
        )

    match command:
        case c.OpenIncident():
            opened = _open(state, command, actor, now, event, new_incident_id)
            if command.help_offer is None:
                return [opened]
            offered = ev.HelpOfferRecordedData(
                answer=command.help_offer, note=_clean(command.help_note)
            )
            return [
                opened,
                event(EventType.HELP_OFFER_RECORDED, offered, incident_id=opened.incident_id),
            ]
        case c.StartDowntime() | c.MovePlayer() | c.EndDowntime():
            return [_downtime(state, command, actor, event)]
        case c.PageContact(incident_id=None):
            return [event(EventType.CONTACT_PAGED, _page_data(state, command, None, now))]
        case c.SetCover() | c.EndCover() | c.ConfirmContact():
            return decide_cover(state, command, now, event)
        case c.SetPlayerFlag() | c.ClearPlayerFlag():
            return decide_flag(state, command, actor.staff if actor else None, now, event)
        case c.OpenHandover() | c.AcknowledgeHandover():
            return decide_handover(state, command, actor.id if actor else SYSTEM, now, event)

    assert command.incident_id is not None  # a page without an incident was decided above
    incident = _visible_incident(state, command.incident_id, actor)
    on = {"incident_id": incident.id}
    me = actor.id if actor else SYSTEM
    match command:
        case c.Acknowledge():
            _require(incident, OPEN_STATES, "acknowledge")
            note = _clean(command.note)
            minutes = command.eta_minutes
            if minutes is not None and (problem := eta_problem(minutes)) is not None:
                raise Rejected(RejectCode.INVALID, problem, incident=incident)
            eta_due = now + minutes * 60 if minutes is not None else None
            if incident.acknowledged_at is not None:
                if owes_ack(incident, me) or (minutes is not None and incident.owner == me):
                    # one more of those paged on a P1's line, or the owner saying
                    # when they will be on it after taking it
                    added = ev.AckAddedData(note=note, eta_minutes=minutes, eta_due=eta_due)
                    return [event(EventType.ACK_ADDED, added, **on)]
                if me in acked_by(incident):
                    # their own acknowledgement again (a double press): kept once
                    return (
                        [event(EventType.NOTE_ADDED, ev.NoteAddedData(text=note), **on)]
                        if note
                        else []
                    )
                _check_not_answered(state, incident, me)
                # the sender's own earlier change (a take, a double press, the
                # same outbox replayed) answered it: nothing more to change, but
                # a note that came with it is kept
                return (
                    [event(EventType.NOTE_ADDED, ev.NoteAddedData(text=note), **on)] if note else []
                )
            answered = ev.AcknowledgedData(
                note=note, owner=_new_owner(incident, actor), eta_minutes=minutes, eta_due=eta_due
            )
            return [event(EventType.ACKNOWLEDGED, answered, **on)]
        case c.Take():
            if actor is None:
                raise Rejected(RejectCode.INVALID, "only a staff member can take an incident")
            _check_version(state, incident, command.expected_version, me)
            _require(incident, OPEN_STATES, "take")
            return [event(EventType.ASSIGNED, ev.AssignedData(owner=actor.id), **on)]
        case c.Assign():
            _check_version(state, incident, command.expected_version, me)
            _require(incident, OPEN_STATES, "assign")
            if command.owner not in state.staff:
                raise Rejected(RejectCode.INVALID, f"no staff member {command.owner!r}")
            return [event(EventType.ASSIGNED, ev.AssignedData(owner=command.owner), **on)]
        case c.AddNote():
            text = _clean(command.text)
            return [event(EventType.NOTE_ADDED, ev.NoteAddedData(text=text), **on)]
        case c.SetPriority():
            _require(incident, OPEN_STATES, "change the priority of")
            if command.priority == incident.priority:
                raise Rejected(
                    RejectCode.ILLEGAL, f"already {incident.priority}", incident=incident
                )
            reason = _clean(command.reason)
            if command.priority.is_lower_than(incident.priority) and not reason:
                # nobody may silently de-escalate: the timeline and the duty manager hear why
                raise Rejected(
                    RejectCode.INVALID,
                    f"lowering #{incident.id} from {incident.priority} to {command.priority}"
                    " needs a reason",
                    incident=incident,
                )
            changed = ev.PriorityChangedData(
                priority=command.priority, reason=reason, previous=incident.priority
            )
            return [event(EventType.PRIORITY_CHANGED, changed, **on)]
        case c.Escalate():
            _require(incident, OPEN_STATES, "escalate")
            line = command.line or incident.line + 1
            titles = LINE_TITLES[incident.chain]
            at = f"L{incident.line} ({titles[incident.line]})"
            if incident.line >= TOP_LINE:
                raise Rejected(
                    RejectCode.ILLEGAL,
                    f"#{incident.id} is at {at}, the top line: there is none above it",
                    incident=incident,
                )
            if line <= incident.line:
                above = f"L{incident.line + 1}" + (
                    f"-L{TOP_LINE}" if incident.line + 1 < TOP_LINE else ""
                )
                raise Rejected(
                    RejectCode.ILLEGAL,
                    f"cannot escalate #{incident.id} to L{line}: it is at {at} already"
                    f" and nobody de-escalates; pick a line above it ({above})",
                    incident=incident,
                )
            reason = _clean(command.reason)
            if not reason:
                raise Rejected(
                    RejectCode.INVALID,
                    f"escalating #{incident.id} by hand to L{line} needs a reason",
                    incident=incident,
                )
            paged = paged_on(state, incident, incident.chain, line, now)
            by_hand = ev.EscalatedData(line=line, auto=False, reason=reason, paged=paged)
            return [event(EventType.ESCALATED, by_hand, **on)]
        case c.AutoEscalate():
            if command.line != incident.line + 1 or not incident.state.is_open:
                return []  # already there (a repeat after a restart): nothing to do
            paged = paged_on(state, incident, incident.chain, command.line, now)
            climbed = ev.EscalatedData(line=command.line, auto=True, paged=paged)
            return [event(EventType.ESCALATED, climbed, **on)]
        case c.LapseEta():
            if lapse_due(incident) != command.due:
                return []  # stabilised, updated or lapsed already: nothing to do
            page_at = page_due(incident.answered(eta_lapsed=command.due), state.policy)
            lapsed = ev.EtaLapsedData(due=command.due, page_at=page_at)
            return [event(EventType.ETA_LAPSED, lapsed, **on)]
        case c.PageAfterLapse():
            if incident.eta_lapsed != command.due or page_due(incident, state.policy) is None:
                return []  # someone acted, or a line was paged since the lapse
            line = incident.line + 1
            paged = paged_on(state, incident, incident.chain, line, now)
            why = "the acknowledgement's ETA lapsed with no stabilise or update"
            climbed = ev.EscalatedData(line=line, auto=True, reason=why, paged=paged)
            return [event(EventType.ESCALATED, climbed, **on)]
        case c.Stabilise():
            _require(
                incident,
                (IncidentState.NEW, IncidentState.ACKNOWLEDGED, IncidentState.IN_PROGRESS),
                "stabilise",
            )
            stabilised = ev.StabilisedData(
                note=_clean(command.note), owner=_new_owner(incident, actor)
            )
            return [event(EventType.STABILISED, stabilised, **on)]
        case c.Resolve():
            _check_version(state, incident, command.expected_version, me)
            _require(incident, OPEN_STATES, "resolve")
            resolved = ev.ResolvedData(note=_clean(command.note), owner=_new_owner(incident, actor))
            return [event(EventType.RESOLVED, resolved, **on)]
        case c.Reopen():
            _require(incident, (IncidentState.RESOLVED, IncidentState.CLOSED), "reopen")
            reopened = ev.ReopenedData(
                reason=_clean(command.reason), owner=_new_owner(incident, actor)
            )
            return [event(EventType.REOPENED, reopened, **on)]
        case c.Close():
            _check_version(state, incident, command.expected_version, me)
            _require(incident, (IncidentState.RESOLVED,), "close")
            owed = compensation_due(incident, state.policy)
            if owed and not incident.compensation:
                raise Rejected(RejectCode.ILLEGAL, _recovery_first(actor, owed), incident=incident)
            return [event(EventType.CLOSED, ev.NoData(), **on)]
        case c.RecordCompensation():
            if incident.state is IncidentState.CLOSED:
                raise Rejected(RejectCode.ILLEGAL, "the incident is closed", incident=incident)
            recorded = ev.CompensationRecordedData(text=_clean(command.text))
            return [event(EventType.COMPENSATION_RECORDED, recorded, **on)]
        case c.RecordInRegister():
            entry = decide_record(state, incident, command, now)
            return [event(EventType.RECORDED_IN_REGISTER, entry, **on)]
        case c.RecordHelpOffer():
            offered = ev.HelpOfferRecordedData(answer=command.answer, note=_clean(command.note))
            return [event(EventType.HELP_OFFER_RECORDED, offered, **on)]
        case c.PageContact():
            page = _page_data(state, command, incident, now)
            return [event(EventType.CONTACT_PAGED, page, **on)]
        case c.FileReport():
            _require(incident, (IncidentState.RESOLVED, IncidentState.CLOSED), "file a report on")
            cause = _clean(command.root_cause)
            if not cause:
                raise Rejected(
                    RejectCode.INVALID,
                    f"the report on #{incident.id} needs its root cause: what made it happen",
                    incident=incident,
                )
            filed = ev.ReportFiledData(root_cause=cause, measures=_clean(command.measures))
            return [event(EventType.REPORT_FILED, filed, **on)]
    raise Rejected(RejectCode.INVALID, f"unknown command {command.type!r}")  # pragma: no cover


def _new_owner(incident: Incident, actor: Actor | None) -> str | None:
    """Who owns an unowned incident once `actor` moves it on: the actor, if they may own one.

    Every incident shows an owner once someone answers it; the scheduler never becomes one.
    """
    if incident.owner is not None or actor is None or not may_own(actor.staff):
        return None
    return actor.id


def _recovery_first(actor: Actor | None, owed: str) -> str:
    """Why a close waits for the service recovery, worded for someone who may record it
    or, for someone who may not (a pit boss), naming who may."""
    if actor is None or role_may(actor.staff.role, "record_compensation"):
        return f"record the service recovery first (proposed: {owed})"
    return (
        f"the service recovery must be recorded first, by {who_may('record_compensation')}"
        f" (proposed: {owed})"
    )


def _clean(text: str) -> str:
    return mask_sensitive(text.strip())


def _visible_incident(state: FloorState, incident_id: int, actor: Actor | None) -> Incident:
    incident = state.incidents.get(incident_id)
    if incident is not None and (
        actor is None or can_see_incident(actor.staff, incident, state.policy)
    ):
        return incident
    handed_on = _taken_from(incident, actor.id) if incident and actor else None
    if handed_on is not None:
        # they saw it as its owner until this reassignment, so it is no secret
        # that it happened, by whom and when; who has it now, and the incident
        # as it is now, stay out of their view
        raise Rejected(
            RejectCode.CONFLICT,
            f"#{incident_id} left your view: reassigned by {_name(state, handed_on.by)}",
            by=handed_on.by,
            at=handed_on.at,
        )
    # an incident outside the actor's view is reported as unknown: no leak
    raise Rejected(RejectCode.NOT_FOUND, f"no incident #{incident_id}")


def _taken_from(incident: Incident, staff_id: str) -> Change | None:
    """The reassignment that took the incident from `staff_id`, if they ever owned it.

    Owning is the only way someone's view of an incident changes (its pit,
    player's host and opener are fixed), so a former owner is exactly someone
    who saw it and now does not.
    """
    owned = [n for n, change in enumerate(incident.changes) if change.owner == staff_id]
    if not owned:
        return None
    later = incident.changes[owned[-1] + 1 :]
    return next((change for change in later if change.owner != staff_id), None)


def _require(incident: Incident, states: tuple[IncidentState, ...], action: str) -> None:
    if incident.state not in states:
        by, at = _state_set_by(incident)
        raise Rejected(
            RejectCode.ILLEGAL,
            f"cannot {action} #{incident.id}: it is {incident.state.replace('_', ' ')}",
            incident=incident,
            by=by,
            at=at,
        )


# the state each timeline kind leaves an incident in; an assignment only moves
# an untaken incident on, and a reopen goes back to in progress (or stabilised)
_STATE_AFTER: dict[str, IncidentState] = {
    EventType.INCIDENT_OPENED: IncidentState.NEW,
    EventType.ACKNOWLEDGED: IncidentState.ACKNOWLEDGED,
    EventType.STABILISED: IncidentState.STABILISED,
    EventType.RESOLVED: IncidentState.RESOLVED,
    EventType.REOPENED: IncidentState.IN_PROGRESS,
    EventType.CLOSED: IncidentState.CLOSED,
}
_UNTAKEN = (IncidentState.NEW, IncidentState.ACKNOWLEDGED)


def _state_set_by(incident: Incident) -> tuple[str, float]:
    """Who put the incident in the state it is in, and when, from its timeline.

    The last change is not always it: a reassignment keeps the state, and
    notes or escalations since change neither owner nor state.
    """
    found: tuple[str, float] | None = None
    state: IncidentState | None = None
    for entry in incident.timeline:
        after = _STATE_AFTER.get(entry.kind)
        if entry.kind == EventType.ASSIGNED and state in _UNTAKEN:
            after = IncidentState.IN_PROGRESS
        if after is not None and (after != state or entry.kind == EventType.REOPENED):
            state = after
            found = (entry.actor, entry.at)
    return found or last_change(incident)


def _check_version(state: FloorState, incident: Incident, expected: int | None, me: str) -> None:
    """Refuse an exclusive command if someone else changed owner or state since `expected`.

    `expected` is the version the sender last had from the server. Changes
    made since by the sender themselves do not count: a resolve queued offline
    behind the same user's acknowledge is still based on what they saw. Any
    other change since, even one undone later, is a conflict naming the first
    such change; so is a version this incident's history cannot account for.
    """
    if expected is None or expected == incident.version:
        return
    since = _changes_since(incident, expected)
    if since is not None and all(change.by == me for change in since):
        return
    other = next((change for change in since or () if change.by != me), None)
    if other is None:
        what = incident.last_change or "changed"
        raise Rejected(RejectCode.CONFLICT, f"#{incident.id} {what}", incident=incident)
    raise Rejected(
        RejectCode.CONFLICT,
        f"#{incident.id} {other.text} by {_name(state, other.by)}",
        incident=incident,
        by=other.by,
        at=other.at,
    )


def _check_not_answered(state: FloorState, incident: Incident, me: str) -> None:
    """An acknowledge of an incident someone else already answered is refused, not dropped.

    A host who acknowledges tells the floor "I am answering this player". If
    another answered first (acknowledged, took, was assigned it), the host must
    hear it, or two people walk to the same car, or each thinks the other did.
    A repeat of the sender's own answer changes nothing and is let through.
    """
    first = incident.changes[0] if incident.changes else None
    if first is not None and first.version == 2 and first.by == me:
        return  # the first change of any incident is the one that answers it
    if first is None or first.version != 2:
        # stored before changes were kept: who answered is unknown, so say no
        raise Rejected(
            RejectCode.ILLEGAL, f"#{incident.id} is already acknowledged", incident=incident
        )
    raise Rejected(
        RejectCode.CONFLICT,
        f"#{incident.id} already answered: {first.text} by {_name(state, first.by)}",
        incident=incident,
        by=first.by,
        at=first.at,
    )


def _changes_since(incident: Incident, version: int) -> tuple[Change, ...] | None:
    """The changes after `version`, oldest first; None if the history does not reach back.

    A change above `incident.version` is a terminal's own, not yet confirmed
    (see `api_client.optimistic`): it is not one the sender could have seen.
    """
    if version > incident.version:
        return None
    later = tuple(ch for ch in incident.changes if version < ch.version <= incident.version)
    return later if len(later) == incident.version - version else None


def _name(state: FloorState, staff_id: str) -> str:
    return "the system" if staff_id == SYSTEM else state.staff_name(staff_id)


def _open(
    state: FloorState,
    command: c.OpenIncident,
    actor: Actor | None,
    now: float,
    event: EventMaker,
    new_incident_id: int | None,
) -> Event:
    if actor is not None and not in_pit_scope(actor.staff, command.location.pit, state.policy):
        raise Rejected(RejectCode.FORBIDDEN, f"pit {command.location.pit} is outside your pit")
    number = new_incident_id if new_incident_id is not None else state.next_incident_id
    chain = chain_for(command.kind)
    line = opening_line(command.kind)
    fields = command.model_dump(exclude={"type", "help_offer", "help_note"})
    for key in ("summary", "desired_outcome", "tx_ref", "game"):
        fields[key] = _clean(fields[key])
    # any text of the command counts, the location's spot and the help note too
    if exposed(c.free_text(command)):
        line = max(line, EXPOSURE_LINE)
    fields["player"] = _with_card_tier(command.player, state)
    incident = Incident(
        id=number,
        opened_at=now,
        answered_at=now if _manager_on_site(command, actor) else None,
        opened_by=actor.id if actor else SYSTEM,
        chain=chain,
        line=line,
        escalated_at=now if line > 1 else None,
        **fields,
    )
    incident = incident.model_copy(update={"paged": paged_on(state, incident, chain, line, now)})
    return event(EventType.INCIDENT_OPENED, ev.IncidentData(incident=incident), incident_id=number)


def _with_card_tier(player: Player, state: FloorState) -> Player:
    """A loyalty card whose format names a tier (`Policy.card_tiers`) gets it when the
    sender left the tier at standard: an intake or an older terminal knows no card formats."""
    if player.id_kind is not PlayerIdKind.LOYALTY or player.tier is not Tier.STANDARD:
        return player
    tier = state.policy.tier_for_card(player.reference)
    return player if tier is None else player.model_copy(update={"tier": tier})


def _manager_on_site(command: c.OpenIncident, actor: Actor | None) -> bool:
    """A pit boss or duty manager raising an on-site incident is at the table or car:
    the "manager on site" promise is kept as it opens."""
    if actor is None or command.channel is not Channel.ON_SITE:
        return False
    return actor.staff.role in (Role.PIT_BOSS, Role.DUTY_MANAGER)


def _page_data(
    state: FloorState, command: c.PageContact, incident: Incident | None, now: float
) -> ev.ContactPagedData:
    # someone covering a line is paged as its on-duty person, with the cover's contact
    entries = entries_of(state, command.staff_id, now)
    contact = next((ct for e in entries for ct in e.contacts if ct.method == command.method), None)
    if contact is None:
        raise Rejected(
            RejectCode.INVALID,
            f"{state.staff_name(command.staff_id)} has no {command.method!r} contact on the roster",
        )
    if incident is not None and is_silent(state, incident, now) and contact.public:
        raise Rejected(
            RejectCode.ILLEGAL,
            "silent visit: no public calls; reach them through the host or a messenger",
            incident=incident,
        )
    entry = entries[0]
    return ev.ContactPagedData(
        staff_id=entry.staff_id,
        name=entry.name,
        title=entry.title,
        method=contact.method,
        value=contact.value,
        line=entry.line,
        chain=entry.chain,
        line_title=LINE_TITLES[entry.chain][entry.line],
    )


def _downtime(
    state: FloorState,
    command: c.StartDowntime | c.MovePlayer | c.EndDowntime,
    actor: Actor | None,
    event: EventMaker,
) -> Event:
    policy = state.policy
    if isinstance(command, c.StartDowntime):
        asset = state.assets.get(command.asset_id)
        if asset is None:
            raise Rejected(RejectCode.NOT_FOUND, f"no table or machine {command.asset_id!r}")
        if actor is not None and not in_pit_scope(actor.staff, asset.pit, policy):
            raise Rejected(RejectCode.FORBIDDEN, f"{asset.id} is in pit {asset.pit}, not yours")
        if state.open_downtime_of(asset.id) is not None:
            raise Rejected(RejectCode.ILLEGAL, f"{asset.id} is already down")
        started = ev.DowntimeStartedData(
            asset_id=asset.id,
            asset_kind=asset.kind,
            pit=asset.pit,
            reason=_clean(command.reason),
            incident_id=command.incident_id,
        )
        return event(EventType.DOWNTIME_STARTED, started, downtime_id=state.next_downtime_id)
    downtime = _open_downtime(state, command)
    if actor is not None and not in_pit_scope(actor.staff, downtime.pit, policy):
        raise Rejected(RejectCode.FORBIDDEN, f"{downtime.asset_id} is outside your pit")
    if isinstance(command, c.MovePlayer):
        if downtime.player_moved_at is not None:
            raise Rejected(RejectCode.ILLEGAL, f"player already moved to {downtime.moved_to}")
        to = move_destination(state, downtime.asset_id, command.to)
        return event(EventType.PLAYER_MOVED, ev.PlayerMovedData(to=to), downtime_id=downtime.id)
    return event(EventType.DOWNTIME_ENDED, ev.NoData(), downtime_id=downtime.id)


def move_destination(state: FloorState, down: str, to: str) -> str:
    """The table or machine a player from `down` moves to, as the floor names it.

    Raises `Rejected` unless it is another table or machine on the floor that is
    itself up: the move is the 10-minute rule kept, so it must be somewhere to play.
    """
    wanted = to.strip().upper()
    asset = state.assets.get(wanted) or next(
        (a for a in state.assets.values() if a.id.upper() == wanted), None
    )
    if asset is None:
        raise Rejected(RejectCode.INVALID, f"no table or machine {to.strip()!r} on the floor")
    if asset.id == down:
        raise Rejected(RejectCode.INVALID, f"{asset.id} is the one that is down")
    if state.open_downtime_of(asset.id) is not None:
        raise Rejected(RejectCode.ILLEGAL, f"{asset.id} is down too; pick another")
    return asset.id


def _open_downtime(state: FloorState, command: c.MovePlayer | c.EndDowntime) -> Downtime:
    """The asset's open downtime, which must be the one the sender saw, if it named one."""
    asset = command.asset_id
    downtime = state.open_downtime_of(asset)
    named = command.downtime_id
    if named is not None and (downtime is None or downtime.id != named):
        seen = state.downtimes.get(named)
        if seen is None or seen.asset_id != asset:
            raise Rejected(RejectCode.NOT_FOUND, f"no downtime #{named} on {asset}")
        if downtime is None:
            raise Rejected(RejectCode.ILLEGAL, f"{asset} is already back up")
        raise Rejected(RejectCode.CONFLICT, f"{asset} went down again since; check the board")
    if downtime is None:
        if asset not in state.assets:
            raise Rejected(RejectCode.NOT_FOUND, f"no table or machine {asset!r}")
        raise Rejected(RejectCode.ILLEGAL, f"{asset} is not down")
    return downtime
