"""Least privilege on the wire: each viewer gets only their part, seq stays gap-free."""

from __future__ import annotations

from tests.backend.helpers import Terminal, command_id, open_p1
from tests.conftest import BackendProcess


async def test_a_host_sees_only_their_players_incidents(backend: BackendProcess) -> None:
    host = await Terminal.sign_in(backend.url, "h1", backend.pins["h1"])
    dm = await Terminal.sign_in(backend.url, "dm1", backend.pins["dm1"])
    mine = (await host.snapshot())["state"]["incidents"].values()
    everything = (await dm.snapshot())["state"]["incidents"].values()
    assert mine and len(mine) < len(everything)
    assert all("h1" in (i["player"]["host_id"], i["owner"], i["opened_by"]) for i in mine)
    for t in (host, dm):
        await t.close()


async def test_hidden_placeholders_keep_seq_gap_free_and_assignment_shows(
    backend: BackendProcess,
) -> None:
    host = await Terminal.sign_in(backend.url, "h1", backend.pins["h1"])
    dm = await Terminal.sign_in(backend.url, "dm1", backend.pins["dm1"])
    start = (await host.snapshot())["seq"]
    async with host.live(after=start) as feed:
        assert (await feed.frame())["type"] == "hello"
        other = (await dm.accepted(open_p1(pit="2", host_id="h2")))["incident_id"]
        [hidden] = await feed.events_until(start + 1)
        assert hidden == {
            "seq": start + 1,
            "type": "hidden",
            "at": hidden["at"],
            "actor": "",
            "terminal": "",
            "command_id": "",
            "incident_id": None,
            "downtime_id": None,
            "data": {},
        }
        await dm.accepted(
            {
                "command_id": command_id(),
                "command": {"type": "assign", "incident_id": other, "owner": "h1"},
            }
        )
        [shown] = await feed.events_until(start + 2)
        assert shown["type"] == "incident_shown" and shown["seq"] == start + 2
        assert shown["data"]["incident"]["id"] == other
        assert shown["data"]["incident"]["owner"] == "h1"
        assert str(other) in (await host.snapshot())["state"]["incidents"]
        # reassigned away: the host's terminal is told to drop it, and no more
        await dm.accepted(
            {
                "command_id": command_id(),
                "command": {"type": "assign", "incident_id": other, "owner": "h3"},
            }
        )
        [left] = await feed.events_until(start + 3)
        assert left["type"] == "incident_left_view" and left["incident_id"] == other
        assert left["data"] == {} and left["actor"] == ""  # not who has it now
    # the same in the event page, for a terminal catching up over HTTP
    page = await host.events(start)
    kinds = [e["type"] for e in page["events"]]
    assert kinds == ["hidden", "incident_shown", "incident_left_view"]
    assert str(other) not in (await host.snapshot())["state"]["incidents"]
    for t in (host, dm):
        await t.close()


async def test_a_pit_boss_acting_outside_their_pit_is_forbidden(backend: BackendProcess) -> None:
    pb = await Terminal.sign_in(backend.url, "pb1", backend.pins["pb1"])
    elsewhere = await pb.command(open_p1(pit="2"))
    assert elsewhere.status_code == 403
    assert (
        elsewhere.json()["code"] == "forbidden" and "outside your pit" in elsewhere.json()["detail"]
    )
    assets = (await pb.snapshot())["state"]["assets"].values()
    other_pit = next(a["id"] for a in assets if a["pit"] not in ("1",))
    down = await pb.command(
        {
            "command_id": command_id(),
            "command": {"type": "start_downtime", "asset_id": other_pit, "reason": "felt worn"},
        }
    )
    assert down.status_code == 403
    # a host may not assign (a role rule), also 403 with who may
    host = await Terminal.sign_in(backend.url, "h1", backend.pins["h1"])
    assign = await host.command(
        {"command_id": command_id(), "command": {"type": "assign", "incident_id": 1, "owner": "h1"}}
    )
    assert assign.status_code == 403 and "allowed:" in assign.json()["detail"]
    for t in (pb, host):
        await t.close()
