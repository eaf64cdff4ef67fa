"""TUI test fixtures: the demo floor as a frozen, in-memory FloorSource, and an app factory.

`StaticFloor` folds the demo script through `domain.decide` + `domain.apply`
at a fixed moment (Tue 24 Nov 2026, 02:13 in Sydney, journey 1), so every
test and snapshot sees the same floor and the same countdowns. `submit()`
decides and applies for real, so a Pilot test can check a flow's effect;
`submit_as()` plays another terminal. Each change is announced on
`changes()` through the sync client's own `ChangeHub`. `staff_admin` is the
backend's staff routes over the same floor: decided by the domain, folded and
announced, refused in the server's words, unreachable while not online.
"""

from __future__ import annotations

import hashlib
import itertools
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError
from textual.notifications import Notification

from api_client.changes import ChangeHub, Subscription
from api_client.contract import (
    Changes,
    Conflict,
    ConnectionStatus,
    FloorView,
    Link,
    PendingCommand,
)
from api_client.errors import CannotWithdraw, ServerUnreachable, SessionEnded, SignInFailed
from api_client.metrics import CHART_DAYS
from api_client.rest import HttpError
from backend.demo import demo_floor
from backend.errors import STATUS_FOR_CODE
from backend.floorimport import random_pin
from domain.commands import AutoEscalate, Command
from domain.cover import COVER_EVENTS
from domain.decide import Actor, Rejected, decide
from domain.digest import MonthlyDigest, monthly_digest
from domain.escalation import TOP_LINE, line_due
from domain.events import Event
from domain.metric_windows import MonthError, WindowKind, day_windows, month_window, window_for
from domain.metrics import MetricsBoard, daily_metrics, metrics_refusal, metrics_report
from domain.models import Pit, Role, Staff, Tier
from domain.permissions import can_see_downtime, can_see_incident
from domain.player_flags import flagged_incidents
from domain.protocol import JournalHead, Problem, StaffPin, StaffResult
from domain.reducer import apply
from domain.staff_admin import (
    AddStaff,
    ChangeStaff,
    FloorCommand,
    ResetPin,
    SetStaffActive,
    decide_floor,
)
from domain.state import FloorState
from tui.app import FloorApp
from tui.config import load_config

# journey 1: the disputed VVIP hand at BJ-07 (pit 2)
BASE_TIME = datetime(2026, 11, 24, 2, 13, tzinfo=ZoneInfo("Australia/Sydney")).timestamp()
TERMINAL = "test-terminal"


class StaticFloor:
    """A FloorSource over the demo floor with a clock that moves only when told."""

    def __init__(self, staff_id: str | None = "pb2", *, at: float = BASE_TIME) -> None:
        demo = demo_floor()
        self.pins = {member.id: pin for member, pin in demo.staff}
        self._now = at
        self._seq = itertools.count(1)
        truth = FloorState(
            staff={member.id: member for member, _ in demo.staff},
            assets={asset.id: asset for asset in demo.assets},
            pits={pit.id: Pit(id=pit.id, name=pit.name) for pit in demo.floor.pit},
            roster=demo.roster,
        )
        self.truth = truth
        self.events: list[Event] = []  # the log, as the server would hold it
        for number, step in enumerate(demo.script, start=1):
            self._escalate_due(at + step.offset)
            self._apply_as(step.actor_id, step.command, at + step.offset, f"demo-{number}")
        self._escalate_due(at)
        self.me: Staff | None = truth.staff[staff_id] if staff_id else None
        self.status = ConnectionStatus(Link.ONLINE if self.me else Link.SIGNED_OUT)
        self.pending: tuple[PendingCommand, ...] = ()
        self.conflicts: tuple[Conflict, ...] = ()
        self.approximate = False
        self.clock_suspect = False
        self.clock_offset = 0.0
        self.token_warning: str | None = None
        self.submitted: list[Command] = []
        self.in_flight: set[str] = set()  # pending commands "sent": no longer withdrawable
        self.signed_out: list[str] = []
        self.closed = False
        self._hub = ChangeHub()
        self._last_view: FloorView | None = None
        self._view: tuple[FloorState, Staff | None, FloorState] | None = None

    # --- what the app reads ---------------------------------------------------------

    @property
    def view(self) -> FloorView:
        """A new view only when something in it changed, as the client's own."""
        view = self._last_view
        state = self.state
        if (
            view is None
            or view.state is not state
            or view.me != self.me
            or view.status != self.status
            or view.pending is not self.pending
            or view.conflicts is not self.conflicts
            or view.approximate != self.approximate
        ):
            view = self._last_view = FloorView(
                state=state,
                confirmed=state,
                me=self.me,
                status=self.status,
                pending=self.pending,
                conflicts=self.conflicts,
                approximate=self.approximate,
            )
        return view

    @property
    def state(self) -> FloorState:
        """The floor as the signed-in user's terminal sees it (the server filters by role)."""
        if self._view is None or self._view[0] is not self.truth or self._view[1] != self.me:
            self._view = (self.truth, self.me, self._visible())
        return self._view[2]

    def _visible(self) -> FloorState:
        if self.me is None:
            return FloorState(policy=self.truth.policy, staff=self.truth.staff)
        me, policy = self.me, self.truth.policy
        return self.truth.model_copy(
            update={
                "incidents": {
                    k: i for k, i in self.truth.incidents.items() if can_see_incident(me, i, policy)
                },
                "downtimes": {
                    k: d for k, d in self.truth.downtimes.items() if can_see_downtime(me, d, policy)
                },
            }
        )

    def now(self) -> float:
        return self._now

    @property
    def staff_admin(self) -> FakeStaffAdmin:
        return FakeStaffAdmin(self)

    async def sign_in(self, staff_id: str, pin: str) -> Staff:
        if self.pins.get(staff_id) != pin:
            raise SignInFailed("wrong staff ID or PIN")
        self.me = self.truth.staff[staff_id]
        self.set_status(ConnectionStatus(Link.ONLINE))
        return self.me

    async def sign_out(self) -> None:
        if self.me is not None:
            self.signed_out.append(self.me.id)
        self.me = None
        self.set_status(ConnectionStatus(Link.SIGNED_OUT))

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        self.closed = True
        self._hub.close()

    async def submit(self, command: Command) -> PendingCommand:
        if self.me is None:
            raise SignInFailed("not signed in")
        self.submitted.append(command)
        command_id = str(uuid.uuid4())
        self._publish(self._apply_as(self.me.id, command, self._now, command_id))
        return PendingCommand(command_id, command, self._now, None, command.type)

    async def withdraw(self, command_id: str) -> PendingCommand:
        pending = next((p for p in self.pending if p.command_id == command_id), None)
        if pending is None or command_id in self.in_flight:
            raise CannotWithdraw(f"{command_id} was sent and waits for the server's answer")
        self.pending = tuple(p for p in self.pending if p.command_id != command_id)
        self.set_status(ConnectionStatus(self.status.link, pending=len(self.pending)))
        self._publish_changes(Changes(outbox=True, incidents=frozenset({pending.incident_id or 0})))
        return pending

    async def dismiss(self, command_id: str) -> None:
        self.conflicts = tuple(c for c in self.conflicts if c.command_id != command_id)
        self._publish_changes(Changes(outbox=True))

    async def metrics_board(
        self, window: WindowKind, *, tier: Tier | None = None, pit: str | None = None
    ) -> MetricsBoard:
        """As the server computes them: from this floor's own log, for managers, online."""
        if self.status.link is not Link.ONLINE:
            raise ServerUnreachable("cannot reach the server")
        refusal = metrics_refusal(self.me.role) if self.me else "sign in first"
        if refusal:
            raise SessionEnded(refusal, forbidden=True)
        policy = self.truth.policy
        span = window_for(window, self._now, policy)
        days = day_windows(self._now, CHART_DAYS, policy)
        return MetricsBoard(
            report=metrics_report(self.events, policy, span, tier=tier, pit=pit),
            daily=daily_metrics(self.events, policy, days, tier=tier, pit=pit),
        )

    async def digest(self, month: str) -> MonthlyDigest:
        """As the server's `/v1/metrics/digest`: refused in its words, from this floor's log."""
        if self.status.link is not Link.ONLINE:
            raise ServerUnreachable("cannot reach the server")
        refusal = metrics_refusal(self.me.role) if self.me else "sign in first"
        if refusal:
            raise SessionEnded(refusal, forbidden=True)
        policy = self.truth.policy
        try:
            month_span = month_window(month, self._now, policy)
        except MonthError as exc:
            raise HttpError(422, Problem(detail=str(exc))) from exc
        return monthly_digest(self.events, policy, month_span)

    def changes(self, *, paced: bool = False) -> Subscription:
        return self._hub.subscribe(paced=paced)

    # --- what tests do ----------------------------------------------------------------

    def submit_as(self, staff_id: str, command: Command) -> list[Event]:
        """Another terminal's command: applied and announced like a live-feed event."""
        events = self._apply_as(staff_id, command, self._now, str(uuid.uuid4()))
        self._publish(events)
        return events

    def submit_late(self, staff_id: str, command: Command, done_at: float) -> list[Event]:
        """Another terminal's command done offline at `done_at`, reaching the server now."""
        actor = Actor(self.truth.staff[staff_id], TERMINAL)
        decided = decide(self.truth, command, actor, done_at, command_id=str(uuid.uuid4()))
        events = self._fold([e.model_copy(update={"received_at": self._now}) for e in decided])
        self._publish(events)
        return events

    def advance(self, seconds: float) -> None:
        """Move the clock on (the app picks it up at its next tick)."""
        self._now += seconds

    def set_status(self, status: ConnectionStatus) -> None:
        self.status = status
        self.approximate = status.link is not Link.ONLINE
        self._publish_changes(Changes(status=True))

    def set_pending(self, *commands: Command) -> None:
        self.pending = tuple(
            PendingCommand(
                str(uuid.uuid4()), cmd, self._now, getattr(cmd, "incident_id", None), cmd.type
            )
            for cmd in commands
        )
        self.set_status(ConnectionStatus(self.status.link, pending=len(self.pending)))
        self._publish_changes(
            Changes(
                outbox=True,
                incidents=frozenset(
                    p.incident_id for p in self.pending if p.incident_id is not None
                ),
            )
        )

    def incident_by_spot(self, spot: str) -> int:
        return next(i.id for i in self.truth.incidents.values() if i.location.spot == spot)

    # --- folding ----------------------------------------------------------------------

    def _apply_as(self, staff_id: str, command: Command, at: float, command_id: str) -> list[Event]:
        actor = Actor(self.truth.staff[staff_id], TERMINAL)
        events = decide(self.truth, command, actor, at, command_id=command_id)
        return self._fold(events)

    def _fold(self, events: list[Event]) -> list[Event]:
        numbered = [e.model_copy(update={"seq": next(self._seq)}) for e in events]
        self.events.extend(numbered)
        for event in numbered:
            self.truth = apply(self.truth, event)
        return numbered

    def _escalate_due(self, now: float) -> None:
        """What the backend's scheduler would have done by `now`."""
        for _ in range(TOP_LINE):
            due = [
                i
                for i in self.truth.open_incidents()
                if i.line < TOP_LINE and line_due(i, self.truth.policy, now) > i.line
            ]
            if not due:
                return
            for incident in due:
                command = AutoEscalate(incident_id=incident.id, line=incident.line + 1)
                self._fold(decide(self.truth, command, None, now))

    def _publish(self, events: list[Event]) -> None:
        self._publish_changes(
            Changes(
                incidents=frozenset(e.incident_id for e in events if e.incident_id is not None)
                | flagged_incidents(self.truth, events),
                downtimes=frozenset(e.downtime_id for e in events if e.downtime_id is not None),
                roster=any(e.type in COVER_EVENTS for e in events),
                events=tuple(events),
            )
        )

    def _publish_changes(self, changes: Changes) -> None:
        self._hub.publish(changes)


class RecordingApp(FloorApp):
    """A FloorApp that keeps every toast it showed, for tests to read."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.notified: list[Notification] = []

    def notify(self, message: str, **kw: Any) -> None:
        self.notified.append(Notification(message, **kw))
        super().notify(message, **kw)


class FakeStaffAdmin:
    """The backend's `/v1/staff` routes over a `StaticFloor`, as `api_client.StaffAdmin`."""

    def __init__(self, floor: StaticFloor) -> None:
        self.floor = floor

    async def add(self, staff_id: str, name: str, role: Role, pit: str | None = None) -> StaffPin:
        pin = random_pin()
        self._run(lambda: AddStaff(id=staff_id, name=name, role=role, pit=pit))
        self.floor.pins[staff_id] = pin
        return StaffPin(staff=self._member(staff_id), pin=pin, server_time=self.floor.now())

    async def deactivate(self, staff_id: str) -> StaffResult:
        self._run(lambda: SetStaffActive(staff_id=staff_id, active=False))
        return self._result(staff_id)

    async def reactivate(self, staff_id: str) -> StaffResult:
        self._run(lambda: SetStaffActive(staff_id=staff_id, active=True))
        return self._result(staff_id)

    async def change_role(self, staff_id: str, role: Role, pit: str | None = None) -> StaffResult:
        self._run(lambda: ChangeStaff(staff_id=staff_id, role=role, pit=pit))
        return self._result(staff_id)

    async def change_pit(self, staff_id: str, pit: str) -> StaffResult:
        self._run(lambda: ChangeStaff(staff_id=staff_id, pit=pit))
        return self._result(staff_id)

    async def reset_pin(self, staff_id: str) -> StaffPin:
        pin = random_pin()
        self._run(lambda: ResetPin(staff_id=staff_id))
        self.floor.pins[staff_id] = pin
        return StaffPin(staff=self._member(staff_id), pin=pin, server_time=self.floor.now())

    async def journal_head(self) -> JournalHead:
        # no journal here: a head that moves with the floor, as the server's would
        seq = self.floor.truth.seq
        digest = hashlib.sha256(f"{seq}".encode()).hexdigest()
        return JournalHead(seq=seq, hash=digest, server_time=self.floor.now())

    def _run(self, command: Callable[[], FloorCommand]) -> None:
        floor = self.floor
        if floor.status.link is not Link.ONLINE:
            raise ServerUnreachable("connection refused")
        if floor.me is None or floor.me.role is not Role.ADMIN:
            raise SessionEnded("staff administration is for admins only", forbidden=True)
        try:
            events = decide_floor(
                floor.truth,
                command(),  # a malformed one raises here, as the route's 422 would
                Actor(floor.me, TERMINAL),
                floor.now(),
                command_id=str(uuid.uuid4()),
            )
        except ValidationError as exc:
            raise HttpError(422, Problem(detail=str(exc.errors()[0]["msg"]))) from exc
        except Rejected as exc:
            status = STATUS_FOR_CODE.get(exc.code, 409)
            raise HttpError(status, Problem(detail=exc.message, code=exc.code)) from exc
        floor._publish(floor._fold(events))

    def _member(self, staff_id: str) -> Staff:
        truth = self.floor.truth
        return truth.staff.get(staff_id) or truth.inactive_staff[staff_id]

    def _result(self, staff_id: str) -> StaffResult:
        active = staff_id in self.floor.truth.staff
        return StaffResult(
            staff=self._member(staff_id), active=active, server_time=self.floor.now()
        )


AppFactory = Callable[..., FloorApp]


@pytest.fixture
def static_floor() -> Callable[..., StaticFloor]:
    """`static_floor(staff_id="pb2")`: the frozen demo floor signed in as that member."""
    return StaticFloor


@pytest.fixture
def floor_config_dir(tmp_path: Path) -> Path:
    return tmp_path / "config"


@pytest.fixture
def make_app(floor_config_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppFactory]:
    """`make_app(source, **kw)`: a FloorApp with a throwaway config, theme "floor",
    no auto-lock and no cursor blink (snapshot-stable)."""
    for name in ("SERVER_URL", "THEME", "AUTO_LOCK_SECONDS", "LAST_STAFF_ID", "KEYMAP"):
        monkeypatch.delenv(f"FLOORLINE_{name}", raising=False)

    def make(source: Any = None, **kw: Any) -> FloorApp:
        kw.setdefault("config", load_config(floor_config_dir))
        kw.setdefault("theme", "floor")
        kw.setdefault("auto_lock_seconds", 0)
        kw.setdefault("cursor_blink", False)
        kw.setdefault("server_url", "http://floor.test:8765")
        return RecordingApp(source, **kw)

    yield make


async def field_focused(app: FloorApp, pilot: Any, field: str = "login-pin") -> None:
    """Wait until the form has focused `field` (by id): keys typed before land elsewhere."""
    for _ in range(600):
        focused = app.focused
        if focused is not None and focused.id == field:
            return
        await pilot.pause(0.05)
    raise AssertionError(f"{field} never took focus (focused: {app.focused!r})")


async def settle(app: FloorApp, pilot: Any) -> None:
    """Wait for the app's command and session workers (not the endless sync worker)."""
    for _ in range(3):
        busy = [w for w in app.workers if w.group != "sync" and not w.is_finished]
        if busy:
            await app.workers.wait_for_complete(busy)
        await pilot.pause()
