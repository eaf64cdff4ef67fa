"""A loopback TCP proxy between a terminal and the backend that fails on purpose.

It stands in for a floor's Wi-Fi: it can go dark (cutting every connection
and refusing new ones), and it can cut the live feed after a given number of
bytes, once or every time, to drop a socket in the middle of a replay or to
play a server that accepts and then hangs up at once.
"""

from __future__ import annotations

import asyncio
import contextlib


class FlakyLink:
    def __init__(self, target: str) -> None:
        host_port = target.split("://", 1)[1]
        self._host, port = host_port.rsplit(":", 1)
        self._port = int(port)
        self.url = ""  # what a terminal connects to, once started
        self.online = True
        self.cut_live_after: int | None = None  # bytes server -> terminal on /v1/live
        self.cuts_left = 1  # how many live connections to cut that way (-1: every one)
        self.live_lifetime: float | None = None  # hang up every live feed this long after it opens
        self.inject_on_live: bytes | None = None  # raw bytes slipped in after the handshake
        self.live_requests: list[str] = []  # request lines of live-feed connections
        self.cuts = 0
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    async def start(self) -> str:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def close(self) -> None:
        self.go_dark()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def go_dark(self) -> None:
        """Wi-Fi gone: every connection dropped, new ones refused."""
        self.online = False
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()

    def come_back(self) -> None:
        self.online = True

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.online:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(self._host, self._port)
        except OSError:
            writer.transport.abort()
            return
        pair = (writer, up_writer)
        self._open.update(pair)
        live = asyncio.Event()
        try:
            await asyncio.gather(
                self._pipe_up(reader, up_writer, live),
                self._pipe_down(up_reader, writer, live, pair),
            )
        except asyncio.CancelledError:
            pass  # the link is being torn down with the test
        finally:
            for w in pair:
                self._open.discard(w)
                w.transport.abort()

    async def _pipe_up(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, live: asyncio.Event
    ) -> None:
        first = True
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                if first:
                    first = False
                    line = data.split(b"\r\n", 1)[0].decode(errors="replace")
                    if " /v1/live" in line:
                        self.live_requests.append(line)
                        live.set()
                        if self.live_lifetime is not None:
                            loop = asyncio.get_running_loop()
                            loop.call_later(self.live_lifetime, self._hang_up, writer)
                writer.write(data)
                await writer.drain()
        writer.transport.abort()

    def _hang_up(self, upstream: asyncio.StreamWriter) -> None:
        self.cuts += 1
        upstream.transport.abort()

    async def _pipe_down(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        live: asyncio.Event,
        pair: tuple[asyncio.StreamWriter, asyncio.StreamWriter],
    ) -> None:
        sent = 0
        handshake_done = False
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                if live.is_set() and not handshake_done and b"\r\n\r\n" in data:
                    handshake_done = True
                    if self.inject_on_live is not None:
                        head, _, rest = data.partition(b"\r\n\r\n")
                        data = head + b"\r\n\r\n" + self.inject_on_live + rest
                limit = self.cut_live_after
                if live.is_set() and limit is not None and sent + len(data) > limit:
                    writer.write(data[: max(0, limit - sent)])
                    self.cuts += 1
                    self.cuts_left -= 1
                    if self.cuts_left == 0:
                        self.cut_live_after = None
                    for w in pair:
                        w.transport.abort()
                    return
                sent += len(data)
                writer.write(data)
                await writer.drain()
        writer.transport.abort()


def text_frame(payload: bytes) -> bytes:
    """One unmasked websocket text frame, as a server sends it (payload < 126 bytes)."""
    assert len(payload) < 126
    return bytes([0x81, len(payload)]) + payload
