"""The same key behaviour on PostgreSQL, including two processes sharing one log."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from backend.config import ServerConfig
from backend.storage import make_engine
from tests.backend.helpers import Terminal, note
from tests.backend.inprocess import serve_in_process
from tests.conftest import PG_URL, BackendFactory

pytestmark = pytest.mark.postgres


async def test_sign_in_snapshot_and_idempotent_commands(
    backend_factory: BackendFactory, pg_url: str
) -> None:
    server = backend_factory(db_url=pg_url)
    dm = await Terminal.sign_in(server.url, "dm1", server.pins["dm1"])
    snapshot = await dm.snapshot()
    assert snapshot["state"]["incidents"]
    envelope = note(1)
    first, second = await dm.command(envelope), await dm.command(envelope)
    assert first.json() == second.json() and first.json()["seq"] == snapshot["seq"] + 1
    assert [e["seq"] for e in (await dm.events(snapshot["seq"]))["events"]] == [snapshot["seq"] + 1]
    await dm.close()


async def test_two_processes_share_one_gap_free_log(
    backend_factory: BackendFactory, pg_url: str
) -> None:
    first = backend_factory(db_url=pg_url)
    second = backend_factory(db_url=pg_url)  # the floor is loaded: it keeps it
    a = await Terminal.sign_in(first.url, "dm1", first.pins["dm1"])
    b = await Terminal.sign_in(second.url, "dm2", first.pins["dm2"])
    start = (await a.snapshot())["seq"]
    assert (await b.snapshot())["seq"] == start
    async with b.live(after=start) as feed:
        assert (await feed.frame())["type"] == "hello"
        seqs = []
        for i in range(5):
            seqs.append((await a.accepted(note(1, f"from A {i}")))["seq"])
            seqs.append((await b.accepted(note(1, f"from B {i}")))["seq"])
        # the last one only A's process knows of: B learns of it by NOTIFY
        seqs.append((await a.accepted(note(1, "from A last")))["seq"])
        assert seqs == list(range(start + 1, start + 12))
        received = await feed.events_until(start + 11, within=5)
    # B's terminal saw A's events too, in order, once each
    assert [e["seq"] for e in received] == list(range(start + 1, start + 12))
    assert {e["data"]["text"][:6] for e in received} == {"from A", "from B"}
    for t in (a, b):
        await t.close()


async def listening(channel: str) -> set[int]:
    """The server pids of the connections LISTENing on `channel`."""
    conn = await asyncpg.connect(PG_URL)
    try:
        rows = await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE query = $1", f'LISTEN "{channel}"'
        )
    finally:
        await conn.close()
    return {row["pid"] for row in rows}


async def listening_besides(channel: str, known: set[int], what: str) -> set[int]:
    """Wait for a connection LISTENing on `channel` other than the `known` ones."""
    try:
        async with asyncio.timeout(15):
            # pg_stat_activity tells no one of a change: it is read again and again
            while not (new := await listening(channel) - known):  # noqa: ASYNC110
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None
    return new


async def test_a_process_whose_listen_connection_is_cut_listens_again(
    backend_factory: BackendFactory, pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    other = backend_factory(db_url=pg_url)  # loads the demo floor
    # the poll would come only in an hour: the event below can arrive only by NOTIFY
    config = ServerConfig(db_url=pg_url, poll_interval=3600.0)
    channel = make_engine(pg_url)[1]
    others = await listening(channel)
    assert others  # the other process listens too
    async with serve_in_process(config) as this:
        ours = await listening_besides(channel, others, "this process to LISTEN")
        admin = await asyncpg.connect(PG_URL)
        try:
            for pid in ours:
                assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
        finally:
            await admin.close()

        await listening_besides(channel, others | ours, "this process to LISTEN again")
        assert "LISTEN connection to PostgreSQL closed" in caplog.text
        assert "listening for other processes' events again" in caplog.text

        dm = await Terminal.sign_in(this.url, "dm1", other.pins["dm1"])
        there = await Terminal.sign_in(other.url, "dm2", other.pins["dm2"])
        head = (await dm.snapshot())["seq"]
        async with dm.live(after=head) as feed:
            assert (await feed.frame())["type"] == "hello"
            sent = await there.accepted(note(1, "told by NOTIFY"))
            received = await feed.events_until(sent["seq"], within=10)
        assert [e["seq"] for e in received] == [sent["seq"]]
        for t in (dm, there):
            await t.close()
