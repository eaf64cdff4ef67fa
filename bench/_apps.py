"""The apps a benchmark runs in a child process on a pty (a real LinuxDriver).

    python bench/_apps.py floor --incidents 2000       FloorApp over a fixed floor
    python bench/_apps.py client --server URL --data-dir D --staff dm1 --token T
                                                       FloorApp over a real FloorClient
    python bench/_apps.py label-client ...             the same client into one label
    python bench/_apps.py timer                        the same 1 s timer, one label
    python bench/_apps.py empty                        an empty Textual app

With FLOORLINE_BENCH_TRACE=path the app records, for every timer tick, the time
from the tick's callback to the end of the next compositor write, and writes
them as JSON lines to `path` when it exits (SIGTERM).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.app import App, ComposeResult
from textual.widgets import Label

READY = "BENCH-READY"


class TickTrace:
    """Tick callback -> end of the following compositor write, per tick."""

    def __init__(self) -> None:
        self.pending: float | None = None
        self.samples: list[float] = []
        self.frames = 0
        self.timeline: list[tuple[str, float]] = []

    def ticked(self) -> None:
        self.timeline.append(("tick", time.perf_counter()))
        if self.pending is None:
            self.pending = time.perf_counter()

    def displayed(self) -> None:
        self.frames += 1
        self.timeline.append(("frame", time.perf_counter()))
        if self.pending is not None:
            self.samples.append(time.perf_counter() - self.pending)
            self.pending = None

    def dump(self) -> None:
        path = os.environ.get("FLOORLINE_BENCH_TRACE")
        if path:
            Path(path).write_text(
                json.dumps(
                    {
                        "tick_to_frame": self.samples,
                        "frames": self.frames,
                        "timeline": self.timeline[-200:],
                    }
                )
            )


TRACE = TickTrace()


def _exit_on_term(app: App[Any]) -> None:
    def stop(*_: object) -> None:
        TRACE.dump()
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)


class TimerApp(App[None]):
    """The baseline for the countdown: the same 1 s timer, one label, nothing else."""

    def compose(self) -> ComposeResult:
        yield Label(READY, id="clock")

    def on_mount(self) -> None:
        _exit_on_term(self)
        self.set_interval(1.0, self.tick, name="floor-tick")

    def tick(self) -> None:
        TRACE.ticked()
        self.query_one(Label).update(f"{READY} {time.time():.0f}")

    def _display(self, screen: Any, renderable: Any) -> None:
        super()._display(screen, renderable)
        if renderable is not None:
            TRACE.displayed()


class EmptyApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Label(READY)

    def on_mount(self) -> None:
        _exit_on_term(self)


class LabelClientApp(App[None]):
    """The baseline for event -> screen: the same sync client, one label per change."""

    def __init__(self, source: Any) -> None:
        super().__init__()
        self.source = source

    def compose(self) -> ComposeResult:
        yield Label(READY, id="last")

    def on_mount(self) -> None:
        _exit_on_term(self)
        self.run_worker(self._sync(), exclusive=True)

    async def _sync(self) -> None:
        feed = self.source.changes()
        await self.source.start()
        async for changes in feed:
            incidents = self.source.state.incidents
            if changes.incidents:
                newest = incidents.get(max(changes.incidents))
                if newest is not None:
                    self.query_one(Label).update(f"{READY} {newest.player.reference}")


class BenchFloor:
    """A FloorSource over a fixed floor, on the wall clock (countdowns move)."""

    def __init__(self, state: Any, staff_id: str = "dm1") -> None:
        from api_client.contract import ConnectionStatus, Link

        self.state = state
        self.me = state.staff[staff_id]
        self.status = ConnectionStatus(Link.ONLINE)
        self.pending: tuple[Any, ...] = ()
        self.conflicts: tuple[Any, ...] = ()
        self.approximate = False
        self.clock_suspect = False
        self.clock_offset = 0.0
        self.token_warning: str | None = None
        self._closed = asyncio.Event()
        self._view: Any = None

    @property
    def view(self) -> Any:
        """The one `FloorView` of a floor that never changes (what the app reads)."""
        if self._view is None:
            from api_client.contract import FloorView

            self._view = FloorView(
                state=self.state,
                confirmed=self.state,
                me=self.me,
                status=self.status,
                approximate=False,
            )
        return self._view

    def now(self) -> float:
        return time.time()

    async def sign_in(self, staff_id: str, pin: str) -> Any:
        return self.me

    async def sign_out(self) -> None:
        return None

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        self._closed.set()

    async def submit(self, command: Any) -> Any:
        raise RuntimeError("a fixed floor takes no commands")

    async def dismiss(self, command_id: str) -> None:
        return None

    async def metrics_board(self, window: Any, **_filters: Any) -> Any:
        raise RuntimeError("a fixed floor has no server to compute metrics")

    async def digest(self, month: str) -> Any:
        raise RuntimeError("a fixed floor has no server to compute a digest")

    async def changes(self, *, paced: bool = False) -> AsyncIterator[Any]:
        await self._closed.wait()
        return
        yield


def floor_app_class() -> type[Any]:
    from tui.app import FloorApp

    class BenchFloorApp(FloorApp):
        def on_mount(self) -> None:
            # Textual calls FloorApp.on_mount too (handlers run up the class tree)
            _exit_on_term(self)

        def tick(self) -> None:
            TRACE.ticked()
            super().tick()

        def _display(self, screen: Any, renderable: Any) -> None:
            super()._display(screen, renderable)
            if renderable is not None:
                TRACE.displayed()

    return BenchFloorApp


def _config(folder: str) -> Any:
    from tui.config import load_config

    return load_config(Path(folder))


def _client(options: argparse.Namespace) -> Any:
    from api_client.client import FloorClient
    from api_client.tokens import MemoryTokenStore, account_for

    tokens = MemoryTokenStore()
    tokens.put(account_for(options.staff, options.server), options.token)
    return FloorClient(
        options.server,
        data_dir=Path(options.data_dir),
        terminal="bench",
        token_store=tokens,
        reconnect_delays=(0.2, 1.0),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("floor", "client", "label-client", "timer", "empty"))
    parser.add_argument("--incidents", type=int, default=2000)
    parser.add_argument("--server", default="")
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--staff", default="dm1")
    parser.add_argument("--token", default="")
    parser.add_argument("--config-dir", default="")
    options = parser.parse_args()
    for name in ("SERVER_URL", "THEME", "AUTO_LOCK_SECONDS", "LAST_STAFF_ID", "KEYMAP"):
        os.environ.pop(f"FLOORLINE_{name}", None)
    app: App[Any]
    if options.mode == "timer":
        app = TimerApp()
    elif options.mode == "empty":
        app = EmptyApp()
    elif options.mode == "label-client":
        source = _client(options)

        async def restore_then_run() -> None:
            await source.restore(options.staff)
            await LabelClientApp(source).run_async()

        asyncio.run(restore_then_run())
        return
    else:
        common = {
            "config": _config(options.config_dir),
            "theme": "floor",
            "auto_lock_seconds": 0,
            "server_url": options.server or "http://floor.bench:8765",
            "remember_server": False,
        }
        if options.mode == "floor":
            from _floorgen import floor_state

            state = floor_state(options.incidents)
            app = floor_app_class()(BenchFloor(state, options.staff), **common)
        else:
            app = floor_app_class()(
                source_factory=lambda _url: _client(options), staff_id=options.staff, **common
            )
    app.run()


if __name__ == "__main__":
    main()
