"""The same key behaviour on PostgreSQL, including two processes sharing one log."""

from __future__ import annotations

import pytest

from tests.backend.helpers import Terminal, note
from tests.conftest import BackendFactory

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
