"""Figures 1-4: live-feed fan-out, server CPU per delivered event, burst, memory per terminal.

Each figure is measured for the product backend and, in the same run, for a
bare `websockets` server using `broadcast()` with compression off, sending
frames of the product's own events (the same bytes) at the same rate to the same number of clients
(spread over several client processes). Prints figures and ratios.

Both servers are measured the same way, from /proc by this process: CPU from
just before the first event until the last client has every event (before
any socket closes), RSS idle and with every client connected. The product
also serves the HTTP commands that make its events; a run with no client at
all, same commands at the same rate, gives that command path's CPU, and the
fan-out's own cost is the difference.

    python bench/fanout.py --clients 200,500 --seconds 10 --rate 10
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from typing import Any

import httpx
from websockets.sync.client import connect

sys.path.insert(0, os.path.dirname(__file__))
from _servers import (
    Product,
    collect,
    free_port,
    note_command,
    release,
    spawn_swarms,
    start_bare,
    start_product,
)
from _stats import cpu_seconds, ratio, rss_bytes, summary_ms, verdict

NOTE = "checked the table; dealer and surveillance agree, player informed"
BATCH = 500


def product_frame(product: Product) -> str:
    """One live frame carrying one note event, as a terminal receives it."""
    head = product.head()
    with connect(
        f"{product.ws_url}?after={head}",
        additional_headers=product.headers,
        compression=None,
    ) as ws:
        ws.recv(timeout=10)  # hello
        with httpx.Client(headers=product.headers, timeout=30) as http:
            http.post(f"{product.url}/v1/commands", json=note_command(1, NOTE)).raise_for_status()
        return str(ws.recv(timeout=10))


def post_commands(product: Product, rate: float, count: int, burst: bool) -> float:
    """Post `count` notes (in batches if `burst`, else one at a time at `rate`); when done."""
    with httpx.Client(headers=product.headers, timeout=60) as http:
        if burst:
            for first in range(0, count, BATCH):
                batch = [note_command(1, NOTE) for _ in range(min(BATCH, count - first))]
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
    return time.time()


def run_product(clients: int, procs: int, rate: float, count: int, burst: bool) -> dict[str, Any]:
    product = start_product()
    try:
        sample = product_frame(product)
        time.sleep(1.0)
        rss_idle = rss_bytes(product.pid)
        head = product.head()
        swarms = []
        if clients:
            swarms = spawn_swarms(
                f"{product.ws_url}?after={head}", product.token, clients, procs, count, timeout=120
            )
        time.sleep(0.5)
        rss_connected = rss_bytes(product.pid)
        cpu0 = cpu_seconds(product.pid)
        started = time.time()
        posted = post_commands(product, rate, count, burst)
        if swarms:
            result = collect(swarms)
        else:
            time.sleep(0.2)  # the last answer's tail, as the clients' last frame would have
            result = {"latencies": [], "finished": [], "complete": 0, "errors": 0}
            result |= {"incomplete": 0, "cpu": 0.0}
        cpu = cpu_seconds(product.pid) - cpu0
        release(swarms)
    finally:
        product.stop()
    return {
        **result,
        "server_cpu": cpu,
        "rss_idle": rss_idle,
        "rss_connected": rss_connected,
        "size": len(sample.encode()),
        "event": json.dumps(json.loads(sample)["events"][0], separators=(",", ":")),
        "started": started,
        "posted": posted,
    }


def run_bare(
    clients: int, procs: int, event: str, rate: float, count: int, burst: bool, per_frame: int = 1
) -> dict[str, Any]:
    port = free_port()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as source:
        source.write(event)
    bare = start_bare(port, clients, source.name, rate, count, burst, per_frame)
    try:
        time.sleep(1.0)
        rss_idle = rss_bytes(bare.pid)
        swarms = spawn_swarms(f"ws://127.0.0.1:{port}/", "", clients, procs, count, timeout=120)
        time.sleep(0.5)
        rss_connected = rss_bytes(bare.pid)
        cpu0 = cpu_seconds(bare.pid)
        started = time.time()
        assert bare.stdin is not None
        bare.stdin.write("go\n")
        bare.stdin.flush()
        result = collect(swarms)
        cpu = cpu_seconds(bare.pid) - cpu0
        release(swarms)
    finally:
        bare.terminate()
        bare.wait(10)
        os.unlink(source.name)
    return {
        **result,
        "server_cpu": cpu,
        "rss_idle": rss_idle,
        "rss_connected": rss_connected,
        "started": started,
    }


def report_rate(
    clients: int, ours: dict[str, Any], base: dict[str, Any], command_cpu: float, count: int
) -> None:
    o, b = summary_ms(ours["latencies"]), summary_ms(base["latencies"])
    delivered_o, delivered_b = count * ours["complete"], count * base["complete"]
    fanout_cpu = max(0.0, ours["server_cpu"] - command_cpu)
    cpu_o = fanout_cpu / max(1, delivered_o) * 1e6
    all_o = ours["server_cpu"] / max(1, delivered_o) * 1e6
    cpu_b = base["server_cpu"] / max(1, delivered_b) * 1e6
    p99 = ratio(o["p99"], b["p99"])
    print(
        f"\n[1] fan-out, {clients} clients, {count} events, frames of {ours['size']} B both sides"
    )
    print("    latency: the frame's server_time (set as it is published) to its receipt")
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
        f"[2] server CPU: floorline {ours['server_cpu']:.2f} s in all, of which its HTTP command"
        f" path {command_cpu:.2f} s (same commands, no client); bare {base['server_cpu']:.2f} s"
    )
    print(
        f"    per delivered event, fan-out only: floorline {cpu_o:.1f} us, bare {cpu_b:.1f} us,"
        f" ratio {cpu_ratio:.2f} (target <= 1.3: {verdict(cpu_ratio, 1.3)})"
    )
    print(
        f"    per delivered event, command path included: floorline {all_o:.1f} us,"
        f" ratio {ratio(all_o, cpu_b):.2f}"
    )
    mem_o = (ours["rss_connected"] - ours["rss_idle"]) / clients / 1024
    mem_b = (base["rss_connected"] - base["rss_idle"]) / clients / 1024
    mem_ratio = ratio(mem_o, mem_b)
    print(
        f"[4] memory per terminal (RSS delta / {clients}): floorline {mem_o:.1f} KiB,"
        f" bare {mem_b:.1f} KiB, ratio {mem_ratio:.2f} (target <= 1.5: {verdict(mem_ratio, 1.5)})"
    )


def report_burst(
    clients: int,
    ours: dict[str, Any],
    same: dict[str, Any],
    per_event: dict[str, Any] | None,
    count: int,
) -> None:
    t_o = max(ours["finished"], default=float("nan")) - ours["started"]
    t_cmd = ours["posted"] - ours["started"]
    frames = -(-count // BATCH)
    print(f"\n[3] burst of {count} events to {clients} clients, until the last client has all")
    print(
        f"    floorline {t_o * 1000:8.1f} ms  complete {ours['complete']}/{clients}"
        f"  dropped {ours['errors'] + ours['incomplete']}  client CPU {ours['cpu']:.2f} s"
        f"  ({frames} batch commands of {BATCH}, one frame each; the last answered after"
        f" {t_cmd * 1000:.1f} ms, fan-out after it {(t_o - t_cmd) * 1000:.1f} ms)"
    )
    baselines = [(f"bare, the same {frames} frames and bytes", same)]
    if per_event is not None:
        baselines.append((f"bare, {count} one-event frames", per_event))
    for label, base in baselines:
        t_b = max(base["finished"], default=float("nan")) - base["started"]
        print(
            f"    {label}: {t_b * 1000:8.1f} ms  complete {base['complete']}/{clients}"
            f"  dropped {base['errors'] + base['incomplete']}  client CPU {base['cpu']:.2f} s"
            f"  ratio {ratio(t_o, t_b):.2f}"
        )
    t_same = max(same["finished"], default=float("nan")) - same["started"]
    r = ratio(t_o, t_same)
    print(f"    ratio to the same frames {r:.2f} (target <= 1.3: {verdict(r, 1.3)})")
    print(f"    fan-out alone (after the commands) to it {ratio(t_o - t_cmd, t_same):.2f}")


def report_marginal_memory(grown: dict[int, tuple[int, int]]) -> None:
    """RSS per added terminal between the smallest and largest runs: what does not
    scale with terminals (the database pool grown by hundreds of handshakes at
    once, first-use caches) drops out of it."""
    if len(grown) < 2:
        return
    low, high = min(grown), max(grown)
    ours, base = ((grown[high][i] - grown[low][i]) / (high - low) / 1024 for i in (0, 1))
    print(
        f"[4'] memory per added terminal, {low} to {high}: floorline {ours:.1f} KiB,"
        f" bare {base:.1f} KiB, ratio {ratio(ours, base):.2f}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="200,500", help="comma-separated client counts")
    parser.add_argument("--procs", type=int, default=4, help="client processes")
    parser.add_argument("--rate", type=float, default=10.0, help="events per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--burst", type=int, default=1000, help="events in the burst (0: skip)")
    parser.add_argument("--burst-clients", type=int, default=500)
    parser.add_argument(
        "--burst-per-event",
        action="store_true",
        help="also a bare burst of one frame per event (client-bound on a small machine)",
    )
    args = parser.parse_args(argv)
    count = int(args.rate * args.seconds)
    print(f"fan-out on {os.cpu_count()} cores; client processes: {args.procs}")
    command_cpu = run_product(0, args.procs, args.rate, count, burst=False)["server_cpu"]
    grown: dict[int, tuple[int, int]] = {}
    for clients in [int(n) for n in args.clients.split(",")]:
        ours = run_product(clients, args.procs, args.rate, count, burst=False)
        base = run_bare(clients, args.procs, ours["event"], args.rate, count, burst=False)
        report_rate(clients, ours, base, command_cpu, count)
        grown[clients] = tuple(r["rss_connected"] - r["rss_idle"] for r in (ours, base))
    report_marginal_memory(grown)
    if args.burst:
        ours = run_product(args.burst_clients, args.procs, 0, args.burst, burst=True)
        event, n = ours["event"], args.burst_clients
        same = run_bare(n, args.procs, event, 0, args.burst, burst=True, per_frame=BATCH)
        per_event = None
        if args.burst_per_event:
            per_event = run_bare(n, args.procs, event, 0, args.burst, burst=True)
        report_burst(n, ours, same, per_event, args.burst)


if __name__ == "__main__":
    main()
