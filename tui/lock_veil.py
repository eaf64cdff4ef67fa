"""A locked terminal hides player details on every screen, and in any dialog open on it.

The lock screen is a modal: what is under it still shows, dimmed. So each
screen (and dialog) follows the app's `locked` with a `-locked` class, and
what carries player details (the player, summary, notes, recovery terms,
anything typed) is marked `.player-detail` and not shown while it is set.
Nothing is cleared: unlocked, it is all there as it was.
"""

from __future__ import annotations

from textual.dom import DOMNode

PLAYER_DETAIL = "player-detail"
LOCKED = "-locked"


def follow_lock(node: DOMNode) -> None:
    """Keep `node`'s `-locked` class in step with the app's lock, from now on."""
    app = node.app
    if not hasattr(app, "locked"):
        return  # a bare App (a widget test): nothing is ever locked

    def lock_changed(locked: bool) -> None:
        node.set_class(locked, LOCKED)

    node.watch(app, "locked", lock_changed)
