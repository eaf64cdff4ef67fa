"""Work done while the backend is down is kept, sent once, in order, when it returns."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from api_client import FloorClient, Link, MemoryTokenStore, PendingCommand
from api_client.errors import CannotWithdraw
from api_client.replica import Replica
from domain import commands as c
from domain.models import Channel, IncidentKind, Location, Player, Priority, Tier
from tests.api_client.helpers import (
    make_client,
    matches_server,
    online,
    server_snapshot,
    signed_in_client,
    until,
)
from tests.conftest import BackendProcess


async def test_a_hundred_commands_made_offline_apply_once_in_order(
    backend: BackendProcess, tmp_path: Path
) -> None:
    pin = backend.pins["dm1"]
    client = await signed_in_client(backend.url, tmp_path, "dm1", pin)
    targets = sorted(i.id for i in client.state.open_incidents())[:5]

    await asyncio.to_thread(backend.stop)
    await until(client, lambda: client.status.link is not Link.ONLINE, what="the drop")
    texts = [f"offline note {n:03d}" for n in range(100)]
    for n, text in enumerate(texts):
        await client.submit(c.AddNote(incident_id=targets[n % 5], text=text))
    assert len(client.pending) == 100 and client.status.pending == 100
    # shown at once, before the server has seen any of it
    shown = [e.text for i in targets for e in client.state.incidents[i].timeline]
    assert set(texts) <= set(shown)

    await asyncio.to_thread(backend.start)
    await until(client, lambda: not client.pending, what="the outbox to drain", within=30)
    snap = await matches_server(client, backend.url, "dm1", pin)

    # exactly once each, and in the order they were made
    on_server = sorted(
        (entry.seq, entry.text)
        for i in targets
        for entry in snap.state.incidents[i].timeline
        if entry.text.startswith("offline note")
    )
    assert [text for _, text in on_server] == texts
    assert client.conflicts == ()
    assert client.state.incidents == client.confirmed.incidents  # nothing left pending

    # a terminal that never saw any of this agrees
    fresh = await signed_in_client(backend.url, tmp_path / "other", "dm1", pin)
    assert fresh.confirmed.incidents[targets[0]] == snap.state.incidents[targets[0]]
    await fresh.close()

    # and so does the replica on disk
    await client.close()
    path = next((tmp_path / "replicas").glob("*/dm1.db"))
    replica = Replica(path, server=backend.url, staff_id="dm1")
    assert replica.state.incidents == snap.state.incidents
    replica.close()


async def test_a_restart_while_offline_keeps_the_outbox_and_the_replica(
    backend: BackendProcess, tmp_path: Path
) -> None:
    pin = backend.pins["h1"]
    store = MemoryTokenStore()  # stands for the keyring, which outlives the process
    first = await signed_in_client(backend.url, tmp_path, "h1", pin, token_store=store)
    mine = min(i.id for i in first.state.open_incidents())
    seen = first.state

    await asyncio.to_thread(backend.stop)
    await first.submit(c.AddNote(incident_id=mine, text="met at car, private lift"))
    await first.submit(c.Acknowledge(incident_id=mine, note="on it"))
    await first.close()

    second = make_client(backend.url, tmp_path, token_store=store)
    me = await second.restore("h1")
    assert me is not None and me.id == "h1"
    await second.start()
    assert second.confirmed.incidents == seen.incidents  # the last known floor, no network
    assert [p.summary for p in second.pending] == [f"note on #{mine}", f"acknowledge #{mine}"]
    await until(second, lambda: second.status.link is Link.OFFLINE, what="OFFLINE")
    assert second.status.pending == 2 and second.approximate

    await asyncio.to_thread(backend.start)
    await online(second, within=30)
    await until(second, lambda: not second.pending, what="the outbox to drain")
    snap = await matches_server(second, backend.url, "h1", pin)
    texts = [e.text for e in snap.state.incidents[mine].timeline]
    assert texts.count("met at car, private lift") == 1
    await second.close()


async def test_an_incident_opened_offline_gets_its_number_and_its_note(
    backend: BackendProcess, tmp_path: Path
) -> None:
    pin = backend.pins["h1"]
    client = await signed_in_client(backend.url, tmp_path, "h1", pin)
    before = set(client.confirmed.incidents)

    await asyncio.to_thread(backend.stop)
    opened = await client.submit(
        c.OpenIncident(
            kind=IncidentKind.ARRIVAL,
            priority=Priority.P2,
            channel=Channel.ON_SITE,
            player=Player(reference="VV-2231-4411", tier=Tier.VVIP, host_id="h1"),
            location=Location(spot="car park P2"),
            summary="VVIP car arriving",
        )
    )
    local = opened.incident_id
    assert local is not None and local < 0 and opened.summary.endswith("L-1")
    await client.submit(c.AddNote(incident_id=local, text="escorted via private lift"))
    draft = client.state.incidents[local]
    assert [e.text for e in draft.timeline][-1] == "escorted via private lift"

    await asyncio.to_thread(backend.start)
    await until(client, lambda: not client.pending, what="the outbox to drain", within=30)
    snap = await matches_server(client, backend.url, "h1", pin)
    (number,) = set(snap.state.incidents) - before
    assert number > 0
    assert snap.state.incidents[number].summary == "VVIP car arriving"
    assert "escorted via private lift" in [e.text for e in snap.state.incidents[number].timeline]
    assert all(i > 0 for i in client.state.incidents)  # the draft gave way to the real one
    await client.close()


async def test_the_server_sees_commands_once_even_when_an_answer_is_lost(
    backend: BackendProcess, tmp_path: Path
) -> None:
    """Two terminals of one user replaying the same outbox file: one effect each."""
    pin = backend.pins["dm1"]
    client = await signed_in_client(backend.url, tmp_path, "dm1", pin)
    target = min(i.id for i in client.state.open_incidents())
    await asyncio.to_thread(backend.stop)
    await client.submit(c.AddNote(incident_id=target, text="sent twice, kept once"))
    await client.close()
    # a copy of the outbox as it was before any answer: a resend after a lost reply
    folder = next((tmp_path / "replicas").iterdir())
    copy = tmp_path / "copy" / "replicas" / folder.name
    copy.mkdir(parents=True)
    for name in ("outbox.db", "dm1.db"):
        (copy / name).write_bytes((folder / name).read_bytes())

    await asyncio.to_thread(backend.start)
    for data_dir in (tmp_path, tmp_path / "copy"):
        again = make_client(backend.url, data_dir)
        await again.sign_in("dm1", pin)
        await again.start()

        def drained(c: FloorClient = again) -> bool:  # bound now, as the loop moves on
            return not c.pending

        await until(again, drained, what="the outbox to drain")
        await again.close()
    snap = await server_snapshot(backend.url, "dm1", pin)
    texts = [e.text for e in snap.state.incidents[target].timeline]
    assert texts.count("sent twice, kept once") == 1


async def withdraw_between_tries(client: FloorClient, command_id: str) -> PendingCommand:
    """Withdraw as a person would: while the drain is trying to send it (the server is
    down, so it cannot arrive) it is refused for the moment; between tries it goes."""
    for _ in range(400):
        try:
            return await client.withdraw(command_id)
        except CannotWithdraw as exc:
            if "waits for the server's answer" not in exc.message:
                raise
        await asyncio.sleep(0.025)  # the next look, not a wait for an event
    raise AssertionError("the drain never paused between tries")


async def test_a_command_withdrawn_before_it_was_sent_never_reaches_the_server(
    backend: BackendProcess, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="api_client.sync")
    pin = backend.pins["dm1"]
    client = await signed_in_client(backend.url, tmp_path, "dm1", pin)
    target = min(i.id for i in client.state.open_incidents())

    await asyncio.to_thread(backend.stop)
    await until(client, lambda: client.status.link is not Link.ONLINE, what="the drop")
    await client.submit(c.AddNote(incident_id=target, text="player called back"))
    wrong = await client.submit(c.AddNote(incident_id=target, text="typed on the wrong one"))
    # the drain tries to send them, and makes no connection: they are still only here
    for _ in range(200):
        if "outbox drain stopped: cannot reach the server" in caplog.text:
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the outbox drain never tried")
    assert client.status.pending == 2
    withdrawn = await withdraw_between_tries(client, wrong.command_id)
    assert withdrawn.command_id == wrong.command_id
    assert [getattr(p.command, "text", None) for p in client.pending] == ["player called back"]
    shown = [e.text for e in client.state.incidents[target].timeline]
    assert "typed on the wrong one" not in shown and "player called back" in shown

    await asyncio.to_thread(backend.start)
    await until(client, lambda: not client.pending, what="the outbox to drain", within=30)
    snap = await matches_server(client, backend.url, "dm1", pin)
    on_server = [e.text for e in snap.state.incidents[target].timeline]
    assert "player called back" in on_server and "typed on the wrong one" not in on_server
    # once sent, there is nothing left to withdraw
    with pytest.raises(CannotWithdraw):
        await client.withdraw(wrong.command_id)
    await client.close()
