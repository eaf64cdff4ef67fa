"""A flaky link between terminal and backend: cut replays, hang-ups, a host walking offline."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

from api_client import Link, MemoryTokenStore
from domain import commands as c
from domain.models import IncidentState
from tests.api_client.flaky_link import FlakyLink
from tests.api_client.helpers import (
    StatusLog,
    make_client,
    matches_server,
    online,
    server_snapshot,
    signed_in_client,
    until,
)
from tests.conftest import BackendFactory, BackendProcess


def after_of(request_line: str) -> int:
    target = request_line.split(" ")[1]
    return int(parse_qs(urlsplit(target).query)["after"][0])


async def test_a_replay_cut_midway_resumes_with_no_gap_and_no_duplicate(
    backend: BackendProcess, link: FlakyLink, tmp_path: Path
) -> None:
    pin = backend.pins["dm1"]
    store = MemoryTokenStore()
    terminal = await signed_in_client(link.url, tmp_path, "dm1", pin, token_store=store)
    start_seq = terminal.confirmed.seq
    await terminal.close()

    # while that terminal is off, the floor moves on by 2,000 events
    busy = await signed_in_client(backend.url, tmp_path / "busy", "dm1", pin)
    targets = sorted(busy.state.incidents)[:30]
    for n in range(2000):
        await busy.submit(c.AddNote(incident_id=targets[n % 30], text=f"busy {n}"))
    await until(busy, lambda: not busy.pending, what="the busy terminal to drain", within=60)
    head = busy.confirmed.seq
    await busy.close()

    # the server replays in frames of a few hundred events (~100 kB): cut each of
    # the first two connections in the middle of a frame
    link.cut_live_after = 160_000
    link.cuts_left = 2
    link.live_requests.clear()
    terminal = make_client(link.url, tmp_path, token_store=store)
    assert await terminal.restore("dm1") is not None
    applied: list[int] = []
    changes = terminal.changes()

    async def record() -> None:
        async for change in changes:
            applied.extend(e.seq for e in change.events)

    recorder = asyncio.create_task(record())
    await terminal.start()
    await until(terminal, lambda: terminal.confirmed.seq >= head, what="the replay", within=30)
    await matches_server(terminal, backend.url, "dm1", pin)
    await asyncio.sleep(0)  # let the recorder take the last notice
    recorder.cancel()

    assert link.cuts == 2
    resumed_from = [after_of(line) for line in link.live_requests]
    assert resumed_from[0] == start_seq
    # every reconnect asked for what came after the last event really applied
    assert len(resumed_from) == 3
    assert all(b > a for a, b in itertools.pairwise(resumed_from)), resumed_from
    assert len(applied) == len(set(applied)), "an event was applied twice"
    assert applied[: head - start_seq] == list(range(start_seq + 1, head + 1))
    await terminal.close()


async def test_a_server_that_hangs_up_at_once_is_not_hammered(
    backend: BackendProcess, link: FlakyLink, tmp_path: Path
) -> None:
    pin = backend.pins["pb1"]
    client = await signed_in_client(link.url, tmp_path, "pb1", pin, reconnect_delays=(0.02, 5.0))
    link.live_lifetime = 0.05  # every live feed is accepted, says hello, then dies
    link.go_dark()
    link.come_back()
    log = StatusLog(client)

    def tries() -> list[int]:
        return [s.attempt for s in log.seen if s.link is not Link.ONLINE]

    await until(client, lambda: max(tries(), default=0) >= 5, what="five reconnects", within=20)
    log.stop()
    # each short session counted as a failure: the ladder kept climbing, never reset
    assert tries() == sorted(tries()) and tries()[0] == 1
    assert Link.ONLINE in log.links()  # every session did open before it died
    assert all(s.next_try_at is not None for s in log.seen if s.link is not Link.ONLINE)
    await client.close()


async def test_a_resolve_made_offline_after_a_reassignment_becomes_a_conflict(
    backend: BackendProcess, link: FlakyLink, tmp_path: Path
) -> None:
    host = await signed_in_client(link.url, tmp_path / "host", "h1", backend.pins["h1"])
    manager = await signed_in_client(backend.url, tmp_path / "dm", "dm1", backend.pins["dm1"])
    incident = min(
        (i for i in host.state.open_incidents() if i.player.host_id == "h1"), key=lambda i: i.id
    )
    seen = incident.version

    link.go_dark()  # the host walks into the car park
    await until(host, lambda: host.status.link is Link.OFFLINE, what="OFFLINE")
    await manager.submit(c.Assign(incident_id=incident.id, owner="h2", expected_version=seen))
    await until(manager, lambda: not manager.pending, what="the reassignment")
    assert manager.conflicts == ()

    await host.submit(c.Resolve(incident_id=incident.id, note="done", expected_version=seen))
    assert host.state.incidents[incident.id].state is IncidentState.RESOLVED  # shown at once
    assert host.status.pending == 1

    link.come_back()
    await online(host, within=20)
    await until(host, lambda: bool(host.conflicts), what="the conflict")
    (conflict,) = host.conflicts
    assert conflict.code == "conflict"
    assert "by Dana K." in conflict.reason
    assert conflict.summary == f"resolve #{incident.id}"
    assert conflict.current is not None and conflict.current.owner == "h2"
    # nothing vanished: the incident is there, as the server has it
    await until(host, lambda: host.state.incidents[incident.id].owner == "h2", what="the owner")
    assert host.state.incidents[incident.id].state is not IncidentState.RESOLVED
    assert host.pending == ()

    await host.dismiss(conflict.command_id)
    assert host.conflicts == ()
    await host.close()
    await manager.close()
    again = make_client(link.url, tmp_path / "host")
    assert again.conflicts == ()  # not signed in yet: nothing to show either way
    await again.sign_in("h1", backend.pins["h1"])
    assert again.conflicts == ()  # the dismissal was kept on disk
    await again.close()


async def test_a_terminal_behind_the_retained_log_takes_a_snapshot(
    backend_factory: BackendFactory, tmp_path: Path
) -> None:
    server = backend_factory(retain_events=50)
    pin = server.pins["dm1"]
    store = MemoryTokenStore()
    terminal = await signed_in_client(server.url, tmp_path, "dm1", pin, token_store=store)
    left_at = terminal.confirmed.seq
    await terminal.close()

    busy = await signed_in_client(server.url, tmp_path / "busy", "dm1", pin)
    target = min(busy.state.incidents)
    for n in range(200):
        await busy.submit(c.AddNote(incident_id=target, text=f"while away {n}"))
    await until(busy, lambda: not busy.pending, what="the busy terminal to drain")
    await busy.close()

    # the server no longer holds what came after the terminal's last seq
    token = store.get(f"dm1@{server.url}")
    async with httpx.AsyncClient(base_url=server.url) as http:
        gone = await http.get(
            "/v1/events", params={"after": left_at}, headers={"Authorization": f"Bearer {token}"}
        )
    assert gone.status_code == 410

    terminal = make_client(server.url, tmp_path, token_store=store)
    assert await terminal.restore("dm1") is not None
    await terminal.start()
    await online(terminal)
    snap = await matches_server(terminal, server.url, "dm1", pin)
    timeline = [e.text for e in snap.state.incidents[target].timeline]
    assert timeline.count("while away 199") == 1
    await terminal.close()


async def test_a_table_marked_down_and_up_offline_ends_its_own_downtime(
    backend: BackendProcess, link: FlakyLink, tmp_path: Path
) -> None:
    boss = await signed_in_client(link.url, tmp_path / "pb1", "pb1", backend.pins["pb1"])
    other = await signed_in_client(backend.url, tmp_path / "pb2", "pb2", backend.pins["pb2"])

    link.go_dark()
    await until(boss, lambda: boss.status.link is Link.OFFLINE, what="OFFLINE")
    await boss.submit(c.StartDowntime(asset_id="BJ-02", reason="chip tray jammed"))
    (guess,) = (d for d in boss.state.downtimes.values() if d.asset_id == "BJ-02" and d.active)
    # meanwhile pit 2 takes the number this terminal guessed for its downtime
    await other.submit(c.StartDowntime(asset_id="BJ-06", reason="felt torn"))
    await until(other, lambda: not other.pending, what="pit 2's downtime")
    assert other.confirmed.downtimes[guess.id].asset_id == "BJ-06"
    # the player is moved and the table comes back, all before the link does
    await boss.submit(c.MovePlayer(asset_id="BJ-02", downtime_id=guess.id, to="BJ-03"))
    await boss.submit(c.EndDowntime(asset_id="BJ-02", downtime_id=guess.id))

    link.come_back()
    await online(boss, within=20)
    await until(boss, lambda: not boss.pending, what="the outbox to drain")
    assert boss.conflicts == ()
    await matches_server(boss, backend.url, "pb1", backend.pins["pb1"])
    floor = await server_snapshot(backend.url, "dm1", backend.pins["dm1"])
    by_asset = {d.asset_id: d for d in floor.state.downtimes.values()}
    assert by_asset["BJ-02"].moved_to == "BJ-03" and not by_asset["BJ-02"].active
    assert by_asset["BJ-06"].active and by_asset["BJ-06"].player_moved_at is None
    await boss.close()
    await other.close()
