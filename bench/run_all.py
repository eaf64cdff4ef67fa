"""Every benchmark in one command: fan-out (figures 1-4), the client (5-11), processes (12, 13),
the metrics board (14).

    .venv/bin/python bench/run_all.py            full sizes (about 10 minutes)
    .venv/bin/python bench/run_all.py --quick    smaller sizes and fewer samples

Each benchmark runs in its own process (one at a time, so none competes with
another for the 2 cores) and prints its figures with the baseline measured in
the same run, the ratio, the target and met / MISSES. A summary follows.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent

FULL: list[list[str]] = [
    ["event_to_screen.py", "--incidents", "2000", "--samples", "150"],
    ["countdown.py", "--incidents", "2000,100000", "--seconds", "20"],
    ["keys.py", "--incidents", "2000", "--samples", "40"],
    ["tick_bytes.py", "--incidents", "2000", "--seconds", "10"],
    ["outbox_drain.py", "--commands", "1000"],
    ["cold_start.py", "--incidents", "2000", "--runs", "5"],
    ["catchup_stall.py", "--events", "10000"],
    ["cross_process.py", "--samples", "300"],
    ["metrics_board.py", "--incidents", "50000", "--samples", "5"],
    ["floor_map.py", "--tables", "500", "--incidents", "2000", "--presses", "400"],
]
QUICK: list[list[str]] = [
    ["event_to_screen.py", "--incidents", "500", "--samples", "20"],
    ["countdown.py", "--incidents", "2000,20000", "--seconds", "6"],
    ["keys.py", "--incidents", "2000", "--samples", "12"],
    ["tick_bytes.py", "--incidents", "2000", "--seconds", "4"],
    ["outbox_drain.py", "--commands", "200"],
    ["cold_start.py", "--incidents", "500", "--runs", "2"],
    ["catchup_stall.py", "--events", "2000"],
    ["cross_process.py", "--samples", "60"],
    ["metrics_board.py", "--incidents", "5000", "--samples", "3"],
    ["floor_map.py", "--tables", "500", "--incidents", "500", "--presses", "60"],
]


def run(args: list[str]) -> tuple[list[dict[str, object]], bool]:
    proc = subprocess.run(
        [sys.executable, str(BENCH / args[0]), *args[1:]], capture_output=True, text=True
    )
    rows: list[dict[str, object]] = []
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH-JSON "):
            rows += json.loads(line.removeprefix("BENCH-JSON "))
        else:
            print(line, flush=True)
    if proc.returncode:
        print(f"{args[0]} failed ({proc.returncode}):\n{proc.stderr[-2000:]}", flush=True)
    return rows, proc.returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer samples")
    parser.add_argument("--skip-fanout", action="store_true", help="only the client figures")
    options = parser.parse_args()
    failed = []
    if not options.skip_fanout:
        print("== fanout.py (figures 1-4, its own defaults)", flush=True)
        if subprocess.run([sys.executable, str(BENCH / "fanout.py")]).returncode:
            failed.append("fanout.py")
    rows: list[dict[str, object]] = []
    for args in QUICK if options.quick else FULL:
        print(f"== {' '.join(args)}", flush=True)
        got, ok = run(args)
        rows += got
        if not ok:
            failed.append(args[0])
    print("\n== summary (client figures)")
    for r in rows:
        if r["met"] is not None:
            print(f"{'met   ' if r['met'] else 'MISSES'} {r['figure']}")
    if failed:
        print("failed to run: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
