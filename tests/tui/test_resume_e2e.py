"""End to end: a terminal restarted with a stored sign-in shows its last known floor at once.

The queue is painted from the local replica before the server has said a
word, and the live feed then starts on its own.
"""

from __future__ import annotations

import gc
import os
import signal
from collections.abc import Callable
from pathlib import Path

from api_client.client import FloorClient
from api_client.contract import Link
from api_client.tokens import MemoryTokenStore
from screens.queue import QueueScreen
from tests.conftest import BackendProcess
from tests.tui.e2e import until
from tui.widgets.incident_table import IncidentTable


def stored_sign_in(data_dir: Path, tokens: MemoryTokenStore) -> Callable[[str], FloorClient]:
    """Clients sharing one token store, as the system keyring outlives a restart."""

    def client_for(url: str) -> FloorClient:
        return FloorClient(
            url,
            data_dir=data_dir,
            terminal="floor-3",
            reconnect_delays=(0.05, 0.5),
            token_store=tokens,
        )

    return client_for


async def synced_once(
    backend: BackendProcess, client_for: Callable[[str], FloorClient]
) -> set[int]:
    """A first run that signs in and syncs, then quits: the incidents it holds."""
    client = client_for(backend.url)
    await client.sign_in("dm1", backend.pins["dm1"])
    changes = client.changes()
    await client.start()
    async for _ in changes:
        if client.status.link is Link.ONLINE:
            break
    held = set(client.state.incidents)
    await client.close()
    return held


async def test_the_stored_floor_is_painted_before_the_server_answers(
    backend: BackendProcess, make_app, tmp_path: Path
) -> None:
    client_for = stored_sign_in(tmp_path / "terminal", MemoryTokenStore())
    held = await synced_once(backend, client_for)
    assert held

    # the server hangs: connections are accepted, nothing is ever answered
    assert backend.proc is not None
    os.kill(backend.proc.pid, signal.SIGSTOP)
    try:
        app = make_app(None, source_factory=client_for, server_url=backend.url, staff_id="dm1")
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, QueueScreen), 5.0)
            table = app.screen.query_one(IncidentTable)
            await until(pilot, lambda: table.row_count > 0, 5.0)
            assert app.source.status.link is not Link.ONLINE
            assert app.source.confirmed.seq > 0  # from disk: the server has not answered
            assert {row.id for row in table._rows} <= held
    finally:
        os.kill(backend.proc.pid, signal.SIGCONT)


async def test_the_queue_holds_the_stored_floor_from_its_first_frame(
    backend: BackendProcess, make_app, tmp_path: Path, monkeypatch
) -> None:
    client_for = stored_sign_in(tmp_path / "terminal", MemoryTokenStore())
    await synced_once(backend, client_for)

    # the rows the queue holds once mounted are what its first frame draws: an
    # empty queue redrawn a moment later is a blank screen at every restart
    rows_at_mount: list[int] = []
    mount = QueueScreen.on_mount

    def counted_mount(screen: QueueScreen) -> None:
        mount(screen)
        rows_at_mount.append(screen.query_one(IncidentTable).row_count)

    monkeypatch.setattr(QueueScreen, "on_mount", counted_mount)
    app = make_app(None, source_factory=client_for, server_url=backend.url, staff_id="dm1")
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: bool(rows_at_mount), 5.0)
        await until(pilot, lambda: app.source.status.link is Link.ONLINE, 10.0)
        live_rows = app.screen.query_one(IncidentTable).row_count
    assert live_rows > 0
    assert rows_at_mount[0] == live_rows  # the floor did not change on the server meanwhile


async def test_a_resumed_terminal_goes_live_after_painting(
    backend: BackendProcess, make_app, tmp_path: Path
) -> None:
    client_for = stored_sign_in(tmp_path / "terminal", MemoryTokenStore())
    await synced_once(backend, client_for)

    app = make_app(None, source_factory=client_for, server_url=backend.url, staff_id="dm1")
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, QueueScreen), 5.0)
        await until(pilot, lambda: app.source.status.link is Link.ONLINE, 10.0)
        # the painted floor is kept out of full collections, whose pauses delay changes
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0  # and handed back to the collector on exit
