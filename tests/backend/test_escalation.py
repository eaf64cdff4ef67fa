"""Automatic escalation: one line at a time, on the policy's times, exactly once."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from backend.config import ServerConfig
from domain.policy import Policy
from tests.backend.helpers import Terminal, open_p1
from tests.backend.inprocess import FakeClock, serve_in_process
from tests.conftest import BackendFactory


def escalations(page: dict[str, Any], incident_id: int) -> list[tuple[int, float, bool]]:
    return [
        (e["data"]["line"], e["at"], e["data"]["auto"])
        for e in page["events"]
        if e["type"] == "escalated" and e["incident_id"] == incident_id
    ]


async def test_a_p1_climbs_l1_to_l4_at_the_policys_times(tmp_path: Path) -> None:
    clock = FakeClock(time.time())
    policy = Policy()
    config = ServerConfig(db_url=f"sqlite:///{tmp_path / 'floor.db'}", demo=True, clock=clock)
    async with serve_in_process(config) as server:
        dm = await Terminal.sign_in(server.url, "dm1", "3001")
        start = (await dm.snapshot())["seq"]
        t0 = clock()
        number = (await dm.accepted(open_p1(pit="2")))["incident_id"]
        tick = server.backend.scheduler.tick
        await tick(t0 + policy.escalation.l2 - 1)
        assert escalations(await dm.events(start), number) == []
        await tick(t0 + policy.escalation.l2)
        await tick(t0 + policy.escalation.l2 + 5)  # a later tick changes nothing
        await tick(t0 + policy.escalation.l3)
        await tick(t0 + policy.escalation.l4)
        await tick(t0 + policy.escalation.l4 + 3600)
        assert escalations(await dm.events(start), number) == [
            (2, t0 + policy.escalation.l2, True),
            (3, t0 + policy.escalation.l3, True),
            (4, t0 + policy.escalation.l4, True),
        ]
        # one that was never looked at for an hour still climbs one line at a time
        late = (await dm.accepted(open_p1(pit="3")))["incident_id"]
        await tick(t0 + policy.escalation.l4 + 2 * 3600)
        assert [line for line, _, _ in escalations(await dm.events(start), late)] == [2, 3, 4]
        snapshot = await dm.snapshot()
        assert snapshot["state"]["incidents"][str(number)]["line"] == 4
        await dm.close()


async def test_a_stabilised_incident_stops_climbing(tmp_path: Path) -> None:
    clock = FakeClock(time.time())
    config = ServerConfig(db_url=f"sqlite:///{tmp_path / 'floor.db'}", demo=True, clock=clock)
    async with serve_in_process(config) as server:
        pb = await Terminal.sign_in(server.url, "pb1", "1001")
        start = (await pb.snapshot())["seq"]
        number = (await pb.accepted(open_p1(pit="1")))["incident_id"]
        await pb.accepted(
            {
                "command_id": "stab-" + str(number) * 4,
                "command": {"type": "stabilise", "incident_id": number},
            }
        )
        await server.backend.scheduler.tick(clock() + 4 * 3600)
        assert escalations(await pb.events(start), number) == []
        await pb.close()


async def test_escalation_happens_exactly_once_across_a_crash(
    backend_factory: BackendFactory,
) -> None:
    server = backend_factory(policy_toml="[escalation]\nl2 = 1\nl3 = 2\nl4 = 3\n")
    pb = await Terminal.sign_in(server.url, "pb1", server.pins["pb1"])
    start = (await pb.snapshot())["seq"]
    async with pb.live(after=start) as feed:
        number = (await pb.accepted(open_p1(pit="1")))["incident_id"]
        await feed.wait_for(
            lambda e: (
                e["type"] == "escalated" and e["incident_id"] == number and e["data"]["line"] == 2
            )
        )
    server.kill()  # mid-way: L3 and L4 are still to come
    server.start()
    pb = await Terminal.sign_in(server.url, "pb1", server.pins["pb1"])
    async with pb.live(after=start) as feed:
        await feed.wait_for(
            lambda e: (
                e["type"] == "escalated" and e["incident_id"] == number and e["data"]["line"] == 4
            )
        )
    await pb.close()
    server.stop()
    path = server.db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT seq, json_extract(body, '$.data.line') FROM events "
            "WHERE type = 'escalated' AND incident_id = ? ORDER BY seq",
            (number,),
        ).fetchall()
        seqs = [seq for (seq,) in db.execute("SELECT seq FROM events ORDER BY seq")]
    assert [line for _, line in rows] == [2, 3, 4]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), "the log has no gap"
