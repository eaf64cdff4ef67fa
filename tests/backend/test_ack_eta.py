"""Acknowledging with an ETA, its lapse, and escalating by hand to a chosen line.

A real backend in the test's loop with a clock the test moves; the scheduler
is ticked at the moments that matter, and each step is waited for on the live
feed as a terminal hears it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from backend.config import ServerConfig
from domain.policy import Policy
from tests.backend.helpers import Terminal, command_id, open_p1
from tests.backend.inprocess import FakeClock, serve_in_process

GRACE = 60.0  # a fast policy: the next line is paged a minute after a lapse


def ack(incident_id: int, eta: int | None = None) -> dict[str, Any]:
    command: dict[str, Any] = {"type": "acknowledge", "incident_id": incident_id}
    if eta is not None:
        command["eta_minutes"] = eta
    return {"command_id": command_id(), "command": command}


def on(incident_id: int, kind: str, **fields: Any) -> dict[str, Any]:
    return {
        "command_id": command_id(),
        "command": {"type": kind, "incident_id": incident_id, **fields},
    }


def config(tmp_path: Path, clock: FakeClock, **policy: Any) -> ServerConfig:
    return ServerConfig(
        db_url=f"sqlite:///{tmp_path / 'floor.db'}",
        demo=True,
        clock=clock,
        policy=Policy(**policy),
    )


def of(events: list[dict[str, Any]], incident_id: int, kind: str) -> list[dict[str, Any]]:
    return [e for e in events if e["incident_id"] == incident_id and e["type"] == kind]


async def test_a_lapsed_eta_re_alerts_the_owner_then_pages_the_next_line(tmp_path: Path) -> None:
    clock = FakeClock(time.time())
    async with serve_in_process(config(tmp_path, clock, eta_grace=GRACE)) as server:
        pb = await Terminal.sign_in(server.url, "pb2", "1002")
        start = (await pb.snapshot())["seq"]
        tick = server.backend.scheduler.tick
        async with pb.live(after=start) as feed:
            number = (await pb.accepted(open_p1(pit="2")))["incident_id"]
            acked_at = clock.advance(30)
            await pb.accepted(ack(number, eta=2))
            await feed.wait_for(lambda e: e["type"] == "acknowledged")

            await tick(acked_at + 119)  # a second before the ETA: nothing yet
            await tick(acked_at + 120)
            lapsed = await feed.wait_for(lambda e: e["type"] == "eta_lapsed")
            assert lapsed["incident_id"] == number and lapsed["at"] == acked_at + 120
            assert lapsed["data"] == {"due": acked_at + 120, "page_at": acked_at + 120 + GRACE}

            await tick(acked_at + 120 + GRACE - 1)  # still within the grace
            await tick(acked_at + 120 + GRACE)
            paged = await feed.wait_for(lambda e: e["type"] == "escalated")
            # before the ladder's own L2 at T0 + 10 min: the lapse paged it
            assert paged["at"] == acked_at + 120 + GRACE < acked_at - 30 + 600
            assert paged["data"]["line"] == 2 and paged["data"]["auto"] is True
            assert "ETA lapsed" in paged["data"]["reason"]
            # whichever duty manager is on shift now is paged on L2
            assert paged["data"]["paged"] and set(paged["data"]["paged"]) <= {"dm1", "dm2"}

        await tick(acked_at + 3 * 3600)  # a lapse pages one line, once; the ladder goes on
        events = (await pb.events(start))["events"]
        assert len(of(events, number, "eta_lapsed")) == 1
        reasons = [e["data"]["reason"] for e in of(events, number, "escalated")]
        assert len(reasons) == 3 and "ETA lapsed" in reasons[0]
        incident = (await pb.snapshot())["state"]["incidents"][str(number)]
        assert incident["line"] == 4 and incident["owner"] == "pb2"
        timeline = [entry["text"] for entry in incident["timeline"]]
        assert "acknowledged and taken: on it in 2 min" in timeline
        assert "ETA lapsed: not stabilised or updated by then" in timeline
        await pb.close()


async def test_an_update_or_a_stabilise_before_the_eta_keeps_it_quiet(tmp_path: Path) -> None:
    clock = FakeClock(time.time())
    async with serve_in_process(config(tmp_path, clock, eta_grace=GRACE)) as server:
        pb = await Terminal.sign_in(server.url, "pb2", "1002")
        start = (await pb.snapshot())["seq"]
        updated = (await pb.accepted(open_p1(pit="2", spot="BJ-07")))["incident_id"]
        stable = (await pb.accepted(open_p1(pit="2", spot="BJ-08")))["incident_id"]
        acked_at = clock()
        await pb.accepted(ack(updated, eta=5))
        await pb.accepted(ack(stable, eta=5))
        clock.advance(120)
        await pb.accepted(on(updated, "add_note", text="told the player: 3 more minutes"))
        await pb.accepted(on(stable, "stabilise", note="surveillance review started"))
        await server.backend.scheduler.tick(acked_at + 5 * 60 + GRACE + 1)
        events = (await pb.events(start))["events"]
        for number in (updated, stable):
            assert of(events, number, "eta_lapsed") == []
        # the P1 that was only updated still climbs the ladder by time from T0
        assert [e["data"]["line"] for e in of(events, updated, "escalated")] == []
        await server.backend.scheduler.tick(acked_at + 600)
        events = (await pb.events(start))["events"]
        assert [e["data"]["line"] for e in of(events, updated, "escalated")] == [2]
        assert of(events, stable, "escalated") == []
        await pb.close()


async def test_an_eta_of_0_or_over_24_h_is_refused_with_the_range(tmp_path: Path) -> None:
    clock = FakeClock(time.time())
    async with serve_in_process(config(tmp_path, clock)) as server:
        pb = await Terminal.sign_in(server.url, "pb2", "1002")
        number = (await pb.accepted(open_p1(pit="2")))["incident_id"]
        before = (await pb.snapshot())["seq"]
        for minutes in (0, 1441, -5):
            response = await pb.command(ack(number, eta=minutes))
            assert response.status_code == 422, response.text
            body = response.json()
            assert body["code"] == "invalid"
            assert body["detail"] == (
                f"an ETA of {minutes} min is out of range: from 1 min to 24 h (1440 min)"
            )
        assert (await pb.snapshot())["seq"] == before  # none of them changed anything
        incident = (await pb.snapshot())["state"]["incidents"][str(number)]
        assert incident["state"] == "new" and incident["answers"] is None
        await pb.accepted(ack(number, eta=1440))  # the day itself is allowed
        incident = (await pb.snapshot())["state"]["incidents"][str(number)]
        assert incident["answers"]["eta_due"] == clock() + 1440 * 60
        await pb.close()


async def test_escalating_by_hand_to_a_chosen_line_on_both_chains(tmp_path: Path) -> None:
    clock = FakeClock(time.time())
    async with serve_in_process(config(tmp_path, clock)) as server:
        dm = await Terminal.sign_in(server.url, "dm1", "3001")
        table = (await dm.accepted(open_p1(pit="2")))["incident_id"]
        transfer = (
            await dm.accepted(
                {
                    "command_id": command_id(),
                    "command": {
                        "type": "open_incident",
                        "kind": "failed_transfer",
                        "priority": "P1",
                        "channel": "chat",
                        "player": {"reference": "VP-5120-3388", "tier": "vip"},
                        "location": {"spot": "online"},
                    },
                }
            )
        )["incident_id"]

        async def refused(number: int, fields: dict[str, Any]) -> str:
            response = await dm.command(on(number, "escalate", **fields))
            assert response.status_code in (409, 422), response.text
            return str(response.json()["detail"])

        # the main ladder, from L1 straight to L3
        assert await refused(table, {"line": 3}) == (
            f"escalating #{table} by hand to L3 needs a reason"
        )
        await dm.accepted(on(table, "escalate", line=3, reason="VVIP asks for the director"))
        assert await refused(table, {"line": 2, "reason": "calmer now"}) == (
            f"cannot escalate #{table} to L2: it is at L3 (pit boss / table games director)"
            " already and nobody de-escalates; pick a line above it (L4)"
        )
        # the payments chain opens at L2 (a failed transfer is a trigger)
        assert await refused(transfer, {"line": 2, "reason": "again"}) == (
            f"cannot escalate #{transfer} to L2: it is at L2 (finance) already"
            " and nobody de-escalates; pick a line above it (L3-L4)"
        )
        await dm.accepted(on(transfer, "escalate", line=4, reason="the bank must trace it"))
        assert await refused(transfer, {"line": 4, "reason": "again"}) == (
            f"#{transfer} is at L4 (acquiring bank), the top line: there is none above it"
        )
        incidents = (await dm.snapshot())["state"]["incidents"]
        assert incidents[str(table)]["line"] == 3 and incidents[str(transfer)]["line"] == 4
        texts = [e["text"] for e in incidents[str(transfer)]["timeline"]]
        assert "escalated to L4 (acquiring bank) by hand: the bank must trace it" in texts
        texts = [e["text"] for e in incidents[str(table)]["timeline"]]
        assert (
            "escalated to L3 (pit boss / table games director) by hand: VVIP asks for the director"
            in texts
        )
        await dm.close()
