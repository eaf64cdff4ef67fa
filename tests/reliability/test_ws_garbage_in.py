"""Garbage from a terminal on /v1/live: logged, refused or ignored, never a crash.

Two layers are attacked. Through a real websockets client: malformed JSON,
binary frames, frames over the server's limits, frames the server only ever
sends (a hello, an events frame), all out of order. Below that, over a raw
socket: broken framing (unmasked, reserved opcodes, a continuation with no
start, a 126-byte ping, a bad close code, invalid UTF-8) and a few hundred
random byte strings. Meanwhile an honest terminal follows the feed: it must
receive every event, in order, with no gap, and promptly.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.backend.helpers import Terminal, note
from tests.conftest import BackendProcess
from tests.reliability.conftest import Figure
from tests.reliability.wire import mask_frame, open_raw_live, server_errors, server_frames

RANDOM_BLOBS = 300
PROBE = b"still-there?"

# broken framing, each sent on a fresh connection after the hello
FRAMING: dict[str, bytes] = {
    "unmasked text frame": bytes([0x81, 5]) + b"hello",
    "reserved opcode 0x3": mask_frame(0x3, b"x"),
    "reserved opcode 0xB (control)": mask_frame(0xB, b""),
    "continuation with no start": mask_frame(0x0, b"orphan"),
    "text frame, then a new text frame mid-message": mask_frame(0x1, b'{"a":', fin=False)
    + mask_frame(0x1, b"1}"),
    "fragmented ping": mask_frame(0x9, b"x", fin=False),
    "ping with a 126-byte payload": mask_frame(0x9, b"p" * 126),
    "close with code 999": mask_frame(0x8, (999).to_bytes(2, "big")),
    "close with a 1-byte payload": mask_frame(0x8, b"\x03"),
    "invalid UTF-8 text": mask_frame(0x1, b"\xff\xfe\xfd"),
    "RSV1 set without an extension": bytes([0xC1]) + mask_frame(0x1, b"hi")[1:],
    "length 2**63-1": bytes([0x81, 0xFF]) + (2**63 - 1).to_bytes(8, "big") + b"\x00" * 4,
    "64 KiB + 1 binary frame": mask_frame(0x2, b"\x00" * (64 * 1024 + 1)),
    "HTTP request inside the socket": b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
}


async def attack(url: str, token: str, after: int, payload: bytes) -> str:
    """Send `payload` after the hello, then a ping: 'ignored' if the pong comes back,
    'closed NNNN' if the server closed, 'waiting' if it still waits for more bytes."""
    reader, writer, _ = await open_raw_live(url, token, after=after)
    seen = b""
    try:
        writer.write(payload + mask_frame(0x9, PROBE))
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        deadline = time.monotonic() + 1.0
        eof = False
        while (left := deadline - time.monotonic()) > 0:
            try:
                chunk = await asyncio.wait_for(reader.read(65536), left)
            except (TimeoutError, ConnectionError):
                break
            if not chunk:
                eof = True
                break
            seen += chunk
            if any(op == 0xA and body == PROBE for op, body in server_frames(seen)):
                # a close may follow the pong when both came in one read
                deadline = min(deadline, time.monotonic() + 0.2)
        frames = server_frames(seen)
        for opcode, body in frames:
            if opcode == 0x8:
                return f"closed {int.from_bytes(body[:2], 'big') if len(body) >= 2 else 1005}"
        if any(op == 0xA and body == PROBE for op, body in frames):
            return "ignored"
        return "hung up" if eof else "waiting"
    finally:
        writer.transport.abort()


@pytest.mark.slow
async def test_garbage_from_terminals_never_stops_the_feed(
    backend: BackendProcess, figure: Figure
) -> None:
    dm = await Terminal.sign_in(backend.url, "dm1", backend.pins["dm1"])
    rogue = await Terminal.sign_in(backend.url, "h1", backend.pins["h1"])
    start = (await dm.snapshot())["seq"]
    outcomes: dict[str, int] = {}
    frames_sent = 0
    latencies: list[float] = []
    async with dm.live(after=start) as honest:
        assert (await honest.frame())["type"] == "hello"
        expected = start

        async def still_served() -> None:
            """A new event reaches the honest terminal, next in seq, promptly."""
            nonlocal expected
            sent_at = time.monotonic()
            await dm.accepted(note(1, f"after garbage {expected}"))
            [event] = await honest.events_until(expected + 1, within=5)
            latencies.append(time.monotonic() - sent_at)
            assert event["seq"] == expected + 1
            expected = event["seq"]

        # 1. message-level garbage through a well-behaved websocket client
        ws_url = backend.url.replace("http", "ws", 1) + f"/v1/live?after={start}"
        messages: list[tuple[str, str | bytes]] = [
            ("malformed JSON", '{"type": "hello", '),
            ("not JSON at all", "\x00\x01 hello"),
            ("binary frame", b"\x89PNG\r\n\x1a\n" + bytes(range(256))),
            ("a hello sent to the server", json.dumps({"type": "hello", "head": -1})),
            ("an events frame sent to the server", json.dumps({"type": "events", "events": []})),
            ("5 KB of JSON (over the client frame limit)", json.dumps({"x": "y" * 5000})),
            ("deeply nested JSON", "[" * 3000 + "]" * 3000),
        ]
        async with connect(
            ws_url, additional_headers={"Authorization": f"Bearer {rogue.token}"}
        ) as ws:
            assert json.loads(await ws.recv())["type"] == "hello"
            for name, message in messages:
                await ws.send(message)
                frames_sent += 1
                await still_served()
                # ignored means the rogue's own feed goes on too (a hidden placeholder)
                frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
                assert frame["type"] == "events", name
                outcomes["ignored (message level)"] = outcomes.get("ignored (message level)", 0) + 1
            # a message over the server's 64 KiB limit is refused by closing (1009)
            await ws.send("x" * (64 * 1024 + 10))
            frames_sent += 1
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    await asyncio.wait_for(ws.recv(), 5)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
            outcomes["closed 1009 (message level)"] = 1
        await still_served()

        # 2. broken framing, one connection each
        for name, payload in FRAMING.items():
            outcome = await attack(backend.url, rogue.token, expected, payload)
            frames_sent += 1
            print(f"{name}: {outcome}")
            # each breaks RFC 6455: the server must drop the connection, not read on
            assert outcome.startswith(("closed", "hung up")), (name, outcome)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            await still_served()

        # 3. random bytes, ten connections at a time
        rng = random.Random(20261124)
        blobs = [rng.randbytes(rng.randint(1, 300)) for _ in range(RANDOM_BLOBS)]
        for first in range(0, RANDOM_BLOBS, 10):
            results = await asyncio.gather(
                *(attack(backend.url, rogue.token, expected, b) for b in blobs[first : first + 10])
            )
            frames_sent += len(results)
            for outcome in results:
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
            await still_served()

    assert backend.running
    # uvicorn logs a bad UTF-8 frame with its traceback; it closes that socket (1007)
    assert server_errors(backend, expected=("Invalid UTF-8 sequence",)) == []
    print("outcomes:", outcomes)
    figure("hostile frames and byte strings sent", frames_sent)
    figure("events checked on the honest terminal", len(latencies))
    figure("worst honest-terminal latency ms", round(max(latencies) * 1000, 1))
    assert max(latencies) < 1.0
    for t in (dm, rogue):
        await t.close()
