"""A screen of fields that keeps keys typed ahead in the field they were meant for.

Textual hands each key to whichever widget has focus when the app reads it,
but Tab and Enter move the focus only once the key has been handled there.
Keys that arrive in one read (a fast typist, a paste, a badge reader typing
"staff ID, Tab, PIN, Enter") would all reach the first field. Priority
bindings run as the app reads each key, before it hands the next one on.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.actions import SkipAction
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Input


class FormScreen(Screen[None]):
    # Enter in this field is left to it: it submits once it has taken every key before it
    SUBMIT_FIELD: ClassVar[str]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "move_focus(1)", show=False, priority=True),
        Binding("shift+tab", "move_focus(-1)", show=False, priority=True),
        Binding("enter", "next_field", show=False, priority=True),
    ]

    def action_move_focus(self, step: int) -> None:
        if step > 0:
            self.focus_next()
        else:
            self.focus_previous()

    def submit_field(self) -> str:
        """The field whose Enter submits the form now (a form may grow a step)."""
        return self.SUBMIT_FIELD

    def action_next_field(self) -> None:
        """Enter in any field but the last goes on to the next."""
        focused: Any = self.focused
        if not isinstance(focused, Input) or focused.id == self.submit_field():
            raise SkipAction()
        self.focus_next()
