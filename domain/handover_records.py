"""What the floor keeps about shift handovers: the pack the outgoing duty manager
handed over, and who took it and when.

Plain records folded by `domain.handover`; the rules that read them live there.
The pack is a copy of the floor as it was when it was opened (no player
details: numbers, priorities, places, owners), so the acknowledgement is of
what was actually handed over, not of the floor as it is later.
"""

from __future__ import annotations

from domain.models import Chain, Frozen, IncidentState, Priority


class PackIncident(Frozen):
    id: int
    priority: Priority
    kind: str  # as the floor words it: "payment failure"
    where: str  # "2/BJ-07", "online"
    state: IncidentState
    owner: str  # the owner's name, or "-"
    line: int
    promise: str  # the next promise running: "answer", "stabilise", "resolve", "update"
    due: float | None  # when it falls due; None: nothing running


class PackEscalation(Frozen):
    id: int
    priority: Priority
    line: int  # the line it climbs to
    title: str  # who that line is: "VIP director / COO"
    at: float


class PackReport(Frozen):
    id: int
    priority: Priority
    due: float


class PackDowntime(Frozen):
    asset_id: str
    pit: str
    reason: str
    since: float
    player_moved: bool


class PackGap(Frozen):
    chain: Chain
    line: int
    title: str
    starts_at: float


class HandoverPack(Frozen):
    """The floor at the moment the outgoing duty manager opened the handover."""

    made_at: float
    shift_starts: float  # the boundary handed over at
    shift_ends: float  # when the incoming shift hands over in its turn
    open_count: int
    incidents: tuple[PackIncident, ...]  # open ones by risk, the riskiest first (capped)
    breached: int  # open incidents with a promise already broken
    about_to_breach: int  # open incidents with a promise falling due within the hour
    reports: tuple[PackReport, ...]  # post-incident reports owed, the soonest due first
    escalations: tuple[PackEscalation, ...]  # automatic steps due within the hour
    downtimes: tuple[PackDowntime, ...]  # tables and machines down
    gaps: tuple[PackGap, ...]  # lines with nobody on duty in the incoming shift


class Handover(Frozen):
    shift_starts: float
    pack: HandoverPack
    note: str
    opened_by: str
    opened_at: float
    acknowledged_by: str | None = None
    acknowledged_at: float | None = None
    acknowledged_note: str = ""
