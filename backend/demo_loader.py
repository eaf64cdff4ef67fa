"""Loading the demo floor into an empty database: configuration, then its script."""

from __future__ import annotations

from backend.demo import DemoFloor
from backend.scheduler import EscalationScheduler
from backend.service import FloorService
from domain.commands import COMMAND_ADAPTER
from domain.decide import Actor
from domain.permissions import ROLE_LABELS
from domain.protocol import CommandEnvelope

DEMO_TERMINAL = "demo"


async def play_script(
    floor: DemoFloor, service: FloorService, scheduler: EscalationScheduler, start: float
) -> None:
    """Each step through the normal command path at its own time; escalations
    that fall due between steps land at their time, as on a real floor."""
    for number, step in enumerate(floor.script, start=1):
        at = start + step.offset
        await scheduler.tick(at)
        staff = service.state.staff[step.actor_id]
        command = step.command
        if isinstance(command, dict):
            command = COMMAND_ADAPTER.validate_python(command)
        envelope = CommandEnvelope(command_id=f"demo-step-{number:05d}", command=command)
        await service.submit([envelope], Actor(staff, DEMO_TERMINAL), now=at)


def describe_staff(floor: DemoFloor) -> list[str]:
    """The lines printed at start: ID, role and PIN of each demo staff member."""
    lines = ["demo staff (ID, role, PIN):"]
    for member, pin in floor.staff:
        role = ROLE_LABELS[member.role] + (f", pit {member.pit}" if member.pit else "")
        lines.append(f"  {member.id:<8} {member.name:<18} {role:<16} PIN {pin}")
    return lines
