"""Figure 6: the 1-second countdown refresh, CPU and tick -> frame, at 2,000 and 100,000.

The queue app runs on a pty (a real driver) over a fixed floor signed in as a
duty manager (the whole floor in view) and is left ticking, then once more at
the smaller size behind the lock (against the same queue unlocked); its CPU is read
from /proc over `--seconds`. Tick -> frame is the time from the app's timer
callback to the end of the compositor write that follows it. The baseline is
an app with the same 1 s timer updating one label, in the same run.

    python bench/countdown.py --incidents 2000,100000 --seconds 20
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))
import _pty
from _report import emit_json, machine, row
from _stats import cpu_seconds, percentile

READY = {"timer": b"BENCH-READY", "floor": b"whole floor"}


def idle_run(
    mode: str, incidents: int, seconds: float, settle: float = 3.0, *, locked: bool = False
) -> dict[str, float]:
    """CPU share of one core and tick -> frame p50/p99 (ms) while the app idles
    (`locked`: behind the lock, as a shared floor terminal mostly is)."""
    with tempfile.TemporaryDirectory(prefix="floorline-bench-") as folder:
        trace = Path(folder) / "trace.json"
        args = [mode, "--incidents", str(incidents), "--config-dir", folder]
        app = _pty.start(args, env={"FLOORLINE_BENCH_TRACE": str(trace)})
        try:
            app.wait_for(READY[mode], timeout=120)
            if locked:
                app.send(b"\x0c")  # ctrl+l
                app.wait_for(b"Locked", timeout=60)
            time.sleep(settle)
            cpu0, wall0 = cpu_seconds(app.pid), time.perf_counter()
            time.sleep(seconds)
            cpu1, wall1 = cpu_seconds(app.pid), time.perf_counter()
        finally:
            app.stop()
        samples = json.loads(trace.read_text())["tick_to_frame"][int(settle) :]
    return {
        "cpu": 100 * (cpu1 - cpu0) / (wall1 - wall0),
        "p50": 1000 * percentile(samples, 0.5),
        "p99": 1000 * percentile(samples, 0.99),
        "ticks": len(samples),
    }


def main(argv: list[str] | None = None) -> list[dict[str, object]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--incidents", default="2000,100000", help="comma-separated sizes")
    parser.add_argument("--seconds", type=float, default=20.0)
    options = parser.parse_args(argv)
    sizes = [int(s) for s in options.incidents.split(",")]
    print(f"figure 6: countdown refresh ({machine()}, {options.seconds:.0f} s idle each)")
    base = idle_run("timer", 0, options.seconds)
    results = {n: idle_run("floor", n, options.seconds) for n in sizes}
    locked = idle_run("floor", min(sizes), options.seconds, locked=True)
    rows = [
        row("6 timer-only app: CPU % of a core", base["cpu"], None, "%", "(baseline)", None),
        row("6 timer-only app: tick->frame p99", base["p99"], None, "ms", "(baseline)", None),
    ]
    for n, r in results.items():
        rows.append(
            row(
                f"6 queue {n:,}: CPU % of a core",
                r["cpu"],
                base["cpu"],
                "%",
                "<= 1%",
                r["cpu"] <= 1,
            )
        )
        rows.append(row(f"6 queue {n:,}: tick->frame p50", r["p50"], base["p50"], "ms", "", None))
        rows.append(
            row(
                f"6 queue {n:,}: tick->frame p99",
                r["p99"],
                base["p99"],
                "ms",
                "<= 16.7 ms",
                r["p99"] <= 16.7,
            )
        )
    rows.append(
        row(
            f"6 queue {min(sizes):,} locked: CPU % of a core",
            locked["cpu"],
            results[min(sizes)]["cpu"],  # the same queue unlocked
            "%",
            "<= 1%",
            locked["cpu"] <= 1,
        )
    )
    if len(sizes) >= 2:
        small, big = results[min(sizes)], results[max(sizes)]
        ratio = big["cpu"] / small["cpu"] if small["cpu"] else float("inf")
        rows.append(
            row(
                f"6 CPU {max(sizes):,} / {min(sizes):,}",
                ratio,
                None,
                "x",
                "<= 1.2",
                ratio <= 1.2,
            )
        )
    emit_json(rows)
    return rows


if __name__ == "__main__":
    main()
