"""Run an app in a child process on a pseudo-terminal and watch what it writes.

A reader thread timestamps every chunk the app writes. It answers Textual's
query for synchronized output, so each frame arrives between `SYNC_START` and
`SYNC_END` and can be told apart and timed (as a terminal such as kitty or
WezTerm would let it).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SYNC_QUERY = b"\x1b[?2026$p"
SYNC_REPLY = b"\x1b[?2026;2$y"
SYNC_START = b"\x1b[?2026h"
SYNC_END = b"\x1b[?2026l"


@dataclass
class Frame:
    at: float  # perf_counter when its last byte arrived
    data: bytes


@dataclass
class PtyApp:
    proc: subprocess.Popen[bytes]
    master: int
    started: float
    chunks: list[tuple[float, bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def pid(self) -> int:
        return self.proc.pid

    # --- reading ------------------------------------------------------------------

    def _read(self) -> None:
        pending = b""
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            now = time.perf_counter()
            pending = (pending + data)[-16:]
            if SYNC_QUERY in pending or SYNC_QUERY in data:
                os.write(self.master, SYNC_REPLY)
                pending = b""
            with self.lock:
                self.chunks.append((now, data))

    def output(self, since: float = 0.0) -> bytes:
        with self.lock:
            return b"".join(d for t, d in self.chunks if t >= since)

    def frames(self, since: float = 0.0) -> list[Frame]:
        """Complete frames whose last byte arrived at or after `since`."""
        with self.lock:
            chunks = list(self.chunks)
        frames: list[Frame] = []
        buffer = b""
        for at, data in chunks:
            buffer += data
            while True:
                start = buffer.find(SYNC_START)
                end = buffer.find(SYNC_END, start + 1) if start >= 0 else -1
                if start < 0 or end < 0:
                    break
                if at >= since:
                    frames.append(Frame(at, buffer[start : end + len(SYNC_END)]))
                buffer = buffer[end + len(SYNC_END) :]
        return frames

    def wait_for(self, text: bytes, since: float = 0.0, timeout: float = 30.0) -> float:
        """When `text` first arrived after `since` (perf_counter); raises on timeout."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            with self.lock:
                chunks = [(t, d) for t, d in self.chunks if t >= since]
            joined = b""
            for at, data in chunks:
                joined += data
                if text in joined:
                    return at
            if self.proc.poll() is not None:
                raise RuntimeError(f"the app exited ({self.proc.returncode})")
            time.sleep(0.002)
        raise TimeoutError(f"{text!r} not shown in {timeout:.0f} s")

    # --- driving ------------------------------------------------------------------

    def send(self, keys: bytes) -> float:
        at = time.perf_counter()
        os.write(self.master, keys)
        return at

    def resize(self, columns: int, rows: int) -> None:
        fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        os.kill(self.proc.pid, signal.SIGWINCH)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        with contextlib.suppress(OSError):
            os.close(self.master)


def start(
    args: list[str],
    *,
    columns: int = 120,
    rows: int = 40,
    env: dict[str, str] | None = None,
    script: Path = BENCH / "_apps.py",
) -> PtyApp:
    """Start `python script *args` on a fresh pty of `columns` x `rows`."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    child_env = {
        **os.environ,
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "COLUMNS": str(columns),
        "LINES": str(rows),
        **(env or {}),
    }
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(script), *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,  # Textual's driver writes to stderr
        env=child_env,
        start_new_session=True,
        close_fds=True,
    )
    os.close(slave)
    app = PtyApp(proc, master, started)
    threading.Thread(target=app._read, daemon=True).start()
    return app
