"""What the app needs from the sync client: `api_client.FloorClient` satisfies it.

Screens never talk to the network: they read this object's state (attributes
down) and post `tui.messages.CommandRequested` (messages up).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from api_client.contract import Changes, Conflict, ConnectionStatus, PendingCommand
from domain.commands import Command
from domain.models import Staff
from domain.state import FloorState


class FloorSource(Protocol):
    state: FloorState  # the optimistic view
    me: Staff | None
    status: ConnectionStatus
    pending: tuple[PendingCommand, ...]
    conflicts: tuple[Conflict, ...]
    approximate: bool  # countdowns show "~" (offline, or no clock sample yet)
    clock_suspect: bool  # the terminal's own clock is far off
    clock_offset: float
    token_warning: str | None

    def now(self) -> float: ...

    async def sign_in(self, staff_id: str, pin: str) -> Staff: ...

    async def change_pin(self, staff_id: str, old_pin: str, new_pin: str) -> Staff:
        """Replace a one-time PIN (after sign_in raised PinChangeRequired), then sign in."""
        ...

    async def sign_out(self) -> None: ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def submit(self, command: Command) -> PendingCommand: ...

    async def withdraw(self, command_id: str) -> PendingCommand:
        """Take back a queued command not yet sent; raises `CannotWithdraw` once it was."""
        ...

    async def dismiss(self, command_id: str) -> None: ...

    def changes(self) -> AsyncIterator[Changes]: ...
