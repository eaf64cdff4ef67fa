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


async def until(pilot: Any, condition: Callable[[], bool], seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("the app did not get there in time")


async def sign_in_on_screen(app: Any, pilot: Any, backend: BackendProcess, staff_id: str) -> None:
    """Type the PIN on the sign-in form (the staff ID is prefilled) and reach the queue."""
    await until(pilot, lambda: isinstance(app.screen, LoginScreen))
    await pilot.press(*backend.pins[staff_id], "enter")
    # the queue screen, composed: its table is there to read
    await until(
        pilot,
        lambda: isinstance(app.screen, QueueScreen) and bool(app.screen.query("IncidentTable")),
    )
