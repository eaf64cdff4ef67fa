"""Post-incident reports: which are due, which overdue, which filed.

Every incident of a priority in `policy.report_priorities` (P1, P2) owes a
report once it is resolved, due `policy.report_due_after` (24 h) after the
resolve; the reducer sets `report_due` then (and clears it on a reopen: the
next resolve starts the clock again). A report is overdue from its due moment
on, to the second. Filing clears the debt and keeps the due it was filed
against, so a late filing still reads as late.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from domain.models import FiledReport, Incident, Role
from domain.permissions import role_may
from domain.policy import Policy


class ReportStatus(StrEnum):
    OVERDUE = "overdue"
    DUE = "due"
    FILED = "filed"


REPORTS_ROLES = frozenset({Role.DUTY_MANAGER, Role.ADMIN})


@dataclass(frozen=True, slots=True)
class ReportLine:
    """One incident on the reports list."""

    incident: Incident
    status: ReportStatus
    due: float | None  # when it falls (or fell) due; None for a report filed unasked
    left: float | None  # seconds to the due moment (negative: overdue); None once filed
    late: bool  # filed after it was due, or overdue now


def filed_report(incident: Incident) -> FiledReport | None:
    """The incident's filed report, also one stored as one text (read as its root
    cause, with who filed it and when from the timeline)."""
    report = incident.report
    if isinstance(report, FiledReport):
        return report
    if not report:
        return None
    entry = next((e for e in reversed(incident.timeline) if e.kind == "report_filed"), None)
    if entry is None:
        return FiledReport(root_cause=report)
    return FiledReport(root_cause=report, by=entry.actor, at=entry.at)


def report_line(incident: Incident, policy: Policy, now: float) -> ReportLine | None:
    """Where the incident stands on the reports list, or None if it owes none."""
    filed = filed_report(incident)
    if filed is not None:
        due = filed.was_due
        late = due is not None and filed.at is not None and filed.at > due
        return ReportLine(incident, ReportStatus.FILED, due, None, late)
    if incident.report_due is None or incident.priority not in policy.report_priorities:
        return None
    left = incident.report_due - now
    status = ReportStatus.OVERDUE if left <= 0 else ReportStatus.DUE
    return ReportLine(incident, status, incident.report_due, left, status is ReportStatus.OVERDUE)


def report_lines(incidents: Iterable[Incident], policy: Policy, now: float) -> list[ReportLine]:
    """Overdue first (the longest overdue on top), then due (the soonest first), then
    filed (the latest filing first)."""
    lines = [line for i in incidents if (line := report_line(i, policy, now)) is not None]
    order = {ReportStatus.OVERDUE: 0, ReportStatus.DUE: 1, ReportStatus.FILED: 2}

    def key(line: ReportLine) -> tuple[int, float, int]:
        if line.status is ReportStatus.FILED:
            filed = filed_report(line.incident)
            at = filed.at if filed is not None and filed.at is not None else 0.0
            return (order[line.status], -at, line.incident.id)
        return (order[line.status], line.due or 0.0, line.incident.id)

    return sorted(lines, key=key)


@dataclass(frozen=True, slots=True)
class ReportCounts:
    due: int  # owed and not yet filed, overdue ones included
    overdue: int


def report_counts(incidents: Iterable[Incident], policy: Policy, now: float) -> ReportCounts:
    due = overdue = 0
    for incident in incidents:
        line = report_line(incident, policy, now)
        if line is None or line.status is ReportStatus.FILED:
            continue
        due += 1
        overdue += line.status is ReportStatus.OVERDUE
    return ReportCounts(due, overdue)


def reports_refusal(role: Role) -> str | None:
    """Why someone may not open the reports list, or None if they may."""
    if role in REPORTS_ROLES:
        return None
    how = " (and file one from the incident, f)" if role_may(role, "file_report") else ""
    return (
        "the reports list is for duty managers and admins: it covers every P1 and P2 on"
        f" the floor; you see the reports due on your own incidents{how}"
    )


def report_overdue(incident: Incident, now: float) -> bool:
    """An owed report whose due moment has come (the queue summary's count)."""
    return not incident.report and incident.report_due is not None and incident.report_due <= now
