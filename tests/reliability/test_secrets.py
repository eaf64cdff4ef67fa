"""Secrets and personal data at rest: after a shift's worth of work, nothing sits in a file.

A terminal signs in, works online and offline with notes that carry a full
card number (as staff paste them), then signs out; the server is stopped.
Every file either side wrote (databases with their WAL and journal files,
logs, the client's data folder) is read as raw bytes and searched for the
session token, the PIN and the card number in every usual spelling. Stored
PIN hashes must be argon2, and repeated wrong PINs must be slowed.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher

from api_client import Link
from domain import commands as c
from domain.models import Channel, IncidentKind, Location, Player, Priority
from tests.api_client.helpers import make_client, matches_server, online, until
from tests.conftest import BackendFactory, BackendProcess
from tests.reliability.conftest import Figure

CARD = "4111 1111 1111 1111"
CARD_SPELLINGS = [CARD, CARD.replace(" ", ""), CARD.replace(" ", "-")]
STAFF = "dm1"


def needles(token: str, pin: str) -> dict[str, re.Pattern[bytes]]:
    """What must not be found, in UTF-8 and in SQLite's UTF-16 text."""
    found: dict[str, re.Pattern[bytes]] = {"session token": re.compile(re.escape(token.encode()))}
    for n, spelling in enumerate(CARD_SPELLINGS):
        for codec in ("utf-8", "utf-16-le"):
            found[f"card number {n} ({codec})"] = re.compile(re.escape(spelling.encode(codec)))
    # a 4-digit PIN is a common substring: look for it as a whole value
    found["PIN"] = re.compile(rb"(?<![0-9A-Za-z.\-_])" + pin.encode() + rb"(?![0-9])")
    return found


def files_under(*folders: Path) -> list[Path]:
    return sorted(p for folder in folders for p in folder.rglob("*") if p.is_file())


def search(files: list[Path], patterns: dict[str, re.Pattern[bytes]]) -> list[str]:
    hits = []
    for path in files:
        data = path.read_bytes()
        for name, pattern in patterns.items():
            for match in pattern.finditer(data):
                context = data[max(0, match.start() - 40) : match.end() + 40]
                hits.append(f"{name} in {path.name}: {context!r}")
    return hits


async def a_shift(
    server: BackendProcess, client_dir: Path, during: Callable[[str], None] | None = None
) -> str:
    """Sign in, work online and offline with card numbers in the text, sign out.

    `during(token)` runs once the outbox has drained, with the terminal still running
    (its SQLite WAL files still there, as after a crash or a pulled plug)."""
    client = make_client(server.url, client_dir)
    await client.sign_in(STAFF, server.pins[STAFF])
    await client.start()
    await online(client)
    token = client._core.rest.token  # the one value we must look for
    assert token
    target = min(i.id for i in client.state.open_incidents())
    await client.submit(c.AddNote(incident_id=target, text=f"player read out card {CARD}"))
    await client.submit(
        c.OpenIncident(
            kind=IncidentKind.PAYMENT_DISPUTE,
            priority=Priority.P1,
            channel=Channel.PHONE,
            player=Player(reference="VV-2231-4411"),
            location=Location(pit="1", spot="BJ-01"),
            summary=f"charged twice on {CARD_SPELLINGS[1]}",
            desired_outcome=f"refund to {CARD_SPELLINGS[2]}",
        )
    )
    await until(client, lambda: not client.pending, what="the online commands to land")
    opened = max(client.confirmed.incidents)  # still unanswered: acknowledging it applies
    # the Wi-Fi goes: these wait in the outbox on disk
    await asyncio.to_thread(server.stop)
    await until(client, lambda: client.status.link is not Link.ONLINE, what="offline")
    await client.submit(c.AddNote(incident_id=target, text=f"offline: card {CARD}"))
    await client.submit(c.Acknowledge(incident_id=opened, note=f"card {CARD_SPELLINGS[1]}"))
    await asyncio.to_thread(server.start)
    await until(client, lambda: not client.pending, what="the outbox to drain", within=30)
    snapshot = await matches_server(client, server.url, STAFF, server.pins[STAFF])
    texts = [e.text for e in snapshot.state.incidents[target].timeline]
    assert any("1111" in t and CARD not in t for t in texts), "the note should arrive, masked"
    if during is not None:
        during(token)
    await client.sign_out()
    await client.close()
    await asyncio.to_thread(server.kill)  # a crash leaves the WAL and shared-memory files
    return token


@pytest.mark.slow
async def test_no_token_pin_or_card_number_in_the_servers_files(
    backend_factory: BackendFactory, tmp_path: Path, figure: Figure
) -> None:
    server = backend_factory(extra_args=["--log-level", "debug"])
    token = await a_shift(server, tmp_path / "client")
    files = files_under(server.log_path.parent)
    hits = search(files, needles(token, server.pins[STAFF]))
    figure("server files searched", len(files))
    figure("server bytes searched", sum(p.stat().st_size for p in files))
    assert hits == [], "\n".join(hits)


async def terminal_hits(server: BackendProcess, client_dir: Path) -> tuple[list[str], list[str]]:
    """(hits while the terminal still runs after the drain, hits after sign-out)."""
    pin = server.pins[STAFF]
    running: list[str] = []

    def while_running(token: str) -> None:
        running.extend(search(files_under(client_dir), needles(token, pin)))

    token = await a_shift(server, client_dir, during=while_running)
    return running, search(files_under(client_dir), needles(token, pin))


@pytest.mark.slow
async def test_no_token_pin_or_card_number_in_the_terminals_files_after_sign_out(
    backend_factory: BackendFactory, tmp_path: Path, figure: Figure
) -> None:
    client_dir = tmp_path / "client"
    _, hits = await terminal_hits(backend_factory(), client_dir)
    files = files_under(client_dir)
    figure("terminal files searched after sign-out", len(files))
    figure("terminal bytes searched after sign-out", sum(p.stat().st_size for p in files))
    assert hits == [], "\n".join(hits)


@pytest.mark.slow
async def test_no_card_number_in_the_terminals_files_while_it_runs(
    backend_factory: BackendFactory, tmp_path: Path, figure: Figure
) -> None:
    running, _ = await terminal_hits(backend_factory(), tmp_path / "client")
    figure("secrets found in the running terminal's files", len(running))
    assert running == [], "\n".join(running)


def test_pin_hashes_are_argon2(backend: BackendProcess, figure: Figure) -> None:
    path = backend.db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT id, pin_hash FROM staff").fetchall()
    hasher = PasswordHasher()
    for staff_id, pin_hash in rows:
        assert pin_hash.startswith("$argon2id$"), (staff_id, pin_hash[:12])
        assert hasher.verify(pin_hash, backend.pins[staff_id])
        assert backend.pins[staff_id] not in pin_hash
    figure("PIN hashes checked", len(rows))


def test_repeated_wrong_pins_are_slowed_with_retry_after(
    backend: BackendProcess, figure: Figure
) -> None:
    def wrong(http: httpx.Client) -> httpx.Response:
        return http.post("/v1/session", json={"staff_id": "pb2", "pin": "0000"})

    with httpx.Client(base_url=backend.url, timeout=20) as http:
        first = [wrong(http).status_code for _ in range(5)]
        locked = wrong(http)
        # the right PIN waits its turn too, or the wait would tell a guess was right
        right_while_locked = http.post(
            "/v1/session", json={"staff_id": "pb2", "pin": backend.pins["pb2"]}
        )
        time.sleep(int(locked.headers["Retry-After"]))
        assert wrong(http).status_code == 401  # allowed to try again, and wrong again
        longer = wrong(http)
        other_staff = http.post("/v1/session", json={"staff_id": "pb3", "pin": backend.pins["pb3"]})
    waits = [int(locked.headers["Retry-After"]), int(longer.headers["Retry-After"])]
    assert first[:3] == [401, 401, 401] and 429 in first
    assert locked.status_code == 429 and longer.status_code == 429
    assert right_while_locked.status_code == 429
    assert waits[1] > waits[0], waits  # each further wrong PIN waits longer
    assert other_staff.status_code == 200  # one staff ID's lock is not everyone's
    figure("Retry-After seconds as wrong PINs repeat", waits)
