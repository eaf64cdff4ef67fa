"""Shared pieces for the client tests: a client factory and condition waits."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

from api_client import ConnectionStatus, FloorClient, Link, MemoryTokenStore
from domain.events import Event
from domain.protocol import Snapshot
from tests.backend.helpers import Terminal

FAST = (0.05, 0.5)  # reconnect delays: first, cap


def make_client(server: str | Sequence[str], data_dir: Path, **options: Any) -> FloorClient:
    options.setdefault("reconnect_delays", FAST)
    options.setdefault("token_store", MemoryTokenStore())
    options.setdefault("terminal", "test-terminal")
    return FloorClient(server, data_dir=data_dir, **options)


async def until(
    client: FloorClient, condition: Callable[[], bool], *, within: float = 15.0, what: str = ""
) -> None:
    """Wait for `condition` to hold, re-checking on every change the client reports."""
    changes = client.changes()
    try:
        async with asyncio.timeout(within):
            while not condition():
                await anext(changes)
    except TimeoutError:
        raise AssertionError(
            f"timed out waiting for {what or 'a condition'}; status {client.status}"
        ) from None
    finally:
        changes.close()


async def online(client: FloorClient, within: float = 15.0) -> None:
    await until(client, lambda: client.status.link is Link.ONLINE, within=within, what="ONLINE")


async def signed_in_client(
    server: str, data_dir: Path, staff_id: str, pin: str, **options: Any
) -> FloorClient:
    client = make_client(server, data_dir, **options)
    await client.sign_in(staff_id, pin)
    await client.start()
    await online(client)
    return client


async def server_snapshot(server: str, staff_id: str, pin: str) -> Snapshot:
    """What the server itself says the floor is, for this user, right now."""
    async with httpx.AsyncClient(base_url=server) as http:
        session = await http.post("/v1/session", json={"staff_id": staff_id, "pin": pin})
        session.raise_for_status()
        token = session.json()["token"]
        answer = await http.get("/v1/snapshot", headers={"Authorization": f"Bearer {token}"})
        answer.raise_for_status()
        return Snapshot.model_validate_json(answer.content)


async def log_after(server: str, staff_id: str, pin: str, after: int) -> list[dict[str, Any]]:
    """The server's own event log after `after`, every page of it."""
    terminal = await Terminal.sign_in(server, staff_id, pin)
    events: list[dict[str, Any]] = []
    try:
        while True:
            page = await terminal.events(after)
            events += page["events"]
            if not page["events"] or page["events"][-1]["seq"] >= page["head"]:
                return events
            after = page["events"][-1]["seq"]
    finally:
        await terminal.close()


async def matches_server(client: FloorClient, server: str, staff_id: str, pin: str) -> Snapshot:
    """Wait until the client's confirmed state is the server's snapshot at the same seq."""
    for _ in range(5):
        snap = await server_snapshot(server, staff_id, pin)

        def caught_up(s: Snapshot = snap) -> bool:  # bound now, as the loop moves on
            return client.confirmed.seq >= s.seq

        await until(client, caught_up, what=f"seq {snap.seq}")
        if client.confirmed.seq == snap.seq:  # nothing new (an auto-escalation) meanwhile
            assert client.confirmed.incidents == snap.state.incidents
            assert client.confirmed.downtimes == snap.state.downtimes
            return snap
    raise AssertionError("the floor kept moving; could not compare at one seq")


class StatusLog:
    """Every status a client reports, recorded from the moment this is made."""

    def __init__(self, client: FloorClient) -> None:
        self.seen: list[ConnectionStatus] = [client.status]
        self._changes = client.changes()
        self._client = client
        self._task = asyncio.create_task(self._record())

    async def _record(self) -> None:
        async for change in self._changes:
            if change.status and self._client.status != self.seen[-1]:
                self.seen.append(self._client.status)

    def links(self) -> list[Link]:
        """The sequence of links, repeats folded."""
        out: list[Link] = []
        for status in self.seen:
            if not out or out[-1] is not status.link:
                out.append(status.link)
        return out

    def stop(self) -> None:
        self._task.cancel()
        if self._client.status != self.seen[-1]:  # a notice still on its way to us
            self.seen.append(self._client.status)


class Seen:
    """Every event a client reports, in the order it reports them, and any redraw-all."""

    def __init__(self, client: FloorClient) -> None:
        self.events: list[Event] = []
        self.resets = 0
        self._changes = client.changes()
        self._task = asyncio.create_task(self._record())

    async def _record(self) -> None:
        async for change in self._changes:
            self.events.extend(change.events)
            self.resets += change.reset

    def stop(self) -> None:
        self._task.cancel()
