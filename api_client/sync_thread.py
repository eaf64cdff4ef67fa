"""One thread with its own event loop, where the client's store and network live.

Folding events, writing the replica and the outbox (SQLite, with fsync),
parsing snapshots and frames: none of it may hold up a UI's event loop. The
caller awaits work done here as it would any coroutine; SQLite connections
and the HTTP client are made and used on this thread only.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import sys
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


# How long a busy thread keeps the interpreter once another asks for it: the
# UI's loop waits up to this for it back from a catch-up (CPython's default, 5 ms,
# is a third of a frame).
SWITCH_INTERVAL = 0.001


class SyncThread:
    def __init__(self, name: str = "floorline-sync") -> None:
        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()
        # cancel what is left (a task that outlived `close`), then let it finish
        tasks = asyncio.all_tasks(self._loop)
        for task in tasks:
            task.cancel()
        self._loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
        self._loop.close()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    async def run(self, work: Coroutine[Any, Any, T]) -> T:
        """Await `work` run on this thread's loop, from any other loop."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, self._loop))

    def submit(self, fn: Callable[[], T]) -> concurrent.futures.Future[T]:
        """Run `fn` on this thread; its result (or error) in the future returned."""

        async def call() -> T:
            return fn()

        return asyncio.run_coroutine_threadsafe(call(), self._loop)

    def stop(self) -> None:
        """Stop the loop and wait for the thread (after the last `run` is done)."""
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
