"""The live feed `/v1/live?after=N&epoch=E`: hello, replay, then live events.

`run_feed` is the feed itself, written against `FeedSocket`: our own
websocket protocol (`livews`, what `floorline serve` uses) is one; the
Starlette route below adapts any other ASGI server's websocket to it.

Subscribing comes before reading the head, and both happen with no await in
between, so every event after the head arrives through the hub and every
event up to it through the replay: no gap, no duplicate.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Coroutine
from typing import Any, Protocol

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from backend import eventlog
from backend.auth import AuthError
from backend.context import TERMINAL_HEADER, Backend, caller_for
from backend.live import Connection, FrameSink, events_frame, filtered_parts
from domain.protocol import CLOSE_RESYNC, CLOSE_UNAUTHORISED, Hello, Resync

log = logging.getLogger("floorline.live")

REPLAY_PAGE = 500
MAX_CLIENT_FRAME = 4096

router = APIRouter()


class FeedSocket(Protocol):
    """An accepted websocket, as the feed needs it."""

    def header(self, name: str) -> str | None: ...
    def query(self, name: str) -> str | None: ...
    async def send_text(self, data: str) -> None: ...
    async def close(self, code: int = 1000, reason: str = "") -> None: ...

    async def receive(self) -> str | bytes | None:
        """The next message; None once the peer is gone."""
        ...

    def frame_sink(self) -> FrameSink | None:
        """Itself if it takes pre-serialized frames, else None."""
        ...


class StarletteSocket:
    """`FeedSocket` over Starlette's WebSocket (any ASGI server)."""

    __slots__ = ("websocket",)

    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket

    def header(self, name: str) -> str | None:
        return self.websocket.headers.get(name)

    def query(self, name: str) -> str | None:
        return self.websocket.query_params.get(name)

    async def send_text(self, data: str) -> None:
        await self.websocket.send_text(data)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self.websocket.close(code, reason)

    async def receive(self) -> str | bytes | None:
        message = await self.websocket.receive()
        if message["type"] == "websocket.disconnect":
            return None
        text = message.get("text")
        return text if text is not None else message.get("bytes") or b""

    def frame_sink(self) -> FrameSink | None:
        return None


@router.websocket("/v1/live")
async def live(websocket: WebSocket) -> None:
    await websocket.accept()
    with contextlib.suppress(WebSocketDisconnect):
        await run_feed(websocket.app.state.backend, StarletteSocket(websocket))


def _int_param(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else 0
    except ValueError:
        return None


async def run_feed(backend: Backend, socket: FeedSocket) -> None:
    """Serve one terminal's feed until it goes away or the hub gives up on it."""
    if socket.query("token") is not None or socket.query("access_token") is not None:
        await socket.close(
            CLOSE_UNAUTHORISED, "send the token in the Authorization header, not the URL"
        )
        return
    try:
        caller = await caller_for(
            backend, socket.header("authorization"), socket.header(TERMINAL_HEADER)
        )
    except AuthError as exc:
        await socket.close(CLOSE_UNAUTHORISED, str(exc)[:120])
        return
    after = _int_param(socket.query("after"))
    if after is None or after < 0:
        await socket.close(1008, "after must be a whole number")
        return
    service = backend.service
    hub = backend.hub
    if after > service.state.seq:
        # a terminal coming over from another process of this database may
        # know events this one has not read yet: read them rather than resync
        await service.catch_up()
    # subscribe and read the head together (no await between them)
    conn = hub.subscribe(
        socket,
        caller.staff,
        caller.session.token_hash,
        caller.session.expires_at,
        socket.frame_sink(),
    )
    head = service.state.seq
    try:
        epoch = socket.query("epoch")
        now = backend.now()
        if (epoch and epoch != service.epoch) or after < service.pruned_through or after > head:
            if epoch and epoch != service.epoch:
                reason = "the event log was reset: take a fresh snapshot"
            elif after > head:
                reason = f"seq {after} is ahead of this server's log"
            else:
                reason = f"seq {after} is older than the retained log"
            resync = Resync(reason=reason, epoch=service.epoch, head=head, server_time=now)
            await socket.send_text(resync.model_dump_json())
            await socket.close(CLOSE_RESYNC, "resync")
            return
        hello = Hello(epoch=service.epoch, head=head, server_time=now, me=caller.staff)
        await socket.send_text(hello.model_dump_json())
        await _unless_given_up(conn, _follow(backend, socket, conn, after, head))
    except WebSocketDisconnect:
        pass
    except Exception as exc:  # a broken peer must not take anything else down
        log.info("live: connection for %s ended: %s", caller.staff.id, exc)
    finally:
        hub.unsubscribe(conn)
        await conn.finish()


async def _follow(
    backend: Backend, socket: FeedSocket, conn: Connection, after: int, head: int
) -> None:
    await _replay(backend, socket, conn.staff, after, head)
    conn.start_writer(head)
    await _read_until_closed(socket, conn.staff.id)


async def _unless_given_up(conn: Connection, work: Coroutine[Any, Any, None]) -> None:
    """Run `work` until it returns or the hub gives up on this connection.

    A peer that stopped reading blocks every send, the close frame's too; once
    the hub has given up it cancels this (`Connection.following`), the handler
    returns and the server closes the socket under it, so the terminal
    notices and resumes.
    """
    task = asyncio.current_task()
    assert task is not None
    conn.following = task
    try:
        await work
    except asyncio.CancelledError:
        if not conn.gave_up:
            raise
        task.uncancel()  # our own cancel, not the server's: end normally
        log.info("live: gave up on %s: it stopped reading", conn.staff.id)
    finally:
        conn.following = None


async def _replay(
    backend: Backend, socket: FeedSocket, staff: object, after: int, head: int
) -> None:
    cursor = after
    while cursor < head:
        async with backend.hub.replay_slots, backend.storage.engine.connect() as db:
            page = await eventlog.read_after(db, cursor, upto=head, limit=REPLAY_PAGE)
        if not page:
            break
        _, parts = filtered_parts(page, staff, backend.service.state.policy)  # type: ignore[arg-type]
        await socket.send_text(events_frame(parts, backend.now()))
        cursor = page[-1].seq


async def _read_until_closed(socket: FeedSocket, staff_id: str) -> None:
    """Terminals send nothing we act on; anything they do send is checked and dropped."""
    while True:
        message = await socket.receive()
        if message is None:
            return
        if not isinstance(message, str):
            log.info("live: ignored a binary frame from %s", staff_id)
            continue
        if len(message) > MAX_CLIENT_FRAME:
            log.info("live: ignored an oversized frame from %s", staff_id)
            continue
        try:
            json.loads(message)
        except ValueError:
            log.info("live: ignored a malformed frame from %s", staff_id)
