"""Undoing `DOMNode.watch` on the app when the watching node goes away.

Textual drops a closed node's watchers from the watched object only when
that value next changes. The app's `revision` can stay still for hours on a
quiet floor, and until then every screen closed since (and its widgets)
stays in memory, and in every full garbage collection.
"""

from __future__ import annotations

from textual.dom import DOMNode

# where `textual.reactive._watch` keeps them (no public way to unwatch)
_WATCHERS = "__watchers"


def forget_watchers(watched: DOMNode, node: DOMNode) -> None:
    """Drop every watcher `node` set on `watched`."""
    watchers: dict[str, list[tuple[object, object]]] = getattr(watched, _WATCHERS, {})
    for entries in watchers.values():
        entries[:] = [entry for entry in entries if entry[0] is not node]
