"""`floorline digest` end to end: a real backend with the demo floor, the real command.

The demo night happens around now, so this month has events; January 2020 has none.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import BackendProcess, launch_backend
from tui.cli import main

THIS_MONTH = datetime.now(ZoneInfo("Australia/Sydney")).strftime("%Y-%m")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackendProcess]:
    running = launch_backend(tmp_path_factory.mktemp("digest-backend"))
    yield running
    running.stop()


def digest(
    server: BackendProcess,
    monkeypatch: pytest.MonkeyPatch,
    out: Path,
    month: str,
    staff_id: str = "dm1",
    pin: str | None = None,
) -> int:
    """The command as typed, with the PIN piped in on standard input."""
    monkeypatch.setattr("sys.stdin", io.StringIO((pin or server.pins[staff_id]) + "\n"))
    argv = ["digest", "--month", month, "--out", str(out)]
    return main([*argv, "--server", server.url, "--staff", staff_id])


def test_this_months_digest(
    server: BackendProcess,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert digest(server, monkeypatch, tmp_path / "out", THIS_MONTH) == 0
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == sorted(
        f"digest-{THIS_MONTH}{tail}"
        for tail in (".md", "-metrics.csv", "-tiers.csv", "-recoveries.csv", "-late-reports.csv")
    )
    assert f"is in {tmp_path / 'out'}" in capsys.readouterr().out
    markdown = (tmp_path / "out" / f"digest-{THIS_MONTH}.md").read_text()
    assert markdown.startswith("# Monthly VIP digest: ")
    assert "by Dana K. (duty manager)" in markdown
    for section in ("Metrics against targets", "Promises kept and missed by tier"):
        assert f"## {section}" in markdown
    assert "| answer promise kept |" in markdown and "No incidents" not in markdown
    rows = list(csv.DictReader((tmp_path / "out" / f"digest-{THIS_MONTH}-metrics.csv").open()))
    assert len(rows) == 14 and rows[0]["metric"] == "sla.answer"
    assert int(rows[0]["count"]) > 0  # the demo floor's promises, settled this month
    tiers = list(csv.DictReader((tmp_path / "out" / f"digest-{THIS_MONTH}-tiers.csv").open()))
    assert {row["tier"] for row in tiers} == {"standard", "vip", "vvip"}


def test_a_month_without_events_says_so_and_still_writes_zeros(
    server: BackendProcess,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert digest(server, monkeypatch, tmp_path, "2020-01") == 0
    assert "No incidents or downtime were recorded in January 2020" in capsys.readouterr().out
    markdown = (tmp_path / "digest-2020-01.md").read_text()
    assert "No incidents or downtime were recorded in January 2020" in markdown
    rows = list(csv.DictReader((tmp_path / "digest-2020-01-metrics.csv").open()))
    assert len(rows) == 14
    assert all(row["part"] == row["count"] == "0" for row in rows)
    assert next(r for r in rows if r["metric"] == "downtime.minutes")["value"] == "0"
    recoveries = (tmp_path / "digest-2020-01-recoveries.csv").read_text()
    assert recoveries == "incident,at,tier,priority,kind,recovery\n"


@pytest.mark.parametrize("month", ["2026-13", "11/2026", "2999-01"])
def test_a_malformed_or_future_month_is_refused_before_the_pin(
    month: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stdin = io.StringIO("3001\n")
    monkeypatch.setattr("sys.stdin", stdin)
    argv = ["digest", "--month", month, "--out", str(tmp_path / "out"), "--staff", "dm1"]
    assert main([*argv, "--server", "http://127.0.0.1:9"]) == 2
    assert "YYYY-MM" in capsys.readouterr().err
    assert stdin.tell() == 0  # no PIN was asked for
    assert not (tmp_path / "out").exists()


def test_a_pit_boss_or_a_wrong_pin_gets_the_reason_and_no_files(
    server: BackendProcess,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert digest(server, monkeypatch, tmp_path / "pb", THIS_MONTH, staff_id="pb1") == 1
    assert "for duty managers and admins" in capsys.readouterr().err
    assert digest(server, monkeypatch, tmp_path / "pin", THIS_MONTH, pin="0000") == 1
    assert "cannot sign in as dm1: wrong staff ID or PIN" in capsys.readouterr().err
    assert not (tmp_path / "pb").exists() and not (tmp_path / "pin").exists()
