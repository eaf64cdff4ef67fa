"""Automatic escalation: climb an unstabilised incident one line at a time, on time.

Each step goes through the normal command path with a deterministic
command_id, so the dedupe on command_id makes it happen exactly once, across
restarts and across processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from backend.live import LiveHub
from backend.service import FloorService
from domain.commands import AutoEscalate
from domain.escalation import TOP_LINE, line_due
from domain.protocol import CommandEnvelope

log = logging.getLogger("floorline.scheduler")


def auto_escalate_id(incident_id: int, line: int) -> str:
    return f"auto-escalate:{incident_id}:L{line}"


class EscalationScheduler:
    def __init__(self, service: FloorService, hub: LiveHub, *, interval: float | None) -> None:
        self.service = service
        self.hub = hub
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    async def tick(self, now: float) -> int:
        """Escalate whatever is due at `now`; returns how many line steps were taken."""
        steps = 0
        for _ in range(TOP_LINE):  # one line per round: never skip a line
            state = self.service.state
            due = [
                CommandEnvelope(
                    command_id=auto_escalate_id(incident.id, incident.line + 1),
                    command=AutoEscalate(incident_id=incident.id, line=incident.line + 1),
                )
                for incident in state.open_incidents()
                if incident.line < TOP_LINE
                and line_due(incident, state.policy, now) > incident.line
            ]
            if not due:
                break
            results = await self.service.submit(due, None, now=now)
            taken = sum(1 for r in results if r.status == "accepted" and r.seq)
            steps += taken
            if not taken:
                break  # all already done (by us before a restart, or another process)
        self.hub.expire(now)
        return steps

    def start(self) -> None:
        if self.interval is not None:
            self._task = asyncio.create_task(self._run(self.interval))

    async def _run(self, interval: float) -> None:
        while True:
            try:
                await self.tick(self.service.now())
            except Exception:  # a bad tick must not stop escalation for good
                log.exception("scheduler tick failed")
            await asyncio.sleep(interval)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
