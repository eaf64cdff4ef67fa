"""Reading the audit trail (rows are written by the command path, in its transaction)."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from backend import schema


class AuditEntry(BaseModel):
    at: float
    staff_id: str
    terminal: str
    command_type: str
    command_id: str
    result: str  # "accepted" or the rejection code
    message: str
    issued_at: float | None
    seq: int


async def recent(engine: AsyncEngine, limit: int) -> list[AuditEntry]:
    a = schema.audit
    async with engine.connect() as conn:
        rows = (await conn.execute(select(a).order_by(a.c.id.desc()).limit(limit))).mappings()
        return [
            AuditEntry.model_validate({k: v for k, v in row.items() if k != "id"}) for row in rows
        ]
