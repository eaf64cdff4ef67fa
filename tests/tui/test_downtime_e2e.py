"""Journey 2 end to end: a real backend, a real FloorClient, the pit boss's keys."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from api_client.client import FloorClient
from api_client.tokens import MemoryTokenStore
from screens.downtime import DowntimeScreen
from screens.login import LoginScreen
from screens.queue import QueueScreen
from tests.conftest import BackendProcess
from tui.widgets.downtime_card import DowntimeCard


async def _until(pilot, condition: Callable[[], bool], seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("the app did not get there in time")


async def test_machine_down_player_moved_back_up(
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

    app = make_app(None, source_factory=client_for, server_url=backend.url, staff_id="pb3")
    async with app.run_test(size=(80, 24)) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, LoginScreen))
        await pilot.press(*backend.pins.get("pb3", "1003"), "enter")
        await _until(pilot, lambda: isinstance(app.screen, QueueScreen))
        await pilot.press("d")
        await _until(pilot, lambda: isinstance(app.screen, DowntimeScreen))
        board = app.screen
        client = app.source

        def hl1142():
            return next(
                (d for d in client.state.downtimes.values() if d.asset_id == "HL-1142"), None
            )

        await _until(pilot, lambda: hl1142() is not None and bool(list(board.query(DowntimeCard))))
        downtime_id = hl1142().id

        await pilot.press("p")
        await _until(pilot, lambda: app.screen is not board)
        await pilot.press(*"HL-1150", "enter")
        await _until(pilot, lambda: client.confirmed.downtimes[downtime_id].moved_to == "HL-1150")
        card = next(c for c in board.query(DowntimeCard) if c.downtime_id == downtime_id)
        await _until(
            pilot,
            lambda: str(card.query_one(".downtime-player").content).startswith(
                "player moved to HL-1150"
            ),
        )

        await pilot.press("u")
        await _until(pilot, lambda: client.confirmed.downtimes[downtime_id].ended_at is not None)
        await _until(
            pilot, lambda: not any(c.downtime_id == downtime_id for c in board.query(DowntimeCard))
        )
        assert "HL-1142" in str(board.query_one("#downtime-ended").content)
