"""A loopback TCP proxy that can drop every connection through it on command.

It stands between terminals and the backend. `cut()` aborts every open
connection at once (both sockets, so neither end gets a clean close), as a
Wi-Fi access point going away or a NAT forgetting its table would. It counts
the live-feed connections it carries and how many of them it has dropped.
Setting `live_target` sends live-feed connections to another server (a
hostile one, in the client's fault tests) while HTTP still reaches the backend.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field


@dataclass(eq=False)
class _Pair:
    terminal: asyncio.StreamWriter
    upstream: asyncio.StreamWriter
    live: bool = False
    upgraded: bool = False


@dataclass
class Cutter:
    target: str  # http://host:port of the backend
    live_target: str | None = None  # where /v1/live goes instead, when set
    url: str = ""  # what terminals connect to, once started
    live_connections: int = 0
    live_drops: int = 0
    _pairs: set[_Pair] = field(default_factory=set)
    _server: asyncio.Server | None = None
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def close(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    @property
    def live_open(self) -> int:
        """Live feeds through the proxy whose websocket handshake has completed."""
        return sum(1 for p in self._pairs if p.live and p.upgraded)

    async def wait_live(self, count: int, within: float = 20.0) -> None:
        async with asyncio.timeout(within):
            while self.live_open < count:
                self._changed.clear()
                await self._changed.wait()

    def cut(self) -> int:
        """Abort every connection; returns how many live feeds that dropped."""
        dropped = 0
        for pair in list(self._pairs):
            dropped += pair.live and pair.upgraded
            pair.terminal.transport.abort()
            pair.upstream.transport.abort()
        self._pairs.clear()
        self.live_drops += dropped
        return dropped

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            first = await reader.read(65536)
        except (ConnectionError, OSError):
            first = b""
        if not first:
            writer.transport.abort()
            return
        live = b" /v1/live" in first.split(b"\r\n", 1)[0]
        self.live_connections += live
        target = self.live_target if live and self.live_target else self.target
        host, port = target.split("://", 1)[1].rsplit(":", 1)
        try:
            up_reader, up_writer = await asyncio.open_connection(host, int(port))
        except OSError:
            writer.transport.abort()
            return
        pair = _Pair(writer, up_writer, live=live)
        self._pairs.add(pair)
        up_writer.write(first)
        try:
            await asyncio.gather(self._up(reader, pair), self._down(up_reader, pair))
        finally:
            self._pairs.discard(pair)
            writer.transport.abort()
            up_writer.transport.abort()
            self._changed.set()

    async def _up(self, reader: asyncio.StreamReader, pair: _Pair) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                pair.upstream.write(data)
                await pair.upstream.drain()
        pair.upstream.transport.abort()

    async def _down(self, reader: asyncio.StreamReader, pair: _Pair) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                if pair.live and not pair.upgraded and b" 101 " in data.split(b"\r\n", 1)[0]:
                    pair.upgraded = True
                    self._changed.set()
                pair.terminal.write(data)
                await pair.terminal.drain()
        pair.terminal.transport.abort()
