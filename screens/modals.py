"""Small dialogs the incident, downtime and escalation screens ask with.

Each returns its answer through `dismiss` (None when cancelled) and never
sends anything itself: the screen that asked builds the command. Free text is
masked (`mask_sensitive`: card numbers and PINs) before it is returned, and the dialog says so as
soon as a card-like number is typed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalGroup, VerticalGroup
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from domain.models import Priority
from domain.privacy import looks_like_card_number, mask_card_numbers, mask_sensitive
from tui.lock_veil import follow_lock

MASK_NOTE = "looks like a card number: it will be stored masked as {masked}"


class DialogModal(ModalScreen[Any]):
    """The frame every dialog shares: title, body, a hint line, OK / Cancel."""

    DEFAULT_CSS = """
    DialogModal {
        align: center middle;
    }
    DialogModal > #dialog {
        width: 72;
        max-width: 100%;
        height: auto;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    DialogModal #dialog-title { text-style: bold; width: 1fr; }
    /* as wide as the dialog, so a long prompt wraps instead of being cut */
    DialogModal .field-label { color: $foreground 70%; margin-top: 1; width: 1fr; }
    DialogModal #dialog-hint { color: $warning; height: auto; }
    DialogModal #dialog-hint.-error { color: $error; }
    DialogModal #dialog-buttons { margin-top: 1; height: auto; align-horizontal: right; }
    DialogModal #dialog-buttons Button { margin-left: 1; }
    DialogModal.-locked #dialog { display: none; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="modal.cancel")]

    title_text = ""
    ok_label = "OK"

    def compose(self) -> ComposeResult:
        with VerticalGroup(id="dialog"):
            yield Label(self.title_text, id="dialog-title")
            yield from self.compose_fields()
            yield Static("", id="dialog-hint")
            with HorizontalGroup(id="dialog-buttons"):
                yield Button(self.ok_label, variant="primary", id="dialog-ok", compact=True)
                yield Button("Cancel", id="dialog-cancel", compact=True)

    def compose_fields(self) -> ComposeResult:
        return iter(())

    def on_mount(self) -> None:
        # what is typed here is as private as the screen under it (`tui.lock_veil`)
        follow_lock(self)

    def hint(self, text: str, *, error: bool = False) -> None:
        widget = self.query_one("#dialog-hint", Static)
        widget.set_class(error, "-error")
        widget.update(text)

    def answer(self) -> Any:
        """The value to return, or None (after showing why) when not acceptable."""
        return None

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#dialog-cancel")
    def _cancelled(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#dialog-ok")
    @on(Input.Submitted)
    def _confirmed(self) -> None:
        value = self.answer()
        if value is not None:
            self.dismiss(value)


class YesNoModal(DialogModal):
    """A question for an action that cannot be taken back: enter does it, escape not."""

    def __init__(self, title: str, question: str, *, ok_label: str = "OK") -> None:
        super().__init__()
        self.title_text = title
        self.question = question
        self.ok_label = ok_label

    def compose_fields(self) -> ComposeResult:
        yield Label(self.question, classes="field-label")

    def on_mount(self) -> None:
        self.query_one("#dialog-ok", Button).focus()

    def answer(self) -> bool:
        return True


class TextModal(DialogModal):
    """One line of free text: a note, a reason, the agreed compensation."""

    required = True
    max_length = 2000
    prompt = ""
    placeholder = ""

    def __init__(self, title: str | None = None, *, value: str = "", prompt: str = "") -> None:
        super().__init__()
        if title is not None:
            self.title_text = title
        self.initial = value
        if prompt:
            self.prompt = prompt

    def compose_fields(self) -> ComposeResult:
        if self.prompt:
            yield Label(self.prompt, classes="field-label")
        yield Input(
            self.initial,
            placeholder=self.placeholder,
            max_length=self.max_length,
            id="dialog-text",
        )

    @on(Input.Changed, "#dialog-text")
    def _typed(self, event: Input.Changed) -> None:
        if looks_like_card_number(event.value):
            self.hint(MASK_NOTE.format(masked=mask_card_numbers(event.value)))
        else:
            self.hint("")

    def answer(self) -> str | None:
        text = mask_sensitive(self.query_one("#dialog-text", Input).value.strip())
        if self.required and not text:
            self.hint("this cannot be empty", error=True)
            return None
        return text


class NoteModal(TextModal):
    title_text = "Add a note"
    placeholder = "what happened, what was promised"


class OptionalNoteModal(TextModal):
    """Confirm a step (stabilise, resolve) with an optional note: Enter to go."""

    required = False
    placeholder = "optional note"


class ReasonModal(TextModal):
    title_text = "Reason"
    required = False
    placeholder = "optional reason"


class CompensationModal(TextModal):
    title_text = "Record service recovery"
    prompt = "What was agreed with the player (kept on the incident until it is closed)"
    placeholder = "accepted: 500 free play, priority seat Friday"


class ReportModal(DialogModal):
    """The post-incident report: root cause (needed) and measures; returns both."""

    title_text = "File the post-incident report"
    ok_label = "File"

    def __init__(self, title: str | None = None) -> None:
        super().__init__()
        if title is not None:
            self.title_text = title

    def compose_fields(self) -> ComposeResult:
        yield Label("Root cause: what made it happen", classes="field-label")
        yield Input(
            placeholder="shuffler misfed after a firmware update",
            max_length=8000,
            id="dialog-cause",
        )
        yield Label("Measures: what is done so it does not happen again", classes="field-label")
        yield Input(
            placeholder="firmware rolled back; tech checks shufflers each shift",
            max_length=8000,
            id="dialog-measures",
        )

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if looks_like_card_number(event.value):
            self.hint(MASK_NOTE.format(masked=mask_card_numbers(event.value)))
        else:
            self.hint("")

    def answer(self) -> tuple[str, str] | None:
        cause_field = self.query_one("#dialog-cause", Input)
        measures_field = self.query_one("#dialog-measures", Input)
        cause = mask_sensitive(cause_field.value.strip())
        measures = mask_sensitive(measures_field.value.strip())
        if cause and not measures and self.focused is cause_field:
            measures_field.focus()  # enter on the root cause goes on to the measures
            return None
        if not cause:
            self.hint("the root cause cannot be empty: say what made it happen", error=True)
            self.query_one("#dialog-cause", Input).focus()
            return None
        return cause, measures


class PlayerMovedModal(TextModal):
    """Where the player went, as the floor names it.

    `destination` returns that name or raises `ValueError` saying what is
    wrong; then the dialog stays open with the reason.
    """

    title_text = "Player moved"
    prompt = "Moved to which table or machine"
    placeholder = "HL-1150"
    max_length = 60

    def __init__(self, title: str, *, destination: Callable[[str], str]) -> None:
        super().__init__(title)
        self.destination = destination

    def answer(self) -> str | None:
        text = super().answer()
        if not text:
            return None
        try:
            return self.destination(text)
        except ValueError as exc:
            self.hint(str(exc), error=True)
            return None


class AssignModal(DialogModal):
    """Pick the new owner from the staff list."""

    title_text = "Assign to"

    def __init__(self, staff: Sequence[tuple[str, str]], *, current: str | None = None) -> None:
        super().__init__()
        self.staff = list(staff)  # (label, staff id)
        self.current = current

    def compose_fields(self) -> ComposeResult:
        yield Select(self.staff, prompt="staff member", id="dialog-owner")

    def answer(self) -> str | None:
        value = self.query_one("#dialog-owner", Select).value
        if value is Select.NULL:
            self.hint("choose someone", error=True)
            return None
        if value == self.current:
            self.hint("they already own it", error=True)
            return None
        return str(value)


PRIORITY_LABELS: dict[Priority, str] = {
    Priority.P1: "P1  game/result or payment down",
    Priority.P2: "P2  critical, workaround exists",
    Priority.P3: "P3  normal",
    Priority.P4: "P4  low",
}


class PriorityModal(DialogModal):
    """A new priority and why; returns (priority, reason)."""

    title_text = "Change priority"

    def __init__(self, current: Priority) -> None:
        super().__init__()
        self.current = current

    def compose_fields(self) -> ComposeResult:
        options = [(label, p) for p, label in PRIORITY_LABELS.items() if p is not self.current]
        yield Label(f"now {self.current}", classes="field-label")
        yield Select(options, prompt="new priority", id="dialog-priority")
        yield Input(placeholder="reason (needed to lower it)", max_length=2000, id="dialog-reason")

    @on(Select.Changed, "#dialog-priority")
    def _chosen(self, event: Select.Changed) -> None:
        lowering = event.value is not Select.NULL and self._lowers(event.value)
        self.hint("lowering it: say why (the duty manager is told)" if lowering else "")

    def _lowers(self, value: object) -> bool:
        return Priority(str(value)).is_lower_than(self.current)

    def answer(self) -> tuple[Priority, str] | None:
        value = self.query_one("#dialog-priority", Select).value
        if value is Select.NULL:
            self.hint("choose a priority", error=True)
            return None
        reason = mask_sensitive(self.query_one("#dialog-reason", Input).value.strip())
        if not reason and self._lowers(value):
            self.hint(f"say why it goes down from {self.current} to {value}", error=True)
            self.query_one("#dialog-reason", Input).focus()
            return None
        return Priority(str(value)), reason


class MarkDownModal(DialogModal):
    """Which table or machine is down, and why; returns (asset id, reason)."""

    title_text = "Mark a table or machine down"

    def __init__(self, assets: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.assets = list(assets)  # (label, asset id): only ones that are up

    def compose_fields(self) -> ComposeResult:
        yield Label("Table or machine", classes="field-label")
        yield Select(self.assets, prompt="asset", id="dialog-asset")
        yield Label("Reason", classes="field-label")
        yield Input(placeholder="bill validator jam", max_length=500, id="dialog-reason")

    def answer(self) -> tuple[str, str] | None:
        asset = self.query_one("#dialog-asset", Select).value
        reason = mask_sensitive(self.query_one("#dialog-reason", Input).value.strip())
        if asset is Select.NULL:
            self.hint("choose the table or machine", error=True)
            return None
        if not reason:
            self.hint("say why it is down", error=True)
            return None
        return str(asset), reason


class ConfirmModal(DialogModal):
    """A yes/no question with an optional reason; returns the reason ("" if none)."""

    def __init__(self, title: str, question: str) -> None:
        super().__init__()
        self.title_text = title
        self.question = question

    def compose_fields(self) -> ComposeResult:
        yield Label(self.question, classes="field-label")
        yield Input(placeholder="reason (optional)", max_length=2000, id="dialog-reason")

    def answer(self) -> str:
        return mask_sensitive(self.query_one("#dialog-reason", Input).value.strip())
