"""Changing the floor's configuration: a floor file import and the admin's staff commands.

Decided like every other command (events, or a reasoned `Rejected`), but kept
out of `domain.commands.Command`: these are not sent through `/v1/commands`,
since adding a member or resetting a PIN makes a PIN the server must hand back
once and store only as a hash. Admins only; the floor always keeps an active
admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field

from domain.decide import Actor, RejectCode, Rejected
from domain.events import Event, EventType
from domain.models import Asset, Frozen, Pit, Role, RosterEntry, Staff, StaffRole
from domain.permissions import ROLE_LABELS
from domain.state import FloorState

STAFF_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
StaffId = Annotated[str, Field(min_length=1, max_length=40, pattern=STAFF_ID_PATTERN)]


class StaffSetting(Frozen):
    staff: Staff
    active: bool = True


class ImportFloor(Frozen):
    """Make the floor what a floor file says: staff missing from it are deactivated,
    assets missing from it removed, the rota and the pits replaced."""

    type: Literal["import_floor"] = "import_floor"
    pits: tuple[Pit, ...] = ()
    assets: tuple[Asset, ...] = ()
    staff: tuple[StaffSetting, ...] = ()
    roster: tuple[RosterEntry, ...] = ()


class AddStaff(Frozen):
    type: Literal["add_staff"] = "add_staff"
    id: StaffId
    name: Annotated[str, Field(min_length=1, max_length=120)]
    role: StaffRole
    pit: str | None = Field(default=None, max_length=40)


class ChangeStaff(Frozen):
    """A new role, pit or name; a field left None stays as it is (`pit=""` clears it)."""

    type: Literal["change_staff"] = "change_staff"
    staff_id: StaffId
    role: StaffRole | None = None
    pit: str | None = Field(default=None, max_length=40)
    name: str | None = Field(default=None, min_length=1, max_length=120)


class SetStaffActive(Frozen):
    type: Literal["set_staff_active"] = "set_staff_active"
    staff_id: StaffId
    active: bool


class ResetPin(Frozen):
    type: Literal["reset_pin"] = "reset_pin"
    staff_id: StaffId


FloorCommand = ImportFloor | AddStaff | ChangeStaff | SetStaffActive | ResetPin


@dataclass(frozen=True, slots=True)
class FloorEnvelope:
    """A floor command on the command path (the shape `CommandEnvelope` has)."""

    command_id: str
    command: FloorCommand
    issued_at: float | None = None


def _member(state: FloorState, staff_id: str) -> tuple[Staff, bool]:
    if staff_id in state.staff:
        return state.staff[staff_id], True
    if staff_id in state.inactive_staff:
        return state.inactive_staff[staff_id], False
    raise Rejected(RejectCode.NOT_FOUND, f"no staff member {staff_id!r}")


def _check_member(state: FloorState, member: Staff) -> None:
    if member.role is Role.PIT_BOSS and not member.pit:
        raise Rejected(RejectCode.INVALID, f"{member.name} is a pit boss and needs a pit")
    known = set(state.pits) | {a.pit for a in state.assets.values()}
    if member.pit and known and member.pit not in known:
        pits = ", ".join(sorted(known))
        raise Rejected(RejectCode.INVALID, f"unknown pit {member.pit!r} (pits: {pits})")


def _keeps_an_admin(state: FloorState, changed: dict[str, tuple[Staff, bool]]) -> None:
    active = {k: v for k, v in state.staff.items() if k not in changed}
    active |= {k: m for k, (m, on) in changed.items() if on}
    if any(m.role is Role.ADMIN for m in active.values()):
        return
    was = [m for k, m in state.staff.items() if m.role is Role.ADMIN and k in changed]
    who = was[0].name if was else "this"
    raise Rejected(
        RejectCode.ILLEGAL,
        f"{who} is the last active admin: make someone else an admin first",
    )


def admins_only(role: Role) -> str:
    """Why someone who is not an admin may not manage staff (the words every refusal uses)."""
    return f"a {ROLE_LABELS[role]} may not change staff or the floor; admins only"


def decide_floor(
    state: FloorState, command: FloorCommand, actor: Actor, now: float, *, command_id: str = ""
) -> list[Event]:
    """Events for a floor command, or raise `Rejected`."""
    if actor.staff.role is not Role.ADMIN:
        raise Rejected(RejectCode.FORBIDDEN, admins_only(actor.staff.role))

    def event(etype: EventType, data: dict[str, Any]) -> Event:
        return Event(
            type=etype,
            at=now,
            actor=actor.id,
            terminal=actor.terminal,
            command_id=command_id,
            data=data,
        )

    def staff_event(etype: EventType, member: Staff, active: bool) -> Event:
        return event(etype, {"staff": member.model_dump(mode="json"), "active": active})

    match command:
        case AddStaff():
            if command.id in state.staff or command.id in state.inactive_staff:
                raise Rejected(RejectCode.INVALID, f"staff ID {command.id!r} is already taken")
            member = Staff(id=command.id, name=command.name, role=command.role, pit=command.pit)
            _check_member(state, member)
            return [staff_event(EventType.STAFF_ADDED, member, True)]
        case ChangeStaff():
            member, active = _member(state, command.staff_id)
            fields: dict[str, Any] = {}
            if command.role is not None:
                fields["role"] = command.role
            if command.pit is not None:
                fields["pit"] = command.pit or None
            if command.name is not None:
                fields["name"] = command.name
            changed = member.model_copy(update=fields)
            if changed == member:
                return []
            _check_member(state, changed)
            _keeps_an_admin(state, {member.id: (changed, active)})
            return [staff_event(EventType.STAFF_UPDATED, changed, active)]
        case SetStaffActive():
            member, active = _member(state, command.staff_id)
            if active == command.active:
                return []
            _keeps_an_admin(state, {member.id: (member, command.active)})
            return [staff_event(EventType.STAFF_UPDATED, member, command.active)]
        case ResetPin():
            member, _ = _member(state, command.staff_id)
            return [event(EventType.STAFF_PIN_RESET, {"staff_id": member.id})]
        case ImportFloor():
            return _import(state, command, event, staff_event)
    raise Rejected(RejectCode.INVALID, "unknown floor command")


def _import(state: FloorState, command: ImportFloor, event: Any, staff_event: Any) -> list[Event]:
    events: list[Event] = []
    if tuple(state.pits.values()) != command.pits:
        events.append(
            event(
                EventType.PITS_REPLACED, {"pits": [p.model_dump(mode="json") for p in command.pits]}
            )
        )
    wanted = {setting.staff.id: setting for setting in command.staff}
    changed: dict[str, tuple[Staff, bool]] = {}
    for setting in command.staff:
        member = setting.staff
        known = state.staff.get(member.id) or state.inactive_staff.get(member.id)
        if known is None:
            events.append(staff_event(EventType.STAFF_ADDED, member, setting.active))
        elif known != member or (member.id in state.staff) != setting.active:
            events.append(staff_event(EventType.STAFF_UPDATED, member, setting.active))
        changed[member.id] = (member, setting.active)
    for staff_id, member in state.staff.items():
        if staff_id not in wanted:  # left out of the file: no longer signs in
            events.append(staff_event(EventType.STAFF_UPDATED, member, False))
            changed[staff_id] = (member, False)
    _keeps_an_admin(state, changed)
    assets = {a.id: a for a in command.assets}
    for asset in command.assets:
        known_asset = state.assets.get(asset.id)
        if known_asset is None:
            events.append(event(EventType.ASSET_ADDED, {"asset": asset.model_dump(mode="json")}))
        elif known_asset != asset:
            events.append(event(EventType.ASSET_UPDATED, {"asset": asset.model_dump(mode="json")}))
    for asset_id in state.assets:
        if asset_id in assets:
            continue
        if state.open_downtime_of(asset_id) is not None:
            raise Rejected(
                RejectCode.ILLEGAL,
                f"{asset_id} is down right now: end its downtime before removing it",
            )
        events.append(event(EventType.ASSET_REMOVED, {"asset_id": asset_id}))
    if state.roster != command.roster:
        events.append(
            event(
                EventType.ROSTER_REPLACED,
                {"roster": [e.model_dump(mode="json") for e in command.roster]},
            )
        )
    return events
