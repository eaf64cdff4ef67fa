"""The whole floor at one point of the event log."""

from __future__ import annotations

from pydantic import Field

from domain.cover_records import ContactCheck, Cover
from domain.handover_records import Handover
from domain.models import (
    Asset,
    Downtime,
    Frozen,
    Incident,
    Pit,
    PlayerFlag,
    RosterEntry,
    Staff,
)
from domain.policy import Policy


class FloorState(Frozen):
    """Folded from events by `domain.reducer.apply`; treat every dict as read-only.

    The reducer copies a dict before changing it, so an older FloorState (a
    replica's confirmed state under an optimistic view) is never disturbed.
    """

    policy: Policy = Field(default_factory=Policy)
    seq: int = 0
    incidents: dict[int, Incident] = Field(default_factory=dict)
    downtimes: dict[int, Downtime] = Field(default_factory=dict)
    assets: dict[str, Asset] = Field(default_factory=dict)
    staff: dict[str, Staff] = Field(default_factory=dict)  # active staff: who may sign in
    # deactivated staff, kept so their names still read in timelines
    inactive_staff: dict[str, Staff] = Field(default_factory=dict)
    pits: dict[str, Pit] = Field(default_factory=dict)
    roster: tuple[RosterEntry, ...] = ()
    # folded from events (`domain.cover`): standing in for a line, contacts confirmed
    covers: tuple[Cover, ...] = ()
    contact_checks: tuple[ContactCheck, ...] = ()
    # folded from events (`domain.player_flags`): keyed by the player's reference,
    # so they show on every incident of that player; one flag of each kind
    player_flags: dict[str, tuple[PlayerFlag, ...]] = Field(default_factory=dict)
    # the latest shift handovers (`domain.handover`), oldest first
    handovers: tuple[Handover, ...] = ()
    next_incident_id: int = 1
    next_downtime_id: int = 1

    def staff_name(self, staff_id: str | None) -> str:
        if not staff_id:
            return "-"
        member = self.staff.get(staff_id) or self.inactive_staff.get(staff_id)
        if member is not None:
            return member.name
        # contacts on the escalation roster (finance, the bank) are not floor staff
        return next((e.name for e in self.roster if e.staff_id == staff_id), staff_id)

    def active_downtimes(self) -> list[Downtime]:
        return [d for d in self.downtimes.values() if d.active]

    def open_downtime_of(self, asset_id: str) -> Downtime | None:
        """The asset's open downtime: there is at most one."""
        return next(
            (d for d in self.downtimes.values() if d.active and d.asset_id == asset_id), None
        )

    def open_incidents(self) -> list[Incident]:
        return [i for i in self.incidents.values() if i.state.is_open]
