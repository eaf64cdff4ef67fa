"""A hostile live feed against the real client: it logs, skips, backs off, and recovers.

HTTP goes to the real backend; /v1/live is routed to a small websockets
server written here that, one connection after another, sends garbage,
binary frames, events before the hello, a seq gap, stale and reversed
events, an unknown event type, a clock a year ahead, a 17 MiB frame, a hello
from another event log, and finally just accepts and hangs up. Then the
real feed comes back: the terminal must be ONLINE with exactly the server's
floor, its clock sane, having never signed out or crashed, and without
hammering the hostile server.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve

from api_client import Link
from tests.api_client.helpers import make_client, matches_server, online
from tests.backend.helpers import Terminal
from tests.conftest import BackendProcess
from tests.reliability.conftest import Figure
from tests.reliability.cutter import Cutter

YEAR = 365 * 24 * 3600.0
HANG_UP_PHASE = 3.0  # seconds of accept-and-hang-up at the end

Script = Callable[[ServerConnection], Awaitable[int]]


class HostileFeed:
    """Plays one script per connection, in order; then accepts and hangs up, forever."""

    def __init__(self, snapshot: dict[str, Any], events: list[dict[str, Any]]) -> None:
        self.epoch = snapshot["epoch"]
        self.head = snapshot["seq"]
        self.me = snapshot["me"]
        self.sample = events[-1]  # a real event, to forge from
        self.connections = 0
        self.frames_sent = 0
        self.scripts: list[tuple[str, Script]] = [
            ("garbage", self.garbage),
            ("events before the hello", self.events_before_hello),
            ("a seq gap", self.gap),
            ("stale and reversed events", self.stale),
            ("an unknown event type", self.unknown_type),
            ("a clock a year ahead", self.future_clock),
            ("a 17 MiB frame", self.oversized),
            ("a hello from another event log", self.other_epoch),
        ]
        self.played: list[str] = []
        self.scripted = asyncio.Event()  # every script has been played

    def hello(self, **override: Any) -> str:
        body = {
            "type": "hello",
            "epoch": self.epoch,
            "head": self.head,
            "server_time": time.time(),
            "me": self.me,
        }
        return json.dumps({**body, **override})

    def event(self, seq: int, **override: Any) -> dict[str, Any]:
        forged = copy.deepcopy(self.sample)
        forged.update(seq=seq, **override)
        return forged

    def frame(self, events: list[dict[str, Any]], server_time: Any = None) -> str:
        stamp = time.time() if server_time is None else server_time
        return json.dumps({"type": "events", "events": events, "server_time": stamp})

    async def handle(self, ws: ServerConnection) -> None:
        self.connections += 1
        if self.scripts:
            name, script = self.scripts.pop(0)
            self.played.append(name)
            self.frames_sent += await script(ws)
            if not self.scripts:
                self.scripted.set()
        await ws.close(1011, "hostile")

    async def send_all(self, ws: ServerConnection, frames: list[str | bytes]) -> int:
        for frame in frames:
            await ws.send(frame)
        await asyncio.sleep(0.3)  # let the terminal read them before we go
        return len(frames)

    async def garbage(self, ws: ServerConnection) -> int:
        return await self.send_all(
            ws,
            [
                "not json at all",
                b"\x00\xff\x89PNG binary",
                '{"type": "hello"}',
                '{"type": "party", "server_time": 1}',
                "[]",
                "null",
                '{"type": "events", "events": "many", "server_time": 1}',
                '{"type": "events", "events": [], "server_time": "soon"}',
                "{" * 5000,
            ],
        )

    async def events_before_hello(self, ws: ServerConnection) -> int:
        return await self.send_all(ws, [self.frame([self.event(self.head + 1)])])

    async def gap(self, ws: ServerConnection) -> int:
        return await self.send_all(ws, [self.hello(), self.frame([self.event(self.head + 3)])])

    async def stale(self, ws: ServerConnection) -> int:
        old = [self.event(self.head), self.event(self.head - 1)]
        return await self.send_all(ws, [self.hello(), self.frame(old), self.frame(old[::-1])])

    async def unknown_type(self, ws: ServerConnection) -> int:
        return await self.send_all(
            ws, [self.hello(), self.frame([self.event(self.head + 1, type="meteor_strike")])]
        )

    async def future_clock(self, ws: ServerConnection) -> int:
        return await self.send_all(
            ws,
            [
                self.hello(server_time=time.time() + YEAR),
                self.frame([], server_time=float("nan")),
                self.frame([], server_time=-1),
                self.frame([], server_time=1e308),
            ],
        )

    async def oversized(self, ws: ServerConnection) -> int:
        return await self.send_all(ws, [self.hello(), "x" * (17 * 2**20)])

    async def other_epoch(self, ws: ServerConnection) -> int:
        return await self.send_all(ws, [self.hello(epoch="forged-epoch", head=self.head + 50)])


@pytest.mark.slow
async def test_the_client_survives_a_hostile_feed_and_recovers(
    backend: BackendProcess, tmp_path: Path, figure: Figure, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="api_client")
    dm = await Terminal.sign_in(backend.url, "dm1", backend.pins["dm1"])
    snapshot = await dm.snapshot()
    events = (await dm.events(snapshot["seq"] - 5))["events"]
    hostile = HostileFeed(snapshot, events)
    async with serve(
        hostile.handle, "127.0.0.1", 0, max_size=None, ping_interval=None
    ) as ws_server:
        port = ws_server.sockets[0].getsockname()[1]
        router = Cutter(backend.url, live_target=f"http://127.0.0.1:{port}")
        await router.start()
        client = make_client(router.url, tmp_path)
        statuses: list[Link] = []
        await client.sign_in("dm1", backend.pins["dm1"])
        changes = client.changes()

        async def watch() -> None:
            async for change in changes:
                if change.status:
                    statuses.append(client.status.link)

        watcher = asyncio.create_task(watch())
        await client.start()
        await asyncio.wait_for(hostile.scripted.wait(), 30)
        scripted_at = hostile.connections
        await asyncio.sleep(HANG_UP_PHASE)
        hang_ups = hostile.connections - scripted_at

        # the real feed returns; meanwhile the floor moved on
        await dm.accepted(
            {
                "command_id": "rel-hostile-0001",
                "command": {
                    "type": "add_note",
                    "incident_id": events[-1]["incident_id"] or 1,
                    "text": "back",
                },
            }
        )
        router.live_target = None
        router.cut()
        await online(client, within=20)
        await matches_server(client, backend.url, "dm1", backend.pins["dm1"])
        assert abs(client.now() - time.time()) < 2.0, "the clock kept a hostile stamp"
        watcher.cancel()
        await client.close()
        await router.close()
    await dm.close()

    skipped = [r for r in caplog.records if "malformed live frame skipped" in r.getMessage()]
    figure("hostile scripts played", len(hostile.played))
    figure("hostile frames sent", hostile.frames_sent)
    figure("malformed frames the client logged and skipped", len(skipped))
    figure("reconnects during the hang-up phase", hang_ups)
    assert hostile.played == [name for name, _ in HostileFeed(snapshot, events).scripts]
    assert Link.SIGNED_OUT not in statuses, "a hostile feed signed the terminal out"
    assert len(skipped) >= 9  # every garbage frame, the unknown type, the bad clocks
    # backoff with a 0.5 s cap: a few a second at most, not hundreds
    assert hang_ups <= HANG_UP_PHASE * 8, hang_ups
