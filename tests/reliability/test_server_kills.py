"""SIGKILL the backend while terminals work: every command lands exactly once.

- A terminal drains 1,000 commands made offline while the backend is killed
  ten times under it: afterwards each command_id has exactly one event in the
  database, every stored result has its events, the log's seq has no gap,
  the outbox is empty and the terminal shows what the server has.
- The auto-escalation scheduler, on a policy with escalation times of
  seconds, is killed again and again mid-run: no incident climbs a line twice
  or skips one.

Both run on SQLite and on PostgreSQL (where one is reachable).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import sqlite3
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from api_client import Link
from domain import commands as c
from tests.api_client.helpers import make_client, matches_server, online, until
from tests.backend.helpers import Terminal
from tests.conftest import BackendFactory
from tests.reliability.conftest import Figure

KILLS = 10
NOTES = 900
ACKS = 100


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where the killed backend keeps its floor: a SQLite file or a fresh PG schema."""
    if request.param == "postgres":
        return str(request.getfixturevalue("pg_url"))
    return f"sqlite:///{tmp_path / 'floor.db'}"


@dataclass(frozen=True)
class StoredLog:
    events: list[tuple[int, int | None, str, dict[str, Any]]]  # seq, incident, type, body; in order
    head: int
    results: list[tuple[str, dict[str, Any]]]  # command_id, stored answer


async def read_log(db_url: str) -> StoredLog:
    """The event log, head and stored command results, straight from the database."""
    queries = (
        "SELECT seq, incident_id, type, body FROM events ORDER BY seq",
        "SELECT seq FROM meta",
        "SELECT command_id, result FROM commands",
    )
    if db_url.startswith("sqlite"):
        with sqlite3.connect(db_url.removeprefix("sqlite:///")) as db:
            rows = [db.execute(q).fetchall() for q in queries]
    else:
        conn = await asyncpg.connect(db_url)
        try:
            rows = [[tuple(r) for r in await conn.fetch(q)] for q in queries]
        finally:
            await conn.close()
    events, meta, results = rows
    return StoredLog(
        events=[(seq, inc, etype, json.loads(body)) for seq, inc, etype, body in events],
        head=meta[0][0],
        results=[(cid, json.loads(result)) for cid, result in results],
    )


def assert_log_whole(log: StoredLog) -> int:
    """The log has no gap, its head is its last event, and every stored result
    that says events were written has them, ending at the seq it names."""
    seqs = [seq for seq, *_ in log.events]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), "a gap in seq"
    assert log.head == seqs[-1]
    last_seq_of = {body["command_id"]: seq for seq, _, _, body in log.events}
    for cid, answer in log.results:
        if answer["status"] == "accepted" and answer["seq"]:
            assert last_seq_of.get(cid) == answer["seq"], f"{cid}: result without its events"
    return len(log.results)


@pytest.mark.slow
# ten restarts and a thousand commands: about a minute alone, several on a loaded machine
@pytest.mark.timeout(600)
async def test_a_thousand_offline_commands_survive_ten_kills_exactly_once(
    backend_factory: BackendFactory, db_url: str, tmp_path: Path, figure: Figure
) -> None:
    backend = backend_factory(db_url=db_url)
    pin = backend.pins["dm1"]
    lead = await Terminal.sign_in(backend.url, "dm1", pin)
    # fresh incidents to acknowledge: an acknowledgement changes something only once
    opened = await lead.http.post(
        "/v1/commands/batch",
        json={
            "commands": [
                {
                    "command_id": uuid.uuid4().hex,
                    "command": {
                        "type": "open_incident",
                        "kind": "machine_fault",
                        "priority": "P3",
                        "channel": "on_site",
                        "player": {"reference": f"LY-{n:04d}"},
                        "location": {"pit": "1", "spot": f"SL-{n}"},
                    },
                }
                for n in range(ACKS)
            ]
        },
    )
    fresh = [r["incident_id"] for r in opened.json()["results"]]
    await lead.close()

    client = make_client(backend.url, tmp_path)
    await client.sign_in("dm1", pin)
    await client.start()
    await online(client)
    await until(client, lambda: set(fresh) <= set(client.confirmed.incidents), what="incidents")
    busy = sorted(i.id for i in client.state.open_incidents())[:25]

    await asyncio.to_thread(backend.kill)
    await until(client, lambda: client.status.link is not Link.ONLINE, what="the drop")
    submitted: list[str] = []
    for n in range(NOTES):
        queued = await client.submit(c.AddNote(incident_id=busy[n % 25], text=f"offline {n}"))
        submitted.append(queued.command_id)
        if n % 9 == 0 and fresh:
            ack = await client.submit(c.Acknowledge(incident_id=fresh.pop()))
            submitted.append(ack.command_id)
    assert len(submitted) == NOTES + ACKS and len(client.pending) == NOTES + ACKS

    rng = random.Random(7)
    pending_at_kill: list[int] = []
    started = time.monotonic()
    for _ in range(KILLS):
        await asyncio.to_thread(backend.start)
        before = len(client.pending)
        # kill the moment a batch has gone through (the next is then on its way),
        # or at a random point before that: mid-reconnect, mid-request
        with contextlib.suppress(AssertionError):  # the random point came first

            def batch_gone(b: int = before) -> bool:  # bound now, as the loop moves on
                return len(client.pending) != b

            await until(client, batch_gone, within=rng.uniform(0.05, 0.5))
        pending_at_kill.append(len(client.pending))
        await asyncio.to_thread(backend.kill)
    await asyncio.to_thread(backend.start)
    await until(client, lambda: not client.pending, what="the outbox to drain", within=60)
    drained_in = time.monotonic() - started
    assert client.conflicts == ()
    await matches_server(client, backend.url, "dm1", pin)
    await client.close()
    await asyncio.to_thread(backend.stop)

    log = await read_log(db_url)
    effects = Counter(body["command_id"] for *_, body in log.events)
    results = assert_log_whole(log)
    once = [cid for cid in submitted if effects[cid] == 1]
    assert len(once) == len(submitted), {
        "none": sum(1 for cid in submitted if effects[cid] == 0),
        "twice or more": sum(1 for cid in submitted if effects[cid] > 1),
    }
    figure("backend SIGKILLs during the drain", KILLS)
    figure("commands still queued at each kill", pending_at_kill)
    figure("commands checked exactly once", len(once))
    figure("stored command results checked", results)
    figure("seconds from first restart to an empty outbox", round(drained_in, 1))
    # a kill follows each batch as it lands, or comes sooner; a fast drain can
    # empty the outbox before the last few, which then test nothing, so at least
    # half must have cut into it
    hits = sum(1 for p in pending_at_kill if p > 0)
    assert hits >= KILLS // 2, f"only {hits} of {KILLS} kills found commands still queued"


ESCALATION_POLICY = (
    "[escalation]\nl2 = 2\nl3 = 4\nl4 = 6\n[payments_escalation]\nl2 = 2\nl3 = 4\nl4 = 6\n"
)


@pytest.mark.slow
async def test_the_scheduler_killed_mid_run_never_escalates_twice_or_skips_a_line(
    backend_factory: BackendFactory, db_url: str, figure: Figure
) -> None:
    server = backend_factory(policy_toml=ESCALATION_POLICY, db_url=db_url)
    pb = await Terminal.sign_in(server.url, "dm1", server.pins["dm1"])
    opened = await pb.http.post(
        "/v1/commands/batch",
        json={
            "commands": [
                {
                    "command_id": uuid.uuid4().hex,
                    "command": {
                        "type": "open_incident",
                        "kind": "table_dispute" if n % 3 else "failed_transfer",
                        "priority": "P1",
                        "channel": "on_site",
                        "player": {"reference": f"VV-{n:04d}", "tier": "vvip"},
                        "location": {"pit": "1", "spot": f"BJ-{n}"},
                    },
                }
                for n in range(60)
            ]
        },
    )
    mine = {r["incident_id"] for r in opened.json()["results"]}
    await pb.close()
    rng = random.Random(11)
    kills = 0
    ends = time.monotonic() + 7.5  # past L4 (6 s) for every one of them
    while time.monotonic() < ends:
        await asyncio.sleep(rng.uniform(0.1, 0.6))
        await asyncio.to_thread(server.kill)
        kills += 1
        await asyncio.to_thread(server.start)
    await asyncio.sleep(2.5)  # the last ticks: whatever is due now is done
    await asyncio.to_thread(server.stop)

    ladders: dict[int, list[int]] = defaultdict(list)
    opening: dict[int, int] = {}
    log = await read_log(db_url)
    for _, incident_id, etype, body in log.events:
        if incident_id is None:
            continue
        if etype == "incident_opened":
            opening[incident_id] = body["data"]["incident"]["line"]
        elif etype == "escalated":
            ladders[incident_id].append(body["data"]["line"])
    assert_log_whole(log)
    climbed = 0
    for number in mine:
        steps = ladders[number]
        expected = list(range(opening[number] + 1, 5))
        assert steps == expected, f"#{number} opened at L{opening[number]}, then {steps}"
        climbed += len(steps)
    # the demo floor's own open incidents climbed under the same kills
    for number, steps in ladders.items():
        assert steps == sorted(set(steps)), f"#{number}: {steps}"
        assert steps == list(range(steps[0], steps[0] + len(steps))), f"#{number} skipped: {steps}"
    figure("scheduler SIGKILLs", kills)
    figure("incidents checked", len(ladders))
    figure("line steps checked", sum(len(s) for s in ladders.values()))
    figure("line steps of the incidents opened for the test", climbed)
