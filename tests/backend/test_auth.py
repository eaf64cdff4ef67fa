"""Signing in: demo PINs work, wrong ones do not, guessing is slowed, sessions end."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from backend.auth import FAILURE_MEMORY, FREE_FAILURES
from backend.config import ServerConfig
from domain.protocol import CLOSE_UNAUTHORISED
from tests.backend.helpers import Terminal, note
from tests.backend.inprocess import FakeClock, serve_in_process
from tests.conftest import BackendProcess


async def test_sign_in_with_a_demo_pin_and_read_the_floor(backend: BackendProcess) -> None:
    async with httpx.AsyncClient(base_url=backend.url) as client:
        response = await client.post(
            "/v1/session", json={"staff_id": "dm1", "pin": backend.pins["dm1"], "terminal": "pit-1"}
        )
        assert response.status_code == 200
        session = response.json()
        assert session["staff"] == {
            "id": "dm1",
            "name": "Dana K.",
            "role": "duty_manager",
            "pit": None,
        }
        assert session["expires_at"] > session["server_time"]
        snapshot = await client.get(
            "/v1/snapshot", headers={"Authorization": f"Bearer {session['token']}"}
        )
    assert snapshot.status_code == 200
    body = snapshot.json()
    assert body["me"]["id"] == "dm1"
    assert body["seq"] > 0 and body["epoch"]
    assert body["state"]["incidents"], "the demo floor has incidents"
    assert "pin_hash" not in snapshot.text and backend.pins["dm1"] not in body["state"]["staff"]


async def test_a_wrong_pin_or_unknown_staff_is_refused(backend: BackendProcess) -> None:
    async with httpx.AsyncClient(base_url=backend.url) as client:
        wrong = await client.post("/v1/session", json={"staff_id": "pb1", "pin": "0000"})
        unknown = await client.post("/v1/session", json={"staff_id": "nobody", "pin": "1001"})
        no_token = await client.get("/v1/snapshot")
        forged = await client.get("/v1/snapshot", headers={"Authorization": "Bearer forged"})
    assert wrong.status_code == 401 and wrong.json()["detail"] == "wrong staff ID or PIN"
    assert unknown.status_code == 401 and unknown.json() == wrong.json()
    assert no_token.status_code == 401 and "sign in" in no_token.json()["detail"]
    assert forged.status_code == 401


async def test_repeated_wrong_pins_are_slowed_down(backend: BackendProcess) -> None:
    async with httpx.AsyncClient(base_url=backend.url) as client:
        answers = [
            (await client.post("/v1/session", json={"staff_id": "h2", "pin": "9999"})).status_code
            for _ in range(4)
        ]
        locked = await client.post(
            "/v1/session", json={"staff_id": "h2", "pin": backend.pins["h2"]}
        )
        other = await client.post("/v1/session", json={"staff_id": "h3", "pin": backend.pins["h3"]})
    assert answers == [401, 401, 401, 401]
    # even the right PIN waits out the lock; another staff member is not affected
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) >= 1
    assert "try again" in locked.json()["detail"]
    assert other.status_code == 200


async def test_guesses_sent_in_parallel_are_slowed_like_one_by_one(
    backend: BackendProcess,
) -> None:
    async with httpx.AsyncClient(base_url=backend.url) as client:
        answers = await asyncio.gather(
            *(
                client.post("/v1/session", json={"staff_id": "dm2", "pin": f"{n:04d}"})
                for n in range(12)
            )
        )
    codes = sorted(a.status_code for a in answers)
    # the free tries plus the one that sets the lock; the rest wait it out
    assert codes.count(401) == FREE_FAILURES + 1
    assert codes.count(429) == 12 - (FREE_FAILURES + 1)


async def test_wrong_pins_are_forgotten_and_the_record_of_them_is_bounded(
    tmp_path: Path,
) -> None:
    clock = FakeClock(time.time())
    config = ServerConfig(db_url=f"sqlite:///{tmp_path / 'floor.db'}", demo=True, clock=clock)
    async with (
        serve_in_process(config) as server,
        httpx.AsyncClient(base_url=server.url) as client,
    ):

        async def sign_in(staff_id: str, pin: str) -> int:
            body = {"staff_id": staff_id, "pin": pin}
            return (await client.post("/v1/session", json=body)).status_code

        # a few slips a shift apart never add up to a lock
        for _ in range(3):
            assert [await sign_in("pb1", "0000") for _ in range(FREE_FAILURES)] == [401] * 3
            clock.advance(FAILURE_MEMORY + 1)
        assert await sign_in("pb1", "1001") == 200

        # a spray of made-up staff IDs does not grow the server without bound
        server.backend.auth.max_tracked = 8
        for n in range(20):
            assert await sign_in(f"nobody-{n}", "0000") == 401
        assert len(server.backend.auth._failures) == 8


async def test_an_expired_token_is_refused_and_its_live_feed_closed(tmp_path: Path) -> None:
    clock = FakeClock(time.time())
    config = ServerConfig(
        db_url=f"sqlite:///{tmp_path / 'floor.db'}", demo=True, token_ttl=600, clock=clock
    )
    async with serve_in_process(config) as server:
        pins = {"pb1": "1001"}
        terminal = await Terminal.sign_in(server.url, "pb1", pins["pb1"])
        snapshot = await terminal.snapshot()
        async with terminal.live(after=snapshot["seq"]) as feed:
            assert (await feed.frame())["type"] == "hello"
            clock.advance(601)
            await server.backend.scheduler.tick(clock())
            with pytest.raises(ConnectionClosed) as closed:
                await feed.frame()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == CLOSE_UNAUTHORISED
        refused = await terminal.http.get("/v1/snapshot")
        assert refused.status_code == 401
        assert refused.json()["detail"] == "your session has expired; sign in again"
        await terminal.close()


async def test_sign_out_revokes_the_token_and_closes_its_sockets(backend: BackendProcess) -> None:
    terminal = await Terminal.sign_in(backend.url, "dm2", backend.pins["dm2"])
    snapshot = await terminal.snapshot()
    async with terminal.live(after=snapshot["seq"]) as feed:
        assert (await feed.frame())["type"] == "hello"
        assert (await terminal.http.delete("/v1/session")).status_code == 204
        with pytest.raises(ConnectionClosed) as closed:
            await feed.frame()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == CLOSE_UNAUTHORISED
    after = await terminal.command(note(1))
    assert after.status_code == 401 and "signed out" in after.json()["detail"]
    await terminal.close()


async def test_the_live_feed_refuses_a_token_in_the_url(backend: BackendProcess) -> None:
    from websockets.asyncio.client import connect

    terminal = await Terminal.sign_in(backend.url, "dm1", backend.pins["dm1"])
    url = backend.url.replace("http", "ws", 1) + f"/v1/live?after=0&token={terminal.token}"
    async with connect(url) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == CLOSE_UNAUTHORISED
    assert "Authorization header" in closed.value.rcvd.reason
    await terminal.close()


async def test_a_token_revoked_by_another_process_stops_working_within_seconds(
    tmp_path: Path,
) -> None:
    from sqlalchemy import update

    from backend import schema
    from backend.auth import token_digest
    from backend.token_cache import TTL

    config = ServerConfig(db_url=f"sqlite:///{tmp_path / 'floor.db'}", demo=True)
    async with serve_in_process(config) as server:
        terminal = await Terminal.sign_in(server.url, "pb1", "1001")
        assert (await terminal.http.get("/v1/snapshot")).status_code == 200
        # signed out through another backend process on the same database
        async with server.backend.storage.engine.begin() as conn:
            await conn.execute(
                update(schema.tokens)
                .where(schema.tokens.c.token_hash == token_digest(terminal.token))
                .values(revoked=True)
            )
        revoked_at = time.monotonic()
        while (await terminal.http.get("/v1/snapshot")).status_code == 200:
            assert time.monotonic() - revoked_at < TTL + 1.0
            await asyncio.sleep(0.2)
        refused = await terminal.http.get("/v1/snapshot")
        assert refused.status_code == 401 and "signed out" in refused.json()["detail"]
        await terminal.close()
