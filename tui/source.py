"""What the app needs from the sync client: `api_client.FloorClient` satisfies it.

Screens never talk to the network: they read the app's `FloorView`, taken
from `view` at each notice on `changes()` (attributes down), and post
`tui.messages.CommandRequested` (messages up). Staff administration and the
metrics board are the exceptions, never queued: their screens await
`staff_admin` / `metrics_board` in a worker, for the server's answer there
and then (a one-time PIN, a refusal, the figures).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from api_client.contract import Changes, Conflict, ConnectionStatus, FloorView, PendingCommand
from domain.commands import Command
from domain.models import Role, Staff
from domain.protocol import JournalHead, StaffPin, StaffResult
from domain.state import FloorState

if TYPE_CHECKING:
    from domain.digest import MonthlyDigest
    from domain.metric_windows import WindowKind
    from domain.metrics import MetricsBoard
    from domain.models import Tier


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

    async def journal_head(self) -> JournalHead: ...


class ChangeFeed(Protocol):
    """Notices of what moved, one merged notice for all a slow reader missed.

    A paced reader (`changes(paced=True)`) holds catch-up pages back while it
    shows a notice: it closes its feed when it stops reading.
    """

    def __aiter__(self) -> ChangeFeed: ...

    async def __anext__(self) -> Changes: ...

    async def aclose(self) -> None: ...


class FloorSource(Protocol):
    # read-only for the app: properties here, so a plain attribute or a property fits

    @property
    def view(self) -> FloorView:
        """All of the below, as of the last notice, immutable: what screens read."""
        ...

    @property
    def state(self) -> FloorState:
        """The optimistic view."""
        ...

    @property
    def me(self) -> Staff | None: ...

    @property
    def status(self) -> ConnectionStatus: ...

    @property
    def pending(self) -> tuple[PendingCommand, ...]: ...

    @property
    def conflicts(self) -> tuple[Conflict, ...]: ...

    @property
    def approximate(self) -> bool:
        """Countdowns show "~" (offline, or no clock sample yet)."""
        ...

    @property
    def clock_suspect(self) -> bool:
        """The terminal's own clock is far off."""
        ...

    @property
    def clock_offset(self) -> float: ...

    @property
    def token_warning(self) -> str | None: ...

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

    async def withdraw(self, command_id: str) -> PendingCommand:
        """Take back a queued command not yet sent; raises `CannotWithdraw` once it was."""
        ...

    async def dismiss(self, command_id: str) -> None: ...

    def changes(self, *, paced: bool = False) -> ChangeFeed: ...

    async def metrics_board(
        self, window: WindowKind, *, tier: Tier | None = None, pit: str | None = None
    ) -> MetricsBoard:
        """The duty manager's metrics for `window` and the last 14 days, from the server.

        Raises `ServerUnreachable` / `ServerTrouble` without the server, and
        `SessionEnded(forbidden=True)` with the reason for a role that may not see them.
        """
        ...

    async def digest(self, month: str) -> MonthlyDigest:
        """The monthly digest of `month` (YYYY-MM), computed by the server; raises as
        `metrics_board` does, and `HttpError` (422) for a month it refuses."""
        ...
