"""Changing what a Static shows only when it changes.

`Static.update` re-renders the widget, and with `layout` lays the screen out
again, even for the text it already shows: the incident screen refreshes its
panels every second and on every open, most often to the same text.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


def same_content(shown: object, new: Content | str) -> bool:
    if isinstance(shown, Content) and isinstance(new, Content):
        return shown.is_same(new)  # `==` compares the plain text only
    return isinstance(shown, str) and isinstance(new, str) and shown == new


def update_static(widget: Static, content: Content | str, *, layout: bool = True) -> None:
    """`widget.update(content)` unless it shows exactly that already."""
    if not same_content(widget.content, content):
        widget.update(content, layout=layout)
