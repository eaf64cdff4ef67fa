"""A terminal with a wrong clock still counts down to the server's deadlines."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest

from api_client import FloorClient, MemoryTokenStore
from domain.sla import next_clock
from tests.api_client.helpers import make_client, signed_in_client
from tests.conftest import BackendProcess


async def server_time(url: str) -> float:
    async with httpx.AsyncClient(base_url=url) as http:
        return float((await http.get("/v1/time")).json()["server_time"])


async def assert_agrees_with_server(client: FloorClient, url: str) -> None:
    before = await server_time(url)
    ours = client.now()
    after = await server_time(url)
    assert before - 1.0 <= ours <= after + 1.0

    incident = next(i for i in client.state.open_incidents() if next_clock(i) is not None)
    clock = next_clock(incident)
    assert clock is not None
    server_now = await server_time(url)
    assert clock.remaining(client.now()) == pytest.approx(clock.remaining(server_now), abs=1.0)


@pytest.mark.parametrize("skew", [600.0, -600.0], ids=["10 min fast", "10 min slow"])
async def test_countdowns_match_the_server_whatever_the_terminal_clock(
    backend: BackendProcess, tmp_path: Path, skew: float
) -> None:
    def wrong_clock() -> float:
        return time.time() + skew

    store = MemoryTokenStore()
    client = await signed_in_client(
        backend.url, tmp_path, "dm1", backend.pins["dm1"], wall_clock=wrong_clock, token_store=store
    )
    assert client.clock_offset == pytest.approx(-skew, abs=1.0)
    assert client.clock_suspect
    assert not client.approximate
    await assert_agrees_with_server(client, backend.url)
    await client.close()

    # started again with no network: the offset kept in the replica still holds
    await asyncio.to_thread(backend.stop)
    again = make_client(backend.url, tmp_path, wall_clock=wrong_clock, token_store=store)
    assert await again.restore("dm1") is not None
    assert again.approximate  # no sample yet: countdowns show "~"
    assert again.now() == pytest.approx(time.time(), abs=1.0)
    await again.close()


async def test_a_good_clock_is_not_suspect(backend: BackendProcess, tmp_path: Path) -> None:
    client = await signed_in_client(backend.url, tmp_path, "pb2", backend.pins["pb2"])
    assert abs(client.clock_offset) < 1.0
    assert not client.clock_suspect
    await assert_agrees_with_server(client, backend.url)
    await client.close()
