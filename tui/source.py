"""What the app needs from the sync client: `api_client.FloorClient` satisfies it.

Screens never talk to the network: they read this object's state (attributes
down) and post `tui.messages.CommandRequested` (messages up). The one
exception is staff administration, which is never queued: the staff screen
awaits `staff_admin` in a worker of its own, for the server's answer there
and then (a one-time PIN, or a refusal).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from api_client.contract import Changes, Conflict, ConnectionStatus, PendingCommand
from domain.commands import Command
from domain.models import Role, Staff
from domain.protocol import StaffPin, StaffResult
from domain.state import FloorState


class StaffCommands(Protocol):
    """The admin's staff commands (`api_client.StaffAdmin`): each answers or raises."""

    async def add(
        self, staff_id: str, name: str, role: Role, pit: str | None = None
    ) -> StaffPin: ...

    async def deactivate(self, staff_id: str) -> StaffResult: ...

    async def reactivate(self, staff_id: str) -> StaffResult: ...

    async def change_role(
        self, staff_id: str, role: Role, pit: str | None = None
    ) -> StaffResult: ...

    async def change_pit(self, staff_id: str, pit: str) -> StaffResult: ...

    async def reset_pin(self, staff_id: str) -> StaffPin: ...


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

    @property
    def staff_admin(self) -> StaffCommands:
        """Staff administration as the signed-in user (admins only, online only)."""
        ...

    async def sign_in(self, staff_id: str, pin: str) -> Staff: ...

    async def change_pin(self, staff_id: str, old_pin: str, new_pin: str) -> Staff:
        """Replace a one-time PIN (after sign_in raised PinChangeRequired), then sign in."""
        ...

    async def sign_out(self) -> None: ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def submit(self, command: Command) -> PendingCommand: ...

    async def dismiss(self, command_id: str) -> None: ...

    def changes(self) -> AsyncIterator[Changes]: ...
