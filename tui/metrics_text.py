"""How a metric reads, on the board and in the digest: its value, target, status, trend."""

from __future__ import annotations

from domain.metrics import Better, Metric, Unit
from tui.timefmt import format_span

NO_VALUE = "-"


def format_amount(value: float, unit: Unit) -> str:
    """A value in its unit: `95.5%`, `1:05`, `38 min`."""
    if unit is Unit.SHARE:
        return f"{value * 100:.1f}%".replace(".0%", "%")
    if unit is Unit.MINUTES:
        return f"{value:.0f} min"
    return format_span(value)


def format_value(metric: Metric) -> str:
    """`96%`, `95.5%`, `1:05` (m:ss), `2:04:10`, `38 min`; `-` with nothing to measure."""
    return NO_VALUE if metric.value is None else format_amount(metric.value, metric.unit)


def format_counts(metric: Metric) -> str:
    """What a share is of (`48/50`) or how many times were measured (`n=12`)."""
    if metric.unit is Unit.SHARE:
        return f"{metric.part}/{metric.count}"
    if metric.unit is Unit.SECONDS:
        return f"n={metric.count}"
    return ""


def format_target(metric: Metric) -> str:
    """`>=95%`, `<=5%`, `<=2:00`; empty when the metric has no target."""
    if metric.target is None:
        return ""
    sign = ">=" if metric.better is Better.HIGHER else "<="
    return f"{sign}{format_amount(metric.target, metric.unit)}"


def format_status(metric: Metric) -> str:
    if metric.met is None:
        return "no data" if metric.value is None and metric.target is not None else ""
    return "met" if metric.met else "missed"


def format_change(now: Metric, before: Metric) -> str:
    """How `now` moved from `before`: `+2.5 pts, better`, `-0:40, better`, `same`."""
    if now.value is None or before.value is None:
        return NO_VALUE
    delta = now.value - before.value
    if abs(delta) < 1e-9:
        return "same"
    if now.unit is Unit.SHARE:
        amount = f"{delta * 100:+.1f} pts"
    elif now.unit is Unit.MINUTES:
        amount = f"{delta:+.0f} min"
    else:
        amount = ("+" if delta > 0 else "-") + format_span(delta)
    better = (delta > 0) is (now.better is Better.HIGHER)
    return f"{amount}, {'better' if better else 'worse'}"
