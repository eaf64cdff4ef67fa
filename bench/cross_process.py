"""Figure 12: event latency across backend processes on one PostgreSQL database.

Two demo backends, A and B, serve one PostgreSQL schema. A real FloorClient
follows the live feed of each; notes are posted to A, one at a time, and each
is timed from the moment it is sent until each terminal's client reports the
event: the one on A is the single-process figure, the one on B the
cross-process figure (A commits, NOTIFY pokes B, B reads the log and fans the
event out). Both are measured on the same commands, in the same run.

    python bench/cross_process.py --samples 300 [--pg postgresql://...]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from _report import emit_json, machine, row
from _servers import free_port, serve_demo
from _stats import summary_ms

from api_client.client import FloorClient
from api_client.contract import Link
from api_client.tokens import MemoryTokenStore

PG_URL = os.environ.get("FLOORLINE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
WARM_UP = 20  # samples not counted: connections and caches settling
NOTE = "player called back; told the payment is being traced"


class Arrivals:
    """When each command's event reached one client, by command id."""

    def __init__(self, client: FloorClient) -> None:
        self.at: dict[str, float] = {}
        self.seen = asyncio.Event()
        self._changes = client.changes()
        self._task = asyncio.create_task(self._watch())

    async def _watch(self) -> None:
        async for change in self._changes:
            now = time.perf_counter()
            for event in change.events:
                self.at.setdefault(event.command_id, now)
            self.seen.set()

    async def wait_for(self, command_id: str, limit: float = 10.0) -> float:
        async with asyncio.timeout(limit):
            while command_id not in self.at:
                self.seen.clear()
                await self.seen.wait()
        return self.at[command_id]

    def stop(self) -> None:
        self._task.cancel()


async def follower(url: str, data_dir: Path) -> FloorClient:
    client = FloorClient(url, data_dir=data_dir, terminal="bench", token_store=MemoryTokenStore())
    await client.sign_in("dm1", "3001")
    await client.start()
    changes = client.changes()
    async with asyncio.timeout(30):
        while client.status.link is not Link.ONLINE:
            await anext(changes)
    return client


async def measure(a_url: str, b_url: str, data_dir: Path, samples: int) -> tuple[list[float], ...]:
    near = await follower(a_url, data_dir / "near")
    far = await follower(b_url, data_dir / "far")
    on_a, on_b = Arrivals(near), Arrivals(far)
    same: list[float] = []
    cross: list[float] = []
    try:
        async with httpx.AsyncClient(base_url=a_url, timeout=30) as http:
            body = {"staff_id": "dm2", "pin": "3002", "terminal": "bench-sender"}
            token = (await http.post("/v1/session", json=body)).json()["token"]
            http.headers["Authorization"] = f"Bearer {token}"
            for number in range(WARM_UP + samples):
                command_id = str(uuid.uuid4())
                command = {"type": "add_note", "incident_id": 1 + number % 5, "text": NOTE}
                sent = time.perf_counter()
                answer = await http.post(
                    "/v1/commands", json={"command_id": command_id, "command": command}
                )
                answer.raise_for_status()
                seen_a, seen_b = await on_a.wait_for(command_id), await on_b.wait_for(command_id)
                if number >= WARM_UP:
                    same.append(seen_a - sent)
                    cross.append(seen_b - sent)
                await asyncio.sleep(0.01)  # one at a time, as a floor's commands come
    finally:
        on_a.stop()
        on_b.stop()
        await near.close()
        await far.close()
    return same, cross


async def fresh_schema(pg_url: str) -> str:
    conn = await asyncpg.connect(pg_url, timeout=5)
    schema = f"bench_{secrets.token_hex(4)}"
    await conn.execute(f"CREATE SCHEMA {schema}")
    await conn.close()
    return schema


async def drop_schema(pg_url: str, schema: str) -> None:
    conn = await asyncpg.connect(pg_url, timeout=5)
    await conn.execute(f"DROP SCHEMA {schema} CASCADE")
    await conn.close()


def stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    proc.wait(15)


def main(argv: list[str] | None = None) -> list[dict[str, object]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument(
        "--pg", default=PG_URL, help="PostgreSQL URL (a schema is made and dropped)"
    )
    options = parser.parse_args(argv)
    print(f"figure 12: cross-process event latency ({machine()}, {options.samples} samples)")
    try:
        schema = asyncio.run(fresh_schema(options.pg))
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        print(f"  skipped: PostgreSQL not reachable at {options.pg} ({exc})")
        return []
    db_url = f"{options.pg}?search_path={schema}"
    processes: list[subprocess.Popen[str]] = []
    try:
        a_port, b_port = free_port(), free_port()
        processes.append(serve_demo(db_url, a_port))  # loads the demo floor
        processes.append(serve_demo(db_url, b_port))  # finds it there
        with tempfile.TemporaryDirectory(prefix="floorline-bench-") as folder:
            same, cross = asyncio.run(
                measure(
                    f"http://127.0.0.1:{a_port}",
                    f"http://127.0.0.1:{b_port}",
                    Path(folder),
                    options.samples,
                )
            )
    finally:
        for proc in processes:
            stop(proc)
        asyncio.run(drop_schema(options.pg, schema))
    one, two = summary_ms(same), summary_ms(cross)
    rows = [
        row(
            "12 cross-process event latency p50",
            two["p50"],
            one["p50"],
            "ms",
            "(for reference)",
            None,
        ),
        row(
            "12 cross-process event latency p99",
            two["p99"],
            one["p99"],
            "ms",
            "<= 1.5x one process",
            two["p99"] <= 1.5 * one["p99"],
        ),
    ]
    emit_json(rows)
    return rows


if __name__ == "__main__":
    main()
