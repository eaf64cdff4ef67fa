"""A shift handover between two terminals, dm1 and dm2, against a real backend.

The backend runs on the real clock, so its policy puts a shift start at the
current minute and flags an unacknowledged handover a little after the
backend is up (`handover_ack_within`): dm1 opens the pack of the shift just
begun, both terminals are told it waits, dm2 reads it and acknowledges, and
the server's log holds both, by whom, and hides them from a host.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from domain.events import EventType
from screens.handover import HandoverScreen
from screens.modals import OptionalNoteModal
from screens.queue import QueueScreen
from tests.backend.helpers import Terminal
from tests.conftest import BackendFactory
from tests.tui.e2e import real_client, sign_in_on_screen, until
from tui.config import load_config

from .conftest import field_focused
from .screen_text import screen_lines

ZONE = ZoneInfo("Australia/Sydney")  # the default policy's timezone


def _policy() -> tuple[str, str]:
    """A policy whose shift began this minute, flagged 30 s after now; and that start."""
    now = time.time()
    start = datetime.fromtimestamp(now // 60 * 60, ZONE)
    starts = [f"{(start.hour + 8 * n) % 24:02d}:{start.minute:02d}" for n in range(3)]
    within = (now - start.timestamp()) + 30
    listed = ", ".join(f'"{s}"' for s in starts)
    return f"shift_starts = [{listed}]\nhandover_ack_within = {within:.0f}\n", starts[0]


def _shown(app) -> str:
    return "\n".join(screen_lines(app))


async def test_dm1_hands_over_and_dm2_acknowledges(
    backend_factory: BackendFactory, make_app, tmp_path: Path
) -> None:
    policy, boundary = _policy()
    backend = backend_factory(policy_toml=policy)
    outgoing = make_app(
        None,
        source_factory=real_client(tmp_path / "dm1", "office-1"),
        server_url=backend.url,
        staff_id="dm1",
    )
    incoming = make_app(
        None,
        source_factory=real_client(tmp_path / "dm2", "office-2"),
        server_url=backend.url,
        staff_id="dm2",
        config=load_config(tmp_path / "dm2-config"),
    )
    async with outgoing.run_test(size=(80, 24)) as one, incoming.run_test(size=(120, 36)) as two:
        await sign_in_on_screen(outgoing, one, backend, "dm1")
        await one.press("H")
        await until(one, lambda: isinstance(outgoing.screen, HandoverScreen))
        await until(one, lambda: f"Shift handover at {boundary}" in _shown(outgoing))
        assert "not handed over yet" in _shown(outgoing)
        await one.press("o")
        await until(one, lambda: isinstance(outgoing.screen, OptionalNoteModal))
        await field_focused(outgoing, one, "dialog-text")
        await one.press(*"BJ-07 tech at 07:00", "enter")
        await until(one, lambda: "opened by Dana K." in _shown(outgoing))
        await until(one, lambda: "waiting for the incoming duty manager" in _shown(outgoing))

        await sign_in_on_screen(incoming, two, backend, "dm2")
        # both are told once the handover is overdue: dm2 on the queue, dm1 on the pack
        flag = f"handover at {boundary} not acknowledged (opened by Dana K."
        await until(two, lambda: flag in _shown(incoming), seconds=60)
        await until(one, lambda: "Not acknowledged" in _shown(outgoing))

        await two.press("H")
        await until(two, lambda: isinstance(incoming.screen, HandoverScreen))
        await until(two, lambda: "Note from Dana K." in _shown(incoming))
        assert "BJ-07 tech at 07:00" in _shown(incoming)
        await two.press("a")
        await until(two, lambda: isinstance(incoming.screen, OptionalNoteModal))
        await field_focused(incoming, two, "dialog-text")
        await two.press(*"read, thanks", "enter")
        await until(two, lambda: "acknowledged by Chris N." in _shown(incoming))
        # the outgoing terminal sees it live; the flag is gone on both
        await until(one, lambda: "acknowledged by Chris N." in _shown(outgoing))
        assert "Not acknowledged" not in _shown(outgoing)
        await two.press("escape")
        await until(two, lambda: isinstance(incoming.screen, QueueScreen))
        await until(two, lambda: flag not in _shown(incoming))

    # the server's log: both steps, by whom; a host sees neither
    admin = await Terminal.sign_in(backend.url, "admin", backend.pins["admin"])
    host = await Terminal.sign_in(backend.url, "h1", backend.pins["h1"])
    logged = [
        (e["type"], e["actor"])
        for e in (await admin.events(0))["events"]
        if e["type"] in (EventType.HANDOVER_OPENED, EventType.HANDOVER_ACKNOWLEDGED)
    ]
    assert logged == [("handover_opened", "dm1"), ("handover_acknowledged", "dm2")]
    trail = (await admin.http.get("/v1/audit", params={"limit": 500})).json()
    audited = [
        (row["command_type"], row["staff_id"], row["terminal"], row["result"])
        for row in trail
        if row["command_type"] in ("open_handover", "acknowledge_handover")
    ]
    assert sorted(audited) == [
        ("acknowledge_handover", "dm2", "office-2", "accepted"),
        ("open_handover", "dm1", "office-1", "accepted"),
    ]
    seen = {e["type"] for e in (await host.events(0))["events"]}
    assert not seen & {"handover_opened", "handover_acknowledged"}
    assert (
        "handovers" not in (await host.snapshot())["state"]
        or not ((await host.snapshot())["state"]["handovers"])
    )
    await admin.close()
    await host.close()
