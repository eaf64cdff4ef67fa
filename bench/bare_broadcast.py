"""The fan-out baseline: a bare `websockets` server using `broadcast()`, compression off.

Started by bench/fanout.py. It waits for N clients, then sends frames of the
same size as the product's at the same rate (or a burst), each carrying
`server_time` as the product's frames do, and prints its CPU and RSS as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time

from websockets.asyncio.server import ServerConnection, broadcast, serve

sys.path.insert(0, os.path.dirname(__file__))
from _stats import cpu_seconds, rss_bytes


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

    pid = os.getpid()
    rss_idle = rss_bytes(pid)
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
        await asyncio.sleep(0.5)
        rss_connected = rss_bytes(pid)
        cpu0 = cpu_seconds(pid)
        print(json.dumps({"started": time.time()}), flush=True)
        if args.burst:
            for seq in range(args.count):
                broadcast(clients, frame(args.size, seq))
        else:
            interval = 1 / args.rate
            start = time.perf_counter()
            for seq in range(args.count):
                broadcast(clients, frame(args.size, seq))
                await asyncio.sleep(max(0.0, start + (seq + 1) * interval - time.perf_counter()))
        # let the last frames drain before reading CPU (transports offer no event for it)
        while any(ws.transport.get_write_buffer_size() for ws in clients):  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        cpu = cpu_seconds(pid) - cpu0
        print(
            json.dumps(
                {
                    "cpu": cpu,
                    "rss_idle": rss_idle,
                    "rss_connected": rss_connected,
                    "clients": len(clients),
                }
            ),
            flush=True,
        )
        await asyncio.sleep(3600)  # until the orchestrator stops us


if __name__ == "__main__":
    asyncio.run(main())
