"""Several processes on one PostgreSQL log: every process's terminals see every event.

A NOTIFY carrying the new head is only a poke; each process then reads
`events WHERE seq > its own head`, and also polls every few seconds, so a lost
notification costs latency, never an event. On SQLite there is only the
poll: it is how a server notices what `floorline floor import` appended.

The LISTEN connection can end under a running process (PostgreSQL restarted,
its backend terminated, the connection reset); it is then opened again with
backoff, so the process does not quietly fall back to the poll for good.
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

# seconds before trying LISTEN again: first, cap (doubling in between)
RELISTEN_DELAYS = (0.5, 30.0)


async def notify(conn: AsyncConnection, channel: str, seq: int) -> None:
    """Queue a poke for other processes; PostgreSQL delivers it on commit."""
    await conn.execute(
        text("SELECT pg_notify(:channel, :seq)"), {"channel": channel, "seq": str(seq)}
    )


class PostgresFanout:
    def __init__(
        self,
        service: FloorService,
        *,
        interval: float,
        listen: bool = True,
        relisten_delays: tuple[float, float] = RELISTEN_DELAYS,
    ) -> None:
        self.service = service
        self.listen = listen
        self.interval = interval
        self.relisten_delays = relisten_delays
        self._poke = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._listen_conn: AsyncConnection | None = None
        self._lost = asyncio.Event()

    async def start(self) -> None:
        if self.listen:  # on SQLite, the poll alone
            try:
                await self._open_listener()
            except Exception as exc:  # e.g. behind a transaction-pooling PgBouncer
                log.warning(
                    "LISTEN unavailable (%s); polling every %.0f s only", exc, self.interval
                )
            else:
                self._tasks.append(asyncio.create_task(self._keep_listening()))
        self._tasks.append(asyncio.create_task(self._run()))

    async def _open_listener(self) -> None:
        conn = await self.service.storage.engine.connect()
        try:
            raw = await conn.get_raw_connection()
            driver: Any = raw.driver_connection
            self._lost.clear()
            driver.add_termination_listener(self._on_lost)
            await driver.add_listener(self.service.storage.channel, self._on_notify)
        except BaseException:
            with contextlib.suppress(Exception):
                await conn.invalidate()
            raise
        self._listen_conn = conn

    def _on_lost(self, _conn: Any) -> None:
        self._lost.set()

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        with contextlib.suppress(ValueError):
            if int(payload) > self.service.state.seq:
                self._poke.set()

    async def _keep_listening(self) -> None:
        first, cap = self.relisten_delays
        while True:
            await self._lost.wait()
            log.warning(
                "the LISTEN connection to PostgreSQL closed; polling every %.0f s"
                " until it is open again",
                self.interval,
            )
            await self._drop_listener()
            delay = first
            while True:
                await asyncio.sleep(delay)
                try:
                    await self._open_listener()
                except Exception as exc:
                    delay = min(delay * 2, cap)
                    log.warning("LISTEN again failed (%s); next try in %.0f s", exc, delay)
                else:
                    break
            log.warning("listening for other processes' events again")
            self._poke.set()  # whatever was notified while nobody listened

    async def _drop_listener(self) -> None:
        conn, self._listen_conn = self._listen_conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.invalidate()  # a dead connection goes nowhere back into the pool

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
        for task in self._tasks:  # first, so closing the connection below is not a loss
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._listen_conn is not None:
            with contextlib.suppress(Exception):
                await self._listen_conn.close()
