"""How one backend process is configured: where its data lives, how it listens, its policy."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_data_dir

from domain.policy import Policy

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
DEFAULT_TOKEN_TTL = 12 * 3600.0
DEFAULT_RETAIN_EVENTS = 100_000
SNAPSHOT_EVERY = 1000
DEFAULT_WS_PING_INTERVAL = 10.0
DEFAULT_WS_PING_TIMEOUT = 10.0


def default_db_url() -> str:
    folder = Path(user_data_dir("floorline"))
    return f"sqlite:///{folder / 'server.db'}"


@dataclass
class ServerConfig:
    db_url: str = field(default_factory=default_db_url)
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    policy: Policy = field(default_factory=Policy)
    demo: bool = False
    certfile: str | None = None
    keyfile: str | None = None
    insecure: bool = False
    token_ttl: float = DEFAULT_TOKEN_TTL
    retain_events: int = DEFAULT_RETAIN_EVENTS
    # a state snapshot is stored every this many events (never fewer than the
    # retained log needs, so pruning never removes an event a restart needs)
    snapshot_every: int = SNAPSHOT_EVERY
    # seconds between scheduler ticks; None turns the background loop off
    # (tests then call `tick(now)` themselves)
    tick_interval: float | None = 1.0
    # seconds between polls of the event log for rows other processes wrote
    poll_interval: float = 2.0
    # frames a live connection may have waiting before it counts as too slow
    send_queue_frames: int = 2000
    # ...or bytes: a few big frames (a batch of long notes) count as much as many small ones
    send_queue_bytes: int = 4 * 2**20
    # websocket keepalive: a peer that has not answered a ping within
    # interval + timeout is dead (pulled cable, suspended laptop) and is closed
    ws_ping_interval: float = DEFAULT_WS_PING_INTERVAL
    ws_ping_timeout: float = DEFAULT_WS_PING_TIMEOUT
    clock: Callable[[], float] = time.time

    @property
    def snapshot_interval(self) -> int:
        return max(1, min(self.snapshot_every, self.retain_events // 2 or 1))

    @property
    def scheme(self) -> str:
        return "https" if self.certfile else "http"
