"""What a UI sees of the client: connection status, changes, pending and conflicted work.

Plain data with no I/O, so a screen can render it and a test can build it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from domain.commands import Command
from domain.incident_facts import FactsMemo
from domain.models import Incident, Staff
from domain.state import FloorState


class Link(StrEnum):
    ONLINE = "online"
    RECONNECTING = "reconnecting"
    OFFLINE = "offline"
    SIGNED_OUT = "signed_out"


@dataclass(frozen=True, slots=True)
class ConnectionStatus:
    link: Link
    attempt: int = 0  # reconnect attempt number while RECONNECTING
    next_try_at: float | None = None  # server-corrected time of the next attempt
    since: float | None = None  # server-corrected time the link was lost
    pending: int = 0  # commands in the outbox
    detail: str = ""  # the last error, in words
    insecure: bool = False  # plain ws/http to a non-loopback host (operator's flag)
    # events from the server this terminal could not fold, skipped for a fresh
    # snapshot instead (since the app started)
    bad_events: int = 0

    @property
    def bad_events_words(self) -> str:
        if not self.bad_events:
            return ""
        plural = "s" if self.bad_events != 1 else ""
        return f"{self.bad_events} bad event{plural} skipped; took a fresh snapshot"


@dataclass(frozen=True, slots=True)
class PendingCommand:
    command_id: str
    command: Command
    issued_at: float  # corrected time it was issued
    incident_id: int | None  # the incident it touches (negative: created offline)
    summary: str  # "resolve #12", for the outbox screen


@dataclass(frozen=True, slots=True)
class Conflict:
    """A command the server refused (or this version cannot send); kept until dismissed."""

    command_id: str
    # None: queued by another floorline version in a form this one cannot read
    # (code "unsendable"); `summary` and `reason` say what it was
    command: Command | None
    issued_at: float
    code: str  # conflict, illegal, forbidden, not_found, invalid; unsendable (this terminal)
    reason: str  # the server's words
    by: str | None = None  # who made the change that beat this command (a staff id)
    at: float | None = None  # and when
    # the incident as the server has it now; None when it has left this
    # user's view (reassigned away): the reason still says by whom and when
    current: Incident | None = None
    summary: str = ""


# past this many events a merged notice says "redraw everything" instead
MAX_EVENTS_HELD = 2000


@dataclass(frozen=True, slots=True)
class Changes:
    """One coalesced notice to a UI: what moved since the last one."""

    incidents: frozenset[int] = frozenset()  # ids changed, added or removed
    downtimes: frozenset[int] = frozenset()
    roster: bool = False
    status: bool = False  # ConnectionStatus changed
    outbox: bool = False  # pending or conflicts changed
    reset: bool = False  # a whole new state (snapshot, sign-in): redraw everything
    events: tuple[Any, ...] = field(default=())  # the domain Events applied, in order

    def merged(self, later: Changes) -> Changes:
        """One notice covering this one and `later` (bursts collapse into one)."""
        events = self.events + later.events
        reset = self.reset or later.reset
        if len(events) > MAX_EVENTS_HELD:
            events, reset = (), True
        return Changes(
            incidents=self.incidents | later.incidents,
            downtimes=self.downtimes | later.downtimes,
            roster=self.roster or later.roster,
            status=self.status or later.status,
            outbox=self.outbox or later.outbox,
            reset=reset,
            events=events,
        )


_EMPTY_STATE = FloorState()


@dataclass(frozen=True, slots=True)
class FloorView:
    """Everything a UI reads of one user's floor, at one moment, immutable.

    The sync thread makes a new one with each notice; a reader holds one and
    never sees it change under it.
    """

    state: FloorState = _EMPTY_STATE  # the optimistic view
    confirmed: FloorState = _EMPTY_STATE  # what the server has confirmed
    me: Staff | None = None
    status: ConnectionStatus = ConnectionStatus(Link.SIGNED_OUT)
    pending: tuple[PendingCommand, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    warnings: tuple[str, ...] = ()  # local files set aside when the floor opened
    approximate: bool = True  # countdowns show "~" (offline, or no clock sample yet)
    server: str = ""  # the address in use, of the floor's servers
    # what the queue derives from each incident, worked out on the sync thread
    facts: FactsMemo = field(default_factory=FactsMemo)

    @property
    def pending_incidents(self) -> frozenset[int]:
        """The incidents a queued command waits on: their rows say so."""
        return frozenset(p.incident_id for p in self.pending if p.incident_id is not None)
