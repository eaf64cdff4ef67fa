"""The floor's configuration rows (staff, pits, assets, roster): loading, and keeping
them in step with the configuration events.

The rows are what a backend starts from (`base_state`); every configuration
event rewrites them in the transaction that appends it (`store_changes`), so
they always equal the log folded to its head, however much of it was pruned.
PINs are stored only as argon2 hashes, and only here: never in an event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from backend import schema
from backend.eventlog import StoredEvent
from domain.events import EventType
from domain.floorfile import FloorConfig
from domain.models import Asset, Pit, RosterEntry, Staff
from domain.policy import Policy
from domain.state import FloorState


@dataclass(frozen=True)
class NewPins:
    """PIN hashes for the staff a command adds or resets, made before its transaction."""

    hashes: dict[str, str] = field(default_factory=dict)
    one_time: bool = True  # changed at first sign-in (False: a demo floor's fixed PINs)
    kept: frozenset[str] = frozenset()  # chosen PINs to keep (a pin file's one_time = false)


class MissingPin(RuntimeError):
    """A staff member would be added without a PIN hash: the command is not stored."""


async def is_empty(engine: AsyncEngine) -> bool:
    async with engine.connect() as conn:
        staff = (await conn.execute(select(func.count()).select_from(schema.staff))).scalar()
        head = (await conn.execute(select(schema.meta.c.seq))).scalar()
    return not staff and not head


async def store_changes(
    conn: AsyncConnection, stored: Sequence[StoredEvent], pins: NewPins | None, now: float
) -> None:
    """Rewrite the configuration rows the configuration events among `stored` change."""
    s = schema.staff
    hashes = pins.hashes if pins else {}
    for item in stored:
        event = item.event
        data = event.data
        etype = event.type
        if etype in (EventType.STAFF_ADDED, EventType.STAFF_UPDATED):
            member = Staff.model_validate(data["staff"])
            active = bool(data.get("active", True))
            values = {"name": member.name, "role": str(member.role), "pit": member.pit}
            if etype is EventType.STAFF_ADDED:
                if member.id not in hashes:
                    raise MissingPin(f"no PIN for new staff member {member.id}")
                await conn.execute(
                    insert(s).values(
                        id=member.id, pin_hash=hashes[member.id], active=active, **values
                    )
                )
                await _one_time(conn, member.id, pins, now)
            else:
                await conn.execute(
                    update(s).where(s.c.id == member.id).values(active=active, **values)
                )
                if not active:
                    await revoke_tokens(conn, member.id)
        elif etype is EventType.STAFF_PIN_RESET:
            staff_id = str(data["staff_id"])
            if staff_id not in hashes:
                raise MissingPin(f"no PIN for {staff_id}")
            await conn.execute(
                update(s).where(s.c.id == staff_id).values(pin_hash=hashes[staff_id])
            )
            await _one_time(conn, staff_id, pins, now)
            await revoke_tokens(conn, staff_id)
        elif etype in (EventType.ASSET_ADDED, EventType.ASSET_UPDATED):
            asset = Asset.model_validate(data["asset"])
            await conn.execute(delete(schema.assets).where(schema.assets.c.id == asset.id))
            await conn.execute(
                insert(schema.assets).values(id=asset.id, body=asset.model_dump_json())
            )
        elif etype is EventType.ASSET_REMOVED:
            await conn.execute(delete(schema.assets).where(schema.assets.c.id == data["asset_id"]))
        elif etype is EventType.ROSTER_REPLACED:
            entries = [RosterEntry.model_validate(e) for e in data["roster"]]
            await conn.execute(delete(schema.roster))
            if entries:
                await conn.execute(
                    insert(schema.roster),
                    [{"position": i, "body": e.model_dump_json()} for i, e in enumerate(entries)],
                )
        elif etype is EventType.PITS_REPLACED:
            pits = [Pit.model_validate(p) for p in data["pits"]]
            await conn.execute(delete(schema.pits))
            if pits:
                await conn.execute(
                    insert(schema.pits), [{"id": p.id, "body": p.model_dump_json()} for p in pits]
                )


async def _one_time(conn: AsyncConnection, staff_id: str, pins: NewPins | None, now: float) -> None:
    t = schema.one_time_pins
    await conn.execute(delete(t).where(t.c.staff_id == staff_id))
    if pins is None or (pins.one_time and staff_id not in pins.kept):
        await conn.execute(insert(t).values(staff_id=staff_id, since=now))


async def revoke_tokens(conn: AsyncConnection, staff_id: str) -> None:
    t = schema.tokens
    await conn.execute(update(t).where(t.c.staff_id == staff_id).values(revoked=True))


async def load_config(conn: AsyncConnection) -> FloorConfig:
    """Everything a floor file holds, as stored (inactive staff too)."""
    s = schema.staff
    staff_rows = (await conn.execute(select(s.c.id, s.c.name, s.c.role, s.c.pit, s.c.active))).all()
    assets = (await conn.execute(select(schema.assets.c.body))).scalars().all()
    pits = (await conn.execute(select(schema.pits.c.body))).scalars().all()
    roster = (
        (await conn.execute(select(schema.roster.c.body).order_by(schema.roster.c.position)))
        .scalars()
        .all()
    )
    return FloorConfig(
        pits=tuple(sorted((Pit.model_validate_json(b) for b in pits), key=lambda p: p.id)),
        assets=tuple(sorted((Asset.model_validate_json(b) for b in assets), key=lambda a: a.id)),
        staff=tuple(
            (Staff(id=r.id, name=r.name, role=r.role, pit=r.pit), bool(r.active))
            for r in sorted(staff_rows, key=lambda r: r.id)
        ),
        roster=tuple(RosterEntry.model_validate_json(b) for b in roster),
    )


async def base_state(engine: AsyncEngine, policy: Policy) -> FloorState:
    """An empty floor with this policy and the stored configuration."""
    async with engine.connect() as conn:
        config = await load_config(conn)
    return FloorState(
        policy=policy,
        staff={m.id: m for m, active in config.staff if active},
        inactive_staff={m.id: m for m, active in config.staff if not active},
        pits={p.id: p for p in config.pits},
        assets={a.id: a for a in config.assets},
        roster=config.roster,
    )
