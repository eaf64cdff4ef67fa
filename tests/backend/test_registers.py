"""Regulators' registers on a real server: the countdown on the incident, recording it,
and the register as CSV (over HTTP and from `floorline audit register`)."""

from __future__ import annotations

import csv
import io
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tests.backend.helpers import Terminal, command_id
from tests.backend.test_journal import audit, journal_rows
from tests.conftest import BackendProcess

SYDNEY = ZoneInfo("Australia/Sydney")  # the default policy's timezone


def opening(kind: str) -> dict[str, Any]:
    return {
        "command_id": command_id(),
        "command": {
            "type": "open_incident",
            "kind": kind,
            "priority": "P3",
            "channel": "on_site",
            "player": {"reference": "VP-5512-0093", "tier": "vip"},
            "location": {"pit": "1", "spot": "BJ-01"},
            "summary": "player asked to be excluded",
        },
    }


def recording(incident_id: int, reference: str, **extra: Any) -> dict[str, Any]:
    return {
        "command_id": command_id(),
        "command": {
            "type": "record_in_register",
            "incident_id": incident_id,
            "reference": reference,
            **extra,
        },
    }


def local(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, SYDNEY).isoformat(timespec="seconds")


async def test_an_incident_is_recorded_in_its_register_and_exported(
    backend: BackendProcess, tmp_path: Path
) -> None:
    pb = await Terminal.sign_in(backend.url, "pb1", backend.pins["pb1"])
    dm = await Terminal.sign_in(backend.url, "dm1", backend.pins["dm1"])
    host = await Terminal.sign_in(backend.url, "h1", backend.pins["h1"])
    rg = (await pb.accepted(opening("responsible_gambling")))["incident_id"]
    sm = (await pb.accepted(opening("suspicious_matter")))["incident_id"]
    other = (await pb.accepted(opening("table_dispute")))["incident_id"]
    incidents = (await dm.snapshot())["state"]["incidents"]
    entry = incidents[str(rg)]["register_entry"]
    assert entry["name"] == "responsible_gambling"
    assert entry["due"] == incidents[str(rg)]["opened_at"] + 24 * 3600
    assert entry["recorded_at"] is None
    assert incidents[str(sm)]["register_entry"]["due"] > incidents[str(sm)]["opened_at"]
    assert incidents[str(other)]["register_entry"] is None

    # who may, and bad input: each answered with the reason
    refused = await pb.command(recording(rg, "RG-2026-0042"))
    assert refused.status_code == 403 and "allowed: admin, duty manager" in refused.json()["detail"]
    not_for_a_register = await dm.command(recording(other, "RG-1"))
    assert not_for_a_register.status_code == 409
    assert "goes to no regulator's register" in not_for_a_register.json()["detail"]
    future = await dm.command(recording(rg, "RG-1", occurred_at=time.time() + 3600))
    assert future.status_code == 422 and "cannot be in the future" in future.json()["detail"]

    happened = time.time() - 2 * 3600  # the evening before, reported now
    await dm.accepted(recording(rg, "RG-2026-0042", occurred_at=happened))
    twice = await dm.command(recording(rg, "RG-2026-0043"))
    assert (
        twice.status_code == 409
        and "already in the responsible gambling register" in (twice.json()["detail"])
    )
    assert twice.json()["by"] == "dm1"
    recorded = (await dm.snapshot())["state"]["incidents"][str(rg)]
    assert recorded["register_entry"]["reference"] == "RG-2026-0042"
    assert recorded["register_entry"]["recorded_by"] == "dm1"
    logged = recorded["register_entry"]["recorded_at"]

    # the register, for duty managers and admins
    now = datetime.now(SYDNEY)
    today, yesterday = f"{now:%Y-%m-%d}", f"{now - timedelta(days=1):%Y-%m-%d}"
    answer = await dm.http.get("/v1/audit/register", params={"from": yesterday, "to": today})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    by_incident = {int(row["incident"]): row for row in rows}
    assert set(by_incident) == {rg, sm}
    line = by_incident[rg]
    assert line["register"] == "responsible gambling register"
    assert line["happened_at"] == local(happened)  # when it happened...
    assert line["opened_at"] == local(recorded["opened_at"])
    assert line["recorded_at"] == local(logged)  # ...and when it was logged in the register
    assert line["due_at"] == local(recorded["opened_at"] + 24 * 3600)
    assert (line["reference"], line["recorded_by"], line["status"]) == (
        "RG-2026-0042",
        "Dana K.",
        "recorded",
    )
    assert line["player"] == "VP-****-0093"
    assert by_incident[sm]["recorded_at"] == "" and by_incident[sm]["status"] == "due"
    assert (
        await host.http.get("/v1/audit/register", params={"from": today, "to": today})
    ).status_code == 403
    bad = await dm.http.get("/v1/audit/register", params={"from": "yesterday", "to": today})
    assert bad.status_code == 422 and "'yesterday' is not a date" in bad.json()["detail"]

    # the same register from the database, by the command line
    out = tmp_path / "registers.csv"
    code, said, err = await audit(
        "register", "--db", backend.db_url, "--from", yesterday, "--to", today, "--out", out
    )
    assert code == 0, err
    assert "wrote 2 register lines" in said
    assert out.read_text() == answer.text

    # recording is journaled like every command, the refusals too
    outcomes = [
        row["outcome"]
        for row in await journal_rows(backend.db_url)
        if row["command_type"] == "record_in_register"
    ]
    assert outcomes == ["forbidden", "illegal", "invalid", "accepted", "illegal"]
    for t in (pb, dm, host):
        await t.close()
