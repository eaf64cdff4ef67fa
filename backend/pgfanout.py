"""Several processes on one PostgreSQL log: every process's terminals see every event.

A NOTIFY carrying the new head is only a poke; each process then reads
`events WHERE seq > its own head`, and also polls every few seconds, so a lost
notification costs latency, never an event. On SQLite there is only the
poll: it is how a server notices what `floorline floor import` appended.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

if TYPE_CHECKING:
    from backend.service import FloorService

log = logging.getLogger("floorline.pgfanout")


async def notify(conn: AsyncConnection, channel: str, seq: int) -> None:
    """Queue a poke for other processes; PostgreSQL delivers it on commit."""
    await conn.execute(
        text("SELECT pg_notify(:channel, :seq)"), {"channel": channel, "seq": str(seq)}
    )


class PostgresFanout:
    def __init__(self, service: FloorService, *, interval: float, listen: bool = True) -> None:
        self.service = service
        self.listen = listen
        self.interval = interval
        self._poke = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._listen_conn: AsyncConnection | None = None

    async def start(self) -> None:
        if not self.listen:  # SQLite: the poll alone
            self._task = asyncio.create_task(self._run())
            return
        try:
            conn = await self.service.storage.engine.connect()
            raw = await conn.get_raw_connection()
            driver: Any = raw.driver_connection
            await driver.add_listener(self.service.storage.channel, self._on_notify)
            self._listen_conn = conn
        except Exception as exc:  # e.g. behind a transaction-pooling PgBouncer
            log.warning("LISTEN unavailable (%s); polling every %.0f s only", exc, self.interval)
        self._task = asyncio.create_task(self._run())

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        with contextlib.suppress(ValueError):
            if int(payload) > self.service.state.seq:
                self._poke.set()

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._poke.wait(), self.interval)
            self._poke.clear()
            try:
                await self.service.catch_up()
            except Exception:
                log.exception("reading other processes' events failed")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._listen_conn is not None:
            with contextlib.suppress(Exception):
                await self._listen_conn.close()
