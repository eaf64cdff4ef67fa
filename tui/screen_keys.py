"""The app's screen keys: each opens one of the floor screens from anywhere.

Kept apart from the app so a screen that must not be left by a stray key (the
new-incident form) can take every one of them without importing the app.
"""

from __future__ import annotations

from textual.binding import Binding

SCREEN_BINDINGS: tuple[Binding, ...] = (
    Binding("n", "new_incident", "New", id="app.new_incident"),
    Binding("d", "downtime", "Downtime", id="app.downtime"),
    Binding("e", "escalation", "Ladder", id="app.escalation"),
    Binding("o", "outbox", "Outbox", id="app.outbox"),
    # shift+m: a plain `m` is a note on an incident and "mark down" on the board
    Binding("M", "metrics", "Metrics board", id="app.metrics", show=False),
    # shift+f: a plain `f` files the report on the incident screen
    Binding("F", "reports", "Reports", id="app.reports", show=False),
    # shift+h: a plain `h` records a help offer on the incident screen
    Binding("H", "handover", "Shift handover", id="app.handover", show=False),
    # shift+s: `s` is the incident screen's assign
    Binding("S", "staff", "Staff admin", id="app.staff", show=False),
    # shift+l: a plain `l` moves right on the map, ctrl+l locks
    Binding("L", "floor_map", "Floor map", id="app.floor_map", show=False),
)
# the keys of whatever screen is showing: opened over a form, it leaves the form as it was
HELP_BINDING = Binding("question_mark", "help", "Keys", id="app.help")
FINISH_THE_FORM = "Finish the form first: ctrl+s saves, escape leaves."


def screen_keys() -> str:
    """The screen keys as one binding's key list."""
    return ",".join(b.key for b in SCREEN_BINDINGS)
