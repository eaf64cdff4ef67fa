"""What the event log says about each incident and downtime, as known at one moment.

The metrics need more than the folded floor keeps: when an incident was first
resolved (a reopen takes the resolution back), whether it ever left the first
line before that, each promised update and whether it came in time. This fold
reads exactly that from the events, and rebuilds each incident's promise
clocks with `domain.sla` (the same deadlines and rules the queue counts down
with), so the board and the queue never disagree about a promise.

Only events before `end` count: a window's figures are what was known when it
closed, so last month's digest reads the same whenever it is made.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from domain.events import (
    CompensationRecordedData,
    DowntimeStartedData,
    EscalatedData,
    Event,
    EventType,
    IncidentData,
    PlayerMovedData,
    PriorityChangedData,
    payload_of,
)
from domain.models import Downtime, Incident, IncidentKind, IncidentState, Priority
from domain.policy import Policy
from domain.sla import Deadlines, clocks, deadlines_for, settles

DAY = 86400.0
PROMISES = ("answer", "stabilise", "resolve", "update")  # as `domain.sla.clocks` names them

# events that promise the player the next update (as `domain.reducer` does)
_CONTACTS = frozenset(
    {EventType.ACKNOWLEDGED, EventType.NOTE_ADDED, EventType.STABILISED, EventType.REOPENED}
)
DOWNTIME_EVENTS = frozenset(
    {EventType.DOWNTIME_STARTED, EventType.PLAYER_MOVED, EventType.DOWNTIME_ENDED}
)


@dataclass(frozen=True, slots=True)
class IncidentRecord:
    """One incident as known at the history's end."""

    # with the priority, deadlines and promise times at the end: `domain.sla.clocks` reads it
    incident: Incident
    first_resolved_at: float | None
    reopened: bool  # reopened after its first resolution
    # resolved without leaving L1: opened there, and not escalated before its first resolution
    first_line: bool
    recoveries: tuple[tuple[float, str], ...]  # each service recovery recorded: when, what
    report_due: float | None  # a post-incident report owed from this moment
    report_filed_at: float | None
    # each promised update, by the moment it settled: when it came in time, or when it fell due
    updates_kept: tuple[float, ...]
    updates_broken: tuple[float, ...]
    # each promise clock of `incident` as it settles (`domain.sla.settles`): name, kept, when;
    # worked out once here, not again for every window and day the record is judged for
    settled: tuple[tuple[str, bool, float], ...] = ()
    # what the record counts in a window holding every moment the judging reads (each
    # promise settling, the answer, the first resolution): `moments` is the first and last
    # of them, `tally` the counts (see TALLY), so such a window adds it up whole
    tally: tuple[int, ...] = ()
    moments: tuple[float, float] = (float("inf"), float("-inf"))
    answer_time: float | None = None  # opened -> answered
    resolve_time: float | None = None  # opened -> first resolution


# what `IncidentRecord.tally` counts: kept then broken for each of PROMISES, then whether
# it was answered, first resolved, at first contact, reopened, owed a recovery, given one
TALLY = (
    *(f"{how}.{name}" for name in PROMISES for how in ("kept", "broken")),
    "answered",
    "resolved",
    "first_contact",
    "reopened",
    "owed",
    "given",
)

# section 8: these are owed a service recovery whatever the clocks say
RECOVERY_KINDS = frozenset(
    {
        IncidentKind.ROOM_OVERBOOKING,
        IncidentKind.FAILED_TRANSFER,
        IncidentKind.BILLING_ERROR,
        IncidentKind.LOUNGE_WAIT,
    }
)


@dataclass(frozen=True, slots=True)
class History:
    end: float
    incidents: dict[int, IncidentRecord]
    downtimes: dict[int, Downtime]


@dataclass
class Trail:
    """One incident's story as folded so far (what `incident_record` turns into a record)."""

    opened: Incident
    priority: Priority
    open: bool = True
    closed: bool = False
    acknowledged_at: float | None = None
    stabilised_at: float | None = None
    first_resolved_at: float | None = None
    resolved_at: float | None = None
    reopened: bool = False
    left_first_line: bool = False
    recoveries: list[tuple[float, str]] = field(default_factory=list)
    report_due: float | None = None
    report_filed_at: float | None = None
    update_due: float | None = None
    updates_kept: list[float] = field(default_factory=list)
    updates_broken: list[float] = field(default_factory=list)
    deadlines: dict[Priority, Deadlines] = field(default_factory=dict)

    def settle_update(self, at: float) -> None:
        """The player heard from us at `at`: the running update promise is settled."""
        if self.update_due is not None:
            if at <= self.update_due:
                self.updates_kept.append(at)
            else:
                self.updates_broken.append(self.update_due)
        self.update_due = None

    def promise_update(self, at: float, policy: Policy) -> None:
        every = policy.update_every.get(self.priority)
        self.update_due = at + every if self.open and every else None


def lookback(policy: Policy) -> float:
    """How long before a window an event can make a promise that falls due inside it.

    Every promise runs from T0 or from an event; P4's business days can stretch
    over weekends and the policy's holidays, so those count in whole days.
    """
    spans = [
        *(s for s in policy.stabilise.values() if s),
        *(s for s in policy.resolve.values() if s),
        *policy.update_every.values(),
        *(s for tiers in policy.answer.values() for s in tiers.values()),
        policy.report_due_after,
        policy.downtime_replace_after,
    ]
    business = max(policy.resolve_business_days.values(), default=0)
    days = business + 2 * (business // 5 + 1) + len(policy.holidays) + 1
    return max([*spans, days * DAY])


def fold_history(events: Iterable[Event], policy: Policy, end: float) -> History:
    """Every incident and downtime the events (in seq order) tell of, as known at `end`.

    An event about an incident whose opening is not among them is skipped: the
    caller gives each incident's whole story (see `lookback`).
    """
    trails: dict[int, Trail] = {}
    downtimes: dict[int, Downtime] = {}
    for event in events:
        if event.at >= end:
            continue
        if event.type in DOWNTIME_EVENTS:
            fold_downtime_event(downtimes, event)
        elif event.incident_id is not None:
            fold_incident_event(trails, event, policy)
    return History(
        end=end,
        incidents={number: incident_record(trail, policy) for number, trail in trails.items()},
        downtimes=downtimes,
    )


def fold_histories(events: Iterable[Event], policy: Policy, ends: Sequence[float]) -> list[History]:
    """`fold_history` at each of `ends`, the same answers, in one pass where it can.

    Each incident's (and downtime's) story is independent of the others'. When
    its events come in seq order with their times in order too (nearly always:
    only an action done offline arrives after a later one), its state at each
    end is a prefix of one fold, taken as the fold passes that end, and its
    record is rebuilt only when something changed since the last end. A story
    out of time order is folded again for each end, as `fold_history` would.
    """
    order = sorted(range(len(ends)), key=lambda n: ends[n])
    stories: dict[int, list[Event]] = {}
    downtime_stories: dict[int, list[Event]] = {}
    for event in events:
        if event.type in DOWNTIME_EVENTS:
            if event.downtime_id is not None:
                downtime_stories.setdefault(event.downtime_id, []).append(event)
        elif event.incident_id is not None:
            stories.setdefault(event.incident_id, []).append(event)
    incidents: list[dict[int, IncidentRecord]] = [{} for _ in ends]
    downtimes: list[dict[int, Downtime]] = [{} for _ in ends]
    for story in stories.values():
        if _in_time_order(story):
            trails: dict[int, Trail] = {}
            fed = 0
            record: IncidentRecord | None = None
            for n in order:
                changed = False
                while fed < len(story) and story[fed].at < ends[n]:
                    fold_incident_event(trails, story[fed], policy)
                    fed, changed = fed + 1, True
                if changed or record is None:
                    trail = next(iter(trails.values()), None)
                    record = incident_record(trail, policy) if trail is not None else None
                if record is not None:
                    incidents[n][record.incident.id] = record
        else:
            for n in order:
                again: dict[int, Trail] = {}
                for event in story:
                    if event.at < ends[n]:
                        fold_incident_event(again, event, policy)
                for number, trail in again.items():
                    incidents[n][number] = incident_record(trail, policy)
    for number, story in downtime_stories.items():
        for n in order:
            # a downtime is a handful of events: folded for each end
            known: dict[int, Downtime] = {}
            for event in story:
                if event.at < ends[n]:
                    fold_downtime_event(known, event)
            if number in known:
                downtimes[n][number] = known[number]
    return [
        History(end=end, incidents=incidents[n], downtimes=downtimes[n])
        for n, end in enumerate(ends)
    ]


def _in_time_order(story: Sequence[Event]) -> bool:
    return all(a.at <= b.at for a, b in pairwise(story))


# the events whose payload the fold reads; the others say it all in their envelope
_READ_PAYLOAD = frozenset(
    {
        EventType.INCIDENT_OPENED,
        EventType.PRIORITY_CHANGED,
        EventType.ESCALATED,
        EventType.COMPENSATION_RECORDED,
    }
)


def fold_incident_event(trails: dict[int, Trail], event: Event, policy: Policy) -> None:
    """Bring the story of the event's incident forward by `event` (an opening starts it)."""
    at, etype = event.at, event.type
    # checking a payload costs more than folding it: only those read are checked
    payload = payload_of(event) if etype in _READ_PAYLOAD else None
    if etype is EventType.INCIDENT_OPENED and isinstance(payload, IncidentData):
        opened = payload.incident
        trail = Trail(opened=opened, priority=opened.priority, left_first_line=opened.line > 1)
        trail.promise_update(at, policy)
        trails[opened.id] = trail
        return
    known = trails.get(event.incident_id or 0)
    if known is None:
        return
    trail = known
    if etype in (EventType.ACKNOWLEDGED, EventType.ASSIGNED, EventType.STABILISED):
        trail.acknowledged_at = trail.acknowledged_at or at
    if etype is EventType.STABILISED:
        trail.stabilised_at = trail.stabilised_at or at
    if etype is EventType.REOPENED:
        trail.open, trail.closed, trail.reopened = True, False, True
        trail.resolved_at = None
        trail.report_due = None
    if etype in _CONTACTS:
        if trail.open:  # a note on a resolved incident promises nothing more
            trail.settle_update(at)
            trail.promise_update(at, policy)
    elif isinstance(payload, PriorityChangedData):
        trail.priority = payload.priority
        if trail.update_due is not None and trail.update_due < at:
            trail.updates_broken.append(trail.update_due)  # it fell due before the change
        # a new priority replaces the running promise with its own (neither kept nor broken)
        trail.promise_update(at, policy)
    elif isinstance(payload, EscalatedData):
        if trail.first_resolved_at is None:
            trail.left_first_line = True
    elif etype is EventType.RESOLVED:
        trail.acknowledged_at = trail.acknowledged_at or at
        trail.first_resolved_at = trail.first_resolved_at or at
        trail.resolved_at = at
        trail.settle_update(at)
        trail.open = False
        if trail.priority in policy.report_priorities and trail.report_filed_at is None:
            trail.report_due = at + policy.report_due_after
    elif etype is EventType.CLOSED:
        trail.open, trail.closed = False, True
        trail.update_due = None
    elif isinstance(payload, CompensationRecordedData):
        trail.recoveries.append((at, payload.text))
    elif etype is EventType.REPORT_FILED:
        trail.report_filed_at = trail.report_filed_at or at


def incident_record(trail: Trail, policy: Policy) -> IncidentRecord:
    """The incident as its story so far tells it, with its promise clocks settled."""
    if trail.closed:
        state = IncidentState.CLOSED
    elif trail.resolved_at is not None:
        state = IncidentState.RESOLVED
    elif trail.stabilised_at is not None:
        state = IncidentState.STABILISED
    elif trail.acknowledged_at is not None:
        state = IncidentState.IN_PROGRESS
    else:
        state = IncidentState.NEW
    deadlines = trail.deadlines.get(trail.priority)
    if deadlines is None:
        # the same for every end the trail is recorded at: P4's business days read the
        # calendar, so it is worked out once per priority the incident had
        deadlines = trail.deadlines[trail.priority] = deadlines_for(
            trail.opened, policy, trail.priority
        )
    # one copy with everything (as `with_deadlines` on the copy would give)
    incident = trail.opened.model_copy(
        update={
            "priority": trail.priority,
            "state": state,
            "acknowledged_at": trail.acknowledged_at,
            "stabilised_at": trail.stabilised_at,
            "resolved_at": trail.resolved_at,
            "answer_due": deadlines.answer_due,
            "stabilise_due": deadlines.stabilise_due,
            "resolve_due": deadlines.resolve_due,
        }
    )
    running = (trail.update_due,) if trail.update_due is not None else ()
    settled = tuple((clock.name, *settles(clock)) for clock in clocks(incident))
    updates_broken = (*trail.updates_broken, *running)
    counts = dict.fromkeys(TALLY, 0)
    for name, on_time, _ in settled:
        counts[f"{'kept' if on_time else 'broken'}.{name}"] += 1
    counts["kept.update"], counts["broken.update"] = len(trail.updates_kept), len(updates_broken)
    every = [moment for _, _, moment in settled] + trail.updates_kept + list(updates_broken)
    done = incident.answered_at or incident.acknowledged_at
    answer_time = resolve_time = None
    if done is not None:
        every.append(done)
        counts["answered"], answer_time = 1, done - incident.opened_at
    first = trail.first_resolved_at
    if first is not None:
        every.append(first)
        resolve_time = first - incident.opened_at if first else None
        counts["resolved"] = 1
        counts["first_contact"] = not trail.left_first_line and not trail.reopened
        counts["reopened"] = trail.reopened
        # with every moment inside the window, each broken promise fell due before its end
        counts["owed"] = owed = owes_recovery(incident, settled, float("inf"))
        counts["given"] = owed and bool(trail.recoveries)
    return IncidentRecord(
        incident=incident,
        first_resolved_at=trail.first_resolved_at,
        reopened=trail.reopened,
        first_line=not trail.left_first_line,
        recoveries=tuple(trail.recoveries),
        report_due=trail.report_due,
        report_filed_at=trail.report_filed_at,
        updates_kept=tuple(trail.updates_kept),
        # still running at the end: it counts as broken once its moment is passed
        updates_broken=updates_broken,
        settled=settled,
        tally=tuple(counts.values()),
        moments=(min(every), max(every)) if every else (float("inf"), float("-inf")),
        answer_time=answer_time,
        resolve_time=resolve_time,
    )


def owes_recovery(
    incident: Incident, settled: Iterable[tuple[str, bool, float]], end: float
) -> bool:
    """A service recovery is owed: a P1 with a stabilise or resolve promise broken by
    `end`, or a kind whose recovery is standard (section 8)."""
    if incident.kind in RECOVERY_KINDS:
        return True
    if incident.priority is not Priority.P1:
        return False
    return any(
        name in ("stabilise", "resolve") and not on_time and moment < end
        for name, on_time, moment in settled
    )


def fold_downtime_event(downtimes: dict[int, Downtime], event: Event) -> None:
    """Bring the event's downtime forward by `event` (a start begins it)."""
    payload = payload_of(event)
    number = event.downtime_id
    if number is None:
        return
    if isinstance(payload, DowntimeStartedData):
        downtimes[number] = Downtime(
            id=number,
            asset_id=payload.asset_id,
            asset_kind=payload.asset_kind,
            pit=payload.pit,
            reason=payload.reason,
            started_at=event.at,
            started_by=event.actor,
            incident_id=payload.incident_id,
        )
        return
    current = downtimes.get(number)
    if current is None:
        return
    if isinstance(payload, PlayerMovedData):
        downtimes[number] = current.model_copy(
            update={"player_moved_at": event.at, "moved_to": payload.to}
        )
    else:
        downtimes[number] = current.model_copy(update={"ended_at": event.at})
