"""The monthly VIP digest (seed 000, section 19): the month's metrics against their
targets, the month before for the trend, promises by tier, every service recovery
given and every post-incident report filed late or not at all."""

from __future__ import annotations

from collections.abc import Iterable

from domain.events import Event
from domain.incident_history import fold_history
from domain.metric_windows import Window, previous_month
from domain.metrics import MetricsReport, events_inside, report_from
from domain.models import Frozen, IncidentKind, Priority, Tier
from domain.policy import Policy


class RecoveryGiven(Frozen):
    incident_id: int
    at: float
    tier: Tier
    priority: Priority
    kind: IncidentKind
    text: str


class LateReport(Frozen):
    """A post-incident report that fell due in the month and was filed after, or not yet."""

    incident_id: int
    priority: Priority
    tier: Tier
    due: float
    filed_at: float | None  # None: still not filed at the month's end


class MonthlyDigest(Frozen):
    timezone: str  # the policy's: the floor's local time, for reading the moments
    report: MetricsReport
    previous: MetricsReport  # the month before, for the trend
    by_tier: tuple[MetricsReport, ...]  # one per tier, standard to VVIP
    recoveries: tuple[RecoveryGiven, ...]
    late_reports: tuple[LateReport, ...]
    pruned_before: float | None = None  # as in MetricsReport


def monthly_digest(events: Iterable[Event], policy: Policy, month: Window) -> MonthlyDigest:
    """The digest of `month` (see `domain.metric_windows.month_window`)."""
    listed = list(events)
    before = previous_month(month, policy)
    history = fold_history(listed, policy, month.end)

    def inside(moment: float) -> bool:
        return month.start <= moment < month.end

    recoveries = sorted(
        (
            RecoveryGiven(
                incident_id=r.incident.id,
                at=at,
                tier=r.incident.player.tier,
                priority=r.incident.priority,
                kind=r.incident.kind,
                text=text,
            )
            for r in history.incidents.values()
            for at, text in r.recoveries
            if inside(at)
        ),
        key=lambda given: (given.at, given.incident_id),
    )
    late = sorted(
        (
            LateReport(
                incident_id=r.incident.id,
                priority=r.incident.priority,
                tier=r.incident.player.tier,
                due=r.report_due or 0.0,
                filed_at=r.report_filed_at,
            )
            for r in history.incidents.values()
            if r.report_due is not None
            and inside(r.report_due)
            and (r.report_filed_at is None or r.report_filed_at > r.report_due)
        ),
        key=lambda report: (report.due, report.incident_id),
    )
    previous_history = fold_history(listed, policy, before.end)
    return MonthlyDigest(
        timezone=policy.timezone,
        report=report_from(history, policy, month, events=events_inside(listed, month)),
        previous=report_from(previous_history, policy, before),
        by_tier=tuple(report_from(history, policy, month, tier=tier) for tier in Tier),
        recoveries=tuple(recoveries),
        late_reports=tuple(late),
    )
