"""A private backend for a terminal with no server configured (demo / single-user use).

Runs `python -m backend serve --demo --upgrade` as a child process on a
database in the terminal's data folder and waits for its listening line. It
migrates its own file to the installed version's schema (a terminal user has
nobody to run `floorline db upgrade`), keeping a copy of the file as it was.

The terminal's replica, outbox and stored sign-in are kept per server
address, so the backend listens on the same port from one start to the next
(remembered in the data folder; a free one is picked only when that is
taken). If it dies while the terminal runs, it is started again on that port,
and the terminal reconnects and sends what it queued meanwhile.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

LISTENING = re.compile(r"^floorline backend listening on (https?://\S+)")
DEMO_PIN = re.compile(r"^\s+(?P<staff>\S+)\s+.*\bPIN\s+(?P<pin>\S+)\s*$")
START_TIMEOUT = 20.0
PORT_FILE = "port"
# waits before restarting a backend that died; back to the first once one has run a while
RESTART_DELAYS = (0.5, 1.0, 2.0, 5.0, 10.0)
STEADY_AFTER = 60.0


class EmbeddedBackendError(RuntimeError):
    """The embedded backend could not be started; the message says why."""


@dataclass
class _Launched:
    process: subprocess.Popen[str]
    url: str
    pins: dict[str, str]


@dataclass
class EmbeddedBackend:
    data_dir: Path
    timeout: float = START_TIMEOUT
    url: str = ""
    pins: dict[str, str] = field(default_factory=dict)
    output: list[str] = field(default_factory=list)
    restarts: int = 0
    process: subprocess.Popen[str] | None = None
    _stopping: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        """Start on the remembered port, or a free one; then watch over it."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        remembered = self._remembered_port()
        try:
            launched = self._launch(remembered or 0)
        except EmbeddedBackendError:
            if not remembered:
                raise
            launched = self._launch(0)  # the remembered port is taken
        self.process, self.url, self.pins = launched.process, launched.url, launched.pins
        (self.data_dir / PORT_FILE).write_text(f"{_port_of(self.url)}\n")
        threading.Thread(target=self._supervise, daemon=True, name="embedded-watch").start()

    def stop(self, timeout: float = 10.0) -> None:
        with self._lock:
            self._stopping.set()
            process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def _supervise(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            process = self.process
            assert process is not None
            started = time.monotonic()
            process.wait()
            if time.monotonic() - started >= STEADY_AFTER:
                failures = 0
            while not self._stopping.wait(RESTART_DELAYS[min(failures, len(RESTART_DELAYS) - 1)]):
                failures += 1
                try:
                    launched = self._launch(_port_of(self.url))
                except EmbeddedBackendError as exc:
                    self.output.append(f"restart failed: {exc}")
                    continue
                with self._lock:
                    if self._stopping.is_set():
                        _kill(launched.process)
                        return
                    self.process = launched.process
                    self.restarts += 1
                break

    def _remembered_port(self) -> int | None:
        with contextlib.suppress(OSError, ValueError):
            port = int((self.data_dir / PORT_FILE).read_text().strip())
            if 0 < port < 65536:
                return port
        return None

    def _launch(self, port: int) -> _Launched:
        db = self.data_dir / "embedded.db"
        # -P: the installed floorline, never a `backend` package in the directory it runs from
        command = [sys.executable, "-P", "-m", "backend", "serve", "--demo", "--upgrade"]
        command += ["--port", str(port), "--db", f"sqlite:///{db}"]
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        errors: list[str] = []
        pins: dict[str, str] = {}
        found: list[str] = []
        ready = threading.Event()

        def read_stdout() -> None:
            assert process.stdout is not None
            for line in process.stdout:  # keep draining so the child never blocks on a full pipe
                self.output.append(line.rstrip("\n"))
                del self.output[:-500]
                if pin := DEMO_PIN.match(line):
                    pins[pin["staff"]] = pin["pin"]
                if listening := LISTENING.match(line):
                    found.append(listening[1])
                    ready.set()
            ready.set()

        def read_stderr() -> None:
            assert process.stderr is not None
            for line in process.stderr:
                errors.append(line.rstrip("\n"))
                del errors[:-50]

        threading.Thread(target=read_stdout, daemon=True, name="embedded-stdout").start()
        threading.Thread(target=read_stderr, daemon=True, name="embedded-stderr").start()
        ready.wait(self.timeout)
        if not found:
            exited = ready.is_set()  # set without a listening line: its output ended
            _kill(process)
            why = "it exited" if exited else f"no answer within {self.timeout:.0f} s"
            detail = "\n".join(errors[-10:])
            raise EmbeddedBackendError(
                f"the built-in backend did not start ({why}).\n{detail}".strip()
            )
        return _Launched(process, found[0], pins)


def start_embedded(data_dir: Path, *, timeout: float = START_TIMEOUT) -> EmbeddedBackend:
    backend = EmbeddedBackend(data_dir, timeout=timeout)
    backend.start()
    return backend


def _port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1].split("/", 1)[0])


def _kill(process: subprocess.Popen[str]) -> None:
    with contextlib.suppress(Exception):
        process.kill()
        process.wait(timeout=5)
