"""The fan-out baseline: a bare `websockets` server using `broadcast()`, compression off.

Started by bench/fanout.py. It prints `{"listening": port}`, waits for N
clients and a `go` line on stdin (the orchestrator reads this process's CPU
and RSS from /proc around it, exactly as it does for the product), then
sends frames of the same size as the product's at the same rate (or a
burst), each carrying `server_time` as the product's frames do.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

from websockets.asyncio.server import ServerConnection, broadcast, serve


def frame(size: int, seq: int) -> str:
    head = f'{{"type":"events","seq":{seq},"pad":"'
    tail = f'","server_time":{time.time()!r}}}'
    return head + "x" * max(0, size - len(head) - len(tail)) + tail


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--clients", type=int, required=True)
    parser.add_argument("--size", type=int, default=200)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--burst", action="store_true")
    args = parser.parse_args()
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
            for seq in range(args.count):
                broadcast(clients, frame(args.size, seq))
        else:
            interval = 1 / args.rate
            start = time.perf_counter()
            for seq in range(args.count):
                broadcast(clients, frame(args.size, seq))
                await asyncio.sleep(max(0.0, start + (seq + 1) * interval - time.perf_counter()))
        await asyncio.sleep(3600)  # until the orchestrator stops us


if __name__ == "__main__":
    asyncio.run(main())
