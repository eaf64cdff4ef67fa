"""Figures 10 and 11: cold start to a painted queue from the local replica, and client RSS.

A real FloorClient first syncs `--incidents` incidents from a demo backend
into a replica on disk. Then the floorline app is started on a pty with that
replica and a stored sign-in, and timed from process start to the first
frame that shows the queue; its RSS is read once it has settled. The baseline
is an empty Textual app started the same way, in the same run.

    python bench/cold_start.py --incidents 2000 --runs 5
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import _pty
from _floorgen import loaded_floor
from _report import emit_json, machine, row
from _stats import rss_bytes


def compile_project() -> None:
    """Byte-compile floorline's packages, as installing a wheel does.

    An editable install runs from source, and where PYTHONDONTWRITEBYTECODE is
    set (as on some CI machines) every start would compile every module again;
    the baseline's Textual was compiled when it was installed.
    """
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for package in ("domain", "api_client", "tui", "screens", "themes"):
        compileall.compile_dir(os.path.join(root, package), quiet=1)


def start_once(args: list[str], ready: bytes) -> tuple[float, int]:
    app = _pty.start(args)
    try:
        painted = app.wait_for(ready, timeout=60) - app.started
        time.sleep(2.0)
        rss = rss_bytes(app.pid)
    finally:
        app.stop()
    return painted, rss


def main(argv: list[str] | None = None) -> list[dict[str, object]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--incidents", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args(argv)
    print(f"figures 10, 11: cold start and RSS ({machine()}, {options.incidents:,} incidents)")
    compile_project()
    with loaded_floor(options.incidents) as (product, folder):
        client_args = [
            "client",
            "--server",
            product.url,
            "--data-dir",
            str(folder / "data"),
            "--token",
            product.token,
            "--config-dir",
            str(folder),
        ]
        ours, base = [], []
        for _ in range(options.runs):  # interleaved, so drift hits both alike
            base.append(start_once(["empty"], b"BENCH-READY"))
            ours.append(start_once(client_args, b"whole floor"))
    start, start_base = (statistics.median(t for t, _ in r) * 1000 for r in (ours, base))
    rss, rss_base = (statistics.median(m for _, m in r) / 2**20 for r in (ours, base))
    rows = [
        row(
            "10 cold start -> queue painted (median)",
            start,
            start_base,
            "ms",
            "<= 1.5x",
            start <= 1.5 * start_base,
        ),
        row(
            f"11 client RSS, {options.incidents:,} incidents",
            rss,
            rss_base,
            "MiB",
            "<= 1.5x",
            rss <= 1.5 * rss_base,
        ),
    ]
    emit_json(rows)
    return rows


if __name__ == "__main__":
    main()
