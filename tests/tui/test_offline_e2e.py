"""End to end: the backend dies under a running terminal and comes back (journey 8).

The app runs against a real backend subprocess through a real FloorClient.
Another terminal's change shows up live; then the backend is SIGKILLed: the
status bar says so, countdowns keep ticking (marked ~), an action queues as
pending; the backend restarts: the action applies once and the bar is ONLINE.
"""

from __future__ import annotations

from pathlib import Path

from api_client.client import FloorClient
from api_client.tokens import MemoryTokenStore
from domain.commands import AddNote, Assign
from tests.conftest import BackendProcess
from tests.tui.e2e import real_client, sign_in_on_screen, until
from tui.widgets.incident_table import IncidentTable
from tui.widgets.status_bar import StatusBar


def _status(app) -> str:
    return str(app.screen.query_one(StatusBar).content)


def _table_text(table: IncidentTable) -> str:
    return "\n".join(
        "".join(segment.text for segment in table.render_line(y)) for y in range(table.size.height)
    )


async def test_backend_killed_and_restarted_under_a_running_terminal(
    backend: BackendProcess, make_app, tmp_path: Path
) -> None:
    client_for = real_client(tmp_path / "terminal", "floor-2")
    app = make_app(None, source_factory=client_for, server_url=backend.url, staff_id="pb2")
    other = FloorClient(
        backend.url,
        data_dir=tmp_path / "other",
        terminal="office",
        reconnect_delays=(0.05, 0.5),
        token_store=MemoryTokenStore(),
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in_on_screen(app, pilot, backend, "pb2")
        table = app.screen.query_one(IncidentTable)
        await until(pilot, lambda: table.row_count > 0 and "ONLINE" in _status(app))
        client = app.source

        # a change made on another terminal shows up here, live
        await other.sign_in("dm1", backend.pins.get("dm1", "3001"))
        await other.start()
        watched = table._rows[0].id
        await until(pilot, lambda: watched in other.state.incidents)
        notes_before = len(client.state.incidents[watched].timeline)
        await other.submit(AddNote(incident_id=watched, text="surveillance is on it"))
        await until(
            pilot, lambda: len(client.state.incidents[watched].timeline) > notes_before, 5.0
        )
        # and hands it to a host, so there is something here for the pit boss to take back
        await other.submit(Assign(incident_id=watched, owner="h1"))
        await until(pilot, lambda: client.state.incidents[watched].owner == "h1", 5.0)
        await other.close()

        # the backend dies: the bar says so and countdowns go on, marked approximate
        backend.kill()
        await until(pilot, lambda: "OFFLINE" in _status(app) or "RECONNECTING" in _status(app))
        ticking_from = app.now
        await until(pilot, lambda: app.now >= ticking_from + 1.5)
        await until(pilot, lambda: "~" in _table_text(table))

        # work goes on offline: taking an incident queues as pending
        target = next(r for r in table._rows if r.owner != "pb2")
        await pilot.press("home")
        for _ in range(table.row_count):
            if table.selected_id == target.id:
                break
            await pilot.press("down")
        await pilot.press("t")
        await until(pilot, lambda: len(client.pending) == 1 and "1 pending" in _status(app))
        assert table.selected is not None and table.selected.owner == "pb2"  # shown at once

        # the backend returns: the command applies once, the bar is ONLINE, nothing pending
        backend.start()
        await until(pilot, lambda: "ONLINE" in _status(app) and not client.pending, 30.0)
        assert client.confirmed.incidents[target.id].owner == "pb2"
        assert not client.conflicts
        # the bar redraws from the client's next message, a frame or so after the outbox empties
        await until(pilot, lambda: "pending" not in _status(app))
        assert "ONLINE" in _status(app)
