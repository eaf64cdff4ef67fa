"""Figure 12: how long the UI loop stalls while a big catch-up is folded in.

A terminal that was away comes back to `--events` new events (incidents
opened by another terminal meanwhile). A probe on the event loop asks for a
1 ms sleep again and again and records how late each wake-up is: the stall.
Measured twice from the same stale replica, in the same run: under the full
app (Textual, headless, the queue on screen) and under a bare FloorClient on
a loop with nothing else on it, the baseline.

    python bench/catchup_stall.py --events 10000
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from _report import emit_json, machine, row
from _servers import free_port, serve_demo
from _stats import percentile

from api_client.client import FloorClient
from api_client.contract import Link
from api_client.tokens import MemoryTokenStore
from tui.app import FloorApp
from tui.config import load_config

STAFF, PIN = "dm1", "3001"
FRAME_MS = 16.7


def client(url: str, data: Path, tokens: MemoryTokenStore) -> FloorClient:
    return FloorClient(url, data_dir=data, terminal="bench-catchup", token_store=tokens)


async def synced_replica(url: str, data: Path, tokens: MemoryTokenStore) -> int:
    """Sign in once and sync, leaving a replica (and a stored sign-in) behind."""
    first = client(url, data, tokens)
    await first.sign_in(STAFF, PIN)
    await first.start()
    async for _ in first.changes():
        if first.status.link is Link.ONLINE:
            break
    seq = first.confirmed.seq
    await first.close()
    return seq


def open_incidents(url: str, count: int) -> None:
    with httpx.Client(base_url=url, timeout=120) as http:
        token = http.post("/v1/session", json={"staff_id": STAFF, "pin": PIN}).json()["token"]
        http.headers["Authorization"] = f"Bearer {token}"
        for start in range(0, count, 200):
            commands = [
                {
                    "command_id": uuid.uuid4().hex,
                    "command": {
                        "type": "open_incident",
                        "kind": "machine_fault",
                        "priority": "P3",
                        "channel": "on_site",
                        "player": {"reference": f"LY-{n:05d}"},
                        "location": {"pit": "1", "spot": f"SL-{n}"},
                    },
                }
                for n in range(start, min(start + 200, count))
            ]
            http.post("/v1/commands/batch", json={"commands": commands}).raise_for_status()


async def probed(until_done: Callable[[], Awaitable[None]]) -> list[float]:
    """Run `until_done` with the stall probe beside it; the stalls seen, in ms.

    How long it took is added to `TOOK`, by who did it."""
    stalls: list[float] = []
    running = True

    async def probe() -> None:
        while running:
            asked = time.perf_counter()
            await asyncio.sleep(0.001)
            stalls.append(max(0.0, (time.perf_counter() - asked - 0.001) * 1000))

    task = asyncio.create_task(probe())
    started = time.perf_counter()
    try:
        await until_done()
        TOOK.append(time.perf_counter() - started)
    finally:
        running = False
        await task
    return stalls


TOOK: list[float] = []  # seconds each catch-up took: the bare client's, then the app's


async def headless(url: str, data: Path, tokens: MemoryTokenStore, target: int) -> list[float]:
    floor = client(url, data, tokens)
    await floor.restore(STAFF)

    async def catch_up() -> None:
        await floor.start()
        async for _ in floor.changes():
            if floor.confirmed.seq >= target:
                return

    try:
        return await probed(catch_up)
    finally:
        await floor.close()


async def in_the_app(url: str, data: Path, tokens: MemoryTokenStore, target: int) -> list[float]:
    config = load_config(data / "config")
    app = FloorApp(
        client(url, data, tokens),
        config=config,
        staff_id=STAFF,
        auto_lock_seconds=0,
        remember_server=False,
    )
    async with app.run_test(size=(120, 40)) as pilot:
        while app.view.me is None:  # the stored sign-in, resumed
            await pilot.pause(0.05)

        async def catch_up() -> None:
            while app.view.confirmed.seq < target:  # noqa: ASYNC110 (the harness polls the view)
                await asyncio.sleep(0.01)

        return await probed(catch_up)


async def measure(events: int) -> list[dict[str, object]]:
    work = Path(tempfile.mkdtemp(prefix="fl-catchup-"))
    port = free_port()
    server = serve_demo(work / "floor.db", port)
    url = f"http://127.0.0.1:{port}"
    try:
        tokens = MemoryTokenStore()
        seq = await synced_replica(url, work / "a", tokens)
        shutil.copytree(work / "a", work / "b")
        open_incidents(url, events)
        target = seq + events
        base = await headless(url, work / "a", tokens, target)
        # the app starts on a heap like a fresh process's: nothing the bare client froze
        gc.unfreeze()
        gc.collect()
        ours = await in_the_app(url, work / "b", tokens, target)
    finally:
        server.terminate()
        server.wait(15)
        shutil.rmtree(work, ignore_errors=True)
    p99, base_p99 = percentile(ours, 0.99), percentile(base, 0.99)
    print(
        f"stall during a {events:,}-event catch-up: app p50 {percentile(ours, 0.5):.2f} "
        f"p99 {p99:.2f} max {max(ours):.1f} ms; bare client p50 {percentile(base, 0.5):.2f} "
        f"p99 {base_p99:.2f} max {max(base):.1f} ms; caught up in "
        + " / ".join(f"{t:.1f}" for t in reversed(TOOK[-2:]))
        + " s"
    )
    return [
        row(
            f"UI loop stall p99, {events:,}-event catch-up",
            p99,
            base_p99,
            "ms",
            f"<= {FRAME_MS} ms",
            p99 <= FRAME_MS,
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    options = parser.parse_args()
    print(machine())
    emit_json(asyncio.run(measure(options.events)))


if __name__ == "__main__":
    main()
