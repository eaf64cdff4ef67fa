"""Starting the product backend and the baseline server for a benchmark run."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Product:
    proc: subprocess.Popen[str]
    url: str
    token: str
    folder: tempfile.TemporaryDirectory[str]

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://") + "/v1/live"

    def head(self) -> int:
        body = httpx.get(f"{self.url}/v1/snapshot", headers=self.headers, timeout=30).json()
        return int(body["seq"])

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "X-Floorline-Terminal": "bench"}

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.folder.cleanup()


def serve_demo(db: Path | str, port: int) -> subprocess.Popen[str]:
    """A demo backend on `db` (a SQLite file, or a database URL) at `port`, once it listens."""
    db_url = db if isinstance(db, str) else f"sqlite:///{db}"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "backend",
            "serve",
            "--demo",
            "--port",
            str(port),
            "--db",
            db_url,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("floorline backend listening on"):
            break
    else:
        raise RuntimeError("the backend did not start")
    # keep draining stdout so the server never blocks on a full pipe
    threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()  # type: ignore[union-attr]
    return proc


def start_product(staff: str = "dm1", pin: str = "3001") -> Product:
    folder = tempfile.TemporaryDirectory(prefix="floorline-bench-")
    port = free_port()
    proc = serve_demo(Path(folder.name) / "floor.db", port)
    url = f"http://127.0.0.1:{port}"
    body = httpx.post(
        f"{url}/v1/session", json={"staff_id": staff, "pin": pin, "terminal": "bench"}, timeout=30
    ).json()
    return Product(proc=proc, url=url, token=body["token"], folder=folder)


def note_command(incident_id: int, text: str) -> dict[str, Any]:
    return {
        "command_id": str(uuid.uuid4()),
        "command": {"type": "add_note", "incident_id": incident_id, "text": text},
    }


def start_bare(
    port: int,
    clients: int,
    event_file: str,
    rate: float,
    count: int,
    burst: bool = False,
    per_frame: int = 1,
) -> subprocess.Popen[str]:
    args = [
        sys.executable,
        str(BENCH / "bare_broadcast.py"),
        "--port",
        str(port),
        "--clients",
        str(clients),
        "--event-file",
        event_file,
        "--rate",
        str(rate),
        "--count",
        str(count),
        "--per-frame",
        str(per_frame),
    ]
    if burst:
        args.append("--burst")
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    json.loads(proc.stdout.readline())  # {"listening": port}
    return proc


def spawn_swarms(
    url: str, token: str, clients: int, procs: int, expect: int, timeout: float
) -> list[subprocess.Popen[str]]:
    swarms = []
    per = [clients // procs + (1 if i < clients % procs else 0) for i in range(procs)]
    for count in per:
        if count == 0:
            continue
        swarms.append(
            subprocess.Popen(
                [
                    sys.executable,
                    str(BENCH / "swarm.py"),
                    "--url",
                    url,
                    "--token",
                    token,
                    "--connections",
                    str(count),
                    "--expect",
                    str(expect),
                    "--timeout",
                    str(timeout),
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        )
    for swarm in swarms:
        assert swarm.stdout is not None
        line = swarm.stdout.readline().strip()
        if line != "ready":
            raise RuntimeError(f"a client process failed to connect: {line!r}")
    return swarms


def collect(swarms: list[subprocess.Popen[str]]) -> dict[str, Any]:
    """Every client process's figures, once each has all its events (sockets still open)."""
    merged: dict[str, Any] = {
        "latencies": [],
        "finished": [],
        "complete": 0,
        "errors": 0,
        "incomplete": 0,
        "cpu": 0.0,
    }
    for swarm in swarms:
        assert swarm.stdout is not None
        result = json.loads(swarm.stdout.readline())
        merged["latencies"] += result["latencies"]
        merged["finished"] += result["finished"]
        for key in ("complete", "errors", "incomplete", "cpu"):
            merged[key] += result[key]
    return merged


def release(swarms: list[subprocess.Popen[str]]) -> None:
    """Let the client processes close their sockets and exit."""
    for swarm in swarms:
        assert swarm.stdin is not None
        swarm.stdin.close()
    for swarm in swarms:
        try:
            swarm.wait(30)
        except subprocess.TimeoutExpired:
            swarm.kill()


def wait_for(predicate: Callable[[], object], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError
        time.sleep(0.05)
