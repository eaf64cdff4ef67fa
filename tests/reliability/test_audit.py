"""The audit trail keeps every command the server decided, refused ones too.

Who, from which terminal, when, and what came of it, readable by an admin
only through GET /v1/audit.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx

from tests.backend.helpers import Terminal
from tests.conftest import BackendProcess
from tests.reliability.conftest import Figure


async def test_rejected_commands_are_audited_with_who_where_when(
    backend: BackendProcess, figure: Figure
) -> None:
    host = await Terminal.sign_in(backend.url, "h1", backend.pins["h1"])
    pb = await Terminal.sign_in(backend.url, "pb1", backend.pins["pb1"])
    admin = await Terminal.sign_in(backend.url, "admin", backend.pins["admin"])
    mine = min(
        int(k)
        for k, i in (await host.snapshot())["state"]["incidents"].items()
        if i["player"].get("host_id") == "h1"
    )
    before = time.time()
    issued = before - 30  # the terminal's own (corrected) clock, kept apart from `at`
    tries: dict[str, tuple[Terminal, dict[str, Any], int | None]] = {
        "forbidden": (host, {"type": "assign", "incident_id": mine, "owner": "h1"}, 403),
        "not_found": (host, {"type": "acknowledge", "incident_id": 999_999}, 404),
        "invalid": (
            host,
            {"type": "page_contact", "incident_id": mine, "staff_id": "h1", "method": "owl"},
            422,
        ),
        # the demo's h1 incident is outside pit 1 or already past L2: refused either way
        "escalate back to L2": (pb, {"type": "escalate", "incident_id": mine, "line": 2}, None),
        "system only": (pb, {"type": "auto_escalate", "incident_id": mine, "line": 3}, 403),
        "accepted": (host, {"type": "add_note", "incident_id": mine, "text": "checked"}, 200),
    }
    sent: dict[str, tuple[str, str, str]] = {}
    for name, (terminal, command, status) in tries.items():
        command_id = f"audit-{name.replace(' ', '-')}-{uuid.uuid4().hex[:8]}"
        answer = await terminal.http.post(
            "/v1/commands",
            json={"command_id": command_id, "issued_at": issued, "command": command},
            headers={"X-Floorline-Terminal": f"floor-{terminal.staff_id}"},
        )
        if status is not None:
            assert answer.status_code == status, (name, answer.text)
        sent[command_id] = (name, terminal.staff_id, command["type"])
    after = time.time()

    trail = await admin.http.get("/v1/audit", params={"limit": 100})
    assert trail.status_code == 200
    rows = {row["command_id"]: row for row in trail.json() if row["command_id"] in sent}
    assert set(rows) == set(sent), "a command is missing from the audit trail"
    for command_id, (name, staff_id, command_type) in sent.items():
        row = rows[command_id]
        assert row["staff_id"] == staff_id and row["terminal"] == f"floor-{staff_id}", row
        assert row["command_type"] == command_type
        assert before - 1 <= row["at"] <= after + 1 and row["issued_at"] == issued
        if name == "accepted":
            assert row["result"] == "accepted" and row["seq"] > 0
        else:
            assert row["result"] != "accepted" and row["message"], row
    assert rows[next(k for k, v in sent.items() if v[0] == "forbidden")]["result"] == "forbidden"
    refused = sum(1 for r in rows.values() if r["result"] != "accepted")

    # the trail is for admins only
    for terminal in (host, pb):
        assert (await terminal.http.get("/v1/audit")).status_code == 403
    async with httpx.AsyncClient(base_url=backend.url) as anonymous:
        assert (await anonymous.get("/v1/audit")).status_code == 401
    figure("commands audited (refused included)", len(rows))
    figure("refused commands found in the trail", refused)
    for t in (host, pb, admin):
        await t.close()
