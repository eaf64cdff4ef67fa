"""Recently checked bearer tokens, so that a storm of terminals (re)connecting at once,
or one terminal's run of requests, does not cost a database query each.

Entries are keyed by the token's digest (a token itself is never kept) and a
checked session is trusted for at most `ttl` seconds: a token revoked through
another backend process on the same database stays usable here for no longer
than that; one signed out through this process is dropped at once (`forget`);
expiry is the caller's to check on every use. Nothing that failed is cached.

Lookups for a digest already being looked up wait for that one query, and at
most `concurrency` lookups query at once: hundreds of handshakes arriving
together otherwise check out as many connections as the pool allows, and a
pool grown that way stays grown (on SQLite each connection is a thread with
its own page cache).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")

TTL = 5.0  # seconds a checked token is trusted without the database
SIZE = 4096  # digests kept, least recently used dropped first
CONCURRENCY = 2  # lookups querying at once


class TokenCache(Generic[T]):
    def __init__(
        self,
        *,
        ttl: float = TTL,
        size: int = SIZE,
        concurrency: int = CONCURRENCY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.size = size
        self.concurrency = concurrency
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, T]] = OrderedDict()
        self._inflight: dict[str, asyncio.Task[T]] = {}
        self._slots: asyncio.Semaphore | None = None  # made in the serving loop
        self._forgets = 0  # a lookup begun before a `forget` must not store its answer

    async def get(self, digest: str, lookup: Callable[[], Awaitable[T]]) -> T:
        """The value for `digest`: cached, or from `lookup` (whose errors pass through)."""
        entry = self._entries.get(digest)
        if entry is not None:
            if entry[0] > self._clock():
                self._entries.move_to_end(digest)
                return entry[1]
            del self._entries[digest]
        task = self._inflight.get(digest)
        if task is None:
            task = asyncio.ensure_future(self._look_up(digest, lookup))
            # its error is each waiter's to see; with none left, nobody's to report
            task.add_done_callback(lambda done: done.cancelled() or done.exception())
            self._inflight[digest] = task
        # a waiter that gives up (a dropped handshake) leaves the lookup to the others
        return await asyncio.shield(task)

    async def _look_up(self, digest: str, lookup: Callable[[], Awaitable[T]]) -> T:
        forgets = self._forgets
        try:
            if self._slots is None:
                self._slots = asyncio.Semaphore(self.concurrency)
            async with self._slots:
                value = await lookup()
            if forgets == self._forgets:
                self._entries[digest] = (self._clock() + self.ttl, value)
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
            return value
        finally:
            if self._inflight.get(digest) is asyncio.current_task():
                del self._inflight[digest]

    def forget_where(self, predicate: Callable[[T], bool]) -> None:
        """Drop every entry whose value matches (a staff member's sessions)."""
        for digest, (_, value) in list(self._entries.items()):
            if predicate(value):
                del self._entries[digest]
        self._forgets += 1

    def forget(self, digest: str) -> None:
        """Drop `digest` now (its token was signed out): the next use asks the database."""
        self._entries.pop(digest, None)
        self._inflight.pop(digest, None)
        self._forgets += 1
