"""Shared fixtures: a real floorline backend in a subprocess on a loopback port.

`backend` is a demo floor on a fresh SQLite file; `backend_factory` makes more
(another policy, a short retained log, a PostgreSQL URL). The port is chosen
once per process object and kept across `kill()`/`start()`, so a client that
reconnects finds the same server again, as it would after a real crash.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import pytest

ROOT = Path(__file__).resolve().parent.parent
LISTENING = re.compile(r"^floorline backend listening on (https?://\S+)")
DEMO_PIN = re.compile(r"^\s+(?P<staff>\S+)\s+.*\bPIN\s+(?P<pin>\S+)\s*$")
START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class BackendProcess:
    """One backend server: same port and database across restarts."""

    url: str
    db_url: str
    pins: dict[str, str]
    args: list[str]
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[str] | None = None
    output: list[str] = field(default_factory=list)

    def start(self) -> None:
        """(Re)start the server; returns once it prints its listening line."""
        if self.proc is not None and self.proc.poll() is None:
            raise RuntimeError("the backend is already running")
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.env}
        with self.log_path.open("a") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "backend", "serve", *self.args],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        listening = threading.Event()
        lines: list[str] = []
        self.output = lines
        proc = self.proc

        def read() -> None:
            # keep draining stdout for the life of the process so it never blocks
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.append(line.rstrip("\n"))
                pin = DEMO_PIN.match(line)
                if pin:
                    self.pins[pin["staff"]] = pin["pin"]
                if LISTENING.match(line):
                    listening.set()
            listening.set()  # the process ended: stop waiting

        threading.Thread(target=read, daemon=True).start()
        if not listening.wait(START_TIMEOUT) or proc.poll() is not None:
            self.kill()
            raise RuntimeError(
                "the backend did not start:\n"
                + "\n".join(lines)
                + "\n"
                + self.log_path.read_text(errors="replace")[-4000:]
            )

    def stop(self) -> None:
        """SIGTERM, then wait for a clean exit."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)

    def kill(self) -> None:
        """SIGKILL: a real crash, nothing flushed on the way out."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.kill()
        self.proc.wait(timeout=5)

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


BackendFactory = Callable[..., BackendProcess]


def launch_backend(
    folder: Path,
    *,
    demo: bool = True,
    policy_toml: str | None = None,
    retain_events: int | None = None,
    db_url: str | None = None,
    token_ttl: float | None = None,
    extra_args: Sequence[str] = (),
    env: dict[str, str] | None = None,
) -> BackendProcess:
    """Start a backend whose files live in `folder`; the caller stops it."""
    db = db_url or f"sqlite:///{folder / 'floor.db'}"
    port = free_port()
    args = ["--db", db, "--port", str(port), "--host", "127.0.0.1"]
    if demo:
        args.append("--demo")
    if policy_toml is not None:
        policy = folder / "policy.toml"
        policy.write_text(policy_toml)
        args += ["--policy", str(policy)]
    if retain_events is not None:
        args += ["--retain-events", str(retain_events)]
    if token_ttl is not None:
        args += ["--token-ttl", str(token_ttl)]
    args += list(extra_args)
    server = BackendProcess(
        url=f"http://127.0.0.1:{port}",
        db_url=db,
        pins={},
        args=args,
        log_path=folder / "server.log",
        env=dict(env or {}),
    )
    server.start()
    return server


@pytest.fixture
def backend_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackendFactory]:
    made: list[BackendProcess] = []

    def make(**options: object) -> BackendProcess:
        server = launch_backend(tmp_path_factory.mktemp("backend"), **options)  # type: ignore[arg-type]
        made.append(server)
        return server

    yield make
    for server in made:
        server.stop()


@pytest.fixture
def backend(backend_factory: BackendFactory) -> BackendProcess:
    return backend_factory()


PG_URL = os.environ.get("FLOORLINE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    """A fresh schema per test, dropped afterwards."""
    try:
        conn = await asyncpg.connect(PG_URL, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        if os.environ.get("FLOORLINE_REQUIRE_PG"):
            pytest.fail(f"PostgreSQL is required here but not reachable at {PG_URL}: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {exc}")
    schema = f"fl_{secrets.token_hex(6)}"
    await conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_URL}?search_path={schema}"
    finally:
        await conn.execute(f"DROP SCHEMA {schema} CASCADE")
        await conn.close()
