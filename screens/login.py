"""Sign-in: server, staff ID, PIN. The app does the talking; this screen shows the answer.

Signing in with a one-time PIN (a new member, a reset) asks for a new PIN
twice on the same form, then signs in with it.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Button, Input, Label, Static

from screens.form_screen import FormScreen
from tui.widgets.status_bar import StatusBar


class LoginScreen(FormScreen):
    HELP_TITLE = "Sign in"
    DEFAULT_CSS = """
    LoginScreen { align: center middle; }
    LoginScreen #login-form {
        width: 60;
        max-width: 100%;
        height: auto;
        padding: 1 2 0 2;
        border: round $primary;
        border-title-style: bold;
        background: $surface;
    }
    LoginScreen .login-row { height: 1; margin-bottom: 1; }
    LoginScreen .login-row Label { width: 10; color: $text-muted; }
    LoginScreen .login-row Input { width: 1fr; }
    LoginScreen #login-sign-in { margin-left: 10; }
    LoginScreen #login-message { height: auto; min-height: 1; margin: 1 0 0 0; }
    LoginScreen #login-message.-error { color: $error; text-style: bold; }
    LoginScreen #login-message.-busy { color: $text-muted; }
    LoginScreen #login-hint { color: $text-muted; height: auto; margin-bottom: 1; }
    LoginScreen .new-pin { display: none; }
    LoginScreen.-new-pin .new-pin { display: block; }
    """
    SUBMIT_FIELD = "login-pin"

    busy: reactive[bool] = reactive(False, init=False)
    changing_pin: reactive[bool] = reactive(False, init=False)

    class PinChangeRequested(Message):
        def __init__(self, screen: LoginScreen, staff_id: str, old_pin: str, new_pin: str) -> None:
            super().__init__()
            self.screen = screen
            self.staff_id = staff_id
            self.old_pin = old_pin
            self.new_pin = new_pin

    class SignInRequested(Message):
        def __init__(self, screen: LoginScreen, server: str, staff_id: str, pin: str) -> None:
            super().__init__()
            self.screen = screen
            self.server = server
            self.staff_id = staff_id
            self.pin = pin

    def __init__(self, *, server: str, staff_id: str = "", hint: str = "", error: str = "") -> None:
        super().__init__()
        self._server = server
        self._staff_id = staff_id
        self._hint = hint
        self._error = error

    def compose(self) -> ComposeResult:
        form = Vertical(id="login-form")
        form.border_title = "floorline · sign in"
        with form:
            with Horizontal(classes="login-row"):
                yield Label("Server")
                yield Input(
                    self._server,
                    placeholder="https://floor.example:8765",
                    id="login-server",
                    compact=True,
                )
            with Horizontal(classes="login-row"):
                yield Label("Staff ID")
                yield Input(self._staff_id, placeholder="e.g. pb2", id="login-staff", compact=True)
            with Horizontal(classes="login-row"):
                yield Label("PIN")
                yield Input(
                    password=True, placeholder="PIN", id="login-pin", max_length=64, compact=True
                )
            with Horizontal(classes="login-row new-pin"):
                yield Label("New PIN")
                yield Input(
                    password=True,
                    id="login-new-pin",
                    max_length=12,
                    restrict=r"[0-9]*",
                    compact=True,
                )
            with Horizontal(classes="login-row new-pin"):
                yield Label("Again")
                yield Input(
                    password=True,
                    id="login-new-pin-again",
                    max_length=12,
                    restrict=r"[0-9]*",
                    compact=True,
                )
            yield Button("Sign in", variant="primary", id="login-sign-in", compact=True)
            yield Static(self._error, id="login-message", classes="-error" if self._error else "")
            if self._hint:
                yield Static(self._hint, id="login-hint")
        yield StatusBar()

    def submit_field(self) -> str:
        # choosing a new PIN: Enter in the second new-PIN field sets it
        return "login-new-pin-again" if self.changing_pin else self.SUBMIT_FIELD

    def on_mount(self) -> None:
        target = "#login-pin" if self._staff_id else "#login-staff"
        if not self._server:
            target = "#login-server"
        self.query_one(target, Input).focus()

    @on(Input.Submitted, "#login-pin")
    def _pin_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_sign_in()

    @on(Input.Submitted, "#login-new-pin")
    def _new_pin_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#login-new-pin-again", Input).focus()

    @on(Input.Submitted, "#login-new-pin-again")
    def _again_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_sign_in()

    @on(Button.Pressed, "#login-sign-in")
    def _pressed(self) -> None:
        self.action_sign_in()

    def action_sign_in(self) -> None:
        if self.busy:
            return
        if self.changing_pin:
            self._change_pin()
            return
        server = self.query_one("#login-server", Input).value
        staff_id = self.query_one("#login-staff", Input).value
        pin = self.query_one("#login-pin", Input).value
        self.busy = True
        self.post_message(self.SignInRequested(self, server, staff_id, pin))

    def _change_pin(self) -> None:
        new = self.query_one("#login-new-pin", Input).value
        again = self.query_one("#login-new-pin-again", Input)
        if new != again.value:
            again.value = ""
            again.focus()
            self._message("the two new PINs differ: type it again", "-error")
            return
        staff_id = self.query_one("#login-staff", Input).value
        old = self.query_one("#login-pin", Input).value
        self.busy = True
        self.post_message(self.PinChangeRequested(self, staff_id, old, new))

    def ask_new_pin(self, reason: str, *, error: bool = False) -> None:
        """The app's answer to a one-time PIN: ask for a new one, twice."""
        self.busy = False
        self.changing_pin = True
        self.add_class("-new-pin")
        for field in ("#login-server", "#login-staff", "#login-pin"):
            self.query_one(field, Input).disabled = True
        for field in ("#login-new-pin", "#login-new-pin-again"):
            self.query_one(field, Input).value = ""
        self.query_one("#login-new-pin", Input).focus()
        self.query_one("#login-sign-in", Button).label = "Set PIN and sign in"
        self._message(reason, "-error" if error else "")

    def watch_busy(self, busy: bool) -> None:
        self.query_one("#login-sign-in", Button).disabled = busy
        if busy:
            self._message("Signing in…", "-busy")

    def failed(self, reason: str) -> None:
        """The app's answer: say why under the form, clear the PIN, try again."""
        self.busy = False
        pin = self.query_one("#login-pin", Input)
        pin.value = ""
        pin.focus()
        self._message(reason, "-error")

    def _message(self, text: str, cls: str) -> None:
        message = self.query_one("#login-message", Static)
        message.update(text)
        message.set_classes(cls)
