"""Small, honest tools for talking to a real backend from the reliability cases.

Raw sockets on purpose where a library would be too polite: a peer that did
the websocket handshake and then stops reading (or stops answering pings) is
exactly what the server has to survive.
"""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from tests.conftest import BackendProcess


def sign_in(server: BackendProcess, staff_id: str) -> str:
    """A fresh bearer token for a demo staff member."""
    answer = httpx.post(
        server.url + "/v1/session",
        json={"staff_id": staff_id, "pin": server.pins[staff_id], "terminal": f"rel-{staff_id}"},
        timeout=20,
    )
    answer.raise_for_status()
    return str(answer.json()["token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def server_errors(server: BackendProcess, *, expected: tuple[str, ...] = ()) -> list[str]:
    """Tracebacks and 'unexpected error' lines in the server's log, each with the line
    before it (what was being done); those whose context contains one of `expected`
    (a client fault the server reports on purpose) are left out."""
    text = server.log_path.read_text(errors="replace") if server.log_path.exists() else ""
    lines = text.splitlines()
    found = []
    for i, line in enumerate(lines):
        if "Traceback" in line or "unexpected error" in line or "Exception in ASGI" in line:
            context = f"{lines[i - 1] if i else ''} | {line}"
            if not any(words in context for words in expected):
                found.append(context)
    return found


def rss_kib(pid: int) -> int:
    """Resident memory of a process (Linux), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def handshake(host: str, port: int, token: str, after: int) -> bytes:
    key = base64.b64encode(os.urandom(16)).decode()
    return (
        f"GET /v1/live?after={after} HTTP/1.1\r\n"
        f"Host: {host}:{port}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        f"Authorization: Bearer {token}\r\n\r\n"
    ).encode()


async def open_raw_live(
    url: str, token: str, *, after: int = 0
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, bytes]:
    """The asyncio twin of `raw_live_socket`: (reader, writer, bytes past the headers)."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(handshake(host, port, token, after))
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    if not head.startswith(b"HTTP/1.1 101"):
        writer.close()
        raise ConnectionError(f"no websocket upgrade: {head!r}")
    return reader, writer, b""


def raw_live_socket(
    url: str, token: str, *, after: int = 0, rcvbuf: int | None = None, timeout: float = 10.0
) -> tuple[socket.socket, bytes]:
    """Open /v1/live by hand and return the socket plus any bytes read past the headers.

    `rcvbuf` shrinks the kernel's receive buffer (before connecting, so the
    window is small from the start): a peer that then never reads fills up fast.
    """
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.settimeout(timeout)
    sock.connect((host, port))
    sock.sendall(handshake(host, port, token, after))
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError(f"the server hung up during the handshake: {received!r}")
        received += chunk
    head, _, rest = received.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 101"):
        raise ConnectionError(f"no websocket upgrade: {head!r}")
    return sock, rest


def read_until_closed(sock: socket.socket, within: float) -> tuple[float | None, bytes]:
    """Read (never write: no pong) until the server ends the connection.

    Returns seconds until EOF/reset (None if still open after `within`) and the bytes seen.
    """
    started = time.monotonic()
    seen = bytearray()
    while (left := within - (time.monotonic() - started)) > 0:
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            break
        except OSError:  # reset by the server: closed too
            return time.monotonic() - started, bytes(seen)
        if not chunk:
            return time.monotonic() - started, bytes(seen)
        seen += chunk
    return None, bytes(seen)


def server_frames(stream: bytes) -> list[tuple[int, bytes]]:
    """The complete (opcode, payload) frames in a server-to-client byte stream."""
    frames: list[tuple[int, bytes]] = []
    i = 0
    while i + 2 <= len(stream):
        opcode = stream[i] & 0x0F
        length = stream[i + 1] & 0x7F
        j = i + 2
        if length == 126:
            length = int.from_bytes(stream[j : j + 2], "big")
            j += 2
        elif length == 127:
            length = int.from_bytes(stream[j : j + 8], "big")
            j += 8
        if j + length > len(stream):
            break
        frames.append((opcode, stream[j : j + length]))
        i = j + length
    return frames


def close_code(stream: bytes) -> int | None:
    """The status code of the first close frame in a server-to-client byte stream."""
    for opcode, payload in server_frames(stream):
        if opcode == 0x8:
            return int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
    return None


def mask_frame(opcode: int, payload: bytes, *, fin: bool = True) -> bytes:
    """One client-to-server frame (clients must mask)."""
    head = bytearray([(0x80 if fin else 0) | opcode])
    n = len(payload)
    if n < 126:
        head.append(0x80 | n)
    elif n < 2**16:
        head.append(0x80 | 126)
        head += n.to_bytes(2, "big")
    else:
        head.append(0x80 | 127)
        head += n.to_bytes(8, "big")
    mask = os.urandom(4)
    head += mask
    return bytes(head) + bytes(b ^ mask[k % 4] for k, b in enumerate(payload))
