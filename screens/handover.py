"""The shift handover: the pack the outgoing duty manager hands over, and its acknowledgement.

Before a pack is opened the screen shows what it would hold, live (`make_pack`
on this terminal's floor); `o` hands it over with a note. Once opened, it
shows the pack as it was handed over, who opened it and when; the incoming
duty manager reads it and presses `a`. Both are commands (queued offline like
any other). Duty managers and admins only: anyone else sees why.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from api_client.contract import Changes
from domain import commands as c
from domain.cover import line_name
from domain.handover import (
    current_handover,
    handover_boundary,
    handover_flag,
    handover_refusal,
    make_pack,
)
from domain.handover_records import Handover, HandoverPack
from domain.models import IncidentState
from screens.modals import OptionalNoteModal
from tui.floor_screen import FloorScreen
from tui.messages import CommandRequested
from tui.timefmt import format_clock, format_countdown, format_datetime, format_span

STATE_WORDS = {
    IncidentState.NEW: "new",
    IncidentState.ACKNOWLEDGED: "ack",
    IncidentState.IN_PROGRESS: "work",
    IncidentState.STABILISED: "stab",
}


def _in(left: float) -> str:
    """A time ahead as the pack reads it later too: `in 8:00`, or `passed`."""
    return f"in {format_span(left)}" if left > 0 else "passed"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class HandoverScreen(FloorScreen):
    HELP_TITLE = "Shift handover"
    DEFAULT_CSS = """
    HandoverScreen #handover-head { height: auto; padding: 0 1; text-style: bold; }
    HandoverScreen #handover-flag { height: auto; padding: 0 1; }
    HandoverScreen #handover-body { height: 1fr; padding: 0 1; }
    HandoverScreen #handover-refused { padding: 1 2; color: $warning; }
    """
    BINDINGS = [
        Binding("o", "hand_over", "Hand over", id="handover.open"),
        Binding("a", "acknowledge", "Acknowledge", id="handover.ack"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._preview_for: tuple[object, ...] | None = None
        self._preview_pack: HandoverPack | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(id="handover-head")
        yield Static(id="handover-flag")
        with VerticalScroll(id="handover-body"):
            yield Static(id="handover-pack")
        yield Static(id="handover-refused")

    def on_mount(self) -> None:
        super().on_mount()
        me = self.source.me
        refusal = handover_refusal(me.role) if me is not None else "sign in first"
        refused = self.query_one("#handover-refused", Static)
        if refusal is not None:
            for widget in ("#handover-head", "#handover-flag", "#handover-body"):
                self.query_one(widget).display = False
            refused.update(refusal[0].upper() + refusal[1:] + ".")
            return
        refused.display = False
        self._show()
        self.query_one("#handover-body").focus()

    @property
    def _refused(self) -> bool:
        me = self.source.me
        return me is None or handover_refusal(me.role) is not None

    @property
    def handover(self) -> Handover | None:
        return current_handover(self.floor, self.now)

    # --- showing --------------------------------------------------------------------

    def _show(self) -> None:
        floor, now = self.floor, self.now
        tz = floor.policy.timezone
        handover = self.handover
        boundary = handover.shift_starts if handover else handover_boundary(now, floor.policy)
        left = boundary - now
        when = f"in {format_span(left)}" if left > 0 else f"{format_span(left)} ago"
        head: list[Content] = [
            Content.styled(f"Shift handover at {format_clock(boundary, tz)} ({when})", "bold")
        ]
        if handover is None:
            head.append(
                Content.styled("not handed over yet: below is what the pack would hold", "dim")
            )
            pack = self._preview(boundary)
        else:
            opener = floor.staff_name(handover.opened_by)
            opened = f"opened by {opener} at {format_clock(handover.opened_at, tz)}"
            if handover.acknowledged_by is not None:
                taker = floor.staff_name(handover.acknowledged_by)
                at = format_clock(handover.acknowledged_at or now, tz)
                head.append(
                    Content.assemble(opened, "; ", (f"acknowledged by {taker} at {at}", "$success"))
                )
            else:
                head.append(
                    Content.assemble(
                        opened, "; ", ("waiting for the incoming duty manager (a)", "$warning")
                    )
                )
            pack = handover.pack
        self.query_one("#handover-head", Static).update(Content("\n").join(head))
        flag = handover_flag(floor, now)
        flag_box = self.query_one("#handover-flag", Static)
        if flag is not None:
            since = format_span(now - flag.since)
            flag_box.update(
                Content.styled(
                    f"Not acknowledged {format_span(floor.policy.handover_ack_within)}"
                    f" into the shift (for {since}): the incoming duty manager reads it and"
                    " presses a",
                    "bold $error",
                )
            )
        flag_box.display = flag is not None
        self.query_one("#handover-pack", Static).update(self._pack_text(pack, handover))

    def _preview(self, boundary: float) -> HandoverPack:
        """The pack as it would be, made again when the floor changes or a minute turns
        (the gaps ahead are worked out minute by minute over a whole shift)."""
        key = (self.floor, boundary, int(self.now // 60))
        if self._preview_for != key or self._preview_pack is None:
            self._preview_pack = make_pack(self.floor, self.now, boundary)
            self._preview_for = key
        return self._preview_pack

    def _pack_text(self, pack: HandoverPack, handover: Handover | None) -> Content:
        floor, now = self.floor, self.now
        tz = floor.policy.timezone
        lines: list[Content] = []

        def section(title: str, count: int | None = None) -> None:
            lines.append(Content(""))
            heading = title if count is None else f"{title} ({count})"
            lines.append(Content.styled(heading, "bold"))

        def nothing(text: str) -> None:
            lines.append(Content.styled(f"  {text}", "dim"))

        lines.append(Content(""))
        lines.append(
            Content.assemble(
                (f"{pack.open_count} open", "bold"),
                " · ",
                (f"{pack.breached} breached", "bold $error" if pack.breached else "dim"),
                " · ",
                (
                    f"{pack.about_to_breach} about to breach",
                    "$warning" if pack.about_to_breach else "dim",
                ),
                " · ",
                (f"{len(pack.reports)} reports owed", "$warning" if pack.reports else "dim"),
                " · ",
                (f"{len(pack.escalations)} escalations within the hour", ""),
                " · ",
                (f"{len(pack.downtimes)} down", ""),
                " · ",
                (
                    f"{len(pack.gaps)} lines with nobody next shift",
                    "$warning" if pack.gaps else "dim",
                ),
            )
        )
        lines.append(Content.styled("about to breach: a promise due within the hour", "dim"))
        if handover is not None:
            # what the outgoing duty manager wrote comes first: it is what the pack cannot say
            section(f"Note from {floor.staff_name(handover.opened_by)}")
            lines.append(Content(f"  {handover.note}" if handover.note else "  (no note)"))
            if handover.acknowledged_note:
                taker = floor.staff_name(handover.acknowledged_by)
                section(f"Note from {taker}")
                lines.append(Content(f"  {handover.acknowledged_note}"))

        section("Escalations due in the next hour", len(pack.escalations))
        for step in pack.escalations:
            lines.append(
                Content(
                    f"  #{step.id} {step.priority} to L{step.line} {step.title} at"
                    f" {format_clock(step.at, tz)} ({_in(step.at - now)})"
                )
            )
        if not pack.escalations:
            nothing("none")

        section("Post-incident reports owed", len(pack.reports))
        for report in pack.reports:
            late = report.due <= now
            lines.append(
                Content.assemble(
                    f"  #{report.id} {report.priority} due {format_datetime(report.due, tz)} ",
                    (
                        f"({'overdue ' if late else 'in '}{format_countdown(report.due - now)})",
                        "$error" if late else "",
                    ),
                )
            )
        if not pack.reports:
            nothing("none")

        section("Down", len(pack.downtimes))
        for down in pack.downtimes:
            moved = "player moved" if down.player_moved else "player not moved"
            lines.append(
                Content(
                    f"  {down.asset_id} (pit {down.pit}) since {format_clock(down.since, tz)}:"
                    f" {down.reason}; {moved}"
                )
            )
        if not pack.downtimes:
            nothing("nothing is down")

        span = f"{format_clock(pack.shift_starts, tz)}-{format_clock(pack.shift_ends, tz)}"
        section(f"Lines with nobody on duty next shift ({span})", len(pack.gaps))
        for gap in pack.gaps:
            lines.append(
                Content.styled(
                    f"  {line_name(gap.chain, gap.line)} ({gap.chain})"
                    f" from {format_clock(gap.starts_at, tz)}",
                    "$warning",
                )
            )
        if not pack.gaps:
            nothing("every line has someone")

        section("Open incidents by risk", pack.open_count)
        for item in pack.incidents:
            due = ""
            if item.due is not None:
                due = f"{item.promise} {format_countdown(item.due - now)}"
            style = "$error" if item.due is not None and item.due < now else ""
            lines.append(
                Content.assemble(
                    f"  {'#' + str(item.id):<5}",
                    (str(item.priority), f"$severity-{item.priority.lower()}"),
                    f" {_cut(item.kind, 20):<20} {_cut(item.where, 10):<10}"
                    f" {STATE_WORDS.get(item.state, item.state):<5}"
                    f" {_cut(item.owner, 9):<9} L{item.line} ",
                    (due, style),
                )
            )
        if pack.open_count > len(pack.incidents):
            nothing(f"and {pack.open_count - len(pack.incidents)} more on the queue")
        if not pack.open_count:
            nothing("nothing open")
        return Content("\n").join(lines[1:])

    # --- refresh --------------------------------------------------------------------

    def on_tick(self, now: float) -> None:
        if not self._refused:
            self._show()

    def on_floor_changed(self, changes: Changes) -> None:
        if not self._refused:
            self._show()
            self.refresh_bindings()

    # --- actions --------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action not in ("hand_over", "acknowledge"):
            return True
        if self._refused:
            return None  # shown dimmed: the screen says why
        if action == "acknowledge":
            me, handover = self.source.me, self.handover
            if handover is None or handover.acknowledged_by is not None:
                return None
            if me is None or handover.opened_by == me.id:
                return None  # the incoming duty manager acknowledges it
        return True

    def action_hand_over(self) -> None:
        handover = self.handover
        again = handover is not None and handover.shift_starts == handover_boundary(
            self.now, self.floor.policy
        )
        title = "Hand over again (replaces the pack)" if again else "Hand over the floor"

        def send(note: str | None) -> None:
            if note is not None:
                self.post_message(
                    CommandRequested(c.OpenHandover(note=note), done="handover opened")
                )

        modal = OptionalNoteModal(title, prompt="A note for the incoming duty manager")
        self.app.push_screen(modal, send)

    def action_acknowledge(self) -> None:
        handover = self.handover
        if handover is None:
            return
        starts, opened = handover.shift_starts, handover.opened_at
        when = format_clock(starts, self.floor.policy.timezone)

        def send(note: str | None) -> None:
            if note is not None:
                command = c.AcknowledgeHandover(shift_starts=starts, opened_at=opened, note=note)
                self.post_message(CommandRequested(command, done=f"{when} handover acknowledged"))

        modal = OptionalNoteModal(
            f"Acknowledge the {when} handover", prompt="I have read the pack (a note, if any)"
        )
        self.app.push_screen(modal, send)
