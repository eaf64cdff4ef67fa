"""The background sync: follow the live feed and drain the outbox, for as long as it may.

Two tasks share one `LocalFloor`:
- the feed loop keeps the replica current (snapshot when needed, then the
  live feed), reconnecting with capped, jittered backoff, and reports the
  link in `ConnectionStatus`;
- the drain loop sends queued commands in order whenever it is woken (a
  submit, or the feed coming online) and settles each answer.
The loop ends only when the server stops accepting the session (a 401 or 403,
or the live feed's close 4001 or 4003). Anything else the server or a proxy
in front of it answers (an HTTP status instead of the upgrade, a 404 or 429
page, a 5xx) is retried with the same capped backoff, honouring
`Retry-After`; queued commands stay queued. An event that does not fit its
type, or whose fold fails, is logged with its seq and counted, and the
terminal takes a fresh snapshot instead of stopping.

With several servers for the floor, `Rest` moves on to the next when the
one in use is away, and the feed follows it, resuming from its seq: every
process of one floor has the same log and epoch, so no snapshot is needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass

from api_client.backoff import Backoff
from api_client.clock import ClockEstimator
from api_client.contract import ConnectionStatus, Link, PendingCommand
from api_client.errors import ServerTrouble, ServerUnreachable, SessionEnded
from api_client.feed import Ending, FeedHandlers, SessionEnd, run_session
from api_client.local import Answer, LocalFloor
from api_client.rest import HttpError, Rest
from api_client.servers import Servers
from domain.events import BadEvent, Event, check_event
from domain.protocol import CommandEnvelope, CommandError, Hello

log = logging.getLogger(__name__)

CHUNK = 200  # commands per batch request
OFFSET_SAVE_STEP = 0.25  # persist the clock offset when it moved this much
RETRY_AFTER_CAP = 300.0  # seconds: the longest `Retry-After` we wait out


@dataclass(frozen=True, slots=True)
class SyncSettings:
    servers: Servers
    terminal: str
    tls: ssl.SSLContext | None
    reconnect_delays: tuple[float, float]
    ping_interval: float
    ping_timeout: float


class SyncLoop:
    def __init__(
        self,
        settings: SyncSettings,
        *,
        rest: Rest,
        floor: LocalFloor,
        clock: ClockEstimator,
        monotonic: Callable[[], float],
        forget_token: Callable[[], None],
    ) -> None:
        self._cfg = settings
        self._forget_token = forget_token
        self._rest = rest
        self._floor = floor
        self._clock = clock
        self._mono = monotonic
        self._backoff = Backoff(*settings.reconnect_delays)
        self._drain_wanted = asyncio.Event()
        self._retry_now = asyncio.Event()  # cuts a backoff wait short
        self._need_snapshot = not floor.replica.synced
        self._lost_at: float | None = None  # server time the link went (None: online)
        self._bad_events = 0  # events skipped for a snapshot, shown in the status

    async def run(self) -> None:
        """Sync until the server ends the session (status SIGNED_OUT) or we are cancelled."""
        self._drain_wanted.set()  # whatever a previous run left queued
        tasks = [
            asyncio.create_task(self._feed_loop(), name="floorline-feed"),
            asyncio.create_task(self._drain_loop(), name="floorline-drain"),
        ]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                failure = None if task.cancelled() else task.exception()
                if isinstance(failure, SessionEnded):
                    self._signed_out(failure.message, forbidden=failure.forbidden)
                elif failure is not None:
                    # local storage failing (disk full, say): say so rather than die quietly
                    log.error("sync stopped", exc_info=failure)
                    self._floor.set_status(
                        ConnectionStatus(
                            Link.OFFLINE,
                            since=self._clock.now(),
                            pending=len(self._floor.pending),
                            detail=f"sync stopped: {failure}",
                            bad_events=self._bad_events,
                        )
                    )
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    def wake_drain(self) -> None:
        self._drain_wanted.set()

    # -- the live feed --------------------------------------------------------

    async def _feed_loop(self) -> None:
        self._lost_at = self._floor.status.since or self._clock.now()
        while True:
            try:
                if self._need_snapshot:
                    await self._take_snapshot()
                else:
                    await self._rest.server_time()  # a clock sample, and a quick probe
            except (ServerUnreachable, ServerTrouble) as exc:
                await self._wait_after_failure(exc.message, at_least=_retry_after(exc))
                continue
            except HttpError as exc:  # our server refusing a read: odd, but not the end
                await self._wait_after_failure(exc.problem.detail)
                continue
            assert self._rest.token is not None
            server = self._cfg.servers.current  # the one that just answered
            end = await run_session(
                server,
                self._rest.token,
                FeedHandlers(self._position, self._on_hello, self._on_events, self._on_frame),
                terminal=self._cfg.terminal,
                tls=self._cfg.tls,
                ping_interval=self._cfg.ping_interval,
                ping_timeout=self._cfg.ping_timeout,
                monotonic=self._mono,
            )
            log.info("live feed ended: %s (%s)", end.ending, end.detail)
            if end.ending in (Ending.UNAUTHORISED, Ending.FORBIDDEN):
                self._signed_out(end.detail, forbidden=end.ending is Ending.FORBIDDEN)
                return
            if end.ending is Ending.UNREACHABLE:
                self._cfg.servers.fail_over(server, end.detail)
            await self._after_session(end)

    async def _after_session(self, end: SessionEnd) -> None:
        if end.opened_at is not None:
            self._backoff.session_ended(end.lasted)
            self._lost_at = self._clock.now()
        if end.ending is Ending.RESYNC:
            self._need_snapshot = True
        if end.ending in (Ending.GAP, Ending.RESYNC) and self._backoff.attempt == 0:
            self._backoff.next_delay()  # the next quick end backs off
            return  # resume at once: the server is there
        await self._wait_after_failure(end.detail, dropped=end.opened_at is not None)

    async def _take_snapshot(self) -> None:
        snapshot = await self._rest.snapshot()
        self._floor.take_snapshot(snapshot.epoch, snapshot.state, snapshot.me)
        self._need_snapshot = False
        self._save_offset()

    def _position(self) -> tuple[int, str | None]:
        return self._floor.confirmed.seq, self._floor.replica.epoch

    async def _on_hello(self, hello: Hello) -> bool:
        replica = self._floor.replica
        if replica.epoch != hello.epoch or hello.head < replica.seq:
            # another event log (restored or reset): our seq means nothing there
            self._need_snapshot = True
            return False
        self._floor.set_me(hello.me)
        self._lost_at = None
        self._floor.set_status(
            ConnectionStatus(
                Link.ONLINE, pending=len(self._floor.pending), bad_events=self._bad_events
            )
        )
        self._save_offset()
        self._drain_wanted.set()
        return True

    async def _on_events(self, events: list[Event]) -> bool:
        """Fold a frame's events; False (take a snapshot) if one of them cannot be folded."""
        await self._floor.pace(len(events))
        try:
            for event in events:
                check_event(event)  # at the edge: nothing half-applied if one is bad
            self._floor.apply_events(events)
        except BadEvent as bad:
            self._bad_events += 1
            log.warning("bad event %d skipped for a fresh snapshot: %s", bad.seq, bad.reason)
            self._need_snapshot = True
            return False
        return True

    def _on_frame(self, server_time: float) -> None:
        self._clock.check_frame(server_time)

    async def _wait_after_failure(
        self, detail: str, *, dropped: bool = False, at_least: float | None = None
    ) -> None:
        """Back off; RECONNECTING right after a live link dropped, OFFLINE once retries fail.

        `at_least` is the wait the server asked for (`Retry-After`), up to
        `RETRY_AFTER_CAP` so an odd answer cannot park a terminal for a day.
        """
        delay = self._backoff.next_delay()
        if at_least is not None:
            delay = max(delay, min(at_least, RETRY_AFTER_CAP))
        now = self._clock.now()
        if self._lost_at is None:
            self._lost_at = now
        link = Link.RECONNECTING if dropped else Link.OFFLINE
        self._floor.set_status(
            ConnectionStatus(
                link,
                attempt=self._backoff.attempt,
                next_try_at=now + delay,
                since=self._lost_at,
                pending=len(self._floor.pending),
                detail=detail,
                bad_events=self._bad_events,
            )
        )
        self._retry_now.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._retry_now.wait(), delay)

    def _signed_out(self, detail: str, *, forbidden: bool) -> None:
        self._forget_token()  # a dead token in the keyring would only fail again
        words = detail if forbidden or "sign in" in detail else f"{detail}; sign in again"
        self._floor.set_status(
            ConnectionStatus(
                Link.SIGNED_OUT,
                pending=len(self._floor.pending),
                detail=words,
                bad_events=self._bad_events,
            )
        )

    def _save_offset(self) -> None:
        offset = self._clock.offset
        moved = abs(offset - self._floor.replica.clock_offset)
        if self._clock.sampled and moved > OFFSET_SAVE_STEP:
            self._floor.replica.save_clock_offset(offset)

    # -- the outbox drain -----------------------------------------------------

    async def _drain_loop(self) -> None:
        failures = 0
        while True:
            await self._drain_wanted.wait()
            self._drain_wanted.clear()
            try:
                sent = await self._drain()
            except (ServerUnreachable, ServerTrouble) as exc:
                # the commands stay queued, in order: nothing is refused for this
                failures += 1
                log.info("outbox drain stopped: %s", exc.message)
                if self._floor.status.link is Link.ONLINE:
                    # the feed is up, so its next hello may be far off: retry on our own
                    first, cap = self._cfg.reconnect_delays
                    wait = max(min(cap, first * 2**failures), _retry_after(exc) or 0.0)
                    asyncio.get_running_loop().call_later(wait, self._drain_wanted.set)
                continue  # otherwise the feed's hello wakes us when the server is back
            failures = 0
            if sent and self._floor.status.link is not Link.ONLINE:
                self._retry_now.set()  # the server answers: reconnect the feed now

    async def _drain(self) -> int:
        """Send everything queued, in order, in chunks; how many were answered."""
        answered = 0
        limit = CHUNK
        while chunk := self._floor.next_chunk(limit):
            envelopes = [
                CommandEnvelope(command_id=p.command_id, issued_at=p.issued_at, command=command)
                for p, command in chunk
            ]
            try:
                batch = await self._rest.send_batch(envelopes)
            except ServerUnreachable as exc:
                if not exc.may_have_arrived:
                    self._floor.not_sent([p.command_id for p, _ in chunk])  # still ours alone
                raise
            except HttpError as exc:
                if len(chunk) > 1:
                    limit = 1  # find the one the server cannot take
                    continue
                problem = exc.problem
                error = CommandError(code=problem.code, message=problem.detail)
                self._floor.settle([], [(chunk[0][0], error)])
                answered += 1
                limit = CHUNK
                continue
            accepted: list[Answer] = []
            refused: list[tuple[PendingCommand, CommandError]] = []
            for (pending, command), result in zip(chunk, batch.results, strict=True):
                if result.command_id != pending.command_id:
                    raise ServerTrouble("the batch answer is out of order")
                if result.status == "accepted":
                    accepted.append(Answer(pending, command, result))
                else:
                    error = result.error or CommandError(code="invalid", message="refused")
                    refused.append((pending, error))
            self._floor.settle(accepted, refused)
            answered += len(chunk)
            limit = CHUNK
        return answered


def _retry_after(exc: ServerUnreachable | ServerTrouble) -> float | None:
    if isinstance(exc, ServerTrouble) and exc.retry_after is not None:
        return min(exc.retry_after, RETRY_AFTER_CAP)
    return None
