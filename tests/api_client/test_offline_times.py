"""An action done offline counts from when it was done, not from when it reached the server.

Against a real backend, through a link that can be cut: the terminal goes
dark, the user acts, and the action arrives later. "Later" is played with the
terminal's own clock: set back to the moment the user acted while they press
the key, which is what waiting that long offline does to the gap between the
two (the server's clock is the real one, so the arrival is now).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

from api_client import Link
from domain import commands as c
from domain.sla import Urgency, clocks
from tests.api_client.flaky_link import FlakyLink
from tests.api_client.helpers import matches_server, online, signed_in_client, until
from tests.conftest import BackendFactory

VVIP_HAND = "VV-2231-4411"  # journey 1: BJ-07, opened two minutes before the demo's now
# a P1 must be resolved within 100 s here, so the demo's BJ-07 is past it already
QUICK_P1 = "[resolve]\nP1 = 100\n"


class TerminalClock:
    """The terminal's wall and monotonic clocks: real time, unless a test says otherwise."""

    def __init__(self) -> None:
        self.shift = 0.0

    def wall(self) -> float:
        return time.time() + self.shift

    def mono(self) -> float:
        return time.monotonic() + self.shift

    @contextlib.contextmanager
    def reading(self, moment: float, now: float) -> Iterator[None]:
        """The clock reads `moment` (its own time now being `now`) inside the block."""
        self.shift = moment - now
        try:
            yield
        finally:
            self.shift = 0.0


async def test_a_resolve_done_offline_counts_from_when_it_was_done(
    backend_factory: BackendFactory, tmp_path: Path
) -> None:
    backend = backend_factory(policy_toml=QUICK_P1)
    link = FlakyLink(backend.url)
    await link.start()
    clock = TerminalClock()
    client = await signed_in_client(
        link.url,
        tmp_path,
        "pb2",
        backend.pins["pb2"],
        wall_clock=clock.wall,
        monotonic=clock.mono,
    )
    hand = next(i for i in client.confirmed.incidents.values() if i.player.reference == VVIP_HAND)
    assert hand.resolve_due is not None and hand.resolve_due < client.now()  # breached by now
    done = hand.resolve_due - 30  # when the pit boss resolved it: within the promise

    link.go_dark()
    await until(client, lambda: client.status.link is not Link.ONLINE, what="OFFLINE")
    with clock.reading(done, client.now()):
        await client.submit(
            c.Resolve(incident_id=hand.id, note="camera cleared", expected_version=hand.version)
        )
    link.come_back()
    await online(client, within=20)
    await until(client, lambda: not client.pending, what="the outbox to drain")
    arrived = client.now()
    snap = await matches_server(client, backend.url, "pb2", backend.pins["pb2"])

    resolved = snap.state.incidents[hand.id]
    assert client.conflicts == ()
    assert resolved.resolved_at is not None
    assert abs(resolved.resolved_at - done) < 0.5  # the server's time is the pit boss's
    resolve = next(clock for clock in clocks(resolved) if clock.name == "resolve")
    assert resolve.urgency(arrived, snap.state.policy) is Urgency.MET
    # the timeline keeps both: when it was done, and when it reached the server
    entry = resolved.timeline[-1]
    assert entry.kind == "resolved" and abs(entry.at - done) < 0.5
    assert entry.received_at is not None and entry.received_at > done + 20
    await client.close()
    await link.close()


async def test_an_offline_time_out_of_bounds_is_refused_and_kept(
    backend_factory: BackendFactory, tmp_path: Path
) -> None:
    backend = backend_factory()
    link = FlakyLink(backend.url)
    await link.start()
    clock = TerminalClock()
    client = await signed_in_client(
        link.url,
        tmp_path,
        "pb2",
        backend.pins["pb2"],
        wall_clock=clock.wall,
        monotonic=clock.mono,
    )
    hand = next(i for i in client.confirmed.incidents.values() if i.player.reference == VVIP_HAND)
    now = client.now()

    link.go_dark()
    await until(client, lambda: client.status.link is not Link.ONLINE, what="OFFLINE")
    tries = {
        "ahead": (now + 600, "600 s ahead of the server's: check the terminal's clock"),
        "too old": (now - 25 * 3600, "more than 24 h before it reached the server"),
        "before": (hand.opened_at - 3600, f"before #{hand.id} began"),
    }
    for name, (moment, _) in tries.items():
        with clock.reading(moment, client.now()):
            await client.submit(c.AddNote(incident_id=hand.id, text=f"note {name}"))
    link.come_back()
    await online(client, within=20)
    await until(client, lambda: len(client.conflicts) == 3, what="three refusals")

    # refused, each saying why, and kept with what was typed until read
    by_text = {
        conflict.command.text: conflict
        for conflict in client.conflicts
        if isinstance(conflict.command, c.AddNote)
    }
    for name, (_, words) in tries.items():
        conflict = by_text[f"note {name}"]
        assert conflict.code == "invalid" and words in conflict.reason, conflict.reason
    assert client.pending == ()
    notes = [e.text for e in client.confirmed.incidents[hand.id].timeline]
    assert not any(text.startswith("note ") for text in notes)
    await client.close()
    await link.close()
