"""The floor map end to end: a real backend, two real FloorClients, the pit boss's keys."""

from __future__ import annotations

from pathlib import Path

from domain import commands as c
from domain.floor_map import CellState
from domain.models import Location, Player, Priority, Tier
from screens.floor_map import FloorMapScreen
from screens.incident import IncidentScreen
from tests.conftest import BackendProcess
from tests.tui.e2e import real_client, sign_in_on_screen, until
from tests.tui.screen_text import screen_lines


async def test_a_p1_raised_elsewhere_turns_the_cell_red_and_r_then_enter_reach_it(
    backend: BackendProcess, make_app, tmp_path: Path
) -> None:
    app = make_app(
        None,
        source_factory=real_client(tmp_path / "floor", "high-limit"),
        server_url=backend.url,
        staff_id="pb3",
    )
    duty_manager = real_client(tmp_path / "office", "night-office")(backend.url)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in_on_screen(app, pilot, backend, "pb3")
        await pilot.press("L")
        await until(pilot, lambda: isinstance(app.screen, FloorMapScreen))
        screen = app.screen
        assert isinstance(screen, FloorMapScreen)

        def state(asset_id: str) -> CellState | None:
            cell = screen.model.cells.get(asset_id)
            return cell.state if cell is not None else None

        await until(pilot, lambda: state("HL-1142") is CellState.DOWN)  # journey 2
        assert state("HL-1147") is CellState.CLEAR

        await duty_manager.sign_in("dm1", backend.pins["dm1"])
        await duty_manager.start()
        await until(pilot, lambda: "HL-1147" in duty_manager.state.assets)
        await duty_manager.submit(
            c.OpenIncident(
                kind="machine_fault",
                priority=Priority.P1,
                channel="on_site",
                player=Player(reference="VV-4242-1313", tier=Tier.VVIP, silent_visit=True),
                location=Location(pit="3", spot="HL-1147"),
            )
        )
        await until(pilot, lambda: state("HL-1147") is CellState.P1)
        await until(pilot, lambda: any("P1 HL-1147 ⊘" in line for line in screen_lines(app)))
        assert "VV-4242-1313" not in "\n".join(screen_lines(app))

        await pilot.press("home", "r")
        await until(pilot, lambda: screen.map.cursor == "HL-1147")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, IncidentScreen))
        incident = app.screen
        assert isinstance(incident, IncidentScreen)
        assert incident.incident_id is not None
        assert app.source.state.incidents[incident.incident_id].location.spot == "HL-1147"
    await duty_manager.close()
