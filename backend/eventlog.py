"""The event log: the head counter, appending, reading after a seq, snapshots, pruning."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from backend import schema
from backend.visibility import EventView
from domain.events import Event
from domain.reducer import apply
from domain.state import FloorState


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """One event as the log holds it: the parsed event, its JSON, who may see it."""

    event: Event
    body: str
    view: EventView

    @property
    def seq(self) -> int:
        return self.event.seq

    @classmethod
    def of(cls, event: Event, view: EventView) -> StoredEvent:
        return cls(event=event, body=event.model_dump_json(), view=view)


@dataclass(frozen=True, slots=True)
class Head:
    seq: int
    epoch: str
    pruned_through: int


async def lock_head(conn: AsyncConnection) -> Head:
    """Take the writer's lock on the log and read its head.

    A no-op UPDATE is the first statement of every writing transaction: on
    SQLite it takes the database's write lock, on PostgreSQL the meta row's
    lock, so writers (in any process) queue here and commit in seq order.
    """
    m = schema.meta
    row = (
        await conn.execute(
            update(m)
            .where(m.c.id == 1)
            .values(seq=m.c.seq)
            .returning(m.c.seq, m.c.epoch, m.c.pruned_through)
        )
    ).one()
    return Head(seq=row.seq, epoch=row.epoch, pruned_through=row.pruned_through)


async def read_head(conn: AsyncConnection) -> Head:
    m = schema.meta
    row = (await conn.execute(select(m.c.seq, m.c.epoch, m.c.pruned_through))).one()
    return Head(seq=row.seq, epoch=row.epoch, pruned_through=row.pruned_through)


async def set_head(conn: AsyncConnection, seq: int) -> None:
    await conn.execute(update(schema.meta).where(schema.meta.c.id == 1).values(seq=seq))


async def append(conn: AsyncConnection, stored: Sequence[StoredEvent]) -> None:
    if not stored:
        return
    await conn.execute(
        insert(schema.events),
        [
            {
                "seq": s.seq,
                "type": str(s.event.type),
                "incident_id": s.event.incident_id,
                "at": s.event.at,
                "body": s.body,
                "view": s.view.to_json(),
            }
            for s in stored
        ],
    )


async def read_after(
    conn: AsyncConnection, after: int, *, upto: int | None = None, limit: int | None = None
) -> list[StoredEvent]:
    e = schema.events
    query = select(e.c.body, e.c.view).where(e.c.seq > after).order_by(e.c.seq)
    if upto is not None:
        query = query.where(e.c.seq <= upto)
    if limit is not None:
        query = query.limit(limit)
    rows = (await conn.execute(query)).all()
    return [
        StoredEvent(
            event=Event.model_validate_json(row.body),
            body=row.body,
            view=EventView.from_json(row.view),
        )
        for row in rows
    ]


async def has_events(conn: AsyncConnection) -> bool:
    return bool((await conn.execute(select(func.count()).select_from(schema.events))).scalar())


# --- snapshots: what a restart folds from -----------------------------------

_SNAPSHOT_FIELDS = {
    "seq",
    "incidents",
    "downtimes",
    "next_incident_id",
    "next_downtime_id",
    "covers",
    "contact_checks",
    "player_flags",
}


async def load_state(conn: AsyncConnection, base: FloorState) -> FloorState:
    """The floor at the log's head: the latest snapshot plus the events after it.

    Policy, staff, assets and roster come from `base` (configuration), not
    from the snapshot.
    """
    s = schema.snapshots
    row = (await conn.execute(select(s.c.body).order_by(s.c.seq.desc()).limit(1))).first()
    state = base
    if row is not None:
        saved = FloorState.model_validate_json(row.body)
        state = base.model_copy(update={k: getattr(saved, k) for k in _SNAPSHOT_FIELDS})
    while True:
        page = await read_after(conn, state.seq, limit=5000)
        if not page:
            return state
        for stored in page:
            state = apply(state, stored.event)


async def latest_snapshot_seq(conn: AsyncConnection) -> int:
    value = (await conn.execute(select(func.max(schema.snapshots.c.seq)))).scalar()
    return int(value or 0)


async def store_snapshot(conn: AsyncConnection, state: FloorState, *, retain_events: int) -> int:
    """Store `state` and prune what it makes unnecessary; returns the new pruned_through."""
    body = state.model_dump_json(include=_SNAPSHOT_FIELDS)
    s = schema.snapshots
    await conn.execute(delete(s).where(s.c.seq == state.seq))
    await conn.execute(insert(s).values(seq=state.seq, body=body))
    # keep the newest snapshot and the one before it; events after it are
    # what a restart folds, and the retained tail is what clients replay
    older = (
        await conn.execute(select(s.c.seq).order_by(s.c.seq.desc()).offset(1).limit(1))
    ).scalar()
    if older is not None:
        await conn.execute(delete(s).where(s.c.seq < older))
    prune_through = max(0, min(state.seq - retain_events, state.seq))
    m = schema.meta
    current = (await conn.execute(select(m.c.pruned_through))).scalar() or 0
    if prune_through > current:
        await conn.execute(delete(schema.events).where(schema.events.c.seq <= prune_through))
        await conn.execute(update(m).where(m.c.id == 1).values(pruned_through=prune_through))
        return prune_through
    return int(current)


def to_json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))
