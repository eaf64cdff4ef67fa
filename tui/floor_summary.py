"""The numbers above the queue: open by priority, breached, reports due; for duty
managers also the downtime board in brief and the escalation lines nobody covers."""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from domain.cover import Gap, GapForecast, gaps_ahead
from domain.incident_facts import FactsMemo
from domain.models import Incident, Priority
from domain.reports import report_overdue
from domain.sla import Attainment, report_needed, running_dues
from domain.state import FloorState
from tui.sorted_moves import moved


@dataclass(frozen=True, slots=True)
class QueueSummary:
    by_priority: dict[Priority, int]
    breached: int
    reports_due: int
    # the next moment one of these numbers changes by itself (a promise falls due)
    valid_until: float = float("inf")
    reports_overdue: int = 0  # of those due, past their 24 h (`domain.reports`)


@dataclass(frozen=True, slots=True)
class NightSummary:
    down: int  # tables and machines down now
    overdue: int  # down past the replacement limit with the player not yet moved
    gaps: tuple[Gap, ...]  # lines with nobody on duty now or within the next 2 hours


def queue_summary(incidents: Iterable[Incident], floor: FloorState, now: float) -> QueueSummary:
    counts: Counter[Priority] = Counter()
    late = reports = overdue = 0
    upcoming = float("inf")
    for incident in incidents:
        if incident.state.is_open:
            counts[incident.priority] += 1
            dues = running_dues(incident)
            late += any(due < now for due in dues)
            upcoming = min([upcoming, *(due for due in dues if due >= now)])
        elif incident.report_due is not None and report_needed(incident, floor.policy):
            reports += 1
            overdue += report_overdue(incident, now)
            if incident.report_due > now:
                upcoming = min(upcoming, incident.report_due)
    return QueueSummary({p: counts[p] for p in Priority}, late, reports, upcoming, overdue)


@dataclass(frozen=True, slots=True)
class _Share:
    """What one incident adds to the counts."""

    priority: Priority | None  # while open
    breaches_at: float | None  # its earliest running promise, while open
    report: bool
    report_due: float | None = None  # when the report owed falls overdue


def _share(incident: Incident, floor: FloorState, facts: FactsMemo) -> _Share:
    if incident.state.is_open:
        return _Share(incident.priority, facts.of(incident).breaches_at, False)
    owed = incident.report_due is not None and report_needed(incident, floor.policy)
    return _Share(None, None, owed, incident.report_due if owed else None)


@dataclass
class QueueCounts:
    """The counts of `queue_summary`, kept change by change for one view.

    An incident is breached from its earliest running promise on, so the
    breached count at any moment is a bisection of those times: neither a tick
    nor a change recounts the floor.
    """

    _shares: dict[int, _Share] = field(default_factory=dict)
    _by_priority: Counter[Priority] = field(default_factory=Counter)
    _breach_times: list[float] = field(default_factory=list)  # sorted
    _reports: int = 0
    _report_dues: list[float] = field(default_factory=list)  # sorted
    facts: FactsMemo = field(default_factory=FactsMemo)  # the view's

    def rebuild(self, incidents: Iterable[Incident], floor: FloorState) -> None:
        facts = self.facts
        self._shares = {i.id: _share(i, floor, facts) for i in incidents}
        shares = self._shares.values()
        self._by_priority = Counter(s.priority for s in shares if s.priority is not None)
        self._breach_times = sorted(s.breaches_at for s in shares if s.breaches_at is not None)
        self._reports = sum(s.report for s in shares)
        self._report_dues = sorted(s.report_due for s in shares if s.report_due is not None)

    def update(
        self, floor: FloorState, ids: Iterable[int], counts: Callable[[Incident], bool]
    ) -> bool:
        """Recount the incidents in `ids` (`counts`: whether one is in the view).

        Returns whether any count may have changed.
        """
        changed = False
        facts = self.facts
        times: tuple[list[float], list[float]] = ([], [])  # breach times gone, added
        for number in ids:
            incident = floor.incidents.get(number)
            new = (
                _share(incident, floor, facts)
                if incident is not None and counts(incident)
                else None
            )
            old = self._shares.pop(number, None)
            if old == new:
                if new is not None:
                    self._shares[number] = new
                continue
            changed = True
            if old is not None:
                self._add(old, -1, times[0])
            if new is not None:
                self._shares[number] = new
                self._add(new, 1, times[1])
        if times[0] or times[1]:
            self._breach_times = moved(self._breach_times, *times)
        return changed

    def _add(self, share: _Share, sign: int, times: list[float]) -> None:
        if share.priority is not None:
            self._by_priority[share.priority] += sign
        if share.breaches_at is not None:
            times.append(share.breaches_at)
        self._reports += sign * share.report
        if share.report_due is not None:
            if sign > 0:
                insort(self._report_dues, share.report_due)
            else:
                del self._report_dues[bisect_left(self._report_dues, share.report_due)]

    def summary(self, now: float) -> QueueSummary:
        times = self._breach_times
        late = bisect_left(times, now)  # the next one to fall due is times[late]
        # a report is overdue from its due moment itself (`domain.reports`)
        overdue = bisect_right(self._report_dues, now)
        upcoming = times[late] if late < len(times) else float("inf")
        if overdue < len(self._report_dues):
            upcoming = min(upcoming, self._report_dues[overdue])
        return QueueSummary(
            {p: self._by_priority[p] for p in Priority}, late, self._reports, upcoming, overdue
        )


class GapWatch:
    """`domain.cover.gaps_ahead`, worked out again only when it may have changed:
    a new roster, cover or policy, or its own `valid_until` (a minute turning)."""

    def __init__(self) -> None:
        self._key: tuple[object, ...] | None = None
        self._at = float("inf")  # when the forecast was made
        self._forecast = GapForecast((), float("-inf"))

    def gaps(self, floor: FloorState, now: float) -> tuple[Gap, ...]:
        key = (floor.roster, floor.covers, floor.policy)
        # a clock stepped back (a corrected offset) asks again too
        if key != self._key or not self._at <= now < self._forecast.valid_until:
            self._forecast = gaps_ahead(floor, now)
            self._key, self._at = key, now
        return self._forecast.gaps


def night_summary(floor: FloorState, now: float, watch: GapWatch | None = None) -> NightSummary:
    policy = floor.policy
    active = floor.active_downtimes()
    overdue = sum(
        1
        for d in active
        if d.player_moved_at is None and now - d.started_at > policy.downtime_replace_after
    )
    gaps = (watch or GapWatch()).gaps(floor, now)
    return NightSummary(len(active), overdue, gaps)


@dataclass
class ShiftAttainment:
    """`domain.sla.attainment` for the night view, kept change by change.

    A pass over every promise on the floor took 300 ms at 100,000 incidents;
    here each changed incident's promises are moved in two sorted lists of
    moments, and the figure for any span is four bisections.
    """

    _shares: dict[int, tuple[tuple[float, ...], tuple[float, ...]]] = field(default_factory=dict)
    _kept: list[float] = field(default_factory=list)  # sorted
    _broken: list[float] = field(default_factory=list)  # sorted
    facts: FactsMemo = field(default_factory=FactsMemo)  # the view's

    def rebuild(self, incidents: Iterable[Incident]) -> None:
        facts = self.facts
        self._shares = {i.id: facts.of(i).settle for i in incidents}
        shares = self._shares.values()
        self._kept = sorted(t for kept, _ in shares for t in kept)
        self._broken = sorted(t for _, broken in shares for t in broken)

    def update(self, floor: FloorState, ids: Iterable[int]) -> None:
        kept: tuple[list[float], list[float]] = ([], [])  # moments gone, added
        broken: tuple[list[float], list[float]] = ([], [])
        for number in ids:
            incident = floor.incidents.get(number)
            new = self.facts.of(incident).settle if incident is not None else None
            old = self._shares.pop(number, None)
            if new is not None:
                self._shares[number] = new
            if old == new:
                continue
            for times, side in ((old, 0), (new, 1)):
                if times is not None:
                    kept[side].extend(times[0])
                    broken[side].extend(times[1])
        if kept[0] or kept[1]:
            self._kept = moved(self._kept, *kept)
        if broken[0] or broken[1]:
            self._broken = moved(self._broken, *broken)

    def between(self, since: float, now: float) -> Attainment:
        kept = bisect_right(self._kept, now) - bisect_left(self._kept, since)
        broken = bisect_right(self._broken, now) - bisect_left(self._broken, since)
        return Attainment(kept, broken)
