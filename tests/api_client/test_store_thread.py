"""The client's store works on its own thread: a catch-up never holds the caller's loop.

A terminal coming back to a busy floor folds thousands of events and writes
them to its replica. A loop-lag probe on the caller's loop (the UI's, in the
app) runs throughout, and asyncio's own slow-callback detector names any
callback of the client's that held that loop past one frame (16 ms). The
probe's own worst lag is printed, not asserted: on a loaded machine it
measures the load.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

from api_client import MemoryTokenStore
from api_client.local import LocalFloor
from tests.api_client.helpers import make_client, matches_server, online, until
from tests.conftest import BackendProcess

ROOT = Path(__file__).resolve().parents[2]
FRAME = 0.016  # seconds: one frame at 60 Hz
CATCH_UP = 2000  # incidents opened while the terminal is away


class SlowCallbacks(logging.Handler):
    """asyncio's debug-mode reports of callbacks that held the loop too long."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.ours: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        # the client's own code (not this test's probe, whose lag is load and the GIL)
        if message.startswith("Executing") and any(
            f"{ROOT}/{package}/" in message for package in ("api_client", "domain")
        ):
            self.ours.append(message)


async def _open_incidents(url: str, pin: str, count: int) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        session = await http.post("/v1/session", json={"staff_id": "dm1", "pin": pin})
        headers = {"Authorization": f"Bearer {session.json()['token']}"}
        for start in range(0, count, 200):
            commands = [
                {
                    "command_id": uuid.uuid4().hex,
                    "command": {
                        "type": "open_incident",
                        "kind": "machine_fault",
                        "priority": "P3",
                        "channel": "on_site",
                        "player": {"reference": f"LY-{n:05d}"},
                        "location": {"pit": "1", "spot": f"SL-{n}"},
                    },
                }
                for n in range(start, min(start + 200, count))
            ]
            answer = await http.post(
                "/v1/commands/batch", json={"commands": commands}, headers=headers
            )
            answer.raise_for_status()


async def test_a_catch_up_of_thousands_of_events_never_holds_the_callers_loop(
    backend: BackendProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pin = backend.pins["dm1"]
    tokens = MemoryTokenStore()  # the keyring both runs of the terminal share
    first = make_client(backend.url, tmp_path, token_store=tokens)
    await first.sign_in("dm1", pin)
    await first.start()
    await online(first)
    seq_before = first.confirmed.seq
    await first.close()

    await _open_incidents(backend.url, pin, CATCH_UP)  # while the terminal is away

    folded_on: set[int] = set()
    apply_events = LocalFloor.apply_events

    def recording(self: LocalFloor, events: list) -> None:  # type: ignore[type-arg]
        folded_on.add(threading.get_ident())
        apply_events(self, events)

    monkeypatch.setattr(LocalFloor, "apply_events", recording)
    loop = asyncio.get_running_loop()
    loop.set_debug(True)
    loop.slow_callback_duration = FRAME
    slow = SlowCallbacks()
    logging.getLogger("asyncio").addHandler(slow)
    worst_lag = 0.0
    probing = True

    async def probe() -> None:
        nonlocal worst_lag
        while probing:
            asked = time.perf_counter()
            await asyncio.sleep(0.001)
            worst_lag = max(worst_lag, time.perf_counter() - asked - 0.001)

    prober = asyncio.create_task(probe())
    again = make_client(backend.url, tmp_path, token_store=tokens)
    try:
        assert await again.restore("dm1") is not None
        assert again.confirmed.seq == seq_before  # the stored floor, at once
        await again.start()
        await until(again, lambda: again.confirmed.seq >= seq_before + CATCH_UP, within=300)
    finally:
        probing = False
        await prober
        logging.getLogger("asyncio").removeHandler(slow)
        loop.set_debug(False)

    try:
        assert folded_on, "the catch-up came in on the live feed, as events"
        assert threading.get_ident() not in folded_on, "events were folded on the caller's loop"
        assert not slow.ours, "callbacks of ours held the caller's loop:\n" + "\n".join(slow.ours)
        await matches_server(again, backend.url, "dm1", pin)
    finally:
        await again.close()
    print(f"worst lag of the caller's loop during the catch-up: {worst_lag * 1000:.1f} ms")
