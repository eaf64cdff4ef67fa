"""End to end: the app signs in to a real backend through a real FloorClient and works the queue."""

from __future__ import annotations

from pathlib import Path

from domain.commands import OpenIncident
from domain.models import (
    Channel,
    IncidentKind,
    IncidentState,
    Location,
    Player,
    Priority,
    Tier,
)
from screens.ack_modals import AckModal
from tests.conftest import BackendProcess
from tests.tui.e2e import real_client, sign_in_on_screen, until
from tui.widgets.incident_table import IncidentTable


async def test_sign_in_see_the_demo_queue_take_and_acknowledge(
    backend: BackendProcess, make_app, tmp_path: Path
) -> None:
    client_for = real_client(tmp_path / "data", "e2e")
    app = make_app(None, source_factory=client_for, server_url=backend.url, staff_id="pb2")
    rings: list[int] = []
    app.bell = lambda: rings.append(1)
    duty_manager = client_for(backend.url)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in_on_screen(app, pilot, backend, "pb2")
        table = app.screen.query_one(IncidentTable)
        await until(pilot, lambda: table.row_count > 0)
        assert all(row.location.pit == "2" for row in table._rows)  # a pit boss sees their pit

        # the disputed VVIP hand at BJ-07 (journey 1): the pit boss acknowledged it,
        # which made it theirs
        bj07 = next(r for r in table._rows if r.location.spot == "BJ-07" and r.priority == "P1")
        assert (bj07.state, bj07.owner) == ("acknowledged", "pb2")
        client = app.source

        # another terminal (the duty manager's) opens a P1 at the pit: it rings here,
        # lands pinned on top, and the pit boss acknowledges it from the queue
        await duty_manager.sign_in("dm1", backend.pins.get("dm1", "3001"))
        await duty_manager.start()
        await duty_manager.submit(
            OpenIncident(
                kind=IncidentKind.GAME_UNAVAILABLE,
                priority=Priority.P1,
                channel=Channel.ON_SITE,
                player=Player(reference="VV-7001-5150", tier=Tier.VVIP),
                location=Location(pit="2", spot="BAC-04"),
            )
        )
        await until(pilot, lambda: table._rows[0].location.spot == "BAC-04")
        assert rings
        new = table._rows[0]
        await pilot.press("home", "a")
        await until(pilot, lambda: isinstance(app.screen, AckModal))
        await pilot.press("enter")  # a plain acknowledgement, no ETA
        await until(
            pilot, lambda: table.selected_id == new.id and table.selected.state == "acknowledged"
        )
        await until(pilot, lambda: client.confirmed.incidents[new.id].acknowledged_at is not None)
        # answering it made the pit boss its owner, on the server as in the queue
        assert client.confirmed.incidents[new.id].owner == "pb2"
        assert table.selected.owner == "pb2"

        # a P3 nobody has answered: the pit boss takes it from the queue
        await duty_manager.submit(
            OpenIncident(
                kind=IncidentKind.TABLE_DISPUTE,
                priority=Priority.P3,
                channel=Channel.ON_SITE,
                player=Player(reference="VP-7002-5151", tier=Tier.VIP),
                location=Location(pit="2", spot="BJ-06"),
            )
        )
        await until(pilot, lambda: any(r.state == "new" for r in table._rows))
        target = next(r for r in table._rows if r.state == "new")
        assert target.owner is None
        await pilot.press("home")
        while table.selected_id != target.id:
            await pilot.press("down")
        await pilot.press("t")
        await until(pilot, lambda: table.selected is not None and table.selected.owner == "pb2")
        assert table.selected.state is IncidentState.IN_PROGRESS
        # and the server agrees (the change is confirmed, not only shown)
        await until(pilot, lambda: client.confirmed.incidents[target.id].owner == "pb2")
        await until(pilot, lambda: not client.pending)
        await duty_manager.close()
