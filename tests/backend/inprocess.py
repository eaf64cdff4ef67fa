"""The backend served by uvicorn inside the test's event loop, with a clock the test moves."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import uvicorn

from backend.app import create_app
from backend.config import ServerConfig
from backend.context import Backend


class FakeClock:
    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = asyncio.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        self.ready.set()


@dataclass
class RunningServer:
    url: str
    backend: Backend


@asynccontextmanager
async def serve_in_process(config: ServerConfig) -> AsyncIterator[RunningServer]:
    config.tick_interval = None  # the test ticks the scheduler itself
    app = create_app(config, say=lambda _line: None)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = _Server(
        uvicorn.Config(app, log_level="warning", ws_per_message_deflate=False, lifespan="on")
    )
    task = asyncio.create_task(server.serve(sockets=[sock]))
    ready = asyncio.create_task(server.ready.wait())
    await asyncio.wait({task, ready}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
    if not server.ready.is_set():
        ready.cancel()
        await task  # surfaces the startup error
        raise RuntimeError("the in-process backend did not start")
    try:
        yield RunningServer(url=f"http://127.0.0.1:{port}", backend=app.state.backend)
    finally:
        server.should_exit = True
        await task
        sock.close()
