"""Least privilege on the wire: every command type x every role, privacy, pit scope, tokens.

The expected answers are written out here, not derived from
`domain.permissions`, so a change to who may do what shows up as a failure
to be looked at, not as a silently updated expectation.
"""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from domain.commands import COMMAND_TYPES
from domain.protocol import CLOSE_UNAUTHORISED
from tests.backend.helpers import Terminal
from tests.conftest import BackendFactory, BackendProcess
from tests.reliability.conftest import Figure
from tests.reliability.floor_setup import FloorSetup, envelope

OK, FORBIDDEN, HIDDEN = 200, 403, 404
ROLES = ("host", "pit_boss", "duty_manager", "admin")
ACTOR = {"host": "h1", "pit_boss": "pb1", "duty_manager": "dm2", "admin": "admin"}

# the command on something each role may see: pit 1, a player of host h1
IN_VIEW: dict[str, tuple[int, int, int, int]] = {
    #                      host       pit_boss   duty_mgr admin
    "open_incident": (OK, OK, OK, OK),
    "acknowledge": (OK, OK, OK, OK),
    "take": (OK, OK, OK, OK),
    "assign": (FORBIDDEN, OK, OK, OK),
    "add_note": (OK, OK, OK, OK),
    "set_priority": (FORBIDDEN, OK, OK, OK),
    "escalate": (OK, OK, OK, OK),
    "auto_escalate": (FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),  # the scheduler's only
    "lapse_eta": (FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "page_after_lapse": (FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "stabilise": (OK, OK, OK, OK),
    "resolve": (OK, OK, OK, OK),
    "reopen": (FORBIDDEN, OK, OK, OK),
    "close": (FORBIDDEN, OK, OK, OK),
    "record_compensation": (OK, FORBIDDEN, OK, OK),
    "record_in_register": (FORBIDDEN, FORBIDDEN, OK, OK),
    "record_help_offer": (OK, OK, OK, OK),
    "set_player_flag": (OK, FORBIDDEN, OK, OK),  # a host on their own player
    "clear_player_flag": (FORBIDDEN, FORBIDDEN, OK, OK),
    "page_contact": (OK, OK, OK, OK),
    "file_report": (FORBIDDEN, OK, OK, OK),
    "start_downtime": (FORBIDDEN, OK, OK, OK),
    "move_player": (FORBIDDEN, OK, OK, OK),
    "end_downtime": (FORBIDDEN, OK, OK, OK),
    "set_cover": (FORBIDDEN, FORBIDDEN, OK, OK),
    "end_cover": (FORBIDDEN, FORBIDDEN, OK, OK),
    "confirm_contact": (FORBIDDEN, FORBIDDEN, OK, OK),
    "open_handover": (FORBIDDEN, FORBIDDEN, OK, OK),
    "acknowledge_handover": (FORBIDDEN, FORBIDDEN, OK, OK),  # one dm1 opened
}

# the same, on pit 2 and a player of host h2: outside a host's and a pit boss's view
OUT_OF_VIEW: dict[str, tuple[int, int]] = {
    #                      host       pit_boss
    "open_incident": (OK, FORBIDDEN),  # hosts are not pit-bound; pit bosses are
    "acknowledge": (HIDDEN, HIDDEN),
    "take": (HIDDEN, HIDDEN),
    "assign": (FORBIDDEN, HIDDEN),
    "add_note": (HIDDEN, HIDDEN),
    "set_priority": (FORBIDDEN, HIDDEN),
    "escalate": (HIDDEN, HIDDEN),
    "auto_escalate": (FORBIDDEN, FORBIDDEN),
    "lapse_eta": (FORBIDDEN, FORBIDDEN),
    "page_after_lapse": (FORBIDDEN, FORBIDDEN),
    "stabilise": (HIDDEN, HIDDEN),
    "resolve": (HIDDEN, HIDDEN),
    "reopen": (FORBIDDEN, HIDDEN),
    "close": (FORBIDDEN, HIDDEN),
    "record_compensation": (HIDDEN, FORBIDDEN),
    "record_in_register": (FORBIDDEN, FORBIDDEN),
    "record_help_offer": (HIDDEN, HIDDEN),
    "set_player_flag": (FORBIDDEN, FORBIDDEN),  # another host's player
    "clear_player_flag": (FORBIDDEN, FORBIDDEN),
    "page_contact": (HIDDEN, HIDDEN),
    "file_report": (FORBIDDEN, HIDDEN),
    "start_downtime": (FORBIDDEN, FORBIDDEN),
    "move_player": (FORBIDDEN, FORBIDDEN),
    "end_downtime": (FORBIDDEN, FORBIDDEN),
    # covers and contacts are the whole floor's: no pit, no player
    "set_cover": (FORBIDDEN, FORBIDDEN),
    "end_cover": (FORBIDDEN, FORBIDDEN),
    "confirm_contact": (FORBIDDEN, FORBIDDEN),
    # the handover is between duty managers
    "open_handover": (FORBIDDEN, FORBIDDEN),
    "acknowledge_handover": (FORBIDDEN, FORBIDDEN),
}


async def sign_in_all(server: BackendProcess, staff: list[str]) -> dict[str, Terminal]:
    terminals = await asyncio.gather(
        *(Terminal.sign_in(server.url, s, server.pins[s]) for s in staff)
    )
    return dict(zip(staff, terminals, strict=True))


async def close_all(terminals: dict[str, Terminal]) -> None:
    for t in terminals.values():
        await t.close()


def test_the_tables_cover_every_command_type() -> None:
    assert set(IN_VIEW) == set(COMMAND_TYPES) == set(OUT_OF_VIEW)


@pytest.mark.slow
async def test_every_command_type_for_every_role(backend: BackendProcess, figure: Figure) -> None:
    terminals = await sign_in_all(backend, ["dm1", *ACTOR.values()])
    setup = await FloorSetup.create(terminals["dm1"])
    wrong: list[str] = []
    checked = 0
    for kind in COMMAND_TYPES:
        for role, expected in zip(ROLES, IN_VIEW[kind], strict=True):
            command = await setup.command_for(kind, pit="1", host="h1")
            answer = await terminals[ACTOR[role]].command(envelope(command))
            checked += 1
            if answer.status_code != expected:
                wrong.append(f"{kind} by {role}: {answer.status_code} {answer.text[:120]}")
        for role, expected in zip(("host", "pit_boss"), OUT_OF_VIEW[kind], strict=True):
            command = await setup.command_for(kind, pit="2", host="h2")
            answer = await terminals[ACTOR[role]].command(envelope(command))
            checked += 1
            if answer.status_code != expected:
                wrong.append(f"{kind} by {role}, out of view: {answer.status_code} {answer.text}")
            if expected == HIDDEN:
                # "not found" must not tell the incident exists: same words as a made-up number
                assert "#" in answer.json()["detail"] and "current" not in answer.json()
    figure("role x command cells checked", checked)
    assert wrong == []
    await close_all(terminals)


async def raw_feed(server: BackendProcess, token: str, after: int, until_seq: int) -> bytes:
    """Every byte of every frame the live feed sends this token up to `until_seq`."""
    url = server.url.replace("http", "ws", 1) + f"/v1/live?after={after}"
    seen = b""
    async with connect(url, additional_headers={"Authorization": f"Bearer {token}"}) as ws:
        last = after
        while last < until_seq:
            message = await asyncio.wait_for(ws.recv(decode=False), 10)
            seen += message
            frame = json.loads(message)
            if frame["type"] == "events" and frame["events"]:
                last = frame["events"][-1]["seq"]
    return seen


async def test_a_host_cannot_read_another_hosts_players(
    backend: BackendProcess, figure: Figure
) -> None:
    terminals = await sign_in_all(backend, ["dm1", "h1", "h2"])
    dm, h1 = terminals["dm1"], terminals["h1"]
    setup = await FloorSetup.create(dm)
    start = (await h1.snapshot())["seq"]
    secret_ref = "VV-9313-7770"
    secret_note = "prefers table 7, wife must not know"
    opened = await setup.run(
        {
            "type": "open_incident",
            "kind": "billing_error",
            "priority": "P2",
            "channel": "phone",
            "player": {"reference": secret_ref, "tier": "vvip", "host_id": "h2"},
            "location": {"pit": "2", "spot": "BAC-01"},
            "summary": "comp charged twice",
        }
    )
    theirs = int(opened["incident_id"])
    noted = await setup.run({"type": "add_note", "incident_id": theirs, "text": secret_note})
    head = int(noted["seq"])

    snapshot = await h1.http.get("/v1/snapshot")
    page = await h1.http.get("/v1/events", params={"after": start})
    feed = await raw_feed(backend, h1.token, start, head)
    leaks = {
        name: body
        for name, body in (
            ("snapshot", snapshot.content),
            ("events page", page.content),
            ("live feed", feed),
        )
        if secret_ref.encode() in body or secret_note.encode() in body
    }
    assert str(theirs) not in snapshot.json()["state"]["incidents"]
    assert {e["type"] for e in page.json()["events"]} == {"hidden"}
    assert not leaks, f"h2's player leaked to h1 through {sorted(leaks)}"
    # and h2 does see it: the secret exists, it is just not h1's
    assert str(theirs) in (await terminals["h2"].snapshot())["state"]["incidents"]
    figure("channels checked for another host's player", 3)
    await close_all(terminals)


async def pit_scope_answers(server: BackendProcess) -> dict[str, int]:
    terminals = await sign_in_all(server, ["dm1", "pb1"])
    setup = await FloorSetup.create(terminals["dm1"])
    pb1 = terminals["pb1"]
    answers: dict[str, int] = {}
    for kind in ("open_incident", "acknowledge", "add_note", "start_downtime", "end_downtime"):
        command = await setup.command_for(kind, pit="2", host="h2")
        answers[kind] = (await pb1.command(envelope(command))).status_code
    snapshot = await pb1.snapshot()
    pits = {i["location"]["pit"] for i in snapshot["state"]["incidents"].values()}
    answers["sees pit 2"] = OK if "2" in pits else HIDDEN
    await close_all(terminals)
    return answers


async def test_a_pit_boss_stays_in_their_pit_unless_the_policy_says_floor_wide(
    backend_factory: BackendFactory, figure: Figure
) -> None:
    pit_bound, floor_wide = await asyncio.gather(
        asyncio.to_thread(backend_factory),
        asyncio.to_thread(backend_factory, policy_toml="pit_boss_floor_wide = true\n"),
    )
    bound = await pit_scope_answers(pit_bound)
    assert bound == {
        "open_incident": FORBIDDEN,
        "acknowledge": HIDDEN,
        "add_note": HIDDEN,
        "start_downtime": FORBIDDEN,
        "end_downtime": FORBIDDEN,
        "sees pit 2": HIDDEN,
    }
    wide = await pit_scope_answers(floor_wide)
    assert set(wide.values()) == {OK}, wide
    figure("pit-scope checks (both policies)", len(bound) + len(wide))


async def live_close_code(server: BackendProcess, headers: dict[str, str], query: str = "") -> int:
    url = server.url.replace("http", "ws", 1) + "/v1/live?after=0" + query
    async with connect(url, additional_headers=headers) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
                assert frame["type"] != "hello", "a bad token was let onto the live feed"
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


async def test_expired_and_forged_tokens_are_refused_on_http_and_websocket(
    backend_factory: BackendFactory, figure: Figure
) -> None:
    server = backend_factory(token_ttl=1.5)
    revoked = await Terminal.sign_in(server.url, "dm2", server.pins["dm2"])
    assert (await revoked.http.delete("/v1/session")).status_code == 204
    expiring = await Terminal.sign_in(server.url, "admin", server.pins["admin"])
    await asyncio.sleep(1.6)
    real = await Terminal.sign_in(server.url, "dm1", server.pins["dm1"])  # to forge from
    flipped = real.token[:-1] + ("A" if real.token[-1] != "A" else "B")
    bad: dict[str, dict[str, str]] = {
        "expired": {"Authorization": f"Bearer {expiring.token}"},
        "signed out": {"Authorization": f"Bearer {revoked.token}"},
        "one character changed": {"Authorization": f"Bearer {flipped}"},
        "made up": {"Authorization": "Bearer " + "x" * 43},
        "scheme only": {"Authorization": "Bearer"},
        "wrong scheme": {"Authorization": f"Basic {real.token}"},
        "no header": {},
        "staff ID as token": {"Authorization": "Bearer dm1"},
    }
    checked = 0
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        for name, headers in bad.items():
            for method, path, body in (
                ("GET", "/v1/snapshot", None),
                ("GET", "/v1/events?after=0", None),
                (
                    "POST",
                    "/v1/commands",
                    envelope({"type": "add_note", "incident_id": 1, "text": "x"}),
                ),
                ("GET", "/v1/audit", None),
            ):
                answer = await http.request(method, path, headers=headers, json=body)
                checked += 1
                assert answer.status_code == 401, (name, path, answer.status_code)
                assert answer.headers.get("www-authenticate") == "Bearer"
            assert await live_close_code(server, headers) == CLOSE_UNAUTHORISED, name
            checked += 1
    # a token in the URL is refused even when it is a good one (URLs end up in logs)
    assert await live_close_code(server, {}, f"&token={real.token}") == CLOSE_UNAUTHORISED
    # and signing in still works: the refusals locked nobody out
    again = await Terminal.sign_in(server.url, "dm1", server.pins["dm1"])
    assert (await again.http.get("/v1/snapshot")).status_code == OK
    await again.close()
    figure("bad-token requests refused (HTTP + websocket)", checked + 1)
    for t in (real, revoked, expiring):
        await t.close()
