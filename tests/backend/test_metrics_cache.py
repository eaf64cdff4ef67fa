"""The board's kept fold, on a real store, answers what folding the log afresh answers.

A random floor's log (real commands: reopens, priority changes, escalations,
actions done offline) is written into a server store a few events at a time,
as a floor's terminals would. After each write the board's windows and its
14-day charts are asked of `MetricsCache` (what the routes ask) and of
`backend.metrics_log.compute` (a fresh fold, what the routes asked before), and
must be equal. Then the log changes under the kept fold: an action dated two
days back arrives, the log is pruned, it is restored under a new epoch, the
policy changes. Each answer must still be the fresh fold's. On SQLite and
PostgreSQL.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

import pytest
from sqlalchemy import delete, insert, update

from backend import metrics_cache, schema
from backend.metrics_cache import MetricsCache
from backend.metrics_log import compute
from backend.storage import Storage
from backend.visibility import FLOOR
from domain import commands as c
from domain.events import Event
from domain.live_history import LiveHistory
from domain.metric_windows import Window, WindowKind, day_windows, window_for
from domain.metrics import DailyMetrics, MetricsReport, daily_metrics, metrics_report
from domain.models import Asset, AssetKind, Player, Tier
from domain.policy import MetricTargets, Policy
from tests.domain.floor import T0, Floor
from tests.domain.test_metrics_random_history import random_log

DAY = 86400.0
HOUR = 3600.0


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'floor.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
async def storage(db_url: str) -> AsyncIterator[Storage]:
    store = await Storage.open(db_url)
    try:
        yield store
    finally:
        await store.close()


async def write(storage: Storage, events: Iterable[Event]) -> None:
    """Store events as the server does: a row each, and the head moved to the last."""
    rows = [
        {
            "seq": e.seq,
            "type": str(e.type),
            "incident_id": e.incident_id,
            "at": e.at,
            "body": e.model_dump_json(),
            "view": FLOOR.to_json(),
        }
        for e in events
    ]
    if not rows:
        return
    async with storage.engine.begin() as conn:
        await conn.execute(insert(schema.events), rows)
        await conn.execute(update(schema.meta).values(seq=rows[-1]["seq"]))


async def fresh_report(
    storage: Storage, policy: Policy, kind: WindowKind, now: float, tier: Tier | None
) -> MetricsReport:
    window = window_for(kind, now, policy)
    report, pruned = await compute(
        storage,
        policy,
        window.start,
        window.end,
        lambda events: metrics_report(events, policy, window, tier=tier),
    )
    return report.model_copy(update={"pruned_before": pruned})


async def fresh_daily(
    storage: Storage,
    policy: Policy,
    now: float,
    days: tuple[Window, ...] | None = None,
    tier: Tier | None = None,
) -> DailyMetrics:
    days = days or day_windows(now, 14, policy)
    result, pruned = await compute(
        storage,
        policy,
        days[0].start,
        days[-1].end,
        lambda events: daily_metrics(events, policy, days, tier=tier),
    )
    return result.model_copy(update={"pruned_before": pruned})


async def same_answers(cache: MetricsCache, storage: Storage, policy: Policy, now: float) -> None:
    for kind in WindowKind:
        for tier in (None, Tier.VIP):
            window = window_for(kind, now, policy)
            kept = await cache.report(policy, window, now, tier=tier, pit=None)
            assert kept == await fresh_report(storage, policy, kind, now, tier), (kind, tier)
    days = day_windows(now, 14, policy)
    kept_daily = await cache.daily(policy, days, now, tier=None, pit=None)
    assert kept_daily == await fresh_daily(storage, policy, now)


async def test_the_kept_fold_answers_as_the_log_does(storage: Storage) -> None:
    rng = random.Random(7)
    policy = Policy()
    log = random_log(11, steps=1000, longest_gap=1700)  # about ten days of a floor
    cache = MetricsCache(storage)
    written = len(log) // 2
    await write(storage, log[:written])
    checked = 0
    while written < len(log):
        batch = rng.randint(1, 60)
        await write(storage, log[written : written + batch])
        written += batch
        now = max(e.at for e in log[:written]) + rng.uniform(1, 600)
        await same_answers(cache, storage, policy, now)
        checked += 1
    assert checked > 5
    now = log[-1].at + 600

    # an action done offline two days ago arrives: a new incident, never answered,
    # whose broken answer promise changes that day's chart
    before = await cache.daily(policy, day_windows(now, 14, policy), now, tier=None, pit=None)
    opening = next(e for e in log if e.type == "incident_opened")
    back = now - 2 * DAY
    incident = opening.data["incident"] | {"id": 10_000, "opened_at": back}
    late = opening.model_copy(
        update={
            "seq": log[-1].seq + 1,
            "at": back,
            "incident_id": 10_000,
            "data": {"incident": incident},
        }
    )
    await write(storage, [late])
    await same_answers(cache, storage, policy, now)
    after = await cache.daily(policy, day_windows(now, 14, policy), now, tier=None, pit=None)
    assert after.values["sla.answer"] != before.values["sla.answer"]

    # the log pruned: the fresh fold no longer sees the oldest events, nor may the kept one
    async with storage.engine.begin() as conn:
        await conn.execute(delete(schema.events).where(schema.events.c.seq <= len(log) // 3))
        await conn.execute(update(schema.meta).values(pruned_through=len(log) // 3))
    await same_answers(cache, storage, policy, now)

    # restored from a backup under a new epoch, with fewer events than were seen
    async with storage.engine.begin() as conn:
        await conn.execute(delete(schema.events).where(schema.events.c.seq > len(log) - 40))
        await conn.execute(update(schema.meta).values(seq=len(log) - 40, epoch="restored"))
    await same_answers(cache, storage, policy, now)

    # a new policy: every promise and target judged by it
    stricter = policy.model_copy(
        update={
            "targets": MetricTargets(sla_attainment=0.99),
            "update_every": {p: every / 2 for p, every in policy.update_every.items()},
        }
    )
    await same_answers(cache, storage, stricter, now)
    kept = await cache.report(
        stricter, window_for(WindowKind.MONTH, now, stricter), now, tier=None, pit=None
    )
    assert kept.metric("sla.all").target == 0.99


async def test_a_chart_for_a_tier_reads_each_day_as_its_whole_chart_does(storage: Storage) -> None:
    """A table down for twelve days, raised with a VIP's incident closed since: whether
    its minutes count for VIPs depends on the chart's reach (a fresh fold of the chart
    reads that incident only when the chart reaches back to it), so a day answered for
    one chart is not answered again for a shorter one."""
    policy = Policy()
    now = T0 + 20 * DAY
    floor = Floor(policy)
    floor.state = floor.state.model_copy(
        update={"assets": {"SL-1": Asset(id="SL-1", kind=AssetKind.MACHINE, pit="1")}}
    )
    old = now - 12 * DAY
    vip = Player(reference="VP-1000-2000", tier=Tier.VIP, host_id="h1")
    raised = floor.open("dm1", at=old, player=vip)
    floor.run("dm1", c.StartDowntime(asset_id="SL-1", reason="dead", incident_id=raised), old + 300)
    floor.run("dm1", c.Resolve(incident_id=raised), old + 600)
    floor.run("dm1", c.Close(incident_id=raised), old + 1200)
    floor.open("dm1", at=now - HOUR)
    await write(storage, floor.events)
    cache = MetricsCache(storage)
    minutes = set()
    for length in (14, 3, 14, 1):
        days = day_windows(now, length, policy)
        answer = await cache.daily(policy, days, now, tier=Tier.VIP, pit=None)
        assert answer == await fresh_daily(storage, policy, now, days, Tier.VIP), length
        minutes.add(answer.values["downtime.minutes"][-1])
    assert len(minutes) == 2  # the reach tells: counted for the long charts, not the short


async def test_a_board_asked_and_given_up_part_way_leaves_nothing_half_folded(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = Policy()
    log = random_log(5, steps=1500, longest_gap=300)
    cache = MetricsCache(storage)
    await write(storage, log[:50])
    now = log[-1].at + 60
    month = window_for(WindowKind.MONTH, now, policy)
    await cache.report(policy, month, now, tier=None, pit=None)
    await write(storage, log[50:])

    started, release, finished = threading.Event(), threading.Event(), threading.Event()
    fold = metrics_cache._fed

    def held_fold(live: LiveHistory, bodies: list[str]) -> float:
        started.set()
        release.wait(30)
        try:
            return fold(live, bodies)
        finally:
            finished.set()

    monkeypatch.setattr(metrics_cache, "_fed", held_fold)
    asked = asyncio.create_task(cache.report(policy, month, now, tier=None, pit=None))
    assert await asyncio.to_thread(started.wait, 30)
    asked.cancel()  # the duty manager's terminal went away mid-answer
    with pytest.raises(asyncio.CancelledError):
        await asked
    release.set()
    assert await asyncio.to_thread(finished.wait, 30)  # the fold's thread ran on, to its end
    monkeypatch.setattr(metrics_cache, "_fed", fold)
    await same_answers(cache, storage, policy, now)
