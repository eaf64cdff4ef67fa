"""`ClientCore`: the client half of the sync protocol, living on the sync thread.

`api_client.FloorClient` makes one on its own thread and calls it there; all
its state (the local floor, the HTTP client, the sync loop) is that thread's.
What other threads read is the hub's `FloorView`, taken at each notice.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import ssl
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import platformdirs

from api_client import storage
from api_client.changes import ChangeHub
from api_client.clock import ClockEstimator
from api_client.contract import (
    Changes,
    Conflict,
    ConnectionStatus,
    FloorView,
    Link,
    PendingCommand,
)
from api_client.errors import ClientError, NotSignedIn, PinChangeRequired
from api_client.local import LocalFloor
from api_client.rest import HttpError, Rest, ssl_context
from api_client.servers import Servers
from api_client.tokens import (
    MemoryTokenStore,
    TokenStore,
    TokenStoreError,
    account_for,
    default_token_store,
)
from domain.commands import Command
from domain.incident_facts import FactsMemo
from domain.models import Staff
from domain.pins import PIN_RULE
from domain.state import FloorState

if TYPE_CHECKING:
    from api_client.sync import SyncLoop

log = logging.getLogger(__name__)

_EMPTY = FloorState()


class ClientCore:
    def __init__(
        self,
        servers: tuple[str, ...],
        *,
        terminal: str,
        clock: ClockEstimator,
        hub: ChangeHub,
        monotonic: Callable[[], float],
        data_dir: Path | None,
        reconnect_delays: tuple[float, float],
        ping_interval: float,
        ping_timeout: float,
        verify: bool | str,
        token_store: TokenStore | None,
        replica_name: str | None,
    ) -> None:
        # the processes of one floor share its database: the first address
        # names the floor, the others are where to go when one is away
        self.servers = Servers(servers, moved=lambda: hub.publish(Changes(status=True)))
        self.server = self.servers.first
        self.terminal = terminal
        # one folder per floor for its replicas and outbox: named after its
        # (first) address unless the caller knows the server by a steadier name
        folder = storage.safe_name(replica_name) if replica_name else None
        self._folder = (
            Path(data_dir or platformdirs.user_data_dir("floorline"))
            / "replicas"
            / (folder or storage.server_slug(self.server))
        )
        self._replica_owner = f"name:{replica_name}" if replica_name else self.server
        self._clock = clock
        self._verify = verify
        self._tls_context: ssl.SSLContext | None = None
        self._rest = Rest(
            self.servers,
            terminal=self.terminal,
            tls=self._tls,
            clock=self._clock,
            monotonic=monotonic,
        )
        self._reconnect_delays = reconnect_delays
        self._ping = (ping_interval, ping_timeout)
        self._monotonic = monotonic
        self.token_warning: str | None = None
        self._pin_token: str | None = None  # a session that may only change its one-time PIN
        if token_store is None:
            token_store, self.token_warning = default_token_store()
        self._tokens = token_store
        self.hub = hub
        self._facts = FactsMemo()
        hub.take_views(self._view)
        self._floor: LocalFloor | None = None
        self._sync: SyncLoop | None = None
        self._sync_task: asyncio.Task[None] | None = None

    # -- what a UI reads ------------------------------------------------------

    @property
    def state(self) -> FloorState:
        """The optimistic view: confirmed state with pending commands applied."""
        return self._floor.state if self._floor else _EMPTY

    @property
    def confirmed(self) -> FloorState:
        return self._floor.confirmed if self._floor else _EMPTY

    @property
    def me(self) -> Staff | None:
        return self._floor.me if self._floor else None

    @property
    def status(self) -> ConnectionStatus:
        status = self._floor.status if self._floor else ConnectionStatus(Link.SIGNED_OUT)
        # plain HTTP beyond this machine: allowed by the operator, shown on the status bar
        server = self.servers.current
        insecure = server.startswith("http://") and not _loopback(server)
        return replace(status, insecure=True) if insecure else status

    @property
    def pending(self) -> tuple[PendingCommand, ...]:
        return self._floor.pending if self._floor else ()

    @property
    def conflicts(self) -> tuple[Conflict, ...]:
        return self._floor.conflicts if self._floor else ()

    @property
    def storage_warnings(self) -> tuple[str, ...]:
        """Local files that were unusable and set aside when this user's floor opened."""
        return tuple(self._floor.warnings) if self._floor else ()

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

    def _view(self, changes: Changes) -> FloorView:
        floor = self._floor
        status = self.status
        approximate = not self._clock.sampled or status.link is not Link.ONLINE
        server = self.servers.current
        if floor is None:
            return FloorView(status=status, approximate=approximate, server=server)
        state = floor.state
        # here, off the UI loop: a catch-up of thousands costs the UI lookups only
        incidents = state.incidents
        if changes.reset:
            self._facts.keep_only(incidents)
            self._facts.warm(incidents.values())
        else:
            self._facts.warm(incidents[i] for i in changes.incidents if i in incidents)
        return FloorView(
            state=state,
            confirmed=floor.confirmed,
            me=floor.me,
            status=status,
            pending=floor.pending,
            conflicts=floor.conflicts,
            warnings=tuple(floor.warnings),
            approximate=approximate,
            server=server,
            facts=self._facts,
        )

    # -- session --------------------------------------------------------------

    async def sign_in(self, staff_id: str, pin: str) -> Staff:
        """Raises `SignInFailed` (the server said no) or `ServerUnreachable`."""
        session = await self._rest.sign_in(staff_id, pin, self.terminal)
        if session.must_change_pin:
            # held only for the PIN change: not stored, no floor opened, no sync
            self._pin_token = session.token
            raise PinChangeRequired(
                f"{session.staff.name}, this PIN was given to you once: choose your own"
                f" ({PIN_RULE})"
            )
        running = self._sync_task is not None
        if self._floor is not None and self._floor.staff_id != staff_id:
            await self.sign_out()  # a shared terminal changing hands keeps no old sign-in
        self._keep_token(staff_id, session.token)
        await self._stop_sync()
        self._open_floor(staff_id)
        assert self._floor is not None
        self._floor.set_me(session.staff)
        self._rest.token = session.token
        self._leave_signed_out()
        if running:
            await self.start()
        return session.staff

    async def change_pin(self, staff_id: str, old_pin: str, new_pin: str) -> Staff:
        """Replace a one-time PIN, then sign in with the new one (as `sign_in`)."""
        token = self._pin_token
        if token is None:
            raise NotSignedIn("sign in with the one-time PIN first")
        held, self._rest.token = self._rest.token, token
        try:
            await self._rest.change_pin(old_pin, new_pin)
        finally:
            self._rest.token = held
        self._pin_token = None
        return await self.sign_in(staff_id, new_pin)

    @property
    def rest(self) -> Rest:
        """The signed-in HTTP client (for the admin's and reporting calls)."""
        return self._rest

    async def restore(self, staff_id: str) -> Staff | None:
        """Resume a stored sign-in with no network: None when nothing usable is stored."""
        try:
            token = self._tokens.get(account_for(staff_id, self.server))
        except TokenStoreError as exc:
            log.warning("keyring unavailable: %s", exc)
            return None
        if not token:
            return None
        await self._stop_sync()
        self._open_floor(staff_id)
        assert self._floor is not None
        if self._floor.me is None or self._floor.me.id != staff_id:
            return None
        self._rest.token = token
        self._leave_signed_out()
        return self._floor.me

    async def start(self) -> None:
        """Show the last known floor at once, then sync in the background."""
        if self._floor is None or self._rest.token is None:
            raise NotSignedIn("sign in (or restore a sign-in) before starting")
        if self._sync_task is not None and not self._sync_task.done():
            return
        # the live feed (websockets) is imported here, not with the client: a
        # terminal shows its last known floor before it connects
        from api_client.sync import SyncLoop, SyncSettings

        self.hub.publish(Changes(reset=True, status=True, outbox=True, roster=True))
        settings = SyncSettings(
            servers=self.servers,
            terminal=self.terminal,
            tls=self._tls(),
            reconnect_delays=self._reconnect_delays,
            ping_interval=self._ping[0],
            ping_timeout=self._ping[1],
        )
        self._sync = SyncLoop(
            settings,
            rest=self._rest,
            floor=self._floor,
            clock=self._clock,
            monotonic=self._monotonic,
            forget_token=self._forget_token,
        )
        self._sync_task = asyncio.create_task(self._sync.run(), name="floorline-sync")

    async def close(self) -> None:
        await self._stop_sync()
        if self._floor is not None:
            self._floor.replica.save_clock_offset(self._clock.offset)
            self._floor.close()
            self._floor = None
        await self._rest.aclose()
        self.hub.close()

    async def sign_out(self) -> None:
        """Revoke the session (best effort), forget the token here, stop syncing."""
        await self._stop_sync()
        if self._rest.token is not None:
            with contextlib.suppress(ClientError, HttpError):
                await self._rest.sign_out()
        self._forget_token()
        if self._floor is not None:
            self._floor.set_status(
                ConnectionStatus(Link.SIGNED_OUT, pending=len(self._floor.pending))
            )

    # -- work -----------------------------------------------------------------

    async def submit(self, command: Command) -> PendingCommand:
        """Decide locally, commit to the outbox, show it, and have it sent."""
        if self._floor is None or self._floor.me is None:
            raise NotSignedIn("sign in before changing anything")
        queued = self._floor.queue(command, str(uuid.uuid4()), self.now())
        if self._sync is not None:
            self._sync.wake_drain()
        return queued

    async def withdraw(self, command_id: str) -> PendingCommand:
        if self._floor is None:
            raise NotSignedIn("sign in before changing anything")
        return self._floor.withdraw(command_id)

    async def dismiss(self, command_id: str) -> None:
        """Remove a conflict the user has read."""
        if self._floor is not None:
            self._floor.dismiss(command_id)

    # -- internals ------------------------------------------------------------

    def _tls(self) -> ssl.SSLContext | None:
        """The TLS policy for https/wss, built on first use: loading the trusted
        CAs takes a while, and showing the last known floor needs none."""
        https = any(url.startswith("https") for url in self.servers.urls)
        if self._tls_context is None and https:
            self._tls_context = ssl_context(self._verify)
        return self._tls_context

    def _open_floor(self, staff_id: str) -> None:
        if self._floor is not None:
            if self._floor.staff_id == staff_id:
                return
            self._floor.close()
        self._floor = LocalFloor(
            self._folder,
            server=self._replica_owner,
            staff_id=staff_id,
            terminal=self.terminal,
            hub=self.hub,
            now=self.now,
        )
        if not self._clock.sampled:
            self._clock.assume_offset(self._floor.replica.clock_offset)
        self.hub.publish(Changes(reset=True, status=True, outbox=True, roster=True))

    def _forget_token(self) -> None:
        self._rest.token = None
        if self._floor is not None:
            with contextlib.suppress(TokenStoreError):
                self._tokens.delete(account_for(self._floor.staff_id, self.server))

    def _leave_signed_out(self) -> None:
        """A fresh sign-in: not connected yet, which reads as OFFLINE until the hello."""
        floor = self._floor
        if floor is not None and floor.status.link is Link.SIGNED_OUT:
            floor.set_status(
                ConnectionStatus(Link.OFFLINE, since=self.now(), pending=len(floor.pending))
            )

    def _keep_token(self, staff_id: str, token: str) -> None:
        account = account_for(staff_id, self.server)
        try:
            self._tokens.put(account, token)
        except TokenStoreError as exc:
            log.warning("keyring refused the token: %s", exc)
            self._tokens = MemoryTokenStore()
            self._tokens.put(account, token)
            self.token_warning = "the system keyring refused it: the sign-in is kept in memory only"

    async def _stop_sync(self) -> None:
        task, self._sync_task, self._sync = self._sync_task, None, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _loopback(server: str) -> bool:
    host = urlsplit(server).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
