"""Reading the event log for the metrics: each window's incidents, whole, and its downtimes.

The metrics are computed from the events every time (`domain.metrics`), never
from totals kept on the side that could drift from the log. A window needs
the whole story of every incident that did anything from `lookback` before it
up to its end (an older event can still make a promise that falls due in it),
and every downtime event up to its end (a table down since last week is still
down). What the log has pruned is gone: the answer then says from when it is
short (`pruned_before`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from backend import eventlog, schema
from backend.collector import collector_held
from backend.storage import Storage
from domain.events import Event
from domain.incident_history import DOWNTIME_EVENTS, lookback
from domain.policy import Policy

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class LogSpan:
    bodies: list[str]
    pruned_before: float | None  # the first retained event, when the span needed older ones


async def read_span(storage: Storage, policy: Policy, start: float, end: float) -> LogSpan:
    """The stored events a computation over [start, end) needs, in seq order (as JSON)."""
    e = schema.events
    since = start - lookback(policy)
    active = (
        select(e.c.incident_id)
        .where(e.c.at >= since, e.c.at < end, e.c.incident_id.is_not(None))
        .distinct()
    )
    query = (
        select(e.c.body)
        .where(
            e.c.at < end,
            or_(e.c.type.in_([str(t) for t in DOWNTIME_EVENTS]), e.c.incident_id.in_(active)),
        )
        .order_by(e.c.seq)
    )
    async with storage.engine.connect() as conn:
        bodies = list((await conn.execute(query)).scalars())
        head = await eventlog.read_head(conn)
        pruned = await pruned_before(conn, head, since)
    return LogSpan(bodies=bodies, pruned_before=pruned)


async def pruned_before(conn: AsyncConnection, head: eventlog.Head, since: float) -> float | None:
    """The first retained event's time, when the log was pruned after `since`."""
    if head.pruned_through <= 0:
        return None
    first = (await conn.execute(select(func.min(schema.events.c.at)))).scalar()
    return float(first) if first is not None and first > since else None


async def read_stories(conn: AsyncConnection, since: float, upto: int) -> list[str]:
    """Every downtime event, and the whole story of each incident with an event from
    `since` on, up to seq `upto`, in seq order: what `domain.live_history` starts from."""
    e = schema.events
    active = (
        select(e.c.incident_id)
        .where(e.c.at >= since, e.c.seq <= upto, e.c.incident_id.is_not(None))
        .distinct()
    )
    query = (
        select(e.c.body)
        .where(
            e.c.seq <= upto,
            or_(e.c.type.in_([str(t) for t in DOWNTIME_EVENTS]), e.c.incident_id.in_(active)),
        )
        .order_by(e.c.seq)
    )
    return list((await conn.execute(query)).scalars())


async def read_after(conn: AsyncConnection, after: int, upto: int) -> list[str]:
    """The events after seq `after` up to `upto`, in seq order."""
    e = schema.events
    query = select(e.c.body).where(e.c.seq > after, e.c.seq <= upto).order_by(e.c.seq)
    return list((await conn.execute(query)).scalars())


async def read_incidents(conn: AsyncConnection, numbers: Iterable[int], upto: int) -> list[str]:
    """The whole stories of these incidents up to seq `upto`, in seq order."""
    e = schema.events
    wanted = sorted(numbers)
    bodies: list[tuple[int, str]] = []
    for first in range(0, len(wanted), 500):  # a bounded IN list for either database
        query = select(e.c.seq, e.c.body).where(
            e.c.incident_id.in_(wanted[first : first + 500]), e.c.seq <= upto
        )
        bodies += [(row.seq, row.body) for row in await conn.execute(query)]
    return [body for _, body in sorted(bodies)]


async def compute(
    storage: Storage,
    policy: Policy,
    start: float,
    end: float,
    work: Callable[[list[Event]], T],
) -> tuple[T, float | None]:
    """`work` over the span's events, off the event loop (it is plain CPU work, and the
    live feed must keep flowing meanwhile), with the garbage collector held off
    (`backend.collector`); with the span's `pruned_before`."""
    span = await read_span(storage, policy, start, end)

    def parse_and_work() -> T:
        with collector_held():
            return work([Event.model_validate_json(body) for body in span.bodies])

    return await asyncio.to_thread(parse_and_work), span.pruned_before
