"""A process of websocket clients for the fan-out benchmarks.

Opens `--connections` sockets to `--url`, prints `ready`, then records for
every frame received the delay from the frame's `server_time` to now, until
each connection has `--expect` events (or `--timeout`). Prints latencies and
its own CPU as JSON. Several of these run at once so the harness is not the
bottleneck.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time

from websockets.asyncio.client import connect


def count_events(message: dict) -> int:
    if message.get("type") == "events":
        events = message.get("events")
        return len(events) if isinstance(events, list) else 1
    return 0


async def one(
    url: str,
    headers: dict[str, str],
    expect: int,
    latencies: list[float],
    finished: list[float],
    ready: asyncio.Event,
    opened: list[int],
    total: int,
) -> None:
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
        opened[0] += 1
        if opened[0] >= total:
            ready.set()
        seen = 0
        async for raw in ws:
            received = time.time()
            message = json.loads(raw)
            n = count_events(message)
            if not n:
                continue
            latencies.append(received - float(message["server_time"]))
            seen += n
            if seen >= expect:
                finished.append(received)
                return


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", default="")
    parser.add_argument("--connections", type=int, required=True)
    parser.add_argument("--expect", type=int, required=True)
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    headers = {"Authorization": f"Bearer {args.token}"} if args.token else {}
    latencies: list[float] = []
    finished: list[float] = []
    opened = [0]
    ready = asyncio.Event()
    tasks = []
    for _ in range(args.connections):
        tasks.append(
            asyncio.create_task(
                one(
                    args.url,
                    headers,
                    args.expect,
                    latencies,
                    finished,
                    ready,
                    opened,
                    args.connections,
                )
            )
        )
        await asyncio.sleep(0.002)  # don't stampede the accept queue
    await asyncio.wait_for(ready.wait(), 120)
    print("ready", flush=True)
    done, pending = await asyncio.wait(tasks, timeout=args.timeout)
    for task in pending:
        task.cancel()
    errors = sum(1 for t in done if t.exception() is not None)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "latencies": latencies,
                "finished": finished,
                "complete": len(finished),
                "errors": errors,
                "incomplete": len(pending),
                "cpu": usage.ru_utime + usage.ru_stime,
            }
        ),
        flush=True,
    )
    sys.stdout.flush()


if __name__ == "__main__":
    asyncio.run(main())
