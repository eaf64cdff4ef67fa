"""The home screen: every incident in view, most at risk first, counting down live.

Changes re-place and recount only the incidents they touch, and repaint only
the rows that changed; the 1-second tick only repaints the countdown
characters that changed (countdowns are computed while painting).
"""

from __future__ import annotations

from rich.cells import cell_len
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Input, Static

from api_client.contract import Changes
from domain.acks import owes_ack
from domain.commands import Command, Take
from domain.handover import HandoverFlag, handover_flag
from domain.lowered import Lowering, LoweringMemo
from domain.models import Priority, Role, Staff
from domain.permissions import role_may
from domain.policy import Policy
from domain.sla import Attainment, shift_start
from screens.ack_modals import AckModal, ack_sender
from tui.floor_screen import FloorScreen
from tui.floor_summary import (
    GapWatch,
    NightSummary,
    QueueCounts,
    QueueSummary,
    ShiftAttainment,
    night_summary,
)
from tui.lock_veil import PLAYER_DETAIL
from tui.messages import CommandRequested
from tui.queue_model import Filters, QueueModel, StateFilter, View, view_label, views_for
from tui.timefmt import format_clock
from tui.widgets.incident_table import IncidentTable
from tui.widgets.ladder import gaps_text

_STATE_CYCLE = tuple(StateFilter)


class QueueScreen(FloorScreen):
    HELP_TITLE = "Queue"
    DEFAULT_CSS = """
    QueueScreen #queue-summary { height: auto; padding: 0 1; background: $panel; }
    QueueScreen #queue-filter { display: none; height: 1; border: none; padding: 0 1; }
    QueueScreen.-filtering #queue-filter { display: block; }
    """
    BINDINGS = [
        Binding("enter", "open", "Open", id="queue.open"),
        Binding("a", "ack", "Ack", id="queue.ack"),
        Binding("t", "take", "Take", id="queue.take"),
        Binding("slash", "filter", "Filter", id="queue.filter"),
        Binding("v", "cycle_view", "View", id="queue.view"),
        Binding("1", "toggle_priority('P1')", "Toggle P1", id="queue.p1", show=False),
        Binding("2", "toggle_priority('P2')", "Toggle P2", id="queue.p2", show=False),
        Binding("3", "toggle_priority('P3')", "Toggle P3", id="queue.p3", show=False),
        Binding("4", "toggle_priority('P4')", "Toggle P4", id="queue.p4", show=False),
        Binding("w", "cycle_states", "States", id="queue.states", show=False),
        Binding("escape", "clear_filters", "Clear filters", id="queue.clear", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filters = Filters()
        self.model = QueueModel()
        # the summary counts cover the view, not the text, priority or state filters
        self.counts = QueueCounts()
        self._counted: tuple[str, View, Policy] | None = None  # whose view, under which policy
        self._filters_for: str | None = None  # the user the view was chosen for
        self._summary: QueueSummary | None = None
        self._summary_shown: Content | None = None
        self._summary_said: tuple[object, ...] | None = None  # what the summary was made from
        self._gaps = GapWatch()
        self._lowerings = LoweringMemo()
        self._shift = ShiftAttainment()  # the night view's "SLA kept this shift"
        self._shift_for: str | None = None  # the manager it was counted for
        self._offered: tuple[bool | None, ...] = ()  # open/ack/take as the footer shows them

    def compose_body(self) -> ComposeResult:
        yield Static(id="queue-summary")
        yield Input(
            placeholder="filter: number, player, location, kind, owner",
            id="queue-filter",
            classes=PLAYER_DETAIL,  # what is typed may be a player's card
        )
        yield IncidentTable(id="queue-table")

    @property
    def table(self) -> IncidentTable:
        return self.query_one(IncidentTable)

    def on_mount(self) -> None:
        self.table.now = self.now
        self._rebuild()
        self.table.focus()
        self.watch(self.floor_app, "locked", self._locked_changed)

    def on_screen_resume(self) -> None:
        # changes that arrived while another screen was on top were applied to
        # the model already; only the clock may have moved
        self.on_tick(self.now)

    # --- attributes down: the floor into the table ---------------------------------

    def _rebuild(self, *, recount: bool = False) -> None:
        me = self.source.me
        # what each incident sorts and counts by comes with the view (a new client, a new one)
        facts = self.source.facts
        self.model.facts = self.counts.facts = self._shift.facts = facts
        if me is None:
            self.model, self.counts, self._counted = QueueModel(), QueueCounts(), None
        else:
            if me.id != self._filters_for:
                self.filters = Filters(view=views_for(me, self.floor.policy)[0])
                self._filters_for = me.id
            self.model.rebuild(self.floor, me, self.filters)
            self._recount(me, force=recount)
        if recount:  # a new floor or user: recounted when next shown, for a manager only
            self._shift_for = None
        self._show()

    def _recount(self, me: Staff, *, force: bool = False) -> None:
        basis = (me.id, self.filters.view, self.floor.policy)
        if force or basis != self._counted:
            scope, policy = self._scope, self.floor.policy
            self.counts.rebuild(
                (i for i in self.floor.incidents.values() if scope.admits(i, me, policy)),
                self.floor,
            )
            self._counted = basis

    @property
    def _scope(self) -> Filters:
        """What the summary counts: the whole view, whatever the other filters."""
        return Filters(view=self.filters.view, states=StateFilter.ALL)

    def _show(self) -> None:
        floor = self.floor
        table = self.table
        table.approximate = self.source.approximate
        me = self.source.me
        rows = self.model.rows(floor)
        table.set_rows(rows, floor, self.source.pending_incidents, me.id if me else None)
        self._update_summary()

    def on_floor_changed(self, changes: Changes) -> None:
        me = self.source.me
        self._lowerings.update(self.floor, None if changes.reset else changes.incidents)
        if changes.reset or me is None or me.id != self._filters_for:
            self._rebuild(recount=True)
        elif changes.incidents:
            self.model.update(self.floor, me, self.filters, changes.incidents)
            if self._shift_for is not None:
                self._shift.update(self.floor, changes.incidents)
            if self._counted is not None and self._counted[2] is self.floor.policy:
                scope, policy = self._scope, self.floor.policy
                self.counts.update(
                    self.floor, changes.incidents, lambda i: scope.admits(i, me, policy)
                )
            else:
                self._recount(me, force=True)
            self._show()
        elif changes.outbox or changes.status or changes.roster:
            self._show()

    def on_tick(self, now: float) -> None:
        self.table.now = now
        # the counts only change when a promise falls due; the night line (downtime
        # timers, who is on shift) is cheap enough to redo every second
        if self._summary is None or now >= self._summary.valid_until or self._is_manager:
            self._update_summary()

    def _locked_changed(self, locked: bool) -> None:
        self.table.masked = locked
        self._update_summary()  # the filter's text is not said while locked

    @property
    def _is_manager(self) -> bool:
        me = self.source.me
        return me is not None and me.role in (Role.DUTY_MANAGER, Role.ADMIN)

    # --- the summary lines -------------------------------------------------------------

    def _update_summary(self) -> None:
        me = self.source.me
        if me is None:
            self._summary_shown = self._summary_said = None
            self.query_one("#queue-summary", Static).update("Signed out")
            return
        summary = self._summary = self.counts.summary(self.now)
        manager = self._is_manager
        night = night_summary(self.floor, self.now, self._gaps) if manager else None
        shift = self._shift_kept(me) if manager else None
        handover = handover_flag(self.floor, self.now) if manager else None
        lowered = tuple(self._lowerings.unseen(self.floor)) if manager else ()
        shown = self._filter_words()
        # redone every second for a manager: nothing is rebuilt while the numbers stand
        said: tuple[object, ...] = (me.id, self.filters.view, summary, night, shift, shown)
        said += (self.floor.policy, handover, lowered)
        if said == self._summary_said:
            return
        self._summary_said = said
        parts: list[Content] = [
            Content.from_markup("[b]$view[/b]  ", view=view_label(self.filters.view, me))
        ]
        for priority in Priority:
            style = f"$severity-{priority.lower()}"
            count = summary.by_priority[priority]
            parts.append(Content.assemble((f"{priority} {count}", style if count else "dim"), " "))
        late = "$timer-breached bold" if summary.breached else "dim"
        parts.append(Content.assemble(" ", (f"breached {summary.breached}", late)))
        reports = "$timer-amber" if summary.reports_due else "dim"
        parts.append(Content.assemble("  ", (f"reports due {summary.reports_due}", reports)))
        if summary.reports_overdue:
            overdue = f" ({summary.reports_overdue} overdue)"
            parts.append(Content.assemble((overdue, "$timer-breached bold")))
        if shift is not None:
            share = shift.share  # None until a promise has settled this shift
            kept = ("shift SLA n/a", "dim") if share is None else (f"shift SLA {share:.0%}", "")
            parts.append(Content.assemble("  ", kept))
        lines = [Content("").join(parts)]
        if handover is not None:
            lines.append(self._handover_line(handover))
        if lowered:
            lines.append(self._lowered_line(lowered))
        if shown:
            lines.append(Content.assemble((shown, "$text-muted")))
        if night is not None:
            lines.append(self._night_line(night))
        content = Content("\n").join(lines)
        # only a changed summary is repainted (Content compares text only; the
        # spans carry the colours)
        if self._summary_shown is None or (content.plain, content.spans) != (
            self._summary_shown.plain,
            self._summary_shown.spans,
        ):
            box = self.query_one("#queue-summary", Static)
            # as many lines as before, none wrapping: no layout, only the summary repaints
            before = _height(self._summary_shown, box.content_size.width)
            after = _height(content, box.content_size.width)
            moved = before is None or after is None or before != after
            self._summary_shown = content
            box.update(content, layout=moved)

    def _handover_line(self, flag: HandoverFlag) -> Content:
        """This shift's handover, still unacknowledged: on both managers' queues."""
        tz = self.floor.policy.timezone
        handover = flag.handover
        opener = self.floor.staff_name(handover.opened_by)
        return Content.styled(
            f"handover at {format_clock(handover.shift_starts, tz)} not acknowledged"
            f" (opened by {opener} {format_clock(handover.opened_at, tz)}): H to read it",
            "$timer-breached bold",
        )

    def _lowered_line(self, lowered: tuple[Lowering, ...]) -> Content:
        """Priorities lowered that no duty manager has seen: on the managers' queues
        until one does anything on the incident."""
        latest = lowered[-1]
        who = self.floor.staff_name(latest.by)
        text = (
            f"not seen by a duty manager: #{latest.incident_id} lowered"
            f" {latest.previous} to {latest.priority} by {who}"
        )
        if len(lowered) > 1:
            text += f" (+{len(lowered) - 1} more)"
        return Content.styled(text, "$timer-amber bold")

    def _shift_kept(self, me: Staff) -> Attainment:
        if self._shift_for != me.id:
            self._shift.rebuild(self.floor.incidents.values())
            self._shift_for = me.id
        policy = self.floor.policy
        return self._shift.between(shift_start(self.now, policy), self.now)

    def _filter_words(self) -> str:
        f = self.filters
        words = []
        if f.text:
            words.append(
                "text (hidden while locked)" if self.floor_app.locked else f"text “{f.text}”"
            )
        if f.priorities:
            words.append(" ".join(sorted(f.priorities)))
        if f.states is not StateFilter.OPEN:
            words.append(f"state {f.states}")
        if not words:
            # while the filter box is open the line stays: typing and deleting the
            # first character must not move every row up and down
            return f"showing {len(self.model)} · esc clears" if self._filtering else ""
        return f"showing {len(self.model)}: " + " · ".join(words) + " · esc clears"

    @property
    def _filtering(self) -> bool:
        return self.has_class("-filtering")

    def _night_line(self, night: NightSummary) -> Content:
        down = f"down {night.down}"
        over = ("", "")
        if night.overdue:
            limit = self.floor.policy.downtime_replace_after
            over = (f" ({night.overdue} past {int(limit // 60)}:00, move player)", "$timer-red")
        if night.gaps:
            cover = (gaps_text(night.gaps, self.now, self.floor.policy.timezone), "$warning bold")
        else:
            cover = ("every escalation line covered", "dim")
        return Content.assemble((down, ""), over, "  ", cover)

    # --- filters and views -------------------------------------------------------------

    def action_filter(self) -> None:
        self.add_class("-filtering")
        box = self.query_one("#queue-filter", Input)
        box.value = self.filters.text
        box.focus()
        self._update_summary()

    @on(Input.Changed, "#queue-filter")
    def _filter_typed(self, event: Input.Changed) -> None:
        self.filters.text = event.value.strip()
        if self.source.me is not None:
            # only the text changed: the model re-filters what passes the other filters
            self.model.set_text(self.floor, self.filters.text)
            self._show()

    @on(Input.Submitted, "#queue-filter")
    def _filter_done(self) -> None:
        if not self.filters.text:
            self.remove_class("-filtering")
            self._update_summary()
        self.table.focus()

    def action_clear_filters(self) -> None:
        me = self.source.me
        view = self.filters.view
        self.filters = Filters(view=view)
        self.query_one("#queue-filter", Input).value = ""
        self.remove_class("-filtering")
        self.table.focus()
        if me is not None:
            self._rebuild()

    def action_cycle_view(self) -> None:
        me = self.source.me
        if me is None:
            return
        views = views_for(me, self.floor.policy)
        current = views.index(self.filters.view) if self.filters.view in views else -1
        self.filters.view = views[(current + 1) % len(views)]
        self._rebuild()

    def action_toggle_priority(self, priority: str) -> None:
        self.filters.priorities ^= {Priority(priority)}
        self._rebuild()

    def action_cycle_states(self) -> None:
        index = _STATE_CYCLE.index(self.filters.states)
        self.filters.states = _STATE_CYCLE[(index + 1) % len(_STATE_CYCLE)]
        self._rebuild()

    # --- acting on the selected incident -----------------------------------------------

    @on(IncidentTable.Highlighted)
    def _highlighted(self) -> None:
        # the footer is rebuilt on a bindings refresh: only when what it offers changes
        offered = tuple(self.check_action(a, ()) for a in ("open", "ack", "take"))
        if offered != self._offered:
            self._offered = offered
            self.refresh_bindings()

    @on(IncidentTable.Chosen)
    def _chosen(self, event: IncidentTable.Chosen) -> None:
        self.floor_app.action_open_incident(event.incident_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filters":
            return self.has_class("-filtering") or self.filters != Filters(view=self.filters.view)
        if action not in ("open", "ack", "take"):
            return True
        incident = self.table.selected if self.is_mounted else None
        me = self.source.me
        if incident is None or me is None or self.floor_app.locked:
            return None
        if action == "ack":
            ok = incident.acknowledged_at is None or owes_ack(incident, me.id)
            return (ok and incident.state.is_open and role_may(me.role, "acknowledge")) or None
        if action == "take":
            ok = incident.owner != me.id and incident.state.is_open
            return (ok and role_may(me.role, "take")) or None
        return True

    def action_open(self) -> None:
        incident_id = self.table.selected_id
        if incident_id is not None:
            self.floor_app.action_open_incident(incident_id)

    def action_ack(self) -> None:
        incident = self.table.selected
        if incident is not None:

            def send(command: Command, done: str) -> None:
                self.post_message(CommandRequested(command, done=done))

            modal = AckModal(f"Acknowledge #{incident.id}")
            self.app.push_screen(modal, ack_sender(send, incident.id))

    def action_take(self) -> None:
        incident = self.table.selected
        if incident is not None:
            command = Take(incident_id=incident.id, expected_version=incident.version)
            self.post_message(CommandRequested(command, done=f"Took #{incident.id}"))


def _height(content: Content | None, width: int) -> int | None:
    """Lines `content` takes at `width`, or None when it might wrap (unknown)."""
    if content is None:
        return None
    lines = content.plain.split("\n")
    return len(lines) if all(cell_len(line) <= width for line in lines) else None


__all__ = ["QueueScreen", "View"]
