"""The wire format between terminals and the backend (HTTP bodies, live frames).

HTTP (JSON; `Authorization: Bearer <token>`, `X-Floorline-Terminal: <name>`):
    POST   /v1/session            SignIn -> Session          (401 on bad PIN)
    DELETE /v1/session            -> 204
    POST   /v1/session/pin        ChangePin -> 204           (the only call a session
                                  signed in with a one-time PIN may make)
    POST   /v1/staff ...          admin staff commands (backend/staff_routes.py)
    GET    /v1/metrics ...        the duty manager's metrics, from the event log
                                  (backend/metrics_routes.py)
    GET    /v1/snapshot           -> Snapshot                (what the caller may see)
    POST   /v1/commands           CommandEnvelope -> CommandResult (4xx when rejected;
                                  409 carries the incident's current state)
    POST   /v1/commands/batch     CommandBatch -> BatchResult  (always 200; per-command
                                  results, in order: the outbox drain)
    GET    /v1/events?after=N     -> EventPage               (410 + Resync when N is
                                  older than the retained log)
    GET    /v1/time               -> ServerTime

Live feed: websocket `/v1/live?after=N&epoch=E`, token in the Authorization
header. The server sends `Hello`, then every event after N in order
(`EventsFrame`, possibly several per frame), then live events. A client whose
N is older than the retained log, or whose epoch differs, gets `Resync` and
the socket closes with CLOSE_RESYNC. Every frame carries `server_time`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.commands import Command
from domain.events import Event
from domain.models import Staff
from domain.state import FloorState

# websocket close codes (4000-4999 are the application's own)
CLOSE_UNAUTHORISED = 4001  # token missing, expired or revoked: sign in again
CLOSE_FORBIDDEN = 4003  # not allowed: stop trying
CLOSE_RESYNC = 4010  # take a fresh snapshot, then reconnect
CLOSE_TOO_SLOW = 4008  # the client stopped reading; reconnect and resume

MAX_BODY_BYTES = 256 * 1024
MAX_BATCH = 500


class Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class SignIn(Wire):
    staff_id: Annotated[str, Field(min_length=1, max_length=40)]
    pin: Annotated[str, Field(min_length=1, max_length=128)]
    terminal: Annotated[str, Field(max_length=80)] = ""


class Session(Wire):
    token: str
    expires_at: float
    staff: Staff
    server_time: float
    # signed in with a one-time PIN: change it (POST /v1/session/pin) before anything else
    must_change_pin: bool = False


class ChangePin(Wire):
    old_pin: Annotated[str, Field(min_length=1, max_length=128)]
    new_pin: Annotated[str, Field(min_length=1, max_length=128)]


class StaffPin(Wire):
    """A staff member and the one-time PIN made for them: shown once, never stored."""

    staff: Staff
    pin: str
    server_time: float


class StaffResult(Wire):
    staff: Staff
    active: bool
    server_time: float


class JournalHead(Wire):
    """The journal's last entry and its hash, as an admin reads it to write it down elsewhere:
    later, `floorline audit verify --head HASH` proves nothing up to it was changed."""

    seq: int
    hash: str
    server_time: float


class Snapshot(Wire):
    epoch: str
    seq: int
    server_time: float
    me: Staff
    state: FloorState


class CommandEnvelope(Wire):
    command_id: Annotated[str, Field(min_length=8, max_length=64)]
    issued_at: float | None = None  # the terminal's corrected clock, for the audit
    command: Command


class CommandBatch(Wire):
    commands: Annotated[list[CommandEnvelope], Field(max_length=MAX_BATCH)]


class CommandError(Wire):
    code: str  # invalid, forbidden, not_found, illegal, conflict
    message: str
    current: dict[str, Any] | None = None  # the incident as it is now
    by: str | None = None
    at: float | None = None


class CommandResult(Wire):
    command_id: str
    status: Literal["accepted", "rejected"]
    seq: int = 0  # the last event's seq (0: accepted with nothing to change)
    incident_id: int | None = None  # the number the server gave a new incident
    error: CommandError | None = None
    server_time: float = 0.0


class BatchResult(Wire):
    results: list[CommandResult]
    server_time: float


class EventPage(Wire):
    epoch: str
    events: list[Event]
    head: int
    server_time: float


class ServerTime(Wire):
    server_time: float


class Hello(Wire):
    type: Literal["hello"] = "hello"
    epoch: str
    head: int
    server_time: float
    me: Staff


class EventsFrame(Wire):
    type: Literal["events"] = "events"
    events: list[Event]
    server_time: float


class Resync(Wire):
    type: Literal["resync"] = "resync"
    reason: str
    epoch: str
    head: int
    server_time: float


class Problem(Wire):
    """The body of every 4xx: what was wrong, in words a user can act on."""

    detail: str
    code: str = "invalid"
    current: dict[str, Any] | None = None
    by: str | None = None
    at: float | None = None


ServerFrame = Annotated[Hello | EventsFrame | Resync, Field(discriminator="type")]
