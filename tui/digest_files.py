"""The monthly digest as files: one Markdown report and CSV tables beside it.

    digest-2026-11.md                  metrics against targets with the trend, promises
                                       by tier, service recovery given, reports filed late
    digest-2026-11-metrics.csv         each metric: value, target, status, previous month
    digest-2026-11-tiers.csv           promises kept and missed, by tier and promise
    digest-2026-11-recoveries.csv      each service recovery given
    digest-2026-11-late-reports.csv    each post-incident report filed late, or not yet

CSV values are plain numbers (shares 0..1, seconds, minutes), empty where
there was nothing to measure; the Markdown reads them as the board does.
`digest_files` is pure; `write_digest` puts its files in a folder.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from domain.digest import MonthlyDigest
from domain.incident_history import PROMISES
from domain.metrics import FORMULAS, Metric, MetricsReport
from domain.models import KIND_LABELS
from tui.metrics_text import (
    format_change,
    format_counts,
    format_status,
    format_target,
    format_value,
)
from tui.timefmt import format_datetime


def _csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"


def _promise_rows(report: MetricsReport) -> list[tuple[str, str, int, int, str]]:
    rows = []
    for name in PROMISES:
        metric = report.metric(f"sla.{name}")
        rows.append(
            (
                name,
                str(report.tier or "all"),
                metric.part,
                metric.count - metric.part,
                _number(metric.value),
            )
        )
    return rows


def digest_files(digest: MonthlyDigest, *, made_by: str, made_at: float) -> dict[str, str]:
    """File name -> contents, for the digest of one month."""
    report, before = digest.report, digest.previous
    month = report.window.name
    return {
        f"digest-{month}.md": _markdown(digest, made_by=made_by, made_at=made_at),
        f"digest-{month}-metrics.csv": _csv(
            (
                "metric",
                "label",
                "value",
                "part",
                "count",
                "target",
                "better",
                "status",
                f"previous ({before.window.name})",
                "change",
            ),
            [
                (
                    m.key,
                    m.label,
                    _number(m.value),
                    m.part,
                    m.count,
                    _number(m.target),
                    m.better,
                    format_status(m) or "",
                    _number(p.value),
                    _number(_delta(m, p)),
                )
                for m, p in zip(report.metrics, before.metrics, strict=True)
            ],
        ),
        f"digest-{month}-tiers.csv": _csv(
            ("promise", "tier", "kept", "missed", "share"),
            [row for tier in digest.by_tier for row in _promise_rows(tier)],
        ),
        f"digest-{month}-recoveries.csv": _csv(
            ("incident", "at", "tier", "priority", "kind", "recovery"),
            [
                (
                    g.incident_id,
                    format_datetime(g.at, digest.timezone),
                    g.tier,
                    g.priority,
                    KIND_LABELS[g.kind],
                    g.text,
                )
                for g in digest.recoveries
            ],
        ),
        f"digest-{month}-late-reports.csv": _csv(
            ("incident", "priority", "tier", "due", "filed"),
            [
                (
                    r.incident_id,
                    r.priority,
                    r.tier,
                    format_datetime(r.due, digest.timezone),
                    format_datetime(r.filed_at, digest.timezone) if r.filed_at else "not filed",
                )
                for r in digest.late_reports
            ],
        ),
    }


def write_digest(digest: MonthlyDigest, out: Path, *, made_by: str, made_at: float) -> list[Path]:
    """Write the digest's files into `out` (made if missing); the paths written.

    The one writer of `floorline digest` and the metrics board's `D`; an
    `OSError` says why the folder could not take them.
    """
    files = digest_files(digest, made_by=made_by, made_at=made_at)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def _delta(now: Metric, before: Metric) -> float | None:
    if now.value is None or before.value is None:
        return None
    return now.value - before.value


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    def line(cells: Sequence[object]) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    return [line(header), "|" + "---|" * len(header), *(line(row) for row in rows)]


def _markdown(digest: MonthlyDigest, *, made_by: str, made_at: float) -> str:
    report, before = digest.report, digest.previous
    tz = digest.timezone
    label, previous = report.window.label, before.window.label
    lines = [
        f"# Monthly VIP digest: {label}",
        "",
        f"Made {format_datetime(made_at, tz)} ({tz}) by {made_by}, from the server's event log.",
        "",
    ]
    if report.events == 0:
        lines += [f"No incidents or downtime were recorded in {label}: every count is zero.", ""]
    if digest.pruned_before is not None:
        lines += [
            f"The event log before {format_datetime(digest.pruned_before, tz)} was pruned:"
            " the figures leave out what happened before then.",
            "",
        ]
    lines += ["## Metrics against targets", ""]
    lines += _table(
        ("metric", label, "of", "target", "status", previous, "trend"),
        [
            (
                m.label,
                format_value(m),
                format_counts(m) or "-",
                format_target(m) or "-",
                format_status(m) or "-",
                format_value(p),
                format_change(m, p),
            )
            for m, p in zip(report.metrics, before.metrics, strict=True)
        ],
    )
    lines += ["", "## Promises kept and missed by tier", ""]
    lines += _table(
        ("tier", *PROMISES),
        [
            (str(tier.tier), *(_kept_missed(tier.metric(f"sla.{name}")) for name in PROMISES))
            for tier in digest.by_tier
        ],
    )
    lines += ["", "Each cell: kept / missed (share kept).", ""]
    lines += [f"## Service recovery given ({len(digest.recoveries)})", ""]
    if digest.recoveries:
        lines += _table(
            ("incident", "when", "tier", "priority", "kind", "recovery"),
            [
                (
                    f"#{g.incident_id}",
                    format_datetime(g.at, tz),
                    g.tier,
                    g.priority,
                    KIND_LABELS[g.kind],
                    g.text,
                )
                for g in digest.recoveries
            ],
        )
    else:
        lines.append("None was recorded.")
    lines += ["", f"## Reports filed late ({len(digest.late_reports)})", ""]
    if digest.late_reports:
        lines += _table(
            ("incident", "priority", "tier", "due", "filed"),
            [
                (
                    f"#{r.incident_id}",
                    r.priority,
                    r.tier,
                    format_datetime(r.due, tz),
                    format_datetime(r.filed_at, tz) if r.filed_at else "not filed",
                )
                for r in digest.late_reports
            ],
        )
    else:
        lines.append("Every post-incident report due this month was filed in time.")
    lines += ["", "## How each is measured", ""]
    lines += [f"- {m.label}: {FORMULAS.get(m.key, '')}" for m in report.metrics]
    return "\n".join(lines) + "\n"


def _kept_missed(metric: Metric) -> str:
    share = f" ({format_value(metric)})" if metric.value is not None else ""
    return f"{metric.part} / {metric.count - metric.part}{share}"
