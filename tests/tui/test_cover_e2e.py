"""End to end: a cover set on the duty manager's terminal shows on another terminal's ladder."""

from __future__ import annotations

import time
from pathlib import Path

from textual.widgets import OptionList

from domain.commands import EndCover, SetCover
from domain.models import Chain
from screens.escalation import EscalationScreen
from tests.conftest import BackendProcess
from tests.tui.e2e import real_client, sign_in_on_screen, until
from tui.widgets.incident_table import IncidentTable


async def test_a_cover_set_by_the_duty_manager_reaches_the_floor_ladder_and_ends(
    backend: BackendProcess, make_app, tmp_path: Path
) -> None:
    app = make_app(
        None,
        source_factory=real_client(tmp_path / "floor", "pit-2"),
        server_url=backend.url,
        staff_id="pb2",
    )
    duty_manager = real_client(tmp_path / "office", "night-office")(backend.url)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in_on_screen(app, pilot, backend, "pb2")

        def floor_in() -> bool:
            tables = app.screen.query(IncidentTable)
            return bool(tables) and tables.first().row_count > 0

        await until(pilot, floor_in)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, EscalationScreen))
        main = app.screen.query_one("#ladder-main", OptionList)

        def shown(option_id: str) -> str:
            try:
                return str(main.get_option(option_id).prompt)
            except Exception:  # not on the ladder (yet)
                return ""

        assert "Avery M." in shown("main|3|tgd1|phone")

        await duty_manager.sign_in("dm1", backend.pins["dm1"])
        await duty_manager.start()
        # its terminal decides against the floor it holds: wait for the first snapshot
        await until(pilot, lambda: "dm2" in duty_manager.state.staff)
        await duty_manager.submit(
            SetCover(
                chain=Chain.MAIN,
                line=3,
                staff_id="dm2",
                until=time.time() + 3600,  # the backend keeps the real clock
                reason="Avery M. called to the high-limit room",
            )
        )
        # the pit boss's ladder shows the covering person in place of the roster's
        await until(pilot, lambda: "(cover to" in shown("main|3|dm2|radio"))
        assert "Chris N." in shown("main|3|dm2|radio")
        assert shown("main|3|tgd1|phone") == ""

        await duty_manager.submit(EndCover(chain=Chain.MAIN, line=3))
        await until(pilot, lambda: "Avery M." in shown("main|3|tgd1|phone"))
        assert shown("main|3|dm2|radio") == ""
    await duty_manager.close()
