"""The floor map at 500 tables: model cost, and key press -> screen updated.

Pure figures (no Textual): laying out and colouring every cell from the floor
(`MapModel.rebuild`, on a new floor or user), re-making the cells one changed
incident touches (`update`, once per event), and the 1-second tick over every
cell. Screen figures, headless in-process (`App.run_test`, the same harness for
each): a move key on the map and `r` (next red cell), against the queue's move
key on the same floor and a one-label app answering a key, in the same run.

    python bench/floor_map.py --tables 500 --incidents 2000 --presses 200
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from typing import Any

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from _apps import BenchFloor, _config
from _floorgen import floor_state
from _report import emit_json, machine, row
from _stats import percentile
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Label

from domain.models import Asset, AssetKind, Downtime, Location
from domain.state import FloorState

GAMES = ("blackjack", "baccarat", "roulette", "craps", "poker")


def big_floor(tables: int, incidents: int, now: float) -> FloorState:
    """`incidents` open incidents, most of them at `tables` tables in ten pits, 5% down."""
    state = floor_state(incidents, now=now)
    rng = random.Random(5)
    assets = {
        f"T{n % 10 + 1}-{n:04d}": Asset(
            id=f"T{n % 10 + 1}-{n:04d}",
            kind=AssetKind.TABLE,
            pit=str(n % 10 + 1),
            game=GAMES[n % 5],
        )
        for n in range(tables)
    }
    ids = sorted(assets)
    moved = {}
    for number, incident in state.incidents.items():
        if rng.random() < 0.75:
            asset = assets[rng.choice(ids)]
            incident = incident.model_copy(
                update={"location": Location(pit=asset.pit, spot=asset.id)}
            )
        moved[number] = incident
    downtimes = {
        n + 1: Downtime(
            id=n + 1,
            asset_id=asset_id,
            asset_kind=AssetKind.TABLE,
            pit=assets[asset_id].pit,
            reason="bench",
            started_at=now - rng.uniform(0, 1200),
            started_by="dm1",
        )
        for n, asset_id in enumerate(rng.sample(ids, tables // 20))
    }
    return state.model_copy(
        update={
            "assets": {**state.assets, **assets},
            "incidents": moved,
            "downtimes": downtimes,
            "next_downtime_id": len(downtimes) + 1,
        }
    )


def timed(run: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    return samples


def pure_figures(state: FloorState, now: float) -> dict[str, float]:
    from tui.floor_map_model import MapLayout, MapModel

    model = MapModel()
    rebuild = timed(lambda: model.rebuild(state, now, lambda _pit: True), 20)
    layout = timed(lambda: MapLayout(model.pits, 160), 20)
    incident_ids = list(state.incidents)
    rng = random.Random(3)
    update = timed(lambda: model.update(state, now, [rng.choice(incident_ids)], ()), 2000)
    tick = timed(lambda: model.tick(now), 2000)
    return {
        "rebuild": 1000 * statistics.median(rebuild),
        "layout": 1000 * statistics.median(layout),
        "update": 1e6 * statistics.median(update),
        "tick": 1e6 * statistics.median(tick),
    }


class LabelApp(App[None]):
    """The baseline: one key, one label updated."""

    BINDINGS = [Binding("right", "bump", "bump"), Binding("down", "bump", "bump")]

    def compose(self) -> ComposeResult:
        yield Label("0")

    def action_bump(self) -> None:
        label = self.query_one(Label)
        label.update(str(int(str(label.content)) + 1))


async def presses(
    app: App[Any], keys: tuple[str, ...], count: int, setup: Any = None
) -> list[float]:
    """Seconds from each key press to its screen being updated, headless."""
    samples: list[float] = []
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        if setup is not None:
            await setup(pilot)
        for n in range(count):
            start = time.perf_counter()
            await pilot.press(keys[n % len(keys)])
            await pilot.pause()
            samples.append(time.perf_counter() - start)
    return samples


def floor_app(state: FloorState) -> App[Any]:
    from tui.app import FloorApp

    source: Any = BenchFloor(state)
    return FloorApp(
        source,
        config=_config(tempfile.mkdtemp(prefix="floorline-bench-")),
        theme="floor",
        auto_lock_seconds=0,
        cursor_blink=False,
        server_url="http://bench",
    )


async def paint_figures(state: FloorState, count: int) -> dict[str, list[float]]:
    """Seconds from a move's action to every visible line painted again, per press:
    the map's cursor against the queue table's, on the same floor, in one app."""
    from tui.widgets.floor_map import FloorMap
    from tui.widgets.incident_table import IncidentTable

    found: dict[str, list[float]] = {}
    app = floor_app(state)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(IncidentTable)
        moves: list[Callable[[], object]] = [lambda: table.action_cursor(1)]
        found["queue move"] = _paint(table, moves, count)
        await pilot.press("L")
        while not app.screen.query(FloorMap):
            await pilot.pause(0.01)
        await pilot.pause()
        fmap = app.screen.query_one(FloorMap)
        moves = [lambda: fmap.action_move(1, 0), lambda: fmap.action_move(0, 1)]
        found["map move"] = _paint(fmap, moves, count)

        def red() -> None:
            fmap.cursor = fmap.next_red()

        found["map next red"] = _paint(fmap, [red], count)
    return found


def _paint(widget: Any, moves: list[Callable[[], object]], count: int) -> list[float]:
    height = widget.size.height
    samples = []
    for n in range(count):
        start = time.perf_counter()
        moves[n % len(moves)]()
        for y in range(height):
            widget.render_line(y)
        samples.append(time.perf_counter() - start)
    return samples


async def screen_figures(state: FloorState, count: int) -> dict[str, list[float]]:
    async def to_map(pilot: Any) -> None:
        await pilot.press("L")
        for _ in range(200):
            if type(pilot.app.screen).__name__ == "FloorMapScreen":
                break
            await pilot.pause(0.01)
        await pilot.pause()

    run: dict[str, Callable[[], Awaitable[list[float]]]] = {
        "label": lambda: presses(LabelApp(), ("right",), count),
        "queue move": lambda: presses(floor_app(state), ("down",), count),
        "map move": lambda: presses(floor_app(state), ("down", "right", "down"), count, to_map),
        "map next red": lambda: presses(floor_app(state), ("r",), count, to_map),
    }
    return {name: await make() for name, make in run.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=500)
    parser.add_argument("--incidents", type=int, default=2000)
    parser.add_argument("--presses", type=int, default=200)
    options = parser.parse_args()
    now = time.time()
    state = big_floor(options.tables, options.incidents, now)
    print(f"floor map, {options.tables} tables, {options.incidents} incidents; {machine()}")
    pure = pure_figures(state, now)
    rows = [
        row(
            "map rebuild (layout + every cell)",
            pure["rebuild"],
            None,
            "ms",
            "<= 50 ms",
            pure["rebuild"] <= 50,
        ),
        row("map layout at 160 columns", pure["layout"], None, "ms", "", None),
        row("map update, one incident changed", pure["update"], None, "us", "", None),
        row("map tick over every cell", pure["tick"], None, "us", "", None),
    ]
    painted = asyncio.run(paint_figures(state, options.presses))
    queue = painted.pop("queue move")
    q50, q99 = 1000 * percentile(queue, 0.5), 1000 * percentile(queue, 0.99)
    rows.append(row("queue move -> lines painted p50", q50, None, "ms", "", None))
    for name, samples in painted.items():
        p50, p99 = 1000 * percentile(samples, 0.5), 1000 * percentile(samples, 0.99)
        rows.append(row(f"{name} -> lines painted p50", p50, q50, "ms", "", None))
        rows.append(row(f"{name} -> lines painted p99", p99, q99, "ms", "<= 16.7 ms", p99 <= 16.7))
    # the whole round trip through Textual, headless: noisy, and mostly the harness
    screens = asyncio.run(screen_figures(state, options.presses))
    label = screens.pop("label")
    base = 1000 * percentile(label, 0.5)
    for name, samples in screens.items():
        p50 = 1000 * percentile(samples, 0.5)
        rows.append(row(f"{name} key, Pilot round trip p50", p50, base, "ms", "", None))
    emit_json(rows)


if __name__ == "__main__":
    main()
