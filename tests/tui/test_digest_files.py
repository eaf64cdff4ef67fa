"""The digest's files and the wording of a metric, from the made-up night of
tests/domain/test_metrics.py (its figures are worked out there)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from domain import commands as c
from domain.digest import monthly_digest
from domain.metric_windows import month_window
from domain.metrics import Better, Metric, Unit
from domain.policy import Policy
from tests.domain.floor import T0
from tests.domain.test_metrics import night
from tui.digest_files import digest_files
from tui.metrics_text import format_change, format_status, format_target, format_value

POLICY = Policy(timezone="UTC")
MONTH = datetime.fromtimestamp(T0, UTC).strftime("%Y-%m")  # 2026-11


def files() -> dict[str, str]:
    floor, ids = night()
    floor.run(
        "pb1",
        c.FileReport(incident_id=ids["A"], root_cause="cause", measures="measures"),
        T0 + 2 * 86400,
    )
    digest = monthly_digest(floor.events, POLICY, month_window(MONTH, T0 + 40 * 86400, POLICY))
    return digest_files(digest, made_by="Dana K. (duty manager)", made_at=T0 + 40 * 86400)


def test_the_markdown_reads_the_month_against_its_targets() -> None:
    markdown = files()[f"digest-{MONTH}.md"]
    assert markdown.startswith("# Monthly VIP digest: November 2026\n")
    # over the month D's answer counts too (kept before the night's window): 3 of 5;
    # October had none to compare with
    assert "| answer promise kept | 60% | 3/5 | >=95% | missed | - | - |" in markdown
    # the standard tier: C's answer kept, E's broken
    assert "| standard | 1 / 1 (50%) |" in markdown
    assert "## Service recovery given (1)" in markdown and "bonus credit" in markdown
    # A's report came a day after it was due, C's never did
    assert "## Reports filed late (2)" in markdown and "not filed" in markdown


def test_the_csv_tables_hold_plain_numbers() -> None:
    written = files()
    metrics = {
        row["metric"]: row
        for row in csv.DictReader(io.StringIO(written[f"digest-{MONTH}-metrics.csv"]))
    }
    assert metrics["sla.stabilise"]["value"] == "0.666667"
    assert (metrics["sla.stabilise"]["part"], metrics["sla.stabilise"]["count"]) == ("2", "3")
    assert metrics["resolve.median"]["value"] == "7200"
    assert metrics["resolve.median"]["status"] == ""  # no target
    late = list(csv.DictReader(io.StringIO(written[f"digest-{MONTH}-late-reports.csv"])))
    assert [row["filed"] for row in late] == ["Fri 20 Nov 11:06", "not filed"]


def share(value: float | None, target: float | None = 0.95, met: bool | None = None) -> Metric:
    return Metric(
        key="sla.all", label="all promises kept", unit=Unit.SHARE, value=value, target=target,
        met=met,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("metric", "value", "target", "status"),
    [
        (share(0.955, met=True), "95.5%", ">=95%", "met"),
        (share(0.5, met=False), "50%", ">=95%", "missed"),
        (share(None), "-", ">=95%", "no data"),
        (
            Metric(key="ack.p90", label="p90", unit=Unit.SECONDS, value=65, target=120,
                   better=Better.LOWER, met=True),
            "1:05", "<=2:00", "met",
        ),
        (
            Metric(key="downtime.minutes", label="downtime", unit=Unit.MINUTES, value=38.4),
            "38 min", "", "",
        ),
    ],
)  # fmt: skip
def test_how_a_metric_reads(metric: Metric, value: str, target: str, status: str) -> None:
    assert (format_value(metric), format_target(metric), format_status(metric)) == (
        value,
        target,
        status,
    )


def test_the_trend_says_better_or_worse_by_the_metric() -> None:
    assert format_change(share(0.97), share(0.945)) == "+2.5 pts, better"
    assert format_change(share(0.9), share(0.9)) == "same"
    reopen_now = Metric(key="reopen", label="r", unit=Unit.SHARE, value=0.08, better=Better.LOWER)
    reopen_before = reopen_now.model_copy(update={"value": 0.03})
    assert format_change(reopen_now, reopen_before) == "+5.0 pts, worse"
    quicker = Metric(key="ack.median", label="m", unit=Unit.SECONDS, value=30, better=Better.LOWER)
    assert format_change(quicker, quicker.model_copy(update={"value": 70})) == "-0:40, better"
    assert format_change(share(None), share(0.9)) == "-"
