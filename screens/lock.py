"""The shared-terminal lock: the queue stays in view behind it, player details hidden.

Being modal, it takes every key: nothing on the floor can be changed until
the same person unlocks with their PIN, or someone switches user (the first
user is signed out and their token removed from this terminal).
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from screens.form_screen import FormScreen
from tui.widgets.key_footer import KeyFooter


class LockScreen(FormScreen, ModalScreen[None]):
    HELP_TITLE = "Locked"
    DEFAULT_CSS = """
    LockScreen { align: center middle; background: $background 70%; }
    LockScreen #lock-form {
        width: 56;
        max-width: 100%;
        height: auto;
        padding: 1 2 0 2;
        border: heavy $warning;
        border-title-style: bold;
        background: $surface;
    }
    LockScreen .lock-row { height: 1; margin-bottom: 1; }
    LockScreen .lock-row Label { width: 10; color: $text-muted; }
    LockScreen .lock-row Input { width: 1fr; }
    LockScreen #lock-staff-row { display: none; }
    LockScreen.-switching #lock-staff-row { display: block; }
    LockScreen #lock-buttons { height: 1; margin-left: 10; }
    LockScreen #lock-buttons Button { margin-right: 2; }
    LockScreen #lock-message { height: auto; min-height: 1; margin-top: 1; }
    LockScreen #lock-message.-error { color: $error; text-style: bold; }
    LockScreen #lock-note { color: $text-muted; height: auto; margin-bottom: 1; }
    """
    SUBMIT_FIELD = "lock-pin"
    BINDINGS = [
        Binding("f2", "switch_user", "Switch user", id="lock.switch_user"),
        Binding("escape", "unlock_mode", "Unlock", id="lock.unlock", show=False),
    ]

    switching: reactive[bool] = reactive(False, init=False)

    class UnlockRequested(Message):
        def __init__(self, screen: LockScreen, pin: str) -> None:
            super().__init__()
            self.screen = screen
            self.pin = pin

    class SwitchUserRequested(Message):
        def __init__(self, screen: LockScreen, staff_id: str, pin: str) -> None:
            super().__init__()
            self.screen = screen
            self.staff_id = staff_id
            self.pin = pin

    def __init__(self, name: str, staff_id: str) -> None:
        super().__init__()
        self._name = name
        self._staff_id = staff_id

    def compose(self) -> ComposeResult:
        form = Vertical(id="lock-form")
        form.border_title = f"Locked · {self._name} ({self._staff_id})"
        with form:
            with Horizontal(classes="lock-row", id="lock-staff-row"):
                yield Label("Staff ID")
                yield Input(placeholder="your staff ID", id="lock-staff", compact=True)
            with Horizontal(classes="lock-row"):
                yield Label("PIN")
                yield Input(
                    password=True, placeholder="PIN", id="lock-pin", max_length=64, compact=True
                )
            with Horizontal(id="lock-buttons"):
                yield Button("Unlock", variant="primary", id="lock-unlock", compact=True)
                yield Button("Switch user (f2)", id="lock-switch", compact=True)
            yield Static("", id="lock-message")
            yield Static(
                "Player details are hidden and nothing can be changed until unlocked.",
                id="lock-note",
            )
        # over the queue's own footer, whose keys do nothing while locked
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#lock-pin", Input).focus()

    def watch_switching(self, switching: bool) -> None:
        self.set_class(switching, "-switching")
        button = self.query_one("#lock-unlock", Button)
        button.label = "Sign in" if switching else "Unlock"
        self.query_one("#lock-switch", Button).display = not switching
        self.query_one("#lock-staff" if switching else "#lock-pin", Input).focus()
        self.query_one("#lock-message", Static).update("")
        self.query_one("#lock-note", Static).update(
            f"Signs {self._name} out of this terminal."
            if switching
            else "Player details are hidden and nothing can be changed until unlocked."
        )

    def action_switch_user(self) -> None:
        self.switching = True

    def action_unlock_mode(self) -> None:
        self.switching = False

    @on(Button.Pressed, "#lock-switch")
    def _switch_pressed(self) -> None:
        self.switching = True

    @on(Button.Pressed, "#lock-unlock")
    def _unlock_pressed(self) -> None:
        self._send()

    @on(Input.Submitted, "#lock-pin")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._send()

    def _send(self) -> None:
        pin = self.query_one("#lock-pin", Input).value
        if not pin:
            # a stray enter is not a wrong guess
            self.failed("type your PIN, then enter")
            return
        if self.switching:
            staff_id = self.query_one("#lock-staff", Input).value
            self.post_message(self.SwitchUserRequested(self, staff_id, pin))
        else:
            self.post_message(self.UnlockRequested(self, pin))

    def failed(self, reason: str) -> None:
        pin = self.query_one("#lock-pin", Input)
        pin.value = ""
        pin.focus()
        message = self.query_one("#lock-message", Static)
        message.update(reason)
        message.set_class(True, "-error")
