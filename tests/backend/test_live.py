"""The live feed: replay after N, then live events, with no gap or duplicate; resync."""

from __future__ import annotations

import asyncio

import pytest
from websockets.exceptions import ConnectionClosed

from domain.protocol import CLOSE_RESYNC
from tests.backend.helpers import Terminal, note
from tests.conftest import BackendFactory, BackendProcess


async def test_replay_after_n_then_live_events_in_order(backend: BackendProcess) -> None:
    dm = await Terminal.sign_in(backend.url, "dm1", backend.pins["dm1"])
    snapshot = await dm.snapshot()
    start = snapshot["seq"]
    for i in range(3):
        await dm.accepted(note(1, f"before connecting {i}"))
    async with dm.live(after=start, epoch=snapshot["epoch"]) as feed:
        hello = await feed.frame()
        assert hello["type"] == "hello" and hello["head"] == start + 3
        assert hello["me"]["id"] == "dm1" and hello["epoch"] == snapshot["epoch"]
        replayed = await feed.events_until(start + 3)
        assert [e["seq"] for e in replayed] == [start + 1, start + 2, start + 3]
        assert replayed[0]["data"]["text"] == "before connecting 0"
        await dm.accepted(note(2, "while connected"))
        live = await feed.events_until(start + 4)
        assert [(e["seq"], e["data"]["text"]) for e in live] == [(start + 4, "while connected")]
    await dm.close()


async def test_terminals_resuming_together_each_get_their_whole_backlog(
    backend: BackendProcess,
) -> None:
    dm = await Terminal.sign_in(backend.url, "dm1", backend.pins["dm1"])
    snapshot = await dm.snapshot()
    start = snapshot["seq"]
    for i in range(12):
        await dm.accepted(note(1, f"while they were away {i}"))

    async def resume(after: int) -> list[int]:
        async with dm.live(after=after, epoch=snapshot["epoch"]) as feed:
            assert (await feed.frame())["type"] == "hello"
            return [e["seq"] for e in await feed.events_until(start + 12)]

    # as after a restart: everyone reconnects at once, each from its own seq
    starts = [start + n % 12 for n in range(40)]
    backlogs = await asyncio.gather(*(resume(after) for after in starts))
    for after, seqs in zip(starts, backlogs, strict=True):
        assert seqs == list(range(after + 1, start + 13))
    await dm.close()


async def test_no_gap_or_duplicate_when_connecting_during_a_burst(backend: BackendProcess) -> None:
    writer = await Terminal.sign_in(backend.url, "dm2", backend.pins["dm2"])
    reader = await Terminal.sign_in(backend.url, "admin", backend.pins["admin"])
    start = (await reader.snapshot())["seq"]

    async def burst() -> None:
        for i in range(60):
            await writer.accepted(note(1 + i % 3, f"burst {i}"))

    task = asyncio.create_task(burst())
    await writer.accepted(note(1, "first"))  # the burst is under way
    async with reader.live(after=start) as feed:
        assert (await feed.frame())["type"] == "hello"
        await task
        received = await feed.events_until(start + 61)
    assert [e["seq"] for e in received] == list(range(start + 1, start + 62))
    for t in (writer, reader):
        await t.close()


async def test_a_seq_older_than_the_retained_log_means_resync(
    backend_factory: BackendFactory,
) -> None:
    server = backend_factory(retain_events=5)
    dm = await Terminal.sign_in(server.url, "dm1", server.pins["dm1"])
    snapshot = await dm.snapshot()
    async with dm.live(after=1) as feed:
        resync = await feed.frame()
        assert resync["type"] == "resync" and "older than the retained log" in resync["reason"]
        assert resync["head"] == snapshot["seq"] and resync["epoch"] == snapshot["epoch"]
        with pytest.raises(ConnectionClosed) as closed:
            await feed.frame()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == CLOSE_RESYNC
    page = await dm.http.get("/v1/events", params={"after": 1})
    assert page.status_code == 410 and page.json()["type"] == "resync"
    # the head itself is still fine: the newest events are retained
    async with dm.live(after=snapshot["seq"] - 2) as feed:
        assert (await feed.frame())["type"] == "hello"
        assert [e["seq"] for e in await feed.events_until(snapshot["seq"])] == [
            snapshot["seq"] - 1,
            snapshot["seq"],
        ]
    await dm.close()


async def test_a_different_epoch_means_resync(backend: BackendProcess) -> None:
    dm = await Terminal.sign_in(backend.url, "dm1", backend.pins["dm1"])
    snapshot = await dm.snapshot()
    async with dm.live(after=snapshot["seq"], epoch="another-log") as feed:
        resync = await feed.frame()
        assert resync["type"] == "resync" and resync["epoch"] == snapshot["epoch"]
        with pytest.raises(ConnectionClosed) as closed:
            await feed.frame()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == CLOSE_RESYNC
    await dm.close()


async def test_garbage_from_a_terminal_is_ignored_not_fatal(backend: BackendProcess) -> None:
    dm = await Terminal.sign_in(backend.url, "dm1", backend.pins["dm1"])
    start = (await dm.snapshot())["seq"]
    async with dm.live(after=start) as feed:
        assert (await feed.frame())["type"] == "hello"
        await feed.ws.send("{not json")
        await feed.ws.send(b"\x00\x01binary")
        await dm.accepted(note(1, "still here"))
        [event] = await feed.events_until(start + 1)
        assert event["data"]["text"] == "still here"
    await dm.close()


async def test_the_log_survives_a_crash_and_restart(backend: BackendProcess) -> None:
    dm = await Terminal.sign_in(backend.url, "dm1", backend.pins["dm1"])
    before = await dm.snapshot()
    result = await dm.accepted(note(1, "durable before the answer"))
    await dm.close()
    backend.kill()
    backend.start()
    dm = await Terminal.sign_in(backend.url, "dm1", backend.pins["dm1"])
    after = await dm.snapshot()
    assert after["epoch"] == before["epoch"] and after["seq"] == result["seq"]
    timeline = after["state"]["incidents"]["1"]["timeline"]
    assert timeline[-1]["text"] == "durable before the answer"
    await dm.close()
