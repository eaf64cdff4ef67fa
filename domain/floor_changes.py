"""Folding the floor's configuration changes: staff, assets, pits and the rota.

Each event carries the whole new value (a staff member, an asset, the rota),
so folding is setting, and folding a change twice leaves the floor as once.
A staff event never carries a PIN or its hash.
"""

from __future__ import annotations

from typing import Any

from domain.events import Event, EventType
from domain.models import Asset, Pit, RosterEntry, Staff
from domain.state import FloorState

FLOOR_EVENTS: frozenset[EventType] = frozenset(
    {
        EventType.STAFF_ADDED,
        EventType.STAFF_UPDATED,
        EventType.STAFF_PIN_RESET,
        EventType.ASSET_ADDED,
        EventType.ASSET_UPDATED,
        EventType.ASSET_REMOVED,
        EventType.ROSTER_REPLACED,
        EventType.PITS_REPLACED,
    }
)


def apply_floor_change(state: FloorState, event: Event) -> FloorState:
    update: dict[str, Any] = {"seq": max(state.seq, event.seq)}
    data = event.data
    etype = event.type
    if etype in (EventType.STAFF_ADDED, EventType.STAFF_UPDATED):
        member = Staff.model_validate(data["staff"])
        active = bool(data.get("active", True))
        staff = {k: v for k, v in state.staff.items() if k != member.id}
        inactive = {k: v for k, v in state.inactive_staff.items() if k != member.id}
        (staff if active else inactive)[member.id] = member
        update |= {"staff": staff, "inactive_staff": inactive}
    elif etype in (EventType.ASSET_ADDED, EventType.ASSET_UPDATED):
        asset = Asset.model_validate(data["asset"])
        update["assets"] = {**state.assets, asset.id: asset}
    elif etype is EventType.ASSET_REMOVED:
        update["assets"] = {k: v for k, v in state.assets.items() if k != data["asset_id"]}
    elif etype is EventType.ROSTER_REPLACED:
        update["roster"] = tuple(RosterEntry.model_validate(e) for e in data["roster"])
    elif etype is EventType.PITS_REPLACED:
        pits = (Pit.model_validate(p) for p in data["pits"])
        update["pits"] = {p.id: p for p in pits}
    return state.model_copy(update=update)


def staff_change(state: FloorState, event: Event) -> tuple[str, bool, bool] | None:
    """(staff id, deactivated, scope changed) for a staff event that should end
    that member's open connections; None for any other event."""
    if event.type is EventType.STAFF_PIN_RESET:
        return str(event.data["staff_id"]), True, False
    if event.type is not EventType.STAFF_UPDATED:
        return None
    member = Staff.model_validate(event.data["staff"])
    before = state.staff.get(member.id)
    if not event.data.get("active", True):
        return member.id, True, True
    if before is not None and (before.role, before.pit) != (member.role, member.pit):
        return member.id, False, True
    return None
