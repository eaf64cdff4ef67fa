"""The live feed's hub: every open websocket, and fan-out of new events to them.

Each published batch is filtered per viewer scope (`visibility.scope_key`)
and each distinct frame is encoded once; every connection with that scope
gets the same string. Each connection has a queue bounded in frames and in
bytes, drained by its own writer task, so a terminal that stops reading is
cut off (CLOSE_TOO_SLOW) and never holds up the others nor the server's
memory. A close the peer does not take within CLOSE_TIMEOUT (it is not
reading, so even the close frame cannot go out) ends the connection's
handler (`ended`), so the socket is closed under it instead of lingering as
a feed that no longer gets events.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from backend.visibility import Outcome, outcome, render, scope_key
from domain.models import Staff
from domain.policy import Policy
from domain.protocol import CLOSE_TOO_SLOW, CLOSE_UNAUTHORISED

if TYPE_CHECKING:
    from backend.eventlog import StoredEvent

log = logging.getLogger("floorline.live")

CLOSE_TIMEOUT = 2.0


class Socket(Protocol):
    async def send_text(self, data: str) -> None: ...
    async def close(self, code: int = 1000, reason: str | None = None) -> None: ...


def events_frame(parts: Iterable[str], server_time: float) -> str:
    """An EventsFrame built from already-encoded events (no re-encoding)."""
    return (
        f'{{"type":"events","events":[{",".join(parts)}],"server_time":{json.dumps(server_time)}}}'
    )


def filtered_parts(
    stored: Sequence[StoredEvent], staff: Staff, policy: Policy
) -> tuple[tuple[Outcome, ...], list[str]]:
    outcomes = tuple(outcome(staff, s.view, policy) for s in stored)
    parts = [render(s.body, s.event, s.view, o) for s, o in zip(stored, outcomes, strict=True)]
    return outcomes, parts


@dataclass(eq=False)
class Connection:
    socket: Socket
    staff: Staff
    token_hash: str
    expires_at: float
    queue_frames: int
    queue_bytes: int = 4 * 2**20
    queue: asyncio.Queue[tuple[int, str]] = field(init=False)
    queued_bytes: int = 0
    replayed_through: int = 0
    closed: bool = False
    ended: asyncio.Event = field(default_factory=asyncio.Event)
    _writer: asyncio.Task[None] | None = None
    _on_close: Callable[[Connection], None] | None = None

    def __post_init__(self) -> None:
        self.queue = asyncio.Queue(maxsize=self.queue_frames)

    @property
    def scope(self) -> str:
        return scope_key(self.staff)

    def offer(self, last_seq: int, frame: str) -> None:
        if self.closed:
            return
        if self.queued_bytes + len(frame) > self.queue_bytes and not self.queue.empty():
            self._too_slow()
            return
        try:
            self.queue.put_nowait((last_seq, frame))
        except asyncio.QueueFull:
            self._too_slow()
            return
        self.queued_bytes += len(frame)

    def _too_slow(self) -> None:
        log.warning(
            "live: %s stopped reading (%d frames, %d bytes waiting); closing",
            self.staff.id,
            self.queue.qsize(),
            self.queued_bytes,
        )
        self.close_soon(CLOSE_TOO_SLOW, "too slow: reconnect and resume")

    def start_writer(self, replayed_through: int) -> None:
        self.replayed_through = replayed_through
        self._writer = asyncio.create_task(self._write())

    async def _write(self) -> None:
        try:
            while True:
                last_seq, frame = await self.queue.get()
                self.queued_bytes -= len(frame)
                if last_seq <= self.replayed_through:
                    continue  # already sent while replaying
                await self.socket.send_text(frame)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the peer went away mid-send
            log.info("live: send to %s failed: %s", self.staff.id, exc)
            self.closed = True

    def close_soon(self, code: int, reason: str) -> None:
        if self.closed:
            return
        self.closed = True
        if self._writer is not None:
            self._writer.cancel()
        self._drop_queue()
        asyncio.get_running_loop().create_task(self._close(code, reason))

    def _drop_queue(self) -> None:
        """Free what was waiting for this peer: it will resume from its seq."""
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queued_bytes = 0

    async def _close(self, code: int, reason: str) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.socket.close(code=code, reason=reason), CLOSE_TIMEOUT)
        # delivered or not, this connection is over: its handler stops waiting
        self.ended.set()
        if self._on_close is not None:
            self._on_close(self)

    async def finish(self) -> None:
        """Called when the handler ends: stop the writer."""
        self.closed = True
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._writer


class LiveHub:
    def __init__(self, *, queue_frames: int = 2000, queue_bytes: int = 4 * 2**20) -> None:
        self.queue_frames = queue_frames
        self.queue_bytes = queue_bytes
        self.connections: set[Connection] = set()

    def subscribe(
        self, socket: Socket, staff: Staff, token_hash: str, expires_at: float
    ) -> Connection:
        conn = Connection(
            socket=socket,
            staff=staff,
            token_hash=token_hash,
            expires_at=expires_at,
            queue_frames=self.queue_frames,
            queue_bytes=self.queue_bytes,
        )
        conn._on_close = self.connections.discard
        self.connections.add(conn)
        return conn

    def unsubscribe(self, conn: Connection) -> None:
        self.connections.discard(conn)

    def publish(self, stored: Sequence[StoredEvent], policy: Policy, server_time: float) -> None:
        """Queue `stored` (in seq order, all committed) for every live connection."""
        if not stored or not self.connections:
            return
        last_seq = stored[-1].seq
        by_scope: dict[str, str] = {}
        by_outcomes: dict[tuple[Outcome, ...], str] = {}
        for conn in list(self.connections):
            frame = by_scope.get(conn.scope)
            if frame is None:
                outcomes, parts = filtered_parts(stored, conn.staff, policy)
                frame = by_outcomes.get(outcomes)
                if frame is None:
                    frame = events_frame(parts, server_time)
                    by_outcomes[outcomes] = frame
                by_scope[conn.scope] = frame
            conn.offer(last_seq, frame)

    def close_token(self, token_hash: str, reason: str) -> None:
        for conn in list(self.connections):
            if conn.token_hash == token_hash:
                conn.close_soon(CLOSE_UNAUTHORISED, reason)
                self.connections.discard(conn)

    def expire(self, now: float) -> None:
        for conn in list(self.connections):
            if conn.expires_at <= now:
                conn.close_soon(CLOSE_UNAUTHORISED, "your session has expired; sign in again")
                self.connections.discard(conn)

    async def close_all(self) -> None:
        for conn in list(self.connections):
            conn.close_soon(1001, "the server is shutting down")
        self.connections.clear()
