"""A private backend for a terminal with no server configured (demo / single-user use).

Runs `python -m backend serve --demo --port 0` as a child process on a
database in the terminal's data folder and waits for its listening line.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

LISTENING = re.compile(r"^floorline backend listening on (https?://\S+)")
DEMO_PIN = re.compile(r"^\s+(?P<staff>\S+)\s+.*\bPIN\s+(?P<pin>\S+)\s*$")
START_TIMEOUT = 20.0


class EmbeddedBackendError(RuntimeError):
    """The embedded backend could not be started; the message says why."""


@dataclass
class EmbeddedBackend:
    url: str
    pins: dict[str, str]
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    @property
    def running(self) -> bool:
        return self.process.poll() is None


def start_embedded(data_dir: Path, *, timeout: float = START_TIMEOUT) -> EmbeddedBackend:
    data_dir.mkdir(parents=True, exist_ok=True)
    db = data_dir / "embedded.db"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "backend",
            "serve",
            "--demo",
            "--port",
            "0",
            "--db",
            f"sqlite:///{db}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    lines: list[str] = []
    errors: list[str] = []
    pins: dict[str, str] = {}
    found: list[str] = []
    ready = threading.Event()

    def read_stdout() -> None:
        assert process.stdout is not None
        for line in process.stdout:  # keep draining so the child never blocks on a full pipe
            lines.append(line.rstrip("\n"))
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
    ready.wait(timeout)
    if not found:
        with contextlib.suppress(Exception):
            process.kill()
            process.wait(timeout=5)
        why = "it exited" if process.poll() is not None else f"no answer within {timeout:.0f} s"
        detail = "\n".join(errors[-10:])
        raise EmbeddedBackendError(f"the built-in backend did not start ({why}).\n{detail}".strip())
    return EmbeddedBackend(url=found[0], pins=pins, process=process, output=lines)
