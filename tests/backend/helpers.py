"""Small clients for the backend tests: sign in, post commands, read the live feed."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect


def command_id() -> str:
    return uuid.uuid4().hex


def note(incident_id: int, text: str = "checked on the player") -> dict[str, Any]:
    return {
        "command_id": command_id(),
        "command": {"type": "add_note", "incident_id": incident_id, "text": text},
    }


def open_p1(*, pit: str = "1", host_id: str | None = None, spot: str = "BJ-1") -> dict[str, Any]:
    player: dict[str, Any] = {"reference": "VV-2231-4411", "tier": "vip"}
    if host_id:
        player["host_id"] = host_id
    return {
        "command_id": command_id(),
        "command": {
            "type": "open_incident",
            "kind": "table_dispute",
            "priority": "P1",
            "channel": "on_site",
            "player": player,
            "location": {"pit": pit, "spot": spot},
            "summary": "dispute over a payout",
        },
    }


class Terminal:
    """One signed-in terminal talking to a real backend over HTTP."""

    def __init__(self, url: str, token: str, staff_id: str) -> None:
        self.url = url
        self.token = token
        self.staff_id = staff_id
        self.http = httpx.AsyncClient(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=20
        )

    @classmethod
    async def sign_in(cls, url: str, staff_id: str, pin: str) -> Terminal:
        async with httpx.AsyncClient(base_url=url, timeout=20) as client:
            response = await client.post(
                "/v1/session", json={"staff_id": staff_id, "pin": pin, "terminal": f"t-{staff_id}"}
            )
        assert response.status_code == 200, response.text
        return cls(url, response.json()["token"], staff_id)

    async def snapshot(self) -> dict[str, Any]:
        response = await self.http.get("/v1/snapshot")
        assert response.status_code == 200, response.text
        return response.json()

    async def command(self, envelope: dict[str, Any]) -> httpx.Response:
        return await self.http.post("/v1/commands", json=envelope)

    async def accepted(self, envelope: dict[str, Any]) -> dict[str, Any]:
        response = await self.command(envelope)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["status"] == "accepted", body
        return body

    async def events(self, after: int) -> dict[str, Any]:
        response = await self.http.get("/v1/events", params={"after": after})
        assert response.status_code == 200, response.text
        return response.json()

    @asynccontextmanager
    async def live(self, after: int, epoch: str | None = None) -> AsyncIterator[LiveFeed]:
        ws_url = self.url.replace("http", "ws", 1) + f"/v1/live?after={after}"
        if epoch:
            ws_url += f"&epoch={epoch}"
        async with connect(
            ws_url, additional_headers={"Authorization": f"Bearer {self.token}"}, open_timeout=10
        ) as ws:
            yield LiveFeed(ws)

    async def close(self) -> None:
        await self.http.aclose()


class LiveFeed:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    async def frame(self, within: float = 10.0) -> dict[str, Any]:
        return json.loads(await asyncio.wait_for(self.ws.recv(), within))

    async def events_until(self, seq: int, within: float = 10.0) -> list[dict[str, Any]]:
        """Every event up to and including `seq`, as received, in order."""
        received: list[dict[str, Any]] = []
        while not received or received[-1]["seq"] < seq:
            frame = await self.frame(within)
            assert frame["type"] == "events", frame
            received.extend(frame["events"])
        return received

    async def wait_for(self, predicate: Any, within: float = 15.0) -> dict[str, Any]:
        async with asyncio.timeout(within):
            while True:
                frame = await self.frame(within)
                for event in frame.get("events", ()):
                    if predicate(event):
                        return event
