"""The acknowledge dialog ("on it in N min") and the escalate-to-a-line dialog.

Acknowledging stays one key cheap: `a` then `enter` acknowledges with no ETA,
`2`, `5` or `1` (10 min) acknowledge at once with that ETA, and `c` types
another. Escalating asks for the line (`2`, `3`, `4`) and a reason; a line the
incident is already at, or above, is refused in the words `domain.decide` uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Button, Input, Label, Static

from domain import commands as c
from domain.escalation import LINE_TITLES, TOP_LINE
from domain.eta import ETA_KEYS, ETA_MAX_MINUTES, eta_words, parse_eta
from domain.models import Chain
from domain.privacy import mask_sensitive
from screens.modals import DialogModal


@dataclass(frozen=True, slots=True)
class AckAnswer:
    eta_minutes: int | None  # None: acknowledged with no ETA


def ack_sender(
    send: Callable[[c.Command, str], None], incident_id: int
) -> Callable[[AckAnswer | None], None]:
    """What the acknowledge dialog's answer sends (nothing when it was cancelled)."""

    def sent(answer: AckAnswer | None) -> None:
        if answer is None:
            return
        minutes = answer.eta_minutes
        done = f"acknowledged #{incident_id}"
        if minutes is not None:
            done += f": on it in {eta_words(minutes)}"
        send(c.Acknowledge(incident_id=incident_id, eta_minutes=minutes), done)

    return sent


class AckModal(DialogModal):
    """Acknowledge, optionally saying when: returns an `AckAnswer` (None: cancelled)."""

    DEFAULT_CSS = """
    AckModal #ack-eta { display: none; }
    AckModal.-custom #ack-eta { display: block; }
    """
    BINDINGS = [
        *(
            Binding(key, f"eta({minutes})", f"{eta_words(minutes)}", id=f"ack.eta{minutes}")
            for key, minutes in ETA_KEYS
        ),
        Binding("c", "custom", "Custom ETA", id="ack.custom"),
    ]
    ok_label = "Acknowledge"

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def compose_fields(self) -> ComposeResult:
        keys = "   ".join(f"{key} = {eta_words(minutes)}" for key, minutes in ETA_KEYS)
        yield Label(f"On it in:  {keys}   c = other", classes="field-label", id="ack-keys")
        yield Label("enter: acknowledge with no ETA", classes="field-label")
        yield Input(
            placeholder=f"minutes, 1 to {ETA_MAX_MINUTES} (or 2h)", max_length=12, id="ack-eta"
        )

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#dialog-ok", Button).focus()

    def action_eta(self, minutes: int) -> None:
        self.dismiss(AckAnswer(minutes))

    def action_custom(self) -> None:
        self.add_class("-custom")
        self.query_one("#ack-eta", Input).focus()

    def answer(self) -> AckAnswer | None:
        typed = self.query_one("#ack-eta", Input).value.strip()
        if not typed:
            return AckAnswer(None)
        minutes = parse_eta(typed)
        if isinstance(minutes, str):
            self.hint(minutes, error=True)
            return None
        return AckAnswer(minutes)


class EscalateModal(DialogModal):
    """Escalate by hand to a chosen line, with a reason: returns (line, reason)."""

    BINDINGS = [
        Binding(str(line), f"line({line})", f"L{line}", id=f"escalate.l{line}")
        for line in range(2, TOP_LINE + 1)
    ]
    ok_label = "Escalate"

    def __init__(
        self, title: str, chain: Chain, current: int, refusal: Callable[[int], str | None]
    ) -> None:
        super().__init__()
        self.title_text = title
        self.chain = chain
        self.current = current
        # why a line cannot be chosen now (`domain.decide`'s words), or None
        self.refusal = refusal
        self.line: int | None = None

    def compose_fields(self) -> ComposeResult:
        titles = LINE_TITLES[self.chain]
        chain = "payments chain" if self.chain is Chain.PAYMENTS else "main ladder"
        yield Label(
            f"{chain}, now at L{self.current} ({titles[self.current]}); to which line?",
            classes="field-label",
        )
        for line in range(2, TOP_LINE + 1):
            below = line <= self.current
            mark = "  (where it is)" if line == self.current else "  (below it)" if below else ""
            yield Static(
                f"  {line}  L{line} {titles[line]}{mark}",
                id=f"escalate-line-{line}",
                classes="-below" if below else "",
            )
        yield Label("Reason (needed)", classes="field-label")
        yield Input(placeholder="why now", max_length=2000, id="escalate-reason")

    DEFAULT_CSS = """
    EscalateModal .-below { color: $foreground 50%; }
    EscalateModal .-chosen { text-style: bold reverse; }
    """

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#dialog-ok", Button).focus()

    def action_line(self, line: int) -> None:
        refused = self.refusal(line)
        if refused is not None:
            self.hint(refused, error=True)
            return
        self.line = line
        for other in range(2, TOP_LINE + 1):
            self.query_one(f"#escalate-line-{other}", Static).set_class(other == line, "-chosen")
        self.hint("")
        self.query_one("#escalate-reason", Input).focus()

    @on(Input.Changed, "#escalate-reason")
    def _typed(self) -> None:
        if self.line is not None:
            self.hint("")

    def answer(self) -> tuple[int, str] | None:
        if self.line is None:
            above = [str(n) for n in range(self.current + 1, TOP_LINE + 1)]
            self.hint(f"pick the line first: {' or '.join(above)}", error=True)
            self.query_one("#dialog-ok", Button).focus()
            return None
        reason = mask_sensitive(self.query_one("#escalate-reason", Input).value.strip())
        if not reason:
            self.hint(f"say why it goes to L{self.line} now", error=True)
            self.query_one("#escalate-reason", Input).focus()
            return None
        return self.line, reason
