"""An incident that leaves a viewer's view leaves their terminal too, and its disk."""

from __future__ import annotations

from pathlib import Path

from api_client.replica import Replica
from domain import commands as c
from tests.api_client.helpers import signed_in_client, until
from tests.conftest import BackendProcess


async def test_an_incident_reassigned_away_from_a_host_leaves_their_queue(
    backend: BackendProcess, tmp_path: Path
) -> None:
    manager = await signed_in_client(backend.url, tmp_path / "dm", "dm1", backend.pins["dm1"])
    host = await signed_in_client(backend.url, tmp_path / "h1", "h1", backend.pins["h1"])
    # an incident the host sees only because they own it
    theirs = next(
        i
        for i in manager.state.open_incidents()
        if "h1" not in (i.player.host_id, i.opened_by, i.owner)
    )
    assert theirs.id not in host.state.incidents
    await manager.submit(c.Assign(incident_id=theirs.id, owner="h1"))
    await until(host, lambda: theirs.id in host.state.incidents, what="it to come into view")

    await manager.submit(c.Assign(incident_id=theirs.id, owner="h2"))
    await until(host, lambda: theirs.id not in host.state.incidents, what="it to leave view")
    # later changes to it are not theirs to see, and nothing stale comes back
    await manager.submit(c.AddNote(incident_id=theirs.id, text="handled by Riley"))
    await until(manager, lambda: not manager.pending, what="the note")
    await host.close()
    path = next((tmp_path / "h1" / "replicas").glob("*/h1.db"))
    replica = Replica(path, server=backend.url, staff_id="h1")
    assert theirs.id not in replica.state.incidents
    replica.close()
    await manager.close()
