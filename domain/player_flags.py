"""Player flags: responsible gambling, AML checks pending, silent visit.

A flag belongs to the player's reference, not to one incident, so it shows on
every incident of that player, past and future. Who may set which flag
(section 9, least privilege; sections 10 and 20):

- a host sets responsible-gambling and silent-visit flags on their own
  players (those whose incidents name them as host);
- AML checks (source of funds / wealth) are set by management (risk/AML);
- duty managers and admins set any flag, and only they clear one.

A cool-off lapses by itself at its date: nothing but `now` decides that.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from domain import commands as c
from domain.events import (
    Event,
    EventType,
    Payload,
    PlayerFlagClearedData,
    PlayerFlagSetData,
    payload_of,
)
from domain.models import FlagKind, Incident, PlayerFlag, Role, Staff
from domain.rejection import RejectCode, Rejected
from domain.state import FloorState

PLAYER_FLAG_EVENTS = frozenset({EventType.PLAYER_FLAG_SET, EventType.PLAYER_FLAG_CLEARED})
_MANAGERS = frozenset({Role.DUTY_MANAGER, Role.ADMIN})

EventMaker = Callable[[EventType, Payload], Event]


def player_key(reference: str) -> str:
    """The key flags are kept under: the reference as typed, without stray spaces."""
    return reference.strip()


def flags_of(state: FloorState, reference: str, now: float) -> tuple[PlayerFlag, ...]:
    """The player's flags in force at `now`, in the order they were set."""
    return tuple(f for f in state.player_flags.get(player_key(reference), ()) if f.active(now))


def incident_flags(state: FloorState, incident: Incident, now: float) -> tuple[PlayerFlag, ...]:
    return flags_of(state, incident.player.reference, now)


def has_rg_flag(flags: tuple[PlayerFlag, ...]) -> bool:
    return any(f.kind.responsible_gambling for f in flags)


def is_silent(state: FloorState, incident: Incident, now: float) -> bool:
    """A silent visit asked for on the incident, or flagged on the player."""
    return incident.player.silent_visit or any(
        f.kind is FlagKind.SILENT_VISIT for f in incident_flags(state, incident, now)
    )


def hosts_player(state: FloorState, host_id: str, reference: str) -> bool:
    """Whether some incident names `host_id` as the host of this player."""
    return any(i.player.host_id == host_id for i in incidents_of_player(state, reference))


def incidents_of_player(state: FloorState, reference: str) -> list[Incident]:
    key = player_key(reference)
    return [i for i in state.incidents.values() if player_key(i.player.reference) == key]


def flagged_incidents(state: FloorState, events: Iterable[Event]) -> set[int]:
    """The incidents a batch of flag events shows on: each of their players' incidents."""
    references = {str(e.data.get("reference", "")) for e in events if e.type in PLAYER_FLAG_EVENTS}
    return {i.id for ref in references for i in incidents_of_player(state, ref)}


def decide_flag(
    state: FloorState,
    command: c.SetPlayerFlag | c.ClearPlayerFlag,
    staff: Staff | None,
    now: float,
    event: EventMaker,
) -> list[Event]:
    """The event of a flag command (the role table was checked already), or `Rejected`."""
    key = player_key(command.reference)
    if not key:
        raise Rejected(RejectCode.INVALID, "name the player: a loyalty ID or a pseudonym")
    if isinstance(command, c.ClearPlayerFlag):
        if not any(f.kind is command.flag for f in state.player_flags.get(key, ())):
            raise Rejected(RejectCode.ILLEGAL, f"the player has no {command.flag.label} flag")
        cleared = PlayerFlagClearedData(
            reference=key, flag=command.flag, reason=command.reason.strip()
        )
        return [event(EventType.PLAYER_FLAG_CLEARED, cleared)]
    if staff is not None and staff.role not in _MANAGERS:
        if command.flag.aml:
            raise Rejected(
                RejectCode.FORBIDDEN,
                f"a {command.flag.label} flag is set by risk/AML: ask a duty manager",
            )
        if not hosts_player(state, staff.id, key):
            raise Rejected(
                RejectCode.FORBIDDEN,
                "a host flags only their own players: ask a duty manager",
            )
    note = command.note.strip()
    until = command.until
    if command.flag is FlagKind.COOL_OFF:
        if until is None:
            raise Rejected(RejectCode.INVALID, "a cool-off needs the date it ends")
        if until <= now:
            raise Rejected(RejectCode.INVALID, "the cool-off date is in the past")
    elif until is not None:
        raise Rejected(
            RejectCode.INVALID, f"only a cool-off has an end date, not a {command.flag.label}"
        )
    if command.flag in (FlagKind.TIME_LIMIT, FlagKind.BANKROLL_LIMIT) and not note:
        raise Rejected(RejectCode.INVALID, f"say the {command.flag.label}, e.g. 4 h a day")
    return [
        event(
            EventType.PLAYER_FLAG_SET,
            PlayerFlagSetData(reference=key, flag=command.flag, until=until, note=note),
        )
    ]


def apply_player_flag(state: FloorState, event: Event) -> FloorState:
    """Fold one of `PLAYER_FLAG_EVENTS` (the reducer's dispatch)."""
    data = payload_of(event)
    update: dict[str, Any] = {"seq": max(state.seq, event.seq)}
    flags = dict(state.player_flags)
    if isinstance(data, PlayerFlagSetData):
        kept = tuple(f for f in flags.get(data.reference, ()) if f.kind is not data.flag)
        flag = PlayerFlag(
            kind=data.flag, set_by=event.actor, set_at=event.at, until=data.until, note=data.note
        )
        flags[data.reference] = (*kept, flag)
    elif isinstance(data, PlayerFlagClearedData):
        kept = tuple(f for f in flags.get(data.reference, ()) if f.kind is not data.flag)
        if kept:
            flags[data.reference] = kept
        else:
            flags.pop(data.reference, None)
    update["player_flags"] = flags
    return state.model_copy(update=update)


def flag_words(flag: PlayerFlag, when: Callable[[float], str]) -> str:
    """`cool-off until 12 Dec 18:00`, `bankroll limit: AUD 5,000 a visit`."""
    text = flag.kind.label
    if flag.until is not None:
        text += f" until {when(flag.until)}"
    if flag.note:
        text += f": {flag.note}"
    return text
