"""Shift handover: the outgoing duty manager's pack, the incoming one's acknowledgement.

A handover is for one shift boundary (one of `policy.shift_starts`): the next
one, or the one just passed while within `policy.handover_ack_within` (15 min)
of it (the outgoing duty manager is late). Opening it again replaces the pack
and the note, and a replaced pack needs acknowledging again: what was taken
over is always the latest pack. Someone other than its opener acknowledges it.
A handover still unacknowledged `handover_ack_within` into its shift is
flagged (`handover_flag`) on every duty manager's terminal until it is
acknowledged or the shift ends.

The pack (`make_pack`) is the floor as it was when opened: open incidents by
risk, how many are breached or about to breach (a promise due within the
hour), reports owed, automatic escalations due within the hour, what is down,
and the lines nobody covers in the incoming shift.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain import commands as c
from domain.cover import gaps_ahead
from domain.escalation import LINE_TITLES, next_escalation
from domain.events import PAYLOADS, Event, EventType, Payload, payload_of
from domain.handover_records import (
    Handover,
    HandoverPack,
    PackDowntime,
    PackEscalation,
    PackGap,
    PackIncident,
    PackReport,
)
from domain.local_time import local_text
from domain.models import Role
from domain.permissions import ROLE_LABELS, role_may
from domain.policy import Policy
from domain.rejection import RejectCode, Rejected
from domain.reports import ReportStatus, report_lines
from domain.sla import next_clock, risk_key
from domain.state import FloorState

HANDOVER_EVENTS = frozenset({EventType.HANDOVER_OPENED, EventType.HANDOVER_ACKNOWLEDGED})
SOON = 3600.0  # "about to breach" and "escalations due": within the next hour
PACK_INCIDENTS = 40  # the riskiest open incidents listed by number; the rest counted
KEEP = 12  # handovers kept on the floor (four days of three shifts)

EventMaker = Callable[..., Event]


# --- shift boundaries ----------------------------------------------------------


def _starts_around(now: float, policy: Policy) -> list[float]:
    """Every shift start from the day before `now` to two days after, in order."""
    zone = ZoneInfo(policy.timezone)
    today = datetime.fromtimestamp(now, zone).date()
    starts = []
    for offset in (-1, 0, 1, 2):
        day = today + timedelta(days=offset)
        for hhmm in policy.shift_starts:
            hour, minute = (int(part) for part in hhmm.split(":"))
            starts.append(datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone))
    return sorted({s.timestamp() for s in starts})


def current_shift(now: float, policy: Policy) -> tuple[float, float]:
    """The shift under way at `now`: when it began and when the next one begins."""
    starts = _starts_around(now, policy)
    began = max(s for s in starts if s <= now)
    return began, min(s for s in starts if s > now)


def shift_after(boundary: float, policy: Policy) -> float:
    """When the shift beginning at `boundary` hands over in its turn."""
    return current_shift(boundary, policy)[1]


def handover_boundary(now: float, policy: Policy) -> float:
    """The boundary a handover opened at `now` is for: the coming one, or the one just
    passed while the outgoing duty manager is late (within `handover_ack_within`)."""
    began, following = current_shift(now, policy)
    if now - began < policy.handover_ack_within:
        return began
    return following


def handover_at(state: FloorState, boundary: float) -> Handover | None:
    return next((h for h in state.handovers if h.shift_starts == boundary), None)


def current_handover(state: FloorState, now: float) -> Handover | None:
    """The handover a duty manager deals with now: this shift's while it waits to be
    acknowledged, else the one for the boundary being handed over at, else this
    shift's (acknowledged)."""
    this_shift = handover_at(state, current_shift(now, state.policy)[0])
    if this_shift is not None and this_shift.acknowledged_at is None:
        return this_shift
    return handover_at(state, handover_boundary(now, state.policy)) or this_shift


@dataclass(frozen=True, slots=True)
class HandoverFlag:
    """This shift's handover, unacknowledged `handover_ack_within` into the shift."""

    handover: Handover
    since: float  # when it became overdue


def handover_flag(state: FloorState, now: float) -> HandoverFlag | None:
    began, _ = current_shift(now, state.policy)
    handover = handover_at(state, began)
    overdue_at = began + state.policy.handover_ack_within
    if handover is None or handover.acknowledged_at is not None or now < overdue_at:
        return None
    return HandoverFlag(handover, overdue_at)


# --- the pack --------------------------------------------------------------------


def make_pack(state: FloorState, now: float, boundary: float) -> HandoverPack:
    policy = state.policy
    open_incidents = sorted(state.open_incidents(), key=risk_key)
    listed: list[PackIncident] = []
    breached = soon = 0
    for incident in open_incidents:
        clock = next_clock(incident)
        due = clock.due if clock is not None else None
        if due is not None and due < now:
            breached += 1
        elif due is not None and due < now + SOON:
            soon += 1
        if len(listed) < PACK_INCIDENTS:
            listed.append(
                PackIncident(
                    id=incident.id,
                    priority=incident.priority,
                    kind=incident.kind.label,
                    where=incident.location.display,
                    state=incident.state,
                    owner=state.staff_name(incident.owner),
                    line=incident.line,
                    promise=clock.name if clock is not None else "",
                    due=due,
                )
            )
    escalations = sorted(
        (
            PackEscalation(
                id=incident.id,
                priority=incident.priority,
                line=step.line,
                title=step.title,
                at=step.at,
            )
            for incident in open_incidents
            if (step := next_escalation(incident, policy)) is not None
            and now <= step.at < now + SOON
        ),
        key=lambda e: (e.at, e.id),
    )
    reports = tuple(
        PackReport(id=line.incident.id, priority=line.incident.priority, due=line.due or 0.0)
        for line in report_lines(state.incidents.values(), policy, now)
        if line.status is not ReportStatus.FILED
    )
    downtimes = tuple(
        PackDowntime(
            asset_id=d.asset_id,
            pit=d.pit,
            reason=d.reason,
            since=d.started_at,
            player_moved=d.player_moved_at is not None,
        )
        for d in sorted(state.active_downtimes(), key=lambda d: (d.started_at, d.id))
    )
    ends = shift_after(boundary, policy)
    # nobody on duty at any minute of the incoming shift, by the roster and covers
    forecast = gaps_ahead(state, boundary, horizon=max(0.0, ends - boundary - 60))
    gaps = tuple(
        PackGap(
            chain=gap.chain,
            line=gap.line,
            title=LINE_TITLES[gap.chain][gap.line],
            starts_at=gap.starts_at,
        )
        for gap in forecast.gaps
    )
    return HandoverPack(
        made_at=now,
        shift_starts=boundary,
        shift_ends=ends,
        open_count=len(open_incidents),
        incidents=tuple(listed),
        breached=breached,
        about_to_breach=soon,
        reports=reports,
        escalations=tuple(escalations),
        downtimes=downtimes,
        gaps=gaps,
    )


# --- deciding --------------------------------------------------------------------


def _clock(moment: float, policy: Policy) -> str:
    return local_text(moment, policy.timezone, "%H:%M")


def decide_handover(
    state: FloorState,
    command: c.OpenHandover | c.AcknowledgeHandover,
    actor_id: str,
    now: float,
    event: EventMaker,
) -> list[Event]:
    """The events of a handover command (the role was checked already), or `Rejected`."""
    policy = state.policy
    if isinstance(command, c.OpenHandover):
        boundary = handover_boundary(now, policy)
        opened = HandoverOpenedData(
            shift_starts=boundary, note=command.note.strip(), pack=make_pack(state, now, boundary)
        )
        return [event(EventType.HANDOVER_OPENED, opened)]
    handover = handover_at(state, command.shift_starts)
    when = _clock(command.shift_starts, policy)
    if handover is None:
        raise Rejected(RejectCode.NOT_FOUND, f"no handover for the {when} shift has been opened")
    if handover.acknowledged_by is not None:
        raise Rejected(
            RejectCode.ILLEGAL,
            f"the {when} handover was acknowledged already, by"
            f" {state.staff_name(handover.acknowledged_by)}",
        )
    if handover.opened_by == actor_id:
        raise Rejected(
            RejectCode.ILLEGAL,
            "you opened this handover: the incoming duty manager acknowledges it",
        )
    if command.opened_at is not None and command.opened_at != handover.opened_at:
        raise Rejected(
            RejectCode.CONFLICT,
            f"{state.staff_name(handover.opened_by)} opened the {when} handover again at"
            f" {_clock(handover.opened_at, policy)}: read it again before acknowledging",
            by=handover.opened_by,
            at=handover.opened_at,
        )
    taken = HandoverAcknowledgedData(
        shift_starts=handover.shift_starts,
        opened_at=handover.opened_at,
        note=command.note.strip(),
    )
    return [event(EventType.HANDOVER_ACKNOWLEDGED, taken)]


# --- the events' payloads ----------------------------------------------------------


class HandoverOpenedData(Payload):
    shift_starts: float
    note: str = ""
    pack: HandoverPack


class HandoverAcknowledgedData(Payload):
    shift_starts: float
    opened_at: float
    note: str = ""


PAYLOADS[EventType.HANDOVER_OPENED] = HandoverOpenedData
PAYLOADS[EventType.HANDOVER_ACKNOWLEDGED] = HandoverAcknowledgedData


# --- folding -----------------------------------------------------------------------


def apply_handover(state: FloorState, event: Event) -> FloorState:
    """Fold one of `HANDOVER_EVENTS` (the reducer's dispatch)."""
    update: dict[str, Any] = {"seq": max(state.seq, event.seq)}
    data = payload_of(event)
    if isinstance(data, HandoverOpenedData):
        handover = Handover(
            shift_starts=data.shift_starts,
            pack=data.pack,
            note=data.note,
            opened_by=event.actor,
            opened_at=event.at,
        )
        others = [h for h in state.handovers if h.shift_starts != data.shift_starts]
        kept = sorted([*others, handover], key=lambda h: h.shift_starts)[-KEEP:]
        update["handovers"] = tuple(kept)
    elif isinstance(data, HandoverAcknowledgedData):
        update["handovers"] = tuple(
            h.model_copy(
                update={
                    "acknowledged_by": event.actor,
                    "acknowledged_at": event.at,
                    "acknowledged_note": data.note,
                }
            )
            if h.shift_starts == data.shift_starts and h.opened_at == data.opened_at
            else h
            for h in state.handovers
        )
    return state.model_copy(update=update)


def handover_refusal(role: Role) -> str | None:
    """Why someone may not open the handover, or None if they may."""
    if role_may(role, "open_handover"):
        return None
    return (
        "the shift handover is between duty managers (and admins); you are signed in"
        f" as a {ROLE_LABELS[role]}"
    )
