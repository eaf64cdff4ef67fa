"""The built-in backend a terminal runs when no server is configured.

Real child processes: they are killed with SIGKILL, their port is taken by
another program, and a real FloorClient works through it.
"""

from __future__ import annotations

import os
import signal
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from api_client import FloorClient, Link, MemoryTokenStore
from backend.embedded import EmbeddedBackend, start_embedded
from domain import commands as c

from .helpers import make_client, online, until


@pytest.fixture
def started() -> Iterator[list[EmbeddedBackend]]:
    backends: list[EmbeddedBackend] = []
    yield backends
    for backend in backends:
        backend.stop()


def start(folder: Path, started: list[EmbeddedBackend]) -> EmbeddedBackend:
    backend = start_embedded(folder)
    started.append(backend)
    return backend


def notes(client: FloorClient, incident_id: int, text: str) -> int:
    """How many times `text` is on the incident's confirmed timeline."""
    incident = client.confirmed.incidents.get(incident_id)
    return [e.text for e in incident.timeline].count(text) if incident else 0


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


async def test_it_comes_back_on_the_same_address_after_a_restart(
    tmp_path: Path, started: list[EmbeddedBackend]
) -> None:
    first = start(tmp_path, started)
    url = first.url
    first.stop()
    again = start(tmp_path, started)
    assert again.url == url  # the terminal's replica, outbox and sign-in stay valid


async def test_a_taken_port_moves_it_to_a_free_one(
    tmp_path: Path, started: list[EmbeddedBackend]
) -> None:
    first = start(tmp_path, started)
    first.stop()
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", port_of(first.url)))
        squatter.listen()
        moved = start(tmp_path, started)
        assert moved.running and moved.url != first.url
    moved.stop()
    assert start(tmp_path, started).url == moved.url  # the new port is the one remembered


async def test_work_queued_while_it_was_killed_is_sent_once_it_is_back(
    tmp_path: Path, started: list[EmbeddedBackend]
) -> None:
    backend = start(tmp_path / "embedded", started)
    pin = backend.pins["h1"]
    tokens = MemoryTokenStore()
    client = make_client(backend.url, tmp_path, replica_name="embedded", token_store=tokens)
    await client.sign_in("h1", pin)
    await client.start()
    await online(client)
    target = min(client.state.incidents)

    os.kill(backend.process.pid, signal.SIGKILL)  # type: ignore[union-attr]
    await until(client, lambda: client.status.link is not Link.ONLINE, what="the link lost")
    await client.submit(c.AddNote(incident_id=target, text="queued while it was down"))
    assert len(client.pending) == 1

    # brought back on its own, on the same address: the terminal reconnects and sends
    await until(client, lambda: not client.pending, within=30, what="the outbox to drain")
    assert backend.restarts == 1 and backend.running
    await until(client, lambda: notes(client, target, "queued while it was down") == 1)
    assert not client.conflicts
    await client.close()


async def test_the_outbox_outlives_a_move_to_another_port(
    tmp_path: Path, started: list[EmbeddedBackend]
) -> None:
    """The terminal quits with work queued; next time the port is taken."""
    backend = start(tmp_path / "embedded", started)
    pin = backend.pins["h1"]
    client = make_client(backend.url, tmp_path, replica_name="embedded")
    await client.sign_in("h1", pin)
    await client.start()
    await online(client)
    target = min(client.state.incidents)
    backend.stop()
    await client.submit(c.AddNote(incident_id=target, text="queued before quitting"))
    await client.close()

    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", port_of(backend.url)))
        squatter.listen()
        moved = start(tmp_path / "embedded", started)
    assert moved.url != backend.url
    again = make_client(moved.url, tmp_path, replica_name="embedded")
    await again.sign_in("h1", pin)
    assert len(again.pending) == 1  # still queued, under the new address
    await again.start()
    await until(again, lambda: not again.pending, within=30, what="the outbox to drain")
    await until(again, lambda: notes(again, target, "queued before quitting") == 1)
    assert not again.conflicts
    await again.close()


async def test_it_starts_from_a_directory_holding_another_backend_package(
    tmp_path: Path, started: list[EmbeddedBackend], monkeypatch: pytest.MonkeyPatch
) -> None:
    # floorline run from a folder that happens to hold some other `backend` package
    other = tmp_path / "work" / "backend"
    other.mkdir(parents=True)
    (other / "__init__.py").write_text("")
    (other / "__main__.py").write_text("raise SystemExit('not floorline')\n")
    monkeypatch.chdir(other.parent)
    backend = start(tmp_path / "data", started)
    client = make_client(backend.url, tmp_path / "client")
    try:
        await client.sign_in("pb2", backend.pins["pb2"])
        await client.start()
        await online(client)
    finally:
        await client.close()
