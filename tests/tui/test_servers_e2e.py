"""End to end: a terminal given a floor's several servers names the one it uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import BackendProcess, free_port
from tests.tui.e2e import real_client, sign_in_on_screen, until
from tui.widgets.status_bar import StatusBar


def _status(app: Any) -> str:
    return str(app.screen.query_one(StatusBar).content)


async def test_the_status_bar_names_the_server_in_use_not_the_list(
    backend: BackendProcess, make_app: Any, tmp_path: Path
) -> None:
    down = f"http://127.0.0.1:{free_port()}"  # the first on the list, and away
    app = make_app(
        None,
        source_factory=real_client(tmp_path / "terminal"),
        server_url=f"{down},{backend.url}",
        staff_id="pb2",
    )
    async with app.run_test(size=(120, 30)) as pilot:
        await sign_in_on_screen(app, pilot, backend, "pb2")
        await until(pilot, lambda: "ONLINE" in _status(app))
        assert backend.url in _status(app)
        assert down not in _status(app)
