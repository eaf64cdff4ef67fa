"""The duty manager's metrics: one definition of each, from the event log and the policy.

For a window [start, end) (see `domain.metric_windows`), with what was known at
its end (`domain.incident_history`), optionally for one tier or one pit:

- promise kept (answer, stabilise, resolve, update; and all of them): of the
  promises that settled in the window, the share kept. A promise settles when
  it is met on time (kept), or when it falls due unmet (broken; met late or not
  at all), as the queue's header counts them.
- first-contact resolution: of the incidents first resolved in the window, the
  share resolved without leaving L1 (opened there, never escalated before the
  resolution) and not reopened since.
- reopen rate: of the incidents first resolved in the window, the share reopened.
- time to acknowledge: opened -> the answer promise met (acknowledged, or at
  once by the manager at the table), for incidents answered in the window.
- time to resolve: opened -> first resolution, for incidents first resolved in it.
  Median and p90 by nearest rank (the value at rank ceil(q * n) of n, sorted).
- service recovery given: of the incidents first resolved in the window that
  owe one (a P1 with its stabilise or resolve promise broken, or a kind whose
  recovery is standard: room overbooking, failed transfer, billing/comp error,
  a wait in the VIP lounge), the share with a service recovery recorded.
- downtime: minutes tables and machines were down within the window.
- players moved in time: of the downtimes that began in the window and are
  settled (moved, back up, or past the limit), the share whose player was moved,
  or which came back up, within `policy.downtime_replace_after`.

Each carries its target from `policy.targets` and whether it was met; a
metric with nothing to measure has no value and is neither met nor missed.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from domain.events import Event
from domain.incident_history import (
    DOWNTIME_EVENTS,
    PROMISES,
    TALLY,
    History,
    IncidentRecord,
    fold_histories,
    fold_history,
    owes_recovery,
)
from domain.metric_windows import Window
from domain.models import Frozen, Incident, Role, Tier
from domain.permissions import ROLE_LABELS
from domain.policy import Policy

METRICS_ROLES = frozenset({Role.DUTY_MANAGER, Role.ADMIN})


# each metric's formula in a line, for the board and the digest (the module docstring has more)
FORMULAS: dict[str, str] = {
    "sla.answer": "answer promises kept on time / answer promises settled in the window",
    "sla.stabilise": "stabilise promises kept on time / stabilise promises settled",
    "sla.resolve": "resolve promises kept on time / resolve promises settled",
    "sla.update": "promised updates given on time / promised updates settled",
    "sla.all": "all promises kept on time / all promises settled",
    "fcr": "first resolved at L1 and not reopened / incidents first resolved in the window",
    "reopen": "reopened / incidents first resolved in the window",
    "ack.median": "median of opened -> answered (acknowledged, or a manager at the table)",
    "ack.p90": "90th percentile (nearest rank) of opened -> answered",
    "resolve.median": "median of opened -> first resolution",
    "resolve.p90": "90th percentile (nearest rank) of opened -> first resolution",
    "recovery": "service recovery recorded / incidents first resolved that owe one",
    "downtime.minutes": "minutes tables and machines were down inside the window",
    "downtime.moved": "moved (or back up) within the limit / downtimes begun and settled",
}


class Unit(StrEnum):
    SHARE = "share"  # 0..1
    SECONDS = "seconds"
    MINUTES = "minutes"


class Better(StrEnum):
    HIGHER = "higher"  # the target is a floor
    LOWER = "lower"  # the target is a ceiling


class Metric(Frozen):
    key: str  # "sla.answer", "fcr", "ack.p90" ...
    label: str
    unit: Unit
    value: float | None  # None: nothing to measure in the window
    part: int = 0  # shares: how many counted for (kept, moved in time ...)
    count: int = 0  # shares: how many there were to judge; times: how many samples
    target: float | None = None
    better: Better = Better.HIGHER
    met: bool | None = None  # None: no target, or no value


class MetricsReport(Frozen):
    window: Window
    tier: Tier | None = None
    pit: str | None = None
    metrics: tuple[Metric, ...]
    events: int = 0  # incident and downtime events inside the window
    # set by the server when the log before this moment was pruned and the
    # window needed it: the figures are then short of what happened
    pruned_before: float | None = None

    def metric(self, key: str) -> Metric:
        return next(m for m in self.metrics if m.key == key)


class DailyMetrics(Frozen):
    """Each metric's value for each of a run of days, oldest first (the board's charts)."""

    days: tuple[Window, ...]
    values: dict[str, tuple[float | None, ...]]
    pruned_before: float | None = None  # as in MetricsReport


@dataclass(frozen=True, slots=True)
class MetricsBoard:
    """What the board shows: a window's report and the days for its charts."""

    report: MetricsReport
    daily: DailyMetrics


def metrics_refusal(role: Role) -> str | None:
    """Why this role may not see the metrics, or None when it may."""
    if role in METRICS_ROLES:
        return None
    return (
        "the metrics board is for duty managers and admins;"
        f" you are signed in as a {ROLE_LABELS[role]}"
    )


def metrics_report(
    events: Iterable[Event],
    policy: Policy,
    window: Window,
    *,
    tier: Tier | None = None,
    pit: str | None = None,
) -> MetricsReport:
    """Every metric for `window` from the event log (each incident's whole story, in seq order)."""
    listed = list(events)
    history = fold_history(listed, policy, window.end)
    return report_from(
        history, policy, window, tier=tier, pit=pit, events=events_inside(listed, window)
    )


def daily_metrics(
    events: Iterable[Event],
    policy: Policy,
    days: Sequence[Window],
    *,
    tier: Tier | None = None,
    pit: str | None = None,
) -> DailyMetrics:
    return daily_from(days, day_reports(events, policy, days, tier=tier, pit=pit))


def day_reports(
    events: Iterable[Event],
    policy: Policy,
    days: Sequence[Window],
    *,
    tier: Tier | None = None,
    pit: str | None = None,
) -> list[MetricsReport]:
    """`metrics_report` for each of `days`, from one fold for every day's end."""
    listed = list(events)
    histories = fold_histories(listed, policy, [day.end for day in days])
    moments = counted_moments(listed)
    return [
        report_from(history, policy, day, tier=tier, pit=pit, events=count_inside(moments, day))
        for history, day in zip(histories, days, strict=True)
    ]


def daily_from(days: Sequence[Window], reports: Sequence[MetricsReport]) -> DailyMetrics:
    """The charts' values: each metric of each day's report, in the days' order."""
    keys = [m.key for m in reports[0].metrics] if reports else []
    values = {key: tuple(r.metric(key).value for r in reports) for key in keys}
    return DailyMetrics(days=tuple(days), values=values)


def events_inside(events: Sequence[Event], window: Window) -> int:
    """How many incident and downtime events fall inside the window."""
    return count_inside(counted_moments(events), window)


def counted_moments(events: Iterable[Event]) -> list[float]:
    """When each incident and downtime event happened, sorted: what `count_inside` reads."""
    return sorted(e.at for e in events if e.incident_id is not None or e.type in DOWNTIME_EVENTS)


def count_inside(moments: Sequence[float], window: Window) -> int:
    """How many of the sorted `moments` fall inside the window (half-open, as every window)."""
    return bisect_left(moments, window.end) - bisect_left(moments, window.start)


def matches(incident: Incident, tier: Tier | None, pit: str | None) -> bool:
    return (tier is None or incident.player.tier is tier) and (
        pit is None or incident.location.pit == pit
    )


def report_from(
    history: History,
    policy: Policy,
    window: Window,
    *,
    tier: Tier | None = None,
    pit: str | None = None,
    events: int = 0,
) -> MetricsReport:
    start, end = window.start, window.end
    records = (
        list(history.incidents.values())
        if tier is None and pit is None
        else [r for r in history.incidents.values() if matches(r.incident, tier, pit)]
    )
    targets = policy.targets
    kept = dict.fromkeys(PROMISES, 0)
    broken = dict.fromkeys(PROMISES, 0)
    answered: list[float] = []
    resolved: list[IncidentRecord] = []
    # the judging runs for every window and day: a record with no moment in the window
    # is passed over, one with every moment inside it added up from its tally, and the
    # others counted moment by moment
    whole: list[IncidentRecord] = []
    for record in records:
        lo, hi = record.moments
        if record.tally:
            if hi < start or end <= lo:
                continue  # nothing of it in the window
            if start <= lo and hi < end:
                whole.append(record)
                continue
        _count_inside(record, start, end, kept, broken)
        incident = record.incident
        done = incident.answered_at or incident.acknowledged_at
        if done is not None and start <= done < end:
            answered.append(done - incident.opened_at)
        first = record.first_resolved_at
        if first is not None and start <= first < end:
            resolved.append(record)
    owed = [r for r in resolved if owes_recovery(r.incident, r.settled, end)]
    columns = [sum(column) for column in zip(*(r.tally for r in whole), strict=True)]
    added = dict(zip(TALLY, columns or [0] * len(TALLY), strict=True))
    for name in PROMISES:
        kept[name] += added[f"kept.{name}"]
        broken[name] += added[f"broken.{name}"]
    answered += [r.answer_time for r in whole if r.answer_time is not None]
    to_resolve = [
        r.first_resolved_at - r.incident.opened_at for r in resolved if r.first_resolved_at
    ] + [r.resolve_time for r in whole if r.resolve_time is not None]
    resolutions = len(resolved) + added["resolved"]

    metrics = [
        _share(
            f"sla.{name}",
            f"{name} promise kept",
            kept[name],
            kept[name] + broken[name],
            targets.sla_attainment,
        )
        for name in PROMISES
    ]
    all_kept, all_broken = sum(kept.values()), sum(broken.values())
    metrics.append(
        _share(
            "sla.all", "all promises kept", all_kept, all_kept + all_broken, targets.sla_attainment
        )
    )
    metrics += [
        _share(
            "fcr",
            "first-contact resolution",
            sum(r.first_line and not r.reopened for r in resolved) + added["first_contact"],
            resolutions,
            targets.first_contact_resolution,
        ),
        _share(
            "reopen",
            "reopen rate",
            sum(r.reopened for r in resolved) + added["reopened"],
            resolutions,
            targets.reopen_rate,
            Better.LOWER,
        ),
    ]
    metrics += _times("ack", "time to acknowledge", answered, targets.acknowledge_p90)
    metrics += _times("resolve", "time to resolve", to_resolve, targets.resolve_p90)
    metrics.append(
        _share(
            "recovery",
            "service recovery given",
            sum(bool(r.recoveries) for r in owed) + added["given"],
            len(owed) + added["owed"],
            targets.recovery_rate,
        )
    )
    metrics += _downtime(history, policy, window, tier, pit)
    return MetricsReport(window=window, tier=tier, pit=pit, metrics=tuple(metrics), events=events)


def _count_inside(
    record: IncidentRecord, start: float, end: float, kept: dict[str, int], broken: dict[str, int]
) -> None:
    """Count the record's promises that settled inside [start, end)."""
    for name, on_time, moment in record.settled:
        if start <= moment < end:
            (kept if on_time else broken)[name] += 1
    for moment in record.updates_kept:
        if start <= moment < end:
            kept["update"] += 1
    for moment in record.updates_broken:
        if start <= moment < end:
            broken["update"] += 1


def _downtime(
    history: History, policy: Policy, window: Window, tier: Tier | None, pit: str | None
) -> list[Metric]:
    start, end = window.start, window.end
    limit = policy.downtime_replace_after

    def counts(downtime_pit: str, incident_id: int | None) -> bool:
        if pit is not None and downtime_pit != pit:
            return False
        if tier is None:
            return True
        # a downtime has a tier only through the incident raised with it
        record = history.incidents.get(incident_id) if incident_id is not None else None
        return record is not None and record.incident.player.tier is tier

    seconds = 0.0
    judged = in_time = 0
    for d in history.downtimes.values():
        if not counts(d.pit, d.incident_id):
            continue
        seconds += max(0.0, min(d.ended_at or end, end) - max(d.started_at, start))
        if not start <= d.started_at < end:
            continue
        handled = min((t for t in (d.player_moved_at, d.ended_at) if t is not None), default=None)
        if handled is not None and handled <= d.started_at + limit:
            judged, in_time = judged + 1, in_time + 1
        elif handled is not None or d.started_at + limit < end:
            judged += 1
    minutes = Metric(
        key="downtime.minutes",
        label="downtime",
        unit=Unit.MINUTES,
        value=seconds / 60,
        better=Better.LOWER,
    )
    moved = _share(
        "downtime.moved",
        f"players moved within {limit / 60:g} min",
        in_time,
        judged,
        policy.targets.moved_within_limit,
    )
    return [minutes, moved]


def _share(
    key: str,
    label: str,
    part: int,
    count: int,
    target: float | None,
    better: Better = Better.HIGHER,
) -> Metric:
    value = part / count if count else None
    return Metric(
        key=key,
        label=label,
        unit=Unit.SHARE,
        value=value,
        part=part,
        count=count,
        target=target,
        better=better,
        met=_met(value, target, better),
    )


def _times(key: str, label: str, samples: list[float], p90_target: float | None) -> list[Metric]:
    ordered = sorted(samples)
    return [
        Metric(
            key=f"{key}.median",
            label=f"{label}, median",
            unit=Unit.SECONDS,
            value=nearest_rank(ordered, 0.5),
            count=len(ordered),
            better=Better.LOWER,
        ),
        Metric(
            key=f"{key}.p90",
            label=f"{label}, p90",
            unit=Unit.SECONDS,
            value=nearest_rank(ordered, 0.9),
            count=len(ordered),
            target=p90_target,
            better=Better.LOWER,
            met=_met(nearest_rank(ordered, 0.9), p90_target, Better.LOWER),
        ),
    ]


def nearest_rank(ordered: Sequence[float], q: float) -> float | None:
    """The value at rank ceil(q * n) of the n sorted values (1-based), or None for none."""
    if not ordered:
        return None
    # rounded first: 0.9 * 110 is 99.00000000000001 in floating point, not 99
    return ordered[max(0, math.ceil(round(q * len(ordered), 9)) - 1)]


def _met(value: float | None, target: float | None, better: Better) -> bool | None:
    if value is None or target is None:
        return None
    return value >= target if better is Better.HIGHER else value <= target
