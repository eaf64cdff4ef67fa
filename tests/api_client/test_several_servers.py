"""One floor served by several backend processes: terminals spread over them, and failing over.

The PostgreSQL cases run three `floorline serve` processes on one schema
(skipped, with the reason, when no PostgreSQL answers: see `pg_url`).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from api_client import FloorClient, Link, ServerUnreachable
from domain.commands import AddNote
from tests.api_client.helpers import Seen, log_after, make_client, matches_server, online, until
from tests.backend.helpers import Terminal, command_id
from tests.conftest import BackendFactory, BackendProcess, free_port
from tests.reliability.test_proxy_answers import HTML_502, StandIn

NOTES = 1000
BATCH = 10  # commands per request
IN_FLIGHT = 8  # requests open at once on each process


async def three_processes(backend_factory: BackendFactory, pg_url: str) -> list[BackendProcess]:
    # one after another: the first loads the demo floor, the others find it
    first = backend_factory(db_url=pg_url)
    rest = [backend_factory(db_url=pg_url) for _ in range(2)]
    for server in rest:
        server.pins.update(first.pins)
    return [first, *rest]


async def reached(client: FloorClient, seq: int) -> None:
    await until(client, lambda: client.confirmed.seq >= seq, within=30, what=f"seq {seq}")


@contextlib.asynccontextmanager
async def clients(*made: FloorClient) -> AsyncIterator[None]:
    try:
        yield
    finally:
        for client in made:
            await client.close()


@pytest.mark.postgres
async def test_commands_through_three_processes_make_one_log_every_terminal_sees_alike(
    backend_factory: BackendFactory, pg_url: str, tmp_path: Path
) -> None:
    servers = await three_processes(backend_factory, pg_url)
    pin = servers[0].pins["dm1"]
    urls = [s.url for s in servers]
    # each terminal knows every process, and starts on a different one
    terminals = [
        make_client(urls[i:] + urls[:i], tmp_path / f"t{i}", terminal=f"t{i}") for i in range(3)
    ]
    async with clients(*terminals):
        for t in terminals:
            await t.sign_in("dm1", pin)
            await t.start()
            await online(t)
        assert [t.view.server for t in terminals] == urls
        start = max(t.confirmed.seq for t in terminals)
        for t in terminals:
            await reached(t, start)
        seen = [Seen(t) for t in terminals]

        senders = [await Terminal.sign_in(u, "dm2", servers[0].pins["dm2"]) for u in urls]
        ids = [command_id() for _ in range(NOTES)]
        gates = [asyncio.Semaphore(IN_FLIGHT) for _ in senders]

        async def send(first: int) -> list[int]:
            """Commands `first`.. in one batch (as a terminal's outbox sends them)."""
            process = first // BATCH % 3
            batch = [
                {
                    "command_id": ids[n],
                    "command": {"type": "add_note", "incident_id": 1 + n % 5, "text": f"n {n}"},
                }
                for n in range(first, first + BATCH)
            ]
            async with gates[process]:
                answer = await senders[process].http.post(
                    "/v1/commands/batch", json={"commands": batch}
                )
            assert answer.status_code == 200, answer.text
            results = answer.json()["results"]
            assert {r["status"] for r in results} == {"accepted"}
            return [r["seq"] for r in results]

        batches = await asyncio.gather(*(send(n) for n in range(0, NOTES, BATCH)))
        seqs = [seq for batch in batches for seq in batch]
        for sender in senders:
            await sender.close()

        log = await log_after(servers[0].url, "dm1", pin, start)
        # one gap-free log, each command in it once, whichever process took it
        assert [e["seq"] for e in log] == list(range(start + 1, start + 1 + len(log)))
        wanted = set(ids)
        noted = [e["command_id"] for e in log if e["command_id"] in wanted]
        assert sorted(noted) == sorted(ids)
        assert len(set(seqs)) == NOTES
        head = log[-1]["seq"]
        for t in terminals:
            await reached(t, head)
        for record in seen:
            record.stop()
        # every terminal saw every event, in the log's order, and never needed a snapshot
        order = [(e["seq"], e["command_id"]) for e in log]
        for record in seen:
            assert [(e.seq, e.command_id) for e in record.events][: len(order)] == order
            assert record.resets == 0
        assert terminals[0].confirmed.incidents == terminals[1].confirmed.incidents
        assert terminals[1].confirmed.incidents == terminals[2].confirmed.incidents


@pytest.mark.postgres
async def test_a_killed_process_s_terminals_fail_over_and_all_end_alike(
    backend_factory: BackendFactory, pg_url: str, tmp_path: Path
) -> None:
    servers = await three_processes(backend_factory, pg_url)
    a, b, c = servers
    pins = a.pins
    # two terminals on the process to be killed, one on a survivor
    placed = [("t-a1", "dm1", [a, b, c]), ("t-a2", "dm2", [a, b, c]), ("t-b", "dm1", [b, c, a])]
    terminals = [
        make_client([s.url for s in order], tmp_path / name, terminal=name)
        for name, _staff, order in placed
    ]
    a1, a2, on_b = terminals
    async with clients(*terminals):
        for t, (_name, staff, _order) in zip(terminals, placed, strict=True):
            await t.sign_in(staff, pins[staff])
            await t.start()
            await online(t)
        assert [t.view.server for t in terminals] == [a.url, a.url, b.url]
        seen = [Seen(t) for t in terminals]
        starts = [t.confirmed.seq for t in terminals]  # read as each `Seen` began
        queued = []
        for n in range(200):
            queued.append(await a1.submit(AddNote(incident_id=1 + n % 5, text=f"a1 {n}")))
            if n % 2:
                queued.append(await a2.submit(AddNote(incident_id=1 + n % 5, text=f"a2 {n}")))
            if n % 10 == 0:
                queued.append(await on_b.submit(AddNote(incident_id=1 + n % 5, text=f"b {n}")))
            if n == 80:
                a.kill()  # mid-drain: some sent, some in flight, some still queued
        assert not a.running

        for t in terminals:

            def drained(t: FloorClient = t) -> bool:  # bound now, as the loop moves on
                return t.status.link is Link.ONLINE and t.view.server != a.url and not t.pending

            await until(t, drained, within=30, what="online on a survivor, the outbox drained")
            assert not t.conflicts
        assert on_b.view.server == b.url  # its process never went away

        log = await log_after(b.url, "dm1", pins["dm1"], min(starts))
        ids = {p.command_id for p in queued}
        sent = [e["command_id"] for e in log if e["command_id"] in ids]
        assert len(sent) == len(ids) and set(sent) == ids  # each command once
        head = log[-1]["seq"]
        assert [e["seq"] for e in log] == list(range(min(starts) + 1, head + 1))
        for t, (_name, staff, _order) in zip(terminals, placed, strict=True):
            snap = await matches_server(t, b.url, staff, pins[staff])
            head = max(head, snap.seq)
        for t in terminals:
            await reached(t, head)
        for record in seen:
            record.stop()
        # every terminal ends at one seq with one floor, the server's
        assert {t.confirmed.seq for t in terminals} == {head}
        assert a1.confirmed.incidents == a2.confirmed.incidents == on_b.confirmed.incidents
        # each feed went on from where it was: every seq once, in order, no snapshot taken
        for record, first in zip(seen, starts, strict=True):
            assert [e.seq for e in record.events] == list(range(first + 1, head + 1))
            assert record.resets == 0


async def test_a_terminal_whose_first_server_is_down_works_through_the_next(
    backend: BackendProcess, tmp_path: Path
) -> None:
    down = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    terminal = make_client(f"{down}, {backend.url}/", tmp_path)
    async with clients(terminal):
        await terminal.sign_in("dm1", backend.pins["dm1"])
        await terminal.start()
        await online(terminal)
        assert terminal.view.server == backend.url
        await terminal.submit(AddNote(incident_id=1, text="through the second server"))
        await until(terminal, lambda: not terminal.pending, what="the note sent")
        await matches_server(terminal, backend.url, "dm1", backend.pins["dm1"])
    # the floor's files are named by the first address, whichever answered
    assert (tmp_path / "replicas" / f"127.0.0.1-{down.rsplit(':', 1)[1]}").is_dir()


async def test_a_server_answering_5xx_is_passed_over_for_the_next(
    backend: BackendProcess, tmp_path: Path
) -> None:
    gateway = StandIn(502, HTML_502, {"Content-Type": "text/html"})  # its backend gone
    await gateway.start()
    terminal = make_client([gateway.url, backend.url], tmp_path)
    try:
        async with clients(terminal):
            await terminal.sign_in("dm1", backend.pins["dm1"])
            await terminal.start()
            await online(terminal)
            assert terminal.view.server == backend.url
        assert gateway.requests == ["POST /v1/session HTTP/1.1"]  # asked once, then passed over
    finally:
        await gateway.close()


def test_a_server_list_with_a_bad_address_is_refused_in_words() -> None:
    with pytest.raises(
        ValueError, match=re.escape("'ftp://b.example' is not an http:// or https://")
    ):
        FloorClient("https://a.example,ftp://b.example")
    with pytest.raises(ValueError, match="no server address"):
        FloorClient(" , ")


async def test_with_every_server_down_sign_in_says_so_after_trying_each(tmp_path: Path) -> None:
    urls = [f"http://127.0.0.1:{free_port()}" for _ in range(2)]
    terminal = make_client(urls, tmp_path)
    async with clients(terminal):
        with pytest.raises(ServerUnreachable, match="cannot reach the server"):
            await terminal.sign_in("dm1", "0000")
