"""Fan-out of `Changes` from the sync thread to readers on any event loop.

The client's store runs on its own thread (`api_client.sync_thread`); a UI
reads on its own loop. Each publish first takes one immutable `FloorView`
(state plus outbox and link), so a reader woken by a notice always finds the
view that notice describes. A burst of publishes within one turn of the sync
loop becomes one view and one notice.

Each subscriber holds one pending `Changes`; a new notice is merged into it
instead of queued, so a subscriber that reads late gets one summary of
everything it missed, memory stays bounded, and none can hold the store up.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable

from api_client.contract import Changes, FloorView

_NO_VIEW = FloorView()


class Subscription:
    """An async iterator of coalesced `Changes`, registered from the moment it is made."""

    def __init__(self, hub: ChangeHub) -> None:
        self._hub = hub
        self._lock = threading.Lock()
        self._held: Changes | None = None
        self._waiter: asyncio.Future[None] | None = None

    @property
    def has_news(self) -> bool:
        """A notice is held, not yet read."""
        return self._held is not None

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Changes:
        while True:
            with self._lock:
                if self._held is not None:
                    held, self._held = self._held, None
                    return held
                if self._hub.closed:
                    self._hub.unsubscribe(self)
                    raise StopAsyncIteration
                waiter = self._waiter = asyncio.get_running_loop().create_future()
            await waiter

    def close(self) -> None:
        self._hub.unsubscribe(self)

    def hold(self, changes: Changes | None) -> None:
        """Merge `changes` into what is held and wake the reader (from any thread)."""
        with self._lock:
            if changes is not None:
                self._held = changes if self._held is None else self._held.merged(changes)
            waiter, self._waiter = self._waiter, None
        if waiter is not None:
            # the loop may have closed under a reader that left without closing
            with contextlib.suppress(RuntimeError):
                waiter.get_loop().call_soon_threadsafe(_wake, waiter)


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class ChangeHub:
    def __init__(self, view: Callable[[Changes], FloorView] | None = None) -> None:
        self._subscribers: set[Subscription] = set()
        self._make_view = view
        self.view = _NO_VIEW
        self._due: Changes | None = None  # published, not yet delivered
        self.closed = False

    def take_views(self, view: Callable[[Changes], FloorView]) -> None:
        """From now on, take a view from `view` (given the notice) before each notice."""
        self._make_view = view

    def subscribe(self) -> Subscription:
        sub = Subscription(self)
        self._subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        self._subscribers.discard(sub)

    def publish(self, changes: Changes) -> None:
        """Deliver `changes` at the end of this turn of the publishing loop (or now)."""
        first = self._due is None
        self._due = changes if self._due is None else self._due.merged(changes)
        if not first:
            return
        try:
            asyncio.get_running_loop().call_soon(self.flush)
        except RuntimeError:  # no loop: a script or a test driving the store directly
            self.flush()

    def flush(self) -> None:
        """Take the view and deliver what was published, if anything was."""
        due, self._due = self._due, None
        if due is None:
            return
        if self._make_view is not None:
            self.view = self._make_view(due)
        for sub in list(self._subscribers):
            sub.hold(due)

    def close(self) -> None:
        """End every subscription (after delivering what it holds)."""
        self.flush()
        self.closed = True
        for sub in list(self._subscribers):
            sub.hold(None)
