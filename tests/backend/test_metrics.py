"""The metrics endpoints on a real backend: computed from its event log, for managers only.

The backend runs in this process with a clock the test moves: the demo floor is
loaded on 24 Nov 2026 at 02:13 (Sydney), then the clock jumps ten days on, past
every promise the demo made, so "today" holds only what the test does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from backend.config import ServerConfig
from tests.backend.helpers import Terminal, command_id
from tests.backend.inprocess import FakeClock, RunningServer, serve_in_process

SYDNEY = ZoneInfo("Australia/Sydney")
LOADED = datetime(2026, 11, 24, 2, 13, tzinfo=SYDNEY).timestamp()
LATER = datetime(2026, 12, 4, 2, 13, tzinfo=SYDNEY).timestamp()


# loyalty cards whose format names the tier given (the server takes a card's tier)
CARDS = {"vvip": "VV-1000-2000", "vip": "VP-1000-2000", "standard": "LC-1000-2000"}


def envelope(command: dict[str, Any]) -> dict[str, Any]:
    return {"command_id": command_id(), "command": command}


def opening(priority: str, channel: str, tier: str, pit: str) -> dict[str, Any]:
    return envelope(
        {
            "type": "open_incident",
            "kind": "table_dispute",
            "priority": priority,
            "channel": channel,
            "player": {"reference": CARDS[tier], "tier": tier, "host_id": "h1"},
            "location": {"pit": pit, "spot": "BJ-01"},
        }
    )


def on(kind: str, incident_id: int, **fields: Any) -> dict[str, Any]:
    return envelope({"type": kind, "incident_id": incident_id, **fields})


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[tuple[RunningServer, FakeClock]]:
    clock = FakeClock(LOADED)
    config = ServerConfig(db_url=f"sqlite:///{tmp_path / 'floor.db'}", demo=True, clock=clock)
    async with serve_in_process(config) as running:
        dm = await Terminal.sign_in(running.url, "dm1", "3001")
        # the demo's tables and machines come back up before the clock jumps
        for downtime in (await dm.snapshot())["state"]["downtimes"].values():
            if downtime["ended_at"] is None:
                end = {"type": "end_downtime", "asset_id": downtime["asset_id"]}
                await dm.accepted(envelope(end))
        await dm.close()
        clock.now = LATER
        yield running, clock


def by_key(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["key"]: m for m in report["metrics"]}


async def test_todays_board_from_the_log(server: tuple[RunningServer, FakeClock]) -> None:
    """Two incidents today (offsets from T, the first opening, in seconds):

    one: P1 VIP phone, pit 1. Acknowledged at 10 (answer due 20: kept), resolved at
      600 (stabilise due 900, resolve due 7200: both kept by the resolution). Update
      promises: due 900, kept by the ack at 10; then due 910, kept by the resolution.
    two: P3 standard phone, pit 2, opened at 30. Acknowledged at 150 (answer due 90:
      broken), which keeps the update promised at its opening (due 30 + 4 h); the
      next one (150 + 4 h) is still running.
    Answer 1/2, stabilise 1/1, resolve 1/1, update 3/3, all 6/7. Resolved: one, at
    first contact, not reopened. Acknowledge samples 10 and 120: median 10, p90 120.
    Downtime: SL-2001 down from 60 to 1860, its player never moved: 30 min, missed.
    """
    running, clock = server
    host = await Terminal.sign_in(running.url, "h1", "2001")
    dm = await Terminal.sign_in(running.url, "dm1", "3001")
    t = clock.now
    one = (await host.accepted(opening("P1", "phone", "vip", "1")))["incident_id"]
    clock.now = t + 10
    await host.accepted(on("acknowledge", one))
    clock.now = t + 30
    two = (await host.accepted(opening("P3", "phone", "standard", "2")))["incident_id"]
    clock.now = t + 60
    await dm.accepted(envelope({"type": "start_downtime", "asset_id": "SL-2001", "reason": "tilt"}))
    clock.now = t + 150
    await host.accepted(on("acknowledge", two))
    clock.now = t + 600
    await host.accepted(on("resolve", one))
    clock.now = t + 1860
    await dm.accepted(envelope({"type": "end_downtime", "asset_id": "SL-2001"}))
    clock.now = t + 1900

    response = await dm.http.get("/v1/metrics", params={"window": "today"})
    assert response.status_code == 200, response.text
    report = response.json()
    got = by_key(report)
    assert report["window"]["name"] == "today"
    assert report["window"]["start"] == datetime(2026, 12, 4, tzinfo=SYDNEY).timestamp()
    assert [(got[k]["part"], got[k]["count"]) for k in ("sla.answer", "sla.update")] == [
        (1, 2),
        (3, 3),
    ]
    assert got["sla.all"]["value"] == 6 / 7 and got["sla.all"]["met"] is False
    assert got["fcr"]["value"] == 1.0 and got["fcr"]["met"] is True
    assert got["reopen"]["value"] == 0.0 and got["reopen"]["met"] is True
    assert (got["ack.median"]["value"], got["ack.p90"]["value"]) == (10, 120)
    assert got["ack.p90"]["met"] is True  # within 2 minutes
    assert got["downtime.minutes"]["value"] == 30.0
    assert (got["downtime.moved"]["part"], got["downtime.moved"]["count"]) == (0, 1)
    assert report["pruned_before"] is None

    pit_two = by_key((await dm.http.get("/v1/metrics?window=today&pit=2")).json())
    assert (pit_two["sla.answer"]["part"], pit_two["sla.answer"]["count"]) == (0, 1)
    vip = by_key((await dm.http.get("/v1/metrics?window=today&tier=vip")).json())
    assert vip["sla.all"]["value"] == 1.0  # the VIP's five promises, all kept

    daily = (await dm.http.get("/v1/metrics/daily", params={"days": 14})).json()
    assert len(daily["days"]) == 14 and daily["days"][-1]["name"] == "2026-12-04"
    answer = dict(
        zip((d["name"] for d in daily["days"]), daily["values"]["sla.answer"], strict=True)
    )
    assert answer["2026-12-04"] == 0.5  # today, as on the board
    assert answer["2026-11-24"] is not None  # the demo night
    for terminal in (host, dm):
        await terminal.close()


async def test_a_pit_boss_or_host_is_told_why_not(server: tuple[RunningServer, FakeClock]) -> None:
    running, _ = server
    for staff_id, pin, role in (("pb1", "1001", "pit boss"), ("h1", "2001", "host")):
        terminal = await Terminal.sign_in(running.url, staff_id, pin)
        for path in ("/v1/metrics", "/v1/metrics/daily", "/v1/metrics/digest?month=2026-11"):
            response = await terminal.http.get(path)
            assert response.status_code == 403, path
            detail = response.json()["detail"]
            assert "for duty managers and admins" in detail and role in detail
        await terminal.close()
    admin = await Terminal.sign_in(running.url, "admin", "9000")
    assert (await admin.http.get("/v1/metrics?window=month")).status_code == 200
    await admin.close()


async def test_bad_windows_and_months_are_refused_with_the_form(
    server: tuple[RunningServer, FakeClock],
) -> None:
    running, _ = server
    dm = await Terminal.sign_in(running.url, "dm1", "3001")
    week = await dm.http.get("/v1/metrics?window=week")
    assert week.status_code == 422 and "window" in week.json()["detail"]
    for month, words in (("2026-13", "expected YYYY-MM"), ("2027-01", "has not begun")):
        response = await dm.http.get("/v1/metrics/digest", params={"month": month})
        assert response.status_code == 422
        assert words in response.json()["detail"]
    too_many = await dm.http.get("/v1/metrics/daily?days=400")
    assert too_many.status_code == 422
    await dm.close()


async def test_the_digest_of_a_month_with_events_and_of_one_without(
    server: tuple[RunningServer, FakeClock],
) -> None:
    running, _ = server
    dm = await Terminal.sign_in(running.url, "dm1", "3001")
    november = (await dm.http.get("/v1/metrics/digest?month=2026-11")).json()
    assert november["report"]["window"]["label"] == "November 2026"
    assert november["report"]["events"] > 0  # the demo night
    assert november["previous"]["window"]["name"] == "2026-10"
    assert [r["tier"] for r in november["by_tier"]] == ["standard", "vip", "vvip"]
    september = (await dm.http.get("/v1/metrics/digest?month=2026-09")).json()
    assert september["report"]["events"] == 0
    assert all(m["value"] in (None, 0.0) for m in september["report"]["metrics"])
    assert september["recoveries"] == [] and september["late_reports"] == []
    await dm.close()


async def test_a_pruned_log_says_from_when_the_figures_are_short(tmp_path: Path) -> None:
    clock = FakeClock(LOADED)
    config = ServerConfig(
        db_url=f"sqlite:///{tmp_path / 'floor.db'}", demo=True, clock=clock, retain_events=20
    )
    async with serve_in_process(config) as running:
        dm = await Terminal.sign_in(running.url, "dm1", "3001")
        report = (await dm.http.get("/v1/metrics?window=month")).json()
        assert report["pruned_before"] is not None
        assert report["pruned_before"] > report["window"]["start"]
        await dm.close()


@pytest.mark.postgres
async def test_the_metrics_read_the_log_on_postgresql(pg_url: str) -> None:
    """The same reading of the log (and the indexes it needs) on PostgreSQL: the demo
    night's month, and a quiet one."""
    clock = FakeClock(LOADED)
    async with serve_in_process(ServerConfig(db_url=pg_url, demo=True, clock=clock)) as running:
        dm = await Terminal.sign_in(running.url, "dm1", "3001")
        month = by_key((await dm.http.get("/v1/metrics?window=month")).json())
        assert month["sla.all"]["count"] > 0
        quiet = (await dm.http.get("/v1/metrics/digest?month=2026-09")).json()
        assert quiet["report"]["events"] == 0
        await dm.close()
