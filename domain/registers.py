"""Regulators' registers: when an incident must be recorded in one, and recording it.

The policy sends some incident kinds to a register (a responsible-gambling
incident within 24 hours, a suspicious matter within 3 business days). Such an
incident carries a `RegisterEntry` from the moment it opens: a deadline of its
own, apart from the service promises in `domain.sla` (it does not move the
queue's countdown), kept until a duty manager records it with the register's
reference. The register lists when each matter happened and when it was
logged in the register.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain import commands as c
from domain.events import RecordedInRegisterData
from domain.models import Incident, RegisterEntry
from domain.policy import Policy, Register
from domain.privacy import mask_sensitive
from domain.rejection import RejectCode, Rejected
from domain.sla import Clock, Urgency
from domain.state import FloorState

# how far ahead of the server's clock a terminal's "when it happened" may be
CLOCK_SLACK = 120.0


def end_of_business_day(start: float, days: int, policy: Policy) -> float:
    """Midnight ending the `days`-th business day after the day of `start`, local time.

    Business days are Monday to Friday, less the policy's holidays, counted in
    the policy's timezone: "within 3 business days after the day the suspicion
    was formed". The day of `start` itself never counts.
    """
    tz = ZoneInfo(policy.timezone)
    day = datetime.fromtimestamp(start, tz).date()
    left = days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in policy.holidays:
            left -= 1
    # built from the date, not by adding hours, so a DST change that day is honoured
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=tz).timestamp()


def due_at(register: Register, opened_at: float, policy: Policy) -> float:
    if register.due_after is not None:
        return opened_at + register.due_after
    assert register.due_business_days is not None  # the policy requires one of them
    return end_of_business_day(opened_at, register.due_business_days, policy)


def with_register_entry(incident: Incident, policy: Policy) -> Incident:
    """The incident with its register countdown, if the policy sends its kind to one."""
    name = policy.register_for(incident.kind)
    if name is None or incident.register_entry is not None:
        return incident
    entry = RegisterEntry(name=name, due=due_at(policy.registers[name], incident.opened_at, policy))
    return incident.model_copy(update={"register_entry": entry})


def recorded(incident: Incident, data: RecordedInRegisterData, at: float, by: str) -> Incident:
    """The fold of a `recorded_in_register` event."""
    entry = incident.register_entry or RegisterEntry(name=data.name, due=at)
    done = entry.model_copy(
        update={
            "recorded_at": at,
            "recorded_by": by,
            "reference": data.reference,
            "occurred_at": data.occurred_at,
        }
    )
    return incident.model_copy(update={"register_entry": done})


def register_clock(incident: Incident) -> Clock | None:
    """The register's countdown: from the incident's opening to its deadline."""
    entry = incident.register_entry
    if entry is None:
        return None
    return Clock("register", incident.opened_at, entry.due, entry.recorded_at)


def label_of(name: str, policy: Policy) -> str:
    register = policy.registers.get(name)
    return register.label if register is not None else name.replace("_", " ")


def decide_record(
    state: FloorState, incident: Incident, command: c.RecordInRegister, now: float
) -> RecordedInRegisterData:
    """What recording `incident` in its register says, or `Rejected` with the reason."""
    entry = incident.register_entry
    if entry is None:
        raise Rejected(
            RejectCode.ILLEGAL,
            f"#{incident.id} ({incident.kind.label}) goes to no regulator's register",
            incident=incident,
        )
    label = label_of(entry.name, state.policy)
    if entry.recorded_at is not None:
        raise Rejected(
            RejectCode.ILLEGAL,
            f"#{incident.id} is already in the {label} as {entry.reference!r}"
            f" (by {state.staff_name(entry.recorded_by)})",
            incident=incident,
            by=entry.recorded_by,
            at=entry.recorded_at,
        )
    reference = mask_sensitive(command.reference.strip())
    if not reference:
        raise Rejected(RejectCode.INVALID, f"give the {label}'s reference for this entry")
    occurred = command.occurred_at
    if occurred is not None and not math.isfinite(occurred):
        raise Rejected(RejectCode.INVALID, "when it happened is not a time")
    if occurred is not None and occurred > now + CLOCK_SLACK:
        raise Rejected(RejectCode.INVALID, "when it happened cannot be in the future")
    return RecordedInRegisterData(
        name=entry.name, label=label, reference=reference, occurred_at=occurred
    )


# --- the register, as a regulator reads it --------------------------------------


@dataclass(frozen=True, slots=True)
class RegisterLine:
    register: str  # the register's label
    incident_id: int
    kind: str
    player: str  # masked, as on every floor screen
    happened_at: float  # when the matter happened (as recorded, else the incident's opening)
    opened_at: float  # when it was logged on the floor
    due_at: float
    recorded_at: float | None  # when it was logged in the register
    recorded_by: str
    reference: str
    status: str  # recorded, recorded late, due, overdue


def status_of(incident: Incident, now: float, policy: Policy) -> str:
    clock = register_clock(incident)
    if clock is None:
        return ""
    urgency = clock.urgency(now, policy)
    if clock.done_at is not None:
        return "recorded" if urgency is Urgency.MET else "recorded late"
    return "overdue" if urgency is Urgency.BREACHED else "due"


def register_lines(
    incidents: Iterable[Incident], state: FloorState, start: float, end: float, now: float
) -> list[RegisterLine]:
    """Every incident bound for a register whose matter happened in [start, end), in order."""
    lines = []
    for incident in incidents:
        entry = incident.register_entry
        if entry is None:
            continue
        happened = entry.occurred_at if entry.occurred_at is not None else incident.opened_at
        if not start <= happened < end:
            continue
        lines.append(
            RegisterLine(
                register=label_of(entry.name, state.policy),
                incident_id=incident.id,
                kind=incident.kind.label,
                player=incident.player.display,
                happened_at=happened,
                opened_at=incident.opened_at,
                due_at=entry.due,
                recorded_at=entry.recorded_at,
                recorded_by=state.staff_name(entry.recorded_by) if entry.recorded_by else "",
                reference=entry.reference,
                status=status_of(incident, now, state.policy),
            )
        )
    return sorted(lines, key=lambda line: (line.register, line.happened_at, line.incident_id))
