"""The floorline app: one sync worker, one 1-second tick, app-wide keys and alerts.

Screens read `view` (the sync client's last `FloorView`: optimistic state,
outbox, link) and subscribe to two signals: `ticked` (server-corrected time,
once a second) and `floor_updated` (one `FloorUpdate` per notice from the
client, which already coalesces bursts). User intents arrive as
`CommandRequested` / `PageRequested` and are submitted to the client in
workers; the client does its work on its own thread, so nothing here blocks.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import time
from collections.abc import Callable
from typing import Any

from textual import events, on, work
from textual.app import App, ScreenStackError
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.signal import Signal
from textual.timer import Timer

from api_client.changes import PACE_LIMIT
from api_client.contract import Changes, FloorView, Link
from domain.commands import Command, PageContact
from domain.decide import Rejected
from domain.models import Staff
from screens.lock import LockScreen
from screens.login import LoginScreen
from themes import THEMES, VARIABLE_DEFAULTS, next_theme, resolve_theme
from tui import collector
from tui.alerts import (
    Alert,
    BreachWatch,
    EtaWatch,
    eta_lapsed_alerts,
    lowered_priority_alerts,
    new_p1_alerts,
    paged_alerts,
)
from tui.config import Config, load_config
from tui.floor_update import FloorUpdate
from tui.messages import CommandRequested, DismissRequested, PageRequested, WithdrawRequested
from tui.palette import FloorCommands
from tui.screen_keys import FINISH_THE_FORM, HELP_BINDING, SCREEN_BINDINGS
from tui.session import Session
from tui.source import FloorSource
from tui.toasts import AlertToasts, Shown

SourceFactory = Callable[[str], FloorSource]
ALERT_SECONDS = 15.0  # how long an alert toast stays: long enough to be read across a table
SETTLE_AFTER = 1.0  # seconds after the queue is shown: see `tui.settle`
SETTLE_LATEST = 10.0  # notices put settling off, never further than this after the ask

# (module in screens/, class, what the user calls it)
_SCREENS: dict[str, tuple[str, str, str]] = {
    "new_incident": ("new_incident", "NewIncidentScreen", "new incident"),
    "downtime": ("downtime", "DowntimeScreen", "downtime board"),
    "escalation": ("escalation", "EscalationScreen", "escalation ladder"),
    "outbox": ("outbox", "OutboxScreen", "outbox"),
    "metrics": ("metrics", "MetricsScreen", "metrics board"),
    "reports": ("reports", "ReportsScreen", "reports"),
    "handover": ("handover", "HandoverScreen", "shift handover"),
    "staff": ("staff", "StaffScreen", "staff"),
    "floor_map": ("floor_map", "FloorMapScreen", "floor map"),
}

_GUARDED = frozenset(
    {"new_incident", "downtime", "escalation", "outbox", "back", "help", "lock", "command_palette"}
    | {"metrics", "staff", "reports", "handover", "floor_map"}
)


class FloorApp(App[None]):
    TITLE = "floorline"
    COMMANDS = App.COMMANDS | {FloorCommands}
    CSS = """
    Toast { max-width: 60; }
    """
    BINDINGS = [
        *SCREEN_BINDINGS,
        Binding("escape", "back", "Back", id="app.back", show=False),
        HELP_BINDING,
        # priority: a dialog or form in front takes other app keys, but never this one
        Binding("ctrl+l", "lock", "Lock", id="app.lock", show=False, priority=True),
        Binding("f10", "next_theme", "Theme", id="app.theme", show=False),
        Binding(
            "ctrl+p", "command_palette", "Commands", id="app.palette", show=False, priority=True
        ),
    ]

    # the shared-terminal lock: screens hide player details while it is set
    locked: reactive[bool] = reactive(False, init=False)

    def __init__(
        self,
        source: FloorSource | None = None,
        *,
        source_factory: SourceFactory | None = None,
        config: Config | None = None,
        server_url: str | None = None,
        staff_id: str | None = None,
        login_hint: str = "",
        theme: str | None = None,
        auto_lock_seconds: float | None = None,
        idle_clock: Callable[[], float] = time.monotonic,
        cursor_blink: bool = True,
        remember_server: bool = True,
    ) -> None:
        super().__init__()
        self.config = config or load_config()
        settings = self.config.settings
        self.server_url = server_url or settings.server_url or ""
        if source is None:
            if source_factory is None:
                raise ValueError("FloorApp needs a source or a source_factory")
            source = source_factory(self.server_url)
        self.source: FloorSource = source
        self.source_factory = source_factory
        self.server_label = self.server_url
        self.view: FloorView = source.view  # as of the last `floor_updated`
        self.now = source.now()  # as of the last `ticked`
        self.ticked: Signal[float] = Signal(self, "ticked")
        self.floor_updated: Signal[FloorUpdate] = Signal(self, "floor-updated")
        self.login_hint = login_hint
        self.prefill_staff_id = staff_id or settings.last_staff_id or ""
        self.auto_lock_seconds = (
            settings.auto_lock_seconds if auto_lock_seconds is None else auto_lock_seconds
        )
        self.session = Session(self)
        self._alert_toasts = AlertToasts()
        self._idle_clock = idle_clock
        self.cursor_blink = cursor_blink
        self._last_input = idle_clock()
        self._theme_choice = resolve_theme(theme or settings.theme)
        self._breaches = BreachWatch()
        self._etas = EtaWatch()
        self._settle_timer: Timer | None = None
        self._settle_asked = 0.0  # when the pending settling was first asked for
        self.remember_server = remember_server

    # --- start-up -----------------------------------------------------------------

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(VARIABLE_DEFAULTS)

    def on_mount(self) -> None:
        for floor_theme in THEMES:
            self.register_theme(floor_theme)
        self.theme = self._theme_choice.name
        for notice in (self._theme_choice.notice, self.config.problem):
            if notice:
                self.notify(notice, severity="warning", timeout=10, markup=False)
        if self.config.settings.keymap:
            self.set_keymap(self.config.settings.keymap)
        self.set_interval(1.0, self.tick, name="floor-tick")
        if self.source.me is not None:
            self.show_queue()
            # the floor this source already holds goes on screen before any network work
            self.call_after_refresh(self.start_sync)
        else:
            self.session.resume_or_sign_in()

    def show_queue(self) -> None:
        from screens.queue import QueueScreen

        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(QueueScreen())
        self.call_after_refresh(collector.floor_painted, self._floor_owner(self.source.me))
        self.settle_soon()

    def settle_soon(self) -> None:
        """Once idle after a new session: a fresh incident screen made ahead, the heap frozen.

        A sign-in asks from two places; one settling, a second after the last ask,
        does. Notices put it off too (`_put_off_settling`): making a screen in the
        middle of a catch-up would stall the rows coming in.
        """
        if self._settle_timer is not None:
            self._settle_timer.stop()
        else:
            self._settle_asked = time.monotonic()
        self._settle_timer = self.set_timer(SETTLE_AFTER, self._settle)

    def _put_off_settling(self) -> None:
        if self._settle_timer is not None and (
            time.monotonic() - self._settle_asked < SETTLE_LATEST - SETTLE_AFTER
        ):
            self.settle_soon()

    def _settle(self) -> None:
        from tui.settle import settle

        self._settle_timer = None
        settle(self)

    async def on_unmount(self) -> None:
        collector.app_closed()
        try:
            await self.source.close()
        except Exception:  # closing must never stop the app from exiting
            self.log.warning("closing the sync client failed")

    # --- the sync worker and the tick -------------------------------------------

    def start_sync(self) -> None:
        self._sync(self.source)

    @work(exclusive=True, exit_on_error=False, group="sync", name="sync")
    async def _sync(self, source: FloorSource) -> None:
        # subscribe before starting, so the first notice (the stored floor) is not missed
        # paced: closed when this worker ends (restarted, cancelled, failed), or every
        # catch-up page would wait for a reader that is gone
        async with contextlib.aclosing(source.changes(paced=True)) as feed:
            if source.view is not self.view:  # it moved before we listened
                self.publish_floor(Changes(reset=True))
            await source.start()
            async for changes in feed:
                if source is not self.source:
                    return
                self.publish_floor(changes)
                await self._until_shown()

    async def _until_shown(self) -> None:
        """The last notice is on the screen, or a moment has passed: only then is the
        next asked for, so a catch-up page is not folded meanwhile (`api_client.changes`)."""
        try:
            screen = self.screen
        except ScreenStackError:  # closing: nothing to show it on
            return
        if screen.is_running:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(screen.wait_for_refresh(), PACE_LIMIT)

    def publish_floor(self, changes: Changes) -> None:
        """Take the client's view as of `changes` and hand both to every screen."""
        before, self.view = self.view, self.source.view
        view = self.view
        if changes.reset:
            self.call_after_refresh(collector.floor_painted, self._floor_owner(view.me))
        self._breaches.floor_changed(None if changes.reset else changes.incidents)
        self._etas.floor_changed(None if changes.reset else changes.incidents)
        me = view.me.id if view.me else None
        self._alert(
            new_p1_alerts(changes.events, view.state, me)
            + lowered_priority_alerts(changes.events, view.state, view.me)
            + eta_lapsed_alerts(changes.events, view.state, me)
            + paged_alerts(changes.events, view.state, me)
        )
        self.floor_updated.publish(FloorUpdate(view, changes))
        self._put_off_settling()
        # the server ended the session (it says why; a sign-out here does not)
        ended = view.status.link is Link.SIGNED_OUT and before.status.link is not Link.SIGNED_OUT
        if ended and before.me is not None and view.status.detail:
            self.session.ended_by_server(view.status.detail)

    def _floor_owner(self, me: Staff | None) -> object:
        """Whose floor is painted, on which client: another one's frozen heap is freed."""
        return (id(self.source), me.id) if me is not None else None

    def tick(self) -> None:
        """The one app-level clock: countdowns, breach alerts, auto-lock."""
        self.now = now = self.source.now()
        self.ticked.publish(now)
        if self.view.me is not None:
            self._alert(self._breaches.check(self.view.state, now, self.view.facts))
            online = self.view.status.link is Link.ONLINE
            self._alert(self._etas.check(self.view.state, self.view.me.id, now, online=online))
        clock = self._idle_clock()
        idle = clock - self._last_input
        if self.auto_lock_seconds and idle >= self.auto_lock_seconds:
            self.action_lock()
        collector.sweep_when_quiet(clock, idle)

    def _alert(self, alerts: list[Alert]) -> None:
        if not alerts:
            return
        self.bell()
        now = time.monotonic()
        for alert in alerts:
            shown = self._alert_toasts.admit(now, now + ALERT_SECONDS)
            if shown is Shown.RUNG:
                continue
            if shown is Shown.MORE:
                title, message = "More alerts", "more are ringing: the queue shows every incident"
            else:
                # typed text may name a player: the lock shows none
                title, message = alert.title, alert.message
                if alert.detail and not self.locked:
                    message = f"{message}: {alert.detail}"
            self.notify(message, title=title, severity="error", timeout=ALERT_SECONDS, markup=False)

    def clear_notifications(self) -> None:
        self._alert_toasts.cleared()
        super().clear_notifications()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown):
            self.note_activity()
        await super().on_event(event)

    def note_activity(self) -> None:
        self._last_input = self._idle_clock()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # a steady cursor for terminals (and snapshots) that ask for one
        if not self.cursor_blink and hasattr(event.widget, "cursor_blink"):
            event.widget.cursor_blink = False

    # --- who is at the terminal ---------------------------------------------------

    @on(LoginScreen.SignInRequested)
    def _sign_in_requested(self, message: LoginScreen.SignInRequested) -> None:
        self.session.sign_in(message.screen, message.server, message.staff_id, message.pin)

    @on(LoginScreen.PinChangeRequested)
    def _pin_change_requested(self, message: LoginScreen.PinChangeRequested) -> None:
        self.session.change_pin(message.screen, message.staff_id, message.old_pin, message.new_pin)

    @on(LockScreen.UnlockRequested)
    def _unlock_requested(self, message: LockScreen.UnlockRequested) -> None:
        self.session.unlock(message.screen, message.pin)

    @on(LockScreen.SwitchUserRequested)
    def _switch_user_requested(self, message: LockScreen.SwitchUserRequested) -> None:
        self.session.switch_user(message.screen, message.staff_id, message.pin)

    # --- commands -----------------------------------------------------------------

    @on(CommandRequested)
    def _command_requested(self, message: CommandRequested) -> None:
        self.submit(message.command, message.done)

    @on(PageRequested)
    def _page_requested(self, message: PageRequested) -> None:
        command = PageContact(
            incident_id=message.incident_id, staff_id=message.staff_id, method=message.method
        )
        name = self.view.state.staff_name(message.staff_id)
        self.submit(command, f"paged {name} ({message.method})")

    @on(DismissRequested)
    def _dismiss_requested(self, message: DismissRequested) -> None:
        self._dismiss(message.command_id)

    @work(exit_on_error=False, group="commands")
    async def _dismiss(self, command_id: str) -> None:
        await self.source.dismiss(command_id)

    @on(WithdrawRequested)
    def _withdraw_requested(self, message: WithdrawRequested) -> None:
        self._withdraw(message.command_id)

    @work(exit_on_error=False, group="commands")
    async def _withdraw(self, command_id: str) -> None:
        from api_client.errors import ClientError

        try:
            withdrawn = await self.source.withdraw(command_id)
        except ClientError as exc:
            self.notify(
                exc.message, title="Not withdrawn", severity="warning", timeout=8, markup=False
            )
        else:
            self.notify(f"withdrawn: {withdrawn.summary} (never sent)", markup=False)

    @work(exit_on_error=False, group="commands")
    async def submit(self, command: Command, done: str = "") -> None:
        from api_client.errors import ClientError

        try:
            await self.source.submit(command)
        except Rejected as exc:
            self.notify(exc.message, title="Not done", severity="error", timeout=8, markup=False)
        except ClientError as exc:
            self.notify(exc.message, title="Not sent", severity="error", timeout=8, markup=False)
        else:
            if done and self.source.view.status.link is not Link.ONLINE:
                # nothing is done until the server has it: say it waits, not that it happened
                self.notify(f"queued: {done} (sent when the server is back)", markup=False)
            elif done:
                self.notify(done, markup=False)

    # --- app-wide actions ---------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # keys that act on the floor are off while locked or signed out
        return not (action in _GUARDED and (self.locked or self.view.me is None))

    def action_new_incident(self) -> None:
        self.open_screen("new_incident")

    def action_downtime(self) -> None:
        self.open_screen("downtime")

    def action_escalation(self) -> None:
        self.open_screen("escalation")

    def action_outbox(self) -> None:
        self.open_screen("outbox")

    def action_floor_map(self) -> None:
        self.open_screen("floor_map")

    def action_metrics(self) -> None:
        from domain.metrics import metrics_refusal

        me = self.source.me
        refusal = metrics_refusal(me.role) if me is not None else None
        if refusal is not None:
            self.notify(
                refusal[0].upper() + refusal[1:],
                title="Metrics board",
                severity="warning",
                markup=False,
            )
            return
        self.open_screen("metrics")

    def action_reports(self) -> None:
        from domain.reports import reports_refusal

        me = self.source.me
        refusal = reports_refusal(me.role) if me is not None else None
        if refusal is not None:
            self.notify(
                refusal[0].upper() + refusal[1:], title="Reports", severity="warning", markup=False
            )
            return
        self.open_screen("reports")

    def action_handover(self) -> None:
        from domain.handover import handover_refusal

        me = self.source.me
        refusal = handover_refusal(me.role) if me is not None else None
        if refusal is not None:
            self.notify(
                refusal[0].upper() + refusal[1:], title="Handover", severity="warning", markup=False
            )
            return
        self.open_screen("handover")

    def action_staff(self) -> None:
        from domain.models import Role
        from domain.staff_admin import admins_only

        me = self.source.me
        if me is not None and me.role is not Role.ADMIN:
            self.notify(f"Staff: {admins_only(me.role)}", severity="warning", markup=False)
            return
        self.open_screen("staff")

    def action_open_incident(self, incident_id: int) -> None:
        from screens.incident import incident_screen

        if not self._form_in_the_way():
            self.push_screen(incident_screen(self, incident_id))

    def _form_in_the_way(self) -> bool:
        """A form that asks before it is left is open: nothing is pushed over it (from the
        help, the palette or an alert), or the next `escape` would drop it unasked."""
        if any(getattr(screen, "LEAVE_ASKS", False) for screen in self.screen_stack):
            self.notify(FINISH_THE_FORM, severity="warning", markup=False)
            return True
        return False

    def open_screen(self, key: str, *args: Any) -> None:
        """Push one of the floor screens, imported only when first asked for; never over
        the new-incident form."""
        if self._form_in_the_way():
            return
        module_name, class_name, label = _SCREENS[key]
        try:
            module = importlib.import_module(f"screens.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"screens.{module_name}":
                raise
            self.notify(
                f"The {label} screen is not in this build.", severity="warning", markup=False
            )
            return
        screen_class: type[Screen[Any]] = getattr(module, class_name)
        if type(self.screen) is screen_class and not args:
            return
        self.push_screen(screen_class(*args))

    # Textual's own is async; an action may be either, and this one has nothing to await
    def action_back(self) -> None:  # type: ignore[override]
        from screens.queue import QueueScreen

        # home is the queue, or a screen that keeps its place (the floor map) under this one
        while len(self.screen_stack) > 2 and not isinstance(self.screen, QueueScreen):
            self.pop_screen()
            if getattr(self.screen, "BACK_STOP", False):
                break

    def action_help(self) -> None:
        from screens.help import HelpScreen
        from tui.keys import binding_groups

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(binding_groups(self.screen)))

    def action_lock(self) -> None:
        self.session.lock()

    def action_next_theme(self) -> None:
        self.switch_theme(next_theme(self.theme))

    def switch_theme(self, name: str) -> None:
        choice = resolve_theme(name)
        if choice.notice:
            self.notify(choice.notice, severity="warning", markup=False)
        self.theme = choice.name
        self.config.remember(theme=choice.name)
        self.notify(f"Theme: {choice.name}", timeout=2, markup=False)
