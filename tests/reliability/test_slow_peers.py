"""Slow and dead peers on the live feed: cut off, while everyone else is served promptly.

- A terminal that stops reading while big events stream is closed by the
  server (CLOSE_TOO_SLOW), its queue freed; another terminal's events keep
  arriving fast and HTTP keeps answering.
- A peer that did the handshake and then stopped answering pings (a raw
  socket that only listens; a terminal process frozen with SIGSTOP) is closed
  within the ping interval plus the ping timeout.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from domain.protocol import CLOSE_TOO_SLOW
from tests.backend.helpers import Terminal
from tests.conftest import ROOT, BackendFactory
from tests.reliability.conftest import Figure
from tests.reliability.wire import (
    close_code,
    raw_live_socket,
    read_until_closed,
    rss_kib,
    server_errors,
    server_frames,
)

BATCHES = 40
NOTES_PER_BATCH = 120  # about 230 kB a batch: under the 256 KiB body limit
NOTE = "x" * 1900  # near the 2,000-character limit: big frames
FROZEN_BATCHES = 30
PING_INTERVAL = 1.0
PING_TIMEOUT = 1.0


def big_notes(incident_ids: list[int], batch: int) -> dict[str, object]:
    return {
        "commands": [
            {
                "command_id": uuid.uuid4().hex,
                "command": {
                    "type": "add_note",
                    "incident_id": incident_ids[n % len(incident_ids)],
                    "text": f"{batch}:{n} {NOTE}",
                },
            }
            for n in range(NOTES_PER_BATCH)
        ]
    }


async def flood(dm: Terminal, targets: list[int], batches: int) -> int:
    """Post `batches` batches of long notes; the seq of the last event."""
    head = 0
    for batch in range(batches):
        answer = await dm.http.post("/v1/commands/batch", json=big_notes(targets, batch))
        assert answer.status_code == 200, answer.text
        head = answer.json()["results"][-1]["seq"]
    return head


def seqs_in(stream: bytes) -> list[int]:
    """The seq of every event in the complete text frames of a raw server stream."""
    seqs: list[int] = []
    for opcode, payload in server_frames(stream):
        if opcode == 0x1:
            frame = json.loads(payload)
            seqs.extend(e["seq"] for e in frame.get("events", ()))
    return seqs


@pytest.mark.slow
async def test_a_terminal_that_stops_reading_is_cut_off_and_others_stay_fast(
    backend_factory: BackendFactory, figure: Figure
) -> None:
    # keepalive pings far off: what cuts the stuck terminal here is its backlog
    server = backend_factory(extra_args=["--ws-ping-interval", "60", "--ws-ping-timeout", "60"])
    assert server.proc is not None
    dm = await Terminal.sign_in(server.url, "dm1", server.pins["dm1"])
    stuck = await Terminal.sign_in(server.url, "dm2", server.pins["dm2"])
    snapshot = await dm.snapshot()
    start = snapshot["seq"]
    targets = sorted(int(i) for i in snapshot["state"]["incidents"])[:20]
    # a tiny receive window, and it does not read: the server's sends back up at once
    sock, early = await asyncio.to_thread(
        raw_live_socket, server.url, stuck.token, after=start, rcvbuf=4096
    )
    rss_before = rss_kib(server.proc.pid)
    latencies: list[float] = []
    http_latencies: list[float] = []
    rss_peak = rss_before
    async with dm.live(after=start) as honest, httpx.AsyncClient(base_url=server.url) as http:
        assert (await honest.frame())["type"] == "hello"
        head = start
        for batch in range(BATCHES):
            posted = time.monotonic()
            answer = await dm.http.post("/v1/commands/batch", json=big_notes(targets, batch))
            assert answer.status_code == 200
            head = answer.json()["results"][-1]["seq"]
            await honest.events_until(head, within=10)
            latencies.append(time.monotonic() - posted)
            asked = time.monotonic()
            assert (await http.get("/v1/time")).status_code == 200
            http_latencies.append(time.monotonic() - asked)
            rss_peak = max(rss_peak, rss_kib(server.proc.pid))
    await asyncio.sleep(2.5)  # the server's close frame cannot go out; it gives up on it
    # the stuck terminal wakes up and reads what it has: then the connection ends,
    # so it knows to reconnect and resume, instead of sitting on a feed gone quiet
    closed_after, stream = await asyncio.to_thread(read_until_closed, sock, 10.0)
    sock.close()
    got = seqs_in(early + stream)
    streamed_mb = BATCHES * NOTES_PER_BATCH * len(NOTE) / 1e6
    figure("MB streamed past the stuck terminal", round(streamed_mb, 1))
    figure("MB the stuck terminal got before the cut", round(len(stream) / 1e6, 1))
    figure(
        "honest terminal max ms, batch posted to all its events in", round(max(latencies) * 1000, 1)
    )
    figure("HTTP max latency ms", round(max(http_latencies) * 1000, 1))
    figure(
        "server RSS growth MB (notes kept in the floor state included)",
        round((rss_peak - rss_before) / 1024, 1),
    )
    assert closed_after is not None, "the stuck terminal was left on a silent feed"
    assert close_code(stream) in (CLOSE_TOO_SLOW, None), close_code(stream)
    assert got == list(range(start + 1, start + 1 + len(got)))  # what it got has no gap
    assert len(got) < head - start  # cut off: it resumes from its seq, not from a backlog
    assert max(latencies) < 2.0 and max(http_latencies) < 1.0
    assert server_errors(server) == []
    for t in (dm, stuck):
        await t.close()


async def test_a_listening_but_silent_peer_is_closed_after_ping_timeout(
    backend_factory: BackendFactory, figure: Figure
) -> None:
    server = backend_factory(
        extra_args=[
            "--ws-ping-interval",
            str(PING_INTERVAL),
            "--ws-ping-timeout",
            str(PING_TIMEOUT),
        ]
    )
    dm = await Terminal.sign_in(server.url, "dm1", server.pins["dm1"])
    sock, _ = await asyncio.to_thread(raw_live_socket, server.url, dm.token)
    # it reads everything (pings included) and never writes a pong back
    closed_after, stream = await asyncio.to_thread(read_until_closed, sock, 15.0)
    sock.close()
    figure("silent peer closed after s", None if closed_after is None else round(closed_after, 2))
    assert closed_after is not None
    assert closed_after <= PING_INTERVAL + PING_TIMEOUT + 1.0
    assert close_code(stream) == 1011  # keepalive ping timeout
    await dm.close()


FROZEN_TERMINAL = """
import asyncio, socket, sys
from websockets.asyncio.client import connect

async def main():
    url, port, token = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # fills fast once frozen
    sock.connect(("127.0.0.1", port))
    headers = {"Authorization": "Bearer " + token}
    async with connect(url, sock=sock, additional_headers=headers, max_size=None) as ws:
        await ws.recv()
        print(ws.local_address[1], flush=True)
        async for _ in ws:
            pass

asyncio.run(main())
"""

TCP_STATES = {"01": "ESTABLISHED", "04": "FIN_WAIT1", "05": "FIN_WAIT2", "08": "CLOSE_WAIT"}


def tcp_state(local_port: int, remote_port: int) -> str | None:
    """The kernel's state of one loopback TCP connection seen from `local_port` (None: gone)."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, state = fields[1], fields[2], fields[3]
        if int(local.split(":")[1], 16) == local_port and int(remote.split(":")[1], 16) == (
            remote_port
        ):
            return TCP_STATES.get(state, state)
    return None


@pytest.mark.slow
async def test_a_frozen_terminal_is_dropped_even_while_events_stream(
    backend_factory: BackendFactory, figure: Figure, tmp_path: Path
) -> None:
    server = backend_factory(
        extra_args=[
            "--ws-ping-interval",
            str(PING_INTERVAL),
            "--ws-ping-timeout",
            str(PING_TIMEOUT),
        ]
    )
    dm = await Terminal.sign_in(server.url, "dm1", server.pins["dm1"])
    snapshot = await dm.snapshot()
    targets = sorted(int(i) for i in snapshot["state"]["incidents"])[:20]
    server_port = int(server.url.rsplit(":", 1)[1])
    script = tmp_path / "frozen_terminal.py"
    script.write_text(FROZEN_TERMINAL)
    ws_url = server.url.replace("http", "ws", 1) + f"/v1/live?after={snapshot['seq']}"
    terminal = await asyncio.create_subprocess_exec(
        sys.executable,
        str(script),
        ws_url,
        str(server_port),
        dm.token,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert terminal.stdout is not None
        local_port = int(await asyncio.wait_for(terminal.stdout.readline(), 20))
        assert tcp_state(server_port, local_port) == "ESTABLISHED"
        terminal.send_signal(signal.SIGSTOP)  # a laptop lid closed: its kernel still ACKs
        frozen_at = time.monotonic()
        # more than the kernel's send buffer (4 MiB) can hold: the server is left
        # with data it cannot send, which a plain close would wait on forever
        await flood(dm, targets, FROZEN_BATCHES)
        flooded_at = time.monotonic()
        closed_after = None
        while time.monotonic() - flooded_at < 15:
            if tcp_state(server_port, local_port) in (None, "FIN_WAIT1", "FIN_WAIT2"):
                closed_after = time.monotonic() - flooded_at
                break
            await asyncio.sleep(0.05)
        figure(
            "frozen terminal dropped, s after the flood", closed_after and round(closed_after, 2)
        )
        figure("frozen terminal dropped, s after freezing", round(time.monotonic() - frozen_at, 2))
        assert closed_after is not None, "the server kept a frozen terminal's socket"
        assert closed_after <= PING_INTERVAL + PING_TIMEOUT + 1.0
    finally:
        terminal.send_signal(signal.SIGCONT)
        terminal.kill()
        await terminal.wait()
    assert server_errors(server) == []
    await dm.close()
