"""What a proxy says while the backend is away, and an event that does not fit: none stops sync.

HTTP goes through a cutting proxy (`Cutter`) to the real backend, or, for a
while, to a stand-in that answers everything with one HTTP status, as a
load balancer or a captive portal does when the backend is gone: a 426, 404
or 502 page instead of the websocket upgrade, a 429 with `Retry-After`, a
404 or 400 to the outbox drain. A hostile live feed sends an event whose
data does not fit its type. The terminal must keep its commands, keep
retrying with backoff, never sign out, and end up equal to the server.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve

from api_client import FloorClient, Link
from domain import commands as c
from tests.api_client.helpers import StatusLog, make_client, matches_server, online, until
from tests.backend.helpers import Terminal
from tests.conftest import BackendProcess
from tests.reliability.conftest import Figure
from tests.reliability.cutter import Cutter

HTML_502 = b"<html><body><h1>502 Bad Gateway</h1>upstream gone</body></html>"


class StandIn:
    """Answers every HTTP request with one status and body, and notes the request lines."""

    def __init__(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.status = status
        self.body = body
        self.headers = headers
        self.requests: list[str] = []
        self.times: list[tuple[float, str]] = []  # (monotonic time, request line)
        self.url = ""
        self._seen = asyncio.Event()
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def wait_for(self, needle: str, count: int = 1, within: float = 20.0) -> None:
        async with asyncio.timeout(within):
            while sum(needle in r for r in self.requests) < count:
                self._seen.clear()
                await self._seen.wait()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                (
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ),
                0,
            )
            if length:
                await reader.readexactly(length)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        self.requests.append(head.split(b"\r\n", 1)[0].decode())
        self.times.append((time.monotonic(), self.requests[-1]))
        self._seen.set()
        extra = "".join(f"{k}: {v}\r\n" for k, v in self.headers.items())
        writer.write(
            f"HTTP/1.1 {self.status} Stand-in\r\nContent-Length: {len(self.body)}\r\n"
            f"{extra}Connection: close\r\n\r\n".encode()
            + self.body
        )
        try:
            await writer.drain()
        finally:
            writer.close()


@asynccontextmanager
async def stand_in(status: int, body: bytes, **headers: str) -> AsyncIterator[StandIn]:
    server = StandIn(status, body, {"Content-Type": "text/html", **headers})
    await server.start()
    try:
        yield server
    finally:
        await server.close()


@pytest.mark.parametrize(
    ("status", "body"),
    [(426, b"Upgrade Required"), (404, b"<html>Not Found</html>"), (502, HTML_502)],
)
async def test_a_live_path_answering_plain_http_is_retried_until_the_server_returns(
    backend: BackendProcess, tmp_path: Path, status: int, body: bytes, figure: Figure
) -> None:
    async with stand_in(status, body) as proxy:
        router = Cutter(backend.url, live_target=proxy.url)
        await router.start()
        client = make_client(router.url, tmp_path)
        await client.sign_in("dm1", backend.pins["dm1"])
        log = StatusLog(client)
        await client.start()
        await proxy.wait_for("/v1/live", count=3)  # tried again, and again
        await until(
            client,
            lambda: f"live feed refused: HTTP {status} from the server" in client.status.detail,
            what="the refusal in the status",
        )
        assert client.status.link is Link.OFFLINE
        assert client.status.next_try_at is not None  # still trying, and says when
        attempts = [s.attempt for s in log.seen if s.link is Link.OFFLINE]
        assert max(attempts) >= 2, attempts  # the backoff climbs

        router.live_target = None  # the backend is back behind the proxy
        router.cut()
        await online(client, within=20)
        await matches_server(client, backend.url, "dm1", backend.pins["dm1"])
        log.stop()
        assert Link.SIGNED_OUT not in log.links()
        figure(f"live-path HTTP {status} answers before the server returned", len(proxy.requests))
        await client.close()
        await router.close()


@pytest.mark.parametrize(
    ("status", "body", "headers"),
    [
        (429, b"<html>slow down</html>", {"Retry-After": "1"}),
        (404, json.dumps({"detail": "Not Found"}).encode(), {"Content-Type": "application/json"}),
        (400, b"<html>400 Bad Request</html>", {}),
    ],
)
async def test_a_proxy_answer_during_a_drain_keeps_the_commands_for_once_the_server_is_back(
    backend: BackendProcess,
    tmp_path: Path,
    status: int,
    body: bytes,
    headers: dict[str, str],
    figure: Figure,
) -> None:
    router = Cutter(backend.url)
    await router.start()
    client = make_client(router.url, tmp_path)
    await client.sign_in("dm1", backend.pins["dm1"])
    await client.start()
    await online(client)
    number = min(client.state.incidents)
    async with stand_in(status, body, **headers) as proxy:
        router.target = router.live_target = proxy.url  # the backend goes; the proxy stays
        router.cut()
        await until(client, lambda: client.status.link is not Link.ONLINE, what="the link gone")
        texts = [f"proxy note {n}" for n in range(5)]
        for text in texts:
            await client.submit(c.AddNote(incident_id=number, text=text))
        await proxy.wait_for("POST /v1/commands/batch")
        await proxy.wait_for("GET /v1/time", count=3)  # the probe keeps trying too
        assert len(client.pending) == 5 and client.conflicts == ()
        assert f"HTTP {status}" in client.status.detail
        if status == 429:
            # each retry waits at least as long as the server asked (the backoff's cap is 0.5 s)
            probes = [at for at, line in proxy.times if line.startswith("GET /v1/time")]
            gaps = [b - a for a, b in pairwise(probes)]
            assert min(gaps) >= 0.9, gaps
        tried = len(proxy.requests)

    router.target = backend.url
    router.live_target = None
    router.cut()
    await online(client, within=20)
    await until(client, lambda: not client.pending, what="the outbox to drain", within=20)
    assert client.conflicts == ()
    await matches_server(client, backend.url, "dm1", backend.pins["dm1"])
    dm = await Terminal.sign_in(backend.url, "dm1", backend.pins["dm1"])
    page = await dm.events(0)
    notes = [e["data"]["text"] for e in page["events"] if e["type"] == "note_added"]
    assert sorted(t for t in notes if t.startswith("proxy note")) == texts  # exactly once each
    await dm.close()
    figure(f"HTTP {status} answers while the backend was away", tried)
    await client.close()
    await router.close()


async def bad_payload_feed(
    ws: ServerConnection, snapshot: dict[str, Any], forged: dict[str, Any]
) -> None:
    """A hello, then a frame whose second event has data that does not fit its type."""
    head = snapshot["seq"]
    hello = {
        "type": "hello",
        "epoch": snapshot["epoch"],
        "head": head,
        "server_time": time.time(),
        "me": snapshot["me"],
    }
    note = {**forged, "seq": head + 1, "type": "note_added", "data": {"text": "forged"}}
    poison = {**forged, "seq": head + 2, "type": "assigned", "data": {}}
    await ws.send(json.dumps(hello))
    frame = {"type": "events", "events": [note, poison], "server_time": time.time()}
    await ws.send(json.dumps(frame))
    await ws.wait_closed()


async def test_an_event_that_does_not_fit_its_type_costs_a_snapshot_not_the_link(
    backend: BackendProcess, tmp_path: Path, caplog: pytest.LogCaptureFixture, figure: Figure
) -> None:
    caplog.set_level(logging.WARNING, logger="api_client")
    dm = await Terminal.sign_in(backend.url, "dm1", backend.pins["dm1"])
    snapshot = await dm.snapshot()
    forged = (await dm.events(snapshot["seq"] - 1))["events"][-1]
    played = 0

    async def handle(ws: ServerConnection) -> None:
        nonlocal played
        played += 1
        await bad_payload_feed(ws, snapshot, forged)

    async with serve(handle, "127.0.0.1", 0, ping_interval=None) as hostile:
        port = hostile.sockets[0].getsockname()[1]
        router = Cutter(backend.url, live_target=f"http://127.0.0.1:{port}")
        await router.start()
        client: FloorClient = make_client(router.url, tmp_path)
        await client.sign_in("dm1", backend.pins["dm1"])
        log = StatusLog(client)
        await client.start()
        await until(client, lambda: client.status.bad_events >= 1, what="the bad event counted")
        router.live_target = None  # the real feed again
        router.cut()
        # meanwhile the floor moved on
        number = forged["incident_id"] or min(int(k) for k in snapshot["state"]["incidents"])
        await dm.accepted(
            {
                "command_id": "proxy-bad-event-0001",
                "command": {"type": "add_note", "incident_id": number, "text": "after"},
            }
        )
        await online(client, within=20)
        await matches_server(client, backend.url, "dm1", backend.pins["dm1"])
        log.stop()
        assert Link.SIGNED_OUT not in log.links()
        bad = client.status.bad_events
        assert 1 <= bad <= played
        assert client.status.bad_events_words.endswith("skipped; took a fresh snapshot")
        # nothing of the frame was kept: not even the note before the bad event
        assert all(
            entry.text != "forged" for i in client.state.incidents.values() for entry in i.timeline
        )
        await client.close()
        await router.close()
    await dm.close()
    logged = [r for r in caplog.records if f"bad event {snapshot['seq'] + 2}" in r.getMessage()]
    assert logged, "the bad event was not logged with its seq"
    figure("bad events skipped, each for a fresh snapshot", bad)
