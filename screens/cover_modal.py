"""The cover dialog: who answers which line instead of its roster, until when, and why.

It returns a `SetCover` for the escalation screen to send. `check` is the
domain's own dry run: a refusal (someone not on the staff list, an end out of
range) keeps the dialog open with the reason, so nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Label, Select

from domain import commands as c
from domain.cover import at_clock
from domain.models import Chain
from domain.privacy import mask_card_numbers
from screens.modals import DialogModal

LineChoice = tuple[Chain, int]


class CoverModal(DialogModal):
    title_text = "Cover a line"
    ok_label = "Set cover"

    def __init__(
        self,
        *,
        lines: Sequence[tuple[str, LineChoice]],
        staff: Sequence[tuple[str, str]],
        line: LineChoice,
        until: Callable[[LineChoice], str],
        now: Callable[[], float],
        timezone: str,
        check: Callable[[c.SetCover], str | None],
        chosen: str | None = None,
    ) -> None:
        super().__init__()
        self.chosen = chosen  # who is preselected (the manager themselves: "take it myself")
        self.lines = list(lines)  # (label, (chain, line))
        self.staff = list(staff)  # (label, staff id): active staff only
        self.line = line
        self.until = until  # the suggested end for a line, as HH:MM
        self.clock = now
        self.timezone = timezone
        self.check = check

    def compose_fields(self) -> ComposeResult:
        yield Label("Line", classes="field-label")
        yield Select(self.lines, value=self.line, allow_blank=False, id="cover-line", compact=True)
        yield Label("Who covers it", classes="field-label")
        yield Select(
            self.staff,
            prompt="staff member",
            value=self.chosen if self.chosen is not None else Select.NULL,
            id="cover-staff",
            compact=True,
        )
        yield Label("Until (HH:MM, within 24 h; suggested: the shift's end)", classes="field-label")
        yield Input(self.until(self.line), max_length=5, id="cover-until", compact=True)
        yield Label("Reason", classes="field-label")
        yield Input(placeholder="Lee M. off sick", max_length=500, id="cover-reason", compact=True)
        yield Label("Reach them by (optional if on the roster)", classes="field-label")
        yield Input(placeholder="pager #221", max_length=200, id="cover-contact", compact=True)

    def on_mount(self) -> None:
        self.query_one("#cover-staff", Select).focus()

    @on(Select.Changed, "#cover-line")
    def _line_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, tuple):
            self.query_one("#cover-until", Input).value = self.until(event.value)

    def answer(self) -> c.SetCover | None:
        chain, line = self.query_one("#cover-line", Select).value  # type: ignore[misc]
        staff = self.query_one("#cover-staff", Select).value
        if staff is Select.NULL:
            self.hint("choose who covers the line", error=True)
            return None
        now = self.clock()
        try:
            until = at_clock(self.query_one("#cover-until", Input).value, now, self.timezone)
        except ValueError as exc:
            self.hint(str(exc), error=True)
            return None
        reason = mask_card_numbers(self.query_one("#cover-reason", Input).value.strip())
        if not reason:
            self.hint("say why the line is covered", error=True)
            return None
        method, _, value = self.query_one("#cover-contact", Input).value.strip().partition(" ")
        command = c.SetCover(
            chain=chain,
            line=line,
            staff_id=str(staff),
            until=until,
            reason=reason,
            contact_method=method,
            contact_value=value.strip(),
        )
        refused = self.check(command)
        if refused:
            self.hint(refused, error=True)
            return None
        return command
