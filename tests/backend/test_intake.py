"""The intake API as other systems use it: a phone system, a chat widget, a slot system.

A real backend on a loopback port (in this process), real HTTP; the service
account made by an admin over HTTP, its key used as the other system would.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from backend.config import ServerConfig
from backend.servicecli import main as service_cli
from tests.backend.helpers import Terminal
from tests.backend.inprocess import FakeClock, RunningServer, serve_in_process

T0 = 1_780_000_000.0


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[RunningServer]:
    config = ServerConfig(
        db_url=f"sqlite:///{tmp_path / 'floor.db'}", demo=True, clock=FakeClock(T0)
    )
    async with serve_in_process(config) as running:
        yield running


async def new_account(server: RunningServer, account_id: str = "phone") -> str:
    admin = await Terminal.sign_in(server.url, "admin", "9000")
    made = await admin.http.post(
        "/v1/service-accounts", json={"id": account_id, "name": f"{account_id} system"}
    )
    assert made.status_code == 201, made.text
    key: str = made.json()["key"]
    return key


class System:
    """Another system posting webhooks with its key."""

    def __init__(self, server: RunningServer, key: str) -> None:
        self.http = httpx.AsyncClient(
            base_url=server.url, headers={"Authorization": f"Bearer {key}"}, timeout=20
        )

    async def post(self, path: str, body: dict[str, Any], key: str | None = None) -> httpx.Response:
        headers = {"Idempotency-Key": key or uuid.uuid4().hex}
        return await self.http.post(f"/v1/intake{path}", json=body, headers=headers)


def vip_call(summary: str = "caller asks for a late check-in") -> dict[str, Any]:
    """What a phone system sends once the caller's number matched a VIP card."""
    return {
        "kind": "travel",
        "channel": "phone",
        "player": {"reference": "VP-4410-2231"},
        "summary": summary,
    }


def counts(server: RunningServer) -> tuple[int, int]:
    state = server.backend.service.state
    return len(state.incidents), len(state.downtimes)


def machine_up(server: RunningServer) -> str:
    state = server.backend.service.state
    return next(
        a.id
        for a in sorted(state.assets.values(), key=lambda a: a.id)
        if a.kind == "machine" and state.open_downtime_of(a.id) is None
    )


async def test_a_webhook_replayed_five_times_opens_one_vip_incident(
    server: RunningServer,
) -> None:
    phone = System(server, await new_account(server))
    before, _ = counts(server)
    answers = [await phone.post("/incidents", vip_call(), key="call-7731") for _ in range(5)]
    assert [a.status_code for a in answers] == [201] * 5
    numbers = {a.json()["incident_id"] for a in answers}
    assert len(numbers) == 1
    assert [a.headers.get("Idempotent-Replayed") for a in answers] == [None] + ["true"] * 4
    assert counts(server)[0] == before + 1
    # the duty manager's terminal sees one VIP incident on the phone, by the phone system
    dm = await Terminal.sign_in(server.url, "dm1", "3001")
    [number] = numbers
    incident = (await dm.snapshot())["state"]["incidents"][str(number)]
    assert incident["player"]["tier"] == "vip" and incident["channel"] == "phone"
    assert incident["opened_by"] == "svc:phone"
    # journaled once, with the service account as actor
    admin = await Terminal.sign_in(server.url, "admin", "9000")
    trail = (await admin.http.get("/v1/audit")).json()
    opened = [e for e in trail if e["command_type"] == "open_incident" and e["seq"]]
    assert [e["staff_id"] for e in opened if e["staff_id"].startswith("svc:")] == ["svc:phone"]


async def test_the_same_key_with_another_body_is_refused_in_words(server: RunningServer) -> None:
    phone = System(server, await new_account(server))
    first = await phone.post("/incidents", vip_call(), key="call-1")
    assert first.status_code == 201
    before = counts(server)
    other = await phone.post("/incidents", vip_call("another caller"), key="call-1")
    assert other.status_code == 422
    assert "already used with a different request" in other.json()["detail"]
    assert counts(server) == before


async def test_bad_key_malformed_body_and_unknown_asset_make_nothing(
    server: RunningServer,
) -> None:
    key = await new_account(server)
    before = counts(server)
    forged = System(server, key[:-4] + "AAAA")
    assert (await forged.post("/incidents", vip_call())).status_code == 401
    nokey = httpx.AsyncClient(base_url=server.url)
    refused = await nokey.post(
        "/v1/intake/incidents", json=vip_call(), headers={"Idempotency-Key": "x"}
    )
    assert refused.status_code == 401

    phone = System(server, key)
    malformed = await phone.post("/incidents", {**vip_call(), "channel": "pigeon"})
    assert malformed.status_code == 422 and "channel" in malformed.json()["detail"]
    missing = await phone.post("/incidents", {"kind": "machine_fault", "channel": "phone"})
    assert missing.status_code == 422 and "player" in missing.json()["detail"]
    no_key = await phone.http.post("/v1/intake/incidents", json=vip_call())
    assert no_key.status_code == 422 and "Idempotency-Key" in no_key.json()["detail"]

    call = vip_call()
    blank = await phone.post("/incidents", {**call, "player": {**call["player"], "reference": " "}})
    assert blank.status_code == 422 and "reference" in blank.json()["detail"]
    beyond = await phone.post(f"/incidents/{2**63}/notes", {"text": "still there?"})
    assert beyond.status_code == 422 and "incident_id" in beyond.json()["detail"]

    unknown = await phone.post("/incidents", {**vip_call(), "asset_id": "SL-9999"})
    assert unknown.status_code == 404 and "SL-9999" in unknown.json()["detail"]
    down = await phone.post("/downtimes", {"asset_id": "XX-1", "reason": "fault"})
    assert down.status_code == 404
    assert counts(server) == before


async def test_a_revoked_key_is_refused_at_once(server: RunningServer) -> None:
    phone = System(server, await new_account(server))
    assert (await phone.post("/incidents", vip_call())).status_code == 201
    admin = await Terminal.sign_in(server.url, "admin", "9000")
    revoked = await admin.http.post("/v1/service-accounts/phone/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    before = counts(server)
    refused = await phone.post("/incidents", vip_call())
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    assert counts(server) == before
    again = await admin.http.post("/v1/service-accounts/phone/revoke")
    assert again.status_code == 409 and "already revoked" in again.json()["detail"]


async def test_a_slot_fault_with_a_player_opens_a_downtime_and_an_incident(
    server: RunningServer,
) -> None:
    slots = System(server, await new_account(server, "slots"))
    machine = machine_up(server)
    incidents, downtimes = counts(server)
    fault = {
        "asset_id": machine.lower(),
        "reason": "lost communication with the slot system",
        "player": {"reference": "VV-1002-7781"},
    }
    answers = [await slots.post("/downtimes", fault, key=f"{machine}-comms-1") for _ in range(3)]
    assert [a.status_code for a in answers] == [201] * 3
    assert len({(a.json()["incident_id"], a.json()["downtime_id"]) for a in answers}) == 1
    assert counts(server) == (incidents + 1, downtimes + 1)
    state = server.backend.service.state
    downtime = state.downtimes[answers[0].json()["downtime_id"]]
    incident = state.incidents[answers[0].json()["incident_id"]]
    assert downtime.asset_id == machine and downtime.incident_id == incident.id
    assert incident.location.spot == machine and incident.player.tier == "vvip"
    assert incident.kind == "machine_fault" and downtime.started_by == "svc:slots"

    # the machine is down now: another report of it is refused and makes nothing
    again = await slots.post("/downtimes", {**fault, "reason": "door open"})
    assert again.status_code == 409 and "already down" in again.json()["detail"]
    assert counts(server) == (incidents + 1, downtimes + 1)


async def test_a_fault_with_nobody_playing_opens_only_a_downtime(server: RunningServer) -> None:
    slots = System(server, await new_account(server, "slots"))
    machine = machine_up(server)
    incidents, downtimes = counts(server)
    answer = await slots.post("/downtimes", {"asset_id": machine, "reason": "bill validator jam"})
    assert answer.status_code == 201 and answer.json()["incident_id"] is None
    assert counts(server) == (incidents, downtimes + 1)


async def test_a_chat_widget_adds_notes_only_to_its_own_incidents(server: RunningServer) -> None:
    chat = System(server, await new_account(server, "chat"))
    opened = await chat.post(
        "/incidents",
        {
            "kind": "deposit_not_credited",
            "channel": "chat",
            "priority": "P2",
            "player": {"id_kind": "pseudonym", "reference": "lucky_owl"},
            "summary": "deposit of 0.2 BTC not credited",
        },
    )
    number = opened.json()["incident_id"]
    for _ in range(2):
        noted = await chat.post(
            f"/incidents/{number}/notes", {"text": "player sent the tx hash"}, key="msg-2"
        )
        assert noted.status_code == 201
    notes = [
        e for e in server.backend.service.state.incidents[number].timeline if e.kind == "note_added"
    ]
    assert [n.text for n in notes] == ["player sent the tx hash"]
    # an incident the widget did not open is not there for it
    other = next(i for i in server.backend.service.state.incidents if i != number)
    refused = await chat.post(f"/incidents/{other}/notes", {"text": "hello"})
    assert refused.status_code == 404
    # accepted and refused alike are on the audit trail with the widget as actor
    admin = await Terminal.sign_in(server.url, "admin", "9000")
    trail = [e for e in (await admin.http.get("/v1/audit")).json() if e["staff_id"] == "svc:chat"]
    assert sorted((e["command_type"], e["result"]) for e in trail) == [
        ("add_note", "accepted"),
        ("add_note", "not_found"),
        ("open_incident", "accepted"),
    ]
    assert {e["terminal"] for e in trail} == {"intake: chat system"}


async def test_a_service_key_is_no_staff_session(server: RunningServer) -> None:
    key = await new_account(server)
    http = httpx.AsyncClient(base_url=server.url, headers={"Authorization": f"Bearer {key}"})
    assert (await http.get("/v1/snapshot")).status_code == 401


async def test_only_admins_manage_service_accounts_and_the_key_is_shown_once(
    server: RunningServer,
) -> None:
    key = await new_account(server)
    dm = await Terminal.sign_in(server.url, "dm1", "3001")
    assert (await dm.http.get("/v1/service-accounts")).status_code == 403
    assert (await dm.http.post("/v1/service-accounts", json={"id": "x"})).status_code == 403
    admin = await Terminal.sign_in(server.url, "admin", "9000")
    listed = await admin.http.get("/v1/service-accounts")
    assert [a["id"] for a in listed.json()] == ["phone"]
    assert key not in listed.text and key.split("_", 2)[2] not in listed.text
    taken = await admin.http.post("/v1/service-accounts", json={"id": "phone"})
    assert taken.status_code == 409 and "already exists" in taken.json()["detail"]
    bad = await admin.http.post("/v1/service-accounts", json={"id": "Phone System"})
    assert bad.status_code == 422 and "lower-case" in bad.json()["detail"]


def test_the_console_makes_lists_and_revokes_accounts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'floor.db'}"
    assert service_cli(["add", "slots", "--name", "Slot system", "--db", db]) == 0
    made = capsys.readouterr().out
    key = next(word for word in made.split() if word.startswith("fl_"))
    assert service_cli(["list", "--db", db]) == 0
    listed = capsys.readouterr().out
    assert "slots" in listed and "Slot system" in listed and "active" in listed
    assert key not in listed
    assert service_cli(["revoke", "slots", "--db", db]) == 0
    assert "revoked" in capsys.readouterr().out
    assert service_cli(["list", "--db", db]) == 0
    assert "revoked" in capsys.readouterr().out
    assert service_cli(["revoke", "nobody", "--db", db]) == 1
    assert "no service account 'nobody'" in capsys.readouterr().err


async def test_replays_sent_at_once_open_one_incident(server: RunningServer) -> None:
    phone = System(server, await new_account(server))
    before, _ = counts(server)
    answers = await asyncio.gather(
        *(phone.post("/incidents", vip_call(), key="call-burst") for _ in range(5))
    )
    assert [a.status_code for a in answers] == [201] * 5
    assert len({a.json()["incident_id"] for a in answers}) == 1
    assert counts(server)[0] == before + 1


@pytest.mark.postgres
async def test_on_postgres_each_process_answers_a_replay_and_refuses_a_revoked_key(
    pg_url: str,
) -> None:
    first = ServerConfig(db_url=pg_url, demo=True, clock=FakeClock(T0))
    second = ServerConfig(db_url=pg_url, clock=FakeClock(T0))
    async with serve_in_process(first) as a, serve_in_process(second) as b:
        key = await new_account(a)
        on_a, on_b = System(a, key), System(b, key)
        made = await on_a.post("/incidents", vip_call(), key="call-pg-1")
        replayed = await on_b.post("/incidents", vip_call(), key="call-pg-1")
        assert made.status_code == replayed.status_code == 201
        assert replayed.json()["incident_id"] == made.json()["incident_id"]
        assert replayed.headers["Idempotent-Replayed"] == "true"
        admin = await Terminal.sign_in(a.url, "admin", "9000")
        assert (await admin.http.post("/v1/service-accounts/phone/revoke")).status_code == 200
        refused = await on_b.post("/incidents", vip_call(), key="call-pg-2")
        assert refused.status_code == 401
