"""Multi-ack on a P1: three terminals paged on one line each see it until each has
acknowledged (or it is stabilised), and the incident records every ack.

Three real clients against one real backend (in the test's loop). Line 2 of the
main ladder pages a cover set for it; the two duty managers are paged there by
hand as well.
"""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path

import pytest

from api_client import FloorClient
from backend.config import ServerConfig
from domain import commands as c
from domain.acks import acked_by, awaiting, owes_ack
from domain.decide import Rejected
from domain.models import Chain, Channel, IncidentKind, Location, Player, Priority, Tier
from tests.api_client.helpers import signed_in_client, until
from tests.backend.inprocess import FakeClock, serve_in_process

PINS = {"dm1": "3001", "dm2": "3002", "admin": "9000", "pb2": "1002"}


async def test_every_person_paged_on_a_p1s_line_sees_it_until_they_have_acknowledged(
    tmp_path: Path,
) -> None:
    clock = FakeClock(time.time())
    config = ServerConfig(db_url=f"sqlite:///{tmp_path / 'floor.db'}", demo=True, clock=clock)
    async with serve_in_process(config) as server:
        clients: dict[str, FloorClient] = {}
        for staff_id in ("dm1", "dm2", "admin", "pb2"):
            clients[staff_id] = await signed_in_client(
                server.url, tmp_path / staff_id, staff_id, PINS[staff_id], terminal=f"t-{staff_id}"
            )
        dm1, dm2, admin, pb = (clients[s] for s in ("dm1", "dm2", "admin", "pb2"))
        # the floor admin stands in on L2 tonight, so L2 pages them
        await dm1.submit(
            c.SetCover(
                chain=Chain.MAIN,
                line=2,
                staff_id="admin",
                until=clock() + 3600,
                reason="both duty managers in the count room",
                contact_method="phone",
                contact_value="x9000",
            )
        )
        await until(pb, lambda: bool(pb.state.covers), what="the cover")

        opened = await pb.submit(
            c.OpenIncident(
                kind=IncidentKind.RESULT_DISPUTE,
                priority=Priority.P1,
                channel=Channel.ON_SITE,
                player=Player(reference="VV-2231-4411", tier=Tier.VVIP),
                location=Location(pit="2", spot="BJ-07"),
                summary="disputed hand",
            )
        )
        await until(pb, lambda: not pb.pending, what="the incident to open")
        number = max(pb.state.incidents)
        assert opened.incident_id is not None
        await pb.submit(c.Escalate(incident_id=number, line=2, reason="VVIP, result disputed"))
        for staff_id in ("dm1", "dm2"):
            await pb.submit(c.PageContact(incident_id=number, staff_id=staff_id, method="radio"))
        await until(pb, lambda: not pb.pending, what="the escalation and the pages")
        paged = pb.state.incidents[number].paged
        assert paged == ("admin", "dm1", "dm2")

        def waits_for(client: FloorClient, staff_id: str) -> bool:
            incident = client.state.incidents.get(number)
            return incident is not None and owes_ack(incident, staff_id)

        # every one of them sees it flagged on their own terminal
        for staff_id in paged:
            client = clients[staff_id]
            await until(client, partial(waits_for, client, staff_id), what=f"{staff_id}'s flag")
        assert not owes_ack(pb.state.incidents[number], "pb2")  # not paged: not asked

        await dm1.submit(c.Acknowledge(incident_id=number))  # the first answers and takes it
        await until(dm2, lambda: not waits_for(dm2, "dm1"), what="dm1's ack on dm2's terminal")
        assert waits_for(dm2, "dm2") and waits_for(admin, "admin")
        await dm2.submit(c.Acknowledge(incident_id=number, eta_minutes=10))
        await until(admin, lambda: not waits_for(admin, "dm2"), what="dm2's ack")
        incident = admin.state.incidents[number]
        assert awaiting(incident) == ("admin",) and incident.owner == "dm1"
        assert incident.eta_due is None  # dm2's ETA is theirs; the owner gave none
        await admin.submit(c.Acknowledge(incident_id=number, note="on my way down"))
        for staff_id in paged:
            client = clients[staff_id]
            await until(client, partial(all_acked, client, number), what="all acked")
        # the pit boss's terminal was not paged: its copy is waited for too
        await until(pb, partial(all_acked, pb, number), what="all acked on the pit boss's")
        incident = pb.state.incidents[number]
        assert acked_by(incident) == ("dm1", "dm2", "admin")
        assert [a.line for a in incident.acks] == [2, 2, 2]
        texts = [e.text for e in incident.timeline]
        assert "acknowledged and taken" in texts
        assert "acknowledged too: on it in 10 min" in texts
        assert "acknowledged too: on my way down" in texts

        # someone not paged who tries is told it was answered, not recorded twice
        with pytest.raises(Rejected, match="already answered: acknowledged and taken by Dana K"):
            await pb.submit(c.Acknowledge(incident_id=number))

        # a stabilise ends the asking on a P1 paged again later
        second = await pb.submit(
            c.OpenIncident(
                kind=IncidentKind.GAME_UNAVAILABLE,
                priority=Priority.P1,
                channel=Channel.ON_SITE,
                player=Player(reference="VP-1111-2222", tier=Tier.VIP),
                location=Location(pit="2", spot="BJ-08"),
            )
        )
        await until(pb, lambda: not pb.pending, what="the second incident")
        other = max(pb.state.incidents)
        assert second.incident_id is not None
        await pb.submit(c.Escalate(incident_id=other, line=2, reason="table down, VIP waiting"))
        await until(admin, lambda: waits_for_other(admin, other), what="admin paged again")
        await pb.submit(c.Stabilise(incident_id=other, note="moved to BJ-09"))
        await until(admin, lambda: not waits_for_other(admin, other), what="the stabilise")

        for client in clients.values():
            await client.close()


def all_acked(client: FloorClient, number: int) -> bool:
    return not awaiting(client.state.incidents[number])


def waits_for_other(client: FloorClient, number: int) -> bool:
    incident = client.state.incidents.get(number)
    return incident is not None and owes_ack(incident, "admin")
