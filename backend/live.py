"""The live feed's hub: every open websocket, and fan-out of new events to them.

Each published batch is filtered per viewer scope (`visibility.scope_key`)
and each distinct frame is encoded once, as text and as the bytes of one
websocket frame; every connection with that scope gets the same object.

A connection served by our own websocket protocol (`livews`) takes those
bytes straight into its transport: no task, no queue and no re-encoding per
terminal, so fanning a frame out costs about what `websockets.broadcast()`
costs. The transport's buffer is then the backlog, and it is bounded in
bytes: a terminal that stops reading is cut off (CLOSE_TOO_SLOW) and never
holds up the others nor the server's memory. A connection under another
ASGI server (or during its replay) queues frames instead, bounded in frames
and in bytes, drained by its own writer task.

A close the peer does not take within CLOSE_TIMEOUT (it is not reading, so
even the close frame cannot go out) cancels the connection's handler while
it follows the feed (`give_up`), so the socket is closed under it instead of
lingering as a feed that no longer gets events. (A cancel, not a task
waiting on an event beside the handler: two tasks fewer per terminal.)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from websockets.frames import Frame, Opcode

from backend.visibility import Outcome, outcome, render, scope_key
from domain.models import Staff
from domain.policy import Policy
from domain.protocol import CLOSE_TOO_SLOW, CLOSE_UNAUTHORISED

if TYPE_CHECKING:
    from backend.eventlog import StoredEvent

log = logging.getLogger("floorline.live")

CLOSE_TIMEOUT = 2.0
REPLAY_READS = 2  # log pages read at once for resuming terminals


class Socket(Protocol):
    async def send_text(self, data: str) -> None: ...
    async def close(self, code: int = 1000, reason: str = "") -> None: ...


class FrameSink(Protocol):
    """A socket that takes whole, already serialized websocket frames."""

    def write_frame(self, wire: bytes) -> bool:
        """Write `wire` now; False if the connection is no longer open."""
        ...

    def buffered(self) -> int:
        """Bytes written but not yet taken by the kernel."""
        ...


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One frame for every connection of a scope: its text, and that text as a websocket frame."""

    last_seq: int
    text: str
    wire: bytes

    @classmethod
    def of(cls, last_seq: int, text: str) -> Outgoing:
        # a server's frames are not masked, and compression is off on the
        # direct path: the bytes are the same for every connection
        wire = Frame(Opcode.TEXT, text.encode()).serialize(mask=False, extensions=[])
        return cls(last_seq, text, wire)


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


@dataclass(eq=False, slots=True)
class Connection:
    socket: Socket
    staff: Staff
    token_hash: str
    expires_at: float
    queue_frames: int
    queue_bytes: int = 4 * 2**20
    sink: FrameSink | None = None
    # frames waiting for the writer task (no sink) or for the replay to end;
    # made on first use, and dropped once a sink takes frames directly
    queue: asyncio.Queue[Outgoing] | None = None
    queued_bytes: int = 0
    replayed_through: int = 0
    direct: bool = False
    closed: bool = False
    gave_up: bool = False
    # the handler's task while it follows the feed (replay, then reading)
    following: asyncio.Task[Any] | None = None
    scope: str = ""
    _writer: asyncio.Task[None] | None = None
    _on_close: Callable[[Connection], None] | None = None

    def __post_init__(self) -> None:
        self.scope = scope_key(self.staff)

    def offer(self, frame: Outgoing) -> None:
        if self.closed:
            return
        if self.direct:
            self._write_now(frame)
            return
        queue = self.queue
        if queue is None:
            queue = self.queue = asyncio.Queue(maxsize=self.queue_frames)
        size = len(frame.text)
        if self.queued_bytes + size > self.queue_bytes and not queue.empty():
            self._too_slow(queue.qsize(), self.queued_bytes)
            return
        try:
            queue.put_nowait(frame)
        except asyncio.QueueFull:
            self._too_slow(queue.qsize(), self.queued_bytes)
            return
        self.queued_bytes += size

    def _write_now(self, frame: Outgoing) -> None:
        sink = self.sink
        assert sink is not None
        waiting = sink.buffered()
        # one frame always fits, however big: the cap is on a backlog
        if waiting and waiting + len(frame.wire) > self.queue_bytes:
            self._too_slow(None, waiting)
        elif not sink.write_frame(frame.wire):
            self.closed = True  # the peer went away; its handler is ending

    def _too_slow(self, frames: int | None, waiting: int) -> None:
        log.warning(
            "live: %s stopped reading (%s frames, %d bytes waiting); closing",
            self.staff.id,
            "some" if frames is None else frames,
            waiting,
        )
        self.close_soon(CLOSE_TOO_SLOW, "too slow: reconnect and resume")

    def start_writer(self, replayed_through: int) -> None:
        """The replay is out: from now on frames after `replayed_through` go to the peer."""
        self.replayed_through = replayed_through
        if self.sink is None:
            self._writer = asyncio.create_task(self._write())
            return
        # no await from here on: what was queued goes out in order, then the rest directly
        self.direct = True
        queue, self.queue, self.queued_bytes = self.queue, None, 0
        while queue is not None and not queue.empty() and not self.closed:
            frame = queue.get_nowait()
            if frame.last_seq > replayed_through:
                self._write_now(frame)

    async def _write(self) -> None:
        queue = self.queue
        if queue is None:
            queue = self.queue = asyncio.Queue(maxsize=self.queue_frames)
        try:
            while True:
                frame = await queue.get()
                self.queued_bytes -= len(frame.text)
                if frame.last_seq <= self.replayed_through:
                    continue  # already sent while replaying
                await self.socket.send_text(frame.text)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the peer went away mid-send
            log.info("live: send to %s failed: %s", self.staff.id, exc)
            self.closed = True

    def close_soon(self, code: int, reason: str) -> asyncio.Task[None] | None:
        if self.closed:
            return None
        self.closed = True
        if self._writer is not None:
            self._writer.cancel()
        # free what was waiting for this peer: it will resume from its seq
        self.queue = None
        self.queued_bytes = 0
        return asyncio.get_running_loop().create_task(self._close(code, reason))

    async def _close(self, code: int, reason: str) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.socket.close(code=code, reason=reason), CLOSE_TIMEOUT)
        # delivered or not, this connection is over: its handler stops waiting
        self.gave_up = True
        if self.following is not None:
            self.following.cancel()
        if self._on_close is not None:
            self._on_close(self)

    async def finish(self) -> None:
        """Called when the handler ends: stop the writer."""
        self.closed = True
        self.queue = None
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._writer


class LiveHub:
    def __init__(self, *, queue_frames: int = 2000, queue_bytes: int = 4 * 2**20) -> None:
        self.queue_frames = queue_frames
        self.queue_bytes = queue_bytes
        self.connections: set[Connection] = set()
        self._replay_slots: asyncio.Semaphore | None = None

    @property
    def replay_slots(self) -> asyncio.Semaphore:
        """Held while a resuming terminal reads a page of the log: terminals resuming
        together (after a restart) would otherwise each check out a pooled
        connection, and the pool grown by the storm stays grown."""
        if self._replay_slots is None:  # made in the serving loop
            self._replay_slots = asyncio.Semaphore(REPLAY_READS)
        return self._replay_slots

    def subscribe(
        self,
        socket: Socket,
        staff: Staff,
        token_hash: str,
        expires_at: float,
        sink: FrameSink | None = None,
    ) -> Connection:
        conn = Connection(
            socket=socket,
            staff=staff,
            token_hash=token_hash,
            expires_at=expires_at,
            queue_frames=self.queue_frames,
            queue_bytes=self.queue_bytes,
            sink=sink,
        )
        conn._on_close = self.connections.discard
        self.connections.add(conn)
        return conn

    def unsubscribe(self, conn: Connection) -> None:
        self.connections.discard(conn)

    def publish(self, stored: Sequence[StoredEvent], policy: Policy, server_time: float) -> None:
        """Send `stored` (in seq order, all committed) to every live connection."""
        if not stored or not self.connections:
            return
        last_seq = stored[-1].seq
        by_scope: dict[str, Outgoing] = {}
        by_outcomes: dict[tuple[Outcome, ...], Outgoing] = {}
        # a copy: a write that finds a peer gone may end its connection
        for conn in list(self.connections):
            frame = by_scope.get(conn.scope)
            if frame is None:
                outcomes, parts = filtered_parts(stored, conn.staff, policy)
                frame = by_outcomes.get(outcomes)
                if frame is None:
                    frame = Outgoing.of(last_seq, events_frame(parts, server_time))
                    by_outcomes[outcomes] = frame
                by_scope[conn.scope] = frame
            conn.offer(frame)

    def close_token(self, token_hash: str, reason: str) -> None:
        for conn in list(self.connections):
            if conn.token_hash == token_hash:
                conn.close_soon(CLOSE_UNAUTHORISED, reason)
                self.connections.discard(conn)

    def close_staff(self, staff_id: str, reason: str, code: int = CLOSE_UNAUTHORISED) -> None:
        for conn in list(self.connections):
            if conn.staff.id == staff_id:
                conn.close_soon(code, reason)
                self.connections.discard(conn)

    def expire(self, now: float) -> None:
        for conn in list(self.connections):
            if conn.expires_at <= now:
                conn.close_soon(CLOSE_UNAUTHORISED, "your session has expired; sign in again")
                self.connections.discard(conn)

    async def close_all(self) -> None:
        """Say goodbye to every terminal (each close bounded by CLOSE_TIMEOUT)."""
        reason = "the server is shutting down"
        closing = [conn.close_soon(1001, reason) for conn in self.connections]
        self.connections.clear()
        await asyncio.gather(*(task for task in closing if task is not None))
