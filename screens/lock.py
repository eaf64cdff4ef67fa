"""The shared-terminal lock: the queue stays in view behind it, player details hidden.

Being modal, it takes every key: nothing on the floor can be changed until
the same person unlocks with their PIN, or someone switches user (the first
user is signed out and their token removed from this terminal).
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static


class LockScreen(ModalScreen[None]):
    HELP_TITLE = "Locked"
    DEFAULT_CSS = """
    LockScreen { align: center middle; background: $background 70%; }
    LockScreen #lock-form {
        width: 50;
        height: auto;
        padding: 0 2;
        border: heavy $warning;
        background: $surface;
    }
    LockScreen #lock-title { text-style: bold; width: 100%; content-align: center middle; }
    LockScreen Label { margin-top: 1; color: $text-muted; }
    LockScreen #lock-staff-row { height: auto; display: none; }
    LockScreen.-switching #lock-staff-row { display: block; }
    LockScreen #lock-buttons { height: auto; margin-top: 1; }
    LockScreen #lock-buttons Button { width: 1fr; }
    LockScreen #lock-message { height: auto; min-height: 1; color: $error; text-style: bold; }
    """
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
        with Vertical(id="lock-form"):
            yield Static(f"Locked · {self._name} ({self._staff_id})", id="lock-title")
            with Vertical(id="lock-staff-row"):
                yield Label("Staff ID")
                yield Input(placeholder="your staff ID", id="lock-staff")
            yield Label("PIN", id="lock-pin-label")
            yield Input(password=True, placeholder="PIN", id="lock-pin", max_length=64)
            with Vertical(id="lock-buttons"):
                yield Button("Unlock", variant="primary", id="lock-unlock")
                yield Button("Switch user (f2)", id="lock-switch")
            yield Static("", id="lock-message")

    def on_mount(self) -> None:
        self.query_one("#lock-pin", Input).focus()

    def watch_switching(self, switching: bool) -> None:
        self.set_class(switching, "-switching")
        button = self.query_one("#lock-unlock", Button)
        button.label = f"Sign in (signs {self._name} out)" if switching else "Unlock"
        self.query_one("#lock-switch", Button).display = not switching
        self.query_one("#lock-staff" if switching else "#lock-pin", Input).focus()
        self.query_one("#lock-message", Static).update("")

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

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "lock-staff":
            self.query_one("#lock-pin", Input).focus()
        else:
            self._send()

    def _send(self) -> None:
        pin = self.query_one("#lock-pin", Input).value
        if self.switching:
            staff_id = self.query_one("#lock-staff", Input).value
            self.post_message(self.SwitchUserRequested(self, staff_id, pin))
        else:
            self.post_message(self.UnlockRequested(self, pin))

    def failed(self, reason: str) -> None:
        pin = self.query_one("#lock-pin", Input)
        pin.value = ""
        pin.focus()
        self.query_one("#lock-message", Static).update(reason)
