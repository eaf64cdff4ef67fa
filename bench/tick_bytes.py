"""Figure 8: bytes written to the terminal per countdown tick, against one full repaint.

The queue app runs on a pty (a real driver) over a fixed floor; the bytes of
each tick's frame are counted for `--seconds`. The baseline is one full-screen
repaint at the same size, forced by resizing the pty away and back.

    python bench/tick_bytes.py --incidents 2000 --seconds 10
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import _pty
from _report import emit_json, machine, row

COLUMNS, ROWS = 120, 40


def measure(incidents: int, seconds: float) -> tuple[float, int]:
    with tempfile.TemporaryDirectory(prefix="floorline-bench-") as folder:
        app = _pty.start(
            ["floor", "--incidents", str(incidents), "--config-dir", folder],
            columns=COLUMNS,
            rows=ROWS,
        )
        try:
            app.wait_for(b"whole floor", timeout=120)
            time.sleep(2.5)
            start = time.perf_counter()
            time.sleep(seconds)
            ticks = [len(f.data) for f in app.frames(start)]
            # a full repaint at the same size: away and back again
            app.resize(COLUMNS - 1, ROWS)
            time.sleep(0.5)
            back = time.perf_counter()
            app.resize(COLUMNS, ROWS)
            time.sleep(0.5)
            full = max(len(f.data) for f in app.frames(back))
        finally:
            app.stop()
    return statistics.fmean(ticks) if ticks else 0.0, full


def main(argv: list[str] | None = None) -> list[dict[str, object]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--incidents", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=10.0)
    options = parser.parse_args(argv)
    print(f"figure 8: bytes per tick ({machine()}, {COLUMNS}x{ROWS}, {options.incidents:,})")
    per_tick, full = measure(options.incidents, options.seconds)
    share = 100 * per_tick / full
    rows = [
        row(
            "8 bytes per countdown tick", per_tick, full, "B", "<= 10% of full repaint", share <= 10
        )
    ]
    emit_json(rows)
    return rows


if __name__ == "__main__":
    main()
