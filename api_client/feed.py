"""One live-feed session over websockets: connect, replay, follow, and say how it ended.

The reconnect policy lives with the caller (`sync.py`); a session only knows
its own socket. Frames are applied strictly in seq order: a duplicate is
skipped, a gap ends the session so the caller resumes from the last seq it
really applied. A frame that does not parse is logged and skipped; the seq
check then notices anything it held.
"""

from __future__ import annotations

import json
import logging
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlencode, urlsplit, urlunsplit

from pydantic import ConfigDict, TypeAdapter, ValidationError
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

from api_client.errors import certificate_problem
from domain.events import Event
from domain.protocol import (
    CLOSE_FORBIDDEN,
    CLOSE_RESYNC,
    CLOSE_UNAUTHORISED,
    EventsFrame,
    Hello,
    Resync,
    ServerFrame,
)

log = logging.getLogger(__name__)

FRAME_ADAPTER: TypeAdapter[Hello | EventsFrame | Resync] = TypeAdapter(
    ServerFrame, config=ConfigDict(defer_build=True)
)
MAX_FRAME_BYTES = 16 * 2**20  # a replay frame may carry many events
OPEN_TIMEOUT = 10.0
CLOSE_TIMEOUT = 2.0


class Ending(StrEnum):
    UNREACHABLE = "unreachable"  # never opened: the attempt failed
    DROPPED = "dropped"  # the link died or the server went away: back off, resume
    GAP = "gap"  # a seq was missing: resume from the last applied, at once
    RESYNC = "resync"  # our position is gone from the log: take a snapshot
    UNAUTHORISED = "unauthorised"  # sign in again
    FORBIDDEN = "forbidden"  # stop trying


@dataclass(frozen=True, slots=True)
class SessionEnd:
    ending: Ending
    detail: str
    opened_at: float | None = None  # monotonic time of the hello, if one came
    closed_at: float = 0.0

    @property
    def lasted(self) -> float:
        return 0.0 if self.opened_at is None else self.closed_at - self.opened_at


@dataclass
class FeedHandlers:
    position: Callable[[], tuple[int, str | None]]  # (last applied seq, epoch)
    on_hello: Callable[[Hello], Awaitable[bool]]  # False: the hello needs a resync
    on_events: Callable[[list[Event]], Awaitable[bool]]  # False: take a snapshot
    on_frame_time: Callable[[float], None]


def live_url(server: str, after: int, epoch: str | None) -> str:
    parts = urlsplit(server.rstrip("/"))
    scheme = "wss" if parts.scheme == "https" else "ws"
    query = {"after": after, **({"epoch": epoch} if epoch else {})}
    return urlunsplit((scheme, parts.netloc, parts.path + "/v1/live", urlencode(query), ""))


async def run_session(
    server: str,
    token: str,
    handlers: FeedHandlers,
    *,
    terminal: str,
    tls: ssl.SSLContext | None,
    ping_interval: float,
    ping_timeout: float,
    monotonic: Callable[[], float] = time.monotonic,
) -> SessionEnd:
    after, epoch = handlers.position()
    url = live_url(server, after, epoch)
    opened_at: float | None = None

    def end(ending: Ending, detail: str) -> SessionEnd:
        return SessionEnd(ending, detail, opened_at, monotonic())

    try:
        socket = await connect(
            url,
            additional_headers={
                "Authorization": f"Bearer {token}",
                "X-Floorline-Terminal": terminal,
            },
            ssl=tls if url.startswith("wss:") else None,
            compression=None,  # deflate doubles server CPU per terminal for little gain
            ping_interval=ping_interval,
            ping_timeout=ping_timeout,
            close_timeout=CLOSE_TIMEOUT,
            open_timeout=OPEN_TIMEOUT,
            max_size=MAX_FRAME_BYTES,
            proxy=None,
        )
    except InvalidStatus as exc:
        status = exc.response.status_code
        if status == 401:
            return end(Ending.UNAUTHORISED, "the server no longer accepts this sign-in")
        if status == 403:
            return end(Ending.FORBIDDEN, "the server refused the live feed")
        # a proxy answering for an absent backend (426, 404, a 502 page): retry
        return end(Ending.UNREACHABLE, f"live feed refused: HTTP {status} from the server")
    except (OSError, TimeoutError, WebSocketException) as exc:
        why = certificate_problem(exc) or f"cannot reach the server ({type(exc).__name__})"
        return end(Ending.UNREACHABLE, why)

    async with socket:
        try:
            async for message in socket:
                frame = _parse(message)
                if frame is None:
                    continue
                handlers.on_frame_time(frame.server_time)
                if isinstance(frame, Hello):
                    if not await handlers.on_hello(frame):
                        return end(Ending.RESYNC, "the server's event log was replaced")
                    opened_at = monotonic()
                elif isinstance(frame, Resync):
                    return end(Ending.RESYNC, frame.reason)
                elif opened_at is None:
                    log.warning("events before the hello: dropped")
                    return end(Ending.GAP, "events before the hello")
                else:
                    gap = await _take_events(frame.events, handlers)
                    if gap is _BAD:
                        return end(Ending.RESYNC, "an event could not be applied")
                    if gap:
                        return end(Ending.GAP, gap)
        except ConnectionClosed as exc:
            return _closed(exc, end)
    closed = socket.close_code
    if closed in (CLOSE_RESYNC, CLOSE_UNAUTHORISED, CLOSE_FORBIDDEN):
        return _closed_code(closed, socket.close_reason or "", end)
    return end(Ending.DROPPED, f"the server closed the live feed ({closed})")


_BAD = "bad event"  # what `_take_events` says when the caller could not fold one


async def _take_events(events: list[Event], handlers: FeedHandlers) -> str | None:
    """Apply the frame's events that come next in order; the gap (or `_BAD`), if one shows."""
    last, _ = handlers.position()
    fresh: list[Event] = []
    for event in events:
        if event.seq <= last:
            continue  # already applied (an overlap after a reconnect)
        if event.seq != last + 1:
            if fresh and not await handlers.on_events(fresh):
                return _BAD
            return f"expected seq {last + 1}, got {event.seq}"
        fresh.append(event)
        last = event.seq
    if fresh and not await handlers.on_events(fresh):
        return _BAD
    return None


def _parse(message: str | bytes) -> Hello | EventsFrame | Resync | None:
    try:
        raw = json.loads(message)
    except ValueError as exc:  # not JSON (or not UTF-8) at all
        log.warning("malformed live frame skipped: %s", exc)
        return None
    try:
        if isinstance(raw, dict) and raw.get("type") == "events":
            events = raw.get("events")
            if isinstance(events, list):
                # event by event: the sync thread lets go of the interpreter between
                # them, where one call over a 500-event replay page held the UI's
                # loop up for 12 ms and more (pydantic's own JSON parse is slower too)
                raw = {**raw, "events": [Event.model_validate(e) for e in events]}
        return FRAME_ADAPTER.validate_python(raw)
    except ValidationError as exc:
        log.warning("malformed live frame skipped: %s", exc.errors(include_input=False)[:3])
        return None


def _closed(exc: ConnectionClosed, end: Callable[[Ending, str], SessionEnd]) -> SessionEnd:
    code = exc.rcvd.code if exc.rcvd else None
    reason = exc.rcvd.reason if exc.rcvd else ""
    if code in (CLOSE_RESYNC, CLOSE_UNAUTHORISED, CLOSE_FORBIDDEN):
        return _closed_code(code, reason, end)
    return end(Ending.DROPPED, "the live feed was cut" if code is None else f"closed ({code})")


def _closed_code(code: int, reason: str, end: Callable[[Ending, str], SessionEnd]) -> SessionEnd:
    if code == CLOSE_RESYNC:
        return end(Ending.RESYNC, reason or "the server asked for a fresh snapshot")
    if code == CLOSE_UNAUTHORISED:
        return end(Ending.UNAUTHORISED, reason or "your sign-in has expired: enter your PIN")
    return end(Ending.FORBIDDEN, reason or "the server refused the live feed")
