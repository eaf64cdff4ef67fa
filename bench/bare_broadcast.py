"""The fan-out baseline: a bare `websockets` server using `broadcast()`, compression off.

Started by bench/fanout.py. It prints `{"listening": port}`, waits for N
clients and a `go` line on stdin (the orchestrator reads this process's CPU
and RSS from /proc around it, exactly as it does for the product), then
sends frames of the product's own events (the same bytes, and the
same parsing for the clients) at the same rate (or a
burst, optionally as many events a frame as the product packs), each
carrying `server_time` as the product's frames do.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

from websockets.asyncio.server import ServerConnection, broadcast, serve


def frame(event: str, per_frame: int = 1) -> str:
    """An events frame of `per_frame` copies of `event`, stamped now."""
    events = ",".join([event] * per_frame)
    return f'{{"type":"events","events":[{events}],"server_time":{time.time()!r}}}'


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--clients", type=int, required=True)
    parser.add_argument("--event-file", required=True, help="one event as the product sends it")
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--burst", action="store_true")
    parser.add_argument("--per-frame", type=int, default=1, help="events in each frame")
    args = parser.parse_args()
    event = await asyncio.to_thread(Path(args.event_file).read_text)
    clients: set[ServerConnection] = set()
    ready = asyncio.Event()

    async def handler(ws: ServerConnection) -> None:
        clients.add(ws)
        if len(clients) >= args.clients:
            ready.set()
        try:
            await ws.wait_closed()
        finally:
            clients.discard(ws)

    async with serve(
        handler,
        "127.0.0.1",
        args.port,
        compression=None,
        ping_interval=10,
        ping_timeout=10,
        close_timeout=2,
        max_queue=None,
    ):
        print(json.dumps({"listening": args.port}), flush=True)
        await ready.wait()
        await asyncio.to_thread(sys.stdin.readline)  # go
        if args.burst:
            for seq in range(0, args.count, args.per_frame):
                broadcast(clients, frame(event, min(args.per_frame, args.count - seq)))
        else:
            interval = 1 / args.rate
            start = time.perf_counter()
            for seq in range(args.count):
                broadcast(clients, frame(event))
                await asyncio.sleep(max(0.0, start + (seq + 1) * interval - time.perf_counter()))
        await asyncio.sleep(3600)  # until the orchestrator stops us


if __name__ == "__main__":
    asyncio.run(main())
