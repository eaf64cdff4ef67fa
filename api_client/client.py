"""`FloorClient`: the client half of the sync protocol, for a UI or a script.

    client = FloorClient("https://floor.example")    # or "https://a.example,https://b.example"
    await client.sign_in("h1", pin)          # or: await client.restore("h1")
    await client.start()                     # last known floor at once, then live
    async for changes in client.changes():   # redraw what moved
        client.view.state                    # the floor that notice describes
    await client.submit(Acknowledge(incident_id=12))

The client never blocks its caller's event loop: the store (folding, SQLite
writes and fsyncs), the HTTP client and the live feed run on a thread of
their own (`api_client.sync_thread`). Commands land in a durable outbox and
show at once; the background sync sends them and follows the feed. Readers
get one immutable `FloorView` per notice.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from api_client.changes import ChangeHub, Subscription
from api_client.clock import ClockEstimator
from api_client.contract import Conflict, ConnectionStatus, FloorView, PendingCommand
from api_client.core import ClientCore
from api_client.servers import parse_servers
from api_client.staff_admin import Body, StaffAdmin
from api_client.sync_thread import SyncThread
from api_client.tokens import TokenStore
from domain.commands import Command
from domain.models import Staff, Tier
from domain.state import FloorState

T = TypeVar("T")

if TYPE_CHECKING:
    from api_client.metrics import Metrics
    from domain.digest import MonthlyDigest
    from domain.metric_windows import WindowKind
    from domain.metrics import MetricsBoard


class FloorClient:
    def __init__(
        self,
        server: str | Sequence[str],
        *,
        data_dir: Path | None = None,
        terminal: str | None = None,
        wall_clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        # capped at 10 s: back within seconds of the server's return, and with
        # jitter, a floor of terminals does not hammer a server that is down
        reconnect_delays: tuple[float, float] = (0.5, 10.0),
        ping_interval: float = 10,
        ping_timeout: float = 10,
        verify: bool | str = True,
        token_store: TokenStore | None = None,
        replica_name: str | None = None,
    ) -> None:
        # several addresses: the processes of one floor, tried in turn (api_client.servers)
        self.servers = parse_servers(server)
        self.server = self.servers[0]
        self.terminal = terminal or socket.gethostname()
        self._clock = ClockEstimator(wall_clock, monotonic)
        self._hub = ChangeHub()
        self._thread = SyncThread()
        # made on the sync thread, not awaited here: the keyring and TLS set-up
        # it does would hold the caller for a while
        self._made = self._thread.submit(
            lambda: ClientCore(
                self.servers,
                terminal=self.terminal,
                clock=self._clock,
                hub=self._hub,
                monotonic=monotonic,
                data_dir=data_dir,
                reconnect_delays=reconnect_delays,
                ping_interval=ping_interval,
                ping_timeout=ping_timeout,
                verify=verify,
                token_store=token_store,
                replica_name=replica_name,
            )
        )

    # -- what a UI reads ------------------------------------------------------

    @property
    def view(self) -> FloorView:
        """The floor as of the last notice: state, outbox and link, immutable."""
        return self._hub.view

    @property
    def state(self) -> FloorState:
        """The optimistic view: confirmed state with pending commands applied."""
        return self.view.state

    @property
    def confirmed(self) -> FloorState:
        return self.view.confirmed

    @property
    def me(self) -> Staff | None:
        return self.view.me

    @property
    def status(self) -> ConnectionStatus:
        return self.view.status

    @property
    def pending(self) -> tuple[PendingCommand, ...]:
        return self.view.pending

    @property
    def conflicts(self) -> tuple[Conflict, ...]:
        return self.view.conflicts

    @property
    def storage_warnings(self) -> tuple[str, ...]:
        """Local files that were unusable and set aside when this user's floor opened."""
        return self.view.warnings

    @property
    def token_warning(self) -> str | None:
        return self._core.token_warning if self._made.done() else None

    def now(self) -> float:
        """Server-corrected time: every countdown subtracts from this."""
        return self._clock.now()

    @property
    def clock_offset(self) -> float:
        return self._clock.offset

    @property
    def clock_suspect(self) -> bool:
        """The terminal's clock is off by more than 30 s: worth telling the user."""
        return self._clock.suspect

    @property
    def approximate(self) -> bool:
        """Countdowns are estimates: offline, or no time sample from the server yet."""
        return self.view.approximate

    def changes(self, *, paced: bool = False) -> Subscription:
        """Coalesced notices of what moved; a slow reader never holds the client up,
        but for a moment: a `paced` reader asks for the next notice once it has
        shown the last, and a catch-up page waits for that (`changes.PACE_LIMIT`).
        """
        return self._hub.subscribe(paced=paced)

    # -- session --------------------------------------------------------------

    async def sign_in(self, staff_id: str, pin: str) -> Staff:
        """Raises `SignInFailed`, `PinChangeRequired` or `ServerUnreachable`."""
        return await self._run(lambda core: core.sign_in(staff_id, pin))

    async def change_pin(self, staff_id: str, old_pin: str, new_pin: str) -> Staff:
        """Replace a one-time PIN, then sign in with the new one (as `sign_in`)."""
        return await self._run(lambda core: core.change_pin(staff_id, old_pin, new_pin))

    async def restore(self, staff_id: str) -> Staff | None:
        """Resume a stored sign-in with no network: None when nothing usable is stored."""
        return await self._run(lambda core: core.restore(staff_id))

    async def start(self) -> None:
        """Show the last known floor at once, then sync in the background."""
        await self._run(lambda core: core.start())

    async def sign_out(self) -> None:
        """Revoke the session (best effort), forget the token here, stop syncing."""
        await self._run(lambda core: core.sign_out())

    async def close(self) -> None:
        if not self._thread.running:
            return
        try:
            await self._run(lambda core: core.close())
        finally:
            self._thread.stop()

    @property
    def staff_admin(self) -> StaffAdmin:
        """The admin's staff commands, as the signed-in user."""
        return StaffAdmin(self)

    async def call(self, method: str, path: str, shape: type[Body], **kw: Any) -> Body:
        """One signed-in REST exchange, made on the sync thread (see `Rest.call`)."""
        return await self._run(lambda core: core.rest.call(method, path, shape, **kw))

    @property
    def metrics(self) -> Metrics:
        """The duty manager's metrics, computed by the server, as the signed-in user."""
        from api_client.metrics import Metrics  # only a manager's terminal ever asks

        return Metrics(self)

    async def metrics_board(
        self, window: WindowKind, *, tier: Tier | None = None, pit: str | None = None
    ) -> MetricsBoard:
        return await self.metrics.board(window, tier=tier, pit=pit)

    async def digest(self, month: str) -> MonthlyDigest:
        return await self.metrics.digest(month)

    # -- work -----------------------------------------------------------------

    async def submit(self, command: Command) -> PendingCommand:
        """Decide locally, commit to the outbox, show it, and have it sent.

        A `domain.Rejected` propagates (nothing is queued): the rules said no
        here already. Exclusive commands (take, assign, resolve, close) should
        carry the `expected_version` the user saw, read from `state`, so a change
        made meanwhile by someone else comes back as a conflict instead of being
        overwritten. `state` shows this terminal's pending changes but keeps the
        version the server last confirmed, and the server lets the sender's own
        changes since then through: a resolve queued behind one's own
        acknowledge is no conflict, one queued before a reassignment is.
        When it returns, `view` shows the command.
        """
        return await self._run(lambda core: core.submit(command))

    async def withdraw(self, command_id: str) -> PendingCommand:
        """Take back a queued command not yet sent; `CannotWithdraw` says why not."""
        return await self._run(lambda core: core.withdraw(command_id))

    async def dismiss(self, command_id: str) -> None:
        """Remove a conflict the user has read."""
        await self._run(lambda core: core.dismiss(command_id))

    # -- internals ------------------------------------------------------------

    @property
    def _core(self) -> ClientCore:
        return self._made.result()  # at once, once the first `_run` has awaited it

    async def _run(self, work: Callable[[ClientCore], Coroutine[Any, Any, T]]) -> T:
        """`work` on the sync thread; what it changed is in `view` when this returns."""
        core = await asyncio.wrap_future(self._made)

        async def then_flush() -> T:
            try:
                return await work(core)
            finally:
                self._hub.flush()

        return await self._thread.run(then_flush())
