"""Service-level clocks: when each promise falls due and how close it is.

Deadlines are computed once, when an incident opens or changes priority, and
stored on the incident; a countdown is then `due - now`, cheap enough to do for
every visible row on every tick.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.models import Incident, IncidentState, Priority
from domain.policy import Policy


class Urgency(StrEnum):
    OK = "ok"
    AMBER = "amber"
    RED = "red"
    BREACHED = "breached"
    MET = "met"


def add_business_days(start: float, days: int, policy: Policy) -> float:
    """`start` plus `days` working days (Mon-Fri, not a policy holiday), same time of day."""
    tz = ZoneInfo(policy.timezone)
    moment = datetime.fromtimestamp(start, tz)
    left = days
    while left > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5 and moment.date() not in policy.holidays:
            left -= 1
    return moment.astimezone(UTC).timestamp()


@dataclass(frozen=True, slots=True)
class Deadlines:
    answer_due: float | None
    stabilise_due: float | None
    resolve_due: float | None


def deadlines_for(
    incident: Incident, policy: Policy, priority: Priority | None = None
) -> Deadlines:
    """The incident's promise deadlines; at `priority` instead of its own when given."""
    t0 = incident.opened_at
    priority = incident.priority if priority is None else priority
    answer = policy.answer_seconds(incident.channel, incident.player.tier)
    stabilise = policy.stabilise.get(priority)
    resolve = policy.resolve.get(priority)
    if resolve is not None:
        resolve_due: float | None = t0 + resolve
    elif priority in policy.resolve_business_days:
        resolve_due = add_business_days(t0, policy.resolve_business_days[priority], policy)
    else:
        resolve_due = None
    return Deadlines(
        answer_due=t0 + answer,
        stabilise_due=t0 + stabilise if stabilise is not None else None,
        resolve_due=resolve_due,
    )


def with_deadlines(incident: Incident, policy: Policy) -> Incident:
    d = deadlines_for(incident, policy)
    return incident.model_copy(
        update={
            "answer_due": d.answer_due,
            "stabilise_due": d.stabilise_due,
            "resolve_due": d.resolve_due,
        }
    )


@dataclass(frozen=True, slots=True)
class Clock:
    """One promise on an incident: its window, and whether it was kept."""

    name: str  # answer, stabilise, resolve, update
    start: float
    due: float
    done_at: float | None

    def remaining(self, now: float) -> float:
        return self.due - now

    def urgency(self, now: float, policy: Policy) -> Urgency:
        if self.done_at is not None:
            return Urgency.MET if self.done_at <= self.due else Urgency.BREACHED
        return urgency_of(self.due - now, self.due - self.start, policy)


def urgency_of(remaining: float, window: float, policy: Policy) -> Urgency:
    if remaining < 0:
        return Urgency.BREACHED
    window = max(window, 1.0)
    if remaining <= window * policy.red_share:
        return Urgency.RED
    if remaining <= window * policy.amber_share:
        return Urgency.AMBER
    return Urgency.OK


def clocks(incident: Incident) -> list[Clock]:
    """The answer / stabilise / resolve clocks an incident has, in that order."""
    t0 = incident.opened_at
    result = []
    if incident.answer_due is not None:
        done = incident.answered_at or incident.acknowledged_at
        result.append(Clock("answer", t0, incident.answer_due, done))
    if incident.stabilise_due is not None:
        # resolving also stabilises: a kept resolve promise keeps this one too
        done = incident.stabilised_at or incident.resolved_at
        result.append(Clock("stabilise", t0, incident.stabilise_due, done))
    if incident.resolve_due is not None:
        result.append(Clock("resolve", t0, incident.resolve_due, incident.resolved_at))
    return result


def running_dues(incident: Incident) -> list[float]:
    """When each promise still open on an incident falls due (clocks and the next update)."""
    if not incident.state.is_open:
        return []
    dues = [c.due for c in clocks(incident) if c.done_at is None]
    if incident.next_update_due is not None:
        dues.append(incident.next_update_due)
    return dues


def next_clock(incident: Incident) -> Clock | None:
    """The earliest promise still running: what the queue counts down to."""
    if not incident.state.is_open:
        return None
    running = [c for c in clocks(incident) if c.done_at is None]
    if incident.next_update_due is not None:
        running.append(
            Clock(
                "update", incident.updated_at or incident.opened_at, incident.next_update_due, None
            )
        )
    return min(running, key=lambda c: c.due, default=None)


def risk_key(incident: Incident) -> tuple[int, float, int]:
    """Sort key for the queue: unacknowledged P1s pinned, then the next deadline.

    Ordering by the deadline itself (not the time left) keeps the key fixed for
    an unchanged incident, so the queue never re-sorts on the clock alone.
    """
    pinned = 0 if incident.priority is Priority.P1 and incident.state is IncidentState.NEW else 1
    nxt = next_clock(incident)
    due = nxt.due if nxt is not None else float("inf")
    return (pinned, due, incident.id)


def was_late(incident: Incident) -> bool:
    """Whether a stabilise or resolve promise was kept only after it fell due."""
    return any(
        c.name in ("stabilise", "resolve") and c.done_at is not None and c.done_at > c.due
        for c in clocks(incident)
    )


def compensation_due(incident: Incident, policy: Policy) -> str | None:
    """The service-recovery proposal for a late P1, or None when none is owed."""
    if incident.priority is not Priority.P1 or incident.resolved_at is None:
        return None
    if not was_late(incident):
        return None
    return policy.p1_late_compensation.get(incident.player.tier)


def report_needed(incident: Incident, policy: Policy) -> bool:
    return incident.priority in policy.report_priorities and not incident.report


def owes_follow_up(incident: Incident, policy: Policy) -> bool:
    """Resolved, but a post-incident report or a late P1's service recovery is still owed.

    The recovery is owed as the incident screen and `Close` see it (`compensation_due`,
    the policy's table by tier): what the queue keeps can always be settled.
    """
    if incident.state.is_open:
        return False
    report_owed = incident.report_due is not None and not incident.report
    recovery_owed = not incident.compensation and compensation_due(incident, policy) is not None
    return report_owed or recovery_owed


def shift_start(now: float, policy: Policy) -> float:
    """When the shift under way at `now` began (the last of `policy.shift_starts`)."""
    tz = ZoneInfo(policy.timezone)
    local = datetime.fromtimestamp(now, tz)
    starts = []
    for day in (local.date() - timedelta(days=1), local.date()):
        for hhmm in policy.shift_starts:
            hour, minute = (int(part) for part in hhmm.split(":"))
            starts.append(datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz))
    return max((s for s in starts if s <= local), default=local).timestamp()


@dataclass(frozen=True, slots=True)
class Attainment:
    """The answer, stabilise and resolve promises settled in a span of time."""

    kept: int
    broken: int

    @property
    def share(self) -> float | None:
        settled = self.kept + self.broken
        return self.kept / settled if settled else None


def settle_moments(incident: Incident) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """When each of its promises was kept on time, and when each other one falls or
    fell due: it counts as broken once that moment has passed, met late or not at all."""
    kept: list[float] = []
    broken: list[float] = []
    for clock in clocks(incident):
        on_time, moment = settles(clock)
        (kept if on_time else broken).append(moment)
    return tuple(kept), tuple(broken)


def settles(clock: Clock) -> tuple[bool, float]:
    """Whether a promise is kept, and the moment it counts: when met on time, else when due."""
    if clock.done_at is not None and clock.done_at <= clock.due:
        return True, clock.done_at
    return False, clock.due


def attainment(incidents: Iterable[Incident], since: float, now: float) -> Attainment:
    """Promises kept or broken between `since` and `now`.

    Kept: met in the span, on time. Broken: fell due in the span and not met by
    then (met late or still running). A promise is counted once, when it settles.
    """
    kept = broken = 0
    for incident in incidents:
        kept_at, broken_at = settle_moments(incident)
        kept += sum(since <= moment <= now for moment in kept_at)
        broken += sum(since <= moment <= now for moment in broken_at)
    return Attainment(kept, broken)
