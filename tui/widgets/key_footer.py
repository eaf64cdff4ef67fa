"""The key footer: the screen's shown keys on one line, drawn as Textual's compact `Footer`.

Textual's `Footer` is a container of one widget per key, removed and mounted
again on every bindings refresh, and each key is re-styled, re-measured and
re-rendered whenever its screen is shown again: about 15 ms a screen switch
and as much again a rebuild, on a floor terminal. Here the whole line is one
widget whose text is rebuilt from `Screen.active_bindings` (and repainted
only when it changed); keys answer clicks and hover as the footer's do.

Keys that do not fit the width are left out from the end (the screen's own
keys come first, then the app's), never the one that lists every key: it
stays last, after a `…` saying some are not shown. A cut-off line would
have hidden exactly that key. A screen may name actions it needs now
(`needed_actions()`): those lead the line, even ones it keeps off the
footer otherwise, so an 80-column terminal shows the key that is wanted.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widget import Widget


@dataclass(frozen=True, slots=True)
class FooterItem:
    key: str  # what `simulate_key` presses
    display: str  # how the key is shown, e.g. "?" or "^l"
    description: str
    enabled: bool
    action: str = ""

    @property
    def cell_length(self) -> int:
        return cell_len(self.display) + (1 + cell_len(self.description) if self.description else 0)


MORE = "…"  # in place of the keys left out


class KeyFooter(Widget):
    ALLOW_SELECT = False
    # shown whatever the width: the key that lists all the others
    ALWAYS_SHOWN = frozenset({"help"})
    COMPONENT_CLASSES = {
        "key-footer--key",
        "key-footer--description",
        "key-footer--hover",
    }
    # the colours, paddings and margins of Textual's compact Footer and FooterKey
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        text-wrap: nowrap;
        text-overflow: clip;
        color: $footer-foreground;
        background: $footer-background;
        .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .key-footer--hover {
            color: $footer-key-foreground;
            background: $block-hover-background;
        }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._items: tuple[FooterItem, ...] = ()
        # cell ranges of the items, as drawn: (start, end) per item
        self._spans: tuple[tuple[int, int], ...] = ()
        self._hover: int | None = None

    @property
    def items(self) -> tuple[FooterItem, ...]:
        return self._items

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: object) -> None:
        items = self._shown_items()
        if items != self._items:
            self._items = items
            self._hover = None
            self.refresh()

    def _shown_items(self) -> tuple[FooterItem, ...]:
        """The first shown binding of each action, in the footer's order: the
        screen's needed actions first."""
        needed_now = getattr(self.screen, "needed_actions", None)
        needed: tuple[str, ...] = needed_now() if callable(needed_now) else ()
        by_action: dict[str, tuple[Binding, bool]] = {}
        for active in self.screen.active_bindings.values():
            binding = active.binding
            wanted = binding.show or binding.action in needed
            if wanted and binding.action not in by_action:
                by_action[binding.action] = (binding, active.enabled)
        order = sorted(by_action, key=lambda action: action not in needed)
        get_display = self.app.get_key_display
        return tuple(
            FooterItem(binding.key, get_display(binding), binding.description, enabled, action)
            for action in order
            for binding, enabled in [by_action[action]]
        )

    def shown(self, width: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """The items that fit in `width` cells, by index: all of them, or as many of
        the first as fit and (after a `…`) those always shown."""
        items = self._items
        lengths = [item.cell_length + 1 for item in items]  # with the margin after it
        if sum(lengths) - 1 <= width:
            return tuple(range(len(items))), ()
        kept = tuple(n for n, item in enumerate(items) if item.action in self.ALWAYS_SHOWN)
        room = width - sum(lengths[n] for n in kept) - (cell_len(MORE) + 1)
        first: list[int] = []
        for n, length in enumerate(lengths):
            if n in kept:
                continue
            if length > room:
                break
            first.append(n)
            room -= length
        return tuple(first), kept

    def render(self) -> Text:
        line = Text(no_wrap=True, overflow="crop", end="")
        key_style = self.get_component_rich_style("key-footer--key")
        description_style = self.get_component_rich_style("key-footer--description")
        hover = Style(bgcolor=self.get_component_rich_style("key-footer--hover").bgcolor)
        dim = Style(dim=True)
        first, kept = self.shown(self.size.width)
        left_out = len(first) + len(kept) < len(self._items)
        entries: list[int | None] = [*first, *([None] if left_out else []), *kept]  # None: …
        # one span per item, as clicks find items by index: a left-out item's is empty
        spans = [(0, 0)] * len(self._items)
        for place, index in enumerate(entries):
            if place:
                line.append(" ")  # the footer's margin between keys
            if index is None:
                line.append(MORE, description_style)
                continue
            item = self._items[index]
            start = line.cell_len
            extra = hover if index == self._hover else Style()
            if not item.enabled:
                extra += dim
            line.append(item.display, key_style + extra)
            if item.description:
                line.append(" " + item.description, description_style + extra)
            spans[index] = (start, line.cell_len)
        self._spans = tuple(spans)
        return line

    def _item_at(self, x: int) -> int | None:
        for index, (start, end) in enumerate(self._spans):
            if start <= x < end:
                return index
        return None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        index = self._item_at(event.x)
        if index != self._hover:
            self._hover = index
            self.refresh()

    def on_leave(self, event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        index = self._item_at(event.x)
        if index is None:
            return
        item = self._items[index]
        if item.enabled:
            self.app.simulate_key(item.key)
        else:
            self.app.bell()
