"""Fan-out of `Changes` to any number of subscribers, none of which can block us.

Each subscriber holds one pending `Changes`; a new notice is merged into it
instead of queued, so a subscriber that reads late gets one summary of
everything it missed, and memory stays bounded.
"""

from __future__ import annotations

import asyncio

from api_client.contract import Changes


class Subscription:
    """An async iterator of coalesced `Changes`, registered from the moment it is made."""

    def __init__(self, hub: ChangeHub) -> None:
        self._hub = hub
        self.held: Changes | None = None
        self.ready = asyncio.Event()

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Changes:
        while True:
            if self.held is not None:
                held, self.held = self.held, None
                self.ready.clear()
                return held
            if self._hub.closed:
                self._hub.unsubscribe(self)
                raise StopAsyncIteration
            await self.ready.wait()
            self.ready.clear()

    def close(self) -> None:
        self._hub.unsubscribe(self)


class ChangeHub:
    def __init__(self) -> None:
        self._subscribers: set[Subscription] = set()
        self.closed = False

    def subscribe(self) -> Subscription:
        sub = Subscription(self)
        self._subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        self._subscribers.discard(sub)

    def publish(self, changes: Changes) -> None:
        for sub in self._subscribers:
            sub.held = changes if sub.held is None else sub.held.merged(changes)
            sub.ready.set()

    def close(self) -> None:
        """End every subscription (after delivering what it holds)."""
        self.closed = True
        for sub in self._subscribers:
            sub.ready.set()
