"""Fifty forced drops of every live feed while another terminal keeps the floor busy.

Two terminals (a duty manager who sees everything, a host who sees their
players and placeholders for the rest) follow the feed through a proxy that
aborts every connection fifty times. A third terminal, directly connected,
adds notes throughout. At the end each terminal's confirmed state is the
server's snapshot at the same seq, and the events each applied run
seq by seq with no gap and no duplicate.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from pathlib import Path

import pytest

from api_client import FloorClient
from domain.commands import AddNote
from tests.api_client.helpers import make_client, matches_server, online
from tests.backend.helpers import Terminal, note
from tests.conftest import BackendProcess
from tests.reliability.conftest import Figure
from tests.reliability.cutter import Cutter

DROPS = 50
WATCHERS = ("dm1", "h1")


class Applied:
    """What a terminal applied from the feed, event by event, as it reported it."""

    def __init__(self, client: FloorClient) -> None:
        self.seqs: list[int] = []
        self.resets = 0
        self._changes = client.changes()
        self._task = asyncio.create_task(self._record())

    async def _record(self) -> None:
        async for change in self._changes:
            self.seqs.extend(e.seq for e in change.events)
            self.resets += change.reset

    async def stop(self) -> None:
        await asyncio.sleep(0)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


@pytest.mark.slow
async def test_fifty_drops_end_with_the_servers_exact_state(
    backend: BackendProcess, tmp_path: Path, figure: Figure
) -> None:
    cutter = Cutter(backend.url)
    await cutter.start()
    clients: dict[str, FloorClient] = {}
    for staff in WATCHERS:
        client = make_client(cutter.url, tmp_path / staff)
        await client.sign_in(staff, backend.pins[staff])
        await client.start()
        await online(client)
        clients[staff] = client
    start = {s: c.confirmed.seq for s, c in clients.items()}
    applied = {s: Applied(c) for s, c in clients.items()}

    writer = await Terminal.sign_in(backend.url, "dm2", backend.pins["dm2"])
    targets = sorted(int(i) for i in (await writer.snapshot())["state"]["incidents"])[:10]
    written = 0
    stop_writing = asyncio.Event()

    async def write() -> None:
        nonlocal written
        while not stop_writing.is_set():
            await writer.accepted(note(targets[written % 10], f"busy floor {written}"))
            written += 1
            await asyncio.sleep(0.01)

    writing = asyncio.create_task(write())
    rng = random.Random(50)
    started = time.monotonic()
    own_notes: list[str] = []
    for n in range(DROPS):
        await cutter.wait_live(len(WATCHERS))
        if n % 2 == 0:  # the duty manager works too: its sends get cut as well
            own_notes.append(f"dm1 through the drops {n}")
            await clients["dm1"].submit(AddNote(incident_id=targets[n % 10], text=own_notes[-1]))
        await asyncio.sleep(rng.uniform(0, 0.1))  # events flowing, maybe mid-frame
        cutter.cut()
    stop_writing.set()
    await writing
    elapsed = time.monotonic() - started

    for staff, client in clients.items():
        snapshot = await matches_server(client, backend.url, staff, backend.pins[staff])
        await applied[staff].stop()
        seqs = applied[staff].seqs
        assert applied[staff].resets == 0, f"{staff} had to start over from a snapshot"
        assert len(seqs) == len(set(seqs)), f"{staff} applied an event twice"
        assert seqs == list(range(start[staff] + 1, snapshot.seq + 1)), f"{staff}: a gap"
        assert client.conflicts == () and not client.pending
        if staff == "dm1":
            texts = [entry.text for i in targets for entry in snapshot.state.incidents[i].timeline]
            assert all(texts.count(t) == 1 for t in own_notes), "a command applied twice"
    figure("forced drops (every live feed each time)", DROPS)
    figure("live connections dropped", cutter.live_drops)
    figure("events written during the drops", written)
    figure("commands sent through the drops, each applied once", len(own_notes))
    figure("seconds for the drops", round(elapsed, 1))
    assert cutter.live_drops >= DROPS * len(WATCHERS)
    for client in clients.values():
        await client.close()
    await writer.close()
    await cutter.close()
