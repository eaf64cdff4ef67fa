"""Loading a floor file into the database through the command path, and reading it back.

An import is one floor command (`domain.staff_admin.ImportFloor`): decided
against the folded floor, appended to the event log with gap-free seq in one
transaction together with its configuration rows, so a bad file, a refusal or
a crash changes nothing, and a server running on the same database hands the
changes to its terminals like any other events.
"""

from __future__ import annotations

import asyncio
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from backend.auth import hash_pin
from backend.eventlog import read_after
from backend.floorconfig import NewPins, load_config
from backend.service import FloorService
from domain.decide import Actor
from domain.floorfile import FloorFile, from_config, to_config
from domain.models import Role, Staff
from domain.pins import pins_for_others
from domain.staff_admin import FloorCommand, FloorEnvelope, ImportFloor, StaffSetting

# who a floor file import acts as, in the event log and the audit
IMPORTER = Staff(id="floor-file", name="floor file import", role=Role.ADMIN)


class FloorRefused(Exception):
    """The floor (as it is now) refused the change; the message says why."""

    def __init__(self, message: str, code: str = "illegal") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class ImportReport:
    new_pins: dict[str, str]  # staff id -> the PIN to hand over (printed once)
    kept: frozenset[str]  # of those, the PINs not changed at first sign-in
    changes: dict[str, int]  # event type -> how many
    seq: int


def random_pin(digits: int = 6) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(digits))


async def hash_pins(pins: dict[str, str], *, demo: bool = False) -> dict[str, str]:
    hashes = await asyncio.gather(
        *(asyncio.to_thread(hash_pin, pin, demo=demo) for pin in pins.values())
    )
    return dict(zip(pins, hashes, strict=True))


async def run_floor_command(
    service: FloorService,
    command: FloorCommand,
    actor: Actor,
    *,
    pins: dict[str, str] | None = None,
    one_time: bool = True,
    kept: frozenset[str] = frozenset(),
    demo: bool = False,
) -> int:
    """Decide and store one floor command; its last seq, or FloorRefused."""
    hashes = await hash_pins(pins or {}, demo=demo)
    envelope = FloorEnvelope(command_id=f"floor-{uuid.uuid4().hex}", command=command)
    [result] = await service.submit(
        [envelope], actor, pins=NewPins(hashes=hashes, one_time=one_time, kept=kept)
    )
    if result.error is not None:
        raise FloorRefused(result.error.message, result.error.code)
    return result.seq


async def import_floor(
    service: FloorService,
    floor: FloorFile,
    *,
    chosen_pins: dict[str, str] | None = None,
    one_time: bool = True,
    terminal: str = "floor import",
    demo: bool = False,
) -> ImportReport:
    """Load `floor`; `chosen_pins` (a pin file) for staff it adds, kept as given when
    not `one_time`. A chosen PIN for anyone else refuses the whole import."""
    config = to_config(floor)
    state = service.state
    known = set(state.staff) | set(state.inactive_staff)
    chosen = chosen_pins or {}
    adding = [member.id for member, _ in config.staff if member.id not in known]
    stray = pins_for_others(chosen, adding, known)
    if stray:
        raise FloorRefused(stray, "invalid")
    new_pins = {staff_id: chosen.get(staff_id) or random_pin() for staff_id in adding}
    # only the PINs the operator chose are theirs to keep: a random one is changed
    kept = frozenset() if one_time else frozenset(chosen)
    command = ImportFloor(
        pits=config.pits,
        assets=config.assets,
        staff=tuple(StaffSetting(staff=m, active=a) for m, a in config.staff),
        roster=config.roster,
    )
    before = state.seq
    seq = await run_floor_command(
        service,
        command,
        Actor(IMPORTER, terminal),
        pins=new_pins,
        kept=kept,
        demo=demo,
    )
    changes: dict[str, int] = {}
    if seq:
        async with service.storage.engine.connect() as conn:
            for item in await read_after(conn, before, upto=seq):
                if item.event.actor == IMPORTER.id:
                    key = str(item.event.type)
                    changes[key] = changes.get(key, 0) + 1
    return ImportReport(new_pins=new_pins, kept=kept, changes=changes, seq=seq)


async def export_floor(engine: AsyncEngine) -> FloorFile:
    async with engine.connect() as conn:
        return from_config(await load_config(conn))
