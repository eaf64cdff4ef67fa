"""Figure 9: 1,000 commands queued offline, then drained after reconnect.

A real FloorClient signs in to a demo backend and goes offline when the
backend stops; `--commands` notes are submitted meanwhile (they wait in the
outbox). The backend restarts on the same port and database, and the drain
is timed from the client's reconnection (and, shown too, from the backend
listening again) until the outbox is empty. The baseline is the same notes
sent one by one, each request waiting for its answer, while online.

    python bench/outbox_drain.py --commands 1000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from _report import emit_json, machine, row
from _servers import free_port, serve_demo

from api_client.client import FloorClient
from api_client.contract import Link
from api_client.tokens import MemoryTokenStore
from domain.commands import AddNote

NOTE = "player called back; told the payment is being traced"


def stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    proc.wait(15)


def online_one_by_one(url: str, count: int) -> float:
    with httpx.Client(timeout=30) as http:
        body = {"staff_id": "dm1", "pin": "3001", "terminal": "bench-online"}
        token = http.post(f"{url}/v1/session", json=body).json()["token"]
        http.headers["Authorization"] = f"Bearer {token}"
        started = time.perf_counter()
        for number in range(count):
            command = {"type": "add_note", "incident_id": 1 + number % 5, "text": NOTE}
            answer = http.post(
                f"{url}/v1/commands", json={"command_id": str(uuid.uuid4()), "command": command}
            )
            answer.raise_for_status()
        return time.perf_counter() - started


async def until(predicate, limit: float = 120.0) -> float:  # type: ignore[no-untyped-def]
    deadline = time.perf_counter() + limit
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError
        await asyncio.sleep(0.002)
    return time.perf_counter()


async def offline_drain(db: Path, port: int, data_dir: Path, count: int) -> tuple[float, float]:
    url = f"http://127.0.0.1:{port}"
    server = serve_demo(db, port)
    client = FloorClient(
        url,
        data_dir=data_dir,
        terminal="bench",
        token_store=MemoryTokenStore(),
        reconnect_delays=(0.05, 0.25),
    )
    try:
        await client.sign_in("dm1", "3001")
        await client.start()
        await until(lambda: client.status.link is Link.ONLINE)
        stop(server)
        await until(lambda: client.status.link is not Link.ONLINE)
        for number in range(count):
            await client.submit(AddNote(incident_id=1 + number % 5, text=NOTE))
        server = serve_demo(db, port)
        up = time.perf_counter()
        back = await until(lambda: client.status.link is Link.ONLINE)
        done = await until(lambda: not client.pending)
        return done - back, done - up
    finally:
        await client.close()
        stop(server)


def main(argv: list[str] | None = None) -> list[dict[str, object]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--commands", type=int, default=1000)
    options = parser.parse_args(argv)
    print(f"figure 9: outbox drain ({machine()}, {options.commands:,} commands)")
    with tempfile.TemporaryDirectory(prefix="floorline-bench-") as folder:
        port = free_port()
        server = serve_demo(Path(folder) / "online.db", port)
        try:
            online = online_one_by_one(f"http://127.0.0.1:{port}", options.commands)
        finally:
            stop(server)
        from_reconnect, from_up = asyncio.run(
            offline_drain(
                Path(folder) / "floor.db", free_port(), Path(folder) / "data", options.commands
            )
        )
    ok = from_reconnect <= 3 and from_reconnect <= online
    rows = [
        row("9 outbox drain after reconnect", from_reconnect, online, "s", "<= 3 s, <= online", ok),
        row("9 outbox drain from backend up", from_up, online, "s", "(for reference)", None),
    ]
    emit_json(rows)
    return rows


if __name__ == "__main__":
    main()
