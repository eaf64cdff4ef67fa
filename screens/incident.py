"""One incident, whole: promises, ladder, intake, pending work, recovery, timeline.

The keys and what they send are `IncidentActionsScreen`'s; this is the layout
and its refresh. Composing and mounting the screen costs several times what
showing it does, so the app keeps one (`incident_screen`) and points it at
each incident it opens: opening is then a refresh of its content and a frame.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import events
from textual.app import App, ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.css.query import NoMatches
from textual.widgets import Static

from api_client.contract import Changes
from domain.lowered import Lowering, unseen_lowering
from domain.models import FlagKind, Incident, Priority, Role
from domain.player_flags import incident_flags, is_silent
from domain.state import FloorState
from screens.incident_actions import IncidentActionsScreen
from tui.lock_veil import PLAYER_DETAIL
from tui.widgets.ack_notices import ack_lines
from tui.widgets.clock_panel import ClockPanel
from tui.widgets.incident_facts import SILENT_VISIT_TEXT, IncidentFacts, IncidentTimeline
from tui.widgets.incident_notices import notices_content
from tui.widgets.ladder import LadderPanel, next_step_text
from tui.widgets.player_flag_text import flags_band
from tui.widgets.updates import update_static

KEPT_NAME = "incident"


class IncidentScreen(IncidentActionsScreen):
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    DEFAULT_CSS = """
    IncidentScreen #incident-head { height: 1; padding: 0 1; text-style: bold; }
    IncidentScreen #incident-head.-p1 { background: $severity-p1; color: $text; }
    IncidentScreen #incident-head.-p2 { background: $severity-p2; color: $text; }
    IncidentScreen #incident-head.-p3 { background: $severity-p3; color: $text; }
    IncidentScreen #incident-head.-p4 { background: $severity-p4; color: $text; }
    IncidentScreen #incident-next { height: auto; padding: 0 1; }
    IncidentScreen #incident-silent {
        height: auto; padding: 0 1; text-style: bold; background: $silent-visit; color: $text;
    }
    IncidentScreen #incident-flags {
        height: auto; padding: 0 1; text-style: bold; background: $warning; color: $background;
    }
    IncidentScreen #incident-notices { height: auto; padding: 0 1; }
    IncidentScreen #incident-columns { height: auto; }
    IncidentScreen .incident-column { height: auto; }
    IncidentScreen.-wide #incident-columns { layout: horizontal; }
    IncidentScreen.-wide .incident-column { width: 1fr; }
    """

    def __init__(
        self, incident_id: int | None = None, *, when_ready: Callable[[], object] | None = None
    ) -> None:
        super().__init__()
        self.incident_id = incident_id
        self._styled_theme = ""
        self.when_ready = when_ready  # made ahead: called once it has been warmed up
        self.warmed = incident_id is not None  # made ahead: once `_warm_up` has run

    def compose_body(self) -> ComposeResult:
        yield Static(id="incident-head")
        yield Static(id="incident-silent")
        yield Static(id="incident-flags")
        yield Static(id="incident-next")
        with VerticalScroll(id="incident-body"):
            yield ClockPanel(id="incident-clocks")
            with Vertical(id="incident-columns"):
                # notices and intake: the player, recovery terms, what is owed
                with Vertical(classes=f"incident-column {PLAYER_DETAIL}"):
                    yield Static(id="incident-notices")
                    yield IncidentFacts(id="incident-facts")
                with Vertical(classes="incident-column"):
                    yield LadderPanel(id="incident-ladder")
                    yield IncidentTimeline(id="incident-timeline", classes=PLAYER_DETAIL)

    def on_mount(self) -> None:
        super().on_mount()
        self._styled_theme = self.app.theme  # styled as it mounted
        self._show_all()
        self.query_one("#incident-body").focus()
        if self.incident_id is None:
            self.call_later(self._warm_up)

    def _warm_up(self) -> None:
        """Fill the widgets once off screen, so the first open costs what the others do.

        (The first content of each widget, and the first use of each style,
        cost several times a later one.)
        """
        self.incident_id = next(iter(self.floor.incidents), None)
        try:
            self._show_all()
        except NoMatches:
            return  # taken down before it warmed up: the app is closing
        finally:
            self.incident_id = None
        self.warmed = True
        if self.when_ready is not None:
            self.app.call_later(self.when_ready)
            self.when_ready = None

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # (runs before Textual's own handler) restyling every widget on each open
        # costs a fifth of it, and the kept screen's styles still hold unless the
        # theme changed while it was away: the app restyles only screens on its stack
        theme = self.app.theme
        if theme == self._styled_theme:
            event.refresh_styles = False
        self._styled_theme = theme

    def show_incident(self, incident_id: int | None) -> None:
        """Point this screen at `incident_id`, before it is shown (again)."""
        self.incident_id = incident_id
        if not self.is_mounted:
            return  # composed with it when first shown
        self.query_one("#incident-body", VerticalScroll).scroll_home(animate=False)
        self._show_all()
        self.refresh_bindings()

    # --- refresh -------------------------------------------------------------

    def on_tick(self, now: float) -> None:
        incident = self.incident
        if incident is not None:
            self._show_timed(incident, now)

    def on_floor_changed(self, changes: Changes) -> None:
        if self not in self.app.screen_stack:
            return  # kept for the next open, which refreshes it whole
        touched = changes.reset or changes.roster or changes.outbox
        if touched or self.incident_id in changes.incidents:
            self._show_all()
            self.refresh_bindings()

    def _show_all(self) -> None:
        if self.incident_id is None:
            return  # made ahead of the first open (`prepare_incident_screen`)
        incident = self.incident
        head = self.query_one("#incident-head", Static)
        body = self.query_one("#incident-body")
        silent = self.query_one("#incident-silent", Static)
        if incident is None:
            update_static(head, f"#{self.incident_id} is not on this terminal (outside your view?)")
            body.display = False
            silent.display = False
            self.query_one("#incident-flags", Static).display = False
            self.query_one("#incident-next", Static).display = False
            return
        body.display = True
        floor = self.floor
        owner = floor.staff_name(incident.owner) if incident.owner else "no owner"
        state = incident.state.replace("_", " ").upper()
        update_static(
            head,
            f"#{incident.id}  {incident.priority}  {incident.kind.label}  {state}  "
            f"{owner}  L{incident.line}",
            layout=False,  # one line, whatever it says
        )
        for p in Priority:
            head.set_class(incident.priority is p, f"-{p.lower()}")
        silent.display = is_silent(floor, incident, self.now)
        update_static(silent, SILENT_VISIT_TEXT)
        # the silent visit has its band above: the rest of the player's flags here
        flags = tuple(
            f
            for f in incident_flags(floor, incident, self.now)
            if f.kind is not FlagKind.SILENT_VISIT
        )
        band = self.query_one("#incident-flags", Static)
        band.display = bool(flags)
        update_static(band, flags_band(flags, floor.policy.timezone) if flags else "")
        self.query_one(IncidentFacts).show(incident, floor)
        self.query_one(IncidentTimeline).show(incident, floor)
        self._show_timed(incident, self.now)

    def _show_timed(self, incident: Incident, now: float) -> None:
        floor = self.floor
        approximate = self.source.approximate
        self.query_one(ClockPanel).show(incident, now, floor.policy, approximate=approximate)
        self.query_one(LadderPanel).show(incident, floor, now, approximate=approximate)
        step = next_step_text(incident, floor, now, approximate=approximate)
        upcoming = self.query_one("#incident-next", Static)
        upcoming.display = step is not None
        update_static(
            upcoming, Content.assemble(("next escalation ", "dim"), (step, "bold")) if step else ""
        )
        source = self.source
        role = source.me.role if source.me else None
        notices = notices_content(
            incident, floor.policy, source.pending, source.conflicts, now, role=role
        )
        me = source.me.id if source.me else None
        acks = ack_lines(incident, floor, me, now, approximate=approximate)
        if role in (Role.DUTY_MANAGER, Role.ADMIN) and (
            lowering := unseen_lowering(incident, floor)
        ):
            acks = [*acks, _lowered_notice(lowering, floor, role)]
        if acks:
            notices = Content("\n").join([*acks, notices] if notices else acks)
        panel = self.query_one("#incident-notices", Static)
        panel.display = bool(notices)
        update_static(panel, notices)


def _lowered_notice(lowering: Lowering, floor: FloorState, role: Role) -> Content:
    who = floor.staff_name(lowering.by)
    how = (
        "a note (m) or any step of yours marks it seen"
        if role is Role.DUTY_MANAGER
        else "until a duty manager acts on it"
    )
    return Content.assemble(
        (f"lowered {lowering.previous} to {lowering.priority} by {who}", "bold $timer-amber"),
        (f", not seen by a duty manager: {how}", "$timer-amber"),
    )


def prepare_incident_screen(app: App[Any], when_ready: Callable[[], object] | None = None) -> None:
    """Make, compose, mount and warm the kept screen off the stack, ahead of the first
    open; then call `when_ready`.

    Called again for a new session: the last session's screen (its user's
    incident still in its widgets) is dropped for a fresh one.
    """
    if app.is_screen_installed(KEPT_NAME):
        last = app.get_screen(KEPT_NAME)
        if last in app.screen_stack:
            if when_ready is not None:
                when_ready()
            return
        if isinstance(last, IncidentScreen) and not last.warmed:
            # still being made (asked twice at once): it warms up on the floor of
            # now, and removing it before it has mounted would break its mount
            last.when_ready = when_ready
            return
        app.uninstall_screen(KEPT_NAME)
        last.remove()
    if len(app.screen_stack) < 2:
        return  # signed out or closing: made at the first open instead
    kept = IncidentScreen(when_ready=when_ready)
    app.install_screen(kept, KEPT_NAME)
    # composed and mounted off screen: pushed and popped within one batch of
    # updates, so it is never drawn; an installed screen stays mounted when popped
    with app.batch_update():
        app.push_screen(kept)
        app.pop_screen()


def incident_screen(app: App[Any], incident_id: int) -> IncidentScreen:
    """The screen to push for `incident_id`: the app's kept one, unless it is already up."""
    if not app.is_screen_installed(KEPT_NAME):
        kept = IncidentScreen(incident_id)
        app.install_screen(kept, KEPT_NAME)
        return kept
    installed = app.get_screen(KEPT_NAME)
    if not isinstance(installed, IncidentScreen) or installed in app.screen_stack:
        return IncidentScreen(incident_id)
    installed.show_incident(incident_id)
    return installed
