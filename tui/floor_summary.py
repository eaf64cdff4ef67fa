"""The numbers above the queue: open by priority, breached, reports due; for duty
managers also the downtime board in brief and the escalation lines nobody covers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from domain.escalation import TOP_LINE, on_duty
from domain.models import Chain, Incident, Priority
from domain.sla import clocks, report_needed
from domain.state import FloorState


@dataclass(frozen=True, slots=True)
class QueueSummary:
    by_priority: dict[Priority, int]
    breached: int
    reports_due: int
    # the next moment one of these numbers changes by itself (a promise falls due)
    valid_until: float = float("inf")


@dataclass(frozen=True, slots=True)
class NightSummary:
    down: int  # tables and machines down now
    overdue: int  # down past the replacement limit with the player not yet moved
    gaps: tuple[tuple[Chain, int], ...]  # (chain, line) with nobody on duty


def running_dues(incident: Incident) -> list[float]:
    """When each promise still open on an incident falls due (clocks and the next update)."""
    if not incident.state.is_open:
        return []
    dues = [c.due for c in clocks(incident) if c.done_at is None]
    if incident.next_update_due is not None:
        dues.append(incident.next_update_due)
    return dues


def queue_summary(incidents: Iterable[Incident], floor: FloorState, now: float) -> QueueSummary:
    counts: Counter[Priority] = Counter()
    late = reports = 0
    upcoming = float("inf")
    for incident in incidents:
        if incident.state.is_open:
            counts[incident.priority] += 1
            dues = running_dues(incident)
            late += any(due < now for due in dues)
            upcoming = min([upcoming, *(due for due in dues if due >= now)])
        elif incident.report_due is not None and report_needed(incident, floor.policy):
            reports += 1
    return QueueSummary({p: counts[p] for p in Priority}, late, reports, upcoming)


def night_summary(floor: FloorState, now: float) -> NightSummary:
    policy = floor.policy
    active = floor.active_downtimes()
    overdue = sum(
        1
        for d in active
        if d.player_moved_at is None and now - d.started_at > policy.downtime_replace_after
    )
    gaps = tuple(
        (chain, line)
        for chain in Chain
        for line in range(1, TOP_LINE + 1)
        if not on_duty(floor.roster, chain, line, now, policy)
    )
    return NightSummary(len(active), overdue, gaps)
