"""Fan-out of `Changes` from the sync thread to readers on any event loop.

The client's store runs on its own thread (`api_client.sync_thread`); a UI
reads on its own loop. Each publish first takes one immutable `FloorView`
(state plus outbox and link), so a reader woken by a notice always finds the
view that notice describes. A burst of publishes within one turn of the sync
loop becomes one view and one notice.

Each subscriber holds one pending `Changes`; a new notice is merged into it
instead of queued, so a subscriber that reads late gets one summary of
everything it missed, memory stays bounded, and none can hold the store up.

A paced subscriber (a screen) asks for the next notice only once it has shown
the last; a catch-up page waits for that, up to `PACE_LIMIT`, before it is
folded. The store and the screen share one interpreter: a page folded while
the screen places the last one took the screen twice as long (each waits for
the other's turn), and the screen's stall is what a user feels.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable

from api_client.contract import Changes, FloorView

_NO_VIEW = FloorView()
PACE_LIMIT = 0.25  # seconds: the longest a catch-up page waits for a paced reader


class Subscription:
    """An async iterator of coalesced `Changes`, registered from the moment it is made."""

    def __init__(self, hub: ChangeHub, *, paced: bool = False) -> None:
        self._hub = hub
        self._lock = threading.Lock()
        self._held: Changes | None = None
        self._waiter: asyncio.Future[None] | None = None
        self.paced = paced
        self._showing = False  # paced: took a notice and has not asked for the next

    @property
    def settled(self) -> bool:
        """Nothing held, and (paced) done with what was taken."""
        with self._lock:
            return self._held is None and not self._showing

    @property
    def has_news(self) -> bool:
        """A notice is held, not yet read."""
        return self._held is not None

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Changes:
        if self._showing:  # asking again: the last one is shown
            with self._lock:
                self._showing = False
            self._hub.reader_settled()
        while True:
            with self._lock:
                if self._held is not None:
                    held, self._held = self._held, None
                    self._showing = self.paced
                    return held
                if self._hub.closed:
                    self._hub.unsubscribe(self)
                    raise StopAsyncIteration
                waiter = self._waiter = asyncio.get_running_loop().create_future()
            await waiter

    def close(self) -> None:
        self._hub.unsubscribe(self)
        self._hub.reader_settled()

    async def aclose(self) -> None:
        """`close`, for `contextlib.aclosing`: a reader that stops must not stay paced."""
        self.close()

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
        self._settling: asyncio.Future[None] | None = None  # a page waiting for readers

    def take_views(self, view: Callable[[Changes], FloorView]) -> None:
        """From now on, take a view from `view` (given the notice) before each notice."""
        self._make_view = view

    def subscribe(self, *, paced: bool = False) -> Subscription:
        sub = Subscription(self, paced=paced)
        self._subscribers.add(sub)
        return sub

    async def readers_settled(self, limit: float = PACE_LIMIT) -> None:
        """Wait, at most `limit`, until every paced reader has shown what it was given
        (on the publishing loop; a reader that is gone or stuck holds it up no longer)."""
        self.flush()  # the last page's notice, due at the end of this turn: deliver it now
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while True:
            # made before the check: a reader settling in between still wakes it
            waiter = self._settling = loop.create_future()
            paced = [sub for sub in list(self._subscribers) if sub.paced]
            remaining = deadline - loop.time()
            if all(sub.settled for sub in paced) or remaining <= 0:
                self._settling = None
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter, remaining)

    def reader_settled(self) -> None:
        """A paced reader is done (from any thread): wake a page waiting for it."""
        waiter = self._settling
        if waiter is not None:
            with contextlib.suppress(RuntimeError):  # its loop has closed
                waiter.get_loop().call_soon_threadsafe(_wake, waiter)

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
