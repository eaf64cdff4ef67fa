"""The shared-terminal lock: the queue stays in view behind it, player details hidden.

Being modal, it takes every key: nothing on the floor can be changed until
the same person unlocks with their PIN, or someone switches user (the first
user is signed out and their token removed from this terminal).

The lock is opaque and shows the floor in its own copy of the queue (the
locked user's first view, masked, dimmed, countdowns ticking). A translucent
lock showed the screens under it instead, and Textual paints a screen seen
through another whole, through Rich, on every change: a locked terminal, which a
shared one mostly is, spent four times the CPU of an unlocked one. Under the
opaque lock (and its `LockBackdrop`) the floor screens are out of view and stop
repainting; unlocked, each is back as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, Label, Static

from api_client.contract import Changes, Link
from domain.models import Incident
from screens.form_screen import FormScreen
from tui.floor_update import FloorUpdate
from tui.queue_model import Filters, QueueModel, views_for
from tui.widgets.incident_table import IncidentTable
from tui.widgets.key_footer import KeyFooter
from tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from tui.app import FloorApp


class LockBackdrop(Screen[None]):
    """Blank and opaque, pushed under the lock and popped with it.

    Textual counts the screen right under the top one as showing through it,
    whatever the top one's background, and repaints the top one whole for every
    change there. This one never changes, so the floor screens under it are out
    of view, stop repainting, and stop the lock from repainting.
    """

    DEFAULT_CSS = "LockBackdrop { background: $background; }"


class LockScreen(FormScreen, ModalScreen[None]):
    HELP_TITLE = "Locked"
    DEFAULT_CSS = """
    LockScreen { align: center middle; background: $background; layers: floor form; }
    LockScreen #lock-queue {
        layer: floor; dock: top; height: 100%; opacity: 45%; overflow: hidden hidden;
    }
    /* nothing can be chosen behind the lock: no row is shown as the current one */
    LockScreen #lock-queue > .incident-table--cursor { background: transparent; }
    LockScreen StatusBar, LockScreen KeyFooter { layer: form; }
    LockScreen #lock-form {
        layer: form;
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
        self._queue = QueueModel()
        self._filters: Filters | None = None
        self._shown_for: str | None = None  # whose view the queue holds

    def compose(self) -> ComposeResult:
        queue = IncidentTable(id="lock-queue")
        queue.can_focus = False  # the PIN field keeps every key
        queue.masked = True
        yield queue
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
        yield StatusBar()  # online or not, locked or not
        yield KeyFooter()

    def on_mount(self) -> None:
        for field in self.query(Input):
            # steady: a lock sits on screen for hours, and each blink is a repaint
            field.cursor_blink = False
        self.query_one("#lock-pin", Input).focus()
        app = self.floor_app
        self.query_one(IncidentTable).now = app.now
        self._show_floor(Changes(reset=True))
        app.ticked.subscribe(self, self._ticked)
        app.floor_updated.subscribe(self, self._floor_updated)

    @property
    def floor_app(self) -> FloorApp:
        return cast("FloorApp", self.app)

    # --- attributes down: the floor into the lock's queue ----------------------------

    def _ticked(self, now: float) -> None:
        self.query_one(IncidentTable).now = now

    def _floor_updated(self, update: FloorUpdate) -> None:
        self._show_floor(update.changes)

    def _show_floor(self, changes: Changes) -> None:
        view = self.floor_app.view
        me, floor, queue = view.me, view.state, self._queue
        rows: Sequence[Incident] = ()
        if me is None or view.status.link is Link.SIGNED_OUT:
            me, self._filters = None, None  # signed out under the lock: no floor to show
        else:
            queue.facts = view.facts
            if changes.reset or self._filters is None or me.id != self._shown_for:
                self._filters = Filters(view=views_for(me, floor.policy)[0])
                queue.rebuild(floor, me, self._filters)
            elif changes.incidents:
                queue.update(floor, me, self._filters, changes.incidents)
            elif not (changes.outbox or changes.status):
                return
            rows = queue.rows(floor)
        self._shown_for = me.id if me else None
        table = self.query_one(IncidentTable)
        table.approximate = view.approximate
        table.set_rows(rows, floor, view.pending_incidents, self._shown_for)

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
