"""Figure 14: the metrics board for a month of 50,000 incidents, on the server side.

A month's log is written into a fresh server store (SQLite): `--incidents`
incidents opened over the month up to now, each with its life (answered,
often stabilised, resolved, some reopened, closed; P1s escalated by time),
a few downtimes. Then the board is asked for, as the server answers `M`:
`GET /v1/metrics?window=month` and `GET /v1/metrics/daily?days=14`, through
the process's kept fold of the log (`backend.metrics_cache`, what the routes
ask), timed from the first query to the finished figures.

- first open: the process's first board, which reads and folds the month;
- open while the floor goes on: before each sample, `--new` events (new
  incidents' lives) are stored, and the board is asked again a few seconds on;
- the fresh fold the board made before it kept one (`backend.metrics_log`),
  over the same log, for comparison.

The baseline, in the same run on the same store: a plain `SELECT count(*)`
over the same month's events.

    python bench/metrics_board.py --incidents 50000 --samples 20

The lives are decided and folded for real (`domain.decide`/`apply`) for a few
hundred incidents, then copied under new numbers and times: a bulk load
through the reducer is quadratic, and the board only reads the log.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from _floorgen import base_state, open_commands
from _report import emit_json, machine, row
from _stats import percentile
from sqlalchemy import func, insert, select

from backend import schema
from backend.metrics_cache import MetricsCache
from backend.metrics_log import compute
from backend.storage import Storage
from backend.visibility import FLOOR
from domain import commands as c
from domain.decide import Actor, Rejected, decide
from domain.events import Event
from domain.metric_windows import WindowKind, day_windows, previous_month, window_for
from domain.metrics import daily_metrics, metrics_report
from domain.models import Priority
from domain.policy import Policy
from domain.reducer import apply
from domain.state import FloorState

TARGET_MS = 300.0
MINUTE = 60.0


def _life(
    state: FloorState, number: int, command: c.OpenIncident, at: float, rng: random.Random
) -> list[Event]:
    """Decide and fold one incident's life from `at`; its events and the state after."""
    dm = Actor(state.staff["dm1"], "bench")
    events: list[Event] = []

    def run(step: c.Command, when: float, actor: Actor | None = dm) -> None:
        nonlocal state
        try:
            made = decide(state, step, actor, when, new_incident_id=number)
        except Rejected:
            return
        for event in made:
            state = apply(state, event)
            events.append(event)

    run(command, at)
    t = at + rng.uniform(5, 400)
    run(c.Acknowledge(incident_id=number, note="on it"), t)
    if command.priority in (Priority.P1, Priority.P2):
        if command.priority is Priority.P1 and rng.random() < 0.3:
            run(c.AutoEscalate(incident_id=number, line=2), at + 600, None)
        t += rng.uniform(60, 1800)
        run(c.Stabilise(incident_id=number, note="workaround"), t)
    t += rng.uniform(600, 4 * 3600)
    run(c.AddNote(incident_id=number, text="player updated"), t)
    t += rng.uniform(60, 3600)
    run(c.Resolve(incident_id=number, note="resolved"), t)
    if rng.random() < 0.04:
        t += rng.uniform(600, 3600)
        run(c.Reopen(incident_id=number, reason="called back"), t)
        t += rng.uniform(600, 3600)
        run(c.Resolve(incident_id=number), t)
    if command.priority in (Priority.P1, Priority.P2) and rng.random() < 0.7:
        run(c.FileReport(incident_id=number, root_cause="cause", measures="measures"), t + 3600)
    if rng.random() < 0.6:
        run(c.Close(incident_id=number), t + 600)
    return events


def template_lives(templates: int) -> list[list[dict[str, Any]]]:
    """Incident lives decided for real from time 0, as JSON, to copy."""
    rng = random.Random(13)
    base = base_state()
    lives: list[list[dict[str, Any]]] = []
    for number, command in enumerate(open_commands(templates), start=1):
        life = _life(base, number, command, 0.0, rng)
        lives.append([e.model_dump(mode="json") for e in life])
    return lives


def copied(life: list[dict[str, Any]], number: int, opened: float) -> list[dict[str, Any]]:
    """A life under another incident number, opened at `opened`."""
    events = []
    for body in life:
        event = dict(body)
        event["at"] = body["at"] + opened
        event["incident_id"] = number
        if event["type"] == "incident_opened":
            incident = dict(body["data"]["incident"])
            incident.update(id=number, opened_at=event["at"])
            if incident.get("answered_at") is not None:
                incident["answered_at"] = event["at"]
            event["data"] = {"incident": incident}
        events.append(event)
    return events


def as_bodies(events: list[dict[str, Any]], first_seq: int) -> list[str]:
    """The events as stored bodies, numbered in time order from `first_seq`."""
    ordered = sorted(events, key=lambda event: float(event["at"]))
    bodies = []
    for seq, event in enumerate(ordered, start=first_seq):
        event["seq"] = seq
        bodies.append(json.dumps(event, separators=(",", ":")))
    return bodies


def month_of_events(
    lives: list[list[dict[str, Any]]], incidents: int, start: float, end: float
) -> list[str]:
    """The month's events as stored bodies, in seq order."""
    rng = random.Random(17)
    made: list[dict[str, Any]] = []
    for number in range(1, incidents + 1):
        made += copied(lives[number % len(lives)], number, rng.uniform(start, end - 6 * 3600))
    return as_bodies(made, 1)


async def load(storage: Storage, bodies: list[str]) -> None:
    """Store the bodies as the server does, and move the head to the last."""
    view = FLOOR.to_json()
    async with storage.engine.begin() as conn:
        for first in range(0, len(bodies), 5000):
            rows = []
            for body in bodies[first : first + 5000]:
                event = json.loads(body)
                rows.append(
                    {
                        "seq": event["seq"],
                        "type": event["type"],
                        "incident_id": event.get("incident_id"),
                        "at": event["at"],
                        "body": body,
                        "view": view,
                    }
                )
            await conn.execute(insert(schema.events), rows)
        last = json.loads(bodies[-1])["seq"]
        await conn.execute(schema.meta.update().values(seq=last))


async def board(cache: MetricsCache, policy: Policy, now: float) -> None:
    """What the server does for the board's two requests."""
    await cache.report(policy, window_for(WindowKind.MONTH, now, policy), now, tier=None, pit=None)
    await cache.daily(policy, day_windows(now, 14, policy), now, tier=None, pit=None)


async def fresh_board(storage: Storage, policy: Policy, now: float) -> None:
    """The same two answers folded afresh from the log, as before the fold was kept."""
    span = window_for(WindowKind.MONTH, now, policy)
    await compute(
        storage,
        policy,
        span.start,
        span.end,
        lambda events: metrics_report(events, policy, span),
    )
    days = day_windows(now, 14, policy)
    await compute(
        storage,
        policy,
        days[0].start,
        days[-1].end,
        lambda events: daily_metrics(events, policy, days),
    )


async def count(storage: Storage, start: float, end: float) -> int:
    e = schema.events
    query = select(func.count()).select_from(e).where(e.c.at >= start, e.c.at < end)
    async with storage.engine.connect() as conn:
        return int((await conn.execute(query)).scalar() or 0)


async def main_async(options: argparse.Namespace) -> list[dict[str, object]]:
    policy = Policy()
    # the board asked near the end of last month: "this month" is nearly all of it
    last_month = previous_month(window_for(WindowKind.MONTH, time.time(), policy), policy)
    now = last_month.end - 3600
    span = window_for(WindowKind.MONTH, now, policy)
    made = time.perf_counter()
    lives = template_lives(options.templates)
    bodies = month_of_events(lives, options.incidents, span.start, now - 600)
    rng = random.Random(19)
    with tempfile.TemporaryDirectory(prefix="floorline-bench-") as folder:
        storage = await Storage.open(f"sqlite:///{Path(folder) / 'floor.db'}")
        try:
            await load(storage, bodies)
            print(
                f"# {options.incidents} incidents, {len(bodies)} events written in"
                f" {time.perf_counter() - made:.0f} s; {machine()}",
                flush=True,
            )
            await count(storage, span.start, span.end)  # warm: the file in the page cache
            cache = MetricsCache(storage)
            t0 = time.perf_counter()
            await board(cache, policy, now)
            first_open = time.perf_counter() - t0
            timings, baseline = [], []
            seq, number = len(bodies) + 1, options.incidents + 1
            counted = 0
            for _ in range(options.samples):
                # the floor goes on: new incidents' first minutes stored, then the board again
                new: list[dict[str, Any]] = []
                while len(new) < options.new:
                    life = [e for e in copied(rng.choice(lives), number, now) if e["at"] < now + 5]
                    new += life
                    number += 1
                stored = as_bodies(new, seq)
                seq += len(stored)
                await load(storage, stored)
                now += 5
                t0 = time.perf_counter()
                counted = await count(storage, span.start, now)
                baseline.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                await board(cache, policy, now)
                timings.append(time.perf_counter() - t0)
            fresh = []
            for _ in range(options.fresh_samples):
                t0 = time.perf_counter()
                await fresh_board(storage, policy, now)
                fresh.append(time.perf_counter() - t0)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        finally:
            await storage.close()
    print(f"# the month's window holds {counted} events; peak RSS {rss:.0f} MiB", flush=True)
    p99 = percentile(timings, 0.99) * 1000
    base = percentile(baseline, 0.99) * 1000
    rows = [
        row(
            f"metrics board, {options.incidents} incidents, p99 while the floor goes on",
            p99,
            base,
            "ms",
            f"<= {TARGET_MS:.0f} ms p99",
            p99 <= TARGET_MS,
        ),
        row(
            "metrics board p50",
            percentile(timings, 0.5) * 1000,
            percentile(baseline, 0.5) * 1000,
            "ms",
            "(baseline: SELECT count(*))",
            None,
        ),
        row("metrics board, first open", first_open * 1000, base, "ms", "(reads the month)", None),
    ]
    if fresh:
        rows.append(
            row(
                "metrics board folded afresh (before), p50",
                percentile(fresh, 0.5) * 1000,
                base,
                "ms",
                "(for comparison)",
                None,
            )
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--incidents", type=int, default=50_000)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--templates", type=int, default=400, help="lives decided for real")
    parser.add_argument("--new", type=int, default=25, help="events stored before each sample")
    parser.add_argument(
        "--fresh-samples", type=int, default=1, help="boards folded afresh, for comparison"
    )
    options = parser.parse_args()
    emit_json(asyncio.run(main_async(options)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
