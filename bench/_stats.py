"""Small measuring helpers shared by the benchmarks: percentiles, CPU and RSS of a process."""

from __future__ import annotations

import os
import statistics
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(values: list[float]) -> dict[str, float]:
    """p50 / p99 / max of seconds, in milliseconds."""
    return {
        "p50": percentile(values, 0.50) * 1000,
        "p99": percentile(values, 0.99) * 1000,
        "max": (max(values) if values else float("nan")) * 1000,
        "mean": (statistics.fmean(values) if values else float("nan")) * 1000,
    }


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def ratio(ours: float, base: float) -> float:
    return ours / base if base else float("inf")


def verdict(value: float, target: float) -> str:
    return "meets" if value <= target else "MISSES"
