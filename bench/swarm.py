"""A process of websocket clients for the fan-out benchmarks.

Opens `--connections` sockets to `--url`, prints `ready`, then records for
every frame received the delay from the frame's `server_time` to now, until
each connection has `--expect` events (or `--timeout`). Prints latencies and
its own CPU as JSON, then keeps every socket open until a line (or EOF) on
stdin: the orchestrator reads the server's CPU before the closing handshakes,
which are not part of the fan-out. Several of these run at once so the
harness is not the bottleneck.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import resource
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import connect


def count_events(message: dict[str, Any]) -> int:
    if message.get("type") == "events":
        events = message.get("events")
        return len(events) if isinstance(events, list) else 1
    return 0


@dataclass
class Tally:
    total: int
    expect: int
    latencies: list[float] = field(default_factory=list)
    finished: list[float] = field(default_factory=list)
    opened: int = 0
    errors: int = 0
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    all_done: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    def check_done(self) -> None:
        if len(self.finished) + self.errors >= self.total:
            self.all_done.set()


async def one(url: str, headers: dict[str, str], tally: Tally) -> None:
    try:
        async with connect(
            url,
            additional_headers=headers,
            compression=None,
            ping_interval=10,
            ping_timeout=10,
            close_timeout=2,
            max_size=2**24,
            open_timeout=60,
        ) as ws:
            tally.opened += 1
            if tally.opened >= tally.total:
                tally.ready.set()
            seen = 0
            async for raw in ws:
                received = time.time()
                message = json.loads(raw)
                n = count_events(message)
                if not n:
                    continue
                tally.latencies.append(received - float(message["server_time"]))
                seen += n
                if seen >= tally.expect:
                    tally.finished.append(received)
                    tally.check_done()
                    break
            await tally.release.wait()
    except Exception:
        tally.errors += 1
        tally.check_done()
        raise


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", default="")
    parser.add_argument("--connections", type=int, required=True)
    parser.add_argument("--expect", type=int, required=True)
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    headers = {"Authorization": f"Bearer {args.token}"} if args.token else {}
    tally = Tally(total=args.connections, expect=args.expect)
    tasks = []
    for _ in range(args.connections):
        tasks.append(asyncio.create_task(one(args.url, headers, tally)))
        await asyncio.sleep(0.002)  # don't stampede the accept queue
    await asyncio.wait_for(tally.ready.wait(), 120)
    print("ready", flush=True)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(tally.all_done.wait(), args.timeout)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "latencies": tally.latencies,
                "finished": tally.finished,
                "complete": len(tally.finished),
                "errors": tally.errors,
                "incomplete": args.connections - len(tally.finished) - tally.errors,
                "cpu": usage.ru_utime + usage.ru_stime,
            }
        ),
        flush=True,
    )
    await asyncio.to_thread(sys.stdin.readline)  # the orchestrator has read the server's CPU
    tally.release.set()
    _, pending = await asyncio.wait(tasks, timeout=10)
    for task in pending:
        task.cancel()


if __name__ == "__main__":
    asyncio.run(main())
