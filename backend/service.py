"""The command path: decide against the folded floor, append to the log, answer, publish.

One asyncio lock per process around decide + append; the log's head row
(`eventlog.lock_head`) serialises writers across processes. A command's
result is stored under its command_id in the same transaction as its
events, so a re-sent command gets the stored answer and changes nothing.
Every decided command, accepted or refused, is chained onto the journal
(`backend.journal`) in that transaction too; a re-send is not journaled again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from backend import eventlog, floorconfig, journal, schema
from backend.config import ServerConfig
from backend.eventlog import StoredEvent
from backend.live import LiveHub
from backend.pgfanout import notify
from backend.storage import Storage
from backend.visibility import view_of
from domain.acted_time import ARRIVED_LATE_AFTER, acted_at
from domain.decide import Actor, RejectCode, Rejected, decide
from domain.events import Event
from domain.floor_changes import staff_change
from domain.protocol import CommandEnvelope, CommandError, CommandResult
from domain.reducer import apply
from domain.staff_admin import FloorEnvelope, decide_floor
from domain.state import FloorState

Envelope = CommandEnvelope | FloorEnvelope
# (staff id, deactivated or PIN reset): end that member's open connections
StaffChanged = Callable[[str, bool], None]

log = logging.getLogger("floorline.commands")

SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class _Outcome:
    result: CommandResult
    stored: list[StoredEvent]
    after: FloorState  # the floor once these events are applied


class FloorService:
    def __init__(self, storage: Storage, config: ServerConfig, hub: LiveHub) -> None:
        self.storage = storage
        self.config = config
        self.hub = hub
        self.state = FloorState(policy=config.policy)
        self.epoch = ""
        self.pruned_through = 0
        self._lock = asyncio.Lock()
        self._snapshot_seq = 0
        self._bulk: AsyncConnection | None = None
        self.on_staff_change: StaffChanged | None = None

    def now(self) -> float:
        return self.config.clock()

    async def start(self, base: FloorState) -> None:
        """Fold the stored log into memory (latest snapshot + the events after it)."""
        async with self.storage.engine.connect() as conn:
            self.state = await eventlog.load_state(conn, base)
            head = await eventlog.read_head(conn)
            self._snapshot_seq = await eventlog.latest_snapshot_seq(conn)
        self.epoch = head.epoch
        self.pruned_through = head.pruned_through

    # --- the command path -------------------------------------------------

    async def submit(
        self,
        envelopes: Sequence[Envelope],
        actor: Actor | None,
        *,
        now: float | None = None,
        pins: floorconfig.NewPins | None = None,
    ) -> list[CommandResult]:
        """Decide and store commands in order, in one transaction; results in order.

        `pins` holds the hashes of PINs for staff the commands add or reset.
        """
        if not envelopes:
            return []
        at = self.now() if now is None else now
        if self._bulk is not None:
            results, self.state, _ = await self._run(self._bulk, envelopes, actor, at, pins)
            return results
        async with self._lock:
            before = self.state
            async with self.storage.engine.begin() as conn:
                results, working, fresh = await self._run(conn, envelopes, actor, at, pins)
            # committed: now the floor in memory moves, and terminals hear of it
            self.state = working
            # stamped as it goes out: the terminals check their clock against it
            self.hub.publish(fresh, self.state.policy, self.now())
            self._staff_changes(before, fresh)
            await self._maybe_snapshot()
        return results

    def _staff_changes(self, before: FloorState, stored: Sequence[StoredEvent]) -> None:
        if self.on_staff_change is None:
            return
        for item in stored:
            change = staff_change(before, item.event)
            if change is not None:
                self.on_staff_change(change[0], change[1])

    @contextlib.asynccontextmanager
    async def bulk(self) -> AsyncIterator[None]:
        """Run many `submit` calls in one transaction (loading the demo floor at start,
        before any terminal is connected): one commit instead of hundreds."""
        async with self._lock, self.storage.engine.begin() as conn:
            self._bulk = conn
            try:
                yield
            finally:
                self._bulk = None
        await self._maybe_snapshot()

    async def _run(
        self,
        conn: AsyncConnection,
        envelopes: Sequence[Envelope],
        actor: Actor | None,
        at: float,
        pins: floorconfig.NewPins | None = None,
    ) -> tuple[list[CommandResult], FloorState, list[StoredEvent]]:
        head = await eventlog.lock_head(conn)
        await self._catch_up_locked(conn, head.seq)
        stored_results = await _stored_results(conn, [e.command_id for e in envelopes])
        working = self.state
        seq = head.seq
        fresh: list[StoredEvent] = []
        results: list[CommandResult] = []
        command_rows: list[dict[str, Any]] = []
        audit_rows: list[dict[str, Any]] = []
        decided: list[journal.Decided] = []
        for envelope in envelopes:
            known = stored_results.get(envelope.command_id)
            if known is not None:
                results.append(known)  # a re-send: the same answer, nothing new
                continue
            outcome = self._decide_one(working, envelope, actor, at, seq)
            working = outcome.after
            fresh.extend(outcome.stored)
            seq += len(outcome.stored)
            results.append(outcome.result)
            stored_results[envelope.command_id] = outcome.result
            command_rows.append(
                {
                    "command_id": envelope.command_id,
                    "staff_id": actor.id if actor else SYSTEM,
                    "at": at,
                    "result": outcome.result.model_dump_json(),
                }
            )
            audit_rows.append(_audit_row(envelope, actor, at, outcome.result))
            decided.append(journal.Decided.of(envelope, actor, at, outcome.result))
        await eventlog.append(conn, fresh)
        await floorconfig.store_changes(conn, fresh, pins, at)
        if command_rows:
            await conn.execute(insert(schema.commands), command_rows)
            await conn.execute(insert(schema.audit), audit_rows)
            await journal.append(conn, decided)
        if seq != head.seq:
            await eventlog.set_head(conn, seq)
            if self.storage.is_postgres:
                await notify(conn, self.storage.channel, seq)
        return results, working, fresh

    def _decide_one(
        self,
        state: FloorState,
        envelope: Envelope,
        actor: Actor | None,
        now: float,
        seq: int,
    ) -> _Outcome:
        command = envelope.command
        incident_id = getattr(command, "incident_id", None)
        try:
            if isinstance(envelope, FloorEnvelope):
                if actor is None:
                    raise Rejected(RejectCode.FORBIDDEN, "floor changes need an admin")
                events = decide_floor(
                    state, envelope.command, actor, now, command_id=envelope.command_id
                )
            else:
                events = self._decide_acted(state, envelope, actor, now)
        except Rejected as rejected:
            return _Outcome(_rejection(envelope.command_id, rejected, now), [], state)
        except Exception:
            log.exception("command %s (%s) could not be decided", envelope.command_id, command.type)
            error = Rejected(RejectCode.INVALID, "the server could not process this command")
            return _Outcome(_rejection(envelope.command_id, error, now), [], state)
        stored: list[StoredEvent] = []
        before = state
        for offset, event in enumerate(events, start=1):
            numbered = event.model_copy(update={"seq": seq + offset})
            after = apply(before, numbered)
            stored.append(StoredEvent.of(numbered, view_of(numbered, before, after)))
            before = after
            if command.type == "open_incident" and numbered.incident_id is not None:
                incident_id = numbered.incident_id
        result = CommandResult(
            command_id=envelope.command_id,
            status="accepted",
            seq=stored[-1].seq if stored else 0,
            incident_id=incident_id,
            server_time=now,
        )
        return _Outcome(result, stored, before)

    @staticmethod
    def _decide_acted(
        state: FloorState, envelope: CommandEnvelope, actor: Actor | None, now: float
    ) -> list[Event]:
        """Decide as of when the user acted (`domain.acted_time`), marking a late arrival."""
        acted = acted_at(state, envelope.command, envelope.issued_at, now)
        events = decide(state, envelope.command, actor, acted, command_id=envelope.command_id)
        if now - acted > ARRIVED_LATE_AFTER:
            events = [event.model_copy(update={"received_at": now}) for event in events]
        return events

    # --- other processes' events --------------------------------------------

    async def catch_up(self) -> None:
        """Apply and publish what other processes appended (PostgreSQL fan-out)."""
        async with self._lock, self.storage.engine.connect() as conn:
            head = await eventlog.read_head(conn)
            await self._catch_up_locked(conn, head.seq)

    async def _catch_up_locked(self, conn: AsyncConnection, head: int) -> None:
        while self.state.seq < head:
            page = await eventlog.read_after(conn, self.state.seq, upto=head, limit=1000)
            if not page:
                break
            before = state = self.state
            for item in page:
                state = apply(state, item.event)
            self.state = state
            self.hub.publish(page, state.policy, self.now())
            self._staff_changes(before, page)

    async def _maybe_snapshot(self) -> None:
        if self.state.seq - self._snapshot_seq < self.config.snapshot_interval:
            return
        async with self.storage.engine.begin() as conn:
            head = await eventlog.lock_head(conn)
            if head.seq != self.state.seq:
                return  # another process is ahead; it will snapshot
            self.pruned_through = await eventlog.store_snapshot(
                conn, self.state, retain_events=self.config.retain_events
            )
        self._snapshot_seq = self.state.seq

    async def refresh_pruned(self) -> None:
        async with self.storage.engine.connect() as conn:
            self.pruned_through = (await eventlog.read_head(conn)).pruned_through


def _rejection(command_id: str, rejected: Rejected, now: float) -> CommandResult:
    incident = rejected.incident
    return CommandResult(
        command_id=command_id,
        status="rejected",
        error=CommandError(
            code=str(rejected.code),
            message=rejected.message,
            current=incident.model_dump(mode="json") if incident else None,
            by=rejected.by,
            at=rejected.at,
        ),
        server_time=now,
    )


def _audit_row(
    envelope: Envelope, actor: Actor | None, at: float, result: CommandResult
) -> dict[str, Any]:
    return {
        "at": at,
        "staff_id": actor.id if actor else SYSTEM,
        "terminal": actor.terminal if actor else "",
        "command_type": envelope.command.type,
        "command_id": envelope.command_id,
        "result": result.error.code if result.error else "accepted",
        "message": result.error.message if result.error else "",
        "issued_at": envelope.issued_at,
        "seq": result.seq,
    }


async def _stored_results(
    conn: AsyncConnection, command_ids: list[str]
) -> dict[str, CommandResult]:
    c = schema.commands
    found: dict[str, CommandResult] = {}
    unique = list(dict.fromkeys(command_ids))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        rows = (
            await conn.execute(select(c.c.command_id, c.c.result).where(c.c.command_id.in_(chunk)))
        ).all()
        for row in rows:
            found[row.command_id] = CommandResult.model_validate_json(row.result)
    return found
