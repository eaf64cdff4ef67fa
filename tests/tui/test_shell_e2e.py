"""End to end: the app signs in to a real backend through a real FloorClient and works the queue."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from api_client.client import FloorClient
from api_client.tokens import MemoryTokenStore
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
from screens.login import LoginScreen
from screens.queue import QueueScreen
from tests.conftest import BackendProcess
from tui.widgets.incident_table import IncidentTable


async def _until(pilot, condition: Callable[[], bool], seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("the app did not get there in time")


async def test_sign_in_see_the_demo_queue_take_and_acknowledge(
    backend: BackendProcess, make_app, tmp_path: Path
) -> None:
    def client_for(url: str) -> FloorClient:
        return FloorClient(
            url,
            data_dir=tmp_path / "data",
            terminal="e2e",
            reconnect_delays=(0.05, 0.5),
            token_store=MemoryTokenStore(),
        )

    app = make_app(None, source_factory=client_for, server_url=backend.url, staff_id="pb2")
    rings: list[int] = []
    app.bell = lambda: rings.append(1)
    duty_manager = client_for(backend.url)
    async with app.run_test(size=(80, 24)) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, LoginScreen))
        await pilot.press(*backend.pins.get("pb2", "1002"), "enter")
        await _until(pilot, lambda: isinstance(app.screen, QueueScreen))
        table = app.screen.query_one(IncidentTable)
        await _until(pilot, lambda: table.row_count > 0)
        assert all(row.location.pit == "2" for row in table._rows)  # a pit boss sees their pit

        # the disputed VVIP hand at BJ-07 (journey 1): nobody owns it yet
        target = next(r for r in table._rows if r.location.spot == "BJ-07" and r.owner is None)
        while table.selected_id != target.id:
            await pilot.press("down")
        await pilot.press("t")
        await _until(pilot, lambda: table.selected is not None and table.selected.owner == "pb2")
        assert table.selected.state is IncidentState.IN_PROGRESS
        # and the server agrees (the change is confirmed, not only shown)
        client = app.source
        await _until(pilot, lambda: client.confirmed.incidents[target.id].owner == "pb2")
        await _until(pilot, lambda: not client.pending)

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
        await _until(pilot, lambda: table._rows[0].location.spot == "BAC-04")
        assert rings
        new = table._rows[0]
        await pilot.press("home", "a")
        await _until(
            pilot, lambda: table.selected_id == new.id and table.selected.state == "acknowledged"
        )
        await _until(pilot, lambda: client.confirmed.incidents[new.id].acknowledged_at is not None)
        await duty_manager.close()
