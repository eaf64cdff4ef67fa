"""Player flags on a real server: a host flags their own player, may not clear it, and the
flag reaches every terminal's snapshot under the player's reference."""

from __future__ import annotations

import time
from typing import Any

from tests.backend.helpers import Terminal, command_id, open_p1
from tests.conftest import BackendProcess

REF = "VV-2231-4411"  # the player `open_p1` opens for


def flagging(kind: str, flag: str, **extra: Any) -> dict[str, Any]:
    return {
        "command_id": command_id(),
        "command": {"type": kind, "reference": REF, "flag": flag, **extra},
    }


async def test_a_host_sets_a_flag_on_their_player_and_may_not_clear_it(
    backend: BackendProcess,
) -> None:
    host = await Terminal.sign_in(backend.url, "h1", backend.pins["h1"])
    dm = await Terminal.sign_in(backend.url, "dm1", backend.pins["dm1"])
    pb = await Terminal.sign_in(backend.url, "pb1", backend.pins["pb1"])
    await pb.accepted(open_p1(host_id="h1"))

    past = await host.command(flagging("set_player_flag", "cool_off", until=time.time() - 60))
    assert past.status_code == 422 and "in the past" in past.json()["detail"]
    aml = await host.command(flagging("set_player_flag", "source_of_funds"))
    assert aml.status_code == 403 and "risk/AML" in aml.json()["detail"]
    by_pit_boss = await pb.command(flagging("set_player_flag", "self_excluded"))
    assert by_pit_boss.status_code == 403
    assert "a pit boss may not set player flag" in by_pit_boss.json()["detail"]

    until = time.time() + 7 * 86400
    await host.accepted(flagging("set_player_flag", "cool_off", until=until))
    flags = (await pb.snapshot())["state"]["player_flags"][REF]
    assert [(f["kind"], f["set_by"], f["until"]) for f in flags] == [("cool_off", "h1", until)]

    refused = await host.command(flagging("clear_player_flag", "cool_off"))
    assert refused.status_code == 403
    assert "a host may not clear player flag" in refused.json()["detail"]
    assert (await dm.snapshot())["state"]["player_flags"][REF]

    await dm.accepted(flagging("clear_player_flag", "cool_off", reason="ended early by RG team"))
    assert REF not in (await host.snapshot())["state"]["player_flags"]
    for terminal in (host, dm, pb):
        await terminal.close()
