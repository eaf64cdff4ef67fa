"""The outbox: commands still waiting for the server, in order, and ones it refused.

Nothing here vanishes on its own: a refused command stays, with the server's
reason and the incident as the server has it now, until the user dismisses
it with `x` (the app asks the client to forget it). So does a command queued
by another floorline version that this one cannot send, with why. A command
still waiting may be taken back with `w`, after a confirmation, as long as it
has not been sent: one sent and not yet answered may already be on the server.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from api_client.contract import Changes, Conflict, PendingCommand
from domain.models import Incident
from domain.state import FloorState
from screens.modals import YesNoModal
from tui.floor_screen import FloorScreen
from tui.lock_veil import PLAYER_DETAIL
from tui.messages import DismissRequested, WithdrawRequested
from tui.timefmt import format_clock, format_span

CODE_LABELS = {
    "conflict": "changed by someone else first",
    "illegal": "not possible any more",
    "forbidden": "not allowed",
    "not_found": "not found",
    "invalid": "not valid",
    "unsendable": "cannot be sent by this version",
}


def command_summary(summary: str, command_type: str) -> str:
    return summary or command_type.replace("_", " ")


def incident_state_text(incident: Incident | None, floor: FloorState) -> str:
    """`now: in progress, owner Sam P., P1, L2`: the incident as the server has it."""
    if incident is None:
        return "incident not on this terminal"
    owner = floor.staff_name(incident.owner) if incident.owner else "no owner"
    state = incident.state.replace("_", " ")
    return f"#{incident.id} now: {state}, {owner}, {incident.priority}, L{incident.line}"


NOTHING_WAITING = "nothing waiting: every command reached the server"


GIST = 20  # characters of a note or reason shown, to tell two waiting notes apart


def pending_line(number: int, item: PendingCommand, floor: FloorState, now: float) -> Content:
    """` 1. note on #12 “met at car”  #12 on-site arrival  waiting 2:05`."""
    incident = floor.incidents.get(item.incident_id) if item.incident_id is not None else None
    where = f"#{item.incident_id}" if item.incident_id is not None else "floor"
    if incident is not None:
        where += f" {incident.kind.label}"
    return Content.assemble(
        (f"{number:>2}. ", "dim"),
        (command_summary(item.summary, item.command.type), "bold $pending"),
        _gist(item),
        f"  {where}  ",
        (f"waiting {format_span(now - item.issued_at)}", "dim"),
    )


def _gist(item: PendingCommand) -> str:
    command = item.command
    text = next(
        (str(getattr(command, f)) for f in ("text", "note", "reason") if getattr(command, f, "")),
        "",
    )
    if not text:
        return ""
    return f" “{text[: GIST - 1]}…”" if len(text) > GIST else f" “{text}”"


def conflict_content(conflict: Conflict, floor: FloorState) -> Content:
    tz = floor.policy.timezone
    what = command_summary(
        conflict.summary, conflict.command.type if conflict.command else "command"
    )
    label = CODE_LABELS.get(conflict.code, conflict.code)
    by = ""
    if conflict.by:
        name = f"by {floor.staff_name(conflict.by)}"
        # the server's words may name them already: "#41 assigned to Riley C. by Dana K."
        parts = [] if conflict.reason.endswith(name) else [name]
        if conflict.at is not None:
            parts.append(f"at {format_clock(conflict.at, tz)}")
        by = " ".join(parts)
    incident_id = getattr(conflict.command, "incident_id", None)
    current = conflict.current or (
        floor.incidents.get(incident_id) if incident_id is not None else None
    )
    issued = f"issued {format_clock(conflict.issued_at, tz)}"
    return Content("\n").join(
        [
            Content.assemble((f"{what}: ", "bold $conflict"), (label, "bold")),
            Content.assemble("  ", conflict.reason, (f" {by}" if by else "", "")),
            Content.assemble(
                "  ",
                (incident_state_text(current, floor) if incident_id is not None else "", ""),
                (f"  ({issued})", "dim"),
            ),
        ]
    )


class OutboxScreen(FloorScreen):
    HELP_TITLE = "Outbox and conflicts"
    DEFAULT_CSS = """
    OutboxScreen #outbox-head { height: 1; padding: 0 1; text-style: bold; }
    OutboxScreen #outbox-pending {
        height: auto; max-height: 40%; border: round $pending;
        border-title-color: $foreground 70%;
    }
    OutboxScreen #outbox-conflicts {
        height: 1fr; border: round $foreground 30%; border-title-color: $foreground 70%;
    }
    OutboxScreen #outbox-conflicts.-some { border: round $conflict; }
    OutboxScreen #outbox-conflicts > .option-list--option { padding: 0 1; }
    """
    BINDINGS = [
        Binding("w", "withdraw", "Withdraw", id="outbox.withdraw"),
        Binding("x", "dismiss_conflict", "Dismiss", id="outbox.dismiss"),
    ]

    def compose_body(self) -> ComposeResult:
        yield Static(id="outbox-head")
        # notes as typed: hidden while the terminal is locked
        yield OptionList(id="outbox-pending", classes=PLAYER_DETAIL)
        yield OptionList(id="outbox-conflicts")

    @property
    def _pending_list(self) -> OptionList:
        return self.query_one("#outbox-pending", OptionList)

    @property
    def _conflict_list(self) -> OptionList:
        return self.query_one("#outbox-conflicts", OptionList)

    def on_mount(self) -> None:
        super().on_mount()
        self._show_conflicts()
        self._show_pending(self.now)
        # the refusals need reading first; with none, what is still waiting
        first = self._conflict_list if self.source.conflicts else self._pending_list
        first.focus()

    def on_tick(self, now: float) -> None:
        self._show_pending(now)

    def on_floor_changed(self, changes: Changes) -> None:
        if changes.reset or changes.outbox or changes.status or changes.incidents:
            self._show_conflicts()
            self._show_pending(self.now)
            self.refresh_bindings()

    def _show_pending(self, now: float) -> None:
        source = self.source
        listing = self._pending_list
        pending = source.pending
        keep = listing.highlighted_option.id if listing.highlighted_option else None
        if pending:
            listing.set_options(
                Option(pending_line(n, item, self.floor, now), id=item.command_id)
                for n, item in enumerate(pending, start=1)
            )
            ids = [item.command_id for item in pending]
            listing.highlighted = ids.index(keep) if keep in ids else 0
        else:
            listing.set_options([Option(Content.styled(NOTHING_WAITING, "dim"), disabled=True)])
        listing.border_title = f"waiting to send ({len(pending)}), in order" + (
            ": w withdraws the highlighted one" if pending else ""
        )
        link = source.status.link.value.replace("_", " ")
        self.query_one("#outbox-head", Static).update(
            f"Outbox: {len(source.pending)} pending, {len(source.conflicts)} refused ({link})"
        )

    def _show_conflicts(self) -> None:
        listing = self._conflict_list
        conflicts = self.source.conflicts
        keep = listing.highlighted_option.id if listing.highlighted_option else None
        listing.set_options(
            Option(conflict_content(conflict, self.floor), id=conflict.command_id)
            for conflict in conflicts
        )
        ids = [conflict.command_id for conflict in conflicts]
        if keep in ids:
            listing.highlighted = ids.index(keep)
        elif ids:
            listing.highlighted = 0
        listing.set_class(bool(ids), "-some")
        listing.border_title = (
            f"refused by the server ({len(ids)}): x dismisses the highlighted one"
            if ids
            else "refused by the server: none"
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "dismiss_conflict":
            return bool(self.source.conflicts)
        if action == "withdraw":
            return bool(self.source.pending)
        return True

    def action_dismiss_conflict(self) -> None:
        option = self._conflict_list.highlighted_option
        if option is None or option.id is None:
            return
        self.post_message(DismissRequested(option.id))

    def action_withdraw(self) -> None:
        option = self._pending_list.highlighted_option
        item = next((p for p in self.source.pending if option and p.command_id == option.id), None)
        if item is None:
            return
        what = command_summary(item.summary, item.command.type)

        def withdraw(sure: bool | None) -> None:
            if sure:
                self.post_message(WithdrawRequested(item.command_id))

        question = f"Withdraw {what}? It has not been sent, and will not be."
        self.app.push_screen(YesNoModal("Withdraw", question, ok_label="Withdraw"), withdraw)

    @on(OptionList.OptionSelected)
    def _open_incident(self, event: OptionList.OptionSelected) -> None:
        """Enter on a command, refused or waiting, opens its incident, to redo it knowingly."""
        event.stop()
        commands = [(x.command_id, x.command) for x in self.source.conflicts]
        commands += [(p.command_id, p.command) for p in self.source.pending]
        command = next((cmd for cid, cmd in commands if cid == event.option.id), None)
        incident_id = getattr(command, "incident_id", None)
        if incident_id is not None and incident_id in self.floor.incidents:
            self.floor_app.action_open_incident(incident_id)
