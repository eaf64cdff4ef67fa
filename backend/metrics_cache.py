"""The metrics board's answers from this process's fold of the log, brought forward.

Folding a month of the log for every `GET /v1/metrics` costs seconds at
50,000 incidents. This keeps `domain.live_history.LiveHistory` (every story
from a little before this month on, folded to the log's head) and, before
each answer, folds only the events stored since, whoever stored them: each
backend process on one database keeps its own and reads the shared log by seq.
Past days of the charts are kept as answered, until an event dated inside or
before one of them arrives (an action done offline, replayed later) or the
log prunes.

The answers are the fresh fold's (`backend.metrics_log.compute`), exactly;
it is what answers whenever this cannot: a window ending before the latest
event, or one reaching before the kept stories. What the log prunes is
forgotten in place; a restore (a new epoch) or a new policy makes the fold
again from the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from backend import eventlog
from backend.collector import collector_held
from backend.metrics_log import (
    compute,
    pruned_before,
    read_after,
    read_incidents,
    read_stories,
)
from backend.storage import Storage
from domain.events import Event
from domain.incident_history import DOWNTIME_EVENTS, lookback
from domain.live_history import LiveHistory
from domain.metric_windows import Window, WindowKind, day_windows, window_for
from domain.metrics import (
    DailyMetrics,
    MetricsReport,
    daily_from,
    day_reports,
    metrics_report,
    report_from,
)
from domain.models import Tier
from domain.policy import Policy

DAY = 86400.0
# kept stories older than this behind what the board needs are let go (made again)
LET_GO_AFTER = 40 * DAY
DAYS_KEPT = 4096  # past-day answers kept, across tiers and pits
CHART_DAYS = 14  # the board's charts

log = logging.getLogger(__name__)

DayKey = tuple[float, float, float, Tier | None, str | None]  # chart start, day, filters


@dataclass
class _Kept:
    live: LiveHistory
    seq: int
    epoch: str
    pruned_through: int


def board_base(now: float, policy: Policy) -> float:
    """From when the stories must be read whole to answer every board window ending now,
    and the charts' days together (a day's figures read what the whole chart reaches)."""
    month = window_for(WindowKind.MONTH, now, policy).start
    week = window_for(WindowKind.LAST_7_DAYS, now, policy).start
    chart = day_windows(now, CHART_DAYS, policy)[0].start
    return min(month, week, chart) - lookback(policy)


class MetricsCache:
    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self._lock = asyncio.Lock()  # one bringing forward at a time; answers wait their turn
        self._kept: _Kept | None = None
        self._days: dict[DayKey, MetricsReport] = {}

    async def warm(self, policy: Policy, now: float) -> None:
        """Fold the log, and the charts' past days, ahead of the first board, so a duty
        manager does not wait for them."""
        try:
            await self.daily(policy, day_windows(now, CHART_DAYS, policy), now, tier=None, pit=None)
        except Exception:  # the board folds again when asked; a failed warm-up loses nothing
            log.exception("could not fold the log for the metrics board ahead of time")

    async def report(
        self, policy: Policy, window: Window, now: float, *, tier: Tier | None, pit: str | None
    ) -> MetricsReport:
        async with self._lock, self._kept_only_if_whole():
            live, pruned = await self._bring_forward(policy, now, window.start)
            since = window.start - lookback(policy)
            judged = await asyncio.to_thread(_judged, live, policy, window, since, tier, pit)
            if judged is not None:
                report = judged
            else:
                report, pruned = await compute(
                    self._storage,
                    policy,
                    window.start,
                    window.end,
                    lambda events: metrics_report(events, policy, window, tier=tier, pit=pit),
                )
        return report.model_copy(update={"pruned_before": pruned})

    async def daily(
        self,
        policy: Policy,
        days: tuple[Window, ...],
        now: float,
        *,
        tier: Tier | None,
        pit: str | None,
    ) -> DailyMetrics:
        # every day of a chart is judged over the incidents the whole chart reaches (as one
        # fresh fold of its span does), so a kept day belongs to charts starting where it did
        reach = days[0].start
        since = reach - lookback(policy)
        async with self._lock, self._kept_only_if_whole():
            live, pruned = await self._bring_forward(policy, now, reach)
            reports: list[MetricsReport | None] = [
                self._days.get((reach, d.start, d.end, tier, pit)) for d in days
            ]
            for n, day in enumerate(days):
                if reports[n] is None and day.end > live.latest_at:  # today: from the fold
                    reports[n] = await asyncio.to_thread(
                        _judged, live, policy, day, since, tier, pit
                    )
            unknown = [day for day, report in zip(days, reports, strict=True) if report is None]
            if unknown:
                made, _ = await compute(
                    self._storage,
                    policy,
                    reach,
                    days[-1].end,
                    lambda events: day_reports(events, policy, unknown, tier=tier, pit=pit),
                )
                fresh = iter(made)
                reports = [r if r is not None else next(fresh) for r in reports]
            if len(self._days) > DAYS_KEPT:
                self._days.clear()
            for day, report in zip(days, reports, strict=True):
                if report is not None and day.end < now:  # a day over: it stays as answered
                    self._days[(reach, day.start, day.end, tier, pit)] = report
        answered = [r for r in reports if r is not None]
        return daily_from(days, answered).model_copy(update={"pruned_before": pruned})

    @contextlib.asynccontextmanager
    async def _kept_only_if_whole(self) -> AsyncIterator[None]:
        """Let the kept fold go if its bringing forward or judging did not finish.

        A request cancelled (or failing) part way leaves its worker thread running
        on the fold, or the fold half brought forward; the next request makes it
        again rather than reading it.
        """
        try:
            yield
        except BaseException:
            self._kept = None
            self._days.clear()
            raise

    async def _bring_forward(
        self, policy: Policy, now: float, start: float
    ) -> tuple[LiveHistory, float | None]:
        """The kept fold brought to the log's head, and when the log is short for
        windows from `start`."""
        base = board_base(now, policy)
        async with self._storage.engine.connect() as conn:
            head = await eventlog.read_head(conn)
            pruned = await pruned_before(conn, head, start - lookback(policy))
            kept = self._kept
            if (
                kept is None
                or kept.live.policy != policy
                or kept.epoch != head.epoch
                or head.seq < kept.seq
                or head.pruned_through < kept.pruned_through
                or base < kept.live.base
                or base - kept.live.base > LET_GO_AFTER
            ):
                self._kept = None
                self._days.clear()
                bodies = await read_stories(conn, base, head.seq)
                live = LiveHistory(policy, base)
                await asyncio.to_thread(_made, live, bodies)
                kept = _Kept(live, head.seq, head.epoch, head.pruned_through)
            else:
                if head.pruned_through > kept.pruned_through:
                    # the log let its oldest events go: so does the fold, and the days
                    # kept, which were folded from them
                    await asyncio.to_thread(kept.live.prune, head.pruned_through)
                    kept.pruned_through = head.pruned_through
                    self._days.clear()
                if head.seq > kept.seq:
                    bodies = await read_after(conn, kept.seq, head.seq)
                    earliest = await asyncio.to_thread(_fed, kept.live, bodies)
                    self._forget_days_from(earliest)
                    kept.seq = head.seq
            if kept.live.missing:
                stories = await read_incidents(conn, kept.live.missing, kept.seq)
                await asyncio.to_thread(_adopted, kept.live, stories)
        self._kept = kept
        return kept.live, pruned

    def _forget_days_from(self, moment: float) -> None:
        """An event dated `moment` arrived: the days ending after it may read otherwise."""
        for key in [key for key in self._days if key[2] > moment]:
            del self._days[key]


def _fed(live: LiveHistory, bodies: list[str]) -> float:
    """Parse and fold `bodies` into `live`; the earliest incident or downtime event time."""
    with collector_held():
        events = [Event.model_validate_json(body) for body in bodies]
        live.feed(events)
    counted = [e.at for e in events if e.incident_id is not None or e.type in DOWNTIME_EVENTS]
    return min(counted, default=float("inf"))


def _made(live: LiveHistory, bodies: list[str]) -> None:
    """Fold the month into a new `live`, and keep it out of the collector's passes.

    The fold is a few million objects that live until the next one; left to the
    collector, its next full passes would walk every one of them (hundreds of
    milliseconds each, holding up the live feed). Frozen, they are still freed
    by reference counting when a story's record is replaced.
    """
    with collector_held():
        _fed(live, bodies)
        live.settle()
        gc.collect()  # what is garbage now would never be collected once frozen
        gc.freeze()


def _adopted(live: LiveHistory, bodies: list[str]) -> None:
    with collector_held():
        stories: dict[int, list[Event]] = {}
        for body in bodies:
            event = Event.model_validate_json(body)
            if event.incident_id is not None and event.type not in DOWNTIME_EVENTS:
                stories.setdefault(event.incident_id, []).append(event)
        live.adopt(stories)


def _judged(
    live: LiveHistory,
    policy: Policy,
    window: Window,
    since: float,
    tier: Tier | None,
    pit: str | None,
) -> MetricsReport | None:
    """The window's report from the kept fold over the incidents active from `since`, or
    None when the fold cannot answer it."""
    with collector_held():
        history = live.history(since, window.end)
        if history is None:
            return None
        events = live.count_inside(window)
        return report_from(history, policy, window, tier=tier, pit=pit, events=events)
