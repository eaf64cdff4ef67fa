"""Figures 1-4: live-feed fan-out, server CPU per delivered event, burst, memory per terminal.

Each figure is measured for the product backend and, in the same run, for a
bare `websockets` server using `broadcast()` with compression off, sending
frames of the same size at the same rate to the same number of clients
(spread over several client processes). Prints figures and ratios.

    python bench/fanout.py --clients 200,500 --seconds 10 --rate 10
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import httpx

sys.path.insert(0, os.path.dirname(__file__))
from _servers import (
    collect,
    free_port,
    note_command,
    spawn_swarms,
    start_bare,
    start_product,
)
from _stats import cpu_seconds, ratio, rss_bytes, summary_ms, verdict

NOTE = "checked the table; dealer and surveillance agree, player informed"


def product_frame_size(product) -> int:
    """Bytes of one live frame carrying one note event, as the product sends it."""
    head = product.head()
    with httpx.Client(headers=product.headers, timeout=30) as http:
        http.post(f"{product.url}/v1/commands", json=note_command(1, NOTE)).raise_for_status()
        page = http.get(f"{product.url}/v1/events", params={"after": head}).json()
    event = json.dumps(page["events"][0], separators=(",", ":"))
    return len(f'{{"type":"events","events":[{event}],"server_time":1795000000.123456}}')


def run_product(clients: int, procs: int, rate: float, count: int, burst: bool) -> dict:
    product = start_product()
    try:
        size = product_frame_size(product)
        time.sleep(1.0)
        rss_idle = rss_bytes(product.pid)
        head = product.head()
        swarms = spawn_swarms(
            f"{product.ws_url}?after={head}", product.token, clients, procs, count, timeout=120
        )
        time.sleep(0.5)
        rss_connected = rss_bytes(product.pid)
        cpu0 = cpu_seconds(product.pid)
        started = time.time()
        with httpx.Client(headers=product.headers, timeout=60) as http:
            if burst:
                for first in range(0, count, 500):
                    batch = [note_command(1, NOTE) for _ in range(min(500, count - first))]
                    http.post(
                        f"{product.url}/v1/commands/batch", json={"commands": batch}
                    ).raise_for_status()
            else:
                interval = 1 / rate
                t0 = time.perf_counter()
                for n in range(count):
                    http.post(
                        f"{product.url}/v1/commands", json=note_command(1, NOTE)
                    ).raise_for_status()
                    time.sleep(max(0.0, t0 + (n + 1) * interval - time.perf_counter()))
        result = collect(swarms)
        cpu = cpu_seconds(product.pid) - cpu0
    finally:
        product.stop()
    return {
        **result,
        "server_cpu": cpu,
        "rss_idle": rss_idle,
        "rss_connected": rss_connected,
        "size": size,
        "started": started,
    }


def run_bare(clients: int, procs: int, size: int, rate: float, count: int, burst: bool) -> dict:
    port = free_port()
    bare = start_bare(port, clients, size, rate, count, burst)
    try:
        swarms = spawn_swarms(f"ws://127.0.0.1:{port}/", "", clients, procs, count, timeout=120)
        result = collect(swarms)
        assert bare.stdout is not None
        started = json.loads(bare.stdout.readline())["started"]
        stats = json.loads(bare.stdout.readline())
    finally:
        bare.terminate()
        bare.wait(10)
    return {
        **result,
        "server_cpu": stats["cpu"],
        "rss_idle": stats["rss_idle"],
        "rss_connected": stats["rss_connected"],
        "started": started,
    }


def report_rate(clients: int, ours: dict, base: dict, count: int) -> None:
    o, b = summary_ms(ours["latencies"]), summary_ms(base["latencies"])
    delivered_o, delivered_b = count * ours["complete"], count * base["complete"]
    cpu_o = ours["server_cpu"] / max(1, delivered_o) * 1e6
    cpu_b = base["server_cpu"] / max(1, delivered_b) * 1e6
    p99 = ratio(o["p99"], b["p99"])
    print(f"\n[1] fan-out, {clients} clients, {count} events of {ours['size']} B at the same rate")
    print(
        f"    floorline  p50 {o['p50']:7.2f} ms  p99 {o['p99']:7.2f} ms  max {o['max']:7.2f} ms"
        f"  client CPU {ours['cpu']:.2f} s  complete {ours['complete']}/{clients}"
    )
    print(
        f"    bare       p50 {b['p50']:7.2f} ms  p99 {b['p99']:7.2f} ms  max {b['max']:7.2f} ms"
        f"  client CPU {base['cpu']:.2f} s  complete {base['complete']}/{clients}"
    )
    print(f"    p99 ratio {p99:.2f} (target <= 1.2: {verdict(p99, 1.2)})")
    cpu_ratio = ratio(cpu_o, cpu_b)
    print(
        f"[2] server CPU per delivered event: floorline {cpu_o:.1f} us, bare {cpu_b:.1f} us,"
        f" ratio {cpu_ratio:.2f} (target <= 1.3: {verdict(cpu_ratio, 1.3)})"
    )
    mem_o = (ours["rss_connected"] - ours["rss_idle"]) / clients / 1024
    mem_b = (base["rss_connected"] - base["rss_idle"]) / clients / 1024
    mem_ratio = ratio(mem_o, mem_b)
    print(
        f"[4] memory per terminal: floorline {mem_o:.1f} KiB, bare {mem_b:.1f} KiB,"
        f" ratio {mem_ratio:.2f} (target <= 1.5: {verdict(mem_ratio, 1.5)})"
    )


def report_burst(clients: int, ours: dict, base: dict, count: int) -> None:
    t_o = max(ours["finished"], default=float("nan")) - ours["started"]
    t_b = max(base["finished"], default=float("nan")) - base["started"]
    r = ratio(t_o, t_b)
    print(f"\n[3] burst of {count} events to {clients} clients, until the last client has all")
    print(
        f"    floorline {t_o * 1000:8.1f} ms  complete {ours['complete']}/{clients}"
        f"  dropped {ours['errors'] + ours['incomplete']}"
    )
    print(f"    bare      {t_b * 1000:8.1f} ms  complete {base['complete']}/{clients}")
    print(f"    ratio {r:.2f} (target <= 1.3: {verdict(r, 1.3)})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="200,500", help="comma-separated client counts")
    parser.add_argument("--procs", type=int, default=4, help="client processes")
    parser.add_argument("--rate", type=float, default=10.0, help="events per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--burst", type=int, default=1000, help="events in the burst (0: skip)")
    parser.add_argument("--burst-clients", type=int, default=500)
    args = parser.parse_args(argv)
    count = int(args.rate * args.seconds)
    print(f"fan-out on {os.cpu_count()} cores; client processes: {args.procs}")
    for clients in [int(n) for n in args.clients.split(",")]:
        ours = run_product(clients, args.procs, args.rate, count, burst=False)
        base = run_bare(clients, args.procs, ours["size"], args.rate, count, burst=False)
        report_rate(clients, ours, base, count)
    if args.burst:
        ours = run_product(args.burst_clients, args.procs, 0, args.burst, burst=True)
        base = run_bare(args.burst_clients, args.procs, ours["size"], 0, args.burst, burst=True)
        report_burst(args.burst_clients, ours, base, args.burst)


if __name__ == "__main__":
    main()
