"""The staff screen's dialogs: add a member, change a role or pit, and the one-time PIN.

The add and change dialogs only check that what is needed is filled in and
return a `StaffDraft`; the server decides the rest (a taken ID, a pit boss
with no pit, the last admin). When it refuses, the staff screen opens the
dialog again with what was typed and the server's words.

`PinModal` shows a one-time PIN once. It stays until the admin says it is
noted (the screen keys and escape are held in it), and nothing keeps the
PIN once it is gone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalGroup, VerticalGroup
from textual.content import Content
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from domain.models import STAFF_ROLES, Role, Staff
from domain.permissions import ROLE_LABELS
from domain.protocol import StaffPin
from screens.modals import DialogModal, YesNoModal

# what a staff ID may be (`domain.staff_admin.STAFF_ID_PATTERN`), as typed so far
STAFF_ID_TYPING = r"(?:[A-Za-z0-9][A-Za-z0-9_.-]*)?"
ROLE_CHOICES = [(ROLE_LABELS[role], role) for role in STAFF_ROLES]


@dataclass(frozen=True, slots=True)
class StaffDraft:
    """What the admin typed: a new member, or a member's new role and pit."""

    staff_id: str
    name: str
    role: Role
    pit: str | None


class StaffFormModal(DialogModal):
    """Label-left rows, so the dialog fits with its buttons at 80x24."""

    DEFAULT_CSS = """
    StaffFormModal .staff-row { height: 1; margin-top: 1; }
    StaffFormModal .staff-row Label { width: 10; color: $foreground 70%; }
    StaffFormModal .staff-row Input, StaffFormModal .staff-row Select { width: 1fr; }
    StaffFormModal #dialog-hint { margin-top: 1; }
    """

    def __init__(self, pits: Sequence[tuple[str, str]], *, error: str = "") -> None:
        super().__init__()
        self.pits = list(pits)  # (label, pit id)
        self.error = error

    def role_and_pit(self, role: Role | None, pit: str | None) -> ComposeResult:
        with HorizontalGroup(classes="staff-row"):
            yield Label("Role")
            yield Select(
                ROLE_CHOICES,
                value=role if role is not None else Select.NULL,
                prompt="choose a role",
                id="staff-role",
                compact=True,
            )
        with HorizontalGroup(classes="staff-row"):
            yield Label("Pit")
            known = {pit_id for _, pit_id in self.pits}
            yield Select(
                self.pits,
                value=pit if pit in known else Select.NULL,
                prompt="no pit (pit bosses need one)",
                id="staff-pit",
                compact=True,
            )

    def on_mount(self) -> None:
        if self.error:
            self.hint(self.error, error=True)

    def hint(self, text: str, *, error: bool = False) -> None:
        super().hint("", error=error)
        # the server's words may quote a name: plain text, never markup
        self.query_one("#dialog-hint", Static).update(Content(text))

    def chosen(self) -> tuple[Role, str | None] | None:
        role = self.query_one("#staff-role", Select).value
        if role is Select.NULL:
            self.hint("choose a role", error=True)
            self.query_one("#staff-role", Select).focus()
            return None
        pit = self.query_one("#staff-pit", Select).value
        return Role(str(role)), None if pit is Select.NULL else str(pit)


class AddStaffModal(StaffFormModal):
    title_text = "Add a staff member (they get a one-time PIN)"
    ok_label = "Add"

    def __init__(
        self, pits: Sequence[tuple[str, str]], *, draft: StaffDraft | None = None, error: str = ""
    ) -> None:
        super().__init__(pits, error=error)
        self.draft = draft

    def compose_fields(self) -> ComposeResult:
        draft = self.draft
        with HorizontalGroup(classes="staff-row"):
            yield Label("Staff ID")
            yield Input(
                draft.staff_id if draft else "",
                placeholder="e.g. pb4 (letters, digits, . _ -)",
                restrict=STAFF_ID_TYPING,
                max_length=40,
                id="staff-id",
                compact=True,
            )
        with HorizontalGroup(classes="staff-row"):
            yield Label("Name")
            yield Input(
                draft.name if draft else "",
                placeholder="as the floor knows them, e.g. Quinn B.",
                max_length=120,
                id="staff-name",
                compact=True,
            )
        yield from self.role_and_pit(draft.role if draft else None, draft.pit if draft else None)

    @on(Input.Submitted, "#staff-id")
    def _id_entered(self, event: Input.Submitted) -> None:
        event.prevent_default()  # not the whole dialog yet: on to the name
        self.query_one("#staff-name", Input).focus()

    def answer(self) -> StaffDraft | None:
        staff_id = self.query_one("#staff-id", Input)
        name = self.query_one("#staff-name", Input)
        if not staff_id.value:
            self.hint("give them a staff ID (letters, digits, . _ -)", error=True)
            staff_id.focus()
            return None
        if not name.value.strip():
            self.hint("give their name", error=True)
            name.focus()
            return None
        chosen = self.chosen()
        if chosen is None:
            return None
        role, pit = chosen
        return StaffDraft(staff_id.value, name.value.strip(), role, pit)


class ChangeStaffModal(StaffFormModal):
    ok_label = "Change"

    def __init__(
        self,
        member: Staff,
        pits: Sequence[tuple[str, str]],
        *,
        draft: StaffDraft | None = None,
        error: str = "",
    ) -> None:
        super().__init__(pits, error=error)
        self.member = member
        self.draft = draft
        self.title_text = escape(f"Change {member.name} ({member.id}): role and pit")

    def compose_fields(self) -> ComposeResult:
        start = self.draft or StaffDraft(
            self.member.id, self.member.name, self.member.role, self.member.pit
        )
        yield from self.role_and_pit(start.role, start.pit)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#staff-role", Select).focus()

    def answer(self) -> StaffDraft | None:
        chosen = self.chosen()
        if chosen is None:
            return None
        role, pit = chosen
        if (role, pit) == (self.member.role, self.member.pit):
            self.hint("that is what they have now: nothing to change", error=True)
            return None
        return StaffDraft(self.member.id, self.member.name, role, pit)


class StaffQuestionModal(YesNoModal):
    """A yes/no question long enough to need wrapping (who, what happens, the rota)."""

    DEFAULT_CSS = """
    StaffQuestionModal .field-label { width: 1fr; height: auto; }
    """

    def compose_fields(self) -> ComposeResult:
        yield Static(self.question, classes="field-label", markup=False)


class PinModal(ModalScreen[None]):
    """A one-time PIN, shown this once; enter (the only button) closes it."""

    DEFAULT_CSS = """
    PinModal { align: center middle; }
    PinModal > #pin-dialog {
        width: 64; max-width: 100%; height: auto;
        border: thick $warning; background: $surface; padding: 0 1;
    }
    PinModal #pin-title { text-style: bold; width: 1fr; }
    PinModal #pin-value {
        width: 1fr; margin: 1 0; content-align: center middle; text-style: bold;
        background: $warning 20%;
    }
    PinModal .pin-note { color: $foreground 80%; height: auto; }
    PinModal #pin-hint { color: $warning; height: auto; }
    PinModal #pin-buttons { margin-top: 1; height: auto; align-horizontal: right; }
    """
    # escape and the screen keys would leave it unread: held here until it is dismissed
    BINDINGS = [Binding("escape,n,d,e,o,S", "stay", show=False, id="pin.stay")]

    def __init__(self, issued: StaffPin, *, reset: bool) -> None:
        super().__init__()
        self._issued: StaffPin | None = issued
        self.reset = reset

    def compose(self) -> ComposeResult:
        issued = self._issued
        assert issued is not None
        member = issued.staff
        what = "New one-time PIN" if self.reset else "One-time PIN"
        with VerticalGroup(id="pin-dialog"):
            yield Label(f"{what} for {member.name} ({member.id})", id="pin-title", markup=False)
            yield Static(issued.pin, id="pin-value")
            yield Static(
                "Shown only now: give it to them in person. It signs in once, to choose"
                " their own PIN.",
                classes="pin-note",
            )
            yield Static("", id="pin-hint")
            with HorizontalGroup(id="pin-buttons"):
                yield Button("Noted", variant="primary", id="pin-done", compact=True)

    def on_mount(self) -> None:
        self.query_one("#pin-done", Button).focus()

    def action_stay(self) -> None:
        self.query_one("#pin-hint", Static).update("press enter once the PIN is noted")

    @on(Button.Pressed, "#pin-done")
    def _done(self) -> None:
        self._issued = None
        self.query_one("#pin-value", Static).update("")
        self.dismiss(None)
