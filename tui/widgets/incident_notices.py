"""What still needs doing on one incident: service recovery, the report, this terminal's
queued and refused commands."""

from __future__ import annotations

from collections.abc import Iterable

from textual.content import Content

from api_client.contract import Conflict, PendingCommand
from domain.models import Incident, Role
from domain.permissions import role_may, who_may
from domain.policy import Policy
from domain.reports import filed_report
from domain.sla import compensation_due
from tui.timefmt import format_countdown, format_datetime, format_span


def notices_content(
    incident: Incident,
    policy: Policy,
    pending: Iterable[PendingCommand],
    conflicts: Iterable[Conflict],
    now: float,
    *,
    role: Role | None = None,
) -> Content:
    """One line per notice; empty when there is nothing to say.

    A prompt names a key only when `role` (the viewer's) may take that action,
    and otherwise who may.
    """
    lines: list[Content] = []
    owed = compensation_due(incident, policy)
    if incident.compensation:
        lines.append(Content.assemble(("service recovery: ", "bold"), incident.compensation))
    elif owed:
        how = _how(role, "record_compensation", "record it with k")
        lines.append(
            Content.assemble(
                ("service recovery owed: ", "bold $warning"),
                owed,
                (
                    f" ({_how(role, 'record_compensation', 'record it with k')} before closing)",
                    "dim",
                ),
            )
        )
    if incident.report_due is not None:
        due = format_datetime(incident.report_due, policy.timezone)
        left = format_countdown(incident.report_due - now)
        how = _how(role, "file_report", "f to file")
        if incident.report_due > now:
            lines.append(Content.styled(f"report due by {due} (in {left}): {how}", "bold"))
        else:
            late = f"report overdue since {due} ({left}): {how}"
            lines.append(Content.styled(late, "bold $error"))
    elif (report := filed_report(incident)) is not None:
        filed = f"post-incident report filed: {report.root_cause}"
        if report.measures:
            filed += f"; measures: {report.measures}"
        lines.append(Content.styled(filed, "dim"))
    for item in pending:
        if item.incident_id == incident.id:
            age = format_span(now - item.issued_at)
            lines.append(Content.styled(f"pending: {item.summary} ({age} ago)", "$pending"))
    for conflict in conflicts:
        command = conflict.command
        if command is not None and getattr(command, "incident_id", None) == incident.id:
            what = conflict.summary or command.type.replace("_", " ")
            lines.append(
                Content.styled(f"refused: {what}: {conflict.reason} (o: outbox)", "bold $conflict")
            )
    return Content("\n").join(lines)


def _how(role: Role | None, command_type: str, key_hint: str) -> str:
    if role is not None and role_may(role, command_type):
        return key_hint
    return f"{who_may(command_type)} {'records' if 'record' in command_type else 'files'} it"
