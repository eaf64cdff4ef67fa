"""End to end: the owner's terminal rings when their ETA lapses, and the next line is
paged after the policy's grace; a P1 paged to another terminal is marked on its queue.

A real backend in the test's loop (the test moves its scheduler's clock) and the
real client under the app.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from backend.config import ServerConfig
from domain.policy import Policy
from screens.incident import IncidentScreen
from screens.login import LoginScreen
from screens.queue import QueueScreen
from tests.backend.helpers import Terminal, open_p1
from tests.backend.inprocess import FakeClock, serve_in_process
from tests.tui.e2e import real_client, until
from tests.tui.screen_text import screen_lines
from tui.widgets.incident_table import IncidentTable

GRACE = 60.0


async def sign_in(app: Any, pilot: Any, pin: str) -> None:
    await until(pilot, lambda: isinstance(app.screen, LoginScreen) and _focused(app) == "login-pin")
    await pilot.press(*pin, "enter")
    await until(pilot, lambda: isinstance(app.screen, QueueScreen))
    await until(pilot, lambda: isinstance(app.focused, IncidentTable))


def _focused(app: Any) -> str | None:
    return app.focused.id if app.focused is not None else None


async def test_the_owner_is_re_alerted_when_their_eta_lapses_then_the_next_line_is_paged(
    make_app: Any, tmp_path: Path
) -> None:
    clock = FakeClock(time.time())
    config = ServerConfig(
        db_url=f"sqlite:///{tmp_path / 'floor.db'}",
        demo=True,
        clock=clock,
        policy=Policy(eta_grace=GRACE),
    )
    async with serve_in_process(config) as server:
        app = make_app(
            None,
            source_factory=real_client(tmp_path / "floor", "pit-2"),
            server_url=server.url,
            staff_id="pb2",
        )
        bells: list[float] = []
        app.bell = lambda: bells.append(time.monotonic())
        opener = await Terminal.sign_in(server.url, "dm1", "3001")
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await sign_in(app, pilot, "1002")
            number = (await opener.accepted(open_p1(pit="2", spot="BJ-07")))["incident_id"]
            await until(pilot, lambda: number in app.view.state.incidents)
            app.action_open_incident(number)
            await until(pilot, lambda: isinstance(app.screen, IncidentScreen))
            await pilot.press("a")
            await until(pilot, lambda: "On it in" in "\n".join(screen_lines(app)))
            await pilot.press("2")  # on it in 2 min
            await until(pilot, lambda: app.view.state.incidents[number].eta_due is not None)
            incident = app.view.state.incidents[number]
            assert incident.owner == "pb2" and incident.acknowledged_at is not None
            await until(pilot, lambda: "Jordan T. is on it by" in "\n".join(screen_lines(app)))
            rang = len(bells)

            await server.backend.scheduler.tick(incident.acknowledged_at + 120)
            await until(pilot, lambda: any(n.title == "ETA lapsed" for n in app.notified))
            assert len(bells) > rang  # the bell, with the toast
            toast = next(n for n in app.notified if n.title == "ETA lapsed")
            assert f"#{number} 2/BJ-07" in toast.message
            assert (
                "not stabilised or updated" in toast.message and "L2 is paged at" in toast.message
            )
            await until(pilot, lambda: "ETA lapsed at" in "\n".join(screen_lines(app)))

            await server.backend.scheduler.tick(incident.acknowledged_at + 120 + GRACE)
            await until(pilot, lambda: app.view.state.incidents[number].line == 2)
            shown = "\n".join(screen_lines(app))
            assert "ETA lapsed at" not in shown  # the next line has been paged
            texts = [e.text for e in app.view.state.incidents[number].timeline]
            assert (  # the timeline says why
                "escalated to L2 (duty manager / game tech) automatically:"
                " the acknowledgement's ETA lapsed with no stabilise or update" in texts
            )
        await opener.close()
