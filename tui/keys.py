"""The keys a screen answers to, grouped for the help screen and the command palette."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from textual.app import App
from textual.binding import Binding
from textual.containers import ScrollableContainer
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Input, OptionList, Select

# Textual's own screen keys (focus cycling, copy): true everywhere, noise in a key list
_GENERIC_ACTIONS = frozenset(
    {"focus_next", "focus_previous", "copy_text", "maximize", "minimize", "help_quit"}
)


# Textual's own widgets, as a person would call them (their class names are not words)
_WIDGET_WORDS: tuple[tuple[type[DOMNode], str], ...] = (
    (Select, "In a drop-down list"),
    (Checkbox, "On a checkbox"),
    (Button, "On a button"),
    (OptionList, "In a list"),
)


@dataclass(frozen=True, slots=True)
class KeyRow:
    keys: str  # "g / enter"
    description: str
    action: str
    node: DOMNode = field(compare=False)
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class KeyGroup:
    title: str
    rows: tuple[KeyRow, ...]


def group_title(node: DOMNode) -> str:
    if isinstance(node, App):
        return "Everywhere"
    title = getattr(node, "HELP_TITLE", "")
    if title:
        return str(title)
    name = type(node).__name__.removesuffix("Screen")
    if isinstance(node, Screen):
        return name
    if isinstance(node, Input):  # itself scrollable: ask first
        return "In a text field"
    for widget, words in _WIDGET_WORDS:
        if isinstance(node, widget):
            return words
    if isinstance(node, ScrollableContainer):
        return "Scrolling"
    # "IncidentTable" -> "In the incident table", never a class name as it is
    return "In the " + re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()


def binding_groups(screen: Screen[object]) -> list[KeyGroup]:
    """Every described key active on `screen`: its widgets', its own, then the app's."""
    app = screen.app
    rows: dict[DOMNode, dict[str, KeyRow]] = {}
    for active in screen.active_bindings.values():
        binding: Binding = active.binding
        if binding.system or not binding.description:
            continue
        if binding.action.rpartition(".")[2] in _GENERIC_ACTIONS:
            continue
        key = app.get_key_display(binding)
        by_action = rows.setdefault(active.node, {})
        seen = by_action.get(binding.action)
        if seen is None:
            by_action[binding.action] = KeyRow(
                key, binding.description, binding.action, active.node, active.enabled
            )
        elif key not in seen.keys.split(" / "):
            by_action[binding.action] = KeyRow(
                f"{seen.keys} / {key}", seen.description, seen.action, seen.node, seen.enabled
            )
    # the screen's own keys first, the app's last: most specific on top
    order = sorted(rows, key=lambda node: (isinstance(node, App), not isinstance(node, Screen)))
    return [KeyGroup(group_title(node), tuple(rows[node].values())) for node in order]
