"""Journey 2 end to end: a real backend, a real FloorClient, the pit boss's keys."""

from __future__ import annotations

from pathlib import Path

from screens.downtime import DowntimeScreen
from tests.conftest import BackendProcess
from tests.tui.e2e import real_client, sign_in_on_screen, until
from tui.widgets.downtime_card import DowntimeCard


async def test_machine_down_player_moved_back_up(
    backend: BackendProcess, make_app, tmp_path: Path
) -> None:
    client_for = real_client(tmp_path / "data", "e2e")
    app = make_app(None, source_factory=client_for, server_url=backend.url, staff_id="pb3")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in_on_screen(app, pilot, backend, "pb3")
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, DowntimeScreen))
        board = app.screen
        client = app.source

        def hl1142():
            return next(
                (d for d in client.state.downtimes.values() if d.asset_id == "HL-1142"), None
            )

        await until(pilot, lambda: hl1142() is not None and bool(list(board.query(DowntimeCard))))
        downtime_id = hl1142().id

        await pilot.press("p")
        await until(pilot, lambda: app.screen is not board)
        await pilot.press(*"HL-1150", "enter")
        await until(pilot, lambda: client.confirmed.downtimes[downtime_id].moved_to == "HL-1150")
        card = next(c for c in board.query(DowntimeCard) if c.downtime_id == downtime_id)
        await until(
            pilot,
            lambda: str(card.query_one(".downtime-player").content).startswith(
                "player moved to HL-1150"
            ),
        )

        await pilot.press("u", "enter")  # and confirm
        await until(pilot, lambda: client.confirmed.downtimes[downtime_id].ended_at is not None)
        await until(
            pilot, lambda: not any(c.downtime_id == downtime_id for c in board.query(DowntimeCard))
        )
        assert "HL-1142" in str(board.query_one("#downtime-ended").content)
