"""Printing figures the same way in every client benchmark: value, baseline, ratio, verdict."""

from __future__ import annotations

import json
import os
import platform


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def row(
    figure: str,
    value: float,
    baseline: float | None,
    unit: str,
    target: str,
    met: bool | None,
) -> dict[str, object]:
    """Print one line and return it as a dict (for run_all's summary)."""
    ratio = value / baseline if baseline else None
    parts = [f"{figure:<46} {value:10.2f} {unit:<5}"]
    parts.append(f"baseline {baseline:10.2f}" if baseline is not None else " " * 19)
    parts.append(f"ratio {ratio:6.2f}x" if ratio is not None else " " * 13)
    verdict = "" if met is None else ("met" if met else "MISSES")
    parts.append(f"target {target:<24} {verdict}")
    print("  ".join(parts), flush=True)
    return {
        "figure": figure,
        "value": value,
        "baseline": baseline,
        "unit": unit,
        "ratio": ratio,
        "target": target,
        "met": met,
    }


def emit_json(rows: list[dict[str, object]]) -> None:
    """One machine-readable line for bench/run_all.py."""
    print("BENCH-JSON " + json.dumps(rows), flush=True)
