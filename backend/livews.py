"""The live feed's websockets, served by the `websockets` library under uvicorn.

uvicorn hands every websocket upgrade to `Config.ws`, a protocol factory;
`live_protocol(app)` is one that serves `/v1/live` with a `websockets`
ServerConnection (and answers 404 to any other path: the app has no other
websocket route) and runs `livefeed.run_feed` on it. Going through ASGI and
Starlette instead cost per terminal, measured at 200-500 terminals on the
fan-out bench, about three times a bare `websockets` server's memory (the
middleware stack's frames, exit stacks, queues and events live as long as
the socket) and, per frame, Starlette's and uvicorn's send layers, a
re-encode and a writer task's switch. Here a terminal costs what a
`websockets` connection costs, and `write_frame` takes the frame the hub
serialized once for every terminal of a scope (`live.Outgoing`).

HTTP stays with uvicorn and FastAPI on the same port; other ASGI servers
keep serving the feed through the Starlette route in `livefeed`.
"""

from __future__ import annotations

import asyncio
import http
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi import FastAPI
from websockets.asyncio.server import Server, ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.extensions.permessage_deflate import enable_server_permessage_deflate
from websockets.http11 import Request, Response
from websockets.protocol import OPEN
from websockets.server import ServerProtocol

from backend.live import CLOSE_TIMEOUT, FrameSink
from backend.livefeed import run_feed

log = logging.getLogger("floorline.live")

LIVE_PATH = "/v1/live"
OPEN_TIMEOUT = 10.0
# a terminal sends nothing we act on: a few frames of backlog are plenty
MAX_QUEUE = 4


class LiveConnection(ServerConnection):
    """A `livefeed.FeedSocket` that also takes pre-serialized frames (`live.FrameSink`)."""

    def header(self, name: str) -> str | None:
        return self.request.headers.get(name) if self.request is not None else None

    def query(self, name: str) -> str | None:
        # parsed again each time: a few reads at connect, and nothing kept per terminal
        path = self.request.path if self.request is not None else ""
        values = parse_qs(urlsplit(path).query).get(name)
        return values[0] if values else None

    async def send_text(self, data: str) -> None:
        await self.send(data)

    async def receive(self) -> str | bytes | None:
        try:
            return await self.recv()
        except ConnectionClosed:
            return None

    def frame_sink(self) -> FrameSink | None:
        # compressed connections must go through the protocol's encoder
        return None if self.protocol.extensions else self

    def write_frame(self, wire: bytes) -> bool:
        # whole frames only, and never while a fragmented message is being
        # sent (the feed sends none): the peer's parser sees a valid stream
        if self.protocol.state is not OPEN or self.send_in_progress is not None:
            return False
        self.transport.write(wire)
        return True

    def buffered(self) -> int:
        return self.transport.get_write_buffer_size()


class _LiveServer(Server):
    """The `websockets` Server the connections belong to; uvicorn owns the listening socket."""

    def __init__(self, app: FastAPI) -> None:
        super().__init__(self._no_listener, self._handle, logging.getLogger("floorline.live"))
        self.app = app

    @staticmethod
    async def _no_listener() -> asyncio.Server:
        raise RuntimeError("uvicorn owns the listening socket")

    def is_serving(self) -> bool:
        return True

    @staticmethod
    def _only_live(connection: ServerConnection, request: Request) -> Response | None:
        if urlsplit(request.path).path != LIVE_PATH:
            return connection.respond(http.HTTPStatus.NOT_FOUND, "Not Found\n")
        return None

    async def _handle(self, connection: ServerConnection) -> None:
        """Handshake, then the feed; the TCP connection is closed when this returns."""
        assert isinstance(connection, LiveConnection)
        try:
            async with asyncio.timeout(OPEN_TIMEOUT):
                await connection.handshake(self._only_live, None, None)
            if connection.protocol.state is not OPEN:
                connection.transport.abort()
                return
            self.all_connections.add(connection)
            connection.start_keepalive()
            try:
                async with connection:
                    await run_feed(self.app.state.backend, connection)
            except Exception:
                log.exception("live: feed handler failed")
            finally:
                self.all_connections.discard(connection)
        except Exception:
            connection.transport.abort()  # a failed or timed-out handshake
        finally:
            self.handler_tasks.discard(asyncio.current_task())


def live_protocol(app: FastAPI) -> Callable[..., asyncio.Protocol]:
    """A uvicorn `ws` protocol factory serving the live feed of `app`."""
    server: _LiveServer | None = None

    def factory(config: Any, server_state: Any = None, app_state: Any = None) -> LiveConnection:
        nonlocal server
        if server is None:  # needs the running loop: made at the first upgrade
            server = _LiveServer(app)
        extensions = (
            enable_server_permessage_deflate(None) if config.ws_per_message_deflate else None
        )
        protocol = ServerProtocol(
            extensions=extensions,
            max_size=config.ws_max_size,
            logger=log,
        )
        return LiveConnection(
            protocol,
            server,
            ping_interval=config.ws_ping_interval,
            ping_timeout=config.ws_ping_timeout,
            close_timeout=CLOSE_TIMEOUT,
            max_queue=MAX_QUEUE,
        )

    return factory
