"""Who is at the terminal: sign-in, the shared-terminal lock, switching user.

The network work happens in app workers through the sync client; the login
and lock screens only post what the user typed and show the answer.
Unlocking checks the PIN against a slow hash kept in memory from this
session's sign-in, so a terminal that lost its network can still be unlocked
by the person who locked it (never by anyone else).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from typing import TYPE_CHECKING

from api_client.contract import Changes, Link
from api_client.errors import ClientError, PinChangeRequired

if TYPE_CHECKING:
    from argon2 import PasswordHasher

    from screens.lock import LockScreen
    from screens.login import LoginScreen
    from tui.app import FloorApp
    from tui.source import FloorSource

SIGN_IN_TIMEOUT = 30.0
FIRST_PAINT_WAIT = 1.0  # the longest a resumed sign-in waits to connect


@functools.cache
def _hasher() -> PasswordHasher:
    # argon2 (cffi bindings) is loaded with the first PIN, not with the app
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)


class Session:
    def __init__(self, app: FloorApp) -> None:
        self.app = app
        self._pin_hash: tuple[str, str] | None = None  # (staff id, argon2 hash)
        # signed in with a one-time PIN, waiting for the new one: (source, server)
        self._changing: tuple[FloorSource, str] | None = None

    # --- sign-in ------------------------------------------------------------------

    def resume_or_sign_in(self) -> None:
        """Pick up this terminal's stored sign-in if there is one, else ask for it."""
        self.app.run_worker(self._resume(), group="session", exclusive=True, exit_on_error=False)

    async def _resume(self) -> None:
        app = self.app
        restore = getattr(app.source, "restore", None)
        me = None
        if restore is not None and app.prefill_staff_id:
            try:
                me = await restore(app.prefill_staff_id)
            except Exception as exc:  # a damaged replica or keyring: sign in afresh
                app.log.warning(f"could not resume the stored sign-in: {exc!r}")
        if me is None:
            self.show_login()
            return
        # the restored floor is the app's before the queue is made, so its first
        # frame shows it (not an empty queue redrawn once the sync worker starts)
        app.publish_floor(Changes(reset=True))
        app.show_queue()
        # the stored floor on screen first: connecting imports and builds the
        # HTTP and websocket machinery, which would hold that first paint up
        painted = asyncio.Event()
        app.call_after_refresh(painted.set)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(painted.wait(), FIRST_PAINT_WAIT)
        await self._adopt(app.source)

    def show_login(self, error: str = "") -> None:
        from screens.login import LoginScreen

        app = self.app
        while len(app.screen_stack) > 1:
            app.pop_screen()
        app.push_screen(
            LoginScreen(
                server=app.server_url,
                staff_id=app.prefill_staff_id,
                hint=app.login_hint,
                error=error,
            )
        )

    def ended_by_server(self, why: str) -> None:
        """The server ended this session (deactivated, PIN reset, expired): nothing of the
        floor stays on screen; the outbox keeps what was queued for the next sign-in."""
        from screens.login import LoginScreen

        if isinstance(self.app.screen, LoginScreen):
            return
        self.app.locked = False  # the sign-in form hides the floor as the lock did
        self.show_login(why)

    def sign_in(self, screen: LoginScreen, server: str, staff_id: str, pin: str) -> None:
        self.app.run_worker(
            self._sign_in(screen, server.strip(), staff_id.strip(), pin),
            group="session",
            exclusive=True,
            exit_on_error=False,
        )

    async def _sign_in(self, screen: LoginScreen, server: str, staff_id: str, pin: str) -> None:
        app = self.app
        source = app.source
        if server and server != app.server_url:
            if app.source_factory is None:
                screen.failed("this terminal is fixed to its server")
                return
            try:
                source = app.source_factory(server)
            except (ValueError, ClientError) as exc:
                screen.failed(f"not a server address: {_words(exc)}")
                return
        try:
            failure = await self._try_sign_in(source, staff_id, pin, one_time_ok=True)
        except PinChangeRequired as exc:
            self._changing = (source, server)
            screen.ask_new_pin(exc.message)
            return
        if failure:
            if source is not app.source:
                await _quietly_close(source)
            screen.failed(failure)
            return
        await self._signed_in(source, server, staff_id, pin)

    def change_pin(self, screen: LoginScreen, staff_id: str, old: str, new: str) -> None:
        self.app.run_worker(
            self._change_pin(screen, staff_id.strip(), old, new),
            group="session",
            exclusive=True,
            exit_on_error=False,
        )

    async def _change_pin(self, screen: LoginScreen, staff_id: str, old: str, new: str) -> None:
        if self._changing is None:
            screen.failed("sign in with the PIN you were given first")
            return
        source, server = self._changing
        try:
            await asyncio.wait_for(source.change_pin(staff_id, old, new), SIGN_IN_TIMEOUT)
        except TimeoutError:
            screen.ask_new_pin(f"no answer from the server in {SIGN_IN_TIMEOUT:.0f} s; try again")
            return
        except ClientError as exc:
            screen.ask_new_pin(exc.message, error=True)
            return
        self._changing = None
        await self._signed_in(source, server, staff_id, new)

    async def _signed_in(self, source: FloorSource, server: str, staff_id: str, pin: str) -> None:
        app = self.app
        await self._adopt(source)
        app.server_url = server or app.server_url
        app.server_label = app.server_url
        if app.remember_server:
            app.config.remember(server_url=app.server_url or None)
        app.config.remember(last_staff_id=staff_id)
        await self._remember_pin(staff_id, pin)
        app.show_queue()
        if source.token_warning:
            app.notify(
                source.token_warning, title="Sign-in not saved", severity="warning", markup=False
            )

    async def _try_sign_in(
        self, source: FloorSource, staff_id: str, pin: str, *, one_time_ok: bool = False
    ) -> str | None:
        """None on success, else what to tell the user; a one-time PIN raises
        PinChangeRequired where the caller can ask for a new one (`one_time_ok`)."""
        if not staff_id or not pin:
            return "enter your staff ID and PIN"
        try:
            await asyncio.wait_for(source.sign_in(staff_id, pin), SIGN_IN_TIMEOUT)
        except PinChangeRequired:
            if one_time_ok:
                raise
            return "this PIN was given once: sign in from the sign-in screen to choose your own"
        except TimeoutError:
            return f"no answer from the server in {SIGN_IN_TIMEOUT:.0f} s; try again"
        except ClientError as exc:
            return exc.message
        except Exception as exc:  # a sign-in must never take the terminal down
            self.app.log.error(f"sign-in failed: {exc!r}")
            return f"sign-in failed: {_words(exc)}"
        return None

    async def _adopt(self, source: FloorSource) -> None:
        """Make `source` the app's, start syncing it, and redraw for its user."""
        app = self.app
        old = app.source
        app.source = source
        if old is not source:
            await _quietly_close(old)
        app.start_sync()
        if app.view is not source.view:  # a resumed floor is on screen already
            app.publish_floor(Changes(reset=True))
        # the kept incident screen still holds the last user's incident
        app.settle_soon()

    async def _remember_pin(self, staff_id: str, pin: str) -> None:
        digest = await asyncio.to_thread(_hasher().hash, pin)
        self._pin_hash = (staff_id, digest)

    # --- the lock -----------------------------------------------------------------

    def lock(self) -> None:
        from screens.lock import LockBackdrop, LockScreen

        app = self.app
        me = app.source.me
        # signed out by the server, the sign-in form is up and hides the floor already:
        # a lock over it would show the ended session's queue again
        if me is None or app.locked or app.view.status.link is Link.SIGNED_OUT:
            return
        app.locked = True
        app.clear_notifications()  # a toast may carry what the lock hides (a typed reason)
        app.push_screen(LockBackdrop())
        app.push_screen(LockScreen(me.name, me.id))

    def unlock(self, screen: LockScreen, pin: str) -> None:
        self.app.run_worker(self._unlock(screen, pin), group="session", exclusive=True)

    async def _unlock(self, screen: LockScreen, pin: str) -> None:
        me = self.app.source.me
        if me is None:
            screen.failed("signed out: use switch user")
            return
        if not await self._pin_matches(me.id, pin):
            screen.failed("wrong PIN")
            return
        self._unlocked()

    async def _pin_matches(self, staff_id: str, pin: str) -> bool:
        from argon2.exceptions import InvalidHashError, VerificationError

        if not pin:
            return False
        if self._pin_hash is not None and self._pin_hash[0] == staff_id:
            try:
                return await asyncio.to_thread(_hasher().verify, self._pin_hash[1], pin)
            except (VerificationError, InvalidHashError):
                return False
        # no PIN from this session (signed in before start-up): ask the server
        failure = await self._try_sign_in(self.app.source, staff_id, pin)
        if failure is None:
            await self._remember_pin(staff_id, pin)
        return failure is None

    def switch_user(self, screen: LockScreen, staff_id: str, pin: str) -> None:
        self.app.run_worker(
            self._switch_user(screen, staff_id.strip(), pin),
            group="session",
            exclusive=True,
            exit_on_error=False,
        )

    async def _switch_user(self, screen: LockScreen, staff_id: str, pin: str) -> None:
        app = self.app
        old = app.source
        before = old.me.id if old.me is not None else None
        if app.source_factory is not None:
            # check the new user first, on a fresh client (their own replica)
            new = app.source_factory(app.server_url)
            failure = await self._try_sign_in(new, staff_id, pin)
            if failure:
                await _quietly_close(new)
                screen.failed(failure)
                return
            await _quietly_sign_out(old)
            await self._adopt(new)
        else:
            await _quietly_sign_out(old)
            failure = await self._try_sign_in(old, staff_id, pin)
            if failure:
                screen.failed(failure)
                return
            await self._adopt(old)
        app.prefill_staff_id = staff_id
        app.config.remember(last_staff_id=staff_id)
        await self._remember_pin(staff_id, pin)
        self._unlocked()
        me = app.source.me
        if me is not None and me.id != before:
            # someone else's screens (their half-typed form, kept as their draft) are
            # not the new user's: they start at their own queue
            app.show_queue()
        if me is not None:
            app.notify(f"Signed in as {me.name}", markup=False)

    def _unlocked(self) -> None:
        from screens.lock import LockBackdrop, LockScreen

        app = self.app
        if isinstance(app.screen, LockScreen):
            app.pop_screen()
        if isinstance(app.screen, LockBackdrop):
            app.pop_screen()
        app.locked = False
        app.note_activity()


async def _quietly_close(source: FloorSource) -> None:
    # the old client is being dropped: nothing to tell the user
    with contextlib.suppress(Exception):
        await source.close()


async def _quietly_sign_out(source: FloorSource) -> None:
    # offline: the client still removes the token locally
    with contextlib.suppress(Exception):
        await source.sign_out()


def _words(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
