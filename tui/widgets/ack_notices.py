"""The incident screen's lines about acknowledgements: the owner's ETA counting
down (or lapsed, and when the next line is paged), and on a P1 who of those paged
on its line has acknowledged and who is still awaited."""

from __future__ import annotations

from textual.content import Content

from domain.acks import acked_by, awaiting, multi_ack, owes_ack
from domain.escalation import climbing
from domain.eta import page_due
from domain.models import Incident
from domain.state import FloorState
from tui.timefmt import format_clock, format_countdown


def ack_lines(
    incident: Incident, floor: FloorState, me: str | None, now: float, *, approximate: bool = False
) -> list[Content]:
    """One line each; none when no ETA runs and nobody's acknowledgement is awaited."""
    lines: list[Content] = []
    zone = floor.policy.timezone
    if climbing(incident) and incident.eta_lapsed is not None:
        text = f"ETA lapsed at {format_clock(incident.eta_lapsed, zone)}: not stabilised or updated"
        paged_at = page_due(incident, floor.policy)
        if paged_at is not None:
            left = format_countdown(paged_at - now, approximate=approximate)
            text += (
                f"; L{incident.line + 1} is paged at {format_clock(paged_at, zone)}"
                f" (in {left}) unless stabilised (b) or updated (m)"
            )
        lines.append(Content.styled(text, "bold $error"))
    elif climbing(incident) and incident.eta_due is not None:
        left = format_countdown(incident.eta_due - now, approximate=approximate)
        who = floor.staff_name(incident.owner)
        lines.append(
            Content.assemble(
                (f"{who} is on it by {format_clock(incident.eta_due, zone)} (in {left})", "bold"),
                (": then re-alerted unless stabilised or updated", "dim"),
            )
        )
    if multi_ack(incident) and incident.paged:
        first_ack = {a.staff_id: a.at for a in reversed(incident.acks)}
        parts: list[Content] = []
        acked = [
            f"{floor.staff_name(s)} {format_clock(first_ack[s], zone)}" for s in acked_by(incident)
        ]
        if acked:
            parts.append(Content.assemble(("acked ", "dim"), ", ".join(acked)))
        waiting = [floor.staff_name(s) for s in awaiting(incident)]
        if waiting:
            parts.append(
                Content.assemble(("waiting ", "dim"), (", ".join(waiting), "bold $warning"))
            )
        line = Content.assemble(
            (f"P1 paged on L{incident.line}: ", "bold"), Content("; ").join(parts)
        )
        if me is not None and owes_ack(incident, me):
            line = Content.assemble(line, (" - you are paged: a to acknowledge", "bold $error"))
        lines.append(line)
    return lines
