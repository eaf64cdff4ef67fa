"""Automatic escalation: climb an unstabilised incident one line at a time, on time;
and an acknowledgement's lapsed ETA: re-alert its owner, then page the next line.

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
from domain.commands import AutoEscalate, LapseEta, PageAfterLapse
from domain.escalation import TOP_LINE, line_due
from domain.eta import lapse_due, page_due
from domain.protocol import CommandEnvelope

log = logging.getLogger("floorline.scheduler")


def auto_escalate_id(incident_id: int, line: int) -> str:
    return f"auto-escalate:{incident_id}:L{line}"


def lapse_eta_id(incident_id: int, due: float) -> str:
    return f"eta-lapse:{incident_id}:{due!r}"


def page_after_lapse_id(incident_id: int, due: float) -> str:
    return f"eta-page:{incident_id}:{due!r}"


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
            due += self._eta_steps(now)
            if not due:
                break
            results = await self.service.submit(due, None, now=now)
            taken = sum(1 for r in results if r.status == "accepted" and r.seq)
            steps += taken
            if not taken:
                break  # all already done (by us before a restart, or another process)
        self.hub.expire(now)
        return steps

    def _eta_steps(self, now: float) -> list[CommandEnvelope]:
        """ETAs that lapsed by `now`, and lapses whose grace is over (`domain.eta`)."""
        state = self.service.state
        steps: list[CommandEnvelope] = []
        for incident in state.open_incidents():
            lapses = lapse_due(incident)
            if lapses is not None and lapses <= now:
                steps.append(
                    CommandEnvelope(
                        command_id=lapse_eta_id(incident.id, lapses),
                        command=LapseEta(incident_id=incident.id, due=lapses),
                    )
                )
            pages = page_due(incident, state.policy)
            if pages is not None and pages <= now and incident.eta_lapsed is not None:
                steps.append(
                    CommandEnvelope(
                        command_id=page_after_lapse_id(incident.id, incident.eta_lapsed),
                        command=PageAfterLapse(incident_id=incident.id, due=incident.eta_lapsed),
                    )
                )
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
