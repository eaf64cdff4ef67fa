"""Figure 5: event accepted -> row visible on a client's queue screen (2,000 loaded).

A demo backend holds `--incidents` incidents; a real FloorClient has synced
them into its replica. The floorline app (signed in as a duty manager) runs on
a pty with that replica, following the live feed. Each sample opens a P1
incident for a new player through the REST API and is timed from just before
the request to the first bytes on the terminal that show its row (its
number; the label shows the player's reference). A P1 not yet acknowledged
is pinned to the top, so it is in view; it is then acknowledged, so it
leaves the pinned rows to the next one. The
baseline is the same client and feed into an app that updates one label, in
the same run.

    python bench/event_to_screen.py --incidents 2000 --samples 150
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, os.path.dirname(__file__))
import _pty
from _floorgen import envelope, loaded_floor, open_command
from _report import emit_json, machine, row
from _stats import percentile

from domain.models import Priority


def run(mode: str, product, data_dir: Path, samples: int, tag: str) -> list[float]:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory(prefix="floorline-bench-") as config:
        args = [mode, "--server", product.url, "--data-dir", str(data_dir)]
        args += ["--token", product.token, "--config-dir", config]
        app = _pty.start(args)
        rng = random.Random(5)
        latencies = []
        try:
            app.wait_for(b"whole floor" if mode == "client" else b"BENCH-READY", timeout=60)
            time.sleep(3.0)  # connected and caught up
            with httpx.Client(headers=product.headers, timeout=30) as http:
                for number in range(samples):
                    reference = f"{tag}{number:05d}"
                    command = open_command(rng, reference, Priority.P1)
                    sent = time.perf_counter()
                    answer = http.post(f"{product.url}/v1/commands", json=envelope(command))
                    incident_id = answer.json()["incident_id"]
                    # the queue masks player references; its number column is unique
                    text = reference if mode != "client" else f"#{incident_id} "
                    shown = app.wait_for(text.encode(), since=sent, timeout=10)
                    latencies.append(shown - sent)
                    ack = {"type": "acknowledge", "incident_id": incident_id}
                    http.post(
                        f"{product.url}/v1/commands",
                        json={"command_id": str(uuid.uuid4()), "command": ack},
                    )
                    time.sleep(0.15)
        finally:
            app.stop()
    return latencies


def main(argv: list[str] | None = None) -> list[dict[str, object]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--incidents", type=int, default=2000)
    parser.add_argument("--samples", type=int, default=150)
    options = parser.parse_args(argv)
    print(f"figure 5: event -> row visible ({machine()}, {options.incidents:,} incidents)")
    with loaded_floor(options.incidents) as (product, folder):
        base = run("label-client", product, folder / "data", options.samples, "LB")
        ours = run("client", product, folder / "data", options.samples, "EV")
    rows = []
    for share, label in ((0.5, "p50"), (0.99, "p99")):
        value, baseline = 1000 * percentile(ours, share), 1000 * percentile(base, share)
        met = value <= 30 if label == "p99" else None
        target = "p99 <= 30 ms" if met is not None else ""
        rows.append(row(f"5 event -> row visible {label}", value, baseline, "ms", target, met))
    emit_json(rows)
    return rows


if __name__ == "__main__":
    main()
