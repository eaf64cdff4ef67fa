"""Player care: asking whether help resources were offered, and the player view.

`HelpOfferModal` returns the answer only; the screen that asked sends it.
`PlayerScreen` is built from the app's floor alone (no network): the
player's flags, their other incidents (open first, then the most recent) and
the service recovery already given, masked as everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Input, Select, Static

from api_client.contract import Changes
from domain import commands as c
from domain.decide import Actor, Rejected, decide
from domain.models import HELP_LABELS, FlagKind, HelpAnswer, Incident, PlayerFlag
from domain.permissions import role_may, why_not
from domain.player_flags import flags_of, incidents_of_player
from domain.privacy import mask_sensitive
from screens.modals import DialogModal
from tui.floor_screen import FloorScreen
from tui.lock_veil import PLAYER_DETAIL
from tui.messages import CommandRequested
from tui.timefmt import format_datetime
from tui.widgets.incident_facts import player_content
from tui.widgets.player_flag_text import flag_lines
from tui.widgets.queue_cells import STATE_WORDS
from tui.widgets.updates import update_static

RECENT = 8  # closed incidents shown besides the open ones


class HelpOfferModal(DialogModal):
    """Offered, declined or not appropriate, with a note; returns (answer, note)."""

    title_text = "Help resources"
    ok_label = "Record"

    def __init__(self, player: str, flags: tuple[PlayerFlag, ...]) -> None:
        super().__init__()
        self.player = player
        self.flags = flags

    def compose_fields(self) -> ComposeResult:
        words = ", ".join(f.kind.label for f in self.flags if f.kind.responsible_gambling)
        # a Static, not a Label: the question wraps instead of being cut at 72 columns
        yield Static(
            f"{self.player} has a responsible-gambling flag ({words}). "
            "Were help resources offered?",
            classes="field-label",
        )
        options = [(label, answer) for answer, label in HELP_LABELS.items()]
        yield Select(options, prompt="answer", id="dialog-help")
        yield Input(placeholder="note (optional)", max_length=2000, id="dialog-note", compact=True)

    def on_mount(self) -> None:
        self.query_one("#dialog-help", Select).focus()

    def answer(self) -> tuple[HelpAnswer, str] | None:
        value = self.query_one("#dialog-help", Select).value
        if value is Select.NULL:
            self.hint("choose offered, declined or not appropriate", error=True)
            return None
        note = mask_sensitive(self.query_one("#dialog-note", Input).value.strip())
        return HelpAnswer(str(value)), note


FlagAnswer = tuple[FlagKind, date | None, str]


class SetFlagModal(DialogModal):
    """Which flag, a cool-off's last day, a note; returns (kind, last day or None, note).

    `refusal` says why the server would refuse an answer: the dialog stays open with the
    reason and what was typed, rather than closing on a refusal toast."""

    title_text = "Flag the player"
    ok_label = "Flag"

    def __init__(self, refusal: Callable[[FlagAnswer], str | None]) -> None:
        super().__init__()
        self.refusal = refusal

    def compose_fields(self) -> ComposeResult:
        options = [(kind.label, kind) for kind in FlagKind]
        yield Select(options, prompt="flag", id="dialog-flag", compact=True)
        yield Input(placeholder="cool-off: last day, 2026-12-24", id="dialog-until", compact=True)
        yield Input(
            placeholder="note: the limit (4 h a day), or the check", id="dialog-note", compact=True
        )

    def on_mount(self) -> None:
        self.query_one("#dialog-flag", Select).focus()

    def answer(self) -> FlagAnswer | None:
        value = self.query_one("#dialog-flag", Select).value
        if value is Select.NULL:
            self.hint("choose a flag", error=True)
            return None
        typed = self.query_one("#dialog-until", Input).value.strip()
        last_day: date | None = None
        if typed:
            try:
                last_day = date.fromisoformat(typed)
            except ValueError:
                self.hint("a date like 2026-12-24", error=True)
                return None
        note = mask_sensitive(self.query_one("#dialog-note", Input).value.strip())
        answer = FlagKind(str(value)), last_day, note
        if (reason := self.refusal(answer)) is not None:
            self.hint(reason, error=True)
            return None
        return answer


class ClearFlagModal(DialogModal):
    """Which of the player's flags to clear, and why; returns (kind, reason).

    Stays open with the reason when `refusal` says the server would refuse the answer."""

    title_text = "Clear a flag"
    ok_label = "Clear"

    def __init__(
        self,
        flags: tuple[PlayerFlag, ...],
        refusal: Callable[[tuple[FlagKind, str]], str | None],
    ) -> None:
        super().__init__()
        self.flags = flags
        self.refusal = refusal

    def compose_fields(self) -> ComposeResult:
        options = [(f.kind.label, f.kind) for f in self.flags]
        yield Select(options, prompt="flag", id="dialog-flag", compact=True)
        yield Input(placeholder="reason", max_length=2000, id="dialog-reason", compact=True)

    def on_mount(self) -> None:
        self.query_one("#dialog-flag", Select).focus()

    def answer(self) -> tuple[FlagKind, str] | None:
        value = self.query_one("#dialog-flag", Select).value
        if value is Select.NULL:
            self.hint("choose a flag", error=True)
            return None
        reason = mask_sensitive(self.query_one("#dialog-reason", Input).value.strip())
        answer = FlagKind(str(value)), reason
        if (refused := self.refusal(answer)) is not None:
            self.hint(refused, error=True)
            return None
        return answer


class PlayerScreen(FloorScreen):
    """One player, seen from one of their incidents (`incident_id`)."""

    HELP_TITLE = "Player"
    DEFAULT_CSS = """
    PlayerScreen #player-head { height: auto; padding: 0 1; text-style: bold; }
    PlayerScreen #player-body { height: 1fr; padding: 0 1; }
    PlayerScreen .player-section { margin-top: 1; height: auto; }
    """
    # back to the incident it was opened from, not all the way to the queue
    BINDINGS = [
        Binding("escape", "close", "Back", id="player.back"),
        Binding("f", "set_flag", "Flag", id="player.set_flag"),
        Binding("u", "clear_flag", "Clear flag", id="player.clear_flag"),
    ]

    def __init__(self, incident_id: int) -> None:
        super().__init__()
        self.incident_id = incident_id

    def compose_body(self) -> ComposeResult:
        # all of it is the player: none of it shows while the terminal is locked
        yield Static(id="player-head", classes=PLAYER_DETAIL)
        with VerticalScroll(id="player-body", classes=PLAYER_DETAIL):
            yield Static(id="player-flags", classes="player-section")
            yield Static(id="player-incidents", classes="player-section")
            yield Static(id="player-recovery", classes="player-section")

    def on_mount(self) -> None:
        super().on_mount()
        self._show()

    def action_close(self) -> None:
        self.app.pop_screen()

    @property
    def _reference(self) -> str | None:
        incident = self.floor.incidents.get(self.incident_id)
        return incident.player.reference if incident else None

    def action_set_flag(self) -> None:
        reference = self._reference
        if reference is None or not self._may("set_player_flag"):
            return

        def command(answer: FlagAnswer) -> c.SetPlayerFlag:
            kind, last_day, note = answer
            until = _day_after(last_day, self.floor.policy.timezone) if last_day else None
            return c.SetPlayerFlag(reference=reference, flag=kind, until=until, note=note)

        def flag(answer: FlagAnswer | None) -> None:
            if answer is not None:
                self._send(command(answer), f"flagged the player: {answer[0].label}")

        def refusal(answer: FlagAnswer) -> str | None:
            return self._refusal(command(answer))

        self.app.push_screen(SetFlagModal(refusal), flag)

    def action_clear_flag(self) -> None:
        reference = self._reference
        if reference is None or not self._may("clear_player_flag"):
            return
        flags = flags_of(self.floor, reference, self.now)
        if not flags:
            self.notify("The player has no flag to clear.", markup=False)
            return

        def command(answer: tuple[FlagKind, str]) -> c.ClearPlayerFlag:
            kind, reason = answer
            return c.ClearPlayerFlag(reference=reference, flag=kind, reason=reason)

        def clear(answer: tuple[FlagKind, str] | None) -> None:
            if answer is not None:
                self._send(command(answer), f"cleared the player's {answer[0].label} flag")

        def refusal(answer: tuple[FlagKind, str]) -> str | None:
            return self._refusal(command(answer))

        self.app.push_screen(ClearFlagModal(flags, refusal), clear)

    def _may(self, command_type: str) -> bool:
        me = self.source.me
        if me is not None and not role_may(me.role, command_type):
            self.notify(
                why_not(me.role, command_type),
                title="Not allowed",
                severity="warning",
                markup=False,
            )
            return False
        return me is not None

    def _refusal(self, command: c.SetPlayerFlag | c.ClearPlayerFlag) -> str | None:
        """Why the server would refuse it, by a dry run on this terminal's floor."""
        me = self.source.me
        try:
            if me is not None:
                decide(self.floor, command, Actor(me), self.now)
        except Rejected as exc:
            return exc.message
        return None

    def _send(self, command: c.SetPlayerFlag | c.ClearPlayerFlag, done: str) -> None:
        """Sent unless a dry run refuses it (the floor moved on meanwhile): then the reason."""
        if (reason := self._refusal(command)) is not None:
            self.notify(reason, title="Refused", severity="warning", markup=False)
            return
        self.post_message(CommandRequested(command, done=done))

    def on_floor_changed(self, changes: Changes) -> None:
        self._show()

    def _show(self) -> None:
        floor = self.floor
        incident = floor.incidents.get(self.incident_id)
        head = self.query_one("#player-head", Static)
        if incident is None:
            update_static(head, f"#{self.incident_id} is not on this terminal")
            return
        player = incident.player
        update_static(head, Content.assemble("player ", player_content(player)))
        flags = flags_of(floor, player.reference, self.now)
        lines = flag_lines(flags, floor) or ["none"]
        update_static(self.query_one("#player-flags", Static), _section("flags", lines))
        theirs = incidents_of_player(floor, player.reference)
        others = [i for i in theirs if i.id != incident.id]
        shown = sorted(
            (i for i in others if i.state.is_open), key=lambda i: i.opened_at, reverse=True
        )
        closed = sorted(
            (i for i in others if not i.state.is_open), key=lambda i: i.opened_at, reverse=True
        )
        shown += closed[:RECENT]
        tz = floor.policy.timezone
        rows = [_incident_line(i, tz) for i in shown] or ["no other incident on this terminal"]
        update_static(
            self.query_one("#player-incidents", Static),
            _section(f"other incidents ({len(others)}), open first", rows),
        )
        given = [f"#{i.id} {i.compensation}" for i in theirs if i.compensation] or ["none yet"]
        update_static(
            self.query_one("#player-recovery", Static), _section("service recovery given", given)
        )


def _day_after(last_day: date, timezone: str) -> float:
    """A cool-off through `last_day` lapses as the next day begins, on the floor's clock."""
    start = datetime.combine(last_day + timedelta(days=1), time(), ZoneInfo(timezone))
    return start.timestamp()


def _incident_line(incident: Incident, timezone: str) -> str:
    opened = format_datetime(incident.opened_at, timezone)
    return (
        f"#{incident.id} {incident.priority} {incident.kind.label}, "
        f"{STATE_WORDS[incident.state]}, {opened}"
    )


def _section(title: str, lines: list[str]) -> Content:
    return Content("\n").join([Content.styled(title, "bold"), *map(Content, lines)])
