"""The floor's configuration rows (staff, assets, roster): loading and first seeding."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from backend import schema
from backend.auth import hash_pin, load_staff
from domain.models import Asset, RosterEntry, Staff
from domain.policy import Policy
from domain.state import FloorState


async def is_empty(engine: AsyncEngine) -> bool:
    async with engine.connect() as conn:
        staff = (await conn.execute(select(func.count()).select_from(schema.staff))).scalar()
        head = (await conn.execute(select(schema.meta.c.seq))).scalar()
    return not staff and not head


async def seed(
    engine: AsyncEngine,
    staff: Sequence[tuple[Staff, str]],
    assets: Sequence[Asset],
    roster: Sequence[RosterEntry],
    *,
    demo: bool = False,
) -> None:
    """Store the floor's configuration; PINs only as argon2 hashes."""
    hashes = await asyncio.gather(
        *(asyncio.to_thread(hash_pin, pin, demo=demo) for _, pin in staff)
    )
    async with engine.begin() as conn:
        if staff:
            await conn.execute(
                insert(schema.staff),
                [
                    {
                        "id": member.id,
                        "name": member.name,
                        "role": str(member.role),
                        "pit": member.pit,
                        "pin_hash": pin_hash,
                        "active": True,
                    }
                    for (member, _), pin_hash in zip(staff, hashes, strict=True)
                ],
            )
        if assets:
            await conn.execute(
                insert(schema.assets),
                [{"id": a.id, "body": a.model_dump_json()} for a in assets],
            )
        if roster:
            await conn.execute(
                insert(schema.roster),
                [{"position": i, "body": r.model_dump_json()} for i, r in enumerate(roster)],
            )


async def base_state(engine: AsyncEngine, policy: Policy) -> FloorState:
    """An empty floor with this policy and the stored configuration."""
    staff = await load_staff(engine)
    async with engine.connect() as conn:
        asset_rows = (await conn.execute(select(schema.assets.c.body))).scalars().all()
        roster_rows = (
            (await conn.execute(select(schema.roster.c.body).order_by(schema.roster.c.position)))
            .scalars()
            .all()
        )
    assets = [Asset.model_validate_json(body) for body in asset_rows]
    return FloorState(
        policy=policy,
        staff=staff,
        assets={a.id: a for a in assets},
        roster=tuple(RosterEntry.model_validate_json(body) for body in roster_rows),
    )
