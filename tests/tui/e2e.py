"""What the end-to-end TUI tests share: a real client factory, waiting, signing in."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from api_client.client import FloorClient
from api_client.tokens import MemoryTokenStore
from screens.login import LoginScreen
from screens.queue import QueueScreen
from tests.conftest import BackendProcess
from tui.widgets.incident_table import IncidentTable


def real_client(data_dir: Path, terminal: str = "e2e") -> Callable[[str], FloorClient]:
    """A factory of real FloorClients with fast reconnects and no system keyring."""

    def client_for(url: str) -> FloorClient:
        return FloorClient(
            url,
            data_dir=data_dir,
            terminal=terminal,
            reconnect_delays=(0.05, 0.5),
            token_store=MemoryTokenStore(),
        )

    return client_for


async def until(pilot: Any, condition: Callable[[], bool], seconds: float = 30.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    app = pilot.app
    seen = getattr(app, "notified", [])
    from tests.tui.screen_text import screen_lines

    shown = "\n".join(screen_lines(app))
    raise AssertionError(
        f"the app did not get there in time: on {app.screen!r}; told {seen}\n{shown}"
    )


async def sign_in_on_screen(app: Any, pilot: Any, backend: BackendProcess, staff_id: str) -> None:
    """Type the PIN on the sign-in form (the staff ID is prefilled) and reach the queue."""
    # typed before the form has focused its PIN field, the keys would land elsewhere
    await until(pilot, lambda: isinstance(app.screen, LoginScreen) and _focused(app) == "login-pin")
    await pilot.press(*backend.pins[staff_id], "enter")
    # and keys go to the queue itself, not to its filter, once the table has focus
    await until(pilot, lambda: isinstance(app.screen, QueueScreen))
    await until(pilot, lambda: isinstance(app.focused, IncidentTable))


def _focused(app: Any) -> str | None:
    return app.focused.id if app.focused is not None else None
