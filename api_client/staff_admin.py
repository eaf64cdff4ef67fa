"""The admin's staff commands over HTTP, one method each (no UI here).

    admin = client.staff_admin
    new = await admin.add("h4", "Jamie O.", Role.HOST)   # new.pin: shown once
    await admin.change_role("pb2", Role.DUTY_MANAGER)
    await admin.deactivate("h4")

A refusal (not an admin, the last active admin, an unknown ID) raises
`api_client.rest.HttpError` with the server's reason; nothing is queued
offline: these need the server's answer (a PIN, a refusal) there and then.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

from domain.models import Role
from domain.protocol import JournalHead, StaffPin, StaffResult

Body = TypeVar("Body", bound=BaseModel)


class SignedInCalls(Protocol):
    """`FloorClient` (or `Rest`, on the thread it lives on): one signed-in REST exchange."""

    async def call(self, method: str, path: str, shape: type[Body], **kw: Any) -> Body: ...


class StaffAdmin:
    def __init__(self, rest: SignedInCalls) -> None:
        self._rest = rest

    async def add(self, staff_id: str, name: str, role: Role, pit: str | None = None) -> StaffPin:
        """A new member and their one-time PIN (changed at their first sign-in)."""
        body = {"type": "add_staff", "id": staff_id, "name": name, "role": str(role), "pit": pit}
        return await self._rest.call("POST", "/v1/staff", StaffPin, json=body)

    async def deactivate(self, staff_id: str) -> StaffResult:
        """Signed out at once everywhere; refused for the last active admin."""
        return await self._rest.call("POST", f"/v1/staff/{staff_id}/deactivate", StaffResult)

    async def reactivate(self, staff_id: str) -> StaffResult:
        return await self._rest.call("POST", f"/v1/staff/{staff_id}/reactivate", StaffResult)

    async def change_role(self, staff_id: str, role: Role, pit: str | None = None) -> StaffResult:
        """A new role (and pit, for a pit boss); their terminals reconnect re-scoped."""
        return await self._change(staff_id, {"role": str(role), "pit": pit})

    async def change_pit(self, staff_id: str, pit: str) -> StaffResult:
        return await self._change(staff_id, {"pit": pit})

    async def reset_pin(self, staff_id: str) -> StaffPin:
        """A new one-time PIN; their sessions end."""
        return await self._rest.call("POST", f"/v1/staff/{staff_id}/reset-pin", StaffPin)

    async def journal_head(self) -> JournalHead:
        """The audit journal's head, for the admin to write down elsewhere."""
        return await self._rest.call("GET", "/v1/audit/head", JournalHead)

    async def _change(self, staff_id: str, fields: dict[str, str | None]) -> StaffResult:
        body = {"type": "change_staff", "staff_id": staff_id} | {
            k: v for k, v in fields.items() if v is not None
        }
        return await self._rest.call("POST", f"/v1/staff/{staff_id}/change", StaffResult, json=body)
