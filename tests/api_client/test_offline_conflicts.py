"""Journey 3: a host works an incident offline while a manager reassigns it.

The host's exclusive commands carry the version they saw; on replay a change
someone else made since comes back as a conflict naming who and when, even for
an incident that has left the host's view. Notes apply; nothing is dropped
without a word, and nothing of an incident the host may no longer see leaks.
"""

from __future__ import annotations

from pathlib import Path

from api_client import FloorClient, Link, MemoryTokenStore
from domain import commands as c
from domain.models import Channel, IncidentKind, IncidentState, Location, Player, Priority, Tier
from tests.api_client.flaky_link import FlakyLink
from tests.api_client.helpers import (
    make_client,
    matches_server,
    online,
    server_snapshot,
    signed_in_client,
    until,
)
from tests.conftest import BackendProcess

ARRIVAL = "VV-7310-0925"  # the demo's VVIP car arrival, opened by Sam P. (h1), his player
NOTE = "met at car, escorted via private lift (silent visit)"


def arrival_of(client: FloorClient) -> int:
    return next(i.id for i in client.state.incidents.values() if i.player.reference == ARRIVAL)


async def work_offline(
    link: FlakyLink, tmp_path: Path, store: MemoryTokenStore, incident_id: int
) -> None:
    """Acknowledge, note and resolve as the terminal's keys do, offline; then quit."""
    host = make_client(link.url, tmp_path, token_store=store)
    assert await host.restore("h1") is not None
    await host.start()
    await until(host, lambda: host.status.link is Link.OFFLINE, what="OFFLINE")
    await host.submit(c.Acknowledge(incident_id=incident_id))
    await host.submit(c.AddNote(incident_id=incident_id, text=NOTE))
    # the incident screen's `r` carries the version on screen when it was pressed:
    # the acknowledge shows, but the version stays the one the server last gave
    seen = host.state.incidents[incident_id]
    assert seen.state is IncidentState.ACKNOWLEDGED
    assert seen.version == host.confirmed.incidents[incident_id].version
    await host.submit(c.Resolve(incident_id=incident_id, expected_version=seen.version))
    assert host.state.incidents[incident_id].state is IncidentState.RESOLVED
    assert host.status.pending == 3
    await host.close()


async def come_back(link: FlakyLink, tmp_path: Path, store: MemoryTokenStore) -> FloorClient:
    """The host starts the app again on Wi-Fi: the outbox on disk replays."""
    link.come_back()
    host = make_client(link.url, tmp_path, token_store=store)
    assert await host.restore("h1") is not None
    await host.start()
    await online(host, within=20)
    await until(host, lambda: not host.pending, what="the outbox to drain", within=20)
    return host


async def test_a_resolve_replayed_after_a_reassignment_is_a_conflict_and_nothing_vanishes(
    backend: BackendProcess, link: FlakyLink, tmp_path: Path
) -> None:
    store = MemoryTokenStore()
    host = await signed_in_client(link.url, tmp_path, "h1", backend.pins["h1"], token_store=store)
    arrival = arrival_of(host)
    assert host.state.incidents[arrival].state is IncidentState.NEW
    await host.close()

    link.go_dark()  # the car park: no Wi-Fi
    await work_offline(link, tmp_path, store, arrival)

    # while the host is away, the duty manager gives the arrival to Riley C.
    manager = await signed_in_client(backend.url, tmp_path / "dm", "dm1", backend.pins["dm1"])
    version = manager.state.incidents[arrival].version
    await manager.submit(c.Assign(incident_id=arrival, owner="h2", expected_version=version))
    await until(manager, lambda: not manager.pending, what="the reassignment")
    assert manager.conflicts == ()
    assigned_at = manager.confirmed.incidents[arrival].updated_at

    host = await come_back(link, tmp_path, store)
    snap = await matches_server(host, backend.url, "h1", backend.pins["h1"])

    # the server: still Riley's and open, with the host's note and no resolve
    floor = await server_snapshot(backend.url, "dm1", backend.pins["dm1"])
    incident = floor.state.incidents[arrival]
    assert incident.owner == "h2" and incident.state is IncidentState.IN_PROGRESS
    texts = [(e.actor, e.text) for e in incident.timeline]
    assert ("h1", NOTE) in texts
    assert not any(kind == "resolved" for kind in (e.kind for e in incident.timeline))

    # the host: both refusals kept, each saying who changed it and when
    by_type = {x.command.type: x for x in host.conflicts if x.command}
    assert set(by_type) == {"acknowledge", "resolve"}, host.conflicts
    resolve = by_type["resolve"]
    assert resolve.code == "conflict"
    assert (resolve.by, resolve.at) == ("dm1", assigned_at)
    assert "Riley C." in resolve.reason  # the host still sees the incident, and its owner
    assert resolve.current is not None and resolve.current.owner == "h2"
    ack = by_type["acknowledge"]
    assert (ack.by, ack.at) == ("dm1", assigned_at)
    # the arrival is still on the host's screen (his player, his opening), as the server has it
    assert snap.state.incidents[arrival] == host.state.incidents[arrival]
    await host.close()
    await manager.close()


async def test_the_same_work_with_nobody_else_involved_applies_in_full(
    backend: BackendProcess, link: FlakyLink, tmp_path: Path
) -> None:
    store = MemoryTokenStore()
    host = await signed_in_client(link.url, tmp_path, "h1", backend.pins["h1"], token_store=store)
    arrival = arrival_of(host)
    await host.close()

    link.go_dark()
    await work_offline(link, tmp_path, store, arrival)
    host = await come_back(link, tmp_path, store)
    snap = await matches_server(host, backend.url, "h1", backend.pins["h1"])

    # the host's own acknowledge is no conflict for the resolve queued behind it
    assert host.conflicts == ()
    incident = snap.state.incidents[arrival]
    assert incident.state is IncidentState.RESOLVED
    assert [e.kind for e in incident.timeline][-3:] == ["acknowledged", "note_added", "resolved"]
    await host.close()


async def test_a_conflict_reaches_a_host_whose_incident_left_the_view(
    backend: BackendProcess, link: FlakyLink, tmp_path: Path
) -> None:
    """Sam P. sees a lounge incident only as its owner; it is given to Riley C. meanwhile."""
    manager = await signed_in_client(backend.url, tmp_path / "dm", "dm1", backend.pins["dm1"])
    await manager.submit(
        c.OpenIncident(
            kind=IncidentKind.LOUNGE_WAIT,
            priority=Priority.P3,
            channel=Channel.ON_SITE,
            player=Player(reference="VP-4410-2290", tier=Tier.VIP, host_id="h3"),
            location=Location(spot="VIP lounge"),
            summary="waiting for a table",
        )
    )
    await until(manager, lambda: not manager.pending, what="the opening")
    lounge = max(manager.confirmed.incidents)
    version = manager.confirmed.incidents[lounge].version
    await manager.submit(c.Assign(incident_id=lounge, owner="h1", expected_version=version))
    await until(manager, lambda: not manager.pending, what="the assignment to Sam P.")

    store = MemoryTokenStore()
    host = await signed_in_client(link.url, tmp_path, "h1", backend.pins["h1"], token_store=store)
    await until(host, lambda: lounge in host.state.incidents, what="the lounge incident")
    link.go_dark()
    await until(host, lambda: host.status.link is Link.OFFLINE, what="OFFLINE")
    seen = host.state.incidents[lounge].version
    await host.submit(c.AddNote(incident_id=lounge, text="table ready in 5"))
    await host.submit(c.Resolve(incident_id=lounge, expected_version=seen))
    await host.close()

    version = manager.confirmed.incidents[lounge].version
    await manager.submit(c.Assign(incident_id=lounge, owner="h2", expected_version=version))
    await until(manager, lambda: not manager.pending, what="the reassignment")
    reassigned_at = manager.confirmed.incidents[lounge].updated_at

    host = await come_back(link, tmp_path, store)
    await until(host, lambda: len(host.conflicts) == 2, what="both refusals")
    await matches_server(host, backend.url, "h1", backend.pins["h1"])
    assert lounge not in host.state.incidents  # gone from view, as the server says
    for refused in host.conflicts:
        assert refused.code == "conflict"
        assert (refused.by, refused.at) == ("dm1", reassigned_at)
        # who has it now is not the host's to see
        assert refused.current is None
        assert "Riley" not in refused.reason and "h2" not in refused.reason
    assert [x.command.type for x in host.conflicts if x.command] == ["add_note", "resolve"]
    floor = await server_snapshot(backend.url, "dm1", backend.pins["dm1"])
    assert floor.state.incidents[lounge].state is IncidentState.IN_PROGRESS
    await host.close()
    await manager.close()


async def test_a_stale_resolve_names_who_resolved_it_not_who_noted_it_since(
    backend: BackendProcess, link: FlakyLink, tmp_path: Path
) -> None:
    """Sam P. resolves, the admin adds a note, the duty manager's offline resolve comes back."""
    manager = await signed_in_client(link.url, tmp_path / "dm", "dm1", backend.pins["dm1"])
    arrival = arrival_of(manager)
    link.go_dark()
    await until(manager, lambda: manager.status.link is not Link.ONLINE, what="the link gone")
    seen = manager.state.incidents[arrival].version
    await manager.submit(c.Resolve(incident_id=arrival, expected_version=seen, note="done"))

    host = await signed_in_client(backend.url, tmp_path / "h1", "h1", backend.pins["h1"])
    await host.submit(c.Resolve(incident_id=arrival, note="escorted to the suite"))
    await until(host, lambda: not host.pending, what="the host's resolve")
    resolved_at = host.confirmed.incidents[arrival].resolved_at
    admin = await signed_in_client(backend.url, tmp_path / "ad", "admin", backend.pins["admin"])
    await admin.submit(c.AddNote(incident_id=arrival, text="guest thanked the team"))
    await until(admin, lambda: not admin.pending, what="the admin's note")

    link.come_back()
    await until(manager, lambda: len(manager.conflicts) == 1, what="the refusal", within=20)
    (refused,) = manager.conflicts
    assert refused.code == "conflict"
    assert (refused.by, refused.at) == ("h1", resolved_at)
    assert refused.reason == f"#{arrival} resolved: escorted to the suite by Sam P."
    for client in (manager, host, admin):
        await client.close()
