"""The command path: effectively-once commands, bad input answered 4xx, fast outbox drain."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

import pytest

from domain.protocol import MAX_BODY_BYTES
from tests.backend.helpers import Terminal, command_id, note, open_p1
from tests.conftest import BackendProcess, launch_backend


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackendProcess]:
    """One server for the tests that only add their own incidents and notes."""
    server = launch_backend(tmp_path_factory.mktemp("commands"))
    yield server
    server.stop()


async def test_the_same_command_twice_has_one_effect_and_one_answer(
    backend: BackendProcess,
) -> None:
    dm = await Terminal.sign_in(backend.url, "dm1", backend.pins["dm1"])
    head = (await dm.snapshot())["seq"]
    envelope = note(1, "player asked for an update")
    first = await dm.command(envelope)
    second = await dm.command(envelope)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert first.json()["seq"] == head + 1
    page = await dm.events(after=head)
    assert [e["command_id"] for e in page["events"]] == [envelope["command_id"]]
    assert page["head"] == head + 1
    # a rejected command re-sent gets the same rejection, and the audit has it once
    bad = {"command_id": command_id(), "command": {"type": "close", "incident_id": 424242}}
    assert (await dm.command(bad)).json() == (await dm.command(bad)).json()
    admin = await Terminal.sign_in(backend.url, "admin", backend.pins["admin"])
    audit = (await admin.http.get("/v1/audit", params={"limit": 10})).json()
    mine = [
        row for row in audit if row["command_id"] in (envelope["command_id"], bad["command_id"])
    ]
    assert sorted(row["result"] for row in mine) == ["accepted", "not_found"]
    assert all(row["staff_id"] == "dm1" and row["terminal"] == "t-dm1" for row in mine)
    for t in (dm, admin):
        await t.close()


async def test_a_new_incident_gets_the_servers_number(shared: BackendProcess) -> None:
    pb = await Terminal.sign_in(shared.url, "pb1", shared.pins["pb1"])
    before = await pb.snapshot()
    result = await pb.accepted(open_p1(pit="1"))
    after = await pb.snapshot()
    number = result["incident_id"]
    assert number not in {int(k) for k in before["state"]["incidents"]}
    incident = after["state"]["incidents"][str(number)]
    assert incident["opened_by"] == "pb1" and incident["priority"] == "P1"
    await pb.close()


async def test_a_card_number_or_pin_sent_unmasked_is_masked_and_escalates_on_the_server(
    shared: BackendProcess,
) -> None:
    """An intake or an older terminal may send free text as typed: the server masks it."""
    pb = await Terminal.sign_in(shared.url, "pb1", shared.pins["pb1"])
    envelope = open_p1(pit="1", spot="4111 1111 1111 1111")
    envelope["command"].update(
        priority="P3",
        kind="bonus_question",
        summary="the PIN he gave is 4821",
        help_offer="offered",
        help_note="4821 is his PIN",
    )
    head = (await pb.snapshot())["seq"]
    number = (await pb.accepted(envelope))["incident_id"]
    incident = (await pb.snapshot())["state"]["incidents"][str(number)]
    assert incident["location"]["spot"] == "****-1111"
    assert incident["summary"] == "the PIN he gave is ****"
    assert incident["line"] == 2  # card exposure: escalated at once
    feed = json.dumps((await pb.events(after=head))["events"])
    assert "4111 1111" not in feed and "4821" not in feed
    await pb.close()


@pytest.mark.parametrize(
    ("name", "body", "status", "says"),
    [
        ("malformed JSON", b'{"command_id": "abcdefgh", ', 422, "not valid JSON"),
        ("not an object", b"[1, 2]", 422, "JSON object"),
        (
            "unknown field",
            {
                "command_id": "abcdefgh1",
                "command": {"type": "add_note", "incident_id": 1, "text": "x"},
                "urgent": True,
            },
            422,
            "unknown field 'urgent'",
        ),
        (
            "wrong type",
            {
                "command_id": "abcdefgh2",
                "command": {"type": "add_note", "incident_id": "one", "text": "x"},
            },
            422,
            "incident_id",
        ),
        (
            "unknown command",
            {"command_id": "abcdefgh3", "command": {"type": "explode"}},
            422,
            "type",
        ),
        (
            "short command id",
            {"command_id": "x", "command": {"type": "close", "incident_id": 1}},
            422,
            "command_id",
        ),
        (
            "oversized body",
            {
                "command_id": "abcdefgh4",
                "command": {
                    "type": "add_note",
                    "incident_id": 1,
                    "text": "x" * (MAX_BODY_BYTES + 1),
                },
            },
            413,
            "larger than",
        ),
        (
            "unknown incident",
            {"command_id": "abcdefgh5", "command": {"type": "acknowledge", "incident_id": 987654}},
            404,
            "no incident #987654",
        ),
    ],
)
async def test_bad_input_gets_a_readable_4xx(
    shared: BackendProcess, name: str, body: object, status: int, says: str
) -> None:
    dm = await Terminal.sign_in(shared.url, "dm1", shared.pins["dm1"])
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = await dm.http.post(
        "/v1/commands", content=content, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == status, (name, response.text)
    problem = response.json()
    assert says in problem["detail"], (name, problem)
    # nothing was half-written: the log did not move
    assert (await dm.http.get("/v1/events", params={"after": (await dm.snapshot())["seq"]})).json()[
        "events"
    ] == []
    await dm.close()


async def test_an_illegal_transition_is_409_with_the_current_incident(
    shared: BackendProcess,
) -> None:
    pb = await Terminal.sign_in(shared.url, "pb1", shared.pins["pb1"])
    number = (await pb.accepted(open_p1(pit="1")))["incident_id"]
    response = await pb.command(
        {"command_id": command_id(), "command": {"type": "close", "incident_id": number}}
    )
    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "illegal"
    assert "cannot close" in problem["detail"]
    assert problem["current"]["id"] == number and problem["current"]["state"] == "new"
    assert problem["by"] == "pb1" and problem["at"] > 0
    # and a version someone else moved on is a conflict with who changed it
    dm = await Terminal.sign_in(shared.url, "dm1", shared.pins["dm1"])
    await dm.accepted(
        {"command_id": command_id(), "command": {"type": "take", "incident_id": number}}
    )
    stale = await pb.command(
        {
            "command_id": command_id(),
            "command": {"type": "resolve", "incident_id": number, "expected_version": 1},
        }
    )
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    assert stale.json()["current"]["owner"] == "dm1" and stale.json()["by"] == "dm1"
    await dm.close()
    await pb.close()


async def test_a_thousand_queued_commands_drain_well_within_three_seconds(
    backend: BackendProcess,
) -> None:
    dm = await Terminal.sign_in(backend.url, "dm1", backend.pins["dm1"])
    head = (await dm.snapshot())["seq"]
    batches = [[note(1 + (i % 5), f"note {n}-{i}") for i in range(200)] for n in range(5)]
    started = time.perf_counter()
    for batch in batches:
        response = await dm.http.post("/v1/commands/batch", json={"commands": batch})
        assert response.status_code == 200
        assert all(r["status"] == "accepted" for r in response.json()["results"])
    elapsed = time.perf_counter() - started
    assert elapsed < 3.0, f"1,000 commands took {elapsed:.2f} s"
    assert (await dm.snapshot())["seq"] == head + 1000
    await dm.close()


async def test_a_batch_answers_200_with_a_result_per_command_in_order(
    shared: BackendProcess,
) -> None:
    dm = await Terminal.sign_in(shared.url, "dm1", shared.pins["dm1"])
    good = note(1)
    bad = {"command_id": command_id(), "command": {"type": "close", "incident_id": 999999}}
    response = await dm.http.post("/v1/commands/batch", json={"commands": [good, bad, good]})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["accepted", "rejected", "accepted"]
    assert results[0] == results[2]  # the repeat within a batch is the same answer
    assert results[1]["error"]["code"] == "not_found"
    await dm.close()


async def test_every_operation_with_a_body_documents_and_answers_413(
    shared: BackendProcess,
) -> None:
    """The size limit stands before every route: a client generator or a fuzzer reading
    the API description must find the 413 it will meet on each of them."""
    dm = await Terminal.sign_in(shared.url, "dm1", shared.pins["dm1"])
    schema = (await dm.http.get("/openapi.json")).json()
    taking_a_body = [
        (method, path, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if "requestBody" in operation
    ]
    assert len(taking_a_body) >= 7
    oversized = json.dumps({"text": "x" * (MAX_BODY_BYTES + 1)}).encode()
    for method, path, operation in taking_a_body:
        assert "413" in operation["responses"], (method, path)
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        response = await dm.http.request(
            method.upper(),
            concrete,
            content=oversized,
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 413, (method, path, response.text)
        assert response.json()["code"] == "too_large"
    await dm.close()
