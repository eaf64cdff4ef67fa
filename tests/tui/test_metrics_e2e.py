"""The metrics board end to end: a real backend, a real FloorClient, a duty manager's keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from api_client.errors import SessionEnded
from domain.metric_windows import WindowKind
from screens.metrics import MetricsScreen
from tests.conftest import BackendProcess
from tests.tui.e2e import real_client, sign_in_on_screen, until
from tui.widgets.metric_row import MetricRow

from .test_incident_helpers import text_of


async def test_the_board_comes_from_the_server(
    backend: BackendProcess, make_app, tmp_path: Path
) -> None:
    client_for = real_client(tmp_path / "data", "e2e")
    app = make_app(None, source_factory=client_for, server_url=backend.url, staff_id="dm1")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in_on_screen(app, pilot, backend, "dm1")
        # a key pressed before the fresh queue has its focus is lost
        await until(pilot, lambda: app.focused is not None)
        await pilot.press("M")
        await until(pilot, lambda: isinstance(app.screen, MetricsScreen))
        board = app.screen
        await until(pilot, lambda: len(board.query(MetricRow)) == 14)
        await until(pilot, lambda: "as of" in text_of(board, "#metrics-head"))
        assert text_of(board, "#metrics-note") == ""
        # the demo night's promises, as the server counted them
        row = next(r for r in board.query(MetricRow) if r.key == "sla.all")

        def counts() -> str:
            return str(row.query_one(".counts").content)

        await until(pilot, lambda: "/" in counts())  # the figures follow the heading
        kept, settled = (int(n) for n in counts().split("/"))
        assert settled > 0 and 0 <= kept <= settled
        await pilot.press("4")
        await until(pilot, lambda: "this month (since" in text_of(board, "#metrics-head"))


async def test_the_server_refuses_a_pit_boss_with_the_reason(
    backend: BackendProcess, tmp_path: Path
) -> None:
    client = real_client(tmp_path / "data", "e2e")(backend.url)
    await client.sign_in("pb1", backend.pins["pb1"])
    with pytest.raises(SessionEnded) as refused:
        await client.metrics_board(WindowKind.SHIFT)
    assert refused.value.forbidden
    assert "duty managers and admins" in refused.value.message
    await client.close()
