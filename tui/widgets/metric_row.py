"""One line of the metrics board: label, value, what it is of, target, met or missed,
and the last days as a sparkline. No I/O: the screen hands it the figures."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Sparkline, Static

from domain.metrics import Metric
from tui.metrics_text import format_counts, format_status, format_target, format_value

# the fixed columns' widths; the sparkline takes what is left (14 columns at 80)
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("label", "metric", 28),
    ("value", "value", 8),
    ("counts", "of", 9),
    ("target", "target", 7),
    ("status", "", 7),
)
RIGHT_ALIGNED = frozenset({"value", "counts"})


def chart_points(series: Sequence[float | None]) -> list[float]:
    """A sparkline needs a number per day: a day with nothing to measure draws as 0."""
    return [0.0 if value is None else value for value in series]


class MetricRow(Horizontal):
    DEFAULT_CSS = """
    MetricRow { height: 1; width: 1fr; }
    MetricRow > Static { height: 1; margin-right: 1; }
    MetricRow > .value, MetricRow > .counts { text-align: right; }
    MetricRow > .status.-met { color: $timer-ok; }
    MetricRow > .status.-missed { color: $timer-breached; text-style: bold; }
    MetricRow > Sparkline { width: 14; }  /* a column a day */
    """

    def __init__(self, key: str) -> None:
        super().__init__(classes="metric-row")
        self.key = key
        self._shown: tuple[Metric, Sequence[float | None]] | None = None

    def compose(self) -> ComposeResult:
        for name, _heading, width in COLUMNS:
            cell = Static(classes=name)
            cell.styles.width = width
            yield cell
        yield Sparkline([])

    def on_mount(self) -> None:
        self._paint()

    def show(self, metric: Metric, series: Sequence[float | None]) -> None:
        """Show these figures (now, or once the row is composed)."""
        self._shown = (metric, series)
        if self.children:
            self._paint()

    def _paint(self) -> None:
        if self._shown is None:
            return
        metric, series = self._shown
        texts = {
            "label": metric.label,
            "value": format_value(metric),
            "counts": format_counts(metric),
            "target": format_target(metric),
            "status": format_status(metric),
        }
        for name, text in texts.items():
            self.query_one(f".{name}", Static).update(Content(text))
        status = self.query_one(".status", Static)
        status.set_class(metric.met is True, "-met")
        status.set_class(metric.met is False, "-missed")
        self.query_one(Sparkline).data = chart_points(series)
